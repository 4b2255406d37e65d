//! `[privacy] history_days`: which versions the history lets go.
//!
//! A version is purged once it was replaced (the next version of its file
//! was seen) longer ago than `history_days`: what is on disk now is always
//! kept, and so is every version that was in effect at some moment within
//! the window, so `restore` can put back anything from those days. A
//! removal is purged with the last version before it: a mark that a file
//! was deleted, with nothing left to put back, says nothing.

use super::base::HistoryError;
use super::base::VersionState;
use super::store::{stamp, History};
use chrono::{DateTime, Utc};

/// A version as the rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub version: u32,
    pub at: DateTime<Utc>,
    pub removed: bool,
}

/// The versions of one file (oldest first) to purge at `now`.
pub fn to_purge(versions: &[Seen], now: DateTime<Utc>, days: u32) -> Vec<u32> {
    let cutoff = now - chrono::Duration::days(i64::from(days));
    let mut out: Vec<u32> = versions
        .windows(2)
        .filter(|w| w[1].at < cutoff)
        .map(|w| w[0].version)
        .collect();
    if let Some(last) = versions.last() {
        if last.removed && last.at < cutoff && out.len() + 1 == versions.len() {
            out.push(last.version);
        }
    }
    out
}

/// Apply the rule to the whole history: only files with a version old
/// enough to be a candidate are read. Returns how many versions went.
pub fn purge(h: &History, now: DateTime<Utc>, days: u32) -> Result<usize, HistoryError> {
    let cutoff = stamp(now - chrono::Duration::days(i64::from(days)));
    let mut files = Vec::new();
    {
        let sql = "SELECT DISTINCT v.file FROM versions v JOIN latest l ON l.file = v.file
                   WHERE v.at < ?1 AND (v.version < l.version OR v.state = 'removed')";
        let conn = h.conn();
        let mut s = conn.prepare(sql).map_err(|e| h.err(e))?;
        let rows = s
            .query_map([&cutoff], |r| r.get::<_, String>(0))
            .map_err(|e| h.err(e))?;
        for r in rows {
            files.push(r.map_err(|e| h.err(e))?);
        }
    }
    let mut n = 0;
    for f in files {
        let seen: Vec<Seen> = h
            .versions_of(&f)?
            .iter()
            .map(|v| Seen {
                version: v.version,
                at: v.at,
                removed: v.state == VersionState::Removed,
            })
            .collect();
        let gone = to_purge(&seen, now, days);
        if !gone.is_empty() {
            n += gone.len();
            h.delete_versions(&f, &gone)?;
        }
    }
    if n > 0 {
        h.drop_unused_blobs()?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn seen(list: &[(u32, &str, bool)]) -> Vec<Seen> {
        list.iter()
            .map(|&(version, at, removed)| Seen {
                version,
                at: t(at),
                removed,
            })
            .collect()
    }

    /// The rule, as a table: (versions, now, days, purged).
    #[test]
    fn versions_replaced_longer_ago_than_history_days_are_purged() {
        let now = "2026-12-06T00:00:00Z";
        /// (versions as (number, seen, removed), days, purged).
        type Row<'a> = (&'a [(u32, &'a str, bool)], u32, &'a [u32]);
        let cases: &[Row<'_>] = &[
            // One version: what is on disk, never purged however old.
            (&[(1, "2020-01-01T00:00:00Z", false)], 400, &[]),
            // v1 replaced 401 days ago: gone; v2 is on disk.
            (
                &[
                    (1, "2024-01-01T00:00:00Z", false),
                    (2, "2025-10-31T00:00:00Z", false),
                ],
                400,
                &[1],
            ),
            // v1 replaced 399 days ago: kept.
            (
                &[
                    (1, "2024-01-01T00:00:00Z", false),
                    (2, "2025-11-02T00:00:00Z", false),
                ],
                400,
                &[],
            ),
            // Exactly at the cutoff: kept (replaced not *longer* ago).
            (
                &[
                    (1, "2024-01-01T00:00:00Z", false),
                    (2, "2025-11-01T00:00:00Z", false),
                ],
                400,
                &[],
            ),
            // A deletion long ago: the last text and the removal go.
            (
                &[
                    (1, "2024-01-01T00:00:00Z", false),
                    (2, "2024-02-01T00:00:00Z", true),
                ],
                400,
                &[1, 2],
            ),
            // A recent deletion: the last text stays restorable.
            (
                &[
                    (1, "2024-01-01T00:00:00Z", false),
                    (2, "2026-12-01T00:00:00Z", true),
                ],
                400,
                &[],
            ),
            // A short window: only versions replaced within a day stay.
            (
                &[
                    (1, "2026-12-01T00:00:00Z", false),
                    (2, "2026-12-04T00:00:00Z", false),
                    (3, "2026-12-05T12:00:00Z", false),
                ],
                1,
                &[1],
            ),
        ];
        assert!(!cases.is_empty());
        for (versions, days, want) in cases {
            let got = to_purge(&seen(versions), t(now), *days);
            assert_eq!(&got, want, "{versions:?} with {days} days");
        }
    }
}
