//! Loading the config: read files ([`source`]), expand includes
//! ([`includes`]), parse TOML into [`raw`] structs ([`fast`] for the common
//! shape, else [`recover`], which keeps going past bad keys), validate into
//! the [`model`] ([`validate`]), and gather every problem on the way as a
//! located [`diag::Diag`]. [`diff`] compares two loaded configs.

mod admit;
pub(crate) use admit::{FastMap, FastSet};
pub mod candidate;
pub mod changed;
pub mod diag;
pub mod diff;
mod env;
mod fast;
mod files;
pub mod git;
mod hints;
mod includes;
pub mod live;
pub mod model;
pub mod raw;
mod recover;
pub mod salvage;
mod source;
pub mod store;
pub mod suggest;
pub mod tr;
mod unit;
pub(crate) mod validate;

use diag::Diagnostics;
use model::Config;
use std::path::{Path, PathBuf};

pub use env::{AsOf, Env};
pub use source::MAX_FILE_BYTES;

pub use recover::MAX_PARSE_ERRORS;
pub use validate::DEFAULT_STATE_DIR;

/// The outcome of loading: a config when there were no errors, and every
/// diagnostic (warnings included) either way.
#[derive(Debug)]
pub struct Loaded {
    pub config: Option<Config>,
    pub diagnostics: Diagnostics,
    /// The git tree the case files were read from, with `cases_git`.
    pub tree: Option<std::sync::Arc<git::GitTree>>,
}

impl Loaded {
    /// The config, or the diagnostics when it has errors.
    pub fn into_result(self) -> Result<(Config, Diagnostics), Diagnostics> {
        match self.config {
            Some(c) if !self.diagnostics.has_errors() => Ok((c, self.diagnostics)),
            _ => Err(self.diagnostics),
        }
    }
}

/// Load and validate the config at `path` with its includes.
pub fn load(path: &Path) -> Loaded {
    load_with_env(path, &Env::from_process())
}

/// The text of a config file, read as loading reads it (a regular file, at
/// most [`MAX_FILE_BYTES`], without blocking on a FIFO); None otherwise.
pub fn read_small(path: &Path) -> Option<String> {
    source::read_text(path, &mut Diagnostics::default())
}

/// The files the main config at `main` includes, as its patterns match
/// them now; None when the file cannot be read as a main config. For
/// telling whether a file belongs to a config.
pub fn included_files(main: &Path) -> Option<Vec<PathBuf>> {
    included_files_in(main, &read_small(main)?)
}

/// [`included_files`] of a main file whose text is `text`: each file the
/// patterns match now, in path order, each once, without the main file
/// itself (as a load and [`live::Live::changed_on_disk`] see them).
pub fn included_files_in(main: &Path, text: &str) -> Option<Vec<PathBuf>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let patterns: Vec<String> = table
        .get("service")?
        .get("include")?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    Some(
        live::includes_now(main, live::Meta::of(main), &patterns)
            .into_iter()
            .map(|(p, _)| p)
            .collect(),
    )
}

/// `[service] cases_git` and `git_branch` as the main file's text `text`
/// names them (None without `cases_git`), for the index's key.
pub fn cases_git_in(main: &Path, text: &str) -> Option<model::CasesGit> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let service = table.get("service")?;
    let repo = service.get("cases_git")?.as_str()?;
    let branch = service
        .get("git_branch")
        .and_then(|b| b.as_str())
        .unwrap_or("main");
    let base = main.parent().unwrap_or(Path::new(""));
    Some(model::CasesGit {
        repo: base.join(repo),
        branch: branch
            .strip_prefix("refs/heads/")
            .unwrap_or(branch)
            .to_string(),
    })
}

/// The main file's settings alone, from its text `text`, as a config
/// without case files: for a command that has everything else from
/// [`crate::index`] (the calendar, the caseworkers and their supervisors).
/// None when the text has errors.
pub fn main_settings(path: &Path, text: String) -> Option<Config> {
    let main = unit::read_main(path, text, false, &Env::from_process()).ok()?;
    Some(Config::new(path.to_path_buf(), main.settings, Vec::new()))
}

pub fn load_with_env(path: &Path, env: &Env) -> Loaded {
    match live::Live::load(
        path,
        live::Options {
            env,
            store: None,
            tree: None,
            keep_texts: false,
        },
    ) {
        Ok(l) => {
            let tree = l.tree().cloned();
            let diagnostics = l.diagnostics;
            Loaded {
                config: (!diagnostics.has_errors())
                    .then_some(std::sync::Arc::unwrap_or_clone(l.config)),
                diagnostics,
                tree,
            }
        }
        Err(f) => Loaded {
            config: None,
            diagnostics: f.diagnostics,
            tree: None,
        },
    }
}
