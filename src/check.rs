//! `docket check`: every problem of the config, or of some of its files.
//!
//! Case files are checked against their main config, never alone: alone,
//! a case file's caseworkers and kinds are unknown and every line would be
//! an error. So `check FILE...` loads the whole config and shows the
//! problems of those files, and `-c` pointing at a case file finds the main
//! config that includes it.

use crate::config::diag::Diagnostics;
use crate::config::{self, AsOf, Env};
use crate::engine;
use crate::failure::Failure;
use crate::privacy::Quoting;
use std::path::{Path, PathBuf};

pub struct Args {
    pub strict: bool,
    /// The day dates are judged on: `--today`, or today in
    /// `service.timezone` by this clock.
    pub clock: crate::clock::Clock,
    pub files: Vec<PathBuf>,
    pub show_values: bool,
    /// The language of the diagnostics (`--lang`, `DOCKET_LANG`).
    pub lang: crate::config::model::Language,
}

/// Run `docket check` on the config at `path`.
pub fn check(path: &Path, args: Args) -> Result<(), Failure> {
    let mut files = args.files;
    let main = if looks_like_case_file(path) {
        match main_config_of(path) {
            Some(main) => {
                eprintln!(
                    "{}: note: a case file; checked against its main config {}",
                    path.display(),
                    main.display()
                );
                files.push(path.to_path_buf());
                main
            }
            None => {
                return Err(Failure::Config(format!(
                    "{p}: holds only [[case]] and [[bill]] tables: it is a case file, and it is checked \
                     with its main config: docket -c /etc/docket/docket.toml check {p}",
                    p = path.display()
                )))
            }
        }
    } else {
        path.to_path_buf()
    };
    // A FILE not found from here is looked for beside the main config, so
    // `docket check cases.d/kz-0042.toml` works from any directory.
    let base = main.parent().unwrap_or(Path::new(".")).to_path_buf();
    let files: Vec<PathBuf> = files
        .into_iter()
        .map(|f| {
            if f.exists() || f.is_absolute() || !base.join(&f).exists() {
                f
            } else {
                base.join(f)
            }
        })
        .collect();
    let mut env = Env::from_process();
    env.check = Some(AsOf::Today(args.clock));
    let loaded = config::load_with_env(&main, &env);
    // Leaked on purpose, as the other commands' (`app::load`): the process
    // exits after the summary line, and freeing 100,000 cases one
    // allocation at a time was ~5% of a `check` at 100k, on one core.
    let config: &'static Option<config::model::Config> = Box::leak(Box::new(loaded.config));
    let q = Quoting::for_stderr(args.show_values);
    let diags = match &loaded.tree {
        _ if files.is_empty() => loaded.diagnostics,
        Some(tree) => only_repo_files(loaded.diagnostics, &main, tree, &files)?,
        None => only_files(loaded.diagnostics, &main, &files)?,
    };
    eprint!("{}", diags.render_all_in(q, args.lang));
    for n in &diags.notes {
        eprintln!("{}: note: {n}", main.display());
    }
    let errors = diags.errors().count();
    let warnings = diags.warnings().count();
    let what = if files.is_empty() {
        main.display().to_string()
    } else {
        files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if errors > 0 || (args.strict && warnings > 0) {
        use crate::config::model::Language;
        let strict = if errors == 0 {
            " (--strict: warnings fail)"
        } else {
            ""
        };
        return Err(Failure::Config(match args.lang {
            Language::En => format!("{what}: {errors} error(s), {warnings} warning(s){strict}"),
            Language::Ru => {
                format!("{what}: ошибок: {errors}, предупреждений: {warnings}{strict}")
            }
            Language::Kk => format!("{what}: қате: {errors}, ескерту: {warnings}{strict}"),
        }));
    }
    let warned = if warnings > 0 {
        format!(", {warnings} warning(s)")
    } else {
        String::new()
    };
    match (config, files.is_empty()) {
        (Some(cfg), true) => {
            println!(
                "{what}: OK: {} case(s), {} bill(s), {} caseworker(s), {} deadline(s){warned}",
                cfg.case_count(),
                cfg.bill_count(),
                cfg.caseworkers.len(),
                engine::deadline_count(cfg),
            );
        }
        // Other files have errors; these have none. (A caseworker checking
        // their own file reads this line: in their language.)
        _ => match args.lang {
            crate::config::model::Language::En => println!("{what}: OK{warned}"),
            crate::config::model::Language::Ru if warnings > 0 => {
                println!("{what}: ошибок нет, предупреждений: {warnings}")
            }
            crate::config::model::Language::Ru => println!("{what}: ошибок нет"),
            crate::config::model::Language::Kk if warnings > 0 => {
                println!("{what}: қате жоқ, ескерту: {warnings}")
            }
            crate::config::model::Language::Kk => println!("{what}: қате жоқ"),
        },
    }
    Ok(())
}

/// The problems located in `files` (and the notes when the main file is
/// one of them). A file the config does not read is a usage error.
fn only_files(all: Diagnostics, main: &Path, files: &[PathBuf]) -> Result<Diagnostics, Failure> {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let wanted: Vec<PathBuf> = files.iter().map(|f| canon(f)).collect();
    let main_c = canon(main);
    let included: Vec<PathBuf> = config::included_files(main)
        .unwrap_or_default()
        .iter()
        .map(|p| canon(p))
        .collect();
    for (f, c) in files.iter().zip(&wanted) {
        if *c != main_c && !included.contains(c) {
            return Err(Failure::Usage(format!(
                "{} is not read by {}: no include pattern matches it (case files end in .toml and sit where [service] include says)",
                f.display(),
                main.display()
            )));
        }
    }
    let keep: Vec<bool> = all
        .sources
        .iter()
        .map(|s| wanted.contains(&canon(&s.path)))
        .collect();
    let mut out = all;
    out.items
        .retain(|d| keep.get(d.file).copied().unwrap_or(false) || holds_back(d, &wanted));
    if !wanted.contains(&main_c) {
        out.notes.clear();
    }
    Ok(out)
}

/// With `cases_git`: FILEs are paths in the repository (`cases/kz-0042.toml`),
/// as the branch's tip has them; the problems located in them.
fn only_repo_files(
    all: Diagnostics,
    main: &Path,
    tree: &config::git::GitTree,
    files: &[PathBuf],
) -> Result<Diagnostics, Failure> {
    let wanted: Vec<String> = files
        .iter()
        .map(|f| config::git::path_in_repo(main, f))
        .collect();
    for w in &wanted {
        if tree.entry(w).is_none() {
            let branch = tree.branch();
            return Err(Failure::Usage(format!(
                "{w} is not in branch {branch} of {}: name the file by its path in the repository (git ls-tree -r --name-only {branch})",
                tree.repo_dir().display(),
            )));
        }
    }
    let keep: Vec<bool> = all
        .sources
        .iter()
        .map(|s| {
            s.path
                .to_str()
                .is_some_and(|p| wanted.iter().any(|w| w == p))
        })
        .collect();
    let mut out = all;
    out.items
        .retain(|d| keep.get(d.file).copied().unwrap_or(false));
    out.notes.clear();
    Ok(out)
}

/// Is `d` a problem of a directory above one of `files` (located in the
/// main config, at the include pattern)? Such a directory keeps the file
/// out, so its owner must see why: "OK" for the file alone would be
/// false (SPEC section 6: a member of `editors` checks their own file).
fn holds_back(d: &crate::config::diag::Diag, files: &[PathBuf]) -> bool {
    let Some(rest) = d.message.strip_prefix("directory ") else {
        return false;
    };
    let Some(end) = rest.find(" is ") else {
        return false;
    };
    let dir = Path::new(&rest[..end]);
    d.severity == crate::config::diag::Severity::Error && files.iter().any(|f| f.starts_with(dir))
}

/// Does the file hold only cases and bills (no `[service]`)?
fn looks_like_case_file(path: &Path) -> bool {
    let Some(text) = config::read_small(path) else {
        return false;
    };
    match toml::from_str::<toml::Table>(&text) {
        Ok(t) => {
            !t.is_empty()
                && !t.contains_key("service")
                && t.keys().all(|k| k == "case" || k == "bill")
        }
        // It does not parse: judge by its table headers.
        Err(_) => {
            let headers: Vec<&str> = text
                .lines()
                .map(str::trim_start)
                .filter(|l| l.starts_with('['))
                .collect();
            !headers.is_empty()
                && headers.iter().all(|h| {
                    let name = h.trim_start_matches('[').trim_start();
                    name.starts_with("case") || name.starts_with("bill")
                })
        }
    }
}

/// The main config that includes the case file `path`: in a directory
/// above it (up to four levels), else /etc/docket/docket.toml.
fn main_config_of(path: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(path).ok()?;
    let includes = |main: &Path| {
        config::included_files(main).is_some_and(|files| {
            files
                .iter()
                .any(|f| std::fs::canonicalize(f).is_ok_and(|c| c == target))
        })
    };
    for dir in target.ancestors().skip(1).take(4) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut cands: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && *p != target)
            .collect();
        cands.sort();
        if let Some(m) = cands.into_iter().find(|m| includes(m)) {
            return Some(m);
        }
    }
    let etc = Path::new("/etc/docket/docket.toml");
    includes(etc).then(|| etc.to_path_buf())
}
