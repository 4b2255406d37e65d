//! Telling people about their files: whoever broke a file is told (the
//! caseworkers of its cases, and the admin), again every few days while it
//! stays broken, and once more when it is fixed; a case that stops being
//! tracked (its file deleted, moved away, or the case taken out) is told to
//! its caseworker and the admin. Nothing is ever silently ignored.
//!
//! Notices carry file paths, locations, case references and the problem;
//! the offending line only where `[privacy] names_in_email` allows, and
//! values from the file otherwise masked.

use super::notice_texts::{self as texts, masked_lines, Gone, Notice};
use super::state::Daemon;
use crate::config::diff::ConfigDiff;
use crate::config::live::{Cases, FileStatus, Live, State};
use crate::config::model::Language;
use crate::config::store::content_hash;
use std::collections::{BTreeMap, BTreeSet};
use tracing::warn;

/// A broken file is told about again after this many days.
pub const REMIND_EVERY_DAYS: i64 = 3;

impl Daemon {
    /// After a load or reload: tell people about files left out, files
    /// fixed, and cases no longer tracked. `old`: the state before (None at
    /// start, where the last status file stands in for it).
    pub(super) async fn tell_about_files(&mut self, old: Option<&Live>, d: &ConfigDiff) {
        let before = previous_states(old, &self.cfg.service.state_dir);
        let today = self.today();
        let period = today
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp()
            / 86_400
            / REMIND_EVERY_DAYS;
        let left_out: Vec<FileStatus> = self.live.left_out().cloned().collect();
        for f in &left_out {
            let problems = f.problems.as_deref();
            let masked = problems.map(masked_lines).unwrap_or_default();
            let key = format!(
                "file-held:{}:{}:{period}",
                f.rel,
                content_hash(masked.join("\n").as_bytes())
            );
            let cases = case_list(&f.cases);
            let ids = ids(&f.cases);
            let main = f.rel == self.live.main.rel;
            let check_path = if main {
                format!("-c {}", self.cfg.path.display())
            } else {
                f.path.display().to_string()
            };
            let h = texts::Held {
                rel: &f.rel,
                main,
                held: f.state == State::Held,
                since: f.since.as_deref(),
                cases: &cases,
                ids: &ids,
                problems,
                full: self.cfg.privacy.names_in_email,
                check_path: &check_path,
            };
            warn!(file = %f.rel, state = ?f.state, "a config file is left out");
            for l in &masked {
                tracing::error!("{}", l.trim());
            }
            self.tell_people(&key, &f.cases, |lang| texts::held(lang, &h))
                .await;
        }
        // Fixed: was left out before, is in effect now.
        let fixed: Vec<FileStatus> = std::iter::once(&self.live.main)
            .chain(self.live.files.iter())
            .filter(|f| f.state == State::InEffect)
            .filter(|f| before.get(&f.rel).is_some_and(|s| s != "in_effect"))
            .cloned()
            .collect();
        for f in &fixed {
            let key = format!(
                "file-fixed:{}:{}",
                f.rel,
                f.disk_hash.as_deref().unwrap_or("")
            );
            let (cases, ids) = (case_list(&f.cases), ids(&f.cases));
            self.tell_people(&key, &f.cases, |lang| {
                texts::fixed(lang, &f.rel, &cases, &ids)
            })
            .await;
        }
        // Cases no longer tracked.
        let mut gone: Vec<(String, String, Gone)> = Vec::new(); // case, caseworker, why
                                                                // Files in the store that no pattern matches any more: found at
                                                                // start (deleted while docket was stopped) as on a reload. Their
                                                                // last good copies are removed only once the notice is recorded.
        let vanished = std::mem::take(&mut self.live.vanished);
        for (rel, cases) in &vanished {
            for (case, cw) in cases {
                gone.push((case.clone(), cw.clone(), Gone::File(rel.clone())));
            }
        }
        if let Some(old) = old.filter(|_| !d.cases_removed.is_empty()) {
            let was: BTreeMap<&str, (String, &str)> = old
                .files
                .iter()
                .chain(std::iter::once(&old.main))
                .flat_map(|f| {
                    f.cases
                        .iter()
                        .map(move |(c, w)| (c, (w.to_string(), f.rel.as_str())))
                })
                .collect();
            let now_files: BTreeSet<&str> =
                self.live.files.iter().map(|f| f.rel.as_str()).collect();
            let told: BTreeSet<String> = gone.iter().map(|g| g.0.clone()).collect();
            for case in d.cases_removed.iter().filter(|c| !told.contains(*c)) {
                if let Some((cw, rel)) = was.get(case.as_str()) {
                    let why = if now_files.contains(rel) {
                        Gone::TakenOut(rel.to_string())
                    } else {
                        Gone::File(rel.to_string())
                    };
                    gone.push((case.clone(), cw.clone(), why));
                }
            }
        }
        if !gone.is_empty() {
            let keys = self.tell_untracked(&gone, today).await;
            if keys.iter().all(|k| self.told(k)) {
                for (rel, _) in &vanished {
                    self.store.remove(rel);
                }
            } else if !vanished.is_empty() {
                warn!(
                    files = vanished.len(),
                    "the last good copies of deleted files are kept until their notice is sent"
                );
            }
        } else {
            // A vanished file that held no case: nobody to tell.
            for (rel, _) in &vanished {
                self.store.remove(rel);
            }
        }
        for p in self.live.near_misses.clone() {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let cases: Cases = crate::config::live::salvage_cases(&text).into();
            let rel = p.display().to_string();
            let key = format!("near-miss:{rel}:{}", content_hash(text.as_bytes()));
            let ids = ids(&cases);
            self.tell_people(&key, &cases, |lang| texts::near_miss(lang, &rel, &ids))
                .await;
        }
    }

    /// Mail the caseworkers of `cases` (each once, in their language) and
    /// the admin (in English).
    async fn tell_people(&mut self, key: &str, cases: &Cases, notice: impl Fn(Language) -> Notice) {
        let people: BTreeSet<&str> = cases.iter().map(|(_, w)| w).collect();
        for cw in people {
            let Some(i) = self.cfg.caseworker(cw) else {
                continue;
            };
            let (email, lang) = {
                let c = &self.cfg.caseworkers[i];
                (c.email.clone(), c.language)
            };
            let n = notice(lang);
            self.tell(
                &format!("{key}:{cw}"),
                &email,
                &format!("[docket] {}", n.subject),
                &n.body,
            )
            .await;
        }
        let n = notice(Language::En);
        self.alert(key, &n.subject, &n.body).await;
    }

    /// Was the notice with this key recorded as sent (in the ledger, or in
    /// memory when the ledger could not take it)?
    fn told(&self, key: &str) -> bool {
        self.alerted.contains(key) || matches!(self.ledger.alert_sent_at(key), Ok(Some(_)))
    }

    /// Tell caseworkers and the admin which cases are no longer tracked.
    /// Returns the keys of the notices that must be recorded as sent for
    /// everyone to have been told.
    async fn tell_untracked(
        &mut self,
        gone: &[(String, String, Gone)],
        today: chrono::NaiveDate,
    ) -> Vec<String> {
        let mut keys = Vec::new();
        let mut by_cw: BTreeMap<&str, Vec<&(String, String, Gone)>> = BTreeMap::new();
        for g in gone {
            by_cw.entry(g.1.as_str()).or_default().push(g);
        }
        for (cw, list) in &by_cw {
            let Some(i) = self.cfg.caseworker(cw) else {
                continue;
            };
            let (email, lang) = {
                let c = &self.cfg.caseworkers[i];
                (c.email.clone(), c.language)
            };
            let refs: Vec<String> = list.iter().map(|g| g.0.clone()).collect();
            let key = format!("untracked:{}:{today}:{cw}", refs.join(","));
            let lines: Vec<(&str, &Gone)> = list.iter().map(|g| (g.0.as_str(), &g.2)).collect();
            let n = texts::untracked(lang, &refs.join(", "), &lines);
            self.tell(&key, &email, &format!("[docket] {}", n.subject), &n.body)
                .await;
            keys.push(key);
        }
        let refs: Vec<&str> = gone.iter().map(|g| g.0.as_str()).collect();
        let lines: Vec<(&str, &Gone)> = gone.iter().map(|g| (g.0.as_str(), &g.2)).collect();
        let n = texts::untracked(Language::En, &shorten(&refs), &lines);
        let key = format!("untracked:{}:{today}", refs.join(","));
        self.alert(&key, &n.subject, &n.body).await;
        if self.cfg.service.admin.is_some() {
            keys.push(key);
        }
        keys
    }
}

/// The states of the files before: from the previous load, or at start
/// from the status the last run left.
fn previous_states(old: Option<&Live>, state_dir: &std::path::Path) -> BTreeMap<String, String> {
    match old {
        Some(l) => std::iter::once(&l.main)
            .chain(l.files.iter())
            .map(|f| {
                let s = f.state.as_str();
                (f.rel.clone(), s.to_string())
            })
            .collect(),
        None => crate::status::read(state_dir)
            .map(|s| s.files.into_iter().map(|f| (f.path, f.state)).collect())
            .unwrap_or_default(),
    }
}

fn ids(cases: &Cases) -> String {
    if cases.is_empty() {
        return "(none could be read)".into();
    }
    cases.iter().map(|(c, _)| c).collect::<Vec<_>>().join(", ")
}

/// ": KZ-0001, KZ-0002" for a subject (case references only), shortened.
fn case_list(cases: &Cases) -> String {
    if cases.is_empty() {
        return String::new();
    }
    let refs: Vec<&str> = cases.iter().map(|(c, _)| c).collect();
    format!(": {}", shorten(&refs))
}

fn shorten(refs: &[&str]) -> String {
    let shown: Vec<&str> = refs.iter().take(6).copied().collect();
    let more = if refs.len() > 6 {
        format!(" +{}", refs.len() - 6)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}
