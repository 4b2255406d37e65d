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

mod crash;
mod downtime;
mod failure;
mod outage;
mod retry;

use crate::util::{
    closed_port, field, poll, read_from, stderr, strip_ansi, write_config, Mail, MaildirScan,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    strip_ansi(&stderr(&crate::util::run_once(cfg, day, want)))
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
