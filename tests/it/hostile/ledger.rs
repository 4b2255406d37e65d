//! The ledger under pressure (issue 17, items 9 and 6, and two smaller
//! ones): a sent mark committed whatever reads the ledger, `history`
//! never holding up a pass, a case deleted while docket was stopped told
//! at the next start, no case reference left in the file's free pages
//! after a purge, and the file transport's outbox kept only so long.
//!
//! D = 2026-06-02, a Tuesday. Documents expiring 2026-06-30 with
//! `lead_days = [28]` are reminded on D.

use crate::util::{docket, history, outbox_mails, write_config, Daemon};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const D: &str = "2026-06-02";

const FILE_MAIL: &str =
    "transport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <docket@ngo.example>\"\n";

/// Two caseworkers with `per` cases each, all due on D: two digests.
fn two_digest_config(dir: &Path, per: usize) -> PathBuf {
    two_digest_config_with(dir, per, FILE_MAIL)
}

fn two_digest_config_with(dir: &Path, per: usize, mail: &str) -> PathBuf {
    let mut t = format!(
        "{}\n[mail]\n{mail}\n[reminders]\nlead_days = [28]\n\n[kinds.refugee_certificate]\nlabel = \"Refugee certificate\"\n\n[[caseworker]]\nid = \"aigerim\"\nemail = \"aigerim@ngo.example\"\n\n[[caseworker]]\nid = \"dana\"\nemail = \"dana@ngo.example\"\n",
        crate::util::service_table("state", "")
    );
    for i in 0..2 * per {
        let cw = if i % 2 == 0 { "aigerim" } else { "dana" };
        t += &format!(
            "\n[[case]]\nid = \"KZ-{i:04}\"\ncaseworker = \"{cw}\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-06-30\n"
        );
    }
    write_config(dir, "docket.toml", &t)
}

fn ledger_path(dir: &Path) -> PathBuf {
    dir.join("state/ledger.sqlite3")
}

/// The `sqlite3` shell holding a read transaction open on the ledger, as
/// an admin looking at it would (its stdin kept open).
struct Reader(Child);

impl Reader {
    fn hold(ledger: &Path) -> Reader {
        let mut c = Command::new("sqlite3")
            .arg(ledger)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sqlite3 shell");
        writeln!(
            c.stdin.as_mut().unwrap(),
            "BEGIN; SELECT count(*) FROM reminders;"
        )
        .unwrap();
        c.stdin.as_mut().unwrap().flush().unwrap();
        // Wait for its answer: the read transaction is open from then on.
        use std::io::Read;
        let mut b = [0u8; 1];
        c.stdout.as_mut().unwrap().read_exact(&mut b).unwrap();
        Reader(c)
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Rows by state, read through a connection of the test's own (what a
/// fresh process, or docket after a kill -9, would find).
fn states(ledger: &Path) -> std::collections::BTreeMap<String, i64> {
    let c =
        rusqlite::Connection::open_with_flags(ledger, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut st = c
        .prepare("SELECT state, count(*) FROM reminders GROUP BY state")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

// ------------------------------------------------------------ item 9

#[test]
fn a_sent_mark_is_committed_despite_a_reader_on_the_ledger() {
    sent_marks_with_a_reader(None);
}

/// The same through an SMTP relay (docket's SMTP client, several
/// connections at once), counting what the relay accepted.
#[test]
fn a_sent_mark_is_committed_despite_a_reader_on_the_ledger_over_smtp() {
    let relay = crate::fake_smtp::FakeSmtp::start(crate::fake_smtp::Behaviour::default());
    sent_marks_with_a_reader(Some(&relay));
}

fn sent_marks_with_a_reader(relay: Option<&crate::fake_smtp::FakeSmtp>) {
    let tmp = tempfile::tempdir().unwrap();
    let mail = match relay {
        Some(r) => format!(
            "transport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nfrom = \"Docket <docket@ngo.example>\"\ntimeout_secs = 10\n",
            r.port
        ),
        None => FILE_MAIL.to_string(),
    };
    let cfg = two_digest_config_with(tmp.path(), 250, &mail);
    // A first run on a day with nothing due creates the ledger.
    let o = docket(&cfg, &["run", "--once", "--today", "2026-05-01"]);
    assert!(o.status.success(), "{o:?}");
    let ledger = ledger_path(tmp.path());
    let reader = Reader::hold(&ledger);
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket.log"));
    d.wait_log("pass done", 1);
    let log = d.log();
    assert_eq!(log.matches("digest sent").count(), 2, "{log}");
    // Right after the pass, a fresh connection sees every mark.
    let got = states(&ledger);
    assert_eq!(
        got.get("sent"),
        Some(&500),
        "after pass done: {got:?}\n{log}"
    );
    assert_eq!(got.get("due"), None, "after pass done: {got:?}");
    // Killed while idle and started again: nothing is sent twice.
    d.signal(libc::SIGKILL);
    let _ = d.child.wait();
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket2.log"));
    d.wait_log("pass done", 1);
    d.stop();
    drop(reader);
    let digests = match relay {
        Some(r) => r
            .accepted()
            .iter()
            .filter(|m| m.contains("KZ-0000") || m.contains("KZ-0001"))
            .count(),
        None => outbox_mails(&tmp.path().join("outbox"))
            .into_iter()
            .filter(|m| m.is_digest())
            .count(),
    };
    assert_eq!(digests, 2, "digests sent (2 expected, no resend)");
}

// ------------------------------------------------------------ item 6

/// A main config including `cases.d/*.toml`, two caseworkers and an admin.
fn live_config(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("cases.d")).unwrap();
    write_config(
        dir,
        "docket.toml",
        &(crate::util::daemon_head("") + "\n[reminders]\nlead_days = [28]\n\n[kinds.refugee_certificate]\nlabel = \"Refugee certificate\"\n\n[[caseworker]]\nid = \"aigerim\"\nname = \"Aigerim Testova\"\nemail = \"aigerim@ngo.example\"\n\n[[caseworker]]\nid = \"dana\"\nname = \"Dana Example\"\nemail = \"dana@ngo.example\"\n"),
    )
}

fn case_file(dir: &Path, id: &str, cw: &str) {
    write_config(
        dir,
        &format!("cases.d/{}.toml", id.to_lowercase()),
        &format!("[[case]]\nid = \"{id}\"\ncaseworker = \"{cw}\"\nperson = \"Saule Imagined\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-06-30\n"),
    );
}

#[test]
fn a_case_deleted_while_stopped_is_told_at_next_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = live_config(dir);
    case_file(dir, "KZ-0001", "aigerim");
    case_file(dir, "KZ-0002", "dana");
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert!(o.status.success(), "{o:?}");
    let copy = dir.join("state/good/files/cases.d/kz-0001.toml");
    assert!(copy.is_file(), "the last good copy is kept");
    // Deleted while docket is stopped.
    std::fs::remove_file(dir.join("cases.d/kz-0001.toml")).unwrap();
    let o = docket(&cfg, &["run", "--once", "--today", "2026-06-03"]);
    assert!(o.status.success(), "{o:?}");
    let log = crate::util::strip_ansi(&String::from_utf8_lossy(&o.stderr));
    assert!(
        log.contains("no longer tracked: KZ-0001"),
        "no log line:\n{log}"
    );
    assert!(!log.contains("Saule"), "a name in the log:\n{log}");
    let mails = outbox_mails(&dir.join("outbox"));
    let told = |to: &str| {
        mails.iter().any(|m| {
            m.header("To") == Some(to)
                && m.header("Subject")
                    .unwrap_or("")
                    .contains("no longer tracked: KZ-0001")
        })
    };
    assert!(told("aigerim@ngo.example"), "the caseworker is not told");
    assert!(told("it@ngo.example"), "the admin is not told");
    assert!(!told("dana@ngo.example"));
    // Told and recorded: the copy goes, and the next start says nothing more.
    assert!(!copy.exists(), "the copy is kept after the notice was sent");
    let o = docket(&cfg, &["run", "--once", "--today", "2026-06-03"]);
    let log = crate::util::strip_ansi(&String::from_utf8_lossy(&o.stderr));
    assert!(!log.contains("no longer tracked"), "told twice:\n{log}");
}

/// `docket history` blocked halfway through its output (a pager not
/// read, a slow pipe) holds no read transaction on the ledger: a
/// checkpoint can go through the whole log (it could not past a reader's
/// snapshot), and a pass run meanwhile records and marks everything.
#[test]
fn history_during_a_pass_does_not_delay_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = two_digest_config(tmp.path(), 250);
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(history(&cfg).len(), 500);
    // History as JSON is far more than a pipe holds: unread, it blocks.
    let mut h = crate::util::docket_command(&cfg, &["history", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Read;
        let mut b = [0u8; 1];
        h.stdout.as_mut().unwrap().read_exact(&mut b).unwrap();
    }
    // Structural: no snapshot is held while it prints.
    let c = rusqlite::Connection::open(ledger_path(tmp.path())).unwrap();
    c.execute_batch("PRAGMA busy_timeout=5000").unwrap();
    let (busy, log, done): (i64, i64, i64) = c
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(
        (busy, log, done),
        (0, 0, 0),
        "history holds a read transaction while it prints"
    );
    drop(c);
    // And a pass run meanwhile (the next day's, which resends nothing
    // and purges nothing) completes; its time is reported, not asserted.
    let started = Instant::now();
    let o = docket(&cfg, &["run", "--once", "--today", "2026-06-03"]);
    let took = started.elapsed();
    assert!(o.status.success(), "{o:?}");
    eprintln!("pass with a blocked history: {took:?}");
    let _ = h.kill();
    let _ = h.wait();
    assert!(took < Duration::from_secs(600));
}

// ------------------------------------------------------------ outbox

#[test]
fn outbox_eml_files_older_than_retention_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = two_digest_config(tmp.path(), 1);
    let outbox = tmp.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    // Retention 90 days (the default): on D the horizon is 2026-03-04.
    let old = outbox.join("2026-03-03-090000-aigerim-1f3a9c2e.eml");
    let kept = outbox.join("2026-03-04-090000-dana-2f3a9c2e.eml");
    let foreign = outbox.join("notes-2020-01-01.eml");
    for p in [&old, &kept, &foreign] {
        std::fs::write(p, "Subject: x\r\n\r\nbody\r\n").unwrap();
    }
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert!(o.status.success(), "{o:?}");
    assert!(!old.exists(), "an .eml older than the retention is kept");
    assert!(kept.exists(), "an .eml within the retention is removed");
    assert!(foreign.exists(), "a file docket did not name is removed");
    // Today's digests are there.
    let due = outbox_mails(&outbox)
        .into_iter()
        .filter(|m| m.is_digest())
        .count();
    assert_eq!(due, 2);
}

/// The last good copy of a deleted file stays until the notice is sent:
/// with the mail broken at start (the outbox path is a plain file), the
/// copy is kept; once mail works, the notice goes and the copy with it.
#[test]
fn a_case_deleted_while_stopped_keeps_its_copy_until_told() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = live_config(dir);
    case_file(dir, "KZ-0001", "aigerim");
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert!(o.status.success(), "{o:?}");
    let copy = dir.join("state/good/files/cases.d/kz-0001.toml");
    assert!(copy.is_file());
    std::fs::remove_file(dir.join("cases.d/kz-0001.toml")).unwrap();
    // Mail cannot be written: the outbox is a file.
    let outbox = dir.join("outbox");
    let kept_aside = dir.join("outbox.saved");
    std::fs::rename(&outbox, &kept_aside).unwrap();
    std::fs::write(&outbox, "not a directory").unwrap();
    let o = docket(&cfg, &["run", "--once", "--today", "2026-06-03"]);
    let log = crate::util::strip_ansi(&String::from_utf8_lossy(&o.stderr));
    assert!(log.contains("no longer tracked: KZ-0001"), "{log}");
    assert!(
        copy.is_file(),
        "the copy went before anyone was told:\n{log}"
    );
    // Mail works again: told now, and the copy goes.
    std::fs::remove_file(&outbox).unwrap();
    std::fs::rename(&kept_aside, &outbox).unwrap();
    let o = docket(&cfg, &["run", "--once", "--today", "2026-06-03"]);
    assert!(o.status.success(), "{o:?}");
    let told = outbox_mails(&outbox).iter().any(|m| {
        m.header("To") == Some("aigerim@ngo.example")
            && m.header("Subject")
                .unwrap_or("")
                .contains("no longer tracked: KZ-0001")
    });
    assert!(told, "the caseworker is not told once mail works");
    assert!(!copy.exists(), "the copy is kept after the notice was sent");
}
