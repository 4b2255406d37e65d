//! Masking one quoted line of a config file for a diagnostic: the line
//! taken apart (keys, strings, inline tables, arrays, comments) and each
//! value shown or masked by its own key ([`super::is_public`]), the caret
//! kept on the same value.

use super::{is_public, is_secret_key, Quoting, MASK};
use std::ops::Range;

/// A line of a config file prepared for showing, with where the caret goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownLine {
    pub text: String,
    /// 0-based character column of the caret.
    pub caret: usize,
    /// Caret width in characters, at least 1.
    pub width: usize,
}

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
    let keys = s.key_eq()?;
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

    /// `key =`, blanks around the `=`: the key's parts, the scan left at
    /// the value (a line's key and an inline table's alike).
    fn key_eq(&mut self) -> Option<Vec<String>> {
        let keys = self.key()?;
        self.ws();
        if self.c.get(self.i) != Some(&'=') {
            return None;
        }
        self.i += 1;
        self.ws();
        Some(keys)
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
                    let inner = self.key_eq()?;
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
