//! The running service's state, and how it is set up.

use super::alert_texts::Alert;
use super::error::DaemonError;
use super::shutdown::Shutdown;
use super::watchdog::Progress;
use crate::clock::Clock;
use crate::config::live::{Live, Options};
use crate::config::model::Config;
use crate::config::store::Store;
use crate::config::Env;
use crate::ledger::{Ledger, Opened};
use crate::mail::digest::Templates;
use crate::mail::Mailer;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tracing::{error, warn};

/// Everything a pass, a reload and an alert work on.
pub struct Daemon {
    /// The config in effect (the files in effect of `live`).
    pub cfg: Arc<Config>,
    /// Every file's standing, and what a reload can reuse.
    pub(super) live: Live,
    /// The last good copies, in `state_dir/good`.
    pub(super) store: Store,
    pub(super) env: Env,
    pub(super) ledger: Ledger,
    pub(super) mailer: Option<Mailer>,
    pub(super) mailer_error: Option<String>,
    pub(super) templates: Templates,
    pub(super) shutdown: Shutdown,
    pub(super) clock: Clock,
    /// Digests of every key in the ledger, loaded at start and extended as
    /// rows are recorded: an index of the ledger, so a pass does not read
    /// the whole table. Purged keys may stay: they are never due again.
    pub(super) known: HashSet<u128>,
    /// The day the ledger was last purged (once a day is enough).
    pub(super) purged_on: Option<NaiveDate>,
    /// What the watchdog task watches.
    pub(super) progress: Arc<Progress>,
    /// After a pass failed (the ledger could not be written, say): when to
    /// try again, and how many passes in a row failed. In memory, since the
    /// ledger may be what failed.
    pub(super) pass_retry: Option<(DateTime<Utc>, u32)>,
    /// Digests the server accepted whose `sent` mark could not be written
    /// yet: not sent again by this process, marked once the ledger can be.
    pub(super) sent_unrecorded: HashMap<String, DateTime<Utc>>,
    /// Alerts mailed whose record could not be written to the ledger.
    pub(super) alerted: HashSet<String>,
    /// Ledger problems found at start, told to the admin by the first pass
    /// (mail does not need the ledger).
    pub(super) startup_alerts: Vec<Alert>,
    /// For `status.json`.
    pub(super) last_reload: Option<crate::status::Reload>,
    pub(super) last_pass: Option<crate::status::Pass>,
    /// `[service.admin_mail]`: the admin's own way out when the relay is
    /// down. None: alerts go with the digests.
    pub(super) admin_mailer: Option<Mailer>,
    pub(super) heartbeat: Option<crate::heartbeat::Heartbeat>,
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

impl Daemon {
    pub fn new(
        live: Live,
        env: Env,
        clock: Clock,
        shutdown: Shutdown,
    ) -> Result<Daemon, DaemonError> {
        let cfg = live.config.clone();
        let clock = clock.in_zone(cfg.service.timezone);
        let store = Store::new(&cfg.service.state_dir, &cfg.path);
        let templates =
            Templates::new(cfg.mail.templates_dir.as_deref()).map_err(DaemonError::Templates)?;
        let (mailer, mailer_error) = match Mailer::new(&cfg.mail, clock) {
            Ok(m) => (Some(m), None),
            Err(e) => {
                let e = crate::mail::error_chain(&e);
                error!(error = %e, "mail transport is not usable; reminders stay queued until it is fixed");
                (None, Some(e))
            }
        };
        let state_dir = cfg.service.state_dir.clone();
        let mut startup_alerts = Vec::new();
        let ledger = match Ledger::open_resilient(&state_dir, clock.wall())? {
            Opened::File(l) => l,
            Opened::Recovered {
                ledger,
                set_aside,
                reason,
            } => {
                error!(set_aside = %set_aside.display(), %reason, "the ledger was damaged: set aside, started a fresh one; recent reminders may be sent again");
                startup_alerts.push(Alert::ledger_set_aside(&set_aside, &reason, &state_dir));
                ledger
            }
            Opened::InMemory { ledger, reason } => {
                error!(state_dir = %state_dir.display(), %reason, "cannot keep the ledger on disk: keeping it in memory; every restart may repeat reminders");
                startup_alerts.push(Alert::ledger_in_memory(&state_dir, &reason));
                ledger
            }
        };
        let known = ledger.all_digests()?;
        Ok(Daemon {
            cfg: Arc::new(cfg),
            live,
            store,
            env,
            ledger,
            mailer,
            mailer_error,
            templates,
            shutdown,
            clock,
            known,
            purged_on: None,
            progress: Arc::new(Progress::default()),
            pass_retry: None,
            sent_unrecorded: HashMap::new(),
            alerted: HashSet::new(),
            startup_alerts,
            last_reload: None,
            last_pass: None,
            admin_mailer: None,
            heartbeat: None,
            feeds: None,
            counters: Default::default(),
            watch: crate::status::Watch::inotify(),
            last_metrics: None,
        }
        .with_outputs())
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
            .mailer
            .as_ref()
            .map(Mailer::bound)
            .unwrap_or_else(|| crate::mail::send_bound(self.cfg.mail.timeout_secs));
        send + std::time::Duration::from_secs(60)
    }

    /// When the loop should run a retry pass: the earliest retry time of a
    /// queued digest, or of a failed pass.
    pub fn next_retry(&self) -> Option<DateTime<Utc>> {
        let queued = match self.ledger.pending() {
            Ok(rows) => rows
                .iter()
                .filter(|r| {
                    r.message_id
                        .as_ref()
                        .is_none_or(|m| !self.sent_unrecorded.contains_key(m))
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

    /// Swap in a freshly loaded config; the caller drops the old one (and
    /// then gives the memory back).
    pub(super) fn set_live(&mut self, live: Live) -> Live {
        self.clock = self.clock.in_zone(live.config.service.timezone);
        self.cfg = Arc::new(live.config.clone());
        self.store = Store::new(&self.cfg.service.state_dir, &self.cfg.path);
        std::mem::replace(&mut self.live, live)
    }

    /// Write `status.json` (after every reload and pass).
    pub(super) fn write_status(&self, next_pass: Option<DateTime<Utc>>) {
        use crate::config::live::State;
        let now = self.now();
        let (queued, oldest) = self.queue_state();
        let files = std::iter::once(&self.live.main)
            .chain(self.live.files.iter())
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
            })
            .collect();
        let s = crate::status::Status {
            written_at: now,
            pid: std::process::id(),
            config: self.cfg.path.clone(),
            files,
            last_reload: self.last_reload.clone(),
            last_pass: self.last_pass.clone(),
            next_pass,
            queued_digests: queued,
            oldest_queued_secs: oldest,
            ledger_in_memory: !self.ledger.is_persistent(),
            watch: Some(self.watch.clone()),
        };
        if let Err(e) = crate::status::write(&self.cfg.service.state_dir, &s) {
            warn!(error = %e, "cannot write status.json");
        }
    }

    /// Load options with this daemon's store.
    pub(super) fn options(&self) -> Options<'_> {
        Options {
            env: &self.env,
            store: Some(&self.store),
        }
    }
}
