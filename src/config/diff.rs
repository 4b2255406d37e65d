//! What changed between two configs, and what the daemon must do about it.
//! Pure: no IO, so reload decisions have a table test without files.
//!
//! One diff type for every kind of thing ([`Difference`]: added, changed,
//! removed, as vector's `Difference`), and one ordered list of
//! [`Action`]s computed from it (as rathole's `calculate_events`), which
//! the daemon's loop applies in one place (`daemon::Loop::apply`).

use super::model::{Config, Service};
use std::collections::HashMap;

/// What changed in one kind of thing, by id; each list sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Difference {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Difference {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// (added, removed, changed) between two sets of things with ids.
    /// The two usually hold the same ids in the same order (a file edited
    /// in place): that common run is compared pairwise, and only what is
    /// left goes through maps by id (a one-file edit of 10,000 cases made
    /// ~20,000 hash-map entries).
    fn of<'a, T: PartialEq + 'a>(
        old: impl Iterator<Item = &'a T>,
        new: impl Iterator<Item = &'a T>,
        id: impl Fn(&T) -> &str,
    ) -> Difference {
        let (old, new): (Vec<&T>, Vec<&T>) = (old.collect(), new.collect());
        let same = old
            .iter()
            .zip(&new)
            .take_while(|(o, n)| id(o) == id(n))
            .count();
        let mut changed: Vec<String> = old[..same]
            .iter()
            .zip(&new[..same])
            .filter(|(o, n)| o != n)
            .map(|(_, n)| id(n).to_string())
            .collect();
        let o: HashMap<&str, &T> = old[same..].iter().map(|x| (id(x), *x)).collect();
        let n: HashMap<&str, &T> = new[same..].iter().map(|x| (id(x), *x)).collect();
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        changed.extend(
            n.iter()
                .filter(|(k, v)| o.get(*k).is_some_and(|ov| ov != *v))
                .map(|(k, _)| k.to_string()),
        );
        Difference {
            added: sorted(
                n.keys()
                    .filter(|k| !o.contains_key(*k))
                    .map(|k| k.to_string())
                    .collect(),
            ),
            changed: sorted(changed),
            removed: sorted(
                o.keys()
                    .filter(|k| !n.contains_key(*k))
                    .map(|k| k.to_string())
                    .collect(),
            ),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigDiff {
    /// Case files in effect, by path as written in the config's directory.
    pub files: Difference,
    pub cases: Difference,
    pub bills: Difference,
    pub caseworkers: Difference,
    /// Top-level sections whose settings changed (e.g. "mail", "calendar").
    pub sections: Vec<&'static str>,
}

/// What applying a new config takes beyond putting it in effect (which
/// every reload does: the config swapped, the last good copies kept, the
/// people of held or fixed files told). In the order they are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// `state_dir` moved: the ledger there (opened before anything else
    /// changes, so a ledger that cannot be opened keeps the running config).
    MoveLedger,
    /// `[mail]` changed, or a SIGHUP asked for everything to be read again
    /// (a rotated password file or an edited template is no config change,
    /// so it takes a `systemctl reload`).
    RebuildMailer,
    /// What the service writes and pings besides mail (the admin's own
    /// transport, the heartbeat) changed, or a SIGHUP.
    RebuildOutputs,
    /// Every reload, after the config's own actions and before the loop's:
    /// the versions in effect kept as the last good ones, the people of
    /// files held, fixed or gone told. Never in [`actions`]' list: the one
    /// who applies adds it, in its place in this order.
    Settle,
    /// `schedule` or `timezone` changed: start the new schedule.
    RestartScheduler,
    /// Files came or went, or the includes changed: the watched
    /// directories may be others.
    Rewatch,
    /// Something in effect changed, or a SIGHUP asked: a pass for what the
    /// change made due.
    Pass,
}

/// Why the config is read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// SIGHUP: everything read again, secrets and templates included.
    Signal,
    /// Files changed (the watcher, a poll, the look before a pass).
    Files,
}

impl ConfigDiff {
    pub fn is_empty(&self) -> bool {
        *self == ConfigDiff::default()
    }

    /// One line for the log: counts and the first few references.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "no changes".into();
        }
        let mut parts = Vec::new();
        for (what, d) in [
            ("cases", &self.cases),
            ("bills", &self.bills),
            ("caseworkers", &self.caseworkers),
        ] {
            for (how, v) in [
                ("added", &d.added),
                ("removed", &d.removed),
                ("changed", &d.changed),
            ] {
                if !v.is_empty() {
                    let shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
                    let more = if v.len() > 5 {
                        format!(" and {} more", v.len() - 5)
                    } else {
                        String::new()
                    };
                    parts.push(format!(
                        "{what} {how} {} ({}{more})",
                        v.len(),
                        shown.join(", ")
                    ));
                }
            }
        }
        if !self.sections.is_empty() {
            parts.push(format!("settings changed: {}", self.sections.join(", ")));
        }
        if parts.is_empty() {
            // Only files: moved cases between them, say.
            let n = self.files.added.len() + self.files.changed.len() + self.files.removed.len();
            parts.push(format!("files changed {n}"));
        }
        parts.join("; ")
    }
}

/// What must happen when `new` replaces `old` in a running daemon, in the
/// order it is applied. `main_held`: the main file on disk is not the one
/// in effect (its errors are told; a SIGHUP then passes only if something
/// in effect changed).
pub fn actions(
    old: &Config,
    new: &Config,
    d: &ConfigDiff,
    why: Reason,
    main_held: bool,
) -> Vec<Action> {
    let (o, n) = (&old.service, &new.service);
    let full = why == Reason::Signal;
    let mut out = Vec::new();
    if o.state_dir != n.state_dir {
        out.push(Action::MoveLedger);
    }
    if full || old.mail != new.mail || o.timezone != n.timezone {
        out.push(Action::RebuildMailer);
    }
    if full || outputs_changed(o, n) {
        out.push(Action::RebuildOutputs);
    }
    if o.schedule != n.schedule || o.timezone != n.timezone {
        out.push(Action::RestartScheduler);
    }
    if full || o.include != n.include || !d.files.added.is_empty() || !d.files.removed.is_empty() {
        out.push(Action::Rewatch);
    }
    if !d.is_empty() || (full && !main_held) {
        out.push(Action::Pass);
    }
    out
}

/// The settings the admin's transport and the heartbeat are built from.
fn outputs_changed(o: &Service, n: &Service) -> bool {
    o.admin_mail != n.admin_mail || o.heartbeat_url != n.heartbeat_url || o.timezone != n.timezone
}

/// Compare two configs. Cases are compared by value, so a case whose
/// caseworker was renamed shows as changed only if the index of its
/// caseworker moved. Files shared by both configs (the same `Arc`: a
/// reload reuses what did not change) are skipped, so a one-file edit in a
/// config of 100,000 cases compares only that file's cases.
pub fn diff(old: &Config, new: &Config) -> ConfigDiff {
    use super::model::CaseFile;
    use std::collections::HashSet;
    use std::sync::Arc;
    let ptrs =
        |c: &Config| -> HashSet<*const CaseFile> { c.files.iter().map(Arc::as_ptr).collect() };
    // Indices of caseworkers are compared by value: shared files count as
    // the same only when the caseworkers are too.
    let share = old.caseworkers == new.caseworkers;
    let (in_old, in_new) = (ptrs(old), ptrs(new));
    fn changed<'c>(
        c: &'c Config,
        other: &HashSet<*const CaseFile>,
        share: bool,
    ) -> Vec<&'c CaseFile> {
        c.files
            .iter()
            .filter(|f| !share || !other.contains(&Arc::as_ptr(f)))
            .map(|f| &**f)
            .collect()
    }
    let old_changed = changed(old, &in_new, share);
    let new_changed = changed(new, &in_old, share);
    let files = Difference::of(
        old_changed.iter().copied(),
        new_changed.iter().copied(),
        |f| f.path.to_str().unwrap_or_default(),
    );
    let mut sections = Vec::new();
    for (name, changed) in [
        ("service", old.service != new.service),
        ("mail", old.mail != new.mail),
        ("privacy", old.privacy != new.privacy),
        ("calendar", old.calendar != new.calendar),
        ("reminders", old.reminders != new.reminders),
        ("kinds", old.kinds != new.kinds),
    ] {
        if changed {
            sections.push(name);
        }
    }
    ConfigDiff {
        files,
        cases: Difference::of(
            old_changed.iter().flat_map(|f| f.cases.iter()),
            new_changed.iter().flat_map(|f| f.cases.iter()),
            |c| &c.id,
        ),
        bills: Difference::of(old.bills(), new.bills(), |b| &b.id),
        caseworkers: Difference::of(old.caseworkers.iter(), new.caseworkers.iter(), |c| &c.id),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    type Edit = fn(&mut Config);

    fn settings(c: &Config) -> crate::config::model::Settings {
        crate::config::model::Settings {
            service: c.service.clone(),
            mail: c.mail.clone(),
            privacy: c.privacy,
            calendar: c.calendar.clone(),
            reminders: c.reminders.clone(),
            kinds: c.kinds.clone(),
            caseworkers: c.caseworkers.clone(),
        }
    }

    /// Each kind of edit, and the actions it takes: from the files, from
    /// a SIGHUP, and with the main file held.
    #[test]
    fn actions_follow_what_changed() {
        use Action::*;
        let (_dir, base) = crate::test_support::example();
        let table: &[(&str, Edit, Reason, &[Action])] = &[
            ("nothing", |_| {}, Reason::Files, &[]),
            (
                "nothing, SIGHUP",
                |_| {},
                Reason::Signal,
                &[RebuildMailer, RebuildOutputs, Rewatch, Pass],
            ),
            (
                "state_dir",
                |c| c.service.state_dir = PathBuf::from("/srv/docket"),
                Reason::Files,
                &[MoveLedger, Pass],
            ),
            (
                "schedule",
                |c| c.service.schedule = "0 30 8 * * *".into(),
                Reason::Files,
                &[RestartScheduler, Pass],
            ),
            (
                "timezone",
                |c| c.service.timezone = chrono_tz::Asia::Qostanay,
                Reason::Files,
                &[RebuildMailer, RebuildOutputs, RestartScheduler, Pass],
            ),
            (
                "mail",
                |c| c.mail.from = "other@ngo.example".into(),
                Reason::Files,
                &[RebuildMailer, Pass],
            ),
            (
                "heartbeat",
                |c| c.service.heartbeat_url = Some("https://hc.example/ping/x".parse().unwrap()),
                Reason::Files,
                &[RebuildOutputs, Pass],
            ),
            (
                "includes only",
                |c| c.service.include.clear(),
                Reason::Files,
                &[Rewatch, Pass],
            ),
            (
                "admin only",
                |c| c.service.admin = None,
                Reason::Files,
                &[Pass],
            ),
            (
                "a file gone",
                |c| {
                    let keep = c.files[..c.files.len() - 1].to_vec();
                    *c = Config::new(c.path.clone(), settings(c), keep);
                },
                Reason::Files,
                &[Rewatch, Pass],
            ),
        ];
        for (name, edit, why, want) in table {
            let mut new = base.clone();
            edit(&mut new);
            let d = diff(&base, &new);
            assert_eq!(actions(&base, &new, &d, *why, false), *want, "{name}");
        }
    }

    /// A SIGHUP with the main file held and nothing in effect changed: its
    /// errors are told, no pass.
    #[test]
    fn a_sighup_with_the_main_file_held_passes_only_on_a_change() {
        let (_dir, base) = crate::test_support::example();
        let d = diff(&base, &base);
        assert!(!actions(&base, &base, &d, Reason::Signal, true).contains(&Action::Pass));
    }

    /// One diff type: what was added, changed and removed, by id, sorted.
    #[test]
    fn a_difference_lists_added_changed_and_removed() {
        let (_dir, base) = crate::test_support::example();
        let n = base.files.len();
        let mut files = base.files.clone();
        // The last file loses its case, the one before changes its case
        // and gains one.
        let mut last = (*files[n - 1]).clone();
        let gone = last.cases.remove(0).id;
        let mut before = (*files[n - 2]).clone();
        let changed = before.cases[0].id.clone();
        before.cases[0].caseworker =
            (before.cases[0].caseworker + 1) % base.caseworkers.len().max(2);
        let mut added = before.cases[0].clone();
        added.id = "KZ-9999".into();
        before.cases.push(added);
        files[n - 1] = std::sync::Arc::new(last);
        files[n - 2] = std::sync::Arc::new(before);
        let new = Config::new(base.path.clone(), settings(&base), files);
        let d = diff(&base, &new);
        assert_eq!(d.cases.added, vec!["KZ-9999".to_string()]);
        assert_eq!(d.cases.changed, vec![changed.to_string()]);
        assert_eq!(d.cases.removed, vec![gone.to_string()]);
        assert_eq!(d.files.changed.len(), 2);
        assert!(
            d.summary().contains("cases added 1 (KZ-9999)"),
            "{}",
            d.summary()
        );
        assert!(diff(&base, &base).is_empty());
        assert_eq!(diff(&base, &base).summary(), "no changes");
    }

    /// The common run of ids compared pairwise, the rest by id: the same
    /// answer as comparing everything by id, in order or not.
    #[test]
    fn a_difference_is_the_same_in_order_or_not() {
        let old = [("a", 1), ("b", 1), ("c", 1), ("d", 1), ("e", 1)];
        let new = [("a", 1), ("b", 2), ("d", 2), ("c", 1), ("f", 1)];
        fn by_id<'a>(x: &'a (&'static str, i32)) -> &'a str {
            x.0
        }
        let d = Difference::of(old.iter(), new.iter(), by_id);
        assert_eq!(d.added, ["f"]);
        assert_eq!(d.removed, ["e"]);
        assert_eq!(d.changed, ["b", "d"]);
        let mut shuffled = new;
        shuffled.reverse();
        assert_eq!(Difference::of(old.iter(), shuffled.iter(), by_id), d);
        assert!(Difference::of(old.iter(), old.iter(), by_id).is_empty());
    }
}
