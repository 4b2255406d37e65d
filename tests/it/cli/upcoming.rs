//! `docket upcoming`: its JSON rows and their order, `--days`, filters by
//! case and caseworker, the table.

use super::{column, config, date, rows, OK, TODAY, USAGE};
use crate::util::{assert_exit, docket, stderr, stdout, stdout_json};
use serde_json::{json, Value};
use std::path::Path;

/// Cases listed out of id order, so sorting by case id is visible.
const UPCOMING: &str = r#"[service]
timezone = "Asia/Almaty"

[kinds.refugee_certificate]
valid_for = "1y"

[kinds.travel_document]
answer_within = "15wd"

[kinds.interview]
label = "Interview"

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

  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-12-16

  [[case.document]]
  kind = "refugee_certificate"
  expires = 2026-11-10
  status = "renewal_filed"

  [[case.event]]
  title = "Past interview"
  date = 2026-11-13

[[case]]
id = "KZ-0050"
caseworker = "yerlan"

  [[case.document]]
  kind = "refugee_certificate"
  expires = 2026-11-07

  [[case.request]]
  kind = "travel_document"
  filed = 2026-11-02
  status = "answered"

  [[case.event]]
  title = "Hearing"
  date = 2026-11-30

[[case]]
id = "KZ-0001"
caseworker = "aigerim"

  [[case.event]]
  title = "Interview"
  kind = "interview"
  date = 2026-11-30

[[bill]]
id = "migration-law"
owner = "dana"
stage = "mazhilis"
stage_since = 2026-06-01
expected = { drafted = 2026-01-10, senate = 2026-12-25 }
last_checked = 2026-10-20
check_every_days = 30
"#;

#[allow(clippy::too_many_arguments)]
fn up_row(
    case: &str,
    cw: &str,
    item: &str,
    kind: &str,
    deadline: &str,
    act_by: &str,
    left: i64,
    status: &str,
) -> Value {
    json!({"case": case, "caseworker": cw, "item": item, "kind": kind, "deadline": deadline,
           "act_by": act_by, "days_left": left, "status": status})
}

/// Every unresolved deadline of UPCOMING as of TODAY, in the order SPEC §5
/// wants. Left out: the renewal_filed certificate and the answered request
/// (resolved), the event of 2026-11-13 (past), and the bill's `drafted`
/// date (a stage the bill has already passed).
fn all_upcoming() -> Vec<Value> {
    vec![
        // Sat 2026-11-07 expiry → act by Fri 11-06; 11-06 − 11-16 = −10.
        up_row(
            "KZ-0050",
            "yerlan",
            "document",
            "refugee_certificate",
            "2026-11-07",
            "2026-11-06",
            -10,
            "active",
        ),
        // Review: 2026-10-20 + 30 days = Thu 11-19.
        up_row(
            "migration-law",
            "dana",
            "bill",
            "review",
            "2026-11-19",
            "2026-11-19",
            3,
            "mazhilis",
        ),
        // Filed Thu 11-19 + 1wd = Fri 11-20.
        up_row(
            "KZ-0100",
            "aigerim",
            "request",
            "travel_document",
            "2026-11-20",
            "2026-11-20",
            4,
            "pending",
        ),
        // Two events on Mon 11-30: KZ-0001 before KZ-0050, though listed after.
        up_row(
            "KZ-0001",
            "aigerim",
            "event",
            "interview",
            "2026-11-30",
            "2026-11-30",
            14,
            "scheduled",
        ),
        up_row(
            "KZ-0050",
            "yerlan",
            "event",
            "event",
            "2026-11-30",
            "2026-11-30",
            14,
            "scheduled",
        ),
        // Issued 2025-12-16 + 1y = Wed 2026-12-16, Independence Day → Tue 12-15.
        up_row(
            "KZ-0100",
            "aigerim",
            "document",
            "refugee_certificate",
            "2026-12-16",
            "2026-12-15",
            29,
            "active",
        ),
        // Expected senate date, Fri 12-25 (a working day in Kazakhstan).
        up_row(
            "migration-law",
            "dana",
            "bill",
            "senate",
            "2026-12-25",
            "2026-12-25",
            39,
            "mazhilis",
        ),
    ]
}

fn upcoming_json(path: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["upcoming", "--today", TODAY, "--format", "json"];
    args.extend_from_slice(extra);
    let out = docket(path, &args);
    assert_exit(&out, OK);
    stdout_json(&out)
}

#[test]
fn upcoming_json_rows_keys_order_and_days_left() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), UPCOMING);
    let got = upcoming_json(&path, &[]);
    let keys = [
        "act_by",
        "case",
        "caseworker",
        "days_left",
        "deadline",
        "item",
        "kind",
        "status",
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
        let left = (date(r["act_by"].as_str().unwrap()) - date(TODAY)).num_days();
        assert_eq!(
            r["days_left"].as_i64(),
            Some(left),
            "days_left = act_by − today in {r}"
        );
    }
    assert_eq!(rows(&got), &all_upcoming(), "{got:#}");
}

#[test]
fn upcoming_days_limits_the_horizon_inclusively() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), UPCOMING);
    let all = all_upcoming();
    // Overdue rows stay however small the horizon.
    assert_eq!(rows(&upcoming_json(&path, &["--days", "0"])), &all[..1]);
    assert_eq!(rows(&upcoming_json(&path, &["--days", "13"])), &all[..3]);
    assert_eq!(rows(&upcoming_json(&path, &["--days", "14"])), &all[..5]);
    assert_eq!(rows(&upcoming_json(&path, &["--days", "38"])), &all[..6]);
    assert_eq!(rows(&upcoming_json(&path, &["--days", "39"])), &all);
}

#[test]
fn upcoming_default_horizon_is_90_days() {
    let tmp = tempfile::tempdir().unwrap();
    // No holidays and no weekend, so every date is its own act-by date.
    let path = config(
        tmp.path(),
        r#"[service]
timezone = "Asia/Almaty"

[calendar]
weekend = []
holidays = "none"

[[caseworker]]
id = "dana"
email = "dana@ngo.example"

[[case]]
id = "KZ-0090"
caseworker = "dana"

  [[case.event]]
  date = 2027-02-14

[[case]]
id = "KZ-0091"
caseworker = "dana"

  [[case.event]]
  date = 2027-02-15
"#,
    );
    // 2026-11-16 + 90 days = 2027-02-14.
    let got = upcoming_json(&path, &[]);
    assert_eq!(column(&got, "case"), ["KZ-0090"], "{got:#}");
    assert_eq!(rows(&got)[0]["days_left"], 90);
    let got = upcoming_json(&path, &["--days", "91"]);
    assert_eq!(column(&got, "case"), ["KZ-0090", "KZ-0091"], "{got:#}");
}

#[test]
fn upcoming_filters_by_case_and_caseworker() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), UPCOMING);
    let all = all_upcoming();
    let only = |f: &dyn Fn(&Value) -> bool| -> Vec<Value> {
        all.iter().filter(|r| f(r)).cloned().collect()
    };

    let got = upcoming_json(&path, &["--case", "KZ-0050"]);
    assert_eq!(rows(&got), &only(&|r| r["case"] == "KZ-0050"));
    assert_eq!(rows(&got).len(), 2);

    // A bill: case is the bill id, caseworker its owner.
    let got = upcoming_json(&path, &["--case", "migration-law"]);
    assert_eq!(rows(&got), &only(&|r| r["item"] == "bill"));
    assert_eq!(column(&got, "caseworker"), ["dana", "dana"]);

    let got = upcoming_json(&path, &["--caseworker", "aigerim"]);
    assert_eq!(rows(&got), &only(&|r| r["caseworker"] == "aigerim"));
    assert_eq!(column(&got, "case"), ["KZ-0100", "KZ-0001", "KZ-0100"]);

    // dana owns the bill and no case.
    let got = upcoming_json(&path, &["--caseworker", "dana"]);
    assert_eq!(column(&got, "case"), ["migration-law", "migration-law"]);

    let got = upcoming_json(&path, &["--case", "KZ-0100", "--caseworker", "yerlan"]);
    assert_eq!(got, json!([]));
}

#[test]
fn upcoming_unknown_case_or_caseworker_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), UPCOMING);
    let out = docket(&path, &["upcoming", "--today", TODAY, "--case", "KZ-9999"]);
    assert_exit(&out, USAGE);
    assert!(stderr(&out).contains("KZ-9999"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let out = docket(
        &path,
        &["upcoming", "--today", TODAY, "--caseworker", "nobody"],
    );
    assert_exit(&out, USAGE);
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
}

#[test]
fn upcoming_table_has_header_and_overdue_rows_first() {
    let tmp = tempfile::tempdir().unwrap();
    // A second overdue item, listed last, so "overdue first" is tested
    // with more than one row: expired Fri 2026-11-13, 3 days ago.
    let text = format!(
        "{UPCOMING}\n[[case]]\nid = \"KZ-0002\"\ncaseworker = \"yerlan\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-11-13\n"
    );
    let path = config(tmp.path(), &text);
    let out = docket(&path, &["upcoming", "--today", TODAY]);
    assert_exit(&out, OK);
    let so = stdout(&out);
    let lines: Vec<&str> = so.lines().collect();
    for h in [
        "ACT BY",
        "LEFT",
        "CASE",
        "ITEM",
        "KIND",
        "DEADLINE",
        "STATUS",
        "CASEWORKER",
    ] {
        assert!(lines[0].contains(h), "header lacks {h}:\n{so}");
    }
    let body: Vec<&str> = lines[1..]
        .iter()
        .copied()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(body.len(), 8, "{so}");
    assert!(
        body[0].contains("OVERDUE 10 days") && body[0].contains("KZ-0050"),
        "{so}"
    );
    assert!(
        body[1].contains("OVERDUE 3 days") && body[1].contains("KZ-0002"),
        "{so}"
    );
    assert!(body[2..].iter().all(|l| !l.contains("OVERDUE")), "{so}");
    assert!(
        body[2].contains("3 days") && body[2].contains("migration-law"),
        "{so}"
    );
    assert!(so.contains("8 item(s), 2 overdue."), "{so}");
}
