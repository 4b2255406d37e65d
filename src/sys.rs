//! The few facts docket asks of the operating system directly.

use std::path::Path;

/// The effective user id, for sshd-style ownership checks on config files.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// A Unix group as the system's group database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub gid: u32,
    /// The user names listed as its members (not those for whom it is the
    /// primary group: see [`is_member`]).
    pub members: Vec<String>,
}

/// The group named `name`, if the system has one.
pub fn group_by_name(name: &str) -> Option<Group> {
    let c = std::ffi::CString::new(name).ok()?;
    // SAFETY: getgrnam_r fills `grp` with pointers into `buf`, which
    // outlives their use in group_of.
    lookup_group(&|grp, buf, len, out| unsafe { libc::getgrnam_r(c.as_ptr(), grp, buf, len, out) })
}

/// The group whose id is `gid`, if the system has one.
pub fn group_by_gid(gid: u32) -> Option<Group> {
    // SAFETY: as in group_by_name.
    lookup_group(&|grp, buf, len, out| unsafe { libc::getgrgid_r(gid, grp, buf, len, out) })
}

type GroupCall<'a> =
    dyn Fn(*mut libc::group, *mut libc::c_char, usize, *mut *mut libc::group) -> libc::c_int + 'a;

fn lookup_group(call: &GroupCall<'_>) -> Option<Group> {
    let mut len = 4096;
    loop {
        let mut buf = vec![0 as libc::c_char; len];
        // SAFETY: a zeroed `group` is a valid out-parameter.
        let mut grp: libc::group = unsafe { std::mem::zeroed() };
        let mut out: *mut libc::group = std::ptr::null_mut();
        let rc = call(&mut grp, buf.as_mut_ptr(), len, &mut out);
        if rc == libc::ERANGE && len < 1 << 24 {
            len *= 4;
            continue;
        }
        if rc != 0 || out.is_null() {
            return None;
        }
        // SAFETY: on success the fields point into `buf`, NUL-terminated,
        // and gr_mem is a NULL-terminated array.
        unsafe {
            let name = std::ffi::CStr::from_ptr(grp.gr_name)
                .to_string_lossy()
                .into_owned();
            let mut members = Vec::new();
            let mut m = grp.gr_mem;
            while !m.is_null() && !(*m).is_null() {
                members.push(std::ffi::CStr::from_ptr(*m).to_string_lossy().into_owned());
                m = m.add(1);
            }
            return Some(Group {
                name,
                gid: grp.gr_gid,
                members,
            });
        }
    }
}

/// The user name and primary group id of `uid`, if the system has it.
pub fn user_by_uid(uid: u32) -> Option<(String, u32)> {
    let mut len = 4096;
    loop {
        let mut buf = vec![0 as libc::c_char; len];
        // SAFETY: a zeroed `passwd` is a valid out-parameter; on success its
        // fields point into `buf`, NUL-terminated.
        unsafe {
            let mut pw: libc::passwd = std::mem::zeroed();
            let mut out: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), len, &mut out);
            if rc == libc::ERANGE && len < 1 << 24 {
                len *= 4;
                continue;
            }
            if rc != 0 || out.is_null() {
                return None;
            }
            let name = std::ffi::CStr::from_ptr(pw.pw_name)
                .to_string_lossy()
                .into_owned();
            return Some((name, pw.pw_gid));
        }
    }
}

/// Is `uid` a member of the group `gid`, as the databases say now: the
/// group is its primary group, or the group lists its name. Asked at every
/// check, so `usermod -aG` takes effect without a reload.
pub fn is_member(uid: u32, gid: u32) -> bool {
    let Some((name, primary)) = user_by_uid(uid) else {
        return false;
    };
    primary == gid || group_by_gid(gid).is_some_and(|g| g.members.contains(&name))
}

/// Does `path` carry an extended POSIX ACL (named users or groups, a mask)?
/// A minimal ACL is the mode bits and is not stored; the attribute exists
/// only for an extended one. Not followed through a final symlink.
pub fn has_acl(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let name = c"system.posix_acl_access";
    // SAFETY: both strings are NUL-terminated; a NULL buffer of size 0
    // asks only for the attribute's size.
    let n = unsafe { libc::getxattr(c.as_ptr(), name.as_ptr(), std::ptr::null_mut(), 0) };
    n > 0
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
    // SQLite and libgit2 allocate with the C library's malloc, not
    // mimalloc: their freed pages (page caches, statements) stay in
    // glibc's per-thread arenas until trimmed (~3 MB of an idle daemon's
    // RSS at 100,000 cases). SAFETY: malloc_trim only hands free memory of
    // glibc's own arenas back to the system.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// mimalloc's `purge_delay` option (its position in `mi_option_e`, the
/// same in mimalloc 2 and 3; libmimalloc-sys names only some of the
/// options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// For the long-running daemon: hand pages back to the system as soon as
/// they are empty, on every thread. [`release_memory`] only reaches the
/// calling thread's heap, and the daemon frees memory on tokio's workers,
/// the feed writer's blocking thread and the load's scoped threads; with
/// mimalloc's default delay (10 ms, applied only when that thread next
/// allocates) an idle worker keeps what it freed. Measured at 100,000
/// cases: 85 MiB idle after the first pass with the default, 75 MiB with
/// this. Not for short commands, which would only pay more madvise calls.
pub fn purge_at_once() {
    // SAFETY: mi_option_set only stores an option value; it is called at
    // start, before the runtime's threads exist.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// mimalloc's `destroy_on_exit` option (its position in mimalloc 3's
/// `mi_option_e`, the version libmimalloc-sys builds).
const MI_OPTION_DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;

/// No clean-up of the heap when the process exits: mimalloc's handler at
/// exit collects every heap and hands its free pages back to the system
/// (`madvise(MADV_DONTNEED)`, splitting the 2 MiB pages they sit in), all
/// of which the kernel frees a moment later anyway. A cold `upcoming` at
/// 100,000 cases made 35 such calls after its last write. A value over 1
/// makes that handler return at once (mimalloc's `_mi_auto_process_done`);
/// nothing runs after it that could allocate. It also overrides
/// `MIMALLOC_DESTROY_ON_EXIT`, and silences what `MIMALLOC_SHOW_STATS` or
/// `MIMALLOC_VERBOSE` would print at exit.
pub fn no_heap_cleanup_at_exit() {
    // SAFETY: mi_option_set only stores an option value; it is read once,
    // by mimalloc's own handler at exit.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_DESTROY_ON_EXIT, 2) }
}

/// For the long-running daemon: no transparent huge pages from now on.
/// mimalloc asks for 2 MiB pages for its arena (`madvise(MADV_HUGEPAGE)`),
/// and a page is counted whole in the RSS once any of it is touched: an
/// idle daemon at 100,000 cases kept ~22 MiB of its RSS in half-used huge
/// pages. Not for short commands: a cold `upcoming` at 100,000 cases is
/// 6–19% slower on 4 KiB pages (more faults), and they exit anyway.
pub fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process
    // (inherited by its children); it touches no memory. Its failure (an
    // old kernel) leaves huge pages allowed, as before.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// For the long-running daemon: one glibc malloc arena for the whole
/// process. Only C code allocates there (SQLite, libgit2; Rust goes to
/// mimalloc), from tokio's workers, the feed writer's and the history's
/// threads, and each thread that calls malloc gets an arena of its own
/// whose half-used pages [`release_memory`] cannot hand back. Measured at
/// 100,000 cases after 100 one-file edits (`scripts/bench-daemon.py`,
/// old and new binary alternating): glibc's memory in the idle RSS went
/// from 3.5–5.9 MiB to 1.1 MiB, the idle RSS from 49.2–51.5 to 47.0 MiB.
/// The C code's allocations are few and short, so sharing one lock costs
/// nothing that could be told from the noise (a one-file edit's
/// `reload_ms` 15–22 ms either way). Called before the runtime starts its
/// threads: arenas made before stay.
pub fn one_malloc_arena() {
    // SAFETY: mallopt only sets a parameter of glibc's allocator; its
    // failure (returns 0) leaves the default, as before.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Create a directory readable only by docket (0700), parents as needed.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// What is wrong with a directory docket is about to write files into by
/// name, judged like sshd's StrictModes judges a config directory: it must
/// be owned by root or by docket's user, and not writable by its group or
/// by others, unless it is sticky and writable by all (`/tmp`: others can
/// neither rename nor delete docket's files there, nor have docket's rename
/// replace theirs). Anyone else who can write it could swap a file docket
/// writes for a link to one of docket's own files, or read a cache docket
/// trusts. None: safe.
pub fn output_dir_problem(meta: &std::fs::Metadata, euid: u32) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode() & 0o7777;
    let sticky_for_all = mode & 0o1000 != 0 && mode & 0o002 != 0;
    if meta.uid() != 0 && meta.uid() != euid {
        return Some(format!("is owned by another user (uid {})", meta.uid()));
    }
    if mode & 0o022 != 0 && !sticky_for_all {
        let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
            (true, true) => "group and others",
            (true, false) => "its group",
            _ => "others",
        };
        return Some(format!("is writable by {who} (mode {mode:04o})"));
    }
    None
}

/// Refuse a directory [`output_dir_problem`] finds fault with, as an error
/// that names it and says what to do (the callers log it or turn it into
/// an alert).
pub fn check_output_dir(dir: &Path) -> std::io::Result<()> {
    let meta = std::fs::metadata(dir)?;
    refuse_unsafe(dir, &meta)
}

fn refuse_unsafe(dir: &Path, meta: &std::fs::Metadata) -> std::io::Result<()> {
    match output_dir_problem(meta, euid()) {
        None => Ok(()),
        Some(why) => Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "refusing to write into directory {}: it {why}, and whoever can write it can turn docket's writes against other files; give docket a directory owned by root or by its own user: chmod go-w, chown root",
                crate::logging::escape(&dir.display().to_string())
            ),
        )),
    }
}

/// 64 unpredictable bits for a temporary file's name: the kernel's
/// getrandom; if that fails (it does not on Linux ≥ 3.17), an address
/// (ASLR), the process id and a counter, which are guessable but still never followed
/// anywhere: the name is created with O_EXCL | O_NOFOLLOW.
pub fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // SAFETY: the buffer is 8 writable bytes.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n == 8 {
        return u64::from_ne_bytes(b);
    }
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    // The address of a local (randomised by ASLR) instead of the time:
    // only the clock module reads the time.
    let here = &b as *const _ as u64;
    here.rotate_left(17)
        ^ (u64::from(std::process::id()) << 32)
        ^ COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn cstr(s: &std::ffi::OsStr) -> std::io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(s.as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "a NUL in a file name"))
}

/// Write `path` atomically, with permissions `mode`: a temporary file
/// beside it, then a rename, so a reader (a web server, node_exporter, the
/// next run) sees the old file or the new one, never half of one.
///
/// The temporary's name (`.NAME.<16 random hex digits>.tmp`, which no
/// reader's pattern matches) cannot be guessed, and it is created with
/// O_CREAT | O_EXCL | O_NOFOLLOW: a file or link planted at that name is
/// never opened, let alone followed to one of docket's own files (a name
/// taken is retried with another). The directory is opened once and
/// everything happens relative to it, after checking it the way
/// [`output_dir_problem`] says: a directory someone else can write is
/// refused with an error, since whoever can write it can replace what
/// docket writes or have it written elsewhere. On failure only the
/// temporary this call created is removed.
///
/// The mode is set explicitly: the daemon's umask (077) would narrow it.
/// `sync`: the data reaches the disk before the rename; without it a power
/// cut can only cost the last version.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32, sync: bool) -> std::io::Result<()> {
    write_atomic_with(path, mode, sync, |f| std::io::Write::write_all(f, bytes))
}

/// [`write_atomic`] for a content written as it is made (`fill` writes it
/// into the temporary, buffered), so a large file (a team's calendar feed
/// at 100,000 cases, ~70 MB) is never held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    mode: u32,
    sync: bool,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (dir, name) = dir_and_name(path)?;
    let dirf = open_dir(dir)?;
    refuse_unsafe(dir, &dirf.metadata()?)?;
    let tmp = temporary_with(&dirf, name, mode, None, sync, |f| {
        let mut w = std::io::BufWriter::with_capacity(64 * 1024, f);
        fill(&mut w)?;
        std::io::Write::flush(&mut w)
    })?;
    replace_with(&dirf, &tmp, name)
}

/// The directory of `path` (`.` for a bare name) and its file name.
pub fn dir_and_name(path: &Path) -> std::io::Result<(&Path, &std::ffi::OsStr)> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name to write")
    })?;
    Ok((dir, name))
}

/// A directory opened once, so that everything written into it happens
/// relative to this descriptor (a directory swapped meanwhile is not
/// followed).
pub fn open_dir(dir: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(dir)
}

/// [`open_dir`] for a directory a group shares by design (a case
/// directory with `[service] editors`, SPEC 6), where docket puts
/// people's own files back (`restore`, `import`): only a directory
/// everyone can write (without the sticky bit) is refused.
pub fn open_shared_dir(dir: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::MetadataExt;
    let dirf = open_dir(dir)?;
    let m = dirf.metadata()?.mode();
    if m & 0o002 != 0 && m & 0o1000 == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "refusing to write into {}: everyone can write it (chmod o-w)",
                dir.display()
            ),
        ));
    }
    Ok(dirf)
}

/// A temporary beside `name` in `dirf` holding `bytes`, with `mode` and,
/// when given, owner and group (uid, gid; needs root to give a file away):
/// named `.NAME.<16 random hex digits>.tmp`, which no reader's pattern
/// matches and nobody can guess, and created `O_CREAT | O_EXCL |
/// O_NOFOLLOW` (a name taken is retried with another), so a file or link
/// planted there is never opened. Owner and mode are set before the caller
/// renames it: the file never appears with the wrong ones. On failure the
/// temporary is removed. Returns its name.
pub fn temporary(
    dirf: &std::fs::File,
    name: &std::ffi::OsStr,
    bytes: &[u8],
    mode: u32,
    owner: Option<(Option<u32>, Option<u32>)>,
    sync: bool,
) -> std::io::Result<std::ffi::CString> {
    use std::io::Write;
    temporary_with(dirf, name, mode, owner, sync, |f| f.write_all(bytes))
}

/// [`temporary`] with its content written by `fill`.
fn temporary_with(
    dirf: &std::fs::File,
    name: &std::ffi::OsStr,
    mode: u32,
    owner: Option<(Option<u32>, Option<u32>)>,
    sync: bool,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<std::ffi::CString> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let (tmp, mut f) = {
        let mut attempt = 0;
        loop {
            let mut t = std::ffi::OsString::from(".");
            t.push(name);
            t.push(format!(".{:016x}.tmp", random_u64()));
            let tmp = cstr(&t)?;
            // SAFETY: both strings are NUL-terminated and the directory
            // descriptor is open for the whole call.
            let fd = unsafe {
                libc::openat(
                    dirf.as_raw_fd(),
                    tmp.as_ptr(),
                    libc::O_WRONLY
                        | libc::O_CREAT
                        | libc::O_EXCL
                        | libc::O_NOFOLLOW
                        | libc::O_CLOEXEC,
                    0o600 as libc::c_uint,
                )
            };
            if fd >= 0 {
                // SAFETY: fd was just opened and is owned by nothing else.
                break (tmp, unsafe { std::fs::File::from_raw_fd(fd) });
            }
            let e = std::io::Error::last_os_error();
            attempt += 1;
            if e.kind() != std::io::ErrorKind::AlreadyExists || attempt >= 32 {
                return Err(e);
            }
        }
    };
    let written = (|| {
        use std::os::unix::fs::PermissionsExt;
        fill(&mut f)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&f, uid, gid)?;
        }
        // Explicit: the daemon's umask (077) would narrow it.
        f.set_permissions(std::fs::Permissions::from_mode(mode & 0o7777))?;
        if sync {
            f.sync_all()?;
        }
        Ok(())
    })();
    drop(f);
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            // SAFETY: the temporary this call created.
            unsafe { libc::unlinkat(dirf.as_raw_fd(), tmp.as_ptr(), 0) };
            Err(e)
        }
    }
}

/// Rename the temporary `tmp` (from [`temporary`]) over `name`; on
/// failure the temporary is removed.
pub fn replace_with(
    dirf: &std::fs::File,
    tmp: &std::ffi::CStr,
    name: &std::ffi::OsStr,
) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let d = dirf.as_raw_fd();
    let r = cstr(name).and_then(|target| {
        // SAFETY: NUL-terminated names relative to an open directory.
        match unsafe { libc::renameat(d, tmp.as_ptr(), d, target.as_ptr()) } {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        }
    });
    if r.is_err() {
        // SAFETY: as above; the name is the caller's temporary.
        unsafe { libc::unlinkat(d, tmp.as_ptr(), 0) };
    }
    r
}

/// Open `path` for reading (non-blocking, close-on-exec) only if no
/// component of it is a symbolic link at the moment of the open. For a
/// case file whose real path admission has already resolved (every link
/// followed, the result found inside the config directory): a caseworker
/// who can write the case directory could otherwise swap the file, or a
/// directory on its path, for a link to a file outside between that look
/// and the open, and docket would read it (and quote it in an error). A
/// link there now is refused (ELOOP); the next look sees and judges it.
///
/// `openat2(RESOLVE_NO_SYMLINKS)` (Linux 5.6) does this in the one call
/// that opens. Where it is missing (ENOSYS) or filtered (EPERM: a seccomp
/// filter that returns it, as docket's unit asks with
/// `SystemCallErrorNumber=EPERM`), the file is opened with O_NOFOLLOW and
/// the path the kernel gives for the open file (`/proc/self/fd`) must be
/// `path` (absolute, as `canonicalize` gives it); openat2 is then not
/// tried again by this process.
pub fn open_no_symlinks(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::fd::FromRawFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    static REFUSED: AtomicBool = AtomicBool::new(false);
    if REFUSED.load(Ordering::Relaxed) {
        return open_nofollow_checked(path);
    }
    let c = cstr(path.as_os_str())?;
    let flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_CLOEXEC;
    // SAFETY: open_how is plain data; zeroed is its "nothing asked" value.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags as u64;
    how.resolve = libc::RESOLVE_NO_SYMLINKS;
    // SAFETY: `c` is a NUL-terminated path that outlives the call; `how`
    // is an initialised open_how and its size is passed with it.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd >= 0 {
        // SAFETY: openat2 returned a new descriptor that nothing else owns.
        return Ok(unsafe { std::fs::File::from_raw_fd(fd as i32) });
    }
    let e = std::io::Error::last_os_error();
    if !matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) {
        return Err(e);
    }
    REFUSED.store(true, Ordering::Relaxed);
    open_nofollow_checked(path)
}

/// [`open_no_symlinks`] without openat2: O_NOFOLLOW refuses a link as the
/// last component, and the open file's path as the kernel gives it must
/// be `path`, which a link in a directory above would change.
fn open_nofollow_checked(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC | libc::O_NOFOLLOW)
        .open(path)?;
    let now = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).map_err(|e| {
        std::io::Error::other(format!(
            "its path cannot be checked for links (/proc/self/fd: {e}; openat2 is not allowed)"
        ))
    })?;
    if now.as_os_str().as_bytes() != path.as_os_str().as_bytes() {
        return Err(std::io::Error::from_raw_os_error(libc::ELOOP));
    }
    Ok(file)
}

/// A hint to the CPU that the memory at `p` is wanted soon: the cache
/// line is fetched while other work goes on. Only a hint: it reads
/// nothing, cannot fault, and does nothing off x86-64.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 takes any address, valid or not; it never faults
    // and changes no memory (SSE, part of x86-64's baseline).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// Each way of opening without links reads a file whose real path
    /// it is given, and refuses a link as the file itself or as a
    /// directory above it, even one that leads to a real file.
    #[test]
    fn opening_without_links_refuses_a_link_anywhere_on_the_path() {
        use std::io::Read;
        let t = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(t.path()).unwrap();
        let outside = root.join("outside");
        let inside = root.join("config/cases.d");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::write(outside.join("secret.toml"), "secret").unwrap();
        std::fs::write(inside.join("a.toml"), "cases").unwrap();
        std::os::unix::fs::symlink(outside.join("secret.toml"), inside.join("b.toml")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("config/linked.d")).unwrap();
        type Open = fn(&Path) -> std::io::Result<std::fs::File>;
        let openers: [(&str, Open); 2] = [
            ("openat2", open_no_symlinks),
            ("O_NOFOLLOW and /proc", open_nofollow_checked),
        ];
        for (how, open) in openers {
            let mut text = String::new();
            open(&inside.join("a.toml"))
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, "cases", "{how}");
            for link in [
                inside.join("b.toml"),
                root.join("config/linked.d/secret.toml"),
            ] {
                let e = open(&link).unwrap_err();
                assert_eq!(
                    e.raw_os_error(),
                    Some(libc::ELOOP),
                    "{how}: {}",
                    link.display()
                );
            }
            let e = open(&inside.join("none.toml")).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{how}");
        }
    }

    fn problem(dir: &Path, mode: u32) -> Option<String> {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
        output_dir_problem(&std::fs::metadata(dir).unwrap(), euid())
    }

    #[test]
    fn output_directories_follow_strictmodes() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        assert_eq!(problem(d, 0o700), None);
        assert_eq!(problem(d, 0o2750), None, "setgid for a web server's group");
        assert_eq!(
            problem(d, 0o1777),
            None,
            "sticky and writable by all, as /tmp"
        );
        assert!(problem(d, 0o770).unwrap().contains("writable by its group"));
        assert!(problem(d, 0o777).unwrap().contains("group and others"));
        assert!(
            problem(d, 0o1775).unwrap().contains("its group"),
            "sticky, not for all"
        );
        // Owned by us (root in the tests): judged as another user would be,
        // it is "another user's" only when we are not root.
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).unwrap();
        let meta = std::fs::metadata(d).unwrap();
        if euid() != 0 {
            let seen_by_other = output_dir_problem(&meta, euid() + 1);
            assert!(seen_by_other.unwrap().contains("owned by another user"));
        }
        // A write into a refused directory leaves nothing behind.
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o770)).unwrap();
        let e = write_atomic(&d.join("x"), b"1", 0o600, false).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
        assert_eq!(std::fs::read_dir(d).unwrap().count(), 0);
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).unwrap();
        write_atomic(&d.join("x"), b"1", 0o640, false).unwrap();
        let names: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x"], "no temporary left");
        assert_eq!(
            std::fs::metadata(d.join("x")).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}
