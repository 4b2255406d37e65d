//! The command line (SPEC §5): exit codes, `check`, `upcoming` and `plan`
//! with their JSON and tables, includes and file permissions.
//!
//! Every config is written into a private tempdir with mode 0600 (docket
//! refuses group/world-writable configs and warns about world-readable ones).
//! Expected dates are computed by hand from SPEC §3 and Kazakhstan's 2026
//! calendar; the comments next to them show the working.

mod check;
mod includes;
mod index;
mod plan;
mod readme;
mod upcoming;

use crate::util::write_config;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

const OK: i32 = 0;
const USAGE: i32 = 2;
const CONFIG: i32 = 78;

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

fn config(dir: &Path, text: &str) -> PathBuf {
    write_config(dir, "docket.toml", text)
}

/// The rows of a JSON array, panicking if it is not one.
fn rows(v: &Value) -> &Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a JSON array: {v}"))
}

/// One field of every row, as strings.
fn column(v: &Value, key: &str) -> Vec<String> {
    rows(v)
        .iter()
        .map(|r| {
            r[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {r}"))
                .to_string()
        })
        .collect()
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// Today in the `upcoming` tests: Monday 2026-11-16.
const TODAY: &str = "2026-11-16";
