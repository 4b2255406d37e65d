//! Why the daemon could not do something as a whole (start, a pass, a
//! reload), for the six parts that report it; and the one form config
//! errors take on their way to a log or the admin's mail.

use super::scheduler::SchedulerError;
use crate::config::{self, diag::Diagnostics};
use crate::ledger::LedgerError;
use crate::privacy::Quoting;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The config has errors (at start; a reload keeps the old one).
    #[error("the config has errors")]
    Config(Diagnostics),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Scheduler(#[from] SchedulerError),
    /// The digest templates do not compile. The message ends with the
    /// cause, which is therefore not also the `source()` (a cause is
    /// printed once, as in [`LedgerError`]).
    #[error("digest templates: {0}")]
    Templates(crate::mail::digest::RenderError),
    /// A signal handler could not be installed.
    #[error("cannot handle {signal}: {cause}")]
    Signal {
        signal: &'static str,
        cause: std::io::Error,
    },
    /// A thread of a pass panicked (a bug in docket): the pass fails and
    /// is retried like any other, and the daemon goes on (issue 19). The
    /// panic's own message is in the journal (Rust's panic hook).
    #[error("a pass worker panicked (a bug in docket; the journal says where)")]
    Panicked,
}

impl DaemonError {
    pub fn is_corrupt(&self) -> bool {
        matches!(self, DaemonError::Ledger(e) if e.is_corrupt())
    }

    /// A short name for alert keys: one alert per kind of failure a day.
    pub fn kind(&self) -> &'static str {
        match self {
            DaemonError::Config(_) => "config",
            DaemonError::Ledger(e) if e.is_unwritable() => "ledger-unwritable",
            DaemonError::Ledger(_) => "ledger",
            DaemonError::Scheduler(_) => "scheduler",
            DaemonError::Templates(_) => "templates",
            DaemonError::Signal { .. } => "signal",
            DaemonError::Panicked => "panic",
        }
    }
}

/// First lines of config errors with every value from the files masked,
/// for logs and admin mail: logs carry case references only.
pub fn redacted_errors(diags: &Diagnostics) -> Vec<String> {
    diags
        .errors()
        .take(config::diag::MAX_SHOWN)
        .map(|d| diags.headline(d, Quoting::Masked))
        .collect()
}
