//! What a caseworker sees: the digest of tests/data/digest (40 items for
//! `aigerim`, 3 for `yerlan`, the copies for their supervisor `dana`) in
//! English, Russian and Kazakh, as plain text and, in `browser::`, as HTML
//! rendered by headless Chromium at phone and desktop widths.

use crate::util::*;
use std::path::{Path, PathBuf};

/// The day the fixture is written for (scripts/gen-digest-fixture.py).
pub const D: &str = "2026-12-01";

/// English words that must not appear in a Russian or Kazakh digest:
/// tags, section names, what the dates are called.
const ENGLISH: &[&str] = &[
    "OVERDUE",
    "LATE",
    "NEW",
    "COPY",
    "Overdue",
    "This week",
    "Later",
    "act by",
    "deadline",
    "Your team",
    "What to do",
    "planned for",
    "days overdue",
    "Refugee certificate",
    "Court hearing",
];

/// A copy of the fixture with every caseworker writing in `lang`.
pub fn fixture(lang: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = repo().join("tests/data/digest");
    let main = std::fs::read_to_string(src.join("docket.toml"))
        .unwrap()
        .replace("language = \"en\"", &format!("language = \"{lang}\""));
    let cfg = write_config(tmp.path(), "docket.toml", &main);
    for e in std::fs::read_dir(src.join("cases.d")).unwrap() {
        let p = e.unwrap().path();
        let name = format!("cases.d/{}", p.file_name().unwrap().to_string_lossy());
        write_config(tmp.path(), &name, &std::fs::read_to_string(&p).unwrap());
    }
    (tmp, cfg)
}

/// The digests a pass on D sends, by recipient id.
pub fn digests(lang: &str) -> (tempfile::TempDir, std::collections::BTreeMap<String, Mail>) {
    let (tmp, cfg) = fixture(lang);
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 0);
    let mut out = std::collections::BTreeMap::new();
    for m in outbox_mails(&tmp.path().join("state/outbox")) {
        let to = m.header("To").unwrap().to_string();
        out.insert(to.trim_end_matches("@ngo.example").to_string(), m);
    }
    (tmp, out)
}

fn headings(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '-', '=']))
        .collect()
}

#[test]
fn forty_items_in_sections_each_case_once_with_the_line_to_write() {
    let (_tmp, mails) = digests("en");
    let a = &mails["aigerim"];
    let text = a.text();
    let items = entries(text);
    assert_eq!(items.len(), 40, "{text}");
    // The summary comes first, then the sections in order.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Hello, Aigerim Example.");
    assert_eq!(
        lines[2], "Overdue: 13 · This week: 10 · Later: 11",
        "{text}"
    );
    let pos = |h: &str| {
        text.find(h)
            .unwrap_or_else(|| panic!("{h} missing:\n{text}"))
    };
    assert!(pos("\nOVERDUE (13)\n") < pos("\nTHIS WEEK (10)\n"));
    assert!(pos("\nTHIS WEEK (10)\n") < pos("\nLATER (11)\n"));
    assert!(pos("\nLATER (11)\n") < pos("\nHow to read this\n"));
    assert!(pos("\nHow to read this\n") < pos("\nWhat to do\n"));
    // Each case (and the bill) once, with its items under it.
    let cases: Vec<&str> = headings(text)
        .into_iter()
        .filter(|h| h.starts_with("KZ-") || h.starts_with("migration-law"))
        .collect();
    let mut unique = cases.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(cases.len(), unique.len(), "a case shown twice: {cases:?}");
    assert_eq!(cases.len(), 34, "{cases:?}");
    assert!(
        // The fixture's first run: what was due before D is new, not late.
        text.contains("KZ-0008 · Zhanna Fictional\n  * Travel document (TD-507) [OVERDUE] [NEW]"),
        "a case's items together:\n{text}"
    );
    // Every item says what to write, in which file (relative to the main
    // config), and the bill review is marked overdue with today's date.
    assert_eq!(text.matches("\n    → ").count(), 40, "{text}");
    assert!(
        text.contains("    → cases.d/kz-0001.toml: status = \"renewal_filed\", filed = <date>\n")
    );
    assert!(text.contains("    → cases.d/kz-0008.toml: status = \"answered\" or \"refused\"\n"));
    assert!(text.contains("    → cases.d/kz-0019.toml: date = <date> (if it moves)\n"));
    assert!(text.contains("  * Bill review [OVERDUE] [NEW]\n"), "{text}");
    assert!(text.contains("    → docket.toml: last_checked = 2026-12-01\n"));
    // Advice once per kind and situation, not per item.
    assert_eq!(text.matches("risks deportation").count(), 1, "{text}");
    assert_eq!(text.matches("counts as a refusal").count(), 1, "{text}");
    // Tags explained once, after the items.
    assert_eq!(
        text.matches("OVERDUE: the act-by date has passed").count(),
        1
    );
    assert!(text.contains("\nNEW: docket sees this item for the first time"));
    assert!(!text.contains("[LATE]"), "docket had never run: {text}");
    // The guide, in the caseworker's language.
    assert!(
        text.contains("Guide for caseworkers: https://intranet.ngo.example/docket/guide.en.html")
    );
}

#[test]
fn outbox_files_are_named_by_date_time_and_recipient_id() {
    let (tmp, cfg) = fixture("en");
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("state/outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    for (n, who) in names.iter().zip(["aigerim", "dana", "yerlan"]) {
        // 2026-12-01-090000-aigerim-1f3a9c2e.eml: the local time of the
        // write, the caseworker id, a hash of the Message-ID.
        let parts: Vec<&str> = n.trim_end_matches(".eml").split('-').collect();
        assert_eq!(parts.len(), 6, "{n}");
        assert!(
            parts[..4]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit())),
            "{n}"
        );
        assert_eq!(parts[3].len(), 6, "{n}");
        assert!(n.contains(&format!("-{who}-")), "{n}");
        assert!(
            parts[5].len() == 8 && parts[5].bytes().all(|b| b.is_ascii_hexdigit()),
            "{n}"
        );
        assert!(n.ends_with(".eml"), "{n}");
    }
}

#[test]
fn plain_text_fits_80_columns_in_every_language_and_is_shorter_than_before() {
    for lang in ["en", "ru", "kk"] {
        let (_tmp, mails) = digests(lang);
        for (who, m) in &mails {
            for l in m.text().lines() {
                assert!(
                    l.chars().count() <= 80,
                    "{lang} {who}: {} columns: {l}",
                    l.chars().count()
                );
            }
        }
        // The 40-item digest was 276 lines (338 at 80 columns) before the
        // redesign, with the same fixture.
        let lines = mails["aigerim"].text().lines().count();
        assert!(lines < 276, "{lang}: {lines} lines");
    }
}

#[test]
fn russian_and_kazakh_digests_have_no_english_words_but_the_toml() {
    for (lang, tags) in [
        ("ru", ["[ПРОСРОЧЕНО]", "[НОВОЕ]", "[КОПИЯ]"]),
        ("kk", ["[МЕРЗІМІ ӨТКЕН]", "[ЖАҢА]", "[КӨШІРМЕ]"]),
    ] {
        let (_tmp, mails) = digests(lang);
        for (who, m) in &mails {
            // What is left once the TOML to write (→ lines) is taken out.
            let prose: String = m
                .text()
                .lines()
                .filter(|l| !l.trim_start().starts_with('→'))
                .collect::<Vec<_>>()
                .join("\n");
            for w in ENGLISH {
                assert!(!prose.contains(w), "{lang} {who}: {w:?} in:\n{prose}");
            }
        }
        let all: String = mails.values().map(|m| m.text()).collect();
        for t in tags {
            assert!(all.contains(t), "{lang}: {t} missing");
        }
    }
    let (_tmp, mails) = digests("ru");
    let t = mails["aigerim"].text();
    assert!(
        t.contains("  * Удостоверение беженца (RC-700000) [ПРОСРОЧЕНО]"),
        "{t}"
    );
    assert!(t.contains("  * Судебное заседание"), "{t}");
    assert!(t.contains("  * Проверка законопроекта [ПРОСРОЧЕНО]"), "{t}");
    assert!(t.contains("  * Ожидаемая стадия: Сенат"), "{t}");
    assert!(t.contains(
        "Руководство для сотрудников: https://intranet.ngo.example/docket/guide.ru.html"
    ));
}

#[test]
fn a_supervisor_sees_the_caseworkers_by_name_and_copies_marked() {
    let (_tmp, mails) = digests("en");
    let d = mails["dana"].text();
    assert!(
        d.starts_with("Hello, Dana Example.\n\nYour team: 25\n"),
        "{d}"
    );
    assert!(d.contains("\n-- Aigerim Example (aigerim)\n"), "{d}");
    assert!(d.contains("\n-- Yerlan Sample (yerlan)\n"), "{d}");
    let items = entries(d);
    assert_eq!(items.len(), 25, "{d}");
    assert!(items.iter().all(|e| e.contains("[COPY]")), "{items:?}");
    assert!(d.contains("COPY: your copy as supervisor"), "{d}");
}

#[test]
fn labels_per_language_from_the_config_then_built_in_then_the_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let main = r#"
[service]
timezone = "Asia/Almaty"
state_dir = "state"
[mail]
transport = "file"
dir = "out"
[kinds.work_permit]
label = { ru = "Разрешение (наш ярлык)" }
[kinds.marriage_registration]
label = { en = "Marriage registration" }
[kinds.medical_check]
[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"
language = "ru"
[[case]]
id = "KZ-0001"
caseworker = "aigerim"
  [[case.document]]
  kind = "work_permit"
  expires = 2026-12-10
  [[case.document]]
  kind = "marriage_registration"
  expires = 2026-12-10
  [[case.document]]
  kind = "medical_check"
  expires = 2026-12-10
  [[case.document]]
  kind = "residence_permit"
  expires = 2026-12-10
  [[case.event]]
  date = 2026-12-08
"#;
    let cfg = write_config(tmp.path(), "docket.toml", main);
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let mails = outbox_mails(&tmp.path().join("out"));
    let t = mails[0].text();
    for want in [
        "  * Разрешение (наш ярлык)",
        // No Russian label given and none built in: the English one.
        "  * Marriage registration",
        "  * medical check",
        "  * Вид на жительство",
        // An event without a kind.
        "  * Встреча",
    ] {
        assert!(t.contains(want), "{want:?} in:\n{t}");
    }
}

/// Render `html` at `width` px in headless Chromium; the measurements and,
/// with `shot`, a screenshot.
pub fn render(html: &Path, width: u32, shot: Option<&Path>) -> serde_json::Value {
    let mut c = std::process::Command::new("python3");
    c.arg(repo().join("scripts/render-html.py"))
        .arg(html)
        .arg(width.to_string());
    if let Some(s) = shot {
        c.arg(s);
    }
    let o = c.output().expect("run scripts/render-html.py");
    assert!(
        o.status.success(),
        "render-html.py (needs Debian's chromium: apt-get install chromium): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

mod browser {
    use super::*;

    /// en/ru/kk × 375/900 px × 3/40 items: nothing overflows a phone's
    /// width, every section is there, no English tag in ru/kk. The
    /// screenshots land in target/digest-screenshots (those in
    /// doc/screenshots come from scripts/digest-screenshots.sh).
    #[test]
    fn the_html_digest_fits_a_phone_and_a_desktop_in_every_language() {
        let shots = repo().join("target/digest-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        for lang in ["en", "ru", "kk"] {
            let (tmp, mails) = digests(lang);
            for (who, n) in [("aigerim", 40), ("yerlan", 3)] {
                let html = tmp.path().join(format!("{who}.html"));
                std::fs::write(&html, mails[who].html()).unwrap();
                for width in [375, 900] {
                    let png = shots.join(format!("digest-{lang}-{n}-{width}.png"));
                    let m = render(&html, width, Some(&png));
                    let what = format!("{lang}, {n} items, {width} px");
                    assert_eq!(m["innerWidth"], width, "{what}");
                    assert!(
                        m["scrollWidth"].as_u64().unwrap() <= width as u64,
                        "{what}: the page is {} px wide",
                        m["scrollWidth"]
                    );
                    let ids: Vec<&str> = m["ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    for id in [
                        "summary",
                        "section-overdue",
                        "section-week",
                        "section-later",
                        "legend",
                        "advice",
                    ] {
                        assert!(ids.contains(&id), "{what}: no #{id} in {ids:?}");
                    }
                    let text = m["text"].as_str().unwrap();
                    assert!(text.contains("KZ-00"), "{what}: {text}");
                    if lang != "en" {
                        for w in ENGLISH {
                            assert!(!text.contains(w), "{what}: {w:?} in the page");
                        }
                    }
                    let size = std::fs::metadata(&png).unwrap().len();
                    assert!(size > 10_000, "{what}: screenshot of {size} bytes");
                }
            }
        }
    }
}
