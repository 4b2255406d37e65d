//! `docket plan`: its JSON rows and their order, the date range and its
//! default, today's date in the service's time zone, bad dates on the
//! command line, the table, an invalid config.

use super::{code, column, config, date, rows, CONFIG, OK, TODAY, USAGE};
use crate::util::{assert_exit, docket, stderr, stdout, stdout_json};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const PLAN: &str = r#"[service]
timezone = "Asia/Almaty"

[kinds.travel_document]
answer_within = "15wd"
lead_days = [3, 1]
overdue_every_days = 7

[kinds.court_hearing]
lead_days = [14, 7, 1]

[[caseworker]]
id = "dana"
email = "dana@ngo.example"

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "yerlan"
email = "yerlan@ngo.example"
supervisor = "dana"

[[case]]
id = "KZ-0100"
caseworker = "aigerim"

  [[case.request]]
  kind = "travel_document"
  filed = 2026-11-19
  answer_within = "1wd"
  waiting_for = "asylum-code"

[[case]]
id = "KZ-0050"
caseworker = "yerlan"

  [[case.event]]
  title = "Hearing"
  kind = "court_hearing"
  date = 2026-12-03

[[case]]
id = "KZ-0001"
caseworker = "dana"

  [[case.event]]
  title = "Interview"
  kind = "court_hearing"
  date = 2026-11-30
  lead_days = [4]

[[bill]]
id = "asylum-code"
owner = "dana"
stage = "in_force"
stage_since = 2026-12-05
last_checked = 2026-10-22
check_every_days = 30
"#;

#[allow(clippy::too_many_arguments)]
fn plan_row(
    date: &str,
    case: &str,
    item: &str,
    kind: &str,
    deadline: &str,
    act_by: &str,
    step: &str,
    to: &[&str],
    cc: &[&str],
) -> Value {
    json!({"date": date, "case": case, "item": item, "kind": kind, "deadline": deadline,
           "act_by": act_by, "step": step, "to": to, "cc": cc})
}

/// Every reminder of PLAN from 2026-11-16 to 2026-12-21.
///
/// - KZ-0100 request: filed Thu 11-19 + 1wd = Fri 11-20. Lead 3 (11-17) is
///   before `filed`, so dropped; lead 1 on Thu 11-19, escalated (1 ≤ 7) to
///   aigerim's supervisor dana. Overdue from 11-21 every 7 days, each
///   Saturday moved to Monday: 11-23, 11-30, 12-07, 12-14, 12-21.
/// - KZ-0050 event Thu 12-03: 14d on 11-19 (not escalated: 14 > 7), 7d on
///   11-26 and 1d on 12-02 (escalated).
/// - KZ-0001 event Mon 11-30, lead 4 → Thu 11-26; escalated, but dana has
///   no supervisor.
/// - asylum-code review: 10-22 + 30 = Sat 11-21 (act by Fri 11-20), sent
///   Mon 11-23, again 12-21 (Mon). Stage since Sat 12-05 (act by Fri 12-04),
///   notices on Mon 12-07; `in_force` is the last stage and KZ-0100 waits on
///   the bill, so the owner gets `stage` and aigerim gets `unblocked`.
fn all_plan() -> Vec<Value> {
    let (a, d, y) = ("aigerim", "dana", "yerlan");
    let req = |date: &str, step: &str| {
        plan_row(
            date,
            "KZ-0100",
            "request",
            "travel_document",
            "2026-11-20",
            "2026-11-20",
            step,
            &[a],
            &[d],
        )
    };
    let hearing = |date: &str, step: &str, cc: &[&str]| {
        plan_row(
            date,
            "KZ-0050",
            "event",
            "court_hearing",
            "2026-12-03",
            "2026-12-03",
            step,
            &[y],
            cc,
        )
    };
    let review = |date: &str| {
        plan_row(
            date,
            "asylum-code",
            "bill",
            "review",
            "2026-11-21",
            "2026-11-20",
            "review",
            &[d],
            &[],
        )
    };
    let notice = |step: &str, to: &[&str], cc: &[&str]| {
        plan_row(
            "2026-12-07",
            "asylum-code",
            "bill",
            "in_force",
            "2026-12-05",
            "2026-12-04",
            step,
            to,
            cc,
        )
    };
    vec![
        hearing("2026-11-19", "14d", &[]),
        req("2026-11-19", "1d"),
        req("2026-11-23", "overdue"),
        review("2026-11-23"),
        plan_row(
            "2026-11-26",
            "KZ-0001",
            "event",
            "court_hearing",
            "2026-11-30",
            "2026-11-30",
            "4d",
            &[d],
            &[],
        ),
        hearing("2026-11-26", "7d", &[d]),
        req("2026-11-30", "overdue"),
        hearing("2026-12-02", "1d", &[d]),
        req("2026-12-07", "overdue"),
        notice("stage", &[d], &[]),
        notice("unblocked", &[a], &[d]),
        req("2026-12-14", "overdue"),
        req("2026-12-21", "overdue"),
        review("2026-12-21"),
    ]
}

#[test]
fn plan_json_rows_keys_and_order() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), PLAN);
    let out = docket(
        &path,
        &[
            "plan",
            "--from",
            "2026-11-16",
            "--to",
            "2026-12-21",
            "--format",
            "json",
        ],
    );
    assert_exit(&out, OK);
    let got = stdout_json(&out);
    let keys = [
        "act_by", "case", "cc", "date", "deadline", "item", "kind", "step", "to",
    ];
    for r in rows(&got) {
        let mut k: Vec<&str> = r
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        k.sort_unstable();
        assert_eq!(k, keys, "{r}");
    }
    assert_eq!(rows(&got), &all_plan(), "{got:#}");
}

#[test]
fn plan_range_is_inclusive_at_both_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), PLAN);
    let out = docket(
        &path,
        &[
            "plan",
            "--from",
            "2026-11-23",
            "--to",
            "2026-11-26",
            "--format",
            "json",
        ],
    );
    assert_exit(&out, OK);
    let all = all_plan();
    assert_eq!(rows(&stdout_json(&out)), &all[2..6]);
}

/// No weekend and no holidays, so no reminder is moved.
const EVERY_DAY_WORKS: &str = r#"[service]
timezone = "Asia/Almaty"

[calendar]
weekend = []
holidays = "none"

[reminders]
lead_days = [1]

[[caseworker]]
id = "dana"
email = "dana@ngo.example"
"#;

fn events_config(dir: &Path, dates: &[chrono::NaiveDate]) -> PathBuf {
    let mut text = EVERY_DAY_WORKS.to_string();
    for (i, d) in dates.iter().enumerate() {
        text.push_str(&format!(
            "\n[[case]]\nid = \"KZ-{i:04}\"\ncaseworker = \"dana\"\n\n  [[case.event]]\n  date = {d}\n"
        ));
    }
    config(dir, &text)
}

#[test]
fn plan_default_range_is_one_year_from_from() {
    let tmp = tempfile::tempdir().unwrap();
    // Reminders (1 day before each event) on 2026-11-15, 2026-11-16,
    // 2027-11-16 and 2027-11-17: the default range is 2026-11-16..=2027-11-16.
    let path = events_config(
        tmp.path(),
        &[
            date("2026-11-16"),
            date("2026-11-17"),
            date("2027-11-17"),
            date("2027-11-18"),
        ],
    );
    let out = docket(&path, &["plan", "--from", "2026-11-16", "--format", "json"]);
    assert_exit(&out, OK);
    let got = stdout_json(&out);
    assert_eq!(
        column(&got, "date"),
        ["2026-11-16", "2027-11-16"],
        "{got:#}"
    );
    assert_eq!(column(&got, "case"), ["KZ-0001", "KZ-0002"], "{got:#}");
}

#[test]
fn today_defaults_to_the_date_in_the_service_time_zone() {
    let today = || {
        chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Almaty)
            .date_naive()
    };
    let tmp = tempfile::tempdir().unwrap();
    let t = today();
    let day = |n: i64| t + chrono::Duration::days(n);
    // Reminders on t−1 (out), t (in), t + 1 year (in) and t + 1 year + 1 day
    // (out); for upcoming, the event at t+5 has 5 days left.
    let year = t.checked_add_months(chrono::Months::new(12)).unwrap();
    let events = [
        t,
        day(1),
        year + chrono::Duration::days(1),
        year + chrono::Duration::days(2),
        day(5),
    ];
    let path = events_config(tmp.path(), &events);
    let plan = docket(&path, &["plan", "--format", "json"]);
    let up = docket(&path, &["upcoming", "--format", "json", "--days", "5"]);
    if today() != t {
        return; // Midnight passed in Almaty while the test ran.
    }
    assert_exit(&plan, OK);
    let plan = stdout_json(&plan);
    let want: Vec<String> = [t, day(4), year].iter().map(|d| d.to_string()).collect();
    assert_eq!(column(&plan, "date"), want, "{plan:#}");
    assert_exit(&up, OK);
    let up = stdout_json(&up);
    assert_eq!(
        column(&up, "case"),
        ["KZ-0000", "KZ-0001", "KZ-0004"],
        "{up:#}"
    );
    let left: Vec<i64> = rows(&up)
        .iter()
        .map(|r| r["days_left"].as_i64().unwrap())
        .collect();
    assert_eq!(left, [0, 1, 5]);
}

#[test]
fn plan_to_before_from_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), PLAN);
    let out = docket(
        &path,
        &["plan", "--from", "2026-11-16", "--to", "2026-11-15"],
    );
    assert_exit(&out, USAGE);
    let se = stderr(&out);
    assert!(
        se.contains("2026-11-15") && se.contains("2026-11-16"),
        "{se}"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    // The same day is a valid one-day range.
    let out = docket(
        &path,
        &[
            "plan",
            "--from",
            "2026-11-19",
            "--to",
            "2026-11-19",
            "--format",
            "json",
        ],
    );
    assert_exit(&out, OK);
    assert_eq!(rows(&stdout_json(&out)), &all_plan()[..2]);
}

#[test]
fn bad_dates_on_the_command_line_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), PLAN);
    for args in [
        &["upcoming", "--today", "2026-13-01"][..],
        &["upcoming", "--today", "2026-02-30"],
        &["upcoming", "--today", "16.11.2026"],
        &["plan", "--from", "2026-13-01"],
        &["plan", "--from", "2026-11-16", "--to", "2026-11-31"],
    ] {
        let out = docket(&path, args);
        assert_eq!(
            code(&out),
            Some(USAGE),
            "{args:?}\nstderr:\n{}",
            stderr(&out)
        );
        let bad = args.last().unwrap();
        assert!(stderr(&out).contains(bad), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
    let out = docket(&path, &["upcoming", "--today", TODAY, "--days", "-1"]);
    assert_exit(&out, USAGE);
    let out = docket(&path, &["upcoming", "--today", TODAY, "--format", "xml"]);
    assert_exit(&out, USAGE);
}

#[test]
fn plan_table_has_header_and_one_line_per_reminder() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), PLAN);
    let out = docket(
        &path,
        &["plan", "--from", "2026-11-16", "--to", "2026-12-21"],
    );
    assert_exit(&out, OK);
    let so = stdout(&out);
    let lines: Vec<&str> = so.lines().collect();
    for h in [
        "DATE", "CASE", "ITEM", "KIND", "STEP", "ACT BY", "DEADLINE", "TO", "CC",
    ] {
        assert!(lines[0].contains(h), "header lacks {h}:\n{so}");
    }
    assert!(
        lines[1].starts_with("2026-11-19") && lines[1].contains("KZ-0050"),
        "{so}"
    );
    assert!(so.contains("\n14 reminder(s).\n"), "{so}");
}

#[test]
fn commands_refuse_an_invalid_config() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(
        tmp.path(),
        &PLAN.replace("caseworker = \"yerlan\"", "caseworker = \"yerlam\""),
    );
    for args in [
        &["--show-values", "upcoming", "--today", TODAY][..],
        &["--show-values", "plan", "--from", TODAY],
    ] {
        let out = docket(&path, args);
        assert_exit(&out, CONFIG);
        assert!(
            stderr(&out).contains("unknown caseworker \"yerlam\""),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
}
