//! Delivery through a real Postfix (SPEC §4): STARTTLS and implicit TLS with
//! AUTH, a server that is down during a pass, and TLS failures that must
//! stop docket before it sends credentials or mail.
//!
//! The server comes from `scripts/test-mail-server.sh start`, which writes
//! the DOCKET_TEST_* variables to `/var/tmp/docket-test-mail/env` (or
//! `$DOCKET_TEST_MAIL_DIR/env`). Without that file these tests fail and say
//! so; `DOCKET_SKIP_SMTP_TESTS=1 scripts/test.sh` leaves them out by name.
//!
//! The server, its Maildir and its log are shared with other tests running
//! at the same time, so messages are found by their Message-ID (unique: the
//! case references carry a per-run tag) and server sessions by port, time
//! window and a per-test envelope sender, never by counting everything.

use crate::util::{
    assert_exit, closed_port, docket, field, history, parse_mail, poll, stderr, stdout, strip_ansi,
    test_mail_env, unique_tag, write_config, Mail,
};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

const D: &str = "2026-06-02";
const WAIT: Duration = Duration::from_secs(15);

type Env = crate::util::MailEnv;

/// How docket reaches the server.
struct Relay<'a> {
    host: &'a str,
    port: u16,
    tls: &'a str,
    /// username + password_file (never with tls = "none").
    auth: bool,
}

/// A test's config: its own tempdir, a unique envelope sender, and cases
/// with references unique to this run, all due on D.
struct Setup {
    tmp: tempfile::TempDir,
    from: String,
    cases: Vec<String>,
}

impl Setup {
    fn new() -> Setup {
        let tag = unique_tag();
        Setup {
            tmp: tempfile::tempdir().unwrap(),
            from: format!("docket-{tag}@ngo.example"),
            cases: vec![
                format!("KZ-{tag}-A"),
                format!("KZ-{tag}-B"),
                format!("KZ-{tag}-C"),
            ],
        }
    }

    /// Write the config for `relay`: aigerim has cases A and B due on D,
    /// bolat has case C.
    fn config(&self, env: &Env, relay: &Relay<'_>) -> PathBuf {
        let auth = if relay.auth {
            format!(
                "username = \"{}\"\npassword_file = \"{}\"\n",
                env.get("DOCKET_TEST_SMTP_USER"),
                env.get("DOCKET_TEST_SMTP_PASSWORD_FILE")
            )
        } else {
            String::new()
        };
        let ca = if relay.tls == "none" {
            String::new()
        } else {
            format!("ca_file = \"{}\"\n", env.get("DOCKET_TEST_CA"))
        };
        let [a, b, c] = [&self.cases[0], &self.cases[1], &self.cases[2]];
        let text = format!(
            r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"

[mail]
transport = "smtp"
host = "{host}"
port = {port}
tls = "{tls}"
{auth}{ca}from = "Docket <{from}>"
timeout_secs = 10

[kinds.refugee_certificate]
label = "Refugee certificate"

[reminders]
lead_days = [28]

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[caseworker]]
id = "bolat"
name = "Bolat Example"
email = "bolat@ngo.example"

[[case]]
id = "{a}"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30

[[case]]
id = "{b}"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30

[[case]]
id = "{c}"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30
"#,
            host = relay.host,
            port = relay.port,
            tls = relay.tls,
            from = self.from,
        );
        write_config(self.tmp.path(), "docket.toml", &text)
    }
}

/// Message-ID → (recipient, cases) from the ledger.
fn by_message_id(rows: &[Value]) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for r in rows {
        let e = out
            .entry(field(r, "message_id").to_string())
            .or_insert_with(|| (field(r, "recipient").to_string(), Vec::new()));
        assert_eq!(e.0, field(r, "recipient"), "one recipient per message");
        e.1.push(field(r, "case").to_string());
    }
    out
}

// ------------------------------------------------------------ the Maildir

/// Every delivered message (new/ and cur/) whose Message-ID is `mid`.
fn maildir_find(env: &Env, mid: &str) -> Vec<Mail> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let dir = env.maildir().join(sub);
        let rd = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {} ({e}); the tests must run as root", dir.display()));
        for entry in rd {
            let Ok(entry) = entry else { continue };
            // A file can move to cur/ or away while we look: skip it then.
            let Ok(raw) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            if !raw.contains(mid) {
                continue;
            }
            let m = parse_mail(&raw);
            if m.header("Message-ID") == Some(mid) {
                out.push(m);
            }
        }
    }
    out
}

/// Wait until the message `mid` is in the Maildir; return its one copy.
#[track_caller]
fn delivered_once(env: &Env, mid: &str) -> Mail {
    let found = poll(WAIT, || {
        let v = maildir_find(env, mid);
        (!v.is_empty()).then_some(v)
    });
    let mut v = found.unwrap_or_else(|| panic!("{mid} not delivered within {WAIT:?}"));
    assert_eq!(v.len(), 1, "{mid} delivered {} times", v.len());
    v.remove(0)
}

/// Check a delivered digest: headers, both parts, the cases it lists.
#[track_caller]
fn check_digest(m: &Mail, mid: &str, to: &str, cases: &[String], from: &str) {
    assert_eq!(m.header("Message-ID"), Some(mid));
    assert_eq!(m.header("To"), Some(to));
    assert_eq!(m.header("From"), Some(format!("Docket <{from}>").as_str()));
    let subject = m.header("Subject").expect("a Subject");
    assert!(subject.contains(D), "{subject}");
    let ct = m.header("Content-Type").unwrap_or("");
    assert!(
        ct.to_ascii_lowercase().starts_with("multipart/alternative"),
        "{ct}"
    );
    assert_eq!(m.parts.len(), 2, "{}", m.raw);
    for c in cases {
        assert!(subject.contains(c.as_str()), "{c} not in {subject}");
        assert!(
            m.text().contains(c.as_str()),
            "{c} not in text:\n{}",
            m.text()
        );
        assert!(
            m.html().contains(c.as_str()),
            "{c} not in HTML:\n{}",
            m.html()
        );
    }
    assert!(m.text().contains("Refugee certificate"), "{}", m.text());
    assert!(m.html().contains("<html"), "{}", m.html());
}

// ------------------------------------------------------- the server log

fn log_size(env: &Env) -> u64 {
    std::fs::metadata(env.log())
        .unwrap_or_else(|e| panic!("{}: {e}", env.log().display()))
        .len()
}

/// The log from byte `from` on.
fn log_since(env: &Env, from: u64) -> String {
    let bytes = std::fs::read(env.log()).unwrap();
    let start = usize::try_from(from).unwrap().min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// One smtpd connection, from `connect from` to `disconnect from`.
#[derive(Debug, Clone)]
struct Session {
    /// "port2525": the listener.
    listener: String,
    lines: Vec<String>,
    /// The `disconnect from ... ehlo=1 ...` line, once the session ended.
    end: Option<String>,
}

impl Session {
    fn queue_ids(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter_map(|l| l.split_once(": client="))
            .map(|(id, _)| id.to_string())
            .collect()
    }
}

/// (program, pid, message) of a syslog-style line.
fn parse_log_line(line: &str) -> Option<(&str, &str, &str)> {
    let (head, msg) = line.split_once("]: ")?;
    let prog_pid = head.rsplit(' ').next()?;
    let (prog, pid) = prog_pid.split_once('[')?;
    Some((prog, pid, msg))
}

/// The smtpd sessions in `log`, in order of their start. An smtpd process
/// serves one connection at a time, so (program, pid) keys a session.
fn sessions(log: &str) -> Vec<Session> {
    let mut open: HashMap<(String, String), usize> = HashMap::new();
    let mut out: Vec<Session> = Vec::new();
    for line in log.lines() {
        let Some((prog, pid, msg)) = parse_log_line(line) else {
            continue;
        };
        if !prog.ends_with("/smtpd") {
            continue;
        }
        let listener = prog.split('/').nth(1).unwrap_or("").to_string();
        let key = (prog.to_string(), pid.to_string());
        if msg.starts_with("connect from ") {
            open.insert(key.clone(), out.len());
            out.push(Session {
                listener,
                lines: vec![msg.to_string()],
                end: None,
            });
        } else if let Some(&i) = open.get(&key) {
            out[i].lines.push(msg.to_string());
            if msg.starts_with("disconnect from ") {
                out[i].end = Some(msg.to_string());
                open.remove(&key);
            }
        }
    }
    out
}

/// The queue id under which the cleanup daemon logged Message-ID `mid`.
fn queue_ids_of(log: &str, mid: &str) -> Vec<String> {
    let needle = format!(": message-id={mid}");
    log.lines()
        .filter_map(|l| parse_log_line(l))
        .filter(|(prog, _, msg)| prog.ends_with("/cleanup") && msg.ends_with(&needle))
        .filter_map(|(_, _, msg)| msg.split_once(':').map(|(id, _)| id.to_string()))
        .collect()
}

/// Wait until the server log shows the finished session that queued `mid`.
#[track_caller]
fn session_of(env: &Env, from: u64, mid: &str) -> Session {
    let found = poll(WAIT, || {
        let log = log_since(env, from);
        let ids = queue_ids_of(&log, mid);
        sessions(&log)
            .into_iter()
            .find(|s| s.end.is_some() && s.queue_ids().iter().any(|q| ids.contains(q)))
    });
    found.unwrap_or_else(|| {
        panic!(
            "no finished smtpd session for {mid} in the server log within {WAIT:?}:\n{}",
            log_since(env, from)
        )
    })
}

/// Check a session that delivered over TLS with AUTH as the test user;
/// `starttls`: upgraded with STARTTLS (else implicit TLS).
#[track_caller]
fn assert_tls_auth_session(env: &Env, s: &Session, listener: &str, starttls: bool) {
    let all = s.lines.join("\n");
    assert_eq!(s.listener, listener, "{all}");
    let tls_at = s
        .lines
        .iter()
        .position(|l| l.contains("TLS connection established"))
        .unwrap_or_else(|| panic!("no TLS in the session:\n{all}"));
    let user = format!("sasl_username={}", env.get("DOCKET_TEST_SMTP_USER"));
    let auth_at = s
        .lines
        .iter()
        .position(|l| l.contains(": client=") && l.contains(&user))
        .unwrap_or_else(|| panic!("no {user} in the session:\n{all}"));
    assert!(tls_at < auth_at, "AUTH before TLS:\n{all}");
    let end = s.end.as_deref().unwrap();
    // The stats of every command; "n/m" would mean some failed. (One
    // session may carry several digests: docket pools its connection.)
    let stats = end.rsplit_once(']').map_or(end, |(_, st)| st);
    assert!(!stats.contains('/'), "a command failed: {end}");
    assert!(stats.contains(" auth=1"), "{end}");
    assert!(stats.contains(" mail="), "{end}");
    assert!(stats.contains(" data="), "{end}");
    if starttls {
        assert!(end.contains(" starttls=1"), "{end}");
        // EHLO again after the upgrade, as RFC 3207 requires.
        assert!(end.contains(" ehlo=2"), "{end}");
    } else {
        assert!(!end.contains("starttls"), "{end}");
    }
}

// -------------------------------------------------------------- delivery

#[test]
fn starttls_with_auth_delivers_each_digest_once() {
    let env = test_mail_env();
    let s = Setup::new();
    let relay = Relay {
        host: env.get("DOCKET_TEST_SMTP_TLS_NAME"),
        port: env.port("DOCKET_TEST_SMTP_PORT_STARTTLS"),
        tls: "starttls",
        auth: true,
    };
    let cfg = s.config(&env, &relay);
    let from = log_size(&env);
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 0);

    let rows = history(&cfg);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| field(r, "state") == "sent"), "{rows:?}");
    let msgs = by_message_id(&rows);
    assert_eq!(msgs.len(), 2, "one digest per recipient: {msgs:?}");
    for (mid, (recipient, cases)) in &msgs {
        let m = delivered_once(&env, mid);
        check_digest(&m, mid, &format!("{recipient}@ngo.example"), cases, &s.from);
        let want = if recipient == "aigerim" { 2 } else { 1 };
        assert_eq!(cases.len(), want, "{cases:?}");
        // Postfix's own record of the hop: ESMTP + TLS + AUTH.
        let received = m.headers_named("Received").join("\n");
        assert!(received.contains("with ESMTPSA"), "{received}");
        let session = session_of(&env, from, mid);
        assert_tls_auth_session(&env, &session, "port2525", true);
    }
}

#[test]
fn implicit_tls_with_auth_delivers() {
    let env = test_mail_env();
    let s = Setup::new();
    let relay = Relay {
        host: env.get("DOCKET_TEST_SMTP_TLS_NAME"),
        port: env.port("DOCKET_TEST_SMTP_PORT_IMPLICIT_TLS"),
        tls: "wrapper",
        auth: true,
    };
    let cfg = s.config(&env, &relay);
    let from = log_size(&env);
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 0);
    let rows = history(&cfg);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| field(r, "state") == "sent"), "{rows:?}");
    let msgs = by_message_id(&rows);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    for (mid, (recipient, cases)) in &msgs {
        let m = delivered_once(&env, mid);
        check_digest(&m, mid, &format!("{recipient}@ngo.example"), cases, &s.from);
        let session = session_of(&env, from, mid);
        assert_tls_auth_session(&env, &session, "port2465", false);
    }
}

#[test]
fn server_down_keeps_digests_queued_and_resends_them_once_with_the_same_message_id() {
    let env = test_mail_env();
    let s = Setup::new();

    // The server is "down": nothing listens on the port.
    let down = Relay {
        host: "127.0.0.1",
        port: closed_port(),
        tls: "none",
        auth: false,
    };
    let cfg = s.config(&env, &down);
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("could not be sent"), "{}", stderr(&o));
    let rows = history(&cfg);
    assert_eq!(rows.len(), 3, "{rows:?}");
    for r in &rows {
        assert_eq!(field(r, "state"), "due", "{r}");
        assert_eq!(r["attempts"], Value::from(1), "{r}");
        assert!(r["last_error"].is_string(), "{r}");
        assert!(r["sent_at"].is_null(), "{r}");
    }
    let queued = by_message_id(&rows);
    assert_eq!(queued.len(), 2, "{queued:?}");

    // The server is back: the same digests go out, with the same ids.
    let up = Relay {
        host: env.get("DOCKET_TEST_SMTP_TLS_NAME"),
        port: env.port("DOCKET_TEST_SMTP_PORT_STARTTLS"),
        tls: "starttls",
        auth: true,
    };
    let cfg = s.config(&env, &up);
    let from = log_size(&env);
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 0);
    let rows = history(&cfg);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| field(r, "state") == "sent"), "{rows:?}");
    assert_eq!(by_message_id(&rows), queued, "the Message-IDs changed");
    for (mid, (recipient, cases)) in &queued {
        let m = delivered_once(&env, mid);
        check_digest(&m, mid, &format!("{recipient}@ngo.example"), cases, &s.from);
        session_of(&env, from, mid);
    }

    // A third run sends nothing.
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 0);
    let log = strip_ansi(&stderr(&o));
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(history(&cfg), rows, "the ledger changed");
    // docket has exited: what it handed the relay is in the relay's log.
    let server_log = log_since(&env, from);
    for mid in queued.keys() {
        assert_eq!(maildir_find(&env, mid).len(), 1, "{mid}");
        assert_eq!(
            queue_ids_of(&server_log, mid).len(),
            1,
            "{mid} queued again"
        );
    }
}

// ------------------------------------------------------------ TLS failures

/// Run `send-test` and `run --once` against `relay`, which must fail
/// before AUTH and MAIL; `words`: what stderr must say.
fn refused_before_auth(env: &Env, port_key: &str, starttls_tried: bool, words: &[&str]) {
    let s = Setup::new();
    let port = env.port(port_key);
    let relay = Relay {
        host: env.get("DOCKET_TEST_SMTP_TLS_NAME"),
        port,
        tls: "starttls",
        auth: true,
    };
    let cfg = s.config(env, &relay);
    let from = log_size(env);

    let t = docket(&cfg, &["send-test", "--to", "someone@ngo.example"]);
    assert_ne!(
        t.status.code(),
        Some(0),
        "send-test succeeded:\n{}",
        stdout(&t)
    );
    assert_eq!(t.status.code(), Some(1), "{}", stderr(&t));
    let r = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&r, 1);
    for (what, o) in [("send-test", &t), ("run", &r)] {
        let err = strip_ansi(&stderr(o));
        for w in words {
            assert!(err.contains(w), "{what}: {w:?} not in stderr:\n{err}");
        }
    }
    let rows = history(&cfg);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| field(r, "state") == "due"), "{rows:?}");

    // The server saw both connections end without AUTH or MAIL: after
    // EHLO, either no STARTTLS at all (not offered) or a failed one.
    let listener = format!("port{port}");
    let signature = |end: &str| {
        end.contains("ehlo=1")
            && if starttls_tried {
                end.contains("starttls=0/1")
            } else {
                !end.contains("starttls")
            }
    };
    let finished = |log: &str| -> Vec<Session> {
        sessions(log)
            .into_iter()
            .filter(|x| x.listener == listener && x.end.is_some())
            .collect()
    };
    let got = poll(WAIT, || {
        let v = finished(&log_since(env, from));
        let ours = v
            .iter()
            .filter(|x| signature(x.end.as_deref().unwrap()))
            .count();
        (ours >= 2).then_some(v)
    });
    let got = got.unwrap_or_else(|| {
        panic!(
            "fewer than 2 finished sessions like ours on {listener}:\n{}",
            log_since(env, from)
        )
    });
    let log = log_since(env, from);
    assert!(
        !log.contains(&s.from),
        "the server saw our envelope sender {}:\n{log}",
        s.from
    );
    for x in &got {
        let end = x.end.as_deref().unwrap();
        let all = x.lines.join("\n");
        assert!(!end.contains("auth="), "AUTH on {listener}:\n{all}");
        assert!(!all.contains("sasl_"), "AUTH on {listener}:\n{all}");
        if end.contains("mail=") {
            // Another test may deliver through this listener at the same
            // time: its session queued mail from another sender.
            let ids = x.queue_ids();
            assert!(
                !ids.is_empty()
                    && ids
                        .iter()
                        .all(|id| !log.contains(&format!("{id}: from=<{}>", s.from))),
                "MAIL on {listener} in a session that may be ours:\n{all}"
            );
        }
    }
}

#[test]
fn no_starttls_offered_means_no_credentials_and_no_mail() {
    let env = test_mail_env();
    refused_before_auth(
        &env,
        "DOCKET_TEST_SMTP_PORT_PLAIN",
        false,
        &["STARTTLS", "TLS failed"],
    );
}

#[test]
fn self_signed_certificate_is_refused() {
    let env = test_mail_env();
    refused_before_auth(
        &env,
        "DOCKET_TEST_SMTP_PORT_SELF_SIGNED",
        true,
        &["certificate", "TLS failed"],
    );
}

#[test]
fn certificate_for_another_host_is_refused() {
    let env = test_mail_env();
    refused_before_auth(
        &env,
        "DOCKET_TEST_SMTP_PORT_WRONG_HOST",
        true,
        &["certificate", "TLS failed", "localhost"],
    );
}

/// Issue 4's privacy run through SMTP: fictional names and document numbers
/// reach mail bodies only when `[privacy]` allows, never a subject, the log
/// (at trace level) or the ledger, and neither does a forced SMTP error.
#[test]
fn names_and_numbers_stay_out_of_subjects_logs_and_ledger_over_smtp() {
    let env = test_mail_env();
    let names = ["Zhuldyz Fictitious", "Ormanbek Invented"];
    let numbers = ["RC-998877", "RC-665544"];
    for allow in [false, true] {
        let s = Setup::new();
        let good = Relay {
            host: env.get("DOCKET_TEST_SMTP_TLS_NAME"),
            port: env.port("DOCKET_TEST_SMTP_PORT_STARTTLS"),
            tls: "starttls",
            auth: true,
        };
        let cfg = s.config(&env, &good);
        // Give the cases people and numbers, and set [privacy].
        let text = std::fs::read_to_string(&cfg).unwrap();
        let mut n = 0;
        let text = text
            .lines()
            .map(|l| {
                if l.starts_with("caseworker = ") {
                    n += 1;
                    format!("{l}\nperson = \"{}\"", names[n % 2])
                } else if l.trim() == "kind = \"refugee_certificate\"" {
                    format!("{l}\n  number = \"{}\"", numbers[n % 2])
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + &format!("\n[privacy]\nnames_in_email = {allow}\nnumbers_in_email = {allow}\n");
        let cfg = write_config(s.tmp.path(), "docket.toml", &text);
        let leaks = |what: &str, hay: &str| {
            for secret in names.iter().chain(numbers.iter()) {
                assert!(!hay.contains(secret), "{secret} leaked into {what}:\n{hay}");
            }
        };
        let ledger_bytes = || {
            let mut all = Vec::new();
            for f in std::fs::read_dir(s.tmp.path().join("state"))
                .unwrap()
                .flatten()
            {
                if f.file_name().to_string_lossy().starts_with("ledger") {
                    all.extend(std::fs::read(f.path()).unwrap());
                }
            }
            String::from_utf8_lossy(&all).into_owned()
        };

        // A forced SMTP error first: the digests stay queued, nothing leaks.
        let down = closed_port();
        let bad = text.replacen(
            &format!("port = {}", good.port),
            &format!("port = {down}"),
            1,
        );
        write_config(s.tmp.path(), "docket.toml", &bad);
        let o = std::process::Command::new(crate::util::docket_bin())
            .args(["-c"])
            .arg(&cfg)
            .args(["run", "--once", "--today", D])
            .env("DOCKET_LOG", "trace")
            .output()
            .unwrap();
        assert_exit(&o, 1);
        leaks("stderr of a failed send", &stderr(&o));
        leaks("the ledger after a failed send", &ledger_bytes());

        // Then the relay works: delivered, and still nothing leaks.
        write_config(s.tmp.path(), "docket.toml", &text);
        let o = std::process::Command::new(crate::util::docket_bin())
            .args(["-c"])
            .arg(&cfg)
            .args(["run", "--once", "--today", D])
            .env("DOCKET_LOG", "trace")
            .output()
            .unwrap();
        assert_exit(&o, 0);
        leaks("stderr", &stderr(&o));
        leaks("the ledger", &ledger_bytes());
        let rows = history(&cfg);
        let msgs = by_message_id(&rows);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        let mut bodies = String::new();
        for mid in msgs.keys() {
            let m = delivered_once(&env, mid);
            leaks("a subject", &m.headers_named("Subject").join("\n"));
            for part in &m.parts {
                bodies.push_str(&part.body);
            }
        }
        for secret in names.iter().chain(numbers.iter()) {
            assert_eq!(
                bodies.contains(secret),
                allow,
                "{secret} in bodies with names/numbers_in_email = {allow}"
            );
        }
    }
}

#[test]
fn a_live_edit_reaches_the_relay_without_a_signal_and_a_broken_file_is_told_over_starttls() {
    // Issue 10 through the loopback Postfix: a case file added while the
    // daemon runs is reminded over STARTTLS; a typo in it later holds it
    // back, and its caseworker's notice arrives the same way.
    let env = test_mail_env();
    let s = Setup::new();
    let relay = Relay {
        host: env.get("DOCKET_TEST_SMTP_TLS_NAME"),
        port: env.port("DOCKET_TEST_SMTP_PORT_STARTTLS"),
        tls: "starttls",
        auth: true,
    };
    let cfg = s.config(&env, &relay);
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "state_dir = \"state\"\n",
        "state_dir = \"state\"\ninclude = [\"cases.d/*.toml\"]\nschedule = \"0 0 9 1 1 *\"\n",
    );
    let cfg = write_config(s.tmp.path(), "docket.toml", &text);
    std::fs::create_dir_all(s.tmp.path().join("cases.d")).unwrap();
    let mut d = crate::util::Daemon::start(&cfg, D, s.tmp.path().join("docket.log"));
    d.wait_log("pass done", 1);
    let live = format!("{}-LIVE", s.cases[0]);
    let case_text = format!(
        "[[case]]\nid = \"{live}\"\ncaseworker = \"bolat\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  expires = 2026-06-30\n"
    );
    write_config(s.tmp.path(), "cases.d/live.toml", &case_text);
    let mid = poll(WAIT, || {
        history(&cfg)
            .iter()
            .find(|r| field(r, "case") == live && field(r, "state") == "sent")
            .map(|r| field(r, "message_id").to_string())
    })
    .unwrap_or_else(|| panic!("the live case was not sent:\n{}", d.log()));
    let m = delivered_once(&env, &mid);
    assert!(m.text().contains(&live), "{}", m.text());
    // A typo: held back, and bolat is told over the relay.
    write_config(
        s.tmp.path(),
        "cases.d/live.toml",
        &case_text.replace("expires = 2026-06-30", "expires = 30.06.2026"),
    );
    let notice = poll(WAIT, || {
        let mut v = Vec::new();
        for sub in ["new", "cur"] {
            for e in std::fs::read_dir(env.maildir().join(sub))
                .unwrap()
                .flatten()
            {
                if let Ok(raw) = std::fs::read_to_string(e.path()) {
                    if raw.contains(&live)
                        && raw.contains("a case file has errors")
                        && raw.contains("To: bolat@ngo.example")
                    {
                        v.push(parse_mail(&raw));
                    }
                }
            }
        }
        v.pop()
    })
    .unwrap_or_else(|| panic!("no notice for bolat:\n{}", d.log()));
    assert!(notice.body.contains("cases.d/live.toml"), "{}", notice.body);
    assert_eq!(d.stop().code(), Some(0));
}
