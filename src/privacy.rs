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
//!   masked for anything that may reach the journal, a log file or an email.
//!   Quoted lines of a file go through [`mask_line`] for the same reason.

use std::fmt;

/// A value that must never appear in logs or subjects: person names,
/// document numbers, passwords. `Debug` prints a mask.
#[derive(Clone, PartialEq, Eq, Default, Hash)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(s: impl Into<String>) -> Sensitive {
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
    /// Output that may reach the journal, a log or an email: every value
    /// from a file is masked; keys, tables and locations stay.
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
/// `"value"` under [`Quoting::Full`] and `"…"` under [`Quoting::Masked`].
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

/// A line of a config file prepared for showing, with where the caret goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownLine {
    pub text: String,
    /// 0-based character column of the caret.
    pub caret: usize,
    /// Caret width in characters, at least 1.
    pub width: usize,
}

/// Prepare one line of a TOML file for display, caret at character column
/// `col` (0-based) spanning `width` characters.
///
/// Under [`Quoting::Full`] only secret values are masked. Under
/// [`Quoting::Masked`] every value and every comment is masked: what is left
/// is the structure (table headers, keys), enough to find the place.
pub fn mask_line(line: &str, col: usize, width: usize, q: Quoting) -> ShownLine {
    let chars: Vec<char> = line.chars().collect();
    let indent = chars
        .iter()
        .take_while(|c| **c == ' ' || **c == '\t')
        .count();
    let body = &chars[indent..];
    let keep_all = |text: String| ShownLine {
        text,
        caret: col,
        width,
    };
    if body.is_empty() {
        return keep_all(line.to_string());
    }
    // A table header: keep it, mask a trailing comment.
    if body[0] == '[' {
        let end = header_end(body).map(|e| indent + e);
        return match (end, q) {
            (Some(e), Quoting::Masked) if e < chars.len() => {
                let mut text: String = chars[..e].iter().collect();
                let rest: String = chars[e..].iter().collect();
                if rest.trim_start().starts_with('#') {
                    text.push_str(" # ");
                    text.push_str(MASK);
                }
                let caret = col.min(text.chars().count().saturating_sub(1));
                ShownLine {
                    text,
                    caret,
                    width: width.min(e.saturating_sub(caret)).max(1),
                }
            }
            (Some(_), _) => keep_all(line.to_string()),
            (None, Quoting::Full) => keep_all(line.to_string()),
            (None, Quoting::Masked) => masked_whole(&chars[..indent]),
        };
    }
    if body[0] == '#' {
        return match q {
            Quoting::Full => keep_all(line.to_string()),
            Quoting::Masked => {
                let text = format!("{}# {MASK}", chars[..indent].iter().collect::<String>());
                ShownLine {
                    caret: indent,
                    width: 1,
                    text,
                }
            }
        };
    }
    let Some(eq) = key_end(body) else {
        return match q {
            Quoting::Full => keep_all(line.to_string()),
            Quoting::Masked => masked_whole(&chars[..indent]),
        };
    };
    let key: String = body[..eq].iter().collect();
    if q == Quoting::Full && !is_secret_key(&key) {
        return keep_all(line.to_string());
    }
    // indent + key + "=" + spaces, then the masked value.
    let mut v = indent + eq + 1;
    while v < chars.len() && (chars[v] == ' ' || chars[v] == '\t') {
        v += 1;
    }
    let mut text: String = chars[..v].iter().collect();
    let quoted = matches!(chars.get(v), Some('"') | Some('\''));
    if quoted {
        text.push('"');
        text.push_str(MASK);
        text.push('"');
    } else if v < chars.len() {
        text.push_str(MASK);
    }
    if col < v {
        ShownLine {
            text,
            caret: col,
            width: width.min(v - col).max(1),
        }
    } else {
        ShownLine {
            text,
            caret: v,
            width: if quoted { 3 } else { 1 },
        }
    }
}

fn masked_whole(indent: &[char]) -> ShownLine {
    ShownLine {
        text: format!("{}{MASK}", indent.iter().collect::<String>()),
        caret: indent.len(),
        width: 1,
    }
}

/// Index just past the closing `]` or `]]` of a header, outside quotes.
fn header_end(body: &[char]) -> Option<usize> {
    let double = body.get(1) == Some(&'[');
    let mut quote: Option<char> = None;
    let mut i = if double { 2 } else { 1 };
    while i < body.len() {
        let c = body[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ']' => {
                return if double {
                    (body.get(i + 1) == Some(&']')).then_some(i + 2)
                } else {
                    Some(i + 1)
                };
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// Index of the `=` that ends the key, outside quotes.
fn key_end(body: &[char]) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, &c) in body.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '=' => return Some(i),
            None if c == '#' => return None,
            None => {}
        }
    }
    None
}

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
        );
        assert_eq!(l.text, "  person = \"…\"");
        assert_eq!((l.caret, l.width), (11, 3));
        let l = mask_line("[[case.document]] # note", 0, 2, Quoting::Masked);
        assert_eq!(l.text, "[[case.document]] # …");
        let l = mask_line("root:$6$abc:19000:0:99999:7:::", 0, 1, Quoting::Masked);
        assert_eq!(l.text, "…");
        let l = mask_line("issued = 16.10.2025", 9, 10, Quoting::Masked);
        assert_eq!(l.text, "issued = …");
        assert_eq!(l.caret, 9);
        // The caret on the key stays where it was.
        let l = mask_line("colour = \"red\"", 0, 6, Quoting::Masked);
        assert_eq!(
            (l.text.as_str(), l.caret, l.width),
            ("colour = \"…\"", 0, 6)
        );
    }

    #[test]
    fn secrets_are_masked_even_at_a_terminal() {
        let l = mask_line("password = \"hunter2\"", 0, 8, Quoting::Full);
        assert_eq!(l.text, "password = \"…\"");
        let l = mask_line("smtp_token=abc", 0, 1, Quoting::Full);
        assert_eq!(l.text, "smtp_token=…");
        let l = mask_line("person = \"Gulnar\"", 0, 1, Quoting::Full);
        assert_eq!(l.text, "person = \"Gulnar\"");
        assert!(!is_secret_key("password_file"));
    }
}
