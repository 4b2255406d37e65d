//! Runs one command: load the config, call the engine or the daemon, print
//! the result. Failures come back as a [`Failure`], which knows its exit
//! code (SPEC §5); `main` prints it once.

use crate::cli::{Cli, Command, Format, ReportFormat};
use crate::clock::Clock;
use crate::config::live::{FileStatus, Live, State};
use crate::config::{self, model::Config, Env};
use crate::engine::{self, UpcomingFilter};
use crate::index::Index;
use crate::privacy::Quoting;
use crate::report;
use anyhow::Context as _;
use chrono::{Months, NaiveDate};
use std::io::Write;
use std::path::Path;

pub use crate::failure::Failure;

type Outcome = Result<(), Failure>;

/// What every command is given: the config's path, whether values may be
/// shown, and the one clock of this run.
struct Ctx<'a> {
    path: &'a Path,
    show: bool,
    /// Made once from `--today` and `--now` (or the system's clock); each
    /// command puts it in `service.timezone` once the config is read.
    clock: Clock,
}

impl Ctx<'_> {
    /// The clock in `cfg`'s zone.
    fn clock_for(&self, cfg: &Config) -> Clock {
        self.clock.in_zone(cfg.service.timezone)
    }
}

/// Run a parsed command line: one function per command.
pub fn run(cli: Cli) -> Outcome {
    crate::sys::no_heap_cleanup_at_exit();
    let ctx = Ctx {
        path: cli.config.as_path(),
        show: cli.show_values,
        clock: Clock::new(cli.command.today(), cli.now),
    };
    match cli.command {
        Command::Check {
            strict,
            startup: false,
            files,
            lang,
            ..
        } => crate::check::check(
            ctx.path,
            crate::check::Args {
                strict,
                clock: ctx.clock,
                files,
                show_values: ctx.show,
                lang: lang.into(),
            },
        ),
        Command::Check { startup: true, .. } => check_startup(ctx.path),
        Command::Status { format } => status(&ctx, format),
        Command::Upcoming {
            days,
            case,
            caseworker,
            format,
            ..
        } => upcoming(&ctx, days, case.as_deref(), caseworker.as_deref(), format),
        Command::Plan { from, to, format } => plan(&ctx, from, to, format),
        Command::Preview { to, .. } => preview(&ctx, to.as_deref()),
        Command::Run { once, .. } => run_daemon(&ctx, once),
        Command::SendTest { to } => send_test(&ctx, &to),
        Command::Calendar {
            caseworker, team, ..
        } => calendar(&ctx, &caseworker, team),
        Command::NotifyAdmin { subject } => notify_admin(&ctx, &subject),
        Command::History { case, format } => {
            // Only [service] matters: whatever the case files hold.
            let cfg = load(ctx.path, ctx.show)?.cfg;
            history(cfg, case.as_deref(), format)
        }
        Command::GitHook { lang, .. } => git_hook(&ctx, lang.into()),
        Command::Log { file, case, format } => log(&ctx, file, case, format),
        Command::Restore {
            file,
            case,
            version,
            stdout,
        } => restore(&ctx, file, case, version, stdout),
        Command::Forget { case } => forget(&ctx, &case),
        Command::Import {
            file,
            into,
            map,
            sheet,
            dry_run,
        } => crate::import::import(&crate::import::Args {
            config: ctx.path.to_path_buf(),
            file,
            into,
            map,
            sheet,
            dry_run,
            clock: ctx.clock,
            show_values: ctx.show,
        }),
    }
}

/// The history commands' view of the context.
fn history_args<'a>(ctx: &Ctx<'a>) -> crate::history::commands::Args<'a> {
    crate::history::commands::Args {
        config: ctx.path,
        show_values: ctx.show,
    }
}

/// `FILE` or `--case ID`, whichever was given.
fn history_target(
    file: Option<std::path::PathBuf>,
    case: Option<String>,
) -> Option<crate::history::commands::Target> {
    use crate::history::commands::Target;
    file.map(Target::File).or(case.map(Target::Case))
}

/// `docket log`: the kept versions, newest first (SPEC 6).
fn log(
    ctx: &Ctx<'_>,
    file: Option<std::path::PathBuf>,
    case: Option<String>,
    format: Format,
) -> Outcome {
    let target = history_target(file, case);
    crate::history::commands::log(&history_args(ctx), target, format == Format::Json)
}

/// `docket restore`: a kept version back on disk, or on stdout.
fn restore(
    ctx: &Ctx<'_>,
    file: Option<std::path::PathBuf>,
    case: Option<String>,
    version: Option<u32>,
    stdout: bool,
) -> Outcome {
    let Some(target) = history_target(file, case) else {
        return Err(Failure::Usage("name a FILE or --case ID to restore".into()));
    };
    crate::history::commands::restore(&history_args(ctx), target, version, stdout)
}

/// `docket forget --case ID`.
fn forget(ctx: &Ctx<'_>, case: &str) -> Outcome {
    crate::history::commands::forget(&history_args(ctx), case)
}

/// `docket send-test`: only `[mail]` matters; case files are not judged.
fn send_test(ctx: &Ctx<'_>, to: &str) -> Outcome {
    crate::sys::private_umask();
    let cfg = load(ctx.path, ctx.show)?.cfg;
    runtime()?.block_on(send_test_message(cfg, to, ctx.clock_for(cfg)))
}

/// `docket notify-admin`: whatever the case files hold, since this runs
/// when docket is down.
fn notify_admin(ctx: &Ctx<'_>, subject: &str) -> Outcome {
    crate::sys::private_umask();
    let cfg = load(ctx.path, ctx.show)?.cfg;
    runtime()?.block_on(crate::commands::notify_admin(
        cfg,
        subject,
        ctx.clock_for(cfg),
    ))
}

/// `docket upcoming`: from the index of an unchanged config when it
/// answers, else from the config, with what can be read of the files left
/// out.
fn upcoming(
    ctx: &Ctx<'_>,
    days: u32,
    case: Option<&str>,
    caseworker: Option<&str>,
    format: ReportFormat,
) -> Outcome {
    // An unchanged config's answer, kept from the last run.
    if let Some(ix) = case.is_none().then(|| Index::open(ctx.path)).flatten() {
        let today = ctx.clock.in_zone(ix.timezone()).today();
        if let Some(w) = caseworker.filter(|w| !ix.has_caseworker(w)) {
            return Err(unknown_caseworker(w));
        }
        if let Some(rows) = ix.upcoming(today, days, caseworker) {
            return print_upcoming(&rows, days, format);
        }
    }
    let live = load(ctx.path, ctx.show)?;
    let cfg = live.cfg;
    let items = engine::items(cfg);
    let today = ctx.clock_for(cfg).today();
    // A case only a file left out names is still asked about.
    let salvaged = |c: &str| {
        live.left_out
            .iter()
            .flat_map(|f| f.salvaged.iter().flat_map(|s| s.iter()))
            .any(|x| x.id == c)
    };
    let known_case = case.filter(|c| !salvaged(c));
    known_ids(cfg, known_case, caseworker)?;
    let filter = UpcomingFilter { case, caseworker };
    let picked = report::upcoming_par(cfg, &items, today, days, &filter);
    // What can be read of the files never good, marked (issue 18,
    // item 5): dropping them hid a hearing two days away.
    let more = report::left_out_rows(cfg, &live.left_out, today, days, &filter);
    let out = if more.is_empty() && matches!(format, ReportFormat::Json) {
        // Each row written as it is made: 60,000 rows kept for the JSON
        // were ~10 MB of fresh memory.
        write_out(|w| {
            // The item first; its case id once the item is in the cache.
            let ahead = |it: &&engine::Item<'_>, far: bool| {
                if far {
                    crate::sys::prefetch(*it as *const engine::Item<'_>);
                } else {
                    crate::sys::prefetch(it.reference.as_ptr());
                }
            };
            report::write_upcoming_json_par(
                w,
                &picked,
                |it| report::upcoming_row(cfg, it, today),
                ahead,
            )?;
            w.write_all(b"\n")
        })
    } else {
        let mut rows: Vec<_> = picked
            .iter()
            .map(|it| report::upcoming_row(cfg, it, today))
            .collect();
        report::merge_upcoming(&mut rows, more);
        print_upcoming(&rows, days, format)
    };
    live.keep_index(&items);
    live.finish(out)
}

/// `docket plan`: from the index of an unchanged config when it answers.
fn plan(
    ctx: &Ctx<'_>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: ReportFormat,
) -> Outcome {
    let plan = |cfg: &Config, items: &[engine::Item<'_>]| -> Outcome {
        let from = from.unwrap_or_else(|| ctx.clock_for(cfg).today());
        let to = to.unwrap_or_else(|| {
            from.checked_add_months(Months::new(12))
                .unwrap_or(NaiveDate::MAX)
        });
        if to < from {
            return Err(Failure::Usage(format!("--to {to} is before --from {from}")));
        }
        let rows = engine::plan_reminders(cfg, items, from, to);
        let view = || rows.iter().map(|r| report::PlanRow::new(cfg, items, r));
        match format {
            ReportFormat::Json => write_out(|w| {
                report::write_plan_json(w, view())?;
                w.write_all(b"\n")
            }),
            ReportFormat::Table => write_out(|w| report::plan_table(w, view)),
            ReportFormat::Csv => write_out(|w| report::plan_csv(w, view())),
        }
    };
    // An unchanged config's items, kept from the last run, with the
    // main file's settings (the calendar, the caseworkers).
    if let Some(ix) = Index::open(ctx.path) {
        if let (Some(cfg), Some(items)) = (ix.main_settings(ctx.path), ix.items()) {
            return plan(&cfg, &items);
        }
    }
    let live = load(ctx.path, ctx.show)?;
    let items = engine::items(live.cfg);
    let out = plan(live.cfg, &items);
    live.keep_index(&items);
    live.finish(out)
}

/// `docket preview`: the digests a pass on the clock's today would send.
fn preview(ctx: &Ctx<'_>, to: Option<&str>) -> Outcome {
    let live = load(ctx.path, ctx.show)?;
    let cfg = live.cfg;
    let clock = ctx.clock_for(cfg);
    let today = clock.today();
    known_ids(cfg, None, to)?;
    let digests = crate::daemon::preview(cfg, today, clock.now(), to)
        .context("cannot compose the digests")?;
    if digests.is_empty() {
        eprintln!("docket: nothing to send on {today}");
        return live.finish(Ok(()));
    }
    let mut text = String::new();
    for d in digests {
        text.push_str(&String::from_utf8_lossy(&d.message.formatted()));
        text.push_str("\n\n");
    }
    live.finish(print(&text))
}

/// `docket run`: the daemon, or one pass with `--once` (exit 1 when a
/// digest could not be sent or the pass failed).
fn run_daemon(ctx: &Ctx<'_>, once: bool) -> Outcome {
    crate::sys::private_umask();
    crate::sys::purge_at_once();
    crate::sys::no_huge_pages();
    crate::sys::one_malloc_arena();
    let opts = crate::daemon::RunOptions {
        config: ctx.path.to_path_buf(),
        once,
        clock: ctx.clock,
    };
    let outcome = runtime()?.block_on(crate::daemon::run(opts, crate::daemon::shutdown::signal()));
    match outcome {
        Ok(o) if once && o.digests_failed > 0 => Err(Failure::Runtime(anyhow::anyhow!(
            "{} digest(s) could not be sent; they stay queued",
            o.digests_failed
        ))),
        Ok(o) if once && o.error.is_some() => Err(Failure::Runtime(anyhow::anyhow!(
            "the pass failed ({}); what was due stays queued",
            o.error.unwrap_or_default()
        ))),
        Ok(_) => Ok(()),
        Err(crate::daemon::DaemonError::Config(diags)) => {
            // The daemon's stderr is the journal: locations and
            // masked messages only (`docket check` shows more).
            for line in crate::daemon::redacted_errors(&diags) {
                eprintln!("{line}");
            }
            Err(Failure::Config(format!(
                "{}: config has errors; run `docket check` to see them",
                ctx.path.display()
            )))
        }
        Err(e) => {
            tracing::error!(error = %e, "docket stopped");
            Err(Failure::Runtime(e.into()))
        }
    }
}

/// `docket calendar`: one caseworker's feed (or their team's).
fn calendar(ctx: &Ctx<'_>, caseworker: &str, team: bool) -> Outcome {
    let live = load(ctx.path, ctx.show)?;
    let cfg = live.cfg;
    known_ids(cfg, None, Some(caseworker))?;
    let text = crate::commands::calendar(cfg, caseworker, team, ctx.clock_for(cfg))?;
    live.finish(print(&text))
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?)
}

async fn send_test_message(cfg: &Config, to: &str, clock: Clock) -> Outcome {
    if to.parse::<lettre::message::Mailbox>().is_err() {
        return Err(Failure::Usage(format!("--to {to} is not an email address")));
    }
    let mailer =
        crate::mail::Mailer::new(&cfg.mail, clock).context("the mail transport is not usable")?;
    let msg = crate::mail::message::plain(
        &cfg.mail.from,
        to,
        "[docket] test message",
        "This is a test message from docket. If you can read it, mail delivery works.\n",
    )
    .context("cannot build the test message")?;
    let sent = mailer.send(&msg, "test").await;
    mailer.close_idle().await;
    let answer = sent.map_err(|e| anyhow::anyhow!("send failed: {e}"))?;
    println!("sent: {answer}");
    Ok(())
}

/// `history` needs only `[service]`: it reads the ledger, not the cases.
fn history(cfg: &Config, case: Option<&str>, format: Format) -> Outcome {
    let dir = &cfg.service.state_dir;
    let Some(ledger) = crate::ledger::Ledger::open_read_only(dir)? else {
        eprintln!(
            "docket: no ledger in {} yet: nothing was sent",
            dir.display()
        );
        return match format {
            Format::Json => print("[]\n"),
            Format::Table => Ok(()),
        };
    };
    let rows: Vec<report::HistoryRow> = ledger
        .history(case)?
        .into_iter()
        .map(report::HistoryRow::from)
        .collect();
    if let (Some(c), true) = (case, rows.is_empty()) {
        // Nothing recorded: say whether the case exists at all, so a typo
        // is not read as "nothing was sent".
        let known = cfg.cases().any(|(_, k)| &*k.id == c) || cfg.bill_index(c).is_some();
        if !known {
            let ids = cfg
                .cases()
                .map(|(_, k)| &*k.id)
                .chain(cfg.bills().map(|b| b.id.as_str()));
            let hint = crate::config::suggest::did_you_mean(c, ids)
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            return Err(Failure::Usage(format!(
                "no reminders for case {c}: there is no such case in the config, and the ledger has none{hint}"
            )));
        }
    }
    match format {
        Format::Json => print_json(&rows),
        Format::Table => print(&report::history_table(&rows, case)),
    }
}

impl From<crate::ledger::LedgerError> for Failure {
    fn from(e: crate::ledger::LedgerError) -> Failure {
        Failure::Runtime(e.into())
    }
}

/// `docket check --startup`: can the daemon start? Output goes to the
/// journal (ExecStartPre=): values are always masked.
/// `docket git-hook`: git runs it in the repository (`GIT_DIR`, else the
/// working directory), with the pushed objects in `GIT_QUARANTINE_PATH`.
fn git_hook(ctx: &Ctx<'_>, lang: crate::config::model::Language) -> Outcome {
    let cwd = std::env::current_dir().map_err(|e| Failure::Runtime(e.into()))?;
    let repo = std::env::var_os("GIT_DIR")
        .map(|d| cwd.join(d))
        .unwrap_or(cwd);
    let quarantine = std::env::var_os("GIT_QUARANTINE_PATH").map(std::path::PathBuf::from);
    crate::githook::run(
        ctx.path,
        crate::githook::Args {
            clock: ctx.clock,
            lang,
            repo,
            quarantine,
        },
    )
}

fn check_startup(path: &Path) -> Outcome {
    let live = load(path, false)?;
    for f in &live.left_out {
        let what = match f.state {
            State::Held => "has errors; its last good version stays in effect",
            _ => "has errors and is not tracked",
        };
        eprintln!("{}: {what}", f.rel);
        if let Some(d) = &f.problems {
            for e in d.errors().take(5) {
                eprintln!("  {}", d.headline(e, Quoting::Masked));
            }
        }
    }
    println!(
        "{}: OK: docket can start ({} file(s) left out; see `docket check`)",
        path.display(),
        live.left_out.len()
    );
    Ok(())
}

fn status(ctx: &Ctx<'_>, format: Format) -> Outcome {
    let cfg = load(ctx.path, ctx.show)?.cfg;
    let dir = &cfg.service.state_dir;
    let s = match crate::status::read(dir) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::Runtime(anyhow::anyhow!(
                "no status in {}: docket has not run with this config yet",
                dir.display()
            )))
        }
        Err(e) => {
            return Err(Failure::Runtime(anyhow::Error::new(e).context(format!(
                "cannot read {}",
                crate::status::path_in(dir).display()
            ))))
        }
    };
    match format {
        Format::Json => print_json(&s)?,
        Format::Table => print(&crate::status::render(
            &s,
            ctx.clock.now(),
            cfg.service.timezone,
        ))?,
    }
    if !crate::status::alive(s.pid) {
        return Err(Failure::Runtime(anyhow::anyhow!(
            "docket is not running (the status is from pid {})",
            s.pid
        )));
    }
    let held = s
        .files
        .iter()
        .filter(|f| f.state != State::InEffect)
        .count();
    if held > 0 {
        return Err(Failure::Config(format!(
            "docket: {held} file(s) held back or not tracked"
        )));
    }
    Ok(())
}

/// The config as the daemon has it in effect: every good file, and the
/// last good copy of a broken one when `state_dir` can be read.
struct InEffect {
    cfg: &'static Config,
    left_out: Vec<FileStatus>,
    show_values: bool,
    /// The files read and the hashes of the texts checked, main first (for
    /// [`crate::index`]).
    read: Vec<crate::index::KeyFile>,
}

/// Load the config for a command. A broken case file does not stop it: the
/// command acts on the rest, and [`InEffect::finish`] says what was left out
/// (exit 78, so scripts notice). Only a main file without a good copy fails
/// here.
///
/// The config is leaked on purpose: these commands exit right after using
/// it, and freeing 100,000 cases one allocation at a time would take longer
/// than the command's own work.
fn load(path: &Path, show_values: bool) -> Result<InEffect, Failure> {
    match Live::load_in_effect(path, &Env::from_process(), false) {
        Ok(l) => {
            let left_out: Vec<FileStatus> = l.left_out().cloned().collect();
            let files = match l.tree() {
                // The case files of a git tree are its commit.
                Some(_) => &[][..],
                None => &l.files[..],
            };
            let mut read: Vec<crate::index::KeyFile> = std::iter::once(&l.main)
                .chain(files)
                .filter_map(|f| {
                    Some(crate::index::KeyFile {
                        path: f.path.clone(),
                        hash: f.disk_hash.clone()?,
                    })
                })
                .collect();
            read.extend(l.tree().map(|t| crate::index::KeyFile::of_tree(t)));
            Ok(InEffect {
                cfg: Box::leak(Box::new(l.config)),
                left_out,
                show_values,
                read,
            })
        }
        Err(fatal) => {
            let diags = fatal.diagnostics;
            let q = Quoting::for_stderr(show_values);
            for d in diags.errors().take(config::diag::MAX_SHOWN) {
                eprint!("{}", diags.render(d, q));
            }
            Err(Failure::Config(format!(
                "{}: {} error(s); run `docket check` after fixing them",
                path.display(),
                diags.errors().count()
            )))
        }
    }
}

impl InEffect {
    /// Keep the index of this config for the next `upcoming` or `plan`
    /// (after the output: a miss costs the user nothing more than the
    /// load); only when nothing was left out.
    fn keep_index(&self, items: &[engine::Item<'_>]) {
        if self.left_out.is_empty() {
            crate::index::write(self.cfg, items, &self.read);
        }
    }

    /// After the command's output: name the files left out (exit 78).
    fn finish(&self, out: Outcome) -> Outcome {
        out?;
        if self.left_out.is_empty() {
            return Ok(());
        }
        let q = Quoting::for_stderr(self.show_values);
        for f in &self.left_out {
            let what = match f.state {
                State::Held => format!(
                    "left out: the last good version{} is used instead",
                    f.since
                        .as_ref()
                        .map(|s| format!(" (from {s})"))
                        .unwrap_or_default()
                ),
                _ => "left out: it was never good, so its cases are not tracked".into(),
            };
            eprintln!("docket: {}: {what}", f.rel);
            if let Some(d) = &f.problems {
                for e in d.errors().take(5) {
                    eprintln!("  {}", d.headline(e, q));
                }
            }
        }
        Err(Failure::Config(format!(
            "docket: {} file(s) left out; run `docket check` for every problem",
            self.left_out.len()
        )))
    }
}

/// `--case` and `--caseworker` must name something in the config.
fn known_ids(cfg: &Config, case: Option<&str>, caseworker: Option<&str>) -> Outcome {
    if let Some(c) = case {
        if !cfg.cases().any(|(_, x)| &*x.id == c) && cfg.bill_index(c).is_none() {
            return Err(Failure::Usage(format!(
                "no case or bill \"{c}\" in the config"
            )));
        }
    }
    if let Some(w) = caseworker {
        if cfg.caseworker(w).is_none() {
            return Err(unknown_caseworker(w));
        }
    }
    Ok(())
}

fn unknown_caseworker(w: &str) -> Failure {
    Failure::Usage(format!("no caseworker \"{w}\" in the config"))
}

fn print_upcoming<S: serde::Serialize + AsRef<str>>(
    rows: &[report::UpcomingEntry<S>],
    days: u32,
    format: ReportFormat,
) -> Outcome {
    match format {
        ReportFormat::Json => write_out(|w| {
            report::write_upcoming_json(w, rows.iter().map(report::UpcomingEntry::borrowed))?;
            w.write_all(b"\n")
        }),
        ReportFormat::Table => print(&report::upcoming_table(rows, days)),
        ReportFormat::Csv => print(&report::upcoming_csv(rows)),
    }
}

/// Run `f` against buffered stdout; a closed pipe is not a failure.
/// Everything a command prints goes through one buffer on stdout; a closed
/// pipe (`| head`) is not an error. A concrete writer, not `dyn Write`:
/// serde_json writes token by token, and a virtual call per token was a
/// tenth of `plan`'s time.
fn write_out(
    f: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Outcome {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    match f(&mut out).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Runtime(
            anyhow::Error::new(e).context("cannot write output"),
        )),
    }
}

fn print(s: &str) -> Outcome {
    write_out(|w| w.write_all(s.as_bytes()))
}

/// JSON straight to stdout: a year's plan over 100,000 cases is millions of
/// rows, not worth a second copy as a String.
fn print_json<T: serde::Serialize>(rows: &T) -> Outcome {
    write_out(|w| {
        serde_json::to_writer_pretty(&mut *w, rows)?;
        w.write_all(b"\n")
    })
}
