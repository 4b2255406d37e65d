//! Catch-up, once only: one digest per recipient a day, and one late
//! digest after downtime.

use super::{
    addressed_to, assert_digest_shape, head, history_keys, new_since, outbox, run_once, subjects,
    tuple, D, LATER,
};
use crate::util::{entries, field, history, stderr, write_config, Mail};
use serde_json::Value;
use std::path::{Path, PathBuf};

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
