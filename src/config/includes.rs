//! `service.include`: which files a config pulls in, and parsing them.
//!
//! Every match of a pattern is accounted for: a dangling symlink, a FIFO, a
//! device, a link leading out of the config directory or a directory that
//! others can write is an error naming it, never a file silently skipped
//! (a skipped file is a person silently dropped from tracking). docket
//! reads only regular files under the main config's directory, so an
//! include can never make it print someone else's file.

use super::diag::Diagnostics;
use super::env::Env;
use super::model::Editors;
use super::source::{file_type, unsafe_dirs, Team};
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// What the include patterns matched.
#[derive(Debug, Default)]
pub(super) struct Expanded {
    /// Files to read, in pattern order, each once.
    pub files: Vec<PathBuf>,
    /// Each of `files` as messages and the last good copies name it (the
    /// real path relative to the config directory; a git tree's path),
    /// found while the file was admitted: asking the file system again,
    /// one `readlink` per component per file, was 10,000 system calls of
    /// each load of 1,000 files.
    pub rels: Vec<String>,
    /// Each of `files` as admission resolved it: every link followed, the
    /// result inside the config directory (a git tree's: its path in the
    /// tree, as `files`). What a file on disk is opened by, with no link
    /// allowed anywhere on it
    /// ([`crate::sys::open_no_symlinks`]): a file or directory swapped for
    /// a link after that look is then refused, not followed out of the
    /// config directory. (`files` keeps the path the pattern matched, for
    /// messages and the watcher.)
    pub reals: Vec<PathBuf>,
    /// Matches that may not be read (a FIFO, a link out of the config
    /// directory, a file under a directory others can write), with why.
    /// A directory's problem is the directory's: see [`Refused::dir`].
    pub refused: Vec<Refused>,
    /// The directories with a permission problem, each once, with the
    /// command that fixes it (told to the admin as one problem each).
    pub unsafe_dirs: Vec<crate::config::source::UnsafeDir>,
    /// Files beside the patterns that look like case files but match none
    /// (`kz-0300.toml.txt`, what Notepad saves).
    pub near_misses: Vec<PathBuf>,
}

impl Expanded {
    /// A file to read, its real path, and its name in messages and the
    /// store.
    pub(super) fn push_file(&mut self, path: PathBuf, real: PathBuf, rel: String) {
        self.files.push(path);
        self.reals.push(real);
        self.rels.push(rel);
    }
}

/// A match that may not be read.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    pub path: PathBuf,
    pub why: String,
    /// When the problem is a directory's (others can write it, or it is
    /// owned by someone else), that directory: the file itself is fine,
    /// and its last good version stays in effect until the directory is
    /// fixed; its caseworkers are not told, the admin is (once, for the
    /// directory).
    pub dir: Option<PathBuf>,
}

/// The directory the main file's patterns are relative to, as every
/// reader of the patterns spells it: the main file's directory, "." for a
/// main file named from its own directory. (The index's look at the files
/// once joined "" and the load "."; their paths never matched.)
pub(super) fn base_dir(main_path: &Path) -> PathBuf {
    match main_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Expand the include patterns of the main config (`file` in `d`) into the
/// files to read. Problems are reported at the pattern that matched. With
/// `editors`, the rule of SPEC section 6: the directories the patterns name
/// (not the main config's own, nor any above it) may be group-writable by
/// the editors and owned by them.
pub(super) fn expand(
    main_path: &Path,
    file: usize,
    patterns: &[(String, Range<usize>)],
    env: &Env,
    editors: Option<&Editors>,
    d: &mut Diagnostics,
) -> Expanded {
    let base = base_dir(main_path);
    let root = std::fs::canonicalize(&base).unwrap_or_else(|_| base.clone());
    let main_real = std::fs::canonicalize(main_path).ok();
    let found = find_all(&base, patterns);
    let team = editors.map(|e| Team {
        editors: e,
        case_dirs: case_dirs(&found, &root),
    });
    let mut reported: Vec<crate::config::source::UnsafeDir> = Vec::new();
    // Whether each directory (and all above it) is safe, checked once: the
    // first unsafe one on its way up, if any.
    let mut checked: std::collections::HashMap<PathBuf, Option<PathBuf>> = Default::default();
    // Reports each unsafe directory once; gives the first unsafe one.
    let mut report_dirs =
        |dir: &Path, span: Range<usize>, d: &mut Diagnostics| -> Option<PathBuf> {
            if let Some(unsafe_dir) = checked.get(dir) {
                return unsafe_dir.clone();
            }
            let found = unsafe_dirs(dir, env, team.as_ref());
            let first = found.first().map(|u| u.dir.clone());
            checked.insert(dir.to_path_buf(), first.clone());
            for u in found {
                if !reported.iter().any(|r| r.dir == u.dir) {
                    d.error(file, span.clone(), u.message.clone())
                        .help(u.help.clone());
                    reported.push(u);
                }
            }
            first
        };
    // The main file's own directory chain.
    report_dirs(&root, 0..0, d);
    let mut seen: std::collections::HashSet<PathBuf> = Default::default();
    let mut out = Expanded::default();
    // Each directory's real path, found once (see [`admissible`]).
    let mut real_dirs: std::collections::HashMap<PathBuf, Option<PathBuf>> = Default::default();
    for (found, (pattern, span)) in found.into_iter().zip(patterns) {
        let Some(matches) = found.matches_or_report(file, span, d) else {
            continue;
        };
        let full = base.join(pattern);
        let full_str = full.to_str().unwrap_or_default();
        let mut dir_exists = false;
        if let Some(dir) = literal_dir(&full) {
            if dir.is_dir() {
                dir_exists = true;
                report_dirs(&dir, span.clone(), d);
                out.near_misses.extend(near_misses(&dir, full_str));
            }
        }
        // An empty case directory is a fresh install, not a mistake; a
        // pattern whose directory is not there most likely is one.
        if matches.is_empty() && !dir_exists {
            d.warning(
                file,
                span.clone(),
                format!("include \"{pattern}\" matches no file, and its directory does not exist"),
            )
            .help("check the pattern; it is relative to the main config file (create the directory for a config with no cases yet)");
        }
        for (p, listed) in matches {
            let real = match admissible(&p, listed, &root, &mut real_dirs, file, span, d) {
                Ok(r) => r,
                Err(why) => {
                    out.refused.push(Refused {
                        path: p,
                        why,
                        dir: None,
                    });
                    continue;
                }
            };
            if main_real.as_ref() == Some(&real) || !seen.insert(real.clone()) {
                continue;
            }
            match real
                .parent()
                .and_then(|parent| report_dirs(parent, span.clone(), d))
            {
                None => {
                    let rel = real.strip_prefix(&root).unwrap_or(&real);
                    let rel = rel.to_string_lossy().into_owned();
                    out.push_file(p, real, rel);
                }
                Some(dir) => out.refused.push(Refused {
                    why: format!("its directory {} can be changed by others", dir.display()),
                    path: p,
                    dir: Some(dir),
                }),
            }
        }
    }
    out.unsafe_dirs = reported;
    out.near_misses.sort();
    out.near_misses.dedup();
    out
}

/// What one include pattern matched, found before anything is judged:
/// the case directories must all be known before the first is checked.
enum Found {
    Matches {
        /// The pattern's directory when it holds no glob characters (as
        /// `cases.d` of `cases.d/*.toml`).
        dir: Option<PathBuf>,
        matches: Vec<(PathBuf, Option<std::fs::FileType>)>,
    },
    Recursive,
    NotUtf8,
    Bad(String),
}

impl Found {
    /// The matches; or, for a pattern that cannot be used, an error at it.
    fn matches_or_report(
        self,
        file: usize,
        span: &Range<usize>,
        d: &mut Diagnostics,
    ) -> Option<Vec<(PathBuf, Option<std::fs::FileType>)>> {
        match self {
            Found::Matches { matches, .. } => return Some(matches),
            Found::Recursive => {
                // `**` walks directories recursively and follows symlinks: a
                // link back up the tree would make loading never end.
                d.error(
                    file,
                    span.clone(),
                    "recursive `**` is not supported in include patterns",
                )
                .help("list each directory, e.g. include = [\"cases.d/*.toml\", \"cases.d/archive/*.toml\"]");
            }
            Found::NotUtf8 => {
                d.error(file, span.clone(), "include pattern is not valid UTF-8");
            }
            Found::Bad(msg) => {
                d.error(file, span.clone(), format!("bad include pattern: {msg}"))
                    .help("use a glob such as \"cases.d/*.toml\"");
            }
        }
        None
    }
}

fn find_all(base: &Path, patterns: &[(String, Range<usize>)]) -> Vec<Found> {
    patterns
        .iter()
        .map(|(pattern, _)| {
            if pattern.contains("**") {
                return Found::Recursive;
            }
            let full = base.join(pattern);
            let Some(full_str) = full.to_str() else {
                return Found::NotUtf8;
            };
            match matches_typed(full_str) {
                Ok(matches) => Found::Matches {
                    dir: literal_dir(&full)
                        .filter(|d| d.is_dir() && Some(d.as_path()) == full.parent()),
                    matches,
                },
                Err(msg) => Found::Bad(msg),
            }
        })
        .collect()
}

/// The directories the include globs name (canonical): each pattern's
/// literal directory and the directory of every match, leaving out the
/// main config's own directory and those above it, which stay root's.
fn case_dirs(found: &[Found], root: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for f in found {
        let Found::Matches { dir, matches } = f else {
            continue;
        };
        // Each directory once: 1,000 files in one directory had it
        // resolved 1,000 times.
        let mut parents: Vec<&Path> = matches.iter().filter_map(|(m, _)| m.parent()).collect();
        parents.dedup();
        for d in dir.iter().map(PathBuf::as_path).chain(parents) {
            if let Ok(c) = std::fs::canonicalize(d) {
                if c.starts_with(root) && c != root {
                    out.insert(c);
                }
            }
        }
    }
    out
}

/// Files in `dir` that look like case files saved under the wrong name:
/// `.toml` with something after it (`.toml.txt`, `.toml.bak`, `.toml~`) or
/// in capitals (`.TOML`), matching no pattern (`pattern` is the full glob).
fn near_misses(dir: &Path, pattern: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let pat = glob::Pattern::new(pattern).ok();
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| {
            let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
                return false;
            };
            looks_like_case_file(name) && pat.as_ref().is_none_or(|g| !g.matches_path(p))
        })
        .collect()
}

/// A name a case file saved wrongly gets: `.toml` with something after it
/// (`.toml.txt`, `.toml.bak`, `.toml~`) or in capitals (`.TOML`).
pub(super) fn looks_like_case_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let looks = (lower.contains(".toml") && !lower.ends_with(".toml"))
        || (lower.ends_with(".toml") && !name.ends_with(".toml"));
    looks && !name.starts_with('.')
}

/// The near misses beside the patterns, sorted, without the checks of
/// [`expand`]: with [`list`], the cheap look for "did anything change?".
/// A file saved as `kz-0108.toml.txt` changes no match, yet must be seen
/// at once, not at the next edit of another file (issue 18, item 6).
pub(super) fn near_misses_now(main_path: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let base = main_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in patterns.iter().filter(|p| !p.contains("**")) {
        let full = base.join(p);
        let (Some(dir), Some(full_str)) = (literal_dir(&full), full.to_str()) else {
            continue;
        };
        out.extend(near_misses(&dir, full_str));
    }
    out.sort();
    out.dedup();
    out
}

/// Every file the patterns match, without the checks of [`expand`]: a
/// cheap look for "did the set of files change?".
pub(super) fn list(main_path: &Path, patterns: &[String]) -> Vec<PathBuf> {
    let base = base_dir(main_path);
    let mut out = Vec::new();
    for p in patterns {
        if let Some(full) = base.join(p).to_str() {
            out.extend(matches(full).unwrap_or_default());
        }
    }
    out
}

/// Every path matching `pattern`, sorted: directories through `glob`, the
/// last component by listing the directory, so that dangling symlinks and
/// special files are seen (and reported) rather than skipped.
fn matches(pattern: &str) -> Result<Vec<PathBuf>, String> {
    Ok(matches_typed(pattern)?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// [`matches`], each with its type as the directory listing gave it (the
/// entry's own, not its target's; None when the listing could not tell):
/// a regular file needs no `lstat` of its own to be admitted.
fn matches_typed(pattern: &str) -> Result<Vec<(PathBuf, Option<std::fs::FileType>)>, String> {
    let path = Path::new(pattern);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok(Vec::new());
    };
    let name_pat = glob::Pattern::new(name).map_err(|e| e.msg.to_string())?;
    let dir_str = dir.to_str().unwrap_or("");
    let dirs: Vec<PathBuf> = if glob::Pattern::escape(dir_str) == dir_str {
        vec![dir.to_path_buf()]
    } else {
        glob::glob(dir_str)
            .map_err(|e| e.msg.to_string())?
            .filter_map(Result::ok)
            .filter(|p| p.is_dir())
            .collect()
    };
    let opts = glob::MatchOptions {
        require_literal_leading_dot: true,
        ..Default::default()
    };
    let mut out = Vec::new();
    for dir in &dirs {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<_> = rd
            .flatten()
            .map(|entry| (entry.file_name(), entry))
            .filter(|(n, _)| n.to_str().is_some_and(|n| name_pat.matches_with(n, opts)))
            .map(|(n, entry)| (n, entry.file_type().ok()))
            .collect();
        // Within one directory the paths sort as their names do: bytes,
        // not a path's component by component (a load of 1,000 files
        // spent ~2 ms comparing paths).
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out.extend(names.into_iter().map(|(n, t)| (dir.join(n), t)));
    }
    if dirs.len() > 1 {
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(out)
}

/// The leading directories of a pattern that hold no glob characters.
pub(super) fn literal_dir(pattern: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut comps = pattern.components().peekable();
    while let Some(c) = comps.next() {
        if comps.peek().is_none() {
            break; // the last component names files, not a directory
        }
        let s = c.as_os_str().to_str()?;
        if s.contains(['*', '?', '[']) {
            break;
        }
        out.push(c);
    }
    Some(out)
}

/// The real path of a match that docket may read: a regular file (or a
/// link to one) inside the config directory. Otherwise an error at the
/// pattern, and `None`.
///
/// A regular file's real path is its directory's real path and its name:
/// `real_dirs` keeps each directory's, so that a directory of 1,000 files
/// is resolved once, not 1,000 times (each a `readlink` per component,
/// then a `stat` of the result the `lstat` already answered). `listed`:
/// the entry's type from the directory listing; a regular file there is
/// not asked about again (a symlink, or an unknown type, is: `lstat`).
fn admissible(
    p: &Path,
    listed: Option<std::fs::FileType>,
    root: &Path,
    real_dirs: &mut std::collections::HashMap<PathBuf, Option<PathBuf>>,
    file: usize,
    span: &Range<usize>,
    d: &mut Diagnostics,
) -> Result<PathBuf, String> {
    let lmeta = match listed.filter(std::fs::FileType::is_file) {
        Some(_) => None,
        None => Some(std::fs::symlink_metadata(p).map_err(|e| e.to_string())?),
    };
    if lmeta.as_ref().is_none_or(std::fs::Metadata::is_file) {
        if let (Some(dir), Some(name)) = (p.parent(), p.file_name()) {
            let real_dir = real_dirs
                .entry(dir.to_path_buf())
                .or_insert_with(|| std::fs::canonicalize(dir).ok());
            if let Some(real_dir) = real_dir {
                let real = real_dir.join(name);
                if real.starts_with(root) {
                    return Ok(real);
                }
                // Outside: the full look below says so.
            }
        }
    }
    let real = match std::fs::canonicalize(p) {
        Ok(r) => r,
        Err(_) if lmeta.as_ref().is_some_and(|m| m.file_type().is_symlink()) => {
            let target = std::fs::read_link(p)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            d.error(
                file,
                span.clone(),
                format!(
                    "{} is a symbolic link to {target}, which does not exist: the cases in it are not read",
                    p.display()
                ),
            )
            .help("restore the file it points to, or remove the link");
            return Err(format!("a symbolic link to {target}, which does not exist"));
        }
        Err(e) => {
            d.error(
                file,
                span.clone(),
                format!("cannot read {}: {e}", p.display()),
            );
            return Err(e.to_string());
        }
    };
    if !real.starts_with(root) {
        d.error(
            file,
            span.clone(),
            format!(
                "{} leads to {}, outside the config directory {}: docket does not read it",
                p.display(),
                real.display(),
                root.display()
            ),
        )
        .help(
            "docket reads only files under the directory of its main config; move the file there",
        );
        return Err(format!(
            "it leads to {}, outside the config directory",
            real.display()
        ));
    }
    match std::fs::metadata(&real) {
        Ok(m) if m.is_file() => Ok(real),
        Ok(m) => {
            d.error(
                file,
                span.clone(),
                format!(
                    "{} is {}, not a regular file: it cannot hold cases",
                    p.display(),
                    file_type(&m)
                ),
            )
            .help("replace it with a .toml file, or remove it");
            Err(format!("{}, not a regular file", file_type(&m)))
        }
        Err(e) => {
            d.error(
                file,
                span.clone(),
                format!("cannot read {}: {e}", p.display()),
            );
            Err(e.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(base: &Path, patterns: &[&str]) -> Vec<Found> {
        let p: Vec<(String, Range<usize>)> =
            patterns.iter().map(|s| (s.to_string(), 0..0)).collect();
        find_all(base, &p)
    }

    /// A case file is read by the real path admission found for it, with
    /// no link allowed on that path when it is opened: a file, or a
    /// directory on its path, swapped for a link to something outside the
    /// config directory after admission is refused with a message and
    /// never read. A link admission judged (inside the directory) reads
    /// as before.
    #[test]
    fn a_file_swapped_for_a_link_after_admission_is_not_read() {
        use crate::config::files::{CaseFiles, Disk};
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        let root = top.join("etc");
        let outside = top.join("outside");
        for d in ["cases.d", "shared", "teams/t1"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::create_dir_all(outside.join("t1")).unwrap();
        std::fs::write(outside.join("secret"), "SECRET-TEXT").unwrap();
        std::fs::write(outside.join("t1/c.toml"), "SECRET-TEXT").unwrap();
        std::fs::write(root.join("docket.toml"), "").unwrap();
        std::fs::write(root.join("cases.d/a.toml"), "# a").unwrap();
        std::fs::write(root.join("shared/b.toml"), "# b").unwrap();
        std::os::unix::fs::symlink("../shared/b.toml", root.join("cases.d/b.toml")).unwrap();
        std::fs::write(root.join("teams/t1/c.toml"), "# c").unwrap();
        let patterns: Vec<(String, Range<usize>)> = ["cases.d/*.toml", "teams/*/*.toml"]
            .iter()
            .map(|p| (p.to_string(), 0..0))
            .collect();
        let mut d = Diagnostics::default();
        let main = root.join("docket.toml");
        let mf = d.add_source(&main, String::new());
        let ex = expand(&main, mf, &patterns, &Env::default(), None, &mut d);
        assert!(d.items.is_empty(), "{:?}", d.items);
        let reals: Vec<PathBuf> = ["cases.d/a.toml", "shared/b.toml", "teams/t1/c.toml"]
            .iter()
            .map(|r| root.join(r))
            .collect();
        assert_eq!(ex.reals, reals);
        assert_eq!(ex.files[1], root.join("cases.d/b.toml"));
        let read = |i: usize| {
            let mut d = Diagnostics::default();
            let text = Disk
                .read_stat(&ex.files[i], &ex.reals[i], &mut d)
                .map(|(t, _)| t);
            (text, format!("{:?}", d.items))
        };
        assert_eq!(read(0).0.as_deref(), Some("# a"));
        assert_eq!(read(1).0.as_deref(), Some("# b"));
        assert_eq!(read(2).0.as_deref(), Some("# c"));
        // Swapped as an editor saves: a new name renamed over the old.
        std::os::unix::fs::symlink(outside.join("secret"), root.join("cases.d/new")).unwrap();
        std::fs::rename(root.join("cases.d/new"), root.join("cases.d/a.toml")).unwrap();
        std::fs::rename(root.join("teams/t1"), root.join("teams/old")).unwrap();
        std::os::unix::fs::symlink(outside.join("t1"), root.join("teams/t1")).unwrap();
        for i in [0, 2] {
            let (text, problems) = read(i);
            assert_eq!(text, None, "{problems}");
            assert!(problems.contains("became a symbolic link"), "{problems}");
            assert!(!problems.contains("SECRET"), "{problems}");
        }
        assert_eq!(read(1).0.as_deref(), Some("# b"));
    }

    /// The editors' rule applies to the directories the patterns name,
    /// never to the main config's own directory nor to one above a
    /// named directory that no pattern names itself.
    #[test]
    fn case_dirs_are_the_named_directories_below_the_main_config() {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap();
        for d in ["cases.d", "cases.d/archive", "teams/a", "teams/b"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("teams/a/x.toml"), "").unwrap();
        let dirs = case_dirs(
            &found(
                &root,
                &[
                    "cases.d/*.toml",
                    "cases.d/archive/*.toml",
                    "teams/*/*.toml",
                    "*.toml",
                ],
            ),
            &root,
        );
        let want: BTreeSet<PathBuf> = ["cases.d", "cases.d/archive", "teams/a"]
            .iter()
            .map(|d| root.join(d))
            .collect();
        assert_eq!(dirs, want);
    }
}
