//! The feeds' files: their directory, each written through a temporary
//! renamed into place, and the ones of caseworkers gone removed.

use super::{render_plan_to, FeedPlan, Revision};
use crate::config::model::Config;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The feeds' directory made (0750) when missing, and refused when someone
/// else can write it: before anything is written or removed.
pub fn prepare_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.is_dir() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o750)
            .create(dir)?;
        // The daemon's umask is 077; the directory is meant to be shared
        // with a web server's group.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750))?;
    }
    // Before anything is written or removed: a directory someone else can
    // write is refused (sys::write_atomic would refuse each file anyway).
    crate::sys::check_output_dir(dir)?;
    Ok(())
}

/// One feed's file, `dir/<name>.ics` (after [`prepare_dir`]): rendered
/// as it is written (never held whole in memory), through a temporary
/// renamed into place so a web server never serves half a feed; 0640.
/// No fsync: a feed lost to a power cut is written again by the next pass.
pub fn render_into_file(
    dir: &Path,
    cfg: &Config,
    plan: &FeedPlan<'_, '_>,
    today: NaiveDate,
    order: &[(NaiveDate, u64, u32)],
    revisions: &[Revision],
) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{}.ics", plan.name));
    crate::sys::write_atomic_with(&path, 0o640, false, |w| {
        render_plan_to(cfg, plan, today, order, revisions, w)
    })?;
    Ok(path)
}

/// Remove the feeds docket wrote that are not among `keep` (a caseworker
/// gone, a team emptied).
pub fn remove_others(dir: &Path, keep: &[String]) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)?.flatten() {
        let p = e.path();
        // Every feed written is one of `keep`.
        if p.extension().is_none_or(|x| x != "ics") {
            continue;
        }
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned());
        if stem.is_some_and(|s| keep.contains(&s)) {
            continue;
        }
        if is_ours(&p) {
            let _ = std::fs::remove_file(&p);
        }
    }
    Ok(())
}

/// Was this file written by docket (its PRODID)?
fn is_ours(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 256];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    String::from_utf8_lossy(&head[..n]).contains("PRODID:-//docket//")
}
