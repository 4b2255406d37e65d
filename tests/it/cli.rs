//! The command line (SPEC §5): exit codes, `check`, `upcoming` and `plan`
//! with their JSON and tables, includes and file permissions.
//!
//! Every config is written into a private tempdir with mode 0600 (docket
//! refuses group/world-writable configs and warns about world-readable ones).
//! Expected dates are computed by hand from SPEC §3 and Kazakhstan's 2026
//! calendar; the comments next to them show the working.

use crate::util::{
    assert_exit, chmod, copy_tree_private, docket, docket_bin, repo, stderr, stdout, stdout_json,
    write_config, write_config_bytes,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;

const OK: i32 = 0;
const USAGE: i32 = 2;
const CONFIG: i32 = 78;

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn config(dir: &Path, text: &str) -> PathBuf {
    write_config(dir, "docket.toml", text)
}

/// The rows of a JSON array, panicking if it is not one.
fn rows(v: &Value) -> &Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {v}"))
}

/// One field of every row, as strings.
fn column(v: &Value, key: &str) -> Vec<String> {
    rows(v)
        .iter()
        .map(|r| {
            r[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {r}"))
                .to_string()
        })
        .collect()
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

// ---------------------------------------------------------------- check

#[test]
fn example_config_with_includes_passes_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("config");
    copy_tree_private(&repo().join("config"), &dir);
    let main = dir.join("docket.toml");
    let out = docket(&main, &["check"]);
    assert_exit(&out, OK);
    let so = stdout(&out);
    assert!(so.starts_with(&format!("{}: OK: ", main.display())), "{so}");
    // The example's cases all live in cases.d: a count of 0 would mean the
    // includes were not read.
    assert!(!so.contains(" 0 case(s)"), "{so}");
    assert!(!stderr(&out).contains(": error: "), "{}", stderr(&out));
}

/// A document of a kind that `[kinds]` does not define: a warning.
const UNDEFINED_KIND: &str = r#"[service]
timezone = "Asia/Almaty"

[kinds.residence_permit]
label = "Residence permit"

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"

[[case]]
id = "KZ-7001"
caseworker = "aigerim"

  [[case.document]]
  kind = "residence_permt"
  expires = 2026-05-20
"#;

#[test]
fn warnings_pass_check_but_fail_with_strict() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), UNDEFINED_KIND);
    let warning = format!(
        "{}:16:10: warning: kind \"residence_permt\" is not defined under [kinds]",
        path.display()
    );

    let out = docket(&path, &["check"]);
    assert_exit(&out, OK);
    assert!(stderr(&out).contains(&warning), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 warning(s)"), "{}", stdout(&out));

    let out = docket(&path, &["check", "--strict"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    assert!(se.contains(&warning), "{se}");
    assert!(
        se.contains("0 error(s), 1 warning(s)") && se.contains("--strict"),
        "{se}"
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

#[test]
fn strict_passes_a_config_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(
        tmp.path(),
        &UNDEFINED_KIND.replace("residence_permt", "residence_permit"),
    );
    let out = docket(&path, &["check", "--strict"]);
    assert_exit(&out, OK);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn kurban_ait_estimates_are_noted_by_check_not_warned_and_an_announced_date_replaces_them() {
    // Issue 8, item 16: 2031's Kurban Ait is computed (Umm al-Qura:
    // Wednesday 2031-04-02), so it is a day off, an estimate `check` names once,
    // without a warning (--strict passes).
    let tmp = tempfile::tempdir().unwrap();
    let far = UNDEFINED_KIND
        .replace("residence_permt", "residence_permit")
        .replace("2026-05-20", "2031-04-02");
    let path = config(tmp.path(), &far);
    let out = docket(&path, &["check", "--strict"]);
    assert_exit(&out, OK);
    let se = stderr(&out);
    assert!(
        se.contains("note: Kurban Ait in 2031 is an estimate") && !se.contains("warning"),
        "{se}"
    );
    let act_by = |path: &Path| {
        let v = stdout_json(&docket(
            path,
            &["upcoming", "--today", "2031-03-01", "--format", "json"],
        ));
        v[0]["act_by"].as_str().unwrap().to_string()
    };
    // The estimated day off moves the act-by date to Tuesday.
    assert_eq!(act_by(&path), "2031-04-01");
    // The announced date (say the Thursday) replaces the estimate:
    // Wednesday is a working day again, and the note is gone.
    let announced = far.replace(
        "[kinds.residence_permit]",
        "[calendar]\nkurban_ait = { 2031 = 2031-04-03 }\n\n[kinds.residence_permit]",
    );
    let path = config(tmp.path(), &announced);
    let out = docket(&path, &["check", "--strict"]);
    assert_exit(&out, OK);
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    assert_eq!(act_by(&path), "2031-04-02");
    // A date in another year is refused.
    let wrong = far.replace(
        "[kinds.residence_permit]",
        "[calendar]\nkurban_ait = { 2031 = 2030-03-29 }\n\n[kinds.residence_permit]",
    );
    let out = docket(&config(tmp.path(), &wrong), &["check"]);
    assert_exit(&out, CONFIG);
    assert!(
        stderr(&out).contains("Kurban Ait 2031 set to 2030-03-29"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dates_past_the_calendar_are_refused_also_when_computed() {
    // Issue 8, item 17: the calendar ends in 2100; a review computed into
    // 2109 used to pass as weekday-only.
    let tmp = tempfile::tempdir().unwrap();
    let text = r#"[service]
timezone = "Asia/Almaty"

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"

[[bill]]
id = "law"
owner = "aigerim"
stage = "drafted"
last_checked = 2100-12-01
check_every_days = 3000

[[case]]
id = "KZ-1"
caseworker = "aigerim"
  [[case.document]]
  kind = "x"
  expires = 2209-01-01
"#;
    let path = config(tmp.path(), text);
    let out = docket(&path, &["check"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    assert!(
        se.contains("date 2209-01-01 is outside the supported range"),
        "{se}"
    );
    assert!(
        se.contains(
            "the review date (last_checked + check_every_days) 2109-02-17 is outside the calendar"
        ),
        "{se}"
    );
    let out = docket(
        &path,
        &["plan", "--from", "2100-01-01", "--to", "2150-01-01"],
    );
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("2150-01-01"), "{}", stderr(&out));
}

#[test]
fn world_writable_config_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), "[service]\ntimezone = \"Asia/Almaty\"\n");
    chmod(&path, 0o666);
    for args in [&["check"][..], &["upcoming", "--today", "2026-11-16"]] {
        let out = docket(&path, args);
        assert_exit(&out, CONFIG);
        let se = stderr(&out);
        let p = path.display();
        assert!(
            se.contains(&format!(
                "{p}:1:1: error: {p} is writable by group and others (mode 0666)"
            )),
            "{se}"
        );
        assert!(se.contains(&format!("chmod go-w {p}")), "{se}");
    }
}

#[test]
fn group_writable_config_is_refused_and_world_readable_warned() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), "[service]\ntimezone = \"Asia/Almaty\"\n");
    let p = path.display().to_string();

    chmod(&path, 0o660);
    let out = docket(&path, &["check"]);
    assert_exit(&out, CONFIG);
    assert!(
        stderr(&out).contains(&format!("{p}:1:1: error: {p} is writable by its group")),
        "{}",
        stderr(&out)
    );

    chmod(&path, 0o644);
    let out = docket(&path, &["check"]);
    assert_exit(&out, OK);
    assert!(
        stderr(&out).contains(&format!("{p}:1:1: warning: {p} is readable by every user")),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(&format!("chmod o-r {p}")),
        "{}",
        stderr(&out)
    );

    chmod(&path, 0o640);
    let out = docket(&path, &["check"]);
    assert_exit(&out, OK);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn missing_config_file_is_a_config_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("nowhere").join("docket.toml");
    for args in [&["check"][..], &["upcoming"], &["plan"]] {
        let out = docket(&path, args);
        assert_exit(&out, CONFIG);
        let se = stderr(&out);
        assert!(
            se.contains(&format!("cannot read {}: no such file", path.display())),
            "{args:?}: {se}"
        );
    }
}

#[test]
fn config_that_is_not_utf8_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    // "café" in Latin-1: the é is byte 0xE9, the 6th character of line 3.
    let path = write_config_bytes(
        tmp.path(),
        "docket.toml",
        b"[service]\ntimezone = \"Asia/Almaty\"\n# caf\xe9\n",
    );
    let out = docket(&path, &["check"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    assert!(
        se.contains(&format!(
            "{}:3:6: error: the file is not valid UTF-8",
            path.display()
        )),
        "{se}"
    );
}

#[test]
fn docket_config_environment_variable_names_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let path = config(tmp.path(), "[service]\ntimezone = \"Asia/Almaty\"\n");
    let out = std::process::Command::new(docket_bin())
        .arg("check")
        .env("DOCKET_CONFIG", &path)
        .env_remove("STATE_DIRECTORY")
        .output()
        .unwrap();
    assert_exit(&out, OK);
    assert!(
        stdout(&out).starts_with(&format!("{}: OK: ", path.display())),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------- includes

const INCLUDE_MAIN: &str = r#"[service]
timezone = "Asia/Almaty"
include = ["cases.d/*.toml"]

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"
"#;

const INCLUDE_A: &str = r#"[[case]]
id = "KZ-0001"
caseworker = "aigerim"

  [[case.document]]
  kind = "passport"
  expires = 2026-12-01
"#;

#[test]
fn includes_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let main = config(tmp.path(), INCLUDE_MAIN);
    write_config(tmp.path(), "cases.d/a.toml", INCLUDE_A);
    write_config(
        tmp.path(),
        "cases.d/b.toml",
        &INCLUDE_A.replace("KZ-0001", "KZ-0002"),
    );
    let out = docket(&main, &["check"]);
    assert_exit(&out, OK);
    assert!(
        stdout(&out).contains("OK: 2 case(s), 0 bill(s), 1 caseworker(s)"),
        "{}",
        stdout(&out)
    );
    let up = stdout_json(&docket(
        &main,
        &["upcoming", "--today", "2026-11-16", "--format", "json"],
    ));
    assert_eq!(column(&up, "case"), ["KZ-0001", "KZ-0002"]);
}

#[test]
fn error_in_included_file_is_reported_at_that_file() {
    let tmp = tempfile::tempdir().unwrap();
    let main = config(tmp.path(), INCLUDE_MAIN);
    write_config(tmp.path(), "cases.d/a.toml", INCLUDE_A);
    let b = write_config(
        tmp.path(),
        "cases.d/b.toml",
        "# second case\n[[case]]\nid = \"KZ-0002\"\ncaseworker = \"nobody\"\ncolour = \"red\"\n",
    );
    let out = docket(&main, &["--show-values", "check"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    assert!(
        se.contains(&format!(
            "{}:4:14: error: unknown caseworker \"nobody\"",
            b.display()
        )),
        "{se}"
    );
    assert!(
        se.contains(&format!("{}:5:1: error: unknown key `colour`", b.display())),
        "{se}"
    );
    assert!(!se.contains(&format!("{}:4:14", main.display())), "{se}");
    assert!(
        se.contains(&format!("{}: 2 error(s)", main.display())),
        "{se}"
    );
}

#[test]
fn duplicate_case_id_across_included_files_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let main = config(tmp.path(), INCLUDE_MAIN);
    write_config(tmp.path(), "cases.d/a.toml", INCLUDE_A);
    let b = write_config(
        tmp.path(),
        "cases.d/b.toml",
        &format!("# a copy of a.toml\n{INCLUDE_A}"),
    );
    let out = docket(&main, &["check"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    // Files are read in sorted order, so the copy in b.toml is the duplicate.
    assert!(
        se.contains(&format!(
            "{}:3:6: error: duplicate case id \"KZ-0001\"",
            b.display()
        )),
        "{se}"
    );
}

#[test]
fn include_pattern_matching_nothing_is_a_warning_unless_its_directory_is_there() {
    let tmp = tempfile::tempdir().unwrap();
    let main = config(tmp.path(), INCLUDE_MAIN);
    let out = docket(&main, &["check"]);
    assert_exit(&out, OK);
    let se = stderr(&out);
    assert!(
        se.contains(&format!(
            "{}:3:12: warning: include \"cases.d/*.toml\" matches no file, and its directory does not exist",
            main.display()
        )),
        "{se}"
    );
    assert_exit(&docket(&main, &["check", "--strict"]), CONFIG);
    // An empty case directory (a fresh install) is fine, even --strict.
    std::fs::create_dir(tmp.path().join("cases.d")).unwrap();
    let out = docket(&main, &["check", "--strict"]);
    assert_exit(&out, OK);
    assert!(
        !stderr(&out).contains("matches no file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn writable_included_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let main = config(tmp.path(), INCLUDE_MAIN);
    let a = write_config(tmp.path(), "cases.d/a.toml", INCLUDE_A);
    chmod(&a, 0o666);
    let out = docket(&main, &["check"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    assert!(
        se.contains(&format!(
            "{}:1:1: error: {} is writable",
            a.display(),
            a.display()
        )),
        "{se}"
    );
    assert!(se.contains(&format!("chmod go-w {}", a.display())), "{se}");
}

/// Ignored until fixed: the error is reported at `docket.toml:1:1` (validate.rs
/// passes the main file and the span 0..0) instead of at the bill's id.
#[test]
fn bill_id_equal_to_case_id_is_reported_at_the_bill() {
    let tmp = tempfile::tempdir().unwrap();
    let main = config(tmp.path(), INCLUDE_MAIN);
    write_config(tmp.path(), "cases.d/a.toml", INCLUDE_A);
    let b = write_config(
        tmp.path(),
        "cases.d/b.toml",
        "[[bill]]\nid = \"KZ-0001\"\nowner = \"aigerim\"\nstage = \"drafted\"\n",
    );
    let out = docket(&main, &["check"]);
    assert_exit(&out, CONFIG);
    let se = stderr(&out);
    assert!(
        se.contains(&format!(
            "{}:2:6: error: bill id \"KZ-0001\" is also a case id",
            b.display()
        )),
        "{se}"
    );
}

// ---------------------------------------------------------------- upcoming

/// Today in the `upcoming` tests: Monday 2026-11-16.
const TODAY: &str = "2026-11-16";

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

// ---------------------------------------------------------------- plan

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
