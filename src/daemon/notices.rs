//! Telling people about their files: whoever broke a file is told (the
//! caseworkers of its cases, and the admin), again every few days while it
//! stays broken, and once more when it is fixed; a case that stops being
//! tracked (its file deleted, moved away, or the case taken out) is told to
//! its caseworker and the admin. Nothing is ever silently ignored.
//!
//! Notices carry file paths, locations, case references and the problem;
//! the offending line only where `[privacy] names_in_email` allows, and
//! values from the file otherwise masked.

use super::state::Daemon;
use crate::config::diag::Diagnostics;
use crate::config::diff::ConfigDiff;
use crate::config::live::{FileStatus, Live, State};
use crate::config::store::content_hash;
use crate::privacy::Quoting;
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
            let body = self.held_body(f, problems);
            let cases = case_list(&f.cases);
            let subject = if f.rel == self.live.main.rel {
                "config reload rejected: the main config has errors; its last good version stays in effect".to_string()
            } else if f.state == State::Held {
                format!("a case file has errors; its last good version stays in effect{cases}")
            } else {
                format!("a case file has errors and is not tracked{cases}")
            };
            warn!(file = %f.rel, state = ?f.state, "a config file is left out");
            for l in &masked {
                tracing::error!("{}", l.trim());
            }
            self.tell_people(&key, &f.cases, &subject, &body).await;
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
            let body = format!(
                "Hello,\n\nYour changes to {} are now in effect: docket reads the file without errors again.\n\nCases in this file: {}\n",
                f.rel,
                ids(&f.cases)
            );
            let subject = format!("fixed: your changes are in effect{}", case_list(&f.cases));
            self.tell_people(&key, &f.cases, &subject, &body).await;
        }
        // Cases no longer tracked.
        let mut gone: Vec<(String, String, String)> = Vec::new(); // case, caseworker, why
        for (rel, cases) in std::mem::take(&mut self.live.vanished) {
            for (case, cw) in cases {
                gone.push((
                    case,
                    cw,
                    format!("its file {rel} is gone (deleted, renamed or moved away)"),
                ));
            }
        }
        if let Some(old) = old {
            let was: BTreeMap<&str, (String, &str)> = old
                .files
                .iter()
                .chain(std::iter::once(&old.main))
                .flat_map(|f| {
                    f.cases
                        .iter()
                        .map(move |(c, w)| (c.as_str(), (w.clone(), f.rel.as_str())))
                })
                .collect();
            let now_files: BTreeSet<&str> =
                self.live.files.iter().map(|f| f.rel.as_str()).collect();
            for case in &d.cases_removed {
                if let Some((cw, rel)) = was.get(case.as_str()) {
                    let why = if now_files.contains(rel) {
                        format!("it was taken out of {rel}")
                    } else {
                        format!("its file {rel} is gone (deleted, renamed or moved away)")
                    };
                    gone.push((case.clone(), cw.clone(), why));
                }
            }
        }
        if !gone.is_empty() {
            self.tell_untracked(&gone, today).await;
        }
        for p in self.live.near_misses.clone() {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let cases = crate::config::live::salvage_cases(&text);
            let rel = p.display().to_string();
            let key = format!("near-miss:{rel}:{}", content_hash(text.as_bytes()));
            let body = format!(
                "Hello,\n\nThe file {rel} looks like a case file, but docket does not read it: its name does not end in .toml (editors such as Notepad add .txt), so no include pattern matches it.\n\nRename it to end in .toml, or remove it.\nCases named in it: {}\n",
                ids(&cases)
            );
            self.tell_people(
                &key,
                &cases,
                "a case file is not read: check its name",
                &body,
            )
            .await;
        }
    }

    /// Mail the caseworkers of `cases` (each once) and the admin.
    async fn tell_people(
        &mut self,
        key: &str,
        cases: &[(String, String)],
        subject: &str,
        body: &str,
    ) {
        let people: BTreeSet<&str> = cases.iter().map(|(_, w)| w.as_str()).collect();
        for cw in people {
            let Some(i) = self.cfg.caseworker(cw) else {
                continue;
            };
            let email = self.cfg.caseworkers[i].email.clone();
            self.tell(
                &format!("{key}:{cw}"),
                &email,
                &format!("[docket] {subject}"),
                body,
            )
            .await;
        }
        self.alert(key, subject, body).await;
    }

    async fn tell_untracked(
        &mut self,
        gone: &[(String, String, String)],
        today: chrono::NaiveDate,
    ) {
        let mut by_cw: BTreeMap<&str, Vec<&(String, String, String)>> = BTreeMap::new();
        for g in gone {
            by_cw.entry(g.1.as_str()).or_default().push(g);
        }
        let lines = |list: &[&(String, String, String)]| -> String {
            list.iter()
                .map(|(c, _, why)| format!("  {c}: {why}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let text = |l: &str| {
            format!(
                "Hello,\n\nThese cases are no longer in the config, so docket sends no more reminders for them:\n\n{l}\n\nIf that was a mistake, put the case back (restore the file, or the [[case]] table); docket reads it on its own.\n"
            )
        };
        for (cw, list) in &by_cw {
            let Some(i) = self.cfg.caseworker(cw) else {
                continue;
            };
            let email = self.cfg.caseworkers[i].email.clone();
            let refs: Vec<String> = list.iter().map(|g| g.0.clone()).collect();
            let key = format!("untracked:{}:{today}:{cw}", refs.join(","));
            self.tell(
                &key,
                &email,
                &format!("[docket] no longer tracked: {}", refs.join(", ")),
                &text(&lines(list)),
            )
            .await;
        }
        let all: Vec<&(String, String, String)> = gone.iter().collect();
        let refs: Vec<&str> = gone.iter().map(|g| g.0.as_str()).collect();
        self.alert(
            &format!("untracked:{}:{today}", refs.join(",")),
            &format!("no longer tracked: {}", shorten(&refs)),
            &text(&lines(&all)),
        )
        .await;
    }

    /// The body of a "file left out" notice.
    fn held_body(&self, f: &FileStatus, problems: Option<&Diagnostics>) -> String {
        let what = match f.state {
            State::Held => format!(
                "Its last good version{} stays in effect: reminders for its cases go on as before, and the change has no effect until the file is fixed.",
                f.since.as_ref().map(|s| format!(" (from {s})")).unwrap_or_default()
            ),
            _ => "docket has never read this file without errors, so its cases are NOT TRACKED: no reminders go out for them until it is fixed.".into(),
        };
        let shown = match problems {
            Some(d) if self.cfg.privacy.names_in_email => d
                .errors()
                .map(|e| d.render(e, Quoting::Full))
                .collect::<Vec<_>>()
                .join(""),
            Some(d) => masked_lines(d).join("\n"),
            None => String::new(),
        };
        format!(
            "Hello,\n\ndocket cannot use the latest version of the config file\n\n  {}\n\n{what}\n\nWhat is wrong:\n\n{shown}\n\nFix the file and save it; docket reads it again on its own within seconds, and says so.\nTo check it first: docket check -c {}\nCases in this file: {}\n",
            f.rel,
            self.cfg.path.display(),
            ids(&f.cases)
        )
    }
}

/// The states of the files before: from the previous load, or at start
/// from the status the last run left.
fn previous_states(old: Option<&Live>, state_dir: &std::path::Path) -> BTreeMap<String, String> {
    match old {
        Some(l) => std::iter::once(&l.main)
            .chain(l.files.iter())
            .map(|f| {
                let s = match f.state {
                    State::InEffect => "in_effect",
                    State::Held => "held",
                    State::NotTracked => "not_tracked",
                };
                (f.rel.clone(), s.to_string())
            })
            .collect(),
        None => crate::status::read(state_dir)
            .map(|s| s.files.into_iter().map(|f| (f.path, f.state)).collect())
            .unwrap_or_default(),
    }
}

/// Each error as its masked first line and hint.
pub(super) fn masked_lines(d: &Diagnostics) -> Vec<String> {
    d.errors()
        .map(|e| {
            let mut l = format!("  {}", d.headline(e, Quoting::Masked));
            if let Some(h) = &e.help {
                l.push_str(&format!(
                    "\n    hint: {}",
                    crate::privacy::show(h, Quoting::Masked)
                ));
            }
            l
        })
        .collect()
}

fn ids(cases: &[(String, String)]) -> String {
    if cases.is_empty() {
        return "(none could be read)".into();
    }
    cases
        .iter()
        .map(|(c, _)| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// ": KZ-0001, KZ-0002" for a subject (case references only), shortened.
fn case_list(cases: &[(String, String)]) -> String {
    if cases.is_empty() {
        return String::new();
    }
    let refs: Vec<&str> = cases.iter().map(|(c, _)| c.as_str()).collect();
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
