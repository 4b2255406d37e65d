//! A hostile relay (issue 17, items 1 and 7): a server, or someone on the
//! path, that injects replies across STARTTLS, answers commands not sent,
//! answers the message with the wrong code, or sends a reply that never
//! ends. Each test runs a real `docket run --once` against
//! `tests/it/fake_smtp.rs` and reads the log and the ledger.
//!
//! Dates: D = 2026-06-02 (a working Tuesday); each case's document expires
//! on 2026-06-30 with `lead_days = [28]`, so one reminder is due on D.

use crate::fake_smtp::{Behaviour, FakeSmtp};
use crate::util::{docket, history, stderr, write_config};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

const D: &str = "2026-06-02";

/// `[mail]` for the fake relay: STARTTLS with the test CA, or plain on
/// loopback; `login` adds a username and a password file.
fn mail(port: u16, starttls: bool, login: Option<&Path>, timeout_secs: u64) -> String {
    let mut m = if starttls {
        let env = crate::util::test_mail_env();
        format!(
            "transport = \"smtp\"\nhost = \"localhost\"\nport = {port}\ntls = \"starttls\"\nca_file = \"{}\"\n",
            env.get("DOCKET_TEST_CA")
        )
    } else {
        format!("transport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\n")
    };
    m += &format!("from = \"Docket <docket@ngo.example>\"\ntimeout_secs = {timeout_secs}\n");
    if let Some(pw) = login {
        m += &format!(
            "username = \"docket\"\npassword_file = \"{}\"\n",
            pw.display()
        );
    }
    m
}

/// Caseworkers cw0..cwN, each with one case whose reminder is due on D.
fn config(mail: &str, caseworkers: usize) -> String {
    let mut t = format!(
        "{}\n[mail]\n{mail}\n[reminders]\nlead_days = [28]\n\n[kinds.refugee_certificate]\nlabel = \"Refugee certificate\"\n",
        crate::util::service_table("state", "")
    );
    for i in 0..caseworkers {
        t += &format!(
            "\n[[caseworker]]\nid = \"cw{i}\"\nemail = \"cw{i}@ngo.example\"\n\n[[case]]\nid = \"KZ-{i:04}\"\ncaseworker = \"cw{i}\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-06-30\n"
        );
    }
    t
}

/// Run one pass against `relay`; the log, and the states of the ledger.
fn pass(
    tmp: &Path,
    relay: &FakeSmtp,
    starttls: bool,
    login: bool,
    caseworkers: usize,
    timeout: u64,
) -> (String, Vec<String>) {
    let pw = tmp.join("smtp-password");
    std::fs::write(&pw, "not-a-real-password\n").unwrap();
    crate::util::chmod(&pw, 0o600);
    let m = mail(relay.port, starttls, login.then_some(pw.as_path()), timeout);
    let cfg = write_config(tmp, "docket.toml", &config(&m, caseworkers));
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    let log = stderr(&o);
    let states = history(&cfg)
        .iter()
        .map(|r| r["state"].as_str().unwrap_or_default().to_string())
        .collect();
    (log, states)
}

/// The CVE-2011-0411 pattern against the client: plain-text replies in the
/// same segment as `220 ready to start TLS`. Before the fix every later
/// reply shifted by one: the relay answered 554 to the message, yet docket
/// logged `digest sent … answer=354`, marked the reminders sent and never
/// resent them.
#[test]
fn starttls_response_injection_is_a_failed_tls_set_up_and_nothing_is_marked_sent() {
    let relay = FakeSmtp::start(Behaviour {
        starttls: true,
        inject_after_starttls: "250-evil\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n".into(),
        data_end_reply: Some("554 5.7.1 rejected\r\n".into()),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let (log, states) = pass(tmp.path(), &relay, true, false, 2, 5);
    assert!(!log.contains("digest sent"), "{log}");
    assert!(
        log.contains("sent bytes after its answer to STARTTLS"),
        "named as an injection: {log}"
    );
    assert!(log.contains("permanent=true"), "a failed TLS set-up: {log}");
    assert!(
        log.contains("a digest could not be delivered"),
        "the admin is told at once: {log}"
    );
    assert_eq!(states.len(), 2, "{states:?}");
    assert!(states.iter().all(|s| s == "due"), "kept queued: {states:?}");
    assert_eq!(
        relay.data_done.load(Ordering::SeqCst),
        0,
        "no message went over the injected session"
    );
}

/// The same injection carrying a whole dialogue while the relay refuses the
/// login: before the fix the injected `235` passed for the login and the
/// reminders were marked sent.
#[test]
fn starttls_injection_of_a_whole_dialogue_with_a_refused_login_sends_no_credentials() {
    let relay = FakeSmtp::start(Behaviour {
        starttls: true,
        inject_after_starttls:
            "250-evil\r\n250 AUTH PLAIN LOGIN\r\n235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n"
                .into(),
        auth_reply: Some("535 5.7.8 bad credentials\r\n".into()),
        data_end_reply: Some("554 5.7.1 rejected\r\n".into()),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let (log, states) = pass(tmp.path(), &relay, true, true, 2, 5);
    assert!(!log.contains("digest sent"), "{log}");
    assert!(log.contains("TLS failed, nothing was sent"), "{log}");
    assert!(states.iter().all(|s| s == "due"), "{states:?}");
    assert_eq!(relay.data_done.load(Ordering::SeqCst), 0);
}

/// A send is `sent` only on the 250 that answers our end-of-data: a `354`
/// there (a shifted reply) is a protocol violation, and the digest stays
/// queued under its Message-ID.
#[test]
fn a_reply_that_does_not_answer_the_end_of_data_never_marks_a_digest_sent() {
    let relay = FakeSmtp::start(Behaviour {
        data_end_reply: Some("354 end with .\r\n".into()),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let (log, states) = pass(tmp.path(), &relay, false, false, 1, 5);
    assert!(!log.contains("digest sent"), "{log}");
    assert!(
        log.contains("does not answer the command") && log.contains("354"),
        "{log}"
    );
    assert!(
        log.contains("may or may not have received the message"),
        "{log}"
    );
    assert_eq!(states, ["due"]);
}

/// Two replies to one command: the second would be read as the answer to
/// the next command. The connection is dropped before anything of the
/// message is sent.
#[test]
fn a_second_reply_to_one_command_drops_the_connection_before_the_message() {
    let relay = FakeSmtp::start(Behaviour {
        double_reply_to_mail: true,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let (log, states) = pass(tmp.path(), &relay, false, false, 1, 5);
    assert!(!log.contains("digest sent"), "{log}");
    assert!(log.contains("answer no command"), "{log}");
    assert_eq!(relay.data_done.load(Ordering::SeqCst), 0);
    assert_eq!(states, ["due"]);
}

/// A 14,000-line EHLO (about 0.5 MB) cost ~10 s of CPU per connection in
/// lettre's reader (the whole reply re-parsed after every line). The reply
/// is now refused once it passes the size bound; each of six digests fails
/// fast, and stays queued.
#[test]
fn a_huge_ehlo_reply_is_refused_at_the_size_bound() {
    let relay = FakeSmtp::start(Behaviour {
        ehlo_padding: 14_000,
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let (log, states) = pass(tmp.path(), &relay, false, false, 6, 2);
    let took = t0.elapsed();
    assert!(log.contains("larger than docket reads"), "{log}");
    assert!(!log.contains("digest sent"), "{log}");
    assert_eq!(states.len(), 6);
    assert!(states.iter().all(|s| s == "due"), "{states:?}");
    // Not a timing test (the size bound is what is checked); the figure is
    // printed for the record: before the fix 86.6 s in debug, 69 s in
    // release with both cores busy.
    eprintln!("six digests against a 14,000-line EHLO: {took:?}");
}

/// A reply that trickles in a line at a time never ends within
/// `timeout_secs`: the per-reply timeout covers all its lines (before the
/// fix only the whole-message bound, 10 × timeout_secs, fired).
#[test]
fn a_reply_that_trickles_in_is_given_up_on_after_the_reply_timeout() {
    let relay = FakeSmtp::start(Behaviour {
        ehlo_padding: 200,
        ehlo_line_delay: Duration::from_millis(100),
        ..Default::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    let (log, states) = pass(tmp.path(), &relay, false, false, 1, 2);
    assert!(log.contains("no reply to EHLO within 2s"), "{log}");
    assert!(!log.contains("was not through after"), "{log}");
    assert_eq!(states, ["due"]);
}
