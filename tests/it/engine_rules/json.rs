//! Through the binary: JSON shape and sort orders.

use super::*;

const JSON_CFG: &str = r#"
[service]
timezone = "Asia/Almaty"
state_dir = "state"

[mail]
transport = "file"

[reminders]
lead_days = [1, 0]
overdue_every_days = 0
escalate_within_days = 7

[[caseworker]]
id = "zhanna"
email = "zhanna@ngo.example"
supervisor = "yerlan"

[[caseworker]]
id = "yerlan"
email = "yerlan@ngo.example"

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "dana"
email = "dana@ngo.example"

[[case]]
id = "KZ-2"
caseworker = "zhanna"
  [[case.document]]
  kind = "cert"
  expires = 2026-11-24
  [[case.document]]
  kind = "old"
  expires = 2026-11-02
  status = "expired"
  lead_days = []
  [[case.request]]
  kind = "wait"
  extended_to = 2027-06-01
  lead_days = []
  waiting_for = "law"

[[case]]
id = "KZ-10"
caseworker = "aigerim"
  [[case.document]]
  kind = "cert"
  expires = 2026-11-24
  [[case.request]]
  kind = "wait"
  extended_to = 2027-06-01
  lead_days = []
  waiting_for = "law"

[[case]]
id = "A-7"
caseworker = "dana"
  [[case.document]]
  kind = "cert"
  expires = 2026-11-24

[[bill]]
id = "law"
title = "The law"
owner = "yerlan"
stages = ["draft", "final"]
stage = "final"
stage_since = 2026-11-24
"#;

fn json_of(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = util::write_config(dir.path(), "docket.toml", JSON_CFG);
    let out = util::docket(&path, args);
    assert!(
        out.status.success(),
        "docket {args:?} failed: {}",
        util::stderr(&out)
    );
    serde_json::from_str(&util::stdout(&out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", util::stdout(&out)))
}

#[test]
fn plan_json_sorted_by_date_then_case_with_sorted_recipients() {
    let v = json_of(&[
        "plan",
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-24",
        "--format",
        "json",
    ]);
    let rows = v.as_array().expect("an array");
    let key = |r: &serde_json::Value| {
        (
            r["date"].as_str().unwrap().to_string(),
            r["case"].as_str().unwrap().to_string(),
        )
    };
    let keys: Vec<(String, String)> = rows.iter().map(key).collect();
    // Tue Nov 24: 1d on Mon Nov 23, 0d on Nov 24; the bill notices on Nov 24.
    // Case ids sort as strings: "A-7" < "KZ-10" < "KZ-2" < "law".
    let want: Vec<(String, String)> = [
        ("2026-11-23", "A-7"),
        ("2026-11-23", "KZ-10"),
        ("2026-11-23", "KZ-2"),
        ("2026-11-24", "A-7"),
        ("2026-11-24", "KZ-10"),
        ("2026-11-24", "KZ-2"),
        ("2026-11-24", "law"),
        ("2026-11-24", "law"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(keys, want);
    assert_eq!(
        rows[4],
        serde_json::json!({"date": "2026-11-24", "case": "KZ-10", "item": "document", "kind": "cert",
            "deadline": "2026-11-24", "act_by": "2026-11-24", "step": "0d", "to": ["aigerim"], "cc": ["dana"]})
    );
    assert_eq!(rows[2]["cc"], serde_json::json!(["yerlan"]));
    assert_eq!(rows[0]["cc"], serde_json::json!([]));
    let notices: BTreeMap<String, serde_json::Value> = rows[6..]
        .iter()
        .map(|r| (r["step"].as_str().unwrap().to_string(), r.clone()))
        .collect();
    assert_eq!(
        notices["unblocked"],
        serde_json::json!({"date": "2026-11-24", "case": "law", "item": "bill", "kind": "final",
            "deadline": "2026-11-24", "act_by": "2026-11-24", "step": "unblocked",
            "to": ["aigerim", "zhanna"], "cc": ["dana", "yerlan"]})
    );
    assert_eq!(notices["stage"]["to"], serde_json::json!(["yerlan"]));
    assert_eq!(notices["stage"]["cc"], serde_json::json!([]));
    assert_eq!(notices["stage"]["kind"], serde_json::json!("final"));
}

#[test]
fn upcoming_json_sorted_by_act_by_then_case() {
    let v = json_of(&[
        "upcoming",
        "--today",
        "2026-11-20",
        "--days",
        "4",
        "--format",
        "json",
    ]);
    let rows = v.as_array().expect("an array");
    assert_eq!(
        rows[0],
        serde_json::json!({"case": "KZ-2", "caseworker": "zhanna", "item": "document", "kind": "old",
            "deadline": "2026-11-02", "act_by": "2026-11-02", "days_left": -18, "status": "expired"})
    );
    let keys: Vec<(String, String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["act_by"].as_str().unwrap().to_string(),
                r["case"].as_str().unwrap().to_string(),
                r["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            ("2026-11-02".to_string(), "KZ-2".to_string(), -18),
            ("2026-11-24".to_string(), "A-7".to_string(), 4),
            ("2026-11-24".to_string(), "KZ-10".to_string(), 4),
            ("2026-11-24".to_string(), "KZ-2".to_string(), 4),
        ]
    );
    let v = json_of(&[
        "upcoming",
        "--today",
        "2026-11-20",
        "--days",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(v.as_array().unwrap().len(), 1);
}
