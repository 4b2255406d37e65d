//! The ledger: an SQLite database of every reminder docket decided to send,
//! and whether the mail server accepted it. It is the single source of truth
//! for "was this already sent?": the scheduler never is.
//!
//! Write-ahead: a reminder is recorded as `due` (with the Message-ID of the
//! digest it goes in) and committed *before* the send, and marked `sent`
//! after the server accepts it. A crash between the two leaves the row
//! `due`, and the next pass resends the same digest with the same
//! Message-ID: at most one duplicate per crash, never a loss.
//!
//! Privacy: rows hold case references, kinds, dates, caseworker ids and
//! message ids. Never names, never document numbers, never addresses of
//! the people in the cases.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};

/// Current schema version; `migrate` brings older files forward.
pub const SCHEMA_VERSION: i64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create state directory {path}: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("state directory {dir} is not writable, so the ledger {path} cannot be kept there: {source}")]
    NotWritable {
        dir: PathBuf,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("ledger {path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("ledger {path} has schema version {found}, newer than this docket understands ({SCHEMA_VERSION}); upgrade docket")]
    TooNew { path: PathBuf, found: i64 },
}

impl LedgerError {
    /// The file is not a usable SQLite database any more: set it aside.
    pub fn is_corrupt(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            LedgerError::Corrupt { .. } => true,
            LedgerError::Sqlite { source, .. } => {
                matches!(
                    source.sqlite_error_code(),
                    Some(DatabaseCorrupt | NotADatabase)
                )
            }
            _ => false,
        }
    }

    /// The ledger cannot be written where it is (read-only, no space, no
    /// permission): keep going in memory and tell the admin.
    pub fn is_unwritable(&self) -> bool {
        use rusqlite::ErrorCode::{
            CannotOpen, DiskFull, PermissionDenied, ReadOnly, SystemIoFailure,
        };
        match self {
            LedgerError::NotWritable { .. } | LedgerError::Dir { .. } => true,
            LedgerError::Sqlite { source, .. } => matches!(
                source.sqlite_error_code(),
                Some(ReadOnly | DiskFull | PermissionDenied | CannotOpen | SystemIoFailure)
            ),
            _ => false,
        }
    }
}

/// How [`Ledger::open_resilient`] got a ledger.
#[derive(Debug)]
pub enum Opened {
    /// The ledger file in `state_dir`, as it was.
    File(Ledger),
    /// The file was damaged: it was renamed to `set_aside` (kept for
    /// inspection) and a fresh ledger started. What it recorded is
    /// forgotten, so recent reminders may be sent again.
    Recovered {
        ledger: Ledger,
        set_aside: PathBuf,
        reason: String,
    },
    /// `state_dir` cannot be written: a ledger in memory keeps reminders
    /// going (each restart may repeat them) until it can be.
    InMemory { ledger: Ledger, reason: String },
}

/// The identity of one reminder to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub case_ref: String,
    /// "document:refugee_certificate", "bill:senate", …
    pub item: String,
    pub deadline: NaiveDate,
    /// "30d", "overdue-3", "review-0", "stage", "unblocked".
    pub step: String,
    /// Caseworker id.
    pub recipient: String,
}

impl Key {
    /// A 128-bit digest of the key (see [`digest_bytes`]), for an
    /// in-memory index of what the ledger holds: 16 bytes per reminder
    /// instead of five strings. At 10^7 keys the chance of any collision is
    /// below 10^-24, far below the chance of a disk error.
    pub fn digest(&self) -> u128 {
        let mut buf = String::with_capacity(96);
        Key::write_canonical(
            &mut buf,
            &self.case_ref,
            &self.item,
            self.deadline,
            &self.step,
            &self.recipient,
        );
        digest_bytes(buf.as_bytes())
    }

    /// The text a key's digest is computed over: its fields, each followed
    /// by the unit separator. Exposed so a pass can digest a candidate key
    /// in a reused buffer without allocating five strings for it.
    pub fn write_canonical(
        buf: &mut String,
        case_ref: &str,
        item: &str,
        deadline: NaiveDate,
        step: &str,
        recipient: &str,
    ) {
        use std::fmt::Write;
        buf.clear();
        for part in [case_ref, item] {
            buf.push_str(part);
            buf.push('\x1f');
        }
        let _ = write!(buf, "{deadline}\x1f");
        for part in [step, recipient] {
            buf.push_str(part);
            buf.push('\x1f');
        }
    }
}

/// Two independent SipHash-1-3 digests (std's hasher, fixed keys, domain-
/// separated) make 128 bits. The index is rebuilt from the ledger's strings
/// at every start, so the value only has to be stable within one process.
pub fn digest_bytes(bytes: &[u8]) -> u128 {
    use std::hash::Hasher;
    let half = |domain: u8| {
        let mut h = std::hash::DefaultHasher::new();
        h.write_u8(domain);
        h.write(bytes);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

/// A reminder row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: Key,
    pub kind: String,
    /// The day the reminder was scheduled for.
    pub due_date: NaiveDate,
    pub act_by: NaiveDate,
    /// "to" or "cc" (a supervisor copied on an escalation).
    pub role: String,
    /// Sent on a later day than scheduled (catch-up).
    pub late: bool,
    pub message_id: Option<String>,
    pub state: State,
    pub recorded_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Recorded, not yet accepted by the server.
    Due,
    /// Accepted by the server.
    Sent,
    /// Dropped before sending: the item was resolved or removed meanwhile.
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Due => "due",
            State::Sent => "sent",
            State::Cancelled => "cancelled",
        }
    }
    fn parse(s: &str) -> State {
        match s {
            "sent" => State::Sent,
            "cancelled" => State::Cancelled,
            _ => State::Due,
        }
    }
}

pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    /// False for the in-memory stand-in of [`Opened::InMemory`].
    persistent: bool,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish()
    }
}

const FILE_NAME: &str = "ledger.sqlite3";

impl Ledger {
    /// The ledger's path inside `state_dir`.
    pub fn path_in(state_dir: &Path) -> PathBuf {
        state_dir.join(FILE_NAME)
    }

    /// Open (creating if needed) the ledger in `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(state_dir)
            .map_err(|source| LedgerError::Dir {
                path: state_dir.to_path_buf(),
                source,
            })?;
        let path = Self::path_in(state_dir);
        // Create the file owner-only before SQLite does, whatever the umask:
        // it lists which cases were reminded, to whom and when.
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)
                .map_err(|source| LedgerError::NotWritable {
                    dir: state_dir.to_path_buf(),
                    path: path.clone(),
                    source,
                })?;
        }
        let conn = Connection::open(&path).map_err(|source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        })?;
        let mut l = Ledger {
            conn,
            path,
            persistent: true,
        };
        l.init()?;
        l.verify()?;
        Ok(l)
    }

    /// Open the ledger in `state_dir` whatever state it is in: duplicates
    /// beat silence. A damaged file is set aside and a fresh ledger
    /// started; a state directory that cannot be written gets a ledger in
    /// memory. Only a ledger from a newer docket is refused.
    pub fn open_resilient(state_dir: &Path) -> Result<Opened, LedgerError> {
        match Ledger::open(state_dir) {
            Ok(l) => Ok(Opened::File(l)),
            Err(e) if e.is_corrupt() => {
                let reason = e.to_string();
                let set_aside = match Ledger::set_aside(state_dir) {
                    Ok(p) => p,
                    Err(io) => {
                        return Ok(Opened::InMemory {
                            ledger: Ledger::in_memory()?,
                            reason: format!(
                                "{reason}; it could not be set aside ({io}), so docket keeps its record in memory"
                            ),
                        })
                    }
                };
                match Ledger::open(state_dir) {
                    Ok(ledger) => Ok(Opened::Recovered {
                        ledger,
                        set_aside,
                        reason,
                    }),
                    Err(e2) => Ok(Opened::InMemory {
                        ledger: Ledger::in_memory()?,
                        reason: format!("{reason}; a fresh ledger could not be started: {e2}"),
                    }),
                }
            }
            Err(e @ LedgerError::TooNew { .. }) => Err(e),
            Err(e) => Ok(Opened::InMemory {
                ledger: Ledger::in_memory()?,
                reason: e.to_string(),
            }),
        }
    }

    /// A ledger in memory, for when `state_dir` cannot be written.
    pub fn in_memory() -> Result<Ledger, LedgerError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        })?;
        let mut l = Ledger {
            conn,
            path,
            persistent: false,
        };
        l.init()?;
        Ok(l)
    }

    /// Is this the ledger file (not the in-memory stand-in)?
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// Move an in-memory ledger to `state_dir` once it can be written: the
    /// file ledger is opened (recovered if damaged) and every row recorded
    /// in memory is copied into it. On failure nothing changes.
    pub fn persist_into(&mut self, state_dir: &Path) -> Result<(), LedgerError> {
        let file = match Ledger::open_resilient(state_dir)? {
            Opened::File(l) | Opened::Recovered { ledger: l, .. } => l,
            Opened::InMemory { reason, .. } => {
                return Err(LedgerError::NotWritable {
                    dir: state_dir.to_path_buf(),
                    path: Ledger::path_in(state_dir),
                    source: std::io::Error::other(reason),
                })
            }
        };
        let path = file.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        drop(file);
        self.conn
            .execute(
                "ATTACH DATABASE ?1 AS disk",
                params![path.to_string_lossy()],
            )
            .map_err(e)?;
        let copied = self.conn.execute_batch(
            "BEGIN;
             INSERT OR IGNORE INTO disk.reminders SELECT * FROM main.reminders;
             INSERT OR IGNORE INTO disk.alerts SELECT * FROM main.alerts;
             COMMIT;",
        );
        let _ = self.conn.execute_batch("DETACH DATABASE disk");
        copied.map_err(e)?;
        *self = Ledger::open(state_dir)?;
        Ok(())
    }

    /// Rename a damaged ledger (and its -wal/-shm) out of the way, keeping
    /// it for inspection. Returns the new name of the main file.
    fn set_aside(state_dir: &Path) -> std::io::Result<PathBuf> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
        let path = Self::path_in(state_dir);
        let aside = state_dir.join(format!("{FILE_NAME}.corrupt-{stamp}"));
        std::fs::rename(&path, &aside)?;
        for ext in ["-wal", "-shm"] {
            let from = state_dir.join(format!("{FILE_NAME}{ext}"));
            if from.exists() {
                let _ = std::fs::rename(
                    &from,
                    state_dir.join(format!("{FILE_NAME}.corrupt-{stamp}{ext}")),
                );
            }
        }
        Ok(aside)
    }

    /// A quick integrity check at open: a damaged file is found at start,
    /// not halfway through a pass.
    fn verify(&self) -> Result<(), LedgerError> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(LedgerError::Corrupt {
                path: self.path.clone(),
                detail: verdict,
            })
        }
    }

    /// Open an existing ledger read-only (for `preview` and `history`);
    /// `None` when there is none yet.
    pub fn open_read_only(state_dir: &Path) -> Result<Option<Ledger>, LedgerError> {
        let path = Self::path_in(state_dir);
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        })?;
        Ok(Some(Ledger {
            conn,
            path,
            persistent: true,
        }))
    }

    fn err(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn init(&mut self) -> Result<(), LedgerError> {
        // WAL lets `history` read while the daemon writes; FULL makes every
        // commit durable before we send, which the write-ahead rule needs.
        self.conn
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")
            .map_err(|e| self.err(e))?;
        self.migrate()
    }

    fn migrate(&mut self) -> Result<(), LedgerError> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        if version > SCHEMA_VERSION {
            return Err(LedgerError::TooNew {
                path: self.path.clone(),
                found: version,
            });
        }
        // Each step moves the schema one version forward, in one transaction.
        const STEPS: &[&str] = &[
            // 0 -> 1
            "CREATE TABLE reminders (
                case_ref    TEXT NOT NULL,
                item        TEXT NOT NULL,
                deadline    TEXT NOT NULL,
                step        TEXT NOT NULL,
                recipient   TEXT NOT NULL,
                kind        TEXT NOT NULL,
                due_date    TEXT NOT NULL,
                act_by      TEXT NOT NULL,
                role        TEXT NOT NULL,
                late        INTEGER NOT NULL DEFAULT 0,
                message_id  TEXT,
                state       TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                sent_at     TEXT,
                attempts    INTEGER NOT NULL DEFAULT 0,
                last_error  TEXT,
                next_attempt TEXT,
                PRIMARY KEY (case_ref, item, deadline, step, recipient)
            ) WITHOUT ROWID;
            CREATE INDEX reminders_state ON reminders(state, message_id);
            CREATE TABLE alerts (
                key       TEXT PRIMARY KEY,
                sent_at   TEXT NOT NULL
            ) WITHOUT ROWID;",
            // 1 -> 2: purge finds old rows by deadline without a full scan.
            "CREATE INDEX reminders_deadline ON reminders(deadline);",
        ];
        for (v, sql) in STEPS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction().map_err(|e| LedgerError::Sqlite {
                path: self.path.clone(),
                source: e,
            })?;
            tx.execute_batch(sql).map_err(|e| LedgerError::Sqlite {
                path: self.path.clone(),
                source: e,
            })?;
            tx.pragma_update(None, "user_version", (v + 1) as i64)
                .map_err(|e| LedgerError::Sqlite {
                    path: self.path.clone(),
                    source: e,
                })?;
            tx.commit().map_err(|e| LedgerError::Sqlite {
                path: self.path.clone(),
                source: e,
            })?;
        }
        Ok(())
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
            key.step,
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
                    step: r.get(3)?,
                    recipient: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Digests of every recorded key (see [`Key::digest`]).
    pub fn all_digests(&self) -> Result<std::collections::HashSet<u128>, LedgerError> {
        Ok(self.all_keys()?.iter().map(Key::digest).collect())
    }

    /// Record new rows as due, each with the Message-ID of its digest, in
    /// one durable transaction. Rows already present are left alone.
    pub fn record_due(&mut self, rows: &[Row]) -> Result<(), LedgerError> {
        let path = self.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(e)?;
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
                    r.key.step,
                    r.key.recipient,
                    r.kind,
                    r.due_date.to_string(),
                    r.act_by.to_string(),
                    r.role,
                    r.late,
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
                        step: r.get(3)?,
                        recipient: r.get(4)?,
                    },
                    kind: r.get(5)?,
                    due_date: parse_day(&r.get::<_, String>(6)?),
                    act_by: parse_day(&r.get::<_, String>(7)?),
                    role: r.get(8)?,
                    late: r.get(9)?,
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
    pub fn mark_sent(&mut self, message_id: &str, at: DateTime<Utc>) -> Result<usize, LedgerError> {
        self.conn
            .execute(
                "UPDATE reminders SET state='sent', sent_at=?2, last_error=NULL, next_attempt=NULL
                 WHERE message_id=?1 AND state='due'",
                params![message_id, at.to_rfc3339()],
            )
            .map_err(|e| self.err(e))
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
                params![key.case_ref, key.item, key.deadline.to_string(), key.step, key.recipient],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
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
    pub fn purge(&mut self, cutoff: NaiveDate) -> Result<usize, LedgerError> {
        self.conn
            .execute(
                "DELETE FROM reminders WHERE state IN ('sent','cancelled') AND deadline < ?1 AND due_date < ?1",
                params![cutoff.to_string()],
            )
            .map_err(|e| self.err(e))
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

    fn row(case: &str, step: &str, mid: &str) -> Row {
        Row {
            key: Key {
                case_ref: case.into(),
                item: "document:refugee_certificate".into(),
                deadline: "2026-12-18".parse().unwrap(),
                step: step.into(),
                recipient: "aigerim".into(),
            },
            kind: "refugee_certificate".into(),
            due_date: "2026-12-04".parse().unwrap(),
            act_by: "2026-12-18".parse().unwrap(),
            role: "to".into(),
            late: false,
            message_id: Some(mid.into()),
            state: State::Due,
            recorded_at: Utc::now(),
            sent_at: None,
            attempts: 0,
            last_error: None,
            next_attempt: None,
        }
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
        l.mark_failed("<a@docket>", "421 try later", Utc::now())
            .unwrap();
        let p = l.pending().unwrap();
        assert_eq!(p[0].attempts, 1);
        assert_eq!(p[0].last_error.as_deref(), Some("421 try later"));
        assert_eq!(l.mark_sent("<a@docket>", Utc::now()).unwrap(), 1);
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
            l.mark_sent("<a@d>", Utc::now()).unwrap();
        }
        let mut l = Ledger::open(dir.path()).unwrap();
        assert_eq!(l.history(None).unwrap().len(), 2);
        // Deadline 2026-12-18; 90 days later both are old, only the sent one goes.
        let purged = l.purge("2027-03-01".parse().unwrap()).unwrap();
        assert_eq!(purged, 1);
        assert_eq!(l.pending().unwrap().len(), 1);
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

    #[test]
    fn alerts_are_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(dir.path()).unwrap();
        assert!(l.alert_once("unsent:<a@d>", Utc::now()).unwrap());
        assert!(!l.alert_once("unsent:<a@d>", Utc::now()).unwrap());
    }
}
