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
        use std::fmt::Write;
        buf.clear();
        for part in [case_ref, item] {
            buf.push_str(part);
            buf.push('\x1f');
        }
        let _ = write!(buf, "{deadline}\x1f");
        for part in [step, recipient] {
            buf.push_str(part);
            buf.push('\x1f');
        }
    }
}

/// Two independent SipHash-1-3 digests (std's hasher, fixed keys, domain-
/// separated) make 128 bits. The index is rebuilt from the ledger's strings
/// at every start, so the value only has to be stable within one process.
pub fn digest_bytes(bytes: &[u8]) -> u128 {
    use std::hash::Hasher;
    let half = |domain: u8| {
        let mut h = std::hash::DefaultHasher::new();
        h.write_u8(domain);
        h.write(bytes);
        h.finish()
    };
    (u128::from(half(1)) << 64) | u128::from(half(2))
}

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
