//! The cheap look at what is on disk: a file's metadata, which files the
//! patterns match now, the near misses, the case directories' modes.
//! What [`Live::changed_on_disk`](super::Live::changed_on_disk) compares
//! with what was read, so a reload happens only when something changed.

use super::super::includes;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The files `patterns` match now with their metadata (one stat each), in
/// path order, each once, without the main file (whose metadata is `main`)
/// should a pattern match it.
pub(crate) fn includes_now(
    main_path: &Path,
    main: Option<Meta>,
    patterns: &[String],
) -> Vec<(PathBuf, Option<Meta>)> {
    let mut now: Vec<(PathBuf, Option<Meta>)> = includes::list(main_path, patterns)
        .into_iter()
        .map(|p| {
            let m = Meta::of(&p);
            (p, m)
        })
        .filter(|(_, m)| !m.is_some_and(|m| main.is_some_and(|x| m.dev == x.dev && m.ino == x.ino)))
        .collect();
    now.sort_by(|a, b| a.0.cmp(&b.0));
    now.dedup_by(|a, b| a.0 == b.0);
    now
}

/// The near misses beside `patterns` now, with their metadata.
pub(super) fn near_misses_meta(
    main_path: &Path,
    patterns: &[String],
) -> Vec<(PathBuf, Option<Meta>)> {
    includes::near_misses_now(main_path, patterns)
        .into_iter()
        .map(|p| {
            let m = Meta::of(&p);
            (p, m)
        })
        .collect()
}

/// The file metadata that tells whether a file may have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    dev: u64,
    ino: u64,
    size: u64,
    pub(super) mtime_ns: i128,
    ctime_ns: i128,
    /// A file in a git tree: its blob id (the rest is zero).
    blob: Option<[u8; 20]>,
}

impl Meta {
    pub fn of(path: &Path) -> Option<Meta> {
        Some(Meta::of_stat(&std::fs::metadata(path).ok()?))
    }

    /// The metadata a reader took of the file it read.
    pub fn of_stat(m: &std::fs::Metadata) -> Meta {
        use std::os::unix::fs::MetadataExt;
        Meta {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
            ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
            blob: None,
        }
    }

    /// The file's size in bytes; `None` for a blob in a git tree, whose
    /// size is not looked up.
    pub fn size(&self) -> Option<u64> {
        self.blob.is_none().then_some(self.size)
    }

    /// A file in a git tree: the same blob is the same version, whatever
    /// the commit (so a push re-reads only the files it changed).
    pub fn of_blob(oid: git2::Oid) -> Meta {
        let mut blob = [0u8; 20];
        let bytes = oid.as_bytes();
        let n = bytes.len().min(20);
        blob[..n].copy_from_slice(&bytes[..n]);
        Meta {
            dev: 0,
            ino: 0,
            size: 0,
            mtime_ns: 0,
            ctime_ns: 0,
            blob: Some(blob),
        }
    }
}

/// A directory's mode, owner and group.
pub(super) type DirMode = (u32, u32, u32);

/// Mode, owner and group of each directory in `dirs` and of every one
/// above it (each once): what the files' safety depends on.
pub(super) fn dir_modes(dirs: &[PathBuf]) -> Vec<(PathBuf, Option<DirMode>)> {
    use std::os::unix::fs::MetadataExt;
    let mut all: BTreeSet<PathBuf> = BTreeSet::new();
    for d in dirs {
        let start = std::fs::canonicalize(d).unwrap_or_else(|_| d.clone());
        all.extend(start.ancestors().map(Path::to_path_buf));
    }
    all.into_iter()
        .map(|d| {
            let m = std::fs::metadata(&d)
                .ok()
                .map(|m| (m.mode(), m.uid(), m.gid()));
            (d, m)
        })
        .collect()
}
