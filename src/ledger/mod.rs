//! The ledger: an SQLite database of every reminder docket decided to send,
//! and whether the mail server accepted it. It is the single source of truth
//! for "was this already sent?": the scheduler never is.
//!
//! Write-ahead: a reminder is recorded as `due` (with the Message-ID of the
//! digest it goes in) and committed *before* the send, and marked `sent`
//! after the server accepts it. A crash between the two leaves the row
//! `due`, and the next pass resends the same digest with the same
//! Message-ID: at most one duplicate per crash, never a loss.
//!
//! Privacy: rows hold case references, kinds, dates, caseworker ids and
//! message ids. Never names, never document numbers, never addresses of
//! the people in the cases.

mod feeds;
mod open;
mod store;

pub use feeds::{FeedRevisions, Revision};
pub use store::Ledger;

use crate::engine::Step;
use chrono::{DateTime, NaiveDate, Utc};
use std::path::PathBuf;

pub use open::SCHEMA_VERSION;

/// Each variant's message ends with its cause, and `source()` is empty:
/// the cause is printed once, both where a log line shows the error alone
/// (`error = %e`) and where anyhow shows the whole chain (`{:#}`). The
/// causes are kept as fields (`cause`), not as `source`, which thiserror
/// would also return from `source()` (issue 19: each cause was printed
/// twice).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger {path}: {cause}")]
    Sqlite {
        path: PathBuf,
        cause: rusqlite::Error,
    },
    #[error("cannot create state directory {path}: {cause}")]
    Dir {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "state directory {dir} is not writable, so the ledger {path} cannot be kept there: {cause}"
    )]
    NotWritable {
        dir: PathBuf,
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("ledger {path} is damaged: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("ledger {path} has schema version {found}, newer than this docket understands ({SCHEMA_VERSION}); upgrade docket")]
    TooNew { path: PathBuf, found: i64 },
}

impl LedgerError {
    /// The file is not a usable SQLite database any more: set it aside.
    pub fn is_corrupt(&self) -> bool {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match self {
            LedgerError::Corrupt { .. } => true,
            LedgerError::Sqlite { cause, .. } => {
                matches!(
                    cause.sqlite_error_code(),
                    Some(DatabaseCorrupt | NotADatabase)
                )
            }
            _ => false,
        }
    }

    /// The ledger cannot be written where it is (read-only, no space, no
    /// permission): keep going in memory and tell the admin.
    pub fn is_unwritable(&self) -> bool {
        use rusqlite::ErrorCode::{
            CannotOpen, DiskFull, PermissionDenied, ReadOnly, SystemIoFailure,
        };
        match self {
            LedgerError::NotWritable { .. } | LedgerError::Dir { .. } => true,
            LedgerError::Sqlite { cause, .. } => matches!(
                cause.sqlite_error_code(),
                Some(ReadOnly | DiskFull | PermissionDenied | CannotOpen | SystemIoFailure)
            ),
            _ => false,
        }
    }
}

/// How [`Ledger::open_resilient`] got a ledger.
#[derive(Debug)]
pub enum Opened {
    /// The ledger file in `state_dir`, as it was.
    File(Ledger),
    /// The file was damaged: it was renamed to `set_aside` (kept for
    /// inspection) and a fresh ledger started. What it recorded is
    /// forgotten, so recent reminders may be sent again.
    Recovered {
        ledger: Ledger,
        set_aside: PathBuf,
        reason: String,
    },
    /// `state_dir` cannot be written: a ledger in memory keeps reminders
    /// going (each restart may repeat them) until it can be.
    InMemory { ledger: Ledger, reason: String },
}

/// The identity of one reminder to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub case_ref: String,
    /// "document:refugee_certificate", "bill:senate", …
    pub item: String,
    pub deadline: NaiveDate,
    /// Stored as "30d", "overdue-3", "review-0", "stage", "unblocked".
    pub step: Step,
    /// Caseworker id.
    pub recipient: String,
}

impl Key {
    /// A 128-bit digest of the key (see [`digest_bytes`]), for an
    /// in-memory index of what the ledger holds: 16 bytes per reminder
    /// instead of five strings. At 10^7 keys the chance of any collision is
    /// below 10^-24, far below the chance of a disk error.
    pub fn digest(&self) -> u128 {
        let mut buf = String::with_capacity(96);
        Key::write_canonical(
            &mut buf,
            &self.case_ref,
            &self.item,
            self.deadline,
            &self.step.key(),
            &self.recipient,
        );
        digest_bytes(buf.as_bytes())
    }

    /// The text a key's digest is computed over: its fields, each followed
    /// by the unit separator. Exposed so a pass can digest a candidate key
    /// in a reused buffer without allocating five strings for it.
    pub fn write_canonical(
        buf: &mut String,
        case_ref: &str,
        item: &str,
        deadline: NaiveDate,
        step: &str,
        recipient: &str,
    ) {
        buf.clear();
        for part in [case_ref, item] {
            buf.push_str(part);
            buf.push('\x1f');
        }
        push_date(buf, deadline);
        buf.push('\x1f');
        for part in [step, recipient] {
            buf.push_str(part);
            buf.push('\x1f');
        }
    }
}

/// A date as chrono's `Display` writes it (see [`crate::calendar::ymd`]):
/// a pass writes one per reminder due.
fn push_date(buf: &mut String, d: NaiveDate) {
    match crate::calendar::ymd(d) {
        Some(b) => buf.push_str(std::str::from_utf8(&b).expect("ASCII digits")),
        None => {
            use std::fmt::Write;
            let _ = write!(buf, "{d}");
        }
    }
}

/// XXH3-128 with a seed drawn once per process. The index is rebuilt from
/// the ledger's strings at every start, so the value only has to be stable
/// within one process; the seed keeps anyone who writes case ids from
/// choosing keys whose digests crowd one slot of [`Digests`] (its hasher
/// only folds the digest's bits). SipHash twice, as before, was a third of a
/// pass at 100,000 cases.
pub fn digest_bytes(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128_with_seed(bytes, digest_seed())
}

fn digest_seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        // std's RandomState draws its keys from the OS's random source.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x646f_636b_6574);
        h.finish()
    })
}

/// The digests of ledger keys (see [`Key::digest`]), in the project's
/// fast set: its hasher folds a digest's two halves (`Fx::write_u128`),
/// and a seeded XXH3 digest needs nothing more.
pub type Digests = crate::config::FastSet<u128>;

/// A reminder row as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: Key,
    pub kind: String,
    /// The day the reminder was scheduled for.
    pub due_date: NaiveDate,
    pub act_by: NaiveDate,
    pub role: Role,
    /// Sent on a later day than scheduled while docket knew the item: it
    /// was down that day (catch-up), or the digest waited for the relay.
    pub late: bool,
    /// Told after its day because docket saw the item only now (its first
    /// run, a new file or case, an item added since): new, not late. Kept
    /// in the `late` column as 2 (0 on time, 1 late), so the schema and a
    /// ledger read by an older docket stay as they were.
    pub new: bool,
    /// One of many reminders of items new to docket at once, told in the
    /// summary of new cases, not one by one (issue 21). Implies `new`;
    /// kept in the `late` column as 3.
    pub summary: bool,
    pub message_id: Option<String>,
    pub state: State,
    pub recorded_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_attempt: Option<DateTime<Utc>>,
}

/// Is the recipient told as the responsible caseworker, or copied as the
/// supervisor on an escalation?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    To,
    Cc,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::To => "to",
            Role::Cc => "cc",
        }
    }
    pub(crate) fn parse(s: &str) -> Role {
        if s == "cc" {
            Role::Cc
        } else {
            Role::To
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Recorded, not yet accepted by the server.
    Due,
    /// Accepted by the server.
    Sent,
    /// Dropped before sending: the item was resolved or removed meanwhile.
    Cancelled,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Due => "due",
            State::Sent => "sent",
            State::Cancelled => "cancelled",
        }
    }
    pub(crate) fn parse(s: &str) -> State {
        match s {
            "sent" => State::Sent,
            "cancelled" => State::Cancelled,
            _ => State::Due,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The canonical text of stored keys is digested at start and of
    /// candidate keys in every pass: its date reads as chrono writes it,
    /// inside the years `calendar::ymd` writes and outside them.
    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let mut buf = String::new();
        for (y, m, day) in [
            (2026, 11, 21),
            (1, 2, 3),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 12, 31),
        ] {
            let d = NaiveDate::from_ymd_opt(y, m, day).unwrap();
            buf.clear();
            push_date(&mut buf, d);
            assert_eq!(buf, d.to_string(), "{y}-{m}-{day}");
        }
    }

    /// The digest tells keys apart by every field and stays the same
    /// within a process; the set finds what was put in it.
    #[test]
    fn digests_tell_keys_apart() {
        let key = |case: &str, deadline: (i32, u32, u32), step, to: &str| Key {
            case_ref: case.into(),
            item: "document:refugee_certificate".into(),
            deadline: NaiveDate::from_ymd_opt(deadline.0, deadline.1, deadline.2).unwrap(),
            step,
            recipient: to.into(),
        };
        let a = key("c-1", (2026, 12, 1), Step::Lead(30), "cw1");
        let others = [
            key("c-2", (2026, 12, 1), Step::Lead(30), "cw1"),
            key("c-1", (2026, 12, 2), Step::Lead(30), "cw1"),
            key("c-1", (2026, 12, 1), Step::Lead(3), "cw1"),
            key("c-1", (2026, 12, 1), Step::Lead(30), "cw2"),
            // Fields are separated: moving a character across a boundary
            // is another key.
            key("c-1\u{1f}", (2026, 12, 1), Step::Lead(30), "cw1"),
        ];
        assert_eq!(a.digest(), a.clone().digest());
        let mut set = Digests::default();
        set.insert(a.digest());
        for o in &others {
            assert_ne!(o.digest(), a.digest(), "{o:?}");
            assert!(!set.contains(&o.digest()));
        }
        assert!(set.contains(&a.digest()));
        let many: Digests = (0..10_000)
            .map(|i| key(&format!("c-{i}"), (2026, 1, 1), Step::Lead(30), "cw1").digest())
            .collect();
        assert_eq!(many.len(), 10_000);
    }
}
