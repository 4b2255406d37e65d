//! Which column holds what: the header row read against docket's column
//! names (any letter case, any order) and the sheet's own names from
//! `--map MAP.toml`:
//!
//! ```toml
//! [columns]
//! case = "Номер дела"
//! caseworker = ["Сотрудник", "Қызметкер"]   # several names: any of them
//! ```

use super::base::{shown, Field, Pos, Problem, Row};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A map file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    columns: Option<BTreeMap<toml::Spanned<String>, Names>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

/// The sheet's own header names, per column docket knows.
#[derive(Debug, Default, Clone)]
pub struct Map {
    names: HashMap<String, Field>,
}

/// A header as compared: trimmed, spaces collapsed, lower case.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// What is wrong with a map file: `MAP:LINE:COL: error: message`.
pub fn map_problem(path: &Path, text: &str, at: usize, message: &str, help: &str) -> String {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let mut out = format!("{}:{line}:{col}: error: {message}\n", path.display());
    if !help.is_empty() {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out
}

impl Map {
    /// Read a map file; every problem in it, rendered.
    pub fn parse(path: &Path, text: &str) -> Result<Map, Vec<String>> {
        let raw: RawMap = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            vec![map_problem(
                path,
                text,
                at,
                e.message(),
                "a map is [columns] with one line per column: case = \"Номер дела\"",
            )]
        })?;
        let mut map = Map::default();
        let mut problems = Vec::new();
        for (key, names) in raw.columns.unwrap_or_default() {
            let Some(field) = Field::from_name(key.get_ref()) else {
                let known = Field::ALL.iter().map(|f| f.name());
                let hint = crate::config::suggest::did_you_mean(key.get_ref(), known)
                    .unwrap_or_else(|| {
                        format!(
                            "the columns are {}",
                            Field::ALL.map(|f| f.name()).join(", ")
                        )
                    });
                problems.push(map_problem(
                    path,
                    text,
                    key.span().start,
                    &format!("unknown column `{}`", shown(key.get_ref())),
                    &hint,
                ));
                continue;
            };
            let names = match names {
                Names::One(n) => vec![n],
                Names::Many(v) => v,
            };
            for n in names {
                map.names.insert(norm(&n), field);
            }
        }
        if problems.is_empty() {
            Ok(map)
        } else {
            Err(problems)
        }
    }

    /// The column a header names: the map's names first, then docket's.
    fn field(&self, header: &str) -> Option<Field> {
        let h = norm(header);
        self.names
            .get(&h)
            .copied()
            .or_else(|| Field::from_name(&h.replace(' ', "_")))
    }
}

/// The column of each field, from the header row.
#[derive(Debug, Clone, Default)]
pub struct Columns {
    at: HashMap<Field, usize>,
    /// Columns with a header docket does not know (already reported).
    pub unknown: Vec<usize>,
    /// Columns without a header: a value under one is reported.
    pub unnamed: Vec<usize>,
}

impl Columns {
    pub fn of(&self, f: Field) -> Option<usize> {
        self.at.get(&f).copied()
    }

    /// Each field with its column, in column order.
    pub fn fields(&self) -> Vec<(Field, usize)> {
        let mut v: Vec<(Field, usize)> = self.at.iter().map(|(f, c)| (*f, *c)).collect();
        v.sort_by_key(|&(_, c)| c);
        v
    }
}

/// Read the header row; problems for a header docket does not know, a
/// column named twice, and a missing `case` or `caseworker` column.
pub fn header(row: &Row, map: &Map, problems: &mut Vec<Problem>) -> Columns {
    let mut cols = Columns::default();
    for (i, cell) in row.cells.iter().enumerate() {
        let at = Pos {
            row: row.number,
            col: i,
        };
        let text = match cell {
            super::base::Cell::Text(s) => s.clone(),
            c if c.is_blank() => {
                cols.unnamed.push(i);
                continue;
            }
            _ => String::new(),
        };
        match map.field(&text) {
            Some(f) if cols.at.contains_key(&f) => {
                problems.push(Problem::error(
                    at,
                    format!(
                        "a second column for `{}` (the first is column {})",
                        f.name(),
                        super::base::column_letter(cols.at[&f])
                    ),
                    "keep one column per field: delete or rename this one",
                ));
                cols.unknown.push(i);
            }
            Some(f) => {
                cols.at.insert(f, i);
            }
            None => {
                problems.push(unknown_header(at, &text, map));
                cols.unknown.push(i);
            }
        }
    }
    for f in [Field::Case, Field::Caseworker] {
        if !cols.at.contains_key(&f) {
            problems.push(Problem::error(
                Pos {
                    row: row.number,
                    col: 0,
                },
                format!("the sheet has no `{}` column", f.name()),
                format!(
                    "add a column headed `{}`, or name the sheet's own header in a map: \
                     docket import FILE --map MAP.toml, with [columns] {} = \"…\"",
                    f.name(),
                    f.name()
                ),
            ));
        }
    }
    cols
}

fn unknown_header(at: Pos, text: &str, map: &Map) -> Problem {
    let known = Field::ALL.iter().map(|f| f.name());
    let near = crate::config::suggest::did_you_mean(&norm(text), known);
    let help = match near {
        Some(d) => format!("{d} Or name it in a map: --map MAP.toml, [columns]"),
        None if map.names.is_empty() => format!(
            "docket's columns are {}; a sheet's own headers are named in a map: \
             --map MAP.toml with [columns] COLUMN = \"{}\"",
            Field::ALL.map(|f| f.name()).join(", "),
            shown(text)
        ),
        None => format!(
            "it is neither one of docket's columns ({}) nor in the map; \
             add it to [columns], or delete the column",
            Field::ALL.map(|f| f.name()).join(", ")
        ),
    };
    Problem::error(at, format!("unknown column \"{}\"", shown(text)), help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::base::Cell;

    fn row(h: &[&str]) -> Row {
        Row {
            number: 1,
            cells: h.iter().map(|s| Cell::Text(s.to_string())).collect(),
        }
    }

    #[test]
    fn headers_any_case_any_order_and_mapped() {
        let mut p = Vec::new();
        let c = header(
            &row(&["Issued", " CASE ", "caseworker", "Answer Within"]),
            &Map::default(),
            &mut p,
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(c.of(Field::Case), Some(1));
        assert_eq!(c.of(Field::Issued), Some(0));
        assert_eq!(c.of(Field::AnswerWithin), Some(3));
        let map = Map::parse(
            Path::new("m.toml"),
            "[columns]\ncase = \"Номер дела\"\ncaseworker = [\"Сотрудник\", \"Қызметкер\"]\n",
        )
        .unwrap();
        let c = header(&row(&["номер  дела", "Қызметкер"]), &map, &mut p);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            (c.of(Field::Case), c.of(Field::Caseworker)),
            (Some(0), Some(1))
        );
    }

    #[test]
    fn unknown_and_missing_columns_are_errors() {
        let mut p = Vec::new();
        header(&row(&["case", "isued"]), &Map::default(), &mut p);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].at, Pos { row: 1, col: 1 });
        assert!(p[0].help.as_deref().unwrap().contains("issued"), "{p:?}");
        assert!(p[1].message.contains("no `caseworker` column"), "{p:?}");
        let e = Map::parse(Path::new("m.toml"), "[columns]\ncse = \"Дело\"\n").unwrap_err();
        assert!(
            e[0].starts_with("m.toml:2:1: error: unknown column `cse`"),
            "{e:?}"
        );
    }
}
