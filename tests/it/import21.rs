//! Issue 21 items 1-3: `docket import FILE` (SPEC section 8) on real
//! files: CSVs as Excel writes them (semicolon, BOM, CRLF; Windows-1251;
//! comma), an XLSX made by openpyxl and an ODS made by odfpy, with date
//! cells and text dates (tests/data/import, made by
//! scripts/gen-import-fixtures.py); every error at its `FILE:ROW:COLUMN`
//! with exit 78 and nothing written; 200 cases that then pass `check`.

use crate::util::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The moment the imports and checks are judged on.
const NOW: &str = "2026-12-01T09:00:00Z";
const TODAY: &str = "2026-12-01";

fn data(name: &str) -> String {
    repo()
        .join("tests/data/import")
        .join(name)
        .display()
        .to_string()
}

/// A main config with the fixtures' caseworkers (aigerim in English,
/// dana in Russian, yerlan in Kazakh) and kinds; `cases.d/` 0750.
fn install(dir: &Path, extra: &str) -> PathBuf {
    let text = format!(
        "{}
[mail]
{FILE_MAIL}
[kinds.refugee_certificate]
valid_for = \"1y\"
[kinds.asylum_seeker_certificate]
valid_for = \"3m\"
[kinds.travel_document]
answer_within = \"15wd\"
[kinds.court_hearing]
lead_days = [7, 1]

[[caseworker]]
id = \"aigerim\"
name = \"Aigerim Test\"
email = \"aigerim@ngo.example\"
supervisor = \"dana\"

[[caseworker]]
id = \"dana\"
name = \"Dana Example\"
email = \"dana@ngo.example\"
language = \"ru\"

[[caseworker]]
id = \"yerlan\"
name = \"Yerlan Sample\"
email = \"yerlan@ngo.example\"
language = \"kk\"
",
        service_table("state", &format!("include = [\"cases.d/*.toml\"]\n{extra}"))
    );
    let cfg = write_config(dir, "docket.toml", &text);
    std::fs::create_dir(dir.join("cases.d")).unwrap();
    chmod(&dir.join("cases.d"), 0o750);
    cfg
}

fn import(cfg: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--now", NOW, "import"];
    all.extend_from_slice(args);
    docket(cfg, &all)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The case file without its comments and blank lines: what docket reads.
fn keys_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(" # ").next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn excel_csvs_an_xlsx_and_an_ods_make_the_same_case_files_that_pass_check() {
    let map_ru = data("map-ru.toml");
    let map_kk = data("map-kk.toml");
    let sheets: Vec<Vec<String>> = vec![
        vec![data("excel-utf8-bom.csv")],
        vec![data("excel-cp1251.csv"), "--map".into(), map_ru],
        vec![data("excel-comma.csv")],
        vec![data("cases.xlsx")],
        vec![data("cases.ods"), "--map".into(), map_kk],
    ];
    let mut first: Option<Vec<String>> = None;
    for sheet in &sheets {
        let t = tempfile::tempdir().unwrap();
        let cfg = install(t.path(), "");
        let args: Vec<&str> = sheet.iter().map(String::as_str).collect();
        let o = import(&cfg, &args);
        assert_exit(&o, 0);
        let cases = t.path().join("cases.d");
        assert_eq!(
            names_in(&cases),
            ["kz-0042.toml", "kz-0057.toml"],
            "{sheet:?}"
        );
        let keys = keys_of(&cases.join("kz-0042.toml"));
        assert!(
            keys.contains(&"issued = 2025-10-16".to_string()),
            "{sheet:?}: {keys:?}"
        );
        assert!(
            keys.contains(&"filed = 2026-11-03".to_string()),
            "{sheet:?}: {keys:?}"
        );
        assert!(
            keys.contains(&"date = 2027-03-02".to_string()),
            "{sheet:?}: {keys:?}"
        );
        match &first {
            None => first = Some(keys),
            Some(f) => assert_eq!(&keys, f, "{sheet:?} reads as the first sheet does"),
        }
        // dana's case speaks Russian, as the guide does.
        let ru = std::fs::read_to_string(cases.join("kz-0057.toml")).unwrap();
        assert!(
            ru.contains("# номер дела: только он попадает в темы писем"),
            "{ru}"
        );
        // The mode the reference gives for a root:docket 0750 directory.
        let m = std::fs::metadata(cases.join("kz-0042.toml")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o640, "{sheet:?}");
        let c = docket(&cfg, &["check", "--today", TODAY]);
        assert_exit(&c, 0);
        assert!(stdout(&c).contains("OK: 2 case(s)"), "{}", stdout(&c));
    }
}

#[test]
fn every_row_error_at_once_at_its_row_and_column_and_nothing_written() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let file = data("bad-rows.csv");
    let o = import(&cfg, &[&file]);
    assert_exit(&o, 78);
    let err = stderr(&o);
    for (at, what) in [
        (
            "2:G",
            "\"31.02.2025\" is not a day of the calendar: February 2025 has 28 days",
        ),
        ("3:G", "\"16.10.25\" has a two-digit year"),
        ("4:A", "this row has no case id"),
        ("5:D", "unknown item \"hearing\""),
        ("6:G", "`issued` is not part of a request"),
        ("7:G", "\"soon\" is not a date"),
        (
            "9:B",
            "case KZ-0106 has caseworker \"aigerim\" in row 8, and \"dana\" here",
        ),
        ("10:B", "unknown caseworker \"aigerm\""),
        ("11:K", "unknown document status \"activ\""),
    ] {
        let line = format!("{file}:{at}: error: ");
        let found = err.lines().find(|l| l.starts_with(&line));
        assert!(
            found.is_some_and(|l| l.contains(what)),
            "no `{line}… {what}` in:\n{err}"
        );
    }
    assert_eq!(err.matches(": error: ").count(), 9, "{err}");
    assert!(
        err.contains("= help: write the year in full: 16.10.2025"),
        "{err}"
    );
    assert!(err.contains("= help: did you mean \"aigerim\"?"), "{err}");
    assert!(err.contains("9 error(s); nothing was written"), "{err}");
    assert!(names_in(&t.path().join("cases.d")).is_empty());
}

#[test]
fn header_errors_unknown_column_and_missing_caseworker_column() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let file = data("bad-header.csv");
    let o = import(&cfg, &[&file]);
    assert_exit(&o, 78);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{file}:1:B: error: unknown column \"isued\"")),
        "{err}"
    );
    assert!(err.contains("did you mean \"issued\"?"), "{err}");
    assert!(
        err.contains(&format!("{file}:1:D: error: unknown column \"Notes\"")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}:1:A: error: the sheet has no `caseworker` column"
        )),
        "{err}"
    );
    assert_eq!(err.matches(": error: ").count(), 3, "{err}");
    assert!(names_in(&t.path().join("cases.d")).is_empty());
    // A map with a column docket does not know is an error in the map.
    let map = write_config(t.path(), "map.toml", "[columns]\ncse = \"Номер дела\"\n");
    let o = import(
        &cfg,
        &[&data("excel-utf8-bom.csv"), "--map", map.to_str().unwrap()],
    );
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains(&format!(
            "{}:2:1: error: unknown column `cse`",
            map.display()
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_number_where_a_date_should_be_is_an_error_not_a_serial_guessed() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let file = data("bad-cells.xlsx");
    let o = import(&cfg, &[&file]);
    assert_exit(&o, 78);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{file}:2:D: error: `issued`: the number 45946 where a date is expected"
        )),
        "{err}"
    );
    assert!(err.contains("format the column as Date"), "{err}");
    assert!(
        err.contains(&format!(
            "{file}:3:D: error: `issued`: a date and time (2025-10-16 09:30)"
        )),
        "{err}"
    );
    assert!(names_in(&t.path().join("cases.d")).is_empty());
    // --sheet names a sheet the workbook does not have: a usage error.
    let o = import(&cfg, &[&data("cases.xlsx"), "--sheet", "Cases 2025"]);
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("has no sheet named \"Cases 2025\"; it has: \"Cases\", \"Notes\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_existing_case_file_is_never_overwritten_and_nothing_is_written() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let mine = "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerim\"\n";
    let kept = write_config(t.path(), "cases.d/kz-0042.toml", mine);
    chmod(&kept, 0o640);
    let file = data("excel-utf8-bom.csv");
    for dry in [false, true] {
        let mut args = vec![file.as_str()];
        if dry {
            args.push("--dry-run");
        }
        let o = import(&cfg, &args);
        assert_exit(&o, 78);
        let err = stderr(&o);
        assert!(
            err.contains(&format!(
                "{file}:2:A: error: the file cases.d/kz-0042.toml already exists"
            )),
            "{err}"
        );
        assert!(stdout(&o).is_empty(), "nothing printed on errors");
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), mine);
        assert_eq!(names_in(&t.path().join("cases.d")), ["kz-0042.toml"]);
    }
    // The same case in a file of another name is found too.
    std::fs::rename(&kept, t.path().join("cases.d/old.toml")).unwrap();
    let o = import(&cfg, &[&file]);
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains(&format!("{file}:2:A: error: case KZ-0042 is already in")),
        "{}",
        stderr(&o)
    );
    assert_eq!(names_in(&t.path().join("cases.d")), ["old.toml"]);
}

#[test]
fn dry_run_prints_the_files_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let o = import(&cfg, &[&data("cases.xlsx"), "--dry-run"]);
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("# ==> "), "{out}");
    assert!(
        out.contains("kz-0042.toml <==\n# Case KZ-0042. One case per file.\n"),
        "{out}"
    );
    assert!(out.contains("person = \"Aigerim Test\""), "{out}");
    assert!(
        out.contains("  title = \"Court hearing; Almaty, room 3\""),
        "{out}"
    );
    assert!(names_in(&t.path().join("cases.d")).is_empty());
}

#[test]
fn two_hundred_cases_import_and_pass_check() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let into = t.path().join("cases.d");
    let o = import(
        &cfg,
        &[&data("sample-200.csv"), "--into", into.to_str().unwrap()],
    );
    assert_exit(&o, 0);
    assert!(!stderr(&o).contains("no include pattern"), "{}", stderr(&o));
    assert_eq!(names_in(&into).len(), 200);
    // Elsewhere (to review first): written, with a note that docket will
    // not read them there.
    let aside = t.path().join("review");
    let o = import(
        &cfg,
        &[
            &data("excel-utf8-bom.csv"),
            "--into",
            aside.to_str().unwrap(),
        ],
    );
    assert_exit(&o, 0);
    assert!(stderr(&o).contains("no include pattern"), "{}", stderr(&o));
    assert_eq!(names_in(&aside), ["kz-0042.toml", "kz-0057.toml"]);
    let c = docket(&cfg, &["check", "--today", TODAY]);
    assert_exit(&c, 0);
    assert!(stdout(&c).contains("OK: 200 case(s)"), "{}", stdout(&c));
    // Importing again: every case is there already, nothing changes.
    let o = import(&cfg, &[&data("sample-200.csv")]);
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains("200 error(s); nothing was written"),
        "{}",
        stderr(&o)
    );
}

/// Removes the group it was made with, even when the test fails.
struct Group(String);

impl Drop for Group {
    fn drop(&mut self) {
        let _ = std::process::Command::new("groupdel").arg(&self.0).status();
    }
}

#[test]
fn import_as_root_into_an_editors_directory_gives_the_files_to_the_group() {
    let tag = unique_tag();
    let name = format!("dki{}", &tag[tag.len().saturating_sub(9)..]);
    let st = std::process::Command::new("groupadd")
        .arg(&name)
        .status()
        .unwrap();
    assert!(st.success(), "groupadd {name} (this test needs root)");
    let group = Group(name);
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), &format!("editors = \"{}\"\n", group.0));
    // No cases.d yet: import makes it as the reference does (2770).
    std::fs::remove_dir(t.path().join("cases.d")).unwrap();
    let o = import(&cfg, &[&data("cases.ods"), "--map", &data("map-kk.toml")]);
    assert_exit(&o, 0);
    let gid = std::fs::metadata(t.path().join("cases.d")).unwrap().gid();
    assert_ne!(gid, 0, "the editors group");
    let d = std::fs::metadata(t.path().join("cases.d")).unwrap();
    assert_eq!(d.permissions().mode() & 0o7777, 0o2770);
    for f in ["kz-0042.toml", "kz-0057.toml"] {
        let m = std::fs::metadata(t.path().join("cases.d").join(f)).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o660, "{f}");
        assert_eq!(m.gid(), gid, "{f}");
    }
    let c = docket(&cfg, &["check", "--today", TODAY]);
    assert_exit(&c, 0);
    assert!(stdout(&c).contains("OK: 2 case(s)"), "{}", stdout(&c));
}

/// The header map each guide shows (section 13) reads the Russian CSV and
/// the Kazakh ODS: what the guides teach works as written.
#[test]
fn the_guides_header_map_reads_russian_and_kazakh_sheets() {
    for guide in ["guide.en.md", "guide.ru.md", "guide.kk.md"] {
        let text = std::fs::read_to_string(repo().join("doc").join(guide)).unwrap();
        let block = text
            .split("```toml\n")
            .find(|b| b.starts_with("[columns]\n"))
            .and_then(|b| b.split("```").next())
            .unwrap_or_else(|| panic!("{guide} shows no [columns] map"));
        for sheet in ["excel-cp1251.csv", "cases.ods"] {
            let t = tempfile::tempdir().unwrap();
            let cfg = install(t.path(), "");
            let map = write_config(t.path(), "headers.toml", block);
            let o = import(&cfg, &[&data(sheet), "--map", map.to_str().unwrap()]);
            assert_exit(&o, 0);
            assert_eq!(
                names_in(&t.path().join("cases.d")),
                ["kz-0042.toml", "kz-0057.toml"],
                "{guide}, {sheet}"
            );
        }
    }
}

/// A header and nothing below it is an error (a wrong sheet, most
/// likely), not "0 case files written"; so is a file of another type.
#[test]
fn an_empty_sheet_and_an_unknown_file_type_are_errors() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    let empty = write_config(t.path(), "empty.csv", "case;caseworker;issued\r\n");
    let o = import(&cfg, &[empty.to_str().unwrap()]);
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains(&format!(
            "{}:2:A: error: the sheet has no rows below its header",
            empty.display()
        )),
        "{}",
        stderr(&o)
    );
    let pdf = write_config(t.path(), "cases.pdf", "%PDF-1.4");
    let o = import(&cfg, &[pdf.to_str().unwrap()]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("docket reads .csv"), "{}", stderr(&o));
    assert!(names_in(&t.path().join("cases.d")).is_empty());
}

/// Removes the user it was made with, even when the test fails.
struct User(String);

impl Drop for User {
    fn drop(&mut self) {
        let _ = std::process::Command::new("userdel").arg(&self.0).status();
    }
}

/// SPEC 6: a caseworker in `[service] editors`, not root, imports into
/// the shared folder; the files are theirs, `0660`, the editors' group,
/// and `docket check` (as root, as the daemon's side sees them) passes.
#[test]
fn an_editor_not_root_imports_into_the_shared_folder_as_root_sets_it_up() {
    let tag = unique_tag();
    let short = &tag[tag.len().saturating_sub(9)..];
    let (gname, uname) = (format!("dkj{short}"), format!("dkw{short}"));
    let ok = |c: &str, a: &[&str]| {
        let st = std::process::Command::new(c).args(a).status().unwrap();
        assert!(st.success(), "{c} {a:?} (this test needs root)");
    };
    ok("groupadd", &[&gname]);
    let _group = Group(gname.clone());
    ok(
        "useradd",
        &["-M", "-N", "-s", "/usr/sbin/nologin", "-G", &gname, &uname],
    );
    let _user = User(uname.clone());
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), &format!("editors = \"{gname}\"\n"));
    // The reference's set-up: the config readable by the group, the case
    // directory written by it.
    let gid = std::fs::metadata(t.path().join("cases.d")).unwrap().gid();
    let group_gid: u32 = {
        let o = std::process::Command::new("getent")
            .args(["group", &gname])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .split(':')
            .nth(2)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert_ne!(gid, group_gid);
    for (p, mode) in [
        (t.path().to_path_buf(), 0o750),
        (cfg.clone(), 0o640),
        (t.path().join("cases.d"), 0o2770),
    ] {
        std::os::unix::fs::chown(&p, Some(0), Some(group_gid)).unwrap();
        chmod(&p, mode);
    }
    let o = std::process::Command::new("setpriv")
        .args(["--reuid", &uname, "--regid", &gname, "--init-groups", "--"])
        .arg(docket_bin())
        .args([
            "-c",
            cfg.to_str().unwrap(),
            "--now",
            NOW,
            "import",
            &data("cases.xlsx"),
        ])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert_exit(&o, 0);
    let uid: u32 = {
        let o = std::process::Command::new("id")
            .args(["-u", &uname])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
    };
    for f in ["kz-0042.toml", "kz-0057.toml"] {
        let m = std::fs::metadata(t.path().join("cases.d").join(f)).unwrap();
        assert_eq!(
            (m.uid(), m.gid(), m.mode() & 0o7777),
            (uid, group_gid, 0o660),
            "{f}"
        );
    }
    let c = docket(&cfg, &["check", "--today", TODAY]);
    assert_exit(&c, 0);
    assert!(stdout(&c).contains("OK: 2 case(s)"), "{}", stdout(&c));
}

/// Issue 21, item 4 end to end: the 200-case sheet imported with
/// `docket import`, then the first pass, read back from the outbox: each
/// caseworker gets one digest that opens with the summary in their
/// language (each case once), the supervisor one overview of the team, not
/// a copy per item; the ledger records each reminder once.
#[test]
fn the_first_pass_after_importing_the_200_case_sheet_is_a_summary() {
    let t = tempfile::tempdir().unwrap();
    let cfg = install(t.path(), "");
    assert_exit(&import(&cfg, &[&data("sample-200.csv")]), 0);
    let o = docket(&cfg, &["run", "--once", "--now", NOW]);
    assert_exit(&o, 0);
    let mails = outbox_mails(&t.path().join("outbox"));
    let to = |who: &str| -> Vec<&Mail> {
        mails
            .iter()
            .filter(|m| m.header("To") == Some(&format!("{who}@ngo.example")[..]))
            .collect()
    };
    // One digest each, no flood of LATE lines.
    for (who, title) in [("aigerim", "NEW TO DOCKET"), ("yerlan", "DOCKET-ТЕ ЖАҢА")] {
        let got = to(who);
        assert_eq!(
            got.len(),
            1,
            "{who}: {:?}",
            got.iter().map(|m| m.header("Subject")).collect::<Vec<_>>()
        );
        let text = got[0].text();
        assert!(text.contains(title), "{who}:\n{text}");
        assert!(text.matches("[LATE]").count() <= 1, "{who}:\n{text}");
    }
    // dana: her own digest, with aigerim's team as one overview.
    let dana = to("dana");
    assert_eq!(
        dana.len(),
        1,
        "{:?}",
        dana.iter().map(|m| m.header("Subject")).collect::<Vec<_>>()
    );
    let text = dana[0].text();
    assert!(text.contains("ВАША КОМАНДА: НОВОЕ В DOCKET"), "{text}");
    assert!(text.contains("(aigerim)"), "{text}");
    // Each reminder recorded once: a second pass the same day sends nothing.
    let o = docket(&cfg, &["run", "--once", "--now", NOW]);
    assert_exit(&o, 0);
    assert_eq!(outbox_mails(&t.path().join("outbox")).len(), mails.len());
}
