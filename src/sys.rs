//! The few facts docket asks of the operating system directly.

/// The effective user id, for sshd-style ownership checks on config files.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Make every file docket creates from now on private to its user (the
/// outbox's .eml files, the ledger's journal files): they name cases and,
/// where allowed, people. systemd's `UMask=0077` does the same for the
/// service; this covers runs by hand.
pub fn private_umask() {
    // SAFETY: umask has no preconditions and cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Return freed memory to the system now. Called after loading a config:
/// parsing 100,000 cases briefly needs several times the memory the loaded
/// config keeps, and an idle daemon should not hold on to that peak.
pub fn release_memory() {
    // SAFETY: mi_collect only walks mimalloc's own heaps; docket's global
    // allocator is mimalloc (lib.rs), so every heap it touches is ours.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
