//! What loading reads from outside the files: the environment ([`Env`])
//! and the day `docket check` judges dates on ([`AsOf`]). A base of its own
//! so that every loading step (source, includes, unit, validate, live) can
//! take it without importing the top of `config`, which imports them.

use std::path::PathBuf;

/// What loading reads from the environment, made explicit for tests.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `$STATE_DIRECTORY`, set by systemd's `StateDirectory=`.
    pub state_directory: Option<PathBuf>,
    /// The effective user id, for ownership checks (None: skip them).
    pub euid: Option<u32>,
    /// `docket check` as of this day: warnings about dates (an event
    /// already past, a document issued in the future, …) and every file's
    /// warnings kept for the report. None in the daemon.
    pub check: Option<AsOf>,
}

/// The day `docket check` judges dates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// Today in `service.timezone` by this clock (`--today`'s day if
    /// it was given).
    Today(crate::clock::Clock),
    Day(chrono::NaiveDate),
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            state_directory: std::env::var_os("STATE_DIRECTORY")
                // systemd may pass several, colon-separated: ours is the first.
                .and_then(|v| {
                    v.to_str()
                        .and_then(|s| s.split(':').next())
                        .map(PathBuf::from)
                })
                .filter(|p| !p.as_os_str().is_empty()),
            euid: Some(crate::sys::euid()),
            check: None,
        }
    }
}
