//! From raw structs to the model, reporting every problem with its location.
//!
//! Validation never stops at the first problem: each check records a
//! diagnostic and carries on with a placeholder, and the model is only
//! returned when no error was recorded.

use super::diag::Diagnostics;
use super::model::*;
use super::raw::{self, RawDate, S};
use super::Env;
use crate::calendar::{self, Calendar, CalendarSpec, DayOffDeadline, Duration, HolidaySet};
use crate::privacy::value;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Default digest time: 09:00 every day.
pub const DEFAULT_SCHEDULE: &str = "0 0 9 * * *";
pub const DEFAULT_STATE_DIR: &str = "/var/lib/docket";
pub const DEFAULT_STAGES: [&str; 5] = ["drafted", "mazhilis", "senate", "signed", "in_force"];
/// Longest lead or repeat interval accepted, in days (ten years).
const MAX_DAYS: i64 = 3660;

struct V<'d> {
    d: &'d mut Diagnostics,
    /// Years in which an unresolved deadline falls, with where it is set.
    deadline_years: BTreeMap<i32, (usize, Range<usize>)>,
}

impl V<'_> {
    fn err(
        &mut self,
        file: usize,
        span: Range<usize>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let help: String = help.into();
        let d = self.d.error(file, span, msg);
        if !help.is_empty() {
            d.help(help);
        }
    }

    fn warn(
        &mut self,
        file: usize,
        span: Range<usize>,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        let help: String = help.into();
        let d = self.d.warning(file, span, msg);
        if !help.is_empty() {
            d.help(help);
        }
    }

    fn date(&mut self, file: usize, v: &S<RawDate>) -> NaiveDate {
        let d = v.get_ref().0;
        if d.year() < calendar::MIN_YEAR || d.year() > calendar::MAX_YEAR {
            self.err(
                file,
                v.span(),
                format!("date {d} is outside the supported range"),
                format!(
                    "use a date between {}-01-01 and {}-12-31",
                    calendar::MIN_YEAR,
                    calendar::MAX_YEAR
                ),
            );
        }
        d
    }

    /// A computed deadline (issued + valid_for, filed + answer_within, a
    /// review date) must fall inside the calendar too: beyond it docket
    /// would not know the days off.
    fn in_range(&mut self, file: usize, span: Range<usize>, d: NaiveDate, what: &str) -> bool {
        if d.year() < calendar::MIN_YEAR || d.year() > calendar::MAX_YEAR {
            self.err(
                file,
                span,
                format!(
                    "{what} {d} is outside the calendar docket knows ({}-01-01 to {}-12-31)",
                    calendar::MIN_YEAR,
                    calendar::MAX_YEAR
                ),
                "check the dates: a typed year (2206 for 2026) lands here",
            );
            return false;
        }
        true
    }

    fn duration(&mut self, file: usize, v: &S<String>) -> Option<Duration> {
        match v.get_ref().parse::<Duration>() {
            Ok(d) => Some(d),
            Err(msg) => {
                self.err(file, v.span(), msg, "");
                None
            }
        }
    }

    fn days(&mut self, file: usize, v: &S<i64>, what: &str, min: i64) -> u32 {
        let n = *v.get_ref();
        if n < min || n > MAX_DAYS {
            self.err(
                file,
                v.span(),
                format!("{what} must be between {min} and {MAX_DAYS} days, not {n}"),
                "",
            );
            return min.max(0) as u32;
        }
        n as u32
    }

    fn lead_days(&mut self, file: usize, v: &S<Vec<S<i64>>>) -> Vec<u32> {
        let mut out = Vec::new();
        for l in v.get_ref() {
            let n = *l.get_ref();
            if !(0..=MAX_DAYS).contains(&n) {
                self.err(
                    file,
                    l.span(),
                    format!("lead day {n} is out of range"),
                    format!("lead days count back from the act-by date: use 0 to {MAX_DAYS}"),
                );
            } else {
                out.push(n as u32);
            }
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        out.dedup();
        out
    }

    /// Rules for an item: item override, else kind, else `[reminders]`.
    fn rules(
        &mut self,
        file: usize,
        base: &ReminderRules,
        lead: Option<&S<Vec<S<i64>>>>,
    ) -> ReminderRules {
        let mut r = base.clone();
        if let Some(l) = lead {
            r.lead_days = self.lead_days(file, l).into();
        }
        r
    }

    fn note_deadline(&mut self, year: i32, file: usize, span: Range<usize>) {
        self.deadline_years.entry(year).or_insert((file, span));
    }
}

fn req<'a, T>(
    v: &mut V<'_>,
    field: &'a Option<S<T>>,
    file: usize,
    table: Range<usize>,
    what: &str,
    help: &str,
) -> Option<&'a S<T>> {
    if field.is_none() {
        v.err(file, table, format!("missing `{what}`"), help);
    }
    field.as_ref()
}

/// A case or bill with the file it came from.
struct Located<T> {
    file: usize,
    item: S<T>,
}

pub(super) fn validate(
    path: &Path,
    file: usize,
    main: raw::RawMain,
    env: &Env,
    diags: &mut Diagnostics,
) -> Option<Config> {
    let t0 = std::time::Instant::now();
    let mut v = V {
        d: diags,
        deadline_years: BTreeMap::new(),
    };
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();

    // [service]
    let (service, includes) = service(&mut v, file, main.service.as_ref(), &base_dir, env);
    let mail = mail(
        &mut v,
        file,
        main.mail.as_ref(),
        &base_dir,
        &service.state_dir,
        env,
    );
    let privacy = privacy(&mut v, file, main.privacy.as_ref());
    let calendar = Calendar::new(calendar_spec(&mut v, file, main.calendar.as_ref()));
    let defaults = reminders(&mut v, file, main.reminders.as_ref());
    let kinds = kinds(&mut v, file, main.kinds.as_ref(), &defaults);
    let caseworkers = caseworkers(&mut v, file, main.caseworker.as_deref().unwrap_or(&[]));

    // Cases and bills from the main file, then each include in order.
    let mut cases: Vec<Located<raw::RawCase>> = Vec::new();
    let mut bills: Vec<Located<raw::RawBill>> = Vec::new();
    cases.extend(
        main.case
            .into_iter()
            .flatten()
            .map(|item| Located { file, item }),
    );
    bills.extend(
        main.bill
            .into_iter()
            .flatten()
            .map(|item| Located { file, item }),
    );
    let to_parse = super::includes::expand(path, file, &includes, env, v.d);
    // Parsing dominates loading a large config; include files are
    // independent, so parse them on every core. Each worker keeps its own
    // diagnostics, merged back in file order so output is deterministic.
    for (local, raw) in super::includes::parse_all(&to_parse, env) {
        let base = v.d.sources.len();
        v.d.sources.extend(local.sources);
        v.d.items.extend(local.items.into_iter().map(|mut d| {
            d.file += base;
            d
        }));
        if let Some(raw) = raw {
            cases.extend(
                raw.case
                    .into_iter()
                    .flatten()
                    .map(|item| Located { file: base, item }),
            );
            bills.extend(
                raw.bill
                    .into_iter()
                    .flatten()
                    .map(|item| Located { file: base, item }),
            );
        }
    }

    let cw_index: HashMap<String, usize> = caseworkers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    tracing::debug!(elapsed = ?t0.elapsed(), "config: files parsed");
    let bill_spans: Vec<(usize, Range<usize>)> = bills
        .iter()
        .map(|b| {
            (
                b.file,
                b.item
                    .get_ref()
                    .id
                    .as_ref()
                    .map_or(b.item.span(), |i| i.span()),
            )
        })
        .collect();
    let bills = bills_model(&mut v, &bills, &cw_index, &defaults);
    let bill_index: HashMap<&str, usize> = bills
        .iter()
        .enumerate()
        .map(|(i, b)| (b.id.as_str(), i))
        .collect();
    let cases = cases_model(
        &mut v,
        &cases,
        &cw_index,
        &bill_index,
        &kinds,
        &defaults,
        &calendar,
    );
    let case_ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    for (b, (f, span)) in bills.iter().zip(bill_spans) {
        if case_ids.contains(b.id.as_str()) {
            v.d.error(
                f,
                span,
                format!(
                    "bill id \"{}\" is also a case id; plan and upcoming could not tell them apart",
                    b.id
                ),
            )
            .help("rename the bill or the case");
        }
    }

    if calendar.spec().holidays == HolidaySet::Kz {
        let estimated: Vec<String> = v
            .deadline_years
            .keys()
            .filter(|&&y| {
                calendar::kurban_ait(y, &calendar.spec().kurban_ait).0
                    == calendar::KurbanAit::Estimated
            })
            .map(|y| y.to_string())
            .collect();
        if !estimated.is_empty() {
            v.d.notes.push(format!(
                "Kurban Ait in {} is an estimate (10 Dhu al-Hijjah, Umm al-Qura calendar) and may be a day off; \
                 once the date is announced, set it in [calendar], e.g. kurban_ait = {{ {} = {}-MM-DD }}",
                estimated.join(", "),
                estimated[0],
                estimated[0]
            ));
        }
    }

    tracing::debug!(elapsed = ?t0.elapsed(), "config: validated");
    if v.d.has_errors() {
        return None;
    }
    Some(Config {
        path: path.to_path_buf(),
        service,
        mail,
        privacy,
        calendar,
        reminders: defaults,
        kinds,
        caseworkers,
        cases,
        bills,
    })
}

fn service(
    v: &mut V<'_>,
    file: usize,
    s: Option<&S<raw::RawService>>,
    base: &Path,
    env: &Env,
) -> (Service, Vec<(String, Range<usize>)>) {
    let mut out = Service {
        timezone: chrono_tz::Asia::Almaty,
        schedule: DEFAULT_SCHEDULE.into(),
        state_dir: env
            .state_directory
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_DIR)),
        include: Vec::new(),
        admin: None,
        alert_after_hours: 24,
    };
    let Some(s) = s else {
        v.err(
            file,
            0..0,
            "missing [service] table",
            "add [service] with at least timezone = \"Asia/Almaty\"",
        );
        return (out, Vec::new());
    };
    let span = s.span();
    let s = s.get_ref();
    if let Some(tz) = req(
        v,
        &s.timezone,
        file,
        span.clone(),
        "timezone",
        "add timezone = \"Asia/Almaty\" (an IANA name)",
    ) {
        match tz.get_ref().parse::<chrono_tz::Tz>() {
            Ok(t) => out.timezone = t,
            Err(_) => v.err(
                file,
                tz.span(),
                format!("unknown time zone {}", value(tz.get_ref())),
                "use an IANA name such as \"Asia/Almaty\" or \"Asia/Qostanay\"",
            ),
        }
    }
    if let Some(sch) = &s.schedule {
        let parsed = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .dom_and_dow(true)
            .build()
            .parse(sch.get_ref());
        match parsed {
            Ok(_) => out.schedule = sch.get_ref().clone(),
            Err(e) => v.err(
                file,
                sch.span(),
                format!("bad schedule {}: {e}", value(sch.get_ref())),
                "write cron with seconds: \"sec min hour day-of-month month day-of-week\", e.g. \"0 0 9 * * *\" for 09:00 daily",
            ),
        }
    }
    if let Some(dir) = &s.state_dir {
        out.state_dir = base.join(dir.get_ref());
    }
    let mut includes = Vec::new();
    for inc in s.include.iter().flatten() {
        out.include.push(inc.get_ref().clone());
        includes.push((inc.get_ref().clone(), inc.span()));
    }
    if let Some(a) = &s.admin {
        if email_ok(v, file, a, "admin") {
            out.admin = Some(a.get_ref().clone());
        }
    }
    if let Some(h) = &s.alert_after_hours {
        let n = *h.get_ref();
        if !(1..=24 * 30).contains(&n) {
            v.err(
                file,
                h.span(),
                format!("alert_after_hours must be between 1 and 720, not {n}"),
                "",
            );
        } else {
            out.alert_after_hours = n as u32;
        }
    }
    (out, includes)
}

fn email_ok(v: &mut V<'_>, file: usize, a: &S<String>, what: &str) -> bool {
    match a.get_ref().parse::<lettre::Address>() {
        Ok(_) => true,
        Err(_) => {
            v.err(
                file,
                a.span(),
                format!("{what} {} is not an email address", value(a.get_ref())),
                "write it as name@example.org",
            );
            false
        }
    }
}

pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

fn mail(
    v: &mut V<'_>,
    file: usize,
    m: Option<&S<raw::RawMail>>,
    base: &Path,
    state_dir: &Path,
    _env: &Env,
) -> Mail {
    let mut out = Mail {
        transport: Transport::File,
        host: String::new(),
        port: 465,
        tls: Tls::Wrapper,
        username: None,
        password_file: None,
        ca_file: None,
        from: "Docket <docket@localhost>".into(),
        timeout_secs: 30,
        dir: state_dir.join("outbox"),
        sendmail_command: PathBuf::from("/usr/sbin/sendmail"),
        templates_dir: None,
    };
    let Some(m) = m else { return out };
    let span = m.span();
    let m = m.get_ref();
    if let Some(t) = &m.transport {
        out.transport = match t.get_ref().as_str() {
            "smtp" => Transport::Smtp,
            "sendmail" => Transport::Sendmail,
            "file" => Transport::File,
            other => {
                v.err(
                    file,
                    t.span(),
                    format!("unknown transport {}", value(other)),
                    "use \"smtp\", \"sendmail\" or \"file\"",
                );
                Transport::File
            }
        };
    }
    if let Some(t) = &m.tls {
        out.tls = match t.get_ref().as_str() {
            "wrapper" => Tls::Wrapper,
            "starttls" => Tls::Starttls,
            "none" => Tls::None,
            other => {
                v.err(
                    file,
                    t.span(),
                    format!("unknown tls mode {}", value(other)),
                    "use \"wrapper\" (port 465), \"starttls\" (port 587) or \"none\" (loopback only)",
                );
                Tls::Wrapper
            }
        };
    }
    out.port = match out.tls {
        Tls::Wrapper => 465,
        Tls::Starttls => 587,
        Tls::None => 25,
    };
    if let Some(p) = &m.port {
        match u16::try_from(*p.get_ref()) {
            Ok(n) if n > 0 => out.port = n,
            _ => v.err(
                file,
                p.span(),
                format!("port {} is not a TCP port", p.get_ref()),
                "use 1 to 65535",
            ),
        }
    }
    if let Some(h) = &m.host {
        out.host = h.get_ref().trim().to_string();
        if out.host.is_empty() {
            v.err(
                file,
                h.span(),
                "host is empty",
                "write the relay's host name",
            );
        }
    }
    if out.transport == Transport::Smtp {
        req(
            v,
            &m.host,
            file,
            span.clone(),
            "host",
            "add host = \"mail.example.org\" for transport = \"smtp\"",
        );
        if out.tls == Tls::None && !out.host.is_empty() && !is_loopback_host(&out.host) {
            let at = m.tls.as_ref().map(|t| t.span()).unwrap_or(span.clone());
            v.err(
                file,
                at,
                format!("tls = \"none\" to {}: mail would cross the network unencrypted", out.host),
                "use tls = \"wrapper\" or \"starttls\"; \"none\" is only allowed to a loopback host (127.0.0.1, ::1, localhost)",
            );
        }
    }
    if let Some(u) = &m.username {
        out.username = Some(u.get_ref().clone());
        if out.tls == Tls::None {
            v.err(
                file,
                u.span(),
                "a username with tls = \"none\" would send the password unencrypted",
                "use tls = \"wrapper\" or \"starttls\", or remove the username for an unauthenticated loopback relay",
            );
        }
    }
    if let Some(p) = &m.password_file {
        let path = base.join(p.get_ref());
        if m.username.is_none() {
            v.warn(
                file,
                p.span(),
                "password_file is set but username is not, so it is never used",
                "add username, or remove password_file",
            );
        }
        if path.exists() {
            check_secret_permissions(&path, file, p.span(), v);
        } else {
            v.warn(
                file,
                p.span(),
                format!("password file {} does not exist (yet)", path.display()),
                "create it (mode 0600, or 0640 root:docket), or pass it as a systemd credential",
            );
        }
        out.password_file = Some(path);
    }
    if let Some(c) = &m.ca_file {
        let path = base.join(c.get_ref());
        if !path.is_file() {
            v.err(
                file,
                c.span(),
                format!("ca_file {} does not exist", path.display()),
                "point at a PEM file with the relay's CA certificate",
            );
        }
        out.ca_file = Some(path);
    }
    if let Some(f) = &m.from {
        match f.get_ref().parse::<lettre::message::Mailbox>() {
            Ok(_) => out.from = f.get_ref().clone(),
            Err(_) => v.err(
                file,
                f.span(),
                format!("from {} is not a mailbox", value(f.get_ref())),
                "write it as \"Docket <docket@ngo.example>\" or docket@ngo.example",
            ),
        }
    } else if out.transport != Transport::File {
        v.err(
            file,
            span.clone(),
            "missing `from`",
            "add from = \"Docket <docket@ngo.example>\"",
        );
    }
    if let Some(t) = &m.timeout_secs {
        let n = *t.get_ref();
        if !(1..=600).contains(&n) {
            v.err(
                file,
                t.span(),
                format!("timeout_secs must be between 1 and 600, not {n}"),
                "",
            );
        } else {
            out.timeout_secs = n as u64;
        }
    }
    if let Some(d) = &m.dir {
        out.dir = base.join(d.get_ref());
    }
    if let Some(s) = &m.sendmail_command {
        out.sendmail_command = PathBuf::from(s.get_ref());
    }
    if let Some(t) = &m.templates_dir {
        let p = base.join(t.get_ref());
        if !p.is_dir() {
            v.err(
                file,
                t.span(),
                format!("templates_dir {} is not a directory", p.display()),
                "",
            );
        }
        out.templates_dir = Some(p);
    }
    out
}

fn privacy(v: &mut V<'_>, file: usize, p: Option<&raw::RawPrivacy>) -> Privacy {
    let mut out = Privacy {
        names_in_email: false,
        numbers_in_email: false,
        ledger_retention_days: 90,
    };
    if let Some(p) = p {
        out.names_in_email = p.names_in_email.unwrap_or(false);
        out.numbers_in_email = p.numbers_in_email.unwrap_or(false);
        if let Some(r) = &p.ledger_retention_days {
            out.ledger_retention_days = v.days(file, r, "ledger_retention_days", 0);
        }
    }
    out
}

fn calendar_spec(v: &mut V<'_>, file: usize, c: Option<&raw::RawCalendar>) -> CalendarSpec {
    let mut out = CalendarSpec::default();
    let Some(c) = c else { return out };
    if let Some(w) = &c.weekend {
        out.weekend.clear();
        for day in w {
            match weekday(day.get_ref()) {
                Some(d) => {
                    out.weekend.insert(d);
                }
                None => v.err(
                    file,
                    day.span(),
                    format!("unknown weekday {}", value(day.get_ref())),
                    "use mon, tue, wed, thu, fri, sat or sun",
                ),
            }
        }
        if out.weekend.len() == 7 {
            v.err(
                file,
                w[0].span(),
                "every day of the week is a weekend: nothing could ever be due",
                "",
            );
        }
    }
    if let Some(h) = &c.holidays {
        out.holidays = match h.get_ref().as_str() {
            "kz" => HolidaySet::Kz,
            "none" => HolidaySet::None,
            other => {
                v.err(
                    file,
                    h.span(),
                    format!("unknown holiday list {}", value(other)),
                    "use \"kz\" (Kazakhstan's statutory days off) or \"none\"",
                );
                HolidaySet::Kz
            }
        };
    }
    for d in c.extra_holidays.iter().flatten() {
        out.extra_holidays.insert(v.date(file, d));
    }
    for d in c.extra_working_days.iter().flatten() {
        let date = v.date(file, d);
        if out.extra_holidays.contains(&date) {
            v.err(
                file,
                d.span(),
                format!("{date} is both an extra holiday and an extra working day"),
                "remove it from one of the lists",
            );
        }
        out.extra_working_days.insert(date);
    }
    for (year, date) in c.kurban_ait.iter().flatten() {
        let d = v.date(file, date);
        match year.get_ref().parse::<i32>() {
            Ok(y) if d.year() == y => {
                out.kurban_ait.insert(y, d);
            }
            Ok(y) => v.err(
                file,
                date.span(),
                format!("Kurban Ait {y} set to {d}, a day in another year"),
                format!("write {y} = {y}-MM-DD"),
            ),
            Err(_) => v.err(
                file,
                year.span(),
                format!("{} is not a year", value(year.get_ref())),
                "write the year the date falls in, e.g. kurban_ait = { 2027 = 2027-05-16 }",
            ),
        }
    }
    if let Some(m) = &c.day_off_deadline {
        out.day_off_deadline = match m.get_ref().as_str() {
            "before" => DayOffDeadline::Before,
            "after" => DayOffDeadline::After,
            "keep" => DayOffDeadline::Keep,
            other => {
                v.err(
                    file,
                    m.span(),
                    format!("unknown day_off_deadline {}", value(other)),
                    "use \"before\", \"after\" or \"keep\"",
                );
                DayOffDeadline::Before
            }
        };
    }
    out
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    })
}

fn reminders(v: &mut V<'_>, file: usize, r: Option<&raw::RawReminders>) -> ReminderRules {
    let mut out = ReminderRules {
        lead_days: vec![60, 30, 14, 7, 1].into(),
        overdue_every_days: 7,
        escalate_within_days: 7,
    };
    let Some(r) = r else { return out };
    if let Some(l) = &r.lead_days {
        out.lead_days = v.lead_days(file, l).into();
    }
    if let Some(o) = &r.overdue_every_days {
        out.overdue_every_days = v.days(file, o, "overdue_every_days", 0);
    }
    if let Some(e) = &r.escalate_within_days {
        out.escalate_within_days = v.days(file, e, "escalate_within_days", 0);
    }
    out
}

fn kinds(
    v: &mut V<'_>,
    file: usize,
    k: Option<&BTreeMap<S<String>, S<raw::RawKind>>>,
    defaults: &ReminderRules,
) -> BTreeMap<String, Kind> {
    let mut out = BTreeMap::new();
    for (name, kind) in k.into_iter().flatten() {
        let k = kind.get_ref();
        let mut rules = defaults.clone();
        if let Some(l) = &k.lead_days {
            rules.lead_days = v.lead_days(file, l).into();
        }
        if let Some(o) = &k.overdue_every_days {
            rules.overdue_every_days = v.days(file, o, "overdue_every_days", 0);
        }
        if let Some(e) = &k.escalate_within_days {
            rules.escalate_within_days = v.days(file, e, "escalate_within_days", 0);
        }
        let valid_for = k.valid_for.as_ref().and_then(|d| v.duration(file, d));
        let answer_within = k.answer_within.as_ref().and_then(|d| v.duration(file, d));
        out.insert(
            name.get_ref().clone(),
            Kind {
                label: k.label.as_ref().map(|l| l.get_ref().clone()),
                valid_for,
                answer_within,
                rules,
            },
        );
    }
    out
}

fn caseworkers(v: &mut V<'_>, file: usize, list: &[S<raw::RawCaseworker>]) -> Vec<Caseworker> {
    let mut out: Vec<Caseworker> = Vec::new();
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut sup_refs: Vec<Option<S<String>>> = Vec::new();
    for cw in list {
        let span = cw.span();
        let c = cw.get_ref();
        let id = match req(
            v,
            &c.id,
            file,
            span.clone(),
            "id",
            "give each caseworker an id, e.g. id = \"aigerim\"",
        ) {
            Some(id) => {
                if seen.insert(id.get_ref().clone(), id.span()).is_some() {
                    v.err(
                        file,
                        id.span(),
                        format!("duplicate caseworker id \"{}\"", id.get_ref()),
                        "caseworker ids must be unique",
                    );
                }
                id.get_ref().clone()
            }
            None => String::new(),
        };
        let email = match req(
            v,
            &c.email,
            file,
            span.clone(),
            "email",
            "add email = \"name@ngo.example\"",
        ) {
            Some(e) => {
                email_ok(v, file, e, "email");
                e.get_ref().clone()
            }
            None => String::new(),
        };
        let language = match &c.language {
            None => Language::En,
            Some(l) => match l.get_ref().as_str() {
                "en" => Language::En,
                "ru" => Language::Ru,
                "kk" => Language::Kk,
                other => {
                    v.err(
                        file,
                        l.span(),
                        format!("unknown language {}", value(other)),
                        "use \"en\", \"ru\" or \"kk\"",
                    );
                    Language::En
                }
            },
        };
        out.push(Caseworker {
            id,
            name: Sensitive::new(
                c.name
                    .as_ref()
                    .map(|n| n.get_ref().clone())
                    .unwrap_or_default(),
            ),
            email,
            supervisor: None,
            language,
        });
        sup_refs.push(c.supervisor.clone());
    }
    let index: HashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    for (i, s) in sup_refs.iter().enumerate() {
        let Some(s) = s else { continue };
        match index.get(s.get_ref()) {
            Some(&j) => out[i].supervisor = Some(j),
            None => {
                let hint = closest(s.get_ref(), index.keys().map(String::as_str))
                    .map(|c| format!("did you mean \"{c}\"?"))
                    .unwrap_or_else(|| "name another caseworker's id".into());
                v.err(
                    file,
                    s.span(),
                    format!("unknown supervisor {}", value(s.get_ref())),
                    hint,
                );
            }
        }
    }
    // Supervisor cycles: follow each chain; a chain that comes back to its
    // start is reported once, at its first member.
    let mut reported = BTreeSet::new();
    for start in 0..out.len() {
        let mut chain = vec![start];
        let mut cur = out[start].supervisor;
        while let Some(n) = cur {
            if n == start {
                let min = *chain.iter().min().expect("non-empty");
                if min == start && reported.insert(start) {
                    let names: Vec<&str> = chain
                        .iter()
                        .chain(std::iter::once(&start))
                        .map(|&i| out[i].id.as_str())
                        .collect();
                    let span = sup_refs[start].as_ref().map(|s| s.span()).unwrap_or(0..0);
                    v.err(
                        file,
                        span,
                        format!("supervisor cycle: {}", names.join(" → ")),
                        "an escalation must end with someone who has no supervisor",
                    );
                }
                break;
            }
            if chain.contains(&n) || chain.len() > out.len() {
                break;
            }
            chain.push(n);
            cur = out[n].supervisor;
        }
    }
    out
}

fn caseworker_ref(
    v: &mut V<'_>,
    file: usize,
    r: &S<String>,
    index: &HashMap<String, usize>,
    what: &str,
) -> usize {
    match index.get(r.get_ref()) {
        Some(&i) => i,
        None => {
            let hint = closest(r.get_ref(), index.keys().map(String::as_str))
                .map(|c| format!("did you mean \"{c}\"?"))
                .unwrap_or_else(|| {
                    "add a [[caseworker]] with this id, or fix the reference".into()
                });
            v.err(
                file,
                r.span(),
                format!("unknown {what} {}", value(r.get_ref())),
                hint,
            );
            usize::MAX
        }
    }
}

fn bills_model(
    v: &mut V<'_>,
    list: &[Located<raw::RawBill>],
    cw: &HashMap<String, usize>,
    defaults: &ReminderRules,
) -> Vec<Bill> {
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for Located { file, item } in list {
        let file = *file;
        let span = item.span();
        let b = item.get_ref();
        let id = req(
            v,
            &b.id,
            file,
            span.clone(),
            "id",
            "give the bill an id, e.g. id = \"migration-law\"",
        );
        if let Some(id) = id {
            if seen.insert(id.get_ref().clone(), ()).is_some() {
                v.err(
                    file,
                    id.span(),
                    format!("duplicate bill id \"{}\"", id.get_ref()),
                    "bill ids must be unique across all files",
                );
            }
        }
        let owner = req(
            v,
            &b.owner,
            file,
            span.clone(),
            "owner",
            "name the caseworker who follows this bill: owner = \"dana\"",
        )
        .map(|o| caseworker_ref(v, file, o, cw, "owner"))
        .unwrap_or(usize::MAX);
        let stages: Vec<String> = match &b.stages {
            Some(s) => {
                let list: Vec<String> = s.get_ref().iter().map(|x| x.get_ref().clone()).collect();
                if list.is_empty() {
                    v.err(
                        file,
                        s.span(),
                        "stages is empty",
                        "list the bill's stages in order, or remove the key for the default",
                    );
                }
                let mut uniq = BTreeSet::new();
                for st in s.get_ref() {
                    if !uniq.insert(st.get_ref().clone()) {
                        v.err(
                            file,
                            st.span(),
                            format!("stage \"{}\" is listed twice", st.get_ref()),
                            "",
                        );
                    }
                }
                list
            }
            None => DEFAULT_STAGES.iter().map(|s| s.to_string()).collect(),
        };
        let stage_idx = |v: &mut V<'_>, s: &S<String>| -> Option<usize> {
            let i = stages.iter().position(|x| x == s.get_ref());
            if i.is_none() {
                let hint = closest(s.get_ref(), stages.iter().map(String::as_str))
                    .map(|c| format!("did you mean \"{c}\"? stages: {}", stages.join(", ")))
                    .unwrap_or_else(|| format!("use one of: {}", stages.join(", ")));
                v.err(
                    file,
                    s.span(),
                    format!("unknown stage {}", value(s.get_ref())),
                    hint,
                );
            }
            i
        };
        let stage = req(
            v,
            &b.stage,
            file,
            span.clone(),
            "stage",
            "give the bill's current stage: stage = \"drafted\"",
        )
        .and_then(|s| stage_idx(v, s))
        .unwrap_or(0);
        let mut expected = BTreeMap::new();
        for (k, d) in b.expected.iter().flatten() {
            let date = v.date(file, d);
            if let Some(i) = stage_idx(v, k) {
                expected.insert(i, date);
                if i > stage {
                    v.note_deadline(date.year(), file, d.span());
                }
            }
        }
        let stage_since = b.stage_since.as_ref().map(|d| v.date(file, d));
        let last_checked = b.last_checked.as_ref().map(|d| v.date(file, d));
        let check_every_days = b
            .check_every_days
            .as_ref()
            .map(|c| v.days(file, c, "check_every_days", 1));
        if let (Some(c), None) = (&b.check_every_days, &b.last_checked) {
            v.err(
                file,
                c.span(),
                "check_every_days needs last_checked",
                "add last_checked = <the day someone last checked the bill>",
            );
        }
        if let (Some(lc), Some(n)) = (last_checked, check_every_days) {
            if let Some(d) = lc.checked_add_days(chrono::Days::new(n.into())) {
                let span = b
                    .last_checked
                    .as_ref()
                    .map(|x| x.span())
                    .unwrap_or(span.clone());
                v.in_range(
                    file,
                    span.clone(),
                    d,
                    "the review date (last_checked + check_every_days)",
                );
                v.note_deadline(d.year(), file, span);
            }
        }
        let rules = match &b.lead_days {
            Some(l) => ReminderRules {
                lead_days: v.lead_days(file, l).into(),
                ..defaults.clone()
            },
            None => defaults.clone(),
        };
        out.push(Bill {
            id: id.map(|i| i.get_ref().clone()).unwrap_or_default(),
            title: b
                .title
                .as_ref()
                .map(|t| t.get_ref().clone())
                .unwrap_or_default(),
            owner,
            stages,
            stage,
            stage_since,
            expected,
            last_checked,
            check_every_days,
            rules,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn cases_model(
    v: &mut V<'_>,
    list: &[Located<raw::RawCase>],
    cw: &HashMap<String, usize>,
    bills: &HashMap<&str, usize>,
    kinds: &BTreeMap<String, Kind>,
    defaults: &ReminderRules,
    cal: &Calendar,
) -> Vec<Case> {
    let mut out = Vec::with_capacity(list.len());
    let mut seen: HashMap<&str, ()> = HashMap::with_capacity(list.len());
    for Located { file, item } in list {
        let file = *file;
        let span = item.span();
        let c = item.get_ref();
        let id = req(
            v,
            &c.id,
            file,
            span.clone(),
            "id",
            "give the case its reference, e.g. id = \"KZ-0042\"",
        );
        if let Some(id) = id {
            if id.get_ref().trim().is_empty() {
                v.err(
                    file,
                    id.span(),
                    "case id is empty",
                    "use the case reference, e.g. \"KZ-0042\"",
                );
            }
            if seen.insert(id.get_ref().as_str(), ()).is_some() {
                v.err(
                    file,
                    id.span(),
                    format!("duplicate case id \"{}\"", id.get_ref()),
                    "case ids must be unique across all files",
                );
            }
        }
        let caseworker = req(
            v,
            &c.caseworker,
            file,
            span.clone(),
            "caseworker",
            "name the responsible caseworker's id",
        )
        .map(|r| caseworker_ref(v, file, r, cw, "caseworker"))
        .unwrap_or(usize::MAX);
        let mut case = Case {
            id: id.map(|i| i.get_ref().clone()).unwrap_or_default(),
            caseworker,
            person: c
                .person
                .as_ref()
                .map(|p| Sensitive::new(p.get_ref().clone())),
            documents: Vec::new(),
            requests: Vec::new(),
            events: Vec::new(),
        };
        for d in c.document.iter().flatten() {
            if let Some(doc) = document(v, file, d, kinds, defaults, cal) {
                case.documents.push(doc);
            }
        }
        for r in c.request.iter().flatten() {
            if let Some(req) = request(v, file, r, kinds, defaults, bills, cal) {
                case.requests.push(req);
            }
        }
        for e in c.event.iter().flatten() {
            if let Some(ev) = event(v, file, e, kinds, defaults) {
                case.events.push(ev);
            }
        }
        out.push(case);
    }
    out
}

fn kind_of<'k>(
    v: &mut V<'_>,
    file: usize,
    k: &S<String>,
    kinds: &'k BTreeMap<String, Kind>,
) -> Option<&'k Kind> {
    let kind = kinds.get(k.get_ref());
    if kind.is_none() {
        let hint = closest(k.get_ref(), kinds.keys().map(String::as_str))
            .map(|c| format!("did you mean \"{c}\"? or define [kinds.{}]", k.get_ref()))
            .unwrap_or_else(|| {
                format!(
                    "define [kinds.{}] to give it a label and defaults",
                    k.get_ref()
                )
            });
        v.warn(
            file,
            k.span(),
            format!("kind \"{}\" is not defined under [kinds]", k.get_ref()),
            hint,
        );
    }
    kind
}

fn document(
    v: &mut V<'_>,
    file: usize,
    d: &S<raw::RawDocument>,
    kinds: &BTreeMap<String, Kind>,
    defaults: &ReminderRules,
    cal: &Calendar,
) -> Option<Document> {
    let span = d.span();
    let d = d.get_ref();
    let kind_name = req(
        v,
        &d.kind,
        file,
        span.clone(),
        "kind",
        "say what document this is, e.g. kind = \"refugee_certificate\"",
    )?;
    let kind = kind_of(v, file, kind_name, kinds);
    let issued = d.issued.as_ref().map(|x| v.date(file, x));
    let status = match &d.status {
        None => DocumentStatus::Active,
        Some(s) => match s.get_ref().as_str() {
            "active" => DocumentStatus::Active,
            "renewal_filed" => DocumentStatus::RenewalFiled,
            "renewed" => DocumentStatus::Renewed,
            "expired" => DocumentStatus::Expired,
            "withdrawn" => DocumentStatus::Withdrawn,
            other => {
                v.err(
                    file,
                    s.span(),
                    format!("unknown document status {}", value(other)),
                    "use active, renewal_filed, renewed, expired or withdrawn",
                );
                DocumentStatus::Active
            }
        },
    };
    let expires = match (&d.expires, kind.and_then(|k| k.valid_for), issued) {
        (Some(e), _, _) => v.date(file, e),
        (None, Some(valid_for), Some(issued)) => match cal.add(issued, valid_for) {
            Some(e) => e,
            None => {
                v.err(file, span.clone(), "issued + valid_for is out of range", "");
                return None;
            }
        },
        (None, Some(valid_for), None) => {
            v.err(
                file,
                kind_name.span(),
                format!(
                    "this document needs `issued` (its kind is valid for {valid_for}) or `expires`"
                ),
                "add issued = YYYY-MM-DD, or expires = YYYY-MM-DD",
            );
            return None;
        }
        (None, None, _) => {
            v.err(
                file,
                kind_name.span(),
                format!(
                    "document of kind \"{}\" has neither `expires` nor a kind with `valid_for`",
                    kind_name.get_ref()
                ),
                format!(
                    "add expires = YYYY-MM-DD, or valid_for = \"1y\" under [kinds.{}]",
                    kind_name.get_ref()
                ),
            );
            return None;
        }
    };
    if let (Some(i), Some(e)) = (issued, d.expires.as_ref()) {
        if e.get_ref().0 < i {
            v.err(
                file,
                e.span(),
                format!("expires {} is before issued {i}", e.get_ref().0),
                "check the dates",
            );
        }
    }
    if d.expires.is_none() {
        v.in_range(
            file,
            span.clone(),
            expires,
            "the expiry (issued + valid_for)",
        );
    }
    let filed = d.filed.as_ref().map(|x| v.date(file, x));
    let base = kind.map(|k| &k.rules).unwrap_or(defaults);
    let rules = v.rules(file, base, d.lead_days.as_ref());
    if !status.resolved() {
        let at = d
            .expires
            .as_ref()
            .map(|e| e.span())
            .unwrap_or(kind_name.span());
        v.note_deadline(expires.year(), file, at);
    }
    Some(Document {
        kind: kind_name.get_ref().clone(),
        number: d
            .number
            .as_ref()
            .map(|n| Sensitive::new(n.get_ref().clone())),
        issued,
        expires,
        status,
        filed,
        rules,
    })
}

fn request(
    v: &mut V<'_>,
    file: usize,
    r: &S<raw::RawRequest>,
    kinds: &BTreeMap<String, Kind>,
    defaults: &ReminderRules,
    bills: &HashMap<&str, usize>,
    cal: &Calendar,
) -> Option<Request> {
    let span = r.span();
    let r = r.get_ref();
    let kind_name = req(
        v,
        &r.kind,
        file,
        span.clone(),
        "kind",
        "say what was requested, e.g. kind = \"travel_document\"",
    )?;
    let kind = kind_of(v, file, kind_name, kinds);
    let filed = r.filed.as_ref().map(|x| v.date(file, x));
    let status = match &r.status {
        None => RequestStatus::Pending,
        Some(s) => match s.get_ref().as_str() {
            "pending" => RequestStatus::Pending,
            "answered" => RequestStatus::Answered,
            "refused" => RequestStatus::Refused,
            "withdrawn" => RequestStatus::Withdrawn,
            other => {
                v.err(
                    file,
                    s.span(),
                    format!("unknown request status {}", value(other)),
                    "use pending, answered, refused or withdrawn",
                );
                RequestStatus::Pending
            }
        },
    };
    let within = match &r.answer_within {
        Some(a) => v.duration(file, a),
        None => kind.and_then(|k| k.answer_within),
    };
    let due = match (&r.extended_to, filed, within) {
        (Some(e), _, _) => v.date(file, e),
        (None, Some(f), Some(w)) => match cal.add(f, w) {
            Some(d)
                if v.in_range(
                    file,
                    span.clone(),
                    d,
                    "the answer date (filed + answer_within)",
                ) =>
            {
                d
            }
            Some(_) => return None,
            None => {
                v.err(
                    file,
                    span.clone(),
                    "filed + answer_within is out of range",
                    "",
                );
                return None;
            }
        },
        (None, None, _) => {
            v.err(
                file,
                kind_name.span(),
                "this request needs `filed` (or `extended_to`) to have a deadline",
                "add filed = YYYY-MM-DD",
            );
            return None;
        }
        (None, Some(_), None) => {
            if r.answer_within.is_none() {
                v.err(
                    file,
                    kind_name.span(),
                    format!("request of kind \"{}\" has no answer_within, so it has no deadline", kind_name.get_ref()),
                    format!("add answer_within = \"15wd\" here or under [kinds.{}], or extended_to = YYYY-MM-DD", kind_name.get_ref()),
                );
            }
            return None;
        }
    };
    if let (Some(f), Some(e)) = (filed, r.extended_to.as_ref()) {
        if e.get_ref().0 < f {
            v.err(
                file,
                e.span(),
                format!("extended_to {} is before filed {f}", e.get_ref().0),
                "check the dates",
            );
        }
    }
    let waiting_for = r
        .waiting_for
        .as_ref()
        .and_then(|w| match bills.get(w.get_ref().as_str()) {
            Some(&i) => Some(i),
            None => {
                let hint = closest(w.get_ref(), bills.keys().copied())
                    .map(|c| format!("did you mean \"{c}\"?"))
                    .unwrap_or_else(|| "add a [[bill]] with this id, or fix the reference".into());
                v.err(
                    file,
                    w.span(),
                    format!("unknown bill {}", value(w.get_ref())),
                    hint,
                );
                None
            }
        });
    let base = kind.map(|k| &k.rules).unwrap_or(defaults);
    let rules = v.rules(file, base, r.lead_days.as_ref());
    if !status.resolved() {
        let at = r
            .extended_to
            .as_ref()
            .or(r.filed.as_ref())
            .map(|e| e.span())
            .unwrap_or(kind_name.span());
        v.note_deadline(due.year(), file, at);
    }
    Some(Request {
        kind: kind_name.get_ref().clone(),
        number: r
            .number
            .as_ref()
            .map(|n| Sensitive::new(n.get_ref().clone())),
        filed,
        due,
        extended: r.extended_to.is_some(),
        status,
        waiting_for,
        rules,
    })
}

fn event(
    v: &mut V<'_>,
    file: usize,
    e: &S<raw::RawEvent>,
    kinds: &BTreeMap<String, Kind>,
    defaults: &ReminderRules,
) -> Option<Event> {
    let span = e.span();
    let e = e.get_ref();
    let date = req(
        v,
        &e.date,
        file,
        span.clone(),
        "date",
        "add date = YYYY-MM-DD",
    )?;
    let date_v = v.date(file, date);
    let kind = match &e.kind {
        Some(k) => {
            kind_of(v, file, k, kinds);
            k.get_ref().clone()
        }
        None => "event".to_string(),
    };
    let base = kinds.get(&kind).map(|k| &k.rules).unwrap_or(defaults);
    let rules = v.rules(file, base, e.lead_days.as_ref());
    if rules.lead_days.is_empty() {
        let at = e
            .lead_days
            .as_ref()
            .map(|l| l.span())
            .unwrap_or(span.clone());
        v.err(
            file,
            at,
            "this event could never be reminded: events get lead reminders only, and lead_days is empty",
            "give it lead_days, e.g. lead_days = [7, 1]",
        );
    }
    v.note_deadline(date_v.year(), file, date.span());
    Some(Event {
        title: Sensitive::new(
            e.title
                .as_ref()
                .map(|t| t.get_ref().clone())
                .unwrap_or_default(),
        ),
        kind,
        date: date_v,
        rules,
    })
}

/// The candidate closest to `word` by edit distance, if close enough to be
/// a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let dist = levenshtein(word, c);
        if dist <= (word.len().max(c.len()) / 3).max(1) && best.is_none_or(|(b, _)| dist < b) {
            best = Some((dist, c));
        }
    }
    best.map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn check_secret_permissions(path: &Path, file: usize, span: Range<usize>, v: &mut V<'_>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 || mode & 0o004 != 0 {
        v.err(
            file,
            span,
            format!(
                "password file {} is accessible to other users (mode {:04o})",
                path.display(),
                mode
            ),
            format!("chmod 0600 {} (or 0640 root:docket)", path.display()),
        );
    }
}
