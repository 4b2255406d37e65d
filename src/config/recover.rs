//! Parsing that keeps going: on a bad key, report it, remove it from the
//! parsed document and deserialize again, so one run of `docket check`
//! lists every unknown key, every bad type and every bad date in a file.
//! Also turns the TOML library's wording into what a caseworker can act on.

use super::diag::Diagnostics;
use super::tr::{tr, Text, Tr, M};
use serde::de::DeserializeOwned;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Parse errors reported per file before giving up on it.
pub const MAX_PARSE_ERRORS: usize = 100;

/// Deserialize `text` into `T`, reporting *every* bad key rather than the
/// first: on an error, report it, drop the offending key from the parsed
/// document and try again. The fast path (a valid file) parses once.
pub(crate) fn parse_collect<T: DeserializeOwned>(
    text: &str,
    file: usize,
    diags: &mut Diagnostics,
) -> Option<T> {
    // `toml::from_str`, in its two steps: a syntax error is known as one
    // without parsing the text again (a flood of bad lines costs the parser
    // about a hundred bytes per byte of text, so twice is what a hostile
    // file must not get).
    match toml::de::Deserializer::parse(text) {
        Ok(de) => match T::deserialize(de) {
            Ok(v) => return Some(v),
            Err(e) if e.span().is_none() => {
                report_toml_error(&e, Some(text), file, diags);
                return None;
            }
            Err(_) => {}
        },
        Err(e) if e.span().is_none() => {
            report_toml_error(&e, Some(text), file, diags);
            return None;
        }
        // The recoverable parse lists every syntax error, but keeps all of
        // them in memory: a flood of bad lines in a large file would take
        // gigabytes. For a large file, report the first error alone unless
        // it is a bad value (a date), after which the document is still
        // worth reading on.
        Err(e) if text.len() > RECOVER_BYTES && !is_value_level(&e) => {
            report_toml_error(&e, Some(text), file, diags);
            return None;
        }
        Err(_) => {}
    }
    let (mut root, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        // The parser's recovery repeats one error at one place (a million
        // `[` gave eighty "unclosed array" at the same column): each is
        // reported once, and only once is its line scanned for a likely
        // cause (a megabyte-long line, scanned a hundred times, took 30 s
        // in a debug build).
        let mut seen = std::collections::HashSet::new();
        for e in syntax
            .iter()
            .filter(|e| seen.insert((e.span(), e.message())))
            .take(MAX_PARSE_ERRORS)
        {
            report_toml_error(e, Some(text), file, diags);
        }
        // A bad value (an impossible date such as 2026-02-30) is a syntax
        // error to TOML but leaves the document's shape intact: keep going
        // to report the other problems. Any other syntax error means the
        // recovered document cannot be trusted.
        let value_level = syntax.iter().all(is_value_level);
        if !value_level {
            return None;
        }
        // Take each bad value out, as an unknown key is: validation then
        // finds it missing, which `Diagnostics::drop_knock_on` drops as the
        // echo of this error. (A placeholder date instead would be judged
        // as a date: "1970 is outside the calendar".)
        for e in &syntax {
            if let Some(span) = e.span() {
                remove_at(root.get_mut(), &span);
            }
        }
    }
    root.get_mut().make_owned();
    // Each round removes one key, so this ends; the cap bounds the work a
    // hostile file can cause (each round re-reads the whole document).
    for _ in 0..MAX_PARSE_ERRORS {
        let de = toml::de::Deserializer::from(root.clone());
        match T::deserialize(de) {
            Ok(v) => return Some(v),
            Err(e) => {
                let span = e.span();
                report_toml_error(&e, Some(text), file, diags);
                match span {
                    Some(span) if remove_at(root.get_mut(), &span) => continue,
                    _ => return None,
                }
            }
        }
    }
    None
}

/// Files up to this size get every syntax error reported; larger ones
/// the first (see `parse_collect`).
const RECOVER_BYTES: usize = 1 << 20;

/// A syntax error in a value (an impossible date) rather than in the
/// document's structure.
fn is_value_level(e: &toml::de::Error) -> bool {
    let m = e.message();
    m.contains("date") || m.contains("time") || m.contains("day") || m.contains("month")
}

/// Where a location-less "recursion limit" error most likely is: the first
/// line nested deeper than the parser allows (dots in a key, brackets,
/// braces).
fn deep_line(text: &str) -> Option<std::ops::Range<usize>> {
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        let depth = line
            .bytes()
            .filter(|b| matches!(b, b'.' | b'[' | b'{'))
            .count();
        if depth > 64 {
            let start = off + (line.len() - line.trim_start().len());
            return Some(start..start + 1);
        }
        off += line.len();
    }
    None
}

fn report_toml_error(
    e: &toml::de::Error,
    text: Option<&str>,
    file: usize,
    diags: &mut Diagnostics,
) {
    let deep = e.span().is_none() && e.message().contains("recursion");
    let span = e
        .span()
        .or_else(|| if deep { text.and_then(deep_line) } else { None })
        .unwrap_or(0..0);
    if deep {
        diags
            .error(file, span, tr(M::TooDeep))
            .help(tr(M::TooDeepHelp));
        return;
    }
    let message = e.message().trim().to_string();
    if let Some((at, message, help)) =
        text.and_then(|t| super::hints::likely_cause(t, &span, &message))
    {
        diags.error(file, at, message).help(help);
        return;
    }
    let snippet = text.and_then(|t| t.get(span.start.min(t.len())..span.end.min(t.len())));
    let (message, help) = explain(&message, snippet);
    let d = diags.error(file, span, message);
    if let Some(h) = help {
        d.help(h);
    }
}

/// Turn serde's wording into what a caseworker can act on, in words that
/// can be translated: what the TOML library says in its own English is
/// matched here to a template; what no template matches is kept as it is
/// (and said to be a TOML syntax problem in Russian and Kazakh).
fn explain(message: &str, snippet: Option<&str>) -> (Text, Option<Text>) {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest
            .split('`')
            .skip(1)
            .filter(|s| !s.contains(',') && !s.trim().is_empty())
            .collect();
        let expected: Vec<&str> = expected
            .into_iter()
            .filter(|s| !s.starts_with(' '))
            .collect();
        if crate::privacy::is_secret_key(name) {
            return (
                tr(M::SecretKey).s("name", name).into(),
                Some(tr(M::SecretKeyHelp).into()),
            );
        }
        let list = expected.join(", ");
        let help = match super::suggest::closest(name, expected.iter().copied()) {
            Some(s) => tr(M::DidYouMeanKey).s("s", s).s("list", list),
            None if expected.is_empty() => tr(M::RemoveIt),
            None => tr(M::RemoveItAllowed).s("list", list),
        };
        return (tr(M::UnknownKey).s("name", name).into(), Some(help.into()));
    }
    if let Some((m, h)) = snippet.and_then(|s| super::hints::brackets(message, s)) {
        return (m.into(), h.map(Text::from));
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let help = snippet.map(|s| tr(M::Found).s("v", crate::privacy::value(s.trim())).into());
        let m = mark_unexpected(message)
            .replace("invalid type: ", "wrong type: ")
            .replace("expected i64", "expected a whole number")
            .replace("expected u32", "expected a whole number")
            .replace("expected a boolean", "expected true or false")
            .replace("expected a string", "expected a quoted string")
            .replace("expected a sequence", "expected a list [ ... ]");
        return (wrong_type(&m).map_or(Text::En(m), Text::from), help);
    }
    if message.contains("duplicate key") {
        let rest = message.split_once("duplicate key").map_or("", |(_, r)| r);
        let m = tr(M::DuplicateKey).s("rest", rest);
        let m = if m.en() == message {
            Text::from(m)
        } else {
            Text::En(message.to_string())
        };
        return (m, Some(tr(M::DuplicateKeyHelp).into()));
    }
    // What the date parser said ([`super::raw::parse_date`]): rebuilt from
    // the value, so it can be said in every language.
    if let Some(v) = snippet.map(|s| s.trim().trim_matches('"')) {
        let (m, fix) = super::hints::date_problem(v);
        let joined = super::hints::joined(m, fix);
        if joined.en() == message {
            return (joined.into(), None);
        }
    }
    if message == "expected a date such as 2026-10-16 (YYYY-MM-DD, without quotes)" {
        return (tr(M::ExpectedDate).into(), None);
    }
    if let Some(dt) = message
        .strip_prefix("expected a date, found the date-time ")
        .and_then(|r| r.strip_suffix("; write only the day, e.g. 2026-10-16"))
    {
        return (tr(M::DateTime).s("dt", dt).into(), None);
    }
    if let Some(&m) = super::tr::TOML_MESSAGES
        .iter()
        .find(|m| m.template(crate::config::model::Language::En) == message)
    {
        return (tr(m).into(), None);
    }
    (tr(M::TomlSyntax).s("detail", message).into(), None)
}

/// `wrong type: integer "…", expected a quoted string`, its parts named
/// in words that can be translated; `None` if a part is not one docket
/// knows.
fn wrong_type(m: &str) -> Option<Tr> {
    let rest = m.strip_prefix("wrong type: ")?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let (kind, value) = found.split_once(' ').unwrap_or((found, ""));
    let kind = match kind {
        "string" => M::TString,
        "integer" => M::TInteger,
        "floating" => M::TFloat,
        "boolean" => M::TBoolean,
        "sequence" => M::TSequence,
        "map" => M::TMap,
        "datetime" => M::TDatetime,
        _ => return None,
    };
    let value = if kind == M::TFloat {
        value.strip_prefix("point")?.to_string()
    } else if value.is_empty() {
        String::new()
    } else {
        format!(" {value}")
    };
    let exp = match expected {
        "a whole number" => M::EWholeNumber,
        "true or false" => M::ETrueFalse,
        "a quoted string" => M::EQuotedString,
        "a list [ ... ]" => M::EList,
        _ => return None,
    };
    let t = tr(M::WrongType)
        .t("found", tr(kind).s("v", value))
        .t("expected", tr(exp));
    (t.en() == m).then_some(t)
}

/// serde quotes the value it did not expect: `string "weekly"`, `integer
/// `7``. Mark it as a value from the file, so it is masked wherever the
/// message may reach a log.
fn mark_unexpected(message: &str) -> String {
    let Some(open) = message.find(['"', '`']) else {
        return message.to_string();
    };
    let q = message[open..].chars().next().unwrap_or('"');
    let Some(len) = message[open + 1..].find(q) else {
        return message.to_string();
    };
    let inner = &message[open + 1..open + 1 + len];
    format!(
        "{}{}{}",
        &message[..open],
        crate::privacy::value(inner),
        &message[open + 1 + len + 1..]
    )
}

/// Remove the key whose key or value is at `span`, searching nested tables
/// and arrays of tables. Returns whether something was removed.
fn remove_at(table: &mut DeTable<'_>, span: &Range<usize>) -> bool {
    let mut victim = None;
    for (k, v) in table.iter_mut() {
        if covers(&k.span(), span) {
            victim = Some(k.get_ref().to_string());
            break;
        }
        let inside = covers(&v.span(), span);
        // Tables opened by a header ([a.b]) need not nest textually inside
        // their parent's span, so search every table, not only covering ones.
        if remove_in_value(v, span) {
            return true;
        }
        if inside {
            victim = Some(k.get_ref().to_string());
            break;
        }
    }
    match victim {
        Some(k) => table.remove(k.as_str()).is_some(),
        None => false,
    }
}

fn remove_in_value(v: &mut Spanned<DeValue<'_>>, span: &Range<usize>) -> bool {
    match v.get_mut() {
        DeValue::Table(t) => remove_at(t, span),
        DeValue::Array(a) => {
            for item in a.iter_mut() {
                if let DeValue::Table(t) = item.get_mut() {
                    if remove_at(t, span) {
                        return true;
                    }
                }
            }
            false
        }
        _ => false,
    }
}

fn covers(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && (inner.is_empty() || !outer.is_empty())
}
