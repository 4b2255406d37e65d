//! Logs go to stderr (journald picks them up), filtered by `DOCKET_LOG`
//! (default [`DEFAULT_FILTER`]). Log lines carry case references, never
//! names.

/// The default filter: docket at `info`; the cron scheduler only when
/// something is wrong (at `info` it logs "Uninited", "Job creator created"
/// and the like, which say nothing to the person reading the journal).
pub const DEFAULT_FILTER: &str = "info,tokio_cron_scheduler=warn";

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DOCKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // No colour codes in the journal or in captured test output.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
