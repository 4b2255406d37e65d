//! Writing the new case files, never over an existing one.
//!
//! Why not `sys::write_atomic`: it refuses a directory its group can write,
//! and a case directory shared with `[service] editors` is group-writable
//! by design (SPEC 6). What it does against a directory others can change
//! is kept, as in `history::put`: everything happens relative to the
//! directory's descriptor, each file is first a temporary created
//! `O_EXCL | O_NOFOLLOW` under an unguessable name, given its group and
//! mode; all are synced at once, and then each is moved to its name with
//! `RENAME_NOREPLACE` (a hard link where the file system cannot), which
//! fails if the name exists: a file or link planted there meanwhile is
//! never replaced nor followed, and the daemon watching the directory
//! never sees half a file. If one file cannot be written or placed, every
//! file and temporary of this run is removed.

use super::base::ImportError;
use std::ffi::CString;
use std::os::fd::AsRawFd;
use std::path::Path;

/// How the new files are made: mode and group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Perms {
    pub mode: u32,
    /// The group to give each file (None: the directory's, as created).
    pub gid: Option<u32>,
}

/// The modes the guide and the reference give (SPEC 6): with `[service]
/// editors`, `0660` and the editors' group (the directory is `2770`);
/// without, `0640` in a directory its group may read (`root:docket 0750`),
/// `0600` in a private one, the group the directory's.
pub fn perms_for(dir: &std::fs::Metadata, editors: Option<u32>) -> Perms {
    use std::os::unix::fs::MetadataExt;
    match editors {
        Some(gid) => Perms {
            mode: 0o660,
            gid: Some(gid),
        },
        None if dir.mode() & 0o050 == 0o050 => Perms {
            mode: 0o640,
            gid: Some(dir.gid()),
        },
        None => Perms {
            mode: 0o600,
            gid: Some(dir.gid()),
        },
    }
}

fn cstr(s: &str) -> std::io::Result<CString> {
    CString::new(s).map_err(|_| std::io::Error::other("a NUL in a file name"))
}

/// Write each (name, text) into `dir`, all or none.
pub fn create_all(dir: &Path, files: &[(String, String)], perms: Perms) -> Result<(), ImportError> {
    let derr = |source| ImportError::Write {
        path: dir.to_path_buf(),
        source,
    };
    let dirf = crate::sys::open_shared_dir(dir).map_err(derr)?;
    let werr = |name: &str| {
        let path = dir.join(name);
        move |source| ImportError::Write { path, source }
    };
    // Every temporary first; on any failure none of them stays.
    let mut temps: Vec<(CString, CString)> = Vec::new();
    let unlink = |names: &[&CString]| {
        for c in names {
            // SAFETY: names this call created, relative to an open directory.
            unsafe { libc::unlinkat(dirf.as_raw_fd(), c.as_ptr(), 0) };
        }
    };
    for (name, text) in files {
        match cstr(name).and_then(|c| Ok((temporary(&dirf, &c, text.as_bytes(), perms)?, c))) {
            Ok(t) => temps.push(t),
            Err(e) => {
                unlink(&temps.iter().map(|(t, _)| t).collect::<Vec<_>>());
                return Err(werr(name)(e));
            }
        }
    }
    // One sync for all the data (a sync per file was 6 s of 6.3 for
    // 6,500 files), before any name appears.
    // SAFETY: syncfs on a descriptor open for the call.
    if unsafe { libc::syncfs(dirf.as_raw_fd()) } != 0 {
        unlink(&temps.iter().map(|(t, _)| t).collect::<Vec<_>>());
        return Err(werr("")(std::io::Error::last_os_error()));
    }
    for (i, (tmp, name)) in temps.iter().enumerate() {
        if let Err(e) = no_replace(&dirf, tmp, name) {
            let placed = temps[..i].iter().map(|(_, n)| n);
            let left = temps[i..].iter().map(|(t, _)| t);
            unlink(&placed.chain(left).collect::<Vec<_>>());
            return Err(werr(&name.to_string_lossy())(e));
        }
    }
    // The names themselves, on disk.
    // SAFETY: as above.
    unsafe { libc::fsync(dirf.as_raw_fd()) };
    Ok(())
}

/// A temporary beside `name` holding `bytes`, with its group and mode
/// (`sys::temporary`: `O_EXCL | O_NOFOLLOW`, an unguessable name); synced
/// all at once later.
fn temporary(
    dirf: &std::fs::File,
    name: &CString,
    bytes: &[u8],
    perms: Perms,
) -> std::io::Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(name.as_bytes());
    let owner = perms.gid.map(|g| (None, Some(g)));
    crate::sys::temporary(dirf, name, bytes, perms.mode, owner, false)
}

/// Move `tmp` to `name` unless `name` exists.
fn no_replace(dirf: &std::fs::File, tmp: &CString, name: &CString) -> std::io::Result<()> {
    let d = dirf.as_raw_fd();
    // SAFETY: NUL-terminated names relative to an open directory.
    let r = unsafe { libc::renameat2(d, tmp.as_ptr(), d, name.as_ptr(), libc::RENAME_NOREPLACE) };
    if r == 0 {
        return Ok(());
    }
    let e = std::io::Error::last_os_error();
    if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
        return Err(e);
    }
    // No RENAME_NOREPLACE here: a link fails on an existing name too.
    // SAFETY: as above.
    if unsafe { libc::linkat(d, tmp.as_ptr(), d, name.as_ptr(), 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: as above; the file stays at `name`.
    unsafe { libc::unlinkat(d, tmp.as_ptr(), 0) };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_all_or_none_and_never_over_a_file_or_a_link() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("cases.d");
        std::fs::create_dir(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o2770)).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.join("kz-0002.toml")).unwrap();
        let files = vec![
            ("kz-0001.toml".to_string(), "[[case]]\n".to_string()),
            ("kz-0002.toml".to_string(), "[[case]]\n".to_string()),
        ];
        let perms = Perms {
            mode: 0o660,
            gid: None,
        };
        let e = create_all(&d, &files, perms).unwrap_err();
        assert!(e.to_string().contains("kz-0002.toml"), "{e}");
        let names: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            ["kz-0002.toml"],
            "the first file taken back, no temporary left"
        );
        std::fs::remove_file(d.join("kz-0002.toml")).unwrap();
        create_all(&d, &files, perms).unwrap();
        let m = std::fs::symlink_metadata(d.join("kz-0001.toml")).unwrap();
        assert!(m.is_file());
        assert_eq!(m.permissions().mode() & 0o7777, 0o660);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2);
    }
}
