//! Issue 21, items 4 and 5. Item 4: the first pass after an import (or
//! the very first run) tells each caseworker once, as a summary, what is
//! overdue and coming among the cases docket had never told anyone about,
//! and the supervisor gets one overview instead of a copy per item; the
//! ledger records every reminder once, and the next day is an ordinary
//! day. Real `run --once` passes over the 200-case sample an import
//! leaves (`scripts/gen-import-sample.py`), digests read back from the
//! file transport's outbox. Item 5: `upcoming` and `plan` as CSV.

use crate::util::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The sample's first day and the next.
const DAY1: &str = "2026-12-07";
const DAY2: &str = "2026-12-08";

/// (caseworker id, language, the summary's heading as the text part writes it, NEW tag, LATE tag).
const WORKERS: &[(&str, &str, &str, &str, &str)] = &[
    ("cw1", "en", "NEW TO DOCKET (", "[NEW]", "[LATE]"),
    ("cw2", "ru", "НОВОЕ В DOCKET (", "[НОВОЕ]", "[С ОПОЗДАНИЕМ]"),
    ("cw3", "kk", "DOCKET-ТЕ ЖАҢА (", "[ЖАҢА]", "[КЕШІГІП]"),
    ("cw4", "ru", "НОВОЕ В DOCKET (", "[НОВОЕ]", "[С ОПОЗДАНИЕМ]"),
    ("cw5", "en", "NEW TO DOCKET (", "[NEW]", "[LATE]"),
];

fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// The 200-case sample in a fresh directory.
fn sample() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(python())
        .arg(repo().join("scripts/gen-import-sample.py"))
        .arg(tmp.path())
        .args(["--today", DAY1])
        .output()
        .expect("run gen-import-sample.py");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cfg = tmp.path().join("docket.toml");
    (tmp, cfg)
}

/// The mails in the outbox not in `before`, by recipient id.
fn mails_since(dir: &Path, before: &BTreeSet<String>) -> BTreeMap<String, Vec<Mail>> {
    let mut out: BTreeMap<String, Vec<Mail>> = BTreeMap::new();
    for m in outbox_mails(&dir.join("state/outbox")) {
        if before.contains(m.header("Message-ID").unwrap()) {
            continue;
        }
        let to = m.header("To").unwrap().to_string();
        let id = to.split('@').next().unwrap().to_string();
        out.entry(id).or_default().push(m);
    }
    out
}

fn message_ids(dir: &Path) -> BTreeSet<String> {
    outbox_mails(&dir.join("state/outbox"))
        .iter()
        .map(|m| m.header("Message-ID").unwrap().to_string())
        .collect()
}

/// The plain-text lines of the summary block (from its heading to the
/// next heading in capitals), and the case references listed in it.
fn summary_cases(text: &str, heading: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for l in text.lines().map(|l| l.trim_end_matches('\r')) {
        if l.starts_with(heading) {
            inside = true;
            continue;
        }
        if inside && l.starts_with("  - ") {
            out.push(l[4..].split([' ', ',']).next().unwrap().to_string());
        } else if inside
            && !l.is_empty()
            && l.chars().next().is_some_and(|c| c.is_uppercase())
            && l == l.to_uppercase()
            && !l.starts_with("KZ-")
        {
            break;
        }
    }
    out
}

fn history_rows(cfg: &Path) -> Vec<serde_json::Value> {
    history(cfg)
}

/// The cases with an item line (`  * …`) in a digest's text.
fn item_cases(text: &str) -> BTreeSet<String> {
    let mut case = String::new();
    let mut out = BTreeSet::new();
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.starts_with("KZ-") {
            case = line.split(' ').next().unwrap().to_string();
        } else if line.starts_with("  * ") {
            out.insert(case.clone());
        }
    }
    out
}

fn key(r: &serde_json::Value) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        r["case"], r["item"], r["deadline"], r["step"], r["recipient"]
    )
}

#[test]
fn item4_the_first_pass_after_importing_200_cases_is_a_summary_and_the_next_day_is_ordinary() {
    let (tmp, cfg) = sample();
    run_once(&cfg, DAY1, 0);
    let mails = mails_since(tmp.path(), &BTreeSet::new());
    assert_eq!(mails.len(), 6, "five caseworkers and the supervisor");
    assert!(mails.values().all(|v| v.len() == 1), "one digest each");
    let rows = history_rows(&cfg);
    let mut summarized = 0;
    for (id, lang, heading, new, late) in WORKERS {
        let text = mails[*id][0].text().to_string();
        assert!(text.contains(heading), "{id} ({lang}): a summary:\n{text}");
        let listed = summary_cases(&text, heading);
        let unique: BTreeSet<&String> = listed.iter().collect();
        assert_eq!(
            unique.len(),
            listed.len(),
            "{id}: each case once: {listed:?}"
        );
        // Every summary row of theirs is in the summary, and nothing else.
        let expected: BTreeSet<String> = rows
            .iter()
            .filter(|r| r["recipient"] == *id && r["summary"] == true)
            .map(|r| field(r, "case").to_string())
            .collect();
        assert!(expected.len() >= 5, "{id}: {expected:?}");
        assert_eq!(
            unique.into_iter().cloned().collect::<BTreeSet<_>>(),
            expected,
            "{id}:\n{text}"
        );
        summarized += expected.len();
        assert!(!text.contains(late), "{id}: nothing is late:\n{text}");
        assert!(
            !text.contains(new),
            "{id}: the new ones are in the summary:\n{text}"
        );
        // A case in the summary has no item line of its own, unless an
        // item of it is told on its day (not in the summary).
        for case in item_cases(&text) {
            let on_its_day = rows.iter().any(|r| {
                r["recipient"] == *id && field(r, "case") == case && r["summary"] == false
            });
            assert!(
                !expected.contains(&case) || on_its_day,
                "{id}: {case} told twice:\n{text}"
            );
        }
    }
    // The supervisor: one overview, per caseworker; copies only of what
    // is not in a summary.
    let lead = mails["lead"][0].text().to_string();
    assert!(lead.contains("ВАША КОМАНДА: НОВОЕ В DOCKET"), "{lead}");
    for (id, ..) in WORKERS {
        assert_eq!(
            lead.matches(&format!("({id}): ")).count(),
            1,
            "{id} once in the overview:\n{lead}"
        );
    }
    let copies = rows
        .iter()
        .filter(|r| r["recipient"] == "lead" && r["summary"] == false)
        .count();
    assert_eq!(lead.matches("[КОПИЯ]").count(), copies, "{lead}");
    // The ledger: every reminder once, sent; summary rows are new.
    let keys: BTreeSet<String> = rows.iter().map(key).collect();
    assert_eq!(keys.len(), rows.len(), "each reminder recorded once");
    assert!(rows.iter().all(|r| r["state"] == "sent"), "{rows:#?}");
    assert!(rows
        .iter()
        .filter(|r| r["summary"] == true)
        .all(|r| r["new"] == true && r["late"] == false));
    assert!(rows.iter().all(|r| r["late"] == false));
    // The next day: nothing from the summary again, nothing late or new.
    let before = message_ids(tmp.path());
    run_once(&cfg, DAY2, 0);
    let day2 = mails_since(tmp.path(), &before);
    for (id, _, heading, new, late) in WORKERS {
        for m in day2.get(*id).into_iter().flatten() {
            let text = m.text();
            assert!(!text.contains(heading), "{id}: no summary again:\n{text}");
            assert!(!text.contains(new) && !text.contains(late), "{id}:\n{text}");
        }
    }
    let rows2 = history_rows(&cfg);
    let fresh: Vec<&serde_json::Value> = rows2.iter().filter(|r| !keys.contains(&key(r))).collect();
    assert_eq!(
        rows2.len(),
        rows.len() + fresh.len(),
        "nothing recorded twice"
    );
    for r in &fresh {
        assert_eq!(
            field(r, "due_date"),
            DAY2,
            "only what falls on the day: {r}"
        );
        assert_eq!(
            (
                r["late"].as_bool(),
                r["new"].as_bool(),
                r["summary"].as_bool()
            ),
            (Some(false), Some(false), Some(false)),
            "{r}"
        );
    }
    eprintln!(
        "first pass: {} digests, {summarized} cases in summaries; day 2: {} digests, {} reminders",
        mails.len(),
        day2.len(),
        fresh.len()
    );
}

// ------------------------------------------------------------- item 5

/// The README's example config, copied.
fn example() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree_private(&repo().join("config"), tmp.path());
    let cfg = tmp.path().join("docket.toml");
    (tmp, cfg)
}

/// `upcoming --today 2026-12-06 --format csv` of the example config.
const UPCOMING_CSV: &str =
    "\u{feff}case,caseworker,item,kind,deadline,act_by,days_left,status,tracked\r\n\
KZ-0057,yerlan,request,citizenship,2026-09-01,2026-09-01,-96,pending,true\r\n\
migration-law,dana,bill,review,2026-10-31,2026-10-30,-37,mazhilis,true\r\n\
KZ-0042,aigerim,request,travel_document,2026-11-23,2026-11-23,-13,pending,true\r\n\
KZ-0057,yerlan,document,asylum_seeker_certificate,2026-12-10,2026-12-10,4,active,true\r\n\
migration-law,dana,bill,senate,2026-12-15,2026-12-15,9,mazhilis,true\r\n\
KZ-0042,aigerim,document,refugee_certificate,2026-12-18,2026-12-18,12,active,true\r\n\
migration-law,dana,bill,in_force,2027-01-01,2026-12-31,25,mazhilis,true\r\n\
KZ-0061,aigerim,document,residence_permit,2027-02-10,2027-02-10,66,active,true\r\n";

/// The same command with the index (it must answer from it), without
/// it (`DOCKET_CACHE=off`): the stdout of each, which must be the same
/// bytes.
fn with_and_without_index(cfg: &Path, cache: &Path, args: &[&str]) -> Vec<u8> {
    let run = |env: &[(&str, &str)]| {
        let mut c = docket_command(cfg, args);
        c.env("XDG_CACHE_HOME", cache);
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        assert_exit(&o, 0);
        o
    };
    let first = run(&[]);
    let indexed = run(&[("DOCKET_LOG", "docket::index=debug")]);
    assert!(
        stderr(&indexed).contains("answered from the index") || args[0] == "plan",
        "the index answered: {}",
        stderr(&indexed)
    );
    let off = run(&[("DOCKET_CACHE", "off")]);
    assert_eq!(first.stdout, off.stdout, "{args:?}");
    assert_eq!(
        indexed.stdout, off.stdout,
        "{args:?}: the index answered otherwise"
    );
    off.stdout
}

/// Python's `csv` module reads `csv` back (as Excel's dialect, the BOM
/// taken off by `utf-8-sig`) into exactly the rows of `json`, every value
/// as text; the BOM and CRLF line ends are checked on the bytes.
fn python_reads_back(dir: &Path, csv: &[u8], json: &[u8]) {
    const SCRIPT: &str = r#"
import csv, json, sys
raw = open(sys.argv[1], 'rb').read()
assert raw.startswith(b'\xef\xbb\xbf'), 'no BOM'
assert raw.count(b'\r\n') == raw.count(b'\n'), 'not CRLF'
with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:
    rows = list(csv.DictReader(f))
want = json.load(open(sys.argv[2]))
def text(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, list):
        return ','.join(v)
    return str(v)
want = [{k: text(v) for k, v in r.items()} for r in want]
for r in want:
    if 'days_left' in r:
        r.setdefault('tracked', 'true')
assert len(rows) == len(want) > 0, (len(rows), len(want))
for a, b in zip(rows, want):
    assert a == b, (a, b)
print(len(rows))
"#;
    std::fs::write(dir.join("out.csv"), csv).unwrap();
    std::fs::write(dir.join("out.json"), json).unwrap();
    let o = std::process::Command::new(python())
        .args(["-c", SCRIPT])
        .arg(dir.join("out.csv"))
        .arg(dir.join("out.json"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn item5_upcoming_as_csv_is_exact_read_back_by_python_and_the_same_with_or_without_the_index() {
    let (tmp, cfg) = example();
    let cache = tmp.path().join("cache");
    let args = ["upcoming", "--today", "2026-12-06", "--format", "csv"];
    let csv = with_and_without_index(&cfg, &cache, &args);
    assert_eq!(String::from_utf8(csv.clone()).unwrap(), UPCOMING_CSV);
    let json = docket(
        &cfg,
        &["upcoming", "--today", "2026-12-06", "--format", "json"],
    );
    assert_exit(&json, 0);
    python_reads_back(tmp.path(), &csv, &json.stdout);
    // One caseworker's rows, as a supervisor would hand them on.
    let mine = docket(
        &cfg,
        &[
            "upcoming",
            "--today",
            "2026-12-06",
            "--caseworker",
            "aigerim",
            "--format",
            "csv",
        ],
    );
    assert_exit(&mine, 0);
    let text = stdout(&mine);
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn item5_plan_as_csv_is_read_back_by_python_and_the_same_with_or_without_the_index() {
    let (tmp, cfg) = example();
    let cache = tmp.path().join("cache");
    let range = ["--from", "2026-12-01", "--to", "2027-03-31"];
    let mut args = vec!["plan"];
    args.extend(range);
    args.extend(["--format", "csv"]);
    let csv = with_and_without_index(&cfg, &cache, &args);
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.starts_with("\u{feff}date,case,item,kind,deadline,act_by,step,to,cc\r\n"),
        "{text}"
    );
    // An escalated row: the supervisor in `cc`.
    assert!(
        text.contains("\r\n2026-12-01,KZ-0042,request,travel_document,2026-11-23,2026-11-23,overdue,aigerim,dana\r\n"),
        "{text}"
    );
    let mut json_args = vec!["plan"];
    json_args.extend(range);
    json_args.extend(["--format", "json"]);
    let json = docket(&cfg, &json_args);
    assert_exit(&json, 0);
    python_reads_back(tmp.path(), &csv, &json.stdout);
}

/// The summary is for many new cases: two new cases per caseworker stay
/// reminders marked NEW (issue 18), and `[mail] summary_from = 0` turns
/// the summary off for 200.
#[test]
fn item4_a_few_new_cases_or_summary_from_0_stay_reminders_marked_new() {
    for (cases, off) in [("10", false), ("200", true)] {
        let tmp = tempfile::tempdir().unwrap();
        let o = std::process::Command::new(python())
            .arg(repo().join("scripts/gen-import-sample.py"))
            .arg(tmp.path())
            .args(["--today", DAY1, "--cases", cases])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let cfg = tmp.path().join("docket.toml");
        if off {
            let text = std::fs::read_to_string(&cfg).unwrap();
            let text = text.replace("[mail]\n", "[mail]\nsummary_from = 0\n");
            write_config(tmp.path(), "docket.toml", &text);
        }
        run_once(&cfg, DAY1, 0);
        let mails = mails_since(tmp.path(), &BTreeSet::new());
        let mut news = 0;
        for (id, _, heading, new, _) in WORKERS {
            for m in mails.get(*id).into_iter().flatten() {
                let text = m.text();
                assert!(
                    !text.contains(heading),
                    "{cases} cases, {id}: no summary:\n{text}"
                );
                news += text.matches(new).count();
            }
        }
        assert!(news > 0, "{cases} cases: told as new, one by one");
        let lead = mails["lead"][0].text().to_string();
        assert!(!lead.contains("НОВОЕ В DOCKET"), "{lead}");
        assert!(lead.contains("[КОПИЯ]"), "{lead}");
        assert!(history(&cfg).iter().all(|r| r["summary"] == false));
    }
}

mod browser {
    use super::*;

    /// The summary and the overview in headless Chromium, in ru, kk and
    /// en, at a phone's and a desktop's width: nothing overflows, the
    /// groups are there, and every case of the summary is on the page.
    #[test]
    fn item4_the_summary_and_the_overview_fit_a_phone_and_a_desktop() {
        let (tmp, cfg) = sample();
        run_once(&cfg, DAY1, 0);
        let mails = mails_since(tmp.path(), &BTreeSet::new());
        let rows = history(&cfg);
        let shots = repo().join("target/digest-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        for (who, want) in [
            ("cw1", "section-new"),
            ("cw2", "section-new"),
            ("cw3", "section-new"),
            ("lead", "section-overview"),
        ] {
            let html = tmp.path().join(format!("{who}.html"));
            std::fs::write(&html, mails[who][0].html()).unwrap();
            for width in [375u32, 900] {
                let png = shots.join(format!("first21-{who}-{width}.png"));
                let m = crate::digest::render(&html, width, Some(&png));
                let what = format!("{who}, {width} px");
                assert!(
                    m["scrollWidth"].as_u64().unwrap() <= u64::from(width),
                    "{what}: {} px wide",
                    m["scrollWidth"]
                );
                let ids: Vec<&str> = m["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                assert!(ids.contains(&want), "{what}: {ids:?}");
                let text = m["text"].as_str().unwrap();
                if who != "lead" {
                    assert!(ids.contains(&"new-overdue"), "{what}: {ids:?}");
                    for r in rows
                        .iter()
                        .filter(|r| r["recipient"] == who && r["summary"] == true)
                    {
                        assert!(text.contains(field(r, "case")), "{what}: {r}");
                    }
                }
            }
        }
    }
}

/// An import into an install that already runs: ten cases known since
/// the day before, then 190 case files written at once. The next pass
/// tells the 190 as a summary; the ten known cases are never in it.
#[test]
fn item4_an_import_into_a_running_install_is_a_summary_of_the_imported_cases_only() {
    let (tmp, cfg) = sample();
    let cases = tmp.path().join("cases.d");
    let held = tmp.path().join("held");
    std::fs::create_dir(&held).unwrap();
    for n in 11..=200 {
        let name = format!("kz-{n:04}.toml");
        std::fs::rename(cases.join(&name), held.join(&name)).unwrap();
    }
    run_once(&cfg, "2026-12-06", 0);
    let known: BTreeSet<String> = (1..=10).map(|n| format!("KZ-{n:04}")).collect();
    assert!(history(&cfg).iter().all(|r| r["summary"] == false));
    let before = message_ids(tmp.path());
    // The import: every file at once.
    for n in 11..=200 {
        let name = format!("kz-{n:04}.toml");
        std::fs::rename(held.join(&name), cases.join(&name)).unwrap();
    }
    run_once(&cfg, DAY1, 0);
    let mails = mails_since(tmp.path(), &before);
    let mut in_summaries = 0;
    for (id, _, heading, ..) in WORKERS {
        let text = mails[*id][0].text().to_string();
        let listed = summary_cases(&text, heading);
        assert!(listed.len() >= 5, "{id}: a summary:\n{text}");
        for c in &listed {
            assert!(
                !known.contains(c),
                "{id}: {c} was known before the import:\n{text}"
            );
        }
        in_summaries += listed.len();
    }
    let lead = mails["lead"][0].text().to_string();
    assert!(lead.contains("ВАША КОМАНДА: НОВОЕ В DOCKET"), "{lead}");
    eprintln!("after the import: {in_summaries} cases in the summaries");
}
