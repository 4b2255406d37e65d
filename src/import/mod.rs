//! `docket import FILE` (SPEC section 8): a spreadsheet (CSV, XLSX, ODS)
//! into one case file per case.
//!
//! The steps, each a file, each importing only what lies below it:
//! `csvfile` and `book` read the sheet into typed cells (`base`);
//! `columns` reads the header (and `--map`); `cases` turns rows into cases,
//! with `dates` for every date; `render` writes a case as the guide
//! teaches; `run` checks the files as `docket check` will
//! (`config::candidate`) and `write` puts them down, never over a file.

pub mod base;
mod book;
mod cases;
mod columns;
mod csvfile;
pub mod dates;
mod render;
mod run;
mod write;

pub use run::{import, Args};
