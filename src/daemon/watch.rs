//! Edits take effect on their own: the daemon watches the directories of
//! the main config and of every include pattern (inotify, through the
//! `notify` crate), and after a burst of events goes quiet, reloads what
//! changed. Editors that save by writing a new file and renaming it over
//! the old one, new and deleted files, and a directory swapped for a
//! symlink all show up as events in a watched directory. The look before
//! every pass (`Live::changed_on_disk`) catches anything a watch missed.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// Quiet time after the last event before reloading: ten saves in a row
/// make one reload.
pub const QUIET: Duration = Duration::from_millis(300);
/// A burst that never goes quiet is reloaded after this long anyway.
pub const MAX_WAIT: Duration = Duration::from_secs(3);

/// A directory as watched: its path and the inode behind it (a symlink
/// swapped for another is a different directory).
type Watched = Vec<(PathBuf, u64)>;

pub struct Watcher {
    _inner: notify::RecommendedWatcher,
    watched: Watched,
}

fn identify(dirs: &[PathBuf]) -> Watched {
    dirs.iter()
        .map(|d| {
            (
                d.clone(),
                std::fs::metadata(d).map(|m| m.ino()).unwrap_or(0),
            )
        })
        .collect()
}

impl Watcher {
    /// Watch `dirs` (not recursively); every event sends `()` on `tx`.
    pub fn start(dirs: &[PathBuf], tx: mpsc::UnboundedSender<()>) -> notify::Result<Watcher> {
        use notify::Watcher as _;
        let names: Vec<std::ffi::OsString> = dirs
            .iter()
            .filter_map(|d| d.file_name().map(|n| n.to_os_string()))
            .collect();
        let mut inner = notify::recommended_watcher(move |ev: notify::Result<notify::Event>| {
            let Ok(e) = ev else { return };
            if matches!(e.kind, notify::EventKind::Access(_)) {
                return;
            }
            // Only what can change the config: a .toml file (or one that
            // looks like it), or a watched directory swapped. A log file or
            // an editor's swap file beside the config is not a change.
            let relevant = e.paths.iter().any(|p| {
                let Some(name) = p.file_name() else {
                    return false;
                };
                name.to_string_lossy()
                    .to_ascii_lowercase()
                    .contains(".toml")
                    || names.iter().any(|n| n == name)
            });
            if relevant {
                let _ = tx.send(());
            }
        })?;
        for d in dirs {
            if let Err(e) = inner.watch(d, notify::RecursiveMode::NonRecursive) {
                tracing::warn!(dir = %d.display(), error = %e, "cannot watch a config directory; changes there are seen before each pass");
            }
        }
        Ok(Watcher {
            _inner: inner,
            watched: identify(dirs),
        })
    }

    /// Are these the directories (and the same inodes) being watched?
    pub fn watches(&self, dirs: &[PathBuf]) -> bool {
        self.watched == identify(dirs)
    }
}

/// Wait until events stop for [`QUIET`] (at most [`MAX_WAIT`]).
pub async fn settle(rx: &mut mpsc::UnboundedReceiver<()>) {
    let deadline = tokio::time::Instant::now() + MAX_WAIT;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(QUIET) => return,
            _ = tokio::time::sleep_until(deadline) => return,
            got = rx.recv() => if got.is_none() { return },
        }
    }
}
