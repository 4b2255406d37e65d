//! What a pass leaves for others to see, besides mail: the calendar feeds,
//! the metrics file and the heartbeat; and the admin's own transport. None
//! of it can hold up or fail a pass: the feeds are written by a task of
//! their own (a write that failed makes the next heartbeat say "fail"), a
//! metrics file that cannot be written and a heartbeat that cannot be
//! sent are logged; the heartbeat runs on its own task.

use super::outcome::PassOutcome;
use super::state::Daemon;
use crate::heartbeat::{Heartbeat, Signal};
use crate::mail::Mailer;
use tracing::{error, info};

/// What the service writes and pings besides mail, and what it counts
/// for them.
pub(super) struct Outputs {
    /// `[service.admin_mail]`: the admin's own way out when the relay is
    /// down. None: alerts go with the digests.
    pub(super) admin_mailer: Option<Mailer>,
    pub(super) heartbeat: Option<Heartbeat>,
    /// Writes the calendar feeds after each pass, on its own task.
    pub(super) feeds: Option<super::feeds::FeedWriter>,
    /// Since start, for the metrics file.
    pub(super) counters: super::outcome::Counters,
    /// How edits are noticed (inotify, or polling and why).
    pub(super) watch: crate::status::Watch,
    /// The metrics last written, to write again when only the watch mode
    /// changed.
    pub(super) last_metrics: Option<crate::metrics::Metrics>,
}

impl Outputs {
    /// The feed writer started; the rest set up by
    /// [`Daemon::setup_outputs`] once the daemon exists.
    pub(super) fn start() -> Outputs {
        Outputs {
            admin_mailer: None,
            heartbeat: None,
            feeds: Some(super::feeds::FeedWriter::spawn()),
            counters: Default::default(),
            watch: crate::status::Watch::inotify(),
            last_metrics: None,
        }
    }
}

impl Daemon {
    /// After a start or a reload: the admin's transport and the heartbeat
    /// as the config now says.
    pub(super) fn setup_outputs(&mut self) {
        self.outputs.admin_mailer = self.in_effect.cfg().service.admin_mail.as_deref().and_then(|m| {
            match Mailer::new(m, self.clock.in_zone(self.in_effect.cfg().service.timezone)) {
                Ok(m) => Some(m),
                Err(e) => {
                    error!(error = %crate::mail::error_chain(&e), "[service.admin_mail] is not usable; alerts go with the digests");
                    None
                }
            }
        });
        let url = self.in_effect.cfg().service.heartbeat_url.clone();
        if self.outputs.heartbeat.as_ref().map(|h| &h.url) != url.as_ref() {
            self.outputs.heartbeat = url.map(|u| {
                info!(
                    host = u.host_str().unwrap_or("?"),
                    "heartbeat after every pass"
                );
                Heartbeat::spawn(u)
            });
        }
    }

    /// The transport for mail to `to`, and the sender it goes out as: the
    /// admin's own when it is the admin and `[service.admin_mail]` is set.
    pub(super) fn mailer_for(&self, to: &str) -> Option<(&Mailer, &str)> {
        let admin = self.in_effect.cfg().service.admin.as_deref() == Some(to);
        match (
            &self.outputs.admin_mailer,
            &self.in_effect.cfg().service.admin_mail,
            admin,
        ) {
            (Some(m), Some(cfg), true) => Some((m, cfg.from.as_str())),
            _ => self
                .sending
                .mailer
                .as_ref()
                .map(|m| (m, self.in_effect.cfg().mail.from.as_str())),
        }
    }

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

    /// Queued digests, and how long the oldest has waited (seconds).
    pub(super) fn queue_state(&self) -> (usize, Option<i64>) {
        let now = self.now();
        match self.records.ledger.pending() {
            Ok(rows) => {
                let digests: std::collections::HashSet<&str> = rows
                    .iter()
                    .filter_map(|r| r.message_id.as_deref())
                    .collect();
                let oldest = rows
                    .iter()
                    .map(|r| r.recorded_at)
                    .min()
                    .map(|t| (now - t).num_seconds());
                (digests.len(), oldest)
            }
            Err(_) => (0, None),
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
