//! Where a load's case files come from when `cases_git` names a
//! repository: the tree to read, and what to do when it cannot be read.

use super::super::diag::Diagnostics;
use super::super::git::{GitError, GitTree};
use super::super::includes::{Expanded, Refused};
use super::super::model::Settings;
use super::super::store::Store;
use super::super::unit::Checked;
use super::{Live, Options};
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Live {
    /// The git tree of `cases_git` (None without one): the one given (the
    /// hook's pushed tip), the previous load's while the branch has not
    /// moved, else the tip read now.
    pub(super) fn tree_of(
        settings: &Settings,
        opts: Options<'_>,
        prev: Option<&Live>,
    ) -> Option<Result<Arc<GitTree>, GitError>> {
        let g = settings.service.git.as_ref()?;
        if let Some(t) = opts.tree {
            return Some(Ok(Arc::clone(t)));
        }
        let reuse = prev
            .and_then(|p| p.tree.as_ref())
            .filter(|t| t.repo_dir() == g.repo && t.branch() == g.branch);
        if let Some(t) = reuse {
            if super::super::git::tip_now(&g.repo, &g.branch).ok() == Some(t.commit()) {
                return Some(Ok(Arc::clone(t)));
            }
        }
        let tree = GitTree::at_tip(&g.repo, &g.branch);
        // A branch that is gone after docket kept files from it was
        // deleted or renamed, not emptied: its files stay at their good
        // copies (a new repository has no good copies yet).
        let had_files = || {
            opts.store.is_some_and(|s| s.list().len() > 1)
                || prev.is_some_and(|p| !p.units.is_empty())
        };
        Some(match tree {
            Ok(t) if t.commit().is_none() && had_files() => Err(GitError::Branch {
                path: g.repo.clone(),
                branch: g.branch.clone(),
                reason: "the branch does not exist any more (deleted or renamed?)".into(),
            }),
            other => other.map(Arc::new),
        })
    }

    /// Step 2 when the repository cannot be read: an error in the main
    /// file, and every case file docket has a good copy of kept at it,
    /// as for a directory with a problem (one problem, told to the admin
    /// once; the caseworkers cannot fix it).
    pub(super) fn repository_unreadable(
        path: &Path,
        own: &Checked,
        e: &GitError,
        opts: Options<'_>,
        all: &mut Diagnostics,
    ) -> Expanded {
        let mut d = Diagnostics::default();
        let mf = d.add_source(
            path,
            own.text.as_deref().map_or("", String::as_str).to_string(),
        );
        // At the key that names the repository (the text is the main
        // file's own: `cases_git = "…"` on a line of its own).
        let text = own.text.as_deref().map_or("", String::as_str);
        let span = key_value_span(text, "cases_git").unwrap_or(0..0);
        d.error(mf, span, e.to_string()).help(e.help());
        all.absorb(d);
        let repo = match e {
            GitError::Open { path, .. }
            | GitError::NotBare { path }
            | GitError::Branch { path, .. }
            | GitError::Commit { path, .. } => path.clone(),
        };
        let main_rel = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let refused = opts
            .store
            .map(Store::list)
            .unwrap_or_default()
            .into_iter()
            .filter(|rel| *rel != main_rel)
            .map(|rel| Refused {
                path: PathBuf::from(rel),
                why: e.to_string(),
                dir: Some(repo.clone()),
            })
            .collect();
        Expanded {
            files: Vec::new(),
            reals: Vec::new(),
            rels: Vec::new(),
            refused,
            near_misses: Vec::new(),
            unsafe_dirs: vec![super::source::UnsafeDir {
                dir: repo,
                message: e.to_string(),
                help: e.help(),
                repository: true,
            }],
        }
    }
}

/// Where the value of `key = …` is in `text` (the first line that sets
/// it), for an error about what the value names.
fn key_value_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            if let Some(value) = rest.trim_start().strip_prefix('=') {
                let v = value.trim();
                let start =
                    at + (line.len() - value.len()) + (value.len() - value.trim_start().len());
                return Some(start..start + v.len());
            }
        }
        at += line.len();
    }
    None
}

#[cfg(test)]
mod key_span_tests {
    #[test]
    fn finds_the_value_of_a_key() {
        let t = "[service]\ncases_git = \"/srv/x.git\"\n";
        let r = super::key_value_span(t, "cases_git").unwrap();
        assert_eq!(&t[r], "\"/srv/x.git\"");
        assert_eq!(super::key_value_span(t, "nope"), None);
    }
}
