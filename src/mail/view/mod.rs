//! What a digest shows, arranged for a busy caseworker: a summary, then
//! sections (overdue, this week, later) holding each case once with its
//! items under it, each item with the line to write into which file once
//! acted on; the supervisor's copies by caseworker; tags explained once;
//! advice once per kind. Pure: entries and today in, a serialisable view
//! out, for both templates.
//!
//! Privacy: person names and event titles (free text that may name
//! someone) only with `names_in_email`, document numbers only with
//! `numbers_in_email`. Caseworker names are staff, not people at risk, and
//! go into bodies (never subjects) so a supervisor knows whom to call.

pub use super::entry::Entry;
use super::entry::{caseworker_name, group_by_case, is_overdue, urgency, EditLink, Urgency};
pub use super::labels::TEXT_WIDTH;
use super::labels::{self, join_wrapped, wrap};
use super::texts::{texts, Texts};
use crate::config::model::{Config, Language};
use crate::engine::{Item, ItemType, Source, Step};
pub use crate::ledger::Role;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct View {
    pub lang: &'static str,
    pub today: String,
    pub greeting: String,
    pub summary: String,
    /// The summary in parts, for the HTML badges.
    pub summary_parts: Vec<SummaryPart>,
    pub notes_title: &'static str,
    pub notes: Vec<String>,
    pub sections: Vec<Section>,
    pub team: Option<Team>,
    /// The recipient's cases new to docket, as a summary (issue 21).
    pub new_cases: Option<super::first::NewCases>,
    /// The supervisor's overview of the team's new cases (issue 21).
    pub overview: Option<super::first::Overview>,
    pub legend_title: &'static str,
    pub legend: Vec<LegendRow>,
    pub advice_title: &'static str,
    pub advice: Vec<Advice>,
    pub guide: String,
    /// The same for plain text: on two lines when one would pass 80 columns.
    pub guide_lines: Vec<String>,
    /// The guide's address when it is a web link.
    pub guide_href: Option<String>,
    pub footer: &'static str,
    /// The summary's figures, for the subject (see [`Counts`]).
    #[serde(skip)]
    pub counts: Counts,
}

/// How many cases the summary counts in each part: the caseworker's own
/// cases by the section they are shown in, and the team's cases. The
/// subject says these same figures, so that what it promises is what the
/// body shows (issue 18, item 8: the subject once counted reminders and
/// the body cases, `3 просрочено` over `Просрочено: 1`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub overdue: usize,
    pub week: usize,
    pub later: usize,
    pub team: usize,
}

#[derive(Debug, Serialize)]
pub struct SummaryPart {
    pub key: &'static str,
    pub label: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct Section {
    /// `overdue`, `week`, `later`: for styling and tests.
    pub key: &'static str,
    pub title: &'static str,
    /// Cases in the section.
    pub count: usize,
    pub cases: Vec<CaseView>,
}

#[derive(Debug, Serialize)]
pub struct Team {
    pub title: &'static str,
    pub intro: String,
    pub intro_lines: Vec<String>,
    pub groups: Vec<TeamGroup>,
}

#[derive(Debug, Serialize)]
pub struct TeamGroup {
    /// "Aigerim Example (aigerim)".
    pub caseworker: String,
    pub cases: Vec<CaseView>,
}

#[derive(Debug, Serialize)]
pub struct CaseView {
    /// The case id, or the bill id.
    pub reference: String,
    /// The person (when names may be shown), or the bill's title.
    pub about: Option<String>,
    pub items: Vec<ItemView>,
    /// The edit page of the file that holds the case (or bill), with
    /// `[service] edit_url`: once per case, under its items.
    pub edit: Option<EditLink>,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub label: String,
    /// "act by 2026-12-03".
    pub act_by: String,
    /// "deadline 2026-12-05", when it differs from the act-by date.
    pub deadline: Option<String>,
    /// "in 2 days", "3 days overdue".
    pub when: String,
    pub overdue: bool,
    /// "planned for 2026-11-25", when the reminder comes late.
    pub late_note: Option<String>,
    /// The dates, the number and the late note as plain-text lines, joined
    /// by " · " and wrapped to [`TEXT_WIDTH`] (indented four spaces).
    pub meta_lines: Vec<String>,
    /// The label, the number and the tags as plain-text lines (the first
    /// after "  * ", the others indented four spaces).
    pub head_lines: Vec<String>,
    pub tags: Vec<Tag>,
    /// "Number: RC-000123", when numbers may be shown.
    pub number: Option<String>,
    /// "Title: …", when names may be shown.
    pub title: Option<String>,
    pub record: Option<Record>,
}

/// What to write in which file once an item is acted on:
/// `cases.d/kz-0042.toml: status = "renewal_filed", filed = <date>`.
#[derive(Debug, Serialize)]
pub struct Record {
    /// The whole line.
    pub text: String,
    /// The file, as the people editing the config know it.
    pub file: String,
    /// The line after the file, in pieces that must not be broken.
    pub parts: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub word: &'static str,
    /// `overdue`, `late`, `new`, `copy`.
    pub class: &'static str,
}

#[derive(Debug, Serialize)]
pub struct LegendRow {
    pub word: &'static str,
    /// The tag's class (`overdue`, `late`, `new`, `copy`), or `term`, `record`.
    pub class: &'static str,
    pub text: &'static str,
    /// The row as plain text, wrapped, the text indented under itself.
    pub lines: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Advice {
    /// "Refugee certificate — expiring".
    pub heading: String,
    pub text: String,
    pub lines: Vec<String>,
}

/// Which advice an entry calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    DocLead,
    DocOverdue,
    ReqLead,
    ReqOverdue,
    Event,
    BillLead,
    BillOverdue,
    BillReview,
    BillStage,
    BillUnblocked,
}

fn situation(e: &Entry<'_>, overdue: bool) -> Situation {
    match (e.item.item, e.step) {
        (ItemType::Document, _) if overdue => Situation::DocOverdue,
        (ItemType::Document, _) => Situation::DocLead,
        (ItemType::Request, _) if overdue => Situation::ReqOverdue,
        (ItemType::Request, _) => Situation::ReqLead,
        (ItemType::Event, _) => Situation::Event,
        (ItemType::Bill, Step::Review(_)) => Situation::BillReview,
        (ItemType::Bill, Step::Stage) => Situation::BillStage,
        (ItemType::Bill, Step::Unblocked) => Situation::BillUnblocked,
        (ItemType::Bill, _) if overdue => Situation::BillOverdue,
        (ItemType::Bill, _) => Situation::BillLead,
    }
}

fn situation_words(t: &Texts, s: Situation) -> (&'static str, &'static str) {
    let w = &t.situations;
    match s {
        Situation::DocLead => w.doc_lead,
        Situation::DocOverdue => w.doc_overdue,
        Situation::ReqLead => w.req_lead,
        Situation::ReqOverdue => w.req_overdue,
        Situation::Event => w.event,
        Situation::BillLead => w.bill_lead,
        Situation::BillOverdue => w.bill_overdue,
        Situation::BillReview => w.bill_review,
        Situation::BillStage => w.bill_stage,
        Situation::BillUnblocked => w.bill_unblocked,
    }
}

/// Arrange `entries` (sorted most urgent first) for caseworker `recipient`:
/// their own cases by urgency, their team's as copies, then what the mail
/// used is explained (legend, advice) and summed up. Each part is a step
/// below; the legend and advice come last because they name only what the
/// cases above used.
pub fn build(
    cfg: &Config,
    recipient: usize,
    today: NaiveDate,
    entries: &[Entry<'_>],
    notes: &[String],
) -> View {
    let cw = &cfg.caseworkers[recipient];
    let lang = cw.language;
    let t = texts(lang);
    let mut builder = Builder {
        cfg,
        lang,
        t,
        today,
        tags_used: Vec::new(),
        advice: Vec::new(),
        any_record: false,
    };
    // What is told in the summary of new cases (issue 21) is left out
    // of the sections and the copies, and laid out by `first`.
    let (summed, entries): (Vec<&Entry<'_>>, Vec<&Entry<'_>>) =
        entries.iter().partition(|e| e.summary);
    let own: Vec<&Entry<'_>> = entries
        .iter()
        .copied()
        .filter(|e| e.role == Role::To)
        .collect();
    let (sections, mut counts) = builder.sections(&own);
    let copies: Vec<&Entry<'_>> = entries
        .iter()
        .copied()
        .filter(|e| e.role == Role::Cc)
        .collect();
    let team = builder.team(&copies);
    let words = super::first::Words {
        cfg,
        t,
        lang,
        today,
    };
    let own_new: Vec<&Entry<'_>> = summed
        .iter()
        .copied()
        .filter(|e| e.role == Role::To)
        .collect();
    let (new_cases, new_counts) = super::first::new_cases(&words, &own_new);
    let team_new: Vec<&Entry<'_>> = summed
        .iter()
        .copied()
        .filter(|e| e.role == Role::Cc)
        .collect();
    let (overview, overview_cases) = super::first::overview(&words, &team_new);
    for (c, n) in counts.iter_mut().zip(new_counts) {
        *c += n;
    }
    let team_cases: usize = team
        .as_ref()
        .map_or(0, |t| t.groups.iter().map(|g| g.cases.len()).sum::<usize>())
        + overview_cases;
    let legend = builder.legend();
    let advice = builder.advice();
    let guide_url = cfg
        .mail
        .guide_url
        .as_ref()
        .map(|u| u.replace("{lang}", lang.code()));
    let has_team = team.is_some() || overview.is_some();
    let own_is_empty = own.is_empty() && own_new.is_empty();
    let summary_parts = summary_parts(t, counts, has_team, own_is_empty, team_cases);
    let summary = summary_parts
        .iter()
        .map(|p| format!("{}: {}", p.label, p.count))
        .collect::<Vec<_>>()
        .join(" · ");
    View {
        lang: lang.code(),
        summary_parts,
        today: today.to_string(),
        greeting: t.greeting.replace("{name}", cw.name.expose()),
        summary,
        notes_title: t.notes,
        notes: notes.to_vec(),
        sections,
        team,
        new_cases,
        overview,
        legend_title: t.legend,
        legend,
        advice_title: t.advice,
        advice,
        guide_lines: guide_lines(t, guide_url.as_deref()),
        guide: guide_url.as_ref().map_or_else(
            || t.guide_ask.to_string(),
            |url| t.guide.replace("{url}", url),
        ),
        guide_href: guide_url.filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        footer: t.footer,
        counts: Counts {
            overdue: counts[0],
            week: counts[1],
            later: counts[2],
            team: team_cases,
        },
    }
}

/// The summary line's parts: the recipient's own counts by section, and
/// the team's when they have copies. A supervisor with nothing of their
/// own gets no row of zeros before the team.
fn summary_parts(
    t: &'static Texts,
    counts: [usize; 3],
    has_team: bool,
    own_is_empty: bool,
    team_cases: usize,
) -> Vec<SummaryPart> {
    let mut summary_parts = vec![
        SummaryPart {
            key: "overdue",
            label: t.overdue,
            count: counts[0],
        },
        SummaryPart {
            key: "week",
            label: t.this_week,
            count: counts[1],
        },
        SummaryPart {
            key: "later",
            label: t.later,
            count: counts[2],
        },
    ];
    if has_team && own_is_empty {
        summary_parts.clear();
    }
    if has_team {
        summary_parts.push(SummaryPart {
            key: "team",
            label: t.team,
            count: team_cases,
        });
    }
    summary_parts
}

/// The guide line of the text part: the guide with its address on one
/// line when it fits, else the address on a line of its own (a link cut
/// in two does not work); without a guide, the request to ask for one.
fn guide_lines(t: &'static Texts, guide_url: Option<&str>) -> Vec<String> {
    match guide_url {
        Some(url) => {
            let one = t.guide.replace("{url}", url);
            if one.chars().count() <= TEXT_WIDTH {
                vec![one]
            } else {
                vec![t.guide.replace(" {url}", ""), url.to_string()]
            }
        }
        None => wrap(t.guide_ask, TEXT_WIDTH),
    }
}

struct Builder<'c> {
    cfg: &'c Config,
    lang: Language,
    t: &'static Texts,
    today: NaiveDate,
    tags_used: Vec<&'static str>,
    /// (label, situation), in order of first appearance.
    advice: Vec<(String, Situation)>,
    any_record: bool,
}

impl Builder<'_> {
    /// The recipient's own items: each case goes to the section of its
    /// most urgent item (overdue, this week, later); empty sections are
    /// left out. Returns the sections and the cases in each, empty or not.
    fn sections(&mut self, own: &[&Entry<'_>]) -> (Vec<Section>, [usize; 3]) {
        let t = self.t;
        let mut buckets: [Vec<CaseView>; 3] = Default::default();
        for group in group_by_case(own) {
            let u = group
                .iter()
                .map(|e| urgency(e, self.today))
                .min()
                .unwrap_or(Urgency::Later);
            buckets[u as usize].push(self.case_view(&group, false));
        }
        let counts = buckets.each_ref().map(Vec::len);
        let titles = [
            ("overdue", t.overdue),
            ("week", t.this_week),
            ("later", t.later),
        ];
        let sections = buckets
            .into_iter()
            .zip(titles)
            .zip(counts)
            .filter(|((cases, _), _)| !cases.is_empty())
            .map(|((cases, (key, title)), count)| Section {
                key,
                title,
                count,
                cases,
            })
            .collect();
        (sections, counts)
    }

    /// The supervisor's copies, grouped by caseworker in order of first
    /// appearance; None without copies.
    fn team(&mut self, copies: &[&Entry<'_>]) -> Option<Team> {
        if copies.is_empty() {
            return None;
        }
        let t = self.t;
        let mut groups: Vec<(usize, Vec<&Entry<'_>>)> = Vec::new();
        for e in copies {
            let owner = e.item.to.first().copied().unwrap_or(usize::MAX);
            match groups.iter_mut().find(|(o, _)| *o == owner) {
                Some((_, v)) => v.push(e),
                None => groups.push((owner, vec![e])),
            }
        }
        let groups = groups
            .into_iter()
            .map(|(_, list)| TeamGroup {
                caseworker: caseworker_name(self.cfg, &list[0].item.to),
                cases: group_by_case(&list)
                    .iter()
                    .map(|g| self.case_view(g, true))
                    .collect(),
            })
            .collect();
        Some(Team {
            title: t.team,
            intro: t.team_intro.to_string(),
            intro_lines: wrap(t.team_intro, TEXT_WIDTH),
            groups,
        })
    }

    /// The legend: a row for each tag the cases used, the act-by word
    /// always, and the record arrow when a case showed one.
    fn legend(&self) -> Vec<LegendRow> {
        let t = self.t;
        let mut legend = Vec::new();
        let mut row = |word: &'static str, class: &'static str, text: &'static str| {
            let mut lines = Vec::new();
            let indent = word.chars().count() + 2;
            for (i, l) in wrap(text, TEXT_WIDTH.saturating_sub(indent).max(30))
                .into_iter()
                .enumerate()
            {
                lines.push(if i == 0 {
                    format!("{word}: {l}")
                } else {
                    format!("{}{l}", " ".repeat(indent))
                });
            }
            legend.push(LegendRow {
                word,
                class,
                text,
                lines,
            });
        };
        for (tag, class, why) in [
            (t.tag_overdue, "overdue", t.why_overdue),
            (t.tag_late, "late", t.why_late),
            (t.tag_new, "new", t.why_new),
            (t.tag_copy, "copy", t.why_copy),
        ] {
            if self.tags_used.contains(&tag) {
                row(tag, class, why);
            }
        }
        row(t.act_by_word, "term", t.why_act_by);
        if self.any_record {
            row("→", "record", t.why_record);
        }
        legend
    }

    /// What to do, once for each (label, situation) the cases showed, in
    /// order of first appearance.
    fn advice(&self) -> Vec<Advice> {
        self.advice
            .iter()
            .map(|(label, s)| {
                let (word, text) = situation_words(self.t, *s);
                let heading = format!("{label} — {word}");
                Advice {
                    lines: wrap(text, TEXT_WIDTH - 2),
                    heading,
                    text: text.to_string(),
                }
            })
            .collect()
    }

    fn case_view(&mut self, group: &[&Entry<'_>], copy: bool) -> CaseView {
        let first = group[0].item;
        let names = self.cfg.privacy.names_in_email;
        let about = match first.source {
            Source::Bill { bill } => {
                let b = self.cfg.bill(bill);
                (!b.title.is_empty()).then(|| b.title.clone())
            }
            Source::Document { case, .. }
            | Source::Request { case, .. }
            | Source::Event { case, .. } => self
                .cfg
                .case(case)
                .person
                .as_ref()
                .filter(|_| names)
                .map(|p| p.expose().to_string()),
        };
        CaseView {
            reference: first.reference.to_string(),
            about,
            items: group.iter().map(|e| self.item_view(e, copy)).collect(),
            edit: EditLink::of(self.cfg, self.t.edit, first, 2),
        }
    }

    fn item_view(&mut self, e: &Entry<'_>, copy: bool) -> ItemView {
        let (cfg, t, lang) = (self.cfg, self.t, self.lang);
        let it = e.item;
        let overdue = is_overdue(e, self.today);
        let kind_label = labels::kind(cfg, it.kind, lang);
        let label = match (it.item, e.step) {
            (ItemType::Bill, Step::Review(_)) => t.bill_review.to_string(),
            (ItemType::Bill, Step::Stage) => t
                .now_at_stage
                .replace("{stage}", &labels::stage(it.kind, lang)),
            (ItemType::Bill, Step::Unblocked) => t
                .reached_last_stage
                .replace("{stage}", &labels::stage(it.kind, lang)),
            (ItemType::Bill, _) => t
                .expected_stage
                .replace("{stage}", &labels::stage(it.kind, lang)),
            _ => kind_label.clone(),
        };
        let mut tags = Vec::new();
        if overdue {
            tags.push(Tag {
                word: t.tag_overdue,
                class: "overdue",
            });
        }
        if e.late {
            tags.push(Tag {
                word: t.tag_late,
                class: "late",
            });
        }
        if e.new {
            tags.push(Tag {
                word: t.tag_new,
                class: "new",
            });
        }
        if copy {
            tags.push(Tag {
                word: t.tag_copy,
                class: "copy",
            });
        }
        for tag in &tags {
            if !self.tags_used.contains(&tag.word) {
                self.tags_used.push(tag.word);
            }
        }
        let s = situation(e, overdue);
        let advice_label = if it.item == ItemType::Bill {
            t.bill.to_string()
        } else {
            kind_label
        };
        if !self
            .advice
            .iter()
            .any(|(l, x)| *l == advice_label && *x == s)
        {
            self.advice.push((advice_label, s));
        }
        let record = record(self.cfg, self.t, it, e.step, Some(self.today));
        self.any_record |= record.is_some();
        let (number, title) = self.details(it);
        let number_line = number.clone();
        let notice = matches!(e.step, Step::Stage | Step::Unblocked);
        let act_by = if notice {
            it.act_by.to_string()
        } else {
            t.act_by.replace("{date}", &it.act_by.to_string())
        };
        let deadline = (it.deadline != it.act_by && !notice)
            .then(|| t.deadline.replace("{date}", &it.deadline.to_string()));
        let when = t.when((it.act_by - self.today).num_days());
        let late_note = e
            .late
            .then(|| t.late_note.replace("{date}", &e.due_date.to_string()));
        let mut meta = vec![match &deadline {
            Some(d) => format!("{act_by} ({d})"),
            None => act_by.clone(),
        }];
        meta.push(when.clone());
        meta.extend(late_note.clone());
        // The label line: the label, the number (bare), the tags.
        let prefix = format!("{}: ", t.number);
        let mut head = vec![
            match number.as_deref().and_then(|n| n.strip_prefix(&prefix)) {
                Some(n) => format!("{label} ({n})"),
                None => label.clone(),
            },
        ];
        head.extend(tags.iter().map(|g| format!("[{}]", g.word)));
        ItemView {
            head_lines: join_wrapped(&head, " ", TEXT_WIDTH - 4),
            label,
            act_by,
            deadline,
            when,
            late_note,
            meta_lines: join_wrapped(&meta, " · ", TEXT_WIDTH - 4),
            overdue,
            tags,
            number: number_line,
            title,
            record,
        }
    }

    /// Number and title, as far as `[privacy]` allows.
    fn details(&self, it: &Item<'_>) -> (Option<String>, Option<String>) {
        let (cfg, t) = (self.cfg, self.t);
        let p = cfg.privacy;
        match it.source {
            Source::Document { case, index } => (
                cfg.case(case).documents[index]
                    .number
                    .as_ref()
                    .filter(|_| p.numbers_in_email)
                    .map(|n| format!("{}: {}", t.number, n.expose())),
                None,
            ),
            Source::Request { case, index } => (
                cfg.case(case).requests[index]
                    .number
                    .as_ref()
                    .filter(|_| p.numbers_in_email)
                    .map(|n| format!("{}: {}", t.number, n.expose())),
                None,
            ),
            Source::Event { case, index } => {
                let title = &cfg.case(case).events[index].title;
                (
                    None,
                    (p.names_in_email && !title.expose().is_empty())
                        .then(|| format!("{}: {}", t.title, title.expose())),
                )
            }
            Source::Bill { .. } => (None, None),
        }
    }
}

/// What to write, in which file, once the item is acted on, in the words
/// of `t`. `today`: the day a bill review is checked on (None: a
/// placeholder, for feeds, which must not change from day to day).
pub(crate) fn record(
    cfg: &Config,
    t: &Texts,
    it: &Item<'_>,
    step: Step,
    today: Option<NaiveDate>,
) -> Option<Record> {
    let date = t.date_placeholder;
    let (path, what) = match (it.source, step) {
        (_, Step::Stage | Step::Unblocked) => return None,
        (Source::Document { case, .. }, _) => (
            cfg.case_path(case),
            vec![
                "status = \"renewal_filed\",".to_string(),
                format!("filed = {date}"),
            ],
        ),
        (Source::Request { case, .. }, _) => (
            cfg.case_path(case),
            vec![format!("status = \"answered\" {} \"refused\"", t.or)],
        ),
        (Source::Event { case, .. }, _) => (
            cfg.case_path(case),
            vec![format!("date = {date}"), format!("({})", t.if_it_moves)],
        ),
        (Source::Bill { bill }, Step::Review(_)) => (
            cfg.bill_path(bill),
            vec![format!(
                "last_checked = {}",
                today.map_or(date.to_string(), |d| d.to_string())
            )],
        ),
        (Source::Bill { bill }, _) => (
            cfg.bill_path(bill),
            vec![
                format!("stage = \"{}\",", it.kind),
                format!("stage_since = {date}"),
            ],
        ),
    };
    let file = cfg.shown_path(path).into_owned();
    Some(Record {
        text: format!("{file}: {}", what.join(" ")),
        file,
        parts: what,
    })
}

#[cfg(test)]
mod tests;
