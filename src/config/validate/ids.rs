//! What an id may hold. Ids name files (a caseworker's calendar feed is
//! `<id>.ics`) and are the only identifiers written to logs, so they are
//! letters of any script, digits, `-`, `_` and `.`: nothing that can
//! break a log line, separate a path or hide a file. They must also
//! compare as people read them: an id not in Unicode NFC ("andre" and a
//! combining accent) looks like its composed twin but names another file,
//! so it is refused rather than silently normalised.

use super::Checker;
use crate::config::raw::S;
use crate::logging::escape;

/// Is `c` a character an id may hold?
pub fn id_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Check one id (`what`: "case id", "caseworker id", …); false if refused.
/// An empty id is left to the caller's own message.
pub(super) fn id_ok(c: &mut Checker<'_>, id: &S<String>, what: &str) -> bool {
    let v = id.get_ref();
    if v.is_empty() {
        return true;
    }
    if !icu_normalizer::ComposingNormalizerBorrowed::new_nfc().is_normalized(v) {
        c.err(
            id.span(),
            format!("{what} \"{}\" is not in Unicode normal form C: a letter in it is written as a base letter and a separate accent", escape(v)),
            "retype it (keyboards write composed letters), or convert the file to NFC, e.g. uconv -x any-nfc: the two spellings look alike but would name different files",
        );
        return false;
    }
    let bad: Vec<String> = v
        .chars()
        .filter(|&ch| !id_char(ch))
        .map(|ch| match ch {
            ' ' => "a space".to_string(),
            c if c.is_ascii_punctuation() => format!("'{c}'"),
            c => format!("U+{:04X}", c as u32),
        })
        .collect();
    if !bad.is_empty() {
        let mut uniq: Vec<String> = Vec::new();
        for b in bad {
            if !uniq.contains(&b) {
                uniq.push(b);
            }
        }
        c.err(
            id.span(),
            format!(
                "{what} \"{}\" holds characters an id cannot: {}",
                escape(v),
                uniq.join(", ")
            ),
            "ids are letters (of any script), digits, '-', '_' and '.': they name files and appear in logs; e.g. \"KZ-0042\", \"aigerim\"",
        );
        return false;
    }
    if v.starts_with('.') {
        c.err(
            id.span(),
            format!("{what} \"{}\" starts with '.'", escape(v)),
            "start it with a letter or a digit: a file named after it would be hidden (or be \".\" or \"..\")",
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
