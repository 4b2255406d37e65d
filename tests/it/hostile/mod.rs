//! Hostile input (issue 5, item 7): whatever bytes the config holds, loading
//! it ends, within bounded time and memory, in a config or in located
//! errors — never a panic, a stack overflow or a hang.
//!
//! - proptest fuzzing on stable (CI runs these; the cargo-fuzz targets in
//!   `fuzz/` go further, see `scripts/fuzz.sh`): arbitrary text, arbitrary
//!   bytes, TOML token soup and byte-level mutations of `config/docket.toml`
//!   and its includes fed to `docket::config::load`; the fast include
//!   parser against the full one; the duration and date parsers on any
//!   string, and round trips of every valid value;
//! - `docket check` on a file over [`MAX_FILE_BYTES`] (sparse, so nothing
//!   is written), 10⁶-deep nesting, floods of syntax errors, very long lines,
//!   an include glob through symlink loops and non-UTF-8 bytes: exit 78, the
//!   file named, bounded time and RSS;
//! - a million cases (`#[ignore]`d; `scripts/hostile.sh` runs it in release).
//!
//! No wall-clock bound on the debug build (it runs on shared CI cores): a
//! child that runs past a generous guard (minutes) is killed and the test
//! fails as hung; times are printed. Speed is measured by
//! `scripts/hostile.sh` and `scripts/bench.sh` in release.

mod check;
mod files;
mod fuzz;
mod ledger;
mod parsers;
mod relay;
mod scale;
mod watch;

use crate::util::{copy_tree_private, repo};
use proptest::prelude::ProptestConfig;
use std::path::PathBuf;

fn fuzz_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A private copy of `config/` (the example config and its includes).
fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree_private(&repo().join("config"), tmp.path());
    let main = tmp.path().join("docket.toml");
    (tmp, main)
}
