//! XLSX and ODS workbooks through `calamine`, the well-kept pure-Rust
//! reader of both. Each cell keeps its type: calamine reports a
//! date-formatted XLSX cell as a date-time and an ODS `date-value` cell as
//! an ISO date, and those are dates; a plain number stays a number (and is
//! an error where a date is expected, see [`super::dates`]).

use super::base::{Cell, ImportError, Row, Sheet};
use calamine::{Data, Reader};
use std::path::Path;

/// The sheet `name` (default: the first) of the workbook at `path`.
pub fn read(path: &Path, name: Option<&str>) -> Result<Sheet, ImportError> {
    let book_error = |e: &dyn std::fmt::Display| ImportError::Book {
        path: path.to_path_buf(),
        why: e.to_string(),
    };
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| book_error(&e))?;
    let names = wb.sheet_names();
    let chosen = match name {
        Some(n) => names
            .iter()
            .find(|s| s.as_str() == n)
            .cloned()
            .ok_or_else(|| ImportError::NoSheet {
                path: path.to_path_buf(),
                name: n.to_string(),
                have: names
                    .iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| book_error(&"it has no sheet"))?,
    };
    let range = wb.worksheet_range(&chosen).map_err(|e| book_error(&e))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        // Columns before the range's first are empty: a cell keeps the
        // letter the spreadsheet shows for it.
        let cells: Vec<Cell> = std::iter::repeat_n(Cell::Empty, col0 as usize)
            .chain(r.iter().map(cell))
            .collect();
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        rows.push(Row {
            number: row0 + i as u32 + 1,
            cells,
        });
    }
    Ok(Sheet { rows })
}

/// One cell, its type kept.
fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => match dt.as_datetime() {
            Some(t) => Cell::Date(t),
            None => Cell::Number(dt.as_f64()),
        },
        // A duration ([h]:mm) is no day.
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => iso(s).map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// ODS's `2025-10-16` or `2025-10-16T09:30:00`.
fn iso(s: &str) -> Option<chrono::NaiveDateTime> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}
