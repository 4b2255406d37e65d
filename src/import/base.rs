//! What every step of `docket import` shares: a sheet as typed cells with
//! the row numbers a spreadsheet shows, the columns docket knows, a
//! problem located at a cell, and the errors that stop an import before
//! any cell is read.

use chrono::NaiveDateTime;
use std::path::PathBuf;

/// One cell as the sheet types it. The type matters: a date cell is a
/// date, while a number is never read as one (a serial number such as
/// 45946 is a guess at a day, and docket does not guess).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A date cell: XLSX's date-formatted number as calamine reports it,
    /// or ODS's `date-value`. The time is midnight for a date alone.
    Date(NaiveDateTime),
    Bool(bool),
    /// A formula's error (`#REF!`, `#VALUE!`).
    Error(String),
}

impl Cell {
    /// Nothing in it but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// One row: its number as the spreadsheet shows it (the header is row 1)
/// and its cells, column A first.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
}

/// A sheet: its rows in order, blank ones left out (their numbers are
/// kept by the rows after them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub rows: Vec<Row>,
}

/// A cell's place: its row as the spreadsheet shows it, and its column
/// (0 is A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub row: u32,
    pub col: usize,
}

/// The columns docket reads (SPEC section 8), in the order the reference
/// lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Case,
    Caseworker,
    Person,
    Item,
    Kind,
    Number,
    Issued,
    Expires,
    Filed,
    AnswerWithin,
    Status,
    Date,
    Title,
}

impl Field {
    pub const ALL: [Field; 13] = [
        Field::Case,
        Field::Caseworker,
        Field::Person,
        Field::Item,
        Field::Kind,
        Field::Number,
        Field::Issued,
        Field::Expires,
        Field::Filed,
        Field::AnswerWithin,
        Field::Status,
        Field::Date,
        Field::Title,
    ];

    /// The column's name, which is also the key written in the case file.
    pub fn name(self) -> &'static str {
        match self {
            Field::Case => "case",
            Field::Caseworker => "caseworker",
            Field::Person => "person",
            Field::Item => "item",
            Field::Kind => "kind",
            Field::Number => "number",
            Field::Issued => "issued",
            Field::Expires => "expires",
            Field::Filed => "filed",
            Field::AnswerWithin => "answer_within",
            Field::Status => "status",
            Field::Date => "date",
            Field::Title => "title",
        }
    }

    pub fn from_name(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == s)
    }

    /// A column of dates.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            Field::Issued | Field::Expires | Field::Filed | Field::Date
        )
    }

    /// Sensitive (SPEC 9): never quoted in a diagnostic.
    pub fn is_sensitive(self) -> bool {
        matches!(self, Field::Person | Field::Number | Field::Title)
    }
}

/// What a row describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Document,
    Request,
    Event,
}

impl ItemKind {
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Document => "document",
            ItemKind::Request => "request",
            ItemKind::Event => "event",
        }
    }

    /// The columns an item of this kind takes, in the order the guide
    /// writes its keys.
    pub fn fields(self) -> &'static [Field] {
        match self {
            ItemKind::Document => &[
                Field::Kind,
                Field::Number,
                Field::Issued,
                Field::Expires,
                Field::Status,
                Field::Filed,
            ],
            ItemKind::Request => &[
                Field::Kind,
                Field::Number,
                Field::Filed,
                Field::AnswerWithin,
                Field::Status,
            ],
            ItemKind::Event => &[Field::Title, Field::Kind, Field::Date],
        }
    }
}

/// One problem of the sheet, at a cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub at: Pos,
    pub warning: bool,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn error(at: Pos, message: impl Into<String>, help: impl Into<String>) -> Problem {
        let help: String = help.into();
        Problem {
            at,
            warning: false,
            message: message.into(),
            help: (!help.is_empty()).then_some(help),
        }
    }

    /// `FILE:ROW:COLUMN: error: message`, then `  = help: hint`: the form
    /// of `docket check` (src/config/diag.rs), the column as its letter.
    pub fn render(&self, file: &str) -> String {
        let mut out = format!(
            "{}:{}:{}: {}: {}\n",
            file,
            self.at.row,
            column_letter(self.at.col),
            if self.warning { "warning" } else { "error" },
            self.message
        );
        if let Some(h) = &self.help {
            out.push_str(&format!("  = help: {h}\n"));
        }
        out
    }
}

/// A column's letter as spreadsheets show it: 0 is A, 25 is Z, 26 is AA.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Text from the sheet in a message: control characters escaped, at most
/// 60 characters, so a cell cannot forge a line of output.
pub fn shown(s: &str) -> String {
    let s = crate::logging::escape(s.trim());
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// Why an import stopped before or after the sheet was judged.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a spreadsheet docket can read ({why})")]
    Book { path: PathBuf, why: String },
    #[error("{path}: docket reads .csv (.tsv, .txt), .xlsx (.xlsm, .xls) and .ods files; name the file so")]
    UnknownType { path: PathBuf },
    #[error("{path} has no sheet named \"{name}\"; it has: {have}")]
    NoSheet {
        path: PathBuf,
        name: String,
        have: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_spreadsheets_letter_them() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn a_problem_renders_as_check_does() {
        let p = Problem::error(Pos { row: 5, col: 6 }, "bad", "fix it");
        assert_eq!(
            p.render("x.csv"),
            "x.csv:5:G: error: bad\n  = help: fix it\n"
        );
    }
}
