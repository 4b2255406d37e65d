//! Digest emails: one per recipient per pass, most urgent first, as plain
//! text and HTML rendered from minijinja templates.
//!
//! Privacy: the subject carries the date, counts and case references only.
//! Person names, event titles (free text that may name someone) and
//! document numbers go into bodies only when `[privacy]` allows.

use super::texts::{texts, Texts};
use crate::config::model::{Config, Language};
use crate::engine::{Item, ItemType, Source, Step};
use chrono::NaiveDate;
use lettre::message::Message;
use minijinja::{context, Environment};
use serde::Serialize;

const TEXT_TEMPLATE: &str = include_str!("templates/digest.txt.j2");
const HTML_TEMPLATE: &str = include_str!("templates/digest.html.j2");

pub use crate::ledger::Role;

/// One reminder inside a digest.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub item: &'a Item<'a>,
    pub step: Step,
    /// The day the reminder was scheduled for.
    pub due_date: NaiveDate,
    /// Sent after `due_date` (catch-up after downtime or an outage).
    pub late: bool,
    pub role: Role,
}

/// What the templates see for one entry.
#[derive(Debug, Serialize)]
struct View {
    case: String,
    item: &'static str,
    kind: String,
    label: String,
    deadline: String,
    act_by: String,
    days_left: i64,
    days_left_text: String,
    step: String,
    overdue: bool,
    late: bool,
    late_text: String,
    action: String,
    person: Option<String>,
    number: Option<String>,
    title: Option<String>,
    /// For a supervisor's copy: whose item it is.
    caseworker: Option<String>,
}

/// A rendered digest, ready to send.
#[derive(Debug, Clone)]
pub struct Digest {
    pub message: Message,
    pub message_id: String,
    pub subject: String,
    pub recipient: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
    #[error(transparent)]
    Message(#[from] super::message::MessageError),
}

/// Templates, built in or overridden from `[mail] templates_dir`.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new(dir: Option<&std::path::Path>) -> Result<Templates, RenderError> {
        let mut env = Environment::new();
        let load = |name: &str, builtin: &'static str| -> String {
            dir.and_then(|d| std::fs::read_to_string(d.join(name)).ok())
                .unwrap_or_else(|| builtin.to_string())
        };
        env.add_template_owned("digest.txt.j2", load("digest.txt.j2", TEXT_TEMPLATE))?;
        env.add_template_owned("digest.html.j2", load("digest.html.j2", HTML_TEMPLATE))?;
        Ok(Templates { env })
    }
}

/// Deterministic Message-ID for a digest: the same set of reminders to the
/// same recipient always gets the same id, so a resend after a crash is
/// recognisably the same message.
pub fn message_id(recipient: &str, keys: &[String], domain: &str) -> String {
    // FNV-1a, 128 bit: no cryptographic need, only a stable, well-spread id.
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u128::from(b);
            h = h.wrapping_mul(0x0000000001000000000000000000013B);
        }
    };
    feed(recipient.as_bytes());
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    for k in sorted {
        feed(b"\x1f");
        feed(k.as_bytes());
    }
    format!("<docket.{h:032x}@{domain}>")
}

/// Most urgent first: overdue, then by act-by date, then case, item, kind.
pub fn sort_entries(entries: &mut [Entry<'_>]) {
    entries.sort_by(|a, b| {
        (
            !a.step.is_overdue(),
            a.item.act_by,
            a.item.reference,
            a.item.item,
            a.item.kind,
            a.step,
        )
            .cmp(&(
                !b.step.is_overdue(),
                b.item.act_by,
                b.item.reference,
                b.item.item,
                b.item.kind,
                b.step,
            ))
    });
}

/// The subject: date, counts, case references. Nothing else, ever.
pub fn subject(lang: Language, today: NaiveDate, entries: &[Entry<'_>]) -> String {
    let t = texts(lang);
    let overdue = entries.iter().filter(|e| e.step.is_overdue()).count();
    let mut cases: Vec<&str> = entries.iter().map(|e| e.item.reference).collect();
    cases.dedup();
    let mut uniq = Vec::new();
    for c in cases {
        if !uniq.contains(&c) {
            uniq.push(c);
        }
    }
    let shown: Vec<&str> = uniq.iter().take(6).copied().collect();
    let more = if uniq.len() > 6 {
        format!(" +{}", uniq.len() - 6)
    } else {
        String::new()
    };
    let counts = if overdue > 0 {
        format!(
            "{} {}, {} {}",
            overdue,
            t.overdue_count,
            entries.len() - overdue,
            t.due_count
        )
    } else {
        format!("{} {}", entries.len(), t.due_count)
    };
    format!("[docket] {today}: {counts} - {}{more}", shown.join(", "))
}

/// Render one digest for caseworker `recipient` (index into the config).
pub fn render(
    cfg: &Config,
    templates: &Templates,
    recipient: usize,
    today: NaiveDate,
    entries: &mut [Entry<'_>],
    message_id: &str,
    notes: &[String],
) -> Result<Digest, RenderError> {
    sort_entries(entries);
    let cw = &cfg.caseworkers[recipient];
    let t = texts(cw.language);
    let views: Vec<View> = entries
        .iter()
        .map(|e| view(cfg, e, today, cw.language))
        .collect();
    let subject = subject(cw.language, today, entries);
    let own: Vec<&View> = views.iter().filter(|v| v.caseworker.is_none()).collect();
    let team: Vec<&View> = views.iter().filter(|v| v.caseworker.is_some()).collect();
    let ctx = context! {
        today => today.to_string(),
        greeting => t.greeting,
        intro => t.intro,
        team_intro => t.team_intro,
        own => own,
        team => team,
        t => context! {
            case => t.case, deadline => t.deadline, act_by => t.act_by, left => t.left,
            person => t.person, number => t.number, title => t.title, caseworker => t.caseworker,
            footer => t.footer, late => t.late_word,
        },
        lang => cw.language.code(),
        notes => notes,
    };
    let text = templates.env.get_template("digest.txt.j2")?.render(&ctx)?;
    let html = templates.env.get_template("digest.html.j2")?.render(&ctx)?;
    let message = super::message::digest(
        &cfg.mail.from,
        &cw.email,
        &subject,
        message_id,
        &text,
        &html,
    )?;
    Ok(Digest {
        message,
        message_id: message_id.to_string(),
        subject,
        recipient: cw.id.clone(),
    })
}

fn view(cfg: &Config, e: &Entry<'_>, today: NaiveDate, lang: Language) -> View {
    let t = texts(lang);
    let it = e.item;
    let names = cfg.privacy.names_in_email;
    let numbers = cfg.privacy.numbers_in_email;
    let (person, number, title) = match it.source {
        Source::Document { case, index } => {
            let c = cfg.case(case);
            (c.person.as_ref(), c.documents[index].number.as_ref(), None)
        }
        Source::Request { case, index } => {
            let c = cfg.case(case);
            (c.person.as_ref(), c.requests[index].number.as_ref(), None)
        }
        Source::Event { case, index } => {
            let c = cfg.case(case);
            (c.person.as_ref(), None, Some(&c.events[index].title))
        }
        Source::Bill { .. } => (None, None, None),
    };
    let label = match it.item {
        ItemType::Bill => match e.step {
            Step::Review(_) => t.bill_review.to_string(),
            _ => format!("{} → {}", bill_title(cfg, it), it.kind),
        },
        _ => cfg
            .kinds
            .get(it.kind)
            .and_then(|k| k.label.clone())
            .unwrap_or_else(|| it.kind.replace('_', " ")),
    };
    let days_left = (it.act_by - today).num_days();
    let action = action(t, it, e.step, &label);
    View {
        case: it.reference.to_string(),
        item: it.item.as_str(),
        kind: it.kind.to_string(),
        label,
        deadline: it.deadline.to_string(),
        act_by: it.act_by.to_string(),
        days_left,
        days_left_text: match days_left {
            0 => t.today.to_string(),
            n if n < 0 => format!("{} {}", t.overdue_by, -n),
            n => format!("{n}"),
        },
        step: e.step.label(),
        overdue: e.step.is_overdue(),
        late: e.late,
        late_text: if e.late {
            format!("{} {}", t.late_text, e.due_date)
        } else {
            String::new()
        },
        action,
        person: person.filter(|_| names).map(|p| p.expose().to_string()),
        number: number.filter(|_| numbers).map(|n| n.expose().to_string()),
        title: title
            .filter(|t| names && !t.expose().is_empty())
            .map(|t| t.expose().to_string()),
        caseworker: (e.role == Role::Cc).then(|| {
            it.to
                .iter()
                .map(|&c| cfg.caseworkers[c].id.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }),
    }
}

fn bill_title(cfg: &Config, it: &Item<'_>) -> String {
    match it.source {
        Source::Bill { bill } if !cfg.bill(bill).title.is_empty() => cfg.bill(bill).title.clone(),
        _ => it.reference.to_string(),
    }
}

/// What to do, in the caseworker's language.
fn action(t: &Texts, it: &Item<'_>, step: Step, label: &str) -> String {
    let fill = |s: &str| {
        s.replace("{deadline}", &it.deadline.to_string())
            .replace("{act_by}", &it.act_by.to_string())
            .replace("{label}", label)
            .replace("{stage}", it.kind)
            .replace("{current}", it.status)
    };
    fill(match (it.item, step) {
        (ItemType::Document, Step::Overdue(_)) => t.doc_overdue,
        (ItemType::Document, _) => t.doc_lead,
        (ItemType::Request, Step::Overdue(_)) => t.req_overdue,
        (ItemType::Request, _) => t.req_lead,
        (ItemType::Event, _) => t.event_lead,
        (ItemType::Bill, Step::Review(_)) => t.bill_review_action,
        (ItemType::Bill, Step::Stage) => t.bill_stage,
        (ItemType::Bill, Step::Unblocked) => t.bill_unblocked,
        (ItemType::Bill, Step::Overdue(_)) => t.bill_overdue,
        (ItemType::Bill, _) => t.bill_lead,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_is_deterministic_and_order_free() {
        let a = message_id(
            "aigerim",
            &["KZ-1|x".into(), "KZ-2|y".into()],
            "ngo.example",
        );
        let b = message_id(
            "aigerim",
            &["KZ-2|y".into(), "KZ-1|x".into()],
            "ngo.example",
        );
        let c = message_id("dana", &["KZ-1|x".into(), "KZ-2|y".into()], "ngo.example");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.starts_with("<docket.") && a.ends_with("@ngo.example>"));
    }
}
