//! How a command failed, and the exit code that says so (0 success, 1
//! runtime failure, 2 usage error, 78 config error). `main` prints a
//! failure once.

use crate::exit;

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A usage error (exit 2): an unknown id, dates the wrong way round.
    #[error("docket: {0}")]
    Usage(String),
    /// The config has errors (exit 78); the diagnostics were printed.
    #[error("{0}")]
    Config(String),
    /// Anything else (exit 1), with its chain of causes.
    #[error("docket: {0:#}")]
    Runtime(#[from] anyhow::Error),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => exit::USAGE,
            Failure::Config(_) => exit::CONFIG,
            Failure::Runtime(_) => exit::FAILURE,
        }
    }
}
