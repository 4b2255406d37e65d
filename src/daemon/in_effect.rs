//! The config in effect: every file's standing ([`Live`]), the last good
//! copies behind it ([`Store`]) and the environment it was read in. The
//! one owner of "what the daemon runs on"; a reload reads through it and
//! swaps a new [`Live`] in.

use crate::config::changed::Changed;
use crate::config::diff::Reason;
use crate::config::live::{Fatal, Live, Options};
use crate::config::model::Config;
use crate::config::store::Store;
use crate::config::Env;
use std::path::PathBuf;
use std::sync::Arc;

pub(super) struct InEffect {
    /// Every file's standing, the config in effect (`live.config`, shared
    /// with a pass's workers), and what a reload can reuse.
    live: Live,
    /// The last good copies, in `state_dir/good` (follows `state_dir`).
    store: Store,
    /// The environment the files are read in (`$STATE_DIRECTORY`, …).
    env: Env,
}

impl InEffect {
    pub(super) fn new(live: Live, env: Env) -> InEffect {
        let store = Store::new(&live.config.service.state_dir, &live.config.path);
        InEffect { live, store, env }
    }

    /// The config in effect.
    pub(super) fn cfg(&self) -> &Arc<Config> {
        &self.live.config
    }

    pub(super) fn live(&self) -> &Live {
        &self.live
    }

    /// For the notices, which mark since when each file is left out and
    /// take the vanished files they tell about.
    pub(super) fn live_mut(&mut self) -> &mut Live {
        &mut self.live
    }

    pub(super) fn store(&self) -> &Store {
        &self.store
    }

    /// Has anything `changed` names changed on disk?
    pub(super) fn changed_on_disk(&self, changed: &Changed) -> bool {
        self.live.changed_on_disk(changed)
    }

    /// The config read again: everything on a SIGHUP, else what `changed`
    /// names (the rest reused).
    pub(super) fn read(&self, why: Reason, changed: &Changed) -> Result<Live, Fatal> {
        let opts = Options {
            env: &self.env,
            store: Some(&self.store),
            tree: None,
            keep_texts: true,
        };
        match why {
            Reason::Signal => self.live.reread(opts),
            Reason::Files => self.live.reload(opts, changed),
        }
    }

    /// Put `live` in effect; the one it replaces is given back (the
    /// notices compare the two; the caller then drops it and gives the
    /// memory back).
    pub(super) fn replace(&mut self, live: Live) -> Live {
        self.store = Store::new(&live.config.service.state_dir, &live.config.path);
        std::mem::replace(&mut self.live, live)
    }

    /// Keep every version in effect from disk as the last good one.
    /// Returns how many files were stored.
    pub(super) fn keep_good_copies(&mut self, now: &str) -> std::io::Result<usize> {
        self.live.commit(&self.store, now)
    }

    /// The directories a watcher must watch.
    pub(super) fn watched_dirs(&self) -> Vec<PathBuf> {
        self.live.watched_dirs()
    }
}
