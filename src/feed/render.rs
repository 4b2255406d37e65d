//! A feed as iCalendar text (RFC 5545): the calendar's lines, each event's,
//! folded to 75 octets. Pure: written to any `io::Write`.

use super::{Feed, FeedEvent, FeedPlan, Revision, PRODID, REFRESH_HOURS};
use crate::config::model::Config;
use chrono::NaiveDate;
use icalendar::{Calendar, Component, EventLike, Property};

/// The feed as an iCalendar file. `revisions[i]` belongs to `events[i]`.
pub fn render(feed: &Feed, revisions: &[Revision]) -> String {
    let mut out = Vec::new();
    render_to(feed, revisions, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("rendered from strings")
}

/// [`render`] written to `out` one event at a time: a team feed at
/// 100,000 cases is ~70 MB of text, which a writer to a file never holds.
pub fn render_to(
    feed: &Feed,
    revisions: &[Revision],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let tail = render_head(&feed.title, out)?;
    for (e, r) in feed.events.iter().zip(revisions) {
        render_event(e, r, out)?;
    }
    out.write_all(tail.as_bytes())
}

/// A plan's feed (its events made one at a time from `order`, never held
/// together) written to `out` as [`render_to`] writes a [`Feed`].
pub fn render_plan_to(
    cfg: &Config,
    plan: &FeedPlan<'_, '_>,
    today: NaiveDate,
    order: &[(NaiveDate, u64, u32)],
    revisions: &[Revision],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let tail = render_head(&plan.title, out)?;
    let mut revisions = revisions.iter();
    let mut written = Ok(());
    plan.each_event(cfg, today, order, |e| {
        if let (Ok(()), Some(r)) = (&written, revisions.next()) {
            written = render_event(&e, r, out);
        }
    });
    written?;
    out.write_all(tail.as_bytes())
}

/// The calendar's own lines, written; returns its closing lines.
fn render_head(title: &str, out: &mut dyn std::io::Write) -> std::io::Result<String> {
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", PRODID));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.name(&text_value(title));
    // As `Calendar::ttl` does, but written PT1H rather than PT3600S.
    let every = format!("PT{REFRESH_HOURS}H");
    cal.append_property(
        Property::new("REFRESH-INTERVAL", &every)
            .add_parameter("VALUE", "DURATION")
            .done(),
    );
    cal.append_property(Property::new("X-PUBLISHED-TTL", &every));
    // The calendar's own lines, then each event rendered on its own and
    // appended: a team feed at 100,000 cases held as one `icalendar`
    // object took some 400 MB at once; one event at a time takes
    // nothing. The text is the same (folding is line by line).
    let head = cal.to_string();
    let close_at = head.rfind("END:VCALENDAR").unwrap_or(head.len());
    out.write_all(refold(&head[..close_at]).as_bytes())?;
    Ok(refold(&head[close_at..]))
}

/// One event's lines.
fn render_event(e: &FeedEvent, r: &Revision, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let end = e.date.succ_opt().unwrap_or(e.date);
    let mut ev = icalendar::Event::new()
        .uid(&e.uid())
        .timestamp(r.stamp)
        .sequence(r.sequence)
        .summary(&text_value(&e.summary))
        .description(&text_value(&e.description))
        .starts(e.date)
        .ends(end)
        // A deadline does not make anyone busy.
        .add_property("TRANSP", "TRANSPARENT")
        .done();
    if let Some(u) = &e.url {
        // A URI value (RFC 5545 3.3.13), not TEXT: not escaped. The
        // path in it is percent-encoded, so it holds no control
        // character; `refold` folds it like any line.
        ev.add_property("URL", u.as_str());
    }
    let mut one = Calendar::empty();
    one.push(ev);
    let one = one.to_string();
    let start = one.find("BEGIN:VEVENT").unwrap_or(0);
    let end = one.rfind("END:VCALENDAR").unwrap_or(one.len());
    out.write_all(refold(&one[start..end]).as_bytes())
}

/// A TEXT value as a feed may carry it: RFC 5545 3.3.11 admits no control
/// character but the line break the `icalendar` crate escapes (`\n`).
/// `docket check` lets a person's name or an event's title hold a CR or a
/// tab (TOML `"\r"`), which written raw would break the line it is on;
/// each becomes a space.
fn text_value(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() && c != '\n') {
        s.chars()
            .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// The longest a content line may be, in octets, without its line break
/// (RFC 5545 3.1); a continuation line's leading space counts.
pub const LINE_OCTETS: usize = 75;

/// Fold every content line of `ics` again, to at most [`LINE_OCTETS`]
/// octets on UTF-8 character boundaries. The `icalendar` crate (0.17)
/// folds too late: after its first fold it lets the rest of a line run to
/// 75 octets and then adds the continuation's space, 76 in all, as a team
/// feed with Cyrillic names showed (issue 18). Its folds are undone first:
/// it writes them as CRLF and a space, and no value of ours has a bare
/// line break (TEXT escapes `\n`), so undoing them gives its exact lines.
pub(super) fn refold(ics: &str) -> String {
    let mut out = String::with_capacity(ics.len() + ics.len() / 64 * 3);
    for line in ics.replace("\r\n ", "").split_terminator("\r\n") {
        fold_line(line, &mut out);
    }
    out
}

/// Write `line` folded, each physical line ending in CRLF: the first holds
/// up to 75 octets, each continuation a space and up to 74, never cutting
/// a UTF-8 sequence.
pub(super) fn fold_line(line: &str, out: &mut String) {
    let mut rest = line;
    let mut room = LINE_OCTETS;
    loop {
        if rest.len() <= room {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        // Not just before a space: a client that trims the continuation's
        // leading blanks (RFC 5545 removes one) would lose it.
        if rest[cut..].starts_with([' ', '\t']) {
            if let Some((i, _)) = rest[..cut]
                .char_indices()
                .next_back()
                .filter(|&(i, _)| i > 0)
            {
                cut = i;
            }
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        room = LINE_OCTETS - 1;
    }
}
