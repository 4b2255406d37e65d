//! Events and escalation to supervisors.

use super::*;

#[test]
fn events_get_lead_reminders_only() {
    let cfg = load(
        r#"
[reminders]
lead_days = [60, 30]
overdue_every_days = 1
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.event]]
  title = "Court hearing"
  date = 2026-12-03
  lead_days = [7, 1]

[[case]]
id = "KZ-2"
caseworker = "bolat"
  [[case.event]]
  title = "Interview on a Saturday"
  date = 2026-12-05
  lead_days = [1, 0]
"#,
    );
    let rows = plan(&cfg, "2026-11-01", "2027-03-01");
    // KZ-1: Thu Dec 3: 7d Thu Nov 26, 1d Wed Dec 2, nothing after.
    // KZ-2: Sat Dec 5 -> act-by Fri Dec 4: 1d Thu Dec 3, 0d Fri Dec 4.
    assert_eq!(
        rows.iter().map(full).collect::<Vec<_>>(),
        strs(&[
            "2026-11-26 KZ-1 event:event 7d dl=2026-12-03 ab=2026-12-03 to=bolat cc=",
            "2026-12-02 KZ-1 event:event 1d dl=2026-12-03 ab=2026-12-03 to=bolat cc=",
            "2026-12-03 KZ-2 event:event 1d dl=2026-12-05 ab=2026-12-04 to=bolat cc=",
            "2026-12-04 KZ-2 event:event 0d dl=2026-12-05 ab=2026-12-04 to=bolat cc=",
        ])
    );
    let cases = |today: &str| -> Vec<(String, i64)> {
        upcoming(&cfg, today, 30)
            .into_iter()
            .map(|u| (u.case, u.days_left))
            .collect()
    };
    assert_eq!(
        cases("2026-12-03"),
        vec![("KZ-1".to_string(), 0), ("KZ-2".to_string(), 1)]
    );
    assert_eq!(cases("2026-12-04"), vec![("KZ-2".to_string(), 0)]);
    // The event's day itself is not "after its date".
    assert_eq!(cases("2026-12-05"), vec![("KZ-2".to_string(), -1)]);
    assert_eq!(cases("2026-12-06"), vec![]);
    let items = engine::items(&cfg);
    for it in &items {
        assert_eq!(
            it.latest_due(&cfg.calendar, d("2026-12-10")),
            None,
            "past events are settled"
        );
    }
}

#[test]
fn events_act_by_never_moves_past_their_date() {
    let cfg = load(
        r#"
[calendar]
day_off_deadline = "after"

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.event]]
  title = "Interview on a Saturday"
  date = 2026-12-05
  lead_days = [2, 0]
"#,
    );
    // Sat Dec 5: "after" would give Mon Dec 7, after the hearing, so an
    // event's act-by stays before its day: Fri Dec 4. 2d: Wed Dec 2; 0d: Fri Dec 4.
    let rows = plan(&cfg, "2026-11-01", "2027-01-31");
    assert_item_dates(&rows, "2026-12-05", "2026-12-04");
    assert_eq!(
        short(&rows),
        strs(&["2026-12-02 2d cc=", "2026-12-04 0d cc="])
    );
    assert_eq!(upcoming(&cfg, "2026-12-05", 30).len(), 1);
    assert_eq!(upcoming(&cfg, "2026-12-06", 30).len(), 0);
}

// ---------------------------------------------------------------------------
// Escalation
// ---------------------------------------------------------------------------

#[test]
fn escalation_to_the_supervisor_only_within_the_window() {
    let cfg = load(
        r#"
[reminders]
lead_days = [14, 7, 3]
overdue_every_days = 0
escalate_within_days = 5

[[case]]
id = "KZ-A"
caseworker = "aigerim"
  [[case.document]]
  kind = "cert"
  expires = 2026-11-20

[[case]]
id = "KZ-B"
caseworker = "bolat"
  [[case.document]]
  kind = "cert"
  expires = 2026-11-20
"#,
    );
    let rows = plan(&cfg, "2026-11-01", "2026-12-31");
    // Act-by Fri Nov 20: 14d Fri Nov 6, 7d Fri Nov 13, 3d Tue Nov 17 (3 <= 5),
    // overdue Sat Nov 21 -> Mon Nov 23. bolat has no supervisor.
    assert_eq!(
        rows.iter()
            .map(|e| format!(
                "{} {} {} to={} cc={}",
                e.date,
                e.case,
                e.step,
                e.to.join(","),
                e.cc.join(",")
            ))
            .collect::<Vec<_>>(),
        strs(&[
            "2026-11-06 KZ-A 14d to=aigerim cc=",
            "2026-11-06 KZ-B 14d to=bolat cc=",
            "2026-11-13 KZ-A 7d to=aigerim cc=",
            "2026-11-13 KZ-B 7d to=bolat cc=",
            "2026-11-17 KZ-A 3d to=aigerim cc=dana",
            "2026-11-17 KZ-B 3d to=bolat cc=",
            "2026-11-23 KZ-A overdue to=aigerim cc=dana",
            "2026-11-23 KZ-B overdue to=bolat cc=",
        ])
    );
}

#[test]
fn escalation_is_measured_from_the_day_the_reminder_is_sent() {
    // SPEC: "a reminder sent on a day d with act_by − d ≤ escalate_within_days".
    let cfg = load(
        r#"
[reminders]
lead_days = [7]
overdue_every_days = 0
escalate_within_days = 7

[[case]]
id = "KZ-1"
caseworker = "aigerim"
  [[case.document]]
  kind = "moved"
  expires = 2026-12-23
  [[case.document]]
  kind = "plain"
  expires = 2026-12-24
"#,
    );
    let rows = plan(&cfg, "2026-12-01", "2026-12-22");
    // moved: Wed Dec 23 - 7 = Wed Dec 16 (holiday) -> Tue Dec 15: 8 days > 7.
    // plain: Thu Dec 24 - 7 = Thu Dec 17: 7 days <= 7.
    assert_eq!(
        rows.iter()
            .map(|e| format!("{} {} {} cc={}", e.date, e.kind, e.step, e.cc.join(",")))
            .collect::<Vec<_>>(),
        strs(&["2026-12-15 moved 7d cc=", "2026-12-17 plain 7d cc=dana"])
    );
}
