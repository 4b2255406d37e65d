//! `docket git-hook`: the pre-receive hook of the case repository (SPEC
//! section 7). It checks the case files of the pushed tip of `git_branch`
//! against the main config, as the daemon will read them, and refuses the
//! push (exit 78) when a file the push changes has an error; git shows the
//! pusher every line it prints (`remote: cases/x.toml:7:12: error: …`),
//! and a forge's web editor shows them on its page.
//!
//! It runs as the forge's user: it reads the main config and the
//! repository, and writes nothing (no `state_dir`, no index, no history).
//! The pushed objects are not in the repository yet but in git's
//! quarantine directory (`GIT_QUARANTINE_PATH`), read as an extra object
//! directory.
//!
//! What refuses a push: an error in a file the push adds or changes (its
//! blob differs from the branch's), an error the include patterns report
//! about such a file (a symbolic link, say), and deleting the branch. An
//! error in a file the push does not touch was on the branch already (it
//! got past a hook, or the hook was not there): it is shown, and does not
//! refuse a push that may be fixing something else. A main config docket
//! cannot use is the admin's problem: the push goes through with a
//! warning, and the daemon, which keeps every broken file at its last good
//! version, is the net.

use crate::clock::Clock;
use crate::config::diag::{Diagnostics, Severity};
use crate::config::git::GitTree;
use crate::config::live::{Live, Options};
use crate::config::model::Language;
use crate::config::{AsOf, Env};
use crate::failure::Failure;
use crate::privacy::Quoting;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const ZERO: &str = "0000000000000000000000000000000000000000";

/// One line of the hook's input: `<old> <new> <ref>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub old: String,
    pub new: String,
    pub refname: String,
}

/// The lines git gives a pre-receive hook; lines of another shape are
/// skipped (git never sends them).
pub fn parse_updates(input: &str) -> Vec<Update> {
    input
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let (old, new, refname) = (it.next()?, it.next()?, it.next()?);
            let hex = |s: &str| s.len() >= 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
            (hex(old) && hex(new)).then(|| Update {
                old: old.to_string(),
                new: new.to_string(),
                refname: refname.to_string(),
            })
        })
        .collect()
}

pub struct Args {
    pub clock: Clock,
    pub lang: Language,
    /// The repository the hook runs in (git runs it there; `GIT_DIR`).
    pub repo: PathBuf,
    /// `GIT_QUARANTINE_PATH`: where the pushed objects wait.
    pub quarantine: Option<PathBuf>,
}

/// Run the hook for the config at `main`, reading git's lines from stdin.
pub fn run(main: &Path, args: Args) -> Result<(), Failure> {
    let mut input = String::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| Failure::Runtime(e.into()))?;
        input.push_str(&line);
        input.push('\n');
    }
    check_push(main, &parse_updates(&input), &args)
}

/// Check the updates of one push; Err(Config) refuses it.
pub fn check_push(main: &Path, updates: &[Update], args: &Args) -> Result<(), Failure> {
    let mut env = Env::from_process();
    env.check = Some(AsOf::Today(args.clock));
    let Some(text) = crate::config::read_small(main) else {
        // A set-up problem, not the pusher's: said loudly, and the daemon
        // (which keeps every broken file at its last good version) is the
        // net.
        eprintln!(
            "docket: warning: cannot read the main config {} as this user (uid {}): this push is NOT checked; the admin must let the hook's user read it (see the reference, \"Cases in a git repository\")",
            main.display(),
            crate::sys::euid()
        );
        return Ok(());
    };
    let Some(git) = crate::config::cases_git_in(main, &text) else {
        eprintln!(
            "docket: {} has no [service] cases_git: this push is not checked (install the hook only in the case repository)",
            main.display()
        );
        return Ok(());
    };
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if canon(&args.repo) != canon(&git.repo) {
        eprintln!(
            "docket: this repository is not cases_git ({}): the push is not checked",
            git.repo.display()
        );
        return Ok(());
    }
    let branch_ref = format!("refs/heads/{}", git.branch);
    for u in updates.iter().filter(|u| u.refname == branch_ref) {
        if u.new == ZERO {
            let b = &git.branch;
            return Err(Failure::Config(match args.lang {
                Language::En => format!("deleting branch {b} would stop every reminder: docket reads the cases from it; the push is refused"),
                Language::Ru => format!("удаление ветки {b} остановило бы все напоминания: docket читает дела из неё; push отклонён"),
                Language::Kk => format!("{b} тармағын жою барлық еске салуды тоқтатар еді: docket істерді содан оқиды; push қабылданбады"),
            }));
        }
        check_update(main, &git.branch, u, args, &env)?;
    }
    Ok(())
}

fn check_update(
    main: &Path,
    branch: &str,
    u: &Update,
    args: &Args,
    env: &Env,
) -> Result<(), Failure> {
    let oid = |s: &str| git2::Oid::from_str(s).map_err(|e| Failure::Usage(e.to_string()));
    let new = oid(&u.new)?;
    let q = args.quarantine.as_deref();
    let tree = match GitTree::at_commit(&args.repo, branch, new, q) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            return Err(Failure::Config(format!("{e}\n  = help: {}", e.help())));
        }
    };
    let changed = changed_paths(&u.old, &tree);
    let live = Live::load(
        main,
        Options {
            env,
            store: None,
            tree: Some(&tree),
            keep_texts: true,
        },
    );
    let live = match live {
        Ok(l) => l,
        Err(fatal) => {
            eprintln!(
                "docket: warning: the main config {} has errors, so this push is not checked (tell the admin: docket check shows them)",
                main.display()
            );
            if let Some(d) = fatal.diagnostics.errors().next() {
                eprintln!("  {}", fatal.diagnostics.headline(d, Quoting::Masked));
            }
            return Ok(());
        }
    };
    let (refusing, shown) = judge(live.diagnostics, main, &changed, args.lang);
    eprint!("{}", shown.render_all_in(Quoting::Masked, args.lang));
    if refusing > 0 {
        let files: BTreeSet<&str> = shown
            .errors()
            .filter_map(|d| shown.sources.get(d.file))
            .filter_map(|s| s.path.to_str())
            .collect();
        let what = files.into_iter().collect::<Vec<_>>().join(", ");
        return Err(Failure::Config(match args.lang {
            Language::En => format!("push refused: {refusing} error(s) in {what}; fix them and push again (nothing was changed on {branch})"),
            Language::Ru => format!("push отклонён: ошибок: {refusing} в {what}; исправьте и отправьте снова (в {branch} ничего не изменилось)"),
            Language::Kk => format!("push қабылданбады: {what} ішінде қате: {refusing}; түзетіп, қайта жіберіңіз ({branch} өзгерген жоқ)"),
        }));
    }
    Ok(())
}

/// The paths whose blob the push changes (added, changed, or removed),
/// against the branch's tip before it (`old`); every path of the new tree
/// for a new branch, or when the old tip cannot be read.
fn changed_paths(old: &str, new: &GitTree) -> BTreeSet<String> {
    let all = || new.entries().keys().cloned().collect();
    let before = git2::Oid::from_str(old)
        .ok()
        .filter(|_| old != ZERO)
        .and_then(|o| new.entries_at(o).ok());
    let Some(before) = before else {
        return all();
    };
    let mut out: BTreeSet<String> = new
        .entries()
        .iter()
        .filter(|(p, e)| before.get(*p) != Some(*e))
        .map(|(p, _)| p.clone())
        .collect();
    out.extend(
        before
            .keys()
            .filter(|p| !new.entries().contains_key(*p))
            .cloned(),
    );
    out
}

/// Which problems refuse the push, and what is shown: an error in a file
/// the push changed refuses; an error located in the main config refuses
/// when it names such a file (the include patterns' "is a symbolic link");
/// any other error was there before the push and is shown as a warning,
/// saying so.
fn judge(
    mut d: Diagnostics,
    main: &Path,
    changed: &BTreeSet<String>,
    lang: Language,
) -> (usize, Diagnostics) {
    let main_file: Vec<bool> = d.sources.iter().map(|s| s.path == main).collect();
    d.notes.clear();
    // A problem located in the main config is shown only when it names a
    // file the push changes (the include patterns' "is a symbolic link", a
    // near miss), and then at that file, never at the server's path to the
    // main config; the rest (its mode, a bad pattern, an estimated
    // holiday) is the admin's, who sees it with `docket check`.
    let mut kept = Vec::with_capacity(d.items.len());
    for mut item in std::mem::take(&mut d.items) {
        if main_file.get(item.file).copied().unwrap_or(false) {
            let Some(p) = changed.iter().find(|p| item.message.contains(p.as_str())) else {
                continue;
            };
            item.file = d.add_source(Path::new(p), String::new());
            item.span = 0..0;
        }
        kept.push(item);
    }
    d.items = kept;
    let changed_file: Vec<bool> = d
        .sources
        .iter()
        .map(|s| s.path.to_str().is_some_and(|p| changed.contains(p)))
        .collect();
    // A warning in a file the push does not touch is not this push's.
    d.items.retain(|item| {
        item.severity == Severity::Error || changed_file.get(item.file).copied().unwrap_or(false)
    });
    let mut refusing = 0;
    for item in &mut d.items {
        if item.severity != Severity::Error {
            continue;
        }
        if changed_file.get(item.file).copied().unwrap_or(false) {
            refusing += 1;
        } else {
            // Shown in the reader's language, with the note before it.
            let shown = match &item.tr {
                Some(t) => t.render(lang),
                None => item.message.clone(),
            };
            let note = match lang {
                Language::En => "(already on the branch before this push; not refused)",
                Language::Ru => "(уже было в ветке до этого push; не отклоняет его)",
                Language::Kk => "(бұл push-қа дейін тармақта болған; push қабылданады)",
            };
            item.severity = Severity::Warning;
            item.tr = None;
            item.message = format!("{note} {shown}");
        }
    }
    (refusing, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_lines_git_gives() {
        let a = "a".repeat(40);
        let input = format!("{ZERO} {a} refs/heads/main\n\ngarbage\n{a} {ZERO} refs/tags/v1\n");
        let u = parse_updates(&input);
        assert_eq!(u.len(), 2);
        assert_eq!(u[0].old, ZERO);
        assert_eq!(u[0].refname, "refs/heads/main");
        assert_eq!(u[1].new, ZERO);
    }
}
