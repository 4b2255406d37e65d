//! Regression tests for reminders that stopped (issue 8, items 7–14): a
//! real daemon process, real files, a real tmpfs, and a fake SMTP server
//! where Postfix cannot misbehave on demand.
//!
//! Dates: D = 2026-06-02, a Tuesday and a working day. Every case has a
//! document expiring on Tuesday 2026-06-30 with `lead_days = [28]`, so its
//! one reminder is due on D.

use crate::fake_smtp::{Behaviour, FakeSmtp};
use crate::util::run_once_on;
use crate::util::{
    closed_port, history, outbox_mails, parse_mail, poll, stderr, write_config, Daemon, Tmpfs,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const D: &str = "2026-06-02";

/// `[mail]` for a plain SMTP relay on loopback.
fn smtp(port: u16, timeout_secs: u64) -> String {
    format!(
        "transport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"Docket <docket@ngo.example>\"\ntimeout_secs = {timeout_secs}\n"
    )
}

fn file_mail() -> String {
    "transport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <docket@ngo.example>\"\n".into()
}

/// A config with caseworkers cw0..cwN, each with one case due on D
/// (`expires` set to a later day for nothing due).
fn config(state_dir: &str, mail: &str, caseworkers: usize, expires: &str) -> String {
    let mut t = format!(
        "{}\n[mail]\n{mail}\n[reminders]\nlead_days = [28]\n\n[kinds.refugee_certificate]\nlabel = \"Refugee certificate\"\n",
        crate::util::service_table(state_dir, "")
    );
    for i in 0..caseworkers {
        t += &format!(
            "\n[[caseworker]]\nid = \"cw{i}\"\nemail = \"cw{i}@ngo.example\"\n\n[[case]]\nid = \"KZ-{i:04}\"\ncaseworker = \"cw{i}\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = {expires}\n"
        );
    }
    t
}

// ------------------------------------------------------------ item 7

#[test]
fn watchdog_is_pinged_all_through_a_long_pass() {
    use std::os::unix::net::UnixDatagram;
    let tmp = tempfile::tempdir().unwrap();
    // A healthy but slow relay: every reply takes 80 ms.
    let relay = FakeSmtp::start(Behaviour {
        reply_delay: Duration::from_millis(80),
        ..Default::default()
    });
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        // One connection: eight slow sends in a row make the long pass.
        &config(
            "state",
            &format!("{}\nconnections = 1", smtp(relay.port, 5)),
            8,
            "2026-06-30",
        ),
    );
    let sock_path = tmp.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let t0 = Instant::now();
    let log = tmp.path().join("docket.log");
    // systemd sets WATCHDOG_PID to the service's pid: a shell that execs
    // docket gives it its own pid.
    let script = format!(
        "WATCHDOG_PID=$$ exec {} -c {} run --today {D}",
        crate::util::docket_bin().display(),
        cfg.display()
    );
    let mut d = Daemon::spawn_command(
        std::process::Command::new("sh").args(["-c", &script]),
        &[
            ("NOTIFY_SOCKET", sock_path.to_str().unwrap()),
            ("WATCHDOG_USEC", "1000000"),
        ],
        log,
    );
    // (elapsed, datagram) until the first pass is done.
    let mut got: Vec<(Duration, String)> = Vec::new();
    let mut buf = [0u8; 512];
    while t0.elapsed() < Duration::from_secs(60) && !d.log().contains("pass done") {
        if let Ok(n) = sock.recv(&mut buf) {
            got.push((
                t0.elapsed(),
                String::from_utf8_lossy(&buf[..n]).into_owned(),
            ));
        }
    }
    let done = t0.elapsed();
    let log = d.log();
    assert!(
        log.contains("pass done") && log.contains("digests_sent=8"),
        "{log}"
    );
    let ready = got
        .iter()
        .find(|(_, m)| m.contains("READY=1"))
        .map(|(t, _)| *t)
        .unwrap_or_else(|| panic!("no READY=1: {got:?}"));
    assert!(
        done - ready > Duration::from_secs(2),
        "the pass was not long: {:?}",
        done - ready
    );
    let pings: Vec<Duration> = got
        .iter()
        .filter(|(_, m)| m.contains("WATCHDOG=1"))
        .map(|(t, _)| *t)
        .collect();
    // With WatchdogSec=1 s docket pings every 0.5 s: no gap during the
    // pass may reach the watchdog interval.
    let mut marks = vec![ready];
    marks.extend(pings.iter().copied().filter(|&t| t > ready));
    marks.push(done);
    let gap = marks.windows(2).map(|w| w[1] - w[0]).max().unwrap();
    assert!(
        gap < Duration::from_millis(900),
        "a {gap:?} gap without WATCHDOG=1 during the pass: {got:?}"
    );
    assert_eq!(d.stop().code(), Some(0));
}

// ------------------------------------------------------------ item 8

#[test]
fn disk_full_during_a_pass_keeps_every_digest_queued_with_a_retry_and_tells_the_admin_as_root() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let _fs = Tmpfs::mount(&state, "size=1m,mode=0700");
    let relay = FakeSmtp::start(Behaviour::default());
    // Nothing due at start: the ledger is created with room to spare.
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &smtp(relay.port, 5), 20, "2026-12-30"),
    );
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket.log"));
    d.wait_log("pass done", 1);
    // Fill the disk to the last byte.
    let filler = state.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[0]).is_ok() {}
    }
    // Twenty cases now due: the pass cannot record them.
    write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &smtp(relay.port, 5), 20, "2026-06-30"),
    );
    d.signal(libc::SIGHUP);
    let log = d.wait_log("pass failed; every queued digest is retried then", 1);
    assert!(log.contains("retry_at="), "{log}");
    // The admin hears of it, by mail: mail does not need the ledger.
    let admin = poll(Duration::from_secs(15), || {
        relay
            .accepted()
            .into_iter()
            .find(|m| m.contains("a pass failed"))
    })
    .unwrap_or_else(|| panic!("no admin mail; log:\n{}", d.log()));
    let m = parse_mail(&admin);
    assert_eq!(m.header("To"), Some("it@ngo.example"));
    assert!(m.body.contains("free space in"), "{}", m.body);
    assert!(d.alive());
    // Space again: the next pass (here forced by a reload) delivers every
    // digest, once.
    std::fs::remove_file(&filler).unwrap();
    d.signal(libc::SIGHUP);
    d.wait_log("digests_sent=20", 1);
    let digests: Vec<String> = relay
        .accepted()
        .into_iter()
        .filter(|m| m.contains("KZ-"))
        .collect();
    assert_eq!(digests.len(), 20, "each digest exactly once");
    let rows = history(&cfg);
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r["state"] == "sent"), "{rows:?}");
    assert_eq!(d.stop().code(), Some(0));
}

// ------------------------------------------------------------ item 9

/// Damage the ledger in `state` one of three ways.
fn damage(ledger: &Path, how: &str) {
    let mut bytes = std::fs::read(ledger).unwrap();
    assert!(
        bytes.len() >= 4 * 4096,
        "a ledger of several pages: {}",
        bytes.len()
    );
    match how {
        "cut in half" => bytes.truncate(bytes.len() / 2),
        "random pages" => {
            let mut rng = crate::util::Rng::new(7);
            for page in (1..bytes.len() / 4096).step_by(2) {
                for b in &mut bytes[page * 4096..page * 4096 + 4096] {
                    *b = rng.next() as u8;
                }
            }
        }
        "header overwritten" => bytes[..100].copy_from_slice(&[0x5a; 100]),
        _ => unreachable!(),
    }
    std::fs::write(ledger, bytes).unwrap();
}

#[test]
fn damaged_ledger_is_set_aside_a_fresh_one_started_the_admin_told_and_reminders_go_on() {
    for how in ["cut in half", "random pages", "header overwritten"] {
        let tmp = tempfile::tempdir().unwrap();
        // 60 cases sent on D build a ledger of several pages.
        let cfg = write_config(
            tmp.path(),
            "docket.toml",
            &config("state", &file_mail(), 60, "2026-06-30"),
        );
        let o = run_once_on(&cfg, D);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let ledger = tmp.path().join("state/ledger.sqlite3");
        damage(&ledger, how);
        let ids = |ms: &[crate::util::Mail]| -> std::collections::BTreeSet<String> {
            ms.iter().map(|m| m.raw.clone()).collect()
        };
        let before = ids(&outbox_mails(&tmp.path().join("outbox")));
        // A week later a new case is due.
        let later = config("state", &file_mail(), 60, "2026-06-30")
            + "\n[[case]]\nid = \"KZ-NEW\"\ncaseworker = \"cw0\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-07-07\n";
        write_config(tmp.path(), "docket.toml", &later);
        let o = run_once_on(&cfg, "2026-06-09");
        let se = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{how}: {se}");
        assert!(se.contains("the ledger was damaged"), "{how}: {se}");
        let aside: Vec<PathBuf> = std::fs::read_dir(tmp.path().join("state"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains("ledger.sqlite3.corrupt-"))
            .collect();
        assert!(!aside.is_empty(), "{how}: the damaged file is kept");
        let mails = outbox_mails(&tmp.path().join("outbox"));
        let new: Vec<&crate::util::Mail> =
            mails.iter().filter(|m| !before.contains(&m.raw)).collect();
        assert!(
            new.iter().any(|m| m.raw.contains("KZ-NEW")),
            "{how}: the new reminder went out"
        );
        let admin: Vec<_> = new
            .iter()
            .filter(|m| m.header("To") == Some("it@ngo.example"))
            .collect();
        assert_eq!(admin.len(), 1, "{how}: one mail to the admin");
        assert!(
            admin[0].body.contains("kept as"),
            "{how}: {}",
            admin[0].body
        );
        // The fresh ledger works: history reads it.
        assert!(history(&cfg).iter().any(|r| r["case"] == "KZ-NEW"), "{how}");
    }
}

#[test]
fn read_only_state_dir_is_reported_by_name_and_reminders_go_on_as_root() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let _fs = Tmpfs::mount(&state, "ro,size=1m");
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &file_mail(), 2, "2026-06-30"),
    );
    let o = run_once_on(&cfg, D);
    let se = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{se}");
    let named = format!("state directory {} is not writable", state.display());
    assert!(se.contains(&named), "names the directory: {se}");
    let mails = outbox_mails(&tmp.path().join("outbox"));
    assert_eq!(
        mails.iter().filter(|m| m.raw.contains("KZ-")).count(),
        2,
        "the reminders went out"
    );
    let admin: Vec<_> = mails
        .iter()
        .filter(|m| m.header("To") == Some("it@ngo.example"))
        .collect();
    assert_eq!(admin.len(), 1);
    assert!(
        admin[0].body.contains("cannot keep its ledger"),
        "{}",
        admin[0].body
    );
    assert!(
        admin[0].body.contains(&state.display().to_string()),
        "{}",
        admin[0].body
    );
}

// ------------------------------------------------------------ item 10

#[test]
fn queued_digest_of_a_removed_caseworker_is_cancelled_and_the_daemon_goes_idle() {
    let tmp = tempfile::tempdir().unwrap();
    // The relay is down: both digests stay queued.
    let down = smtp(closed_port(), 2);
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &down, 2, "2026-06-30"),
    );
    assert_eq!(run_once_on(&cfg, D).status.code(), Some(1));
    // cw1 leaves; mail works again.
    let text = config("state", &file_mail(), 2, "2026-06-30");
    let cut = text.find("\n[[caseworker]]\nid = \"cw1\"").unwrap();
    write_config(tmp.path(), "docket.toml", &text[..cut]);
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket.log"));
    let log = d.wait_log("idle until the next scheduled pass", 1);
    assert_eq!(
        log.matches("pass done").count(),
        1,
        "no pass after the first:\n{log}"
    );
    assert!(log.contains("queued digest cancelled"), "{log}");
    let rows = history(&cfg);
    let state_of = |case: &str| {
        rows.iter()
            .find(|r| r["case"] == case)
            .map(|r| r["state"].as_str().unwrap().to_string())
    };
    assert_eq!(state_of("KZ-0000").as_deref(), Some("sent"));
    assert_eq!(state_of("KZ-0001").as_deref(), Some("cancelled"));
    let admin: Vec<_> = outbox_mails(&tmp.path().join("outbox"))
        .into_iter()
        .filter(|m| m.header("To") == Some("it@ngo.example"))
        .collect();
    assert_eq!(admin.len(), 1);
    assert!(
        admin[0].body.contains("cw1 is no longer in the config"),
        "{}",
        admin[0].body
    );
    assert!(admin[0].body.contains("KZ-0001"), "{}", admin[0].body);
    assert_eq!(d.stop().code(), Some(0));
}

// ------------------------------------------------------------ item 11

#[test]
fn reload_with_a_new_state_dir_moves_the_ledger_there() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state1", &file_mail(), 1, "2026-06-30"),
    );
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket.log"));
    d.wait_log("pass done", 1);
    write_config(
        tmp.path(),
        "docket.toml",
        &config("state2", &file_mail(), 2, "2026-06-30"),
    );
    d.signal(libc::SIGHUP);
    d.wait_log("ledger moved to the new state_dir", 1);
    d.wait_log("pass done", 2);
    assert!(tmp.path().join("state2/ledger.sqlite3").exists());
    let rows = history(&cfg);
    // The new ledger records the new case; the old one keeps the old.
    assert!(
        rows.iter()
            .any(|r| r["case"] == "KZ-0001" && r["state"] == "sent"),
        "{rows:?}"
    );
    let old = write_config(
        tmp.path(),
        "old.toml",
        &config("state1", &file_mail(), 2, "2026-06-30"),
    );
    let old_rows = history(&old);
    assert_eq!(old_rows.len(), 1, "{old_rows:?}");
    assert!(d.alive());
    assert_eq!(d.stop().code(), Some(0));
}

// ------------------------------------------------------------ item 12

#[test]
fn slow_but_alive_relay_gets_its_message_through() {
    // Each reply takes 0.4 s; a send is about ten of them, longer than
    // timeout_secs = 2, but no single reply is.
    let relay = FakeSmtp::start(Behaviour {
        reply_delay: Duration::from_millis(400),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &smtp(relay.port, 2), 1, "2026-06-30"),
    );
    let o = run_once_on(&cfg, D);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(relay.accepted().len(), 1);
}

#[test]
fn hung_relay_is_given_up_on_after_the_reply_timeout() {
    let relay = FakeSmtp::start(Behaviour {
        hang_after_data: true,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &smtp(relay.port, 2), 1, "2026-06-30"),
    );
    let t0 = Instant::now();
    let o = run_once_on(&cfg, D);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        t0.elapsed() < Duration::from_secs(12),
        "took {:?}",
        t0.elapsed()
    );
    assert!(history(&cfg).iter().all(|r| r["state"] == "due"));
}

// ------------------------------------------------------------ item 13

fn starttls(port: u16) -> String {
    let env = crate::util::test_mail_env();
    format!(
        "transport = \"smtp\"\nhost = \"localhost\"\nport = {port}\ntls = \"starttls\"\nca_file = \"{}\"\nfrom = \"Docket <docket@ngo.example>\"\ntimeout_secs = 5\n",
        env.get("DOCKET_TEST_CA")
    )
}

#[test]
fn connection_dropped_after_data_over_starttls_is_not_reported_as_a_tls_failure() {
    let relay = FakeSmtp::start(Behaviour {
        starttls: true,
        drop_after_data: true,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &starttls(relay.port), 1, "2026-06-30"),
    );
    let o = run_once_on(&cfg, D);
    let se = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(
        relay.data_done.load(std::sync::atomic::Ordering::SeqCst) >= 1,
        "the message was sent: {se}"
    );
    assert!(!se.contains("TLS failed"), "{se}");
    assert!(
        se.contains("may or may not have received the message"),
        "{se}"
    );
    assert!(se.contains("permanent=false"), "transient, retried: {se}");
}

#[test]
fn wrapper_tls_against_a_plain_server_is_a_permanent_failure_alerted_at_once() {
    let relay = FakeSmtp::start(Behaviour::default());
    let tmp = tempfile::tempdir().unwrap();
    let mail = smtp(relay.port, 5)
        .replace("tls = \"none\"", "tls = \"wrapper\"")
        .replace("127.0.0.1", "localhost");
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &mail, 1, "2026-06-30"),
    );
    let o = run_once_on(&cfg, D);
    let se = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{se}");
    assert!(se.contains("does not speak TLS on this port"), "{se}");
    assert!(se.contains("permanent=true"), "{se}");
    assert!(
        se.contains("a digest could not be delivered"),
        "alerted at once: {se}"
    );
}

// ------------------------------------------------------------ item 14

#[test]
fn stop_during_a_slow_send_ends_within_the_grace_and_keeps_the_digest_queued() {
    // A slow relay: the send would take ~15 s; the grace after SIGTERM is
    // the per-reply timeout (3 s here).
    let relay = FakeSmtp::start(Behaviour {
        reply_delay: Duration::from_millis(1500),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &config("state", &smtp(relay.port, 3), 1, "2026-06-30"),
    );
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket.log"));
    poll(Duration::from_secs(15), || {
        (relay.connections.load(std::sync::atomic::Ordering::SeqCst) > 0).then_some(())
    })
    .expect("the send began");
    let t0 = Instant::now();
    let status = d.stop();
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "stopped after {:?}",
        t0.elapsed()
    );
    assert_eq!(status.code(), Some(0), "{}", d.log());
    assert!(d.log().contains("send abandoned on stop"), "{}", d.log());
    assert!(history(&cfg).iter().all(|r| r["state"] == "due"));
}

#[test]
fn unit_stop_timeout_outlasts_the_longest_grace() {
    let unit = std::fs::read_to_string(crate::util::repo().join("systemd/docket.service")).unwrap();
    let secs: u64 = unit
        .lines()
        .find_map(|l| l.strip_prefix("TimeoutStopSec="))
        .expect("TimeoutStopSec= is set")
        .trim()
        .trim_end_matches('s')
        .parse()
        .unwrap();
    assert!(
        secs > docket::daemon::STOP_GRACE_MAX.as_secs() + 10,
        "TimeoutStopSec={secs} must outlast docket's {:?} grace",
        docket::daemon::STOP_GRACE_MAX
    );
}
