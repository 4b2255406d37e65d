//! What a pass leaves for others to see, besides mail: the calendar feeds,
//! the metrics file and the heartbeat. None of it can hold up or fail a
//! pass: the feeds are written by a task of their own (a write that failed
//! makes the next heartbeat say "fail"), a metrics file that cannot be
//! written and a heartbeat that cannot be sent are logged; the heartbeat
//! runs on its own task.

use super::outcome::PassOutcome;
use super::state::Daemon;
use crate::heartbeat::Signal;
use tracing::error;

impl Daemon {
    pub(super) fn pass_started(&self) {
        if let Some(h) = &self.outputs.heartbeat {
            h.ping(Signal::Start, "");
        }
    }

    /// After a pass: feeds, metrics, heartbeat.
    pub(super) fn after_pass(&mut self, outcome: &PassOutcome, took: std::time::Duration) {
        // From the pass's own outcome, so the metrics count every digest the
        // pass counts (a render failure included).
        self.outputs.counters.digests_sent += outcome.digests_sent as u64;
        self.outputs.counters.digests_failed += outcome.digests_failed as u64;
        let mut trouble: Option<String> = outcome.error.as_ref().map(|_| "a pass failed".into());
        if outcome.digests_failed > 0 && trouble.is_none() {
            trouble = Some(format!(
                "{} digest(s) could not be sent",
                outcome.digests_failed
            ));
        }
        let (queued, oldest) = self.queue_state();
        let limit = i64::from(self.in_effect.cfg().service.alert_after_hours) * 3600;
        if oldest.is_some_and(|s| s > limit) && trouble.is_none() {
            trouble = Some(format!(
                "a digest has waited more than {} hours",
                self.in_effect.cfg().service.alert_after_hours
            ));
        }
        if let Some(w) = &self.outputs.feeds {
            // The last write's outcome: this one runs on its own.
            if w.report.failed.load(std::sync::atomic::Ordering::Relaxed) {
                trouble.get_or_insert_with(|| "the calendar feeds cannot be written".into());
            }
            w.request(super::feeds::Job {
                cfg: std::sync::Arc::clone(self.in_effect.cfg()),
                today: self.today(),
                now: self.now(),
            });
        }
        if let Some(path) = self.in_effect.cfg().service.metrics_file.clone() {
            let m = self.metrics(outcome, took, queued, oldest);
            if let Err(e) = crate::metrics::write(&path, &crate::metrics::render(&m)) {
                // An error, and the heartbeat says "fail": without the file
                // the alert rules built on it go quiet (a refused directory,
                // see sys::write_atomic, included).
                error!(file = %path.display(), error = %e, "cannot write the metrics file");
                trouble.get_or_insert_with(|| "the metrics file cannot be written".into());
            }
            self.outputs.last_metrics = Some(m);
        }
        if let Some(h) = &self.outputs.heartbeat {
            match &trouble {
                Some(why) => h.ping(Signal::Fail, why),
                None => h.ping(Signal::Success, ""),
            }
        }
    }

    /// The metrics file again, with only the watch mode changed (between
    /// passes, when polling starts or ends).
    pub(super) fn rewrite_metrics(&mut self) {
        let (Some(path), Some(m)) = (
            self.in_effect.cfg().service.metrics_file.clone(),
            self.outputs.last_metrics.as_mut(),
        ) else {
            return;
        };
        m.watch_polling = self.outputs.watch.is_polling();
        if let Err(e) = crate::metrics::write(&path, &crate::metrics::render(m)) {
            error!(file = %path.display(), error = %e, "cannot write the metrics file");
        }
    }

    fn metrics(
        &self,
        outcome: &PassOutcome,
        took: std::time::Duration,
        queued: usize,
        oldest: Option<i64>,
    ) -> crate::metrics::Metrics {
        use crate::config::live::State;
        let files = || {
            std::iter::once(&self.in_effect.live().main).chain(self.in_effect.live().files.iter())
        };
        let count = |s: State| files().filter(|f| f.state == s).count() as u64;
        let next = super::scheduler::next_run(
            &self.in_effect.cfg().service.schedule,
            self.in_effect.cfg().service.timezone,
            self.clock.wall(),
        );
        crate::metrics::Metrics {
            version: env!("CARGO_PKG_VERSION").into(),
            tzdata: chrono_tz::IANA_TZDB_VERSION.into(),
            last_pass: self.now().timestamp(),
            last_pass_ok: outcome.error.is_none() && outcome.digests_failed == 0,
            last_pass_seconds: took.as_secs_f64(),
            next_pass: next.map(|t| t.timestamp()),
            digests_sent: self.outputs.counters.digests_sent,
            digests_failed: self.outputs.counters.digests_failed,
            reminders_by_step: self.outputs.counters.by_step.clone(),
            digests_queued: queued as u64,
            oldest_queued_seconds: oldest.unwrap_or(0).max(0),
            cases: self.in_effect.cfg().case_count() as u64,
            bills: self.in_effect.cfg().bill_count() as u64,
            caseworkers: self.in_effect.cfg().caseworkers.len() as u64,
            files_in_effect: count(State::InEffect),
            files_held: count(State::Held),
            files_not_tracked: count(State::NotTracked),
            last_reload_ok: self.in_effect.live().left_out().next().is_none(),
            last_reload_success: self.outputs.counters.last_reload_success,
            watch_polling: self.outputs.watch.is_polling(),
            feed_events: self.outputs.feeds.as_ref().map_or(0, |w| {
                w.report.events.load(std::sync::atomic::Ordering::Relaxed)
            }),
        }
    }
}
