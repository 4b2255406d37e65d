//! One reminder in a digest, and what every part of a digest asks of it:
//! how urgent it is, the entries of one case together, whose it is. The
//! base of `view` (the digest) and `first` (the summary of new cases),
//! so that neither imports the other.

use crate::config::model::Config;
use crate::engine::{Item, ItemType, Source, Step};
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

/// The edit page of the case file at `path` (a `CaseFile::path`), with
/// `[service] edit_url` (SPEC 7): `{path}` is the file's path in the
/// repository with `cases_git`, else its path relative to the main
/// config's directory (as the digest's record line names it). With
/// `cases_git`, the main config is not in the repository: it has none.
pub fn edit_link(cfg: &Config, path: &std::path::Path) -> Option<String> {
    cfg.service.edit_url.as_ref()?;
    if cfg.service.git.is_some() && (path.is_absolute() || path == cfg.path) {
        return None;
    }
    file_edit_link(cfg, &cfg.shown_path(path))
}

/// The edit page of the file `rel` (its path in the repository, or
/// relative to the main config's directory: `FileStatus::rel`), with
/// `[service] edit_url`.
pub fn file_edit_link(cfg: &Config, rel: &str) -> Option<String> {
    let link = cfg.service.edit_link(rel)?;
    // As the url crate writes it: a tab or a line break written into
    // `edit_url` (which its check let through, as a browser would) is
    // dropped, a space encoded, so the link is one unbroken line in a
    // mail and in a feed's `URL`.
    url::Url::parse(&link).ok().map(String::from)
}

/// The file that holds an item's case (or bill).
fn item_path<'c>(cfg: &'c Config, it: &Item<'_>) -> &'c std::path::Path {
    match it.source {
        Source::Document { case, .. }
        | Source::Request { case, .. }
        | Source::Event { case, .. } => cfg.case_path(case),
        Source::Bill { bill } => cfg.bill_path(bill),
    }
}

/// The edit page of the file that holds an item's case (or bill).
pub fn item_edit_link(cfg: &Config, it: &Item<'_>) -> Option<String> {
    edit_link(cfg, item_path(cfg, it))
}

/// A link to a file's edit page as a digest shows it: the word, the file
/// (the HTML's link text), the address, and the plain-text lines (the
/// address on a line of its own when the whole would pass the width: a
/// link cut in two does not work).
#[derive(Debug, Clone, serde::Serialize)]
pub struct EditLink {
    pub word: &'static str,
    pub file: String,
    pub url: String,
    pub lines: Vec<String>,
}

impl EditLink {
    /// The link to the file of `it`, for plain-text lines indented by
    /// `indent` spaces; None without `edit_url`.
    pub fn of(cfg: &Config, word: &'static str, it: &Item<'_>, indent: usize) -> Option<EditLink> {
        let path = item_path(cfg, it);
        let url = edit_link(cfg, path)?;
        let pad = " ".repeat(indent);
        let one = format!("{pad}{word}: {url}");
        let lines = if one.chars().count() <= super::labels::TEXT_WIDTH {
            vec![one]
        } else {
            vec![format!("{pad}{word}:"), format!("{pad}{url}")]
        };
        Some(EditLink {
            word,
            file: cfg.shown_path(path).into_owned(),
            url,
            lines,
        })
    }
}
