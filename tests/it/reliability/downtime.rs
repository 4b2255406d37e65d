//! The daemon off across lead steps and an act-by date.

use super::{key_to_mid, run_once};
use crate::util::{entries, field, history, write_config, Mail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Downtime (a plain calendar): act-by D = 2026-08-20.
/// lead_days [30, 14, 7, 1], overdue every 7 days.
/// X1 document, aigerim, acts by D: 30d 07-21, 14d 08-06, 7d 08-13,
///   1d 08-19, overdue-0 08-21, overdue-1 08-28.
/// X2 request, aigerim, extended to D: the same steps.
/// X3 document, bolat, acts by 08-25: 7d 08-18, 1d 08-24, overdue-0 08-26.
/// X4 event, bolat, on 08-19: lead reminders only, none after its day.
/// X5 document, bolat, acts by 08-24: 1d 08-23, overdue-0 08-25.
fn downtime_config(dir: &Path) -> PathBuf {
    let text = r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"

[mail]
transport = "file"
dir = "outbox"
from = "Docket <docket@ngo.example>"

[calendar]
weekend = []
holidays = "none"

[kinds.refugee_certificate]
label = "Refugee certificate"

[kinds.travel_document]
label = "Travel document request"
answer_within = "15wd"

[kinds.court_hearing]
label = "Court hearing"

[reminders]
lead_days = [30, 14, 7, 1]
overdue_every_days = 7

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[caseworker]]
id = "bolat"
name = "Bolat Example"
email = "bolat@ngo.example"

[[case]]
id = "KZ-X1"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-08-20
  expires = 2026-08-20

[[case]]
id = "KZ-X2"
caseworker = "aigerim"
  [[case.request]]
  kind = "travel_document"
  filed = 2026-07-01
  extended_to = 2026-08-20

[[case]]
id = "KZ-X3"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-08-25
  expires = 2026-08-25

[[case]]
id = "KZ-X4"
caseworker = "bolat"
  [[case.event]]
  kind = "court_hearing"
  title = "Hearing"
  date = 2026-08-19

[[case]]
id = "KZ-X5"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-08-24
  expires = 2026-08-24
"#;
    write_config(dir, "docket.toml", text)
}

/// The one new message to `to`.
#[track_caller]
fn new_to<'a>(
    before: &BTreeMap<PathBuf, Mail>,
    now: &'a BTreeMap<PathBuf, Mail>,
    to: &str,
) -> &'a Mail {
    let found: Vec<&Mail> = now
        .iter()
        .filter(|(p, m)| !before.contains_key(*p) && m.header("To") == Some(to))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(found.len(), 1, "one new message to {to}");
    found[0]
}

/// The (case, step, due_date, late) rows recorded on the pass of `day`
/// (those not in `before`), sorted.
fn recorded_since(before: &[Value], now: &[Value]) -> Vec<(String, String, String, bool)> {
    let old = key_to_mid(before);
    let mut v: Vec<_> = now
        .iter()
        .filter(|r| {
            !old.contains_key(&(
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "recipient").to_string(),
            ))
        })
        .map(|r| {
            assert_eq!(field(r, "state"), "sent", "{r}");
            (
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "due_date").to_string(),
                r["late"].as_bool().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row4(case: &str, step: &str, due: &str, late: bool) -> (String, String, String, bool) {
    (case.into(), step.into(), due.into(), late)
}

#[test]
fn downtime_across_lead_steps_and_act_by_sends_one_late_reminder_per_item() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = downtime_config(tmp.path());
    let out_dir = tmp.path().join("outbox");

    // D-40: nothing due yet.
    let log = run_once(&cfg, "2026-07-11", 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert!(crate::util::outbox_by_path(&out_dir).is_empty());
    assert!(history(&cfg).is_empty());

    // Off until D+3 (08-23): the 30d, 14d, 7d and 1d steps and the act-by
    // date passed unseen. One reminder per item, the latest step: the
    // first overdue one for X1 and X2 (late), 7d for X3 (late), 1d for X5
    // (due today: not late); X4's hearing is over: nothing.
    let before = crate::util::outbox_by_path(&out_dir);
    let log = run_once(&cfg, "2026-08-23", 0);
    assert!(log.contains("digests_sent=2"), "{log}");
    let rows = history(&cfg);
    assert_eq!(
        recorded_since(&[], &rows),
        vec![
            row4("KZ-X1", "overdue-0", "2026-08-21", true),
            row4("KZ-X2", "overdue-0", "2026-08-21", true),
            row4("KZ-X3", "7d", "2026-08-18", true),
            row4("KZ-X5", "1d", "2026-08-23", false),
        ]
    );
    let now = crate::util::outbox_by_path(&out_dir);
    assert_eq!(now.len(), 2);
    let a = new_to(&before, &now, "aigerim@ngo.example");
    let es = entries(a.text());
    assert_eq!(es.len(), 2, "{}", a.text());
    for e in &es {
        assert!(e.contains("[OVERDUE]") && e.contains("[LATE]"), "{e}");
    }
    assert_eq!(
        a.text().matches("planned for 2026-08-21").count(),
        2,
        "{}",
        a.text()
    );
    assert!(
        a.text().contains("counts as a refusal"),
        "the overdue request is told plainly:\n{}",
        a.text()
    );
    // Two late items, and the tag once more where it is explained.
    assert_eq!(a.html().matches(">LATE</span>").count(), 3, "{}", a.html());
    let bmail = new_to(&before, &now, "bolat@ngo.example");
    let es = entries(bmail.text());
    assert_eq!(es.len(), 2, "{}", bmail.text());
    let x3 = es.iter().find(|e| e.contains("KZ-X3")).unwrap();
    let x5 = es.iter().find(|e| e.contains("KZ-X5")).unwrap();
    assert!(x3.contains("[LATE]"), "{x3}");
    assert!(!x5.contains("[LATE]"), "due today is not late: {x5}");
    assert!(bmail.text().contains("planned for 2026-08-18"));
    assert!(!bmail.raw.contains("KZ-X4"), "the hearing is over");
    for m in [a, bmail] {
        assert!(m.header("Subject").unwrap().contains("2026-08-23"));
    }

    // A second pass that day sends nothing.
    let log = run_once(&cfg, "2026-08-23", 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(crate::util::outbox_by_path(&out_dir).len(), 2);
    assert_eq!(history(&cfg), rows);

    // Off again until 08-29: again one late reminder per item, the latest
    // missed one (X1, X2 overdue-1 on 08-28; X3, X5 their first overdue).
    let before = crate::util::outbox_by_path(&out_dir);
    run_once(&cfg, "2026-08-29", 0);
    let rows2 = history(&cfg);
    assert_eq!(
        recorded_since(&rows, &rows2),
        vec![
            row4("KZ-X1", "overdue-1", "2026-08-28", true),
            row4("KZ-X2", "overdue-1", "2026-08-28", true),
            row4("KZ-X3", "overdue-0", "2026-08-26", true),
            row4("KZ-X5", "overdue-0", "2026-08-25", true),
        ]
    );
    let now = crate::util::outbox_by_path(&out_dir);
    assert_eq!(now.len(), 4);
    for to in ["aigerim@ngo.example", "bolat@ngo.example"] {
        let m = new_to(&before, &now, to);
        let es = entries(m.text());
        assert_eq!(es.len(), 2, "{}", m.text());
        assert!(es.iter().all(|e| e.contains("[LATE]")), "{es:?}");
    }
    let log = run_once(&cfg, "2026-08-29", 0);
    assert!(log.contains("digests_sent=0"), "{log}");

    // The state and the outbox are private.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let state = tmp.path().join("state");
    assert_eq!(mode(&state), 0o700, "state_dir");
    assert_eq!(mode(&state.join("ledger.sqlite3")) & 0o077, 0, "ledger");
    assert_eq!(mode(&out_dir), 0o700, "outbox");
}
