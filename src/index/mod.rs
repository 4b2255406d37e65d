//! The upcoming index: `docket upcoming`'s answer kept between runs, so a
//! run over an unchanged config reads its files and one small index
//! instead of parsing and checking 100,000 cases again.
//!
//! Why it can never be stale: the index is keyed by the exact bytes of the
//! main file and of every file its patterns match (a 128-bit XXH3 of each),
//! by the set of those files, by each file's and each directory's owner and
//! mode (the ownership checks a load makes), by the environment a load
//! reads and by the executable itself. A run computes that key from the
//! files as they are now and uses the index only if it matches; the key
//! written with an index comes from the very bytes that load checked (the
//! load's own hashes), so a file changed during a load never gets its old
//! answer under its new bytes. Only a load with nothing left out writes one.
//!
//! What it holds: every unresolved deadline (the engine's items that are
//! deadlines and not resolved), sorted as `upcoming` sorts them, with the
//! case reference, caseworker id, kind and status: what `upcoming` prints;
//! and every item as [`engine::items`] lists it (references, kinds,
//! statuses, dates, reminder rules, recipients as caseworker indices, the
//! item's place in the config), which `plan` schedules with the main
//! file's settings. No names, no document numbers, no titles. An
//! `upcoming` query is a binary search on the act-by date; only the rows
//! printed are decoded.
//!
//! The file lives in `$XDG_CACHE_HOME/docket/` (else `~/.cache/docket/`),
//! private to the user (0700 directory, 0600 file); `DOCKET_CACHE=off`
//! turns it off. Any problem reading or writing it is a miss, never an
//! error: the full load is always the fallback.

mod format;
#[cfg(test)]
mod tests;

pub use format::Index;

use crate::config::model::Config;
use crate::engine::Item;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One file the key covers: its path and the hash of its text.
#[derive(Debug, Clone)]
pub struct KeyFile {
    pub path: PathBuf,
    pub hash: String,
}

/// The key for a config whose files are `files` (the main file first).
fn key(main: &Path, files: &[KeyFile]) -> Option<[u8; 16]> {
    let mut k: Vec<u8> = Vec::with_capacity(256 + files.len() * 128);
    let mut put = |b: &[u8]| {
        k.extend_from_slice(&(b.len() as u64).to_le_bytes());
        k.extend_from_slice(b);
    };
    put(env!("CARGO_PKG_VERSION").as_bytes());
    // The executable: a rebuilt docket may compute other answers.
    let exe = std::env::current_exe().ok()?;
    let m = std::fs::metadata(&exe).ok()?;
    put(&m.len().to_le_bytes());
    put(&m.mtime().to_le_bytes());
    put(&m.mtime_nsec().to_le_bytes());
    put(&m.ino().to_le_bytes());
    // What a load reads from the environment.
    let env = crate::config::Env::from_process();
    put(format!("{:?}|{:?}", env.state_directory, env.euid).as_bytes());
    // Paths as one spelling: `-c docket.toml`, `-c ./docket.toml` and the
    // absolute path name one index file (`location` is canonical), so they
    // must make one key, or each run would miss and write it again.
    let cwd = std::env::current_dir().ok()?;
    let plain = |p: &Path| -> PathBuf { cwd.join(p).components().collect() };
    put(plain(main).as_os_str().as_encoded_bytes());
    let mut dirs: Vec<PathBuf> = Vec::new();
    for f in files {
        let path = plain(&f.path);
        put(path.as_os_str().as_encoded_bytes());
        put(f.hash.as_bytes());
        let l = std::fs::symlink_metadata(&path).ok()?;
        let s = std::fs::metadata(&path).ok()?;
        for m in [&l, &s] {
            put(&[
                m.dev(),
                m.ino(),
                m.mode().into(),
                m.uid().into(),
                m.gid().into(),
            ]
            .map(u64::to_le_bytes)
            .concat());
        }
        let mut d = path.parent();
        while let Some(p) = d {
            if !dirs.iter().any(|x| x == p) {
                dirs.push(p.to_path_buf());
            }
            d = p.parent();
        }
    }
    for d in &dirs {
        put(d.as_os_str().as_encoded_bytes());
        // A missing directory is a fact like any other.
        match std::fs::metadata(d) {
            Ok(m) => put(&[m.dev(), m.ino(), m.mode().into(), m.uid().into()]
                .map(u64::to_le_bytes)
                .concat()),
            Err(_) => put(b"-"),
        }
    }
    Some(xxhash_rust::xxh3::xxh3_128(&k).to_le_bytes())
}

/// The files the config at `main` consists of now, hashed as a load hashes
/// them (main first, then the includes in path order), and the main file's
/// text (read once: it also gives the patterns, and `plan` its settings);
/// None when one cannot be read.
fn files_now(main: &Path) -> Option<(Vec<KeyFile>, String)> {
    use crate::config::{read_small, store::content_hash};
    let text = read_small(main)?;
    let mut out = vec![KeyFile {
        path: main.to_path_buf(),
        hash: content_hash(text.as_bytes()),
    }];
    if let Some(git) = crate::config::cases_git_in(main, &text) {
        // The case files are a git tree: its branch's tip is their key.
        let tip = crate::config::git::tip_now(&git.repo, &git.branch).ok()?;
        out.push(KeyFile::of_commit(&git.repo, &git.branch, tip));
        return Some((out, text));
    }
    for path in crate::config::included_files_in(main, &text).unwrap_or_default() {
        let hash = content_hash(read_small(&path)?.as_bytes());
        out.push(KeyFile { path, hash });
    }
    Some((out, text))
}

impl KeyFile {
    /// The key of case files read from a git tree: the repository, the
    /// branch and the commit.
    pub fn of_tree(t: &crate::config::git::GitTree) -> KeyFile {
        KeyFile::of_commit(t.repo_dir(), t.branch(), t.commit())
    }

    fn of_commit(repo: &Path, branch: &str, commit: Option<git2::Oid>) -> KeyFile {
        KeyFile {
            path: repo.to_path_buf(),
            hash: format!(
                "git:{branch}:{}",
                commit.map(|c| c.to_string()).unwrap_or_default()
            ),
        }
    }
}

fn enabled() -> bool {
    !matches!(
        std::env::var("DOCKET_CACHE").as_deref(),
        Ok("off" | "0" | "no")
    )
}

/// Where the index of the config at `main` lives.
fn location(main: &Path) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        })?;
    let real = std::fs::canonicalize(main).ok()?;
    let name = xxhash_rust::xxh3::xxh3_64(real.as_os_str().as_encoded_bytes());
    Some(
        base.join("docket")
            .join(format!("upcoming-{name:016x}.idx")),
    )
}

/// May the cache directory holding `at` be used? Not when someone other
/// than us and root could write it (it is owned by another user, or its
/// group or others may write it): they could plant an index that makes
/// `upcoming` show what they like, or a link that turns the index's write
/// into an overwrite of one of our files. The index is only an
/// optimisation: the command then loads the config in full, and says why
/// once, on stderr.
fn cache_dir_trusted(at: &Path) -> bool {
    let Some(dir) = at.parent() else {
        return false;
    };
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        // No cache directory yet: it is made 0700 when the index is written.
        return true;
    };
    let problem = if meta.file_type().is_symlink() {
        Some("is a symbolic link".to_string())
    } else {
        crate::sys::output_dir_problem(&meta, crate::sys::euid())
    };
    match problem {
        None => true,
        Some(why) => {
            tracing::warn!(
                "not using the index in {}: the directory {why}; answering from the config files instead (make it yours and 0700, or remove it)",
                crate::logging::escape(&dir.display().to_string())
            );
            false
        }
    }
}

/// The index file's bytes, if it is a regular file of ours: opened
/// without following a link, and owned by us.
fn read_own(at: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(at)
        .ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.uid() != crate::sys::euid() {
        return None;
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.read_to_end(&mut buf).ok()?;
    Some(buf)
}

impl Index {
    /// The index of the config at `main`, if there is one for exactly the
    /// files as they are now.
    pub fn open(main: &Path) -> Option<Index> {
        if !enabled() {
            return None;
        }
        let at = location(main)?;
        if !cache_dir_trusted(&at) {
            return None;
        }
        let buf = read_own(&at)?;
        let (files, main_text) = files_now(main)?;
        let key = key(main, &files)?;
        let ix = Index::parse(buf, &key, main_text);
        match &ix {
            Some(_) => tracing::debug!(index = %at.display(), "upcoming: answered from the index"),
            None => {
                tracing::debug!(index = %at.display(), "upcoming: the index is not for these files")
            }
        }
        ix
    }

    /// The main file's settings, from the very text the key was made of.
    pub fn main_settings(&self, main: &Path) -> Option<Config> {
        crate::config::main_settings(main, self.main_text().to_string())
    }
}

/// Remove this user's index of the config at `main` (`docket forget`: it
/// lists every case). Returns whether there was one.
pub fn remove(main: &Path) -> bool {
    location(main).is_some_and(|at| std::fs::remove_file(at).is_ok())
}

/// Keep the index of `cfg`, whose items are `items`, for the next run;
/// `files` are the files the load read, with the hashes of the texts it
/// checked (main first). Quietly does nothing when the index cannot be
/// written.
pub fn write(cfg: &Config, items: &[Item<'_>], files: &[KeyFile]) {
    if !enabled() {
        return;
    }
    let Some(at) = location(&cfg.path) else {
        return;
    };
    if at.parent().is_some_and(Path::is_dir) && !cache_dir_trusted(&at) {
        return;
    }
    let mut files = files.to_vec();
    files[1..].sort_by(|a, b| a.path.cmp(&b.path));
    let Some(key) = key(&cfg.path, &files) else {
        return;
    };
    let bytes = format::encode(cfg, items, &key);
    match crate::config::store::write_private(&at, &bytes) {
        Ok(()) => {
            tracing::debug!(index = %at.display(), bytes = bytes.len(), "upcoming: index written")
        }
        Err(e) => {
            tracing::debug!(index = %at.display(), error = %e, "upcoming: cannot write the index")
        }
    }
}
