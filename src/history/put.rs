//! Writing a kept version back where it was (`docket restore`).
//!
//! Why not `sys::write_atomic`: that guards the directories docket writes
//! its own output into, and refuses one its group can write. A case
//! directory shared with `[service] editors` is group-writable by design
//! (SPEC 6), and restoring into it is the point. What `write_atomic` does
//! against a directory others can change is kept: everything happens
//! relative to the directory's descriptor, the temporary is created
//! `O_EXCL | O_NOFOLLOW` under an unguessable name, and a rename puts it in
//! place, so a link planted by a member of the group is never followed. A
//! directory writable by everyone (without the sticky bit) is refused. The
//! owner and mode are set on the temporary before the rename: the file
//! never appears with the wrong owner.

use std::os::fd::{AsRawFd, FromRawFd};
use std::path::Path;

/// Put `bytes` at `path` with `mode`, owned by `owner` (uid, gid) when
/// given (needs root to give a file away).
pub fn put_back(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("no file name to write"))?;
    let dirf = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(dir)?;
    let m = dirf.metadata()?;
    if m.mode() & 0o002 != 0 && m.mode() & 0o1000 == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "refusing to write into {}: everyone can write it (chmod o-w)",
                dir.display()
            ),
        ));
    }
    let cstr = |b: &[u8]| {
        std::ffi::CString::new(b).map_err(|_| std::io::Error::other("a NUL in a file name"))
    };
    let target = cstr(name.as_bytes())?;
    let tmp_name = format!(
        ".{}.{:016x}.restore",
        name.to_string_lossy(),
        crate::sys::random_u64()
    );
    let tmp = cstr(tmp_name.as_bytes())?;
    // SAFETY: NUL-terminated name relative to a descriptor open for the call.
    let fd = unsafe {
        libc::openat(
            dirf.as_raw_fd(),
            tmp.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            0o600 as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: fd was just opened and is owned by nothing else.
    let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
    let written = (|| {
        use std::os::unix::fs::PermissionsExt;
        f.write_all(bytes)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&f, Some(uid), Some(gid))?;
        }
        f.set_permissions(std::fs::Permissions::from_mode(mode & 0o7777))?;
        f.sync_all()?;
        // SAFETY: NUL-terminated names relative to an open directory.
        let r = unsafe {
            libc::renameat(
                dirf.as_raw_fd(),
                tmp.as_ptr(),
                dirf.as_raw_fd(),
                target.as_ptr(),
            )
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    })();
    drop(f);
    if written.is_err() {
        // SAFETY: as above; the name is the one this call created.
        unsafe { libc::unlinkat(dirf.as_raw_fd(), tmp.as_ptr(), 0) };
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn puts_the_bytes_and_mode_back_in_a_group_writable_directory_not_in_one_for_all() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("cases.d");
        std::fs::create_dir(&d).unwrap();
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o2770)).unwrap();
        let p = d.join("kz-0042.toml");
        // A link planted at the name is replaced, never followed.
        std::os::unix::fs::symlink("/etc/passwd", &p).unwrap();
        put_back(&p, b"[[case]]\n", 0o660, None).unwrap();
        let m = std::fs::symlink_metadata(&p).unwrap();
        assert!(m.is_file());
        assert_eq!(m.permissions().mode() & 0o7777, 0o660);
        assert_eq!(std::fs::read(&p).unwrap(), b"[[case]]\n");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary left"
        );
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(put_back(&p, b"x", 0o640, None).is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"[[case]]\n");
    }
}
