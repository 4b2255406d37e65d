//! SIGHUP reload of a real daemon process.

use super::{head, new_since, outbox, subjects, D};
use crate::util::{entries, poll, replace_config, write_config, Daemon, Mail};
use std::time::Duration;

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
    // Saved atomically: the watch's reload and the SIGHUP's may come one
    // after the other, and the second may fall during the next save (a
    // file read half written is another broken version, told again).
    replace_config(tmp.path(), "docket.toml", &reload_config(true, true));
    d.signal(libc::SIGHUP);
    d.wait_log("reload rejected", 1);
    // The problem, with its location, is logged after the rejection's line
    // (a busy machine showed the log between the two).
    let log = d.wait_log("docket.toml:5:", 1);
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
    replace_config(tmp.path(), "docket.toml", &reload_config(true, false));
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
