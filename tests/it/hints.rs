//! The mistakes people make in case files, and what `docket check` says
//! about each: the real problem, where it is, and what to write instead.

use crate::util::*;
use std::path::{Path, PathBuf};

/// One caseworker, three kinds (shared with `config::tr`'s corpus).
const MAIN: &str = concat!("\n", include_str!("../data/case-file-main.toml"));

/// A config whose one case file holds `case`.
fn with_case(case: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(tmp.path(), "docket.toml", MAIN);
    write_config(tmp.path(), "cases.d/kz-0042.toml", case);
    (tmp, cfg)
}

/// `docket check` with values shown (as at a terminal), as of 2026-12-01.
fn check(cfg: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["--show-values", "check", "--today", "2026-12-01"];
    args.extend_from_slice(extra);
    let o = docket(cfg, &args);
    (o.status.code().unwrap_or(-1), stderr(&o) + &stdout(&o))
}

/// The `file:line:col: severity: message` lines of check's output.
fn headlines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "))
        .collect()
}

fn document(issued: &str) -> String {
    format!(
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerim\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = {issued}\n"
    )
}

#[test]
fn dates_written_day_first_say_how_to_write_them() {
    for (typed, col) in [
        ("16.10.2025", 12),
        ("16/10/2025", 12),
        ("\"16.10.2025\"", 12),
        ("2025.10.16", 12),
    ] {
        let (_tmp, cfg) = with_case(&document(typed));
        let (code, out) = check(&cfg, &[]);
        assert_eq!(code, 78, "{out}");
        let h = headlines(&out);
        assert_eq!(h.len(), 1, "{typed}: one problem, not a cascade:\n{out}");
        assert!(
            h[0].ends_with(&format!(
                "kz-0042.toml:7:{col}: error: \"{}\" is not a date docket can read: dates are written year-month-day",
                typed.trim_matches('"')
            )),
            "{typed}: {out}"
        );
        assert!(
            out.contains("= help: write 2025-10-16 (year-month-day, no quotes)"),
            "{typed}: {out}"
        );
    }
}

#[test]
fn an_impossible_day_names_the_month_and_nothing_else() {
    let (_tmp, cfg) = with_case(&document("2025-02-30"));
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78);
    let h = headlines(&out);
    assert_eq!(h.len(), 1, "{out}");
    assert!(
        h[0].ends_with("kz-0042.toml:7:12: error: \"2025-02-30\" is not a day of the calendar: February 2025 has 28 days"),
        "{out}"
    );
    // The placeholder standing in for the bad date leaves no trace.
    assert!(!out.contains("1970") && !out.contains("1971"), "{out}");
}

#[test]
fn curly_quotes_and_invisible_spaces_are_named_where_they_are() {
    let (_tmp, cfg) = with_case("[[case]]\nid = “KZ-0042”\ncaseworker = \"aigerim\"\n");
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78);
    let h = headlines(&out);
    assert!(
        h[0].ends_with(
            "kz-0042.toml:2:6: error: “ is a typographic quote; TOML strings need straight quotes \""
        ),
        "{out}"
    );
    assert!(out.contains("plain text editor"), "{out}");

    let (_tmp, cfg) = with_case("[[case]]\nid = \"KZ-0042\"\ncaseworker\u{a0}= \"aigerim\"\n");
    let (_, out) = check(&cfg, &[]);
    let h = headlines(&out);
    assert!(
        h[0].ends_with("kz-0042.toml:3:11: error: an invisible character, U+00A0 (no-break space), where TOML expects an ordinary space"),
        "{out}"
    );
    // The caret is under the character: column 11, after "caseworker".
    let caret = out.lines().find(|l| l.trim_end().ends_with('^')).unwrap();
    assert_eq!(
        caret.find('^').unwrap() - caret.find('|').unwrap() - 2,
        10,
        "{out}"
    );

    let (_tmp, cfg) = with_case("[[case]]\nid = \"KZ-0042\"\u{200b}\ncaseworker = \"aigerim\"\n");
    let (_, out) = check(&cfg, &[]);
    assert!(out.contains("U+200B (zero-width space)"), "{out}");
}

#[test]
fn table_headers_with_the_wrong_number_of_brackets() {
    let (_tmp, cfg) = with_case(
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerim\"\n[case.document]\nkind = \"refugee_certificate\"\nissued = 2025-12-01\n",
    );
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78);
    let h = headlines(&out);
    assert_eq!(h.len(), 1, "{out}");
    assert!(
        h[0].ends_with("kz-0042.toml:4:1: error: [case.document] needs double brackets"),
        "{out}"
    );
    assert!(out.contains("= help: write [[case.document]]: a case can hold several documents"));
    assert!(!out.contains("found"), "no raw serde wording: {out}");

    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &MAIN.replace("[service]", "[[service]]"),
    );
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78);
    assert!(
        out.contains(
            "docket.toml:2:1: error: [[service]] makes a list, but [service] is one table"
        ),
        "{out}"
    );
    assert!(
        out.contains("= help: write [service] with single brackets"),
        "{out}"
    );
}

#[test]
fn a_misspelt_key_is_reported_alone_without_knock_on_errors() {
    let (_tmp, cfg) = with_case(&document("2025-12-01").replace("issued", "isued"));
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78);
    let h = headlines(&out);
    assert_eq!(h.len(), 1, "{out}");
    assert!(
        h[0].ends_with("kz-0042.toml:7:3: error: unknown key `isued`"),
        "{out}"
    );
    assert!(out.contains("did you mean `issued`?"), "{out}");
    assert!(!out.contains("needs `issued`"), "{out}");
}

#[test]
fn carets_under_tabs_and_no_byte_order_mark_echoed() {
    let (_tmp, cfg) = with_case(&format!(
        "\u{feff}{}",
        document("16.10.2025").replace("  issued", "\t\tissued")
    ));
    let o = docket(&cfg, &["--show-values", "check"]);
    let out = stderr(&o);
    assert!(
        !out.contains('\u{feff}'),
        "a BOM reached the terminal: {out:?}"
    );
    assert!(!out.contains('\t'), "a tab reached the terminal: {out:?}");
    // The caret is under the value, as the line is shown.
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("issued = 16.10.2025"))
        .unwrap();
    let shown = lines[at];
    let caret = lines[at + 1];
    assert_eq!(
        caret.find('^').unwrap(),
        shown.find("16.10.2025").unwrap(),
        "{out}"
    );
    assert!(lines.iter().any(|l| l.contains("kz-0042.toml:7:")), "{out}");
}

#[test]
fn a_copied_file_is_the_one_told_and_both_files_are_named() {
    let (tmp, cfg) = with_case(&document("2025-12-01"));
    let copy = write_config(
        tmp.path(),
        "cases.d/kz-0042 (copy).toml",
        &document("2025-12-01"),
    );
    // The copy is written after the original (cp gives it a new mtime).
    let older = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    set_mtime(&tmp.path().join("cases.d/kz-0042.toml"), older);
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78);
    let h = headlines(&out);
    assert_eq!(h.len(), 1, "{out}");
    assert!(
        h[0].ends_with(
            "kz-0042 (copy).toml:2:6: error: duplicate case id \"KZ-0042\": also in cases.d/kz-0042.toml"
        ),
        "{out}"
    );
    assert!(out.contains("a copied file keeps the id"), "{out}");
    drop(copy);
}

#[test]
fn ids_that_differ_only_in_letter_case_or_script_are_one_case() {
    let (tmp, cfg) = with_case(&document("2025-12-01"));
    let older = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    set_mtime(&tmp.path().join("cases.d/kz-0042.toml"), older);
    write_config(
        tmp.path(),
        "cases.d/lower.toml",
        "[[case]]\nid = \"kz-0042\"\ncaseworker = \"aigerim\"\n",
    );
    write_config(
        tmp.path(),
        "cases.d/cyrillic.toml",
        "[[case]]\nid = \"\u{41a}Z-0042\"\ncaseworker = \"aigerim\"\n",
    );
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("lower.toml:2:6: error: case id \"kz-0042\" is \"KZ-0042\" written in other letter case: also in cases.d/kz-0042.toml"),
        "{out}"
    );
    assert!(
        out.contains("cyrillic.toml:2:6: error: case id \"КZ-0042\" is \"KZ-0042\" written with Cyrillic letters that look Latin (К): also in cases.d/kz-0042.toml"),
        "{out}"
    );
    assert!(
        out.contains("cyrillic.toml:2:6: warning: case id mixes Latin and Cyrillic letters (К)"),
        "{out}"
    );
}

#[test]
fn checking_a_case_file_checks_it_against_its_main_config() {
    let (tmp, cfg) = with_case(&document("16.10.2025"));
    write_config(
        tmp.path(),
        "cases.d/other.toml",
        "[[case]]\nid = \"KZ-0043\"\ncaseworker = \"nobody\"\n",
    );
    let case = tmp.path().join("cases.d/kz-0042.toml");
    // `-c` pointing at a case file: its main config is found.
    let o = docket(&case, &["--show-values", "check"]);
    let out = stderr(&o) + &stdout(&o);
    assert_exit(&o, 78);
    assert!(
        out.contains("note: a case file; checked against its main config"),
        "{out}"
    );
    assert!(out.contains("docket.toml"), "{out}");
    let h = headlines(&out);
    assert_eq!(h.len(), 1, "only this file's problem, not a cascade: {out}");
    assert!(h[0].contains("kz-0042.toml:7:12: error:"), "{out}");
    // The same through FILE arguments; the other file's problem is not shown.
    let (code, out) = check(&cfg, &[case.to_str().unwrap()]);
    assert_eq!(code, 78);
    assert_eq!(headlines(&out).len(), 1, "{out}");
    assert!(!out.contains("nobody"), "{out}");
    // A good case file passes even though another file has errors.
    write_config(tmp.path(), "cases.d/kz-0042.toml", &document("2025-12-01"));
    let (code, out) = check(&cfg, &[case.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("kz-0042.toml: OK"), "{out}");
    // Relative to the main config's directory, from anywhere.
    let (code, out) = check(&cfg, &["cases.d/kz-0042.toml"]);
    assert_eq!(code, 0, "{out}");
    // A file the config does not read is named as such.
    let stray = write_config(
        tmp.path(),
        "elsewhere/kz-0099.toml",
        &document("2025-12-01"),
    );
    let (code, out) = check(&cfg, &[stray.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("is not read by"), "{out}");
    // A case file no main config includes.
    let o = docket(&stray, &["check"]);
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains("it is a case file, and it is checked with its main config"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plausible_mistakes_are_warned_about() {
    let (_tmp, cfg) = with_case(
        r#"[[case]]
id = "KZ-0042"
caseworker = "aigerim"

  [[case.document]]
  kind = "refugee_certificate"
  issued = 2027-01-15
  status = "active"

  [[case.document]]
  kind = "refugee_certificate"
  issued = 2024-11-01
  status = "renewed"

  [[case.document]]
  kind = "travel_document"
  expires = 2062-10-16

  [[case.request]]
  kind = "travel_document"
  filed = 2026-12-20

  [[case.event]]
  kind = "court_hearing"
  date = 2025-12-03
"#,
    );
    let (code, out) = check(&cfg, &[]);
    assert_eq!(code, 0, "warnings do not fail: {out}");
    for want in [
        "kz-0042.toml:7:12: warning: issued = 2027-01-15 is in the future (today is 2026-12-01)",
        "kz-0042.toml:17:13: warning: expires 2062-10-16 is 35 years away: is the year right?",
        "kz-0042.toml:21:11: warning: filed = 2026-12-20 is in the future (today is 2026-12-01)",
        "kz-0042.toml:25:10: warning: this event's date 2025-12-03 is past: it gets no more reminders",
    ] {
        assert!(out.contains(want), "{want:?} in:\n{out}");
    }
    // The old certificate has a newer one: no warning about it.
    assert!(!out.contains("no newer"), "{out}");
    let (code, _) = check(&cfg, &["--strict"]);
    assert_eq!(code, 78);

    let (_tmp, cfg) = with_case(&document("2025-12-01").replace(
        "issued = 2025-12-01\n",
        "issued = 2025-12-01\n  status = \"renewed\"\n",
    ));
    let (_, out) = check(&cfg, &[]);
    assert!(
        out.contains("kz-0042.toml:8:12: warning: status = \"renewed\" but this case has no newer refugee_certificate: the person is no longer tracked for it"),
        "{out}"
    );
    assert!(
        out.contains("add the new document as another [[case.document]]"),
        "{out}"
    );
}

#[test]
fn warnings_of_a_case_file_without_errors_are_shown() {
    let (_tmp, cfg) = with_case(
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerim\"\n  [[case.event]]\n  kind = \"court_hearin\"\n  date = 2027-01-15\n",
    );
    let (_, out) = check(&cfg, &[]);
    assert!(
        out.contains(
            "kz-0042.toml:5:10: warning: kind \"court_hearin\" is not defined under [kinds]"
        ),
        "{out}"
    );
}
