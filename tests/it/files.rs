//! Regression tests for files that silently dropped cases (issue 8, items
//! 5 and 6): a case directory others can change, and include matches that
//! are not regular files. Each is an error naming the path, never an "OK"
//! with fewer cases.

use crate::util::{chmod, docket, stderr, write_config};
use std::path::Path;
use std::time::{Duration, Instant};

fn main_config(dir: &Path) -> std::path::PathBuf {
    write_config(
        dir,
        "docket.toml",
        r#"[service]
timezone = "Asia/Almaty"
include = ["cases.d/*.toml"]

[[caseworker]]
id = "aigerim"
email = "aigerim@ngo.example"
"#,
    )
}

fn case(dir: &Path, id: &str) {
    write_config(
        dir,
        &format!("cases.d/{id}.toml"),
        &format!(
            "[[case]]\nid = \"{id}\"\ncaseworker = \"aigerim\"\n  [[case.event]]\n  date = 2026-12-20\n  lead_days = [7]\n"
        ),
    );
}

#[test]
fn world_writable_case_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = main_config(tmp.path());
    case(tmp.path(), "KZ-0001");
    let dir = tmp.path().join("cases.d");
    chmod(&dir, 0o777);
    let out = docket(&cfg, &["check"]);
    let se = stderr(&out);
    assert_eq!(out.status.code(), Some(78), "{se}");
    assert!(
        se.contains(&format!(
            "directory {} is writable by group and others (mode 0777)",
            dir.display()
        )),
        "{se}"
    );
    assert!(
        se.contains(&format!("chmod go-w {}", dir.display())),
        "{se}"
    );
    chmod(&dir, 0o750);
    assert_eq!(docket(&cfg, &["check"]).status.code(), Some(0));
}

#[test]
fn case_directory_owned_by_another_user_is_refused_as_root() {
    // Needs root, as the whole suite does (README): only root can give a
    // directory away.
    assert_eq!(unsafe { libc::geteuid() }, 0, "run the test suite as root");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = main_config(tmp.path());
    case(tmp.path(), "KZ-0001");
    let dir = tmp.path().join("cases.d");
    std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).unwrap();
    let out = docket(&cfg, &["check"]);
    let se = stderr(&out);
    assert_eq!(out.status.code(), Some(78), "{se}");
    assert!(
        se.contains(&format!(
            "directory {} is owned by another user (uid 65534)",
            dir.display()
        )),
        "{se}"
    );
    assert!(
        se.contains(&format!("chown root {}", dir.display())),
        "{se}"
    );
}

#[test]
fn an_empty_world_writable_case_directory_is_refused_too() {
    // Nothing matches yet, but anyone could plant a case file in it.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = main_config(tmp.path());
    let dir = tmp.path().join("cases.d");
    std::fs::create_dir(&dir).unwrap();
    chmod(&dir, 0o773);
    let se = stderr(&docket(&cfg, &["check"]));
    assert!(se.contains("is writable by group and others"), "{se}");
}

#[test]
fn include_that_is_a_fifo_a_device_link_or_a_dangling_link_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = main_config(tmp.path());
    case(tmp.path(), "KZ-0001");
    let dir = tmp.path().join("cases.d");
    let fifo = dir.join("fifo.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.toml")).unwrap();
    std::os::unix::fs::symlink(dir.join("gone.toml"), dir.join("dangling.toml")).unwrap();
    let t0 = Instant::now();
    let out = docket(&cfg, &["check"]);
    assert!(t0.elapsed() < Duration::from_secs(10), "check hung");
    let se = stderr(&out);
    assert_eq!(out.status.code(), Some(78), "{se}");
    assert!(
        se.contains(&format!(
            "{} is a FIFO (named pipe), not a regular file",
            fifo.display()
        )),
        "{se}"
    );
    assert!(
        se.contains("zero.toml leads to /dev/zero, outside the config directory"),
        "{se}"
    );
    assert!(
        se.contains("dangling.toml is a symbolic link to") && se.contains("which does not exist"),
        "{se}"
    );
    assert!(!se.contains("OK"), "{se}");
}
