//! Edits take effect on their own: the daemon watches the directories of
//! the main config and of every include pattern (inotify, through the
//! `notify` crate), and after a burst of events goes quiet, reloads what
//! changed. Editors that save by writing a new file and renaming it over
//! the old one, and new and deleted files show up as events in a watched
//! directory.
//!
//! A watch follows an inode, not a name: a `cases.d` moved aside and
//! re-created, swapped for a symlink, or a symlink retargeted with
//! `mv -T` leaves the old watch on a directory nobody writes to any more.
//! So the *parent* of every watched directory is watched too (its own
//! name being moved, created or replaced is an event there), the watched
//! identity (path → canonical path, device, inode) is compared after every
//! reload, and [`CHECK`] also compares it every few seconds, in case an
//! event was lost: a different identity means a new watcher and a reload.
//!
//! An event says what it changed ([`Changed`]): the files it names, which
//! a reload re-reads while reusing the others, or anything (a directory
//! replaced, a queue overflow), which looks at every file.
//!
//! When a watch cannot be added (the inotify instance or watch limit is
//! reached, or any other error), the daemon *polls*: every [`CHECK`] it
//! looks at the files (`Live::changed_on_disk`: a listing and the
//! metadata of every file), tells the admin once, shows it in
//! `status.json` and the metrics, and tries inotify again every
//! [`RETRY`] and on SIGHUP. The look before every pass stays as a last net.

use crate::config::changed::Changed;
use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// Quiet time after the last event before reloading: ten saves in a row
/// make one reload.
pub const QUIET: Duration = Duration::from_millis(300);
/// A burst that never goes quiet is reloaded after this long anyway.
pub const MAX_WAIT: Duration = Duration::from_secs(3);
/// How often the watched identity is checked, and, while polling, how
/// often the files are looked at. Two seconds: a listing and a `stat` per
/// file is cheap next to a reload, and a new case is seen well within
/// the time a caseworker expects.
pub const CHECK: Duration = Duration::from_secs(2);
/// While polling, how often inotify is tried again.
pub const RETRY: Duration = Duration::from_secs(10);

/// What is behind a watched path: its canonical path, device and inode
/// (`None` while it does not exist).
type Identity = Vec<(PathBuf, Option<(PathBuf, u64, u64)>)>;

pub struct Watcher {
    _inner: Option<notify::RecommendedWatcher>,
    /// The config's directories, as asked for.
    dirs: Vec<PathBuf>,
    watched: Identity,
    /// Why inotify does not cover every directory (then the daemon polls).
    failure: Option<String>,
}

/// The directories and their parents, without repeats.
fn with_parents(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut all: BTreeSet<PathBuf> = dirs.iter().cloned().collect();
    for d in dirs {
        if let Some(p) = d.parent().filter(|p| !p.as_os_str().is_empty()) {
            all.insert(p.to_path_buf());
        }
    }
    all.into_iter().collect()
}

fn identify(dirs: &[PathBuf]) -> Identity {
    with_parents(dirs)
        .into_iter()
        .map(|d| {
            let id = std::fs::canonicalize(&d)
                .ok()
                .and_then(|c| std::fs::metadata(&c).ok().map(|m| (c, m.dev(), m.ino())));
            (d, id)
        })
        .collect()
}

/// An error of `notify` in words an admin can act on.
fn explain(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => {
            "the inotify watch limit is reached (sysctl fs.inotify.max_user_watches)".into()
        }
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(libc::EMFILE) => {
            "the inotify instance limit is reached (sysctl fs.inotify.max_user_instances)".into()
        }
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(libc::ENOSPC) => {
            "the inotify watch limit is reached (sysctl fs.inotify.max_user_watches)".into()
        }
        notify::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            format!("a directory cannot be read by docket's user ({io})")
        }
        _ => format!("cannot watch the config directories: {e}"),
    }
}

/// A directory that is not there is not a failure of inotify: its
/// parent's watch sees it appear.
fn is_missing(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::PathNotFound => true,
        notify::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}

impl Watcher {
    /// Watch `dirs` and their parents (not recursively); every relevant
    /// event sends what it changed on `tx`. Never fails: a watcher that could not
    /// watch everything says why in [`Watcher::failure`].
    pub fn start(dirs: &[PathBuf], tx: mpsc::UnboundedSender<Changed>) -> Watcher {
        use notify::Watcher as _;
        let watched = identify(dirs);
        // inotify's events name a relative directory joined to the
        // working directory: match both forms.
        let cwd = std::env::current_dir().unwrap_or_default();
        let wanted: BTreeSet<PathBuf> =
            dirs.iter().flat_map(|d| [d.clone(), cwd.join(d)]).collect();
        let in_handler = wanted.clone();
        let err_tx = tx.clone();
        let inner = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let e = match ev {
                Ok(e) => e,
                // A queue overflow or a limit hit: look at the files.
                Err(_) => {
                    let _ = err_tx.send(Changed::Anything);
                    return;
                }
            };
            if matches!(e.kind, notify::EventKind::Access(_)) {
                return;
            }
            if let Some(c) = what_changed(&e.paths, &in_handler) {
                let _ = tx.send(c);
            }
        });
        let mut inner = match inner {
            Ok(w) => w,
            Err(e) => {
                return Watcher {
                    _inner: None,
                    dirs: dirs.to_vec(),
                    watched,
                    failure: Some(explain(&e)),
                }
            }
        };
        let mut failure = None;
        for d in with_parents(dirs) {
            if let Err(e) = inner.watch(&d, notify::RecursiveMode::NonRecursive) {
                if is_missing(&e) {
                    continue;
                }
                tracing::warn!(dir = %d.display(), error = %e, "cannot watch a config directory");
                failure.get_or_insert_with(|| explain(&e));
            }
        }
        Watcher {
            _inner: Some(inner),
            dirs: dirs.to_vec(),
            watched,
            failure,
        }
    }

    /// Are these the directories (and the same ones behind their paths)
    /// being watched?
    pub fn watches(&self, dirs: &[PathBuf]) -> bool {
        self.dirs == dirs && self.watched == identify(dirs)
    }

    /// Why inotify does not cover everything: the daemon polls meanwhile.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
}

/// What an event's paths change, if anything can change the config: a
/// .toml file (or one that looks like it) in a config directory is that
/// file; a config directory itself moved, created, removed or replaced
/// (seen in its parent, or on its own watch), or an event without paths,
/// may be anything. A log file or an editor's swap file beside the config
/// is not a change, nor is anything else in a parent.
fn what_changed(paths: &[PathBuf], dirs: &BTreeSet<PathBuf>) -> Option<Changed> {
    if paths.is_empty() || paths.iter().any(|p| dirs.contains(p)) {
        return Some(Changed::Anything);
    }
    // With cases_git, a push moves a branch: a ref under refs/heads, or
    // packed-refs. The tree is looked at as a whole (its commit).
    let moves_a_ref = |p: &PathBuf| {
        p.parent().is_some_and(|d| dirs.contains(d))
            && (p.file_name().is_some_and(|n| n == "packed-refs")
                || p.components()
                    .collect::<Vec<_>>()
                    .windows(2)
                    .any(|w| w[0].as_os_str() == "refs" && w[1].as_os_str() == "heads"))
    };
    if paths.iter().any(moves_a_ref) {
        return Some(Changed::Anything);
    }
    let files: BTreeSet<PathBuf> = paths
        .iter()
        .filter(|p| {
            let toml = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().contains(".toml"));
            toml && p.parent().is_some_and(|d| dirs.contains(d))
        })
        .cloned()
        .collect();
    (!files.is_empty()).then_some(Changed::Paths(files))
}

/// Wait until events stop for [`QUIET`] (at most [`MAX_WAIT`]), and say
/// what they changed together, starting from `first`.
pub async fn settle(rx: &mut mpsc::UnboundedReceiver<Changed>, first: Changed) -> Changed {
    let deadline = tokio::time::Instant::now() + MAX_WAIT;
    let mut all = first;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(QUIET) => return all,
            _ = tokio::time::sleep_until(deadline) => return all,
            got = rx.recv() => match got {
                Some(c) => all.merge(c),
                None => return all,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event names the case files it changed; a directory of the
    /// config itself, or an event without paths, may be anything; a swap
    /// file's name and a file elsewhere are no change.
    #[test]
    fn an_event_says_which_files_changed() {
        let dirs: BTreeSet<PathBuf> = [
            PathBuf::from("/etc/docket"),
            PathBuf::from("/etc/docket/cases.d"),
        ]
        .into();
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            what_changed(
                &[
                    p("/etc/docket/cases.d/kz-1.toml"),
                    p("/etc/docket/cases.d/notes.txt")
                ],
                &dirs
            ),
            Some(Changed::path("/etc/docket/cases.d/kz-1.toml"))
        );
        assert_eq!(
            what_changed(&[p("/etc/docket/cases.d")], &dirs),
            Some(Changed::Anything)
        );
        assert_eq!(what_changed(&[], &dirs), Some(Changed::Anything));
        assert_eq!(
            what_changed(&[p("/etc/docket/cases.d/notes.txt")], &dirs),
            None
        );
        assert_eq!(what_changed(&[p("/var/log/kz-1.toml")], &dirs), None);
        // A push to a watched repository moves a ref.
        let repo: BTreeSet<PathBuf> = [p("/srv/git/cases.git"), p("/srv/git/cases.git/refs/heads")]
            .into_iter()
            .collect();
        for moved in [
            "/srv/git/cases.git/refs/heads/main",
            "/srv/git/cases.git/packed-refs",
        ] {
            assert_eq!(what_changed(&[p(moved)], &repo), Some(Changed::Anything));
        }
        assert_eq!(
            what_changed(&[p("/srv/git/cases.git/FETCH_HEAD")], &repo),
            None
        );
    }

    /// A burst of events is one reload of every file they named; one that
    /// may be anything makes the whole burst anything.
    #[tokio::test(start_paused = true)]
    async fn a_burst_settles_into_what_it_changed() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(Changed::path("/c/b.toml")).unwrap();
        let got = settle(&mut rx, Changed::path("/c/a.toml")).await;
        assert_eq!(
            got,
            Changed::Paths(["/c/a.toml".into(), "/c/b.toml".into()].into())
        );
        tx.send(Changed::Anything).unwrap();
        assert_eq!(
            settle(&mut rx, Changed::path("/c/a.toml")).await,
            Changed::Anything
        );
    }

    /// A `cases.d` moved aside and re-created is another directory behind
    /// the same path (the periodic self-check sees it), and its parent's
    /// watch reports it; anything else in the parent is not a change.
    #[tokio::test]
    async fn a_replaced_dir_is_not_the_watched_one_and_its_parent_tells() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cases.d");
        std::fs::create_dir(&dir).unwrap();
        let dirs = vec![dir.clone()];
        let (tx, mut rx) = mpsc::unbounded_channel();
        let w = Watcher::start(&dirs, tx);
        assert!(w.failure().is_none());
        assert!(w.watches(&dirs));
        std::fs::write(tmp.path().join("notes.toml"), "").unwrap();
        std::fs::create_dir(tmp.path().join("other")).unwrap();
        let quiet = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
        assert!(
            quiet.is_err(),
            "an unrelated file in the parent is no change"
        );
        std::fs::rename(&dir, tmp.path().join("cases.d.old")).unwrap();
        std::fs::create_dir(&dir).unwrap();
        assert!(!w.watches(&dirs));
        let got = tokio::time::timeout(Duration::from_secs(30), rx.recv()).await;
        assert!(
            matches!(got, Ok(Some(Changed::Anything))),
            "no event from the parent: {got:?}"
        );
    }
}
