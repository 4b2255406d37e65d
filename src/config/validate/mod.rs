//! From raw structs to the model, reporting every problem with its location.
//!
//! Validation never stops at the first problem: each check records a
//! diagnostic and carries on with a placeholder, and the model is only
//! returned when no error was recorded.
//!
//! In three steps, so that one file can be validated on its own:
//! 1. [`settings`]: the main file's settings (`[service]`, `[mail]`, …,
//!    `[[caseworker]]`), giving the [`Context`] case files are read in;
//! 2. [`cases::file`]: one file's cases and bills, against that context;
//! 3. [`cross_file`]: what only all files together can tell (a case id
//!    twice, a request waiting for a bill no file defines).

mod bills;
mod cases;
pub mod ids;
mod mail;
mod people;
mod service;
mod settings;

use super::diag::Diagnostics;
use super::env::Env;
use super::model::*;
use super::raw::{self, RawDate, S};
use super::suggest;
use super::tr::{tr, Text, Tr, M};
use crate::calendar::{self, Calendar, Duration, HolidaySet};
use crate::privacy::value;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

/// Default digest time: 09:00 every day.
pub const DEFAULT_SCHEDULE: &str = "0 0 9 * * *";
pub const DEFAULT_STATE_DIR: &str = "/var/lib/docket";
pub const DEFAULT_STAGES: [&str; 5] = ["drafted", "mazhilis", "senate", "signed", "in_force"];
/// Longest lead or repeat interval accepted, in days (ten years).
const MAX_DAYS: i64 = 3660;

/// Records problems in one file, and the years deadlines fall in (for the
/// Kurban Ait note).
pub(super) struct Checker<'d> {
    pub d: &'d mut Diagnostics,
    /// Index of the file being checked in `d`.
    pub file: usize,
    /// Years in which an unresolved deadline falls.
    pub deadline_years: &'d mut BTreeSet<i32>,
}

impl Checker<'_> {
    /// An error: `msg` and `help` are [`Tr`]s wherever a case file can
    /// produce them (a caseworker reads them in their language), English
    /// strings only for the main file's settings. An empty help is none.
    fn err(&mut self, span: Range<usize>, msg: impl Into<Text>, help: impl Into<Text>) {
        let help: Text = help.into();
        let d = self.d.error(self.file, span, msg);
        if !help.is_empty() {
            d.help(help);
        }
    }

    fn warn(&mut self, span: Range<usize>, msg: impl Into<Text>, help: impl Into<Text>) {
        let help: Text = help.into();
        let d = self.d.warning(self.file, span, msg);
        if !help.is_empty() {
            d.help(help);
        }
    }

    /// A required key: reported missing at its table's span.
    fn required<'a, T>(
        &mut self,
        field: &'a Option<S<T>>,
        table: &Range<usize>,
        what: &str,
        help: impl Into<Text>,
    ) -> Option<&'a S<T>> {
        if field.is_none() {
            self.err(table.clone(), tr(M::Missing).s("key", what), help);
        }
        field.as_ref()
    }

    /// One of a fixed set of words, told apart from typos.
    fn choice<T: Copy>(
        &mut self,
        v: &S<String>,
        what: &str,
        options: &[(&str, T)],
        help: impl Into<Text>,
    ) -> Option<T> {
        if let Some(&(_, t)) = options.iter().find(|(n, _)| *n == v.get_ref()) {
            return Some(t);
        }
        let help: Text = help.into();
        let hint: Text =
            match suggest::did_you_mean_tr(v.get_ref(), options.iter().map(|(n, _)| *n)) {
                Some(d) => match &help {
                    Text::Tr(h) => tr(M::DidYouMeanThen).t("d", d).t("rest", h.clone()).into(),
                    Text::En(h) => format!("{} {h}", d.en()).into(),
                },
                None => help,
            };
        let unknown = match what {
            "document status" => Some(M::UnknownDocumentStatus),
            "request status" => Some(M::UnknownRequestStatus),
            "language" => Some(M::UnknownLanguage),
            _ => None,
        };
        let msg: Text = match unknown {
            Some(m) => tr(m).s("v", value(v.get_ref())).into(),
            None => format!("unknown {what} {}", value(v.get_ref())).into(),
        };
        self.err(v.span(), msg, hint);
        None
    }

    fn date(&mut self, v: &S<RawDate>) -> NaiveDate {
        let d = v.get_ref().0;
        if d.year() < calendar::MIN_YEAR || d.year() > calendar::MAX_YEAR {
            self.err(
                v.span(),
                tr(M::OutOfRange).s("d", d),
                tr(M::UseDateBetween)
                    .s("min", calendar::MIN_YEAR)
                    .s("max", calendar::MAX_YEAR),
            );
        }
        d
    }

    /// A computed deadline (issued + valid_for, filed + answer_within, a
    /// review date) must fall inside the calendar too: beyond it docket
    /// would not know the days off.
    fn in_range(&mut self, span: Range<usize>, d: NaiveDate, what: Tr) -> bool {
        if d.year() < calendar::MIN_YEAR || d.year() > calendar::MAX_YEAR {
            self.err(
                span,
                tr(M::OutsideCalendar)
                    .t("what", what)
                    .s("d", d)
                    .s("min", calendar::MIN_YEAR)
                    .s("max", calendar::MAX_YEAR),
                tr(M::CheckDatesYear),
            );
            return false;
        }
        true
    }

    fn duration(&mut self, v: &S<String>) -> Option<Duration> {
        match v.get_ref().parse::<Duration>() {
            Ok(d) => Some(d),
            Err(msg) => {
                self.err(v.span(), duration_problem(v.get_ref(), msg), "");
                None
            }
        }
    }

    fn days(&mut self, v: &S<i64>, what: &str, min: i64) -> u32 {
        let n = *v.get_ref();
        if n < min || n > MAX_DAYS {
            self.err(
                v.span(),
                tr(M::DaysBetween)
                    .s("what", what)
                    .s("min", min)
                    .s("max", MAX_DAYS)
                    .s("n", n),
                "",
            );
            return min.max(0) as u32;
        }
        n as u32
    }

    fn lead_days(&mut self, v: &S<Vec<S<i64>>>) -> Vec<u32> {
        let mut out = Vec::new();
        for l in v.get_ref() {
            let n = *l.get_ref();
            if !(0..=MAX_DAYS).contains(&n) {
                self.err(
                    l.span(),
                    tr(M::LeadDayRange).s("n", n),
                    tr(M::LeadDayHelp).s("max", MAX_DAYS),
                );
            } else {
                out.push(n as u32);
            }
        }
        out.sort_unstable_by(|a, b| b.cmp(a));
        out.dedup();
        out
    }

    /// Rules for an item: its own `lead_days`, else those of `base` (its
    /// kind's, else `[reminders]`).
    fn rules(&mut self, base: &ReminderRules, lead: Option<&S<Vec<S<i64>>>>) -> ReminderRules {
        let mut r = base.clone();
        if let Some(l) = lead {
            r.lead_days = self.lead_days(l).into();
        }
        r
    }

    fn note_deadline(&mut self, year: i32) {
        self.deadline_years.insert(year);
    }
}

/// A duration that did not parse, said in words a caseworker can read:
/// `Duration`'s own English message, matched to its translated template.
fn duration_problem(v: &str, en: String) -> Text {
    let q = format!("\"{v}\"");
    let t = if en.contains("has no unit") {
        tr(M::DurationNoUnit).s("v", q)
    } else if en.contains("must start with a number") {
        tr(M::DurationNoNumber).s("v", q)
    } else if en.contains("is too long") {
        tr(M::DurationTooLong)
            .s("v", q)
            .s("max", crate::calendar::MAX_DURATION)
    } else if let Some(unit) = en
        .split("unknown unit \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
    {
        tr(M::DurationUnit)
            .s("v", q)
            .s("unit", format!("\"{unit}\""))
    } else {
        return en.into();
    };
    // The template must say what Duration says, or the English changes.
    if t.en() == en {
        t.into()
    } else {
        en.into()
    }
}

/// What case files are validated against: the main file's settings.
pub(super) struct Context<'a> {
    pub caseworkers: HashMap<&'a str, usize>,
    /// Caseworker ids by index, shared by every file's
    /// [`super::unit::Cases`].
    pub caseworker_names: std::sync::Arc<[String]>,
    /// The kinds' names, shared by every item of the kind.
    pub kind_names: HashMap<&'a str, std::sync::Arc<str>>,
    pub kinds: &'a BTreeMap<String, Kind>,
    pub defaults: &'a ReminderRules,
    pub calendar: &'a Calendar,
    /// The day dates are judged on (`docket check` only): an event already
    /// past, a document issued in the future.
    pub today: Option<NaiveDate>,
}

/// Where a file's ids and references are, for the cross-file checks.
#[derive(Debug, Default)]
pub(super) struct Refs {
    /// The span of each case's id, in the order of the file's cases (the
    /// ids themselves are the cases' own: a checked file has every id).
    /// Byte offsets as u32 (a file over 256 MiB is refused, see
    /// `source::MAX_FILE_BYTES`); a
    /// String per id here cost 6.5 MB at 100,000 cases.
    pub case_spans: Vec<std::ops::Range<u32>>,
    /// Bill ids, in order, with the span of each.
    pub bills: Vec<(String, Range<usize>)>,
    /// `waiting_for` references: bill id and span.
    pub waiting_for: Vec<(String, Range<usize>)>,
}

/// Check the main file's settings; the context case files are read in.
pub(super) fn settings<'d>(
    d: &'d mut Diagnostics,
    file: usize,
    main: &raw::RawMain,
    base_dir: &Path,
    env: &Env,
    years: &'d mut BTreeSet<i32>,
) -> (Settings, Vec<(String, Range<usize>)>) {
    let mut c = Checker {
        d,
        file,
        deadline_years: years,
    };
    let p = settings::settings(&mut c, main, base_dir, env);
    (p.settings, p.includes)
}

impl<'a> Context<'a> {
    /// A kind's name as the items keep it: the shared one for a defined
    /// kind, a string of its own otherwise.
    pub fn kind_name(&self, k: &str) -> std::sync::Arc<str> {
        self.kind_names.get(k).cloned().unwrap_or_else(|| k.into())
    }

    pub fn new(s: &'a Settings, env: &Env) -> Context<'a> {
        let today = env.check.map(|a| match a {
            super::AsOf::Day(d) => d,
            super::AsOf::Today => chrono::Utc::now()
                .with_timezone(&s.service.timezone)
                .date_naive(),
        });
        Context {
            caseworkers: s
                .caseworkers
                .iter()
                .enumerate()
                .map(|(i, cw)| (cw.id.as_str(), i))
                .collect(),
            caseworker_names: s.caseworkers.iter().map(|c| c.id.clone()).collect(),
            kind_names: s
                .kinds
                .keys()
                .map(|k| (k.as_str(), k.as_str().into()))
                .collect(),
            kinds: &s.kinds,
            defaults: &s.reminders,
            calendar: &s.calendar,
            today,
        }
    }
}

/// Check one file's cases and bills (file `file` in `d`) against `ctx`.
pub(super) fn case_file(
    d: &mut Diagnostics,
    file: usize,
    path: &Path,
    cases: &[S<raw::RawCase>],
    bills: &[S<raw::RawBill>],
    ctx: &Context<'_>,
    years: &mut BTreeSet<i32>,
) -> (CaseFile, Refs) {
    let mut c = Checker {
        d,
        file,
        deadline_years: years,
    };
    cases::file(&mut c, path, cases, bills, ctx)
}

/// `docket check` names, once, the years whose Kurban Ait is an estimate.
pub(super) fn kurban_ait_note(d: &mut Diagnostics, years: &BTreeSet<i32>, cal: &Calendar) {
    if cal.spec().holidays != HolidaySet::Kz {
        return;
    }
    let estimated: Vec<String> = years
        .iter()
        .filter(|&&y| {
            calendar::kurban_ait(y, &cal.spec().kurban_ait).0 == calendar::KurbanAit::Estimated
        })
        .map(|y| y.to_string())
        .collect();
    if let Some(first) = estimated.first() {
        d.notes.push(format!(
            "Kurban Ait in {} is an estimate (10 Dhu al-Hijjah, Umm al-Qura calendar) and may be a day off; \
             once the date is announced, set it in [calendar], e.g. kurban_ait = {{ {first} = {first}-MM-DD }}",
            estimated.join(", "),
        ));
    }
}
