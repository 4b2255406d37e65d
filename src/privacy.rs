//! What must never leave the machine through a log, a journal or a subject:
//! the names of the people in the cases, their document numbers, free-text
//! titles, and secrets.
//!
//! Two tools:
//! - [`Sensitive`] holds a personal value in the model; its `Debug` prints
//!   a mask, so a stray `{:?}` cannot leak it.
//! - Diagnostics quote values from the config files. Every such value is
//!   wrapped by [`value`] when the message is built, and rendered at the
//!   edge under a [`Quoting`] policy: in full for a person at a terminal,
//!   and for anything that may reach the journal, a log file or an email,
//!   as sensitive as the key it was written under (SPEC 9): a date, an id, a
//!   status or a time zone is shown, so the hint can show the fix; a case's
//!   `person`, a document's `number`, an event's `title`, secrets, keys
//!   docket does not know and text whose key cannot be read are masked.
//!   Quoted lines of a file go through [`mask_line`] by the same rule. The
//!   default is sensitive: a key is public only if [`is_public`] lists it.

use std::fmt;

/// A value that must never appear in logs or subjects: person names,
/// document numbers, passwords. `Debug` prints a mask.
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Sensitive(Box<str>);

impl Sensitive {
    /// A boxed `str`, not a `String`: 8 bytes less and no spare capacity
    /// (a config at 100,000 cases holds a name, a number or a title each).
    pub fn new(s: impl Into<Box<str>>) -> Sensitive {
        Sensitive(s.into())
    }
    /// The value itself, for the one place allowed to use it (a mail body
    /// when `[privacy]` allows, or the SMTP login).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(MASKED)")
    }
}

/// How values copied from config files are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// A person at a terminal: values as written (secrets still masked).
    Full,
    /// Output that may reach the journal, a log or an email: a value from
    /// a file is masked unless its key is public ([`is_public`]: dates,
    /// ids, kinds, statuses, durations, time zones, paths); keys, tables
    /// and locations stay.
    Masked,
}

impl Quoting {
    /// The policy for this process's stderr: full only for a terminal that
    /// is not the journal (systemd sets `JOURNAL_STREAM` for services, and
    /// `ExecStartPre=` helpers such as `docket check` inherit it), unless
    /// the caller insists on full values (`--show-values`).
    pub fn for_stderr(show_values: bool) -> Quoting {
        use std::io::IsTerminal;
        if stderr_is_journal() {
            return Quoting::Masked;
        }
        if show_values || std::io::stderr().is_terminal() {
            Quoting::Full
        } else {
            Quoting::Masked
        }
    }
}

/// Is stderr connected to the journal? `JOURNAL_STREAM` is `dev:inode` of
/// the stream systemd connected; it is inherited by children whose stderr
/// may have been redirected since, so compare it with the actual fd.
fn stderr_is_journal() -> bool {
    use std::os::unix::fs::MetadataExt;
    let Some(v) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    let Some((dev, ino)) = v.to_str().and_then(|s| s.split_once(':')) else {
        return true;
    };
    let Ok(meta) = std::fs::metadata("/proc/self/fd/2") else {
        return true;
    };
    dev.parse::<u64>().ok() == Some(meta.dev()) && ino.parse::<u64>().ok() == Some(meta.ino())
}

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
/// Around a value shown without quotes ([`bare_value`]).
const OPEN_BARE: char = '\u{E002}';
const CLOSE_BARE: char = '\u{E003}';
const MARKS: [char; 4] = [OPEN, CLOSE, OPEN_BARE, CLOSE_BARE];
/// What a masked value is shown as.
pub const MASK: &str = "…";

/// Mark a value copied from a config file into a message. It renders as
/// `"value"` under [`Quoting::Full`] and `"…"` under [`Quoting::Masked`];
/// a diagnostic located on a public value is rendered under `Full` (see
/// `Diagnostics::quoting_for`), so only values at the place the
/// diagnostic points to may be marked with it.
pub fn value(v: impl fmt::Display) -> String {
    let s = v.to_string();
    let clean: String = s.chars().filter(|c| !MARKS.contains(c)).collect();
    format!("{OPEN}{clean}{CLOSE}")
}

/// Like [`value`], shown without quotes: for what the user is to type
/// (`write 2025-10-16`), where quotes would be read as part of it.
pub fn bare_value(v: impl fmt::Display) -> String {
    let s = v.to_string();
    let clean: String = s.chars().filter(|c| !MARKS.contains(c)).collect();
    format!("{OPEN_BARE}{clean}{CLOSE_BARE}")
}

/// Render a message built with [`value`] under a quoting policy.
pub fn show(message: &str, q: Quoting) -> String {
    if !message.contains([OPEN, OPEN_BARE]) {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len() + 4);
    let mut inside = false;
    for c in message.chars() {
        match c {
            OPEN => {
                inside = true;
                out.push('"');
                if q == Quoting::Masked {
                    out.push_str(MASK);
                }
            }
            CLOSE => {
                inside = false;
                out.push('"');
            }
            OPEN_BARE => {
                inside = true;
                if q == Quoting::Masked {
                    out.push_str(MASK);
                }
            }
            CLOSE_BARE => inside = false,
            _ if inside && q == Quoting::Masked => {}
            c => out.push(c),
        }
    }
    if inside {
        out.push('"');
    }
    out
}

/// Keys whose values are secrets: never shown, not even at a terminal.
pub fn is_secret_key(name: &str) -> bool {
    let n = name.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "private_key",
    ]
    .iter()
    .any(|s| n.contains(s))
        && !n.ends_with("_file")
}

/// What the values of a public key look like. A value under a public key
/// that does not have its key's shape (a name pasted into `issued`) is
/// treated as text of unknown sensitivity and masked: the key says what
/// the value should be, the shape says whether it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Digits and the separators of dates and times: `16.10.2025`.
    Date,
    /// One word, no spaces: ids, kinds, statuses, durations, numbers,
    /// time zones (`KZ-0042`, `renewal_filed`, `15wd`, `Asia/Almaty`).
    Word,
    /// Anything: paths, labels, a bill's title, a schedule.
    Any,
}

/// Is a value under the key `path` (table headers, then the key's own
/// dotted parts, e.g. `["case", "document", "issued"]`) public, so shown
/// wherever it helps (SPEC 9)?
///
/// Sensitivity follows the key, and the default is sensitive: only the keys
/// listed here are public. A case's `person`, a document's `number`, an
/// event's `title` and secrets are never listed; neither are a
/// caseworker's `name` and the mail addresses (a person's name is often
/// in them), nor keys docket does not know (a misspelt `persn`).
fn public_shape(path: &[String]) -> Option<Shape> {
    if path.iter().any(|k| is_secret_key(k)) {
        return None;
    }
    let last = path.last()?.as_str();
    let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
    match parent {
        // `kurban_ait = { 2026 = 2026-05-27 }`, a bill's `expected` stages.
        Some("kurban_ait" | "expected") => return Some(Shape::Date),
        Some("label") if matches!(last, "en" | "ru" | "kk") => return Some(Shape::Any),
        _ => {}
    }
    Some(match last {
        "issued" | "expires" | "filed" | "extended_to" | "date" | "stage_since"
        | "last_checked" | "extra_holidays" | "extra_working_days" => Shape::Date,
        "id"
        | "caseworker"
        | "kind"
        | "status"
        | "waiting_for"
        | "owner"
        | "stage"
        | "stages"
        | "supervisor"
        | "language"
        | "valid_for"
        | "answer_within"
        | "lead_days"
        | "overdue_every_days"
        | "escalate_within_days"
        | "check_every_days"
        | "timezone"
        | "transport"
        | "tls"
        | "port"
        | "timeout_secs"
        | "connections"
        | "summary_from"
        | "alert_after_hours"
        | "holidays"
        | "day_off_deadline"
        | "weekend"
        | "names_in_email"
        | "numbers_in_email"
        | "ledger_retention_days"
        | "history_days" => Shape::Word,
        "title" if parent == Some("bill") => Shape::Any,
        "label" | "schedule" | "state_dir" | "include" | "dir" | "ca_file" | "password_file"
        | "templates_dir" | "metrics_file" | "feeds_dir" | "sendmail_command" | "guide_url"
        | "host" => Shape::Any,
        _ => return None,
    })
}

/// May `value`, written under the key `path`, be shown where values are
/// masked (the journal, a log, a piped `check`, a notice)?
pub fn is_public(path: &[String], value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || CURLY_QUOTES.contains(&c))
        .trim();
    match public_shape(path) {
        None => false,
        Some(Shape::Any) => true,
        Some(Shape::Word) => v.chars().count() <= 64 && !v.chars().any(char::is_whitespace),
        Some(Shape::Date) => {
            v.chars().count() <= 40
                && v.chars().all(|c| {
                    c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ':' | '+' | 'T' | 'Z' | ' ')
                })
        }
    }
}

/// Quotes a word processor puts where TOML wants `"`: the value inside is
/// judged without them.
const CURLY_QUOTES: &[char] = &[
    '“', '”', '„', '‟', '«', '»', '‘', '’', '‚', '‛', '‹', '›', '″', '＂',
];

// Masking a quoted line value by value, by its own key: a file of its own.
mod line;
pub use line::{header_path, mask_line, public_at, ShownLine};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_mask_themselves_in_debug() {
        let s = Sensitive::new("Zhuldyz Fictitious");
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("Zhuldyz"), "{shown}");
        assert!(shown.contains("MASKED"));
        assert_eq!(s.expose(), "Zhuldyz Fictitious");
    }

    #[test]
    fn marked_values_render_full_or_masked() {
        let m = format!("unknown caseworker {}", value("RC-000123"));
        assert_eq!(show(&m, Quoting::Full), "unknown caseworker \"RC-000123\"");
        assert_eq!(show(&m, Quoting::Masked), "unknown caseworker \"…\"");
        assert_eq!(show("no values", Quoting::Masked), "no values");
    }

    #[test]
    fn lines_are_masked_down_to_their_structure() {
        let l = mask_line(
            "  person = \"Gulnar Fictional\" # her",
            11,
            18,
            Quoting::Masked,
            &[],
        );
        assert_eq!(l.text, "  person = \"…\" # …");
        assert_eq!((l.caret, l.width), (11, 3));
        let l = mask_line("[[case.document]] # note", 0, 2, Quoting::Masked, &[]);
        assert_eq!(l.text, "[[case.document]] # …");
        let l = mask_line("root:$6$abc:19000:0:99999:7:::", 0, 1, Quoting::Masked, &[]);
        assert_eq!(l.text, "…");
        // A date is public (SPEC 9): shown, so the fix can be seen.
        let l = mask_line("issued = 16.10.2025", 9, 10, Quoting::Masked, &[]);
        assert_eq!(l.text, "issued = 16.10.2025");
        assert_eq!((l.caret, l.width), (9, 10));
        // The caret on the key stays where it was.
        let l = mask_line("colour = \"red\"", 0, 6, Quoting::Masked, &[]);
        assert_eq!(
            (l.text.as_str(), l.caret, l.width),
            ("colour = \"…\"", 0, 6)
        );
    }

    #[test]
    fn secrets_are_masked_even_at_a_terminal() {
        let l = mask_line("password = \"hunter2\"", 0, 8, Quoting::Full, &[]);
        assert_eq!(l.text, "password = \"…\"");
        let l = mask_line("smtp_token=abc", 0, 1, Quoting::Full, &[]);
        assert_eq!(l.text, "smtp_token=…");
        let l = mask_line("person = \"Gulnar\"", 0, 1, Quoting::Full, &[]);
        assert_eq!(l.text, "person = \"Gulnar\"");
        assert!(!is_secret_key("password_file"));
    }

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(String::from).collect()
    }

    fn masked(line: &str, table: &str) -> String {
        let t: Vec<String> = if table.is_empty() {
            vec![]
        } else {
            path(table)
        };
        mask_line(line, 0, 1, Quoting::Masked, &t).text
    }

    /// Issue 18 item 3: sensitivity follows the key, in both directions.
    #[test]
    fn item3_masking_follows_the_key() {
        // Public: dates, ids, kinds, statuses, durations, time zones, paths,
        // a bill's title.
        for (line, table) in [
            ("issued = 16.10.2025", "case.document"),
            ("  expires = “2027-01-01”", "case.document"),
            ("caseworker = \"aigerm\"", "case"),
            ("id = \"KZ-0042\"", "case"),
            ("status = \"activ\"", "case.document"),
            ("kind = \"refugee_certificat\"", "case.document"),
            ("answer_within = \"15wdays\"", "case.request"),
            ("timezone = \"Mars/Base\"", "service"),
            ("include = [\"cases.d/*.toml\"]", "service"),
            ("title = \"Law on migration\"", "bill"),
            ("lead_days = [7, 1]", "case.event"),
            ("kurban_ait = { 2026 = 2026-05-27 }", "calendar"),
        ] {
            assert_eq!(masked(line, table), line, "{table}: {line}");
        }
        // Sensitive: person, number, an event's title, secrets, unknown keys,
        // unreadable lines, comments, and text pasted under a public key.
        for (line, table, want) in [
            ("person = \"Aigerim Testova\"", "case", "person = \"…\""),
            ("person = Aigerim Testova", "case", "person = …"),
            ("person = “Aigerim Testova”", "case", "person = …"),
            ("number = \"N 0123456\"", "case.document", "number = \"…\""),
            ("number = 777031", "case.request", "number = …"),
            (
                "title = \"Hearing about Aigerim\"",
                "case.event",
                "title = \"…\"",
            ),
            ("password = \"hunter2\"", "mail", "password = \"…\""),
            ("persn = \"Aigerim\"", "case", "persn = \"…\""),
            ("name = \"Aigerim Example\"", "caseworker", "name = \"…\""),
            ("Aigerim Testova", "case", "…"),
            (
                "issued = \"Aigerim Testova\"",
                "case.document",
                "issued = \"…\"",
            ),
            (
                "caseworker = \"Aigerim Testova\"",
                "case",
                "caseworker = \"…\"",
            ),
            (
                "issued = 16.10.2025 # Aigerim's",
                "case.document",
                "issued = 16.10.2025 # …",
            ),
            (
                "document = { kind = \"passport\", number = \"N1\", issued = 16.10.2025 }",
                "case",
                "document = { kind = \"passport\", number = \"…\", issued = 16.10.2025 }",
            ),
            ("person = \"Aigerim\" Testova\"", "case", "person = \"…\" …"),
            ("person = \"\"\"Aigerim", "case", "person = \"…\""),
        ] {
            assert_eq!(masked(line, table), want, "{table}: {line}");
        }
        // The caret stays on what it pointed at.
        let l = mask_line(
            "document = { number = \"N1\", issued = 16.10.2025 }",
            37,
            10,
            Quoting::Masked,
            &path("case"),
        );
        assert_eq!(l.text, "document = { number = \"…\", issued = 16.10.2025 }");
        let shown: String = l.text.chars().skip(l.caret).take(l.width).collect();
        assert_eq!(shown, "16.10.2025");
        // What a diagnostic at a column quotes follows the same rule.
        assert!(public_at("issued = 16.10.2025", 9, &path("case.document")));
        assert!(!public_at("person = \"Aigerim\"", 9, &path("case")));
        assert!(!public_at("title = \"x\"", 8, &path("case.event")));
        assert!(public_at("title = \"x\"", 8, &path("bill")));
        assert!(!public_at("Aigerim Testova", 0, &path("case")));
        assert!(!public_at("[[case]]", 0, &[]));
    }

    /// A hostile line nesting a million arrays or inline tables is masked,
    /// not followed to a stack overflow (hostile::check's deep nesting).
    #[test]
    fn deep_lines_are_masked_without_recursing_into_them() {
        for open in ["[", "{ a = "] {
            let line = format!("lead_days = {}", open.repeat(200_000));
            let l = mask_line(&line, 12, 1, Quoting::Masked, &path("case.event"));
            assert_eq!(l.text, "lead_days = …");
            assert!(!public_at(&line, 12, &path("case.event")));
        }
    }

    /// Issue 19 split `mask_line` into steps (header, comment line,
    /// values to hide, rewrite, caret); each step's rule, caret included,
    /// is pinned here with what the unsplit function returned (at 2fa222e).
    #[test]
    fn issue19_mask_line_split_keeps_every_rule() {
        use Quoting::{Full, Masked};
        #[rustfmt::skip]
        let cases: &[(&str, usize, usize, Quoting, &str)] = &[
            ("", 0, 1, Masked, ""),
            ("   ", 1, 2, Masked, ""),
            ("[case]  # Dana Example", 2, 3, Masked, ""),
            ("[[case.document]] # x", 20, 1, Masked, ""),
            ("[[case.document]] # x", 20, 1, Full, ""),
            ("  [case", 3, 2, Masked, ""),
            ("  [case", 3, 2, Full, ""),
            ("  # Dana Example", 5, 4, Masked, ""),
            ("  # Dana Example", 5, 4, Full, ""),
            ("person = \"Dana Example\" # note", 12, 4, Masked, "case"),
            ("person = \"Dana Example\" # note", 0, 6, Masked, "case"),
            ("person = \"Dana Example\" # note", 28, 2, Masked, "case"),
            ("person = \"Dana Example\" # note", 12, 4, Full, "case"),
            ("password = 's3cret' # hi", 13, 2, Full, "mail"),
            ("lead_days = [30, 7]  # Dana", 12, 10, Masked, "case.event"),
            ("issued = 16.10.2025", 9, 10, Masked, "case.document"),
            ("x = { a = \"b\", password = c } # tail", 27, 1, Full, ""),
            ("x = { a = \"b\", password = c } # tail", 27, 1, Masked, ""),
            ("title = \"Hearing\"", 8, 9, Masked, "case.event"),
            ("title = \"Budget law\"", 8, 12, Masked, "bill"),
            ("key =", 2, 1, Masked, "case"),
            ("key =", 2, 1, Full, "case"),
        ];
        let got: Vec<(String, usize, usize)> = cases
            .iter()
            .map(|&(line, col, width, q, table)| {
                let t = if table.is_empty() {
                    vec![]
                } else {
                    path(table)
                };
                let l = mask_line(line, col, width, q, &t);
                (l.text, l.caret, l.width)
            })
            .collect();
        #[rustfmt::skip]
        let want: &[(&str, usize, usize)] = &[
            ("", 0, 1),
            ("   ", 1, 2),
            ("[case] # …", 2, 3),
            ("[[case.document]] # …", 20, 1),
            ("[[case.document]] # x", 20, 1),
            ("  …", 2, 1),
            ("  [case", 3, 2),
            ("  # …", 2, 1),
            ("  # Dana Example", 5, 4),
            ("person = \"…\" # …", 9, 3),
            ("person = \"…\" # …", 0, 6),
            ("person = \"…\" # …", 13, 3),
            ("person = \"Dana Example\" # note", 12, 4),
            ("password = \"…\" # hi", 11, 3),
            ("lead_days = [30, 7]  # …", 12, 9),
            ("issued = 16.10.2025", 9, 10),
            ("x = { a = \"b\", password = … } # tail", 27, 1),
            ("x = { a = \"…\", password = … } # …", 27, 1),
            ("title = \"…\"", 8, 3),
            ("title = \"Budget law\"", 8, 12),
            ("key =", 2, 1),
            ("key =", 2, 1),
        ];
        let got: Vec<(&str, usize, usize)> =
            got.iter().map(|(t, c, w)| (t.as_str(), *c, *w)).collect();
        assert_eq!(got, want);
    }
}
