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

#[cfg(test)]
mod tests {
    /// Issue 19: `LedgerError`, `DaemonError::Signal` and
    /// `RenderError::Template` (and the errors that wrap them) printed
    /// their cause twice: in their message and again as `source()`, which
    /// anyhow's chain (`{:#}`, what `main` prints) shows after it.
    #[test]
    fn error_causes_are_printed_once() {
        use crate::daemon::DaemonError;
        use crate::ledger::Ledger;
        // How often `cause` appears in the chain `main` prints.
        fn count(e: impl std::error::Error + Send + Sync + 'static, cause: &str) -> usize {
            let chain = format!("{:#}", anyhow::Error::new(e));
            chain.matches(cause).count()
        }
        let dir = tempfile::tempdir().unwrap();

        // LedgerError::Dir: the state directory is a file.
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let e = Ledger::open(&file.join("state")).unwrap_err();
        let cause = e.to_string().rsplit(": ").next().unwrap().to_string();
        assert!(!cause.is_empty(), "{e}");
        assert_eq!(count(e, &cause), 1, "LedgerError::Dir");

        // LedgerError::Sqlite: a ledger that is not a database.
        let state = dir.path().join("state");
        std::fs::create_dir(&state).unwrap();
        std::fs::write(Ledger::path_in(&state), vec![b'x'; 8192]).unwrap();
        let e = Ledger::open(&state).unwrap_err();
        assert_eq!(count(e, "not a database"), 1, "LedgerError::Sqlite");

        // DaemonError::Ledger wraps it transparently: still once.
        let e = DaemonError::from(Ledger::open(&state).unwrap_err());
        assert_eq!(count(e, "not a database"), 1, "DaemonError::Ledger");

        // RenderError::Template, and DaemonError::Templates around it.
        let t = dir.path().join("templates");
        std::fs::create_dir(&t).unwrap();
        std::fs::write(t.join("digest.txt.j2"), "{% if %}").unwrap();
        let render = || crate::mail::digest::Templates::new(Some(&t)).err().unwrap();
        let cause = render().to_string();
        let cause = cause.trim_start_matches("template: ").to_string();
        assert_eq!(count(render(), &cause), 1, "RenderError::Template");
        assert_eq!(
            count(DaemonError::Templates(render()), &cause),
            1,
            "DaemonError::Templates"
        );

        // DaemonError::Signal.
        let e = DaemonError::Signal {
            signal: "SIGHUP",
            cause: std::io::Error::other("no signal driver here"),
        };
        assert_eq!(count(e, "no signal driver here"), 1, "DaemonError::Signal");

        // MessageError::Address (under RenderError::Message).
        let e =
            crate::mail::message::plain("not a mailbox", "b@ngo.example", "s", "b").unwrap_err();
        let cause = e.to_string().rsplit(": ").next().unwrap().to_string();
        assert_eq!(count(e, &cause), 1, "MessageError::Address");
    }
}
