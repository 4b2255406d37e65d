//! The ledger, and what this process knows beside it: the ledger is the
//! single source of truth for what was sent; these are its index and the
//! marks it could not take yet.

use super::alert_texts::Alert;
use super::error::DaemonError;
use crate::ledger::{Ledger, Opened};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tracing::error;

pub(super) struct Records {
    pub(super) ledger: Ledger,
    /// Digests of every key in the ledger, loaded at start and extended as
    /// rows are recorded: an index of the ledger, so a pass does not read
    /// the whole table. Purged keys may stay: they are never due again.
    pub(super) known: crate::ledger::Digests,
    /// The day the ledger was last purged (once a day is enough).
    pub(super) purged_on: Option<NaiveDate>,
    /// Digests the server accepted whose `sent` mark could not be written
    /// yet: not sent again by this process, marked once the ledger can be.
    pub(super) sent_unrecorded: HashMap<String, DateTime<Utc>>,
    /// Alerts mailed whose record could not be written to the ledger.
    pub(super) alerted: HashSet<String>,
    /// Ledger problems found at start, told to the admin by the first pass
    /// (mail does not need the ledger).
    pub(super) startup_alerts: Vec<Alert>,
    /// The history of the config files, recorded on a thread of its own.
    pub(super) history: crate::history::Recorder,
}

impl Records {
    /// The ledger in `state_dir` at start: a damaged one set aside, an
    /// unwritable directory met with a ledger in memory, each told to the
    /// admin by the first pass.
    pub(super) fn open(state_dir: &Path, now: DateTime<Utc>) -> Result<Records, DaemonError> {
        let mut startup_alerts = Vec::new();
        let ledger = match Ledger::open_resilient(state_dir, now)? {
            Opened::File(l) => l,
            Opened::Recovered {
                ledger,
                set_aside,
                reason,
            } => {
                error!(set_aside = %set_aside.display(), %reason, "the ledger was damaged: set aside, started a fresh one; recent reminders may be sent again");
                startup_alerts.push(Alert::ledger_set_aside(&set_aside, &reason, state_dir));
                ledger
            }
            Opened::InMemory { ledger, reason } => {
                error!(state_dir = %state_dir.display(), %reason, "cannot keep the ledger on disk: keeping it in memory; every restart may repeat reminders");
                startup_alerts.push(Alert::ledger_in_memory(state_dir, &reason));
                ledger
            }
        };
        Ok(Records::with(ledger, startup_alerts)?)
    }

    /// The ledger in a new `state_dir`, for a reload that moves it: one
    /// that cannot be used on disk is refused (a ledger in memory could
    /// repeat reminders after each restart), so the running config stays.
    /// Opened before anything changes; [`Records::move_to`] takes it.
    pub(super) fn open_moved(to: &Path, now: DateTime<Utc>) -> Result<Moved, String> {
        match Ledger::open_resilient(to, now) {
            Ok(Opened::File(ledger)) | Ok(Opened::Recovered { ledger, .. }) => {
                let known = ledger
                    .all_digests()
                    .map_err(|e| format!("the ledger in the new state_dir cannot be read: {e}"))?;
                Ok(Moved { ledger, known })
            }
            Ok(Opened::InMemory { reason, .. }) => Err(format!(
                "the new state_dir {} cannot be used: {reason}",
                to.display()
            )),
            Err(e) => Err(format!("the new state_dir cannot be used: {e}")),
        }
    }

    /// Go on with the ledger of the new `state_dir`. What this process
    /// knows beside the ledger stays (a mark not yet written is written
    /// there).
    pub(super) fn move_to(&mut self, m: Moved) {
        self.ledger = m.ledger;
        self.known = m.known;
    }

    /// Digests the server took whose mark could not be written: marked
    /// now, or kept (and the error returned) while the ledger still cannot.
    pub(super) fn mark_unrecorded(&mut self) -> Result<(), crate::ledger::LedgerError> {
        let marks: Vec<(String, DateTime<Utc>)> = self.sent_unrecorded.drain().collect();
        let mut marks = marks.into_iter();
        while let Some((mid, at)) = marks.next() {
            if let Err(e) = self.ledger.mark_sent(&mid, at) {
                // This one and every one after it stay for the next pass.
                self.sent_unrecorded.insert(mid, at);
                self.sent_unrecorded.extend(marks);
                return Err(e);
            }
        }
        Ok(())
    }

    fn with(
        ledger: Ledger,
        startup_alerts: Vec<Alert>,
    ) -> Result<Records, crate::ledger::LedgerError> {
        let known = ledger.all_digests()?;
        Ok(Records {
            ledger,
            known,
            purged_on: None,
            sent_unrecorded: HashMap::new(),
            alerted: HashSet::new(),
            startup_alerts,
            history: crate::history::Recorder::start(),
        })
    }
}

/// A ledger opened in a moved `state_dir`, not yet in use.
pub(super) struct Moved {
    ledger: Ledger,
    known: crate::ledger::Digests,
}
