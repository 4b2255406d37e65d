//! Issue 18, item 10: new is not late. An item docket sees for the first
//! time (its first run, a new case file) whose reminder day has passed is
//! told as new; LATE is for an item docket knew and should have reminded
//! about on a day it was not running. Real `run --once --today` passes on
//! the README's example config (en, ru and kk caseworkers), every digest
//! read from the file transport's outbox.

use crate::util::*;
use std::path::{Path, PathBuf};

/// The tags in each language: (late, new).
const TAGS: &[(&str, &str, &str)] = &[
    ("en", "[LATE]", "[NEW]"),
    ("ru", "[С ОПОЗДАНИЕМ]", "[НОВОЕ]"),
    ("kk", "[КЕШІГІП]", "[ЖАҢА]"),
];

/// The README demo: `config/` copied, its state in `state/`.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree_private(&repo().join("config"), tmp.path());
    let main = tmp.path().join("docket.toml");
    let text = std::fs::read_to_string(&main).unwrap();
    let text = text.replace("# state_dir = \"/var/lib/docket\"", "state_dir = \"state\"");
    assert!(text.contains("\nstate_dir = \"state\""));
    write_config(tmp.path(), "docket.toml", &text);
    (tmp, main)
}

/// The caseworkers' digests in the outbox, (language, recipient, text),
/// leaving out those already in `before`.
fn digests(dir: &Path, before: &[String]) -> Vec<(&'static str, String, String)> {
    let lang = |to: &str| match to {
        "dana@ngo.example" => Some("ru"),
        "aigerim@ngo.example" => Some("en"),
        "yerlan@ngo.example" => Some("kk"),
        _ => None,
    };
    outbox_mails(&dir.join("state/outbox"))
        .into_iter()
        .filter(|m| !before.contains(&m.header("Message-ID").unwrap().to_string()))
        .filter_map(|m| {
            let to = m.header("To").unwrap().to_string();
            lang(&to).map(|l| (l, to, m.text().to_string()))
        })
        .collect()
}

/// Every digest file in the outbox parsed by Python's `email` package
/// with `policy=email.policy.strict`: (To, plain-text body) per message.
fn strict_bodies(dir: &Path) -> Vec<(String, String)> {
    const SCRIPT: &str = r#"
import email, email.policy, glob, json, sys
out = []
for f in sorted(glob.glob(sys.argv[1] + '/*.eml')):
    m = email.message_from_bytes(open(f, 'rb').read(), policy=email.policy.strict)
    if m.defects:
        raise SystemExit(f + ': ' + repr(m.defects))
    body = m.get_body(('plain',))
    if body.get_content_charset() != 'utf-8':
        raise SystemExit(f + ': charset ' + repr(body.get_content_charset()))
    out.append([str(m['To']), body.get_content()])
print(json.dumps(out))
"#;
    let py = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let o = std::process::Command::new(py)
        .args(["-c", SCRIPT])
        .arg(dir.join("state/outbox"))
        .output()
        .expect("run python3");
    assert!(
        o.status.success(),
        "strict parse: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn message_ids(dir: &Path) -> Vec<String> {
    outbox_mails(&dir.join("state/outbox"))
        .iter()
        .map(|m| m.header("Message-ID").unwrap().to_string())
        .collect()
}

/// Each item line (`  * …`) of a digest with the case (or bill) it is
/// under.
fn items_by_case(text: &str) -> Vec<(String, String)> {
    let mut case = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if line.starts_with("KZ-") || line.starts_with("migration-law") {
            case = line.split(' ').next().unwrap().to_string();
        } else if line.starts_with("  * ") {
            out.push((case.clone(), line.to_string()));
        }
    }
    out
}

fn tags(lang: &str) -> (&'static str, &'static str) {
    let t = TAGS.iter().find(|t| t.0 == lang).unwrap();
    (t.1, t.2)
}

/// Sunday 2026-12-06, as in the issue: the demo's first run.
const SUNDAY: &str = "2026-12-06";

#[test]
fn item10_a_first_run_tells_past_reminders_as_new_not_late() {
    let (tmp, cfg) = demo();
    assert_exit(&docket(&cfg, &["run", "--once", "--today", SUNDAY]), 0);
    let mails = digests(tmp.path(), &[]);
    assert_eq!(mails.len(), 3, "the demo's three digests");
    let mut news = 0;
    for (lang, to, text) in &mails {
        let (late, new) = tags(lang);
        assert!(
            !text.contains(late),
            "{to} ({lang}): docket had never run, nothing is late:\n{text}"
        );
        let n = text.matches(new).count();
        assert!(n > 0, "{to} ({lang}): told as new:\n{text}");
        news += n;
        // The tag is explained once, in the caseworker's language.
        let legend = &new[1..new.len() - 1];
        assert_eq!(
            text.matches(&format!("\n{legend}: docket ")).count(),
            1,
            "{to}: {text}"
        );
        assert!(!text.contains("planned for"), "{text}");
    }
    // The same digests as a strict mail parser reads them.
    let strict = strict_bodies(tmp.path());
    for (lang, to, _) in &mails {
        let (late, new) = tags(lang);
        let (_, body) = strict.iter().find(|(t, _)| t == to).expect("parsed");
        assert!(body.contains(new) && !body.contains(late), "{to}: {body}");
    }
    // `history` says it too: new, not late.
    let rows = history(&cfg);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["late"] == false), "{rows:#?}");
    assert!(rows.iter().any(|r| r["new"] == true), "{rows:#?}");
    eprintln!("first run on {SUNDAY}: 3 digests, {news} entries told as new, none late");
}

#[test]
fn item10_a_known_item_missed_while_docket_was_down_is_still_late_and_a_new_file_is_new() {
    let (tmp, cfg) = demo();
    // Docket runs on 2026-11-20 (a Friday) and knows every case.
    assert_exit(
        &docket(&cfg, &["run", "--once", "--today", "2026-11-20"]),
        0,
    );
    let before = message_ids(tmp.path());
    // Then it is down until Sunday; meanwhile a caseworker adds a file with
    // a certificate that had to be renewed in November.
    write_config(
        tmp.path(),
        "cases.d/kz-0077.toml",
        "[[case]]\nid = \"KZ-0077\"\ncaseworker = \"yerlan\"\nperson = \"Aliya Testova\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2025-11-25\n  status = \"active\"\n",
    );
    assert_exit(&docket(&cfg, &["run", "--once", "--today", SUNDAY]), 0);
    let mails = digests(tmp.path(), &before);
    assert!(!mails.is_empty());
    let (mut lates, mut en_late) = (0, false);
    for (lang, to, text) in &mails {
        let (late, new) = tags(lang);
        lates += text.matches(late).count();
        if *lang == "en" && text.contains(late) {
            en_late = true;
            // LATE no longer says "or the item was added late".
            assert!(
                text.contains("\nLATE: this reminder comes later than planned: docket was not running that day,"),
                "{text}"
            );
            assert!(!text.contains("added late"), "{text}");
        }
        // KZ-0077 is new wherever it is told; the cases docket knew are not.
        for (case, item) in items_by_case(text) {
            if case == "KZ-0077" {
                assert!(item.contains(new), "{to}: KZ-0077 is new: {item}");
                assert!(!item.contains(late), "{to}: KZ-0077 is not late: {item}");
            } else {
                assert!(!item.contains(new), "{to}: {case} was known: {item}");
            }
        }
    }
    assert!(
        lates > 0,
        "the known items missed while down are late: {mails:#?}"
    );
    assert!(en_late, "an English digest with a late item: {mails:#?}");
    let yerlan = mails
        .iter()
        .find(|m| m.1 == "yerlan@ngo.example")
        .expect("a digest for Yerlan");
    assert!(yerlan.2.contains("KZ-0077"), "{}", yerlan.2);
    let rows = history(&cfg);
    for r in &rows {
        let case = field(r, "case");
        if case == "KZ-0077" {
            assert_eq!(
                (r["late"].as_bool(), r["new"].as_bool()),
                (Some(false), Some(true)),
                "{r}"
            );
        } else if field(r, "due_date") > "2026-11-20" && field(r, "due_date") < SUNDAY {
            assert_eq!(
                (r["late"].as_bool(), r["new"].as_bool()),
                (Some(true), Some(false)),
                "{r}"
            );
        }
    }
    eprintln!("after downtime: {} digests, {lates} late tags", mails.len());
}

#[test]
fn item10_a_file_added_while_the_daemon_runs_is_new() {
    let (tmp, cfg) = demo();
    let mut d = Daemon::start(&cfg, "2026-11-20", tmp.path().join("log"));
    d.wait_log("pass done", 1);
    // The feeds of that pass are what docket remembers items by.
    let feed = tmp.path().join("state/feeds/yerlan.ics");
    poll(std::time::Duration::from_secs(60), || {
        feed.is_file().then_some(())
    })
    .expect("the feeds written");
    let before = message_ids(tmp.path());
    // Its certificate's 7-day reminder was due on 2026-11-18.
    let t0 = std::time::Instant::now();
    write_config(
        tmp.path(),
        "cases.d/kz-0077.toml",
        "[[case]]\nid = \"KZ-0077\"\ncaseworker = \"yerlan\"\nperson = \"Aliya Testova\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2025-11-25\n  status = \"active\"\n",
    );
    let got = poll(std::time::Duration::from_secs(60), || {
        digests(tmp.path(), &before)
            .into_iter()
            .find(|m| m.1 == "yerlan@ngo.example" && m.2.contains("KZ-0077"))
    });
    let took = t0.elapsed();
    let (_, _, text) = got.unwrap_or_else(|| panic!("no digest for KZ-0077:\n{}", d.log()));
    let items = items_by_case(&text);
    let item = &items.iter().find(|(c, _)| c == "KZ-0077").unwrap().1;
    assert!(item.contains("[ЖАҢА]"), "{text}");
    assert!(!item.contains("[КЕШІГІП]"), "{text}");
    assert!(
        text.contains("\nЖАҢА: docket бұл тармақты алғаш рет"),
        "{text}"
    );
    d.stop();
    eprintln!("a new file while running: its digest (told as new) in {took:.1?}");
}
