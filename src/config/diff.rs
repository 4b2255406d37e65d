//! What changed between two configs: logged on reload so the operator sees
//! what a SIGHUP did, by case reference only.

use super::model::Config;
use std::collections::BTreeMap;

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
        let mut list = |what: &str, v: &[String]| {
            if !v.is_empty() {
                let shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
                let more = if v.len() > 5 {
                    format!(" and {} more", v.len() - 5)
                } else {
                    String::new()
                };
                parts.push(format!("{what} {} ({}{more})", v.len(), shown.join(", ")));
            }
        };
        list("cases added", &self.cases_added);
        list("cases removed", &self.cases_removed);
        list("cases changed", &self.cases_changed);
        list("bills added", &self.bills_added);
        list("bills removed", &self.bills_removed);
        list("bills changed", &self.bills_changed);
        list("caseworkers added", &self.caseworkers_added);
        list("caseworkers removed", &self.caseworkers_removed);
        list("caseworkers changed", &self.caseworkers_changed);
        if !self.sections_changed.is_empty() {
            parts.push(format!(
                "settings changed: {}",
                self.sections_changed.join(", ")
            ));
        }
        parts.join("; ")
    }
}

fn diff_by_id<T: PartialEq>(
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &str,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let o: BTreeMap<&str, &T> = old.iter().map(|x| (id(x), x)).collect();
    let n: BTreeMap<&str, &T> = new.iter().map(|x| (id(x), x)).collect();
    let added = n
        .keys()
        .filter(|k| !o.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    let removed = o
        .keys()
        .filter(|k| !n.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    let changed = n
        .iter()
        .filter(|(k, v)| o.get(*k).is_some_and(|ov| ov != *v))
        .map(|(k, _)| k.to_string())
        .collect();
    (added, removed, changed)
}

/// Compare two configs. Pure: no IO, so reloads can be tested without files.
/// Cases are compared by value, so a case whose caseworker was renamed shows
/// as changed only if the index of its caseworker moved.
pub fn diff(old: &Config, new: &Config) -> ConfigDiff {
    let (cases_added, cases_removed, cases_changed) = diff_by_id(&old.cases, &new.cases, |c| &c.id);
    let (bills_added, bills_removed, bills_changed) = diff_by_id(&old.bills, &new.bills, |b| &b.id);
    let (caseworkers_added, caseworkers_removed, caseworkers_changed) =
        diff_by_id(&old.caseworkers, &new.caseworkers, |c| &c.id);
    let mut sections_changed = Vec::new();
    if old.service != new.service {
        sections_changed.push("service");
    }
    if old.mail != new.mail {
        sections_changed.push("mail");
    }
    if old.privacy != new.privacy {
        sections_changed.push("privacy");
    }
    if old.calendar != new.calendar {
        sections_changed.push("calendar");
    }
    if old.reminders != new.reminders {
        sections_changed.push("reminders");
    }
    if old.kinds != new.kinds {
        sections_changed.push("kinds");
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
    }
}
