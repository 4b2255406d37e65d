//! Writing a kept version back where it was (`docket restore`).
//!
//! Why not `sys::write_atomic`: that guards the directories docket writes
//! its own output into, and refuses one its group can write. A case
//! directory shared with `[service] editors` is group-writable by design
//! (SPEC 6), and restoring into it is the point. The same pieces do the
//! rest (`sys::open_shared_dir`, `sys::temporary`, `sys::replace_with`):
//! everything relative to the directory's descriptor, an unguessable
//! temporary created `O_EXCL | O_NOFOLLOW` (a link planted by a member of
//! the group is never followed), owner and mode set before the rename, and
//! a directory everyone can write refused.

use std::path::Path;

/// Put `bytes` at `path` with `mode`, owned by `owner` (uid, gid) when
/// given (needs root to give a file away).
pub fn put_back(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> std::io::Result<()> {
    let (dir, name) = crate::sys::dir_and_name(path)?;
    let dirf = crate::sys::open_shared_dir(dir)?;
    let owner = owner.map(|(u, g)| (Some(u), Some(g)));
    let tmp = crate::sys::temporary(&dirf, name, bytes, mode, owner, true)?;
    crate::sys::replace_with(&dirf, &tmp, name)
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
