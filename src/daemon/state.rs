//! The running service's state, and how it is set up.

use super::error::DaemonError;
use super::in_effect::InEffect;
use super::outputs::Outputs;
use super::records::Records;
use super::sending::Sending;
use super::shutdown::Shutdown;
use super::watchdog::Progress;
use crate::clock::Clock;
use crate::config::live::Live;
use crate::config::Env;
use crate::mail::digest::Templates;
use crate::mail::Mailer;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;
use tracing::warn;

/// Everything a pass, a reload and an alert work on: four parts that own
/// their state, and what belongs to the service as a whole.
pub struct Daemon {
    /// The config in effect, every file's standing, the last good copies.
    pub(super) in_effect: InEffect,
    /// The ledger and what this process knows beside it.
    pub(super) records: Records,
    /// The transport and the templates.
    pub(super) sending: Sending,
    /// Feeds, metrics, heartbeat, the admin's transport.
    pub(super) outputs: Outputs,
    pub(super) shutdown: Shutdown,
    /// Built once by `app`, in the service's time zone.
    pub(super) clock: Clock,
    /// What the watchdog task watches.
    pub(super) progress: Arc<Progress>,
    /// After a pass failed (the ledger could not be written, say): when to
    /// try again, and how many passes in a row failed. In memory, since the
    /// ledger may be what failed.
    pub(super) pass_retry: Option<(DateTime<Utc>, u32)>,
    /// For `status.json`.
    pub(super) last_reload: Option<crate::status::Reload>,
    pub(super) last_pass: Option<crate::status::Pass>,
}

impl Daemon {
    pub fn new(
        live: Live,
        env: Env,
        clock: Clock,
        shutdown: Shutdown,
    ) -> Result<Daemon, DaemonError> {
        let cfg = Arc::clone(&live.config);
        let clock = clock.in_zone(cfg.service.timezone);
        let templates =
            Templates::new(cfg.mail.templates_dir.as_deref()).map_err(DaemonError::Templates)?;
        let records = Records::open(&cfg.service.state_dir, clock.wall())?;
        let mut d = Daemon {
            in_effect: InEffect::new(live, env),
            records,
            sending: Sending::new(&cfg.mail, templates, clock),
            outputs: Outputs::start(),
            shutdown,
            clock,
            progress: Arc::new(Progress::default()),
            pass_retry: None,
            last_reload: None,
            last_pass: None,
        };
        d.setup_outputs();
        if d.in_effect.live().left_out().next().is_none() {
            d.outputs.counters.last_reload_success = d.now().timestamp();
        }
        Ok(d)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// The longest one step of a pass may take: one send, at its bound,
    /// plus room for the ledger writes around it. The watchdog allows this.
    pub fn stall_limit(&self) -> std::time::Duration {
        let send = self
            .sending
            .mailer
            .as_ref()
            .map(Mailer::bound)
            .unwrap_or_else(|| crate::mail::send_bound(self.in_effect.cfg().mail.timeout_secs));
        send + std::time::Duration::from_secs(60)
    }

    /// When the loop should run a retry pass: the earliest retry time of a
    /// queued digest, or of a failed pass.
    pub fn next_retry(&self) -> Option<DateTime<Utc>> {
        let queued = match self.records.ledger.pending() {
            Ok(rows) => rows
                .iter()
                .filter(|r| {
                    r.message_id
                        .as_ref()
                        .is_none_or(|m| !self.records.sent_unrecorded.contains_key(m))
                })
                .filter_map(|r| r.next_attempt)
                .min(),
            Err(e) => {
                warn!(error = %e, "cannot read the queue; retrying in a minute");
                Some(self.now() + chrono::Duration::seconds(60))
            }
        };
        [queued, self.pass_retry.map(|(t, _)| t)]
            .into_iter()
            .flatten()
            .min()
    }

    /// Write `status.json` (after every reload and pass).
    pub(super) fn write_status(&self, next_pass: Option<DateTime<Utc>>) {
        use crate::config::live::State;
        let now = self.now();
        let (queued, oldest) = self.queue_state();
        let live = self.in_effect.live();
        let files = std::iter::once(&live.main)
            .chain(live.files.iter())
            .map(|f| crate::status::FileLine {
                path: f.rel.clone(),
                state: f.state,
                cases: f.cases.len(),
                since: f.since.clone(),
                problems: f
                    .problems
                    .as_deref()
                    .filter(|_| f.state != State::InEffect)
                    .map(super::notice_texts::masked_lines)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| l.trim().to_string())
                    .collect(),
                left_out_at: f.left_out_at.clone(),
                directory: f.dir_problem.as_ref().map(|d| d.display().to_string()),
            })
            .collect();
        let s = crate::status::Status {
            written_at: now,
            pid: std::process::id(),
            config: self.in_effect.cfg().path.clone(),
            files,
            last_reload: self.last_reload.clone(),
            last_pass: self.last_pass.clone(),
            next_pass,
            queued_digests: queued,
            oldest_queued_secs: oldest,
            ledger_in_memory: !self.records.ledger.is_persistent(),
            watch: Some(self.outputs.watch.clone()),
        };
        if let Err(e) = crate::status::write(&self.in_effect.cfg().service.state_dir, &s) {
            warn!(error = %e, "cannot write status.json");
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

    /// The admin's transport and the heartbeat as the config in effect
    /// says (at start, and when a reload changed them).
    pub(super) fn setup_outputs(&mut self) {
        let service = &self.in_effect.cfg().service;
        self.outputs.setup(service, self.clock);
    }
}
