//! Lead, act-by and overdue reminders; resolved items.

use super::*;

const ONE_DOC_2026_05_12: &str = r#"
[reminders]
lead_days = [30, 14, 7, 1]
overdue_every_days = 7
escalate_within_days = 7

[[case]]
id = "KZ-1"
caseworker = "aigerim"
  [[case.document]]
  kind = "cert"
  issued = 2025-05-12
  expires = 2026-05-12
"#;

#[test]
fn lead_and_overdue_reminders_of_a_document() {
    let cfg = load(ONE_DOC_2026_05_12);
    let rows = plan(&cfg, "2026-04-01", "2026-06-05");
    // Act-by Tue 2026-05-12.
    // 30d: Sun Apr 12 -> Fri Apr 10. 14d: Tue Apr 28. 7d: Tue May 5 (7 <= 7:
    // escalated). 1d: Mon May 11 (May 9 carried) -> Fri May 8.
    // Overdue: May 13, May 20, May 27 (Kurban Ait) -> Thu May 28, Jun 3.
    assert_eq!(
        short(&rows),
        strs(&[
            "2026-04-10 30d cc=",
            "2026-04-28 14d cc=",
            "2026-05-05 7d cc=dana",
            "2026-05-08 1d cc=dana",
            "2026-05-13 overdue cc=dana",
            "2026-05-20 overdue cc=dana",
            "2026-05-28 overdue cc=dana",
            "2026-06-03 overdue cc=dana",
        ])
    );
    assert_item_dates(&rows, "2026-05-12", "2026-05-12");
    assert_eq!(
        full(&rows[0]),
        "2026-04-10 KZ-1 document:cert 30d dl=2026-05-12 ab=2026-05-12 to=aigerim cc="
    );
}

#[test]
fn latest_due_is_the_latest_missed_step() {
    let cfg = load(ONE_DOC_2026_05_12);
    let items = engine::items(&cfg);
    assert_eq!(items.len(), 1);
    let latest = |today: &str| {
        items[0]
            .latest_due(&cfg.calendar, d(today))
            .map(|(date, step)| (date.to_string(), step.label()))
    };
    assert_eq!(latest("2026-04-09"), None);
    assert_eq!(
        latest("2026-04-10"),
        Some(("2026-04-10".into(), "30d".into()))
    );
    assert_eq!(
        latest("2026-05-07"),
        Some(("2026-05-05".into(), "7d".into()))
    );
    assert_eq!(
        latest("2026-05-12"),
        Some(("2026-05-08".into(), "1d".into()))
    );
    assert_eq!(
        latest("2026-05-25"),
        Some(("2026-05-20".into(), "overdue".into()))
    );
    // May 27 is a day off: the third overdue reminder is on May 28.
    assert_eq!(
        latest("2026-05-27"),
        Some(("2026-05-20".into(), "overdue".into()))
    );
    assert_eq!(
        latest("2026-05-28"),
        Some(("2026-05-28".into(), "overdue".into()))
    );
    let due = engine::due(&cfg, &items, d("2026-05-25"));
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].date, due[0].step.label()),
        (d("2026-05-20"), "overdue".to_string())
    );
}

#[test]
fn lead_reminders_never_before_issued_or_filed() {
    let cfg = load(
        r#"
[reminders]
lead_days = [30, 14, 7, 1]
overdue_every_days = 7
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "late_issue"
  issued = 2026-04-20
  expires = 2026-05-12
  [[case.document]]
  kind = "issued_on_lead_day"
  issued = 2026-04-28
  expires = 2026-05-12
  [[case.request]]
  kind = "asylum"
  filed = 2026-05-04
  answer_within = "15wd"
"#,
    );
    let rows = plan(&cfg, "2026-04-01", "2026-06-12");
    let of = |kind: &str| -> Vec<String> {
        let r: Vec<PlanEntry> = rows.iter().filter(|r| r.kind == kind).cloned().collect();
        short(&r)
    };
    // 30d (Apr 10) is before issued Apr 20: dropped.
    assert_eq!(
        of("late_issue"),
        strs(&[
            "2026-04-28 14d cc=",
            "2026-05-05 7d cc=",
            "2026-05-08 1d cc=",
            "2026-05-13 overdue cc=",
            "2026-05-20 overdue cc=",
            "2026-05-28 overdue cc=",
            "2026-06-03 overdue cc=",
            "2026-06-10 overdue cc=",
        ])
    );
    // A lead reminder on the issue day itself is not before it.
    assert_eq!(of("issued_on_lead_day")[0], "2026-04-28 14d cc=");
    assert_eq!(of("issued_on_lead_day").len(), 8);
    // Filed Mon May 4 + 15wd = Thu May 28. 30d (Apr 28) is before filing.
    // 14d Thu May 14, 7d Thu May 21, 1d Wed May 27 (Kurban Ait) -> Tue May 26.
    // Overdue May 29, Jun 5, Jun 12.
    let asylum: Vec<PlanEntry> = rows
        .iter()
        .filter(|r| r.kind == "asylum")
        .cloned()
        .collect();
    assert_item_dates(&asylum, "2026-05-28", "2026-05-28");
    assert_eq!(
        short(&asylum),
        strs(&[
            "2026-05-14 14d cc=",
            "2026-05-21 7d cc=",
            "2026-05-26 1d cc=",
            "2026-05-29 overdue cc=",
            "2026-06-05 overdue cc=",
            "2026-06-12 overdue cc=",
        ])
    );
    assert_eq!(asylum[0].item, "request");
}

fn sunday_deadline(mode: &str) -> Config {
    load(&format!(
        r#"
[calendar]
day_off_deadline = "{mode}"

[reminders]
lead_days = [7, 1]
overdue_every_days = 7
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "cert"
  expires = 2026-03-22
"#
    ))
}

#[test]
fn act_by_before_is_the_previous_working_day() {
    let cfg = sunday_deadline("before");
    // Sun Mar 22 -> Fri Mar 20. 7d Fri Mar 13, 1d Thu Mar 19. Overdue: Sat
    // Mar 21 -> Thu Mar 26 (23-25 off); Sat Mar 28 -> Mon Mar 30.
    let rows = plan(&cfg, "2026-03-01", "2026-04-05");
    assert_item_dates(&rows, "2026-03-22", "2026-03-20");
    assert_eq!(
        short(&rows),
        strs(&[
            "2026-03-13 7d cc=",
            "2026-03-19 1d cc=",
            "2026-03-26 overdue cc=",
            "2026-03-30 overdue cc="
        ])
    );
    let up = upcoming(&cfg, "2026-03-01", 90);
    assert_eq!(
        up.iter().map(uline).collect::<Vec<_>>(),
        strs(&["KZ-1 bolat document:cert dl=2026-03-22 ab=2026-03-20 left=19 active"])
    );
}

#[test]
fn act_by_after_is_the_next_working_day() {
    let cfg = sunday_deadline("after");
    // Sun Mar 22 -> Thu Mar 26. 7d Thu Mar 19; 1d Wed Mar 25 (off) -> Fri
    // Mar 20. Overdue Fri Mar 27, Fri Apr 3.
    let rows = plan(&cfg, "2026-03-01", "2026-04-05");
    assert_item_dates(&rows, "2026-03-22", "2026-03-26");
    assert_eq!(
        short(&rows),
        strs(&[
            "2026-03-19 7d cc=",
            "2026-03-20 1d cc=",
            "2026-03-27 overdue cc=",
            "2026-04-03 overdue cc="
        ])
    );
    let up = upcoming(&cfg, "2026-03-01", 90);
    assert_eq!(
        up.iter().map(uline).collect::<Vec<_>>(),
        strs(&["KZ-1 bolat document:cert dl=2026-03-22 ab=2026-03-26 left=25 active"])
    );
}

#[test]
fn act_by_keep_is_the_deadline_itself() {
    let cfg = sunday_deadline("keep");
    // Act-by Sun Mar 22. 7d Sun Mar 15 -> Fri Mar 13; 1d Sat Mar 21 -> Fri
    // Mar 20. Overdue Mon Mar 23 (off) -> Thu Mar 26; Mon Mar 30.
    let rows = plan(&cfg, "2026-03-01", "2026-04-05");
    assert_item_dates(&rows, "2026-03-22", "2026-03-22");
    assert_eq!(
        short(&rows),
        strs(&[
            "2026-03-13 7d cc=",
            "2026-03-20 1d cc=",
            "2026-03-26 overdue cc=",
            "2026-03-30 overdue cc="
        ])
    );
    let up = upcoming(&cfg, "2026-03-01", 90);
    assert_eq!(
        up.iter().map(uline).collect::<Vec<_>>(),
        strs(&["KZ-1 bolat document:cert dl=2026-03-22 ab=2026-03-22 left=21 active"])
    );
}

#[test]
fn act_by_before_skips_a_run_of_holidays() {
    let cfg = load(
        r#"
[reminders]
lead_days = [7]
overdue_every_days = 0
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "cert"
  expires = 2026-03-25
  [[case.document]]
  kind = "visa"
  expires = 2026-04-01
"#,
    );
    let rows = plan(&cfg, "2026-03-01", "2026-04-30");
    let lines: Vec<String> = rows.iter().map(full).collect();
    // Wed Mar 25 (carried Nauryz) -> Fri Mar 20; 7d Fri Mar 13; overdue Sat
    // Mar 21 -> Thu Mar 26. Visa: act-by Wed Apr 1, 7d Wed Mar 25 -> Fri Mar
    // 20; overdue Thu Apr 2.
    assert_eq!(
        lines,
        strs(&[
            "2026-03-13 KZ-1 document:cert 7d dl=2026-03-25 ab=2026-03-20 to=bolat cc=",
            "2026-03-20 KZ-1 document:visa 7d dl=2026-04-01 ab=2026-04-01 to=bolat cc=",
            "2026-03-26 KZ-1 document:cert overdue dl=2026-03-25 ab=2026-03-20 to=bolat cc=",
            "2026-04-02 KZ-1 document:visa overdue dl=2026-04-01 ab=2026-04-01 to=bolat cc=",
        ])
    );
}

#[test]
fn overdue_reminders_move_to_the_next_working_day() {
    let cfg = load(
        r#"
[reminders]
lead_days = []
overdue_every_days = 2
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "cert"
  expires = 2026-03-19
"#,
    );
    // Act-by Thu Mar 19; raw overdue days Mar 20, 22, 24, 26, 28, 30, Apr 1:
    // 20 -> 20; 22, 24, 26 -> Thu 26; 28, 30 -> Mon 30; Apr 1.
    // Reminders moved onto the same day are sent once.
    let rows = plan(&cfg, "2026-03-01", "2026-04-02");
    assert_item_dates(&rows, "2026-03-19", "2026-03-19");
    assert_eq!(
        short(&rows),
        strs(&[
            "2026-03-20 overdue cc=",
            "2026-03-26 overdue cc=",
            "2026-03-30 overdue cc=",
            "2026-04-01 overdue cc="
        ])
    );
}

#[test]
fn overdue_every_zero_days_is_a_single_reminder() {
    let cfg = load(
        r#"
[reminders]
lead_days = [1]
overdue_every_days = 0
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "cert"
  expires = 2026-12-16
"#,
    );
    // Wed Dec 16 is a holiday: act-by Tue Dec 15; 1d Mon Dec 14; overdue
    // Dec 16 -> Thu Dec 17, once.
    let rows = plan(&cfg, "2026-12-01", "2027-12-31");
    assert_item_dates(&rows, "2026-12-16", "2026-12-15");
    assert_eq!(
        short(&rows),
        strs(&["2026-12-14 1d cc=", "2026-12-17 overdue cc="])
    );
}

#[test]
fn lead_steps_landing_on_the_same_day_are_sent_once() {
    // SPEC is silent; one reminder per day (the most urgent step) is what a
    // caseworker expects from a digest.
    let cfg = load(
        r#"
[reminders]
lead_days = [3, 2, 1]
overdue_every_days = 0
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "cert"
  expires = 2026-11-23
"#,
    );
    // Act-by Mon Nov 23: 3d Fri Nov 20; 2d Sat -> Fri Nov 20; 1d Sun -> Fri.
    let rows = plan(&cfg, "2026-11-01", "2026-11-23");
    assert_eq!(short(&rows), strs(&["2026-11-20 1d cc="]));
}

// ---------------------------------------------------------------------------
// Resolved items
// ---------------------------------------------------------------------------

#[test]
fn resolved_statuses_get_nothing_and_expired_is_not_resolved() {
    let cfg = load(
        r#"
[reminders]
lead_days = [7]
overdue_every_days = 7
escalate_within_days = 0

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "a_renewal_filed"
  expires = 2026-06-10
  status = "renewal_filed"
  filed = 2026-05-20
  [[case.document]]
  kind = "b_renewed"
  expires = 2026-06-10
  status = "renewed"
  [[case.document]]
  kind = "c_withdrawn"
  expires = 2026-06-10
  status = "withdrawn"
  [[case.document]]
  kind = "d_expired"
  expires = 2026-06-10
  status = "expired"
  [[case.request]]
  kind = "r_answered"
  extended_to = 2026-06-10
  status = "answered"
  [[case.request]]
  kind = "r_refused"
  extended_to = 2026-06-10
  status = "refused"
  [[case.request]]
  kind = "r_withdrawn"
  extended_to = 2026-06-10
  status = "withdrawn"
  [[case.request]]
  kind = "r_pending"
  extended_to = 2026-06-10
  status = "pending"
"#,
    );
    let rows = plan(&cfg, "2026-05-01", "2026-06-30");
    // Act-by Wed Jun 10: 7d Wed Jun 3; overdue Jun 11, 18, 25.
    let want = strs(&[
        "2026-06-03 KZ-1 document:d_expired 7d dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-03 KZ-1 request:r_pending 7d dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-11 KZ-1 document:d_expired overdue dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-11 KZ-1 request:r_pending overdue dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-18 KZ-1 document:d_expired overdue dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-18 KZ-1 request:r_pending overdue dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-25 KZ-1 document:d_expired overdue dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
        "2026-06-25 KZ-1 request:r_pending overdue dl=2026-06-10 ab=2026-06-10 to=bolat cc=",
    ]);
    assert_eq!(sorted(rows.iter().map(full).collect()), want);
    assert_plan_sorted(&rows);
    let up = upcoming(&cfg, "2026-06-01", 30);
    assert_eq!(
        sorted(up.iter().map(uline).collect()),
        strs(&[
            "KZ-1 bolat document:d_expired dl=2026-06-10 ab=2026-06-10 left=9 expired",
            "KZ-1 bolat request:r_pending dl=2026-06-10 ab=2026-06-10 left=9 pending",
        ])
    );
    // Overdue ones stay in `upcoming`.
    let up = upcoming(&cfg, "2026-09-01", 0);
    assert_eq!(up.len(), 2);
    assert!(
        up.iter().all(|u| u.days_left == -83),
        "{:?}",
        up.iter().map(uline).collect::<Vec<_>>()
    );
}
