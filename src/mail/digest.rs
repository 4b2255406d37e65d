//! Digest emails: one per recipient per pass, most urgent first, as plain
//! text and HTML rendered from minijinja templates; what they show and in
//! what order is [`super::view`].
//!
//! Privacy: the subject carries the date, counts and case references only.
//! Person names, event titles (free text that may name someone) and
//! document numbers go into bodies only when `[privacy]` allows.

use super::message::MimeMessage;
use super::texts::texts;
use crate::config::model::{Config, Language};
use chrono::NaiveDate;
use minijinja::Environment;

const TEXT_TEMPLATE: &str = include_str!("templates/digest.txt.j2");
const HTML_TEMPLATE: &str = include_str!("templates/digest.html.j2");

pub use crate::ledger::Role;

pub use super::view::Entry;

/// A rendered digest, ready to send.
#[derive(Debug, Clone)]
pub struct Digest {
    pub message: MimeMessage,
    pub message_id: String,
    pub subject: String,
    pub recipient: String,
}

/// A message that ends with its cause does not also return it from
/// `source()`: the cause is printed once (issue 19).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template: {0}")]
    Template(minijinja::Error),
    #[error(transparent)]
    Message(#[from] super::message::MessageError),
}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> RenderError {
        RenderError::Template(e)
    }
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

    /// The plain-text and the HTML part of a digest.
    pub fn render(&self, view: &super::view::View) -> Result<(String, String), RenderError> {
        let text = self.env.get_template("digest.txt.j2")?.render(view)?;
        let html = self.env.get_template("digest.html.j2")?.render(view)?;
        Ok((text, html))
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
///
/// The counts are the body's summary figures ([`super::view::Counts`]):
/// own cases overdue, own cases due (this week and later), and the team's
/// cases for a supervisor. A part that is zero is left out, but "due"
/// always stands beside "overdue" or alone, so a digest's subject always
/// says how much is coming.
pub fn subject(
    lang: Language,
    today: NaiveDate,
    entries: &[Entry<'_>],
    counts: &super::view::Counts,
) -> String {
    let t = texts(lang);
    let mut uniq: Vec<&str> = Vec::new();
    for e in entries {
        if !uniq.contains(&e.item.reference) {
            uniq.push(e.item.reference);
        }
    }
    let shown: Vec<&str> = uniq.iter().take(6).copied().collect();
    let more = if uniq.len() > 6 {
        format!(" +{}", uniq.len() - 6)
    } else {
        String::new()
    };
    let due = counts.week + counts.later;
    let mut parts = Vec::new();
    if counts.overdue > 0 {
        parts.push(format!("{} {}", counts.overdue, t.overdue_count));
    }
    // "1 overdue, 0 due" reads as a puzzle: a zero is said only when
    // there is nothing else to say.
    if due > 0 || counts.overdue == 0 && counts.team == 0 {
        parts.push(format!("{due} {}", t.due_count));
    }
    if counts.team > 0 {
        parts.push(t.team_count.replace("{n}", &counts.team.to_string()));
    }
    format!(
        "[docket] {today}: {} - {}{more}",
        parts.join(", "),
        shown.join(", ")
    )
}

/// Render one digest for caseworker `recipient` (index into the config).
/// `notes` are lines put above everything (files held back).
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
    let view = super::view::build(cfg, recipient, today, entries, notes);
    let subject = subject(cw.language, today, entries, &view.counts);
    let (text, html) = templates.render(&view)?;
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
