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

mod schedule;
mod upcoming;

pub use upcoming::{
    in_upcoming_order, upcoming, upcoming_join, upcoming_part, UpcomingFilter, UpcomingPart,
};

use crate::config::model::{CaseRef, Config, DocumentStatus, ReminderRules, RequestStatus};
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

/// The kind of a bill's review item (`last_checked + check_every_days`):
/// the one kind the engine makes up rather than reads from the config,
/// named once so that whoever compares a kind with it compares with this.
pub const REVIEW_KIND: &str = "review";

/// An item's status as `upcoming` shows it: the document's or request's
/// status, "scheduled" for an event, a bill's current stage. Made only
/// from what a status can be ([`Status::document`], [`Status::request`],
/// [`Status::SCHEDULED`], [`Status::stage`]), never from any string, and
/// read back typed with [`Item::status_kind`]. It keeps the text itself
/// ([`Status::as_str`], what SPEC's `upcoming --format json` and the index
/// carry): one thin `&str`, so an [`Item`] is no bigger than when the
/// status was a bare string (a pass at 100,000 cases lists every item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status<'c>(&'c str);

/// What an item's status is, to match on: see [`Item::status_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind<'c> {
    Document(DocumentStatus),
    Request(RequestStatus),
    /// Events: "scheduled" (a past event is resolved, not shown).
    Scheduled,
    /// A bill's current stage: its names are the config's own (`stages`).
    Stage(&'c str),
}

impl<'c> Status<'c> {
    /// An event's status.
    pub const SCHEDULED: Status<'static> = Status("scheduled");

    pub fn document(s: DocumentStatus) -> Status<'static> {
        Status(s.as_str())
    }

    pub fn request(s: RequestStatus) -> Status<'static> {
        Status(s.as_str())
    }

    /// A bill's current stage, named as the bill's `stages` name it.
    pub fn stage(name: &'c str) -> Status<'c> {
        Status(name)
    }

    /// The status as written in the config and in `upcoming`'s output.
    pub fn as_str(self) -> &'c str {
        self.0
    }

    /// What this status is for an item of type `item`; None when the text
    /// is no status of that type.
    pub fn kind(self, item: ItemType) -> Option<StatusKind<'c>> {
        let text = self.0;
        match item {
            ItemType::Document => DocumentStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == text)
                .map(StatusKind::Document),
            ItemType::Request => RequestStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == text)
                .map(StatusKind::Request),
            ItemType::Event => (text == Status::SCHEDULED.0).then_some(StatusKind::Scheduled),
            ItemType::Bill => Some(StatusKind::Stage(text)),
        }
    }

    /// Read back [`Status::as_str`] of an item of type `item` (the index
    /// stores the text); None when the text is no status of that type.
    pub fn parse(item: ItemType, text: &'c str) -> Option<Status<'c>> {
        Status(text).kind(item).map(|_| Status(text))
    }
}

impl fmt::Display for Status<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as [`Status::as_str`]: the JSON keeps its strings.
impl serde::Serialize for Status<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
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

/// `n` in decimal, as `write!(out, "{n}")` writes it, without the
/// formatting machinery: a pass writes a key per reminder due.
fn push_number(out: &mut String, n: u32) {
    let mut digits = [0u8; 20];
    out.extend(
        decimal(n.into(), &mut digits)
            .iter()
            .map(|&b| char::from(b)),
    );
}

/// The ASCII digits of `n` (as `Display` writes it), written at the end
/// of `digits`: for writers that make a number per row or per reminder
/// and found `core::fmt` a measurable part of their time.
pub fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[i..]
}

impl Step {
    /// The step as SPEC §5's JSON writes it.
    pub fn label(&self) -> String {
        self.to_string()
    }

    /// A stable identity for the ledger: unique per item and deadline.
    pub fn key(&self) -> String {
        let mut s = String::new();
        self.write_key(&mut s);
        s
    }

    /// [`Step::key`] into a caller's buffer.
    pub fn write_key(&self, out: &mut String) {
        match *self {
            Step::Lead(l) => {
                push_number(out, l);
                out.push('d');
            }
            Step::Overdue(k) => {
                out.push_str("overdue-");
                push_number(out, k);
            }
            Step::Review(k) => {
                out.push_str("review-");
                push_number(out, k);
            }
            Step::Stage => out.push_str("stage"),
            Step::Unblocked => out.push_str("unblocked"),
        }
    }

    /// Parse [`Step::key`] back: the ledger stores steps as text.
    pub fn from_key(s: &str) -> Option<Step> {
        if let Some(k) = s.strip_prefix("overdue-") {
            return k.parse().ok().map(Step::Overdue);
        }
        if let Some(k) = s.strip_prefix("review-") {
            return k.parse().ok().map(Step::Review);
        }
        match s {
            "stage" => Some(Step::Stage),
            "unblocked" => Some(Step::Unblocked),
            _ => s
                .strip_suffix('d')
                .and_then(|n| n.parse().ok())
                .map(Step::Lead),
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, Step::Overdue(_))
    }
}

/// [`Step::label`], written without a String of its own (a year's plan
/// writes millions).
impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Lead(l) => write!(f, "{l}d"),
            Step::Overdue(_) => f.write_str("overdue"),
            Step::Review(_) => f.write_str("review"),
            Step::Stage => f.write_str("stage"),
            Step::Unblocked => f.write_str("unblocked"),
        }
    }
}

/// Something with a deadline, with everything needed to schedule it.
#[derive(Debug, Clone)]
pub struct Item<'c> {
    /// The case id, or the bill id for bills: what subjects and logs name.
    pub reference: &'c str,
    pub item: ItemType,
    /// The kind; for bills the stage the date belongs to, or [`REVIEW_KIND`].
    pub kind: &'c str,
    pub deadline: NaiveDate,
    pub act_by: NaiveDate,
    /// Status as shown by `upcoming`: the document's or request's status,
    /// "scheduled" for events, the current stage for bills.
    pub status: Status<'c>,
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
    Document {
        case: CaseRef,
        index: usize,
    },
    Request {
        case: CaseRef,
        index: usize,
    },
    Event {
        case: CaseRef,
        index: usize,
    },
    /// Index in [`Config::bill`].
    Bill {
        bill: usize,
    },
}

impl<'c> Item<'c> {
    /// What the item's status is, typed: a document's, a request's, an
    /// event's, a bill's stage. None only for an item put together by hand
    /// with a status of another type.
    pub fn status_kind(&self) -> Option<StatusKind<'c>> {
        self.status.kind(self.item)
    }

    /// Identity within the case for the ledger: "document:refugee_certificate".
    pub fn key(&self) -> String {
        let mut s = String::new();
        self.write_key(&mut s);
        s
    }

    /// [`Item::key`] into a caller's buffer.
    pub fn write_key(&self, out: &mut String) {
        out.push_str(self.item.as_str());
        out.push(':');
        out.push_str(self.kind);
        if self.ordinal != 0 {
            out.push('#');
            push_number(out, self.ordinal);
        }
    }

    /// Is this item listed by `upcoming` on `today` (within its horizon)?
    pub fn upcoming_on(&self, today: NaiveDate) -> bool {
        self.is_deadline() && !self.resolved_on(today)
    }

    /// `upcoming`'s order: act-by date, then case id, item, kind, deadline.
    pub fn upcoming_key(&self) -> (NaiveDate, &str, ItemType, &str, NaiveDate) {
        (
            self.act_by,
            self.reference,
            self.item,
            self.kind,
            self.deadline,
        )
    }

    /// Does this item take part in `upcoming` (a deadline, not a notice)?
    pub fn is_deadline(&self) -> bool {
        !matches!(self.cadence, Cadence::Notice(_))
    }
}

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
    let mut out = case_items(cfg, 0..cfg.files.len(), bill_item_room(cfg));
    out.extend(bill_items(cfg));
    out
}

/// How many of [`items`] are deadlines ([`Item::is_deadline`]), without
/// making them: every item of a case is one (documents and requests by
/// their deadline, events lead-only), and a bill's notices are not. For
/// `check`'s summary line, which made 100,000 items (~14 MB) to count them.
pub fn deadline_count(cfg: &Config) -> usize {
    item_count(cfg, 0..cfg.files.len())
        + bill_items(cfg).iter().filter(|it| it.is_deadline()).count()
}

/// Room to leave for [`bill_items`]: a guess (a stage date or two and a
/// review per bill), only to spare a regrowing.
pub fn bill_item_room(cfg: &Config) -> usize {
    cfg.files.iter().map(|f| f.bills.len() * 4).sum()
}

/// How many items the cases of files `files` make (documents, requests
/// and events; a case's items are one per entry).
pub fn item_count(cfg: &Config, files: std::ops::Range<usize>) -> usize {
    cfg.files[files]
        .iter()
        .flat_map(|f| f.cases.iter())
        .map(|c| c.documents.len() + c.requests.len() + c.events.len())
        .sum()
}

/// The items of the cases in files `files` (indices into `cfg.files`), in
/// order, in a vector with room for `room` more items: [`items`] in parts,
/// for a caller that builds them on several threads (the concatenation of
/// the parts, then [`bill_items`], is [`items`]). Sized once, the vector is
/// not grown by doubling (100,000 items are ~15 MB, and a pass would
/// otherwise touch twice that and copy it on the way).
pub fn case_items(cfg: &Config, files: std::ops::Range<usize>, room: usize) -> Vec<Item<'_>> {
    let mut out = Vec::with_capacity(item_count(cfg, files.clone()) + room);
    each_case_item(cfg, files, |it| out.push(it));
    out
}

/// [`case_items`] one item at a time, in the same order: for a caller that
/// puts them where it wants them (the daemon's pass writes each half of the
/// items straight into its place in one vector, on two threads). Exactly
/// [`item_count`] items.
pub fn each_case_item<'c>(
    cfg: &'c Config,
    files: std::ops::Range<usize>,
    mut sink: impl FnMut(Item<'c>),
) {
    let cal = &cfg.calendar;
    // What each item of the current case was, for the ordinals.
    let mut seen: Vec<(ItemType, &str, NaiveDate)> = Vec::new();
    let ordinal = |seen: &mut Vec<(ItemType, &'c str, NaiveDate)>, it: &mut Item<'c>| {
        // Cases hold a handful of items: a quadratic scan is the cheap way.
        it.ordinal = seen
            .iter()
            .filter(|&&(item, kind, deadline)| {
                item == it.item && kind == it.kind && deadline == it.deadline
            })
            .count() as u32;
        seen.push((it.item, it.kind, it.deadline));
    };
    let cases = cfg.files[files.clone()]
        .iter()
        .zip(files)
        .flat_map(|(f, fi)| {
            f.cases.iter().enumerate().map(move |(ci, c)| {
                (
                    CaseRef {
                        file: fi as u32,
                        case: ci as u32,
                    },
                    c,
                )
            })
        });
    for (ci, case) in cases {
        seen.clear();
        // Documents and requests: a deadline, overdue repeats while unresolved.
        let documents = case.documents.iter().enumerate().map(|(i, d)| {
            let source = Source::Document { case: ci, index: i };
            let at = (d.expires, d.issued);
            (
                ItemType::Document,
                &d.kind,
                at,
                Status::document(d.status),
                d.status.resolved(),
                &d.rules,
                source,
            )
        });
        let requests = case.requests.iter().enumerate().map(|(i, r)| {
            let source = Source::Request { case: ci, index: i };
            let at = (r.due, r.filed);
            (
                ItemType::Request,
                &r.kind,
                at,
                Status::request(r.status),
                r.status.resolved(),
                &r.rules,
                source,
            )
        });
        for (item, kind, (deadline, start), status, resolved, rules, source) in
            documents.chain(requests)
        {
            let mut it = Item {
                reference: &case.id,
                item,
                kind,
                deadline,
                act_by: cal.act_by(deadline),
                status,
                start,
                resolved,
                cadence: Cadence::Deadline,
                rules,
                to: Recipients::One(case.caseworker),
                source,
                ordinal: 0,
            };
            ordinal(&mut seen, &mut it);
            sink(it);
        }
        for (i, e) in case.events.iter().enumerate() {
            let mut it = Item {
                reference: &case.id,
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
                status: Status::SCHEDULED,
                start: None,
                // Resolved once past: see `Item::resolved_on`.
                resolved: false,
                cadence: Cadence::LeadOnly,
                rules: &e.rules,
                to: Recipients::One(case.caseworker),
                source: Source::Event { case: ci, index: i },
                ordinal: 0,
            };
            ordinal(&mut seen, &mut it);
            sink(it);
        }
    }
}

/// The items of the bills: expected stages, reviews, stage notices.
pub fn bill_items(cfg: &Config) -> Vec<Item<'_>> {
    let cal = &cfg.calendar;
    let mut out = Vec::new();
    // Caseworkers of cases with a request waiting on each bill that is
    // neither withdrawn nor answered: a refused request is the one to file
    // again once the law is in force (SPEC §3).
    let mut waiting_on: Vec<Vec<usize>> = vec![Vec::new(); cfg.bill_count()];
    for (_, c) in cfg.cases() {
        for r in &c.requests {
            if let Some(bi) = r.waiting_for.as_deref().and_then(|id| cfg.bill_index(id)) {
                if r.status.awaits_law() {
                    waiting_on[bi].push(c.caseworker);
                }
            }
        }
    }
    for (bi, bill) in cfg.bills().enumerate() {
        let current = bill.stages[bill.stage].as_str();
        let status = Status::stage(current);
        let owner = Recipients::One(bill.owner);
        for (&si, &date) in bill.expected.range(bill.stage + 1..) {
            out.push(Item {
                reference: &bill.id,
                item: ItemType::Bill,
                kind: &bill.stages[si],
                deadline: date,
                act_by: cal.act_by(date),
                status,
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
                    reference: &bill.id,
                    item: ItemType::Bill,
                    kind: REVIEW_KIND,
                    deadline: due,
                    act_by: cal.act_by(due),
                    status,
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
            let mut waiting = std::mem::take(&mut waiting_on[bi]);
            waiting.sort_unstable();
            waiting.dedup();
            let last = bill.stage + 1 == bill.stages.len();
            let notice = |step: Step, to: Recipients| Item {
                reference: &bill.id,
                item: ItemType::Bill,
                kind: current,
                deadline: since,
                act_by: cal.act_by(since),
                status,
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

/// Sort by date, then case id, then item, kind, deadline and step, so the
/// output is the same on every run.
pub fn sort_reminders(items: &[Item<'_>], rows: &mut [Reminder]) {
    rows.sort_by(|a, b| {
        let (x, y) = (&items[a.item], &items[b.item]);
        (a.date, x.reference, x.item, x.kind, x.deadline, a.step).cmp(&(
            b.date,
            y.reference,
            y.item,
            y.kind,
            y.deadline,
            b.step,
        ))
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_through_ledger_keys() {
        for s in [
            Step::Lead(30),
            Step::Lead(0),
            Step::Overdue(4),
            Step::Review(2),
            Step::Stage,
            Step::Unblocked,
        ] {
            assert_eq!(Step::from_key(&s.key()), Some(s));
        }
        assert_eq!(Step::from_key("nonsense"), None);
    }

    /// Keys are stored in the ledger: the fast writer must write what
    /// `format!` wrote before it, for every number.
    #[test]
    fn step_keys_are_written_as_format_writes_them() {
        let numbers = (0..1_100).chain([9_999, 10_000, 99_999, 1 << 20, u32::MAX - 1, u32::MAX]);
        for n in numbers {
            assert_eq!(Step::Lead(n).key(), format!("{n}d"));
            assert_eq!(Step::Overdue(n).key(), format!("overdue-{n}"));
            assert_eq!(Step::Review(n).key(), format!("review-{n}"));
        }
        assert_eq!(Step::Stage.key(), "stage");
        assert_eq!(Step::Unblocked.key(), "unblocked");
    }

    /// `deadline_count` counts what `items` lists as deadlines, on a
    /// config with cases (documents, requests, events) and bills.
    #[test]
    fn deadline_count_is_the_items_that_are_deadlines() {
        let (_dir, cfg) = crate::test_support::example();
        let all = items(&cfg);
        assert!(cfg.bill_count() > 0 && all.iter().any(|it| !it.is_deadline()));
        let want = all.iter().filter(|it| it.is_deadline()).count();
        assert_eq!(deadline_count(&cfg), want);
    }
}
