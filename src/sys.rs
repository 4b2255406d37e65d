//! The few facts docket asks of the operating system directly.

/// The effective user id, for sshd-style ownership checks on config files.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}
