//! README.md's first command, run as a new user runs it on a fresh clone
//! (issue 18, item 11): it must end in a pass, not in a warning about the
//! files it just made private.

use crate::util::{chmod, docket_bin, repo};
use std::path::Path;
use std::process::Command;

/// A fresh clone under umask 022: directories 0755, files 0644.
fn clone_config(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    chmod(dst, 0o755);
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            clone_config(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
            chmod(&to, 0o644);
        }
    }
}

#[test]
fn the_readme_first_command_ends_without_a_warning() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .nth(1)
        .expect("README.md has a sh block");
    let first = block.lines().next().unwrap();
    // `<make config private> && STATE_DIRECTORY=$PWD/demo cargo run --release -- ARGS`
    let (prepare, run) = first
        .split_once(" && ")
        .unwrap_or_else(|| panic!("not `PREPARE && RUN`: {first}"));
    let args = run
        .strip_prefix("STATE_DIRECTORY=$PWD/demo cargo run --release -- ")
        .unwrap_or_else(|| panic!("not the cargo run expected: {run}"));
    let tmp = tempfile::tempdir().unwrap();
    clone_config(&repo().join("config"), &tmp.path().join("config"));
    let prep = Command::new("sh")
        .args(["-c", prepare])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(prep.status.success(), "{prepare}: {prep:?}");
    let out = Command::new(docket_bin())
        .args(args.split_whitespace())
        .current_dir(tmp.path())
        .env("STATE_DIRECTORY", tmp.path().join("demo"))
        .env_remove("DOCKET_LOG")
        .env_remove("JOURNAL_STREAM")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{first}: {stderr}");
    assert!(stderr.contains("pass done"), "{stderr}");
    assert!(
        !stderr.contains(" WARN ") && !stderr.contains("warning:"),
        "the README's first command ends in a warning: {stderr}"
    );
}
