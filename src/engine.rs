//! The deadline engine: config and a date in, deadlines and reminders out.
//!
//! Pure by design: no IO, no clock, no async. Every function takes `today`
//! (or a range) as an argument, so the same inputs always give the same
//! reminders, and the daemon, `plan`, `upcoming` and the tests all share
//! one implementation of SPEC §3.
//!
//! Vocabulary:
//! - an [`Item`] is something with a deadline: a document's expiry, a
//!   request's answer date, an event, a bill's expected stage date, a bill's
//!   review date, or a bill's stage-change notice;
//! - a [`Reminder`] is one mail-worthy step of an item on one day: a lead
//!   reminder (`30d`), an overdue one, a review, or a notice.

use crate::calendar::Calendar;
use crate::config::model::{Config, ReminderRules};
use chrono::{Days, NaiveDate};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemType {
    Document,
    Request,
    Event,
    Bill,
}

impl ItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Document => "document",
            ItemType::Request => "request",
            ItemType::Event => "event",
            ItemType::Bill => "bill",
        }
    }
}

/// How an item's reminders repeat after its act-by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Lead reminders, then overdue every `overdue_every_days` while
    /// unresolved (documents, requests).
    Deadline,
    /// Lead reminders only (events).
    LeadOnly,
    /// Lead reminders, then one overdue reminder (a bill's expected stage).
    Once,
    /// `review` on the deadline and every `n` days after it.
    Review(u32),
    /// A single notice on the deadline (moved to a working day).
    Notice(Step),
}

/// One reminder step. The ledger keys a reminder by (case, item, deadline,
/// step), so a repeated step carries its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// `L` days before the act-by date.
    Lead(u32),
    /// The `k`-th overdue reminder (0-based).
    Overdue(u32),
    /// The `k`-th review reminder of a bill (0-based).
    Review(u32),
    /// A bill moved to a new stage.
    Stage,
    /// A bill reached its last stage: waiting requests can go ahead.
    Unblocked,
}

impl Step {
    /// The step as SPEC §5's JSON writes it.
    pub fn label(&self) -> String {
        match self {
            Step::Lead(l) => format!("{l}d"),
            Step::Overdue(_) => "overdue".into(),
            Step::Review(_) => "review".into(),
            Step::Stage => "stage".into(),
            Step::Unblocked => "unblocked".into(),
        }
    }

    /// A stable identity for the ledger: unique per item and deadline.
    pub fn key(&self) -> String {
        let mut s = String::new();
        self.write_key(&mut s);
        s
    }

    /// [`Step::key`] into a caller's buffer.
    pub fn write_key(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = match self {
            Step::Lead(l) => write!(out, "{l}d"),
            Step::Overdue(k) => write!(out, "overdue-{k}"),
            Step::Review(k) => write!(out, "review-{k}"),
            Step::Stage => write!(out, "stage"),
            Step::Unblocked => write!(out, "unblocked"),
        };
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, Step::Overdue(_))
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Something with a deadline, with everything needed to schedule it.
#[derive(Debug, Clone)]
pub struct Item<'c> {
    /// The case id, or the bill id for bills.
    pub case: &'c str,
    pub item: ItemType,
    /// The kind; for bills the stage the date belongs to, or "review".
    pub kind: &'c str,
    pub deadline: NaiveDate,
    pub act_by: NaiveDate,
    /// Status as shown by `upcoming`: the document's or request's status,
    /// "scheduled" for events, the current stage for bills.
    pub status: &'c str,
    /// Lead reminders never fall before this (`issued` / `filed`).
    pub start: Option<NaiveDate>,
    pub resolved: bool,
    pub cadence: Cadence,
    pub rules: &'c ReminderRules,
    /// Caseworker indices the reminders go to, sorted and unique.
    pub to: Recipients,
    /// Index of the case (or bill) in the config, and of the item within it,
    /// for rendering details (names, numbers) into mail bodies.
    pub source: Source,
    /// Tells apart items of one case with the same type, kind and deadline
    /// (two hearings on one day), so each has its own ledger identity.
    pub ordinal: u32,
}

/// Who an item's reminders go to: caseworker indices, sorted and unique.
/// Almost always one person, so that case does not allocate (100,000
/// items would otherwise mean 100,000 tiny vectors per pass).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    One(usize),
    Many(Vec<usize>),
}

impl std::ops::Deref for Recipients {
    type Target = [usize];
    fn deref(&self) -> &[usize] {
        match self {
            Recipients::One(c) => std::slice::from_ref(c),
            Recipients::Many(v) => v,
        }
    }
}

/// Where an item came from in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Document { case: usize, index: usize },
    Request { case: usize, index: usize },
    Event { case: usize, index: usize },
    Bill { bill: usize },
}

impl Item<'_> {
    /// Identity within the case for the ledger: "document:refugee_certificate".
    pub fn key(&self) -> String {
        let mut s = String::new();
        self.write_key(&mut s);
        s
    }

    /// [`Item::key`] into a caller's buffer.
    pub fn write_key(&self, out: &mut String) {
        use std::fmt::Write;
        out.push_str(self.item.as_str());
        out.push(':');
        out.push_str(self.kind);
        if self.ordinal != 0 {
            let _ = write!(out, "#{}", self.ordinal);
        }
    }

    /// Does this item take part in `upcoming` (a deadline, not a notice)?
    pub fn is_deadline(&self) -> bool {
        !matches!(self.cadence, Cadence::Notice(_))
    }
}

/// Repeating steps after the act-by date: (first raw date, every n days
/// (0 = once), the step for the k-th repeat).
type Repeats = (NaiveDate, u32, fn(u32) -> Step);

/// One reminder of one item on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub date: NaiveDate,
    /// Index into the items the reminder was computed from.
    pub item: usize,
    pub step: Step,
    /// `act_by − date ≤ escalate_within_days`: the supervisor is told too.
    pub escalated: bool,
}

/// All items of a config, in config order (cases, then bills).
pub fn items(cfg: &Config) -> Vec<Item<'_>> {
    let cal = &cfg.calendar;
    let mut out = Vec::new();
    for (ci, case) in cfg.cases.iter().enumerate() {
        let first = out.len();
        for (i, d) in case.documents.iter().enumerate() {
            out.push(Item {
                case: &case.id,
                item: ItemType::Document,
                kind: &d.kind,
                deadline: d.expires,
                act_by: cal.act_by(d.expires),
                status: d.status.as_str(),
                start: d.issued,
                resolved: d.status.resolved(),
                cadence: Cadence::Deadline,
                rules: &d.rules,
                to: Recipients::One(case.caseworker),
                source: Source::Document { case: ci, index: i },
                ordinal: 0,
            });
        }
        for (i, r) in case.requests.iter().enumerate() {
            out.push(Item {
                case: &case.id,
                item: ItemType::Request,
                kind: &r.kind,
                deadline: r.due,
                act_by: cal.act_by(r.due),
                status: r.status.as_str(),
                start: r.filed,
                resolved: r.status.resolved(),
                cadence: Cadence::Deadline,
                rules: &r.rules,
                to: Recipients::One(case.caseworker),
                source: Source::Request { case: ci, index: i },
                ordinal: 0,
            });
        }
        for (i, e) in case.events.iter().enumerate() {
            out.push(Item {
                case: &case.id,
                item: ItemType::Event,
                kind: &e.kind,
                deadline: e.date,
                // A hearing does not move: with day_off_deadline = "after"
                // its act-by would fall after it, so prepare by the working
                // day before instead.
                act_by: match cal.act_by(e.date) {
                    a if a > e.date => cal.working_on_or_before(e.date),
                    a => a,
                },
                status: "scheduled",
                start: None,
                // Resolved once past: see `Item::resolved_on`.
                resolved: false,
                cadence: Cadence::LeadOnly,
                rules: &e.rules,
                to: Recipients::One(case.caseworker),
                source: Source::Event { case: ci, index: i },
                ordinal: 0,
            });
        }
        // Cases hold a handful of items: a quadratic scan is the cheap way.
        for j in first + 1..out.len() {
            let (before, rest) = out.split_at_mut(j);
            let it = &mut rest[0];
            it.ordinal = before[first..]
                .iter()
                .filter(|o| o.item == it.item && o.kind == it.kind && o.deadline == it.deadline)
                .count() as u32;
        }
    }
    for (bi, bill) in cfg.bills.iter().enumerate() {
        let current = bill.stages[bill.stage].as_str();
        let owner = Recipients::One(bill.owner);
        for (&si, &date) in bill.expected.range(bill.stage + 1..) {
            out.push(Item {
                case: &bill.id,
                item: ItemType::Bill,
                kind: &bill.stages[si],
                deadline: date,
                act_by: cal.act_by(date),
                status: current,
                start: None,
                resolved: false,
                cadence: Cadence::Once,
                rules: &bill.rules,
                to: owner.clone(),
                source: Source::Bill { bill: bi },
                ordinal: 0,
            });
        }
        if let (Some(lc), Some(n)) = (bill.last_checked, bill.check_every_days) {
            if let Some(due) = lc.checked_add_days(Days::new(n.into())) {
                out.push(Item {
                    case: &bill.id,
                    item: ItemType::Bill,
                    kind: "review",
                    deadline: due,
                    act_by: cal.act_by(due),
                    status: current,
                    start: None,
                    resolved: false,
                    cadence: Cadence::Review(n),
                    rules: &bill.rules,
                    to: owner.clone(),
                    source: Source::Bill { bill: bi },
                    ordinal: 0,
                });
            }
        }
        if let Some(since) = bill.stage_since {
            // Caseworkers of cases with a request waiting on this bill that
            // is neither withdrawn nor answered: a refused request is the
            // one to file again once the law is in force (SPEC §3).
            let mut waiting: Vec<usize> = cfg
                .cases
                .iter()
                .filter(|c| {
                    c.requests
                        .iter()
                        .any(|r| r.waiting_for == Some(bi) && r.status.awaits_law())
                })
                .map(|c| c.caseworker)
                .collect();
            waiting.sort_unstable();
            waiting.dedup();
            let last = bill.stage + 1 == bill.stages.len();
            let notice = |step: Step, to: Recipients| Item {
                case: &bill.id,
                item: ItemType::Bill,
                kind: current,
                deadline: since,
                act_by: cal.act_by(since),
                status: current,
                start: None,
                resolved: false,
                cadence: Cadence::Notice(step),
                rules: &bill.rules,
                to,
                source: Source::Bill { bill: bi },
                ordinal: 0,
            };
            if last && !waiting.is_empty() {
                out.push(notice(Step::Stage, owner.clone()));
                out.push(notice(Step::Unblocked, Recipients::Many(waiting)));
            } else {
                let mut to = waiting;
                to.push(bill.owner);
                to.sort_unstable();
                to.dedup();
                out.push(notice(Step::Stage, Recipients::Many(to)));
            }
        }
    }
    out
}

impl Item<'_> {
    /// Is the item settled as of `today`? Events are, once their day passed.
    pub fn resolved_on(&self, today: NaiveDate) -> bool {
        self.resolved || (self.item == ItemType::Event && today > self.deadline)
    }

    /// Lead reminder dates, earliest first, one per day: when two lead steps
    /// land on the same working day the smaller (more urgent) one is kept.
    pub fn lead_dates(&self, cal: &Calendar) -> Vec<(NaiveDate, Step)> {
        let mut out = Vec::with_capacity(self.rules.lead_days.len());
        self.for_each_lead(cal, |d, s| out.push((d, s)));
        out
    }

    /// [`Item::lead_dates`] without allocating: the daemon calls this for
    /// every item on every pass.
    pub fn for_each_lead(&self, cal: &Calendar, mut emit: impl FnMut(NaiveDate, Step)) {
        if matches!(self.cadence, Cadence::Review(_) | Cadence::Notice(_)) || self.resolved {
            return;
        }
        let mut held: Option<(NaiveDate, Step)> = None;
        // lead_days is sorted descending, so dates come out ascending.
        for &l in self.rules.lead_days.iter() {
            let Some(raw) = self.act_by.checked_sub_days(Days::new(l.into())) else {
                continue;
            };
            let d = cal.working_on_or_before(raw);
            if self.start.is_some_and(|s| d < s) {
                continue;
            }
            // An event is over once its day has passed (act-by can be later
            // with day_off_deadline = "after").
            if self.item == ItemType::Event && d > self.deadline {
                continue;
            }
            match held {
                Some((hd, _)) if hd == d => held = Some((d, Step::Lead(l))),
                Some(h) => {
                    emit(h.0, h.1);
                    held = Some((d, Step::Lead(l)));
                }
                None => held = Some((d, Step::Lead(l))),
            }
        }
        if let Some((d, s)) = held {
            emit(d, s);
        }
    }

    /// Base date and interval of the repeating steps after the act-by date:
    /// (first raw date, every n days (0 = once), step constructor).
    fn repeats(&self) -> Option<Repeats> {
        if self.resolved {
            return None;
        }
        let after = self.act_by.succ_opt()?;
        match self.cadence {
            Cadence::Deadline => Some((after, self.rules.overdue_every_days, Step::Overdue)),
            Cadence::Once => Some((after, 0, Step::Overdue)),
            Cadence::Review(n) => Some((self.deadline, n, Step::Review)),
            Cadence::LeadOnly | Cadence::Notice(_) => None,
        }
    }

    /// Date of the `k`-th repeat, moved to the next working day.
    fn repeat_date(cal: &Calendar, base: NaiveDate, every: u32, k: u32) -> Option<NaiveDate> {
        let raw = base.checked_add_days(Days::new(u64::from(every) * u64::from(k)))?;
        Some(cal.working_on_or_after(raw))
    }

    /// Every reminder of this item dated within `from..=to`, in date order.
    pub fn schedule(
        &self,
        cal: &Calendar,
        from: NaiveDate,
        to: NaiveDate,
        mut emit: impl FnMut(NaiveDate, Step),
    ) {
        if from > to {
            return;
        }
        self.for_each_lead(cal, |d, step| {
            if d >= from && d <= to {
                emit(d, step);
            }
        });
        if let Cadence::Notice(step) = self.cadence {
            let d = cal.working_on_or_after(self.deadline);
            if d >= from && d <= to {
                emit(d, step);
            }
            return;
        }
        let Some((base, every, make)) = self.repeats() else {
            return;
        };
        if every == 0 {
            if let Some(d) = Self::repeat_date(cal, base, 0, 0) {
                if d >= from && d <= to {
                    emit(d, make(0));
                }
            }
            return;
        }
        // Skip straight to the first repeat that can reach `from`: moving to
        // a working day only ever goes forward, by far less than 366 days.
        let skip = (from - base).num_days() - 366;
        let mut k = if skip > 0 {
            (skip / i64::from(every)) as u32
        } else {
            0
        };
        let mut prev = None;
        while let Some(d) = Self::repeat_date(cal, base, every, k) {
            if d > to {
                break;
            }
            // Two repeats moved onto the same working day count once.
            if d >= from && prev != Some(d) {
                emit(d, make(k));
            }
            prev = Some(d);
            k += 1;
        }
    }

    /// The latest reminder dated on or before `today`: what a daemon that
    /// was down should send now (SPEC §3, catch-up). `None` if nothing was
    /// due yet or the item is settled.
    pub fn latest_due(&self, cal: &Calendar, today: NaiveDate) -> Option<(NaiveDate, Step)> {
        if self.resolved_on(today) {
            return None;
        }
        let mut best = None;
        self.for_each_lead(cal, |d, step| {
            if d <= today {
                best = Some((d, step));
            }
        });
        if let Cadence::Notice(step) = self.cadence {
            let d = cal.working_on_or_after(self.deadline);
            return (d <= today).then_some((d, step));
        }
        if let Some((base, every, make)) = self.repeats() {
            if today >= base {
                let k_hi = if every == 0 {
                    0
                } else {
                    ((today - base).num_days() / i64::from(every)) as u32
                };
                // The k_hi-th repeat may have been moved past today; then the
                // one before it is the latest. Among repeats moved onto the
                // same day, the first one is the step `schedule` emits.
                let mut k = k_hi;
                loop {
                    let d = Self::repeat_date(cal, base, every, k)?;
                    if d <= today {
                        while k > 0 && Self::repeat_date(cal, base, every, k - 1) == Some(d) {
                            k -= 1;
                        }
                        best = Some((d, make(k)));
                        break;
                    }
                    if k == 0 {
                        break;
                    }
                    k -= 1;
                }
            }
        }
        best
    }

    /// Whether a reminder on `date` goes to the supervisor too.
    pub fn escalated_on(&self, date: NaiveDate) -> bool {
        (self.act_by - date).num_days() <= i64::from(self.rules.escalate_within_days)
    }

    /// The supervisors to copy on an escalated reminder: each recipient's
    /// supervisor, unless already a recipient.
    pub fn cc(&self, cfg: &Config) -> Vec<usize> {
        let mut cc: Vec<usize> = self
            .to
            .iter()
            .filter_map(|&c| cfg.caseworkers[c].supervisor)
            .filter(|s| !self.to.contains(s))
            .collect();
        cc.sort_unstable();
        cc.dedup();
        cc
    }
}

/// A plan row resolved to ids, as `docket plan` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanEntry {
    pub date: String,
    pub case: String,
    pub item: &'static str,
    pub kind: String,
    pub deadline: String,
    pub act_by: String,
    pub step: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
}

/// Every reminder from `from` to `to` (inclusive), as the daemon would send
/// them running every day; sorted by date, then case id.
pub fn plan(cfg: &Config, from: NaiveDate, to: NaiveDate) -> Vec<PlanEntry> {
    let items = items(cfg);
    plan_reminders(cfg, &items, from, to)
        .iter()
        .map(|r| plan_entry(cfg, &items, r))
        .collect()
}

/// The reminders of `plan`, sorted, still as indices: what `docket plan`
/// streams out without building a row of strings per reminder.
pub fn plan_reminders(
    cfg: &Config,
    items: &[Item<'_>],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Reminder> {
    let mut rows: Vec<Reminder> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        it.schedule(&cfg.calendar, from, to, |date, step| {
            rows.push(Reminder {
                date,
                item: i,
                step,
                escalated: it.escalated_on(date),
            });
        });
    }
    sort_reminders(items, &mut rows);
    rows
}

/// A plan row borrowed from the config, serialized exactly like
/// [`PlanEntry`].
pub struct PlanRow<'a> {
    cfg: &'a Config,
    item: &'a Item<'a>,
    r: &'a Reminder,
}

impl<'a> PlanRow<'a> {
    pub fn new(cfg: &'a Config, items: &'a [Item<'a>], r: &'a Reminder) -> PlanRow<'a> {
        PlanRow {
            cfg,
            item: &items[r.item],
            r,
        }
    }

    pub fn to_ids(&self) -> Vec<&'a str> {
        let mut v: Vec<&str> = self
            .item
            .to
            .iter()
            .map(|&i| self.cfg.caseworkers[i].id.as_str())
            .collect();
        v.sort_unstable();
        v
    }

    pub fn cc_ids(&self) -> Vec<&'a str> {
        if !self.r.escalated {
            return Vec::new();
        }
        let mut v: Vec<&str> = self
            .item
            .cc(self.cfg)
            .into_iter()
            .map(|i| self.cfg.caseworkers[i].id.as_str())
            .collect();
        v.sort_unstable();
        v
    }

    /// The cells of the human-readable table, in column order.
    pub fn cells(&self) -> [String; 9] {
        let it = self.item;
        [
            self.r.date.to_string(),
            it.case.to_string(),
            it.item.as_str().to_string(),
            it.kind.to_string(),
            self.r.step.label(),
            it.act_by.to_string(),
            it.deadline.to_string(),
            self.to_ids().join(","),
            self.cc_ids().join(","),
        ]
    }
}

impl serde::Serialize for PlanRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let it = self.item;
        let mut st = s.serialize_struct("PlanEntry", 9)?;
        st.serialize_field("date", &DayStr(self.r.date))?;
        st.serialize_field("case", it.case)?;
        st.serialize_field("item", it.item.as_str())?;
        st.serialize_field("kind", it.kind)?;
        st.serialize_field("deadline", &DayStr(it.deadline))?;
        st.serialize_field("act_by", &DayStr(it.act_by))?;
        st.serialize_field("step", &StepStr(self.r.step))?;
        st.serialize_field("to", &self.to_ids())?;
        st.serialize_field("cc", &self.cc_ids())?;
        st.end()
    }
}

struct DayStr(NaiveDate);

impl serde::Serialize for DayStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

struct StepStr(Step);

impl serde::Serialize for StepStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Sort by date, then case id, then item, kind, deadline and step, so the
/// output is the same on every run.
pub fn sort_reminders(items: &[Item<'_>], rows: &mut [Reminder]) {
    rows.sort_by(|a, b| {
        let (x, y) = (&items[a.item], &items[b.item]);
        (a.date, x.case, x.item, x.kind, x.deadline, a.step)
            .cmp(&(b.date, y.case, y.item, y.kind, y.deadline, b.step))
    });
}

pub fn plan_entry(cfg: &Config, items: &[Item<'_>], r: &Reminder) -> PlanEntry {
    let it = &items[r.item];
    let ids = |v: &[usize]| -> Vec<String> {
        let mut ids: Vec<String> = v.iter().map(|&i| cfg.caseworkers[i].id.clone()).collect();
        ids.sort();
        ids
    };
    PlanEntry {
        date: r.date.to_string(),
        case: it.case.to_string(),
        item: it.item.as_str(),
        kind: it.kind.to_string(),
        deadline: it.deadline.to_string(),
        act_by: it.act_by.to_string(),
        step: r.step.label(),
        to: ids(&it.to),
        cc: if r.escalated {
            ids(&it.cc(cfg))
        } else {
            Vec::new()
        },
    }
}

/// The catch-up pass: for each unsettled item, the latest reminder dated on
/// or before `today`. The daemon sends it unless the ledger already has it;
/// when its date is before `today` it is marked late.
pub fn due(cfg: &Config, items: &[Item<'_>], today: NaiveDate) -> Vec<Reminder> {
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        if let Some((date, step)) = it.latest_due(&cfg.calendar, today) {
            out.push(Reminder {
                date,
                item: i,
                step,
                escalated: it.escalated_on(today.max(date)),
            });
        }
    }
    out
}

/// A row of `docket upcoming`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UpcomingEntry {
    pub case: String,
    pub caseworker: String,
    pub item: &'static str,
    pub kind: String,
    pub deadline: String,
    pub act_by: String,
    pub days_left: i64,
    pub status: String,
}

/// Filters for `upcoming`.
#[derive(Debug, Clone, Default)]
pub struct UpcomingFilter<'a> {
    pub case: Option<&'a str>,
    pub caseworker: Option<&'a str>,
}

/// Unresolved deadlines whose act-by date is at most `days` away (overdue
/// ones included), sorted by act-by date, then case id.
pub fn upcoming(
    cfg: &Config,
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<UpcomingEntry> {
    let horizon = today
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX);
    let items = items(cfg);
    let mut rows: Vec<&Item<'_>> = items
        .iter()
        .filter(|it| it.is_deadline() && !it.resolved_on(today) && it.act_by <= horizon)
        .filter(|it| filter.case.is_none_or(|c| it.case == c))
        .filter(|it| {
            filter
                .caseworker
                .is_none_or(|w| cfg.caseworkers[it.to[0]].id == w)
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.act_by, a.case, a.item, a.kind, a.deadline)
            .cmp(&(b.act_by, b.case, b.item, b.kind, b.deadline))
    });
    rows.into_iter()
        .map(|it| UpcomingEntry {
            case: it.case.to_string(),
            caseworker: cfg.caseworkers[it.to[0]].id.clone(),
            item: it.item.as_str(),
            kind: it.kind.to_string(),
            deadline: it.deadline.to_string(),
            act_by: it.act_by.to_string(),
            days_left: (it.act_by - today).num_days(),
            status: it.status.to_string(),
        })
        .collect()
}
