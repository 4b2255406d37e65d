//! The one point where versions enter the history: after a load (at the
//! daemon's start and after every reload), before the last good copies are
//! kept ([`crate::config::live::Live::commit`] takes the texts).

use super::base::{HistoryError, NewVersion, VersionState};
use super::owner::{owner_of, user_name};
use super::store::{stamp, History};
use crate::config::live::Live;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use std::path::Path;

/// What one call recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// New versions of files read (applied or held).
    pub versions: usize,
    /// Files marked removed.
    pub removed: usize,
    /// Versions purged by `history_days`.
    pub purged: usize,
}

/// What the history needs of a load, owned (the texts shared, not
/// copied), so that recording can run beside the pass instead of before
/// it: at the first start of a config of 100,000 files it takes seconds.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    versions: Vec<Owned>,
    /// Every file of the load (the main file first), relative.
    present: Vec<String>,
    /// The store named files no pattern matches any more.
    any_vanished: bool,
    history_days: u32,
}

#[derive(Debug, Clone)]
struct Owned {
    rel: String,
    path: std::path::PathBuf,
    text: Option<std::sync::Arc<str>>,
    hash: Option<String>,
    applied: bool,
    cases: Vec<String>,
}

impl Snapshot {
    /// The versions `live` read from disk, and the files it has.
    pub fn of(live: &Live) -> Snapshot {
        Snapshot {
            versions: live
                .versions()
                .map(|v| Owned {
                    rel: v.rel.to_string(),
                    path: v.path.to_path_buf(),
                    text: v.text.map(std::sync::Arc::from),
                    hash: v.hash.map(str::to_string),
                    applied: v.applied,
                    cases: v.cases,
                })
                .collect(),
            present: std::iter::once(live.main.rel.clone())
                .chain(live.files.iter().map(|f| f.rel.clone()))
                .collect(),
            any_vanished: !live.vanished.is_empty(),
            history_days: live.config.privacy.history_days,
        }
    }
}

/// Open the history of `state_dir` and [`record`] into it.
pub fn record_in(
    state_dir: &Path,
    live: &Live,
    at: DateTime<Utc>,
) -> Result<Recorded, HistoryError> {
    record_snapshot(state_dir, &Snapshot::of(live), at)
}

fn record_snapshot(
    state_dir: &Path,
    snap: &Snapshot,
    at: DateTime<Utc>,
) -> Result<Recorded, HistoryError> {
    let started = std::time::Instant::now();
    let mut h = History::open(state_dir)?;
    let done = record(&mut h, snap, at)?;
    if done != Recorded::default() {
        // Counts only: no file name, no content.
        tracing::info!(
            versions = done.versions,
            removed = done.removed,
            purged = done.purged,
            record_ms = started.elapsed().as_millis() as u64,
            "history: versions kept"
        );
    }
    Ok(done)
}

/// Records loads one after the other on a thread of its own, off the
/// daemon's path: a pass never waits for the history. Dropping it waits
/// for what was handed to it (a `run --once` exits with its history
/// written).
pub struct Recorder {
    tx: Option<std::sync::mpsc::Sender<(std::path::PathBuf, Snapshot, DateTime<Utc>)>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::start()
    }
}

impl Recorder {
    pub fn start() -> Recorder {
        let (tx, rx) = std::sync::mpsc::channel::<(std::path::PathBuf, Snapshot, DateTime<Utc>)>();
        let worker = std::thread::Builder::new()
            .name("docket-history".into())
            .spawn(move || {
                for (dir, snap, at) in rx {
                    if let Err(e) = record_snapshot(&dir, &snap, at) {
                        tracing::warn!(error = %crate::mail::error_chain(&e), "cannot keep the versions of the config files in the history");
                    }
                    drop(snap);
                    // What SQLite freed on this thread (its page cache, the
                    // statements) stays in this thread's glibc arena until
                    // trimmed, and the daemon's own trim ran before this
                    // record: an idle daemon kept ~3 MB of it after edits.
                    crate::sys::release_memory();
                }
            })
            .ok();
        Recorder {
            tx: Some(tx),
            worker,
        }
    }

    /// Record `snap` into the history of `state_dir` (in order, later).
    pub fn record(&self, state_dir: &Path, snap: Snapshot, at: DateTime<Utc>) {
        let job = (state_dir.to_path_buf(), snap, at);
        match (&self.tx, &self.worker) {
            (Some(tx), Some(_)) => {
                let _ = tx.send(job);
            }
            // No thread could be started: record here.
            _ => {
                if let Err(e) = record_snapshot(&job.0, &job.1, job.2) {
                    tracing::warn!(error = %crate::mail::error_chain(&e), "cannot keep the versions of the config files in the history");
                }
            }
        }
    }

    /// Wait until everything handed over is recorded.
    pub fn finish(&mut self) {
        self.tx.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Record every file of `snap` whose newest kept version differs (by its
/// bytes or its state), every file kept that is gone (as removed), and,
/// once a day, purge what `[privacy] history_days` lets go. All in one
/// transaction. `at` comes from the daemon's clock.
pub fn record(
    h: &mut History,
    snap: &Snapshot,
    at: DateTime<Utc>,
) -> Result<Recorded, HistoryError> {
    let days = snap.history_days;
    h.in_transaction(|h| {
        let mut done = Recorded::default();
        for v in &snap.versions {
            let state = if v.applied {
                VersionState::Applied
            } else {
                VersionState::Held
            };
            let latest = h.latest(&v.rel)?;
            if latest
                .as_ref()
                .is_some_and(|l| l.hash.as_deref() == v.hash.as_deref() && l.state == state)
            {
                continue;
            }
            let owner = owner_of(&v.path);
            let by = owner.map(|o| user_name(o.0)).unwrap_or_default();
            h.add(&NewVersion {
                file: &v.rel,
                at,
                by: &by,
                state,
                bytes: v.text.as_deref().map(str::as_bytes),
                uid: owner.map(|o| o.0),
                gid: owner.map(|o| o.1),
                mode: owner.map(|o| o.2),
                cases: &v.cases,
            })?;
            done.versions += 1;
        }
        done.removed = record_removed(h, snap, at)?;
        done.purged = purge_daily(h, at, days)?;
        Ok(done)
    })
}

/// Files the history has as present that the load no longer has. The full
/// list is read only when the counts say a file may be gone, or the store
/// names a vanished one: a reload of one changed file stays cheap.
fn record_removed(h: &History, snap: &Snapshot, at: DateTime<Utc>) -> Result<usize, HistoryError> {
    let present: BTreeSet<&str> = snap.present.iter().map(String::as_str).collect();
    if !snap.any_vanished && h.present_count()? <= present.len() {
        return Ok(0);
    }
    let mut n = 0;
    for f in h.present_files()? {
        if present.contains(f.as_str()) {
            continue;
        }
        let last = h.latest(&f)?.map_or(0, |l| l.version);
        let cases = h.cases_of(&f, last)?;
        // Who deleted a file cannot be known from the folder: no owner.
        h.add(&NewVersion {
            file: &f,
            at,
            by: "",
            state: VersionState::Removed,
            bytes: None,
            uid: None,
            gid: None,
            mode: None,
            cases: &cases,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Purge at most once a day: the candidates are found with one query, but
/// not on every reload.
fn purge_daily(h: &History, at: DateTime<Utc>, days: u32) -> Result<usize, HistoryError> {
    let last = h
        .meta("purged_at")?
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc));
    if last.is_some_and(|l| at - l < chrono::Duration::days(1) && l <= at) {
        return Ok(0);
    }
    let n = super::purge::purge(h, at, days)?;
    h.set_meta("purged_at", &stamp(at))?;
    Ok(n)
}
