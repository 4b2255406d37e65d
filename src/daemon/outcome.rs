//! What a pass hands on: its outcome, the counts since start, which queued
//! digests it retries, and when a failed send is tried again. Shared by `pass.rs` (which runs a
//! pass) and `send.rs` (which sends its digests), so neither imports the
//! other's internals.

use super::compose::Outgoing;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// Retry backoff: 1 minute, doubling, at most an hour.
const RETRY_FIRST_SECS: i64 = 60;
const RETRY_MAX_SECS: i64 = 3600;

/// After SIGTERM, the send in flight gets at most this long (or the
/// per-reply timeout, if shorter) to finish; then docket stops and the
/// digest stays queued. The unit's `TimeoutStopSec=` is longer.
pub const STOP_GRACE_MAX: Duration = Duration::from_secs(45);

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassOutcome {
    pub digests_sent: usize,
    pub digests_failed: usize,
    pub reminders_sent: usize,
    pub reminders_cancelled: usize,
    /// The pass stopped early on an error (it is retried).
    pub error: Option<String>,
}

/// What the passes did since the daemon started, for the metrics file.
#[derive(Debug, Default)]
pub struct Counters {
    pub digests_sent: u64,
    pub digests_failed: u64,
    pub by_step: BTreeMap<String, u64>,
    /// Unix seconds of the last load with every file in effect.
    pub last_reload_success: i64,
}

/// Which queued digests a pass retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Every queued digest (a scheduled pass, a reload, start-up).
    All,
    /// Only those whose backoff has run out (the retry timer).
    DueOnly,
}

/// Seconds to wait after `attempts` failures (also a failed pass's retry).
pub(super) fn backoff_secs(attempts: u32) -> i64 {
    (RETRY_FIRST_SECS << attempts.min(16)).min(RETRY_MAX_SECS)
}

/// When a digest that failed is tried again: a minute after its first
/// failure, doubling with every attempt, at most an hour.
pub(super) fn backoff(now: DateTime<Utc>, o: &Outgoing) -> DateTime<Utc> {
    let attempts = o.rows.iter().map(|r| r.attempts).max().unwrap_or(0);
    now + chrono::Duration::seconds(backoff_secs(attempts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_to_an_hour() {
        let secs: Vec<i64> = (0..8).map(backoff_secs).collect();
        assert_eq!(secs, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}
