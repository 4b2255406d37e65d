//! Issue 22, item 3: with `cases_git`, `docket log` reads the repository's
//! history (the commit's author and time, applied or held, changes field
//! by field) and `docket restore` prints the version and the git commands
//! that put it back, writing nothing into the repository. Real git.

use crate::util::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const CASE: &str = r#"[[case]]
id = "KZ-0042"
caseworker = "aigerim"
person = "Dana Example"

  [[case.document]]
  kind = "refugee_certificate"
  number = "000123"
  issued = 2025-12-20
  expires = 2026-12-20
  status = "active"
"#;

/// `git ARGS` in `dir` as `author`, with nothing from the machine's config.
fn git(dir: &Path, author: &str, args: &[&str]) {
    let o = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "a@ngo.example")
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", "a@ngo.example")
        .env_remove("GIT_DIR")
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

fn commit(work: &Path, author: &str, text: &str, msg: &str) {
    std::fs::write(work.join("cases/kz-0042.toml"), text).unwrap();
    git(work, author, &["add", "-A"]);
    git(work, author, &["commit", "-q", "-m", msg]);
    git(work, author, &["push", "-q", "origin", "main"]);
}

/// Under `root`: a bare repository `cases.git` with a clone `work`
/// (its `cases/` made), and `etc/docket.toml` reading `cases/*.toml` from
/// the repository (file transport, one caseworker).
fn repository_and_config(
    root: &Path,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let bare = root.join("cases.git");
    git(
        root,
        "x",
        &["init", "-q", "--bare", "-b", "main", "cases.git"],
    );
    git(root, "x", &["clone", "-q", bare.to_str().unwrap(), "work"]);
    let work = root.join("work");
    std::fs::create_dir(work.join("cases")).unwrap();
    let etc = root.join("etc");
    std::fs::create_dir(&etc).unwrap();
    let cfg = etc.join("docket.toml");
    std::fs::write(
        &cfg,
        format!(
            "{}\n[mail]\n{FILE_MAIL}\n[[caseworker]]\nid = \"aigerim\"\nname = \"Aigerim Test\"\nemail = \"aigerim@ngo.example\"\n",
            service_table(
                "state",
                &format!(
                    "include = [\"cases/*.toml\"]\ncases_git = \"{}\"\n",
                    bare.display()
                )
            )
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    (bare, work, etc, cfg)
}

#[test]
fn issue22_log_and_restore_read_the_repository() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    let (bare, work, _, cfg) = repository_and_config(root);

    commit(&work, "Aigerim Testova", CASE, "new case");
    let renewal = CASE.replace("status = \"active\"", "status = \"renewal_filed\"");
    commit(&work, "Dana Testova", &renewal, "renewal filed");
    // A day-first date (pushed without a hook): held.
    let broken = renewal.replace("issued = 2025-12-20", "issued = 20.12.2025");
    commit(&work, "Dana Testova", &broken, "typo");

    let o = docket(&cfg, &["log", "cases/kz-0042.toml", "--format", "json"]);
    assert_exit(&o, 0);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let field = |i: usize, k: &str| rows[i][k].as_str().unwrap_or_default().to_string();
    // Newest first: the typo (held), the renewal (applied), the new case.
    assert_eq!(rows[0]["version"], 3);
    assert_eq!(field(0, "state"), "held");
    assert_eq!(field(0, "by"), "Dana Testova");
    assert_eq!(field(1, "state"), "applied");
    assert_eq!(field(2, "by"), "Aigerim Testova");
    assert_eq!(field(0, "file"), "cases/kz-0042.toml");
    assert_eq!(field(0, "commit").len(), 40);
    let change = &rows[1]["changes"][0];
    assert_eq!(change["case"], "KZ-0042");
    assert_eq!(change["field"], "status");
    assert_eq!(change["from"], "active");
    assert_eq!(change["to"], "renewal_filed");
    // Masked by default: the document number never shows; a person's
    // name is not in the log at all.
    assert!(!String::from_utf8_lossy(&o.stdout).contains("000123"));
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Dana Example"));

    // --case finds the same versions; the table names the authors.
    let o = docket(&cfg, &["log", "--case", "kz-0042"]);
    assert_exit(&o, 0);
    let table = stdout(&o);
    assert!(
        table.contains("Aigerim Testova") || table.contains("Aigerim"),
        "{table}"
    );
    assert!(table.contains("status active → renewal_filed"), "{table}");

    // restore: the git commands that put the newest other version back.
    let head_before = std::fs::read_to_string(bare.join("refs/heads/main"))
        .or_else(|_| std::fs::read_to_string(bare.join("packed-refs")))
        .unwrap();
    let o = docket(&cfg, &["restore", "cases/kz-0042.toml"]);
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("docket does not write there"), "{out}");
    assert!(out.contains("git checkout "), "{out}");
    assert!(out.contains(" -- cases/kz-0042.toml"), "{out}");
    assert!(out.contains("Version 2"), "{out}");
    // Following it in the clone puts version 2 back.
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("git checkout"))
        .unwrap();
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    git(&work, "Dana Testova", &args);
    assert_eq!(
        std::fs::read_to_string(work.join("cases/kz-0042.toml")).unwrap(),
        renewal
    );
    // --stdout prints the version itself; nothing was written into the
    // repository.
    let o = docket(
        &cfg,
        &["restore", "--case", "KZ-0042", "--version", "1", "--stdout"],
    );
    assert_exit(&o, 0);
    assert_eq!(stdout(&o), CASE);
    let head_after = std::fs::read_to_string(bare.join("refs/heads/main"))
        .or_else(|_| std::fs::read_to_string(bare.join("packed-refs")))
        .unwrap();
    assert_eq!(head_before, head_after);
    // A repository owned by the forge's user (here: nobody) is read as
    // it is, and git's own ownership check is untouched for everyone
    // else: plain git still refuses it (no safe.directory was written).
    let chown = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&bare)
        .status()
        .unwrap();
    assert!(chown.success());
    let o = docket(&cfg, &["check", "--today", "2026-12-07"]);
    // The tip holds the held version: check reports it, at its line.
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains("cases/kz-0042.toml:9:12: error:"),
        "{}",
        stderr(&o)
    );
    let o = docket(&cfg, &["log", "cases/kz-0042.toml"]);
    assert_exit(&o, 0);
    // One file of the repository, named by its path there.
    let o = docket(
        &cfg,
        &["check", "--today", "2026-12-07", "cases/kz-0042.toml"],
    );
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains("cases/kz-0042.toml:9:12: error:"),
        "{}",
        stderr(&o)
    );
    let o = docket(
        &cfg,
        &["check", "--today", "2026-12-07", "cases/kz-0999.toml"],
    );
    assert_exit(&o, 2);
    assert!(
        stderr(&o).contains("is not in branch main"),
        "{}",
        stderr(&o)
    );
    if unsafe { libc::geteuid() } == 0 {
        let plain = std::process::Command::new("git")
            .arg("-C")
            .arg(&bare)
            .args(["log", "-1"])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", root)
            .output()
            .unwrap();
        assert!(!plain.status.success());
        assert!(String::from_utf8_lossy(&plain.stderr).contains("dubious ownership"));
    }
    // The removal of a version is not restorable; a version that does
    // not exist is named.
    let o = docket(&cfg, &["restore", "cases/kz-0042.toml", "--version", "9"]);
    assert_exit(&o, 78);
}

/// A case folder renamed (cases.d → cases, the pattern changed with it):
/// every case is still tracked at its new path, so nobody is told a case
/// is "no longer tracked" (as a review of issue 22's move found).
#[test]
fn a_renamed_case_folder_tells_nobody_its_cases_are_gone() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let cfg = dir.join("docket.toml");
    let people = "\n[[caseworker]]\nid = \"aigerim\"\nname = \"Aigerim Test\"\nemail = \"aigerim@ngo.example\"\n";
    let write_cfg = |include: &str| {
        std::fs::write(
            &cfg,
            format!(
                "{}\n[mail]\n{FILE_MAIL}{people}",
                service_table("state", &format!("include = [\"{include}\"]\n"))
            ),
        )
        .unwrap();
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    write_cfg("cases.d/*.toml");
    std::fs::create_dir(dir.join("cases.d")).unwrap();
    let case = dir.join("cases.d/kz-0042.toml");
    std::fs::write(&case, CASE).unwrap();
    std::fs::set_permissions(&case, std::fs::Permissions::from_mode(0o640)).unwrap();
    run_once(&cfg, "2026-12-07", 0);
    let before = outbox_by_path(&dir.join("outbox")).len();
    std::fs::rename(dir.join("cases.d"), dir.join("cases")).unwrap();
    write_cfg("cases/*.toml");
    run_once(&cfg, "2026-12-07", 0);
    let mails = outbox_by_path(&dir.join("outbox"));
    let gone: Vec<_> = mails
        .values()
        .filter_map(|m| m.header("Subject"))
        .filter(|s| s.contains("no longer tracked"))
        .collect();
    assert!(gone.is_empty(), "{gone:?}");
    assert!(mails.len() >= before);
    let o = docket(
        &cfg,
        &["upcoming", "--today", "2026-12-07", "--format", "json"],
    );
    assert!(stdout(&o).contains("KZ-0042"), "{}", stdout(&o));
}

/// A repository that cannot be read (moved away on the server) keeps
/// every case file at its last good version and is told to the admin
/// once, as the repository's problem; when it is back, the admin hears
/// it can be read again. The caseworkers hear nothing of either.
#[test]
fn an_unreadable_repository_is_the_admins_problem_told_once() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    let (bare, work, etc, cfg) = repository_and_config(root);
    commit(&work, "Aigerim Testova", CASE, "new case");
    let outbox = etc.join("outbox");
    let subjects = || -> Vec<String> {
        outbox_by_path(&outbox)
            .values()
            .filter_map(|m| m.header("Subject").map(str::to_string))
            .collect()
    };
    run_once(&cfg, "2026-12-07", 0);
    let moved = root.join("cases.git.moved");
    std::fs::rename(&bare, &moved).unwrap();
    for _ in 0..2 {
        let o = run_once_on(&cfg, "2026-12-07");
        assert!(matches!(o.status.code(), Some(0 | 78)), "{}", stderr(&o));
    }
    let s = subjects();
    let told: Vec<&String> = s
        .iter()
        .filter(|s| s.contains("the case repository cannot be read"))
        .collect();
    assert_eq!(told.len(), 1, "{s:?}");
    assert!(
        !s.iter().any(|s| s.contains("can be changed by others")),
        "{s:?}"
    );
    // The case stays in effect from its good copy.
    let o = docket(
        &cfg,
        &[
            "upcoming",
            "--today",
            "2026-12-07",
            "--days",
            "400",
            "--format",
            "json",
        ],
    );
    assert!(stdout(&o).contains("KZ-0042"), "{}", stdout(&o));
    std::fs::rename(&moved, &bare).unwrap();
    run_once(&cfg, "2026-12-07", 0);
    let s = subjects();
    assert!(
        s.iter()
            .any(|s| s.contains("the case repository can be read again")),
        "{s:?}"
    );
    // Nothing about it reached the caseworker.
    let to_aigerim: Vec<String> = outbox_by_path(&outbox)
        .values()
        .filter(|m| m.header("To").is_some_and(|t| t.contains("aigerim@")))
        .filter_map(|m| m.header("Subject").map(str::to_string))
        .filter(|s| s.contains("repository") || s.contains("not tracked") || s.contains("errors"))
        .collect();
    assert!(to_aigerim.is_empty(), "{to_aigerim:?}");
}
