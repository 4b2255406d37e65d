//! What is known to have changed on disk since the config in effect was
//! read: the first link of the edit path (the watcher's events → the
//! config layer re-reading exactly that → one diff → one list of actions).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What changed, as far as the one who noticed can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// Anything may have changed: a SIGHUP, a poll, the look before a pass,
    /// a directory moved or replaced, or an event queue that overflowed.
    /// Every file's metadata is looked at.
    Anything,
    /// Only these paths (files in a watched directory, as the watcher saw
    /// them): the other files are reused as they were read.
    Paths(BTreeSet<PathBuf>),
}

impl Changed {
    /// One path.
    pub fn path(p: impl Into<PathBuf>) -> Changed {
        Changed::Paths(BTreeSet::from([p.into()]))
    }

    /// What two reports together say changed.
    pub fn merge(&mut self, other: Changed) {
        match (&mut *self, other) {
            (Changed::Paths(a), Changed::Paths(b)) => a.extend(b),
            _ => *self = Changed::Anything,
        }
    }

    /// Must `path` be looked at again? A file is named by its file name:
    /// the watcher may report a directory under another of its names (the
    /// canonical one, or through a symlink) than the includes give, and
    /// looking at a file too many is cheap where one too few is a missed
    /// edit.
    pub fn covers(&self, path: &Path) -> bool {
        match self {
            Changed::Anything => true,
            Changed::Paths(ps) => {
                ps.contains(path)
                    || path
                        .file_name()
                        .is_some_and(|n| ps.iter().any(|p| p.file_name() == Some(n)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_merge_and_anything_wins() {
        let mut c = Changed::path("/etc/docket/cases.d/a.toml");
        c.merge(Changed::path("/etc/docket/cases.d/b.toml"));
        assert!(c.covers(Path::new("/etc/docket/cases.d/b.toml")));
        assert!(!c.covers(Path::new("/etc/docket/cases.d/c.toml")));
        // The same file under another name of its directory.
        assert!(c.covers(Path::new("/srv/cases/a.toml")));
        c.merge(Changed::Anything);
        assert_eq!(c, Changed::Anything);
        assert!(c.covers(Path::new("/etc/docket/cases.d/c.toml")));
        let mut any = Changed::Anything;
        any.merge(Changed::path("/x.toml"));
        assert_eq!(any, Changed::Anything);
    }
}
