//! A million cases.

use crate::util::{docket_bounded, repo};
use std::path::{Path, PathBuf};
use std::time::Duration as Wall;

/// Generate a config of `n` cases with `scripts/gen-config.py` into `dir`.
pub fn generate(n: usize, dir: &Path) -> PathBuf {
    let st = std::process::Command::new("python3")
        .arg(repo().join("scripts/gen-config.py"))
        .arg(n.to_string())
        .arg(dir)
        .status()
        .expect("run scripts/gen-config.py");
    assert!(st.success(), "gen-config.py failed");
    dir.join("docket.toml")
}

#[test]
fn ten_thousand_cases_check_quickly() {
    // The CI-sized version of the million-case test below.
    let tmp = tempfile::tempdir().unwrap();
    let main = generate(10_000, tmp.path());
    let run = docket_bounded(&main, &["check"], Wall::from_secs(600));
    assert!(!run.timed_out, "hung: {}", run.summary());
    assert_eq!(run.code, Some(0), "{}", run.summary());
    eprintln!("ten thousand cases: {}", run.summary());
    assert!(run.max_rss_kib < 512 * 1024, "{}", run.summary());
}

#[test]
#[ignore = "a million cases: ~26 s with generation and 2.1 GB (debug build); scripts/hostile.sh runs it in release"]
fn million_cases_check_within_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let main = generate(1_000_000, tmp.path());
    let run = docket_bounded(&main, &["check"], Wall::from_secs(300));
    assert_eq!(run.code, Some(0), "{}", run.summary());
    eprintln!("a million cases: {}", run.summary());
    assert!(run.elapsed < Wall::from_secs(120), "{}", run.summary());
    assert!(run.max_rss_kib < 4 * 1024 * 1024, "{}", run.summary());
}
