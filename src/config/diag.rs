//! Diagnostics: every problem in a config, located to file, line and column.
//!
//! The first line of each diagnostic is `path:line:col: error: message`, the
//! form compilers use, so editors and `grep` can jump to it; then the
//! offending line with a caret under the span, then how to fix it. We render
//! this ourselves rather than through miette's graphical handler because the
//! contract (SPEC §5) fixes that first line, and miette boxes the location.

use super::model::Language;
use super::tr::{Text, Tr};
use crate::privacy::{self, Quoting};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One config file's text, kept so diagnostics can quote it.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    /// Byte offset of each line's start, computed on first use.
    pub line_starts: std::sync::OnceLock<Vec<usize>>,
    /// Whether lines of this file may be quoted ([`looks_like_config`]).
    pub quotable: std::sync::OnceLock<bool>,
    /// Each table header's offset and path, computed on first use: whether
    /// a value is public depends on the table it is in (SPEC 9).
    pub tables: std::sync::OnceLock<Vec<(usize, Vec<String>)>>,
}

/// A problem in a config file. `file` indexes [`Diagnostics::sources`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub severity: Severity,
    pub file: usize,
    pub span: Range<usize>,
    /// In English: what logs, the admin and `check` (by default) show.
    pub message: String,
    pub help: Option<String>,
    /// What `message` and `help` were made from, to render them in a
    /// caseworker's language; `None` for English-only settings messages.
    pub tr: Option<Tr>,
    pub help_tr: Option<Tr>,
}

/// Every problem found while loading a config, and the files they are in.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub sources: Vec<Source>,
    pub items: Vec<Diag>,
    /// Facts `docket check` states once, neither errors nor warnings (which
    /// years' Kurban Ait rests on an estimate).
    pub notes: Vec<String>,
}

impl Diagnostics {
    pub fn add_source(&mut self, path: &Path, text: String) -> usize {
        self.sources.push(Source {
            path: path.to_path_buf(),
            text,
            line_starts: Default::default(),
            quotable: Default::default(),
            tables: Default::default(),
        });
        self.sources.len() - 1
    }

    pub fn error(
        &mut self,
        file: usize,
        span: Range<usize>,
        message: impl Into<Text>,
    ) -> &mut Diag {
        self.push(Severity::Error, file, span, message.into())
    }

    pub fn warning(
        &mut self,
        file: usize,
        span: Range<usize>,
        message: impl Into<Text>,
    ) -> &mut Diag {
        self.push(Severity::Warning, file, span, message.into())
    }

    fn push(
        &mut self,
        severity: Severity,
        file: usize,
        span: Range<usize>,
        message: Text,
    ) -> &mut Diag {
        self.items.push(Diag {
            severity,
            file,
            span,
            message: message.en(),
            help: None,
            tr: message.tr().cloned(),
            help_tr: None,
        });
        self.items.last_mut().expect("just pushed")
    }

    /// Take in the diagnostics of one file gathered on their own (their
    /// sources numbered from 0); returns the index its first source gets.
    pub fn absorb(&mut self, local: Diagnostics) -> usize {
        let base = self.sources.len();
        self.sources.extend(local.sources);
        self.items.extend(local.items.into_iter().map(|mut d| {
            d.file += base;
            d
        }));
        self.notes.extend(local.notes);
        base
    }

    /// Drop what validation said is missing (items from `from` on, in
    /// `file`) in a table whose text already had a parse error: "this
    /// document needs `issued`" after "unknown key `isued`" only repeats the
    /// real problem less clearly (a key that did not parse is taken out
    /// before validation). Other problems of the table stay. A table is the
    /// text from one `[header]` line to the next.
    pub fn drop_knock_on(&mut self, file: usize, from: usize) {
        let Some(src) = self.sources.get(file) else {
            return;
        };
        let text = src.text.as_str();
        let table_of = |pos: usize| -> usize {
            let mut start = 0;
            let mut off = 0;
            for line in text.split_inclusive('\n') {
                if off > pos {
                    break;
                }
                if line.trim_start().starts_with('[') {
                    start = off;
                }
                off += line.len();
            }
            start
        };
        let broken: std::collections::HashSet<usize> = self.items[..from.min(self.items.len())]
            .iter()
            .filter(|d| d.file == file && d.severity == Severity::Error && !d.span.is_empty())
            .map(|d| table_of(d.span.start))
            .collect();
        if broken.is_empty() {
            return;
        }
        let mut i = from;
        while i < self.items.len() {
            let d = &self.items[i];
            let absence = d.message.starts_with("missing `")
                || d.message.contains(" needs `")
                || d.message.contains(" has neither `");
            if d.file == file && absence && broken.contains(&table_of(d.span.start)) {
                self.items.remove(i);
            } else {
                i += 1;
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diag> {
        self.items.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diag> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// Diagnostics in file order, then position, errors before warnings at
    /// the same place; exact duplicates dropped.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (a.file, a.span.start, a.severity, &a.message).cmp(&(
                b.file,
                b.span.start,
                b.severity,
                &b.message,
            ))
        });
        self.items.dedup();
    }

    /// `line:col` (both 1-based, col in characters) of a byte offset.
    pub fn line_col(&self, file: usize, offset: usize) -> (usize, usize) {
        let src = &self.sources[file];
        let text = &src.text;
        let offset = clamp_to_char(text, offset);
        // A line index, built once per file: a flood of errors in a large
        // file must not rescan it from the start for each one.
        let starts = src.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&s| s <= offset);
        let line_start = starts[line - 1];
        let mut col = text[line_start..offset].chars().count() + 1;
        // A byte-order mark is invisible in editors: columns start after it.
        if line_start == 0 && offset >= 3 && text.starts_with('\u{feff}') {
            col -= 1;
        }
        (line, col)
    }

    /// Render one diagnostic as text: the location line, the offending
    /// line with a caret (values masked per `q`), and the hint.
    ///
    /// Lines are only quoted from files that look like docket configs (see
    /// [`looks_like_config`]): pointed at `/etc/shadow`, docket says where
    /// the problem is and never prints the file.
    pub fn render(&self, d: &Diag, q: Quoting) -> String {
        self.render_in(d, q, Language::En)
    }

    /// [`Self::render`] in `lang`: the message, the hint and the words
    /// `error`, `warning` and `help` translated; the form stays
    /// `path:line:col: error: message` (SPEC 9).
    pub fn render_in(&self, d: &Diag, q: Quoting, lang: Language) -> String {
        let src = &self.sources[d.file];
        let (line, col) = self.line_col(d.file, d.span.start);
        let mut out = self.headline_in(d, q, lang);
        out.push('\n');
        let start = clamp_to_char(&src.text, d.span.start);
        let line_start = src.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src.text[start..]
            .find('\n')
            .map_or(src.text.len(), |i| start + i);
        let text = src.text[line_start..line_end].trim_end_matches('\r');
        let quotable = *src.quotable.get_or_init(|| looks_like_config(&src.text));
        if quotable && (!text.is_empty() || d.span.start < src.text.len()) {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            let end = clamp_to_char(&src.text, d.span.end.min(line_end).max(start));
            let width = src.text[start..end].chars().count().max(1);
            // A BOM is invisible in an editor: never show it, nor count it.
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let shown = privacy::mask_line(text, col - 1, width, q, self.table_at(d.file, start));
            // Tabs would put the caret off by the terminal's tab width:
            // show each as one space, so columns match characters.
            let chars: Vec<char> = shown
                .text
                .chars()
                .map(|c| if c == '\t' { ' ' } else { c })
                .collect();
            // Show at most a window of the line around the caret: a
            // megabyte-long line must not be echoed whole.
            let at = shown.caret.min(chars.len());
            let from = at.saturating_sub(WINDOW / 2);
            let to = (from + WINDOW).min(chars.len());
            let mut window: String = chars[from..to].iter().collect();
            let mut caret_at = at - from;
            if from > 0 {
                window.insert(0, '…');
                caret_at += 1;
            }
            if to < chars.len() {
                window.push('…');
            }
            let width = shown.width.min(to.saturating_sub(at)).max(1);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{num} | {}", printable(&window));
            let _ = writeln!(out, "{pad} | {}{}", " ".repeat(caret_at), "^".repeat(width));
        }
        if let Some(help) = self.help_text_in(d, q, lang) {
            let _ = writeln!(out, "  = {}: {help}", words(lang).2);
        }
        out
    }

    /// The first line alone: `path:line:col: error: message`. What logs and
    /// admin mail carry (with `Quoting::Masked`).
    pub fn headline(&self, d: &Diag, q: Quoting) -> String {
        self.headline_in(d, q, Language::En)
    }

    /// [`Self::headline`] in `lang`.
    pub fn headline_in(&self, d: &Diag, q: Quoting, lang: Language) -> String {
        let src = &self.sources[d.file];
        let (line, col) = self.line_col(d.file, d.span.start);
        let (error, warning, _) = words(lang);
        let kind = match d.severity {
            Severity::Error => error,
            Severity::Warning => warning,
        };
        let message = match (&d.tr, lang) {
            (Some(t), Language::Ru | Language::Kk) => t.render(lang),
            _ => d.message.clone(),
        };
        // A file name can hold a line break (the include glob matches it):
        // escaped, so it cannot start a forged line in a log or in mail.
        format!(
            "{}:{}:{}: {}: {}",
            crate::logging::escape(&src.path.display().to_string()),
            line,
            col,
            kind,
            privacy::show(&message, self.quoting_for(d, q))
        )
    }

    /// The hint of `d` rendered under `q`, values shown as its message's.
    pub fn help_text(&self, d: &Diag, q: Quoting) -> Option<String> {
        self.help_text_in(d, q, Language::En)
    }

    /// [`Self::help_text`] in `lang`.
    pub fn help_text_in(&self, d: &Diag, q: Quoting, lang: Language) -> Option<String> {
        let help = match (&d.help_tr, lang) {
            (Some(t), Language::Ru | Language::Kk) => t.render(lang),
            _ => d.help.clone()?,
        };
        Some(privacy::show(&help, self.quoting_for(d, q)))
    }

    /// How the values quoted in `d`'s message and hint are shown: a value
    /// from the file is as sensitive as the key it was written under
    /// (SPEC 9), so where the diagnostic points at a public value (a date,
    /// an id, a status, a time zone) its values are shown even under
    /// [`Quoting::Masked`]. Anywhere else (a person's name, a number, a
    /// title, a key docket does not know, a line it cannot read) they stay
    /// masked.
    pub fn quoting_for(&self, d: &Diag, q: Quoting) -> Quoting {
        if q == Quoting::Full {
            return q;
        }
        let src = &self.sources[d.file];
        if !*src.quotable.get_or_init(|| looks_like_config(&src.text)) {
            return q;
        }
        let start = clamp_to_char(&src.text, d.span.start);
        let line_start = src.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src.text[start..]
            .find('\n')
            .map_or(src.text.len(), |i| start + i);
        let line = src.text[line_start..line_end].trim_end_matches('\r');
        let (line, skip) = match line.strip_prefix('\u{feff}') {
            Some(l) => (l, 1),
            None => (line, 0),
        };
        let col = src.text[line_start..start]
            .chars()
            .count()
            .saturating_sub(skip);
        if privacy::public_at(line, col, self.table_at(d.file, start)) {
            Quoting::Full
        } else {
            q
        }
    }

    /// The path of the table the byte `offset` of `file` is in (`[]` before
    /// the first header).
    pub fn table_at(&self, file: usize, offset: usize) -> &[String] {
        let src = &self.sources[file];
        let tables = src.tables.get_or_init(|| {
            let mut out = Vec::new();
            let mut off = 0;
            for line in src.text.split_inclusive('\n') {
                if let Some(p) = privacy::header_path(line.trim_end()) {
                    out.push((off, p));
                }
                off += line.len();
            }
            out
        });
        let i = tables.partition_point(|(o, _)| *o <= offset);
        if i == 0 {
            &[]
        } else {
            &tables[i - 1].1
        }
    }

    /// Every diagnostic (at most [`MAX_SHOWN`]) rendered under `q`.
    pub fn render_all(&self, q: Quoting) -> String {
        self.render_all_in(q, Language::En)
    }

    /// [`Self::render_all`] in `lang`.
    pub fn render_all_in(&self, q: Quoting, lang: Language) -> String {
        let mut out = String::new();
        for d in self.items.iter().take(MAX_SHOWN) {
            out.push_str(&self.render_in(d, q, lang));
        }
        if self.items.len() > MAX_SHOWN {
            let more = self.items.len() - MAX_SHOWN;
            let _ = match lang {
                Language::En => writeln!(
                    out,
                    "... and {more} more problem(s) not shown; fix the ones above first"
                ),
                Language::Ru => writeln!(
                    out,
                    "... и ещё проблем: {more}; сначала исправьте те, что выше"
                ),
                Language::Kk => writeln!(
                    out,
                    "... тағы {more} мәселе көрсетілмеді; алдымен жоғарыдағыларын түзетіңіз"
                ),
            };
        }
        out
    }
}

/// Does this text look like a docket config, so that quoting its lines
/// shows the user their own file? It must name at least one of docket's
/// tables. A file that does not (a password file, a key, a binary) is
/// never quoted, whatever the quoting policy.
pub fn looks_like_config(text: &str) -> bool {
    const TABLES: [&str; 10] = [
        "[service]",
        "[mail]",
        "[privacy]",
        "[calendar]",
        "[reminders]",
        "[kinds",
        "[[caseworker]]",
        "[[case]]",
        "[[case.",
        "[[bill]]",
    ];
    text.lines().any(|l| {
        let l = l.trim_start_matches(['\u{feff}', ' ', '\t']);
        TABLES.iter().any(|t| l.starts_with(t))
    })
}

impl Diag {
    pub fn help(&mut self, help: impl Into<Text>) -> &mut Diag {
        let help = help.into();
        self.help = Some(help.en());
        self.help_tr = help.tr().cloned();
        self
    }
}

/// `error`, `warning` and `help` in `lang`.
fn words(lang: Language) -> (&'static str, &'static str, &'static str) {
    match lang {
        Language::En => ("error", "warning", "help"),
        Language::Ru => ("ошибка", "предупреждение", "подсказка"),
        Language::Kk => ("қате", "ескерту", "кеңес"),
    }
}

/// Every diagnostic with values in full, as `docket check --show-values`
/// prints them. For people at a terminal and for tests: anything that may
/// reach a log uses [`Diagnostics::headline`] with [`Quoting::Masked`].
impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render_all(Quoting::Full))
    }
}

/// Diagnostics printed at most: a file with 100,000 broken cases needs the
/// first screens, not a million lines.
pub const MAX_SHOWN: usize = 1000;

/// Characters of the offending line shown around the caret.
const WINDOW: usize = 120;

fn clamp_to_char(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Control characters would garble the terminal; show them escaped.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let mut d = Diagnostics::default();
        let f = d.add_source(
            Path::new("x.toml"),
            "[service]\ntimezone = \"Mars/Base\"\n".into(),
        );
        d.error(f, 21..32, "unknown time zone \"Mars/Base\"")
            .help("use an IANA name such as \"Asia/Almaty\"");
        let text = d.render_all(Quoting::Full);
        assert!(
            text.starts_with("x.toml:2:12: error: unknown time zone \"Mars/Base\"\n"),
            "{text}"
        );
        assert!(text.contains("2 | timezone = \"Mars/Base\"\n"), "{text}");
        assert!(text.contains("  |            ^^^^^^^^^^^\n"), "{text}");
        assert!(text.contains("= help: use an IANA name"), "{text}");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let mut d = Diagnostics::default();
        let f = d.add_source(Path::new("x.toml"), "name = \"Айгерим\" x".into());
        let off = "name = \"Айгерим\" ".len();
        assert_eq!(d.line_col(f, off), (1, 18));
    }
}
