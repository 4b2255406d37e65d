//! A directory problem is one problem (SPEC section 6): a case directory
//! others can write (or owned by someone else) keeps the files under it at
//! their last good versions, and only the admin hears of it, once per
//! directory, with the command that fixes it; when it is fixed, the admin
//! (who was told) hears that, and the caseworkers (who were not) nothing.

use super::alert_texts::Alert;
use super::notices::Before;
use super::state::Daemon;
use crate::config::live::State;
use std::collections::BTreeMap;
use tracing::warn;

impl Daemon {
    /// Each unsafe directory told to the admin, once per episode (the
    /// moment its files were first left out for it). `log`: say so in the
    /// log (after a load; a pass does not repeat it).
    pub(super) async fn tell_about_dirs(&mut self, log: bool) {
        let live = self.in_effect.live();
        let mut alerts = Vec::new();
        for u in &live.unsafe_dirs {
            let files: Vec<(&str, State, Option<&str>)> = live
                .files
                .iter()
                .filter(|f| f.dir_problem.as_deref() == Some(u.dir.as_path()))
                .map(|f| (f.rel.as_str(), f.state, f.left_out_at.as_deref()))
                .collect();
            if files.is_empty() {
                // The main config's own directories: `check` and the
                // main file's own status say so.
                continue;
            }
            let episode = files.iter().filter_map(|f| f.2).min();
            if log {
                if u.repository {
                    warn!(dir = %crate::logging::escape(&u.dir.display().to_string()), files = files.len(), "the case repository cannot be read; its files keep their last good versions");
                } else {
                    warn!(dir = %crate::logging::escape(&u.dir.display().to_string()), files = files.len(), "a case directory can be changed by others; the files under it keep their last good versions");
                }
            }
            let held: Vec<&str> = files
                .iter()
                .filter(|f| f.1 == State::Held)
                .map(|f| f.0)
                .collect();
            let new: Vec<&str> = files
                .iter()
                .filter(|f| f.1 == State::NotTracked)
                .map(|f| f.0)
                .collect();
            alerts.push(Alert::dir_unsafe(
                &u.dir,
                &u.message,
                &u.help,
                &held,
                &new,
                episode,
                u.repository,
            ));
        }
        for a in alerts {
            // A pass looks every time: say nothing (not even in the log)
            // once the admin was told.
            if !self.told(&a.key) {
                self.alert(a).await;
            }
        }
    }

    /// The directories whose files were out only for them before and are
    /// no longer: the admin told, once per episode.
    pub(super) async fn tell_dirs_fixed(&mut self, before: &Before) {
        let live = self.in_effect.live();
        let now_unsafe: std::collections::BTreeSet<String> = live
            .files
            .iter()
            .filter_map(|f| f.dir_problem.as_ref().map(|d| d.display().to_string()))
            .collect();
        // Per directory fixed: when its episode began, and its files.
        let mut fixed: BTreeMap<&str, (Option<&str>, Vec<&str>)> = BTreeMap::new();
        for (rel, (_, at, dir)) in before {
            let Some(dir) = dir.as_deref().filter(|d| !now_unsafe.contains(*d)) else {
                continue;
            };
            let e = fixed.entry(dir).or_default();
            e.0 = match (e.0, at.as_deref()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            e.1.push(rel);
        }
        let alerts: Vec<Alert> = fixed
            .into_iter()
            .map(|(dir, (episode, files))| {
                let still: Vec<&str> = files
                    .iter()
                    .copied()
                    .filter(|rel| live.left_out().any(|f| f.rel == *rel))
                    .collect();
                let repository = live
                    .config
                    .service
                    .git
                    .as_ref()
                    .is_some_and(|g| g.repo.display().to_string() == dir);
                Alert::dir_fixed(dir, episode, files.len(), &still, repository)
            })
            .collect();
        for a in alerts {
            self.alert(a).await;
        }
    }
}
