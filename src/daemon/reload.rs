//! Reload: take a new config if it is good, keep the running one if not.
//! The daemon never dies on a reload.

use super::redacted_errors;
use super::state::Daemon;
use crate::config::{self, diff};
use crate::ledger::{Ledger, Opened};
use crate::mail::digest::Templates;
use crate::mail::Mailer;
use crate::privacy::Quoting;
use tracing::{error, info, warn};

/// What a reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reloaded {
    /// The new config is in effect; what else the loop must do.
    Applied(diff::Actions),
    /// The running config was kept; the admin was told why.
    Rejected,
}

impl Daemon {
    /// Swap in a new config if it is valid; otherwise keep the old one.
    pub async fn reload(&mut self) -> Reloaded {
        let started = std::time::Instant::now();
        let path = self.cfg.path.clone();
        let (new, warnings) = match config::load(&path).into_result() {
            Ok(loaded) => loaded,
            Err(diags) => {
                let n = diags.errors().count();
                let lines = redacted_errors(&diags);
                for l in &lines {
                    error!("{l}");
                }
                let first: Vec<&str> = lines.iter().take(10).map(String::as_str).collect();
                let key = format!("reload:{}", self.now().timestamp());
                self.alert(
                    &key,
                    "config reload rejected",
                    &format!(
                        "The new config has {n} error(s); docket keeps running with the previous one.\n\n{}\n\nRun `docket check` to see them all.",
                        first.join("\n")
                    ),
                )
                .await;
                return Reloaded::Rejected;
            }
        };
        for w in warnings.warnings() {
            warn!("{}", warnings.headline(w, Quoting::Masked));
        }
        // A template that does not compile keeps the running config: a
        // digest that cannot be rendered would only queue up.
        let templates = match Templates::new(new.mail.templates_dir.as_deref()) {
            Ok(t) => t,
            Err(e) => {
                self.reject(&format!("the digest templates do not compile: {e}"))
                    .await;
                return Reloaded::Rejected;
            }
        };
        let d = diff::diff(&self.cfg, &new);
        // A new state_dir means a new ledger: open it before anything
        // changes, and keep the running config if it cannot be used.
        if d.actions.reopen_ledger {
            match Ledger::open_resilient(&new.service.state_dir) {
                Ok(Opened::File(l)) | Ok(Opened::Recovered { ledger: l, .. }) => {
                    match l.all_digests() {
                        Ok(known) => {
                            info!(from = %self.cfg.service.state_dir.display(), to = %new.service.state_dir.display(), "ledger moved to the new state_dir");
                            self.known = known;
                            self.ledger = l;
                        }
                        Err(e) => {
                            self.reject(&format!(
                                "the ledger in the new state_dir cannot be read: {e}"
                            ))
                            .await;
                            return Reloaded::Rejected;
                        }
                    }
                }
                Ok(Opened::InMemory { reason, .. }) => {
                    self.reject(&format!(
                        "the new state_dir {} cannot be used: {reason}",
                        new.service.state_dir.display()
                    ))
                    .await;
                    return Reloaded::Rejected;
                }
                Err(e) => {
                    self.reject(&format!("the new state_dir cannot be used: {e}"))
                        .await;
                    return Reloaded::Rejected;
                }
            }
        }
        match Mailer::new(&new.mail) {
            Ok(m) => {
                self.mailer = Some(m);
                self.mailer_error = None;
            }
            Err(e) => {
                let e = crate::mail::error_chain(&e);
                error!(error = %e, "mail transport is not usable after reload");
                self.mailer = None;
                self.mailer_error = Some(e);
            }
        }
        self.templates = templates;
        self.set_config(new);
        info!(
            changes = %d.summary(),
            reload_ms = started.elapsed().as_millis() as u64,
            "config reloaded"
        );
        Reloaded::Applied(d.actions)
    }

    async fn reject(&mut self, why: &str) {
        let key = format!("reload:{}", self.now().timestamp());
        self.alert(
            &key,
            "config reload rejected",
            &format!("{why}.\n\ndocket keeps running with the previous config."),
        )
        .await;
    }
}
