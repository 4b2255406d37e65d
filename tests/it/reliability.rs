//! Reliability under faults (issue 5, items 4–6; RELIABILITY.md lists the
//! guarantees, the test of each and the latest figures):
//!
//! - `crash_…`: `kill -9` of `docket run --once` at random points while it
//!   sends ~200 reminders through the real Postfix, restarted each time;
//!   nothing lost, duplicates only under the digest's own Message-ID.
//! - `outage_…`: the relay unreachable for several compressed days
//!   (`--today`), then back: every digest once, queued ones as they were,
//!   missed steps caught up; what the admin is told.
//! - `downtime_…`: the daemon off across lead steps and an act-by date.
//! - `permanent_failure_…`, `retry_backoff_…`: the alert and retry paths.
//!
//! The SMTP tests share the test Postfix (`scripts/test-mail-server.sh
//! start`) and its Maildir with other tests: every test here has its own
//! envelope sender and case references (`unique_tag`), and finds its mail
//! by them and by Message-ID. An unreachable relay is a closed loopback
//! port, never a stopped Postfix. Without the server these tests fail and
//! say so; `DOCKET_SKIP_SMTP_TESTS=1 scripts/test.sh` leaves the module out.
//!
//! The calendars here have no holidays (and, where said, no weekend), so
//! every step falls on the day computed in the comments; the date rules
//! themselves are tested in `engine_rules`.

use crate::util::{
    assert_exit, closed_port, docket, docket_command, entries, field, file_len, history, poll,
    read_from, stderr, strip_ansi, test_mail_env, unique_tag, write_config, Daemon, Mail,
    MaildirScan, Rng,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ shared parts

type Env = crate::util::MailEnv;

impl Env {
    /// `[mail]` for the STARTTLS listener with AUTH, verified against the
    /// test CA under the name "localhost".
    fn relay(&self, from: &str, port_key: &str) -> String {
        format!(
            r#"[mail]
transport = "smtp"
host = "{host}"
port = {port}
tls = "starttls"
username = "{user}"
password_file = "{pw}"
ca_file = "{ca}"
from = "Docket <{from}>"
timeout_secs = 10
"#,
            host = self.get("DOCKET_TEST_SMTP_TLS_NAME"),
            port = self.get(port_key),
            user = self.get("DOCKET_TEST_SMTP_USER"),
            pw = self.get("DOCKET_TEST_SMTP_PASSWORD_FILE"),
            ca = self.get("DOCKET_TEST_CA"),
        )
    }
}

/// `[mail]` for a relay that is down: a loopback port nothing listens on.
fn dead_relay(from: &str) -> String {
    format!(
        r#"[mail]
transport = "smtp"
host = "127.0.0.1"
port = {port}
tls = "none"
from = "Docket <{from}>"
timeout_secs = 5
"#,
        port = closed_port()
    )
}

/// `docket run --once --today DAY`, with the given exit code expected;
/// returns the log (stderr) without colour codes.
#[track_caller]
fn run_once(cfg: &Path, day: &str, want: i32) -> String {
    let o = docket(cfg, &["run", "--once", "--today", day]);
    assert_exit(&o, want);
    strip_ansi(&stderr(&o))
}

/// Ledger rows by Message-ID.
fn digests(rows: &[Value]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in rows {
        out.entry(field(r, "message_id").to_string())
            .or_default()
            .push(r.clone());
    }
    out
}

/// (case, step, recipient) → Message-ID.
fn key_to_mid(rows: &[Value]) -> BTreeMap<(String, String, String), String> {
    rows.iter()
        .map(|r| {
            (
                (
                    field(r, "case").to_string(),
                    field(r, "step").to_string(),
                    field(r, "recipient").to_string(),
                ),
                field(r, "message_id").to_string(),
            )
        })
        .collect()
}

/// The queue ids the server gave messages from envelope sender `from`
/// (qmgr logs `ID: from=<…>` once a message is safely queued), in the
/// server log from byte `offset` on.
fn accepted_queue_ids(env: &Env, offset: u64, from: &str) -> BTreeSet<String> {
    let needle = format!(": from=<{from}>");
    read_from(&env.log(), offset)
        .lines()
        .filter(|l| l.contains("/qmgr[") && l.contains(&needle))
        .filter_map(|l| l.split("]: ").nth(1))
        .filter_map(|m| m.split(':').next())
        .map(str::to_string)
        .collect()
}

/// Our delivered messages: those whose From is `from`.
fn ours(scan: &mut MaildirScan, from: &str) -> Vec<Mail> {
    let want = format!("<{from}>");
    scan.mails()
        .iter()
        .filter(|(_, m)| m.header("From").is_some_and(|f| f.contains(&want)))
        .map(|(_, m)| m.clone())
        .collect()
}

/// Wait until the Maildir holds a copy of every Message-ID in `mids` and
/// as many messages from `from` as the server accepted (so no copy is
/// still on its way), stable for half a second; return those messages.
#[track_caller]
fn settled_delivery(
    env: &Env,
    scan: &mut MaildirScan,
    offset: u64,
    from: &str,
    mids: &BTreeSet<String>,
) -> Vec<Mail> {
    let mut last: Option<(usize, usize)> = None;
    let got = poll(Duration::from_secs(60), || {
        let accepted = accepted_queue_ids(env, offset, from).len();
        let mails = ours(scan, from);
        let present: BTreeSet<&str> = mails
            .iter()
            .filter_map(|m| m.header("Message-ID"))
            .collect();
        let complete = mids.iter().all(|m| present.contains(m.as_str()));
        if !(complete && mails.len() == accepted) {
            last = None;
            return None;
        }
        // Same counts on two looks at least 0.5 s apart: settled.
        match last {
            Some((a, n)) if a == accepted && n == mails.len() => Some(mails),
            _ => {
                last = Some((accepted, mails.len()));
                std::thread::sleep(Duration::from_millis(500));
                None
            }
        }
    });
    got.unwrap_or_else(|| {
        let mails = ours(scan, from);
        let present: BTreeSet<String> = mails
            .iter()
            .filter_map(|m| m.header("Message-ID").map(str::to_string))
            .collect();
        panic!(
            "delivery did not settle within 60 s: server accepted {} message(s) from {from}, \
             the Maildir holds {}; missing Message-IDs: {:?}",
            accepted_queue_ids(env, offset, from).len(),
            mails.len(),
            mids.difference(&present).collect::<Vec<_>>()
        )
    })
}

// ------------------------------------------------------------------ crash

/// Days of the crash test: the lead steps of a deadline on 2026-06-30
/// (a Tuesday) with lead_days [35, 28, 21, 14, 7], all Tuesdays.
const CRASH_DAYS: [(&str, u32); 5] = [
    ("2026-05-26", 35),
    ("2026-06-02", 28),
    ("2026-06-09", 21),
    ("2026-06-16", 14),
    ("2026-06-23", 7),
];
const CRASH_CASES: usize = 200;
/// A prime, so digests hold 4 or 5 reminders.
const CRASH_CASEWORKERS: usize = 47;
/// Kills to make (the issue asks for at least 50).
const KILL_TARGET: usize = 60;
const KILL_MINIMUM: usize = 50;

fn crash_case(tag: &str, i: usize) -> String {
    format!("KZ-{tag}-{i:03}")
}

fn crash_caseworker(i: usize) -> String {
    format!("cw{:02}", i % CRASH_CASEWORKERS)
}

fn crash_email(tag: &str, cw: &str) -> String {
    format!("{cw}-{tag}@ngo.example")
}

fn crash_config(dir: &Path, env: &Env, tag: &str, from: &str) -> PathBuf {
    let mut text = format!(
        r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"

{mail}
[calendar]
holidays = "none"

[kinds.refugee_certificate]
label = "Refugee certificate"

[reminders]
lead_days = [35, 28, 21, 14, 7]
"#,
        mail = env.relay(from, "DOCKET_TEST_SMTP_PORT_STARTTLS")
    );
    for c in 0..CRASH_CASEWORKERS {
        let id = crash_caseworker(c);
        text += &format!(
            "\n[[caseworker]]\nid = \"{id}\"\nname = \"Worker {c}\"\nemail = \"{}\"\n",
            crash_email(tag, &id)
        );
    }
    for i in 0..CRASH_CASES {
        text += &format!(
            r#"
[[case]]
id = "{}"
caseworker = "{}"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-30
  expires = 2026-06-30
"#,
            crash_case(tag, i),
            crash_caseworker(i)
        );
    }
    write_config(dir, "docket.toml", &text)
}

/// Running estimates (ms) of how long a pass takes from its start to its
/// first sent digest, and between two sent digests: kill delays are drawn
/// from these windows so that most kills land while a digest is in flight.
struct Timing {
    first_ms: f64,
    gap_ms: f64,
}

impl Timing {
    fn learn(slot: &mut f64, sample: Duration) {
        *slot = 0.7 * *slot + 0.3 * sample.as_secs_f64() * 1000.0;
    }
}

/// When to kill: once the child has logged `after_sent` "digest sent"
/// lines ("docket starting" for 0), plus `delay`.
struct KillPlan {
    after_sent: usize,
    delay: Duration,
}

struct ChildRun {
    status: ExitStatus,
    /// Ended by our SIGKILL (not by finishing first).
    killed: bool,
    log: String,
}

/// Run `docket run --once --today DAY` as a child, reading its log as it
/// comes; with a plan, SIGKILL it at the planned point.
fn run_child(cfg: &Path, day: &str, plan: Option<&KillPlan>, timing: &mut Timing) -> ChildRun {
    let mut child = docket_command(cfg, &["run", "--once", "--today", day])
        .env("DOCKET_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start docket run --once");
    let err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, String)>();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let limit = Instant::now() + Duration::from_secs(120);
    let mut log = String::new();
    let (mut sent, mut started, mut last_sent) = (0usize, None::<Instant>, None::<Instant>);
    loop {
        let wait = limit.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok((at, line)) => {
                log.push_str(&line);
                log.push('\n');
                let fire = if line.contains("docket starting") {
                    started = Some(at);
                    plan.is_some_and(|p| p.after_sent == 0)
                } else if line.contains("digest sent") {
                    sent += 1;
                    match (last_sent, started) {
                        (Some(prev), _) => Timing::learn(&mut timing.gap_ms, at - prev),
                        (None, Some(s)) => Timing::learn(&mut timing.first_ms, at - s),
                        _ => {}
                    }
                    last_sent = Some(at);
                    plan.is_some_and(|p| p.after_sent > 0 && sent >= p.after_sent)
                } else {
                    false
                };
                if fire {
                    std::thread::sleep(plan.unwrap().delay);
                    // SIGKILL; harmless if it has just exited by itself.
                    let _ = child.kill();
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("docket run --once --today {day} did not finish within 120 s:\n{log}");
            }
        }
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    for (_, line) in rx.try_iter() {
        log.push_str(&line);
        log.push('\n');
    }
    ChildRun {
        status,
        killed: status.signal() == Some(libc::SIGKILL),
        log: strip_ansi(&log),
    }
}

/// Where the kills landed, judged from the ledger right after each one.
#[derive(Debug, Default)]
struct KillStats {
    runs: usize,
    kills: usize,
    /// Nothing of the day recorded yet: killed before the write-ahead.
    before_ledger: usize,
    /// Recorded, some digests still unsent: the pass was cut mid-send.
    mid_send: usize,
    /// ... of which this run had already had a digest accepted.
    mid_send_after_a_send: usize,
    /// Every digest of the day sent: killed while finishing.
    after_last_send: usize,
}

/// (recorded, due, sent) rows of `day` in the ledger.
fn day_counts(rows: &[Value], day: &str) -> (usize, usize, usize) {
    let of_day: Vec<&Value> = rows
        .iter()
        .filter(|r| field(r, "due_date") == day)
        .collect();
    let due = of_day.iter().filter(|r| field(r, "state") == "due").count();
    let sent = of_day
        .iter()
        .filter(|r| field(r, "state") == "sent")
        .count();
    (of_day.len(), due, sent)
}

#[test]
fn crash_kill_9_during_sends_loses_nothing_and_resends_under_the_same_message_id() {
    let env = test_mail_env();
    let t0 = Instant::now();
    let mut rng = Rng::from_env_or_clock("DOCKET_CRASH_SEED");
    let seed = rng.seed();
    let tag = unique_tag();
    let from = format!("docket-crash-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = crash_config(tmp.path(), &env, &tag, &from);
    let log_offset = file_len(&env.log());
    let mut scan = MaildirScan::new(&env.maildir(), &from);

    let mut timing = Timing {
        first_ms: 250.0,
        gap_ms: 50.0,
    };
    let mut stats = KillStats::default();
    // Message-ID → kills after which it was still unsent: the most times
    // a kill can have cut it between the server's "250" and `sent`.
    let mut interrupted: BTreeMap<String, usize> = BTreeMap::new();
    let mut days_done: Vec<(&str, u32)> = Vec::new();
    let mut rows: Vec<Value> = Vec::new();

    for &(day, lead) in &CRASH_DAYS {
        if stats.kills >= KILL_TARGET {
            break;
        }
        loop {
            assert!(
                stats.runs < 1000,
                "no progress after {} runs: {stats:?}",
                stats.runs
            );
            // Kill after 1-3 sent digests plus a delay within one digest's
            // send time (mid-send), or, one time in seven, within the
            // start of a pass (ledger write, connect, TLS, first send).
            let plan = (stats.kills < KILL_TARGET).then(|| {
                let after_sent = if rng.below(7) == 0 {
                    0
                } else {
                    1 + rng.below(3) as usize
                };
                let window = if after_sent == 0 {
                    timing.first_ms
                } else {
                    timing.gap_ms
                };
                KillPlan {
                    after_sent,
                    delay: Duration::from_micros(rng.below((window * 1000.0) as u64 + 1)),
                }
            });
            let (_, _, sent_before) = day_counts(&rows, day);
            let run = run_child(&cfg, day, plan.as_ref(), &mut timing);
            stats.runs += 1;
            rows = history(&cfg);
            if !run.killed {
                assert_eq!(run.status.code(), Some(0), "{}", run.log);
                assert!(run.log.contains("pass done"), "{}", run.log);
                let (recorded, due, _) = day_counts(&rows, day);
                assert_eq!((recorded, due), (CRASH_CASES, 0), "{}", run.log);
                break;
            }
            stats.kills += 1;
            let (recorded, due, sent_after) = day_counts(&rows, day);
            if recorded == 0 {
                stats.before_ledger += 1;
            } else if due == 0 {
                stats.after_last_send += 1;
            } else {
                stats.mid_send += 1;
                if sent_after > sent_before {
                    stats.mid_send_after_a_send += 1;
                }
            }
            let due_mids: BTreeSet<&str> = rows
                .iter()
                .filter(|r| field(r, "state") == "due")
                .map(|r| field(r, "message_id"))
                .collect();
            for mid in due_mids {
                *interrupted.entry(mid.to_string()).or_default() += 1;
            }
        }
        days_done.push((day, lead));
    }
    let kill_phase = t0.elapsed();
    assert!(
        stats.kills >= KILL_MINIMUM,
        "only {} kills over {} days: {stats:?}",
        stats.kills,
        days_done.len()
    );

    // A further pass on the last day finds nothing left to send.
    let last_day = days_done.last().unwrap().0;
    let log = run_once(&cfg, last_day, 0);
    assert!(log.contains("digests_sent=0"), "{log}");

    // The ledger: every reminder of every day once, all sent.
    let rows = history(&cfg);
    let mut expected: BTreeSet<(String, String, String)> = BTreeSet::new();
    for &(_, lead) in &days_done {
        for i in 0..CRASH_CASES {
            expected.insert((crash_case(&tag, i), format!("{lead}d"), crash_caseworker(i)));
        }
    }
    let got = key_to_mid(&rows);
    assert_eq!(rows.len(), got.len(), "a reminder recorded twice");
    assert_eq!(
        got.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "ledger keys"
    );
    for r in &rows {
        assert_eq!(field(r, "state"), "sent", "{r}");
        assert_eq!(r["late"], Value::Bool(false), "{r}");
    }
    let ledger = digests(&rows);
    assert_eq!(
        ledger.len(),
        CRASH_CASEWORKERS * days_done.len(),
        "one digest per caseworker per day"
    );
    let mids: BTreeSet<String> = ledger.keys().cloned().collect();

    // The Maildir: every digest arrived, each copy under its own
    // Message-ID; duplicates only for digests a kill cut, at most one per
    // kill that found the digest unsent.
    let mails = settled_delivery(&env, &mut scan, log_offset, &from, &mids);
    let mut copies: BTreeMap<String, Vec<&Mail>> = BTreeMap::new();
    for m in &mails {
        let mid = m.header("Message-ID").expect("a Message-ID").to_string();
        assert!(
            mids.contains(&mid),
            "delivered under a Message-ID the ledger does not know: {mid}\n{}",
            m.raw
        );
        copies.entry(mid).or_default().push(m);
    }
    assert_eq!(
        copies.keys().cloned().collect::<BTreeSet<_>>(),
        mids,
        "the distinct Message-IDs delivered are the ledger's digests"
    );
    let mut duplicates = 0;
    let mut max_copies = 0;
    for (mid, ms) in &copies {
        let rows = &ledger[mid];
        let recipient = field(&rows[0], "recipient");
        let day = field(&rows[0], "due_date");
        let to = crash_email(&tag, recipient);
        let first = ms[0];
        assert_eq!(first.header("To"), Some(to.as_str()), "{mid}");
        let subject = first.header("Subject").unwrap_or("");
        assert!(subject.contains(day), "{mid}: {subject}");
        let text = first.text();
        assert_eq!(entries(text).len(), rows.len(), "{mid}:\n{text}");
        for r in rows {
            assert_eq!(field(r, "recipient"), recipient, "{mid}: one recipient");
            assert_eq!(field(r, "due_date"), day, "{mid}: one day");
            assert!(text.contains(field(r, "case")), "{r} not in {mid}:\n{text}");
        }
        for m in &ms[1..] {
            assert_eq!(m.header("To"), first.header("To"), "{mid}");
            assert_eq!(m.header("Subject"), first.header("Subject"), "{mid}");
            assert_eq!(m.text(), text, "{mid}: a duplicate differs");
        }
        let cut = interrupted.get(mid).copied().unwrap_or(0);
        assert!(
            ms.len() <= 1 + cut,
            "{mid} delivered {} times but found unsent after only {cut} kill(s)",
            ms.len()
        );
        duplicates += ms.len() - 1;
        max_copies = max_copies.max(ms.len());
    }
    assert!(
        duplicates <= stats.kills,
        "{duplicates} duplicates for {} kills",
        stats.kills
    );
    println!(
        "crash: seed={seed} days={} runs={} kills={} (mid-send {} [after a digest of the same \
         run was accepted: {}], before the ledger write {}, after the last send {}); \
         digests={} reminders={} delivered messages={} duplicates={} max copies={}; \
         kill phase {:.1}s, whole test {:.1}s \
         (replay with DOCKET_CRASH_SEED={seed})",
        days_done.len(),
        stats.runs,
        stats.kills,
        stats.mid_send,
        stats.mid_send_after_a_send,
        stats.before_ledger,
        stats.after_last_send,
        ledger.len(),
        rows.len(),
        mails.len(),
        duplicates,
        max_copies,
        kill_phase.as_secs_f64(),
        t0.elapsed().as_secs_f64(),
    );
}

// ----------------------------------------------------------------- outage

/// Outage dates: a plain calendar (no weekend, no holidays) from
/// D = 2026-06-01.
const OUT_D: [&str; 7] = [
    "2026-06-01",
    "2026-06-02",
    "2026-06-03",
    "2026-06-04",
    "2026-06-05",
    "2026-06-06",
    "2026-06-07",
];

/// lead_days [6, 4, 2, 1], overdue every 7 days.
/// A (aigerim) acts by 06-07: 6d 06-01, 4d 06-03, 2d 06-05, 1d 06-06.
/// B (aigerim) acts by 06-11: 6d 06-05, 4d 06-07, 2d 06-09, 1d 06-10.
/// C (bolat) acts by 06-04: 6d 05-29, 4d 05-31, 2d 06-02, 1d 06-03,
///   overdue-0 06-05, overdue-1 06-12.
fn outage_config(dir: &Path, tag: &str, mail: &str, service_extra: &str) -> PathBuf {
    let text = format!(
        r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"
admin = "it-{tag}@ngo.example"
{service_extra}

{mail}
[calendar]
weekend = []
holidays = "none"

[kinds.refugee_certificate]
label = "Refugee certificate"

[reminders]
lead_days = [6, 4, 2, 1]
overdue_every_days = 7

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim-{tag}@ngo.example"

[[caseworker]]
id = "bolat"
name = "Bolat Example"
email = "bolat-{tag}@ngo.example"

[[case]]
id = "KZ-{tag}-A"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-07
  expires = 2026-06-07

[[case]]
id = "KZ-{tag}-B"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-11
  expires = 2026-06-11

[[case]]
id = "KZ-{tag}-C"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-06-04
  expires = 2026-06-04
"#
    );
    write_config(dir, "docket.toml", &text)
}

/// (case, step, recipient, due_date, late, state, attempts) rows, sorted.
type Brief = (String, String, String, String, bool, String, u64);

fn brief(rows: &[Value]) -> Vec<Brief> {
    let mut v: Vec<Brief> = rows
        .iter()
        .map(|r| {
            (
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "recipient").to_string(),
                field(r, "due_date").to_string(),
                r["late"].as_bool().unwrap(),
                field(r, "state").to_string(),
                r["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A `Brief` of case `which` of the test tagged `tag`:
/// `(step, recipient, due_date)`, late, `(state, attempts)`.
fn b(tag: &str, which: &str, what: (&str, &str, &str), late: bool, st: (&str, u64)) -> Brief {
    let (step, to, due) = what;
    (
        format!("KZ-{tag}-{which}"),
        step.into(),
        to.into(),
        due.into(),
        late,
        st.0.into(),
        st.1,
    )
}

#[test]
fn outage_relay_down_for_days_then_every_digest_arrives_once_with_its_message_id() {
    let env = test_mail_env();
    let t0 = Instant::now();
    let tag = unique_tag();
    let from = format!("docket-outage-{tag}@ngo.example");
    let admin = format!("it-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let log_offset = file_len(&env.log());
    let mut scan = MaildirScan::new(&env.maildir(), &from);

    // Days D..D+3: the relay is down. Each pass exits 1 and keeps its
    // digests queued; new steps are recorded as they fall due.
    let cfg = outage_config(tmp.path(), &tag, &dead_relay(&from), "");
    let mut failed_per_pass = Vec::new();
    for day in &OUT_D[..4] {
        let log = run_once(&cfg, day, 1);
        assert!(log.contains("permanent=false"), "{log}");
        failed_per_pass.push(log.matches("send failed; kept queued").count());
    }
    assert_eq!(failed_per_pass, vec![2, 3, 5, 5], "digests tried per pass");
    let t = &tag;
    let queued = history(&cfg);
    assert_eq!(
        brief(&queued),
        {
            let mut v = vec![
                b(t, "A", ("4d", "aigerim", "2026-06-03"), false, ("due", 2)),
                b(t, "A", ("6d", "aigerim", "2026-06-01"), false, ("due", 4)),
                b(t, "C", ("1d", "bolat", "2026-06-03"), false, ("due", 2)),
                b(t, "C", ("2d", "bolat", "2026-06-02"), false, ("due", 3)),
                // Caught up on D: its 6d step (05-29) was never sent.
                b(t, "C", ("4d", "bolat", "2026-05-31"), true, ("due", 4)),
            ];
            v.sort();
            v
        },
        "the ledger after four days of outage"
    );
    let queued_mids = key_to_mid(&queued);
    assert_eq!(digests(&queued).len(), 5, "five queued digests");

    // D+4 and D+5: docket itself is off too. D+6: the relay is back.
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &env.relay(&from, "DOCKET_TEST_SMTP_PORT_STARTTLS"),
        "",
    );
    let log = run_once(&cfg, OUT_D[6], 0);
    assert!(log.contains("digests_sent=7"), "{log}");
    let rows = history(&cfg);
    let mut want: Vec<Brief> = brief(&queued)
        .into_iter()
        .map(|mut r| {
            r.5 = "sent".into();
            r
        })
        .collect();
    // Only the latest missed step of items never recorded meanwhile:
    // A's 1d (not its 2d), B's 4d due today (not its 6d), C's overdue-0.
    want.push(b(
        t,
        "A",
        ("1d", "aigerim", "2026-06-06"),
        true,
        ("sent", 0),
    ));
    want.push(b(
        t,
        "B",
        ("4d", "aigerim", "2026-06-07"),
        false,
        ("sent", 0),
    ));
    want.push(b(
        t,
        "C",
        ("overdue-0", "bolat", "2026-06-05"),
        true,
        ("sent", 0),
    ));
    want.sort();
    assert_eq!(brief(&rows), want, "the ledger after the relay came back");
    // Queued digests went out as they were: same rows, same Message-IDs.
    let now_mids = key_to_mid(&rows);
    for (k, mid) in &queued_mids {
        assert_eq!(now_mids.get(k), Some(mid), "{k:?}: the Message-ID changed");
    }
    let ledger = digests(&rows);
    assert_eq!(ledger.len(), 7, "{ledger:?}");
    let mids: BTreeSet<String> = ledger.keys().cloned().collect();

    let mails = settled_delivery(&env, &mut scan, log_offset, &from, &mids);
    let (to_admin, digests_in): (Vec<&Mail>, Vec<&Mail>) = mails
        .iter()
        .partition(|m| m.header("To") == Some(admin.as_str()));
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &digests_in {
        *seen.entry(m.header("Message-ID").unwrap()).or_default() += 1;
    }
    assert_eq!(
        seen.keys().map(|s| s.to_string()).collect::<BTreeSet<_>>(),
        mids,
        "the Message-IDs delivered"
    );
    assert!(
        seen.values().all(|&n| n == 1),
        "a digest arrived more than once: {seen:?}"
    );
    for m in &digests_in {
        let mid = m.header("Message-ID").unwrap();
        let rows = &ledger[mid];
        let to = format!("{}-{tag}@ngo.example", field(&rows[0], "recipient"));
        assert_eq!(m.header("To"), Some(to.as_str()));
        let text = m.text();
        let es = entries(text);
        assert_eq!(es.len(), rows.len(), "{text}");
        // Everything scheduled before D+6 is marked late, with its day.
        let late: Vec<&Value> = rows
            .iter()
            .filter(|r| field(r, "due_date") < OUT_D[6])
            .collect();
        assert_eq!(text.matches("[LATE]").count(), late.len(), "{text}");
        for r in late {
            let note = format!("planned for {}", field(r, "due_date"));
            assert!(text.contains(&note), "{note:?} not in:\n{text}");
        }
    }

    // A second pass the same day: nothing more.
    let accepted = accepted_queue_ids(&env, log_offset, &from).len();
    let log = run_once(&cfg, OUT_D[6], 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(history(&cfg), rows, "the ledger changed");
    // docket has exited: whatever it handed the relay was accepted (and
    // logged) before its send returned.
    assert_eq!(
        accepted_queue_ids(&env, log_offset, &from).len(),
        accepted,
        "the server got more mail"
    );
    println!(
        "outage: 4 failing passes tried {:?} digests; after the relay came back: {} digests \
         ({} resent under their queued Message-IDs), each delivered once; admin mails {}; {:.1}s",
        failed_per_pass,
        ledger.len(),
        queued_mids.values().collect::<BTreeSet<_>>().len(),
        to_admin.len(),
        t0.elapsed().as_secs_f64()
    );
}

/// SPEC §4: "a message that still fails is kept and the operator is
/// told". With the relay down, the alert cannot go through it, so it must
/// at least be logged once a digest has been unsent for longer than
/// `alert_after_hours` — here on the passes of D+1 and D+2, one and two
/// days after the digest was recorded (time compressed with `--today`).
#[test]
fn outage_the_admin_is_told_once_a_digest_is_unsent_past_alert_after_hours() {
    let tag = unique_tag();
    let from = format!("docket-stale-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &dead_relay(&from),
        "alert_after_hours = 24",
    );

    run_once(&cfg, OUT_D[0], 1);
    // The two digests recorded on D (A's 6d, C's 4d).
    let on_d: BTreeSet<String> = digests(&history(&cfg)).into_keys().collect();
    assert_eq!(on_d.len(), 2, "{on_d:?}");
    let later = [run_once(&cfg, OUT_D[1], 1), run_once(&cfg, OUT_D[2], 1)].concat();
    let rows = history(&cfg);
    assert!(rows.iter().all(|r| field(r, "state") == "due"), "{rows:?}");
    for mid in &on_d {
        assert!(
            later
                .lines()
                .any(|l| l.contains("a digest is still unsent") && l.contains(mid.as_str())),
            "no alert for {mid}, unsent since {} (passes on {} and {} with \
             alert_after_hours = 24):\n{later}",
            OUT_D[0],
            OUT_D[1],
            OUT_D[2]
        );
    }
    // The relay is the one that is down: mailing the admin fails, and says so.
    assert!(later.contains("cannot mail the admin"), "{later}");
}

/// A permanent SMTP failure (here: the relay's certificate is not from a
/// trusted CA) is alerted at once. The admin mail would go through the
/// same relay, so the alert is in the log, and so is the failed attempt
/// to mail it; the digest stays queued under its Message-ID.
#[test]
fn permanent_failure_tls_refused_is_alerted_in_the_log_and_the_digest_kept() {
    let env = test_mail_env();
    let tag = unique_tag();
    let from = format!("docket-tlsalert-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &env.relay(&from, "DOCKET_TEST_SMTP_PORT_SELF_SIGNED"),
        "",
    );
    let log = run_once(&cfg, OUT_D[0], 1);
    let rows = history(&cfg);
    let ledger = digests(&rows);
    assert_eq!(ledger.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| field(r, "state") == "due"), "{rows:?}");
    assert!(log.contains("TLS failed"), "{log}");
    assert!(log.contains("permanent=true"), "{log}");
    for mid in ledger.keys() {
        let alert = log
            .lines()
            .find(|l| l.contains("a digest could not be delivered") && l.contains(mid.as_str()))
            .unwrap_or_else(|| panic!("no alert naming {mid}:\n{log}"));
        assert!(alert.contains("ERROR"), "{alert}");
    }
    assert!(log.contains("cannot mail the admin"), "{log}");

    // Again: still queued, same Message-IDs, the alert logged again.
    let again = run_once(&cfg, OUT_D[0], 1);
    assert_eq!(key_to_mid(&history(&cfg)), key_to_mid(&rows));
    assert_eq!(
        again.matches("a digest could not be delivered").count(),
        2,
        "{again}"
    );
}

/// The file transport with a regular file where the outbox should be: no
/// usable transport, so every digest fails permanently, is alerted in the
/// log and kept; once the outbox can be created, the queued digest is
/// written once, under its Message-ID, marked late.
#[test]
fn permanent_failure_unusable_outbox_is_alerted_and_the_digest_written_once_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let tag = unique_tag();
    let from = format!("docket-outbox-{tag}@ngo.example");
    let outbox = tmp.path().join("outbox");
    std::fs::write(&outbox, "not a directory").unwrap();
    let mail =
        format!("[mail]\ntransport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <{from}>\"\n");
    let cfg = outage_config(tmp.path(), &tag, &mail, "");

    let log = run_once(&cfg, OUT_D[0], 1);
    assert!(log.contains("mail transport is not usable"), "{log}");
    let rows = history(&cfg);
    let ledger = digests(&rows);
    assert_eq!(ledger.len(), 2, "{rows:?}");
    for mid in ledger.keys() {
        assert!(
            log.lines()
                .any(|l| l.contains("a digest could not be delivered")
                    && l.contains(mid.as_str())
                    && l.contains("ERROR")),
            "no alert naming {mid}:\n{log}"
        );
    }
    let log = run_once(&cfg, OUT_D[1], 1);
    assert!(log.contains("a digest could not be delivered"), "{log}");
    let queued = history(&cfg);
    assert_eq!(queued.len(), 3, "C's 2d was added on D+1: {queued:?}");
    assert!(queued.iter().all(|r| field(r, "state") == "due"));
    let queued_mids = key_to_mid(&queued);

    // Fixed: the queued digests are written, each once, same ids.
    std::fs::remove_file(&outbox).unwrap();
    let log = run_once(&cfg, OUT_D[1], 0);
    assert!(log.contains("digests_sent=3"), "{log}");
    let rows = history(&cfg);
    assert_eq!(key_to_mid(&rows), queued_mids);
    assert!(rows.iter().all(|r| field(r, "state") == "sent"), "{rows:?}");
    let eml = |dir: &Path| -> Vec<Mail> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .map(|p| crate::util::parse_mail(&std::fs::read_to_string(p).unwrap()))
            .collect()
    };
    let written = eml(&outbox);
    let admin = format!("it-{tag}@ngo.example");
    let mut ids: Vec<&str> = written
        .iter()
        .filter(|m| m.header("To") != Some(admin.as_str()))
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    let mut want: Vec<&str> = queued_mids.values().map(String::as_str).collect();
    want.sort();
    want.dedup();
    assert_eq!(ids, want, "each queued digest written once");
    let late = written
        .iter()
        .filter(|m| m.header("To") != Some(admin.as_str()))
        .find(|m| m.text().contains(&format!("KZ-{tag}-A")))
        .unwrap();
    assert!(
        late.text().contains("planned for 2026-06-01"),
        "{}",
        late.text()
    );
    let log = run_once(&cfg, OUT_D[1], 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(eml(&outbox).len(), written.len());
    println!(
        "permanent failure (file transport): admin mails written after the fix: {}",
        written.len() - ids.len()
    );
}

// ---------------------------------------------------------------- backoff

/// Transient failures are retried with backoff: 1 minute after the first
/// failure, doubling, capped at an hour; a long-running daemon does not
/// retry before that (no hot loop against a dead relay).
#[test]
fn retry_backoff_doubles_from_a_minute_and_is_capped_at_an_hour() {
    let tag = unique_tag();
    let from = format!("docket-backoff-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &dead_relay(&from),
        "schedule = \"0 0 9 1 1 *\"",
    );
    let ledger = tmp.path().join("state").join("ledger.sqlite3");
    // (attempts, next_attempt) of A's 6d row, from the ledger file.
    let retry_of_a = || -> (u32, chrono::DateTime<chrono::Utc>) {
        let c = rusqlite::Connection::open_with_flags(
            &ledger,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let (n, at): (u32, String) = c
            .query_row(
                "SELECT attempts, next_attempt FROM reminders WHERE case_ref LIKE '%-A' AND step = '6d'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        (n, chrono::DateTime::parse_from_rfc3339(&at).unwrap().into())
    };

    // The daemon proper: one failed pass, then it waits.
    let log_path = tmp.path().join("daemon.log");
    // With --today the daemon's clock runs on that day (at the real time of
    // day), so retry times are compared on that day too.
    let on_day = |t: chrono::DateTime<chrono::Utc>| {
        chrono::NaiveDate::parse_from_str(OUT_D[0], "%Y-%m-%d")
            .unwrap()
            .and_time(t.time())
            .and_utc()
    };
    let started = chrono::Utc::now();
    let mut d = Daemon::spawn(
        &cfg,
        &["run", "--today", OUT_D[0]],
        &[("DOCKET_LOG", "info")],
        log_path,
    );
    d.wait_log("pass done", 1);
    let up_at = chrono::Utc::now();
    // After the failed pass the loop waits for the retry: a hot loop would
    // run pass after pass instead of saying how long it waits.
    let log = d.wait_log("waiting for the next retry", 1);
    assert!(
        log.contains("retry_in_secs=59") || log.contains("retry_in_secs=60"),
        "the first retry is a minute away:\n{log}"
    );
    assert!(d.alive(), "the daemon died on a dead relay:\n{log}");
    assert_eq!(d.stop().code(), Some(0), "{}", d.log());
    assert_eq!(
        log.matches("send failed; kept queued").count(),
        2,
        "retried before the backoff expired:\n{log}"
    );
    let (n, at) = retry_of_a();
    assert_eq!(n, 1);
    let lo = on_day(started) + chrono::Duration::seconds(59);
    let hi = on_day(up_at) + chrono::Duration::seconds(61);
    assert!(
        lo <= at && at <= hi,
        "first retry at {at}, not a minute after the pass ({started}..{up_at})"
    );

    // Scheduled passes retry every queued digest; each failure doubles the
    // wait, up to an hour.
    for (attempts, secs) in [
        (2, 120),
        (3, 240),
        (4, 480),
        (5, 960),
        (6, 1920),
        (7, 3600),
        (8, 3600),
    ] {
        let before = chrono::Utc::now();
        run_once(&cfg, OUT_D[0], 1);
        let after = chrono::Utc::now();
        let (n, at) = retry_of_a();
        assert_eq!(n, attempts);
        let lo = on_day(before) + chrono::Duration::seconds(secs - 1);
        let hi = on_day(after) + chrono::Duration::seconds(secs + 1);
        assert!(
            lo <= at && at <= hi,
            "after {attempts} failures the next try is at {at}, not {secs} s after the pass ({before}..{after})"
        );
    }
}

// --------------------------------------------------------------- downtime

/// Downtime (a plain calendar): act-by D = 2026-08-20.
/// lead_days [30, 14, 7, 1], overdue every 7 days.
/// X1 document, aigerim, acts by D: 30d 07-21, 14d 08-06, 7d 08-13,
///   1d 08-19, overdue-0 08-21, overdue-1 08-28.
/// X2 request, aigerim, extended to D: the same steps.
/// X3 document, bolat, acts by 08-25: 7d 08-18, 1d 08-24, overdue-0 08-26.
/// X4 event, bolat, on 08-19: lead reminders only, none after its day.
/// X5 document, bolat, acts by 08-24: 1d 08-23, overdue-0 08-25.
fn downtime_config(dir: &Path) -> PathBuf {
    let text = r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"

[mail]
transport = "file"
dir = "outbox"
from = "Docket <docket@ngo.example>"

[calendar]
weekend = []
holidays = "none"

[kinds.refugee_certificate]
label = "Refugee certificate"

[kinds.travel_document]
label = "Travel document request"
answer_within = "15wd"

[kinds.court_hearing]
label = "Court hearing"

[reminders]
lead_days = [30, 14, 7, 1]
overdue_every_days = 7

[[caseworker]]
id = "aigerim"
name = "Aigerim Example"
email = "aigerim@ngo.example"

[[caseworker]]
id = "bolat"
name = "Bolat Example"
email = "bolat@ngo.example"

[[case]]
id = "KZ-X1"
caseworker = "aigerim"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-08-20
  expires = 2026-08-20

[[case]]
id = "KZ-X2"
caseworker = "aigerim"
  [[case.request]]
  kind = "travel_document"
  filed = 2026-07-01
  extended_to = 2026-08-20

[[case]]
id = "KZ-X3"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-08-25
  expires = 2026-08-25

[[case]]
id = "KZ-X4"
caseworker = "bolat"
  [[case.event]]
  kind = "court_hearing"
  title = "Hearing"
  date = 2026-08-19

[[case]]
id = "KZ-X5"
caseworker = "bolat"
  [[case.document]]
  kind = "refugee_certificate"
  issued = 2025-08-24
  expires = 2026-08-24
"#;
    write_config(dir, "docket.toml", text)
}

fn outbox_mails(dir: &Path) -> BTreeMap<PathBuf, Mail> {
    let mut out = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "eml") {
            let raw = std::fs::read_to_string(&p).unwrap();
            out.insert(p, crate::util::parse_mail(&raw));
        }
    }
    out
}

/// The one new message to `to`.
#[track_caller]
fn new_to<'a>(
    before: &BTreeMap<PathBuf, Mail>,
    now: &'a BTreeMap<PathBuf, Mail>,
    to: &str,
) -> &'a Mail {
    let found: Vec<&Mail> = now
        .iter()
        .filter(|(p, m)| !before.contains_key(*p) && m.header("To") == Some(to))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(found.len(), 1, "one new message to {to}");
    found[0]
}

/// The (case, step, due_date, late) rows recorded on the pass of `day`
/// (those not in `before`), sorted.
fn recorded_since(before: &[Value], now: &[Value]) -> Vec<(String, String, String, bool)> {
    let old = key_to_mid(before);
    let mut v: Vec<_> = now
        .iter()
        .filter(|r| {
            !old.contains_key(&(
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "recipient").to_string(),
            ))
        })
        .map(|r| {
            assert_eq!(field(r, "state"), "sent", "{r}");
            (
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "due_date").to_string(),
                r["late"].as_bool().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row4(case: &str, step: &str, due: &str, late: bool) -> (String, String, String, bool) {
    (case.into(), step.into(), due.into(), late)
}

#[test]
fn downtime_across_lead_steps_and_act_by_sends_one_late_reminder_per_item() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = downtime_config(tmp.path());
    let out_dir = tmp.path().join("outbox");

    // D-40: nothing due yet.
    let log = run_once(&cfg, "2026-07-11", 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert!(outbox_mails(&out_dir).is_empty());
    assert!(history(&cfg).is_empty());

    // Off until D+3 (08-23): the 30d, 14d, 7d and 1d steps and the act-by
    // date passed unseen. One reminder per item, the latest step: the
    // first overdue one for X1 and X2 (late), 7d for X3 (late), 1d for X5
    // (due today: not late); X4's hearing is over: nothing.
    let before = outbox_mails(&out_dir);
    let log = run_once(&cfg, "2026-08-23", 0);
    assert!(log.contains("digests_sent=2"), "{log}");
    let rows = history(&cfg);
    assert_eq!(
        recorded_since(&[], &rows),
        vec![
            row4("KZ-X1", "overdue-0", "2026-08-21", true),
            row4("KZ-X2", "overdue-0", "2026-08-21", true),
            row4("KZ-X3", "7d", "2026-08-18", true),
            row4("KZ-X5", "1d", "2026-08-23", false),
        ]
    );
    let now = outbox_mails(&out_dir);
    assert_eq!(now.len(), 2);
    let a = new_to(&before, &now, "aigerim@ngo.example");
    let es = entries(a.text());
    assert_eq!(es.len(), 2, "{}", a.text());
    for e in &es {
        assert!(e.contains("[OVERDUE]") && e.contains("[LATE]"), "{e}");
    }
    assert_eq!(
        a.text().matches("planned for 2026-08-21").count(),
        2,
        "{}",
        a.text()
    );
    assert!(
        a.text().contains("counts as a refusal"),
        "the overdue request is told plainly:\n{}",
        a.text()
    );
    // Two late items, and the tag once more where it is explained.
    assert_eq!(a.html().matches(">LATE</span>").count(), 3, "{}", a.html());
    let bmail = new_to(&before, &now, "bolat@ngo.example");
    let es = entries(bmail.text());
    assert_eq!(es.len(), 2, "{}", bmail.text());
    let x3 = es.iter().find(|e| e.contains("KZ-X3")).unwrap();
    let x5 = es.iter().find(|e| e.contains("KZ-X5")).unwrap();
    assert!(x3.contains("[LATE]"), "{x3}");
    assert!(!x5.contains("[LATE]"), "due today is not late: {x5}");
    assert!(bmail.text().contains("planned for 2026-08-18"));
    assert!(!bmail.raw.contains("KZ-X4"), "the hearing is over");
    for m in [a, bmail] {
        assert!(m.header("Subject").unwrap().contains("2026-08-23"));
    }

    // A second pass that day sends nothing.
    let log = run_once(&cfg, "2026-08-23", 0);
    assert!(log.contains("digests_sent=0"), "{log}");
    assert_eq!(outbox_mails(&out_dir).len(), 2);
    assert_eq!(history(&cfg), rows);

    // Off again until 08-29: again one late reminder per item, the latest
    // missed one (X1, X2 overdue-1 on 08-28; X3, X5 their first overdue).
    let before = outbox_mails(&out_dir);
    run_once(&cfg, "2026-08-29", 0);
    let rows2 = history(&cfg);
    assert_eq!(
        recorded_since(&rows, &rows2),
        vec![
            row4("KZ-X1", "overdue-1", "2026-08-28", true),
            row4("KZ-X2", "overdue-1", "2026-08-28", true),
            row4("KZ-X3", "overdue-0", "2026-08-26", true),
            row4("KZ-X5", "overdue-0", "2026-08-25", true),
        ]
    );
    let now = outbox_mails(&out_dir);
    assert_eq!(now.len(), 4);
    for to in ["aigerim@ngo.example", "bolat@ngo.example"] {
        let m = new_to(&before, &now, to);
        let es = entries(m.text());
        assert_eq!(es.len(), 2, "{}", m.text());
        assert!(es.iter().all(|e| e.contains("[LATE]")), "{es:?}");
    }
    let log = run_once(&cfg, "2026-08-29", 0);
    assert!(log.contains("digests_sent=0"), "{log}");

    // The state and the outbox are private.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let state = tmp.path().join("state");
    assert_eq!(mode(&state), 0o700, "state_dir");
    assert_eq!(mode(&state.join("ledger.sqlite3")) & 0o077, 0, "ledger");
    assert_eq!(mode(&out_dir), 0o700, "outbox");
}
