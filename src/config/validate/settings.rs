//! The main file's settings, in the order they are checked: `[service]`,
//! `[mail]`, `[privacy]`, `[calendar]`, `[reminders]`, `[kinds]` and the
//! caseworkers.

use super::checker::Checker;
use super::{mail, people, service};
use crate::calendar::{Calendar, CalendarSpec, DayOffDeadline, HolidaySet};
use crate::config::env::Env;
use crate::config::model::{Kind, Privacy, ReminderRules, Settings};
use crate::config::raw::{self, S};
use crate::privacy::value;
use chrono::{Datelike, Weekday};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// The settings, and the include patterns with where they are written.
pub(super) struct Parsed {
    pub settings: Settings,
    pub includes: Vec<(String, Range<usize>)>,
}

pub(super) fn settings(c: &mut Checker<'_>, main: &raw::RawMain, base: &Path, env: &Env) -> Parsed {
    let (mut service, includes) = service::service(c, main.service.as_ref(), base, env);
    let mail = mail::mail(c, main.mail.as_ref(), base, &service.state_dir, env);
    if let Some(am) = main
        .service
        .as_ref()
        .and_then(|s| s.get_ref().admin_mail.as_ref())
    {
        let mut m = mail::mail(c, Some(am), base, &service.state_dir, env);
        m.credential = "admin-smtp-password";
        let raw = am.get_ref();
        for (k, set) in [
            ("templates_dir", raw.templates_dir.is_some()),
            ("guide_url", raw.guide_url.is_some()),
            ("summary_from", raw.summary_from.is_some()),
        ] {
            if set {
                c.warn(
                    am.span(),
                    format!("{k} has no effect in [service.admin_mail]: alerts are plain text"),
                    "remove it",
                );
            }
        }
        service.admin_mail = Some(Box::new(m));
    }
    let privacy = privacy(c, main.privacy.as_ref());
    let calendar = Calendar::new(calendar_spec(c, main.calendar.as_ref()));
    let reminders = reminders(c, main.reminders.as_ref());
    let kinds = kinds(c, main.kinds.as_ref(), &reminders);
    let caseworkers = people::caseworkers(c, main.caseworker.as_deref().unwrap_or(&[]));
    Parsed {
        settings: Settings {
            service,
            mail,
            privacy,
            calendar,
            reminders,
            kinds,
            caseworkers,
        },
        includes,
    }
}

/// `[privacy] history_days` when not set (SPEC 6).
pub const DEFAULT_HISTORY_DAYS: u32 = 400;

fn privacy(c: &mut Checker<'_>, p: Option<&raw::RawPrivacy>) -> Privacy {
    let mut out = Privacy {
        names_in_email: false,
        numbers_in_email: false,
        ledger_retention_days: 90,
        history_days: DEFAULT_HISTORY_DAYS,
    };
    if let Some(p) = p {
        out.names_in_email = p.names_in_email.unwrap_or(false);
        out.numbers_in_email = p.numbers_in_email.unwrap_or(false);
        if let Some(r) = &p.ledger_retention_days {
            out.ledger_retention_days = c.days(r, "ledger_retention_days", 0);
        }
        // At least a day: 0 would purge a version the moment it is
        // replaced, and the history would keep only what is on disk.
        if let Some(h) = &p.history_days {
            out.history_days = c.days(h, "history_days", 1);
        }
    }
    out
}

const WEEKDAYS: [(&str, Weekday); 14] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

fn calendar_spec(c: &mut Checker<'_>, cal: Option<&raw::RawCalendar>) -> CalendarSpec {
    let mut out = CalendarSpec::default();
    let Some(cal) = cal else { return out };
    if let Some(w) = &cal.weekend {
        out.weekend.clear();
        for day in w {
            // Weekdays may be written short or in full, in any case.
            let lower = S::new(day.span(), day.get_ref().to_ascii_lowercase());
            if let Some(d) = c.choice(
                &lower,
                "weekday",
                &WEEKDAYS,
                "use mon, tue, wed, thu, fri, sat or sun",
            ) {
                out.weekend.insert(d);
            }
        }
        if out.weekend.len() == 7 {
            c.err(
                w[0].span(),
                "every day of the week is a weekend: nothing could ever be due",
                "",
            );
        }
    }
    if let Some(h) = &cal.holidays {
        out.holidays = c
            .choice(
                h,
                "holiday list",
                &[("kz", HolidaySet::Kz), ("none", HolidaySet::None)],
                "use \"kz\" (Kazakhstan's statutory days off) or \"none\"",
            )
            .unwrap_or(HolidaySet::Kz);
    }
    for d in cal.extra_holidays.iter().flatten() {
        let date = c.date(d);
        out.extra_holidays.insert(date);
    }
    for d in cal.extra_working_days.iter().flatten() {
        let date = c.date(d);
        if out.extra_holidays.contains(&date) {
            c.err(
                d.span(),
                format!("{date} is both an extra holiday and an extra working day"),
                "remove it from one of the lists",
            );
        }
        out.extra_working_days.insert(date);
    }
    for (year, date) in cal.kurban_ait.iter().flatten() {
        let d = c.date(date);
        match year.get_ref().parse::<i32>() {
            Ok(y) if d.year() == y => {
                out.kurban_ait.insert(y, d);
            }
            Ok(y) => c.err(
                date.span(),
                format!("Kurban Ait {y} set to {d}, a day in another year"),
                format!("write {y} = {y}-MM-DD"),
            ),
            Err(_) => c.err(
                year.span(),
                format!("{} is not a year", value(year.get_ref())),
                "write the year the date falls in, e.g. kurban_ait = { 2027 = 2027-05-16 }",
            ),
        }
    }
    if let Some(m) = &cal.day_off_deadline {
        out.day_off_deadline = c
            .choice(
                m,
                "day_off_deadline",
                &[
                    ("before", DayOffDeadline::Before),
                    ("after", DayOffDeadline::After),
                    ("keep", DayOffDeadline::Keep),
                ],
                "use \"before\", \"after\" or \"keep\"",
            )
            .unwrap_or(DayOffDeadline::Before);
    }
    out
}

/// `lead_days`, `overdue_every_days` and `escalate_within_days` over `rules`:
/// `[reminders]` over the built-in defaults, a kind's over `[reminders]`.
fn override_rules(
    c: &mut Checker<'_>,
    rules: &mut ReminderRules,
    lead: Option<&S<Vec<S<i64>>>>,
    overdue: Option<&S<i64>>,
    escalate: Option<&S<i64>>,
) {
    if let Some(l) = lead {
        rules.lead_days = c.lead_days(l).into();
    }
    if let Some(o) = overdue {
        rules.overdue_every_days = c.days(o, "overdue_every_days", 0);
    }
    if let Some(e) = escalate {
        rules.escalate_within_days = c.days(e, "escalate_within_days", 0);
    }
}

fn reminders(c: &mut Checker<'_>, r: Option<&raw::RawReminders>) -> Arc<ReminderRules> {
    let mut out = ReminderRules {
        lead_days: vec![60, 30, 14, 7, 1].into(),
        overdue_every_days: 7,
        escalate_within_days: 7,
    };
    if let Some(r) = r {
        override_rules(
            c,
            &mut out,
            r.lead_days.as_ref(),
            r.overdue_every_days.as_ref(),
            r.escalate_within_days.as_ref(),
        );
    }
    Arc::new(out)
}

fn kinds(
    c: &mut Checker<'_>,
    k: Option<&BTreeMap<S<String>, S<raw::RawKind>>>,
    defaults: &ReminderRules,
) -> BTreeMap<String, Kind> {
    let mut out = BTreeMap::new();
    for (name, kind) in k.into_iter().flatten() {
        let k = kind.get_ref();
        let mut rules = ReminderRules::clone(defaults);
        override_rules(
            c,
            &mut rules,
            k.lead_days.as_ref(),
            k.overdue_every_days.as_ref(),
            k.escalate_within_days.as_ref(),
        );
        let valid_for = k.valid_for.as_ref().and_then(|d| c.duration(d));
        let answer_within = k.answer_within.as_ref().and_then(|d| c.duration(d));
        out.insert(
            name.get_ref().clone(),
            Kind {
                label: k
                    .label
                    .as_ref()
                    .map_or_else(crate::config::model::Label::default, |l| {
                        let l = l.get_ref();
                        crate::config::model::Label {
                            any: l.any.clone(),
                            en: l.en.clone(),
                            ru: l.ru.clone(),
                            kk: l.kk.clone(),
                        }
                    }),
                valid_for,
                answer_within,
                rules: Arc::new(rules),
            },
        );
    }
    out
}
