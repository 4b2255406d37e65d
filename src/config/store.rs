//! The last good version of every config file, kept in `state_dir/good/`.
//!
//! Why: a file with errors is left out whole, and what stays in effect is
//! its last version that was good, so one caseworker's typo never silences
//! anyone else's reminders, and a restart with the typo still on disk
//! starts on the good copy. The daemon writes the store (files private to
//! it, written atomically); commands that can read `state_dir` read it, so
//! `upcoming` and `preview` match what the daemon does.
//!
//! Layout: `good/files/<path relative to the config directory>` holds the
//! bytes, and `<that path>.meta.json` when it was stored and the cases it
//! held (so a case that disappears while docket was down is still
//! noticed). One file per file: a one-file change writes two small files.

use std::path::{Component, Path, PathBuf};

/// What the store knows about one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stored {
    /// A hash of the stored bytes.
    pub hash: String,
    /// When this version became the good one (RFC 3339).
    pub since: String,
    /// The case ids it holds, and their caseworkers.
    pub cases: Vec<(String, String)>,
}

/// The store under one state directory, for one main config: a state
/// directory shared by two configs (or left over from another) never
/// serves one of them the other's files.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
    /// The main config's canonical path, as recorded in `good/main`.
    owner: String,
    /// Whether the store is the config's own, as [`Store::pinned`] found
    /// it; None: asked of the disk at each read.
    pinned: Option<bool>,
}

/// A stable hash of a file's bytes (XXH3-128, as hex): to tell versions
/// apart, not to resist anyone. Every file is hashed on every load (~15 MB
/// at 100,000 cases), so it must be fast.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

impl Store {
    pub fn new(state_dir: &Path, main: &Path) -> Store {
        let owner = std::fs::canonicalize(main)
            .unwrap_or_else(|_| main.to_path_buf())
            .to_string_lossy()
            .into_owned();
        Store {
            dir: state_dir.join("good"),
            owner,
            pinned: None,
        }
    }

    /// This store, whose owner is asked once, now: for one load, which
    /// reads the store for each file (each read asked `good/main` again:
    /// 2,000 opens at 1,000 files). Writes still ask the disk.
    pub fn pinned(&self) -> Store {
        Store {
            pinned: Some(self.owned_on_disk()),
            ..self.clone()
        }
    }

    /// Is this store the main config's own? (No store yet counts as not.)
    fn owned(&self) -> bool {
        self.pinned.unwrap_or_else(|| self.owned_on_disk())
    }

    fn owned_on_disk(&self) -> bool {
        std::fs::read_to_string(self.dir.join("main")).is_ok_and(|o| o.trim_end() == self.owner)
    }

    /// Where the copy of `rel` lives, or None for a path that could leave
    /// the store (includes always lie under the config directory).
    fn copy_path(&self, rel: &str) -> Option<PathBuf> {
        let p = Path::new(rel);
        if p.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        Some(self.dir.join("files").join(p))
    }

    /// What the store knows of `rel`.
    pub fn meta(&self, rel: &str) -> Option<Stored> {
        if !self.owned() {
            return None;
        }
        let p = self.copy_path(rel)?;
        let bytes = std::fs::read(meta_path(&p)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The stored bytes of `rel`.
    pub fn read(&self, rel: &str) -> Option<String> {
        if !self.owned() {
            return None;
        }
        std::fs::read_to_string(self.copy_path(rel)?).ok()
    }

    /// Keep `text` as the good version of `rel`.
    pub fn put(&self, rel: &str, text: &str, meta: &Stored) -> std::io::Result<()> {
        let path = self
            .copy_path(rel)
            .ok_or_else(|| std::io::Error::other(format!("{rel}: not a relative path")))?;
        if !self.owned_on_disk() {
            // A store left by another config: start it afresh for this one.
            let _ = std::fs::remove_dir_all(self.dir.join("files"));
            write_private(
                &self.dir.join("main"),
                format!("{}\n", self.owner).as_bytes(),
            )?;
        }
        write_private(&path, text.as_bytes())?;
        let bytes = serde_json::to_vec(meta).map_err(std::io::Error::other)?;
        write_private(&meta_path(&path), &bytes)
    }

    /// Forget `rel`.
    pub fn remove(&self, rel: &str) {
        if let Some(p) = self.copy_path(rel) {
            let _ = std::fs::remove_file(meta_path(&p));
            let _ = std::fs::remove_file(p);
        }
    }

    /// Every stored file, as paths relative to the config directory.
    pub fn list(&self) -> Vec<String> {
        if !self.owned() {
            return Vec::new();
        }
        let root = self.dir.join("files");
        let mut out = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                let Ok(t) = e.file_type() else { continue };
                if t.is_dir() {
                    stack.push(p);
                } else if t.is_file() {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    if name.ends_with(".meta.json") || name.starts_with('.') {
                        continue;
                    }
                    if let Some(rel) = p.strip_prefix(&root).ok().and_then(|r| r.to_str()) {
                        out.push(rel.to_string());
                    }
                }
            }
        }
        out.sort();
        out
    }
}

fn meta_path(copy: &Path) -> PathBuf {
    let mut s = copy.as_os_str().to_owned();
    s.push(".meta.json");
    PathBuf::from(s)
}

/// Write a file owner-only (its directories 0700), atomically: a crash
/// leaves the old version or the new one, never half of one. Not synced to
/// disk: these are copies and a status (losing the last write to a power
/// cut costs at most an older good copy), and a first start with 100,000
/// case files must not wait for 200,000 fsyncs.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::sys::create_private_dir(path.parent().unwrap_or(Path::new(".")))?;
    crate::sys::write_atomic(path, bytes, 0o600, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_copies_private_and_refuses_paths_out_of_the_store() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("docket.toml");
        let s = Store::new(dir.path(), &main);
        let meta = Stored {
            hash: content_hash(b"[[case]]\n"),
            since: "2026-12-01T10:00:00Z".into(),
            cases: vec![("KZ-1".into(), "aigerim".into())],
        };
        s.put("cases.d/kz-1.toml", "[[case]]\n", &meta).unwrap();
        assert_eq!(s.read("cases.d/kz-1.toml").as_deref(), Some("[[case]]\n"));
        assert_eq!(s.meta("cases.d/kz-1.toml"), Some(meta.clone()));
        assert_eq!(s.list(), vec!["cases.d/kz-1.toml".to_string()]);
        let p = dir.path().join("good/files/cases.d/kz-1.toml");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o077,
            0
        );
        assert!(s.put("../escape.toml", "x", &meta).is_err());
        assert!(s.put("/etc/passwd", "x", &meta).is_err());
        s.remove("cases.d/kz-1.toml");
        assert_eq!(s.read("cases.d/kz-1.toml"), None);
        assert!(s.list().is_empty());
        // Another config's store is not read.
        s.put("cases.d/kz-1.toml", "[[case]]\n", &meta).unwrap();
        let other = Store::new(dir.path(), &dir.path().join("other.toml"));
        assert_eq!(other.read("cases.d/kz-1.toml"), None);
        assert!(other.list().is_empty());
    }
}
