//! Rows into cases: each row is one document, request or event of the
//! case its `case` cell names, wherever it is in the sheet; `caseworker`
//! and `person` belong to the case and must agree across its rows.

use super::base::{column_letter, shown, Cell, Field, ItemKind, Pos, Problem, Row, Sheet};
use super::columns::Columns;
use super::dates;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A value read from a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Date(NaiveDate),
}

/// One document, request or event.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    /// The row, at its `item` column (or its `case` column).
    pub at: Pos,
    pub values: Vec<(Field, Value, Pos)>,
}

/// One case, from all its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    /// Its first row's `case` cell.
    pub at: Pos,
    pub caseworker: Option<(String, Pos)>,
    pub person: Option<(String, Pos)>,
    pub rows: Vec<u32>,
    pub items: Vec<Item>,
}

/// The cases of a sheet's rows after its header, in the order they first
/// appear; every problem on the way.
pub fn cases(sheet: &Sheet, cols: &Columns, problems: &mut Vec<Problem>) -> Vec<Case> {
    let Some(case_col) = cols.of(Field::Case) else {
        return Vec::new();
    };
    let mut out: Vec<Case> = Vec::new();
    // Ids compared as docket compares them (letter case, look-alikes).
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for row in sheet.rows.iter().skip(1) {
        unnamed_values(row, cols, problems);
        let at = Pos {
            row: row.number,
            col: case_col,
        };
        let id = match text_of(row.cell(case_col)) {
            Ok(Some(id)) => id,
            Ok(None) => {
                problems.push(Problem::error(
                    at,
                    "this row has no case id",
                    format!(
                        "write the case reference (e.g. KZ-0042) in column {}; rows of one case may be anywhere in the sheet",
                        column_letter(case_col)
                    ),
                ));
                continue;
            }
            Err(m) => {
                problems.push(Problem::error(at, m, "type the case reference as text"));
                continue;
            }
        };
        let key = crate::config::candidate::id_key(&id);
        let i = match by_key.get(&key) {
            Some(&i) => {
                if out[i].id != id {
                    problems.push(Problem::error(
                        at,
                        format!(
                            "case \"{}\" is written \"{}\" in row {}: docket reads both as one case",
                            shown(&id),
                            shown(&out[i].id),
                            out[i].at.row
                        ),
                        "write the case id the same way in every row",
                    ));
                    continue;
                }
                i
            }
            None => {
                by_key.insert(key, out.len());
                out.push(Case {
                    id,
                    at,
                    caseworker: None,
                    person: None,
                    rows: Vec::new(),
                    items: Vec::new(),
                });
                out.len() - 1
            }
        };
        read_row(&mut out[i], row, cols, problems);
    }
    // Without the column, its absence was said once, at the header.
    let Some(col) = cols.of(Field::Caseworker) else {
        return out;
    };
    for c in &out {
        if c.caseworker.is_none() {
            problems.push(Problem::error(
                Pos { row: c.at.row, col },
                format!("case {} has no caseworker in any of its rows", shown(&c.id)),
                "write the caseworker's id (as in the main config's [[caseworker]]) in at least one row of the case",
            ));
        }
    }
    out
}

/// A value in a column without a header is reported, not dropped.
fn unnamed_values(row: &Row, cols: &Columns, problems: &mut Vec<Problem>) {
    for &c in &cols.unnamed {
        if !row.cell(c).is_blank() {
            problems.push(Problem::error(
                Pos {
                    row: row.number,
                    col: c,
                },
                format!(
                    "a value in column {}, which has no header",
                    column_letter(c)
                ),
                "give the column a header docket knows (or map it), or clear the cell",
            ));
        }
    }
}

/// A cell's text: text trimmed, a whole number as digits; None if empty.
pub fn text_of(cell: &Cell) -> Result<Option<String>, String> {
    match cell {
        c if c.is_blank() => Ok(None),
        Cell::Text(s) => Ok(Some(s.trim().to_string())),
        Cell::Number(n) => Ok(Some(dates::number_text(*n))),
        Cell::Date(_) => Err("a date cell where text is expected".into()),
        Cell::Bool(b) => Ok(Some(b.to_string())),
        Cell::Error(e) => Err(format!("the cell shows the error {e}")),
        Cell::Empty => Ok(None),
    }
}

/// One row into its case: the case's own cells, then its item.
fn read_row(case: &mut Case, row: &Row, cols: &Columns, problems: &mut Vec<Problem>) {
    case.rows.push(row.number);
    for f in [Field::Caseworker, Field::Person] {
        let Some(col) = cols.of(f) else { continue };
        let at = Pos {
            row: row.number,
            col,
        };
        let v = match text_of(row.cell(col)) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(m) => {
                problems.push(Problem::error(at, m, "type it as text"));
                continue;
            }
        };
        let slot = if f == Field::Caseworker {
            &mut case.caseworker
        } else {
            &mut case.person
        };
        match slot {
            None => *slot = Some((v, at)),
            Some((first, first_at)) if *first != v => {
                // A person's name is never quoted (SPEC 9).
                let msg = if f == Field::Person {
                    format!(
                        "case {} names another person here than in row {}",
                        shown(&case.id),
                        first_at.row
                    )
                } else {
                    format!(
                        "case {} has caseworker \"{}\" in row {}, and \"{}\" here",
                        shown(&case.id),
                        shown(first),
                        first_at.row,
                        shown(&v)
                    )
                };
                problems.push(Problem::error(
                    at,
                    msg,
                    "one case has one caseworker and one person: make its rows agree, or leave the cell empty",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(item) = item_of(row, cols, problems) {
        case.items.push(item);
    }
}

/// The row's document, request or event; None for a row that only says
/// who the case is (no item, no item cells).
fn item_of(row: &Row, cols: &Columns, problems: &mut Vec<Problem>) -> Option<Item> {
    let item_col = cols.of(Field::Item);
    let at = Pos {
        row: row.number,
        col: item_col.or(cols.of(Field::Case)).unwrap_or(0),
    };
    let named = match item_col.map(|c| text_of(row.cell(c))) {
        Some(Ok(Some(v))) => Some(v),
        Some(Err(m)) => {
            problems.push(Problem::error(at, m, "write document, request or event"));
            return None;
        }
        _ => None,
    };
    let kind = match named.as_deref().map(str::to_lowercase).as_deref() {
        None | Some("document") => ItemKind::Document,
        Some("request") => ItemKind::Request,
        Some("event") => ItemKind::Event,
        Some(other) => {
            let near = crate::config::suggest::did_you_mean(
                other,
                ["document", "request", "event"].into_iter(),
            );
            problems.push(Problem::error(
                at,
                format!("unknown item \"{}\"", shown(other)),
                near.map_or_else(
                    || "an item is document, request or event (empty: document)".to_string(),
                    |d| format!("{d}; an item is document, request or event"),
                ),
            ));
            return None;
        }
    };
    let mut values = Vec::new();
    for (f, col) in cols.fields() {
        if matches!(
            f,
            Field::Case | Field::Caseworker | Field::Person | Field::Item
        ) {
            continue;
        }
        let cell_at = Pos {
            row: row.number,
            col,
        };
        let cell = row.cell(col);
        if cell.is_blank() {
            continue;
        }
        if !kind.fields().contains(&f) {
            problems.push(Problem::error(
                cell_at,
                format!("`{}` is not part of {} {}", f.name(), article(kind), kind.name()),
                format!(
                    "{} {} has {}; clear the cell, or put it in a row of its own with the right item",
                    article(kind),
                    kind.name(),
                    kind.fields().iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        }
        match value_of(f, cell) {
            Ok(v) => values.push((f, v, cell_at)),
            Err((m, h)) => problems.push(Problem::error(cell_at, m, h)),
        }
    }
    if named.is_none() && values.is_empty() {
        return None;
    }
    Some(Item { kind, at, values })
}

fn article(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Event => "an",
        _ => "a",
    }
}

/// A date column's date, or any other column's text.
fn value_of(f: Field, cell: &Cell) -> Result<Value, (String, String)> {
    if f.is_date() {
        return match dates::date_of(cell) {
            Ok(Some(d)) => Ok(Value::Date(d)),
            Ok(None) => Err(("empty".into(), String::new())),
            Err(b) => Err((format!("`{}`: {}", f.name(), b.message), b.help)),
        };
    }
    if f == Field::AnswerWithin {
        if let Cell::Number(n) = cell {
            let n = dates::number_text(*n);
            return Err((
                format!("`answer_within` is the number {n}: days or working days?"),
                format!("write {n}d for calendar days or {n}wd for working days"),
            ));
        }
    }
    match text_of(cell) {
        Ok(Some(v)) => Ok(Value::Text(v)),
        Ok(None) => Err(("empty".into(), String::new())),
        Err(m) => Err((format!("`{}`: {m}", f.name()), "type it as text".into())),
    }
}
