//! Reload: every file stands alone. Good files apply, a broken one is held
//! at its last good version (its people are told, see `notices`), and a
//! main file without a good version keeps the running config. The daemon
//! never dies on a reload.

use super::error::redacted_errors;
use super::state::Daemon;
use crate::config::diff::{self, ConfigDiff};
use crate::config::live::{Live, State};
use crate::ledger::{Ledger, Opened};
use crate::mail::digest::Templates;
use crate::mail::Mailer;
use crate::privacy::Quoting;
use crate::status::ReloadResult;
use std::path::Path;
use tracing::{error, info, warn};

/// What a reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reloaded {
    /// The new config is in effect (some files may be held); what else the
    /// loop must do.
    Applied(diff::Actions),
    /// Nothing changed on disk.
    Unchanged,
    /// The running config was kept; the admin was told why.
    Rejected,
}

/// What asked for the reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// SIGHUP: read everything again.
    Signal,
    /// A file changed (the watcher, or the look before a pass): re-read
    /// only what changed.
    Files,
}

impl Daemon {
    /// Load the files again and apply what is good.
    pub async fn reload(&mut self, trigger: Trigger) -> Reloaded {
        let started = std::time::Instant::now();
        if trigger == Trigger::Files && !self.live.changed_on_disk() {
            return Reloaded::Unchanged;
        }
        let (live, templates, d) = match self.prepare(trigger) {
            Ok(prepared) => prepared,
            Err(why) => {
                self.reject(&why).await;
                return Reloaded::Rejected;
            }
        };
        let old = self.apply(live, templates);
        self.record_reload(&d, started);
        self.tell_about_files(Some(&old), &d).await;
        drop(old);
        crate::sys::release_memory();
        let main_held = self.live.main.state != State::InEffect;
        if d.is_empty() && (trigger == Trigger::Files || main_held) {
            // Nothing in effect changed (a file was held, say): no pass. A
            // SIGHUP that changed nothing still passes (it was asked for).
            return Reloaded::Unchanged;
        }
        Reloaded::Applied(d.actions)
    }

    /// Everything that can make a reload keep the running config, done
    /// before any of it is replaced: read the files, compile the
    /// templates, and move the ledger if `state_dir` moved. The error is
    /// what the admin is told; the caller tells it, in one place.
    fn prepare(&mut self, trigger: Trigger) -> Result<(Live, Templates, ConfigDiff), String> {
        let live = self.read(trigger)?;
        for w in live.diagnostics.warnings() {
            warn!("{}", live.diagnostics.headline(w, Quoting::Masked));
        }
        let new = &live.config;
        // A template that does not compile keeps the running config: a
        // digest that cannot be rendered would only queue up.
        let templates = Templates::new(new.mail.templates_dir.as_deref())
            .map_err(|e| format!("the digest templates do not compile: {e}"))?;
        let d = diff::diff(&self.cfg, new);
        if d.actions.reopen_ledger {
            self.move_ledger(&new.service.state_dir)?;
        }
        Ok((live, templates, d))
    }

    /// Read the config again: everything on SIGHUP, only what changed
    /// otherwise. A main file with no good version is the one failure
    /// that keeps the running config; its errors go to the log in full
    /// (redacted) and the first ten into the admin's alert.
    fn read(&self, trigger: Trigger) -> Result<Live, String> {
        let result = match trigger {
            Trigger::Signal => Live::load(&self.cfg.path, self.options()),
            Trigger::Files => self.live.reload(self.options()),
        };
        result.map_err(|fatal| {
            let diags = fatal.diagnostics;
            let n = diags.errors().count();
            let lines = redacted_errors(&diags);
            for l in &lines {
                error!("{l}");
            }
            let first: Vec<&str> = lines.iter().take(10).map(String::as_str).collect();
            format!(
                "The main config has {n} error(s) and docket has no good copy of it; it keeps running with the config it has.\n\n{}\n\nRun `docket check` to see them all",
                first.join("\n")
            )
        })
    }

    /// A new state_dir means a new ledger: open it before anything
    /// changes, and keep the running config if it cannot be used (a
    /// ledger in memory could repeat reminders after each restart).
    fn move_ledger(&mut self, to: &Path) -> Result<(), String> {
        match Ledger::open_resilient(to, self.clock.wall()) {
            Ok(Opened::File(l)) | Ok(Opened::Recovered { ledger: l, .. }) => {
                let known = l
                    .all_digests()
                    .map_err(|e| format!("the ledger in the new state_dir cannot be read: {e}"))?;
                info!(from = %self.cfg.service.state_dir.display(), to = %to.display(), "ledger moved to the new state_dir");
                self.known = known;
                self.ledger = l;
                Ok(())
            }
            Ok(Opened::InMemory { reason, .. }) => Err(format!(
                "the new state_dir {} cannot be used: {reason}",
                to.display()
            )),
            Err(e) => Err(format!("the new state_dir cannot be used: {e}")),
        }
    }

    /// Put the checked config in effect and give back the one it replaces
    /// (for the notices, which compare the two). The mailer is rebuilt on
    /// every reload (a rotated password file is no config change); one
    /// that cannot be built does not refuse the config: the pass fails its
    /// digests with the reason kept here.
    fn apply(&mut self, live: Live, templates: Templates) -> Live {
        let new = &live.config;
        match Mailer::new(&new.mail, self.clock.in_zone(new.service.timezone)) {
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
        let old = self.set_live(live);
        self.setup_outputs();
        self.commit_store();
        old
    }

    /// Log the reload and keep it for the status: whether all of it is in
    /// effect, part of it (files held at their last good version), or the
    /// main file is held, which is logged as an error because what is on
    /// disk is not what runs.
    fn record_reload(&mut self, d: &ConfigDiff, started: std::time::Instant) {
        let reload_ms = started.elapsed().as_millis() as u64;
        let held = self.live.left_out().count();
        let result = if self.live.main.state != State::InEffect {
            // Logged as a rejection: what is on disk is not what runs.
            error!(
                file = %self.live.main.rel,
                "config reload rejected for the main file: its last good version stays in effect"
            );
            ReloadResult::MainFileHeld
        } else if held > 0 {
            ReloadResult::PartlyApplied
        } else {
            ReloadResult::Applied
        };
        info!(
            changes = %d.summary(),
            held,
            reload_ms,
            "config reloaded"
        );
        self.last_reload = Some(crate::status::Reload {
            at: self.now(),
            result,
            changes: d.summary(),
        });
    }

    /// Keep what is in effect from disk as the last good versions.
    pub(super) fn commit_store(&mut self) {
        let now = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        // The history, before `commit` takes the texts; never fails the pass.
        let dir = &self.live.config.service.state_dir;
        if let Err(e) = crate::history::record_in(dir, &self.live, self.now()) {
            warn!(error = %crate::mail::error_chain(&e), "cannot keep the versions of the config files in the history");
        }
        match self.live.commit(&self.store, &now) {
            Ok(0) => {}
            Ok(n) => info!(files = n, "last good copies updated"),
            Err(e) => warn!(error = %e, "cannot keep the last good copies of the config files"),
        }
    }

    async fn reject(&mut self, why: &str) {
        let alert = super::alert_texts::Alert::reload_rejected(self.now(), why);
        self.alert(alert).await;
        self.last_reload = Some(crate::status::Reload {
            at: self.now(),
            result: ReloadResult::Rejected,
            changes: String::new(),
        });
    }
}
