//! Issue 18, item 9: the calendar feeds as a caseworker's calendar gets
//! them. Every physical line of real feeds (en, ru and kk owners, Cyrillic
//! and Kazakh names and titles, long descriptions) is checked octet by
//! octet; kinds are named in the owner's language; an overdue deadline
//! sits on the feed's day, marked, and moves with it. Read back by
//! Python's `icalendar` and by `khal`, as in `never_silent::`.

use crate::digest::{fixture, D};
use crate::never_silent::{events, khal_list, parse_feed};
use crate::util::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The digest fixture with names allowed in mail (so they reach the
/// feeds), Dana (the supervisor) reading Russian, Aigerim Kazakh, Yerlan
/// English, Cyrillic names for the two women, and `cases.d/long.toml`:
/// cases whose names and hearing titles grow by one octet from case to
/// case, so that folds fall at every offset, also inside a two-octet
/// letter. Returns the cases' (reference, person, title).
fn multilingual(dir: &Path, main: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(main)
        .unwrap()
        .replace(
            "name = \"Dana Example\"\nemail = \"dana@ngo.example\"\nlanguage = \"en\"",
            "name = \"Дана Примерова\"\nemail = \"dana@ngo.example\"\nlanguage = \"ru\"",
        )
        .replace(
            "name = \"Aigerim Example\"\nemail = \"aigerim@ngo.example\"\nsupervisor = \"dana\"\nlanguage = \"en\"",
            "name = \"Әйгерім Тестова\"\nemail = \"aigerim@ngo.example\"\nsupervisor = \"dana\"\nlanguage = \"kk\"",
        );
    assert!(text.contains("Дана Примерова") && text.contains("Әйгерім Тестова"));
    write_config(dir, "docket.toml", &text);
    let mut cases = Vec::new();
    let mut toml = String::new();
    for k in 0..48usize {
        let reference = format!("KZ-09{k:02}");
        let person = format!("Ақбота Үлгіқызы{}{}", "ә".repeat(k / 2), "e".repeat(k % 2));
        let title = format!(
            "Апелляциялық шағымды қарау жөніндегі сот отырысы, {} зал{}",
            k + 1,
            "ы".repeat(k % 7)
        );
        let who = ["aigerim", "yerlan"][k % 2];
        // Hearings between D and D + 20; every third case has an expired
        // asylum-seeker certificate (overdue) as well.
        toml.push_str(&format!(
            "[[case]]\nid = \"{reference}\"\ncaseworker = \"{who}\"\nperson = \"{person}\"\n\n  [[case.event]]\n  title = \"{title}\"\n  kind = \"court_hearing\"\n  date = 2026-12-{:02}\n\n",
            2 + k % 20
        ));
        if k % 3 == 0 {
            toml.push_str(
                "  [[case.document]]\n  kind = \"asylum_seeker_certificate\"\n  issued = 2026-07-01\n  status = \"active\"\n\n",
            );
        }
        cases.push((reference, person, title));
    }
    write_config(dir, "cases.d/long.toml", &toml);
    cases
}

/// Every `.ics` file docket wrote, by name.
fn feed_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ics"))
        .collect();
    v.sort();
    v
}

/// Check a feed's bytes line by line (RFC 5545 3.1): every line ends in
/// CRLF, holds at most 75 octets without it, is valid UTF-8 on its own (no
/// fold inside a character), and a continuation starts with one space.
/// Returns the content lines, unfolded, and how many were folded.
fn check_lines(path: &Path) -> (Vec<String>, usize) {
    let raw = std::fs::read(path).unwrap();
    assert!(
        raw.ends_with(b"\r\n"),
        "{}: no CRLF at the end",
        path.display()
    );
    let mut logical: Vec<String> = Vec::new();
    let mut folded = 0;
    // Each line with its CRLF: the piece after the last LF is empty.
    let body = &raw[..raw.len() - 1];
    for (n, line) in body.split(|&b| b == b'\n').enumerate() {
        let line = line
            .strip_suffix(b"\r")
            .unwrap_or_else(|| panic!("{}:{}: a line break without CR", path.display(), n + 1));
        assert!(
            line.len() <= 75,
            "{}:{}: {} octets: {:?}",
            path.display(),
            n + 1,
            line.len(),
            String::from_utf8_lossy(line)
        );
        assert!(
            !line.contains(&b'\r'),
            "{}:{}: a bare CR",
            path.display(),
            n + 1
        );
        let text = std::str::from_utf8(line).unwrap_or_else(|e| {
            panic!(
                "{}:{}: a UTF-8 sequence split by a fold ({e}): {:?}",
                path.display(),
                n + 1,
                String::from_utf8_lossy(line)
            )
        });
        match text.strip_prefix(' ') {
            Some(rest) => {
                logical
                    .last_mut()
                    .expect("a continuation after a line")
                    .push_str(rest);
                folded += 1;
            }
            None => logical.push(text.to_string()),
        }
    }
    (logical, folded)
}

/// A content line's value, TEXT escapes undone.
fn unescape(v: &str) -> String {
    v.replace("\\n", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

#[test]
fn item9_every_feed_line_is_at_most_75_octets_folded_on_character_boundaries() {
    let (tmp, cfg) = fixture("en");
    let cases = multilingual(tmp.path(), &cfg);
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let dir = tmp.path().join("state/feeds");
    let files = feed_files(&dir);
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["aigerim.ics", "dana-team.ics", "dana.ics", "yerlan.ics"]
    );
    let (mut lines_total, mut folded_total, mut longest) = (0, 0, 0);
    for path in &files {
        let raw = std::fs::read_to_string(path).unwrap();
        lines_total += raw.matches("\r\n").count();
        longest = longest.max(raw.split("\r\n").map(str::len).max().unwrap());
        let (logical, folded) = check_lines(path);
        folded_total += folded;
        // Unfolded, each event's summary and description are what was
        // meant: the person's and the hearing's full names, intact.
        let parsed = events(&parse_feed(path));
        let summaries: Vec<String> = logical
            .iter()
            .filter_map(|l| l.strip_prefix("SUMMARY:"))
            .map(unescape)
            .collect();
        let descriptions: Vec<String> = logical
            .iter()
            .filter_map(|l| l.strip_prefix("DESCRIPTION:"))
            .map(unescape)
            .collect();
        assert_eq!(summaries.len(), parsed.len());
        for (e, (s, d)) in parsed.iter().zip(summaries.iter().zip(&descriptions)) {
            assert_eq!(e["summary"].as_str().unwrap(), s, "{}", path.display());
            assert_eq!(e["description"].as_str().unwrap(), d, "{}", path.display());
        }
        let owner_sees = |who: &str| match path.file_stem().unwrap().to_str().unwrap() {
            "dana-team" => true,
            stem => stem == who,
        };
        for (k, (reference, person, title)) in cases.iter().enumerate() {
            if !owner_sees(["aigerim", "yerlan"][k % 2]) {
                continue;
            }
            let case_line = format!("{reference} · {person}\n");
            let title_line = format!(": {title}");
            assert!(
                descriptions
                    .iter()
                    .any(|d| d.contains(&case_line) && d.lines().any(|l| l.ends_with(&title_line))),
                "{reference}: {person:?} and {title:?} in {}",
                path.display()
            );
        }
    }
    assert!(longest <= 75, "longest line {longest}");
    assert!(folded_total > 500, "folds tested: {folded_total}");
    eprintln!(
        "feeds checked: {} files, {lines_total} lines, {folded_total} continuation lines, longest {longest} octets",
        files.len()
    );
    // The team feed, Cyrillic throughout, in khal.
    let team = dir.join("dana-team.ics");
    let n = events(&parse_feed(&team)).len();
    let listed = khal_list(tmp.path(), &team, "2026-10-01", "500d");
    let shown = listed
        .lines()
        .filter(|l| l.contains("KZ-") || l.contains("migration-law"))
        .count();
    assert_eq!(shown, n, "{listed}");
    assert!(
        listed.contains("KZ-0947 · Сот отырысы (Yerlan Sample)")
            || listed.contains("KZ-0947 · Судебное заседание (Yerlan Sample)"),
        "{listed}"
    );
}

#[test]
fn item9_descriptions_name_the_kind_in_the_owners_language() {
    let (tmp, cfg) = fixture("en");
    multilingual(tmp.path(), &cfg);
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let dir = tmp.path().join("state/feeds");
    let desc = |feed: &str, reference: &str| -> String {
        let evs = events(&parse_feed(&dir.join(feed)));
        evs.iter()
            .filter(|e| {
                e["summary"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("{reference} · "))
            })
            .map(|e| e["description"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n---\n")
    };
    // KZ-0901 (Yerlan's hearing): in his English feed and in Dana's
    // Russian team feed; KZ-0900 (Aigerim's) in her Kazakh feed.
    let has = |d: &str, line: &str| d.lines().any(|l| l == line);
    let en = desc("yerlan.ics", "KZ-0901");
    assert!(has(&en, "Kind: Court hearing"), "{en}");
    let ru = desc("dana-team.ics", "KZ-0901");
    assert!(has(&ru, "Вид: Судебное заседание"), "{ru}");
    let kk = desc("aigerim.ics", "KZ-0900");
    assert!(has(&kk, "Түрі: Сот отырысы"), "{kk}");
    assert!(has(&kk, "Түрі: Пана іздеуші куәлігі"), "{kk}");
    for f in feed_files(&dir) {
        for e in events(&parse_feed(&f)) {
            let d = e["description"].as_str().unwrap();
            // A raw kind (`court_hearing`) only in the line to write.
            let raw = d.lines().find(|l| l.contains('_') && !l.contains(".toml"));
            assert!(raw.is_none(), "a raw kind in {}: {raw:?}", f.display());
        }
    }
}

/// One event of a feed, by what its summary contains.
fn find<'a>(evs: &'a [Value], needle: &str) -> &'a Value {
    evs.iter()
        .find(|e| e["summary"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no event {needle:?} in {evs:#?}"))
}

#[test]
fn item9_an_overdue_deadline_sits_on_today_marked_and_moves_day_by_day() {
    let (tmp, cfg) = fixture("en");
    multilingual(tmp.path(), &cfg);
    let dir = tmp.path().join("state/feeds");
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let yerlan = events(&parse_feed(&dir.join("yerlan.ics")));
    let aigerim = events(&parse_feed(&dir.join("aigerim.ics")));
    let team = events(&parse_feed(&dir.join("dana-team.ics")));
    // KZ-0001's refugee certificate: act by 2026-11-03, 28 days overdue
    // on D (2026-12-01). Aigerim reads Kazakh, Dana Russian.
    let kk = find(&aigerim, "KZ-0001 · ");
    assert_eq!(kk["start"], D, "{kk}");
    assert_eq!(kk["end"], "2026-12-02");
    assert_eq!(kk["summary"], "МЕРЗІМІ ӨТКЕН: KZ-0001 · Босқын куәлігі");
    let d = kk["description"].as_str().unwrap();
    assert!(
        d.starts_with("2026-11-03 дейін әрекет ету · 28 күн өтті\n"),
        "{d}"
    );
    let ru = find(&team, "KZ-0001 · ");
    assert_eq!(ru["start"], D);
    assert_eq!(
        ru["summary"],
        "ПРОСРОЧЕНО: KZ-0001 · Удостоверение беженца (Әйгерім Тестова)"
    );
    assert!(
        ru["description"]
            .as_str()
            .unwrap()
            .starts_with("действовать до 2026-11-03 · просрочено на 28 дн.\n"),
        "{ru}"
    );
    // Yerlan (English): every overdue one on D, marked; nothing before D.
    let overdue: Vec<&Value> = yerlan
        .iter()
        .filter(|e| e["summary"].as_str().unwrap().starts_with("OVERDUE: "))
        .collect();
    assert!(!overdue.is_empty(), "{yerlan:#?}");
    for e in &yerlan {
        assert!(
            e["start"].as_str().unwrap() >= D,
            "nothing in the past: {e}"
        );
    }
    for e in &overdue {
        assert_eq!(e["start"], D, "{e}");
        assert!(
            e["description"].as_str().unwrap().contains(" days overdue"),
            "{e}"
        );
    }
    // A week view from D shows them (khal, the week D..D+6).
    let week = khal_list(tmp.path(), &dir.join("yerlan.ics"), D, "7d");
    for e in &overdue {
        let s = e["summary"].as_str().unwrap();
        assert!(week.contains(&format!("{D} {s}")), "{s} in:\n{week}");
    }
    // The next day: the same event (UID) a day later, SEQUENCE bumped;
    // an event that did not change keeps its revision.
    let next = "2026-12-02";
    assert_exit(&docket(&cfg, &["run", "--once", "--today", next]), 0);
    let later = events(&parse_feed(&dir.join("aigerim.ics")));
    let moved = find(&later, "KZ-0001 · ");
    assert_eq!(moved["uid"], kk["uid"]);
    assert_eq!(moved["start"], next);
    assert_eq!(moved["sequence"], 1);
    assert!(moved["description"]
        .as_str()
        .unwrap()
        .starts_with("2026-11-03 дейін әрекет ету · 29 күн өтті\n"));
    let calm = find(&aigerim, "KZ-0920 · ");
    assert_eq!(calm["start"], "2026-12-02", "{calm}");
    let calm_later = find(&later, "KZ-0920 · ");
    assert!(
        calm_later["summary"]
            .as_str()
            .unwrap()
            .starts_with("KZ-0920 · "),
        "due today is not overdue: {calm_later}"
    );
    assert_eq!(calm_later, calm, "unchanged: same revision");
    // Resolved: gone from the feed.
    let f = "cases.d/kz-0001.toml";
    let text = std::fs::read_to_string(tmp.path().join(f)).unwrap();
    write_config(
        tmp.path(),
        f,
        &text.replace(
            "status = \"active\"",
            "status = \"renewal_filed\"\n  filed = 2026-12-02",
        ),
    );
    assert_exit(&docket(&cfg, &["run", "--once", "--today", next]), 0);
    let after = events(&parse_feed(&dir.join("aigerim.ics")));
    assert!(
        !after
            .iter()
            .any(|e| e["summary"].as_str().unwrap().contains("KZ-0001 · ")),
        "resolved: gone"
    );
}
