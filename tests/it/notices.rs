//! Issue 18, items 4 to 6: who is told about a case file, and when. A real
//! daemon on real files (file transport, outbox); every wait polls for the
//! outcome (a mail in the outbox) with a generous deadline.
//!
//! D = 2026-06-02, a Tuesday: a court hearing on 2026-06-04 (lead_days
//! [1, 2]) is two days away.

use crate::util::{
    daemon_head, docket, outbox_mails, poll, stderr, stdout, stdout_json, write_config, Daemon,
    Mail,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const D: &str = "2026-06-02";
const WAIT: Duration = Duration::from_secs(60);

fn main_config(dir: &Path) -> PathBuf {
    write_config(
        dir,
        "docket.toml",
        &(daemon_head("")
            + r#"
[kinds.refugee_certificate]
label = "Refugee certificate"

[kinds.court_hearing]
label = "Court hearing"
lead_days = [1, 2]

[[caseworker]]
id = "aigerim"
name = "Aigerim Testova"
email = "aigerim@ngo.example"
supervisor = "dana"

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"

[[caseworker]]
id = "erlan"
name = "Erlan Example"
email = "erlan@ngo.example"
language = "kk"
supervisor = "dana"
"#),
    )
}

/// A case file: one document (status given) and one hearing on `date`.
fn case(id: &str, cw: &str, status: &str, date: &str) -> String {
    format!(
        "[[case]]\nid = \"{id}\"\ncaseworker = \"{cw}\"\nperson = \"Saule Imagined\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2025-10-16\n  expires = 2026-10-16\n  status = \"{status}\"\n\n  [[case.event]]\n  kind = \"court_hearing\"\n  title = \"Hearing for Saule Imagined\"\n  date = {date}\n"
    )
}

struct Env {
    tmp: tempfile::TempDir,
    cfg: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = main_config(tmp.path());
        std::fs::create_dir_all(tmp.path().join("cases.d")).unwrap();
        Env { tmp, cfg }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// Write `text` to `cases.d/name` (0600), in place.
    fn put(&self, name: &str, text: &str) -> PathBuf {
        write_config(self.dir(), &format!("cases.d/{name}"), text)
    }

    fn start(&self) -> Daemon {
        let mut d = Daemon::start(&self.cfg, D, self.dir().join("docket.log"));
        d.wait_log("pass done", 1);
        d
    }

    fn mails(&self) -> Vec<Mail> {
        outbox_mails(&self.dir().join("outbox"))
    }

    /// Mails to `to` whose subject contains `subject`.
    fn count(&self, to: &str, subject: &str) -> usize {
        self.mails()
            .iter()
            .filter(|m| {
                m.header("To") == Some(to) && m.header("Subject").unwrap_or("").contains(subject)
            })
            .count()
    }

    /// Wait until there are `n` mails to `to` whose subject contains
    /// `subject`; returns the last and the time it took.
    #[track_caller]
    fn wait_nth(&self, d: &Daemon, to: &str, subject: &str, n: usize) -> (Mail, Duration) {
        let t0 = Instant::now();
        let got = poll(WAIT, || {
            let ms: Vec<Mail> = self
                .mails()
                .into_iter()
                .filter(|m| {
                    m.header("To") == Some(to)
                        && m.header("Subject").unwrap_or("").contains(subject)
                })
                .collect();
            (ms.len() >= n).then(|| ms.last().cloned()).flatten()
        });
        match got {
            Some(m) => (m, t0.elapsed()),
            None => panic!(
                "no {n}x mail to {to} with {subject:?} within {WAIT:?}; mails: {:#?}\nlog:\n{}",
                self.subjects(),
                d.log()
            ),
        }
    }

    fn subjects(&self) -> Vec<String> {
        self.mails()
            .iter()
            .map(|m| format!("{:?} {:?}", m.header("To"), m.header("Subject")))
            .collect()
    }
}

/// Item 4: a file broken and put back to bytes that were good before is
/// told as fixed, every time, to those told it was held, and each
/// transition once.
#[test]
fn item4_a_revert_to_good_bytes_is_told_as_fixed_each_time() {
    let e = Env::new();
    let good = case("KZ-0401", "aigerim", "active", "2026-06-30");
    let broken = case("KZ-0401", "aigerim", "activ", "2026-06-30");
    e.put("kz-0401.toml", &good);
    let d = e.start();
    let held = "a case file has errors";
    let fixed = "fixed: your changes are in effect";
    for round in 1..=2 {
        e.put("kz-0401.toml", &broken);
        let (_, t) = e.wait_nth(&d, "aigerim@ngo.example", held, round);
        e.wait_nth(&d, "it@ngo.example", held, round);
        eprintln!("round {round}: held told in {t:?}");
        e.put("kz-0401.toml", &good);
        let (m, t) = e.wait_nth(&d, "aigerim@ngo.example", fixed, round);
        eprintln!("round {round}: fixed told in {t:?}");
        assert!(m.body.contains("cases.d/kz-0401.toml"), "{}", m.body);
        e.wait_nth(&d, "it@ngo.example", fixed, round);
    }
    // Nothing more comes (each transition told once): give a stray
    // reload time to happen (QUIET is 300 ms) before counting.
    std::thread::sleep(Duration::from_secs(3));
    for (to, subject) in [
        ("aigerim@ngo.example", held),
        ("aigerim@ngo.example", fixed),
        ("it@ngo.example", held),
        ("it@ngo.example", fixed),
    ] {
        assert_eq!(
            e.count(to, subject),
            2,
            "{to} {subject}: {:#?}",
            e.subjects()
        );
    }
    // dana (aigerim's supervisor) was not told it was held, so not fixed.
    assert_eq!(e.count("dana@ngo.example", fixed), 0, "{:#?}", e.subjects());
    // Broken a third time, and docket restarted meanwhile: the same
    // episode (status.json carries since when), told once; its fix, once.
    e.put("kz-0401.toml", &broken);
    e.wait_nth(&d, "aigerim@ngo.example", held, 3);
    let mut d = d;
    assert_eq!(d.stop().code(), Some(0), "{}", d.log());
    let d = e.start();
    e.put("kz-0401.toml", &good);
    e.wait_nth(&d, "aigerim@ngo.example", fixed, 3);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        e.count("aigerim@ngo.example", held),
        3,
        "{:#?}",
        e.subjects()
    );
    assert_eq!(
        e.count("aigerim@ngo.example", fixed),
        3,
        "{:#?}",
        e.subjects()
    );
}

/// Item 6: a case file saved by Notepad as `kz-0108.toml.txt` (a BOM, CRLF
/// lines) while docket runs is noticed at once, on its own event, and its
/// caseworker is told, in their language, as well as the admin.
#[test]
fn item6_a_near_miss_name_is_noticed_at_once_and_its_caseworker_told() {
    let e = Env::new();
    e.put(
        "kz-0001.toml",
        &case("KZ-0001", "aigerim", "active", "2026-06-30"),
    );
    let d = e.start();
    let text = format!(
        "\u{feff}{}",
        case("KZ-0108", "erlan", "active", "2026-06-30").replace('\n', "\r\n")
    );
    let t0 = Instant::now();
    e.put("kz-0108.toml.txt", &text);
    // erlan's language is Kazakh.
    let (m, _) = e.wait_nth(&d, "erlan@ngo.example", "іс файлы оқылмайды", 1);
    let took = t0.elapsed();
    eprintln!("item 6: erlan told {took:?} after the file was written");
    assert!(m.body.contains("cases.d/kz-0108.toml.txt"), "{}", m.body);
    assert!(m.body.contains("KZ-0108"), "{}", m.body);
    let (a, _) = e.wait_nth(&d, "it@ngo.example", "a case file is not read", 1);
    assert!(a.body.contains("Cases named in it: KZ-0108"), "{}", a.body);
    // Nobody else is told: aigerim's file has nothing to do with it.
    assert_eq!(e.count("aigerim@ngo.example", "not read"), 0);
}

/// A near-miss name is read only as a regular file of its own: one that
/// is a FIFO does not stop the daemon (it had waited on it for ever), and
/// one that is a link to a file outside the config directory is not read
/// (the ids in it would have been mailed). A near miss saved after them
/// is told as usual.
#[test]
fn a_near_miss_that_is_a_fifo_or_a_link_out_is_not_read() {
    let e = Env::new();
    e.put(
        "kz-0001.toml",
        &case("KZ-0001", "aigerim", "active", "2026-06-30"),
    );
    let d = e.start();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("other.toml");
    std::fs::write(&secret, case("SECRET-9", "aigerim", "active", "2026-06-30")).unwrap();
    let cases = e.dir().join("cases.d");
    std::os::unix::fs::symlink(&secret, cases.join("kz-0900.toml.txt")).unwrap();
    let fifo = std::ffi::CString::new(cases.join("kz-0901.toml.txt").to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    // After the others by name: the near misses are read in name order.
    e.put(
        "kz-0999.toml.txt",
        &case("KZ-0999", "erlan", "active", "2026-06-30"),
    );
    let (m, _) = e.wait_nth(&d, "erlan@ngo.example", "іс файлы оқылмайды", 1);
    assert!(m.body.contains("KZ-0999"), "{}", m.body);
    for m in e.mails() {
        assert!(!m.raw.contains("SECRET-9"), "{}", m.raw);
    }
    assert!(!d.log().contains("SECRET-9"), "{}", d.log());
}

/// A case file that was never good: a hearing two days away, and a date
/// written the Kazakh way (not TOML, so the file does not parse).
fn never_good(id: &str, cw: &str) -> String {
    case(id, cw, "active", "2026-06-04").replace("issued = 2025-10-16", "issued = 16.10.2025")
}

/// Item 5: a file that was never good is not invisible. Its caseworker,
/// their supervisor and the admin are told at once, with the dates read of
/// it; told again the next day; the digests name it; `upcoming` lists what
/// it can read of it, marked. A file whose caseworker cannot be read goes
/// to the admin and every supervisor.
#[test]
fn item5_a_file_never_good_is_named_with_its_dates_every_day() {
    let e = Env::new();
    e.put(
        "kz-0001.toml",
        &case("KZ-0001", "aigerim", "active", "2026-06-30"),
    );
    let mut d = e.start();
    e.put("kz-0501.toml", &never_good("KZ-0501", "aigerim"));
    let subject = "a case file has errors and is not tracked";
    let (m, t) = e.wait_nth(&d, "aigerim@ngo.example", subject, 1);
    eprintln!("item 5: aigerim told {t:?} after the save");
    for want in [
        "NOT TRACKED",
        "KZ-0501",
        "Dates in it, as far as they can be read",
        "KZ-0501: Court hearing 2026-06-04 (2 days left)",
    ] {
        assert!(m.body.contains(want), "{want:?} in:\n{}", m.body);
    }
    for secret in ["Saule", "Imagined", "Hearing for"] {
        assert!(!m.raw.contains(secret), "{secret:?} in:\n{}", m.raw);
    }
    // Her supervisor, and the admin.
    let (s, _) = e.wait_nth(&d, "dana@ngo.example", subject, 1);
    assert!(
        s.body.contains("KZ-0501: Court hearing 2026-06-04"),
        "{}",
        s.body
    );
    e.wait_nth(&d, "it@ngo.example", subject, 1);
    assert_eq!(
        e.count("erlan@ngo.example", subject),
        0,
        "{:#?}",
        e.subjects()
    );
    // No caseworker can be read: the admin and every supervisor (dana).
    e.put(
        "junk.toml",
        "[[case]]\nid = \"KZ-0599\"\ncasewroker = \"aigerim\n\n  [[case.event]]\n  kind = \"court_hearing\"\n  date = 2026-06-05\n",
    );
    let junk = "is not tracked: KZ-0599";
    let (s, _) = e.wait_nth(&d, "dana@ngo.example", junk, 1);
    assert!(
        s.body.contains("KZ-0599: Court hearing 2026-06-05"),
        "{}",
        s.body
    );
    e.wait_nth(&d, "it@ngo.example", junk, 1);
    assert_eq!(
        e.count("aigerim@ngo.example", junk),
        0,
        "{:#?}",
        e.subjects()
    );
    std::fs::remove_file(e.dir().join("cases.d/junk.toml")).unwrap();
    assert_eq!(d.stop().code(), Some(0), "{}", d.log());

    // `upcoming` lists it, marked, beside the rows in effect.
    let up = docket(&e.cfg, &["upcoming", "--today", D, "--format", "json"]);
    assert_eq!(up.status.code(), Some(78), "{}", stderr(&up));
    let rows = stdout_json(&up);
    let rows = rows.as_array().unwrap();
    let r = rows
        .iter()
        .find(|r| r["case"] == "KZ-0501")
        .unwrap_or_else(|| panic!("no KZ-0501 in {rows:?}"));
    assert_eq!(r["tracked"], false, "{r}");
    assert_eq!(r["item"], "event");
    assert_eq!(r["kind"], "court_hearing");
    assert_eq!(r["act_by"], "2026-06-04");
    assert_eq!(r["days_left"], 2);
    assert_eq!(r["caseworker"], "aigerim");
    let k1 = rows.iter().find(|r| r["case"] == "KZ-0001").unwrap();
    assert!(
        k1.get("tracked").is_none(),
        "rows in effect as before: {k1}"
    );
    let table = docket(&e.cfg, &["upcoming", "--today", D]);
    let out = stdout(&table);
    assert!(
        out.lines()
            .any(|l| l.starts_with('?') && l.contains("KZ-0501")),
        "{out}"
    );
    assert!(
        out.contains("marked ? are read from a file left out"),
        "{out}"
    );
    let one = docket(&e.cfg, &["upcoming", "--today", D, "--case", "KZ-0501"]);
    assert!(
        stdout(&one).contains("KZ-0501"),
        "{}{}",
        stdout(&one),
        stderr(&one)
    );

    // The next day, with a digest due for aigerim (KZ-0001 tomorrow): the
    // digest names the file and its hearing; the notice comes again.
    e.put(
        "kz-0001.toml",
        &case("KZ-0001", "aigerim", "active", "2026-06-04"),
    );
    let o = docket(&e.cfg, &["run", "--once", "--today", "2026-06-03"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        e.count("aigerim@ngo.example", subject),
        2,
        "{:#?}",
        e.subjects()
    );
    assert_eq!(
        e.count("dana@ngo.example", subject),
        3,
        "{:#?}",
        e.subjects()
    );
    let digest = e
        .mails()
        .into_iter()
        .find(|m| m.header("To") == Some("aigerim@ngo.example") && !m.parts.is_empty())
        .unwrap_or_else(|| panic!("no digest: {:#?}", e.subjects()));
    let text = digest.text().replace("\n", " ");
    for want in [
        "cases.d/kz-0501.toml has errors and is NOT TRACKED",
        "KZ-0501: Court hearing 2026-06-04 (1 day left)",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{}", digest.text());
    }
    // Fixed: nobody is told about it any more, and it is reminded.
    e.put(
        "kz-0501.toml",
        &case("KZ-0501", "aigerim", "active", "2026-06-04"),
    );
    let o = docket(&e.cfg, &["run", "--once", "--today", "2026-06-03"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        e.count("aigerim@ngo.example", subject),
        2,
        "{:#?}",
        e.subjects()
    );
    assert_eq!(
        e.count("aigerim@ngo.example", "due - KZ-0501"),
        1,
        "{:#?}",
        e.subjects()
    );
    // Told it is fixed: those told it was not tracked, the supervisor too.
    for to in ["aigerim@ngo.example", "dana@ngo.example", "it@ngo.example"] {
        assert_eq!(
            e.count(to, "fixed: your changes are in effect"),
            1,
            "{to}: {:#?}",
            e.subjects()
        );
    }
}
