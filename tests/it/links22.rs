//! Issue 22, SPEC 7's last rule: with `[service] edit_url`, every item of
//! a digest, every notice about a file and every calendar event links to
//! that file's edit page. Case files on disk (`{path}` relative to the
//! main config's directory, as a forge mirroring the directory names
//! them); one real `run --once` pass with the file transport, the mails
//! read back from the outbox and the feeds from `state/feeds`. The HTML
//! digest is drawn by headless Chromium into
//! `target/links22-screenshots/` to be looked at.

use crate::util::*;
use std::collections::BTreeMap;
use std::path::Path;

const DAY: &str = "2026-12-07";
const EDIT: &str = "https://git.ngo.example/ngo/cases/_edit/main/";

/// The link to `rel`'s edit page (the test's paths need no encoding).
fn link(rel: &str) -> String {
    format!("{EDIT}{rel}")
}

/// `s` as minijinja's HTML escaping writes it (`/` too).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('/', "&#x2f;")
}

/// The files: Aigerim (English) and Dana (Russian, supervised by Lead,
/// Kazakh); a case of each with two items, one overdue (so Lead gets a
/// copy); a bill of Aigerim's due for review; a broken file of Aigerim's,
/// never good (its cases not tracked: a notice).
fn setup(dir: &Path) -> std::path::PathBuf {
    let main = format!(
        "{}\n[mail]\n{FILE_MAIL}\n\
         [[caseworker]]\nid = \"lead\"\nname = \"Lead Example\"\nemail = \"lead@ngo.example\"\nlanguage = \"kk\"\n\n\
         [[caseworker]]\nid = \"aigerim\"\nname = \"Aigerim Example\"\nemail = \"aigerim@ngo.example\"\nlanguage = \"en\"\n\n\
         [[caseworker]]\nid = \"dana\"\nname = \"Dana Example\"\nemail = \"dana@ngo.example\"\nsupervisor = \"lead\"\nlanguage = \"ru\"\n",
        service_table(
            "state",
            &format!("include = [\"cases.d/*.toml\"]\nedit_url = \"{EDIT}{{path}}\"\n")
        )
    );
    let cfg = write_config(dir, "docket.toml", &main);
    write_config(
        dir,
        "cases.d/kz-0042.toml",
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"aigerim\"\n\n\
         [[case.document]]\nkind = \"refugee_certificate\"\nexpires = 2026-12-01\n\n\
         [[case.event]]\ntitle = \"Hearing\"\nkind = \"court_hearing\"\ndate = 2026-12-10\n",
    );
    write_config(
        dir,
        "cases.d/kz-0043.toml",
        "[[case]]\nid = \"KZ-0043\"\ncaseworker = \"dana\"\n\n\
         [[case.document]]\nkind = \"refugee_certificate\"\nexpires = 2026-12-02\n\n\
         [[case.request]]\nkind = \"asylum_application\"\nfiled = 2026-11-01\nextended_to = 2026-12-11\n",
    );
    write_config(
        dir,
        "cases.d/bills.toml",
        "[[bill]]\nid = \"law-7\"\ntitle = \"On refugees\"\nowner = \"aigerim\"\nstages = [\"drafted\", \"signed\"]\nstage = \"drafted\"\nlast_checked = 2026-11-01\ncheck_every_days = 30\n",
    );
    write_config(
        dir,
        "cases.d/kz-0044.toml",
        "[[case]]\nid = \"KZ-0044\"\ncaseworker = \"aigerim\"\n\n[[case.document]]\nkind = \"refugee_certificate\"\nexpires = 2026-13-01\n",
    );
    cfg
}

/// `s` with LF line ends (mail has CRLF).
fn lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// Each digest's text and HTML part by recipient id, and the other mails
/// (notices, alerts) by recipient address.
type Digests = BTreeMap<String, (String, String, String)>;

fn read_outbox(dir: &Path) -> (Digests, BTreeMap<String, Vec<(String, String)>>) {
    let mut digests = BTreeMap::new();
    let mut others: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for m in outbox_mails(&dir.join("outbox")) {
        let to = m.header("To").unwrap().to_string();
        let subject = m.header("Subject").unwrap().to_string();
        assert!(
            !subject.contains("https://"),
            "a link in a subject: {subject}"
        );
        if m.is_digest() {
            let id = to.split('@').next().unwrap().to_string();
            let (text, html) = (lf(m.text()), lf(m.html()));
            let old = digests.insert(id, (subject, text, html));
            assert!(old.is_none(), "one digest each");
        } else {
            others.entry(to).or_default().push((subject, lf(&m.body)));
        }
    }
    (digests, others)
}

/// A digest's recipient, the word before a link in their language, and
/// the cases (or bill) it shows with their files.
type Wanted = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn edit_url_links_digests_notices_and_feeds_to_each_file() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let o = run_once(&cfg, DAY, 0);
    assert!(
        !stderr(&o).contains(EDIT),
        "no link in a log line:\n{}",
        stderr(&o)
    );
    let (digests, others) = read_outbox(tmp.path());

    // Digests: each case (and the bill) once, in both parts, with the
    // word in the reader's language; the supervisor's copy too.
    let want: &[Wanted] = &[
        (
            "aigerim",
            "Edit",
            &[
                ("KZ-0042", "cases.d/kz-0042.toml"),
                ("law-7", "cases.d/bills.toml"),
            ],
        ),
        ("dana", "Изменить", &[("KZ-0043", "cases.d/kz-0043.toml")]),
        ("lead", "Өзгерту", &[("KZ-0043", "cases.d/kz-0043.toml")]),
    ];
    assert_eq!(
        digests.keys().map(String::as_str).collect::<Vec<_>>(),
        ["aigerim", "dana", "lead"]
    );
    for (who, word, cases) in want {
        let (_, text, html) = &digests[*who];
        for (case, rel) in *cases {
            assert!(text.contains(case), "{who}: {case} in:\n{text}");
            let url = link(rel);
            assert_eq!(
                text.matches(&url).count(),
                1,
                "{who}: {url} once in:\n{text}"
            );
            assert!(
                text.contains(&format!("\n  {word}: {url}\n")),
                "{who}: the line under {case}:\n{text}"
            );
            assert_eq!(
                html.matches(&format!("href=\"{}\"", escaped(&url))).count(),
                1,
                "{who}: {url} once in:\n{html}"
            );
            assert!(html.contains(&format!("{word}: <span")), "{who}: {html}");
        }
        // Two items of a case, one link: as many links as cases.
        assert_eq!(text.matches(EDIT).count(), cases.len(), "{who}:\n{text}");
        assert_eq!(
            html.matches(&format!("href=\"{}", escaped(EDIT))).count(),
            cases.len(),
            "{who}:\n{html}"
        );
    }
    // Both items of KZ-0042 are in Aigerim's digest, under one link.
    let aigerim = &digests["aigerim"].1;
    assert_eq!(
        entries(aigerim)
            .iter()
            .filter(|e| e.starts_with("KZ-0042"))
            .count(),
        2,
        "{aigerim}"
    );

    // The broken file's notice, to its caseworker and the admin: its
    // link under its name.
    let broken = link("cases.d/kz-0044.toml");
    for (to, word) in [("aigerim@ngo.example", "Edit"), ("it@ngo.example", "Edit")] {
        let notices: Vec<&(String, String)> = others
            .get(to)
            .into_iter()
            .flatten()
            .filter(|(_, body)| body.contains("cases.d/kz-0044.toml"))
            .collect();
        assert_eq!(notices.len(), 1, "{to}: {others:#?}");
        let body = &notices[0].1;
        assert!(
            body.contains(&format!("\n  cases.d/kz-0044.toml\n  {word}: {broken}\n")),
            "{to}:\n{body}"
        );
    }

    // The feeds: each event has its file's edit page as URL, and in its
    // description.
    let feeds = tmp.path().join("state/feeds");
    let ics = |name: &str| {
        std::fs::read_to_string(feeds.join(format!("{name}.ics")))
            .unwrap()
            .replace("\r\n ", "")
    };
    let aigerim = ics("aigerim");
    for rel in ["cases.d/kz-0042.toml", "cases.d/bills.toml"] {
        let url = link(rel);
        assert!(aigerim.contains(&format!("\r\nURL:{url}\r\n")), "{aigerim}");
        assert!(aigerim.contains(&format!("\\nEdit: {url}")), "{aigerim}");
    }
    // One URL per event.
    assert_eq!(
        aigerim.matches("\r\nURL:").count(),
        aigerim.matches("BEGIN:VEVENT").count(),
        "{aigerim}"
    );
    let dana = ics("dana");
    let url = link("cases.d/kz-0043.toml");
    assert!(dana.contains(&format!("\r\nURL:{url}\r\n")), "{dana}");
    assert!(dana.contains(&format!("\\nИзменить: {url}")), "{dana}");

    // Headless Chromium: the links as a phone shows them.
    let shots = repo().join("target/links22-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for who in ["aigerim", "lead"] {
        let html = tmp.path().join(format!("{who}.html"));
        std::fs::write(&html, &digests[who].2).unwrap();
        let png = shots.join(format!("{who}-375.png"));
        let m = crate::digest::render(&html, 375, Some(&png));
        assert!(
            m["scrollWidth"].as_u64().unwrap() <= 375,
            "{who}: the page is {} px wide",
            m["scrollWidth"]
        );
        let shown = m["text"].as_str().unwrap();
        for (w, word, cases) in want {
            if w == &who {
                for (_, rel) in *cases {
                    assert!(shown.contains(&format!("{word}: {rel}")), "{who}: {shown}");
                }
            }
        }
    }
}

/// Without `edit_url` nothing links anywhere.
#[test]
fn without_edit_url_nothing_links() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = setup(tmp.path());
    let text = std::fs::read_to_string(&cfg).unwrap();
    write_config(
        tmp.path(),
        "docket.toml",
        &text.replace(&format!("edit_url = \"{EDIT}{{path}}\"\n"), ""),
    );
    run_once(&cfg, DAY, 0);
    let (digests, others) = read_outbox(tmp.path());
    assert_eq!(digests.len(), 3);
    for (who, (_, text, html)) in &digests {
        assert!(!text.contains("git.ngo.example"), "{who}:\n{text}");
        assert!(!html.contains("git.ngo.example"), "{who}:\n{html}");
    }
    for (to, list) in &others {
        for (_, body) in list {
            assert!(!body.contains("git.ngo.example"), "{to}:\n{body}");
        }
    }
    for e in std::fs::read_dir(tmp.path().join("state/feeds")).unwrap() {
        let t = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(!t.contains("URL:") && !t.contains("git.ngo.example"), "{t}");
    }
}
