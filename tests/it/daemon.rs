//! The daemon with the file transport (SPEC §3 catch-up, §4 delivery,
//! §5 `run`, `preview`, `history`): digests as .eml files in a private
//! outbox, the ledger, privacy of subjects, logs and the ledger, escalation,
//! and SIGHUP reload of a real daemon process.
//!
//! Every test has its own tempdir holding the config (mode 0600), the
//! `state_dir` and the outbox. People, numbers and titles are fictional.
//!
//! Dates (Kazakhstan, 2026): D = 2026-06-02 is a Tuesday and a working day;
//! 2026-06-16, -06-30, -07-01 and -07-07 (D + 35 days) are working days too
//! (Capital Day, Jul 6, is a Monday and is not used).

use crate::util::{
    assert_exit, docket, docket_bin, entries, field, history, parse_mail, poll, stderr, stdout,
    stdout_json, write_config, Daemon, Mail,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const D: &str = "2026-06-02";
/// Five weeks after D.
const LATER: &str = "2026-07-07";

/// The `[service]` and `[mail]` tables every config here starts with:
/// relative `state_dir` and outbox, so each test stays in its tempdir.
fn head(extra_service: &str) -> String {
    format!(
        r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"
schedule = "0 0 9 1 1 *"
{extra_service}

[mail]
transport = "file"
dir = "outbox"
from = "Docket <docket@ngo.example>"

[kinds.refugee_certificate]
label = "Refugee certificate"

[kinds.residence_permit]
label = "Residence permit"

[kinds.travel_document]
label = "Travel document request"
answer_within = "15wd"

[kinds.court_hearing]
label = "Court hearing"
"#
    )
}

/// `docket run --once --today DAY`, with the given exit code expected.
#[track_caller]
fn run_once(cfg: &Path, day: &str, want: i32) -> Output {
    let o = docket(cfg, &["run", "--once", "--today", day]);
    assert_exit(&o, want);
    o
}

/// Every .eml in the outbox, by file path.
fn outbox(dir: &Path) -> BTreeMap<PathBuf, Mail> {
    let mut out = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "eml") {
            let raw = std::fs::read_to_string(&p).unwrap();
            out.insert(p, parse_mail(&raw));
        }
    }
    out
}

/// The messages in `now` that are not in `before`.
fn new_since(before: &BTreeMap<PathBuf, Mail>, now: &BTreeMap<PathBuf, Mail>) -> Vec<Mail> {
    now.iter()
        .filter(|(p, _)| !before.contains_key(*p))
        .map(|(_, m)| m.clone())
        .collect()
}

/// The one message addressed to `to`.
#[track_caller]
fn addressed_to<'a>(mails: &'a [Mail], to: &str) -> &'a Mail {
    let found: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.header("To") == Some(to))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one message to {to}; subjects: {:?}",
        subjects(mails)
    );
    found[0]
}

fn subjects(mails: &[Mail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| m.header("Subject").unwrap_or("").to_string())
        .collect()
}

/// Check the shape every digest has: headers, and a multipart/alternative
/// body with exactly a text/plain and a text/html part.
#[track_caller]
fn assert_digest_shape(m: &Mail) {
    assert_eq!(m.header("From"), Some("Docket <docket@ngo.example>"));
    let mid = m.header("Message-ID").expect("a Message-ID");
    assert!(
        mid.starts_with('<') && mid.ends_with('>') && mid.contains('@'),
        "Message-ID {mid}"
    );
    let ct = m.header("Content-Type").expect("a Content-Type");
    assert!(
        ct.to_ascii_lowercase().starts_with("multipart/alternative"),
        "{ct}"
    );
    assert_eq!(m.parts.len(), 2, "two parts in:\n{}", m.raw);
    assert!(m.parts[0].content_type.starts_with("text/plain"));
    assert!(m.parts[1].content_type.starts_with("text/html"));
    assert!(m.html().contains("<html"), "{}", m.html());
}

/// History rows as (case, step, recipient, state) tuples, sorted.
fn history_keys(rows: &[Value]) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "recipient").to_string(),
                field(r, "state").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn tuple(c: &str, s: &str, r: &str, st: &str) -> (String, String, String, String) {
    (c.into(), s.into(), r.into(), st.into())
}

// ------------------------------------------------------- catch-up, once only

fn catch_up_config(dir: &Path) -> PathBuf {
    let text = head("")
        + r#"
[reminders]
lead_days = [28, 14, 7, 1]
overdue_every_days = 0

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[caseworker]]
id = "bolat"
name = "Bolat Example"
email = "bolat@ngo.example"

[[caseworker]]
id = "chingiz"
name = "Chingiz Example"
email = "chingiz@ngo.example"

# act-by 2026-06-30: 28d on D, 14d 06-16, 7d 06-23, 1d 06-29, overdue 07-01.
[[case]]
id = "KZ-1001"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30

# act-by 2026-06-16: 28d 05-19 (missed), 14d on D, 7d 06-09, 1d 06-15,
# overdue 06-17.
[[case]]
id = "KZ-1002"
caseworker = "aigerim"
  [[case.document]]
  kind = "residence_permit"
  issued = 2025-06-16
  expires = 2026-06-16

[[case]]
id = "KZ-1003"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30

# Nothing due before 2027: chingiz gets no digest.
[[case]]
id = "KZ-1004"
caseworker = "chingiz"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2026-03-01
  expires = 2027-03-01
"#;
    write_config(dir, "docket.toml", &text)
}

#[test]
fn one_digest_per_recipient_once_a_day_and_one_late_digest_after_downtime() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = catch_up_config(tmp.path());
    let out_dir = tmp.path().join("outbox");

    // First pass on D: one digest each for aigerim (2 items) and bolat (1).
    run_once(&cfg, D, 0);
    let first = outbox(&out_dir);
    assert_eq!(first.len(), 2, "{:?}", first.keys());
    let mails: Vec<Mail> = first.values().cloned().collect();
    let a = addressed_to(&mails, "aigerim@ngo.example");
    let b = addressed_to(&mails, "bolat@ngo.example");
    for m in [a, b] {
        assert_digest_shape(m);
        assert!(
            m.header("Subject").unwrap().contains(D),
            "{:?}",
            m.header("Subject")
        );
    }
    assert_ne!(a.header("Message-ID"), b.header("Message-ID"));
    let a_entries = entries(a.text());
    assert_eq!(a_entries.len(), 2, "{}", a.text());
    // Most urgent first: KZ-1002 acts by 06-16, KZ-1001 by 06-30.
    assert!(a_entries[0].contains("KZ-1002"), "{a_entries:?}");
    assert!(a_entries[1].contains("KZ-1001"), "{a_entries:?}");
    assert_eq!(entries(b.text()).len(), 1, "{}", b.text());
    assert!(entries(b.text())[0].contains("KZ-1003"));
    let subject_a = a.header("Subject").unwrap();
    assert!(subject_a.contains("KZ-1001") && subject_a.contains("KZ-1002"));
    assert!(!subject_a.contains("KZ-1003"), "{subject_a}");
    assert!(
        !a.text().contains("[LATE]"),
        "nothing is late on D:\n{}",
        a.text()
    );
    // Only the latest step of KZ-1002 (14d), not the missed 28d as well.
    assert_eq!(
        history_keys(&history(&cfg)),
        vec![
            tuple("KZ-1001", "28d", "aigerim", "sent"),
            tuple("KZ-1002", "14d", "aigerim", "sent"),
            tuple("KZ-1003", "28d", "bolat", "sent"),
        ]
    );

    // A second pass the same day sends nothing.
    let o = run_once(&cfg, D, 0);
    assert_eq!(outbox(&out_dir).len(), 2, "{}", stderr(&o));
    assert_eq!(history(&cfg).len(), 3);

    // Five weeks later (no pass in between): one late digest per recipient,
    // one entry per item: its latest missed step (the overdue reminder), not
    // the 14d/7d/1d ones missed before it.
    run_once(&cfg, LATER, 0);
    let now = outbox(&out_dir);
    assert_eq!(now.len(), 4, "{:?}", now.keys());
    let late = new_since(&first, &now);
    assert_eq!(late.len(), 2, "{:?}", subjects(&late));
    let a = addressed_to(&late, "aigerim@ngo.example");
    let b = addressed_to(&late, "bolat@ngo.example");
    for (m, n) in [(a, 2), (b, 1)] {
        assert_digest_shape(m);
        assert!(m.header("Subject").unwrap().contains(LATER));
        let es = entries(m.text());
        assert_eq!(es.len(), n, "{}", m.text());
        for e in &es {
            assert!(e.contains("[LATE]"), "entry not marked late: {e}");
        }
        assert_eq!(m.text().matches("[LATE]").count(), n, "{}", m.text());
        // Each late item's tag, and the tag once more where it is explained.
        assert_eq!(
            m.html().matches(">LATE</span>").count(),
            n + 1,
            "{}",
            m.html()
        );
    }
    let a_text = a.text();
    assert!(a_text.contains("planned for 2026-06-17"), "{a_text}");
    assert!(a_text.contains("planned for 2026-07-01"), "{a_text}");
    assert!(b.text().contains("planned for 2026-07-01"), "{}", b.text());
    for first_mail in first.values() {
        assert_ne!(
            first_mail.header("Message-ID"),
            a.header("Message-ID"),
            "a new digest has a new Message-ID"
        );
    }

    let rows = history(&cfg);
    assert_eq!(
        history_keys(&rows),
        vec![
            tuple("KZ-1001", "28d", "aigerim", "sent"),
            tuple("KZ-1001", "overdue-0", "aigerim", "sent"),
            tuple("KZ-1002", "14d", "aigerim", "sent"),
            tuple("KZ-1002", "overdue-0", "aigerim", "sent"),
            tuple("KZ-1003", "28d", "bolat", "sent"),
            tuple("KZ-1003", "overdue-0", "bolat", "sent"),
        ]
    );
    for r in &rows {
        let overdue = field(r, "step") == "overdue-0";
        assert_eq!(r["late"], Value::Bool(overdue), "{r}");
        if overdue {
            let want = if field(r, "case") == "KZ-1002" {
                "2026-06-17"
            } else {
                "2026-07-01"
            };
            assert_eq!(field(r, "due_date"), want, "{r}");
        }
    }

    // And again the same day: nothing.
    run_once(&cfg, LATER, 0);
    assert_eq!(outbox(&out_dir).len(), 4);
}

// ---------------------------------------------------------------- privacy

const PERSON: &str = "Zarina Fictionova";
const DOC_NUMBER: &str = "RC-PRIV-77031";
const REQ_NUMBER: &str = "REQ-PRIV-55120";
const EVENT_TITLE: &str = "Hearing at Qalamkas Orchard";

/// Fragments that must never leak, whole or in part.
fn name_fragments() -> Vec<&'static str> {
    vec![PERSON, "Fictionova", EVENT_TITLE, "Qalamkas"]
}

fn number_fragments() -> Vec<&'static str> {
    vec![DOC_NUMBER, "77031", REQ_NUMBER, "55120"]
}

fn privacy_config(dir: &Path, names: bool, numbers: bool) -> PathBuf {
    let text = head("")
        + &format!(
            r#"
[privacy]
names_in_email = {names}
numbers_in_email = {numbers}

[reminders]
lead_days = [28]
escalate_within_days = 7

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"

[[case]]
id = "KZ-2001"
caseworker = "aigerim"
person = "{PERSON}"

  [[case.document]]
  kind = "refugee_certificate"
  number = "{DOC_NUMBER}"
  issued = 2025-06-30
  expires = 2026-06-30

  [[case.request]]
  kind = "travel_document"
  number = "{REQ_NUMBER}"
  filed = 2026-05-04
  extended_to = 2026-06-30

  # 3 days before: within escalate_within_days, so dana gets it too.
  [[case.event]]
  kind = "court_hearing"
  title = "{EVENT_TITLE}"
  date = 2026-06-05
  lead_days = [3]
"#
        );
    write_config(dir, "docket.toml", &text)
}

/// The bytes of every ledger file (the database, its -wal and -shm).
fn ledger_bytes(state_dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(state_dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("ledger.sqlite3") {
            out.push((name, std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn contains_bytes(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn privacy_case(names: bool, numbers: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = privacy_config(tmp.path(), names, numbers);

    // Logs at the most verbose level, so nothing hides below the default.
    let preview = Command::new(docket_bin())
        .args(["-c"])
        .arg(&cfg)
        .args(["preview", "--today", D])
        .env("DOCKET_LOG", "trace")
        .env_remove("DOCKET_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .output()
        .unwrap();
    assert_exit(&preview, 0);
    let run = Command::new(docket_bin())
        .args(["-c"])
        .arg(&cfg)
        .args(["run", "--once", "--today", D])
        .env("DOCKET_LOG", "trace")
        .env_remove("DOCKET_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .output()
        .unwrap();
    assert_exit(&run, 0);

    let mails: Vec<Mail> = outbox(&tmp.path().join("outbox")).into_values().collect();
    assert_eq!(mails.len(), 2, "{:?}", subjects(&mails));
    let a = addressed_to(&mails, "aigerim@ngo.example");
    let s = addressed_to(&mails, "dana@ngo.example");
    assert_eq!(entries(a.text()).len(), 3, "{}", a.text());
    assert_eq!(entries(s.text()).len(), 1, "{}", s.text());
    assert!(s.text().contains("KZ-2001"));

    let ledger = ledger_bytes(&tmp.path().join("state"));
    assert!(!ledger.is_empty(), "no ledger file");
    let logs = [stderr(&preview), stderr(&run)].concat();
    assert!(logs.contains("pass done"), "{logs}");
    let all: Vec<&str> = name_fragments()
        .into_iter()
        .chain(number_fragments())
        .collect();
    for f in &all {
        for m in &mails {
            let subject = m.header("Subject").unwrap();
            assert!(!subject.contains(f), "{f:?} in subject {subject:?}");
        }
        assert!(!logs.contains(f), "{f:?} in stderr:\n{logs}");
        for (name, bytes) in &ledger {
            assert!(!contains_bytes(bytes, f), "{f:?} in ledger file {name}");
        }
    }

    // Bodies: each kind of detail only when allowed, in both parts (the
    // raw file is checked too, so an encoding cannot hide a leak).
    for (fragments, allowed) in [(name_fragments(), names), (number_fragments(), numbers)] {
        for f in fragments {
            for (who, m) in [("caseworker", a), ("supervisor", s)] {
                if allowed {
                    continue;
                }
                assert!(!m.raw.contains(f), "{f:?} in the {who}'s raw message");
                assert!(!m.text().contains(f), "{f:?} in the {who}'s text");
                assert!(!m.html().contains(f), "{f:?} in the {who}'s HTML");
            }
            if !allowed {
                assert!(!stdout(&preview).contains(f), "{f:?} in preview");
            }
        }
    }
    let shown: Vec<&str> = match (names, numbers) {
        (true, true) => vec![PERSON, EVENT_TITLE, DOC_NUMBER, REQ_NUMBER],
        (true, false) => vec![PERSON, EVENT_TITLE],
        (false, true) => vec![DOC_NUMBER, REQ_NUMBER],
        (false, false) => vec![],
    };
    for f in shown {
        assert!(
            a.text().contains(f),
            "{f:?} missing in the text:\n{}",
            a.text()
        );
        assert!(
            a.html().contains(f),
            "{f:?} missing in the HTML:\n{}",
            a.html()
        );
    }
    if names {
        // The supervisor's copy says whose case it is.
        assert!(s.text().contains(PERSON), "{}", s.text());
        assert!(s.html().contains(PERSON), "{}", s.html());
    }
}

#[test]
fn privacy_no_names_no_numbers() {
    privacy_case(false, false);
}

#[test]
fn privacy_names_and_numbers_in_bodies_only() {
    privacy_case(true, true);
}

#[test]
fn privacy_names_without_numbers() {
    privacy_case(true, false);
}

#[test]
fn privacy_numbers_without_names() {
    privacy_case(false, true);
}

// ------------------------------------------------------------- escalation

#[test]
fn escalated_item_goes_to_the_supervisor_in_their_own_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let text = head("")
        + r#"
[reminders]
lead_days = [28, 3]
escalate_within_days = 7

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"

# Act by 2026-06-05: the 3d reminder on D is 3 days out, within 7: escalated.
[[case]]
id = "KZ-3001"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-05
  expires = 2026-06-05

# Act by 2026-06-30: the 28d reminder on D is not escalated.
[[case]]
id = "KZ-3002"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30
"#;
    let cfg = write_config(tmp.path(), "docket.toml", &text);
    run_once(&cfg, D, 0);
    let mails: Vec<Mail> = outbox(&tmp.path().join("outbox")).into_values().collect();
    assert_eq!(mails.len(), 2, "{:?}", subjects(&mails));

    let a = addressed_to(&mails, "aigerim@ngo.example");
    assert_digest_shape(a);
    let es = entries(a.text());
    assert_eq!(es.len(), 2, "{}", a.text());
    assert!(
        es[0].contains("KZ-3001") && es[1].contains("KZ-3002"),
        "{es:?}"
    );

    let s = addressed_to(&mails, "dana@ngo.example");
    assert_digest_shape(s);
    let es = entries(s.text());
    assert_eq!(es.len(), 1, "{}", s.text());
    assert!(es[0].contains("KZ-3001"), "{es:?}");
    assert!(es[0].contains("aigerim"), "whose item it is: {es:?}");
    assert!(!s.raw.contains("KZ-3002"), "not escalated:\n{}", s.raw);
    let subject = s.header("Subject").unwrap();
    assert!(
        subject.contains("KZ-3001") && subject.contains(D),
        "{subject}"
    );
    assert!(s.html().contains("KZ-3001"));
    assert_ne!(a.header("Message-ID"), s.header("Message-ID"));

    let rows = history(&cfg);
    assert_eq!(
        history_keys(&rows),
        vec![
            tuple("KZ-3001", "3d", "aigerim", "sent"),
            tuple("KZ-3001", "3d", "dana", "sent"),
            tuple("KZ-3002", "28d", "aigerim", "sent"),
        ]
    );
    for r in &rows {
        let want = if field(r, "recipient") == "dana" {
            "cc"
        } else {
            "to"
        };
        assert_eq!(field(r, "role"), want, "{r}");
    }
}

// ----------------------------------------------------------------- reload

fn reload_config(extra_case: bool, broken: bool) -> String {
    let mut text = head(if broken {
        "colour = \"red\""
    } else {
        "admin = \"it@ngo.example\""
    }) + r#"
[reminders]
lead_days = [28]

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[case]]
id = "KZ-4001"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30
"#;
    if extra_case {
        text += r#"
[[case]]
id = "KZ-4002"
caseworker = "aigerim"
  [[case.document]]
  kind = "residence_permit"
  issued = 2025-06-30
  expires = 2026-06-30
"#;
    }
    text
}

#[test]
fn sighup_rejects_a_broken_config_keeps_running_and_applies_a_valid_one() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), "docket.toml", &reload_config(false, false));
    let out_dir = tmp.path().join("outbox");
    let mut d = Daemon::start(&cfg, D, tmp.path().join("docket.log"));

    d.wait_log("pass done", 1);
    let first = outbox(&out_dir);
    assert_eq!(first.len(), 1, "{}", d.log());
    let m = first.values().next().unwrap();
    assert_eq!(m.header("To"), Some("aigerim@ngo.example"));
    assert!(m.text().contains("KZ-4001"));

    // A broken config (unknown key, on line 5) is rejected, the old one kept.
    write_config(tmp.path(), "docket.toml", &reload_config(true, true));
    d.signal(libc::SIGHUP);
    let log = d.wait_log("reload rejected", 1);
    assert!(
        log.contains("docket.toml:5:"),
        "the error's location:\n{log}"
    );
    assert!(log.contains("colour"), "the unknown key:\n{log}");
    // The loop goes back to waiting: the second "idle" line is after the
    // rejected reload.
    d.wait_log("idle until the next scheduled pass", 2);
    assert!(d.alive(), "docket died on a bad reload:\n{}", d.log());
    assert_eq!(d.log().matches("pass done").count(), 1, "{}", d.log());
    // The admin (from the config still in force) is told, and so is the
    // caseworker of the case in the broken file (issue 10: whoever broke a
    // file is told).
    let now = outbox(&out_dir);
    let told = new_since(&first, &now);
    assert_eq!(told.len(), 2, "{:?}", subjects(&told));
    let admin: Vec<Mail> = told
        .iter()
        .filter(|m| m.header("To") == Some("it@ngo.example"))
        .cloned()
        .collect();
    assert_eq!(admin.len(), 1, "{:?}", subjects(&told));
    assert!(told
        .iter()
        .any(|m| m.header("To") == Some("aigerim@ngo.example")));
    assert!(
        admin[0]
            .header("Subject")
            .unwrap()
            .contains("reload rejected"),
        "{:?}",
        admin[0].header("Subject")
    );
    assert!(
        !admin[0].raw.contains("KZ-4002"),
        "the rejected case is not live"
    );

    // A valid config with a new case due on D: reloaded, and a pass sends it.
    write_config(tmp.path(), "docket.toml", &reload_config(true, false));
    d.signal(libc::SIGHUP);
    d.wait_log("config reloaded", 1);
    d.wait_log("pass done", 2);
    let after = outbox(&out_dir);
    let fresh = new_since(&now, &after);
    // The fixed file is told as fixed, to the admin and the caseworker.
    let fixed = fresh
        .iter()
        .filter(|m| m.header("Subject").unwrap_or("").contains("fixed"))
        .count();
    assert_eq!(fixed, 2, "{:?}\n{}", subjects(&fresh), d.log());
    let fresh: Vec<Mail> = fresh
        .into_iter()
        .filter(|m| !m.header("Subject").unwrap_or("").contains("fixed"))
        .collect();
    assert_eq!(fresh.len(), 1, "{:?}\n{}", subjects(&fresh), d.log());
    let m = &fresh[0];
    assert_eq!(m.header("To"), Some("aigerim@ngo.example"));
    let es = entries(m.text());
    assert_eq!(es.len(), 1, "{}", m.text());
    assert!(es[0].contains("KZ-4002"), "{es:?}");
    assert!(!m.raw.contains("KZ-4001"), "KZ-4001 was sent already");

    // SIGTERM: a clean stop with status 0.
    d.signal(libc::SIGTERM);
    let status = poll(Duration::from_secs(15), || d.child.try_wait().unwrap());
    let status = status.unwrap_or_else(|| panic!("no exit within 15 s:\n{}", d.log()));
    assert_eq!(status.code(), Some(0), "{}", d.log());
    assert!(d.log().contains("docket stopped"), "{}", d.log());
    assert_eq!(outbox(&out_dir).len(), 6, "two digests, and four notices");
}

// -------------------------------------------------------- history, preview

#[test]
fn history_matches_the_sent_messages_and_preview_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let text = head("")
        + r#"
[reminders]
lead_days = [28, 14]

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[caseworker]]
id = "bolat"
name = "Bolat Example"
email = "bolat@ngo.example"

[[case]]
id = "KZ-5001"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30
  [[case.document]]
  kind = "residence_permit"
  issued = 2025-06-16
  expires = 2026-06-16

[[case]]
id = "KZ-5002"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30
"#;
    let cfg = write_config(tmp.path(), "docket.toml", &text);
    let state = tmp.path().join("state");
    let out_dir = tmp.path().join("outbox");

    // Preview first: RFC 5322 text on stdout, nothing on disk.
    let p = docket(&cfg, &["preview", "--today", D]);
    assert_exit(&p, 0);
    let preview = stdout(&p);
    let preview_subjects: BTreeSet<String> = preview
        .lines()
        .filter_map(|l| l.strip_prefix("Subject: "))
        .map(str::to_string)
        .collect();
    assert_eq!(
        preview
            .lines()
            .filter(|l| l.starts_with("Subject: "))
            .count(),
        2,
        "{preview}"
    );
    assert_eq!(preview_subjects.len(), 2, "{preview}");
    assert_eq!(
        preview.lines().filter(|l| l.starts_with("From: ")).count(),
        2
    );
    assert_eq!(
        preview
            .lines()
            .filter(|l| l.starts_with("Message-ID: "))
            .count(),
        2
    );
    assert!(preview.contains("To: aigerim@ngo.example"), "{preview}");
    assert!(preview.contains("To: bolat@ngo.example"), "{preview}");
    assert!(
        !state.join("ledger.sqlite3").exists(),
        "preview created a ledger"
    );
    assert!(outbox(&out_dir).is_empty(), "preview wrote mail");
    assert!(
        !out_dir.exists() || std::fs::read_dir(&out_dir).unwrap().next().is_none(),
        "preview wrote into the outbox"
    );
    // History before any run: empty, and still no ledger.
    assert!(history(&cfg).is_empty());
    assert!(
        !state.join("ledger.sqlite3").exists(),
        "history created a ledger"
    );

    run_once(&cfg, D, 0);
    let mails: Vec<Mail> = outbox(&out_dir).into_values().collect();
    assert_eq!(mails.len(), 2);
    let sent_subjects: BTreeSet<String> = subjects(&mails).into_iter().collect();
    assert_eq!(sent_subjects, preview_subjects);
    let ids: BTreeMap<String, &Mail> = mails
        .iter()
        .map(|m| (m.header("Message-ID").unwrap().to_string(), m))
        .collect();
    assert_eq!(ids.len(), 2, "distinct Message-IDs");

    let rows = history(&cfg);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let mut per_id: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        assert_eq!(field(r, "state"), "sent", "{r}");
        assert!(r["sent_at"].is_string(), "{r}");
        let mid = field(r, "message_id");
        let m = ids
            .get(mid)
            .unwrap_or_else(|| panic!("{mid} of {r} is no sent message"));
        let to = format!("{}@ngo.example", field(r, "recipient"));
        assert_eq!(m.header("To"), Some(to.as_str()), "{r}");
        assert!(m.text().contains(field(r, "case")), "{r}");
        *per_id.entry(mid.to_string()).or_default() += 1;
    }
    // Each message holds as many entries as it has ledger rows.
    for (mid, m) in &ids {
        assert_eq!(per_id.get(mid), Some(&entries(m.text()).len()), "{mid}");
    }
    // `--case` narrows the history.
    let o = docket(&cfg, &["history", "--case", "KZ-5002", "--format", "json"]);
    assert_exit(&o, 0);
    let only = stdout_json(&o);
    assert_eq!(only.as_array().unwrap().len(), 1, "{only}");

    // After the run there is nothing left to preview.
    let p = docket(&cfg, &["preview", "--today", D]);
    assert_exit(&p, 0);
    assert_eq!(stdout(&p), "", "{}", stderr(&p));
    assert_eq!(outbox(&out_dir).len(), 2);
}
