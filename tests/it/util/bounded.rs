//! Helpers for `hostile`: running docket under a time limit and measuring it.

use super::run::{chmod, docket_bin};
use std::path::{Path, PathBuf};
use std::process::Command;

/// How a bounded run of a child process went.
#[derive(Debug)]
pub struct Bounded {
    /// The exit code; None when killed by a signal (a crash, or our timeout).
    pub code: Option<i32>,
    /// The signal that ended it, if any (SIGSEGV/SIGABRT: a crash).
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub elapsed: std::time::Duration,
    /// Peak resident set size of the child in KiB: the largest `VmHWM` of
    /// `/proc/PID/status`, sampled every few milliseconds while it runs
    /// (wait4's `ru_maxrss` cannot be used: Linux carries the high-water
    /// mark of the forking test process across exec).
    pub max_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
}

impl Bounded {
    /// A one-line summary for assertion messages, with the start of stderr.
    pub fn summary(&self) -> String {
        let head: String = self.stderr.chars().take(600).collect();
        format!(
            "code {:?}, signal {:?}, timed out {}, {:.2?}, peak RSS {} MiB, stderr {} bytes:\n{head}",
            self.code,
            self.signal,
            self.timed_out,
            self.elapsed,
            self.max_rss_kib / 1024,
            self.stderr.len()
        )
    }
}

/// `VmHWM` (peak RSS, KiB) of a running process, if it can be read.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `docket -c CONFIG ARGS...`, killing it after `limit`. Output goes to
/// files (a pipe that nobody drains could block the child).
pub fn docket_bounded(config: &Path, args: &[&str], limit: std::time::Duration) -> Bounded {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let start = std::time::Instant::now();
    let mut child = Command::new(docket_bin())
        .arg("-c")
        .arg(config)
        .args(args)
        .env_remove("DOCKET_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("run docket");
    let pid = child.id();
    let mut max_rss_kib = 0;
    let mut timed_out = false;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            max_rss_kib = max_rss_kib.max(kib);
        }
        if let Some(st) = child.try_wait().expect("wait for docket") {
            break st;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for docket");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    use std::os::unix::process::ExitStatusExt;
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    Bounded {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        elapsed,
        max_rss_kib,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Create `dir/name` (mode 0600) as a sparse file of `len` bytes: its size
/// is `len` but it takes no disk space and no time to write.
pub fn write_sparse(dir: &Path, name: &str, len: u64) -> PathBuf {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(len).unwrap();
    chmod(&p, 0o600);
    p
}
