//! `docket check`: the example config, warnings and `--strict`, the
//! calendar's limits, file permissions, a missing or non-UTF-8 config, and
//! `DOCKET_CONFIG`.

use super::{config, CONFIG, OK};
use crate::util::{
    assert_exit, chmod, copy_tree_private, docket, docket_bin, repo, stderr, stdout, stdout_json,
    write_config_bytes,
};
use std::path::Path;

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
