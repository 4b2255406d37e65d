//! Running `docket`, writing its configs and reading what it printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `docket` binary.
pub fn docket_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_docket"))
}

/// Run `docket -c CONFIG ARGS...` and capture its output.
pub fn docket(config: &Path, args: &[&str]) -> Output {
    docket_command(config, args).output().expect("run docket")
}

/// The `[service]` table of a daemon test: state in `state_dir`, the
/// admin `it@ngo.example`, a schedule that never fires during a test
/// (passes come from edits or `run --once`). `extra` lines go at its end
/// (`include = [...]`, …). Every daemon test's config starts here.
pub fn service_table(state_dir: &str, extra: &str) -> String {
    format!(
        "[service]\ntimezone = \"Asia/Almaty\"\nstate_dir = \"{state_dir}\"\nschedule = \"0 0 9 1 1 *\"\nadmin = \"it@ngo.example\"\n{extra}"
    )
}

/// The file transport's `[mail]` lines (after the header): the outbox in
/// `outbox/`.
pub const FILE_MAIL: &str =
    "transport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <docket@ngo.example>\"\n";

/// [`service_table`] with case files in `cases.d/`, and the file
/// transport's `[mail]`.
pub fn daemon_head(extra: &str) -> String {
    format!(
        "{}\n[mail]\n{FILE_MAIL}",
        service_table("state", &format!("include = [\"cases.d/*.toml\"]\n{extra}"))
    )
}

/// `docket run --once --today DAY`, whatever its exit code.
pub fn run_once_on(config: &Path, day: &str) -> Output {
    docket(config, &["run", "--once", "--today", day])
}

/// `docket run --once --today DAY`, with the given exit code expected.
#[track_caller]
pub fn run_once(config: &Path, day: &str, want: i32) -> Output {
    let o = run_once_on(config, day);
    assert_exit(&o, want);
    o
}

/// `docket -c CONFIG ARGS...`, with nothing inherited that would change
/// what it does (a config or state dir from the environment, systemd's
/// sockets, the journal).
pub fn docket_command(config: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(docket_bin());
    c.arg("-c").arg(config).args(args);
    quiet_env(&mut c);
    c
}

/// No inherited docket, systemd or journal settings, and a cache of the
/// test run's own.
pub fn quiet_env(c: &mut Command) {
    for v in [
        "DOCKET_CONFIG",
        "STATE_DIRECTORY",
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "WATCHDOG_PID",
        "JOURNAL_STREAM",
    ] {
        c.env_remove(v);
    }
    // `upcoming` keeps an index in the user's cache (src/index.rs): one of
    // the test run's own, so every test that edits a config and runs
    // `upcoming` again also checks that no index answers for old files.
    c.env(
        "XDG_CACHE_HOME",
        std::env::temp_dir().join("docket-test-cache"),
    );
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Write `text` to `dir/name` with mode 0600 and return the path.
pub fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

/// [`write_config`] as an editor that saves atomically does it: the new
/// text in a file beside, renamed over the old. A daemon that reads the
/// file at any moment (a watch's reload, a SIGHUP's) sees the old text or
/// the new one, never the file half written.
pub fn replace_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    let file = p.file_name().unwrap().to_string_lossy();
    let tmp = p.with_file_name(format!(".{file}.new"));
    std::fs::write(&tmp, text).unwrap();
    chmod(&tmp, 0o600);
    std::fs::rename(&tmp, &p).unwrap();
    p
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// Helpers for `cli` and `config_data`.

/// Set the permission bits of `path`.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Copy the file `src` into `dir` under the same name with mode 0600 (git
/// checks files out 0644, which `docket` warns about) and return the copy.
pub fn copy_config(src: &Path, dir: &Path) -> PathBuf {
    let name = src.file_name().expect("a file name");
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
    chmod(&dst, 0o600);
    dst
}

/// Copy the directory tree `src` to `dst`: directories 0700, files 0600.
pub fn copy_tree_private(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    chmod(dst, 0o700);
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree_private(&entry.path(), &to);
        } else {
            copy_config(&entry.path(), dst);
        }
    }
}

/// Write raw bytes (e.g. not UTF-8) to `dir/name` with mode 0600.
pub fn write_config_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    chmod(&p, 0o600);
    p
}

/// Standard output parsed as JSON; panics with the output when it is not.
pub fn stdout_json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

/// The process exited with `want`; else show its output.
#[track_caller]
pub fn assert_exit(o: &Output, want: i32) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "exit code\nstdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

/// A string field of a JSON row.
#[track_caller]
pub fn field<'a>(row: &'a serde_json::Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {row}"))
}

/// `docket history --format json` as rows (exit 0 expected).
#[track_caller]
pub fn history(cfg: &Path) -> Vec<serde_json::Value> {
    let o = docket(cfg, &["history", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "history: {}", stderr(&o));
    stdout_json(&o).as_array().expect("an array").clone()
}

/// Set the modification time of `path` (to order files, or to leave only
/// the bytes to tell an edit).
pub fn set_mtime(path: &Path, t: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}
