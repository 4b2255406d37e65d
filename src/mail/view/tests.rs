//! The view's edit links (issue 22): once per case, none without
//! `edit_url`, none for the main file with `cases_git`.

use super::*;
use crate::engine;

const EDIT_URL: &str = "https://git.ngo.example/ngo/cases/_edit/main/{path}";
const LINK: &str = "https://git.ngo.example/ngo/cases/_edit/main/cases/kz%200042.toml";

/// A main file (with `edit_url` when `edit`) and one case file whose
/// name has a space, holding a case with two overdue documents.
fn config(edit: bool) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let edit = if edit {
        format!("edit_url = \"{EDIT_URL}\"\n")
    } else {
        String::new()
    };
    std::fs::write(
        dir.path().join("docket.toml"),
        format!(
            "[service]\ntimezone = \"Asia/Almaty\"\nstate_dir = \"state\"\ninclude = [\"cases/*.toml\"]\n{edit}\
             [mail]\ntransport = \"file\"\nfrom = \"Docket <docket@ngo.example>\"\n\
             [[caseworker]]\nid = \"a\"\nemail = \"a@ngo.example\"\nlanguage = \"ru\"\n"
        ),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("cases")).unwrap();
    std::fs::write(
        dir.path().join("cases/kz 0042.toml"),
        "[[case]]\nid = \"KZ-0042\"\ncaseworker = \"a\"\n\
         [[case.document]]\nkind = \"x\"\nexpires = 2026-11-20\n\
         [[case.document]]\nkind = \"y\"\nexpires = 2026-11-21\n",
    )
    .unwrap();
    let cfg = crate::config::load(&dir.path().join("docket.toml"))
        .config
        .expect("loads");
    (dir, cfg)
}

/// `s` as minijinja's HTML escaping writes it (`/` too).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('/', "&#x2f;")
}

/// The digest's two parts for caseworker 0 on 2026-12-07, every
/// entry `summary` or not.
fn parts(cfg: &Config, summary: bool) -> (View, String, String) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
    let items = engine::items(cfg);
    let entries: Vec<Entry<'_>> = engine::due(cfg, &items, today)
        .into_iter()
        .map(|r| Entry {
            item: &items[r.item],
            step: r.step,
            due_date: r.date,
            late: false,
            new: false,
            summary,
            role: Role::To,
        })
        .collect();
    assert_eq!(entries.len(), 2);
    let view = build(cfg, 0, today, &entries, &[]);
    let templates = super::super::digest::Templates::new(None).unwrap();
    let (text, html) = templates.render(&view).unwrap();
    (view, text, html)
}

/// SPEC 7: with `edit_url`, a case's items link once to its file's
/// edit page (the path's space encoded), in the reader's language;
/// in the summary of new cases too.
#[test]
fn edit_url_links_each_case_once() {
    let (_d, cfg) = config(true);
    let (view, text, html) = parts(&cfg, false);
    let edit = view.sections[0].cases[0].edit.as_ref().expect("a link");
    assert_eq!(edit.url, LINK);
    assert_eq!(edit.file, "cases/kz 0042.toml");
    assert_eq!(text.matches(LINK).count(), 1, "{text}");
    assert!(text.contains(&format!("\n  Изменить: {LINK}\n")), "{text}");
    assert_eq!(
        html.matches(&format!("href=\"{}\"", escaped(LINK))).count(),
        1,
        "{html}"
    );
    assert!(html.contains("Изменить: <span"), "{html}");
    let (view, text, html) = parts(&cfg, true);
    assert!(view.sections.is_empty());
    assert_eq!(text.matches(LINK).count(), 1, "{text}");
    // 84 columns on one line: the address goes on a line of its own.
    assert!(
        text.contains(&format!("\n    Изменить:\n    {LINK}\n")),
        "{text}"
    );
    assert_eq!(
        html.matches(&format!("href=\"{}\"", escaped(LINK))).count(),
        1,
        "{html}"
    );
}

/// Without `edit_url` nothing changes: no link anywhere.
#[test]
fn no_edit_url_no_link() {
    let (_d, cfg) = config(false);
    for summary in [false, true] {
        let (_, text, html) = parts(&cfg, summary);
        assert!(
            !text.contains("Изменить") && !text.contains("https://"),
            "{text}"
        );
        assert!(
            !html.contains("Изменить") && !html.contains("href="),
            "{html}"
        );
    }
}

/// With `cases_git` the main config is not in the repository: its
/// cases have no link; a file of the repository has its own path.
#[test]
fn with_cases_git_the_main_file_has_no_link() {
    let (_d, mut cfg) = config(true);
    cfg.service.git = Some(crate::config::model::CasesGit {
        repo: "/srv/git/ngo/cases.git".into(),
        branch: "main".into(),
    });
    let main = cfg.path.clone();
    assert_eq!(super::super::entry::edit_link(&cfg, &main), None);
    assert_eq!(
        super::super::entry::edit_link(&cfg, std::path::Path::new("cases/kz 0042.toml")).as_deref(),
        Some(LINK)
    );
}
