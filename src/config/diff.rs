//! What changed between two configs, and what the daemon must do about it.
//! Pure: no IO, so reload decisions have a table test without files.

use super::model::{Config, Service};
use std::collections::HashMap;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigDiff {
    pub cases_added: Vec<String>,
    pub cases_removed: Vec<String>,
    pub cases_changed: Vec<String>,
    pub bills_added: Vec<String>,
    pub bills_removed: Vec<String>,
    pub bills_changed: Vec<String>,
    pub caseworkers_added: Vec<String>,
    pub caseworkers_removed: Vec<String>,
    pub caseworkers_changed: Vec<String>,
    /// Top-level sections whose settings changed (e.g. "mail", "calendar").
    pub sections_changed: Vec<&'static str>,
    /// What a running daemon must do to apply the new config.
    pub actions: Actions,
}

/// What applying a new config takes, beyond swapping it in. (The mailer
/// and the templates are rebuilt on every reload whatever changed: a
/// rotated password file or an edited template is not a config change.)
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Actions {
    /// `state_dir` moved: open the ledger there, or refuse the reload.
    pub reopen_ledger: bool,
    /// `schedule` or `timezone` changed: start the new schedule.
    pub restart_scheduler: bool,
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
        for (what, v) in [
            ("cases added", &self.cases_added),
            ("cases removed", &self.cases_removed),
            ("cases changed", &self.cases_changed),
            ("bills added", &self.bills_added),
            ("bills removed", &self.bills_removed),
            ("bills changed", &self.bills_changed),
            ("caseworkers added", &self.caseworkers_added),
            ("caseworkers removed", &self.caseworkers_removed),
            ("caseworkers changed", &self.caseworkers_changed),
        ] {
            if !v.is_empty() {
                let shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
                let more = if v.len() > 5 {
                    format!(" and {} more", v.len() - 5)
                } else {
                    String::new()
                };
                parts.push(format!("{what} {} ({}{more})", v.len(), shown.join(", ")));
            }
        }
        if !self.sections_changed.is_empty() {
            parts.push(format!(
                "settings changed: {}",
                self.sections_changed.join(", ")
            ));
        }
        parts.join("; ")
    }
}

/// (added, removed, changed) ids, each sorted.
fn diff_by_id<'a, T: PartialEq + 'a>(
    old: impl Iterator<Item = &'a T>,
    new: impl Iterator<Item = &'a T>,
    id: impl Fn(&T) -> &str,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let o: HashMap<&str, &T> = old.map(|x| (id(x), x)).collect();
    let n: HashMap<&str, &T> = new.map(|x| (id(x), x)).collect();
    let mut added: Vec<String> = n
        .keys()
        .filter(|k| !o.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    let mut removed: Vec<String> = o
        .keys()
        .filter(|k| !n.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    let mut changed: Vec<String> = n
        .iter()
        .filter(|(k, v)| o.get(*k).is_some_and(|ov| ov != *v))
        .map(|(k, _)| k.to_string())
        .collect();
    added.sort();
    removed.sort();
    changed.sort();
    (added, removed, changed)
}

/// What must happen when `new` replaces `old` in a running daemon.
pub fn actions(old: &Service, new: &Service) -> Actions {
    Actions {
        reopen_ledger: old.state_dir != new.state_dir,
        restart_scheduler: old.schedule != new.schedule || old.timezone != new.timezone,
    }
}

/// Compare two configs. Cases are compared by value, so a case whose
/// caseworker was renamed shows as changed only if the index of its
/// caseworker moved. Files shared by both configs (the same `Arc`: a
/// reload reuses what did not change) are skipped, so a one-file edit in a
/// config of 100,000 cases compares only that file's cases.
pub fn diff(old: &Config, new: &Config) -> ConfigDiff {
    use super::model::CaseFile;
    let ptrs = |c: &Config| -> std::collections::HashSet<*const CaseFile> {
        c.files.iter().map(std::sync::Arc::as_ptr).collect()
    };
    // Indices of caseworkers are compared by value: shared files count as
    // the same only when the caseworkers are too.
    let share = old.caseworkers == new.caseworkers;
    let (in_old, in_new) = (ptrs(old), ptrs(new));
    fn changed<'c>(
        c: &'c Config,
        other: &std::collections::HashSet<*const CaseFile>,
        share: bool,
    ) -> Vec<&'c CaseFile> {
        c.files
            .iter()
            .filter(|f| !share || !other.contains(&std::sync::Arc::as_ptr(f)))
            .map(|f| &**f)
            .collect()
    }
    let old_changed = changed(old, &in_new, share);
    let new_changed = changed(new, &in_old, share);
    let (cases_added, cases_removed, cases_changed) = diff_by_id(
        old_changed.iter().flat_map(|f| f.cases.iter()),
        new_changed.iter().flat_map(|f| f.cases.iter()),
        |c| &c.id,
    );
    let (bills_added, bills_removed, bills_changed) =
        diff_by_id(old.bills(), new.bills(), |b| &b.id);
    let (caseworkers_added, caseworkers_removed, caseworkers_changed) =
        diff_by_id(old.caseworkers.iter(), new.caseworkers.iter(), |c| &c.id);
    let mut sections_changed = Vec::new();
    for (name, changed) in [
        ("service", old.service != new.service),
        ("mail", old.mail != new.mail),
        ("privacy", old.privacy != new.privacy),
        ("calendar", old.calendar != new.calendar),
        ("reminders", old.reminders != new.reminders),
        ("kinds", old.kinds != new.kinds),
    ] {
        if changed {
            sections_changed.push(name);
        }
    }
    ConfigDiff {
        cases_added,
        cases_removed,
        cases_changed,
        bills_added,
        bills_removed,
        bills_changed,
        caseworkers_added,
        caseworkers_removed,
        caseworkers_changed,
        sections_changed,
        actions: actions(&old.service, &new.service),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn service() -> Service {
        Service {
            timezone: chrono_tz::Asia::Almaty,
            schedule: "0 0 9 * * *".into(),
            state_dir: PathBuf::from("/var/lib/docket"),
            include: vec!["cases.d/*.toml".into()],
            admin: Some("it@ngo.example".into()),
            alert_after_hours: 24,
            heartbeat_url: None,
            metrics_file: None,
            feeds_dir: PathBuf::from("/var/lib/docket/feeds"),
            admin_mail: None,
            editors: None,
        }
    }

    #[test]
    fn actions_follow_what_changed() {
        type Edit = fn(&mut Service);
        let table: &[(&str, Edit, Actions)] = &[
            ("nothing", |_| {}, Actions::default()),
            (
                "state_dir",
                |s| s.state_dir = PathBuf::from("/srv/docket"),
                Actions {
                    reopen_ledger: true,
                    ..Actions::default()
                },
            ),
            (
                "schedule",
                |s| s.schedule = "0 30 8 * * *".into(),
                Actions {
                    restart_scheduler: true,
                    ..Actions::default()
                },
            ),
            (
                "timezone",
                |s| s.timezone = chrono_tz::Asia::Qostanay,
                Actions {
                    restart_scheduler: true,
                    ..Actions::default()
                },
            ),
            (
                "state_dir and schedule",
                |s| {
                    s.state_dir = PathBuf::from("/srv/docket");
                    s.schedule = "0 30 8 * * *".into();
                },
                Actions {
                    reopen_ledger: true,
                    restart_scheduler: true,
                },
            ),
            ("admin only", |s| s.admin = None, Actions::default()),
            ("includes only", |s| s.include.clear(), Actions::default()),
            (
                "alert hours only",
                |s| s.alert_after_hours = 48,
                Actions::default(),
            ),
        ];
        for (name, edit, want) in table {
            let old = service();
            let mut new = service();
            edit(&mut new);
            assert_eq!(actions(&old, &new), *want, "{name}");
        }
    }
}
