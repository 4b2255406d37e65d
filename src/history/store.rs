//! The history file: `state_dir/history/history.sqlite`.
//!
//! Why SQLite rather than a file per version: the ledger already uses it
//! (no new dependency); `log --case` needs an index from a case id to the
//! versions that name it (100,000 cases × 10 versions is a million rows);
//! and `forget` must leave no trace, which `secure_delete` (deleted
//! content overwritten with zeros) and `VACUUM` give in one file, where a
//! directory of content-addressed files would leave names and a manifest
//! to rewrite. Bytes are kept once per distinct content (a file put back
//! to an earlier text costs no new copy), compared in full, not by hash
//! alone: the hash is fast, not collision-proof.
//!
//! The directory is 0700 and the file 0600, owned by the daemon's user:
//! the history holds every version, names and document numbers included.

use super::base::{HistoryError, NewVersion, Version, VersionState};
use crate::config::store::content_hash;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// An open history.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// What [`History::latest`] knows of a file's newest version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub version: u32,
    pub hash: Option<String>,
    pub state: VersionState,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS blobs (
    id    INTEGER PRIMARY KEY,
    hash  TEXT NOT NULL,
    bytes BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS blobs_hash ON blobs(hash);
CREATE TABLE IF NOT EXISTS versions (
    file    TEXT NOT NULL,
    version INTEGER NOT NULL,
    at      TEXT NOT NULL,
    by      TEXT NOT NULL,
    state   TEXT NOT NULL,
    blob    INTEGER,
    uid     INTEGER,
    gid     INTEGER,
    mode    INTEGER,
    PRIMARY KEY (file, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS version_cases (
    case_id TEXT NOT NULL COLLATE NOCASE,
    file    TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (case_id, file, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS latest (
    file    TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    hash    TEXT,
    state   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
";

/// Where the history of `state_dir` lives.
pub fn path_in(state_dir: &Path) -> PathBuf {
    state_dir.join("history").join("history.sqlite")
}

/// A time as the file keeps it: RFC 3339 in UTC, which sorts as text.
pub(super) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl History {
    /// Open (creating it private if need be) the history of `state_dir`.
    pub fn open(state_dir: &Path) -> Result<History, HistoryError> {
        use std::os::unix::fs::PermissionsExt;
        let path = path_in(state_dir);
        let dir = path.parent().unwrap_or(state_dir).to_path_buf();
        crate::sys::create_private_dir(&dir).map_err(|cause| HistoryError::Io {
            path: dir.clone(),
            cause,
        })?;
        let conn = Connection::open(&path).map_err(|cause| HistoryError::Sqlite {
            path: path.clone(),
            cause,
        })?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(
            |cause| HistoryError::Io {
                path: path.clone(),
                cause,
            },
        )?;
        let h = History { conn, path };
        h.conn
            .execute_batch(
                "PRAGMA secure_delete = ON; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -512;",
            )
            .map_err(|e| h.err(e))?;
        h.conn.execute_batch(SCHEMA).map_err(|e| h.err(e))?;
        Ok(h)
    }

    /// Open the history of `state_dir` to read it; None when there is none
    /// (docket has not run with this `state_dir`).
    pub fn open_read_only(state_dir: &Path) -> Result<Option<History>, HistoryError> {
        let path = path_in(state_dir);
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|cause| HistoryError::Sqlite {
            path: path.clone(),
            cause,
        })?;
        let h = History { conn, path };
        h.conn
            .execute_batch("PRAGMA busy_timeout = 5000;")
            .map_err(|e| h.err(e))?;
        Ok(Some(h))
    }

    pub(super) fn err(&self, cause: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite {
            path: self.path.clone(),
            cause,
        }
    }

    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` in one transaction: a pass records all its versions or none.
    pub fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&History) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.err(e))?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT").map_err(|e| self.err(e))?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The newest version of `file`, if any.
    pub fn latest(&self, file: &str) -> Result<Option<Latest>, HistoryError> {
        let row = self
            .conn
            .prepare_cached("SELECT version, hash, state FROM latest WHERE file = ?1")
            .and_then(|mut s| {
                s.query_row(params![file], |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .optional()
            })
            .map_err(|e| self.err(e))?;
        row.map(|(version, hash, state)| {
            Ok(Latest {
                version,
                hash,
                state: self.state(&state)?,
            })
        })
        .transpose()
    }

    fn state(&self, s: &str) -> Result<VersionState, HistoryError> {
        VersionState::parse(s).ok_or_else(|| HistoryError::UnknownState {
            path: self.path.clone(),
            state: s.to_string(),
        })
    }

    /// How many files are present (their newest version is not a removal).
    pub fn present_count(&self) -> Result<usize, HistoryError> {
        self.conn
            .query_row(
                "SELECT count(*) FROM latest WHERE state != 'removed'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(|e| self.err(e))
    }

    /// The files present, in path order.
    pub fn present_files(&self) -> Result<Vec<String>, HistoryError> {
        self.strings(
            "SELECT file FROM latest WHERE state != 'removed' ORDER BY file",
            params![],
        )
    }

    fn strings(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<String>, HistoryError> {
        let mut s = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = s
            .query_map(p, |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Keep `bytes` once: the id of an equal blob, or of a new one.
    fn blob_id(&self, bytes: &[u8]) -> Result<(i64, String), HistoryError> {
        let hash = content_hash(bytes);
        let mut s = self
            .conn
            .prepare_cached("SELECT id, bytes FROM blobs WHERE hash = ?1")
            .map_err(|e| self.err(e))?;
        let same = s
            .query_map(params![hash], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|e| self.err(e))?
            .filter_map(Result::ok)
            .find(|(_, b)| b == bytes);
        if let Some((id, _)) = same {
            return Ok((id, hash));
        }
        self.conn
            .prepare_cached("INSERT INTO blobs (hash, bytes) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![hash, bytes]))
            .map_err(|e| self.err(e))?;
        Ok((self.conn.last_insert_rowid(), hash))
    }

    /// Add the next version of `v.file`; returns its number.
    pub fn add(&self, v: &NewVersion<'_>) -> Result<u32, HistoryError> {
        let number = self.latest(v.file)?.map_or(1, |l| l.version + 1);
        let (blob, hash) = match v.bytes {
            Some(b) => {
                let (id, h) = self.blob_id(b)?;
                (Some(id), Some(h))
            }
            None => (None, None),
        };
        let run = |sql: &str, p: &[&dyn rusqlite::ToSql]| {
            self.conn
                .prepare_cached(sql)
                .and_then(|mut s| s.execute(p))
                .map_err(|e| self.err(e))
        };
        run(
            "INSERT INTO versions (file, version, at, by, state, blob, uid, gid, mode)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                v.file,
                number,
                stamp(v.at),
                v.by,
                v.state.as_str(),
                blob,
                v.uid,
                v.gid,
                v.mode
            ],
        )?;
        run(
            "INSERT OR REPLACE INTO latest (file, version, hash, state) VALUES (?1, ?2, ?3, ?4)",
            params![v.file, number, hash, v.state.as_str()],
        )?;
        for c in v.cases {
            run(
                "INSERT OR IGNORE INTO version_cases (case_id, file, version) VALUES (?1, ?2, ?3)",
                params![c, v.file, number],
            )?;
        }
        Ok(number)
    }

    /// The case ids a version names.
    pub fn cases_of(&self, file: &str, version: u32) -> Result<Vec<String>, HistoryError> {
        self.strings(
            "SELECT case_id FROM version_cases WHERE file = ?1 AND version = ?2 ORDER BY case_id",
            params![file, version],
        )
    }

    /// Every version of `file`, oldest first.
    pub fn versions_of(&self, file: &str) -> Result<Vec<Version>, HistoryError> {
        self.query_versions(
            "SELECT file, version, at, by, state, blob, uid, gid, mode FROM versions
             WHERE file = ?1 ORDER BY version",
            params![file],
        )
    }

    /// Every version of every file, oldest first per file.
    pub fn all_versions(&self) -> Result<Vec<Version>, HistoryError> {
        self.query_versions(
            "SELECT file, version, at, by, state, blob, uid, gid, mode FROM versions
             ORDER BY file, version",
            params![],
        )
    }

    /// The files with a version that names `case` (ids compared without
    /// regard to case, as docket compares them).
    pub fn files_with_case(&self, case: &str) -> Result<Vec<String>, HistoryError> {
        self.strings(
            "SELECT DISTINCT file FROM version_cases WHERE case_id = ?1 ORDER BY file",
            params![case],
        )
    }

    /// The versions of `file` that name `case`.
    pub fn versions_with_case(&self, file: &str, case: &str) -> Result<Vec<u32>, HistoryError> {
        let mut s = self
            .conn
            .prepare_cached(
                "SELECT version FROM version_cases WHERE case_id = ?1 AND file = ?2 ORDER BY version",
            )
            .map_err(|e| self.err(e))?;
        let rows = s
            .query_map(params![case, file], |r| r.get::<_, u32>(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    fn query_versions(
        &self,
        sql: &str,
        p: impl rusqlite::Params,
    ) -> Result<Vec<Version>, HistoryError> {
        let mut s = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = s
            .query_map(p, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<u32>>(6)?,
                    r.get::<_, Option<u32>>(7)?,
                    r.get::<_, Option<u32>>(8)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (file, version, at, by, state, blob, uid, gid, mode) =
                row.map_err(|e| self.err(e))?;
            let at = DateTime::parse_from_rfc3339(&at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default();
            out.push(Version {
                file,
                version,
                at,
                by,
                state: self.state(&state)?,
                blob,
                uid,
                gid,
                mode,
            });
        }
        Ok(out)
    }

    /// The bytes of a blob.
    pub fn bytes(&self, blob: i64) -> Result<Option<Vec<u8>>, HistoryError> {
        self.conn
            .prepare_cached("SELECT bytes FROM blobs WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row(params![blob], |r| r.get::<_, Vec<u8>>(0))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Delete some versions of `file`; the newest kept one (if any) becomes
    /// `latest`, and bytes no version uses any more go too.
    pub fn delete_versions(&self, file: &str, versions: &[u32]) -> Result<(), HistoryError> {
        for v in versions {
            for sql in [
                "DELETE FROM versions WHERE file = ?1 AND version = ?2",
                "DELETE FROM version_cases WHERE file = ?1 AND version = ?2",
            ] {
                self.conn
                    .prepare_cached(sql)
                    .and_then(|mut s| s.execute(params![file, v]))
                    .map_err(|e| self.err(e))?;
            }
        }
        self.conn
            .execute("DELETE FROM latest WHERE file = ?1", params![file])
            .map_err(|e| self.err(e))?;
        self.conn
            .execute(
                "INSERT INTO latest (file, version, hash, state)
                 SELECT v.file, v.version, b.hash, v.state FROM versions v
                 LEFT JOIN blobs b ON b.id = v.blob
                 WHERE v.file = ?1 ORDER BY v.version DESC LIMIT 1",
                params![file],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Bytes no version refers to any more.
    pub fn drop_unused_blobs(&self) -> Result<usize, HistoryError> {
        self.conn
            .execute(
                "DELETE FROM blobs WHERE id NOT IN (SELECT blob FROM versions WHERE blob IS NOT NULL)",
                [],
            )
            .map_err(|e| self.err(e))
    }

    /// Rewrite the file without its free pages (after `forget`).
    pub fn vacuum(&self) -> Result<(), HistoryError> {
        self.conn.execute_batch("VACUUM").map_err(|e| self.err(e))
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, HistoryError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn version<'a>(
        file: &'a str,
        t: &str,
        state: VersionState,
        bytes: Option<&'a [u8]>,
        cases: &'a [String],
    ) -> NewVersion<'a> {
        NewVersion {
            file,
            at: at(t),
            by: "aigerim",
            state,
            bytes,
            uid: Some(1000),
            gid: Some(1000),
            mode: Some(0o640),
            cases,
        }
    }

    #[test]
    fn versions_are_numbered_per_file_bytes_kept_once_and_the_file_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let h = History::open(dir.path()).unwrap();
        let ids = vec!["KZ-0042".to_string()];
        let f = "cases.d/kz-0042.toml";
        let a: &[u8] = b"[[case]]\nid = \"KZ-0042\"\n";
        let b: &[u8] = b"[[case]]\nid = \"KZ-0042\"\nperson = \"Dana Example\"\n";
        assert_eq!(
            h.add(&version(
                f,
                "2026-12-01T10:00:00Z",
                VersionState::Applied,
                Some(a),
                &ids
            ))
            .unwrap(),
            1
        );
        assert_eq!(
            h.add(&version(
                f,
                "2026-12-02T10:00:00Z",
                VersionState::Held,
                Some(b),
                &ids
            ))
            .unwrap(),
            2
        );
        assert_eq!(
            h.add(&version(
                f,
                "2026-12-03T10:00:00Z",
                VersionState::Applied,
                Some(a),
                &ids
            ))
            .unwrap(),
            3
        );
        assert_eq!(
            h.add(&version(
                "docket.toml",
                "2026-12-01T10:00:00Z",
                VersionState::Applied,
                Some(b"[service]\n"),
                &[]
            ))
            .unwrap(),
            1
        );
        // The same bytes are kept once.
        let blobs: i64 = h
            .conn
            .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blobs, 3);
        let vs = h.versions_of(f).unwrap();
        assert_eq!(vs.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(vs[0].blob, vs[2].blob);
        assert_eq!(h.bytes(vs[1].blob.unwrap()).unwrap().as_deref(), Some(b));
        assert_eq!(h.latest(f).unwrap().unwrap().state, VersionState::Applied);
        // Ids are found without regard to case, as docket compares them.
        assert_eq!(h.files_with_case("kz-0042").unwrap(), vec![f.to_string()]);
        assert_eq!(h.versions_with_case(f, "KZ-0042").unwrap(), [1, 2, 3]);
        // A removal: no bytes; the file is no longer present.
        assert_eq!(h.present_count().unwrap(), 2);
        h.add(&version(
            f,
            "2026-12-04T10:00:00Z",
            VersionState::Removed,
            None,
            &ids,
        ))
        .unwrap();
        assert_eq!(h.present_files().unwrap(), vec!["docket.toml".to_string()]);
        // Deleting versions moves `latest` back and drops unused bytes.
        h.delete_versions(f, &[2, 4]).unwrap();
        assert_eq!(h.latest(f).unwrap().unwrap().version, 3);
        assert_eq!(h.drop_unused_blobs().unwrap(), 1);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(h.path()), 0o600);
        assert_eq!(mode(h.path().parent().unwrap()), 0o700);
        // Read-only: none before docket has run with a state_dir.
        let empty = tempfile::tempdir().unwrap();
        assert!(History::open_read_only(empty.path()).unwrap().is_none());
    }
}
