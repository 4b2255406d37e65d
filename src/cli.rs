//! The command line (SPEC §5). Parsing only: [`crate::app`] runs commands.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "docket",
    version,
    about = "Deadline reminders for refugees' documents, requests and the laws they wait on"
)]
pub struct Cli {
    /// The main config file.
    #[arg(
        short,
        long,
        global = true,
        env = "DOCKET_CONFIG",
        default_value = "/etc/docket/docket.toml"
    )]
    pub config: PathBuf,

    /// Show values from config files in full in error messages (names,
    /// numbers, what was typed). By default they are shown only when stderr
    /// is a terminal; when it is the journal they are always masked.
    #[arg(long, global = true)]
    pub show_values: bool,

    /// Pretend the clock reads this moment, RFC 3339 (for tests and
    /// drills); it moves on from there. `--today` still sets the day.
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_moment)]
    pub now: Option<DateTime<Utc>>,

    #[command(subcommand)]
    pub command: Command,
}

/// A language of messages (`check --lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Ru,
    Kk,
}

impl From<Lang> for crate::config::model::Language {
    fn from(l: Lang) -> Self {
        use crate::config::model::Language;
        match l {
            Lang::En => Language::En,
            Lang::Ru => Language::Ru,
            Lang::Kk => Language::Kk,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// The formats of `upcoming` and `plan`: [`Format`]'s, and CSV for a
/// spreadsheet (issue 21, item 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    /// UTF-8 with a BOM, a header row, RFC 4180 quoting: what Excel and
    /// LibreOffice open with Cyrillic intact.
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the config and every include; print every problem.
    ///
    /// Each problem is printed as `file:line:column: error: message`, with
    /// the line and how to fix it. Exit 0 when there are no errors, 78 when
    /// there are.
    Check {
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
        /// The day dates are judged on: an event already past, `issued` or
        /// `filed` in the future, a deadline ten years away (default: today
        /// in service.timezone).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// Show only the problems of these case files (checked against the
        /// main config, so unknown caseworkers and duplicate ids are found
        /// too). `docket -c cases.d/kz-0042.toml check` finds the main
        /// config itself.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Check only what the daemon needs to start: a main config it can
        /// use (the file, or its last good copy in state_dir). Files left out
        /// are listed, values masked, and do not fail it. For the unit's
        /// ExecStartPre=.
        #[arg(long)]
        startup: bool,
        /// The language of the messages and hints: en (default), ru or kk,
        /// for a caseworker checking their own file.
        #[arg(long, value_enum, env = "DOCKET_LANG", default_value_t = Lang::En)]
        lang: Lang,
    },
    /// Unresolved deadlines with act-by within N days, overdue ones included.
    Upcoming {
        /// The day to look from (default: today in service.timezone).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// How many days ahead to look.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Only this case (or bill) id.
        #[arg(long = "case")]
        case: Option<String>,
        /// Only this caseworker's items (a bill's owner for bills).
        #[arg(long)]
        caseworker: Option<String>,
        /// A table for people, JSON for scripts (one object per deadline),
        /// or CSV for a spreadsheet (the JSON's columns, UTF-8 with a BOM).
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Every reminder between two dates, as the daemon would send it running every day.
    Plan {
        /// First day (default: today in service.timezone).
        #[arg(long, value_parser = parse_day)]
        from: Option<NaiveDate>,
        /// Last day, inclusive (default: one year after --from).
        #[arg(long, value_parser = parse_day)]
        to: Option<NaiveDate>,
        /// A table for people, JSON for scripts, or CSV for a spreadsheet
        /// (the JSON's columns, UTF-8 with a BOM).
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// The digest emails a pass on D would send, as RFC 5322 text.
    ///
    /// The ledger is not read and nothing is sent or recorded: every
    /// reminder due by D that the daemon has not yet sent shows up.
    Preview {
        /// The day of the pass (default: today in service.timezone).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// Only the digest for this caseworker id.
        #[arg(long = "to")]
        to: Option<String>,
    },
    /// The daemon: passes on the schedule, reload on SIGHUP, stop on SIGTERM.
    Run {
        /// One pass, then exit (1 if a digest could not be sent).
        #[arg(long)]
        once: bool,
        /// Pretend today is this day, YYYY-MM-DD (for tests and catch-up drills).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
    },
    /// Send one test message through the configured transport.
    SendTest {
        /// The address to send it to.
        #[arg(long = "to", value_name = "ADDRESS")]
        to: String,
    },
    /// What the running daemon has in effect: files in effect or held back
    /// and why, last reload, last and next pass, queued digests.
    ///
    /// Exit 0 when it runs with every file in effect, 78 when a file is held
    /// back or not tracked, 1 when it is not running or has left no status.
    Status {
        /// A table for people, or JSON for scripts.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A caseworker's calendar feed (iCalendar) on stdout: what the daemon
    /// writes to feeds_dir after every pass.
    Calendar {
        /// The caseworker id.
        #[arg(long)]
        caseworker: String,
        /// The feed of the caseworker's team (as their supervisor) instead.
        #[arg(long)]
        team: bool,
        /// The day the feed is made for (default: today in service.timezone).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
    },
    /// Mail one message to service.admin, through [service.admin_mail] if
    /// set, else the digests' transport; the body is read from stdin.
    /// Used by docket-failed@.service (OnFailure=).
    NotifyAdmin {
        /// The subject (after "[docket] admin: ").
        #[arg(long)]
        subject: String,
    },
    /// What the ledger says was sent, when, to whom.
    History {
        /// Only this case (or bill) id.
        #[arg(long = "case")]
        case: Option<String>,
        /// A table for people, or JSON for scripts.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The pre-receive hook of the case repository (cases_git): check the
    /// pushed case files, refuse the push on errors.
    ///
    /// git runs it in the repository with one line per updated ref on
    /// stdin. The pushed tip of git_branch is checked against the main
    /// config (-c) as the daemon will read it; every problem is printed as
    /// `path:line:col: error: message` with its hint, which git shows the
    /// pusher. Exit 78 refuses the push (an error in a file it changes);
    /// warnings do not. Writes nothing; runs as the forge's user.
    GitHook {
        /// The day dates are judged on (default: today in service.timezone).
        #[arg(long, value_parser = parse_day)]
        today: Option<NaiveDate>,
        /// The language of the messages: en (default), ru or kk.
        #[arg(long, value_enum, env = "DOCKET_LANG", default_value_t = Lang::En)]
        lang: Lang,
    },
    /// Every kept version of a config file or of a case: when, who saved
    /// it, applied or held back, what changed field by field.
    ///
    /// Newest first. Sensitive values (a person, a document number, an
    /// event's title) are masked unless --show-values. Reads the history
    /// in state_dir, so it needs the rights the daemon's user has.
    Log {
        /// A config or case file, as named under the config's folder
        /// (cases.d/kz-0042.toml), or its path; a deleted one too.
        #[arg(value_name = "FILE", conflicts_with = "case")]
        file: Option<PathBuf>,
        /// Only the versions that hold this case.
        #[arg(long = "case", value_name = "ID")]
        case: Option<String>,
        /// A table for people, or JSON for scripts (SPEC 6).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Put a kept version of a file back where it was (a deleted case file
    /// included), with its owner and mode, or print it.
    ///
    /// Without --version: the newest kept version that differs from what is
    /// on disk now (for a deleted file, its last version). The daemon
    /// applies the restored file like any edit.
    Restore {
        /// The file, as `docket log` names it.
        #[arg(
            value_name = "FILE",
            required_unless_present = "case",
            conflicts_with = "case"
        )]
        file: Option<PathBuf>,
        /// The file that held this case.
        #[arg(long = "case", value_name = "ID")]
        case: Option<String>,
        /// The version number, as `docket log` shows it.
        #[arg(long, value_name = "N")]
        version: Option<u32>,
        /// Print the version instead of writing it.
        #[arg(long)]
        stdout: bool,
    },
    /// Remove every trace of a case that docket holds: kept versions, last
    /// good copies, ledger rows, calendar feed events, the index, the file
    /// transport's outbox.
    ///
    /// Refused (exit 78), naming the file, while a config or case file
    /// still holds the case: its reminders would be sent again.
    Forget {
        /// The case id.
        #[arg(long = "case", value_name = "ID")]
        case: String,
    },
    /// Case files from a spreadsheet: CSV, XLSX or ODS, one row per
    /// document, request or event (SPEC section 8).
    ///
    /// Every problem is printed as `FILE:ROW:COLUMN: error: message`, ROW as
    /// the spreadsheet shows it (the header is row 1) and COLUMN its letter
    /// (a CSV's too, as a spreadsheet shows it when it opens the file); with
    /// any error nothing is written (exit 78). A case file that exists is
    /// never overwritten.
    Import {
        /// The sheet: .csv (the delimiter Excel writes, UTF-8 with or
        /// without BOM, or Windows-1251), .xlsx or .ods.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where the case files go (default: the directory of the first
        /// include pattern of the main config).
        #[arg(long, value_name = "DIR")]
        into: Option<PathBuf>,
        /// The sheet's own headers, e.g. `[columns] case = "Номер дела"`.
        #[arg(long, value_name = "MAP.toml")]
        map: Option<PathBuf>,
        /// The sheet of a workbook to read (default: the first).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Print the case files instead of writing them.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `YYYY-MM-DD`, strictly.
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    let d = crate::config::raw::parse_date(s)
        .map_err(|e| crate::privacy::show(&e, crate::privacy::Quoting::Full))?;
    in_calendar(d)
}

/// `--now`: an RFC 3339 moment (`2026-12-01T09:00:00Z`, or with an
/// offset), on a day the calendar knows (as `--today`).
pub fn parse_moment(s: &str) -> Result<DateTime<Utc>, String> {
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("{s} is not a moment like 2026-12-01T09:00:00Z ({e})"))?
        .with_timezone(&Utc);
    in_calendar(t.date_naive())?;
    Ok(t)
}

/// A day docket's calendar covers (its holidays are known).
fn in_calendar(d: NaiveDate) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    let (lo, hi) = (crate::calendar::MIN_YEAR, crate::calendar::MAX_YEAR);
    if d.year() < lo || d.year() > hi {
        return Err(format!(
            "{d} is outside the calendar docket knows ({lo}-01-01 to {hi}-12-31)"
        ));
    }
    Ok(d)
}

impl Command {
    /// `--today`, for the commands that take it.
    pub fn today(&self) -> Option<NaiveDate> {
        match self {
            Command::Check { today, .. }
            | Command::Upcoming { today, .. }
            | Command::Preview { today, .. }
            | Command::Run { today, .. }
            | Command::Calendar { today, .. }
            | Command::GitHook { today, .. } => *today,
            Command::Plan { .. }
            | Command::SendTest { .. }
            | Command::Status { .. }
            | Command::NotifyAdmin { .. }
            | Command::History { .. }
            | Command::Log { .. }
            | Command::Restore { .. }
            | Command::Forget { .. }
            | Command::Import { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19, "one clock": `--now` is an RFC 3339 moment on a day the
    /// calendar knows, as `--today` is a day it knows.
    #[test]
    fn issue19_one_clock_now_is_a_moment_the_calendar_knows() {
        let t = parse_moment("2026-12-01T14:00:00+05:00").unwrap();
        assert_eq!(t, "2026-12-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert!(parse_moment("2026-12-01").is_err());
        let far = format!("{}-01-01T00:00:00Z", crate::calendar::MAX_YEAR + 1);
        let e = parse_moment(&far).unwrap_err();
        assert!(e.contains("outside the calendar docket knows"), "{e}");
        let cli = Cli::try_parse_from(["docket", "--now", "2026-12-01T09:00:00Z", "plan"]).unwrap();
        assert_eq!(cli.now, Some(t));
        assert_eq!(cli.command.today(), None);
        let cli = Cli::try_parse_from([
            "docket",
            "run",
            "--today",
            "2026-12-01",
            "--now",
            "2026-12-01T09:00:00Z",
        ])
        .unwrap();
        assert_eq!(cli.command.today(), NaiveDate::from_ymd_opt(2026, 12, 1));
    }
}
