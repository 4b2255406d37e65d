//! Fuzzing the loader in-process.

use super::{example_copy, fuzz_config};
use crate::util::write_config_bytes;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Load `bytes` as a main config file in `dir` and render every
/// diagnostic (rendering slices the source by the reported spans, so it is
/// part of what must not panic).
fn load_bytes(dir: &Path, bytes: &[u8]) {
    let path = write_config_bytes(dir, "docket.toml", bytes);
    let loaded = docket::config::load(&path);
    let text = loaded.diagnostics.to_string();
    if loaded.config.is_none() {
        assert!(
            loaded.diagnostics.has_errors(),
            "no config and no error for {:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let _ = text;
}

/// Pieces of TOML and of docket's schema, so that random sequences reach
/// past the tokenizer into deserialization and validation.
fn toml_token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "[service]",
        "[mail]",
        "[privacy]",
        "[calendar]",
        "[reminders]",
        "[kinds.x]",
        "[[case]]",
        "[[case.document]]",
        "[[case.request]]",
        "[[case.event]]",
        "[[caseworker]]",
        "[[bill]]",
        "[bill.expected]",
        "timezone = \"Asia/Almaty\"",
        "timezone = \"Mars/Base\"",
        "schedule = \"0 0 9 * * *\"",
        "schedule = \"* * *\"",
        "include = [\"cases.d/*.toml\"]",
        "include = [\"[\"]",
        "transport = \"file\"",
        "transport = \"smtp\"",
        "id = \"a\"",
        "id = \"b\"",
        "caseworker = \"a\"",
        "email = \"a@ngo.example\"",
        "supervisor = \"a\"",
        "supervisor = \"b\"",
        "kind = \"x\"",
        "kind = \"refugee_certificate\"",
        "valid_for = \"1y\"",
        "answer_within = \"15wd\"",
        "answer_within = \"99999999999d\"",
        "lead_days = [30, 7, 1]",
        "lead_days = [-1]",
        "lead_days = []",
        "issued = 2026-01-31",
        "expires = 2026-02-30",
        "filed = 0000-01-01",
        "date = 9999-12-31",
        "date = \"2026-13-01\"",
        "date = 2026-01-01T00:00:00Z",
        "stages = [\"a\", \"b\"]",
        "stage = \"c\"",
        "check_every_days = 0",
        "overdue_every_days = 9223372036854775807",
        "escalate_within_days = -9223372036854775808",
        "port = 70000",
        "a.b.c = 1",
        "x = {y = {z = [1, [2, [3]]]}}",
        "=",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'''",
        "\"\"\"",
        "#",
        "# \u{0}",
        "#\u{7f}",
        "# \u{1b}[31m",
        "# \r-",
        "\r-",
        ",",
        ".",
        "\\u0000",
        "\u{feff}",
        "\r",
        "\t",
        "é",
    ])
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (toml_token(), prop::sample::select(vec!["\n", " ", ""])),
        0..40,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(t, sep)| [t, sep])
            .collect::<String>()
    })
}

/// A byte from TOML's syntax more often than not, else any byte.
fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"[]{}=\"'\n#.,-:0123456789aTZ \\\t\r\x00\x01\x1b\x7f".to_vec()),
        1 => any::<u8>(),
    ]
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    Replace(prop::sample::Index, u8),
    /// Copy a slice of the file somewhere else (duplicates keys, tables).
    Splice(prop::sample::Index, prop::sample::Index, usize),
    /// Insert a piece of TOML (a header, a key, a comment...).
    Token(prop::sample::Index, &'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (
            any::<prop::sample::Index>(),
            prop::collection::vec(interesting_byte(), 1..8)
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), interesting_byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            1usize..200
        )
            .prop_map(|(from, to, n)| Edit::Splice(from, to, n)),
        (any::<prop::sample::Index>(), toml_token()).prop_map(|(i, t)| Edit::Token(i, t)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len();
        match e {
            Edit::Insert(i, b) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Delete(i, n) if len > 0 => {
                let at = i.index(len);
                bytes.drain(at..(at + n).min(len));
            }
            Edit::Replace(i, b) if len > 0 => {
                let at = i.index(len);
                bytes[at] = *b;
            }
            Edit::Splice(from, to, n) if len > 0 => {
                let a = from.index(len);
                let piece = bytes[a..(a + n).min(len)].to_vec();
                let at = to.index(len + 1);
                bytes.splice(at..at, piece);
            }
            Edit::Token(i, t) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, t.bytes());
            }
            _ => {}
        }
    }
    bytes
}

#[test]
fn example_config_loads() {
    // The mutation tests below start from this file: it must be valid, or
    // they would only ever exercise the error paths.
    let (_tmp, main) = example_copy();
    let loaded = docket::config::load(&main);
    assert!(loaded.config.is_some(), "{}", loaded.diagnostics);
}

proptest! {
    #![proptest_config(fuzz_config(300))]

    #[test]
    fn load_never_panics_on_arbitrary_text(text in any::<String>()) {
        let tmp = tempfile::tempdir().unwrap();
        load_bytes(tmp.path(), text.as_bytes());
    }

    #[test]
    fn load_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let tmp = tempfile::tempdir().unwrap();
        load_bytes(tmp.path(), &bytes);
    }

    #[test]
    fn load_never_panics_on_toml_soup(text in soup()) {
        let tmp = tempfile::tempdir().unwrap();
        load_bytes(tmp.path(), text.as_bytes());
    }
}

proptest! {
    #![proptest_config(fuzz_config(400))]

    /// Random edits of the example config, whose includes (cases.d/) are
    /// there too, so the edits reach validation of real cases.
    #[test]
    fn load_never_panics_on_mutated_example(edits in prop::collection::vec(edit(), 1..6)) {
        let (tmp, main) = example_copy();
        let original = std::fs::read(&main).unwrap();
        let mutated = apply(original, &edits);
        load_bytes(tmp.path(), &mutated);
    }

    /// The same, editing one of the include files instead.
    #[test]
    fn load_never_panics_on_mutated_include(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let (tmp, main) = example_copy();
        let mut incs: Vec<PathBuf> = std::fs::read_dir(tmp.path().join("cases.d"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        incs.sort();
        let inc = &incs[which.index(incs.len())];
        let mutated = apply(std::fs::read(inc).unwrap(), &edits);
        write_config_bytes(inc.parent().unwrap(), inc.file_name().unwrap().to_str().unwrap(), &mutated);
        let loaded = docket::config::load(&main);
        let _ = loaded.diagnostics.to_string();
    }
}

proptest! {
    #![proptest_config(fuzz_config(150))]

    /// The fast include parser (src/config/fast.rs) against the full TOML
    /// parser: a mutated include file loaded as is, and behind a byte-order
    /// mark (which the fast path declines and TOML ignores), must give the
    /// same config, or none both times, and as many errors.
    #[test]
    fn fast_path_matches_full_parser_on_mutated_includes(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let (tmp, main) = example_copy();
        let mut incs: Vec<PathBuf> = std::fs::read_dir(tmp.path().join("cases.d"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        incs.sort();
        let inc = &incs[which.index(incs.len())];
        let (dir, name) = (inc.parent().unwrap(), inc.file_name().unwrap().to_str().unwrap());
        let mutated = apply(std::fs::read(inc).unwrap(), &edits);
        prop_assume!(!mutated.starts_with("\u{feff}".as_bytes()));
        write_config_bytes(dir, name, &mutated);
        let plain = docket::config::load(&main);
        let mut bom = "\u{feff}".as_bytes().to_vec();
        bom.extend_from_slice(&mutated);
        write_config_bytes(dir, name, &bom);
        let full = docket::config::load(&main);
        prop_assert_eq!(
            &plain.config,
            &full.config,
            "fast and full parsers disagree on {:?}",
            String::from_utf8_lossy(&mutated)
        );
        prop_assert_eq!(
            plain.diagnostics.errors().count(),
            full.diagnostics.errors().count(),
            "{:?}\nas is:\n{}\nbehind a BOM:\n{}",
            String::from_utf8_lossy(&mutated),
            plain.diagnostics,
            full.diagnostics
        );
    }
}
