//! Runs one command: load the config, call the engine, print the result.
//! The only place that maps errors to exit codes.

use crate::cli::{Cli, Command, Format};
use crate::config::{self, diag::Diagnostics, model::Config};
use crate::engine::{self, UpcomingFilter};
use crate::exit;
use crate::privacy::Quoting;
use chrono::{Months, NaiveDate};
use std::io::Write;

/// Run a parsed command line and return the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { strict } => check(&cli.config, strict, cli.show_values),
        Command::Upcoming {
            today,
            days,
            case,
            caseworker,
            format,
        } => {
            let Some(cfg) = load(&cli.config, cli.show_values) else {
                return exit::CONFIG;
            };
            let today = today
                .unwrap_or_else(|| crate::clock::Clock::new(None, cfg.service.timezone).today());
            if let Some(code) = unknown_filter(cfg, case.as_deref(), caseworker.as_deref()) {
                return code;
            }
            let filter = UpcomingFilter {
                case: case.as_deref(),
                caseworker: caseworker.as_deref(),
            };
            let rows = engine::upcoming(cfg, today, days, &filter);
            match format {
                Format::Json => print_json(&rows),
                Format::Table => print(&crate::report::upcoming_table(&rows, days)),
            }
        }
        Command::Plan { from, to, format } => {
            let Some(cfg) = load(&cli.config, cli.show_values) else {
                return exit::CONFIG;
            };
            let from = from
                .unwrap_or_else(|| crate::clock::Clock::new(None, cfg.service.timezone).today());
            let to = match to {
                Some(t) => t,
                None => from
                    .checked_add_months(Months::new(12))
                    .unwrap_or(NaiveDate::MAX),
            };
            if to < from {
                eprintln!("docket: --to {to} is before --from {from}");
                return exit::USAGE;
            }
            let items = engine::items(cfg);
            let rows = engine::plan_reminders(cfg, &items, from, to);
            let view = || rows.iter().map(|r| engine::PlanRow::new(cfg, &items, r));
            match format {
                Format::Json => print_json(&JsonSeq(view)),
                Format::Table => write_out(|w| crate::report::plan_table(w, view)),
            }
        }
        Command::Preview { today, to } => {
            let Some(cfg) = load(&cli.config, cli.show_values) else {
                return exit::CONFIG;
            };
            let today = today
                .unwrap_or_else(|| crate::clock::Clock::new(None, cfg.service.timezone).today());
            if let Some(code) = unknown_filter(cfg, None, to.as_deref()) {
                return code;
            }
            match crate::daemon::preview(cfg, today, to.as_deref()) {
                Ok(digests) if digests.is_empty() => {
                    eprintln!("docket: nothing to send on {today}");
                    exit::OK
                }
                Ok(digests) => {
                    let mut text = String::new();
                    for d in digests {
                        text.push_str(&String::from_utf8_lossy(&d.message.formatted()));
                        text.push_str("\n\n");
                    }
                    print(&text)
                }
                Err(e) => {
                    eprintln!("docket: {e}");
                    exit::FAILURE
                }
            }
        }
        Command::Run { once, today } => {
            crate::sys::private_umask();
            let Some(rt) = runtime() else {
                return exit::FAILURE;
            };
            let opts = crate::daemon::RunOptions {
                config: cli.config.clone(),
                once,
                today,
            };
            match rt.block_on(crate::daemon::run(opts, crate::daemon::shutdown::signal())) {
                Ok(outcome) if once && outcome.digests_failed > 0 => {
                    eprintln!(
                        "docket: {} digest(s) could not be sent; they stay queued",
                        outcome.digests_failed
                    );
                    exit::FAILURE
                }
                Ok(outcome) if once && outcome.error.is_some() => {
                    eprintln!(
                        "docket: the pass failed ({}); what was due stays queued",
                        outcome.error.unwrap_or_default()
                    );
                    exit::FAILURE
                }
                Ok(_) => exit::OK,
                Err(crate::daemon::DaemonError::Config(diags)) => {
                    // The daemon's stderr is the journal: locations and
                    // redacted messages only (`docket check` shows the lines).
                    for line in crate::daemon::redacted_errors(&diags) {
                        eprintln!("{line}");
                    }
                    eprintln!(
                        "{}: config has errors; run `docket check` to see them",
                        cli.config.display()
                    );
                    exit::CONFIG
                }
                Err(e) => {
                    tracing::error!(error = %e, "docket stopped");
                    eprintln!("docket: {e}");
                    exit::FAILURE
                }
            }
        }
        Command::SendTest { to } => {
            crate::sys::private_umask();
            let Some(cfg) = load(&cli.config, cli.show_values) else {
                return exit::CONFIG;
            };
            let Some(rt) = runtime() else {
                return exit::FAILURE;
            };
            rt.block_on(send_test(cfg, &to))
        }
        Command::History { case, format } => {
            let Some(cfg) = load(&cli.config, cli.show_values) else {
                return exit::CONFIG;
            };
            history(cfg, case.as_deref(), format)
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("docket: cannot start the async runtime: {e}");
            None
        }
    }
}

async fn send_test(cfg: &Config, to: &str) -> u8 {
    let to_box: lettre::message::Mailbox = match to.parse() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("docket: --to {to}: {e}");
            return exit::USAGE;
        }
    };
    let mailer = match crate::mail::Mailer::new(&cfg.mail) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("docket: {e}");
            return exit::FAILURE;
        }
    };
    let from: lettre::message::Mailbox = match cfg.mail.from.parse() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("docket: from: {e}");
            return exit::CONFIG;
        }
    };
    let msg = lettre::Message::builder()
        .message_id(None)
        .from(from)
        .to(to_box)
        .subject("[docket] test message")
        .body(String::from(
            "This is a test message from docket. If you can read it, mail delivery works.\n",
        ));
    let msg = match msg {
        Ok(m) => m,
        Err(e) => {
            eprintln!("docket: {e}");
            return exit::FAILURE;
        }
    };
    let sent = mailer.send(&msg).await;
    mailer.close_idle().await;
    match sent {
        Ok(answer) => {
            println!("sent: {answer}");
            exit::OK
        }
        Err(e) => {
            eprintln!("docket: send failed: {}", e.message);
            exit::FAILURE
        }
    }
}

#[derive(serde::Serialize)]
struct HistoryRow {
    recorded_at: String,
    sent_at: Option<String>,
    case: String,
    item: String,
    kind: String,
    deadline: String,
    step: String,
    due_date: String,
    recipient: String,
    role: String,
    late: bool,
    state: String,
    message_id: Option<String>,
    attempts: u32,
    last_error: Option<String>,
}

fn history(cfg: &Config, case: Option<&str>, format: Format) -> u8 {
    let ledger = match crate::ledger::Ledger::open_read_only(&cfg.service.state_dir) {
        Ok(Some(l)) => l,
        Ok(None) => {
            eprintln!(
                "docket: no ledger in {} yet: nothing was sent",
                cfg.service.state_dir.display()
            );
            return if format == Format::Json {
                print("[]\n")
            } else {
                exit::OK
            };
        }
        Err(e) => {
            eprintln!("docket: {e}");
            return exit::FAILURE;
        }
    };
    let rows = match ledger.history(case) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("docket: {e}");
            return exit::FAILURE;
        }
    };
    let rows: Vec<HistoryRow> = rows
        .into_iter()
        .map(|r| HistoryRow {
            recorded_at: r
                .recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            sent_at: r
                .sent_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            case: r.key.case_ref,
            item: r.key.item,
            kind: r.kind,
            deadline: r.key.deadline.to_string(),
            step: r.key.step,
            due_date: r.due_date.to_string(),
            recipient: r.key.recipient,
            role: r.role,
            late: r.late,
            state: r.state.as_str().to_string(),
            message_id: r.message_id,
            attempts: r.attempts,
            last_error: r.last_error,
        })
        .collect();
    match format {
        Format::Json => print_json(&rows),
        Format::Table => {
            if rows.is_empty() {
                return print("The ledger holds no reminders.\n");
            }
            let body: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.recorded_at.clone(),
                        r.case.clone(),
                        r.item.clone(),
                        r.deadline.clone(),
                        r.step.clone(),
                        format!(
                            "{}{}",
                            r.recipient,
                            if r.role == "cc" { " (cc)" } else { "" }
                        ),
                        format!("{}{}", r.state, if r.late { ", late" } else { "" }),
                        r.sent_at.clone().unwrap_or_else(|| "-".into()),
                        r.message_id.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print(&crate::report::table(
                &[
                    "RECORDED",
                    "CASE",
                    "ITEM",
                    "DEADLINE",
                    "STEP",
                    "TO",
                    "STATE",
                    "SENT",
                    "MESSAGE-ID",
                ],
                &body,
            ))
        }
    }
}

fn check(path: &std::path::Path, strict: bool, show_values: bool) -> u8 {
    let loaded = config::load(path);
    let diags = &loaded.diagnostics;
    eprint!("{}", diags.render_all(Quoting::for_stderr(show_values)));
    for n in &diags.notes {
        eprintln!("{}: note: {n}", path.display());
    }
    let errors = diags.errors().count();
    let warnings = diags.warnings().count();
    if errors > 0 || (strict && warnings > 0) {
        eprintln!(
            "{}: {} error(s), {} warning(s){}",
            path.display(),
            errors,
            warnings,
            if errors == 0 {
                " (--strict: warnings fail)"
            } else {
                ""
            }
        );
        return exit::CONFIG;
    }
    let cfg = loaded.config.as_ref().expect("no errors means a config");
    let items = engine::items(cfg);
    println!(
        "{}: OK: {} case(s), {} bill(s), {} caseworker(s), {} deadline(s){}",
        path.display(),
        cfg.cases.len(),
        cfg.bills.len(),
        cfg.caseworkers.len(),
        items.iter().filter(|i| i.is_deadline()).count(),
        if warnings > 0 {
            format!(", {warnings} warning(s)")
        } else {
            String::new()
        }
    );
    exit::OK
}

/// Load the config for a command that needs a valid one; on errors print
/// them and return None (the caller exits 78).
///
/// The config is leaked on purpose: these commands exit right after using
/// it, and freeing 100,000 cases one allocation at a time would take longer
/// than the command's own work.
pub fn load(path: &std::path::Path, show_values: bool) -> Option<&'static Config> {
    match config::load(path).into_result() {
        Ok((cfg, _warnings)) => Some(Box::leak(Box::new(cfg))),
        Err(diags) => {
            report_errors(path, &diags, show_values);
            None
        }
    }
}

fn report_errors(path: &std::path::Path, diags: &Diagnostics, show_values: bool) {
    let q = Quoting::for_stderr(show_values);
    for d in diags.errors().take(crate::config::diag::MAX_SHOWN) {
        eprint!("{}", diags.render(d, q));
    }
    eprintln!(
        "{}: {} error(s); run `docket check` after fixing them",
        path.display(),
        diags.errors().count()
    );
}

fn unknown_filter(cfg: &Config, case: Option<&str>, caseworker: Option<&str>) -> Option<u8> {
    if let Some(c) = case {
        if !cfg.cases.iter().any(|x| x.id == c) && !cfg.bills.iter().any(|b| b.id == c) {
            eprintln!("docket: no case or bill \"{c}\" in the config");
            return Some(exit::USAGE);
        }
    }
    if let Some(w) = caseworker {
        if cfg.caseworker(w).is_none() {
            eprintln!("docket: no caseworker \"{w}\" in the config");
            return Some(exit::USAGE);
        }
    }
    None
}

/// Serialize an iterator as a JSON array without collecting it.
struct JsonSeq<F>(F);

impl<F, I, T> serde::Serialize for JsonSeq<F>
where
    F: Fn() -> I,
    I: Iterator<Item = T>,
    T: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// Run `f` against buffered stdout; a closed pipe is not a failure.
fn write_out(f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> u8 {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match f(&mut out).and_then(|_| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("docket: cannot write output: {e}");
            exit::FAILURE
        }
    }
}

fn print(s: &str) -> u8 {
    write_out(|w| w.write_all(s.as_bytes()))
}

/// JSON straight to stdout: a year's plan over 100,000 cases is millions of
/// rows, not worth a second copy as a String.
fn print_json<T: serde::Serialize>(rows: &T) -> u8 {
    write_out(|w| {
        serde_json::to_writer_pretty(&mut *w, rows)?;
        w.write_all(b"\n")
    })
}
