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

/// Open the history of `state_dir` and [`record`] into it.
pub fn record_in(
    state_dir: &Path,
    live: &Live,
    at: DateTime<Utc>,
) -> Result<Recorded, HistoryError> {
    let started = std::time::Instant::now();
    let mut h = History::open(state_dir)?;
    let done = record(&mut h, live, at)?;
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

/// Record every file of `live` whose newest kept version differs (by its
/// bytes or its state), every file kept that is gone (as removed), and,
/// once a day, purge what `[privacy] history_days` lets go. All in one
/// transaction. `at` comes from the daemon's clock.
pub fn record(h: &mut History, live: &Live, at: DateTime<Utc>) -> Result<Recorded, HistoryError> {
    let days = live.config.privacy.history_days;
    h.in_transaction(|h| {
        let mut done = Recorded::default();
        for v in live.versions() {
            let state = if v.applied {
                VersionState::Applied
            } else {
                VersionState::Held
            };
            let latest = h.latest(v.rel)?;
            if latest
                .as_ref()
                .is_some_and(|l| l.hash.as_deref() == v.hash && l.state == state)
            {
                continue;
            }
            let owner = owner_of(v.path);
            let by = owner.map(|o| user_name(o.0)).unwrap_or_default();
            h.add(&NewVersion {
                file: v.rel,
                at,
                by: &by,
                state,
                bytes: v.text.map(str::as_bytes),
                uid: owner.map(|o| o.0),
                gid: owner.map(|o| o.1),
                mode: owner.map(|o| o.2),
                cases: &v.cases,
            })?;
            done.versions += 1;
        }
        done.removed = record_removed(h, live, at)?;
        done.purged = purge_daily(h, at, days)?;
        Ok(done)
    })
}

/// Files the history has as present that the load no longer has. The full
/// list is read only when the counts say a file may be gone, or the store
/// names a vanished one: a reload of one changed file stays cheap.
fn record_removed(h: &History, live: &Live, at: DateTime<Utc>) -> Result<usize, HistoryError> {
    let present: BTreeSet<&str> = std::iter::once(live.main.rel.as_str())
        .chain(live.files.iter().map(|f| f.rel.as_str()))
        .collect();
    if live.vanished.is_empty() && h.present_count()? <= present.len() {
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
