//! Runs one command: load the config, call the engine, print the result.
//! The only place that maps errors to exit codes.

use crate::cli::{Cli, Command, Format};
use crate::config::{self, diag::Diagnostics, model::Config};
use crate::engine::{self, UpcomingFilter};
use crate::exit;
use chrono::{Months, NaiveDate, Utc};
use std::io::Write;

/// Run a parsed command line and return the process exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { strict } => check(&cli.config, strict),
        Command::Upcoming { today, days, case, caseworker, format } => {
            let Some(cfg) = load(&cli.config) else { return exit::CONFIG };
            let today = today.unwrap_or_else(|| local_today(&cfg));
            if let Some(code) = unknown_filter(&cfg, case.as_deref(), caseworker.as_deref()) {
                return code;
            }
            let filter = UpcomingFilter { case: case.as_deref(), caseworker: caseworker.as_deref() };
            let rows = engine::upcoming(&cfg, today, days, &filter);
            match format {
                Format::Json => print_json(&rows),
                Format::Table => print(&crate::report::upcoming_table(&rows, days)),
            }
        }
        Command::Plan { from, to, format } => {
            let Some(cfg) = load(&cli.config) else { return exit::CONFIG };
            let from = from.unwrap_or_else(|| local_today(&cfg));
            let to = match to {
                Some(t) => t,
                None => from.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX),
            };
            if to < from {
                eprintln!("docket: --to {to} is before --from {from}");
                return exit::USAGE;
            }
            let rows = engine::plan(&cfg, from, to);
            match format {
                Format::Json => print_json(&rows),
                Format::Table => print(&crate::report::plan_table(&rows)),
            }
        }
    }
}

/// Today's date where the NGO works, not where the server's clock is set.
pub fn local_today(cfg: &Config) -> NaiveDate {
    Utc::now().with_timezone(&cfg.service.timezone).date_naive()
}

fn check(path: &std::path::Path, strict: bool) -> u8 {
    let loaded = config::load(path);
    let diags = &loaded.diagnostics;
    eprint!("{diags}");
    let errors = diags.errors().count();
    let warnings = diags.warnings().count();
    if errors > 0 || (strict && warnings > 0) {
        eprintln!(
            "{}: {} error(s), {} warning(s){}",
            path.display(),
            errors,
            warnings,
            if errors == 0 { " (--strict: warnings fail)" } else { "" }
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
        if warnings > 0 { format!(", {warnings} warning(s)") } else { String::new() }
    );
    exit::OK
}

/// Load the config for a command that needs a valid one; on errors print
/// them and return None (the caller exits 78).
pub fn load(path: &std::path::Path) -> Option<Config> {
    match config::load(path).into_result() {
        Ok((cfg, _warnings)) => Some(cfg),
        Err(diags) => {
            report_errors(path, &diags);
            None
        }
    }
}

fn report_errors(path: &std::path::Path, diags: &Diagnostics) {
    for d in diags.errors() {
        eprint!("{}", diags.render(d));
    }
    eprintln!("{}: {} error(s); run `docket check` after fixing them", path.display(), diags.errors().count());
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

fn print(s: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => exit::OK,
        // A closed pipe (`docket plan | head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("docket: cannot write output: {e}");
            exit::FAILURE
        }
    }
}

fn print_json<T: serde::Serialize>(rows: &T) -> u8 {
    match serde_json::to_string_pretty(rows) {
        Ok(mut s) => {
            s.push('\n');
            print(&s)
        }
        Err(e) => {
            eprintln!("docket: cannot encode JSON: {e}");
            exit::FAILURE
        }
    }
}
