//! Case files read from a bare git repository (SPEC section 7).
//!
//! docket reads the tree of one commit (the tip of `git_branch`, or the
//! pushed tip in `docket git-hook`), never a working tree, so a half-done
//! checkout or a file a forge is still writing is never read. It only
//! reads: objects and refs, nothing written, no hook or filter run.
//!
//! The repository belongs to the forge's user (`git`, `forgejo`), not to
//! docket. git refuses, by default, a repository another user owns, because
//! its config can name programs git would run (`core.fsmonitor`, hooks).
//! libgit2 runs none of those, and docket reads only objects and refs, so
//! docket turns the check off in its own process (see [`open_repo`]); the
//! check is untouched for every other program and user (no
//! `safe.directory` is written anywhere).
//!
//! Paths in a tree are the repository's own (`cases/kz-0042.toml`): they
//! are what the include patterns match, what messages name, what the last
//! good copies are kept under, and what `edit_url`'s `{path}` is.

use git2::{ObjectType, Oid, Repository, RepositoryOpenFlags, TreeWalkMode, TreeWalkResult};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why the repository could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GitError {
    #[error("cannot open the git repository {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("{path} is not a bare git repository (it has a working tree)")]
    NotBare { path: PathBuf },
    #[error("cannot read branch {branch} of {path}: {reason}")]
    Branch {
        path: PathBuf,
        branch: String,
        reason: String,
    },
    #[error("cannot read commit {commit} of {path}: {reason}")]
    Commit {
        path: PathBuf,
        commit: String,
        reason: String,
    },
}

impl GitError {
    /// What to do about it, for the hint under the error.
    pub fn help(&self) -> String {
        match self {
            GitError::Open { path, .. } => format!(
                "check cases_git: it must name a bare repository docket can read (ls -ld {0}; for a forge's repository, add the docket user to the forge's group: usermod -aG git docket, and make the repository group-readable: chmod -R g+rX {0})",
                path.display()
            ),
            GitError::NotBare { path } => format!(
                "name the bare repository (the one people push to), not a clone; make one with: git clone --bare {} cases.git",
                path.display()
            ),
            GitError::Branch { branch, .. } => format!(
                "check git_branch (now \"{branch}\"): `git -C REPO branch` lists the branches"
            ),
            GitError::Commit { .. } => {
                "run `git fsck` in the repository; the pushed objects may be damaged".into()
            }
        }
    }
}

/// What a path in the tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (executable or not).
    File,
    /// A symbolic link: never followed (it could name any file).
    Link,
    /// A submodule: another repository, never read.
    Submodule,
}

/// One file of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub oid: Oid,
    pub kind: Kind,
}

/// The tree of one commit of the repository, with what is needed to read
/// its files.
pub struct GitTree {
    repo_dir: PathBuf,
    branch: String,
    /// None: the branch has no commit yet (a new repository).
    commit: Option<Oid>,
    /// The commit's time (seconds since 1970), 0 without one.
    commit_time: i64,
    entries: BTreeMap<String, Entry>,
    /// `git2::Repository` can be sent to another thread but not shared:
    /// one handle per core, so the loader's workers read (and inflate)
    /// blobs in parallel.
    repos: Vec<Mutex<Repository>>,
    /// For more handles when they are first needed.
    quarantine: Option<PathBuf>,
}

impl std::fmt::Debug for GitTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitTree")
            .field("repo_dir", &self.repo_dir)
            .field("branch", &self.branch)
            .field("commit", &self.commit)
            .field("files", &self.entries.len())
            .finish()
    }
}

/// Open the repository at `dir` for reading, without searching upwards
/// and without git's ownership check (see the module's comment).
/// `quarantine`: an object directory to read besides the repository's own
/// (the pushed objects a pre-receive hook sees before they are accepted).
pub fn open_repo(dir: &Path, quarantine: Option<&Path>) -> Result<Repository, GitError> {
    static OWNER_CHECK_OFF: std::sync::Once = std::sync::Once::new();
    OWNER_CHECK_OFF.call_once(|| {
        // SAFETY: a process-wide libgit2 option, set once, before any
        // repository is opened by this process.
        let _ = unsafe { git2::opts::set_verify_owner_validation(false) };
    });
    let open_err = |e: git2::Error| GitError::Open {
        path: dir.to_path_buf(),
        reason: e.message().to_string(),
    };
    let repo = Repository::open_ext(
        dir,
        RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    )
    .map_err(open_err)?;
    if !repo.is_bare() {
        return Err(GitError::NotBare {
            path: dir.to_path_buf(),
        });
    }
    if let Some(q) = quarantine {
        repo.odb()
            .and_then(|odb| odb.add_disk_alternate(&q.to_string_lossy()))
            .map_err(open_err)?;
    }
    Ok(repo)
}

/// A file as the repository names it (`cases/kz-0042.toml`), however it
/// was typed: a leading `./` or the main config's directory taken off.
pub fn path_in_repo(main: &Path, typed: &Path) -> String {
    let base = main.parent().unwrap_or(Path::new(""));
    let p = typed.strip_prefix(base).unwrap_or(typed);
    p.to_string_lossy().trim_start_matches("./").to_string()
}

/// The commit at the tip of `branch`, or None while it has none.
pub fn tip(repo: &Repository, dir: &Path, branch: &str) -> Result<Option<Oid>, GitError> {
    let err = |reason: String| GitError::Branch {
        path: dir.to_path_buf(),
        branch: branch.to_string(),
        reason,
    };
    match repo.find_reference(&format!("refs/heads/{branch}")) {
        Ok(r) => r
            .peel_to_commit()
            .map(|c| Some(c.id()))
            .map_err(|e| err(e.message().to_string())),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(err(e.message().to_string())),
    }
}

/// The tip of `branch` now: the cheap look before a pass (open, one ref).
pub fn tip_now(dir: &Path, branch: &str) -> Result<Option<Oid>, GitError> {
    let repo = open_repo(dir, None)?;
    tip(&repo, dir, branch)
}

impl GitTree {
    /// The tree at the tip of `branch`.
    pub fn at_tip(dir: &Path, branch: &str) -> Result<GitTree, GitError> {
        let repo = open_repo(dir, None)?;
        let commit = tip(&repo, dir, branch)?;
        let mut t = GitTree::of(repo, dir, branch, commit)?;
        if t.entries.len() > 64 {
            t.widen();
        }
        Ok(t)
    }

    /// The tree of `commit` (a pushed tip, read by the hook through
    /// `quarantine`).
    pub fn at_commit(
        dir: &Path,
        branch: &str,
        commit: Oid,
        quarantine: Option<&Path>,
    ) -> Result<GitTree, GitError> {
        let repo = open_repo(dir, quarantine)?;
        let mut t = GitTree::of(repo, dir, branch, Some(commit))?;
        t.quarantine = quarantine.map(Path::to_path_buf);
        if t.entries.len() > 64 {
            t.widen();
        }
        Ok(t)
    }

    fn of(
        repo: Repository,
        dir: &Path,
        branch: &str,
        commit: Option<Oid>,
    ) -> Result<GitTree, GitError> {
        let (entries, commit_time) = match commit {
            Some(c) => {
                let err = |e: git2::Error| GitError::Commit {
                    path: dir.to_path_buf(),
                    commit: c.to_string(),
                    reason: e.message().to_string(),
                };
                let time = repo.find_commit(c).map_err(err)?.time().seconds();
                (tree_entries(&repo, c).map_err(err)?, time)
            }
            None => (BTreeMap::new(), 0),
        };
        Ok(GitTree {
            repo_dir: dir.to_path_buf(),
            branch: branch.to_string(),
            commit,
            commit_time,
            entries,
            repos: vec![Mutex::new(repo)],
            quarantine: None,
        })
    }

    /// One handle per core for parallel reads (only worth it with many
    /// files); a handle that cannot be opened is simply not added.
    fn widen(&mut self) {
        let want = super::unit::cores();
        while self.repos.len() < want {
            match open_repo(&self.repo_dir, self.quarantine.as_deref()) {
                Ok(r) => self.repos.push(Mutex::new(r)),
                Err(_) => break,
            }
        }
    }

    pub fn repo_dir(&self) -> &Path {
        &self.repo_dir
    }

    pub fn branch(&self) -> &str {
        &self.branch
    }

    /// The commit read (None: the branch has no commit yet).
    pub fn commit(&self) -> Option<Oid> {
        self.commit
    }

    /// The commit's time, seconds since 1970 (0 without a commit).
    pub fn commit_time(&self) -> i64 {
        self.commit_time
    }

    /// Every path of the tree with what it is.
    pub fn entries(&self) -> &BTreeMap<String, Entry> {
        &self.entries
    }

    pub fn entry(&self, path: &str) -> Option<Entry> {
        self.entries.get(path).copied()
    }

    /// The paths `pattern` matches (a glob as for a directory: `*` stays
    /// within one directory, a leading dot must be written), in order.
    pub fn matches(&self, pattern: &str) -> Result<Vec<&str>, String> {
        let pat = glob::Pattern::new(pattern).map_err(|e| e.msg.to_string())?;
        let opts = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        Ok(self
            .entries
            .keys()
            .filter(|p| pat.matches_with(p, opts))
            .map(String::as_str)
            .collect())
    }

    /// Every file of another commit's tree (the branch's tip before a
    /// push), read through this tree's repository.
    pub fn entries_at(&self, commit: Oid) -> Result<BTreeMap<String, Entry>, git2::Error> {
        let repo = self.repos[0].lock().unwrap_or_else(|p| p.into_inner());
        tree_entries(&repo, commit)
    }

    /// The bytes of the file at `path`, at most `limit` of them (None for
    /// a larger blob, with its size).
    pub fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let entry = self.entry(path).ok_or(ReadError::Missing)?;
        // A free handle if there is one, else wait for the first.
        let repo = self
            .repos
            .iter()
            .find_map(|m| m.try_lock().ok())
            .unwrap_or_else(|| self.repos[0].lock().unwrap_or_else(|p| p.into_inner()));
        read_blob(&repo, entry.oid, limit)
    }
}

/// Why a file's bytes could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Missing,
    TooLarge(u64),
    Object(String),
}

/// A blob's bytes, refused above `limit` before they are loaded.
pub fn read_blob(repo: &Repository, oid: Oid, limit: u64) -> Result<Vec<u8>, ReadError> {
    let odb = repo
        .odb()
        .map_err(|e| ReadError::Object(e.message().to_string()))?;
    let (size, kind) = odb
        .read_header(oid)
        .map_err(|e| ReadError::Object(e.message().to_string()))?;
    if kind != ObjectType::Blob {
        return Err(ReadError::Object(format!("{oid} is a {kind}, not a file")));
    }
    if size as u64 > limit {
        return Err(ReadError::TooLarge(size as u64));
    }
    let blob = repo
        .find_blob(oid)
        .map_err(|e| ReadError::Object(e.message().to_string()))?;
    Ok(blob.content().to_vec())
}

/// Every file of `commit`'s tree, by path.
pub fn tree_entries(
    repo: &Repository,
    commit: Oid,
) -> Result<BTreeMap<String, Entry>, git2::Error> {
    let tree = repo.find_commit(commit)?.tree()?;
    let mut out = BTreeMap::new();
    tree.walk(TreeWalkMode::PreOrder, |root, e| {
        let Ok(name) = e.name() else {
            return TreeWalkResult::Ok;
        };
        let kind = match (e.kind(), e.filemode()) {
            (Some(ObjectType::Blob), 0o120000) => Kind::Link,
            (Some(ObjectType::Blob), _) => Kind::File,
            (Some(ObjectType::Commit), _) => Kind::Submodule,
            _ => return TreeWalkResult::Ok,
        };
        out.insert(format!("{root}{name}"), Entry { oid: e.id(), kind });
        TreeWalkResult::Ok
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    #[test]
    fn reads_the_branch_tip_and_matches_like_a_directory() {
        let d = tempfile::tempdir().unwrap();
        let bare = d.path().join("cases.git");
        let work = d.path().join("work");
        git(
            d.path(),
            &["init", "-q", "--bare", "-b", "main", "cases.git"],
        );
        git(d.path(), &["init", "-q", "-b", "main", "work"]);
        std::fs::create_dir_all(work.join("cases/sub")).unwrap();
        std::fs::write(work.join("cases/a.toml"), "a = 1\n").unwrap();
        std::fs::write(work.join("cases/.hidden.toml"), "x\n").unwrap();
        std::fs::write(work.join("cases/sub/b.toml"), "b\n").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", work.join("cases/link.toml")).unwrap();
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "one"]);
        // Before the push: the branch has no commit.
        let t = GitTree::at_tip(&bare, "main").unwrap();
        assert_eq!(t.commit(), None);
        assert!(t.matches("cases/*.toml").unwrap().is_empty());
        git(&work, &["push", "-q", bare.to_str().unwrap(), "main"]);
        let t = GitTree::at_tip(&bare, "main").unwrap();
        assert!(t.commit().is_some());
        assert_eq!(tip_now(&bare, "main").unwrap(), t.commit());
        assert_eq!(
            t.matches("cases/*.toml").unwrap(),
            vec!["cases/a.toml", "cases/link.toml"]
        );
        assert_eq!(t.entry("cases/link.toml").unwrap().kind, Kind::Link);
        assert_eq!(t.read("cases/a.toml", 100).unwrap(), b"a = 1\n");
        assert_eq!(t.read("cases/a.toml", 3), Err(ReadError::TooLarge(6)));
        assert_eq!(t.read("nope", 100), Err(ReadError::Missing));
        // A clone with a working tree is refused; a missing one too.
        assert!(matches!(
            GitTree::at_tip(&work, "main"),
            Err(GitError::NotBare { .. })
        ));
        assert!(matches!(
            GitTree::at_tip(&d.path().join("none"), "main"),
            Err(GitError::Open { .. })
        ));
    }
}
