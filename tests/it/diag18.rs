//! Issue 18, items 2 and 3: what a caseworker reads about their files.
//!
//! Item 3: values are as sensitive as their key (SPEC 9). A piped `docket
//! check` and the journal show the public ones (a date, a caseworker id, a
//! time zone) and the fix (`write 2025-10-16`), and never a person's name,
//! a document number or an event's title, on the message line or on the
//! quoted line.

use crate::util::*;
use std::path::PathBuf;

const MAIN: &str = r#"[service]
timezone = "Asia/Almaty"
include = ["cases.d/*.toml"]
state_dir = "state"
admin = "it@ngo.example"

[mail]
transport = "file"
dir = "outbox"
from = "Docket <docket@ngo.example>"

[kinds.refugee_certificate]
valid_for = "1y"

[kinds.court_hearing]
lead_days = [7, 1]

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"
language = "ru"

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"
language = "kk"
"#;

/// Personal values of the broken files below: never shown masked.
const PERSONAL: [&str; 4] = ["Testova", "N 0123456", "Hearing about", "Aigerim Testova"];

/// A case file with public mistakes (a date as people write it, a
/// misspelt caseworker id) and mistakes on lines that hold personal
/// values (a name without quotes, a number with curly quotes, a title
/// with an impossible escape).
fn broken_case() -> String {
    r#"[[case]]
id = "KZ-0042"
caseworker = "aigerm"
person = Aigerim Testova

  [[case.document]]
  kind = "refugee_certificate"
  number = “N 0123456”
  issued = 16.10.2025

  [[case.event]]
  kind = "court_hearing"
  title = "Hearing about \q Aigerim"
  date = 2027-01-10
"#
    .to_string()
}

fn setup(case: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), "docket.toml", MAIN);
    write_config(tmp.path(), "cases.d/kz-0042.toml", case);
    (tmp, cfg)
}

#[track_caller]
fn assert_no_personal(what: &str, text: &str) {
    for v in PERSONAL {
        assert!(!text.contains(v), "{what} shows {v:?}:\n{text}");
    }
}

#[test]
fn item3_piped_check_shows_public_values_and_masks_personal_ones() {
    let (_tmp, cfg) = setup(&broken_case());
    let out = docket(&cfg, &["check", "--today", "2026-12-01"]);
    let se = stderr(&out);
    assert_eq!(out.status.code(), Some(78), "{se}");
    assert_no_personal("a piped check", &se);
    // Public: the date, its fix, and the line itself.
    assert!(
        se.contains("\"16.10.2025\" is not a date docket can read"),
        "{se}"
    );
    assert!(
        se.contains("= help: write 2025-10-16 (year-month-day, no quotes)"),
        "{se}"
    );
    assert!(
        se.contains("  issued = 16.10.2025\n"),
        "the line is shown: {se}"
    );
    // Sensitive: the lines keep their keys only.
    assert!(se.contains("person = …\n"), "{se}");
    assert!(se.contains("number = …\n"), "{se}");
    assert!(se.contains("title = \"…\"\n"), "{se}");
    // A misspelt caseworker id is shown, with what to write.
    let (_tmp2, cfg2) = setup(
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerm\"\nperson = \"Aigerim Testova\"\n",
    );
    let se2 = stderr(&docket(&cfg2, &["check", "--today", "2026-12-01"]));
    assert!(
        se2.contains("error: unknown caseworker \"aigerm\""),
        "{se2}"
    );
    assert!(se2.contains("did you mean \"aigerim\"?"), "{se2}");
    assert!(se2.contains("caseworker = \"aigerm\"\n"), "{se2}");
    assert_no_personal("a piped check", &se2);
}

#[test]
fn item3_an_unknown_time_zone_is_named_in_a_piped_check() {
    let (_tmp, cfg) = setup("");
    std::fs::write(&cfg, MAIN.replace("Asia/Almaty", "Asia/Almati")).unwrap();
    let se = stderr(&docket(&cfg, &["check"]));
    assert!(
        se.contains("error: unknown time zone \"Asia/Almati\""),
        "{se}"
    );
    assert!(se.contains("timezone = \"Asia/Almati\""), "{se}");
}

#[test]
fn item3_the_journal_shows_the_fix_and_masks_the_person() {
    let (tmp, cfg) = setup(
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerim\"\nperson = \"Aigerim Testova\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2025-10-16\n",
    );
    let mut d = Daemon::start(&cfg, "2026-06-02", tmp.path().join("docket.log"));
    d.wait_log("pass done", 1);
    write_config(tmp.path(), "cases.d/kz-0042.toml", &broken_case());
    d.wait_log("left out", 1);
    let log = d.log();
    assert!(
        log.contains("write 2025-10-16 (year-month-day, no quotes)"),
        "{log}"
    );
    assert_no_personal("the log", &log);
    for m in outbox_mails(&tmp.path().join("outbox")) {
        assert_no_personal("a notice", &m.body);
    }
    assert_eq!(d.stop().code(), Some(0));
}
