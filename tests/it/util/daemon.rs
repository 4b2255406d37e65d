//! A daemon process for tests that signal it, and reading its log.

use super::run::{docket_command, quiet_env};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Remove ANSI colour escapes (`ESC [ ... letter`) from log text.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Call `f` every 50 ms until it returns Some, at most `timeout`.
pub fn poll<T>(timeout: std::time::Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if std::time::Instant::now() >= end {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Kills the daemon if the test fails before it is stopped.
pub struct Daemon {
    pub child: std::process::Child,
    pub log: PathBuf,
}

impl Daemon {
    /// `docket run --today TODAY`, its stderr into `log`.
    pub fn start(cfg: &Path, today: &str, log: PathBuf) -> Daemon {
        Daemon::spawn(cfg, &["run", "--today", today], &[], log)
    }

    /// `docket -c CFG ARGS` with extra environment variables.
    pub fn spawn(cfg: &Path, args: &[&str], envs: &[(&str, &str)], log: PathBuf) -> Daemon {
        Daemon::spawn_command(&mut docket_command(cfg, args), envs, log)
    }

    /// Any command that runs docket (a shell that execs it, say).
    pub fn spawn_command(c: &mut Command, envs: &[(&str, &str)], log: PathBuf) -> Daemon {
        let err = std::fs::File::create(&log).unwrap();
        quiet_env(c);
        let child = c
            .envs(envs.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(err)
            .spawn()
            .expect("start docket run");
        Daemon { child, log }
    }

    pub fn log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    pub fn signal(&self, sig: libc::c_int) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig})");
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Wait (15 s at most) until the log has `n` lines containing `needle`.
    #[track_caller]
    pub fn wait_log(&mut self, needle: &str, n: usize) -> String {
        let got = poll(std::time::Duration::from_secs(15), || {
            let log = self.log();
            (log.matches(needle).count() >= n).then_some(log)
        });
        match got {
            Some(log) => log,
            None => panic!(
                "no {n}x {needle:?} within 15 s (alive: {}); log:\n{}",
                self.alive(),
                self.log()
            ),
        }
    }
}

impl Daemon {
    /// SIGTERM, then wait (15 s at most) for the exit status.
    #[track_caller]
    pub fn stop(&mut self) -> std::process::ExitStatus {
        self.signal(libc::SIGTERM);
        let status = poll(std::time::Duration::from_secs(15), || {
            self.child.try_wait().unwrap()
        });
        status.unwrap_or_else(|| panic!("no exit within 15 s:\n{}", self.log()))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
