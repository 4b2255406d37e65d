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
use std::ops::Range;

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

/// A line of a config file prepared for showing, with where the caret goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownLine {
    pub text: String,
    /// 0-based character column of the caret.
    pub caret: usize,
    /// Caret width in characters, at least 1.
    pub width: usize,
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
        | "alert_after_hours"
        | "holidays"
        | "day_off_deadline"
        | "weekend"
        | "names_in_email"
        | "numbers_in_email"
        | "ledger_retention_days" => Shape::Word,
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

/// A table header's path: `[[case.document]]` → `["case", "document"]`.
/// `None` when the line is not a header.
pub fn header_path(line: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = line
        .trim_start_matches(['\u{feff}', ' ', '\t'])
        .chars()
        .collect();
    if chars.first() != Some(&'[') {
        return None;
    }
    let end = header_end(&chars)?;
    let double = chars.get(1) == Some(&'[');
    let inner: Vec<char> =
        chars[if double { 2 } else { 1 }..end - if double { 2 } else { 1 }].to_vec();
    let mut s = Scan {
        c: &inner,
        i: 0,
        out: Vec::new(),
        depth: 0,
    };
    let path = s.key()?;
    s.ws();
    (s.i == inner.len()).then_some(path)
}

/// One value on a line, with the keys it sits under on that line.
#[derive(Debug)]
struct Region {
    keys: Vec<String>,
    /// Where the key of its pair starts (character index).
    key_at: usize,
    value: Range<usize>,
}

/// The values of one line of TOML (`key = value`, inline tables and
/// arrays taken apart), and where a trailing comment starts. Something the
/// scan cannot read after a key belongs to that key: the rest of the line
/// is one value under it. `None` when no key can be read at all.
fn regions(chars: &[char]) -> Option<(Vec<Region>, Option<usize>)> {
    let mut s = Scan {
        c: chars,
        i: 0,
        out: Vec::new(),
        depth: 0,
    };
    s.ws();
    let key_at = s.i;
    let keys = s.key()?;
    s.ws();
    if s.c.get(s.i) != Some(&'=') {
        return None;
    }
    s.i += 1;
    s.ws();
    let value_at = s.i;
    let good = s.value(&keys, key_at).is_some();
    if good {
        s.ws();
        match s.c.get(s.i) {
            None => return Some((s.out, None)),
            Some('#') => return Some((s.out, Some(s.i))),
            Some(_) => {}
        }
    }
    // Unreadable from here on: the rest of the line is the key's.
    let from = if good { s.i } else { value_at };
    s.out.retain(|r| r.value.end <= from);
    let end = chars.len();
    if from < end {
        s.out.push(Region {
            keys,
            key_at,
            value: from..end,
        });
    }
    Some((s.out, None))
}

struct Scan<'a> {
    c: &'a [char],
    i: usize,
    out: Vec<Region>,
    /// Inline tables and arrays open: a hostile line nests a million deep,
    /// and the scan must not recurse that far (it gives up, and the rest
    /// of the line is masked as unreadable).
    depth: usize,
}

/// Nesting the line scan follows; TOML files docket reads nest a few levels.
const MAX_SCAN_DEPTH: usize = 32;

impl Scan<'_> {
    fn ws(&mut self) {
        while matches!(self.c.get(self.i), Some(' ' | '\t')) {
            self.i += 1;
        }
    }

    /// A dotted key: bare, "quoted" or 'literal' parts.
    fn key(&mut self) -> Option<Vec<String>> {
        let mut parts = Vec::new();
        loop {
            self.ws();
            let start = self.i;
            match *self.c.get(self.i)? {
                q @ ('"' | '\'') => {
                    let end = self.string_end(start, q)?;
                    parts.push(self.c[start + 1..end - 1].iter().collect());
                    self.i = end;
                }
                ch if ch.is_alphanumeric() || ch == '_' || ch == '-' => {
                    while self
                        .c
                        .get(self.i)
                        .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    {
                        self.i += 1;
                    }
                    parts.push(self.c[start..self.i].iter().collect());
                }
                _ => return None,
            }
            self.ws();
            if self.c.get(self.i) == Some(&'.') {
                self.i += 1;
            } else {
                return Some(parts);
            }
        }
    }

    /// Index just past the string opened by `q` at `start`, on this line.
    fn string_end(&self, start: usize, q: char) -> Option<usize> {
        let triple = self.c.get(start + 1) == Some(&q) && self.c.get(start + 2) == Some(&q);
        let mut i = start + if triple { 3 } else { 1 };
        while i < self.c.len() {
            match self.c[i] {
                '\\' if q == '"' => i += 1,
                c if c == q => {
                    if !triple {
                        return Some(i + 1);
                    }
                    if self.c.get(i + 1) == Some(&q) && self.c.get(i + 2) == Some(&q) {
                        return Some(i + 3);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    fn value(&mut self, keys: &[String], key_at: usize) -> Option<()> {
        if matches!(self.c.get(self.i), Some('{' | '[')) {
            if self.depth >= MAX_SCAN_DEPTH {
                return None;
            }
            self.depth += 1;
            let r = self.nested(keys, key_at);
            self.depth -= 1;
            return r;
        }
        self.nested(keys, key_at)
    }

    /// [`Self::value`] itself, one level.
    fn nested(&mut self, keys: &[String], key_at: usize) -> Option<()> {
        let start = self.i;
        match *self.c.get(self.i)? {
            '{' => {
                self.i += 1;
                loop {
                    self.ws();
                    if self.c.get(self.i) == Some(&'}') {
                        self.i += 1;
                        return Some(());
                    }
                    let at = self.i;
                    let inner = self.key()?;
                    self.ws();
                    if self.c.get(self.i) != Some(&'=') {
                        return None;
                    }
                    self.i += 1;
                    self.ws();
                    let path: Vec<String> = keys.iter().cloned().chain(inner).collect();
                    self.value(&path, at)?;
                    self.ws();
                    match self.c.get(self.i)? {
                        ',' => self.i += 1,
                        '}' => {
                            self.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            '[' => {
                self.i += 1;
                loop {
                    self.ws();
                    match *self.c.get(self.i)? {
                        ']' => {
                            self.i += 1;
                            return Some(());
                        }
                        ',' => self.i += 1,
                        '#' => return None,
                        _ => self.value(keys, key_at)?,
                    }
                }
            }
            q @ ('"' | '\'') => {
                let end = self.string_end(start, q)?;
                self.i = end;
                self.out.push(Region {
                    keys: keys.to_vec(),
                    key_at,
                    value: start..end,
                });
                Some(())
            }
            _ => {
                while self
                    .c
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, ',' | ']' | '}' | '#'))
                {
                    self.i += 1;
                }
                let mut end = self.i;
                while end > start && matches!(self.c[end - 1], ' ' | '\t') {
                    end -= 1;
                }
                if end == start {
                    return None;
                }
                self.out.push(Region {
                    keys: keys.to_vec(),
                    key_at,
                    value: start..end,
                });
                Some(())
            }
        }
    }
}

/// Is the value at character column `col` of `line` (in the table `table`)
/// public? What a diagnostic located there quotes from the file follows
/// the same rule as the line itself: shown where public, masked otherwise.
/// A column on no value (a header, a comment, an unreadable line) is not.
pub fn public_at(line: &str, col: usize, table: &[String]) -> bool {
    let chars: Vec<char> = line.chars().collect();
    let Some((regions, _)) = regions(&chars) else {
        return false;
    };
    let inside = |r: &&Region| r.key_at <= col && col < r.value.end.max(r.key_at + 1);
    let best = regions
        .iter()
        .filter(inside)
        .rfind(|r| r.value.contains(&col))
        .or_else(|| regions.iter().filter(inside).max_by_key(|r| r.key_at));
    best.is_some_and(|r| {
        let path: Vec<String> = table.iter().chain(&r.keys).cloned().collect();
        let text: String = chars[r.value.clone()].iter().collect();
        is_public(&path, &text)
    })
}

/// Prepare one line of a TOML file for display, caret at character column
/// `col` (0-based) spanning `width` characters. `table` is the path of the
/// table the line is in (`["case", "document"]`), which decides whether a
/// `title` is an event's (sensitive) or a bill's (public).
///
/// Under [`Quoting::Full`] only secret values are masked. Under
/// [`Quoting::Masked`] what is left is the structure (table headers,
/// keys) and the public values ([`is_public`]): `issued = 16.10.2025` is
/// shown whole, `person = "…"` is not; comments, values under unknown keys
/// and lines whose key cannot be read are masked.
///
/// The steps are: say what kind of line it is (blank, header, comment,
/// key = value, unreadable), pick the values to hide, rewrite the line
/// with masks in their place ([`Rewritten`]), then move the caret onto
/// the rewritten text ([`Rewritten::shown`]).
pub fn mask_line(line: &str, col: usize, width: usize, q: Quoting, table: &[String]) -> ShownLine {
    let chars: Vec<char> = line.chars().collect();
    let indent = chars
        .iter()
        .take_while(|c| **c == ' ' || **c == '\t')
        .count();
    let body = &chars[indent..];
    if body.is_empty() {
        return unchanged(line, col, width);
    }
    if body[0] == '[' {
        return mask_header(line, &chars, indent, col, width, q);
    }
    if body[0] == '#' {
        return mask_comment_line(line, &chars, indent, col, width, q);
    }
    let Some((regions, comment)) = regions(&chars) else {
        return match q {
            Quoting::Full => unchanged(line, col, width),
            Quoting::Masked => masked_whole(&chars[..indent]),
        };
    };
    let hidden = hidden_values(&chars, &regions, q, table);
    // A trailing comment is free text: masked unless the quoting is full.
    let comment = comment.filter(|_| q == Quoting::Masked);
    if hidden.is_empty() && comment.is_none() {
        return unchanged(line, col, width);
    }
    Rewritten::new(&chars, &hidden, comment).shown(col, width, &hidden, comment)
}

/// The line as it is, caret where the diagnostic put it: nothing in it
/// needs hiding.
fn unchanged(line: &str, col: usize, width: usize) -> ShownLine {
    ShownLine {
        text: line.to_string(),
        caret: col,
        width,
    }
}

/// A table header (`[case]`, `[[case.document]]`) is structure and stays;
/// under [`Quoting::Masked`] a trailing comment is masked, and a header
/// that cannot be read (no closing bracket) is masked whole, as it may be
/// a value's text.
fn mask_header(
    line: &str,
    chars: &[char],
    indent: usize,
    col: usize,
    width: usize,
    q: Quoting,
) -> ShownLine {
    let end = header_end(&chars[indent..]).map(|e| indent + e);
    match (end, q) {
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
        (Some(_), _) => unchanged(line, col, width),
        (None, Quoting::Full) => unchanged(line, col, width),
        (None, Quoting::Masked) => masked_whole(&chars[..indent]),
    }
}

/// A comment line is free text: shown under [`Quoting::Full`], reduced to
/// `# ` and the mask otherwise, caret on the `#`.
fn mask_comment_line(
    line: &str,
    chars: &[char],
    indent: usize,
    col: usize,
    width: usize,
    q: Quoting,
) -> ShownLine {
    match q {
        Quoting::Full => unchanged(line, col, width),
        Quoting::Masked => {
            let text = format!("{}# {MASK}", chars[..indent].iter().collect::<String>());
            ShownLine {
                caret: indent,
                width: 1,
                text,
            }
        }
    }
}

/// The character ranges of the values to hide: under [`Quoting::Full`]
/// the secrets only, under [`Quoting::Masked`] every value that is not
/// public at its full path (`table` and then the line's own keys).
fn hidden_values(
    chars: &[char],
    regions: &[Region],
    q: Quoting,
    table: &[String],
) -> Vec<Range<usize>> {
    let hide = |r: &Region| -> bool {
        match q {
            Quoting::Full => r.keys.iter().any(|k| is_secret_key(k)),
            Quoting::Masked => {
                let path: Vec<String> = table.iter().chain(&r.keys).cloned().collect();
                !is_public(&path, &chars[r.value.clone()].iter().collect::<String>())
            }
        }
    };
    regions
        .iter()
        .filter(|r| hide(r))
        .map(|r| r.value.clone())
        .collect()
}

/// A line with its hidden values and comment replaced by masks, and where
/// each character of the line went, so that a caret placed on the line
/// can be placed on the text shown.
struct Rewritten {
    text: String,
    /// `at[i]`: the column in `text` of the line's character `i`; one more
    /// entry for the end of the line. A hidden value's characters all map
    /// to its mask's start.
    at: Vec<usize>,
    /// The masks' columns in `text`.
    masks: Vec<Range<usize>>,
}

impl Rewritten {
    /// Copy the line character by character, writing `MASK` (quoted if
    /// the value was) for each hidden value and `# MASK` for the comment,
    /// which ends the line.
    fn new(chars: &[char], hidden: &[Range<usize>], comment: Option<usize>) -> Rewritten {
        let mut text = String::with_capacity(chars.len());
        let mut at = vec![0usize; chars.len() + 1];
        let mut masks: Vec<Range<usize>> = Vec::new();
        let mut n = 0;
        let mut i = 0;
        while i < chars.len() {
            if Some(i) == comment {
                for a in &mut at[i..] {
                    *a = n;
                }
                text.push_str("# ");
                text.push_str(MASK);
                masks.push(n..n + 3);
                n += 3;
                break;
            }
            if let Some(r) = hidden.iter().find(|r| r.start == i) {
                let quoted = matches!(chars[i], '"' | '\'');
                let m = if quoted { 3 } else { 1 };
                for a in &mut at[r.clone()] {
                    *a = n;
                }
                if quoted {
                    text.push('"');
                    text.push_str(MASK);
                    text.push('"');
                } else {
                    text.push_str(MASK);
                }
                masks.push(n..n + m);
                n += m;
                i = r.end;
                continue;
            }
            at[i] = n;
            text.push(chars[i]);
            n += 1;
            i += 1;
        }
        if i >= chars.len() {
            at[chars.len()] = n;
        }
        Rewritten { text, at, masks }
    }

    /// The caret moved onto the rewritten text: a caret inside a hidden
    /// value or the comment underlines exactly its mask, as the value's
    /// own span is no longer in the text; any other caret keeps its span,
    /// measured on the text shown.
    fn shown(
        self,
        col: usize,
        width: usize,
        hidden: &[Range<usize>],
        comment: Option<usize>,
    ) -> ShownLine {
        let len = self.at.len() - 1;
        let c = col.min(len);
        let caret = self.at[c];
        if let Some(m) = self.masks.iter().find(|m| {
            m.start == caret
                && hidden
                    .iter()
                    .chain(comment.map(|c| c..len).as_ref())
                    .any(|r| r.contains(&c))
        }) {
            return ShownLine {
                width: m.len(),
                text: self.text,
                caret,
            };
        }
        let end = self.at[(c + width).min(len)];
        ShownLine {
            text: self.text,
            caret,
            width: end.saturating_sub(caret).max(1),
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
