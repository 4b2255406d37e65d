//! `docket log`, `docket restore` (and, in `forget.rs`, `docket forget`):
//! reading the history of the config's `state_dir`.

use super::base::{Version, VersionState};
use super::changes::{between, Change};
use super::store::History;
use crate::config::model::Config;
use crate::failure::Failure;
use anyhow::Context as _;
use chrono::SecondsFormat;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the history commands are given by `app`.
pub struct Args<'a> {
    pub config: &'a Path,
    /// `--show-values`: sensitive values in full.
    pub show_values: bool,
}

/// Where `log` and `restore` look.
pub enum Target {
    File(PathBuf),
    Case(String),
}

/// The settings the history commands need (`state_dir`, the time zone):
/// from the main file alone when it is good (cheap with 100,000 case
/// files), else as the daemon has it in effect (its last good copy).
pub(super) fn settings(path: &Path) -> Result<Config, Failure> {
    if let Some(c) =
        crate::config::read_small(path).and_then(|t| crate::config::main_settings(path, t))
    {
        return Ok(c);
    }
    crate::config::live::Live::load_in_effect(path, &crate::config::Env::from_process(), false)
        .map(|l| std::sync::Arc::unwrap_or_clone(l.config))
        .map_err(|f| {
            Failure::Config(format!(
                "{}: {} error(s) and no good copy; run `docket check`",
                path.display(),
                f.diagnostics.errors().count()
            ))
        })
}

/// The folder file paths in the history are relative to.
pub(super) fn root_of(config: &Path) -> PathBuf {
    let base = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf())
}

/// The history, or None (said on stderr) when docket has kept none yet.
fn open(cfg: &Config) -> Result<Option<History>, Failure> {
    let dir = &cfg.service.state_dir;
    let h = History::open_read_only(dir).map_err(|e| Failure::Runtime(e.into()))?;
    if h.is_none() {
        eprintln!(
            "docket: no history in {} yet: the daemon keeps it once it has run",
            dir.display()
        );
    }
    Ok(h)
}

/// `FILE` as the history names it: as typed, else relative to the config's
/// folder (a deleted file included: its folder is resolved instead).
fn file_key(h: &History, root: &Path, typed: &Path) -> Result<Option<String>, Failure> {
    let mut tries = vec![typed.to_string_lossy().into_owned()];
    let abs = std::fs::canonicalize(typed).ok().or_else(|| {
        let parent = typed
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(parent).ok()?.join(typed.file_name()?))
    });
    if let Some(rel) = abs.as_deref().and_then(|a| a.strip_prefix(root).ok()) {
        tries.push(rel.to_string_lossy().into_owned());
    }
    for t in tries {
        if h.latest(&t)
            .map_err(|e| Failure::Runtime(e.into()))?
            .is_some()
        {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

fn rt(e: super::base::HistoryError) -> Failure {
    Failure::Runtime(e.into())
}

/// One row of `docket log` (SPEC 6).
#[derive(Debug, serde::Serialize)]
pub struct LogRow {
    pub version: u32,
    pub file: String,
    pub at: String,
    pub by: Option<String>,
    pub state: VersionState,
    pub changes: Vec<Change>,
    /// The commit that made this version (case files in a git repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip)]
    pub(super) sort_at: chrono::DateTime<chrono::Utc>,
}

/// The rows of one file's versions (oldest first), each with what changed
/// since the version before it that had a text; only `keep` versions are
/// returned, changes only of `case` when given.
fn rows_of(
    h: &History,
    versions: &[Version],
    keep: &dyn Fn(u32) -> bool,
    case: Option<&str>,
    a: &Args<'_>,
    tz: chrono_tz::Tz,
) -> Result<Vec<LogRow>, Failure> {
    let mut texts = Vec::with_capacity(versions.len());
    for v in versions {
        texts.push(match v.blob {
            Some(b) => h
                .bytes(b)
                .map_err(rt)?
                .map(|b| crate::config::salvage::text_of(&b)),
            None => None,
        });
    }
    Ok(rows_from(
        versions,
        texts,
        &[],
        keep,
        case,
        a.show_values,
        tz,
    ))
}

/// The rows of one file's versions (oldest first) with their texts (None:
/// a removal) and, from a git repository, their commits.
pub(super) fn rows_from(
    versions: &[Version],
    texts: Vec<Option<String>>,
    commits: &[String],
    keep: &dyn Fn(u32) -> bool,
    case: Option<&str>,
    show_values: bool,
    tz: chrono_tz::Tz,
) -> Vec<LogRow> {
    let mut out = Vec::new();
    let mut prev: Option<String> = None;
    for (i, (v, text)) in versions.iter().zip(texts).enumerate() {
        let text = text.map(|t| match case {
            Some(id) => super::changes::only_case(&t, id),
            None => t,
        });
        if keep(v.version) {
            let changes = match (&prev, &text) {
                (Some(p), Some(t)) => between(Some(p), Some(t)),
                _ => Vec::new(),
            };
            let changes = changes
                .into_iter()
                .filter(|c| {
                    case.is_none_or(|id| {
                        c.case
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case(id))
                    })
                })
                .map(|c| c.shown(show_values))
                .collect();
            out.push(LogRow {
                version: v.version,
                file: v.file.clone(),
                at: v
                    .at
                    .with_timezone(&tz)
                    .to_rfc3339_opts(SecondsFormat::Secs, false),
                by: Some(v.by.clone()).filter(|b| !b.is_empty()),
                state: v.state,
                changes,
                commit: commits.get(i).cloned(),
                sort_at: v.at,
            });
        }
        if text.is_some() {
            prev = text;
        }
    }
    out
}

/// `docket log [FILE | --case ID] [--format table|json]`.
pub fn log(a: &Args<'_>, target: Option<Target>, json: bool) -> Result<(), Failure> {
    let cfg = settings(a.config)?;
    let tz = cfg.service.timezone;
    if cfg.service.git.is_some() {
        let rows = super::git::log(&cfg, a, target.as_ref())?;
        return print_rows(rows, json, tz);
    }
    let Some(h) = open(&cfg)? else {
        return match target {
            None => print(if json { "[]\n" } else { "" }),
            Some(_) => Err(Failure::Config(
                "docket: no kept versions: there is no history yet".into(),
            )),
        };
    };
    let mut rows = Vec::new();
    match &target {
        None => {
            let all = h.all_versions().map_err(rt)?;
            for file_versions in all.chunk_by(|x, y| x.file == y.file) {
                rows.extend(rows_of(&h, file_versions, &|_| true, None, a, tz)?);
            }
        }
        Some(Target::File(p)) => {
            let key = file_key(&h, &root_of(a.config), p)?.ok_or_else(|| {
                Failure::Config(format!(
                    "docket: {}: docket keeps no version of this file",
                    p.display()
                ))
            })?;
            let vs = h.versions_of(&key).map_err(rt)?;
            rows.extend(rows_of(&h, &vs, &|_| true, None, a, tz)?);
        }
        Some(Target::Case(id)) => {
            let files = h.files_with_case(id).map_err(rt)?;
            if files.is_empty() {
                return Err(Failure::Config(format!(
                    "docket: no kept version names the case {id}"
                )));
            }
            for f in files {
                let with: Vec<u32> = h.versions_with_case(&f, id).map_err(rt)?;
                let vs = h.versions_of(&f).map_err(rt)?;
                rows.extend(rows_of(&h, &vs, &|n| with.contains(&n), Some(id), a, tz)?);
            }
        }
    }
    print_rows(rows, json, tz)
}

/// The rows newest first, as a table or JSON.
fn print_rows(mut rows: Vec<LogRow>, json: bool, tz: chrono_tz::Tz) -> Result<(), Failure> {
    rows.sort_by(|x, y| {
        y.sort_at
            .cmp(&x.sort_at)
            .then_with(|| x.file.cmp(&y.file))
            .then_with(|| y.version.cmp(&x.version))
    });
    if json {
        let mut s = serde_json::to_string_pretty(&rows).context("cannot write the log")?;
        s.push('\n');
        print(&s)
    } else {
        print(&table(&rows, tz))
    }
}

/// The log for people: one line per version, its changes under it.
fn table(rows: &[LogRow], tz: chrono_tz::Tz) -> String {
    let mut s = String::new();
    if rows.is_empty() {
        return "no kept versions\n".into();
    }
    s.push_str(&format!(
        "{:<8} {:<17} {:<12} {:<8} {}\n",
        "VERSION", "AT", "BY", "STATE", "FILE"
    ));
    for r in rows {
        s.push_str(&format!(
            "{:<8} {:<17} {:<12} {:<8} {}\n",
            r.version,
            crate::clock::local(r.sort_at, tz),
            r.by.as_deref().unwrap_or("-"),
            r.state.as_str(),
            r.file
        ));
        for c in &r.changes {
            s.push_str(&format!("         {}\n", c.line()));
        }
    }
    s
}

/// `docket restore (FILE | --case ID) [--version N] [--stdout]`.
pub fn restore(
    a: &Args<'_>,
    target: Target,
    version: Option<u32>,
    stdout: bool,
) -> Result<(), Failure> {
    let cfg = settings(a.config)?;
    if cfg.service.git.is_some() {
        return super::git::restore(&cfg, a, &target, version, stdout);
    }
    let root = root_of(a.config);
    let h = open(&cfg)?.ok_or_else(|| {
        Failure::Config("docket: nothing to restore: there is no history yet".into())
    })?;
    let file = match &target {
        Target::File(p) => file_key(&h, &root, p)?.ok_or_else(|| {
            Failure::Config(format!(
                "docket: {}: docket keeps no version of this file",
                p.display()
            ))
        })?,
        Target::Case(id) => one_file_of(&h, id)?,
    };
    let versions = h.versions_of(&file).map_err(rt)?;
    let path = root.join(&file);
    let chosen = choose(&h, &versions, version, &path, &file)?;
    let bytes = chosen
        .blob
        .and_then(|b| h.bytes(b).ok().flatten())
        .ok_or_else(|| {
            Failure::Runtime(anyhow::anyhow!(
                "version {} of {file} has no bytes",
                chosen.version
            ))
        })?;
    if stdout {
        return write_bytes(&bytes);
    }
    put_back(&path, &bytes, chosen)?;
    println!(
        "docket: {file}: version {} put back ({} bytes, owner {}, mode {:04o}); the daemon applies it like any edit",
        chosen.version,
        bytes.len(),
        if chosen.by.is_empty() { "unchanged" } else { &chosen.by },
        chosen.mode.unwrap_or(0o640)
    );
    Ok(())
}

/// The one file whose history names `id` (several: the user names one).
fn one_file_of(h: &History, id: &str) -> Result<String, Failure> {
    let mut files = h.files_with_case(id).map_err(rt)?;
    match files.len() {
        0 => Err(Failure::Config(format!(
            "docket: no kept version names the case {id}"
        ))),
        1 => Ok(files.remove(0)),
        _ => Err(Failure::Config(format!(
            "docket: the case {id} was in several files ({}); name the file to restore",
            files.join(", ")
        ))),
    }
}

/// The version to put back: `--version N`, else the newest kept version
/// that differs from the disk (for a deleted file, its last version).
fn choose<'v>(
    h: &History,
    versions: &'v [Version],
    version: Option<u32>,
    path: &Path,
    file: &str,
) -> Result<&'v Version, Failure> {
    if let Some(n) = version {
        let v = versions.iter().find(|v| v.version == n).ok_or_else(|| {
            Failure::Config(format!(
                "docket: {file} has no version {n} (kept: {})",
                versions
                    .iter()
                    .map(|v| v.version.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        if v.blob.is_none() {
            return Err(Failure::Config(format!(
                "docket: version {n} of {file} is its removal; choose a version before it"
            )));
        }
        return Ok(v);
    }
    // Read as a load reads it: a FIFO someone left at that name is not
    // waited on, nor a device read without end.
    let disk = crate::config::read_small(path).map(String::into_bytes);
    for v in versions.iter().rev() {
        let Some(b) = v.blob else { continue };
        let bytes = h.bytes(b).map_err(rt)?;
        if disk.is_none() || bytes != disk {
            return Ok(v);
        }
    }
    Err(Failure::Config(format!(
        "docket: {file}: every kept version is what is on disk now; nothing to restore"
    )))
}

/// Write `bytes` to `path` as the version was: its mode, owner and group
/// (see `put.rs` for why not `sys::write_atomic`).
fn put_back(path: &Path, bytes: &[u8], v: &Version) -> Result<(), Failure> {
    let mode = v.mode.unwrap_or(0o640) & 0o7777;
    let owner = v.uid.zip(v.gid);
    super::put::put_back(path, bytes, mode, owner).with_context(|| {
        format!(
            "cannot write {}{}",
            path.display(),
            if owner.is_some() && crate::sys::euid() != 0 {
                " (giving it back to its owner needs root)"
            } else {
                ""
            }
        )
    })?;
    Ok(())
}

pub(super) fn write_bytes(b: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(b).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Runtime(
            anyhow::Error::new(e).context("cannot write output"),
        )),
        _ => Ok(()),
    }
}

fn print(s: &str) -> Result<(), Failure> {
    write_bytes(s.as_bytes())
}

pub use super::forget::forget;
