//! The validated config: what the rest of docket works with.
//!
//! Every reference here has been resolved (caseworkers, supervisors, bills,
//! stages are indices), every date is a real day, and every deadline can be
//! computed. Names and document numbers are kept in [`Sensitive`] so that a
//! stray `{:?}` in a log line cannot leak them.

use crate::calendar::{Calendar, Duration};
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::privacy::Sensitive;

/// The main file's settings: everything but cases and bills.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub service: Service,
    pub mail: Mail,
    pub privacy: Privacy,
    pub calendar: Calendar,
    pub reminders: Arc<ReminderRules>,
    pub kinds: BTreeMap<String, Kind>,
    pub caseworkers: Vec<Caseworker>,
}

/// The cases and bills of one file, validated. Files are kept apart (and
/// shared, not copied, between configs) so that one file can be replaced
/// without touching the others.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFile {
    pub path: PathBuf,
    pub cases: Vec<Case>,
    pub bills: Vec<Bill>,
}

/// Where a case is: its file and its place in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseRef {
    pub file: u32,
    pub case: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The main file; includes and relative paths are resolved against it.
    pub path: PathBuf,
    pub service: Service,
    pub mail: Mail,
    pub privacy: Privacy,
    pub calendar: Calendar,
    pub reminders: Arc<ReminderRules>,
    pub kinds: BTreeMap<String, Kind>,
    pub caseworkers: Vec<Caseworker>,
    /// Cases and bills per file: the main file's own first, then each
    /// include in order.
    pub files: Vec<Arc<CaseFile>>,
    /// Every bill in file order, as (file, index in it): bill number `i`
    /// of [`Config::bill`].
    bill_refs: Vec<(u32, u32)>,
    bill_ids: HashMap<String, usize>,
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
    /// Pinged after each pass; a capability (it holds a token), so logged
    /// by host only.
    pub heartbeat_url: Option<url::Url>,
    pub metrics_file: Option<PathBuf>,
    pub feeds_dir: PathBuf,
    /// The admin's alerts go through this transport when set.
    pub admin_mail: Option<Box<Mail>>,
    /// `editors`: the Unix group whose members add, change and delete
    /// case files (SPEC section 6); None: root alone edits.
    pub editors: Option<Editors>,
    /// `cases_git` and `git_branch`: the case files are read from this
    /// bare repository's branch, never from a working tree (SPEC section 7).
    pub git: Option<CasesGit>,
    /// `edit_url`: the page where a file is edited, `{path}` its path
    /// (in the repository, or relative to the main config).
    pub edit_url: Option<String>,
}

/// `[service] cases_git` and `git_branch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasesGit {
    /// The bare repository (absolute, or made so against the main
    /// config's directory).
    pub repo: PathBuf,
    /// The branch name, without `refs/heads/`.
    pub branch: String,
}

impl Service {
    /// The edit page of the file at `path` (as the repository or the main
    /// config's directory names it), when `edit_url` is set: each path
    /// segment percent-encoded, the slashes kept.
    pub fn edit_link(&self, path: &str) -> Option<String> {
        let url = self.edit_url.as_ref()?;
        let encoded: Vec<String> = path
            .split('/')
            .map(|seg| {
                seg.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect()
            })
            .collect();
        Some(url.replace("{path}", &encoded.join("/")))
    }
}

/// `[service] editors`, resolved: the group's name (for messages and the
/// commands in hints) and its id (what the files carry). Membership is
/// asked of the system at each check ([`Editors::has_member`]), so adding
/// a caseworker to the group needs no reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editors {
    pub name: String,
    pub gid: u32,
}

impl Editors {
    /// Is `uid` a member of the group now?
    pub fn has_member(&self, uid: u32) -> bool {
        crate::sys::is_member(uid, self.gid)
    }
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
    /// Where the caseworker guide is, for every digest's footer; `{lang}`
    /// stands for the caseworker's language. Unset, the footer says in
    /// words whom to ask for the guide: the guides the package installs
    /// are files on the server, which no caseworker can open from a
    /// phone's mail app (issue 18, item 11).
    pub guide_url: Option<String>,
    /// The systemd credential the password comes from without
    /// `password_file`: `smtp-password`, or `admin-smtp-password` for
    /// `[service.admin_mail]`.
    pub credential: &'static str,
    /// How many messages may be on their way at once (each over its own
    /// connection, for SMTP).
    pub connections: u8,
    /// From how many cases new to docket with reminder days behind them
    /// a caseworker's digest tells them as a summary (issue 21); 0: never.
    pub summary_from: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    pub names_in_email: bool,
    pub numbers_in_email: bool,
    pub ledger_retention_days: u32,
    /// Versions of config files replaced longer ago than this are purged
    /// from the history (`crate::history`).
    pub history_days: u32,
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
    pub label: Label,
    pub valid_for: Option<Duration>,
    pub answer_within: Option<Duration>,
    pub rules: Arc<ReminderRules>,
}

/// A kind's label as the config gives it: one text for every language,
/// and/or one per language. What a digest shows when a language is missing
/// is decided by the mailer (built-in labels first, then English).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Label {
    /// `label = "..."`: the same in every language.
    pub any: Option<String>,
    pub en: Option<String>,
    pub ru: Option<String>,
    pub kk: Option<String>,
}

impl Label {
    /// The label written for `lang`, if any.
    pub fn get(&self, lang: Language) -> Option<&str> {
        match lang {
            Language::En => self.en.as_deref(),
            Language::Ru => self.ru.as_deref(),
            Language::Kk => self.kk.as_deref(),
        }
        .or(self.any.as_deref())
    }
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
    /// Boxed: 8 bytes less than a `String` per case, and never grown.
    pub id: Box<str>,
    /// Index into [`Config::caseworkers`].
    pub caseworker: usize,
    pub person: Option<Sensitive>,
    /// Boxed slices, not vectors: no spare room and 8 bytes less each
    /// (100,000 cases keep their lists for the daemon's lifetime).
    pub documents: Box<[Document]>,
    pub requests: Box<[Request]>,
    pub events: Box<[Event]>,
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
    /// Every status, in the order `check` lists them.
    pub const ALL: [DocumentStatus; 5] = [
        DocumentStatus::Active,
        DocumentStatus::RenewalFiled,
        DocumentStatus::Renewed,
        DocumentStatus::Expired,
        DocumentStatus::Withdrawn,
    ];
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
    /// Every status, in the order `check` lists them.
    pub const ALL: [RequestStatus; 4] = [
        RequestStatus::Pending,
        RequestStatus::Answered,
        RequestStatus::Refused,
        RequestStatus::Withdrawn,
    ];
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
    /// Shared between the items of a kind (one string, not 100,000).
    pub kind: Arc<str>,
    pub number: Option<Sensitive>,
    pub issued: Option<NaiveDate>,
    /// The last valid day: `expires`, else `issued + valid_for`.
    pub expires: NaiveDate,
    pub status: DocumentStatus,
    pub filed: Option<NaiveDate>,
    pub rules: Arc<ReminderRules>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Shared between the items of a kind (one string, not 100,000).
    pub kind: Arc<str>,
    pub number: Option<Sensitive>,
    pub filed: Option<NaiveDate>,
    /// `extended_to`, else `filed + answer_within`.
    pub due: NaiveDate,
    pub extended: bool,
    pub status: RequestStatus,
    /// The id of the bill this request waits for (it exists: validation
    /// checks it across files; see [`Config::bill_index`]).
    pub waiting_for: Option<Box<str>>,
    pub rules: Arc<ReminderRules>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Free text, possibly sensitive ("hearing for …"): bodies only.
    pub title: Sensitive,
    /// `kind` as written, else "event". This is what subjects and logs show.
    /// Shared between the items of a kind (one string, not 100,000).
    pub kind: Arc<str>,
    pub date: NaiveDate,
    pub rules: Arc<ReminderRules>,
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
    pub rules: Arc<ReminderRules>,
}

impl Config {
    pub fn new(path: PathBuf, s: Settings, files: Vec<Arc<CaseFile>>) -> Config {
        let mut bill_refs = Vec::new();
        let mut bill_ids = HashMap::new();
        for (fi, f) in files.iter().enumerate() {
            for (bi, b) in f.bills.iter().enumerate() {
                bill_ids.insert(b.id.clone(), bill_refs.len());
                bill_refs.push((fi as u32, bi as u32));
            }
        }
        Config {
            path,
            service: s.service,
            mail: s.mail,
            privacy: s.privacy,
            calendar: s.calendar,
            reminders: s.reminders,
            kinds: s.kinds,
            caseworkers: s.caseworkers,
            files,
            bill_refs,
            bill_ids,
        }
    }

    pub fn caseworker(&self, id: &str) -> Option<usize> {
        self.caseworkers.iter().position(|c| c.id == id)
    }

    /// Every case, in file order, with where it is.
    pub fn cases(&self) -> impl Iterator<Item = (CaseRef, &Case)> + '_ {
        self.files.iter().enumerate().flat_map(|(fi, f)| {
            f.cases.iter().enumerate().map(move |(ci, c)| {
                (
                    CaseRef {
                        file: fi as u32,
                        case: ci as u32,
                    },
                    c,
                )
            })
        })
    }

    pub fn case(&self, r: CaseRef) -> &Case {
        &self.files[r.file as usize].cases[r.case as usize]
    }

    pub fn case_count(&self) -> usize {
        self.files.iter().map(|f| f.cases.len()).sum()
    }

    /// Every bill, in file order.
    pub fn bills(&self) -> impl Iterator<Item = &Bill> + '_ {
        self.bill_refs
            .iter()
            .map(|&(f, b)| &self.files[f as usize].bills[b as usize])
    }

    /// Bill number `i` (in the order of [`Config::bills`]).
    pub fn bill(&self, i: usize) -> &Bill {
        let (f, b) = self.bill_refs[i];
        &self.files[f as usize].bills[b as usize]
    }

    /// The file case `r` is written in.
    pub fn case_path(&self, r: CaseRef) -> &std::path::Path {
        &self.files[r.file as usize].path
    }

    /// The file bill number `i` is written in.
    pub fn bill_path(&self, i: usize) -> &std::path::Path {
        &self.files[self.bill_refs[i].0 as usize].path
    }

    /// `path` as the people editing the config know it: relative to the
    /// main config's directory when it is inside it.
    pub fn shown_path<'p>(&self, path: &'p std::path::Path) -> std::borrow::Cow<'p, str> {
        let base = self.path.parent().unwrap_or(std::path::Path::new(""));
        let rel = path
            .strip_prefix(base)
            .ok()
            .filter(|r| !r.as_os_str().is_empty())
            .unwrap_or(path);
        let rel = rel.strip_prefix(".").unwrap_or(rel);
        match rel.to_string_lossy() {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s),
        }
    }

    pub fn bill_count(&self) -> usize {
        self.bill_refs.len()
    }

    /// The number of the bill with this id.
    pub fn bill_index(&self, id: &str) -> Option<usize> {
        self.bill_ids.get(id).copied()
    }

    /// A copy sharing nothing with `self`: the files are copied too (a
    /// plain clone shares them). See `daemon::state::compact`.
    pub fn deep_clone(&self) -> Config {
        let mut c = self.clone();
        c.files = self.files.iter().map(|f| Arc::new((**f).clone())).collect();
        c
    }
}
