//! The mistakes people make in a TOML file, named as they would name them.
//!
//! The TOML library reports what it saw ("invalid float", "string values
//! must be quoted"); what happened is usually one of a few things: a date
//! written the way people write dates, quotes a word processor curled, a
//! space that is not a space, a table header with one bracket too few.
//! Each hint here recognises one of them from the line itself.

use super::tr::{tr, Tr, M};
use crate::privacy::value;
use std::ops::Range;

/// Characters that look like a space, or like nothing, and are not TOML
/// whitespace: what copying from a document or a chat brings along.
const INVISIBLE: &[(char, M)] = &[
    ('\u{00A0}', M::CharNbsp),
    ('\u{2007}', M::CharFigure),
    ('\u{202F}', M::CharNarrowNbsp),
    ('\u{2002}', M::CharEn),
    ('\u{2003}', M::CharEm),
    ('\u{2009}', M::CharThin),
    ('\u{3000}', M::CharIdeographic),
    ('\u{200B}', M::CharZwsp),
    ('\u{200C}', M::CharZwnj),
    ('\u{200D}', M::CharZwj),
    ('\u{2060}', M::CharWordJoiner),
    ('\u{FEFF}', M::CharZwnbsp),
    ('\u{00AD}', M::CharSoftHyphen),
];

/// Quotes that are not TOML's `"` and `'`.
const CURLY: &[char] = &[
    '“', '”', '„', '‟', '«', '»', '‘', '’', '‚', '‛', '‹', '›', '″', '＂',
];

/// For a syntax error at `span` of `text`: a clearer location, message and
/// hint, when the line shows one of the usual mistakes.
pub(super) fn likely_cause(
    text: &str,
    span: &Range<usize>,
    message: &str,
) -> Option<(Range<usize>, Tr, Tr)> {
    if message.starts_with("unknown field")
        || message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("missing field")
        || message.contains("duplicate key")
    {
        return None;
    }
    let at = span.start.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    for (off, ch) in line.char_indices() {
        if let Some((_, name)) = INVISIBLE.iter().find(|(c, _)| *c == ch) {
            // A BOM at the very start of the file is read and dropped.
            if ch == '\u{FEFF}' && start + off == 0 {
                continue;
            }
            return Some((
                start + off..start + off + ch.len_utf8(),
                tr(M::Invisible)
                    .s("code", format!("{:04X}", ch as u32))
                    .t("name", tr(*name)),
                tr(M::InvisibleHelp),
            ));
        }
    }
    if let Some((off, ch)) = line.char_indices().find(|(_, c)| CURLY.contains(c)) {
        return Some((
            start + off..start + off + ch.len_utf8(),
            tr(M::Curly).s("ch", ch),
            tr(M::CurlyHelp),
        ));
    }
    if let Some(eq) = line.find('=') {
        let v_start = start + eq + 1;
        let raw = &text[v_start..end];
        let lead = raw.len() - raw.trim_start().len();
        let v = raw.trim_start().split('#').next().unwrap_or("").trim_end();
        let vs = v_start + lead;
        if let Some(h) = people_date(v) {
            return Some((vs..vs + v.len(), h.0, h.1));
        }
        if message.starts_with("invalid date") {
            if let Some(h) = impossible_date(v).or_else(|| short_date(v)) {
                return Some((vs..vs + v.len(), h.0, h.1));
            }
        }
    }
    None
}

/// `16.10.2025`, `16/10/2025`, `16-10-2025`, `2025.10.16`, `2025/10/16`:
/// a date as people write it. The message and what to write instead.
pub fn people_date(v: &str) -> Option<(Tr, Tr)> {
    let v = v.trim_matches('"');
    let parts: Vec<&str> = v.split(['.', '/', '-']).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        || v.contains('-') && parts[0].len() == 4
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (y, m, d) = match (parts[0].len(), parts[2].len()) {
        (4, 1..=2) => (n[0], n[1], n[2]),
        (1..=2, 4) => {
            // Day first, as written in Kazakhstan; month first only when
            // the first number cannot be a month's day order otherwise.
            if n[1] > 12 && n[0] <= 12 {
                (n[2], n[0], n[1])
            } else {
                (n[2], n[1], n[0])
            }
        }
        _ => return None,
    };
    let fix = match chrono::NaiveDate::from_ymd_opt(y as i32, m, d) {
        Some(date) => tr(M::WriteDate).s("d", crate::privacy::bare_value(date)),
        None => tr(M::WriteDateShape),
    };
    Some((tr(M::PeopleDate).s("v", value(v)), fix))
}

/// What is wrong with `v` as a date, as the date parser says it
/// ([`super::raw::parse_date`]): the message and, if any, what to write.
pub fn date_problem(v: &str) -> (Tr, Option<Tr>) {
    if let Some((m, fix)) = people_date(v) {
        return (m, Some(fix));
    }
    let parts: Vec<&str> = v.split('-').collect();
    let ok_shape = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !ok_shape {
        return (tr(M::NotADate).s("v", value(v)), Some(tr(M::WriteIsoDate)));
    }
    match impossible_date(v) {
        Some((m, fix)) => (m, Some(fix)),
        None => (tr(M::NotADayOfCalendar).s("v", value(v)), None),
    }
}

/// The one-line form the date parser gives serde: `message; fix`.
pub fn joined(m: Tr, fix: Option<Tr>) -> Tr {
    match fix {
        Some(f) => tr(M::Joined).t("a", m).t("b", f),
        None => m,
    }
}

/// `2025-1-5`: a real day, its month or day written with one digit.
fn short_date(v: &str) -> Option<(Tr, Tr)> {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts[..] else { return None };
    if y.len() != 4 || m.len() > 2 || d.len() > 2 || m.is_empty() || d.is_empty() {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some((
        tr(M::ShortDate).s("v", value(v)),
        tr(M::WriteDate).s("d", crate::privacy::bare_value(date)),
    ))
}

/// `2025-02-30`: which month, and how many days it has.
pub fn impossible_date(v: &str) -> Option<(Tr, Tr)> {
    let parts: Vec<u32> = v
        .trim_matches('"')
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    let [y, m, d] = parts[..] else { return None };
    const MONTHS: [M; 12] = [
        M::Jan,
        M::Feb,
        M::Mar,
        M::Apr,
        M::May,
        M::Jun,
        M::Jul,
        M::Aug,
        M::Sep,
        M::Oct,
        M::Nov,
        M::Dec,
    ];
    if !(1..=12).contains(&m) {
        return Some((
            tr(M::NoSuchMonth).s("v", value(v)).s("m", m),
            tr(M::MonthSecond),
        ));
    }
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y as i32 + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(y as i32, m + 1, 1)
    }?;
    let days = next.pred_opt()?.format("%d").to_string();
    if d != 0 && d <= days.parse().unwrap_or(31) {
        return None;
    }
    Some((
        tr(M::NoSuchDay)
            .s("v", value(v))
            .t("month", tr(MONTHS[m as usize - 1]))
            .s("y", y)
            .s("days", &days),
        tr(M::CorrectDay).s("days", days),
    ))
}

/// `[case.document]` for `[[case.document]]`, `[[service]]` for
/// `[service]`: the table header with the wrong number of brackets.
pub(super) fn brackets(message: &str, snippet: &str) -> Option<(Tr, Option<Tr>)> {
    let s = snippet.trim();
    if !message.starts_with("invalid type") || !s.starts_with('[') {
        return None;
    }
    let name = s.trim_start_matches('[').trim_end_matches(']').trim();
    let lists = [
        "case",
        "case.document",
        "case.request",
        "case.event",
        "caseworker",
        "bill",
    ];
    let tables = ["service", "mail", "privacy", "calendar", "reminders"];
    if !s.starts_with("[[") && lists.contains(&name) {
        let what = match name {
            "case" => M::SeveralCases,
            "case.document" => M::SeveralDocuments,
            "case.request" => M::SeveralRequests,
            "case.event" => M::SeveralEvents,
            "caseworker" => M::SeveralCaseworkers,
            _ => M::SeveralBills,
        };
        return Some((
            tr(M::NeedsDoubleBrackets).s("name", name),
            Some(
                tr(M::WriteDoubleBrackets)
                    .s("name", name)
                    .t("what", tr(what)),
            ),
        ));
    }
    if s.starts_with("[[") && (tables.contains(&name) || name.starts_with("kinds.")) {
        return Some((
            tr(M::OneTable).s("name", name),
            Some(tr(M::WriteSingleBrackets).s("name", name)),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_people_write_them() {
        let fix = |v: &str| {
            people_date(v)
                .map(|(_, h)| crate::privacy::show(&h.en(), crate::privacy::Quoting::Full))
        };
        assert_eq!(
            fix("16.10.2025").as_deref(),
            Some("write 2025-10-16 (year-month-day, no quotes)")
        );
        assert_eq!(
            fix("16/10/2025").as_deref(),
            Some("write 2025-10-16 (year-month-day, no quotes)")
        );
        assert_eq!(
            fix("10/16/2025").as_deref(),
            Some("write 2025-10-16 (year-month-day, no quotes)")
        );
        assert_eq!(
            fix("2025.10.16").as_deref(),
            Some("write 2025-10-16 (year-month-day, no quotes)")
        );
        assert_eq!(
            fix("\"16.10.2025\"").as_deref(),
            Some("write 2025-10-16 (year-month-day, no quotes)")
        );
        assert!(fix("31.02.2025").unwrap().contains("YYYY-MM-DD"));
        assert_eq!(fix("2025-10-16"), None);
        assert_eq!(fix("1.5"), None);
        assert_eq!(fix("\"KZ-0042\""), None);
    }

    #[test]
    fn impossible_days_name_the_month() {
        let m = impossible_date("2025-02-30").unwrap().0.en();
        assert!(
            crate::privacy::show(&m, crate::privacy::Quoting::Full)
                .ends_with("February 2025 has 28 days"),
            "{m}"
        );
        assert!(impossible_date("2024-02-29").is_none());
        assert!(impossible_date("2026-13-01")
            .unwrap()
            .0
            .en()
            .contains("no month 13"));
    }
}
