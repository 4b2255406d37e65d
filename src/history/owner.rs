//! Who saved a file, as far as a shared folder can tell: the user name of
//! the file's owner. A file written in place (not replaced by a new file)
//! keeps the owner of whoever created it: the kernel does not record who
//! wrote last, and docket does not guess (the docs say so).

/// The user name of `uid`, or the number when the system has no name for it.
pub fn user_name(uid: u32) -> String {
    let mut buf = vec![0u8; 4096];
    // SAFETY: `pwd` and `buf` outlive the call; getpwuid_r writes only
    // into them and sets `result` to null or to `&pwd`.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        );
        if rc == 0 && !result.is_null() && !pwd.pw_name.is_null() {
            if let Ok(s) = std::ffi::CStr::from_ptr(pwd.pw_name).to_str() {
                return s.to_string();
            }
        }
    }
    uid.to_string()
}

/// Owner, group and permission bits of `path`, if it can be looked at.
pub fn owner_of(path: &std::path::Path) -> Option<(u32, u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some((m.uid(), m.gid(), m.mode() & 0o7777))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_has_a_name_and_an_unknown_uid_is_its_number() {
        assert_eq!(user_name(0), "root");
        assert_eq!(user_name(4_000_000_123), "4000000123");
    }
}
