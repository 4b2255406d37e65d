//! The watcher under a hostile host (issue 17, items 5 and 8): a `cases.d`
//! replaced behind docket's back is followed, and inotify limits that are
//! used up make docket tell the admin, say so in `status.json` and the
//! metrics, poll the files meanwhile, and go back to watching when it can.
//!
//! A real daemon process on real files, with the file transport, like
//! `tests/it/live.rs`. Every wait polls for the outcome with a generous
//! deadline ([`WAIT`]); the time it took is printed (`--nocapture`) and
//! recorded in the notes, never asserted.
//!
//! D = 2026-06-02. A hearing on 2026-06-03 with `lead_days = [1]` is
//! reminded on D; one on 2026-06-30 is not due yet.

use crate::util::{docket_command, outbox_mails, poll, write_config, Daemon, Mail};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const D: &str = "2026-06-02";
/// Generous: a debug build on two shared cores. The expected time is a
/// few seconds (see the notes for measured figures).
const WAIT: Duration = Duration::from_secs(60);

fn main_config(dir: &Path) -> PathBuf {
    write_config(
        dir,
        "docket.toml",
        &format!(
            "{}{}",
            crate::util::daemon_head(&format!(
                "metrics_file = \"{}/metrics.prom\"\n",
                dir.display()
            )),
            r#"
[kinds.court_hearing]
label = "Court hearing"
lead_days = [1]

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"
"#
        ),
    )
}

/// A case file: one hearing on `date`, with a fictional person.
fn case(id: &str, cw: &str, date: &str) -> String {
    format!(
        "[[case]]\nid = \"{id}\"\ncaseworker = \"{cw}\"\nperson = \"Aigerim Testova\"\n\n  [[case.event]]\n  kind = \"court_hearing\"\n  title = \"Hearing\"\n  date = {date}\n"
    )
}

fn mails(dir: &Path) -> Vec<Mail> {
    outbox_mails(&dir.join("outbox"))
}

/// Wait (at most [`WAIT`]) for a mail to `to` whose subject contains
/// `subject`; returns how long it took.
#[track_caller]
fn wait_mail(dir: &Path, d: &Daemon, to: &str, subject: &str) -> Duration {
    let t0 = Instant::now();
    let found = poll(WAIT, || {
        mails(dir).into_iter().find(|m| {
            m.header("To") == Some(to) && m.header("Subject").unwrap_or("").contains(subject)
        })
    });
    if found.is_none() {
        let got: Vec<String> = mails(dir)
            .iter()
            .map(|m| format!("{:?} {:?}", m.header("To"), m.header("Subject")))
            .collect();
        panic!(
            "no mail to {to} with {subject:?} within {WAIT:?}; mails: {got:#?}\nlog:\n{}",
            d.log()
        );
    }
    t0.elapsed()
}

/// Start on KZ-0001 (not due), then replace `cases.d` with `replace`,
/// write a case due tomorrow 4 s later (as in the report), and wait for
/// its reminder. Returns the time from writing the file to the reminder.
fn new_case_after(setup: impl FnOnce(&Path), replace: impl FnOnce(&Path)) -> Duration {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = main_config(dir);
    setup(dir);
    let mut d = Daemon::start(&cfg, D, dir.join("docket.log"));
    d.wait_log("pass done", 1);
    replace(dir);
    std::thread::sleep(Duration::from_secs(4));
    write_config(
        dir,
        "cases.d/kz-0002.toml",
        &case("KZ-0002", "dana", "2026-06-03"),
    );
    let took = wait_mail(dir, &d, "dana@ngo.example", "KZ-0002");
    eprintln!(
        "measured: new case reminded {} ms after it was written",
        took.as_millis()
    );
    took
}

/// `cases.d` as a real directory holding KZ-0001.
fn real_dir(dir: &Path) {
    write_config(
        dir,
        "cases.d/kz-0001.toml",
        &case("KZ-0001", "aigerim", "2026-06-30"),
    );
}

/// A copy of `cases.d`'s files into `to` (new inodes, same content).
fn copy_cases(dir: &Path, to: &str) {
    write_config(
        dir,
        &format!("{to}/kz-0001.toml"),
        &case("KZ-0001", "aigerim", "2026-06-30"),
    );
}

/// Item 5: `mv cases.d cases.d.old; mkdir cases.d; cp ...` — the watch
/// stayed on the old directory, and the re-created one (same content, so
/// no reload "applied") was never watched.
#[test]
fn a_replaced_cases_dir_is_followed_moved_aside_and_recreated() {
    new_case_after(real_dir, |dir| {
        std::fs::rename(dir.join("cases.d"), dir.join("cases.d.old")).unwrap();
        copy_cases(dir, "cases.d");
    });
}

/// Item 5: `cases.d` swapped for a symlink to a copy of it.
#[test]
fn a_replaced_cases_dir_is_followed_swapped_for_a_symlink() {
    new_case_after(real_dir, |dir| {
        copy_cases(dir, "cases.v2");
        std::fs::rename(dir.join("cases.d"), dir.join("cases.d.old")).unwrap();
        std::os::unix::fs::symlink("cases.v2", dir.join("cases.d")).unwrap();
    });
}

/// Item 5: `cases.d` a symlink, retargeted atomically the way deploy
/// tools do it: `ln -s cases.v2 cases.d.new && mv -T cases.d.new cases.d`.
#[test]
fn a_replaced_cases_dir_is_followed_symlink_retargeted_with_mv_t() {
    new_case_after(
        |dir| {
            copy_cases(dir, "cases.v1");
            std::os::unix::fs::symlink("cases.v1", dir.join("cases.d")).unwrap();
        },
        |dir| {
            copy_cases(dir, "cases.v2");
            std::os::unix::fs::symlink("cases.v2", dir.join("cases.d.new")).unwrap();
            let st = std::process::Command::new("mv")
                .arg("-T")
                .arg(dir.join("cases.d.new"))
                .arg(dir.join("cases.d"))
                .status()
                .unwrap();
            assert!(st.success());
        },
    );
}

/// The user the exhaustion test runs docket as (created once, reused).
const USER: &str = "docket-inotify-test";

fn test_user() -> (u32, u32) {
    let o = std::process::Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "--user-group",
            USER,
        ])
        .output()
        .expect("useradd");
    // 9: it exists already (an earlier run).
    assert!(
        o.status.success() || o.status.code() == Some(9),
        "useradd: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let id = |flag: &str| -> u32 {
        let o = std::process::Command::new("id")
            .args([flag, USER])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

/// A process of [`USER`] holding every inotify instance that user may
/// have (`fs.inotify.max_user_instances` is counted per real uid). Killed
/// on drop, even when the test panics: that is "the limit restored".
struct Exhauster(std::process::Child);

impl Exhauster {
    fn start(uid: u32, gid: u32) -> Exhauster {
        use std::io::BufRead;
        const SCRIPT: &str = r#"
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
fds = []
while True:
    fd = libc.inotify_init1(0)
    if fd < 0:
        break
    fds.append(fd)
print(len(fds), ctypes.get_errno(), flush=True)
sys.stdin.read()
"#;
        let mut child = std::process::Command::new("/usr/bin/python3")
            .args(["-c", SCRIPT])
            .uid(uid)
            .gid(gid)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let errno: i32 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert_eq!(errno, libc::EMFILE, "instances not used up: {line}");
        Exhauster(child)
    }
}

impl Drop for Exhauster {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chown_tree(p: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::lchown(p, Some(uid), Some(gid)).unwrap();
    if p.is_dir() && !p.is_symlink() {
        for e in std::fs::read_dir(p).unwrap() {
            chown_tree(&e.unwrap().path(), uid, gid);
        }
    }
}

fn status_watch(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("state/status.json")).unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|v| v["watch"].clone())
        .unwrap_or_default()
}

#[track_caller]
fn wait_for(what: &str, d: &Daemon, mut ok: impl FnMut() -> bool) {
    if poll(WAIT, || ok().then_some(())).is_none() {
        panic!("{what}: not within {WAIT:?}; log:\n{}", d.log());
    }
}

/// Item 8: with the inotify instances used up at start, docket tells the
/// admin, shows `polling` in `status.json` and `docket_config_watch_polling 1`
/// in the metrics, sees a new case by polling, and once the limit is
/// restored (and a SIGHUP sent) watches again, says so, and sees the
/// next case by inotify.
///
/// Real limits, without touching the machine's: lowering
/// `/proc/sys/fs/inotify/max_user_*` would hit every root process,
/// other tests running in parallel included. The limits count per real
/// uid, so docket runs as a user of its own ([`USER`], made with
/// `useradd`), and a process of that user holds all of its inotify
/// instances ([`Exhauster`]); killing that process (also on panic, by
/// its `Drop`) is the limit restored. Nobody else is affected.
#[test]
fn inotify_exhaustion_is_told_polled_and_recovered() {
    let (uid, gid) = test_user();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = main_config(dir);
    real_dir(dir);
    std::fs::create_dir_all(dir.join("state")).unwrap();
    std::fs::create_dir_all(dir.join("outbox")).unwrap();
    chown_tree(dir, uid, gid);
    let exhauster = Exhauster::start(uid, gid);

    let mut c = docket_command(&cfg, &["run", "--today", D]);
    c.uid(uid).gid(gid);
    let mut d = Daemon::spawn_command(&mut c, &[], dir.join("docket.log"));
    d.wait_log("pass done", 1);

    // Told, shown, counted.
    wait_mail(dir, &d, "it@ngo.example", "edits are noticed by polling");
    let m = mails(dir)
        .into_iter()
        .find(|m| m.header("Subject").unwrap_or("").contains("polling"))
        .unwrap();
    assert!(m.body.contains("max_user_instances"), "{}", m.body);
    wait_for("status.json says polling", &d, || {
        status_watch(dir)["mode"] == "polling"
    });
    let w = status_watch(dir);
    assert!(
        w["reason"].as_str().unwrap().contains("instance limit"),
        "{w}"
    );
    assert_eq!(w["poll_every_secs"], 2, "{w}");
    // The metrics file is rewritten right after status.json: wait for it
    // too (it failed as "No such file" once, read between the two writes).
    wait_for("the metrics say polling", &d, || {
        std::fs::read_to_string(dir.join("metrics.prom"))
            .is_ok_and(|m| m.contains("docket_config_watch_polling 1\n"))
    });
    let st = crate::util::docket(&cfg, &["status"]);
    assert!(
        crate::util::stdout(&st).contains("POLLING every 2 s"),
        "{}",
        crate::util::stdout(&st)
    );

    // Seen by polling.
    write_config(
        dir,
        "cases.d/kz-0002.toml",
        &case("KZ-0002", "dana", "2026-06-03"),
    );
    chown_tree(&dir.join("cases.d"), uid, gid);
    let took = wait_mail(dir, &d, "dana@ngo.example", "KZ-0002");
    eprintln!(
        "measured: polling, new case reminded after {} ms",
        took.as_millis()
    );

    // The limit restored, and a SIGHUP: watching again, told, cleared.
    drop(exhauster);
    d.signal(libc::SIGHUP);
    wait_mail(dir, &d, "it@ngo.example", "edits are watched again");
    wait_for("status.json says inotify", &d, || {
        status_watch(dir)["mode"] == "inotify"
    });
    wait_for("the metrics say watching", &d, || {
        std::fs::read_to_string(dir.join("metrics.prom"))
            .is_ok_and(|m| m.contains("docket_config_watch_polling 0\n"))
    });

    // Seen by the watch.
    write_config(
        dir,
        "cases.d/kz-0003.toml",
        &case("KZ-0003", "aigerim", "2026-06-03"),
    );
    chown_tree(&dir.join("cases.d"), uid, gid);
    let took = wait_mail(dir, &d, "aigerim@ngo.example", "KZ-0003");
    eprintln!(
        "measured: inotify again, new case reminded after {} ms",
        took.as_millis()
    );
    d.stop();
}
