//! The validated config: what the rest of docket works with.
//!
//! Every reference here has been resolved (caseworkers, supervisors, bills,
//! stages are indices), every date is a real day, and every deadline can be
//! computed. Names and document numbers are kept in [`Sensitive`] so that a
//! stray `{:?}` in a log line cannot leak them.

use crate::calendar::{Calendar, Duration};
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use crate::privacy::Sensitive;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The main file; includes and relative paths are resolved against it.
    pub path: PathBuf,
    pub service: Service,
    pub mail: Mail,
    pub privacy: Privacy,
    pub calendar: Calendar,
    pub reminders: ReminderRules,
    pub kinds: BTreeMap<String, Kind>,
    pub caseworkers: Vec<Caseworker>,
    pub cases: Vec<Case>,
    pub bills: Vec<Bill>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub timezone: Tz,
    /// Cron with seconds, in `timezone`.
    pub schedule: String,
    pub state_dir: PathBuf,
    pub include: Vec<String>,
    pub admin: Option<String>,
    /// A message unsent for this long is reported to the admin.
    pub alert_after_hours: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Smtp,
    Sendmail,
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// TLS from the first byte (port 465).
    Wrapper,
    /// Plain connect, then STARTTLS, which is required.
    Starttls,
    /// No TLS: only allowed to a loopback host.
    None,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub transport: Transport,
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub username: Option<String>,
    /// Where the SMTP password is read from at send time (never the TOML).
    pub password_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub from: String,
    pub timeout_secs: u64,
    /// Outbox folder for `transport = "file"`.
    pub dir: PathBuf,
    pub sendmail_command: PathBuf,
    /// Directory whose templates override the built-in ones.
    pub templates_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    pub names_in_email: bool,
    pub numbers_in_email: bool,
    pub ledger_retention_days: u32,
}

/// When to remind: the `[reminders]` defaults, overridden per kind or item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRules {
    /// Days before the act-by date, sorted descending, unique. Shared, not
    /// copied, between the items of a kind: 100,000 documents would
    /// otherwise each carry their own little vector.
    pub lead_days: std::sync::Arc<[u32]>,
    /// 0: a single overdue reminder, no repeats.
    pub overdue_every_days: u32,
    pub escalate_within_days: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Kind {
    pub label: Option<String>,
    pub valid_for: Option<Duration>,
    pub answer_within: Option<Duration>,
    pub rules: ReminderRules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Language {
    En,
    Ru,
    Kk,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
            Language::Kk => "kk",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Caseworker {
    pub id: String,
    pub name: Sensitive,
    pub email: String,
    /// Index into [`Config::caseworkers`].
    pub supervisor: Option<usize>,
    pub language: Language,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    /// Index into [`Config::caseworkers`].
    pub caseworker: usize,
    pub person: Option<Sensitive>,
    pub documents: Vec<Document>,
    pub requests: Vec<Request>,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    Active,
    RenewalFiled,
    Renewed,
    Expired,
    Withdrawn,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Active => "active",
            DocumentStatus::RenewalFiled => "renewal_filed",
            DocumentStatus::Renewed => "renewed",
            DocumentStatus::Expired => "expired",
            DocumentStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn resolved(self) -> bool {
        matches!(
            self,
            DocumentStatus::RenewalFiled | DocumentStatus::Renewed | DocumentStatus::Withdrawn
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Answered,
    Refused,
    Withdrawn,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Answered => "answered",
            RequestStatus::Refused => "refused",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn resolved(self) -> bool {
        !matches!(self, RequestStatus::Pending)
    }
    /// Does a request in this status still wait on the law it names? Only
    /// a withdrawn or answered one does not.
    pub fn awaits_law(self) -> bool {
        !matches!(self, RequestStatus::Withdrawn | RequestStatus::Answered)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: String,
    pub number: Option<Sensitive>,
    pub issued: Option<NaiveDate>,
    /// The last valid day: `expires`, else `issued + valid_for`.
    pub expires: NaiveDate,
    pub status: DocumentStatus,
    pub filed: Option<NaiveDate>,
    pub rules: ReminderRules,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: String,
    pub number: Option<Sensitive>,
    pub filed: Option<NaiveDate>,
    /// `extended_to`, else `filed + answer_within`.
    pub due: NaiveDate,
    pub extended: bool,
    pub status: RequestStatus,
    /// Index into [`Config::bills`].
    pub waiting_for: Option<usize>,
    pub rules: ReminderRules,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Free text, possibly sensitive ("hearing for …"): bodies only.
    pub title: Sensitive,
    /// `kind` as written, else "event". This is what subjects and logs show.
    pub kind: String,
    pub date: NaiveDate,
    pub rules: ReminderRules,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bill {
    pub id: String,
    pub title: String,
    /// Index into [`Config::caseworkers`].
    pub owner: usize,
    pub stages: Vec<String>,
    /// Index into `stages`.
    pub stage: usize,
    pub stage_since: Option<NaiveDate>,
    /// Expected date per stage index, for stages after the current one too.
    pub expected: BTreeMap<usize, NaiveDate>,
    pub last_checked: Option<NaiveDate>,
    pub check_every_days: Option<u32>,
    pub rules: ReminderRules,
}

impl Config {
    pub fn caseworker(&self, id: &str) -> Option<usize> {
        self.caseworkers.iter().position(|c| c.id == id)
    }
}
