//! Reload: every file stands alone. Good files apply, a broken one is held
//! at its last good version (its people are told, see `notices`), and a
//! main file without a good version keeps the running config. The daemon
//! never dies on a reload.
//!
//! The edit path, in order: what changed ([`Changed`], from the watcher's
//! events, a poll, the look before a pass, or SIGHUP) → [`Daemon::reload`]
//! re-reads exactly that through the config in effect (`InEffect::read`),
//! diffs it against what runs (one [`ConfigDiff`]) and lists the
//! [`Action`]s it takes (pure: `config::diff::actions`), having done first
//! everything that can still refuse it (templates, a moved ledger) → the
//! loop applies the [`Update`] in one place (`Loop::apply`), one action
//! after another, with the steps every reload takes
//! ([`Daemon::put_in_effect`], [`Daemon::settle`]).

use super::error::redacted_errors;
use super::records::{Moved, Records};
use super::state::Daemon;
use crate::config::changed::Changed;
use crate::config::diff::{self, Action, ConfigDiff, Reason};
use crate::config::live::{Live, State};
use crate::mail::digest::Templates;
use crate::privacy::Quoting;
use crate::status::ReloadResult;
use tracing::{error, info, warn};

/// What a reload found.
pub enum Reloaded {
    /// A new config to put in effect (some files may be held).
    Ready(Box<Update>),
    /// Nothing changed on disk.
    Unchanged,
    /// The running config was kept; the admin was told why.
    Rejected,
}

/// A checked config and everything it takes, ready to apply: nothing in it
/// can fail any more.
pub struct Update {
    pub(super) live: Live,
    pub(super) diff: ConfigDiff,
    /// What applying it takes beyond putting it in effect, in order.
    pub(super) actions: Vec<Action>,
    /// Compiled when the mailer is rebuilt.
    pub(super) templates: Option<Templates>,
    /// Opened when `state_dir` moved.
    pub(super) ledger: Option<Moved>,
    pub(super) started: std::time::Instant,
}

impl Daemon {
    /// Read what `changed` names again (everything on SIGHUP), and find
    /// what applying it takes. Nothing of the running config is replaced
    /// here; a main file with no good version, templates that do not
    /// compile or a new `state_dir` that cannot hold a ledger keep it, and
    /// the admin is told.
    pub async fn reload(&mut self, why: Reason, changed: &Changed) -> Reloaded {
        let started = std::time::Instant::now();
        if why == Reason::Files && !self.in_effect.changed_on_disk(changed) {
            return Reloaded::Unchanged;
        }
        match self.prepare(why, changed) {
            Ok(mut u) => {
                u.started = started;
                Reloaded::Ready(Box::new(u))
            }
            Err(msg) => {
                self.reject(&msg).await;
                Reloaded::Rejected
            }
        }
    }

    /// Everything that can make a reload keep the running config, done
    /// before any of it is replaced: read the files, compile the
    /// templates, and open the ledger if `state_dir` moved. The error is
    /// what the admin is told; the caller tells it, in one place.
    fn prepare(&mut self, why: Reason, changed: &Changed) -> Result<Update, String> {
        let t0 = std::time::Instant::now();
        let live = self.read(why, changed)?;
        for w in live.diagnostics.warnings() {
            warn!("{}", live.diagnostics.headline(w, Quoting::Masked));
        }
        let t_read = t0.elapsed();
        let (old, new) = (self.in_effect.cfg(), &live.config);
        let d = diff::diff(old, new);
        let main_held = live.main.state != State::InEffect;
        let actions = diff::actions(old, new, &d, why, main_held);
        tracing::debug!(
            read_ms = t_read.as_secs_f64() * 1000.0,
            diff_ms = (t0.elapsed() - t_read).as_secs_f64() * 1000.0,
            "reload prepared"
        );
        // A template that does not compile keeps the running config: a
        // digest that cannot be rendered would only queue up.
        let templates = if actions.contains(&Action::RebuildMailer) {
            Some(
                Templates::new(new.mail.templates_dir.as_deref())
                    .map_err(|e| format!("the digest templates do not compile: {e}"))?,
            )
        } else {
            None
        };
        let ledger = if actions.contains(&Action::MoveLedger) {
            let m = Records::open_moved(&new.service.state_dir, self.clock.wall())?;
            info!(from = %old.service.state_dir.display(), to = %new.service.state_dir.display(), "ledger moved to the new state_dir");
            Some(m)
        } else {
            None
        };
        Ok(Update {
            live,
            diff: d,
            actions,
            templates,
            ledger,
            started: std::time::Instant::now(),
        })
    }

    /// Read the config again. A main file with no good version is the one
    /// failure that keeps the running config; its errors go to the log in
    /// full (redacted) and the first ten into the admin's alert.
    fn read(&self, why: Reason, changed: &Changed) -> Result<Live, String> {
        self.in_effect.read(why, changed).map_err(|fatal| {
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

    /// The first step of every reload: the new config in effect (the clock
    /// in its time zone), logged and kept for the status. Gives back the
    /// config it replaces, for [`Daemon::settle`].
    pub(super) fn put_in_effect(
        &mut self,
        live: Live,
        d: &ConfigDiff,
        started: std::time::Instant,
    ) -> Live {
        self.clock = self.clock.in_zone(live.config.service.timezone);
        let old = self.in_effect.replace(live);
        self.record_reload(d, started);
        old
    }

    /// `[mail]` again: the templates compiled in [`Daemon::prepare`] and a
    /// new transport (one that cannot be built does not refuse the config:
    /// the pass fails its digests with the reason kept).
    pub(super) fn rebuild_mailer(&mut self, templates: Option<Templates>) {
        if let Some(t) = templates {
            self.sending.templates = t;
        }
        let cfg = std::sync::Arc::clone(self.in_effect.cfg());
        self.sending
            .rebuild(&cfg.mail, self.clock.in_zone(cfg.service.timezone));
    }

    /// The steps every reload ends with, after the config's own actions:
    /// the versions in effect kept as the last good ones, and the people of
    /// files held, fixed or gone told. The old config is then dropped and
    /// its memory given back.
    pub(super) async fn settle(&mut self, old: Live, d: &ConfigDiff) {
        self.commit_store();
        self.tell_about_files(Some(&old), d).await;
        drop(old);
        crate::sys::release_memory();
    }

    /// Log the reload and keep it for the status: whether all of it is in
    /// effect, part of it (files held at their last good version), or the
    /// main file is held, which is logged as an error because what is on
    /// disk is not what runs.
    fn record_reload(&mut self, d: &ConfigDiff, started: std::time::Instant) {
        let reload_ms = started.elapsed().as_millis() as u64;
        let live = self.in_effect.live();
        let held = live.left_out().count();
        let result = if live.main.state != State::InEffect {
            // Logged as a rejection: what is on disk is not what runs.
            error!(
                file = %live.main.rel,
                "config reload rejected for the main file: its last good version stays in effect"
            );
            ReloadResult::MainFileHeld
        } else if held > 0 {
            ReloadResult::PartlyApplied
        } else {
            self.outputs.counters.last_reload_success = self.now().timestamp();
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
        // The history: what to record is taken before the good copies take
        // the texts, and recorded on the history's own thread, beside the
        // pass (it never fails nor delays it).
        let live = self.in_effect.live();
        let snap = crate::history::Snapshot::of(live);
        let dir = live.config.service.state_dir.clone();
        let at = self.now();
        self.records.history.record(&dir, snap, at);
        match self.in_effect.keep_good_copies(&now) {
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
