//! systemd's watchdog, pinged from a task of its own.
//!
//! Why not from the main loop: a pass sending 200 digests to a slow relay
//! takes minutes, and a loop that pings between passes would be killed
//! mid-pass by `WatchdogSec=` (every kill risks duplicates). Why not
//! blindly: a real hang must still be caught. So the pass reports
//! progress at every step (each digest, each ledger write), and the task
//! pings only while the loop is idle or its last step is younger than the
//! longest a single step may take (one send, bounded by the mailer).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the main loop is doing, as the watchdog task sees it.
#[derive(Debug)]
pub struct Progress {
    origin: Instant,
    /// Milliseconds since `origin` of the last step, plus one; 0 = idle.
    last_step: AtomicU64,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            origin: Instant::now(),
            last_step: AtomicU64::new(0),
        }
    }
}

impl Progress {
    /// A step of work began or ended (call it often during a pass).
    pub fn step(&self) {
        let ms = self.origin.elapsed().as_millis() as u64 + 1;
        self.last_step.store(ms, Ordering::SeqCst);
    }

    /// Back to waiting for the next event.
    pub fn idle(&self) {
        self.last_step.store(0, Ordering::SeqCst);
    }

    /// Time since the last step, or None when idle.
    fn busy_for(&self) -> Option<Duration> {
        match self.last_step.load(Ordering::SeqCst) {
            0 => None,
            ms => Some(
                self.origin
                    .elapsed()
                    .saturating_sub(Duration::from_millis(ms - 1)),
            ),
        }
    }
}

/// Should the watchdog be pinged? Idle: yes. Busy: only while the current
/// step is younger than `stall_limit`.
pub fn healthy(busy_for: Option<Duration>, stall_limit: Duration) -> bool {
    busy_for.is_none_or(|d| d < stall_limit)
}

/// Start pinging if systemd asked for a watchdog (`WATCHDOG_USEC`), at half
/// its interval. Returns the task, which ends with the runtime.
pub fn spawn(
    progress: Arc<Progress>,
    stall_limit: Duration,
) -> Option<tokio::task::JoinHandle<()>> {
    let mut usec = 0u64;
    if !sd_notify::watchdog_enabled(false, &mut usec) || usec == 0 {
        return None;
    }
    let every = Duration::from_micros(usec / 2);
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        let mut warned = false;
        loop {
            tick.tick().await;
            if healthy(progress.busy_for(), stall_limit) {
                warned = false;
                if let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]) {
                    tracing::warn!(error = %e, "sd_notify WATCHDOG failed");
                }
            } else if !warned {
                warned = true;
                tracing::error!(
                    stalled_secs = progress.busy_for().unwrap_or_default().as_secs(),
                    "no progress for longer than one send may take: not pinging the watchdog, so systemd restarts docket"
                );
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_while_idle_or_making_progress_but_not_when_stuck() {
        let limit = Duration::from_secs(330);
        assert!(healthy(None, limit));
        assert!(healthy(Some(Duration::from_secs(60)), limit));
        assert!(!healthy(Some(Duration::from_secs(331)), limit));
        let p = Progress::default();
        assert_eq!(p.busy_for(), None);
        p.step();
        assert!(p.busy_for().unwrap() < Duration::from_secs(1));
        p.idle();
        assert_eq!(p.busy_for(), None);
    }
}
