//! Reading config files safely: size limits, UTF-8, never blocking on a
//! FIFO or a device, and sshd-style StrictModes checks on the files and on
//! every directory above them.
//!
//! Why so strict: the files name people at risk and say where mail about
//! them goes. Anyone who can change a file, or replace it by changing the
//! directory it sits in, can redirect that mail or silently drop a case.

use super::diag::Diagnostics;
use super::env::Env;
use super::model::Editors;
use super::tr::{tr, Tr, M};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Config files larger than this are refused before parsing: a config of
/// 100,000 cases is about 20 MiB, so this leaves room while keeping a
/// runaway file from exhausting memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Read a config file, refusing huge, non-regular or non-UTF-8 files with a
/// located error in `diags` (the text itself is not added to it).
pub(crate) fn read_text(path: &Path, diags: &mut Diagnostics) -> Option<String> {
    read_text_stat(path, diags).map(|(text, _)| text)
}

/// [`read_text`] and the metadata of the file it read (taken on the open
/// file before reading it): what its owner and mode are checked against
/// and what tells whether it changed, without asking the file system about
/// the path again. A load of 1,000 files had made nine system calls per
/// file (`stat` of the path twice, `fstat` twice, three reads); now four
/// (open, `fstat`, one read, close).
pub(crate) fn read_text_stat(
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<(String, std::fs::Metadata)> {
    // O_NONBLOCK: opening a FIFO must not hang the loader; the type is then
    // checked on the open file itself, so a swap after the check is moot.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path);
    read_opened(path, file, diags)
}

/// [`read_text_stat`] for a case file, opened by `real`, the real path
/// admission found for it (`includes::expand`: every link followed, the
/// result inside the config directory), and only if that path still holds
/// no symbolic link ([`crate::sys::open_no_symlinks`]); `path` (as the
/// pattern matched it) names it in messages. A file or directory swapped
/// for a link since that look is not read this time, and says why.
pub(crate) fn read_case_file_stat(
    path: &Path,
    real: &Path,
    diags: &mut Diagnostics,
) -> Option<(String, std::fs::Metadata)> {
    match crate::sys::open_no_symlinks(real) {
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            let f = diags.add_source(path, String::new());
            diags
                .error(
                    f,
                    0..0,
                    format!(
                        "{} became a symbolic link (or a directory on its path did) while docket read the files: the cases in it are not read this time",
                        path.display()
                    ),
                )
                .help("docket looks again at the next change; a link must lead to a file under the config directory");
            None
        }
        file => read_opened(path, file, diags),
    }
}

/// The bytes of a file that is not a case file docket reads but one it
/// looks into (a near-miss name, `kz-0300.toml.txt`, for the ids and
/// caseworkers in it): only a regular file under `root` (the config
/// directory, canonical), opened by its real path with no link on it
/// ([`crate::sys::open_no_symlinks`]: not the file, nor a directory above
/// it), without blocking, and none over [`MAX_FILE_BYTES`]. Anyone who
/// can write a case directory can give such a name to a FIFO (read, it had
/// stopped the daemon for good), to a link to a file of docket's own
/// outside the config directory, or put it in a directory swapped for
/// such a link (whose ids were then mailed).
pub(crate) fn read_looked_at(path: &Path, root: &Path) -> std::io::Result<Vec<u8>> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(std::io::Error::from(std::io::ErrorKind::NotFound));
    };
    let real_dir = std::fs::canonicalize(dir)?;
    if !real_dir.starts_with(root) {
        return Err(std::io::Error::other("outside the config directory"));
    }
    let mut file = crate::sys::open_no_symlinks(&real_dir.join(name))?;
    Ok(read_regular(&mut file)?.0)
}

/// The rest of [`read_text_stat`], on the file as it was opened.
fn read_opened(
    path: &Path,
    file: std::io::Result<std::fs::File>,
    diags: &mut Diagnostics,
) -> Option<(String, std::fs::Metadata)> {
    let fail = |diags: &mut Diagnostics, msg: String, help: &str| {
        let f = diags.add_source(path, String::new());
        diags.error(f, 0..0, msg).help(help);
        None
    };
    let mut file = match file {
        Ok(f) => f,
        Err(e) => {
            return fail(
                diags,
                format!("cannot read {}: {}", path.display(), io_reason(&e)),
                "check the path, or pass another with -c/--config or DOCKET_CONFIG",
            )
        }
    };
    let too_long = |diags: &mut Diagnostics, what: String| {
        fail(
            diags,
            format!("{} {what}", path.display()),
            "split the cases into several files under service.include",
        )
    };
    match read_regular(&mut file) {
        Ok((bytes, meta)) => text_of(path, bytes, diags).map(|text| (text, meta)),
        // Its metadata or its bytes could not be read.
        Err(Refused::Io(e)) => fail(
            diags,
            format!("cannot read {}: {}", path.display(), io_reason(&e)),
            "check the file's permissions",
        ),
        Err(Refused::NotRegular(what)) => fail(
            diags,
            format!("{} is {what}, not a regular file", path.display()),
            "point at a .toml file",
        ),
        Err(Refused::TooLong(len)) => too_long(
            diags,
            format!("is {len} bytes, over the limit of {MAX_FILE_BYTES} bytes"),
        ),
        Err(Refused::Grew) => too_long(
            diags,
            format!("grew past the limit of {MAX_FILE_BYTES} bytes while it was read"),
        ),
    }
}

/// Why [`read_regular`] gave no bytes.
enum Refused {
    Io(std::io::Error),
    /// What it is instead ([`file_type`]).
    NotRegular(&'static str),
    /// Its size, over [`MAX_FILE_BYTES`].
    TooLong(u64),
    /// It grew past [`MAX_FILE_BYTES`] while it was read.
    Grew,
}

impl From<Refused> for std::io::Error {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Io(e) => e,
            Refused::NotRegular(what) => {
                std::io::Error::other(format!("{what}, not a regular file"))
            }
            Refused::TooLong(_) | Refused::Grew => std::io::Error::other("over the size limit"),
        }
    }
}

/// The bytes of an open file and its metadata (one `fstat`, one read for
/// a file that does not change meanwhile): only a regular file, refused
/// by its size over [`MAX_FILE_BYTES`] before anything is read, and
/// refused if it grew past it while read, not cut at the limit and read
/// as a shorter file (which could end just after a case and check as
/// good). What a case file and a file looked into share.
fn read_regular(file: &mut std::fs::File) -> Result<(Vec<u8>, std::fs::Metadata), Refused> {
    let meta = file.metadata().map_err(Refused::Io)?;
    if !meta.is_file() {
        return Err(Refused::NotRegular(file_type(&meta)));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Refused::TooLong(meta.len()));
    }
    let bytes = read_sized(file, meta.len(), MAX_FILE_BYTES).map_err(Refused::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Refused::Grew);
    }
    Ok((bytes, meta))
}

/// All of `file` up to `max` + 1 bytes (the caller refuses a file that
/// gave more than `max`), whose size was `len` a moment ago: one `read`
/// for a file that has not changed since.
/// Why not `read_to_end`: through `Take` it starts at 8 KiB and doubles
/// (three reads for a file of 20 KiB), on a `File` it asks `fstat` again.
/// A read shorter than asked, once `len` bytes are in, is the end of a
/// regular file; a file that grew meanwhile fills the buffer and is read
/// on until a read returns nothing.
fn read_sized(file: &mut std::fs::File, len: u64, max: u64) -> std::io::Result<Vec<u8>> {
    let limit = max.saturating_add(1) as usize;
    let mut buf = vec![0u8; (len as usize).saturating_add(1).min(limit)];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            if filled >= limit {
                break;
            }
            let more = buf.len().saturating_mul(2).clamp(8192, limit);
            buf.resize(more, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => {
                filled += n;
                if filled as u64 >= len && filled < buf.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// The bytes of a config file as its text: UTF-8, or a located error at
/// the first byte that is not (for a file on disk and a blob in git alike).
pub(crate) fn text_of(path: &Path, bytes: Vec<u8>, diags: &mut Diagnostics) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Keep the valid prefix as the source so the location points at
            // the first bad byte.
            let text = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let f = diags.add_source(path, text);
            diags
                .error(f, valid..valid + 1, tr(M::NotUtf8))
                .help(tr(M::SaveUtf8));
            None
        }
    }
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// "a FIFO", "a directory", … for messages.
pub(crate) fn file_type(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "a regular file"
    }
}

/// sshd's StrictModes for config files: refuse files that someone other
/// than root or us could change; warn when files holding cases are readable
/// by everyone. With `editors` (case files only, never the main config) the
/// team's rule of SPEC section 6 instead: see [`editors_problems`].
///
/// `stat`: the file's metadata when the caller has it from reading the
/// file ([`read_text_stat`]); else the path is looked at.
pub(crate) fn check_file_permissions(
    path: &Path,
    stat: Option<&std::fs::Metadata>,
    file: usize,
    holds_cases: bool,
    env: &Env,
    editors: Option<&Editors>,
    d: &mut Diagnostics,
) {
    let looked;
    let meta = match stat {
        Some(m) => m,
        None => match std::fs::metadata(path) {
            Ok(m) => {
                looked = m;
                &looked
            }
            Err(_) => return,
        },
    };
    let mode = meta.mode() & 0o7777;
    if let Some(e) = editors {
        for p in editors_problems(path, meta, env.euid, e) {
            let (message, help) = p.file_text(path, mode, e);
            d.error(file, 0..0, message).help(help);
        }
    } else {
        strict_file(path, file, meta, env, d);
    }
    if holds_cases && mode & 0o004 != 0 {
        d.warning(
            file,
            0..0,
            tr(M::ReadableByAll)
                .s("path", path.display())
                .s("mode", format!("{mode:04o}")),
        )
        .help(tr(M::ReadableHelp).s("path", path.display()));
    }
}

/// The rule without editors: owned by root or us, writable by nobody else.
fn strict_file(path: &Path, file: usize, meta: &std::fs::Metadata, env: &Env, d: &mut Diagnostics) {
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        d.error(
            file,
            0..0,
            tr(M::WritableBy)
                .s("path", path.display())
                .t("who", tr(who_writes_tr(mode)))
                .s("mode", format!("{mode:04o}")),
        )
        .help(tr(M::WritableHelp).s("path", path.display()));
    }
    if let Some(euid) = env.euid {
        if meta.uid() != 0 && meta.uid() != euid {
            d.error(
                file,
                0..0,
                tr(M::OwnedByOther)
                    .s("path", path.display())
                    .s("uid", meta.uid()),
            )
            .help(tr(M::OwnedHelp).s("path", path.display()));
        }
    }
}

/// What the editors rule finds wrong with a case file or a case directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TeamProblem {
    /// Writable by others: never allowed.
    OthersWrite,
    /// Writable by its group, which is not the editors group.
    OtherGroupWrites { gid: u32 },
    /// Owned by someone who is neither root, us, nor an editor.
    Owner { uid: u32 },
    /// Carries a POSIX ACL: its group bits are then the ACL's mask, and
    /// another group or user may write it unseen.
    Acl,
}

/// SPEC section 6: a case file or a directory the includes name may be
/// owned by root, us or a member of `editors`, may be writable by the
/// group `editors` (by no other group), and never by others. `euid` None:
/// owners are not checked (as without editors).
pub(crate) fn editors_problems(
    path: &Path,
    meta: &std::fs::Metadata,
    euid: Option<u32>,
    e: &Editors,
) -> Vec<TeamProblem> {
    let mode = meta.mode() & 0o7777;
    let mut out = Vec::new();
    if crate::sys::has_acl(path) {
        out.push(TeamProblem::Acl);
    }
    if mode & 0o002 != 0 {
        out.push(TeamProblem::OthersWrite);
    }
    if mode & 0o020 != 0 && meta.gid() != e.gid {
        out.push(TeamProblem::OtherGroupWrites { gid: meta.gid() });
    }
    if let Some(euid) = euid {
        let uid = meta.uid();
        if uid != 0 && uid != euid && !e.has_member(uid) {
            out.push(TeamProblem::Owner { uid });
        }
    }
    out
}

/// A user's name for messages, or `uid N` when the system has none.
fn user_name(uid: u32) -> String {
    crate::sys::user_by_uid(uid).map_or_else(|| format!("uid {uid}"), |(n, _)| n)
}

/// A group's name for messages, or `gid N` when the system has none.
fn group_name(gid: u32) -> String {
    crate::sys::group_by_gid(gid).map_or_else(|| format!("gid {gid}"), |g| g.name)
}

impl TeamProblem {
    /// The message and hint for a case file, in the reader's language.
    fn file_text(self, path: &Path, mode: u32, e: &Editors) -> (Tr, Tr) {
        let p = path.display();
        match self {
            TeamProblem::OthersWrite => (
                tr(M::WritableBy)
                    .s("path", &p)
                    .t("who", tr(M::WhoOthers))
                    .s("mode", format!("{mode:04o}")),
                tr(M::OthersWriteHelp).s("path", &p),
            ),
            TeamProblem::OtherGroupWrites { gid } => (
                tr(M::WritableByGroupNotEditors)
                    .s("path", &p)
                    .s("group", group_name(gid))
                    .s("mode", format!("{mode:04o}"))
                    .s("editors", &e.name),
                tr(M::GroupHelp).s("path", &p).s("editors", &e.name),
            ),
            TeamProblem::Owner { uid } => (
                tr(M::OwnedByNonEditor)
                    .s("path", &p)
                    .s("user", user_name(uid))
                    .s("uid", uid)
                    .s("editors", &e.name),
                tr(M::OwnedNonEditorHelp)
                    .s("path", &p)
                    .s("user", user_name(uid))
                    .s("editors", &e.name),
            ),
            TeamProblem::Acl => (tr(M::HasAcl).s("path", &p), tr(M::AclHelp).s("path", &p)),
        }
    }

    /// The message and hint for a case directory (for the admin).
    fn dir_text(self, dir: &Path, mode: u32, e: &Editors) -> (String, String) {
        let d = dir.display();
        match self {
            TeamProblem::OthersWrite => (
                format!("directory {d} is writable by others (mode {mode:04o}): anyone on this machine can delete, replace or add case files in it"),
                format!("chmod o-w {d}"),
            ),
            TeamProblem::OtherGroupWrites { gid } => (
                format!(
                    "directory {d} is writable by its group {} (mode {mode:04o}); of the groups, only the editors group {} may write case directories",
                    group_name(gid),
                    e.name
                ),
                format!("give it to the editors group: chgrp {} {d} (or take the group's write away: chmod g-w {d})", e.name),
            ),
            TeamProblem::Owner { uid } => {
                let user = user_name(uid);
                (
                    format!(
                        "directory {d} is owned by {user} (uid {uid}), who is neither root, docket nor a member of the editors group {}",
                        e.name
                    ),
                    format!("make root the owner: chown root {d} (or add them to the editors: usermod -aG {} {user})", e.name),
                )
            }
            TeamProblem::Acl => (
                format!("directory {d} has an access control list (ACL): docket cannot tell who else may write in it"),
                format!("remove it (the group's mode bits are enough): setfacl -b -k {d}"),
            ),
        }
    }
}

/// A directory on the way to a config file that someone else could use to
/// replace, delete or add files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnsafeDir {
    pub dir: PathBuf,
    pub message: String,
    pub help: String,
    /// The problem is the case repository's (`cases_git` cannot be read),
    /// not a directory's permissions.
    pub repository: bool,
}

/// The directories where the editors rule applies instead of the strict
/// one: those the include globs name (canonical paths), never the main
/// config's own directory nor any directory above it.
pub(crate) struct Team<'a> {
    pub editors: &'a Editors,
    pub case_dirs: std::collections::BTreeSet<PathBuf>,
}

/// Check `dir` and every directory above it, like sshd's StrictModes: each
/// must be owned by root or by us, and not writable by group or others. A
/// sticky directory writable by all (`/tmp`) is accepted: its sticky bit
/// keeps others from renaming or deleting files they do not own, and the
/// files themselves are checked for their owner. With a [`Team`], a case
/// directory it names is judged by [`editors_problems`] instead.
pub(crate) fn unsafe_dirs(dir: &Path, env: &Env, team: Option<&Team<'_>>) -> Vec<UnsafeDir> {
    let mut out = Vec::new();
    let start = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    for d in start.ancestors() {
        let Ok(meta) = std::fs::metadata(d) else {
            continue;
        };
        let mode = meta.mode() & 0o7777;
        if let Some(t) = team.filter(|t| t.case_dirs.contains(d)) {
            out.extend(
                editors_problems(d, &meta, env.euid, t.editors)
                    .into_iter()
                    .map(|p| {
                        let (message, help) = p.dir_text(d, mode, t.editors);
                        UnsafeDir {
                            dir: d.to_path_buf(),
                            message,
                            help,
                            repository: false,
                        }
                    }),
            );
            continue;
        }
        let sticky = mode & 0o1000 != 0;
        if mode & 0o022 != 0 && !(sticky && mode & 0o002 != 0) {
            let above = if team.is_some() {
                " (only the directories the includes name may be written by the editors: this one stays root's alone)"
            } else {
                ""
            };
            out.push(UnsafeDir {
                dir: d.to_path_buf(),
                message: format!(
                    "directory {} is writable by {} (mode {:04o}): anyone who can write it can delete, replace or add config files{above}",
                    d.display(),
                    who_writes(mode),
                    mode
                ),
                help: if team.is_none() && mode & 0o022 == 0o020 {
                    format!("chmod go-w {} (for a team that edits the case files, set [service] editors to its group instead: docket.toml(5), \"editors\")", d.display())
                } else {
                    format!("chmod go-w {}", d.display())
                },
                repository: false,
            });
        }
        if let Some(euid) = env.euid {
            if meta.uid() != 0 && meta.uid() != euid {
                out.push(UnsafeDir {
                    dir: d.to_path_buf(),
                    message: format!(
                        "directory {} is owned by another user (uid {}), who can delete, replace or add config files in it",
                        d.display(),
                        meta.uid()
                    ),
                    help: format!("make root the owner: chown root {}", d.display()),
                    repository: false,
                });
            }
        }
    }
    out
}

fn who_writes_tr(mode: u32) -> M {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => M::WhoGroupOthers,
        (true, false) => M::WhoGroup,
        _ => M::WhoOthers,
    }
}

fn who_writes(mode: u32) -> &'static str {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "group and others",
        (true, false) => "its group",
        _ => "others",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file looked into (a near miss) is read only as a regular file
    /// under the config directory with no link on its path: not a link,
    /// not in a directory swapped for a link out, not a FIFO (not waited
    /// on), and not over the size limit (refused by its size, unread).
    #[test]
    fn a_file_looked_into_is_a_regular_file_under_the_root_with_no_link() {
        let t = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(t.path()).unwrap();
        let (root, outside) = (top.join("etc"), top.join("outside"));
        std::fs::create_dir_all(root.join("cases.d")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("x.toml.txt"), "SECRET").unwrap();
        std::fs::write(root.join("cases.d/a.toml.txt"), "mine").unwrap();
        std::os::unix::fs::symlink(outside.join("x.toml.txt"), root.join("cases.d/b.toml.txt"))
            .unwrap();
        std::os::unix::fs::symlink(&outside, root.join("linked.d")).unwrap();
        let fifo =
            std::ffi::CString::new(root.join("cases.d/c.toml.txt").to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let big = std::fs::File::create(root.join("cases.d/d.toml.txt")).unwrap();
        big.set_len(MAX_FILE_BYTES + 1).unwrap();
        let read = |rel: &str| read_looked_at(&root.join(rel), &root);
        assert_eq!(read("cases.d/a.toml.txt").unwrap(), b"mine");
        for rel in [
            "cases.d/b.toml.txt",
            "linked.d/x.toml.txt",
            "cases.d/c.toml.txt",
            "cases.d/d.toml.txt",
            "cases.d/none.toml.txt",
        ] {
            assert!(read(rel).is_err(), "{rel}");
        }
    }

    fn file_with(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("cases.toml");
        std::fs::write(&p, bytes).unwrap();
        (d, p)
    }

    /// Whatever size the `fstat` before said, the bytes read are the file's
    /// bytes: the same size (one read), a file that grew since (read on
    /// until the end), one that shrank (the short read is the end).
    #[test]
    fn a_sized_read_reads_the_whole_file_whatever_size_it_was_told() {
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let (_d, p) = file_with(&bytes);
        for told in [0, 1, 8191, 8192, 20_000, 49_999, 50_000, 50_001, 1 << 20] {
            let mut f = std::fs::File::open(&p).unwrap();
            assert_eq!(
                read_sized(&mut f, told, MAX_FILE_BYTES).unwrap(),
                bytes,
                "told {told}"
            );
        }
        let (_e, empty) = file_with(b"");
        let mut f = std::fs::File::open(&empty).unwrap();
        assert!(read_sized(&mut f, 0, MAX_FILE_BYTES).unwrap().is_empty());
    }

    /// A file longer than the limit (one that grew after its size was
    /// taken) is read only one byte past it, whatever size it was told:
    /// enough for the caller to refuse it, never the whole file.
    #[test]
    fn a_sized_read_stops_one_byte_past_the_limit() {
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let (_d, p) = file_with(&bytes);
        for (told, max) in [
            (0, 0),
            (10, 10),
            (8192, 20_000),
            (20_000, 20_000),
            (49_999, 49_999),
        ] {
            let mut f = std::fs::File::open(&p).unwrap();
            let got = read_sized(&mut f, told, max).unwrap();
            assert_eq!(got, &bytes[..max as usize + 1], "told {told}, limit {max}");
        }
    }

    /// The metadata handed back is the file's, as a `stat` of the path
    /// gives it: the owner and mode check and the change detection read it.
    #[test]
    fn a_read_hands_back_the_metadata_of_the_file_it_read() {
        use std::os::unix::fs::MetadataExt;
        let (_d, p) = file_with(b"[[case]]\nid = \"KZ-1\"\n");
        let mut d = Diagnostics::default();
        let (text, meta) = read_text_stat(&p, &mut d).unwrap();
        assert_eq!(text, "[[case]]\nid = \"KZ-1\"\n");
        let looked = std::fs::metadata(&p).unwrap();
        assert_eq!(
            (meta.ino(), meta.size(), meta.mode(), meta.mtime_nsec()),
            (
                looked.ino(),
                looked.size(),
                looked.mode(),
                looked.mtime_nsec()
            )
        );
        assert!(d.items.is_empty());
    }
}
