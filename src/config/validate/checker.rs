//! What every table's check shares, below them all: the [`Checker`] that
//! records located problems, the [`Context`] case files are read in, the
//! [`Refs`] a file gives the cross-file checks, and the defaults. A module
//! of its own so that the checks of each table (bills, cases, mail, …)
//! import it and never the top of `validate`, which imports them.
//!
//! [`Context::new`] stays in `validate/mod.rs`, beside the other entry
//! points: it picks the day dates are judged on.

use crate::calendar::{self, Calendar, Duration};
use crate::config::diag::Diagnostics;
use crate::config::model::*;
use crate::config::raw::{RawDate, S};
use crate::config::suggest;
use crate::config::tr::{tr, Text, Tr, M};
use crate::privacy::value;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

/// Default digest time: 09:00 every day.
pub const DEFAULT_SCHEDULE: &str = "0 0 9 * * *";
pub const DEFAULT_STATE_DIR: &str = "/var/lib/docket";
pub const DEFAULT_STAGES: [&str; 5] = ["drafted", "mazhilis", "senate", "signed", "in_force"];
/// Longest lead or repeat interval accepted, in days (ten years).
const MAX_DAYS: i64 = 3660;

/// Records problems in one file, and the years deadlines fall in (for the
/// Kurban Ait note).
pub(crate) struct Checker<'d> {
    pub d: &'d mut Diagnostics,
    /// Index of the file being checked in `d`.
    pub file: usize,
    /// Years in which an unresolved deadline falls.
    pub deadline_years: &'d mut BTreeSet<i32>,
    /// This checker's own handle on each shared rule set and kind name it
    /// has handed out: the pieces of a large file are checked on several
    /// threads, and each item's count on one shared `Arc` made the cores
    /// fight over its cache line (5% of a load).
    rules: Own<ReminderRules>,
    kind_names: Own<str>,
}

/// Own handles on shared `Arc`s, by the address of the shared one (a
/// handful: one per kind and the defaults).
struct Own<T: ?Sized>(Vec<(usize, Arc<T>)>);

impl<T: ?Sized> Own<T> {
    /// This checker's handle on `shared`: a copy made once (`copy`), then
    /// counted here.
    fn of(&mut self, shared: &Arc<T>, copy: impl FnOnce(&T) -> Arc<T>) -> Arc<T> {
        let key = Arc::as_ptr(shared) as *const u8 as usize;
        if let Some((_, own)) = self.0.iter().find(|(k, _)| *k == key) {
            return Arc::clone(own);
        }
        let own = copy(shared);
        self.0.push((key, Arc::clone(&own)));
        own
    }
}

impl<'d> Checker<'d> {
    pub(super) fn new(
        d: &'d mut Diagnostics,
        file: usize,
        deadline_years: &'d mut BTreeSet<i32>,
    ) -> Checker<'d> {
        Checker {
            d,
            file,
            deadline_years,
            rules: Own(Vec::new()),
            kind_names: Own(Vec::new()),
        }
    }
}

impl Checker<'_> {
    /// An error: `msg` and `help` are [`Tr`]s wherever a case file can
    /// produce them (a caseworker reads them in their language), English
    /// strings only for the main file's settings. An empty help is none.
    pub(super) fn err(&mut self, span: Range<usize>, msg: impl Into<Text>, help: impl Into<Text>) {
        let help: Text = help.into();
        let d = self.d.error(self.file, span, msg);
        if !help.is_empty() {
            d.help(help);
        }
    }

    pub(super) fn warn(&mut self, span: Range<usize>, msg: impl Into<Text>, help: impl Into<Text>) {
        let help: Text = help.into();
        let d = self.d.warning(self.file, span, msg);
        if !help.is_empty() {
            d.help(help);
        }
    }

    /// A required key: reported missing at its table's span.
    pub(super) fn required<'a, T>(
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
    pub(super) fn choice<T: Copy>(
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

    pub(super) fn date(&mut self, v: &S<RawDate>) -> NaiveDate {
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
    /// `what` is made only for the message (each of 100,000 documents made
    /// one, three allocations, for nothing).
    pub(super) fn in_range(
        &mut self,
        span: Range<usize>,
        d: NaiveDate,
        what: impl FnOnce() -> Tr,
    ) -> bool {
        if d.year() < calendar::MIN_YEAR || d.year() > calendar::MAX_YEAR {
            self.err(
                span,
                tr(M::OutsideCalendar)
                    .t("what", what())
                    .s("d", d)
                    .s("min", calendar::MIN_YEAR)
                    .s("max", calendar::MAX_YEAR),
                tr(M::CheckDatesYear),
            );
            return false;
        }
        true
    }

    pub(super) fn duration(&mut self, v: &S<String>) -> Option<Duration> {
        match v.get_ref().parse::<Duration>() {
            Ok(d) => Some(d),
            Err(msg) => {
                self.err(v.span(), duration_problem(v.get_ref(), msg), "");
                None
            }
        }
    }

    pub(super) fn days(&mut self, v: &S<i64>, what: &str, min: i64) -> u32 {
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

    pub(super) fn lead_days(&mut self, v: &S<Vec<S<i64>>>) -> Vec<u32> {
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

    /// Rules for an item: those of `base` (its kind's, else `[reminders]`)
    /// with its own `lead_days` if it writes them. Shared, not copied, when
    /// it does not (24 bytes less per item at 100,000 cases).
    pub(super) fn rules(
        &mut self,
        base: &Arc<ReminderRules>,
        lead: Option<&S<Vec<S<i64>>>>,
    ) -> Arc<ReminderRules> {
        match lead {
            Some(l) => Arc::new(ReminderRules {
                lead_days: self.lead_days(l).into(),
                ..ReminderRules::clone(base)
            }),
            None => self.rules.of(base, |r| Arc::new(r.clone())),
        }
    }

    /// A kind's name as the items keep it (see [`Context::kind_name`]),
    /// through this checker's own handle, as for [`Checker::rules`].
    pub(super) fn kind_name(&mut self, ctx: &Context<'_>, k: &str) -> Arc<str> {
        match ctx.kind_names.get(k) {
            Some(shared) => self.kind_names.of(shared, |n| Arc::from(n)),
            None => ctx.kind_name(k),
        }
    }

    pub(super) fn note_deadline(&mut self, year: i32) {
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
pub(crate) struct Context<'a> {
    pub caseworkers: crate::config::admit::FastMap<&'a str, usize>,
    /// Caseworker ids by index, shared by every file's
    /// [`crate::config::unit::Cases`].
    pub caseworker_names: std::sync::Arc<[String]>,
    /// The kinds' names, shared by every item of the kind.
    pub kind_names: crate::config::admit::FastMap<&'a str, std::sync::Arc<str>>,
    pub kinds: &'a BTreeMap<String, Kind>,
    pub defaults: &'a Arc<ReminderRules>,
    pub calendar: &'a Calendar,
    /// The day dates are judged on (`docket check` only): an event already
    /// past, a document issued in the future.
    pub today: Option<NaiveDate>,
    /// `[service] editors`: who else may own and write the case files.
    pub editors: Option<&'a Editors>,
}

/// Where a file's ids and references are, for the cross-file checks.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    /// The span of each case's id, in the order of the file's cases (the
    /// ids themselves are the cases' own: a checked file has every id).
    /// Byte offsets as u32 (a file over 256 MiB is refused, see
    /// `source::MAX_FILE_BYTES`); a
    /// String per id here cost 6.5 MB at 100,000 cases.
    pub case_spans: Vec<std::ops::Range<u32>>,
    /// Each case id's key for the cross-file check
    /// ([`crate::config::admit::id_key`]), in the same order: made here,
    /// on the thread that checks the file while the id is in its cache;
    /// made at admission, on one thread, each id read from memory again
    /// cost ~7 ms of a load of 100,000 cases.
    pub case_keys: Vec<u32>,
    /// Bill ids, in order, with the span of each.
    pub bills: Vec<(String, Range<usize>)>,
    /// `waiting_for` references: bill id and span.
    pub waiting_for: Vec<(String, Range<usize>)>,
}
