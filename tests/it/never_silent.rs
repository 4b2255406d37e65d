//! Never silent: calendar feeds read by real clients (Python's
//! `icalendar`, Debian's `khal`), the metrics file checked by `promtool`,
//! the heartbeat against a local HTTP server (also one that hangs), the
//! admin's own transport, and `notify-admin` through the loopback Postfix.
//!
//! Needs Debian's python3-icalendar, khal and prometheus (for promtool);
//! `.ci/run` installs them.

use crate::digest::{fixture, D};
use crate::util::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Debian's Python, where python3-icalendar is (a `python3` earlier on
/// PATH may be another one).
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// The fixture with names and numbers kept out of mail (the default).
fn private_fixture() -> (tempfile::TempDir, PathBuf) {
    let (tmp, cfg) = fixture("en");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("names_in_email = true", "names_in_email = false")
        .replace("numbers_in_email = true", "numbers_in_email = false");
    write_config(tmp.path(), "docket.toml", &text);
    (tmp, cfg)
}

/// A feed as Python's icalendar reads it: the calendar's properties and
/// every event's.
pub fn parse_feed(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = {"name": str(cal.get('X-WR-CALNAME')), "refresh": cal.get('REFRESH-INTERVAL').to_ical().decode(),
       "ttl": str(cal.get('X-PUBLISHED-TTL')), "events": []}
for e in cal.walk('VEVENT'):
    out["events"].append({
        "uid": str(e['UID']), "summary": str(e['SUMMARY']), "description": str(e['DESCRIPTION']),
        "start": e['DTSTART'].dt.isoformat(), "end": e['DTEND'].dt.isoformat(),
        "all_day": type(e['DTSTART'].dt).__name__ == 'date',
        "sequence": int(e['SEQUENCE']), "stamp": e['DTSTAMP'].dt.isoformat()})
print(json.dumps(out))
"#;
    let o = std::process::Command::new(python())
        .args(["-c", SCRIPT])
        .arg(path)
        .output()
        .expect("run python3 (Debian's python3-icalendar)");
    assert!(
        o.status.success(),
        "python icalendar: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

pub fn events(feed: &Value) -> Vec<Value> {
    feed["events"].as_array().unwrap().clone()
}

/// `khal list` of a feed imported into a scratch calendar of its own
/// under `tmp`: `{start-date} {title}` per event from `from` for `range`.
pub fn khal_list(tmp: &Path, feed: &Path, from: &str, range: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = tmp.join(format!(
        "khal-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(k.join("cal")).unwrap();
    std::fs::write(
        k.join("config"),
        format!(
            "[calendars]\n[[scratch]]\npath = {}\ntype = calendar\n[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n[default]\ndefault_calendar = scratch\n",
            k.join("cal").display()
        ),
    )
    .unwrap();
    let khal = |args: &[&str]| {
        let o = std::process::Command::new("khal")
            .arg("-c")
            .arg(k.join("config"))
            .args(args)
            .env("HOME", tmp)
            .output()
            .expect("run khal (Debian's khal)");
        assert!(
            o.status.success(),
            "khal {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    khal(&["import", "--batch", "-a", "scratch", feed.to_str().unwrap()]);
    khal(&[
        "list",
        "--day-format",
        "",
        "--format",
        "{start-date} {title}",
        from,
        range,
    ])
}

fn by_summary<'a>(evs: &'a [Value], prefix: &str) -> &'a Value {
    evs.iter()
        .find(|e| e["summary"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no event {prefix:?} in {evs:#?}"))
}

#[test]
fn feeds_hold_every_unresolved_deadline_and_real_clients_read_them() {
    let (tmp, cfg) = private_fixture();
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let feeds = tmp.path().join("state/feeds");
    let mut names: Vec<String> = std::fs::read_dir(&feeds)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["aigerim.ics", "dana-team.ics", "dana.ics", "yerlan.ics"]
    );
    let path = feeds.join("aigerim.ics");
    let feed = parse_feed(&path);
    assert_eq!(feed["name"], "docket: Aigerim Example");
    assert_eq!(feed["refresh"], "PT1H");
    let evs = events(&feed);
    // One event per unresolved deadline: what `upcoming` lists for her
    // over the same 400 days (the bill she owns included).
    let up = docket(
        &cfg,
        &[
            "upcoming",
            "--today",
            D,
            "--days",
            "400",
            "--caseworker",
            "aigerim",
            "--format",
            "json",
        ],
    );
    let rows: Vec<Value> = serde_json::from_str(&stdout(&up)).unwrap();
    assert_eq!(evs.len(), rows.len(), "{evs:#?}");
    let mut dates: Vec<String> = evs
        .iter()
        .map(|e| e["start"].as_str().unwrap().to_string())
        .collect();
    // Overdue ones on the feed's day (issue 18, item 9).
    let mut act_by: Vec<String> = rows
        .iter()
        .map(|r| field(r, "act_by").max(D).to_string())
        .collect();
    dates.sort();
    act_by.sort();
    assert_eq!(dates, act_by, "each event on its act-by date, or today");
    let mut uids: Vec<&str> = evs.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    for (e, u) in evs.iter().zip(&uids) {
        assert!(e["all_day"].as_bool().unwrap(), "{e}");
        assert!(
            u.starts_with("docket-") && u.ends_with("@docket") && u.len() == 30,
            "{u}"
        );
        assert_eq!(e["sequence"], 0);
    }
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), evs.len(), "UIDs unique");
    let overdue = by_summary(&evs, "OVERDUE: KZ-0001 · Refugee certificate");
    assert_eq!(overdue["start"], D, "overdue ones on today");
    let d = overdue["description"].as_str().unwrap();
    assert!(d.contains("act by 2026-11-03 · 28 days overdue"), "{d}");
    assert!(d.contains("Kind: Refugee certificate"), "{d}");
    assert!(
        d.contains("cases.d/kz-0001.toml: status = \"renewal_filed\", filed = <date>"),
        "the file to edit: {d}"
    );
    by_summary(&evs, "OVERDUE: migration-law · Bill review");
    // No name, no number under the default privacy.
    let raw = std::fs::read_to_string(&path).unwrap()
        + &std::fs::read_to_string(feeds.join("dana-team.ics")).unwrap();
    for secret in [
        "Fictional",
        "Imaginary",
        "Invented",
        "RC-7",
        "TD-5",
        "Hearing on",
    ] {
        assert!(!raw.contains(secret), "{secret:?} in a feed");
    }
    // The team feed: the supervisor's, with whose each event is.
    let team = events(&parse_feed(&feeds.join("dana-team.ics")));
    assert!(team.len() > evs.len(), "aigerim's and yerlan's");
    assert!(
        by_summary(&team, "OVERDUE: KZ-0035 · Travel document")["summary"]
            .as_str()
            .unwrap()
            .ends_with("(Yerlan Sample)")
    );
    // `docket calendar` prints what the daemon wrote.
    let o = docket(&cfg, &["calendar", "--caseworker", "aigerim", "--today", D]);
    assert_exit(&o, 0);
    assert_eq!(stdout(&o), std::fs::read_to_string(&path).unwrap());
    // khal imports it into a scratch calendar and lists every event.
    let k = tmp.path().join("khal");
    std::fs::create_dir_all(k.join("cal")).unwrap();
    std::fs::write(
        k.join("config"),
        format!(
            "[calendars]\n[[scratch]]\npath = {}\ntype = calendar\n[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n[default]\ndefault_calendar = scratch\n",
            k.join("cal").display()
        ),
    )
    .unwrap();
    let khal = |args: &[&str]| {
        let o = std::process::Command::new("khal")
            .arg("-c")
            .arg(k.join("config"))
            .args(args)
            .env("HOME", tmp.path())
            .output()
            .expect("run khal (Debian's khal)");
        assert!(
            o.status.success(),
            "khal {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    khal(&["import", "--batch", "-a", "scratch", path.to_str().unwrap()]);
    let listed = khal(&[
        "list",
        "--day-format",
        "",
        "--format",
        "{start-date} {title}",
        "2026-10-01",
        "500d",
    ]);
    let lines: Vec<&str> = listed
        .lines()
        .filter(|l| l.contains("KZ-") || l.contains("migration-law"))
        .collect();
    assert_eq!(lines.len(), evs.len(), "{listed}");
    assert!(
        listed.contains("2026-12-01 OVERDUE: KZ-0001 · Refugee certificate"),
        "{listed}"
    );
}

#[test]
fn uids_stay_sequence_moves_with_the_deadline_and_resolved_events_go() {
    let (tmp, cfg) = private_fixture();
    let feed = tmp.path().join("state/feeds/aigerim.ics");
    // The clock is driven, not waited for (issue 19): each run an hour
    // after the last, so a stamp made anew would be a later one.
    let run_at = |hour: &str| {
        let now = format!("2026-11-20T{hour}:00:00Z");
        assert_exit(
            &docket(&cfg, &["run", "--once", "--today", D, "--now", &now]),
            0,
        );
    };
    run_at("09");
    let first = events(&parse_feed(&feed));
    run_at("10"); // a later DTSTAMP is visible
    let second = events(&parse_feed(&feed));
    assert_eq!(first, second, "a pass with no change changes no event");
    // KZ-0023's certificate renewed a week later: its deadline moves.
    let moved = "cases.d/kz-0023.toml";
    let text = std::fs::read_to_string(tmp.path().join(moved)).unwrap();
    write_config(
        tmp.path(),
        moved,
        &text.replace("issued = 2026-01-05", "issued = 2026-01-12"),
    );
    // KZ-0024's renewal is filed: resolved.
    let done = "cases.d/kz-0024.toml";
    let text = std::fs::read_to_string(tmp.path().join(done)).unwrap();
    write_config(
        tmp.path(),
        done,
        &text.replace(
            "status = \"active\"",
            "status = \"renewal_filed\"\n  filed = 2026-11-30",
        ),
    );
    run_at("11");
    let third = events(&parse_feed(&feed));
    let before = by_summary(&first, "KZ-0023 ");
    let after = by_summary(&third, "KZ-0023 ");
    assert_eq!(before["uid"], after["uid"], "the same event");
    assert_eq!(after["sequence"], 1);
    assert!(
        after["stamp"].as_str() > before["stamp"].as_str(),
        "{before} {after}"
    );
    assert_ne!(before["start"], after["start"]);
    assert!(
        !third
            .iter()
            .any(|e| e["summary"].as_str().unwrap().starts_with("KZ-0024 ")),
        "resolved: gone"
    );
    assert_eq!(third.len(), first.len() - 1);
    for e in &third {
        if !e["summary"].as_str().unwrap().starts_with("KZ-0023 ") {
            let was = first.iter().find(|f| f["uid"] == e["uid"]).unwrap();
            assert_eq!(was, e, "untouched events keep their revision");
        }
    }
}

#[test]
fn the_metrics_file_passes_promtool_and_names_no_case() {
    let (tmp, cfg) = fixture("en");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "state_dir = \"state\"",
        "state_dir = \"state\"\nmetrics_file = \"metrics/docket.prom\"",
    );
    write_config(tmp.path(), "docket.toml", &text);
    std::fs::create_dir_all(tmp.path().join("metrics")).unwrap();
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    let path = tmp.path().join("metrics/docket.prom");
    let m = std::fs::read_to_string(&path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "node_exporter reads it as another user");
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run promtool (Debian's prometheus package)");
    child.stdin.take().unwrap().write_all(m.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "promtool: {}{}\n{m}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for want in [
        "docket_last_pass_success 1\n",
        "docket_digests_sent_total 3\n",
        "docket_reminders_sent_total{step=\"overdue\"} ",
        "docket_cases 37\n",
        "docket_config_files{state=\"held\"} 0\n",
        "docket_config_last_reload_successful 1\n",
        "docket_build_info{version=",
    ] {
        assert!(m.contains(want), "{want:?} in:\n{m}");
    }
    for secret in ["KZ-", "Fictional", "aigerim", "ngo.example"] {
        assert!(!m.contains(secret), "{secret:?} in the metrics");
    }
}

/// A local HTTP server that records each request's target and answers 200
/// (or, with `hang`, never answers).
struct Watcher {
    port: u16,
    seen: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl Watcher {
    fn start(hang: bool) -> Watcher {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        std::thread::spawn(move || {
            for conn in l.incoming() {
                let Ok(mut c) = conn else { continue };
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    let mut buf = [0u8; 2048];
                    let n = c.read(&mut buf).unwrap_or(0);
                    let req = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let target = req.split_whitespace().nth(1).unwrap_or("").to_string();
                    s.lock().unwrap().push((target, Instant::now()));
                    if hang {
                        std::thread::sleep(Duration::from_secs(60));
                    } else {
                        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
                    }
                });
            }
        });
        Watcher { port, seen }
    }

    fn targets(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(t, _)| t.clone())
            .collect()
    }
}

fn with_heartbeat(cfg: &Path, dir: &Path, port: u16, mail: Option<&str>) {
    let mut text = std::fs::read_to_string(cfg).unwrap().replace(
        "state_dir = \"state\"",
        &format!("state_dir = \"state\"\nheartbeat_url = \"http://127.0.0.1:{port}/ping/f00d\""),
    );
    if let Some(m) = mail {
        text = text.replace("[mail]\ntransport = \"file\"", m);
    }
    write_config(dir, "docket.toml", &text);
}

#[test]
fn the_heartbeat_says_start_then_success_or_fail() {
    let w = Watcher::start(false);
    let (tmp, cfg) = fixture("en");
    with_heartbeat(&cfg, tmp.path(), w.port, None);
    assert_exit(&docket(&cfg, &["run", "--once", "--today", D]), 0);
    assert_eq!(w.targets(), ["/ping/f00d/start", "/ping/f00d"]);

    // The relay's port is closed: the digests stay queued, the ping says so.
    let w = Watcher::start(false);
    let (tmp, cfg) = fixture("en");
    let relay = format!(
        "[mail]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\ntimeout_secs = 5",
        closed_port()
    );
    with_heartbeat(&cfg, tmp.path(), w.port, Some(&relay));
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 1);
    assert_eq!(
        w.targets(),
        ["/ping/f00d/start", "/ping/f00d/fail"],
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_hanging_heartbeat_never_delays_a_send() {
    let w = Watcher::start(true);
    let (tmp, cfg) = fixture("en");
    with_heartbeat(&cfg, tmp.path(), w.port, None);
    let started = Instant::now();
    let mut d = Daemon::start(&cfg, D, tmp.path().join("log"));
    d.wait_log("pass done", 1);
    let pass_done = started.elapsed();
    // Every digest is out while the watcher holds the /start ping.
    assert_eq!(outbox_mails(&tmp.path().join("state/outbox")).len(), 3);
    assert!(
        pass_done < Duration::from_secs(5),
        "the pass took {pass_done:?} with a hanging watcher"
    );
    let log = d.wait_log("heartbeat timed out", 1);
    let timed_out = started.elapsed();
    d.stop();
    assert!(log.contains("the pass did not wait for it"), "{log}");
    assert!(
        !log.contains("f00d"),
        "the URL's token is not logged: {log}"
    );
    eprintln!(
        "heartbeat hanging: pass done after {} ms, first ping given up after {} ms",
        pass_done.as_millis(),
        timed_out.as_millis()
    );
}

#[test]
fn the_admin_hears_through_their_own_transport_when_the_relay_is_down() {
    let (tmp, cfg) = fixture("en");
    let text = std::fs::read_to_string(&cfg).unwrap()
        .replace(
            "state_dir = \"state\"",
            "state_dir = \"state\"\nadmin = \"it@ngo.example\"\n\n[service.admin_mail]\ntransport = \"file\"\ndir = \"admin-outbox\"\nfrom = \"Docket <docket@ngo.example>\"",
        )
        .replace(
            "[mail]\ntransport = \"file\"",
            &format!("[mail]\ntransport = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\ntimeout_secs = 5", closed_port()),
        );
    write_config(tmp.path(), "docket.toml", &text);
    // A broken case file: its notice to the admin goes out at once.
    write_config(tmp.path(), "cases.d/broken.toml", "[[case]]\nid = \"KZ-0900\"\ncaseworker = \"aigerim\"\n  [[case.event]]\n  date = 03.12.2026\n");
    let o = docket(&cfg, &["run", "--once", "--today", D]);
    assert_exit(&o, 1);
    let admin = outbox_mails(&tmp.path().join("admin-outbox"));
    assert!(
        admin.iter().any(|m| m
            .header("Subject")
            .unwrap_or("")
            .contains("a case file has errors")),
        "{:?}\n{}",
        admin
            .iter()
            .map(|m| m.header("Subject"))
            .collect::<Vec<_>>(),
        stderr(&o)
    );
    // notify-admin takes the same way, with the body from stdin.
    let mut c = docket_command(
        &cfg,
        &[
            "notify-admin",
            "--subject",
            "docket.service failed on host1",
        ],
    );
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"result: exit-code\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_exit(&o, 0);
    let m = outbox_mails(&tmp.path().join("admin-outbox"))
        .into_iter()
        .find(|m| m.header("Subject") == Some("[docket] admin: docket.service failed on host1"))
        .expect("the notice");
    assert_eq!(m.header("To"), Some("it@ngo.example"));
    assert!(m.body.contains("result: exit-code"), "{}", m.body);
}

/// `notify-admin` end to end: over STARTTLS with AUTH to the loopback
/// Postfix, as the OnFailure= unit runs it.
#[test]
fn notify_admin_reaches_the_admin_over_starttls() {
    let env = test_mail_env();
    let tag = unique_tag();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = write_config(
        tmp.path(),
        "docket.toml",
        &format!(
            r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"
admin = "it-{tag}@ngo.example"
[mail]
transport = "smtp"
host = "{host}"
port = {port}
tls = "starttls"
username = "{user}"
password_file = "{pw}"
ca_file = "{ca}"
from = "Docket <docket-{tag}@ngo.example>"
timeout_secs = 10
"#,
            host = env.get("DOCKET_TEST_SMTP_TLS_NAME"),
            port = env.port("DOCKET_TEST_SMTP_PORT_STARTTLS"),
            user = env.get("DOCKET_TEST_SMTP_USER"),
            pw = env.get("DOCKET_TEST_SMTP_PASSWORD_FILE"),
            ca = env.get("DOCKET_TEST_CA"),
        ),
    );
    let mut c = docket_command(
        &cfg,
        &[
            "notify-admin",
            "--subject",
            &format!("docket.service failed ({tag})"),
        ],
    );
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"The unit docket.service failed.\nresult: exit-code\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_exit(&o, 0);
    let mut scan = MaildirScan::new(&env.maildir(), &tag);
    let got = poll(Duration::from_secs(15), || {
        scan.mails()
            .iter()
            .find(|(_, m)| m.header("Subject").unwrap_or("").contains(&tag))
            .map(|(_, m)| m.clone())
    })
    .expect("delivered to the Maildir");
    assert_eq!(
        got.header("To"),
        Some(format!("it-{tag}@ngo.example").as_str())
    );
    assert!(got.body.contains("result: exit-code"), "{}", got.body);
}
