//! Escalation: an item near its act-by date in the supervisor's own digest.

use super::{
    addressed_to, assert_digest_shape, head, history_keys, outbox, run_once, subjects, tuple, D,
};
use crate::util::{entries, field, history, write_config, Mail};

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
