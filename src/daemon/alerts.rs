//! Telling the operator (`service.admin`). Alerts carry Message-IDs,
//! caseworker ids, case references, paths and errors: never names.
//!
//! An alert is always logged, and mailed once per key. It is recorded only
//! once the admin's server accepted it, so an alert that could not be
//! mailed (often because mail itself is what broke) is tried again on the
//! next pass. Mail does not need the ledger: when the ledger cannot be read
//! or written, alerts are still mailed, and remembered in memory.

use super::alert_texts::Alert;
use super::error::DaemonError;
use super::state::Daemon;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use tracing::{error, warn};

impl Daemon {
    /// Mail the admin (once per its key), and always log.
    pub async fn alert(&mut self, alert: Alert) {
        let (key, subject, body) = (alert.key.as_str(), alert.subject.as_str(), &alert.body);
        // The first line that says something (not the greeting).
        let gist = body
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.ends_with(','))
            .unwrap_or("");
        error!(alert = subject, key, "{gist}");
        if let Some(admin) = self.in_effect.cfg().service.admin.clone() {
            self.tell(key, &admin, &format!("[docket] admin: {subject}"), body)
                .await;
        }
    }

    /// Mail `to` once per `key`: recorded only once the server accepted
    /// it. Returns whether it was sent now.
    pub(super) async fn tell(&mut self, key: &str, to: &str, subject: &str, body: &str) -> bool {
        if self.records.alerted.contains(key) {
            return false;
        }
        match self.records.ledger.alert_sent_at(key) {
            Ok(None) => {}
            Ok(Some(_)) => return false,
            Err(e) => warn!(error = %e, "cannot read which alerts were sent; mailing anyway"),
        }
        let Some((mailer, from)) = self.mailer_for(to) else {
            return false;
        };
        let msg = match crate::mail::message::plain(from, to, subject, body) {
            Ok(m) => m,
            Err(e) => {
                error!(error = %e, "cannot build a notice");
                return false;
            }
        };
        self.progress.step();
        // Whom the outbox file is for: a caseworker id, else the admin.
        let label = self
            .in_effect
            .cfg()
            .caseworkers
            .iter()
            .find(|c| c.email == to)
            .map_or("admin", |c| c.id.as_str());
        let sent = mailer.send(&msg, label).await;
        self.progress.step();
        match sent {
            Ok(_) => {
                let now = self.now();
                if let Err(e) = self.records.ledger.alert_once(key, now) {
                    warn!(error = %e, "cannot record the notice in the ledger; remembered until restart");
                    self.records.alerted.insert(key.to_string());
                }
                true
            }
            Err(e) => {
                let who = if self.in_effect.cfg().service.admin.as_deref() == Some(to) {
                    "the admin"
                } else {
                    "a caseworker"
                };
                error!(error = %e, "cannot mail {who}; will try again");
                false
            }
        }
    }

    /// Alerts found at start-up (a damaged ledger, an unwritable state
    /// directory), mailed by the first pass.
    pub(super) async fn send_startup_alerts(&mut self) {
        for alert in std::mem::take(&mut self.records.startup_alerts) {
            self.alert(alert).await;
        }
    }

    /// Tell the admin about digests unsent for longer than the limit, once each.
    pub(super) async fn alert_stale(&mut self, now: DateTime<Utc>) -> Result<(), DaemonError> {
        let limit = chrono::Duration::hours(self.in_effect.cfg().service.alert_after_hours.into());
        let mut stale: BTreeMap<String, (String, String)> = BTreeMap::new();
        for r in self.records.ledger.pending()? {
            if r.attempts > 0 && now - r.recorded_at >= limit {
                if let Some(mid) = &r.message_id {
                    stale.insert(
                        mid.clone(),
                        (
                            r.key.recipient.clone(),
                            r.last_error.clone().unwrap_or_default(),
                        ),
                    );
                }
            }
        }
        let hours = self.in_effect.cfg().service.alert_after_hours;
        for (mid, (recipient, err)) in stale {
            self.alert(Alert::stale(&mid, &recipient, &err, hours))
                .await;
        }
        Ok(())
    }

    /// The transport for mail to `to`, and the sender it goes out as: the
    /// admin's own when it is the admin and `[service.admin_mail]` is set.
    pub(super) fn mailer_for(&self, to: &str) -> Option<(&crate::mail::Mailer, &str)> {
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
}
