//! `kill -9` of `docket run --once` at random points while it sends ~200
//! reminders through the real Postfix, restarted each time.

use super::{digests, key_to_mid, run_once, settled_delivery, Env};
use crate::util::{
    docket_command, entries, field, file_len, history, strip_ansi, test_mail_env, unique_tag,
    write_config, Mail, MaildirScan, Rng,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

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

/// The relay config sets no `connections`: docket's default
/// (`DEFAULT_CONNECTIONS` in src/config/validate/mail.rs).
const CONNECTIONS: usize = 3;

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
    // kill that found the digest unsent (and so at most one per open
    // connection per kill).
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
    // Each open connection has at most one digest accepted but not yet
    // marked: a kill costs at most one duplicate per connection.
    assert!(
        duplicates <= stats.kills * CONNECTIONS,
        "{duplicates} duplicates for {} kills over {CONNECTIONS} connections",
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
