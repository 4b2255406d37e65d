//! The daemon with the file transport (SPEC §3 catch-up, §4 delivery,
//! §5 `run`, `preview`, `history`): digests as .eml files in a private
//! outbox, the ledger, privacy of subjects, logs and the ledger, escalation,
//! and SIGHUP reload of a real daemon process.
//!
//! Every test has its own tempdir holding the config (mode 0600), the
//! `state_dir` and the outbox. People, numbers and titles are fictional.
//!
//! Dates (Kazakhstan, 2026): D = 2026-06-02 is a Tuesday and a working day;
//! 2026-06-16, -06-30, -07-01 and -07-07 (D + 35 days) are working days too
//! (Capital Day, Jul 6, is a Monday and is not used).

mod catch_up;
mod escalation;
mod history;
mod privacy;
mod reload;

use crate::util::{field, Mail};
/// Shared with every test binary's modules (`crate::util`), named as the
/// daemon tests call them.
pub(super) use crate::util::{outbox_by_path as outbox, run_once};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

const D: &str = "2026-06-02";
/// Five weeks after D.
const LATER: &str = "2026-07-07";

/// The `[service]` and `[mail]` tables every config here starts with:
/// relative `state_dir` and outbox, so each test stays in its tempdir.
fn head(extra_service: &str) -> String {
    format!(
        r#"[service]
timezone = "Asia/Almaty"
state_dir = "state"
schedule = "0 0 9 1 1 *"
{extra_service}

[mail]
transport = "file"
dir = "outbox"
from = "Docket <docket@ngo.example>"

[kinds.refugee_certificate]
label = "Refugee certificate"

[kinds.residence_permit]
label = "Residence permit"

[kinds.travel_document]
label = "Travel document request"
answer_within = "15wd"

[kinds.court_hearing]
label = "Court hearing"
"#
    )
}

/// The messages in `now` that are not in `before`.
fn new_since(before: &BTreeMap<PathBuf, Mail>, now: &BTreeMap<PathBuf, Mail>) -> Vec<Mail> {
    now.iter()
        .filter(|(p, _)| !before.contains_key(*p))
        .map(|(_, m)| m.clone())
        .collect()
}

/// The one message addressed to `to`.
#[track_caller]
fn addressed_to<'a>(mails: &'a [Mail], to: &str) -> &'a Mail {
    let found: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.header("To") == Some(to))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one message to {to}; subjects: {:?}",
        subjects(mails)
    );
    found[0]
}

fn subjects(mails: &[Mail]) -> Vec<String> {
    mails
        .iter()
        .map(|m| m.header("Subject").unwrap_or("").to_string())
        .collect()
}

/// Check the shape every digest has: headers, and a multipart/alternative
/// body with exactly a text/plain and a text/html part.
#[track_caller]
fn assert_digest_shape(m: &Mail) {
    assert_eq!(m.header("From"), Some("Docket <docket@ngo.example>"));
    let mid = m.header("Message-ID").expect("a Message-ID");
    assert!(
        mid.starts_with('<') && mid.ends_with('>') && mid.contains('@'),
        "Message-ID {mid}"
    );
    let ct = m.header("Content-Type").expect("a Content-Type");
    assert!(
        ct.to_ascii_lowercase().starts_with("multipart/alternative"),
        "{ct}"
    );
    assert_eq!(m.parts.len(), 2, "two parts in:\n{}", m.raw);
    assert!(m.parts[0].content_type.starts_with("text/plain"));
    assert!(m.parts[1].content_type.starts_with("text/html"));
    assert!(m.html().contains("<html"), "{}", m.html());
}

/// History rows as (case, step, recipient, state) tuples, sorted.
fn history_keys(rows: &[Value]) -> Vec<(String, String, String, String)> {
    let mut v: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                field(r, "case").to_string(),
                field(r, "step").to_string(),
                field(r, "recipient").to_string(),
                field(r, "state").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn tuple(c: &str, s: &str, r: &str, st: &str) -> (String, String, String, String) {
    (c.into(), s.into(), r.into(), st.into())
}
