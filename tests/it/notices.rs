//! Issue 18, items 4 to 6: who is told about a case file, and when. A real
//! daemon on real files (file transport, outbox); every wait polls for the
//! outcome (a mail in the outbox) with a generous deadline.
//!
//! D = 2026-06-02, a Tuesday: a court hearing on 2026-06-04 (lead_days
//! [1, 2]) is two days away.

use crate::util::{outbox_mails, poll, write_config, Daemon, Mail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const D: &str = "2026-06-02";
const WAIT: Duration = Duration::from_secs(60);

fn main_config(dir: &Path) -> PathBuf {
    write_config(
        dir,
        "docket.toml",
        r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"
schedule = "0 0 9 1 1 *"
include = ["cases.d/*.toml"]
admin = "it@ngo.example"

[mail]
transport = "file"
dir = "outbox"
from = "Docket <docket@ngo.example>"

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
"#,
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
