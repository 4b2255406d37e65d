//! Issue 17, items 2-4: the files docket writes and the names it gives them.
//!
//! - temporaries are created O_EXCL | O_NOFOLLOW under unpredictable names,
//!   and an output directory someone else can write is refused (item 2);
//! - feed file names are injective (item 3);
//! - ids hold only letters, digits, `-`, `_` and `.`, in NFC, and
//!   file-sourced text in a log is escaped (item 4).
//!
//! The second user is `nobody` (uid 65534): links are planted by it, in
//! directories it owns, as an attacker on the same machine would.

use crate::util::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

const NOBODY: u32 = 65534;
const TODAY: &str = "2026-12-01";

/// Run `ln -s target link` as nobody.
fn plant_link_as_nobody(target: &Path, link: &Path) {
    use std::os::unix::process::CommandExt;
    let o = Command::new("ln")
        .arg("-s")
        .arg(target)
        .arg(link)
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// A temporary directory others can walk through (tempdir makes 0700).
fn open_tmp() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    t
}

/// A directory owned by nobody, 0755.
fn nobodys_dir(path: &Path) -> PathBuf {
    std::fs::create_dir_all(path).unwrap();
    std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// A root-owned 0600 file holding a secret, outside every output directory.
fn victim(dir: &Path) -> PathBuf {
    let p = dir.join("root-secret");
    std::fs::write(&p, "secret\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

#[track_caller]
fn assert_untouched(victim: &Path) {
    assert_eq!(std::fs::read_to_string(victim).unwrap(), "secret\n");
    assert_eq!(
        std::fs::metadata(victim).unwrap().mode() & 0o7777,
        0o600,
        "the victim's mode"
    );
}

/// The example fixture (dana supervises aigerim and yerlan) with `extra`
/// appended to the `[service]` table.
fn fixture_with(extra: &str) -> (tempfile::TempDir, PathBuf) {
    let (tmp, cfg) = crate::digest::fixture("en");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "state_dir = \"state\"",
        &format!("state_dir = \"state\"\n{extra}"),
    );
    write_config(tmp.path(), "docket.toml", &text);
    (tmp, cfg)
}

#[test]
fn planted_symlink_at_the_temporary_name_is_not_followed() {
    // The metrics file in a directory another user owns: the old writer's
    // temporary was `.docket.prom.PID.tmp`; nobody plants a link at that
    // name (this process's PID, as the daemon's is visible in ps) pointing
    // at a root-only file.
    let tmp = open_tmp();
    let secret = victim(tmp.path());
    let dir = nobodys_dir(&tmp.path().join("textfile"));
    let path = dir.join("docket.prom");
    let planted = dir.join(format!(".docket.prom.{}.tmp", std::process::id()));
    plant_link_as_nobody(&secret, &planted);
    let r = docket::sys::write_atomic(&path, b"docket_up 1\n", 0o644, true);
    assert_untouched(&secret);
    let e = r.expect_err("a directory another user owns is refused");
    assert!(e.to_string().contains("owned by another user"), "{e}");
    // In a directory of our own, a file planted at a temporary's name is
    // never opened: names are random and created O_EXCL | O_NOFOLLOW,
    // so the write goes through and the planted link is left as it was.
    let own = tmp.path().join("own");
    std::fs::create_dir(&own).unwrap();
    std::os::unix::fs::symlink(
        &secret,
        own.join(format!(".m.prom.{}.tmp", std::process::id())),
    )
    .unwrap();
    docket::sys::write_atomic(&own.join("m.prom"), b"docket_up 1\n", 0o644, false).unwrap();
    assert_untouched(&secret);
    assert_eq!(std::fs::read(own.join("m.prom")).unwrap(), b"docket_up 1\n");
    let left: Vec<String> = std::fs::read_dir(&own)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left.len(),
        2,
        "the file and the planted link only: {left:?}"
    );
}

#[test]
fn an_output_directory_another_user_can_write_is_refused() {
    // metrics_file in a directory nobody owns, feeds_dir group-writable.
    let (tmp, cfg) = fixture_with("metrics_file = \"textfile/docket.prom\"\nfeeds_dir = \"feeds\"");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    nobodys_dir(&tmp.path().join("textfile"));
    let feeds = tmp.path().join("feeds");
    std::fs::create_dir(&feeds).unwrap();
    std::fs::set_permissions(&feeds, std::fs::Permissions::from_mode(0o770)).unwrap();
    let secret = victim(tmp.path());
    // check warns about both (a warning: the daemon still sends mail).
    let o = docket(&cfg, &["check", "--today", TODAY]);
    let out = stdout(&o) + &stderr(&o);
    assert!(
        out.contains("feeds_dir") && out.contains("writable by its group"),
        "check warns about the feeds directory:\n{out}"
    );
    assert!(
        out.contains("metrics_file's directory") && out.contains("owned by another user"),
        "check warns about the metrics directory:\n{out}"
    );
    let o = docket(&cfg, &["run", "--once", "--today", TODAY]);
    let log = strip_ansi(&stderr(&o));
    assert!(
        !tmp.path().join("textfile/docket.prom").exists(),
        "no metrics written into nobody's directory\n{log}"
    );
    let in_feeds: Vec<_> = std::fs::read_dir(&feeds).unwrap().collect();
    assert!(
        in_feeds.is_empty(),
        "no feeds written into a group-writable directory\n{log}"
    );
    for what in [
        "cannot write the metrics file",
        "cannot write the calendar feeds",
    ] {
        let line = log
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("{what} in\n{log}"));
        assert!(line.contains("ERROR"), "{line}");
        assert!(line.contains("refusing to write into directory"), "{line}");
    }
    assert_untouched(&secret);
}

#[test]
fn a_foreign_cache_dir_is_not_used_by_root() {
    let (tmp, cfg) = crate::digest::fixture("en");
    let cache = open_tmp();
    let secret = victim(cache.path());
    let dir = nobodys_dir(&cache.path().join("docket"));
    // nobody plants links at every name it can think of pointing at a
    // root file, and an index of its own would be read as root's.
    for i in 0..64 {
        plant_link_as_nobody(&secret, &dir.join(format!("upcoming-{i:016x}.idx")));
    }
    let run = || {
        let o = docket_command(&cfg, &["upcoming", "--today", TODAY, "--format", "json"])
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap();
        assert_exit(&o, 0);
        o
    };
    let first = run();
    let second = run();
    assert_eq!(stdout(&first), stdout(&second));
    let plain = docket_command(&cfg, &["upcoming", "--today", TODAY, "--format", "json"])
        .env("DOCKET_CACHE", "off")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&first),
        stdout(&plain),
        "the same answer as without an index"
    );
    assert!(
        stderr(&first).contains("not using the index")
            && stderr(&first).contains("owned by another user"),
        "{}",
        stderr(&first)
    );
    let ours: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            e.metadata().unwrap().uid() != NOBODY
                && e.path().symlink_metadata().unwrap().uid() != NOBODY
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(ours.is_empty(), "root wrote into nobody's cache: {ours:?}");
    assert_untouched(&secret);
    drop(tmp);
}

/// `docket check` of the fixture with its `[[caseworker]]` tables replaced
/// by `caseworkers`: exit code and output.
fn check_caseworkers(caseworkers: &str) -> (i32, String) {
    let (tmp, cfg) = crate::digest::fixture("en");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let cut = text.find("[[caseworker]]").unwrap();
    let tail = text[cut..]
        .split("\n\n")
        .filter(|b| !b.trim_start().starts_with("[[caseworker]]"))
        .collect::<Vec<_>>()
        .join("\n\n");
    let text = format!("{}{caseworkers}\n{tail}", &text[..cut]);
    write_config(tmp.path(), "docket.toml", &text);
    let o = docket(&cfg, &["check", "--today", TODAY]);
    (o.status.code().unwrap_or(-1), stdout(&o) + &stderr(&o))
}

const DANA_TEAM: &str = r#"
[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "yerlan"
name = "Yerlan Sample"
email = "yerlan@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "dana-team"
name = "Dana Team"
email = "dana-team@ngo.example"
"#;

#[test]
fn feed_names_are_injective_dana_team_beside_dana() {
    let (code, out) = check_caseworkers(DANA_TEAM);
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("the team feed of \"dana\" and the feed of \"dana-team\" would both be written to dana-team.ics"),
        "{out}"
    );
    assert!(
        out.contains("docket.toml:") && out.contains("give one of them another id"),
        "{out}"
    );
    // Names that differ only in case are one file on a case-insensitive
    // share.
    let (code, out) =
        check_caseworkers(&DANA_TEAM.replace("id = \"dana-team\"", "id = \"Yerlan\""));
    assert_eq!(code, 78, "{out}");
    assert!(
        out.contains("yerlan") && out.contains("ignoring case"),
        "{out}"
    );
    // A file separator is no longer folded into `_` beside a real `_`.
    let (code, out) = check_caseworkers(&DANA_TEAM.replace("id = \"dana-team\"", "id = \"a/b\""));
    assert_eq!(code, 78, "{out}");
    assert!(out.contains("'/'"), "{out}");
    // Letters of any script are kept as they are: andré and andrè are two
    // files (they were both andr_.ics).
    let two = DANA_TEAM
        .replace("id = \"dana-team\"", "id = \"andré\"")
        + "\n[[caseworker]]\nid = \"andrè\"\nname = \"Andre Sample\"\nemail = \"andre@ngo.example\"\n";
    let (code, out) = check_caseworkers(&two);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn ids_that_differ_only_in_normalization_are_refused() {
    let nfc = "andr\u{e9}";
    let nfd = "andre\u{301}";
    let two = DANA_TEAM.replace("id = \"dana-team\"", &format!("id = \"{nfc}\""))
        + &format!("\n[[caseworker]]\nid = \"{nfd}\"\nname = \"Andre Sample\"\nemail = \"andre@ngo.example\"\n");
    let (code, out) = check_caseworkers(&two);
    assert_eq!(code, 78, "{out}");
    let line = out
        .lines()
        .find(|l| l.contains(": error: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("docket.toml:"), "{line}");
    assert!(line.contains("is not in Unicode normal form C"), "{line}");
    assert!(out.contains("uconv -x any-nfc"), "{out}");
}

#[test]
fn an_id_with_a_newline_cannot_forge_a_log_line() {
    let forged = "2026-12-01T09:00:00.000000Z  INFO digest sent case=KZ-0001 message_id=<forged@ngo.example>";
    // A case id holding a newline and a fake line: refused by check.
    let tmp = tempfile::tempdir().unwrap();
    let (_t, cfg) = crate::digest::fixture("en");
    let main = std::fs::read_to_string(&cfg).unwrap();
    let cfg2 = write_config(tmp.path(), "docket.toml", &main);
    write_config(
        tmp.path(),
        "cases.d/evil.toml",
        &format!("[[case]]\nid = \"KZ-9\\n{forged}\"\ncaseworker = \"dana\"\n"),
    );
    let o = docket(&cfg2, &["check", "--today", TODAY]);
    let out = stdout(&o) + &stderr(&o);
    assert_exit(&o, 78);
    assert!(
        out.contains("case id") && out.contains("holds characters an id cannot"),
        "{out}"
    );
    assert!(out.contains("letters (of any script), digits"), "{out}");
    // Text that still reaches the log from files (here a file name with a
    // newline and a forged line in it, left out as broken) is escaped: no
    // log line starts with the forged timestamp.
    let name = format!("cases.d/x\n{forged}.toml");
    write_config(tmp.path(), &name, "[[case]]\nid = \n");
    std::fs::remove_file(tmp.path().join("cases.d/evil.toml")).unwrap();
    let o = docket(&cfg2, &["run", "--once", "--today", TODAY]);
    let log = strip_ansi(&stderr(&o));
    assert!(
        log.contains("digest sent case=KZ-0001 message_id=<forged"),
        "the name is logged:\n{log}"
    );
    for l in log.lines() {
        assert!(
            !l.starts_with("2026-12-01T09:00:00.000000Z"),
            "forged line:\n{log}"
        );
    }
}

/// The file transport's outbox is written by name too: `[mail] dir` in a
/// directory another user owns is refused (before the fix the temporary
/// was `.STEM.tmp`, created with O_TRUNC and following links), the digest
/// stays queued, and nothing outside the outbox is touched.
#[test]
fn an_outbox_another_user_can_write_is_refused_and_the_digest_kept() {
    let (tmp, cfg) = crate::digest::fixture("en");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "transport = \"file\"",
        "transport = \"file\"\ndir = \"shared/outbox\"",
    );
    write_config(tmp.path(), "docket.toml", &text);
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = victim(tmp.path());
    let outbox = nobodys_dir(&tmp.path().join("shared/outbox"));
    // nobody plants links at every name it can think of.
    for name in [".x.tmp", "x.eml"] {
        plant_link_as_nobody(&secret, &outbox.join(name));
    }
    let o = docket(&cfg, &["run", "--once", "--today", TODAY]);
    let log = stderr(&o);
    assert!(
        log.contains("refusing to write into directory"),
        "the outbox is refused by name:\n{log}"
    );
    assert_untouched(&secret);
    let eml = std::fs::read_dir(&outbox)
        .unwrap()
        .filter(|e| {
            let e = e.as_ref().unwrap();
            !e.file_type().unwrap().is_symlink()
        })
        .count();
    assert_eq!(eml, 0, "nothing written into nobody's directory");
    let states: Vec<String> = history(&cfg)
        .iter()
        .map(|r| r["state"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        !states.is_empty() && states.iter().all(|s| s == "due"),
        "every digest stays queued: {states:?}"
    );
}
