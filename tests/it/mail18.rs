//! Issue 18, the mail items: every message docket sends is well-formed
//! MIME in UTF-8 (item 1), a digest's "held back" lines are in the
//! caseworker's language (item 2), people read local times (item 7), a
//! digest's subject counts what its body counts (item 8), and the footer
//! without `[mail] guide_url` says whom to ask for the guide (item 11).
//!
//! One real daemon, with the file transport, runs a whole day of a team of
//! three (en, ru, kk) once ([`scenario`]): digests, every kind of file
//! notice, the admin's copies and alerts, a rejected main config,
//! `notify-admin` and `send-test`. The tests below read what it wrote.
//! `item1_through_postfix_*` sends the same kinds through the loopback
//! Postfix and reads its Maildir. Every message is parsed by Python's
//! `email` package under `email.policy.strict` ([`strict_parse`]).
//!
//! D = 2026-06-02, a Tuesday. Hearings on 2026-06-03 with `lead_days =
//! [1]` are reminded on D; certificates that expired in May are overdue.

use crate::util::{
    docket, outbox_mails, poll, stderr, stdout, stdout_json, test_mail_env, unique_tag,
    write_config, Daemon,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const D: &str = "2026-06-02";
/// Generous: a debug build on a loaded two-core machine.
const WAIT: Duration = Duration::from_secs(60);

/// Parses every file named on the command line under
/// `email.policy.strict` and prints, as JSON, per message: its headers as
/// decoded, every problem found, and each part's decoded text.
const STRICT_PY: &str = r#"
import sys, json, email
from email import policy
out = []
for path in sys.argv[1:]:
    raw = open(path, 'rb').read()
    errs = []
    try:
        msg = email.message_from_bytes(raw, policy=policy.strict)
    except Exception as e:
        out.append({'path': path, 'errors': ['parse: %r' % (e,)], 'parts': [], 'headers': {}})
        continue
    if msg.defects:
        errs.append('message defects: %r' % (msg.defects,))
    headers = {}
    for k in msg.keys():
        try:
            h = msg[k]
        except Exception as e:
            errs.append('header %s: %r' % (k, e))
            continue
        if getattr(h, 'defects', ()):
            errs.append('header %s defects: %r' % (k, h.defects))
        headers.setdefault(k.lower(), str(h))
    if headers.get('mime-version') != '1.0':
        errs.append('MIME-Version is %r' % (headers.get('mime-version'),))
    parts = []
    for part in msg.walk():
        if part.defects:
            errs.append('part defects: %r' % (part.defects,))
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if 'content-type' not in part:
            errs.append('a part without Content-Type (read as %s)' % ctype)
        if not ctype.startswith('text/'):
            errs.append('a part of type %s' % ctype)
        charset = part.get_content_charset()
        if charset != 'utf-8':
            errs.append('%s part with charset %r' % (ctype, charset))
        cte = (part.get('Content-Transfer-Encoding') or '').lower()
        if cte not in ('7bit', '8bit', 'quoted-printable', 'base64'):
            errs.append('%s part with Content-Transfer-Encoding %r' % (ctype, cte))
        raw_body = part.get_payload(decode=True)
        try:
            raw_body.decode('utf-8')
        except UnicodeDecodeError as e:
            errs.append('%s part is not UTF-8: %s' % (ctype, e))
        text = part.get_content()
        if '\ufffd' in text:
            errs.append('%s part decodes to mojibake' % ctype)
        parts.append({'type': ctype, 'charset': charset, 'cte': cte, 'text': text})
    out.append({'path': path, 'errors': errs, 'headers': headers, 'parts': parts})
print(json.dumps(out, ensure_ascii=False))
"#;

/// A message as Python's strict parser read it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub path: String,
    pub errors: Vec<String>,
    pub to: String,
    pub subject: String,
    /// Decoded text/plain part.
    pub text: String,
    /// Decoded text/html part, if any.
    pub html: Option<String>,
}

/// Parse every file in `paths` with Python's `email` under
/// `policy=email.policy.strict`.
pub fn strict_parse(paths: &[PathBuf]) -> Vec<Parsed> {
    if paths.is_empty() {
        return Vec::new();
    }
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(STRICT_PY)
        .args(paths)
        .output()
        .expect("run python3");
    assert!(
        o.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON from python3");
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let h = |k: &str| m["headers"][k].as_str().unwrap_or("").to_string();
            let part = |t: &str| {
                m["parts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["type"] == t)
                    .map(|p| p["text"].as_str().unwrap().replace("\r\n", "\n"))
            };
            Parsed {
                path: m["path"].as_str().unwrap().to_string(),
                errors: m["errors"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().to_string())
                    .collect(),
                to: h("to"),
                subject: h("subject"),
                text: part("text/plain").unwrap_or_default(),
                html: part("text/html"),
            }
        })
        .collect()
}

fn main_config(guide: &str) -> String {
    format!(
        r#"{head}{guide}
[kinds.court_hearing]
lead_days = [1]

[kinds.refugee_certificate]
valid_for = "1y"

[[caseworker]]
id = "aigerim"
name = "Aigerim Testova"
email = "aigerim@ngo.example"
supervisor = "dana"
language = "en"

[[caseworker]]
id = "dana"
name = "Dana Example"
email = "dana@ngo.example"
language = "ru"

[[caseworker]]
id = "yerlan"
name = "Yerlan Sample"
email = "yerlan@ngo.example"
language = "kk"
"#,
        head = crate::util::daemon_head("")
    )
}

/// A case with a hearing on `date`.
fn hearing(id: &str, cw: &str, date: &str) -> String {
    format!(
        "[[case]]\nid = \"{id}\"\ncaseworker = \"{cw}\"\nperson = \"Saule Imagined\"\n\n  [[case.event]]\n  kind = \"court_hearing\"\n  title = \"Hearing\"\n  date = {date}\n"
    )
}

/// Aigerim's case: two certificates expired in May (two overdue items of
/// one case) and a hearing tomorrow.
fn two_overdue_items() -> String {
    "[[case]]\nid = \"KZ-0001\"\ncaseworker = \"aigerim\"\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-05-20\n\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-05-25\n\n  [[case.event]]\n  kind = \"court_hearing\"\n  date = 2026-06-03\n".to_string()
}

/// What one run of the whole scenario left.
pub struct Scenario {
    _tmp: tempfile::TempDir,
    /// Every message written to the outbox, parsed strictly.
    pub mails: Vec<Parsed>,
    /// `docket status` while kz-0003.toml was held back.
    pub status_table: String,
    pub status_json: Value,
    /// How long the scenario took (reported, never asserted).
    pub took: Duration,
}

impl Scenario {
    pub fn to(&self, who: &str) -> Vec<&Parsed> {
        self.mails
            .iter()
            .filter(|m| m.to == format!("{who}@ngo.example"))
            .collect()
    }

    /// The one message to `who` whose subject contains `words`.
    #[track_caller]
    pub fn one(&self, who: &str, words: &str) -> &Parsed {
        let found: Vec<&Parsed> = self
            .to(who)
            .into_iter()
            .filter(|m| m.subject.contains(words))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one mail to {who} with {words:?}; all: {:#?}",
            self.mails
                .iter()
                .map(|m| (&m.to, &m.subject))
                .collect::<Vec<_>>()
        );
        found[0]
    }

    /// The notices (not digests) to `who` whose subject or body contains
    /// `words`, oldest first (the outbox's names start with the time).
    pub fn notices(&self, who: &str, words: &str) -> Vec<&Parsed> {
        let mut v: Vec<&Parsed> = self
            .to(who)
            .into_iter()
            .filter(|m| !m.subject.starts_with(&format!("[docket] {D}:")))
            .filter(|m| m.subject.contains(words) || m.text.contains(words))
            .collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }

    /// Digests to `who` (subjects start with "[docket] D:").
    pub fn digests(&self, who: &str) -> Vec<&Parsed> {
        self.to(who)
            .into_iter()
            .filter(|m| m.subject.starts_with(&format!("[docket] {D}:")))
            .collect()
    }
}

fn outbox_paths(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Wait until the outbox holds `n` notices (not digests) to `to` whose
/// subject or body contains `words`.
#[track_caller]
fn wait_notices(dir: &Path, d: &Daemon, to: &str, words: &str, n: usize) {
    let digest = format!("[docket] {D}:");
    let count = || {
        outbox_mails(&dir.join("outbox"))
            .iter()
            .filter(|m| {
                let subject = m.header("Subject").unwrap_or("");
                m.header("To") == Some(to)
                    && !subject.starts_with(&digest)
                    && (subject.contains(words) || m.body.contains(words))
            })
            .count()
    };
    if poll(WAIT, || (count() >= n).then_some(())).is_none() {
        let got: Vec<String> = outbox_mails(&dir.join("outbox"))
            .iter()
            .map(|m| format!("{:?} {:?}", m.header("To"), m.header("Subject")))
            .collect();
        panic!(
            "{n} notice(s) to {to} with {words:?} within {WAIT:?}; mails: {got:#?}\nlog:\n{}",
            d.log()
        )
    }
}

/// `docket status --format json`, once `ok` holds for it.
#[track_caller]
fn wait_status(cfg: &Path, d: &Daemon, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    poll(WAIT, || {
        let v = stdout_json(&docket(cfg, &["status", "--format", "json"]));
        ok(&v).then_some(v)
    })
    .unwrap_or_else(|| panic!("status: {what} not within {WAIT:?}:\n{}", d.log()))
}

/// The state of `rel` in a status.
fn state_of(v: &Value, rel: &str) -> Option<String> {
    v["files"]
        .as_array()?
        .iter()
        .find(|f| f["path"] == rel)
        .and_then(|f| f["state"].as_str().map(str::to_string))
}

/// Wait for `n` digests (subject "[docket] D:") to `to`.
#[track_caller]
fn wait_digests(dir: &Path, d: &Daemon, to: &str, n: usize) {
    let prefix = format!("[docket] {D}:");
    let ok = poll(WAIT, || {
        let c = outbox_mails(&dir.join("outbox"))
            .iter()
            .filter(|m| {
                m.header("To") == Some(to) && m.header("Subject").unwrap_or("").starts_with(&prefix)
            })
            .count();
        (c >= n).then_some(())
    });
    assert!(ok.is_some(), "{n} digest(s) to {to}; log:\n{}", d.log());
}

/// The scenario, run once for all the tests of this module.
pub fn scenario() -> &'static Scenario {
    static S: OnceLock<Scenario> = OnceLock::new();
    S.get_or_init(run_scenario)
}

fn run_scenario() -> Scenario {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cfg = write_config(dir, "docket.toml", &main_config(""));
    let put = |name: &str, text: &str| write_config(dir, &format!("cases.d/{name}"), text);
    put("kz-0001.toml", &two_overdue_items());
    put("kz-0002.toml", &hearing("KZ-0002", "dana", "2026-06-03"));
    put("kz-0003.toml", &hearing("KZ-0003", "yerlan", "2026-06-03"));
    let mut d = Daemon::start(&cfg, D, dir.join("docket.log"));
    // 1. Digests: aigerim (en), dana (ru, with aigerim's copies), yerlan (kk).
    for who in ["aigerim", "dana", "yerlan"] {
        wait_digests(dir, &d, &format!("{who}@ngo.example"), 1);
    }
    // 2. Held back: dana's and yerlan's files get a date docket cannot read.
    let broken = |t: String| t.replace("date = 2026-06-03", "date = 03.06.2026");
    put(
        "kz-0002.toml",
        &broken(hearing("KZ-0002", "dana", "2026-06-03")),
    );
    put(
        "kz-0003.toml",
        &broken(hearing("KZ-0003", "yerlan", "2026-06-03")),
    );
    wait_notices(dir, &d, "dana@ngo.example", "KZ-0002", 1);
    wait_notices(dir, &d, "yerlan@ngo.example", "KZ-0003", 1);
    // 3. Never good: not tracked, told to yerlan.
    put(
        "kz-0006.toml",
        &broken(hearing("KZ-0006", "yerlan", "2026-06-03")),
    );
    wait_notices(dir, &d, "yerlan@ngo.example", "KZ-0006", 1);
    // 4. New cases for dana and yerlan: their digests open with the lines
    //    about their files held back.
    put("kz-0004.toml", &hearing("KZ-0004", "dana", "2026-06-03"));
    put("kz-0005.toml", &hearing("KZ-0005", "yerlan", "2026-06-03"));
    wait_digests(dir, &d, "dana@ngo.example", 2);
    wait_digests(dir, &d, "yerlan@ngo.example", 2);
    // 5. A near-miss name (noticed with the next change), then dana's fix.
    put(
        "kz-0007.toml.txt",
        &hearing("KZ-0007", "yerlan", "2026-06-30"),
    );
    put("kz-0002.toml", &hearing("KZ-0002", "dana", "2026-06-03"));
    wait_notices(dir, &d, "dana@ngo.example", "KZ-0002", 2);
    wait_notices(dir, &d, "it@ngo.example", "kz-0007.toml.txt", 1);
    // 6. A case no longer tracked: dana's kz-0004.toml deleted.
    std::fs::remove_file(dir.join("cases.d/kz-0004.toml")).unwrap();
    wait_notices(dir, &d, "dana@ngo.example", "KZ-0004", 1);
    wait_notices(dir, &d, "it@ngo.example", "KZ-0004", 1);
    // 7. The main config broken, then put back: an admin alert.
    write_config(dir, "docket.toml", &(main_config("") + "\n[[broken"));
    wait_status(&cfg, &d, "the main config held", |v| {
        state_of(v, "docket.toml").is_some_and(|s| s != "in_effect")
    });
    write_config(dir, "docket.toml", &main_config(""));
    // 8. `docket status` while kz-0003.toml is held back.
    let st = wait_status(&cfg, &d, "the main config in effect again", |v| {
        state_of(v, "docket.toml").as_deref() == Some("in_effect")
            && state_of(v, "cases.d/kz-0003.toml").as_deref() == Some("held")
    });
    let table = docket(&cfg, &["status"]);
    let status_table = stdout(&table);
    assert_eq!(d.stop().code(), Some(0), "{}", d.log());
    // 9. notify-admin (a Cyrillic body on stdin) and send-test.
    let mut na = crate::util::docket_command(
        &cfg,
        &["notify-admin", "--subject", "docket.service failed"],
    );
    na.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = na.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all("Служба остановилась. Қызмет тоқтады.\n".as_bytes())
            .unwrap();
    }
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "notify-admin: {}", stderr(&o));
    let o = docket(&cfg, &["send-test", "--to", "it@ngo.example"]);
    assert!(o.status.success(), "send-test: {}", stderr(&o));
    let mails = strict_parse(&outbox_paths(&dir.join("outbox")));
    // MAIL18_DUMP=DIR: every message (raw, and decoded as .txt) and the
    // status table into DIR, to read them as a caseworker would.
    if let Some(out) = std::env::var_os("MAIL18_DUMP") {
        std::fs::write(Path::new(&out).join("status.txt"), &status_table).unwrap();
        for m in &mails {
            let name = Path::new(&m.path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            std::fs::write(
                Path::new(&out).join(format!("{name}.txt")),
                format!("To: {}\nSubject: {}\n\n{}", m.to, m.subject, m.text),
            )
            .unwrap();
            std::fs::copy(&m.path, Path::new(&out).join(&name)).unwrap();
        }
    }
    let took = started.elapsed();
    eprintln!("mail18 scenario: {} messages in {took:?}", mails.len());
    Scenario {
        _tmp: tmp,
        mails,
        status_table,
        status_json: st,
        took,
    }
}

/// Has `s` Cyrillic letters (a subject in Russian or Kazakh, decoded)?
fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Assert no problem in any message; say which ones had which.
#[track_caller]
fn assert_well_formed(mails: &[Parsed]) {
    let bad: Vec<String> = mails
        .iter()
        .filter(|m| !m.errors.is_empty())
        .map(|m| format!("{} ({} {:?}): {:?}", m.path, m.to, m.subject, m.errors))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} messages are not well-formed MIME:\n{}",
        bad.len(),
        mails.len(),
        bad.join("\n")
    );
}

// ------------------------------------------------------------ item 1

#[test]
fn item1_every_message_is_well_formed_mime_in_utf8() {
    let s = scenario();
    assert_well_formed(&s.mails);
    // Every kind is there, each parsed above. The caseworkers' notices
    // are found by case and file, not by their wording (issue 18, item 2
    // rewords them); the admin's by their English subjects.
    for who in ["aigerim", "dana", "yerlan"] {
        assert!(!s.digests(who).is_empty(), "no digest to {who}");
    }
    for (who, what, at_least) in [
        ("dana", "KZ-0002", 2),            // held back (ru), then fixed (ru)
        ("yerlan", "KZ-0003", 1),          // held back (kk)
        ("yerlan", "KZ-0006", 1),          // never good: not tracked (kk)
        ("yerlan", "kz-0007.toml.txt", 1), // a near-miss name (kk)
        ("dana", "KZ-0004", 1),            // no longer tracked (ru)
    ] {
        let n = s.notices(who, what).len();
        assert!(
            n >= at_least,
            "{n} notice(s) to {who} about {what}, {at_least} expected"
        );
    }
    for words in [
        "admin: a case file has errors; its last good version stays in effect: KZ-0002",
        "admin: a case file has errors and is not tracked",
        "admin: fixed",
        "admin: a case file is not read: check its name",
        "admin: no longer tracked: KZ-0004",
        "admin: config reload rejected",
        "admin: docket.service failed",
        "test message",
    ] {
        assert!(
            s.to("it").iter().any(|m| m.subject.contains(words)),
            "no mail to the admin with {words:?}: {:#?}",
            s.to("it").iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
    }
    // The Russian and the Kazakh notice, decoded: the caseworker's own
    // words, exactly (no mojibake), under a UTF-8 charset.
    let ru = s.notices("dana", "KZ-0002")[0];
    assert!(is_cyrillic(&ru.subject), "{}", ru.subject);
    assert!(ru.text.starts_with("Здравствуйте!\n\n"), "{}", ru.text);
    assert!(
        ru.text.contains("\n  cases.d/kz-0002.toml\n"),
        "{}",
        ru.text
    );
    assert!(ru.text.contains("KZ-0002"), "{}", ru.text);
    // One wrong date, one problem, in Russian with the fix shown (it was
    // listed twice: the recovering parser and the typed read both named it).
    assert_eq!(ru.text.matches(": ошибка: ").count(), 1, "{}", ru.text);
    assert!(
        ru.text
            .contains("подсказка: напишите 2026-06-03 (год-месяц-день, без кавычек)"),
        "{}",
        ru.text
    );
    let kk = s.notices("yerlan", "KZ-0003")[0];
    assert!(is_cyrillic(&kk.subject), "{}", kk.subject);
    assert!(kk.text.starts_with("Сәлеметсіз бе!\n\n"), "{}", kk.text);
    assert!(
        kk.text.contains("\n  cases.d/kz-0003.toml\n"),
        "{}",
        kk.text
    );
    let admin = s.one("it", "admin: docket.service failed");
    assert_eq!(admin.text, "Служба остановилась. Қызмет тоқтады.\n");
    // The digests' text and HTML parts, decoded: the greeting as written.
    let ru_digest = s.digests("dana")[0];
    assert!(
        ru_digest.text.starts_with("Здравствуйте, Dana Example!"),
        "{}",
        ru_digest.text
    );
    assert!(ru_digest
        .html
        .as_deref()
        .unwrap()
        .contains("Здравствуйте, Dana Example!"));
    let kk_digest = s.digests("yerlan")[0];
    assert!(
        kk_digest.text.starts_with("Сәлеметсіз бе, Yerlan Sample!"),
        "{}",
        kk_digest.text
    );
    eprintln!(
        "item1: {} messages parsed strictly (scenario took {:?})",
        s.mails.len(),
        s.took
    );
}

/// The same kinds through the loopback Postfix (plain port, loopback: no
/// TLS needed), read back from its Maildir: a Russian and a Kazakh
/// caseworker's digest and held-back notice, the admin's copy.
#[test]
fn item1_through_postfix_digests_and_notices_arrive_well_formed() {
    let env = test_mail_env();
    let tag = unique_tag();
    let from = format!("docket-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = main_config("")
        .replace(
            "transport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <docket@ngo.example>\"",
            &format!(
                "transport = \"smtp\"\nhost = \"{}\"\nport = {}\ntls = \"none\"\nfrom = \"Docket <{from}>\"\ntimeout_secs = 10",
                env.get("DOCKET_TEST_SMTP_HOST"),
                env.port("DOCKET_TEST_SMTP_PORT_PLAIN")
            ),
        );
    assert!(text.contains(&from));
    let cfg = write_config(dir, "docket.toml", &text);
    let (a, b) = (format!("KZ-{tag}-RU"), format!("KZ-{tag}-KK"));
    write_config(dir, "cases.d/ru.toml", &hearing(&a, "dana", "2026-06-03"));
    write_config(dir, "cases.d/kk.toml", &hearing(&b, "yerlan", "2026-06-03"));
    let mut d = Daemon::start(&cfg, D, dir.join("docket.log"));
    // Ours: the envelope sender is unique to this run.
    let ours = |want: usize| {
        poll(WAIT, || {
            let mut v = Vec::new();
            for sub in ["new", "cur"] {
                for e in std::fs::read_dir(env.maildir().join(sub))
                    .unwrap()
                    .flatten()
                {
                    if let Ok(raw) = std::fs::read_to_string(e.path()) {
                        if raw.contains(&from) {
                            v.push(e.path());
                        }
                    }
                }
            }
            (v.len() >= want).then_some(v)
        })
    };
    ours(2).unwrap_or_else(|| panic!("no digests delivered:\n{}", d.log()));
    let broken = |t: String| t.replace("date = 2026-06-03", "date = 03.06.2026");
    write_config(
        dir,
        "cases.d/ru.toml",
        &broken(hearing(&a, "dana", "2026-06-03")),
    );
    write_config(
        dir,
        "cases.d/kk.toml",
        &broken(hearing(&b, "yerlan", "2026-06-03")),
    );
    // 2 digests, 2 notices, the admin's 1 or 2 copies.
    let paths = poll(WAIT, || {
        let v = ours(0).unwrap_or_default();
        let parsed = strict_parse(&v);
        let admin = parsed.iter().filter(|m| m.to == "it@ngo.example").count();
        let notices = parsed
            .iter()
            .filter(|m| m.to != "it@ngo.example" && !m.subject.starts_with("[docket] 2026"))
            .count();
        (notices >= 2 && admin >= 1).then_some(v)
    })
    .unwrap_or_else(|| panic!("no notices delivered:\n{}", d.log()));
    assert_eq!(d.stop().code(), Some(0));
    let mails = strict_parse(&paths);
    assert_well_formed(&mails);
    let pick = |to: &str, digest: bool| {
        mails
            .iter()
            .find(|m| m.to == to && m.subject.starts_with("[docket] 2026") == digest)
            .unwrap_or_else(|| panic!("no {to} (digest: {digest}) in {mails:#?}"))
    };
    let ru = pick("dana@ngo.example", false);
    assert!(ru.text.starts_with("Здравствуйте!\n\n"), "{}", ru.text);
    assert!(
        is_cyrillic(&ru.subject) && ru.subject.contains(&a),
        "{}",
        ru.subject
    );
    assert!(ru.text.contains(&a), "{}", ru.text);
    let kk = pick("yerlan@ngo.example", false);
    assert!(kk.text.starts_with("Сәлеметсіз бе!\n\n"), "{}", kk.text);
    assert!(
        is_cyrillic(&kk.subject) && kk.subject.contains(&b),
        "{}",
        kk.subject
    );
    assert!(kk.text.contains(&b), "{}", kk.text);
    let ru_digest = pick("dana@ngo.example", true);
    assert!(ru_digest.text.starts_with("Здравствуйте, Dana Example!"));
    let kk_digest = pick("yerlan@ngo.example", true);
    assert!(kk_digest.text.starts_with("Сәлеметсіз бе, Yerlan Sample!"));
    eprintln!(
        "item1 through Postfix: {} messages parsed strictly",
        mails.len()
    );
}

// ------------------------------------------------------------ item 2

#[test]
fn item2_held_back_lines_of_a_digest_are_in_the_caseworkers_language() {
    let s = scenario();
    let since = |rel: &str| {
        let f = s.status_json["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == rel)
            .cloned();
        f.and_then(|f| f["since"].as_str().map(local))
    };
    // dana (ru): the second digest opens with her held file.
    let ru = s.digests("dana");
    let ru = ru
        .iter()
        .find(|m| m.text.contains("KZ-0004"))
        .expect("dana's digest for KZ-0004");
    let first = ru.text.lines().next().unwrap();
    assert!(
        first.starts_with("! Внимание: В файле дела cases.d/kz-0002.toml ошибки, и изменения в нём не приняты: пока вы не исправите файл, действует его последняя исправная версия (от 2026-"),
        "{}",
        ru.text
    );
    assert!(
        first.ends_with("). Подробности — в отдельном письме."),
        "{first}"
    );
    // (minijinja writes "/" as "&#x2f;" in HTML.)
    assert!(
        ru.html.as_deref().unwrap().contains(
            "ошибки, и изменения в нём не приняты: пока вы не исправите файл, действует его последняя исправная версия"
        ),
        "{:?}",
        ru.html
    );
    // yerlan (kk): held back, and never good (not tracked).
    let kk = s.digests("yerlan");
    let kk = kk
        .iter()
        .find(|m| m.text.contains("KZ-0005"))
        .expect("yerlan's digest for KZ-0005");
    let held = format!(
        "! Назар аударыңыз: cases.d/kz-0003.toml іс файлында қателер бар, ондағы өзгерістер қабылданбады: файлды түзеткенше оның соңғы дұрыс нұсқасы ({} бастап) қолданылады. Толығырақ — бөлек хатта.",
        since("cases.d/kz-0003.toml").expect("kz-0003.toml held since")
    );
    assert!(
        kk.text.contains(&format!("{held}\n")),
        "{held}\nin:\n{}",
        kk.text
    );
    assert!(
        kk.text.contains("! Назар аударыңыз: cases.d/kz-0006.toml іс файлында қателер бар, ол ҚАДАҒАЛАНБАЙДЫ: файл түзетілгенше оның істері (KZ-0006) бойынша еске салулар жіберілмейді (бөлек хатты қараңыз). Ондағы мерзімдер (оқуға болғанынша): KZ-0006: Сот отырысы 2026-06-03 (1 күн қалды).\n"),
        "{}",
        kk.text
    );
    for m in [ru, kk] {
        assert!(!m.text.contains("has errors"), "English in:\n{}", m.text);
        assert!(!m.text.contains("held back"), "English in:\n{}", m.text);
    }
}

// ------------------------------------------------------------ item 7

/// RFC 3339 → "YYYY-MM-DD HH:MM" in Asia/Almaty (UTC+5 since 2024-03-01).
fn local(rfc3339: &str) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339:?}: {e}"));
    t.with_timezone(&chrono_tz::Asia::Almaty)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[test]
fn item7_status_and_notices_show_local_time_and_json_stays_rfc3339() {
    let s = scenario();
    let v = &s.status_json;
    // JSON: RFC 3339, for programs.
    let written = v["written_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(written).is_ok(),
        "{written}"
    );
    let held = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "cases.d/kz-0003.toml")
        .expect("kz-0003.toml in status");
    assert_eq!(held["state"], "held");
    let since = held["since"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(since).is_ok(),
        "{since}"
    );
    // The table: local time, the zone named; no RFC 3339 anywhere.
    let t = &s.status_table;
    let stamp = regex_like_rfc3339(t);
    assert!(stamp.is_none(), "an RFC 3339 time {stamp:?} in:\n{t}");
    assert!(t.contains(" (Asia/Almaty)"), "{t}");
    let status_line = t.lines().next().unwrap();
    assert!(
        status_line.contains("status written 2026-06-02 ")
            || status_line.contains("status written 2026-06-03 "),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "  cases.d/kz-0003.toml: HELD: the last good version (from {}) is in effect\n",
            local(since)
        )),
        "{t}"
    );
    // The notices: the same local time.
    let kk = s.notices("yerlan", "KZ-0003")[0];
    assert!(kk.text.contains(&local(since)), "{}", kk.text);
    let admin = s.one(
        "it",
        "admin: a case file has errors; its last good version stays in effect: KZ-0003",
    );
    assert!(admin.text.contains(&local(since)), "{}", admin.text);
    for m in &s.mails {
        let stamp = regex_like_rfc3339(&m.text);
        assert!(stamp.is_none(), "{stamp:?} in {:?}:\n{}", m.subject, m.text);
    }
}

/// The first `YYYY-MM-DDTHH:MM` in `s`, if any.
fn regex_like_rfc3339(s: &str) -> Option<String> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(16)).find_map(|i| {
        let w = &b[i..i + 16];
        let digits = |r: std::ops::Range<usize>| r.clone().all(|j| w[j].is_ascii_digit());
        (digits(0..4)
            && w[4] == b'-'
            && digits(5..7)
            && w[7] == b'-'
            && digits(8..10)
            && w[10] == b'T'
            && digits(11..13)
            && w[13] == b':'
            && digits(14..16))
        .then(|| String::from_utf8_lossy(w).into_owned())
    })
}

// ------------------------------------------------------------ item 8

/// The figures of a subject: `[docket] D: 1 overdue, 2 due, 3 for your
/// team - …` in any language, by the words of each part.
fn subject_figures(subject: &str, lang: &str) -> (usize, usize, usize) {
    let (overdue, due, team) = match lang {
        "en" => ("overdue", "due", "for your team"),
        "ru" => ("просрочено", "к сроку", "по вашей команде"),
        _ => ("мерзімі өткен", "мерзімі жақын", "командаңыз бойынша"),
    };
    let counts = subject
        .split_once(": ")
        .unwrap()
        .1
        .rsplit_once(" - ")
        .unwrap()
        .0;
    let (mut o, mut d, mut t) = (0, 0, 0);
    for part in counts.split(", ") {
        let num: usize = part
            .split(' ')
            .find_map(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("no figure in {part:?} of {subject:?}"));
        let words: String = part
            .split(' ')
            .filter(|w| w.parse::<usize>().is_err())
            .collect::<Vec<_>>()
            .join(" ");
        match words.as_str() {
            w if w == overdue => o = num,
            w if w == due => d = num,
            w if w == team => t = num,
            w => panic!("{w:?} in {subject:?}"),
        }
    }
    (o, d, t)
}

/// The figures of a body's summary line (`Overdue: 1 · This week: 2 ·
/// Later: 0 · Your team: 2`): overdue, this week + later, team.
fn body_figures(text: &str, lang: &str) -> (usize, usize, usize) {
    let (overdue, week, later, team) = match lang {
        "en" => ("Overdue", "This week", "Later", "Your team"),
        "ru" => ("Просрочено", "На этой неделе", "Позже", "Ваша команда"),
        _ => (
            "Мерзімі өткен",
            "Осы аптада",
            "Кейінірек",
            "Сіздің командаңыз",
        ),
    };
    let line = text
        .lines()
        .find(|l| l.starts_with(overdue) || l.starts_with(team))
        .unwrap_or_else(|| panic!("no summary in:\n{text}"));
    let (mut o, mut d, mut t) = (0, 0, 0);
    for part in line.split(" · ") {
        let (k, n) = part.rsplit_once(": ").unwrap();
        let n: usize = n.parse().unwrap();
        match k {
            k if k == overdue => o = n,
            k if k == week || k == later => d += n,
            k if k == team => t = n,
            k => panic!("{k:?} in {line:?}"),
        }
    }
    (o, d, t)
}

#[test]
fn item8_a_digests_subject_counts_what_its_body_counts() {
    // The digest fixture: 40 items in 34 cases for aigerim, copies for
    // dana, in every language.
    let mut checked = 0;
    for lang in ["en", "ru", "kk"] {
        let (_tmp, mails) = crate::digest::digests(lang);
        assert!(mails.len() >= 3, "{lang}: {:?}", mails.keys());
        for (who, m) in &mails {
            let subject = m.header("Subject").unwrap();
            let s = subject_figures(subject, lang);
            let b = body_figures(m.text(), lang);
            assert_eq!(s, b, "{lang} {who}: {subject:?} against:\n{}", m.text());
            checked += 1;
        }
    }
    // The scenario: one case with two overdue items (aigerim), dana with
    // her own case and aigerim's copies.
    let s = scenario();
    for (who, lang) in [("aigerim", "en"), ("dana", "ru"), ("yerlan", "kk")] {
        for m in s.digests(who) {
            let sf = subject_figures(&m.subject, lang);
            let bf = body_figures(&m.text, lang);
            assert_eq!(sf, bf, "{who}: {:?} against:\n{}", m.subject, m.text);
            checked += 1;
        }
    }
    let a = &s.digests("aigerim")[0];
    assert!(
        a.subject
            .starts_with("[docket] 2026-06-02: 1 overdue - KZ-0001"),
        "one case, however many items: {:?}",
        a.subject
    );
    let dana = &s.digests("dana")[0];
    assert!(
        dana.subject
            .starts_with("[docket] 2026-06-02: 1 к сроку, 1 по вашей команде - "),
        "{:?}",
        dana.subject
    );
    eprintln!("item8: {checked} digests, subject figures = body figures");
}

// ------------------------------------------------------------ item 11

#[test]
fn item11_without_guide_url_the_footer_says_whom_to_ask() {
    let s = scenario();
    for (who, words) in [
        (
            "aigerim",
            "For the guide for caseworkers, ask your supervisor or the administrator of docket.",
        ),
        (
            "dana",
            "Руководство для сотрудников можно получить у вашего руководителя или у администратора docket.",
        ),
        (
            "yerlan",
            "Қызметкерге арналған нұсқаулықты басшыңыздан немесе docket әкімшісінен сұраңыз.",
        ),
    ] {
        for m in s.digests(who) {
            let one_line = m.text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(one_line.contains(words), "{who}: {words:?} in:\n{}", m.text);
            let html = m.html.as_deref().unwrap();
            assert!(html.contains(words), "{who}: {words:?} in:\n{html}");
            for m in [&m.text, html] {
                assert!(!m.contains("/usr/share/doc"), "a server path in:\n{m}");
            }
        }
    }
    // With guide_url set, the link as before.
    let (_tmp, mails) = crate::digest::digests("kk");
    let text = mails["aigerim"].text();
    assert!(
        text.contains("Қызметкерге арналған нұсқаулық")
            && text.contains("https://intranet.ngo.example/docket/guide.kk.html"),
        "{text}"
    );
}
