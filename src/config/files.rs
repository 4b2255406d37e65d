//! Where the case files come from: the seam between loading
//! ([`super::live::Live`]) and the files themselves.
//!
//! Two kinds: a directory on disk ([`Disk`]: the include globs under the
//! main config's directory, each file's owner and mode checked, its
//! metadata telling whether it changed) and a git tree ([`super::git::GitTree`]:
//! the globs match paths of one commit, the blob id tells whether a file
//! changed, and there are no owners or modes to check: who may push is
//! the forge's business). Everything after reading — parsing, checking,
//! the last good copies, admitting across files — is the same for both.

use super::diag::Diagnostics;
use super::env::Env;
use super::git::{GitTree, Kind, ReadError};
use super::includes::{self, Expanded, Refused};
use super::live::Meta;
use super::model::Editors;
use super::source::{self, MAX_FILE_BYTES};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The case files of one load.
pub(crate) trait CaseFiles: Sync {
    /// The files the include `patterns` (spans in the main file `mf`)
    /// match, those that may not be read and why, and the near misses.
    fn expand(
        &self,
        main_path: &Path,
        mf: usize,
        patterns: &[(String, Range<usize>)],
        env: &Env,
        editors: Option<&Editors>,
        d: &mut Diagnostics,
    ) -> Expanded;

    /// What tells whether the file at `path` changed since it was read.
    fn meta(&self, path: &Path) -> Option<Meta>;

    /// The text at `path`; a problem reading it goes to `d`.
    fn read(&self, path: &Path, d: &mut Diagnostics) -> Option<String>;

    /// [`read`](Self::read), and for a file on disk the metadata of the
    /// file it read: its owner and mode, and whether it changed, are then
    /// known without asking about the path again. `real`: the path as
    /// admission resolved it ([`Expanded::reals`]), what a file on disk is
    /// opened by; `path` names it in messages.
    fn read_stat(
        &self,
        path: &Path,
        _real: &Path,
        d: &mut Diagnostics,
    ) -> Option<(String, Option<std::fs::Metadata>)> {
        self.read(path, d).map(|t| (t, None))
    }

    /// The bytes of a file docket looks into but does not read as a case
    /// file (a near miss, `kz-0300.toml.txt`, for the ids and caseworkers
    /// to tell): only a regular file, none over [`MAX_FILE_BYTES`]; on
    /// disk, under `root` with no link on its path
    /// ([`source::read_looked_at`]); in a git tree, a file entry (not a
    /// link nor a submodule). `None` when it is not such a file.
    fn look_into(&self, path: &Path, root: &Path) -> Option<Vec<u8>>;

    /// `path` as messages and the last good copies name it.
    fn rel(&self, root: &Path, path: &Path) -> String;

    /// Files on disk carry their own owner and mode, checked as each is
    /// read; a git tree's do not.
    fn on_disk(&self) -> bool;
}

/// The case files in directories under the main config's.
pub(crate) struct Disk;

impl CaseFiles for Disk {
    fn expand(
        &self,
        main_path: &Path,
        mf: usize,
        patterns: &[(String, Range<usize>)],
        env: &Env,
        editors: Option<&Editors>,
        d: &mut Diagnostics,
    ) -> Expanded {
        includes::expand(main_path, mf, patterns, env, editors, d)
    }

    fn meta(&self, path: &Path) -> Option<Meta> {
        Meta::of(path)
    }

    /// Not used for case files (see `read_stat`), which are read by
    /// their real path; here the path itself may hold no link.
    fn read(&self, path: &Path, d: &mut Diagnostics) -> Option<String> {
        source::read_case_file_stat(path, path, d).map(|(t, _)| t)
    }

    fn read_stat(
        &self,
        path: &Path,
        real: &Path,
        d: &mut Diagnostics,
    ) -> Option<(String, Option<std::fs::Metadata>)> {
        source::read_case_file_stat(path, real, d).map(|(t, m)| (t, Some(m)))
    }

    fn look_into(&self, path: &Path, root: &Path) -> Option<Vec<u8>> {
        source::read_looked_at(path, root).ok()
    }

    fn rel(&self, root: &Path, path: &Path) -> String {
        super::unit::rel_of(root, path)
    }

    fn on_disk(&self) -> bool {
        true
    }
}

impl CaseFiles for GitTree {
    fn expand(
        &self,
        _main_path: &Path,
        mf: usize,
        patterns: &[(String, Range<usize>)],
        _env: &Env,
        _editors: Option<&Editors>,
        d: &mut Diagnostics,
    ) -> Expanded {
        let mut out = Expanded::default();
        let mut seen = std::collections::BTreeSet::new();
        for (pattern, span) in patterns {
            if pattern.contains("**") {
                d.error(mf, span.clone(), "recursive `**` is not supported in include patterns")
                    .help("list each directory, e.g. include = [\"cases/*.toml\", \"cases/archive/*.toml\"]");
                continue;
            }
            let pattern = pattern.trim_start_matches("./");
            let matches = match self.matches(pattern) {
                Ok(m) => m,
                Err(msg) => {
                    d.error(mf, span.clone(), format!("bad include pattern: {msg}"))
                        .help("use a glob such as \"cases/*.toml\" (a path in the repository)");
                    continue;
                }
            };
            let dir = includes::literal_dir(Path::new(pattern))
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let dir_exists = dir.is_empty()
                || self
                    .entries()
                    .range(prefix.clone()..)
                    .next()
                    .is_some_and(|(p, _)| p.starts_with(&prefix));
            if matches.is_empty() && !dir_exists && self.commit().is_some() {
                d.warning(
                    mf,
                    span.clone(),
                    format!("include \"{pattern}\" matches no file of branch {}, and the repository has no directory {dir}", self.branch()),
                )
                .help("include patterns name paths in the repository (cases_git), e.g. \"cases/*.toml\"");
            }
            // Near misses: beside the pattern's directory, a name a case
            // file saved wrongly gets.
            if let Ok(pat) = glob::Pattern::new(pattern) {
                for (p, _) in self.entries().range(prefix.clone()..) {
                    if !p.starts_with(&prefix) {
                        break;
                    }
                    let name = &p[prefix.len()..];
                    if !name.contains('/')
                        && includes::looks_like_case_file(name)
                        && !pat.matches(p)
                    {
                        out.near_misses.push(PathBuf::from(p));
                    }
                }
            }
            for p in matches {
                if !seen.insert(p.to_string()) {
                    continue;
                }
                let what = match self.entry(p).map(|e| e.kind) {
                    Some(Kind::File) => {
                        out.push_file(PathBuf::from(p), PathBuf::from(p), p.to_string());
                        continue;
                    }
                    Some(Kind::Link) => "a symbolic link",
                    _ => "a submodule",
                };
                d.error(
                    mf,
                    span.clone(),
                    format!("{p} is {what} in the repository, not a file: docket does not read it"),
                )
                .help(format!(
                    "commit the file itself: git rm {p}, then add the case file under that name"
                ));
                out.refused.push(Refused {
                    path: PathBuf::from(p),
                    why: format!("it is {what} in the repository"),
                    dir: None,
                });
            }
        }
        out.near_misses.sort();
        out.near_misses.dedup();
        out
    }

    fn meta(&self, path: &Path) -> Option<Meta> {
        let e = self.entry(path.to_str()?)?;
        Some(Meta::of_blob(e.oid))
    }

    fn read(&self, path: &Path, d: &mut Diagnostics) -> Option<String> {
        let fail = |d: &mut Diagnostics, msg: String, help: &str| {
            let f = d.add_source(path, String::new());
            d.error(f, 0..0, msg).help(help);
            None
        };
        let Some(p) = path.to_str() else {
            return fail(d, "the path is not UTF-8".into(), "rename the file");
        };
        match GitTree::read(self, p, MAX_FILE_BYTES) {
            Ok(bytes) => source::text_of(path, bytes, d),
            Err(ReadError::Missing) => fail(
                d,
                format!("{p} is not in branch {}", self.branch()),
                "check the path",
            ),
            Err(ReadError::TooLarge(n)) => fail(
                d,
                format!("{p} is {n} bytes, over the limit of {MAX_FILE_BYTES} bytes"),
                "split the cases into several files",
            ),
            Err(ReadError::Object(why)) => fail(
                d,
                format!("cannot read {p} from the repository: {why}"),
                "run `git fsck` in the repository",
            ),
        }
    }

    fn look_into(&self, path: &Path, _root: &Path) -> Option<Vec<u8>> {
        let p = path.to_str()?;
        if self.entry(p)?.kind != Kind::File {
            return None;
        }
        GitTree::read(self, p, MAX_FILE_BYTES).ok()
    }

    fn rel(&self, _root: &Path, path: &Path) -> String {
        path.to_string_lossy().into_owned()
    }

    fn on_disk(&self) -> bool {
        false
    }
}
