//! `history` against the messages sent, and `preview`, which writes nothing.

use super::{head, outbox, run_once, subjects, D};
use crate::util::{
    assert_exit, docket, entries, field, history, stderr, stdout, stdout_json, write_config, Mail,
};
use std::collections::{BTreeMap, BTreeSet};

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
