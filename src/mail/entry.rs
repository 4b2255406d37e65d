//! One reminder in a digest, and what every part of a digest asks of it:
//! how urgent it is, the entries of one case together, whose it is. The
//! base of `view` (the digest) and `first` (the summary of new cases),
//! so that neither imports the other.

use crate::config::model::Config;
use crate::engine::{Item, ItemType, Step};
pub use crate::ledger::Role;
use chrono::NaiveDate;

/// One reminder inside a digest.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub item: &'a Item<'a>,
    pub step: Step,
    /// The day the reminder was scheduled for.
    pub due_date: NaiveDate,
    /// Sent after `due_date` (catch-up after downtime or an outage).
    pub late: bool,
    /// Sent after `due_date` because docket saw the item only now (its
    /// first run, a new file or case): told as new, never as late.
    pub new: bool,
    /// One of many items new to docket at once, their reminder days past
    /// (an import, a first run): told in the summary of new cases, not as
    /// a reminder of its own (issue 21, `super::first`).
    pub summary: bool,
    pub role: Role,
}

/// Act-by this close (days, inclusive) puts an item under "this week".
const THIS_WEEK_DAYS: i64 = 7;

/// Where an entry goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Overdue,
    Week,
    Later,
}

/// Is this entry past its act-by date (and something the caseworker still
/// has to do)? A bill review 30 days late is overdue too; a notice of a
/// stage change is news, never overdue.
pub fn is_overdue(e: &Entry<'_>, today: NaiveDate) -> bool {
    !matches!(e.step, Step::Stage | Step::Unblocked) && e.item.act_by < today
}

pub fn urgency(e: &Entry<'_>, today: NaiveDate) -> Urgency {
    if is_overdue(e, today) {
        Urgency::Overdue
    } else if matches!(e.step, Step::Stage | Step::Unblocked)
        || (e.item.act_by - today).num_days() <= THIS_WEEK_DAYS
    {
        Urgency::Week
    } else {
        Urgency::Later
    }
}

/// "Aigerim Example (aigerim)" for an item's caseworkers.
pub fn caseworker_name(cfg: &Config, to: &[usize]) -> String {
    to.iter()
        .map(|&c| {
            let cw = &cfg.caseworkers[c];
            format!("{} ({})", cw.name.expose(), cw.id)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Entries of one case (or bill) together, in the order their most urgent
/// entry comes (the input is sorted most urgent first).
pub fn group_by_case<'e, 'a>(entries: &[&'e Entry<'a>]) -> Vec<Vec<&'e Entry<'a>>> {
    let mut groups: Vec<Vec<&Entry<'_>>> = Vec::new();
    let mut index: std::collections::HashMap<(ItemType, &str), usize> = Default::default();
    for e in entries {
        let bill = e.item.item == ItemType::Bill;
        let key = (
            if bill {
                ItemType::Bill
            } else {
                ItemType::Document
            },
            e.item.reference,
        );
        match index.get(&key) {
            Some(&i) => groups[i].push(e),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![e]);
            }
        }
    }
    groups
}
