//! Cases in a git repository (SPEC section 7, issue 22), with the real
//! `git` binary: a bare repository whose `hooks/pre-receive` execs the
//! docket under test (`git-hook`), a main config naming it as
//! `cases_git`, and two clones pushing as two authors (fictional people).
//! What is asserted is what people see: what `git push` prints and returns,
//! where the branch is, the digests and notices in the file transport's
//! outbox, `status.json`, and `check`/`upcoming`.
//!
//! git runs with its own HOME (a temporary directory) and without the
//! machine's config (`GIT_CONFIG_NOSYSTEM`). Every wait is on an event (a
//! mail in the outbox, status.json), bounded, never a fixed sleep; dates
//! come from `--today`.
//!
//! D = 2026-12-07, a Monday. A hearing on D + k (k ≤ 25) with `lead_days`
//! 1 to 25 has a reminder due on D: each new version of a case file with a
//! new date makes a new digest, which is how a test sees that version in
//! effect at the daemon.

use crate::util::{
    docket, docket_bin, outbox_mails, poll, service_table, stderr, stdout, stdout_json,
    write_config, Daemon, Mail, FILE_MAIL,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const D: &str = "2026-12-07";
const WAIT: Duration = Duration::from_secs(30);

/// The two authors (fictional): the name git records, and their clone.
const AIGERIM: Author = Author {
    name: "Aigerim Testova",
    email: "aigerim.testova@ngo.example",
    clone: "w-aigerim",
};
const DANA: Author = Author {
    name: "Dana Testova",
    email: "dana.testova@ngo.example",
    clone: "w-dana",
};

#[derive(Clone, Copy)]
struct Author {
    name: &'static str,
    email: &'static str,
    /// Their clone, under the test's directory.
    clone: &'static str,
}

/// A case file: one hearing on `date` (2026-12-DD), fictional person and
/// title. The date is on line 9, column 10.
fn case(id: &str, cw: &str, date: &str) -> String {
    format!(
        "[[case]]\nid = \"{id}\"\ncaseworker = \"{cw}\"\nperson = \"Saule Imagined\"\n\n  [[case.event]]\n  kind = \"court_hearing\"\n  title = \"Hearing for Saule Imagined\"\n  date = {date}\n"
    )
}

/// `case` with the date written day-first (`10.12.2026`): an error at
/// 9:10 whose hint is the year-month-day date.
fn day_first(id: &str, cw: &str, date: &str) -> String {
    let (y, rest) = date.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    case(id, cw, &format!("{d}.{m}.{y}"))
}

/// A temporary directory with `etc/docket.toml` (the main config; state,
/// outbox beside it), `cases.git` (bare, the hook installed), `home/` (git's
/// and docket's HOME and cache) and the authors' clones.
struct Repo {
    tmp: tempfile::TempDir,
    cfg: PathBuf,
}

impl Repo {
    /// The bare repository with the hook, and a first commit by Aigerim
    /// with `files` (pushed through the hook), cloned by Dana too.
    fn new(files: &[(&str, String)]) -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir_all(dir.join("home/.cache")).unwrap();
        let bare = dir.join("cases.git");
        let cfg = write_config(
            &dir.join("etc"),
            "docket.toml",
            &format!(
                "{}\n[mail]\n{FILE_MAIL}{}",
                service_table(
                    "state",
                    &format!(
                        "include = [\"cases/*.toml\"]\ncases_git = \"{}\"\n",
                        bare.display()
                    )
                ),
                r#"
[kinds.court_hearing]
label = "Court hearing"
lead_days = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]

[[caseworker]]
id = "aigerim"
name = "Aigerim Testova"
email = "aigerim@ngo.example"

[[caseworker]]
id = "dana"
name = "Dana Testova"
email = "dana@ngo.example"
"#
            ),
        );
        let r = Repo { tmp, cfg };
        r.git_ok(
            &dir,
            AIGERIM,
            &["init", "-q", "--bare", "-b", "main", "cases.git"],
        );
        r.install_hook();
        r.git_ok(&dir, AIGERIM, &["init", "-q", "-b", "main", AIGERIM.clone]);
        let w = r.clone_of(AIGERIM);
        r.git_ok(&w, AIGERIM, &["remote", "add", "origin", "../cases.git"]);
        r.commit(AIGERIM, files, &[], "first cases");
        let o = r.push(AIGERIM);
        assert!(o.status.success(), "first push: {}", stderr(&o));
        r.git_ok(&dir, DANA, &["clone", "-q", "cases.git", DANA.clone]);
        r
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn bare(&self) -> PathBuf {
        self.dir().join("cases.git")
    }

    fn hook(&self) -> PathBuf {
        self.bare().join("hooks/pre-receive")
    }

    fn clone_of(&self, who: Author) -> PathBuf {
        self.dir().join(who.clone)
    }

    fn etc(&self) -> PathBuf {
        self.dir().join("etc")
    }

    fn status_json(&self) -> PathBuf {
        self.etc().join("state/status.json")
    }

    fn outbox(&self) -> PathBuf {
        self.etc().join("outbox")
    }

    /// `hooks/pre-receive`: a shell script that execs the docket under
    /// test, as an admin would install it.
    fn install_hook(&self) {
        let script = format!(
            "#!/bin/sh\nexec '{}' -c '{}' git-hook --today {D}\n",
            docket_bin().display(),
            self.cfg.display()
        );
        std::fs::write(self.hook(), script).unwrap();
        crate::util::chmod(&self.hook(), 0o755);
    }

    /// `git ARGS` in `dir` as `who`: their name on the commits, git's HOME
    /// and the cache in the test's directory, no system config, English.
    fn git_command(&self, dir: &Path, who: Author, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.args(args).current_dir(dir);
        crate::util::quiet_env(&mut c);
        for v in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_CONFIG",
            "GIT_CONFIG_GLOBAL",
        ] {
            c.env_remove(v);
        }
        let home = self.dir().join("home");
        c.env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LC_ALL", "C")
            .env("GIT_AUTHOR_NAME", who.name)
            .env("GIT_AUTHOR_EMAIL", who.email)
            .env("GIT_COMMITTER_NAME", who.name)
            .env("GIT_COMMITTER_EMAIL", who.email);
        c
    }

    fn git(&self, dir: &Path, who: Author, args: &[&str]) -> Output {
        self.git_command(dir, who, args).output().expect("run git")
    }

    #[track_caller]
    fn git_ok(&self, dir: &Path, who: Author, args: &[&str]) -> String {
        let o = self.git(dir, who, args);
        assert!(
            o.status.success(),
            "git {args:?} in {}: {}{}",
            dir.display(),
            stdout(&o),
            stderr(&o)
        );
        stdout(&o)
    }

    /// Write `files` (paths in the repository) into `who`'s clone, remove
    /// `gone`, and commit it all as them.
    fn commit(&self, who: Author, files: &[(&str, String)], gone: &[&str], message: &str) {
        let w = self.clone_of(who);
        for (path, text) in files {
            let p = w.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        for path in gone {
            std::fs::remove_file(w.join(path)).unwrap();
        }
        self.git_ok(&w, who, &["add", "-A"]);
        self.git_ok(&w, who, &["commit", "-q", "-m", message]);
    }

    /// Bring `who`'s clone up to the branch (their commits on top).
    fn pull(&self, who: Author) {
        self.git_ok(
            &self.clone_of(who),
            who,
            &["pull", "-q", "--rebase", "origin", "main"],
        );
    }

    /// `git push origin HEAD:main` from `who`'s clone, whatever it returns.
    fn push(&self, who: Author) -> Output {
        self.git(
            &self.clone_of(who),
            who,
            &["push", "origin", "HEAD:refs/heads/main"],
        )
    }

    /// Commit and push; the push must go through.
    #[track_caller]
    fn push_ok(&self, who: Author, files: &[(&str, String)], message: &str) -> Output {
        self.pull(who);
        self.commit(who, files, &[], message);
        let o = self.push(who);
        assert!(
            o.status.success(),
            "{}'s push was refused: {}",
            who.name,
            stderr(&o)
        );
        o
    }

    /// The commit `main` names in the bare repository.
    fn tip(&self) -> String {
        // Read as root from a repository the forge's user may own.
        let args = ["-c", "safe.directory=*", "rev-parse", "refs/heads/main"];
        self.git_ok(&self.bare(), AIGERIM, &args).trim().to_string()
    }

    /// Push without the hook (a forge admin, a repository the hook was
    /// not installed in yet): the hook moved aside for the push, then back.
    #[track_caller]
    fn push_bypassing_hook(&self, who: Author) -> Output {
        let aside = self.bare().join("hooks/pre-receive.off");
        std::fs::rename(self.hook(), &aside).unwrap();
        let o = self.push(who);
        std::fs::rename(&aside, self.hook()).unwrap();
        assert!(o.status.success(), "push without the hook: {}", stderr(&o));
        o
    }

    fn start(&self) -> Daemon {
        let mut d = Daemon::start(&self.cfg, D, self.dir().join("docket.log"));
        d.wait_log("pass done", 1);
        d
    }

    fn mails(&self) -> Vec<Mail> {
        outbox_mails(&self.outbox())
    }

    /// Digests (not notices) to `to` mentioning `case`.
    fn digests(&self, to: &str, case: &str) -> usize {
        self.mails()
            .iter()
            .filter(|m| m.is_digest() && m.header("To") == Some(to) && m.raw.contains(case))
            .count()
    }

    /// Wait until `to` has `n` digests mentioning `case`.
    #[track_caller]
    fn wait_digests(&self, d: &Daemon, to: &str, case: &str, n: usize) {
        if poll(WAIT, || (self.digests(to, case) >= n).then_some(())).is_none() {
            panic!(
                "{to} has {} digest(s) for {case}, not {n}, within {WAIT:?}; mails: {:#?}\nlog:\n{}",
                self.digests(to, case),
                self.subjects(),
                d.log()
            );
        }
    }

    /// Wait for a mail to `to` whose subject contains `subject`.
    #[track_caller]
    fn wait_mail(&self, d: &Daemon, to: &str, subject: &str) -> Mail {
        poll(WAIT, || {
            self.mails().into_iter().find(|m| {
                m.header("To") == Some(to) && m.header("Subject").unwrap_or("").contains(subject)
            })
        })
        .unwrap_or_else(|| {
            panic!(
                "no mail to {to} with {subject:?} within {WAIT:?}; mails: {:#?}\nlog:\n{}",
                self.subjects(),
                d.log()
            )
        })
    }

    fn subjects(&self) -> Vec<String> {
        self.mails()
            .iter()
            .map(|m| format!("{:?} {:?}", m.header("To"), m.header("Subject")))
            .collect()
    }

    /// status.json's line for `path`, once `pred` holds for it.
    #[track_caller]
    fn wait_status(
        &self,
        d: &Daemon,
        path: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let got = poll(WAIT, || {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(self.status_json()).ok()?).ok()?;
            let f = v["files"]
                .as_array()?
                .iter()
                .find(|f| f["path"] == path)?
                .clone();
            pred(&f).then_some(f)
        });
        got.unwrap_or_else(|| {
            panic!(
                "status.json's line for {path} never matched within {WAIT:?}: {}\nlog:\n{}",
                std::fs::read_to_string(self.status_json()).unwrap_or_default(),
                d.log()
            )
        })
    }

    /// `docket upcoming --today D --format json`: (case, deadline) rows.
    #[track_caller]
    fn upcoming(&self) -> Vec<(String, String)> {
        self.upcoming_exit(0)
    }

    /// [`Repo::upcoming`], exiting `want` (78 with a file left out: it
    /// says so on stderr and lists the rest, the held file at its last
    /// good version).
    #[track_caller]
    fn upcoming_exit(&self, want: i32) -> Vec<(String, String)> {
        let o = docket(&self.cfg, &["upcoming", "--today", D, "--format", "json"]);
        assert_eq!(o.status.code(), Some(want), "upcoming: {}", stderr(&o));
        if want != 0 {
            assert!(
                stderr(&o).contains("cases/kz-0001.toml: left out: the last good version"),
                "{}",
                stderr(&o)
            );
        }
        stdout_json(&o)
            .as_array()
            .expect("an array")
            .iter()
            .map(|r| {
                (
                    r["case"].as_str().unwrap_or("").to_string(),
                    r["deadline"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
}

fn has_row(rows: &[(String, String)], case: &str, deadline: &str) -> bool {
    rows.iter().any(|(c, d)| c == case && d == deadline)
}

/// Every file under `root` (relative path → size and bytes' hash), for
/// "nothing was written"; directories listed too, as size 0.
fn tree_snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if e.file_type().unwrap().is_dir() {
                out.insert(rel, (0, 0));
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap_or_default();
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                out.insert(rel, (bytes.len() as u64, h.finish()));
            }
        }
    }
    out
}

#[test]
fn two_authors_pushes_take_effect_at_the_running_daemon_without_a_signal() {
    let r = Repo::new(&[(
        "cases/kz-0001.toml",
        case("KZ-0001", "aigerim", "2026-12-10"),
    )]);
    let d = r.start();
    r.wait_digests(&d, "aigerim@ngo.example", "KZ-0001", 1);

    // Dana adds her own case in her clone and pushes: no signal, no restart.
    let o = r.push_ok(
        DANA,
        &[("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-11"))],
        "KZ-0002: hearing",
    );
    assert!(!stderr(&o).contains("error:"), "{}", stderr(&o));
    r.wait_digests(&d, "dana@ngo.example", "KZ-0002", 1);
    let f = r.wait_status(&d, "cases/kz-0002.toml", |f| f["state"] == "in_effect");
    assert_eq!(f["cases"], 1, "{f}");

    // Aigerim, behind Dana now, pulls and moves her hearing.
    r.push_ok(
        AIGERIM,
        &[(
            "cases/kz-0001.toml",
            case("KZ-0001", "aigerim", "2026-12-14"),
        )],
        "KZ-0001: hearing moved",
    );
    r.wait_digests(&d, "aigerim@ngo.example", "KZ-0001", 2);
    let rows = r.upcoming();
    assert!(has_row(&rows, "KZ-0001", "2026-12-14"), "{rows:?}");
    assert!(has_row(&rows, "KZ-0002", "2026-12-11"), "{rows:?}");
    assert!(!has_row(&rows, "KZ-0001", "2026-12-10"), "{rows:?}");

    // The forge's housekeeping packs the refs (`git gc` does): the next
    // push is seen all the same.
    r.git_ok(&r.bare(), AIGERIM, &["pack-refs", "--all"]);
    assert!(!r.bare().join("refs/heads/main").exists());
    r.push_ok(
        DANA,
        &[("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-15"))],
        "KZ-0002: hearing moved",
    );
    r.wait_digests(&d, "dana@ngo.example", "KZ-0002", 2);

    // The pushes are on the branch under their authors' names, and the
    // daemon was never told (no SIGHUP): it found them itself.
    let authors = r.git_ok(&r.bare(), AIGERIM, &["log", "--format=%an", "main"]);
    assert_eq!(
        authors.lines().collect::<Vec<_>>(),
        [
            "Dana Testova",
            "Aigerim Testova",
            "Dana Testova",
            "Aigerim Testova"
        ],
        "{authors}"
    );
    let log = d.log();
    assert!(!log.contains("SIGHUP"), "{log}");
    assert!(log.contains("config reloaded"), "{log}");
    // The digests never came from a working tree: nothing but the main
    // config and docket's own directories is in the config directory.
    assert!(!r.etc().join("cases").exists());
}

#[test]
fn a_day_first_date_is_refused_at_its_line_and_column_with_the_fix_and_the_branch_stays() {
    let r = Repo::new(&[
        (
            "cases/kz-0001.toml",
            case("KZ-0001", "aigerim", "2026-12-10"),
        ),
        ("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-11")),
    ]);
    let before = r.tip();
    r.pull(DANA);
    r.commit(
        DANA,
        &[
            (
                "cases/kz-0002.toml",
                day_first("KZ-0002", "dana", "2026-12-14"),
            ),
            ("cases/kz-0003.toml", case("KZ-0003", "dana", "2026-12-09")),
        ],
        &[],
        "KZ-0002 moved, KZ-0003 new",
    );
    let o = r.push(DANA);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "the push went through: {err}");
    assert!(
        err.contains("remote: cases/kz-0002.toml:9:10: error:"),
        "location: {err}"
    );
    assert!(err.contains("14.12.2026"), "the line quoted: {err}");
    assert!(
        err.contains("remote:   = help: write 2026-12-14 (year-month-day"),
        "the fix: {err}"
    );
    assert!(err.contains("remote: push refused"), "{err}");
    assert!(err.contains("[remote rejected]"), "{err}");
    // The good file in the same push is not blamed.
    assert!(!err.contains("kz-0003.toml:"), "{err}");
    assert_eq!(r.tip(), before, "the branch moved");
    // The pushed commit never reached the repository's branch: `upcoming`
    // reads the old version.
    let rows = r.upcoming();
    assert!(has_row(&rows, "KZ-0002", "2026-12-11"), "{rows:?}");
    assert!(!rows.iter().any(|(c, _)| c == "KZ-0003"), "{rows:?}");

    // Fixed and pushed again: through, the branch moves.
    r.commit(
        DANA,
        &[("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-14"))],
        &[],
        "KZ-0002: the date year-month-day",
    );
    let o = r.push(DANA);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(r.tip(), before);
    let rows = r.upcoming();
    assert!(has_row(&rows, "KZ-0002", "2026-12-14"), "{rows:?}");
    assert!(has_row(&rows, "KZ-0003", "2026-12-09"), "{rows:?}");
}

#[test]
fn a_broken_file_pushed_past_the_hook_is_held_and_told_and_the_rest_of_the_push_applies() {
    let r = Repo::new(&[
        (
            "cases/kz-0001.toml",
            case("KZ-0001", "aigerim", "2026-12-10"),
        ),
        ("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-11")),
    ]);
    let d = r.start();
    r.wait_digests(&d, "aigerim@ngo.example", "KZ-0001", 1);
    r.wait_digests(&d, "dana@ngo.example", "KZ-0002", 1);

    // One push, without the hook: Aigerim's file broken, Dana's moved, a
    // new case for Dana.
    r.commit(
        AIGERIM,
        &[
            (
                "cases/kz-0001.toml",
                day_first("KZ-0001", "aigerim", "2026-12-14"),
            ),
            ("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-14")),
            ("cases/kz-0003.toml", case("KZ-0003", "dana", "2026-12-09")),
        ],
        &[],
        "three cases at once",
    );
    r.push_bypassing_hook(AIGERIM);

    // Every other file's change is in effect.
    r.wait_digests(&d, "dana@ngo.example", "KZ-0002", 2);
    r.wait_digests(&d, "dana@ngo.example", "KZ-0003", 1);
    // The broken one is held, its caseworker and the admin told.
    let m = r.wait_mail(&d, "aigerim@ngo.example", "a case file has errors");
    assert!(m.body.contains("cases/kz-0001.toml"), "{}", m.body);
    assert!(m.body.contains("kz-0001.toml:9:"), "location: {}", m.body);
    assert!(m.body.contains("last good version"), "{}", m.body);
    let a = r.wait_mail(&d, "it@ngo.example", "a case file has errors");
    assert!(a.raw.contains("cases/kz-0001.toml"), "{}", a.raw);
    assert!(
        !r.mails()
            .iter()
            .any(|m| m.header("To") == Some("dana@ngo.example")
                && m.header("Subject").unwrap_or("").contains("has errors")),
        "Dana was told of Aigerim's file: {:#?}",
        r.subjects()
    );
    let f = r.wait_status(&d, "cases/kz-0001.toml", |f| f["state"] == "held");
    assert!(!f["problems"].as_array().unwrap().is_empty(), "{f}");
    for p in ["cases/kz-0002.toml", "cases/kz-0003.toml"] {
        r.wait_status(&d, p, |f| f["state"] == "in_effect");
    }
    // Its last good version stays in effect: no digest for the new date.
    assert_eq!(r.digests("aigerim@ngo.example", "KZ-0001"), 1);
    let rows = r.upcoming_exit(78);
    assert!(has_row(&rows, "KZ-0001", "2026-12-10"), "{rows:?}");
    assert!(has_row(&rows, "KZ-0002", "2026-12-14"), "{rows:?}");
    assert!(has_row(&rows, "KZ-0003", "2026-12-09"), "{rows:?}");

    // With the hook back, Dana's push of her own file goes through: the
    // broken file was on the branch already, shown as a warning.
    let o = r.push_ok(
        DANA,
        &[("cases/kz-0003.toml", case("KZ-0003", "dana", "2026-12-15"))],
        "KZ-0003: hearing moved",
    );
    let err = stderr(&o);
    assert!(
        err.contains("remote: cases/kz-0001.toml:9:10: warning:")
            && err.contains("already on the branch before this push; not refused"),
        "{err}"
    );
    r.wait_digests(&d, "dana@ngo.example", "KZ-0003", 2);

    // Aigerim fixes hers: told it is in effect, and the new date reminded.
    r.push_ok(
        AIGERIM,
        &[(
            "cases/kz-0001.toml",
            case("KZ-0001", "aigerim", "2026-12-14"),
        )],
        "KZ-0001: the date year-month-day",
    );
    r.wait_mail(
        &d,
        "aigerim@ngo.example",
        "fixed: your changes are in effect",
    );
    r.wait_digests(&d, "aigerim@ngo.example", "KZ-0001", 2);
    r.wait_status(&d, "cases/kz-0001.toml", |f| f["state"] == "in_effect");
}

/// A case file committed under a near-miss name is read from the tree for
/// the caseworkers to tell, as one on disk is: it had been looked for in
/// the daemon's working directory, so only the admin was told.
#[test]
fn a_near_miss_in_the_repository_is_told_to_its_caseworker() {
    let r = Repo::new(&[
        (
            "cases/kz-0001.toml",
            case("KZ-0001", "aigerim", "2026-12-10"),
        ),
        (
            "cases/kz-0009.toml.txt",
            case("KZ-0009", "dana", "2026-12-12"),
        ),
    ]);
    let d = r.start();
    let m = r.wait_mail(&d, "dana@ngo.example", "a case file is not read");
    assert!(m.body.contains("cases/kz-0009.toml.txt"), "{}", m.body);
    assert!(m.body.contains("KZ-0009"), "{}", m.body);
    let a = r.wait_mail(&d, "it@ngo.example", "a case file is not read");
    assert!(a.body.contains("KZ-0009"), "{}", a.body);
}

#[test]
fn check_and_upcoming_read_the_case_files_from_the_repository() {
    let r = Repo::new(&[
        (
            "cases/kz-0001.toml",
            case("KZ-0001", "aigerim", "2026-12-10"),
        ),
        ("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-11")),
        // Not matched by the includes: not read.
        ("notes/kz-0009.toml", case("KZ-0009", "dana", "2026-12-11")),
    ]);
    // No case file on disk anywhere but in git's objects (and the clones,
    // outside the config directory).
    let on_disk: Vec<_> = tree_snapshot(&r.etc()).into_keys().collect();
    assert_eq!(on_disk, [PathBuf::from("docket.toml")]);

    let o = docket(&r.cfg, &["check", "--today", D]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("OK: 2 case(s)"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    let rows = r.upcoming();
    assert!(has_row(&rows, "KZ-0001", "2026-12-10"), "{rows:?}");
    assert!(has_row(&rows, "KZ-0002", "2026-12-11"), "{rows:?}");
    assert!(!rows.iter().any(|(c, _)| c == "KZ-0009"), "{rows:?}");

    // A pushed change is what they read next, with no daemon and no
    // working tree: the branch's tip.
    r.push_ok(
        DANA,
        &[("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-15"))],
        "KZ-0002: hearing moved",
    );
    let rows = r.upcoming();
    assert!(has_row(&rows, "KZ-0002", "2026-12-15"), "{rows:?}");

    // A broken file on the branch: `check` locates it by its path in the
    // repository.
    r.pull(AIGERIM);
    r.commit(
        AIGERIM,
        &[(
            "cases/kz-0001.toml",
            day_first("KZ-0001", "aigerim", "2026-12-10"),
        )],
        &[],
        "broken",
    );
    r.push_bypassing_hook(AIGERIM);
    let o = docket(&r.cfg, &["check", "--today", D]);
    assert_eq!(o.status.code(), Some(78), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains("cases/kz-0001.toml:9:10: error:"),
        "{}",
        stderr(&o)
    );
    // A file deleted from the branch is gone from `upcoming` too.
    r.pull(DANA);
    r.commit(DANA, &[], &["cases/kz-0002.toml"], "KZ-0002 closed");
    let o = r.push_bypassing_hook(DANA);
    assert!(o.status.success());
    let o = docket(&r.cfg, &["upcoming", "--today", D, "--format", "json"]);
    assert!(
        !stdout(&o).contains("KZ-0002"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
}

#[test]
fn the_hook_writes_nothing_and_needs_no_state_dir() {
    let r = Repo::new(&[(
        "cases/kz-0001.toml",
        case("KZ-0001", "aigerim", "2026-12-10"),
    )]);
    // The config directory, the HOME and cache git and the hook run with,
    // and the repository apart from what git itself writes for a push.
    let watched = || {
        let mut all = BTreeMap::new();
        for (name, root) in [
            ("etc", r.etc()),
            ("home", r.dir().join("home")),
            ("repo", r.bare()),
        ] {
            for (p, v) in tree_snapshot(&root) {
                let s = p.to_string_lossy().into_owned();
                if name == "repo"
                    && (s.starts_with("objects")
                        || s.starts_with("refs")
                        || s.starts_with("logs")
                        || s == "packed-refs"
                        || s.starts_with("hooks"))
                {
                    continue;
                }
                all.insert(format!("{name}/{s}"), v);
            }
        }
        all
    };
    let before = watched();
    assert!(!r.etc().join("state").exists());
    // A good push, a refused one: both through the hook.
    let o = r.push_ok(
        DANA,
        &[("cases/kz-0002.toml", case("KZ-0002", "dana", "2026-12-11"))],
        "KZ-0002",
    );
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    r.commit(
        DANA,
        &[(
            "cases/kz-0002.toml",
            day_first("KZ-0002", "dana", "2026-12-11"),
        )],
        &[],
        "broken",
    );
    let o = r.push(DANA);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("kz-0002.toml:9:10: error:"));
    assert_eq!(watched(), before, "the hook wrote something");
    assert!(!r.etc().join("state").exists(), "a state_dir was made");
}

/// The hook as the forge's user would run it: not root, the repository
/// theirs, the main config root's (readable), state_dir root's and absent.
/// Needs root to create the user (`scripts/test.sh` leaves `as_root` out
/// without it).
#[test]
fn the_hook_runs_as_the_forges_user_without_root_as_root() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to create a user");
        return;
    }
    let user = ForgeUser::new();
    let r = Repo::new(&[(
        "cases/kz-0001.toml",
        case("KZ-0001", "aigerim", "2026-12-10"),
    )]);
    // The user can reach the directory, owns the repository and a clone;
    // the config directory stays root's (0755, the config 0644).
    crate::util::chmod(r.dir(), 0o755);
    crate::util::chmod(&r.cfg, 0o644);
    let run = |args: &[&str]| {
        let o = Command::new("chown")
            .args(["-R", &format!("{}:{}", user.uid, user.gid)])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    run(&[
        r.bare().to_str().unwrap(),
        r.clone_of(DANA).to_str().unwrap(),
    ]);
    // git as the user: their ids, an empty environment but for PATH, the
    // authors' names and no config of the machine's or a home.
    let as_user = |args: &[&str]| -> Output {
        Command::new("setpriv")
            .args([
                "--reuid",
                &user.uid.to_string(),
                "--regid",
                &user.gid.to_string(),
                "--clear-groups",
                "--",
                "git",
            ])
            .args(args)
            .current_dir(r.clone_of(DANA))
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", "/nonexistent")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LC_ALL", "C")
            .env("GIT_AUTHOR_NAME", DANA.name)
            .env("GIT_AUTHOR_EMAIL", DANA.email)
            .env("GIT_COMMITTER_NAME", DANA.name)
            .env("GIT_COMMITTER_EMAIL", DANA.email)
            .output()
            .unwrap()
    };
    let before = tree_snapshot(&r.etc());
    std::fs::write(
        r.clone_of(DANA).join("cases/kz-0002.toml"),
        day_first("KZ-0002", "dana", "2026-12-11"),
    )
    .unwrap();
    run(&[r.clone_of(DANA).to_str().unwrap()]);
    let o = as_user(&["add", "-A"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = as_user(&["commit", "-q", "-m", "broken"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tip = r.tip();
    let o = as_user(&["push", "origin", "HEAD:refs/heads/main"]);
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("remote: cases/kz-0002.toml:9:10: error:")
            && err.contains("= help: write 2026-12-11"),
        "{err}"
    );
    assert!(
        !err.contains("ermission denied") && !err.contains("state_dir"),
        "{err}"
    );
    assert_eq!(r.tip(), tip);
    // Fixed: through, as the same user.
    std::fs::write(
        r.clone_of(DANA).join("cases/kz-0002.toml"),
        case("KZ-0002", "dana", "2026-12-11"),
    )
    .unwrap();
    run(&[r.clone_of(DANA).to_str().unwrap()]);
    let o = as_user(&["commit", "-q", "-a", "-m", "fixed"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = as_user(&["push", "origin", "HEAD:refs/heads/main"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(r.tip(), tip);
    assert_eq!(tree_snapshot(&r.etc()), before, "the hook wrote something");
    assert!(!r.etc().join("state").exists());
}

/// A real user (no home, no login), removed when dropped.
struct ForgeUser {
    name: String,
    uid: u32,
    gid: u32,
}

impl ForgeUser {
    fn new() -> ForgeUser {
        let tag = crate::util::unique_tag();
        let name = format!("dkf{}", &tag[tag.len().saturating_sub(9)..]);
        let o = Command::new("useradd")
            .args(["-M", "-N", "-s", "/usr/sbin/nologin", &name])
            .output()
            .unwrap();
        assert!(o.status.success(), "useradd: {}", stderr(&o));
        let id = |flag: &str| -> u32 {
            let o = Command::new("id").args([flag, &name]).output().unwrap();
            stdout(&o).trim().parse().unwrap()
        };
        let (uid, gid) = (id("-u"), id("-g"));
        ForgeUser { name, uid, gid }
    }
}

impl Drop for ForgeUser {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.name).output();
    }
}

/// A symbolic link pushed as a case file is refused at its own path: the
/// pusher never sees the server's path to the main config, nor the main
/// config's own warnings, nor warnings of files the push does not touch.
#[test]
fn a_pushed_symlink_is_refused_at_its_path_and_the_main_config_stays_unnamed() {
    let r = Repo::new(&[(
        "cases/kz-0001.toml",
        case("KZ-0001", "aigerim", "2026-12-10"),
    )]);
    let before = r.tip();
    let w = r.clone_of(DANA);
    r.pull(DANA);
    std::os::unix::fs::symlink("/etc/passwd", w.join("cases/evil.toml")).unwrap();
    r.commit(
        DANA,
        &[(
            "cases/kz-0001.toml.txt",
            case("KZ-0009", "dana", "2026-12-12"),
        )],
        &[],
        "a link and a misnamed file",
    );
    let o = r.push(DANA);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("remote: cases/evil.toml:1:1: error: cases/evil.toml is a symbolic link"),
        "{err}"
    );
    assert!(
        err.contains("push refused: 1 error(s) in cases/evil.toml;"),
        "{err}"
    );
    // The misnamed file is named at its own path too (a warning).
    assert!(
        err.contains("remote: cases/kz-0001.toml.txt:1:1: warning:"),
        "{err}"
    );
    let etc = r.etc();
    assert!(
        !err.contains(etc.to_str().unwrap()),
        "the server's path shown: {err}"
    );
    assert!(!err.contains("docket.toml"), "{err}");
    assert_eq!(r.tip(), before);
}
