//! The revision of every calendar feed event (`SEQUENCE`, `DTSTAMP` and a
//! hash of its content), so a feed changes only where its events do. Not
//! a record of what was sent: losing it costs calendars one refresh with
//! new stamps, never a reminder. It is also docket's memory of which
//! deadlines it has seen: a reminder told after its day is late for an
//! item a feed already held, new for any other (`daemon::compose`); losing
//! it tells a missed one as new, never loses or repeats it.

use super::{Ledger, LedgerError};
use chrono::{DateTime, Utc};
use rusqlite::params;
use std::collections::HashMap;

/// An event's revision: its content hash, `SEQUENCE` and `DTSTAMP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    pub hash: u64,
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
}

/// A stored row's revision.
fn revision(hash: i64, seq: i64, stamp: i64) -> Revision {
    Revision {
        hash: hash as u64,
        sequence: seq.clamp(0, i64::from(u32::MAX)) as u32,
        stamp: DateTime::from_timestamp(stamp, 0).unwrap_or_default(),
    }
}

/// Revisions by feed name, then by event id.
pub type FeedRevisions = HashMap<String, HashMap<u64, Revision>>;

impl Ledger {
    /// Every feed's revisions (the tests' view of the whole table; docket
    /// itself reads one feed's at a time, [`Ledger::feed_revisions_of`]).
    #[cfg(test)]
    pub fn feed_revisions(&self) -> Result<FeedRevisions, LedgerError> {
        let mut out: FeedRevisions = HashMap::new();
        let mut stmt = match self
            .conn
            .prepare("SELECT feed, id, hash, sequence, stamp FROM feed_revisions")
        {
            Ok(s) => s,
            Err(e) if e.to_string().contains("no such table") => return Ok(out),
            Err(e) => return Err(self.err(e)),
        };
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (feed, id, hash, seq, stamp) = row.map_err(|e| self.err(e))?;
            out.entry(feed)
                .or_default()
                .insert(id as u64, revision(hash, seq, stamp));
        }
        Ok(out)
    }

    /// One feed's revisions (by its primary key: no scan of the others'),
    /// so a writer holds one feed's at a time. An older ledger opened
    /// read-only (before feeds existed) has none.
    pub fn feed_revisions_of(&self, feed: &str) -> Result<HashMap<u64, Revision>, LedgerError> {
        let mut out = HashMap::new();
        let mut stmt = match self
            .conn
            .prepare_cached("SELECT id, hash, sequence, stamp FROM feed_revisions WHERE feed = ?1")
        {
            Ok(s) => s,
            Err(e) if e.to_string().contains("no such table") => return Ok(out),
            Err(e) => return Err(self.err(e)),
        };
        let rows = stmt
            .query_map([feed], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (id, hash, seq, stamp) = row.map_err(|e| self.err(e))?;
            out.insert(id as u64, revision(hash, seq, stamp));
        }
        Ok(out)
    }

    /// Bring `feed`'s stored revisions from `known` to `now` in one
    /// transaction: only the changed rows are written, events gone from the
    /// feed are forgotten. Returns the rows written.
    pub fn update_feed(
        &mut self,
        feed: &str,
        known: &HashMap<u64, Revision>,
        now: &HashMap<u64, Revision>,
    ) -> Result<usize, LedgerError> {
        let changed: Vec<(&u64, &Revision)> = now
            .iter()
            .filter(|(id, r)| known.get(id) != Some(r))
            .collect();
        let gone: Vec<&u64> = known.keys().filter(|id| !now.contains_key(id)).collect();
        if changed.is_empty() && gone.is_empty() {
            return Ok(0);
        }
        let path = self.path.clone();
        let err = |source| LedgerError::Sqlite {
            path: path.clone(),
            cause: source,
        };
        // IMMEDIATE: a deferred transaction upgraded to a write fails at
        // once with SQLITE_BUSY_SNAPSHOT when the daemon wrote meanwhile.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO feed_revisions (feed, id, hash, sequence, stamp) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            for (id, r) in &changed {
                put.execute(params![
                    feed,
                    **id as i64,
                    r.hash as i64,
                    i64::from(r.sequence),
                    r.stamp.timestamp()
                ])
                .map_err(err)?;
            }
            let mut del = tx
                .prepare_cached("DELETE FROM feed_revisions WHERE feed = ?1 AND id = ?2")
                .map_err(err)?;
            for id in &gone {
                del.execute(params![feed, **id as i64]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(changed.len() + gone.len())
    }

    /// Which of these events (feed name, event id) the feeds already hold:
    /// the items docket had seen before, as far as the feeds remember
    /// (`daemon::compose`: an item told after its day is late only if
    /// docket knew it). Point lookups on the primary key, so a pass that
    /// asks about a few items after downtime costs little at any size. An
    /// older ledger opened read-only (before feeds existed) holds none.
    pub fn feed_events_known(
        &self,
        events: &[(String, u64)],
    ) -> Result<std::collections::HashSet<u64>, LedgerError> {
        let mut out = std::collections::HashSet::new();
        if events.is_empty() {
            return Ok(out);
        }
        let mut stmt = match self
            .conn
            .prepare_cached("SELECT 1 FROM feed_revisions WHERE feed = ?1 AND id = ?2")
        {
            Ok(s) => s,
            Err(e) if e.to_string().contains("no such table") => return Ok(out),
            Err(e) => return Err(self.err(e)),
        };
        for (feed, id) in events {
            if out.contains(id) {
                continue;
            }
            if stmt
                .exists(params![feed, *id as i64])
                .map_err(|e| self.err(e))?
            {
                out.insert(*id);
            }
        }
        Ok(out)
    }

    /// Forget the revisions of feeds no longer written (a caseworker left).
    pub fn keep_feeds(&mut self, names: &[String]) -> Result<usize, LedgerError> {
        let existing: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT feed FROM feed_revisions")
                .map_err(|e| self.err(e))?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        let mut n = 0;
        for f in existing.iter().filter(|f| !names.contains(f)) {
            n += self
                .conn
                .execute("DELETE FROM feed_revisions WHERE feed = ?1", params![f])
                .map_err(|e| self.err(e))?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_round_trip_and_only_changes_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let r = |seq: u32| Revision {
            hash: u64::MAX - 1,
            sequence: seq,
            stamp: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let first: HashMap<u64, Revision> = [(u64::MAX, r(0)), (7, r(0))].into();
        assert_eq!(
            l.update_feed("aigerim", &HashMap::new(), &first).unwrap(),
            2
        );
        assert_eq!(l.feed_revisions().unwrap()["aigerim"], first);
        assert_eq!(l.update_feed("aigerim", &first, &first).unwrap(), 0);
        let second: HashMap<u64, Revision> = [(u64::MAX, r(1))].into();
        assert_eq!(l.update_feed("aigerim", &first, &second).unwrap(), 2);
        assert_eq!(l.feed_revisions().unwrap()["aigerim"], second);
        assert_eq!(l.feed_revisions_of("aigerim").unwrap(), second);
        assert!(l.feed_revisions_of("dana").unwrap().is_empty());
        let known = l
            .feed_events_known(&[
                ("aigerim".into(), u64::MAX),
                ("aigerim".into(), 8),
                ("dana".into(), u64::MAX),
            ])
            .unwrap();
        assert_eq!(known, [u64::MAX].into());
        assert_eq!(l.keep_feeds(&["dana".into()]).unwrap(), 1);
        assert!(l.feed_revisions().unwrap().is_empty());
    }
}
