//! `docket log` and `docket restore` when the case files live in a git
//! repository (`cases_git`, SPEC section 7): the repository's history is
//! theirs, so docket keeps none of its own for them and reads the branch.
//!
//! A version of a file is a commit on the branch's first-parent line that
//! changed it (the merges a forge makes count once, as they landed). `by`
//! is the commit's author, `at` its author time; `state` is `applied` when
//! the version checks clean against the main config, `held` when it has
//! errors (the daemon kept the version before it), `removed` when the
//! commit deleted the file. git does not record who pushed; the forge's
//! activity feed does. `restore` cannot write into the repository: it
//! prints the version (`--stdout`) or the git commands that put it back.

use super::base::{Version, VersionState};
use super::commands::{rows_from, Args, LogRow, Target};
use crate::config::git::{open_repo, tip};
use crate::config::model::{CasesGit, Config};
use crate::config::Env;
use crate::failure::Failure;
use chrono::{DateTime, Utc};
use git2::{DiffOptions, Oid, Repository, Sort};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One version of one file, from the repository.
struct GitVersion {
    version: Version,
    commit: Oid,
    blob: Option<Oid>,
}

fn rt(e: impl std::fmt::Display) -> Failure {
    Failure::Runtime(anyhow::anyhow!("{e}"))
}

/// Every version of every file the include patterns match (or only of
/// `only`), oldest first per file.
fn versions(
    repo: &Repository,
    git: &CasesGit,
    patterns: &[String],
    only: Option<&str>,
) -> Result<BTreeMap<String, Vec<GitVersion>>, Failure> {
    let mut out: BTreeMap<String, Vec<GitVersion>> = BTreeMap::new();
    let Some(head) = tip(repo, &git.repo, &git.branch).map_err(rt)? else {
        return Ok(out);
    };
    let globs: Vec<glob::Pattern> = patterns
        .iter()
        .filter_map(|p| glob::Pattern::new(p.trim_start_matches("./")).ok())
        .collect();
    let opts = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let wanted =
        |p: &str| only.map_or_else(|| globs.iter().any(|g| g.matches_with(p, opts)), |o| o == p);
    let mut walk = repo.revwalk().map_err(rt)?;
    walk.push(head).map_err(rt)?;
    walk.simplify_first_parent().map_err(rt)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(rt)?;
    for id in walk {
        let id = id.map_err(rt)?;
        let commit = repo.find_commit(id).map_err(rt)?;
        let tree = commit.tree().map_err(rt)?;
        let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let mut dopts = DiffOptions::new();
        if let Some(o) = only {
            dopts.pathspec(o).disable_pathspec_match(true);
        }
        let diff = repo
            .diff_tree_to_tree(parent.as_ref(), Some(&tree), Some(&mut dopts))
            .map_err(rt)?;
        let author = commit.author();
        let by = author.name().unwrap_or("").to_string();
        let at = DateTime::<Utc>::from_timestamp(author.when().seconds(), 0).unwrap_or_default();
        for delta in diff.deltas() {
            let (old, new) = (delta.old_file(), delta.new_file());
            let path = new.path().or(old.path()).and_then(|p| p.to_str());
            let Some(path) = path.filter(|p| wanted(p)) else {
                continue;
            };
            let removed = delta.status() == git2::Delta::Deleted;
            let list = out.entry(path.to_string()).or_default();
            list.push(GitVersion {
                version: Version {
                    file: path.to_string(),
                    version: list.len() as u32 + 1,
                    at,
                    by: by.clone(),
                    state: if removed {
                        VersionState::Removed
                    } else {
                        VersionState::Applied
                    },
                    blob: None,
                    uid: None,
                    gid: None,
                    mode: None,
                },
                commit: id,
                blob: (!removed).then(|| new.id()),
            });
        }
    }
    Ok(out)
}

/// The text of a version (None: a removal, or a blob that cannot be read).
fn text_of(repo: &Repository, v: &GitVersion) -> Option<String> {
    let bytes = crate::config::git::read_blob(repo, v.blob?, crate::config::MAX_FILE_BYTES).ok()?;
    Some(crate::config::salvage::text_of(&bytes))
}

/// Mark each version with errors `held`: checked against the main config
/// as the daemon would have.
fn judge(cfg: &Config, versions: &mut [GitVersion], texts: &[Option<String>]) {
    let env = Env::from_process();
    let files: Vec<(PathBuf, String)> = versions
        .iter()
        .zip(texts)
        .filter_map(|(v, t)| Some((PathBuf::from(&v.version.file), t.clone()?)))
        .collect();
    let diags = crate::config::candidate::check_texts(cfg, &env, &files);
    let mut held = diags.iter().map(|d| d.has_errors());
    for (v, t) in versions.iter_mut().zip(texts) {
        if t.is_some() && held.next().unwrap_or(false) {
            v.version.state = VersionState::Held;
        }
    }
}

fn repo_of(cfg: &Config) -> Result<(Repository, &CasesGit), Failure> {
    let git = cfg.service.git.as_ref().ok_or_else(|| rt("no cases_git"))?;
    let repo = open_repo(&git.repo, None)
        .map_err(|e| Failure::Config(format!("{e}\n  = help: {}", e.help())))?;
    Ok((repo, git))
}

/// `docket log` from the repository.
pub(super) fn log(
    cfg: &Config,
    a: &Args<'_>,
    target: Option<&Target>,
) -> Result<Vec<LogRow>, Failure> {
    let (repo, git) = repo_of(cfg)?;
    let tz = cfg.service.timezone;
    let only = match target {
        Some(Target::File(p)) => Some(crate::config::git::path_in_repo(&cfg.path, p)),
        _ => None,
    };
    let all = versions(&repo, git, &cfg.service.include, only.as_deref())?;
    if let (Some(o), true) = (&only, all.is_empty()) {
        return Err(Failure::Config(format!(
            "docket: {o}: no commit on branch {} of {} changed this file",
            git.branch,
            git.repo.display()
        )));
    }
    let case = match target {
        Some(Target::Case(id)) => Some(id.as_str()),
        _ => None,
    };
    let mut rows = Vec::new();
    for (_, mut vs) in all {
        let texts: Vec<Option<String>> = vs.iter().map(|v| text_of(&repo, v)).collect();
        // With --case, only the versions that name it (and files that do).
        let with: Vec<u32> = match case {
            Some(id) => vs
                .iter()
                .zip(&texts)
                .filter(|(_, t)| t.as_deref().is_some_and(|t| names_case(t, id)))
                .map(|(v, _)| v.version.version)
                .collect(),
            None => vs.iter().map(|v| v.version.version).collect(),
        };
        if with.is_empty() {
            continue;
        }
        judge(cfg, &mut vs, &texts);
        let versions: Vec<Version> = vs.iter().map(|v| v.version.clone()).collect();
        let commits: Vec<String> = vs.iter().map(|v| v.commit.to_string()).collect();
        rows.extend(rows_from(
            &versions,
            texts,
            &commits,
            &|n| with.contains(&n),
            case,
            a.show_values,
            tz,
        ));
    }
    if let (Some(id), true) = (case, rows.is_empty()) {
        return Err(Failure::Config(format!(
            "docket: no version on branch {} names the case {id}",
            git.branch
        )));
    }
    Ok(rows)
}

/// Does `text` hold the case `id` (as the cases it names, folded)?
fn names_case(text: &str, id: &str) -> bool {
    let key = crate::config::candidate::id_key(id);
    crate::config::live::salvage_cases(text)
        .iter()
        .any(|(c, _)| crate::config::candidate::id_key(c) == key)
}

/// `docket restore` with a repository: the version on stdout, or what to
/// run in a clone to put it back (docket never writes into the
/// repository).
pub(super) fn restore(
    cfg: &Config,
    _a: &Args<'_>,
    target: &Target,
    version: Option<u32>,
    stdout: bool,
) -> Result<(), Failure> {
    let (repo, git) = repo_of(cfg)?;
    let mut all = versions(&repo, git, &cfg.service.include, None)?;
    let file = match target {
        Target::File(p) => crate::config::git::path_in_repo(&cfg.path, p),
        Target::Case(id) => {
            let files: Vec<String> = all
                .iter()
                .filter(|(_, vs)| {
                    vs.iter()
                        .any(|v| text_of(&repo, v).is_some_and(|t| names_case(&t, id)))
                })
                .map(|(f, _)| f.clone())
                .collect();
            match files.len() {
                0 => {
                    return Err(Failure::Config(format!(
                        "docket: no version on branch {} names the case {id}",
                        git.branch
                    )))
                }
                1 => files[0].clone(),
                _ => {
                    return Err(Failure::Config(format!(
                        "docket: the case {id} was in several files ({}); name the file to restore",
                        files.join(", ")
                    )))
                }
            }
        }
    };
    let mut vs = all.remove(&file).ok_or_else(|| {
        Failure::Config(format!(
            "docket: {file}: no commit on branch {} changed this file",
            git.branch
        ))
    })?;
    let chosen = match version {
        Some(n) => vs.iter().find(|v| v.version.version == n).ok_or_else(|| {
            Failure::Config(format!(
                "docket: {file} has no version {n} (there are {})",
                vs.len()
            ))
        })?,
        // The newest version that differs from the branch's tip, a good
        // one first (putting back a version with errors helps nobody).
        None => {
            let now = vs.last().and_then(|v| v.blob);
            let texts: Vec<Option<String>> = vs.iter().map(|v| text_of(&repo, v)).collect();
            judge(cfg, &mut vs, &texts);
            let other = |v: &&GitVersion| v.blob.is_some() && v.blob != now;
            let good = vs
                .iter()
                .rev()
                .filter(other)
                .find(|v| v.version.state == VersionState::Applied);
            good.or_else(|| vs.iter().rev().find(other))
                .ok_or_else(|| {
                    Failure::Config(format!(
                        "docket: {file}: every version is what the branch has now; nothing to restore"
                    ))
                })?
        }
    };
    if chosen.blob.is_none() {
        return Err(Failure::Config(format!(
            "docket: version {} of {file} is its removal; choose a version before it",
            chosen.version.version
        )));
    }
    if stdout {
        let text = text_of(&repo, chosen).ok_or_else(|| rt("the version cannot be read"))?;
        return super::commands::write_bytes(text.as_bytes());
    }
    let short = &chosen.commit.to_string()[..12];
    println!(
        "docket: {file} is in the git repository {}: docket does not write there.\n\
         Version {} ({short}, by {}) is put back by committing it again, in a clone of the repository:\n\n\
         \x20 git checkout {short} -- {file}\n\
         \x20 git commit -m \"Put back {file} as of version {}\"\n\
         \x20 git push\n\n\
         (or print it with: docket restore {file} --version {} --stdout)",
        git.repo.display(),
        chosen.version.version,
        chosen.version.by,
        chosen.version.version,
        chosen.version.version,
    );
    Ok(())
}
