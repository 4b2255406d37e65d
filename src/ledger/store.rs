//! The ledger's records: reminders (due, sent, cancelled) and alerts.

use super::{Key, LedgerError, Role, Row, State};
use crate::engine::Step;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::PathBuf;

pub struct Ledger {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// False for the in-memory stand-in of [`super::Opened::InMemory`].
    pub(super) persistent: bool,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish()
    }
}

impl Ledger {
    pub(super) fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            path: self.path.clone(),
            cause: source,
        }
    }

    /// Is this reminder already recorded (due, sent or cancelled)?
    pub fn contains(&self, key: &Key) -> Result<bool, LedgerError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT 1 FROM reminders WHERE case_ref=?1 AND item=?2 AND deadline=?3 AND step=?4 AND recipient=?5",
            )
            .map_err(|e| self.err(e))?;
        st.exists(params![
            key.case_ref,
            key.item,
            key.deadline.to_string(),
            key.step.key(),
            key.recipient
        ])
        .map_err(|e| self.err(e))
    }

    /// Every recorded key, for a pass to test membership without one query
    /// per reminder.
    pub fn all_keys(&self) -> Result<std::collections::HashSet<Key>, LedgerError> {
        let mut st = self
            .conn
            .prepare("SELECT case_ref, item, deadline, step, recipient FROM reminders")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(Key {
                    case_ref: r.get(0)?,
                    item: r.get(1)?,
                    deadline: parse_day(&r.get::<_, String>(2)?),
                    step: parse_step(r, 3)?,
                    recipient: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Digests of every recorded key (see [`Key::digest`]).
    pub fn all_digests(&self) -> Result<crate::ledger::Digests, LedgerError> {
        Ok(self.all_keys()?.iter().map(Key::digest).collect())
    }

    /// Record new rows as due, each with the Message-ID of its digest, in
    /// one durable transaction. Rows already present are left alone.
    pub fn record_due(&mut self, rows: &[Row]) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            cause: source,
        };
        // IMMEDIATE: the write lock is taken (under busy_timeout) at BEGIN.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(e)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO reminders
                     (case_ref, item, deadline, step, recipient, kind, due_date, act_by, role, late, message_id, state, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'due', ?12)",
                )
                .map_err(e)?;
            for r in rows {
                st.execute(params![
                    r.key.case_ref,
                    r.key.item,
                    r.key.deadline.to_string(),
                    r.key.step.key(),
                    r.key.recipient,
                    r.kind,
                    r.due_date.to_string(),
                    r.act_by.to_string(),
                    r.role.as_str(),
                    late_column(r),
                    r.message_id,
                    r.recorded_at.to_rfc3339(),
                ])
                .map_err(e)?;
            }
        }
        tx.commit().map_err(e)
    }

    /// Rows not yet sent, grouped by Message-ID (oldest first).
    pub fn pending(&self) -> Result<Vec<Row>, LedgerError> {
        self.select(
            "WHERE state='due' ORDER BY recorded_at, message_id, case_ref, item, deadline, step",
            params![],
        )
    }

    /// History, newest first, optionally for one case.
    pub fn history(&self, case_ref: Option<&str>) -> Result<Vec<Row>, LedgerError> {
        match case_ref {
            Some(c) => self.select(
                "WHERE case_ref=?1 ORDER BY recorded_at DESC, item, step, recipient",
                params![c],
            ),
            None => self.select(
                "ORDER BY recorded_at DESC, case_ref, item, step, recipient",
                params![],
            ),
        }
    }

    fn select(&self, tail: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<Row>, LedgerError> {
        let sql = format!(
            "SELECT case_ref, item, deadline, step, recipient, kind, due_date, act_by, role, late, message_id, state,
                    recorded_at, sent_at, attempts, last_error, next_attempt FROM reminders {tail}"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = st
            .query_map(p, |r| {
                Ok(Row {
                    key: Key {
                        case_ref: r.get(0)?,
                        item: r.get(1)?,
                        deadline: parse_day(&r.get::<_, String>(2)?),
                        step: parse_step(r, 3)?,
                        recipient: r.get(4)?,
                    },
                    kind: r.get(5)?,
                    due_date: parse_day(&r.get::<_, String>(6)?),
                    act_by: parse_day(&r.get::<_, String>(7)?),
                    role: Role::parse(&r.get::<_, String>(8)?),
                    late: r.get::<_, i64>(9)? == LATE,
                    new: matches!(r.get::<_, i64>(9)?, NEW | SUMMARY),
                    summary: r.get::<_, i64>(9)? == SUMMARY,
                    message_id: r.get(10)?,
                    state: State::parse(&r.get::<_, String>(11)?),
                    recorded_at: parse_time(&r.get::<_, String>(12)?).unwrap_or_default(),
                    sent_at: r.get::<_, Option<String>>(13)?.and_then(|s| parse_time(&s)),
                    attempts: r.get(14)?,
                    last_error: r.get(15)?,
                    next_attempt: r.get::<_, Option<String>>(16)?.and_then(|s| parse_time(&s)),
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The server accepted the message: mark its rows sent.
    ///
    /// Committed with `synchronous=NORMAL`, not FULL: in WAL mode the mark
    /// is in the log as soon as the commit returns, so a killed process
    /// keeps it; only a power cut in the next moment could lose it, and a
    /// lost mark means the digest is sent once more under its Message-ID,
    /// never that a reminder is lost (its `due` row was written with FULL
    /// before the send). This saves an fsync per digest: 1,000 digests
    /// are 1,000 marks.
    ///
    /// The mark is its own `BEGIN IMMEDIATE` transaction, checked to be
    /// committed when this returns (issue 17, item 9): a write that finds
    /// the ledger busy or locked is logged and tried again at once, up to
    /// [`MARK_ATTEMPTS`] times, and a transaction found open on this
    /// connection (which would hold the mark back until something else
    /// ends it, so a kill -9 loses it) is logged and committed first.
    pub fn mark_sent(&mut self, message_id: &str, at: DateTime<Utc>) -> Result<usize, LedgerError> {
        self.commit_leftover("before a sent mark")?;
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.err(e))?;
        let n = self.write_now("sent mark", |c| {
            c.execute(
                "UPDATE reminders SET state='sent', sent_at=?2, last_error=NULL, next_attempt=NULL
                 WHERE message_id=?1 AND state='due'",
                params![message_id, at.to_rfc3339()],
            )
        });
        let back = self
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.err(e));
        let n = n?;
        back?;
        Ok(n)
    }

    /// A transaction left open on this connection holds every later write
    /// back from the disk. Nothing in docket means to leave one open; if
    /// one is found, it is logged and committed (every writer here meant
    /// its writes to land).
    fn commit_leftover(&mut self, when: &str) -> Result<(), LedgerError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        tracing::error!(
            when,
            "the ledger had a transaction left open; committing it"
        );
        self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction and commit it; busy or
    /// locked is logged and retried at once (the write lock is taken at
    /// BEGIN, under `busy_timeout`, so a deferred read upgraded to a write
    /// cannot fail with SQLITE_BUSY_SNAPSHOT halfway). On return the
    /// connection holds no transaction, whatever happened.
    fn write_now<T>(
        &mut self,
        what: &str,
        mut f: impl FnMut(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, LedgerError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let r = (|| {
                self.conn.execute_batch("BEGIN IMMEDIATE")?;
                let v = f(&self.conn)?;
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            })();
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            match r {
                Ok(v) => return Ok(v),
                Err(e) if is_busy(&e) && attempt < MARK_ATTEMPTS => {
                    tracing::warn!(what, attempt, error = %e, "the ledger is busy; writing again at once");
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt as u64));
                }
                Err(e) => {
                    tracing::error!(what, attempt, error = %e, "cannot write to the ledger");
                    return Err(self.err(e));
                }
            }
        }
    }

    /// A send failed: keep the rows due and note when to try again.
    pub fn mark_failed(
        &mut self,
        message_id: &str,
        error: &str,
        next: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE reminders SET attempts=attempts+1, last_error=?2, next_attempt=?3
                 WHERE message_id=?1 AND state='due'",
                params![message_id, error, next.to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Drop a queued row whose item was resolved or removed meanwhile.
    pub fn cancel(&mut self, key: &Key) -> Result<(), LedgerError> {
        self.conn
            .execute(
                "UPDATE reminders SET state='cancelled' WHERE case_ref=?1 AND item=?2 AND deadline=?3 AND step=?4 AND recipient=?5 AND state='due'",
                params![key.case_ref, key.item, key.deadline.to_string(), key.step.key(), key.recipient],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// `docket forget --case`: every reminder of `case_ref` and every
    /// alert whose key names it go, overwritten (`secure_delete`), and the
    /// file is rewritten without free pages (`VACUUM`, then the WAL is
    /// emptied), so no page of the file still holds the id. Returns the
    /// reminders deleted.
    pub fn forget_case(&mut self, case_ref: &str) -> Result<usize, LedgerError> {
        self.conn
            .execute_batch("PRAGMA secure_delete = ON")
            .map_err(|e| self.err(e))?;
        let n = self
            .conn
            .execute(
                "DELETE FROM reminders WHERE case_ref = ?1 COLLATE NOCASE",
                params![case_ref],
            )
            .map_err(|e| self.err(e))?;
        self.conn
            .execute(
                "DELETE FROM alerts WHERE instr(lower(key), lower(?1)) > 0",
                params![case_ref],
            )
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| self.err(e))?;
        Ok(n)
    }

    /// Cancel a whole queued digest, noting why (its recipient left the
    /// config). Returns the number of rows cancelled.
    pub fn cancel_digest(&mut self, message_id: &str, reason: &str) -> Result<usize, LedgerError> {
        self.conn
            .execute(
                "UPDATE reminders SET state='cancelled', last_error=?2, next_attempt=NULL
                 WHERE message_id=?1 AND state='due'",
                params![message_id, reason],
            )
            .map_err(|e| self.err(e))
    }

    /// Forget sent or cancelled reminders whose deadline and scheduled day
    /// are both before `cutoff`. Unsent rows are never purged. A pass never
    /// sends a reminder scheduled before the cutoff (see
    /// [`crate::daemon::horizon`]), so a purged reminder is not sent again.
    ///
    /// Alerts recorded before `cutoff` go too (issue 19: they were kept
    /// for ever), except an alert about a digest still queued: its key is
    /// `<what>:<Message-ID>` and it is asked on every pass while the digest
    /// waits, so forgetting it would mail it again. Every other key is
    /// dated or names its episode, and is not asked again once past (the
    /// rule is written out in `daemon::alert_texts`). Returns how many
    /// reminders were purged.
    pub fn purge(&mut self, cutoff: NaiveDate) -> Result<usize, LedgerError> {
        let cutoff = cutoff.to_string();
        let reminders = self
            .conn
            .execute(
                "DELETE FROM reminders WHERE state IN ('sent','cancelled') AND deadline < ?1 AND due_date < ?1",
                params![cutoff],
            )
            .map_err(|e| self.err(e))?;
        // `sent_at` is RFC 3339 in UTC: it sorts as text, day first.
        let alerts = self
            .conn
            .execute(
                "DELETE FROM alerts WHERE sent_at < ?1 AND NOT EXISTS (
                    SELECT 1 FROM reminders r WHERE r.state = 'due'
                    AND r.message_id = substr(alerts.key, instr(alerts.key, ':') + 1))",
                params![cutoff],
            )
            .map_err(|e| self.err(e))?;
        if alerts > 0 {
            tracing::debug!(alerts, before = %cutoff, "old alerts forgotten");
        }
        Ok(reminders)
    }

    /// Record that an alert with this key was sent; false if it already was.
    pub fn alert_once(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool, LedgerError> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO alerts (key, sent_at) VALUES (?1, ?2)",
                params![key, at.to_rfc3339()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// When was an alert with this key recorded?
    pub fn alert_sent_at(&self, key: &str) -> Result<Option<String>, LedgerError> {
        self.conn
            .query_row(
                "SELECT sent_at FROM alerts WHERE key=?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, LedgerError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// Attempts at a write that finds the ledger busy (each already waits
/// `busy_timeout`) before its error goes up to the pass.
pub const MARK_ATTEMPTS: u32 = 5;

/// The `late` column: 0 on time, [`LATE`], [`NEW`] (see [`Row::new`]),
/// or [`SUMMARY`] (new, told in a summary: [`Row::summary`]).
const LATE: i64 = 1;
const NEW: i64 = 2;
const SUMMARY: i64 = 3;

fn late_column(r: &Row) -> i64 {
    if r.summary {
        SUMMARY
    } else if r.new {
        NEW
    } else if r.late {
        LATE
    } else {
        0
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked))
}

/// A step column, which only docket writes: a value it cannot read is a
/// damaged row, reported as a conversion error.
fn parse_step(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Step> {
    let text: String = r.get(i)?;
    Step::from_key(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a reminder step: {text:?}").into(),
        )
    })
}

fn parse_day(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::SCHEMA_VERSION;

    /// A fixed moment: the tests never read the real clock.
    fn now() -> DateTime<Utc> {
        "2026-12-01T09:00:00Z".parse().unwrap()
    }

    fn row(case: &str, step: &str, mid: &str) -> Row {
        Row {
            key: Key {
                case_ref: case.into(),
                item: "document:refugee_certificate".into(),
                deadline: "2026-12-18".parse().unwrap(),
                step: Step::from_key(step).unwrap(),
                recipient: "aigerim".into(),
            },
            kind: "refugee_certificate".into(),
            due_date: "2026-12-04".parse().unwrap(),
            act_by: "2026-12-18".parse().unwrap(),
            role: Role::To,
            late: false,
            new: false,
            summary: false,
            message_id: Some(mid.into()),
            state: State::Due,
            recorded_at: now(),
            sent_at: None,
            attempts: 0,
            last_error: None,
            next_attempt: None,
        }
    }

    /// Issue 18, item 10: late and new are kept apart in the `late`
    /// column (0, 1, 2) and read back as they were written.
    #[test]
    fn item10_late_and_new_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let mut rows = vec![
            row("KZ-1", "14d", "<a@docket>"),
            row("KZ-2", "14d", "<a@docket>"),
            row("KZ-3", "14d", "<a@docket>"),
            row("KZ-4", "14d", "<a@docket>"),
        ];
        rows[1].late = true;
        rows[2].new = true;
        // Issue 21: new and told in a summary (3).
        rows[3].new = true;
        rows[3].summary = true;
        l.record_due(&rows).unwrap();
        let mut back = l.pending().unwrap();
        back.sort_by(|a, b| a.key.case_ref.cmp(&b.key.case_ref));
        let flags: Vec<(bool, bool, bool)> =
            back.iter().map(|r| (r.late, r.new, r.summary)).collect();
        assert_eq!(
            flags,
            [
                (false, false, false),
                (true, false, false),
                (false, true, false),
                (false, true, true)
            ]
        );
    }

    #[test]
    fn write_ahead_then_sent() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        let r = row("KZ-1", "14d", "<a@docket>");
        assert!(!l.contains(&r.key).unwrap());
        l.record_due(std::slice::from_ref(&r)).unwrap();
        assert!(l.contains(&r.key).unwrap());
        assert_eq!(l.pending().unwrap().len(), 1);
        // Recording again is a no-op, not a duplicate.
        l.record_due(std::slice::from_ref(&r)).unwrap();
        assert_eq!(l.pending().unwrap().len(), 1);
        l.mark_failed("<a@docket>", "421 try later", now()).unwrap();
        let p = l.pending().unwrap();
        assert_eq!(p[0].attempts, 1);
        assert_eq!(p[0].last_error.as_deref(), Some("421 try later"));
        assert_eq!(l.mark_sent("<a@docket>", now()).unwrap(), 1);
        assert!(l.pending().unwrap().is_empty());
        assert_eq!(l.history(Some("KZ-1")).unwrap()[0].state, State::Sent);
    }

    #[test]
    fn survives_reopen_and_purges_only_sent() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut l = Ledger::open(dir.path()).unwrap();
            l.record_due(&[row("KZ-1", "14d", "<a@d>"), row("KZ-2", "7d", "<b@d>")])
                .unwrap();
            l.mark_sent("<a@d>", now()).unwrap();
        }
        let mut l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.history(None).unwrap().len(), 2);
        // Deadline 2026-12-18; 90 days later both are old, only the sent one goes.
        let purged = l.purge("2027-03-01".parse().unwrap()).unwrap();
        assert_eq!(purged, 1);
        assert_eq!(l.pending().unwrap().len(), 1);
    }

    /// Issue 17, item 9: a transaction left open on the daemon's
    /// connection held sent marks back from the disk (a kill -9 then sent
    /// the digests again). The mark commits it and itself.
    #[test]
    fn a_sent_mark_is_committed_despite_a_transaction_left_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        l.record_due(&[row("KZ-1", "14d", "<a@d>")]).unwrap();
        l.conn.execute_batch("BEGIN").unwrap();
        assert_eq!(l.mark_sent("<a@d>", now()).unwrap(), 1);
        assert!(l.conn.is_autocommit(), "a transaction is left open");
        let fresh = Connection::open(Ledger::path_in(dir.path())).unwrap();
        let state: String = fresh
            .query_row("SELECT state FROM reminders", [], |r| r.get(0))
            .unwrap();
        assert_eq!(state, "sent", "the mark is not on disk");
    }

    /// Issue 17, item 9: a sent mark that finds the ledger locked for
    /// longer than `busy_timeout` is logged and written again, not lost.
    #[test]
    fn a_sent_mark_is_retried_when_the_ledger_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        l.record_due(&[row("KZ-1", "14d", "<a@d>")]).unwrap();
        let path = Ledger::path_in(dir.path());
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let holder = std::thread::spawn(move || {
            let c = Connection::open(path).unwrap();
            c.execute_batch("BEGIN IMMEDIATE").unwrap();
            locked_tx.send(()).unwrap();
            // Longer than the 5 s busy_timeout of one attempt.
            std::thread::sleep(std::time::Duration::from_millis(6_000));
            c.execute_batch("COMMIT").unwrap();
        });
        locked_rx.recv().unwrap();
        let n = l.mark_sent("<a@d>", now());
        holder.join().unwrap();
        assert_eq!(n.unwrap(), 1);
        assert!(l.pending().unwrap().is_empty());
    }

    /// Issue 17: after a purge, the purged case references are not left in
    /// the file's free pages (`secure_delete`).
    #[test]
    fn a_purge_leaves_no_case_reference_in_free_pages() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut l = Ledger::open(dir.path()).unwrap();
            let mut rows = Vec::new();
            for i in 0..300 {
                let mut r = row(&format!("KZ-PURGED-{i:04}"), "14d", "<p@d>");
                r.key.recipient = format!("cw{i}");
                rows.push(r);
            }
            rows.push(row("KZ-KEPT", "14d", "<k@d>"));
            l.record_due(&rows).unwrap();
            l.mark_sent("<p@d>", now()).unwrap();
            // Checkpointed, so the rows are in the main file.
            l.conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
            assert_eq!(l.purge("2027-03-01".parse().unwrap()).unwrap(), 300);
            l.conn
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
        }
        let mut bytes = std::fs::read(Ledger::path_in(dir.path())).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("ledger.sqlite3-wal")) {
            bytes.extend(wal);
        }
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"KZ-KEPT"), "the kept row is there");
        assert!(
            !has(b"KZ-PURGED"),
            "a purged case reference is left in the file"
        );
    }

    #[test]
    fn ledger_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        Ledger::open(dir.path()).unwrap();
        let mode = std::fs::metadata(Ledger::path_in(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        {
            let l = Ledger::open(dir.path()).unwrap();
            l.conn.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(
            Ledger::open(dir.path()),
            Err(LedgerError::TooNew { found: 99, .. })
        ));
    }

    /// Issue 19: the alerts table was never purged. An alert recorded
    /// before the horizon goes at the purge, like a reminder; one after it
    /// stays; one about a digest still queued stays (`stale:`, `failed:`
    /// are asked on every pass while it waits: once-only).
    #[test]
    fn alerts_are_purged_at_the_horizon_like_reminders() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        let old: DateTime<Utc> = "2026-11-01T10:00:00Z".parse().unwrap();
        let recent: DateTime<Utc> = "2027-03-05T10:00:00Z".parse().unwrap();
        // A digest still queued (never sent), and one sent.
        l.record_due(&[
            row("KZ-1", "14d", "<queued@d>"),
            row("KZ-2", "7d", "<sent@d>"),
        ])
        .unwrap();
        l.mark_sent("<sent@d>", old).unwrap();
        for key in [
            "pass-failed:ledger:2026-11-01",
            "scheduler-restart:2026-11-01",
            "stale:<sent@d>",
            "stale:<queued@d>",
            "failed:<queued@d>",
        ] {
            assert!(l.alert_once(key, old).unwrap());
        }
        assert!(l
            .alert_once("pass-failed:ledger:2027-03-05", recent)
            .unwrap());
        l.purge("2027-03-01".parse().unwrap()).unwrap();
        let kept = |l: &Ledger, k: &str| l.alert_sent_at(k).unwrap().is_some();
        assert!(!kept(&l, "pass-failed:ledger:2026-11-01"));
        assert!(!kept(&l, "scheduler-restart:2026-11-01"));
        assert!(!kept(&l, "stale:<sent@d>"));
        assert!(kept(&l, "stale:<queued@d>"), "a queued digest's alert");
        assert!(kept(&l, "failed:<queued@d>"), "a queued digest's alert");
        assert!(
            kept(&l, "pass-failed:ledger:2027-03-05"),
            "after the cutoff"
        );
        // Once purged, a key can be recorded (so mailed) again.
        assert!(l
            .alert_once("scheduler-restart:2026-11-01", recent)
            .unwrap());
    }

    #[test]
    fn alerts_are_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        assert!(l.alert_once("unsent:<a@d>", now()).unwrap());
        assert!(!l.alert_once("unsent:<a@d>", now()).unwrap());
    }
}
