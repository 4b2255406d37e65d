//! Bills: expected stages, reviews, stage and unblocked notices.

use super::*;

const BILL_MIG: &str = r#"
[kinds.wait]
answer_within = "1y"
overdue_every_days = 0
lead_days = []

[[case]]
id = "KZ-1"
caseworker = "aigerim"
  [[case.request]]
  kind = "wait"
  filed = 2024-01-10
  waiting_for = "mig"

[[case]]
id = "KZ-X"
caseworker = "erlan"
  [[case.request]]
  kind = "wait"
  filed = 2024-01-10

[[bill]]
id = "mig"
title = "On amendments regarding migration"
owner = "bolat"
stage = "mazhilis"
stage_since = 2026-03-22
expected = { drafted = 2026-01-15, mazhilis = 2026-03-01, senate = 2026-06-10, signed = 2026-07-05, in_force = 2026-12-16 }
last_checked = 2026-04-01
check_every_days = 30
lead_days = [14, 1]
"#;

#[test]
fn bill_stage_dates_reviews_and_stage_notice() {
    let cfg = load(BILL_MIG);
    let rows = plan(&cfg, "2026-01-01", "2026-12-31");
    assert_plan_sorted(&rows);
    // Stage notice: Sun Mar 22 -> Thu Mar 26, to the owner and to aigerim,
    // whose request waits for the bill (not erlan). The notice is dated on
    // or after stage_since, so act_by - d <= 0: escalated to dana.
    // Reviews: Apr 1 + 30k: May 1 (holiday) -> Mon May 4; May 31 (Sun) -> Jun 1;
    // Jun 30; Jul 30; Aug 29 (Sat) -> Aug 31; Sep 28; Oct 28; Nov 27; Dec 27
    // (Sun) -> Dec 28.
    // senate Wed Jun 10: 14d Wed May 27 (Kurban Ait) -> Tue May 26; 1d Jun 9;
    //   one overdue Thu Jun 11.
    // signed Sun Jul 5 -> act-by Fri Jul 3: 14d Fri Jun 19; 1d Thu Jul 2;
    //   overdue Sat Jul 4 -> Tue Jul 7 (Jul 6 holiday).
    // in_force Wed Dec 16 (holiday) -> act-by Tue Dec 15: 14d Tue Dec 1;
    //   1d Mon Dec 14; overdue Thu Dec 17.
    // drafted and mazhilis are not after the current stage: nothing.
    assert_eq!(
        rows.iter().map(no_ab).collect::<Vec<_>>(),
        strs(&[
            "2026-03-26 mig bill:mazhilis stage dl=2026-03-22 to=aigerim,bolat cc=dana",
            "2026-05-04 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-05-26 mig bill:senate 14d dl=2026-06-10 to=bolat cc=",
            "2026-06-01 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-06-09 mig bill:senate 1d dl=2026-06-10 to=bolat cc=",
            "2026-06-11 mig bill:senate overdue dl=2026-06-10 to=bolat cc=",
            "2026-06-19 mig bill:signed 14d dl=2026-07-05 to=bolat cc=",
            "2026-06-30 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-07-02 mig bill:signed 1d dl=2026-07-05 to=bolat cc=",
            "2026-07-07 mig bill:signed overdue dl=2026-07-05 to=bolat cc=",
            "2026-07-30 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-08-31 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-09-28 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-10-28 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-11-27 mig bill:review review dl=2026-05-01 to=bolat cc=",
            "2026-12-01 mig bill:in_force 14d dl=2026-12-16 to=bolat cc=",
            "2026-12-14 mig bill:in_force 1d dl=2026-12-16 to=bolat cc=",
            "2026-12-17 mig bill:in_force overdue dl=2026-12-16 to=bolat cc=",
            "2026-12-28 mig bill:review review dl=2026-05-01 to=bolat cc=",
        ])
    );
    let ab: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| r.kind != "mazhilis")
        .map(|r| (r.kind.clone(), r.act_by.clone()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("review", "2026-04-30"),
        ("senate", "2026-06-10"),
        ("signed", "2026-07-03"),
        ("in_force", "2026-12-15"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(ab, want);
    // Only ONE overdue per stage date, however long the plan runs.
    let later = plan(&cfg, "2027-01-01", "2028-12-31");
    assert!(
        later.iter().all(|r| r.step == "review"),
        "{:?}",
        later.iter().map(full).collect::<Vec<_>>()
    );
}

#[test]
fn bill_in_upcoming() {
    let cfg = load(BILL_MIG);
    let filter = UpcomingFilter {
        case: Some("mig"),
        caseworker: None,
    };
    let rows = |days: u32| -> Vec<String> {
        report::upcoming(&cfg, d("2026-06-01"), days, &filter)
            .iter()
            .map(|u| {
                format!(
                    "{} {} {}:{} dl={} ab={} left={}",
                    u.case, u.caseworker, u.item, u.kind, u.deadline, u.act_by, u.days_left
                )
            })
            .collect()
    };
    // The review (deadline Fri May 1, a holiday -> act-by Thu Apr 30) is
    // overdue; senate's act-by Jun 10 is 9 days away.
    assert_eq!(
        rows(9),
        strs(&[
            "mig bolat bill:review dl=2026-05-01 ab=2026-04-30 left=-32",
            "mig bolat bill:senate dl=2026-06-10 ab=2026-06-10 left=9",
        ])
    );
    assert_eq!(
        rows(8),
        strs(&["mig bolat bill:review dl=2026-05-01 ab=2026-04-30 left=-32"])
    );
}

#[test]
fn bill_unblocked_notice_on_the_last_stage() {
    let cfg = load(
        r#"
[kinds.wait]
answer_within = "1y"
overdue_every_days = 0
lead_days = []

[[case]]
id = "KZ-1"
caseworker = "erlan"
  [[case.request]]
  kind = "wait"
  filed = 2024-01-10
  waiting_for = "law2"

[[case]]
id = "KZ-2"
caseworker = "aigerim"
  [[case.request]]
  kind = "wait"
  filed = 2024-01-10
  waiting_for = "law2"
  [[case.request]]
  kind = "wait"
  filed = 2024-01-10
  waiting_for = "law3"

[[bill]]
id = "law2"
title = "Final"
owner = "bolat"
stages = ["draft", "final"]
stage = "final"
stage_since = 2026-07-06

[[bill]]
id = "law3"
title = "Not yet final"
owner = "bolat"
stage = "senate"
stage_since = 2026-07-06

[[bill]]
id = "law4"
title = "Nobody waits"
owner = "bolat"
stages = ["draft", "final"]
stage = "final"
stage_since = 2026-07-06
"#,
    );
    let rows = plan(&cfg, "2026-07-01", "2026-07-31");
    // Mon Jul 6 is a holiday: notices on Tue Jul 7. law2 is at its last stage:
    // the waiting caseworkers get `unblocked`, the owner `stage`. law3 is not:
    // everybody gets `stage`. law4: only the owner.
    assert_eq!(
        sorted(rows.iter().map(no_ab).collect()),
        strs(&[
            "2026-07-07 law2 bill:final stage dl=2026-07-06 to=bolat cc=",
            "2026-07-07 law2 bill:final unblocked dl=2026-07-06 to=aigerim,erlan cc=dana",
            "2026-07-07 law3 bill:senate stage dl=2026-07-06 to=aigerim,bolat cc=dana",
            "2026-07-07 law4 bill:final stage dl=2026-07-06 to=bolat cc=",
        ])
    );
    assert_plan_sorted(&rows);
}

#[test]
fn stage_notice_goes_to_refused_requests_but_not_to_withdrawn_or_answered_ones() {
    // Issue 8, item 15: a travel-document request refused because the law
    // was not in force is exactly the one to file again once it is.
    let mut text = String::from(
        r#"
[kinds.wait]
answer_within = "1y"
overdue_every_days = 0
lead_days = []
"#,
    );
    for (i, (cw, status)) in [
        ("erlan", "pending"),
        ("aigerim", "refused"),
        ("bolat", "withdrawn"),
        ("dana", "answered"),
    ]
    .iter()
    .enumerate()
    {
        text += &format!(
            "\n[[case]]\nid = \"KZ-{i}\"\ncaseworker = \"{cw}\"\n  [[case.request]]\n  kind = \"wait\"\n  filed = 2024-01-10\n  status = \"{status}\"\n  waiting_for = \"law\"\n"
        );
    }
    let base = text.clone()
        + r#"
[[bill]]
id = "law"
owner = "bolat"
stages = ["draft", "senate", "final"]
stage = "senate"
stage_since = 2026-07-06
"#;
    let rows = plan(&load(&base), "2026-07-01", "2026-07-31");
    assert_eq!(
        sorted(rows.iter().map(no_ab).collect()),
        strs(&["2026-07-07 law bill:senate stage dl=2026-07-06 to=aigerim,bolat,erlan cc=dana"])
    );
    let last = base.replace("stage = \"senate\"", "stage = \"final\"");
    let rows = plan(&load(&last), "2026-07-01", "2026-07-31");
    assert_eq!(
        sorted(rows.iter().map(no_ab).collect()),
        strs(&[
            "2026-07-07 law bill:final stage dl=2026-07-06 to=bolat cc=",
            "2026-07-07 law bill:final unblocked dl=2026-07-06 to=aigerim,erlan cc=dana",
        ])
    );
}
