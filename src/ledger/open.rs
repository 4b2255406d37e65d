//! Opening the ledger: creating it private, migrating its schema forward,
//! checking it, and what to do when it cannot be used (set a damaged file
//! aside, keep the record in memory while the directory cannot be written).

use super::{Ledger, LedgerError, Opened};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

/// Current schema version; `migrate` brings older files forward.
pub const SCHEMA_VERSION: i64 = 3;

const FILE_NAME: &str = "ledger.sqlite3";

impl Ledger {
    /// The ledger's path inside `state_dir`.
    pub fn path_in(state_dir: &Path) -> PathBuf {
        state_dir.join(FILE_NAME)
    }

    /// Open (creating if needed) the ledger in `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        crate::sys::create_private_dir(state_dir).map_err(|source| LedgerError::Dir {
            path: state_dir.to_path_buf(),
            cause: source,
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
                    cause: source,
                })?;
        }
        let conn = Connection::open(&path).map_err(|source| LedgerError::Sqlite {
            path: path.clone(),
            cause: source,
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
    /// memory. Only a ledger from a newer docket is refused. `now` names
    /// the damaged file set aside.
    pub fn open_resilient(state_dir: &Path, now: DateTime<Utc>) -> Result<Opened, LedgerError> {
        match Ledger::open(state_dir) {
            Ok(l) => Ok(Opened::File(l)),
            Err(e) if e.is_corrupt() => {
                let reason = e.to_string();
                let set_aside = match Ledger::set_aside(state_dir, now) {
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
            cause: source,
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

    /// Hand back the pages this connection caches (up to 512 KiB, see
    /// `init`) while the daemon is idle: the next pass reads them from the
    /// kernel's page cache again. An in-memory ledger keeps its pages (they
    /// are its data). Best effort: SQLite frees what it can.
    pub fn release_cache(&self) {
        if self.persistent {
            let _ = self.conn.execute_batch("PRAGMA shrink_memory;");
        }
    }

    /// Move an in-memory ledger to `state_dir` once it can be written: the
    /// file ledger is opened (recovered if damaged) and every row recorded
    /// in memory is copied into it. On failure nothing changes.
    pub fn persist_into(
        &mut self,
        state_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        let file = match Ledger::open_resilient(state_dir, now)? {
            Opened::File(l) | Opened::Recovered { ledger: l, .. } => l,
            Opened::InMemory { reason, .. } => {
                return Err(LedgerError::NotWritable {
                    dir: state_dir.to_path_buf(),
                    path: Ledger::path_in(state_dir),
                    cause: std::io::Error::other(reason),
                })
            }
        };
        let path = file.path.clone();
        let e = |source| LedgerError::Sqlite {
            path: path.clone(),
            cause: source,
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
        if !self.conn.is_autocommit() {
            // A failed copy must not leave its BEGIN open on this
            // connection: every later write would wait behind it.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        let _ = self.conn.execute_batch("DETACH DATABASE disk");
        copied.map_err(e)?;
        *self = Ledger::open(state_dir)?;
        Ok(())
    }

    /// Rename a damaged ledger (and its -wal/-shm) out of the way, keeping
    /// it for inspection. Returns the new name of the main file.
    fn set_aside(state_dir: &Path, now: DateTime<Utc>) -> std::io::Result<PathBuf> {
        let stamp = now.format("%Y%m%dT%H%M%SZ");
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
            cause: source,
        })?;
        Ok(Some(Ledger {
            conn,
            path,
            persistent: true,
        }))
    }

    fn init(&mut self) -> Result<(), LedgerError> {
        // WAL lets `history` read while the daemon writes; FULL makes every
        // commit durable before we send, which the write-ahead rule needs.
        // secure_delete: a purged row's bytes (case references, dates) are
        // overwritten with zeros, not left in free pages for anyone who
        // reads the file (issue 17); the cost is a write of the freed
        // cells, measured in the notes.
        // cache_size: 512 KiB per connection instead of SQLite's 2 MiB.
        // The daemon holds several (its own, the feed writer's, the
        // history's), each filled to its limit by reading the feeds'
        // ~200,000 revisions at 100,000 cases: idle RSS after 30 one-file
        // edits 71 -> 62 MiB. Pages not cached are in the kernel's page
        // cache, a read() away.
        self.conn
            .execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA secure_delete=ON; PRAGMA cache_size=-512;")
            .map_err(|e| self.err(e))?;
        if self.persistent {
            // `PRAGMA journal_mode=WAL` does not fail when it cannot switch
            // (another process holding a lock on a new file): it answers
            // the mode it stayed in. Without WAL a reader blocks commits.
            let mode: String = self
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .map_err(|e| self.err(e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(journal_mode = %mode, "the ledger is not in WAL mode: a reader on it can hold up a pass");
            }
        }
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
            // 2 -> 3: each calendar feed event's revision (crate::feed).
            "CREATE TABLE feed_revisions (
                feed      TEXT NOT NULL,
                id        INTEGER NOT NULL,
                hash      INTEGER NOT NULL,
                sequence  INTEGER NOT NULL,
                stamp     INTEGER NOT NULL,
                PRIMARY KEY (feed, id)
            ) WITHOUT ROWID;",
        ];
        for (v, sql) in STEPS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction().map_err(|e| LedgerError::Sqlite {
                path: self.path.clone(),
                cause: e,
            })?;
            tx.execute_batch(sql).map_err(|e| LedgerError::Sqlite {
                path: self.path.clone(),
                cause: e,
            })?;
            tx.pragma_update(None, "user_version", (v + 1) as i64)
                .map_err(|e| LedgerError::Sqlite {
                    path: self.path.clone(),
                    cause: e,
                })?;
            tx.commit().map_err(|e| LedgerError::Sqlite {
                path: self.path.clone(),
                cause: e,
            })?;
        }
        Ok(())
    }
}
