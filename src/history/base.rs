//! What the parts of the history share: a version, its state, the errors.

use chrono::{DateTime, Utc};
use std::path::PathBuf;

/// Something went wrong with the history file.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite refused (a damaged file, a full disk, a locked database).
    #[error("the history {path} cannot be used")]
    Sqlite {
        path: PathBuf,
        #[source]
        cause: rusqlite::Error,
    },
    /// Its directory or file could not be made private.
    #[error("the history directory {path} cannot be used")]
    Io {
        path: PathBuf,
        #[source]
        cause: std::io::Error,
    },
    /// A state in the file that this docket does not know (a newer one
    /// wrote it).
    #[error("the history {path} holds a version state this docket does not know: {state}")]
    UnknownState { path: PathBuf, state: String },
}

/// How docket took a version (SPEC 6: `state` of `docket log`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Good: it went into effect.
    Applied,
    /// Had errors: an older version stayed in effect (or none).
    Held,
    /// The file was deleted or moved away.
    Removed,
}

impl VersionState {
    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Applied => "applied",
            VersionState::Held => "held",
            VersionState::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<VersionState> {
        Some(match s {
            "applied" => VersionState::Applied,
            "held" => VersionState::Held,
            "removed" => VersionState::Removed,
            _ => return None,
        })
    }
}

/// One kept version of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// The path relative to the main config's directory.
    pub file: String,
    /// Numbered per file, from 1.
    pub version: u32,
    /// When docket saw it (UTC; shown in the service's zone).
    pub at: DateTime<Utc>,
    /// Who saved it: the user name of the file's owner (a shared folder),
    /// or a commit's author (a git repository, later).
    pub by: String,
    pub state: VersionState,
    /// The bytes' blob, None for a removal.
    pub blob: Option<i64>,
    /// Owner, group and mode as seen, for `restore`.
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub mode: Option<u32>,
}

/// A version to add.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    pub file: &'a str,
    pub at: DateTime<Utc>,
    pub by: &'a str,
    pub state: VersionState,
    /// The bytes (None for a removal).
    pub bytes: Option<&'a [u8]>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub mode: Option<u32>,
    /// The case ids (and bill ids) it names, for `log --case` and `forget`.
    pub cases: &'a [String],
}
