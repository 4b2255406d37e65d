//! What an id may hold. Ids name files (a caseworker's calendar feed is
//! `<id>.ics`) and are the only identifiers written to logs, so they are
//! letters of any script, digits, `-`, `_` and `.`: nothing that can
//! break a log line, separate a path or hide a file. They must also
//! compare as people read them: an id not in Unicode NFC ("andre" and a
//! combining accent) looks like its composed twin but names another file,
//! so it is refused rather than silently normalised.

use super::checker::Checker;
use crate::config::raw::S;
use crate::config::tr::{tr, Arg, Tr, M};
use crate::logging::escape;

/// Is `c` a character an id may hold?
pub fn id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Check one id (`what`: "case id", "caseworker id", …); false if refused.
/// An empty id is left to the caller's own message.
pub(super) fn id_ok(c: &mut Checker<'_>, id: &S<String>, what: Tr) -> bool {
    let v = id.get_ref();
    if v.is_empty() {
        return true;
    }
    // ASCII is always in NFC (most ids: the normaliser is asked only of
    // the rest).
    if !v.is_ascii() && !icu_normalizer::ComposingNormalizerBorrowed::new_nfc().is_normalized(v) {
        c.err(
            id.span(),
            tr(M::IdNfc).t("what", what).s("v", escape(v)),
            tr(M::IdNfcHelp),
        );
        return false;
    }
    let bad: Vec<Arg> = v
        .chars()
        .filter(|&ch| !id_char(ch))
        .map(|ch| match ch {
            ' ' => Arg::T(tr(M::ASpace)),
            c if c.is_ascii_punctuation() => Arg::S(format!("'{c}'")),
            c => Arg::S(format!("U+{:04X}", c as u32)),
        })
        .collect();
    if !bad.is_empty() {
        let mut uniq: Vec<Arg> = Vec::new();
        for b in bad {
            if !uniq.contains(&b) {
                uniq.push(b);
            }
        }
        // The list in each language: a space is named in words.
        let mut list = tr(M::IdChars).t("what", what).s("v", escape(v));
        list.args.push(("list", Arg::L(uniq)));
        c.err(id.span(), list, tr(M::IdCharsHelp));
        return false;
    }
    if v.starts_with('.') {
        c.err(
            id.span(),
            tr(M::IdDot).t("what", what).s("v", escape(v)),
            tr(M::IdDotHelp),
        );
        return false;
    }
    true
}

/// The form two file names are compared in: case-folded, since a feeds
/// directory may live on a case-insensitive file system (a Samba or macOS
/// share) where `Dana.ics` and `dana.ics` are one file.
pub fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// A caseworker id as a file name. `docket check` admits only ids of
/// letters (any script), digits, `-`, `_` and `.`, not starting with `.`,
/// in NFC, so for every loaded config this is the id itself, and distinct
/// ids give distinct names (SPEC: `feeds/<caseworker>.ics`); check also
/// refuses ids whose feed names differ only in case or meet a team feed's
/// name. Anything else is replaced by `_` only as a last guard.
pub fn file_stem(id: &str) -> String {
    id.chars()
        .enumerate()
        .map(|(i, c)| {
            if id_char(c) && !(i == 0 && c == '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A supervisor's team feed's file name: `<id>-team`. Kept as it was (the
/// feeds' URLs are in people's calendars); an id that would meet it is
/// refused by `docket check`.
pub fn team_stem(id: &str) -> String {
    format!("{}-team", file_stem(id))
}
