//! Each file stands alone: loading the config so that one broken file never
//! silences the others.
//!
//! Every file is read, parsed and checked on its own. A file with errors is
//! left out whole, and its last good version (from the [`Store`]) stays in
//! effect; a file that was never good is not tracked. Conflicts between
//! files (a case id in two files, a request waiting for a bill that no file
//! defines) are settled by [`admit`]: the file whose change introduced the
//! conflict is the one left out. A broken main file keeps its last good
//! version; without one, loading fails, as before.
//!
//! [`Live::reload`] re-reads only the files whose metadata changed, so a
//! one-file edit in a config of 100,000 cases is in effect in milliseconds.
//!
//! The steps of a load are here; below it: `main_file.rs` (step 1, the
//! main file or its last good copy), `units.rs` (step 3, each
//! include read and checked), `git.rs` (the tree to read with
//! `cases_git`), `reuse.rs` (what a reload keeps from the load before),
//! `look.rs` (the cheap look at disk), `store.rs` (the last good copies),
//! `versions.rs` (the versions read, for the history).

mod git;
mod look;
mod main_file;
mod reuse;
mod store;
mod units;
mod versions;

pub(crate) use look::includes_now;
pub use look::Meta;
use look::{dir_modes, near_misses_meta, DirMode};
use main_file::Main;
use store::vanished;
pub use versions::FileVersion;

use super::admit::{admit, Candidate, Outcome, Which};
use super::changed::Changed;
use super::diag::Diagnostics;
use super::env::Env;
use super::files::{CaseFiles, Disk};
use super::git::GitTree;
use super::includes::Expanded;
use super::model::{CaseFile, Config, Settings};
use super::source;
use super::store::{content_hash, Store};
use super::unit::{rel_of, Checked, Problems};
pub use super::unit::{salvage_cases, Cases};
use super::validate::{self, Context};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What loading reads besides the files themselves.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    pub env: &'a Env,
    /// The last good copies; None for `check`, which judges files as they are.
    pub store: Option<&'a Store>,
    /// The git tree to read the case files from instead of the tip of
    /// `cases_git`'s branch (the pushed tip, for `docket git-hook`).
    pub tree: Option<&'a Arc<GitTree>>,
    /// Keep each case file's text once it is checked: the daemon writes
    /// it to the store and the history. A command has no use for it
    /// (a conflict's message reads the file again): dropped at once, the
    /// texts of 1,000 files are not all alive at the same time (19 MB of
    /// fresh memory at 100,000 cases, ~7 ms of a `check`).
    pub keep_texts: bool,
}

/// Where a file stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The file on disk is in effect.
    InEffect,
    /// The file on disk has problems; its last good version is in effect.
    Held,
    /// The file has problems and there is no good version: its cases are
    /// not tracked.
    NotTracked,
}

impl State {
    /// As `status.json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::InEffect => "in_effect",
            State::Held => "held",
            State::NotTracked => "not_tracked",
        }
    }
}

/// One file's standing, for `status`, the notices and the logs.
#[derive(Debug, Clone)]
pub struct FileStatus {
    /// The path relative to the config directory.
    pub rel: String,
    pub path: PathBuf,
    pub state: State,
    /// When the version in effect became the good one (held files).
    pub since: Option<String>,
    /// The problems of the version on disk (its own source is index 0).
    pub problems: Option<Arc<Diagnostics>>,
    /// The cases of the version in effect (for a file not tracked, what
    /// could be read of it): case id and caseworker id.
    pub cases: Cases,
    /// A hash of the version on disk (None when it cannot be read).
    pub disk_hash: Option<String>,
    /// Left out: since when, this time (set by the daemon, which carries
    /// it from reload to reload and through `status.json` across
    /// restarts). It names the episode, so that a file broken and put
    /// back twice to the same bytes is told twice: notices keyed by the
    /// content alone were told once, ever (issue 18, item 4).
    pub left_out_at: Option<String>,
    /// A file not tracked: what could be read of it (case ids, their
    /// caseworkers, dates), for `upcoming` and for the digests that name
    /// it until it is fixed (issue 18, item 5). None otherwise.
    pub salvaged: Option<Arc<Vec<super::salvage::Case>>>,
    /// Left out only because of a directory's permissions (others can
    /// write it, say): the problem is the directory's, told once to the
    /// admin; the file's caseworkers are not told (they cannot fix it).
    pub dir_problem: Option<PathBuf>,
}

/// What was read of one include, kept for the next reload.
#[derive(Debug, Clone)]
struct Unit {
    rel: String,
    path: PathBuf,
    meta: Option<Meta>,
    /// The version on disk, when good; its problems otherwise.
    disk: Result<Checked, Problems>,
    disk_hash: Option<String>,
    /// The last good version from the store, when there is one.
    good: Option<Checked>,
    good_since: Option<String>,
    /// The hash of the stored good version, if any.
    stored_hash: Option<String>,
    /// Not read because of this directory's permissions (see
    /// [`FileStatus::dir_problem`]).
    dir_problem: Option<PathBuf>,
    /// Refused by the includes (not read at all): never reused, since
    /// what refused it (a directory's mode, a link) is not its metadata.
    refused: bool,
}

/// The config in effect, and how every file stands.
#[derive(Debug)]
pub struct Live {
    /// Shared with the daemon's pass and its workers (read-only).
    pub config: Arc<Config>,
    pub main: FileStatus,
    pub files: Vec<FileStatus>,
    /// Files beside the include patterns that look like case files.
    pub near_misses: Vec<PathBuf>,
    /// Stored files no pattern matches any more (deleted, moved away), with
    /// the cases they held.
    pub vanished: Vec<(String, Vec<(String, String)>)>,
    /// Every problem of every file as it is on disk, for `check`.
    pub diagnostics: Diagnostics,
    /// The directories whose permissions keep files out, each with its
    /// fix: each one problem, told to the admin once.
    pub(crate) unsafe_dirs: Vec<super::source::UnsafeDir>,
    /// The permissions of every directory the files' safety depends on
    /// (the case directories and all above them), so a `chmod` that fixes
    /// one is seen by the look before a pass, without a signal.
    dir_modes: Vec<(PathBuf, Option<DirMode>)>,
    root: PathBuf,
    main_meta: Option<Meta>,
    /// The near misses with their metadata, for [`Live::changed_on_disk`].
    near_meta: Vec<(PathBuf, Option<Meta>)>,
    settings: Arc<Settings>,
    own: Checked,
    units: Vec<Unit>,
    /// The case files' git tree, with `cases_git` (SPEC section 7).
    tree: Option<Arc<GitTree>>,
    /// Admission found no conflict: a reload whose changed files keep
    /// their ids may reuse its outcome ([`Live::same_admission`]).
    admitted_clean: bool,
}

/// Loading failed: there is no main file to run on.
#[derive(Debug)]
pub struct Fatal {
    pub diagnostics: Diagnostics,
}

impl Live {
    /// Load the config at `path`, every file on its own.
    pub fn load(path: &Path, opts: Options<'_>) -> Result<Live, Fatal> {
        Live::build(path, opts, None, &Changed::Anything, false)
    }

    /// Load with the last good copies of broken files, as the daemon has
    /// them in effect: from `$STATE_DIRECTORY` (or the default) first, and
    /// again from the main file's own `state_dir` when it names another
    /// (only the main file says where its state is). The daemon's start
    /// and every command load this way.
    pub fn load_in_effect(path: &Path, env: &Env, keep_texts: bool) -> Result<Live, Fatal> {
        let default_dir = env
            .state_directory
            .clone()
            .unwrap_or_else(|| PathBuf::from(validate::DEFAULT_STATE_DIR));
        let load_with = |dir: &Path| {
            let store = Store::new(dir, path);
            Live::load(
                path,
                Options {
                    env,
                    store: Some(&store),
                    tree: None,
                    keep_texts,
                },
            )
        };
        let live = load_with(&default_dir)?;
        if live.config.service.state_dir == default_dir {
            Ok(live)
        } else {
            load_with(&live.config.service.state_dir)
        }
    }

    /// Load again, re-reading only what changed since `self`: the files
    /// `changed` names (every file's metadata for [`Changed::Anything`]);
    /// a main file that changed means everything is checked again.
    pub fn reload(&self, opts: Options<'_>, changed: &Changed) -> Result<Live, Fatal> {
        Live::build(&self.config.path, opts, Some(self), changed, false)
    }

    /// Read every file again (a SIGHUP): each file's bytes and mode are
    /// looked at anew, whatever its metadata says; a file whose bytes are
    /// what `self` read, and whose permissions are still right, keeps
    /// what was checked of it instead of being parsed again (with the
    /// same settings). The answer is the same as [`Live::load`]'s.
    pub fn reread(&self, opts: Options<'_>) -> Result<Live, Fatal> {
        Live::build(
            &self.config.path,
            opts,
            Some(self),
            &Changed::Anything,
            true,
        )
    }

    /// Has anything `changed` names changed on disk since this was loaded?
    /// A cheap look at metadata (and, for [`Changed::Anything`], at which
    /// files the patterns match).
    pub fn changed_on_disk(&self, changed: &Changed) -> bool {
        if let Some(tree) = &self.tree {
            // A git tree changes only with its branch: one ref to read.
            return Meta::of(&self.config.path) != self.main_meta
                || self.tree_now() != Some(tree.commit());
        }
        let Changed::Paths(paths) = changed else {
            return self.anything_changed_on_disk();
        };
        if changed.covers(&self.config.path) && Meta::of(&self.config.path) != self.main_meta {
            return true;
        }
        let known = |p: &Path| changed.covers(p);
        if self
            .units
            .iter()
            .any(|u| known(&u.path) && Meta::of(&u.path) != u.meta)
            || self
                .near_meta
                .iter()
                .any(|(n, was)| known(n) && Meta::of(n) != *was)
        {
            return true;
        }
        // A path no file has: a new file (or one gone that was never read).
        paths.iter().any(|p| {
            let name = p.file_name();
            let seen = std::iter::once(self.config.path.as_path())
                .chain(self.units.iter().map(|u| u.path.as_path()))
                .chain(self.near_meta.iter().map(|(n, _)| n.as_path()))
                .any(|k| k.file_name() == name);
            !seen && Meta::of(p).is_some()
        })
    }

    /// Every file's metadata, and which files the patterns match.
    fn anything_changed_on_disk(&self) -> bool {
        let main = Meta::of(&self.config.path);
        if main != self.main_meta {
            return true;
        }
        let now = includes_now(&self.config.path, main, &self.settings.service.include);
        let mut had: Vec<(&PathBuf, Option<Meta>)> =
            self.units.iter().map(|u| (&u.path, u.meta)).collect();
        had.sort_by(|a, b| a.0.cmp(b.0));
        if now.len() != had.len() || now.iter().zip(&had).any(|(n, h)| &n.0 != h.0 || n.1 != h.1) {
            return true;
        }
        near_misses_meta(&self.config.path, &self.settings.service.include) != self.near_meta
            || dir_modes(&self.watched_dirs()) != self.dir_modes
    }

    /// The tip of the branch now (None when the repository cannot be read).
    fn tree_now(&self) -> Option<Option<git2::Oid>> {
        let g = self.settings.service.git.as_ref()?;
        super::git::tip_now(&g.repo, &g.branch).ok()
    }

    /// The git tree the case files were read from, with `cases_git`.
    pub fn tree(&self) -> Option<&Arc<GitTree>> {
        self.tree.as_ref()
    }

    /// `path` as the people editing the config know it (relative to the
    /// main file's directory).
    pub fn rel(&self, path: &Path) -> String {
        rel_of(&self.root, path)
    }

    /// The bytes of a near miss at `path`, read where the case files were
    /// (the disk, or the git tree with `cases_git`): see
    /// [`CaseFiles::look_into`].
    pub fn look_into(&self, path: &Path) -> Option<Vec<u8>> {
        let source: &dyn CaseFiles = match &self.tree {
            Some(t) => t.as_ref(),
            None => &Disk,
        };
        source.look_into(path, &self.root)
    }

    fn include_patterns(&self) -> Vec<(String, std::ops::Range<usize>)> {
        self.settings
            .service
            .include
            .iter()
            .map(|p| (p.clone(), 0..0))
            .collect()
    }

    /// Directories whose changes matter: the main file's and each
    /// pattern's (for a file watcher).
    pub fn watched_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        dirs.insert(super::includes::base_dir(&self.config.path));
        if let Some(g) = &self.settings.service.git {
            // A push moves a ref: a file under refs/heads (the branch's
            // own directories included), or packed-refs beside them.
            dirs.insert(g.repo.clone());
            let mut heads = g.repo.join("refs/heads");
            dirs.insert(heads.clone());
            for part in g.branch.split('/').filter(|_| g.branch.contains('/')) {
                heads.push(part);
                if heads != g.repo.join("refs/heads").join(&g.branch) {
                    dirs.insert(heads.clone());
                }
            }
            return dirs.into_iter().collect();
        }
        for u in &self.units {
            if let Some(p) = u.path.parent() {
                dirs.insert(p.to_path_buf());
            }
        }
        let base = self.root.clone();
        for (p, _) in self.include_patterns() {
            let full = base.join(&p);
            if let Some(parent) = full.parent() {
                if !parent.to_string_lossy().contains(['*', '?', '[']) {
                    dirs.insert(parent.to_path_buf());
                }
            }
        }
        dirs.into_iter().collect()
    }

    /// Load the config: the main file, then each include on its own, then
    /// what only all files together can tell. Each step is a function of
    /// its own below, in the order they run; `prev` lets unchanged files be
    /// reused when the settings are the same.
    fn build(
        path: &Path,
        opts: Options<'_>,
        prev: Option<&Live>,
        changed: &Changed,
        reread: bool,
    ) -> Result<Live, Fatal> {
        // The store's owner asked once for the whole load.
        let pinned = opts.store.map(Store::pinned);
        let opts = Options {
            store: pinned.as_ref(),
            ..opts
        };
        let env = opts.env;
        let mut all = Diagnostics::default();
        // 1. The main file: as on disk, else its last good copy.
        let Main {
            read: main,
            status: main_status,
            meta: main_meta,
        } = Self::main_file(path, opts, &mut all)?;
        let root = root_of(path);
        // The same settings as before: files unchanged since can be reused.
        let same_settings = prev.is_some_and(|p| *p.settings == main.settings);
        let settings = Arc::new(main.settings);
        let ctx = Context::new(&settings, env);
        // 2. Where the case files come from, and which the includes name.
        let tree = Self::tree_of(&settings, opts, prev);
        let source: &dyn CaseFiles = match &tree {
            Some(Ok(t)) => t.as_ref(),
            _ => &Disk,
        };
        // A git tree changes as a whole: every file is looked at (its blob
        // id), whatever the watcher named.
        let changed = if tree.is_some() {
            &Changed::Anything
        } else {
            changed
        };
        let Expanded {
            files,
            reals,
            rels,
            refused,
            near_misses,
            unsafe_dirs,
        } = match &tree {
            Some(Err(e)) => Self::repository_unreadable(path, &main.own, e, opts, &mut all),
            _ => Self::expand_includes(
                path,
                &main.own,
                &main.includes,
                source,
                env,
                &settings,
                &mut all,
            ),
        };
        // 3. Each include on its own: reuse what did not change.
        let prev_units = prev.filter(|_| same_settings);
        let mut units = Self::read_units(
            source, &files, &reals, &rels, prev_units, changed, reread, &ctx, opts,
        );
        units.extend(Self::refused_units(source, &refused, &root, &ctx, opts));
        // 4. Across files: who is in effect.
        let outcome = match prev_units.and_then(|p| p.same_admission(&main.own, &units)) {
            Some(o) => o,
            None => Self::admit_units(path, &main.own, &units, &mut all),
        };
        let admitted_clean = outcome.conflicts.is_empty() && outcome.main_conflicts.is_empty();
        // 5. What `check` shows: every file's own problems, then conflicts.
        let mut in_effect: Vec<Arc<CaseFile>> = vec![Arc::clone(&main.own.file)];
        let mut years: BTreeSet<i32> = main.own.years.iter().copied().collect();
        let statuses = units
            .iter()
            .enumerate()
            .map(|(i, u)| Self::unit_status(u, i, &outcome, &mut in_effect, &mut years, &mut all))
            .collect();
        validate::kurban_ait_note(&mut all, &years, &settings.calendar);
        all.sort();
        // 6. Stored files no pattern matches any more.
        let vanished = vanished(opts.store, &units, &main_status.rel);
        let config = Arc::new(Config::new(
            path.to_path_buf(),
            (*settings).clone(),
            in_effect,
        ));
        let near_meta = near_misses_meta(path, &settings.service.include);
        let mut live = Live {
            config,
            near_meta,
            main: main_status,
            files: statuses,
            near_misses,
            vanished,
            diagnostics: all,
            unsafe_dirs,
            dir_modes: Vec::new(),
            root,
            main_meta,
            settings,
            own: main.own,
            units,
            tree: tree.and_then(Result::ok),
            admitted_clean,
        };
        live.dir_modes = dir_modes(&live.watched_dirs());
        Ok(live)
    }

    /// Step 2: the files the main file's include patterns match, with a
    /// warning for each near miss (a case file whose name the patterns do
    /// not match, such as `x.toml.txt`), located in the main file.
    fn expand_includes(
        path: &Path,
        own: &Checked,
        patterns: &[(String, std::ops::Range<usize>)],
        source: &dyn CaseFiles,
        env: &Env,
        settings: &Settings,
        all: &mut Diagnostics,
    ) -> Expanded {
        let mut exp_d = Diagnostics::default();
        let mf = exp_d.add_source(
            path,
            own.text.as_deref().map_or("", String::as_str).to_string(),
        );
        let editors = settings.service.editors.as_ref();
        let expanded = source.expand(path, mf, patterns, env, editors, &mut exp_d);
        for n in &expanded.near_misses {
            exp_d
                .warning(mf, 0..0, format!("{} looks like a case file but is not read: its name does not match the includes", n.display()))
                .help("rename it to end in .toml (editors such as Notepad add .txt), or remove it");
        }
        all.absorb(exp_d);
        expanded
    }

    /// Step 4: which version of each file is in effect, decided by
    /// [`admit`] over all files at once (a file changed since its good copy
    /// is the one a conflict puts out); the main file's own conflicts are
    /// errors located in it.
    fn admit_units(path: &Path, own: &Checked, units: &[Unit], all: &mut Diagnostics) -> Outcome {
        let candidates: Vec<Candidate<'_>> = units
            .iter()
            .map(|u| Candidate {
                rel: &u.rel,
                disk: u.disk.as_ref().ok(),
                good: u.good.as_ref(),
                changed: match (&u.disk, &u.stored_hash) {
                    (Ok(c), Some(h)) => c.hash != *h,
                    _ => true,
                },
                mtime_ns: u.meta.map_or(0, |m| m.mtime_ns),
            })
            .collect();
        let outcome = admit(own, &candidates);
        if !outcome.main_conflicts.is_empty() {
            let mut d = Diagnostics::default();
            let f = d.add_source(
                path,
                own.text.as_deref().map_or("", String::as_str).to_string(),
            );
            for (span, msg, help) in &outcome.main_conflicts {
                d.error(f, span.clone(), msg.clone()).help(help.clone());
            }
            all.absorb(d);
        }
        outcome
    }

    /// Step 5, for the `i`th include: how it stands after [`admit`], its
    /// problems (its own, or the conflicts that put it out) added to `all`
    /// as `check` shows them, and its cases added to `in_effect` when a
    /// version of it is.
    fn unit_status(
        u: &Unit,
        i: usize,
        outcome: &Outcome,
        in_effect: &mut Vec<Arc<CaseFile>>,
        years: &mut BTreeSet<i32>,
        all: &mut Diagnostics,
    ) -> FileStatus {
        let mut echo = true;
        let mut problems = match &u.disk {
            Err(p) => {
                echo = p.echo;
                Some(Arc::clone(&p.diags))
            }
            Ok(_) => None,
        };
        if let Some(conflicts) = outcome.conflicts.get(&i) {
            // A good disk version that lost a conflict: its problems are
            // the conflicts, located in it.
            let mut d = Diagnostics::default();
            let f = d.add_source(&u.path, String::new());
            let text = match &u.disk {
                Ok(c) => c
                    .text
                    .as_ref()
                    .map(|t| t.to_string())
                    .or_else(|| read_again(&u.path, &c.hash)),
                Err(_) => None,
            };
            let located = text.is_some();
            if let Some(t) = text {
                d.sources[f].text = t;
            }
            for (span, msg, help) in conflicts {
                // Without the text checked (changed since), at the file.
                let span = if located { span.clone() } else { 0..0 };
                d.error(f, span, msg.clone()).help(help.clone());
            }
            problems = Some(Arc::new(d));
        }
        if let (Some(p), true) = (&problems, echo) {
            all.absorb((**p).clone());
        }
        if let Ok(Checked {
            warnings: Some(w), ..
        }) = &u.disk
        {
            all.absorb((**w).clone());
        }
        let (state, cases, since) = match outcome.chosen[i] {
            Some(Which::Disk) => {
                let Ok(c) = &u.disk else {
                    unreachable!("admit chooses only a good disk version")
                };
                in_effect.push(Arc::clone(&c.file));
                years.extend(c.years.iter());
                (State::InEffect, c.cases.clone(), None)
            }
            Some(Which::Good) => {
                let c = u.good.as_ref().expect("chosen good exists");
                in_effect.push(Arc::clone(&c.file));
                years.extend(c.years.iter());
                (State::Held, c.cases.clone(), u.good_since.clone())
            }
            None => {
                let cases = match &u.disk {
                    Err(p) => p.cases.clone(),
                    Ok(c) => c.cases.clone(),
                };
                (State::NotTracked, cases, None)
            }
        };
        // Its text is kept with its problems (never for a good file).
        let salvaged = (state == State::NotTracked).then(|| {
            let text = problems
                .as_deref()
                .and_then(|d| d.sources.first())
                .map_or("", |s| s.text.as_str());
            Arc::new(super::salvage::cases(text))
        });
        FileStatus {
            rel: u.rel.clone(),
            path: u.path.clone(),
            state,
            since,
            problems,
            cases,
            disk_hash: u.disk_hash.clone(),
            left_out_at: None,
            salvaged,
            dir_problem: u.dir_problem.clone(),
        }
    }

    /// Files left out (held at an older version, or not tracked).
    pub fn left_out(&self) -> impl Iterator<Item = &FileStatus> {
        std::iter::once(&self.main)
            .chain(self.files.iter())
            .filter(|f| f.state != State::InEffect)
    }
}

/// The text of a case file a command checked and dropped (see
/// [`Options::keep_texts`]), read again for a conflict's message: only
/// when it is still the version checked, whose spans the message has.
fn read_again(path: &Path, hash: &str) -> Option<String> {
    let text = source::read_text(path, &mut Diagnostics::default())?;
    (content_hash(text.as_bytes()) == hash).then_some(text)
}

/// The folder include paths are relative to: the main file's, canonical
/// when it can be.
fn root_of(path: &Path) -> PathBuf {
    let base = super::includes::base_dir(path);
    std::fs::canonicalize(&base).unwrap_or(base)
}

/// A config directory for the reload tests: a main file with one
/// caseworker and `cases.d/*.toml`, files written 0600.
#[cfg(test)]
pub(super) struct TestDir(pub(super) tempfile::TempDir);

#[cfg(test)]
impl TestDir {
    pub(super) fn new() -> TestDir {
        let d = TestDir(tempfile::tempdir().unwrap());
        d.write(
            "docket.toml",
            "[service]\ntimezone = \"Asia/Almaty\"\ninclude = [\"cases.d/*.toml\"]\n[mail]\ntransport = \"file\"\ndir = \"out\"\nfrom = \"d@ngo.example\"\n[[caseworker]]\nid = \"aigerim\"\nname = \"A\"\nemail = \"a@ngo.example\"\n",
        );
        d
    }

    pub(super) fn main(&self) -> PathBuf {
        self.0.path().join("docket.toml")
    }

    pub(super) fn write(&self, rel: &str, text: &str) {
        use std::os::unix::fs::PermissionsExt;
        let p = self.0.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// [`write`](Self::write), the file's modification time set to `secs`
    /// after the epoch: an order of files by age that does not depend on
    /// when the test runs (nor read the system's clock).
    pub(super) fn write_dated(&self, rel: &str, text: &str, secs: u64) {
        self.write(rel, text);
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        std::fs::File::options()
            .append(true)
            .open(self.0.path().join(rel))
            .and_then(|f| f.set_modified(t))
            .unwrap();
    }

    /// One case of aigerim's with a refugee certificate in `status`.
    pub(super) fn case(id: &str, status: &str) -> String {
        format!("[[case]]\nid = \"{id}\"\ncaseworker = \"aigerim\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2026-01-10\n  expires = 2027-01-10\n  status = \"{status}\"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salvages_case_ids_and_caseworkers_from_a_broken_file() {
        let text = "[[case]]\nid = \"KZ-1\"\ncaseworker = \"aigerim\"\nissued = 10.09.2026\n[[case]]\nid = \"KZ-2\"\n";
        assert_eq!(
            salvage_cases(text),
            vec![
                ("KZ-1".to_string(), "aigerim".to_string()),
                ("KZ-2".to_string(), String::new())
            ]
        );
    }
}
