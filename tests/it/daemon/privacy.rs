//! Privacy: names and numbers kept out of subjects, logs and the ledger,
//! and out of bodies unless `[privacy]` allows them.

use super::{addressed_to, head, outbox, subjects, D};
use crate::util::{assert_exit, docket_bin, entries, stderr, stdout, write_config, Mail};
use std::path::{Path, PathBuf};
use std::process::Command;

const PERSON: &str = "Zarina Fictionova";
const DOC_NUMBER: &str = "RC-PRIV-7703194265";
const REQ_NUMBER: &str = "REQ-PRIV-5512083647";
const EVENT_TITLE: &str = "Hearing at Qalamkas Orchard";

/// Fragments that must never leak, whole or in part.
fn name_fragments() -> Vec<&'static str> {
    vec![PERSON, "Fictionova", EVENT_TITLE, "Qalamkas"]
}

/// The numbers whole and their digits alone. Ten digits: the ledger and
/// the logs hold nanoseconds (nine digits) and message-id hashes, where a
/// five-digit fragment turned up by chance (`…T04:41:23.577031…`, one run
/// in ~150); a fragment of ten is out of their reach, and is still looked
/// for anywhere, next to anything.
fn number_fragments() -> Vec<&'static str> {
    vec![DOC_NUMBER, "7703194265", REQ_NUMBER, "5512083647"]
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
