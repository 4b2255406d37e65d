//! The running service's state, and how it is set up.

use super::shutdown::Shutdown;
use super::watchdog::Progress;
use super::DaemonError;
use crate::clock::Clock;
use crate::config::model::Config;
use crate::ledger::{Ledger, Opened};
use crate::mail::digest::Templates;
use crate::mail::Mailer;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tracing::{error, warn};

/// Everything a pass, a reload and an alert work on.
pub struct Daemon {
    pub cfg: Arc<Config>,
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
    pub(super) startup_alerts: Vec<(String, String, String)>,
}

impl Daemon {
    pub fn new(
        cfg: Config,
        today: Option<NaiveDate>,
        shutdown: Shutdown,
    ) -> Result<Daemon, DaemonError> {
        let templates =
            Templates::new(cfg.mail.templates_dir.as_deref()).map_err(DaemonError::Templates)?;
        let (mailer, mailer_error) = match Mailer::new(&cfg.mail) {
            Ok(m) => (Some(m), None),
            Err(e) => {
                let e = crate::mail::error_chain(&e);
                error!(error = %e, "mail transport is not usable; reminders stay queued until it is fixed");
                (None, Some(e))
            }
        };
        let state_dir = cfg.service.state_dir.clone();
        let mut startup_alerts = Vec::new();
        let ledger = match Ledger::open_resilient(&state_dir)? {
            Opened::File(l) => l,
            Opened::Recovered {
                ledger,
                set_aside,
                reason,
            } => {
                error!(set_aside = %set_aside.display(), %reason, "the ledger was damaged: set aside, started a fresh one; recent reminders may be sent again");
                startup_alerts.push((
                    format!("ledger-set-aside:{}", set_aside.display()),
                    "the ledger was damaged and has been replaced".into(),
                    format!(
                        "docket found its ledger damaged ({reason}).\n\nThe damaged file was kept as {} for inspection, and a fresh ledger was started in {}.\nReminders go on; the ones sent recently may be sent once more, because the fresh ledger does not know them.",
                        set_aside.display(),
                        state_dir.display()
                    ),
                ));
                ledger
            }
            Opened::InMemory { ledger, reason } => {
                error!(state_dir = %state_dir.display(), %reason, "cannot keep the ledger on disk: keeping it in memory; every restart may repeat reminders");
                startup_alerts.push((
                    format!("ledger-in-memory:{}", state_dir.display()),
                    format!("the state directory {} cannot be written", state_dir.display()),
                    format!(
                        "docket cannot keep its ledger in {}: {reason}.\n\nReminders go on, recorded in memory only: after a restart they may be sent again. Fix the directory (space, permissions, a read-only mount); docket moves the ledger back to disk on the next pass that can.",
                        state_dir.display()
                    ),
                ));
                ledger
            }
        };
        let known = ledger.all_digests()?;
        let clock = Clock::new(today, cfg.service.timezone);
        Ok(Daemon {
            cfg: Arc::new(cfg),
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
        })
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

    /// Swap in a freshly loaded config, compacted (see [`compact`]).
    pub(super) fn set_config(&mut self, cfg: Config) {
        self.clock = Clock::new(self.clock.fixed, cfg.service.timezone);
        self.cfg = Arc::new(compact(cfg));
        crate::sys::release_memory();
    }
}

/// Copy a freshly loaded config into new allocations and free the original.
/// Loading interleaves the config's allocations with the parser's
/// temporary ones; once those are freed, the config alone keeps most of the
/// allocator's pages half-used, so an idle daemon would sit on the load's
/// peak. A copy made after the parse lands in dense pages (about 30 ms at
/// 100,000 cases), and the old pages can then go back to the system.
pub fn compact(cfg: Config) -> Config {
    let copy = cfg.clone();
    drop(cfg);
    crate::sys::release_memory();
    copy
}
