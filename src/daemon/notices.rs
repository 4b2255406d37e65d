//! Telling people about their files: whoever broke a file is told (the
//! caseworkers of its cases, and the admin), again every few days while it
//! stays broken, and once more when it is fixed; a case that stops being
//! tracked (its file deleted, moved away, or the case taken out) is told to
//! its caseworker and the admin. Nothing is ever silently ignored.
//!
//! Notices carry file paths, locations, case references and the problem;
//! the offending line only where `[privacy] names_in_email` allows, and
//! values from the file otherwise masked.

use super::alert_texts::{key, Alert};
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
        let before = previous_states(old, &self.in_effect.cfg().service.state_dir);
        self.mark_episodes(&before);
        let today = self.today();
        self.tell_left_out(true).await;
        self.tell_fixed(old, &before).await;
        // Files that were out only for a directory's problem: the admin,
        // who was told, hears that the directory is fixed.
        self.tell_dirs_fixed(&before).await;
        // Cases no longer tracked.
        let mut gone: Vec<(String, String, Gone)> = Vec::new(); // case, caseworker, why
                                                                // Files in the store that no pattern matches any more: found at
                                                                // start (deleted while docket was stopped) as on a reload. Their
                                                                // last good copies are removed only once the notice is recorded.
        let vanished = std::mem::take(&mut self.in_effect.live_mut().vanished);
        // A case a vanished file held that another file holds now (a file
        // renamed or moved, a folder renamed) is still tracked: nobody is
        // told it is not.
        let tracked: BTreeSet<String> = {
            let live = self.in_effect.live();
            std::iter::once(&live.main)
                .chain(&live.files)
                .flat_map(|f| f.cases.iter().map(|(c, _)| c.to_ascii_uppercase()))
                .collect()
        };
        for (rel, cases) in &vanished {
            for (case, cw) in cases {
                if !tracked.contains(&case.to_ascii_uppercase()) {
                    gone.push((case.clone(), cw.clone(), Gone::File(rel.clone())));
                }
            }
        }
        if let Some(old) = old.filter(|_| !d.cases.removed.is_empty()) {
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
            let now_files: BTreeSet<&str> = self
                .in_effect
                .live()
                .files
                .iter()
                .map(|f| f.rel.as_str())
                .collect();
            let told: BTreeSet<String> = gone.iter().map(|g| g.0.clone()).collect();
            for case in d.cases.removed.iter().filter(|c| !told.contains(*c)) {
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
                    self.in_effect.store().remove(rel);
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
                self.in_effect.store().remove(rel);
            }
        }
        for p in self.in_effect.live().near_misses.clone() {
            // Read as a case file, whatever Notepad did to it (a BOM, ANSI,
            // UTF-16): its caseworkers are the ones to tell. Read where
            // the case files are (with `cases_git`, in the tree); a FIFO or
            // a link under that name is not read: the admin is told of the
            // name alone.
            let text = self
                .in_effect
                .live()
                .look_into(&p)
                .map(|b| crate::config::salvage::text_of(&b))
                .unwrap_or_default();
            let cases: Cases = crate::config::live::salvage_cases(&text).into();
            let rel = self.in_effect.live().rel(&p);
            let key = key::near_miss(&rel, &content_hash(text.as_bytes()));
            let ids = ids(&cases);
            let edit = crate::mail::entry::file_edit_link(self.in_effect.cfg(), &rel);
            self.tell_people(&key, &cases, |lang| {
                texts::near_miss(lang, &rel, &ids, edit.as_deref())
            })
            .await;
        }
    }

    /// Tell about every file left out: its caseworkers and the admin, and
    /// for a file not tracked their supervisors too, with the dates that
    /// can be read of it. Again every [`REMIND_EVERY_DAYS`] days while a
    /// file is held, and every day while one is not tracked (its
    /// reminders are missing); called after every load and by every pass,
    /// so a reminder does not wait for an edit. `log`: say so in the log
    /// (after a load; a pass does not repeat it).
    pub(super) async fn tell_left_out(&mut self, log: bool) {
        let today = self.today();
        let day = today
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp()
            / 86_400;
        self.tell_about_dirs(log).await;
        let left_out: Vec<FileStatus> = self
            .in_effect
            .live()
            .left_out()
            .filter(|f| f.dir_problem.is_none())
            .cloned()
            .collect();
        for f in &left_out {
            let not_tracked = f.state == State::NotTracked;
            let problems = f.problems.as_deref();
            let masked = problems.map(masked_lines).unwrap_or_default();
            // Held: every few days. Not tracked: every day (issue 18, item
            // 5). The episode too: the same broken bytes again after a fix
            // are news again (item 4).
            let period = if not_tracked {
                format!("d{day}")
            } else {
                (day / REMIND_EVERY_DAYS).to_string()
            };
            let key = key::file_held(
                &f.rel,
                &content_hash(masked.join("\n").as_bytes()),
                &period,
                f.left_out_at.as_deref(),
            );
            let cases = case_list(&f.cases);
            let ids = ids(&f.cases);
            let main = f.rel == self.in_effect.live().main.rel;
            let check_path = if main {
                format!("-c {}", self.in_effect.cfg().path.display())
            } else {
                f.path.display().to_string()
            };
            // Local time, as people read it (issue 18, item 7).
            let since = f
                .since
                .as_deref()
                .map(|s| crate::clock::local_text(s, self.in_effect.cfg().service.timezone));
            let edit = self.edit_link(f, main);
            let h = texts::Held {
                rel: &f.rel,
                main,
                held: f.state == State::Held,
                since: since.as_deref(),
                cases: &cases,
                ids: &ids,
                problems,
                full: self.in_effect.cfg().privacy.names_in_email,
                check_path: &check_path,
                edit: edit.as_deref(),
            };
            if log {
                warn!(file = %f.rel, state = ?f.state, "a config file is left out");
                for l in &masked {
                    tracing::error!("{}", l.trim());
                }
            }
            let people = self.told_about(f);
            // A pass looks every time: say nothing (not even in the log)
            // when everyone was told already.
            if !log && self.told(&key) && people.iter().all(|cw| self.told(&format!("{key}:{cw}")))
            {
                continue;
            }
            let cfg = std::sync::Arc::clone(self.in_effect.cfg());
            self.tell_each(&key, &people, |lang| {
                let mut n = texts::held(lang, &h);
                n.body
                    .push_str(&texts::read_of_it(lang, &read_lines(&cfg, f, today, lang)));
                n
            })
            .await;
        }
    }

    /// Fixed: was left out before (for its own errors), is in effect now.
    /// Keyed by the episode that ends (when it began), not by the content:
    /// a revert to bytes that were good before is a fix like any other,
    /// each time (issue 18, item 4). Without a known episode (a status
    /// written by an older docket), by the content, as before.
    async fn tell_fixed(&mut self, old: Option<&Live>, before: &Before) {
        let fixed: Vec<FileStatus> = std::iter::once(&self.in_effect.live().main)
            .chain(self.in_effect.live().files.iter())
            .filter(|f| f.state == State::InEffect)
            .filter(|f| {
                before
                    .get(&f.rel)
                    .is_some_and(|s| s.0 != State::InEffect && s.2.is_none())
            })
            .cloned()
            .collect();
        for f in &fixed {
            let episode = before.get(&f.rel).and_then(|s| s.1.clone());
            let key = key::file_fixed(&f.rel, episode.as_deref(), f.disk_hash.as_deref());
            // Those told it was held (the caseworkers of the version that
            // was in effect meanwhile) and those of the fixed version.
            let mut told: Vec<(String, String)> = old
                .and_then(|o| {
                    std::iter::once(&o.main)
                        .chain(o.files.iter())
                        .find(|x| x.rel == f.rel)
                })
                .map(|x| {
                    x.cases
                        .iter()
                        .map(|(c, w)| (c.to_string(), w.to_string()))
                        .collect()
                })
                .unwrap_or_default();
            told.extend(f.cases.iter().map(|(c, w)| (c.to_string(), w.to_string())));
            // Not tracked before: their supervisors were told too.
            let was = match before.get(&f.rel).map(|s| s.0) {
                Some(State::NotTracked) => State::NotTracked,
                _ => State::Held,
            };
            let people = self.people_for(was, &told.into());
            let (cases, ids) = (case_list(&f.cases), ids(&f.cases));
            let main = f.rel == self.in_effect.live().main.rel;
            let edit = self.edit_link(f, main);
            self.tell_each(&key, &people, |lang| {
                texts::fixed(lang, &f.rel, &cases, &ids, edit.as_deref())
            })
            .await;
        }
    }

    /// The edit page of file `f` (`[service] edit_url`, SPEC 7). With
    /// `cases_git` the main config is not in the repository: it has none.
    fn edit_link(&self, f: &FileStatus, main: bool) -> Option<String> {
        let cfg = self.in_effect.cfg();
        if main && cfg.service.git.is_some() {
            return None;
        }
        crate::mail::entry::file_edit_link(cfg, &f.rel)
    }

    /// Who is told about a file left out, besides the admin: the
    /// caseworkers named in it; for a file not tracked (reminders are
    /// missing) their supervisors too, or, when no caseworker docket knows
    /// can be read of it, every supervisor: someone who can act must hear
    /// of it, not only the admin.
    fn told_about(&self, f: &FileStatus) -> BTreeSet<String> {
        if f.dir_problem.is_some() {
            return BTreeSet::new();
        }
        self.people_for(f.state, &f.cases)
    }

    /// [`Daemon::told_about`] a file in `state` naming `cases`.
    fn people_for(&self, state: State, cases: &Cases) -> BTreeSet<String> {
        let cws = &self.in_effect.cfg().caseworkers;
        let named: BTreeSet<usize> = cases
            .iter()
            .filter_map(|(_, w)| self.in_effect.cfg().caseworker(w))
            .collect();
        let mut out: BTreeSet<usize> = named.clone();
        if state == State::NotTracked {
            if named.is_empty() {
                out.extend(cws.iter().filter_map(|c| c.supervisor));
            } else {
                out.extend(named.iter().filter_map(|&i| cws[i].supervisor));
            }
        }
        out.into_iter().map(|i| cws[i].id.clone()).collect()
    }

    /// Per caseworker (by index): a line for each file not tracked that
    /// concerns them ([`Daemon::told_about`]), in their language, with
    /// the dates read of it: what their digests open with until it is
    /// fixed (issue 18, item 5).
    pub(super) fn not_tracked_notes(&self, today: chrono::NaiveDate) -> Vec<Vec<String>> {
        let mut out = vec![Vec::new(); self.in_effect.cfg().caseworkers.len()];
        for f in self
            .in_effect
            .live()
            .left_out()
            .filter(|f| f.state == State::NotTracked)
        {
            let refs = ids(&f.cases);
            for cw in self.told_about(f) {
                let Some(i) = self.in_effect.cfg().caseworker(&cw) else {
                    continue;
                };
                let lang = self.in_effect.cfg().caseworkers[i].language;
                let read = read_lines(self.in_effect.cfg(), f, today, lang).join("; ");
                out[i].push(texts::not_tracked_note(lang, &f.rel, &refs, &read));
            }
        }
        out
    }

    /// Since when each file left out has been left out: carried over
    /// while it stays left out (from the previous load, or the last run's
    /// status), else now (a new episode).
    fn mark_episodes(&mut self, before: &Before) {
        let now = self
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let live = self.in_effect.live_mut();
        for f in std::iter::once(&mut live.main).chain(live.files.iter_mut()) {
            f.left_out_at = match before.get(&f.rel) {
                _ if f.state == State::InEffect => None,
                Some((s, Some(at), _)) if *s != State::InEffect => Some(at.clone()),
                // Left out before, by a docket that did not say since
                // when: keep the keys such a docket used.
                Some((s, None, _)) if *s != State::InEffect => None,
                _ => Some(now.clone()),
            };
        }
    }

    /// Mail the caseworkers of `cases` (each once, in their language) and
    /// the admin (in English).
    async fn tell_people(&mut self, key: &str, cases: &Cases, notice: impl Fn(Language) -> Notice) {
        let people: BTreeSet<String> = cases.iter().map(|(_, w)| w.to_string()).collect();
        self.tell_each(key, &people, notice).await;
    }

    /// Mail each of `people` (caseworker ids; each once, in their
    /// language) and the admin (in English).
    async fn tell_each(
        &mut self,
        key: &str,
        people: &BTreeSet<String>,
        notice: impl Fn(Language) -> Notice,
    ) {
        for cw in people {
            let Some(i) = self.in_effect.cfg().caseworker(cw) else {
                continue;
            };
            let (email, lang) = {
                let c = &self.in_effect.cfg().caseworkers[i];
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
        self.alert(Alert::notice(key, n)).await;
    }

    /// Was the notice with this key recorded as sent (in the ledger, or in
    /// memory when the ledger could not take it)?
    pub(super) fn told(&self, key: &str) -> bool {
        self.records.alerted.contains(key)
            || matches!(self.records.ledger.alert_sent_at(key), Ok(Some(_)))
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
            let Some(i) = self.in_effect.cfg().caseworker(cw) else {
                continue;
            };
            let (email, lang) = {
                let c = &self.in_effect.cfg().caseworkers[i];
                (c.email.clone(), c.language)
            };
            let refs: Vec<String> = list.iter().map(|g| g.0.clone()).collect();
            let key = {
                let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
                key::untracked(&refs, today, Some(cw))
            };
            let lines: Vec<(&str, &Gone)> = list.iter().map(|g| (g.0.as_str(), &g.2)).collect();
            let n = texts::untracked(lang, &refs.join(", "), &lines);
            self.tell(&key, &email, &format!("[docket] {}", n.subject), &n.body)
                .await;
            keys.push(key);
        }
        let refs: Vec<&str> = gone.iter().map(|g| g.0.as_str()).collect();
        let lines: Vec<(&str, &Gone)> = gone.iter().map(|g| (g.0.as_str(), &g.2)).collect();
        let n = texts::untracked(Language::En, &shorten(&refs), &lines);
        let key = key::untracked(&refs, today, None);
        self.alert(Alert::notice(&key, n)).await;
        if self.in_effect.cfg().service.admin.is_some() {
            keys.push(key);
        }
        keys
    }
}

/// The states of the files before, with since when each left-out one was
/// left out: from the previous load, or at start from the status the last
/// run left.
fn previous_states(old: Option<&Live>, state_dir: &std::path::Path) -> Before {
    match old {
        Some(l) => std::iter::once(&l.main)
            .chain(l.files.iter())
            .map(|f| {
                let dir = f.dir_problem.as_ref().map(|d| d.display().to_string());
                (f.rel.clone(), (f.state, f.left_out_at.clone(), dir))
            })
            .collect(),
        None => crate::status::read(state_dir)
            .map(|s| {
                s.files
                    .into_iter()
                    .map(|f| (f.path, (f.state, f.left_out_at, f.directory)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Per file: its state before (as `status.json` writes it), since when it
/// was left out, and whether only for a directory's problem.
pub(super) type Before = BTreeMap<String, (State, Option<String>, Option<String>)>;

/// How far ahead the dates read of a file not tracked are shown (the
/// default of `upcoming`); overdue ones always.
const READ_AHEAD_DAYS: u32 = 90;

/// The dates read of a file not tracked, one line each, in `lang`.
fn read_lines(
    cfg: &crate::config::model::Config,
    f: &FileStatus,
    today: chrono::NaiveDate,
    lang: Language,
) -> Vec<String> {
    let filter = crate::engine::UpcomingFilter {
        case: None,
        caseworker: None,
    };
    let mut rows = crate::report::left_out_rows(
        cfg,
        std::slice::from_ref(f),
        today,
        READ_AHEAD_DAYS,
        &filter,
    );
    rows.sort_by(|a, b| (&a.act_by, &a.case).cmp(&(&b.act_by, &b.case)));
    rows.iter()
        .map(|r| {
            let what = crate::mail::labels::kind(cfg, &r.kind, lang);
            texts::read_item(lang, &r.case, &what, &r.deadline, r.days_left)
        })
        .collect()
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
