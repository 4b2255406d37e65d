//! The first digest after many new cases (issue 21, item 4). Items docket
//! had never told anyone about and whose reminder days had already passed
//! (an import, new case files, a first run) are told as a summary: each
//! case once, on one line, grouped as the digest groups (overdue, this
//! week, later) and counted, instead of a reminder for every missed day.
//! The supervisor gets one overview of the team instead of a copy per
//! item: per caseworker, how many cases are overdue and coming, and the
//! cases to act on first. Which entries are told so is the pass's choice
//! (`daemon::compose`, `Row::summary`); this file only lays them out.
//! Pure, like `view`.

use super::entry::{caseworker_name, group_by_case, urgency, EditLink, Entry, Urgency};
use super::labels::{self, wrap};
use super::texts::Texts;
use crate::config::model::{Config, Language};
use crate::engine::Source;
use chrono::NaiveDate;
use serde::Serialize;

/// Plain-text width, as the rest of the digest.
const WIDTH: usize = super::labels::TEXT_WIDTH;

/// How many cases the overview names per caseworker under "act first".
pub const ACT_FIRST: usize = 5;

/// The recipient's own new cases.
#[derive(Debug, Serialize)]
pub struct NewCases {
    pub title: &'static str,
    pub intro: String,
    pub intro_lines: Vec<String>,
    /// Cases in all groups.
    pub count: usize,
    pub groups: Vec<Group>,
}

/// Cases of one urgency.
#[derive(Debug, Serialize)]
pub struct Group {
    /// `overdue`, `week`, `later`, as the digest's sections.
    pub key: &'static str,
    pub title: &'static str,
    pub count: usize,
    pub cases: Vec<Line>,
}

/// One case, once: its reference, the person when names may be shown,
/// and each of its items with its act-by date and how far that is.
#[derive(Debug, Serialize)]
pub struct Line {
    pub reference: String,
    pub about: Option<String>,
    /// "Refugee certificate: act by 2026-11-20 · 17 days overdue".
    pub items: Vec<String>,
    /// Some item of the case is past its act-by date (the HTML shows the
    /// reference in red).
    pub overdue: bool,
    /// The same as plain text: the first line after "  - ", the others
    /// indented four spaces, wrapped to the digest's width (the edit
    /// link's lines last).
    pub lines: Vec<String>,
    /// The edit page of the case's file, with `[service] edit_url`.
    pub edit: Option<EditLink>,
}

/// The supervisor's overview of the team's new cases.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub title: &'static str,
    pub intro: String,
    pub intro_lines: Vec<String>,
    /// "Act first".
    pub act_first: &'static str,
    pub groups: Vec<OverviewGroup>,
}

/// One caseworker in the overview.
#[derive(Debug, Serialize)]
pub struct OverviewGroup {
    /// "Aigerim Example (aigerim)".
    pub caseworker: String,
    /// "Overdue: 12 · This week: 5" (the parts that are not zero).
    pub counts: String,
    /// The [`ACT_FIRST`] most urgent cases.
    pub first: Vec<Line>,
    /// "and 7 more", when there are more.
    pub more: Option<String>,
    /// Cases in all.
    pub cases: usize,
}

/// What both parts need to write a line.
pub struct Words<'c> {
    pub cfg: &'c Config,
    pub t: &'static Texts,
    pub lang: Language,
    pub today: NaiveDate,
}

/// The recipient's own new cases (`own`: their summary entries, most
/// urgent first), and how many cases are in each group (overdue, this
/// week, later). None without any.
pub fn new_cases(w: &Words<'_>, own: &[&Entry<'_>]) -> (Option<NewCases>, [usize; 3]) {
    let t = w.t;
    let mut buckets: [Vec<Line>; 3] = Default::default();
    for group in group_by_case(own) {
        let u = most_urgent(w, &group);
        buckets[u as usize].push(line(w, &group));
    }
    let counts = buckets.each_ref().map(Vec::len);
    let total: usize = counts.iter().sum();
    if total == 0 {
        return (None, counts);
    }
    let titles = [
        ("overdue", t.overdue),
        ("week", t.this_week),
        ("later", t.later),
    ];
    let groups = buckets
        .into_iter()
        .zip(titles)
        .filter(|(cases, _)| !cases.is_empty())
        .map(|(cases, (key, title))| Group {
            key,
            title,
            count: cases.len(),
            cases,
        })
        .collect();
    let intro = t.new_intro.replace("{n}", &total.to_string());
    let view = NewCases {
        title: t.new_title,
        intro_lines: wrap(&intro, WIDTH),
        intro,
        count: total,
        groups,
    };
    (Some(view), counts)
}

/// The supervisor's overview of the copies of summary entries (`copies`,
/// most urgent first), per caseworker in the config's order, and
/// how many cases it covers. None without any.
pub fn overview(w: &Words<'_>, copies: &[&Entry<'_>]) -> (Option<Overview>, usize) {
    if copies.is_empty() {
        return (None, 0);
    }
    let t = w.t;
    let mut by_owner: Vec<(usize, Vec<&Entry<'_>>)> = Vec::new();
    for e in copies {
        let owner = e.item.to.first().copied().unwrap_or(usize::MAX);
        match by_owner.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, v)) => v.push(e),
            None => by_owner.push((owner, vec![e])),
        }
    }
    // The caseworkers in the config's order, as the digests go out.
    by_owner.sort_by_key(|(o, _)| *o);
    let mut total = 0;
    let mut groups = Vec::new();
    for (_, list) in by_owner {
        let cases = group_by_case(&list);
        let mut counts = [0usize; 3];
        let mut ranked: Vec<(Urgency, NaiveDate, Vec<&Entry<'_>>)> = Vec::new();
        for g in cases {
            let u = most_urgent(w, &g);
            counts[u as usize] += 1;
            let act_by = g.iter().map(|e| e.item.act_by).min().unwrap_or(w.today);
            ranked.push((u, act_by, g));
        }
        // Overdue first, the longest overdue first; then the nearest.
        ranked.sort_by_key(|r| (r.0, r.1));
        let n = ranked.len();
        total += n;
        let labels = [t.overdue, t.this_week, t.later];
        let counts = labels
            .iter()
            .zip(counts)
            .filter(|(_, c)| *c > 0)
            .map(|(l, c)| format!("{l}: {c}"))
            .collect::<Vec<_>>()
            .join(" · ");
        groups.push(OverviewGroup {
            caseworker: caseworker_name(w.cfg, &list[0].item.to),
            counts,
            first: ranked
                .iter()
                .take(ACT_FIRST)
                .map(|(_, _, g)| line(w, g))
                .collect(),
            more: (n > ACT_FIRST).then(|| t.and_more.replace("{n}", &(n - ACT_FIRST).to_string())),
            cases: n,
        });
    }
    let view = Overview {
        title: t.overview_title,
        intro: t.overview_intro.to_string(),
        intro_lines: wrap(t.overview_intro, WIDTH),
        act_first: t.act_first,
        groups,
    };
    (Some(view), total)
}

/// The urgency of a case: that of its most urgent entry.
fn most_urgent(w: &Words<'_>, group: &[&Entry<'_>]) -> Urgency {
    group
        .iter()
        .map(|e| urgency(e, w.today))
        .min()
        .unwrap_or(Urgency::Later)
}

/// One case on one line (see [`Line`]).
fn line(w: &Words<'_>, group: &[&Entry<'_>]) -> Line {
    let (cfg, t) = (w.cfg, w.t);
    let first = group[0].item;
    let about = match first.source {
        Source::Bill { bill } => {
            let b = cfg.bill(bill);
            (!b.title.is_empty()).then(|| b.title.clone())
        }
        Source::Document { case, .. }
        | Source::Request { case, .. }
        | Source::Event { case, .. } => cfg
            .case(case)
            .person
            .as_ref()
            .filter(|_| cfg.privacy.names_in_email)
            .map(|p| p.expose().to_string()),
    };
    let items: Vec<String> = group
        .iter()
        .map(|e| {
            let it = e.item;
            format!(
                "{}: {} · {}",
                labels::kind(cfg, it.kind, w.lang),
                t.act_by.replace("{date}", &it.act_by.to_string()),
                t.when((it.act_by - w.today).num_days())
            )
        })
        .collect();
    let head = match &about {
        Some(a) => format!("{} · {a} —", first.reference),
        None => format!("{} —", first.reference),
    };
    let text = format!("{head} {}", items.join("; "));
    let edit = EditLink::of(cfg, t.edit, first, 4);
    let lines = wrap(&text, WIDTH - 4)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("  - {l}")
            } else {
                format!("    {l}")
            }
        })
        .chain(edit.iter().flat_map(|e| e.lines.iter().cloned()))
        .collect();
    Line {
        edit,
        reference: first.reference.to_string(),
        about,
        overdue: group.iter().any(|e| super::entry::is_overdue(e, w.today)),
        items,
        lines,
    }
}
