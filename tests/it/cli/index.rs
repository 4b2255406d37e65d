//! The index (`src/index.rs`) that `upcoming` and `plan` read: a run over
//! unchanged files answers from it, and no change to a file, to the set of files, to a file's mode
//! or to the environment is ever answered from an index made before it.
//! Every answer is compared with a run that does not use the index at all
//! (`DOCKET_CACHE=off`).

use super::{config, rows, OK, TODAY};
use crate::util::{chmod, docket_command, set_mtime, stderr, stdout, stdout_json, write_config};
use std::path::{Path, PathBuf};
use std::process::Output;

const MAIN: &str = r#"[service]
timezone = "Asia/Almaty"
include = ["cases.d/*.toml"]

[kinds.refugee_certificate]
valid_for = "1y"

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"

[[caseworker]]
id = "yerlan"
email = "yerlan@ngo.example"
"#;

fn case(id: &str, cw: &str, expires: &str) -> String {
    format!(
        "[[case]]\nid = \"{id}\"\ncaseworker = \"{cw}\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = {expires}\n"
    )
}

/// A config directory with MAIN and one case file (`cases.d/a.toml`
/// holding `text`), and a cache directory of its own in it.
fn one_case_file(text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cfg = config(dir.path(), MAIN);
    write_config(dir.path(), "cases.d/a.toml", text);
    (dir, cache, cfg)
}

/// `upcoming` with the index (its debug log on stderr), and the same
/// without it: the two must print the same and exit the same.
fn both(cfg: &Path, cache: &Path, args: &[&str]) -> (Output, bool) {
    let mut all = vec!["upcoming", "--today", TODAY, "--format", "json"];
    all.extend_from_slice(args);
    let with = docket_command(cfg, &all)
        .env("XDG_CACHE_HOME", cache)
        .env("DOCKET_LOG", "docket::index=debug")
        .output()
        .unwrap();
    let without = docket_command(cfg, &all)
        .env("XDG_CACHE_HOME", cache)
        .env("DOCKET_CACHE", "off")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&with),
        stdout(&without),
        "{args:?}: the index answered differently"
    );
    assert_eq!(
        with.status.code(),
        without.status.code(),
        "{}",
        stderr(&with)
    );
    let hit = stderr(&with).contains("answered from the index");
    // `plan` reads the same index (its items): the same check.
    let plan = [
        "plan",
        "--from",
        "2026-11-01",
        "--to",
        "2027-03-01",
        "--format",
        "json",
    ];
    let p_with = docket_command(cfg, &plan)
        .env("XDG_CACHE_HOME", cache)
        .output()
        .unwrap();
    let p_without = docket_command(cfg, &plan)
        .env("XDG_CACHE_HOME", cache)
        .env("DOCKET_CACHE", "off")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&p_with),
        stdout(&p_without),
        "plan: the index answered differently"
    );
    assert_eq!(p_with.status.code(), p_without.status.code());
    (with, hit)
}

fn cases_in(out: &Output) -> Vec<String> {
    rows(&stdout_json(out))
        .iter()
        .map(|r| format!("{} {}", r["case"], r["act_by"]))
        .collect()
}

/// Rewrite `path` with `text` and put its modification time back, so
/// only the bytes tell the change (a same-size edit within one second).
fn rewrite_keeping_mtime(path: &Path, text: &str) {
    let before = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, text).unwrap();
    set_mtime(path, before);
}

#[test]
fn an_unchanged_config_is_answered_from_the_index_and_a_changed_one_never_is() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cfg = config(dir.path(), MAIN);
    let a = write_config(
        dir.path(),
        "cases.d/a.toml",
        &case("KZ-0001", "aigerim", "2026-12-01"),
    );
    write_config(
        dir.path(),
        "cases.d/b.toml",
        &case("KZ-0002", "yerlan", "2026-12-20"),
    );

    let (first, hit) = both(&cfg, &cache, &[]);
    assert_eq!(first.status.code(), Some(OK), "{}", stderr(&first));
    assert!(!hit, "no index yet");
    let (_, hit) = both(&cfg, &cache, &[]);
    assert!(hit, "the second run uses the index");
    let (o, hit) = both(&cfg, &cache, &["--caseworker", "yerlan"]);
    assert!(hit);
    assert_eq!(cases_in(&o), ["\"KZ-0002\" \"2026-12-18\""]);

    // Same size, same mtime, one digit moved: the bytes decide.
    rewrite_keeping_mtime(&a, &case("KZ-0001", "aigerim", "2026-12-02"));
    let (o, hit) = both(&cfg, &cache, &[]);
    assert!(!hit, "a changed file is not answered from the old index");
    assert!(
        cases_in(&o).contains(&"\"KZ-0001\" \"2026-12-02\"".to_string()),
        "{:?}",
        cases_in(&o)
    );
    let (_, hit) = both(&cfg, &cache, &[]);
    assert!(hit, "the new index is used once written");

    // Back to the old bytes: the answer is the old one again, correctly.
    rewrite_keeping_mtime(&a, &case("KZ-0001", "aigerim", "2026-12-01"));
    let (o, _) = both(&cfg, &cache, &[]);
    assert!(cases_in(&o).contains(&"\"KZ-0001\" \"2026-12-01\"".to_string()));

    // A new file the pattern matches, then a file taken away.
    let c = write_config(
        dir.path(),
        "cases.d/c.toml",
        &case("KZ-0003", "aigerim", "2026-11-25"),
    );
    let (o, hit) = both(&cfg, &cache, &[]);
    assert!(!hit);
    assert_eq!(cases_in(&o).len(), 3);
    std::fs::remove_file(&c).unwrap();
    let (o, hit) = both(&cfg, &cache, &[]);
    assert!(!hit);
    assert_eq!(cases_in(&o).len(), 2);

    // The main file: a caseworker renamed.
    let (_, _) = both(&cfg, &cache, &[]);
    rewrite_keeping_mtime(&cfg, &MAIN.replace("yerlan", "yerlaN"));
    let (o, hit) = both(&cfg, &cache, &["--caseworker", "yerlan"]);
    assert!(!hit);
    assert_ne!(
        o.status.code(),
        Some(OK),
        "yerlan is gone from the main file"
    );
    rewrite_keeping_mtime(&cfg, MAIN);

    // A file made group-writable is refused, index or not.
    let (_, _) = both(&cfg, &cache, &[]);
    let (_, hit) = both(&cfg, &cache, &[]);
    assert!(hit);
    chmod(&a, 0o666);
    let (o, hit) = both(&cfg, &cache, &[]);
    assert!(!hit);
    assert_ne!(
        o.status.code(),
        Some(OK),
        "a writable file is left out: {}",
        stderr(&o)
    );
    chmod(&a, 0o600);

    // A broken file leaves no index behind to answer for it.
    let (_, _) = both(&cfg, &cache, &[]);
    std::fs::write(&a, "[[case]\nid = ").unwrap();
    let (o, hit) = both(&cfg, &cache, &[]);
    assert!(!hit);
    assert_ne!(o.status.code(), Some(OK));
    let (_, hit) = both(&cfg, &cache, &[]);
    assert!(!hit, "nothing is indexed while a file is left out");
}

/// A config named from its own directory (`-c docket.toml`, how an admin
/// in /etc/docket types it) is answered from its index like any other.
/// The load named its case files "./cases.d/a.toml" and the check before a
/// run "cases.d/a.toml", so every run missed and wrote the index again.
#[test]
fn a_config_named_from_its_own_directory_is_answered_from_the_index() {
    let (dir, cache, cfg) = one_case_file(&case("KZ-0001", "aigerim", "2026-12-01"));
    let run = |name: &str| {
        let out = docket_command(Path::new(name), &["upcoming", "--today", TODAY])
            .current_dir(dir.path())
            .env("XDG_CACHE_HOME", &cache)
            .env("DOCKET_LOG", "docket::index=debug")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(OK), "{}", stderr(&out));
        (
            stdout(&out),
            stderr(&out).contains("answered from the index"),
        )
    };
    let (first, hit) = run("docket.toml");
    assert!(!hit, "no index yet");
    assert!(first.contains("KZ-0001"), "{first}");
    for name in ["docket.toml", "./docket.toml", cfg.to_str().unwrap()] {
        let (again, hit) = run(name);
        assert!(
            hit,
            "-c {name}: the index written by the run before is used"
        );
        assert_eq!(again, first);
    }
}

#[test]
fn the_index_is_private_and_holds_no_names_or_numbers() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, cache, cfg) = one_case_file(
        "[[case]]\nid = \"KZ-0001\"\ncaseworker = \"aigerim\"\nperson = \"Zarina Testova\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  number = \"RC-7781-33\"\n  expires = 2026-12-01\n",
    );
    let (o, _) = both(&cfg, &cache, &[]);
    assert_eq!(o.status.code(), Some(OK), "{}", stderr(&o));
    let d = cache.join("docket");
    assert_eq!(
        std::fs::metadata(&d).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let files: Vec<_> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bytes = std::fs::read(&files[0]).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("KZ-0001"));
    for secret in ["Zarina", "Testova", "RC-7781"] {
        assert!(!text.contains(secret), "{secret} in the index");
    }
}
