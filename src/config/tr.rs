//! What a case file's diagnostics say, in the three languages caseworkers
//! read (SPEC 9): every message and hint a case file can produce is an
//! entry of [`M`], with its English, Russian and Kazakh template side by
//! side, so a message cannot be added without its translations (the macro
//! takes all three) and a test checks that each one carries the same
//! placeholders.
//!
//! A diagnostic keeps its English text (the journal, the admin's mail and
//! `docket check` read it, and tests search it) and the [`Tr`] it was made
//! from; the edge renders the Tr in the reader's language. Values quoted
//! from the file are arguments, marked with [`crate::privacy::value`] as
//! before, so masking applies in every language alike.

use super::model::Language;
use std::fmt;

mod catalogue;
pub use catalogue::M;

/// The TOML parser's own messages that have a translation: matched whole.
pub const TOML_MESSAGES: &[M] = &[
    M::Unquoted,
    M::TomlUnclosedArray,
    M::TomlUnclosedArrayTable,
    M::TomlUnclosedTable,
    M::TomlUnclosedBasic,
    M::TomlUnclosedLiteral,
    M::TomlEscape,
    M::TomlUnicodeEscape,
    M::TomlNoValue,
    M::TomlTrailing,
    M::TomlCommaPairs,
    M::TomlCommaArray,
    M::TomlEmptyKey,
];

/// An argument of a [`Tr`]: text as it is (an id, a date, a value marked
/// with [`crate::privacy::value`]), or words that are translated too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    S(String),
    T(Tr),
    /// A list, joined with ", ".
    L(Vec<Arg>),
}

impl Arg {
    fn render(&self, lang: Language) -> String {
        match self {
            Arg::S(s) => s.clone(),
            Arg::T(t) => t.render(lang),
            Arg::L(l) => l
                .iter()
                .map(|a| a.render(lang))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// A message or hint: a template and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tr {
    pub id: M,
    pub args: Vec<(&'static str, Arg)>,
}

/// A message with no arguments yet.
pub fn tr(id: M) -> Tr {
    Tr {
        id,
        args: Vec::new(),
    }
}

impl Tr {
    /// Add an argument shown as it is.
    pub fn s(mut self, name: &'static str, v: impl fmt::Display) -> Tr {
        self.args.push((name, Arg::S(v.to_string())));
        self
    }

    /// Add an argument that is itself translated.
    pub fn t(mut self, name: &'static str, v: Tr) -> Tr {
        self.args.push((name, Arg::T(v)));
        self
    }

    /// The text in `lang`; values stay marked for [`crate::privacy::show`].
    pub fn render(&self, lang: Language) -> String {
        let t = self.id.template(lang);
        let mut out = String::with_capacity(t.len() + 16);
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(after.len());
            let arg = (name_len > 0 && after[name_len..].starts_with('}'))
                .then(|| self.args.iter().find(|(n, _)| *n == &after[..name_len]))
                .flatten();
            match arg {
                Some((_, a)) => {
                    out.push_str(&a.render(lang));
                    rest = &after[name_len + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The English text, what logs, the admin and tests read.
    pub fn en(&self) -> String {
        self.render(Language::En)
    }
}

/// A message as given to [`super::diag::Diagnostics::error`]: translated,
/// or English only (the main file's settings, which only the admin reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    En(String),
    Tr(Tr),
}

impl Text {
    pub fn en(&self) -> String {
        match self {
            Text::En(s) => s.clone(),
            Text::Tr(t) => t.en(),
        }
    }

    pub fn tr(&self) -> Option<&Tr> {
        match self {
            Text::En(_) => None,
            Text::Tr(t) => Some(t),
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Text::En(s) if s.is_empty())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::En(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::En(s.clone())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::En(s.to_string())
    }
}

impl From<Tr> for Text {
    fn from(t: Tr) -> Text {
        Text::Tr(t)
    }
}

impl From<&Text> for Text {
    fn from(t: &Text) -> Text {
        t.clone()
    }
}

/// The placeholders of a template, sorted.
#[cfg(test)]
fn placeholders(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let n = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if n > 0 && after[n..].starts_with('}') {
            out.push(&after[..n]);
        }
        rest = after;
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::Quoting;

    /// Issue 18 item 2: every template a case file can produce (all of
    /// [`M`], enumerated) has a Russian and a Kazakh text, different from
    /// the English one where words are translated, and with the same
    /// placeholders, so no argument is lost or invented in translation.
    #[test]
    fn item2_every_template_has_ru_and_kk_with_the_same_placeholders() {
        // Texts the same in every language: only placeholders, or key names.
        let same = [M::DidYouMeanThen, M::Joined, M::FarExpires];
        let mut missing = Vec::new();
        for &m in M::ALL {
            let en = m.template(Language::En);
            for lang in [Language::Ru, Language::Kk] {
                let t = m.template(lang);
                if t.trim().is_empty() || (t == en && !same.contains(&m)) {
                    missing.push(format!("{m:?} has no {} text", lang.code()));
                }
                if placeholders(t) != placeholders(en) {
                    missing.push(format!(
                        "{m:?} {}: placeholders {:?}, English has {:?}",
                        lang.code(),
                        placeholders(t),
                        placeholders(en)
                    ));
                }
                // Latin words left in a Cyrillic text are English left over,
                // unless they are keys, values or examples (in quotes, in
                // backticks, after `=`, or docket's own name).
                let mut bare = t.to_string();
                for p in placeholders(t) {
                    bare = bare.replace(&format!("{{{p}}}"), " ");
                }
                let words: Vec<&str> = bare
                    .split(|c: char| !(c.is_alphabetic() || c == '_'))
                    .filter(|w| {
                        w.len() > 3 && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    })
                    .filter(|w| !ALLOWED_LATIN.contains(w))
                    .collect();
                if !words.is_empty() && !same.contains(&m) {
                    missing.push(format!("{m:?} {}: English words {words:?}", lang.code()));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    /// Latin words that are keys, values, commands or names in every
    /// language.
    const ALLOWED_LATIN: &[&str] = &[
        "docket",
        "active",
        "renewal_filed",
        "renewed",
        "expired",
        "withdrawn",
        "pending",
        "answered",
        "refused",
        "kind",
        "kinds",
        "case",
        "document",
        "caseworker",
        "bill",
        "date",
        "lead_days",
        "issued",
        "filed",
        "expires",
        "extended_to",
        "valid_for",
        "answer_within",
        "last_checked",
        "check_every_days",
        "stage",
        "stages",
        "drafted",
        "owner",
        "status",
        "true",
        "false",
        "dana",
        "aigerim",
        "migration",
        "systemd",
        "credential",
        "loadcredential",
        "smtp",
        "password",
        "password_file",
        "mail",
        "etc",
        "chown",
        "chmod",
        "chgrp",
        "usermod",
        "setfacl",
        "root",
        "uconv",
        "nfc",
        "unicode",
        "toml",
        "years",
        "days",
        "months",
        "working",
    ];

    #[test]
    fn arguments_are_filled_in_and_translated() {
        let t = tr(M::NoSuchDay)
            .s("v", "\"2025-02-30\"")
            .t("month", tr(M::Feb))
            .s("y", 2025)
            .s("days", 28);
        assert_eq!(
            t.en(),
            "\"2025-02-30\" is not a day of the calendar: February 2025 has 28 days"
        );
        assert_eq!(
            t.render(Language::Ru),
            "\"2025-02-30\" — такого дня в календаре нет: в феврале 2025 года последнее число — 28"
        );
        assert_eq!(
            t.render(Language::Kk),
            "\"2025-02-30\" — күнтізбеде мұндай күн жоқ: 2025 жылғы ақпан айында 28 күн бар"
        );
        // Braces that are not placeholders stay.
        assert_eq!(
            tr(M::WriteDate).s("d", "{x}").en(),
            "write {x} (year-month-day, no quotes)"
        );
    }

    /// Issue 18 item 2: every problem a case file shows, over a corpus of
    /// the mistakes each check exists for (one file each, so a parse error
    /// does not hide the rest), carries its translation: the message and,
    /// where there is one, the hint. What is left English is listed.
    #[test]
    fn item2_every_case_file_problem_is_translated() {
        use std::os::unix::fs::PermissionsExt;
        const MAIN: &str = include_str!("../../tests/data/case-file-main.toml");
        let case = |id: &str, body: &str| {
            format!("[[case]]\nid = \"{id}\"\ncaseworker = \"aigerim\"\n{body}")
        };
        let doc = |id: &str, lines: &str| {
            case(
                id,
                &format!("\n  [[case.document]]\n  kind = \"refugee_certificate\"\n{lines}"),
            )
        };
        let req = |id: &str, lines: &str| {
            case(
                id,
                &format!("\n  [[case.request]]\n  kind = \"travel_document\"\n{lines}"),
            )
        };
        let event = |id: &str, lines: &str| {
            case(
                id,
                &format!("\n  [[case.event]]\n  kind = \"court_hearing\"\n{lines}"),
            )
        };
        let files: Vec<String> = vec![
            // What the TOML parser and serde see.
            doc("A1", "  issued = 16.10.2025\n"),
            doc("A2", "  issued = 2025-02-30\n"),
            doc("A3", "  issued = \"2025-02-30\"\n"),
            doc("A4", "  issued = \"Aigerim\"\n"),
            doc("A5", "  issued = 2025-10-16T10:00:00\n"),
            doc("A6", "  issued = 5\n"),
            doc("A7", "  issued = \"2025-13-01\"\n"),
            doc("A8", "  issued = \"16.10.2025\"\n"),
            doc("A9", "  issued = 31.02.2025\n"),
            case("B1", "person = “Aigerim”\n"),
            "[[case]]\nid\u{a0}= \"B2\"\ncaseworker = \"aigerim\"\n".into(),
            "[case]\nid = \"B3\"\ncaseworker = \"aigerim\"\n".into(),
            case("B4", "\n  [case.document]\n  kind = \"refugee_certificate\"\n"),
            doc("B5", "  isued = 2025-10-16\n"),
            doc("B6", "  number = 777031\n  issued = 2025-10-16\n"),
            event("B7", "  date = 2026-10-10\n  lead_days = \"7\"\n"),
            case("B8", "caseworker = \"aigerim\"\n"),
            case("B9", "person = Aigerim Testova\n"),
            case("C1", "person = \"a \\q\"\n"),
            case("C2", "password = \"x\"\n"),
            event("C3", "  date = 2026-10-10\n  lead_days = [true]\n"),
            event("C4", "  date = 2026-10-10\n  lead_days = [7, 1\n"),
            case("C5", "person = 'Aigerim\n"),
            case("C6", "person = \"Aigerim\n"),
            case("C7", "document = { kind = \"x\" number = \"y\" }\n"),
            case("C8", "\n[[case.document]\n"),
            case("C9", "= \"x\"\n"),
            doc("CA", "  issued = 2025-1-5\n"),
            case("CB", "person \"Aigerim\"\n"),
            case("CC", "person = \"Aigerim\" \"x\"\n"),
            case("CD", "person = \"C:\\Users\"\n"),
            // What validation sees.
            case("D1", "").replace("caseworker = \"aigerim\"", "caseworker = \"aigerm\""),
            "[[case]]\nid = \"D2\"\n".into(),
            "[[case]]\ncaseworker = \"aigerim\"\n".into(),
            case("", ""),
            case("К-D5", ""),
            case("D6 x", ""),
            case(".D7", ""),
            case("De\u{301}8", ""),
            doc("E1", "  issued = 2025-10-16\n  status = \"activ\"\n"),
            req("E2", "  filed = 2025-10-16\n  status = \"pendin\"\n"),
            case("E3", "\n  [[case.document]]\n  kind = \"refugee_certificat\"\n  expires = 2027-01-01\n"),
            case("E4", "\n  [[case.document]]\n  expires = 2027-01-01\n"),
            case("E5", "\n  [[case.document]]\n  kind = \"passport\"\n"),
            case("E6", "\n  [[case.request]]\n  kind = \"appeal\"\n"),
            doc("E7", ""),
            doc("E8", "  issued = 2025-10-16\n  expires = 2025-01-01\n"),
            doc("E9", "  issued = 2027-10-16\n  status = \"renewal_filed\"\n  filed = 2027-01-01\n"),
            req("F1", "  filed = 2027-10-16\n"),
            doc("F2", "  expires = 2045-01-01\n"),
            req("F3", "  filed = 2025-10-16\n  extended_to = 2045-01-01\n"),
            event("F4", "  date = 2045-01-01\n"),
            event("F5", "  date = 2025-01-01\n"),
            event("F6", "  date = 2026-10-10\n  lead_days = []\n"),
            event("F7", ""),
            doc("F8", "  issued = 2025-10-16\n  status = \"renewed\"\n"),
            req("G1", "  filed = 2025-10-16\n  answer_within = \"15\"\n"),
            req("G2", "  filed = 2025-10-16\n  answer_within = \"wd\"\n"),
            req("G3", "  filed = 2025-10-16\n  answer_within = \"15q\"\n"),
            req("G4", "  filed = 2025-10-16\n  answer_within = \"99999d\"\n"),
            event("G5", "  date = 2026-10-10\n  lead_days = [-1]\n"),
            doc("G6", "  issued = 1800-01-01\n"),
            req("G7", "  filed = 2099-12-01\n  answer_within = \"36000d\"\n"),
            "[[bill]]\nid = \"law-1\"\nowner = \"dan\"\nstage = \"senat\"\nstages = []\n".into(),
            "[[bill]]\nid = \"law-2\"\nowner = \"aigerim\"\nstages = [\"a\", \"a\"]\nstage = \"a\"\ncheck_every_days = 0\n".into(),
            "[[bill]]\ntitle = \"Law on migration\"\n".into(),
            "[[bill]]\nid = \"law-4\"\nowner = \"aigerim\"\nstage = \"drafted\"\nlast_checked = 2099-12-30\ncheck_every_days = 30\n".into(),
            req("H1", "  filed = 2025-10-16\n  waiting_for = \"law-9\"\n"),
            // Across files.
            case("KZ-0001", ""),
            case("KZ-0001", ""),
            case("kz-0002", ""),
            case("KZ-0002", ""),
            case("law-5", ""),
            "[[bill]]\nid = \"law-5\"\nowner = \"aigerim\"\nstage = \"drafted\"\n".into(),
        ];
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("cases.d")).unwrap();
        let main = tmp.path().join("docket.toml");
        std::fs::write(&main, MAIN).unwrap();
        std::fs::set_permissions(&main, std::fs::Permissions::from_mode(0o600)).unwrap();
        for (i, text) in files.iter().enumerate() {
            let p = tmp.path().join(format!("cases.d/{i:03}.toml"));
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        // The file itself: not UTF-8, writable by others, readable by all.
        let p = tmp.path().join("cases.d/900.toml");
        std::fs::write(&p, b"[[case]]\nid = \"Z\xff\"\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let p = tmp.path().join("cases.d/901.toml");
        std::fs::write(&p, case("Z-1", "")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        let p = tmp.path().join("cases.d/902.toml");
        std::fs::write(&p, case("Z-2", "")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let env = crate::config::Env {
            check: Some(crate::config::AsOf::Day(
                chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            )),
            ..Default::default()
        };
        let d = crate::config::load_with_env(&main, &env).diagnostics;
        let mut seen = std::collections::BTreeSet::new();
        let mut english = Vec::new();
        for e in &d.items {
            if !d.sources[e.file].path.to_string_lossy().contains("cases.d") {
                continue;
            }
            seen.insert(e.tr.as_ref().map(|t| format!("{:?}", t.id)));
            if e.tr.is_none() {
                english.push(format!("message: {}", d.headline(e, Quoting::Full)));
            }
            if e.help.is_some() && e.help_tr.is_none() {
                english.push(format!(
                    "hint of {}: {}",
                    e.message,
                    e.help.as_deref().unwrap()
                ));
            }
            for lang in [Language::Ru, Language::Kk] {
                let _ = d.render_in(e, Quoting::Masked, lang);
            }
        }
        assert!(
            english.is_empty(),
            "left in English:\n{}",
            english.join("\n")
        );
        // The corpus reaches the checks it is for.
        assert!(
            seen.len() >= 50,
            "{} kinds of problem: {seen:?}",
            seen.len()
        );
    }
}
