//! docket keeps refugees' papers from lapsing: it reads a TOML file of cases
//! and the laws they wait on, works out every deadline on Kazakhstan's
//! working-day calendar, and emails each caseworker a digest in time.
//!
//! Module map (see ARCHITECTURE.md for the invariants):
//! - [`config`]: files → raw serde structs → validated model, with located
//!   diagnostics for every problem;
//! - [`calendar`]: working days, statutory holidays, durations;
//! - [`engine`]: pure deadline and reminder computation;
//! - [`report`]: `upcoming`, `plan` and `history` as tables and JSON;
//! - [`clock`]: what day it is; [`privacy`]: what may not leave the box;
//! - [`ledger`]: SQLite record of what was due and what was sent;
//! - [`import`]: `docket import`, a spreadsheet into case files;
//! - [`history`]: every version of every config file read, who saved it
//!   and when (`docket log`, `restore`, `forget`);
//! - [`mail`]: digest rendering and the only code that talks SMTP;
//! - [`daemon`]: the loop ([`daemon::run`]), one pass
//!   ([`daemon::Daemon::pass`]), reload, shutdown, systemd notify;
//! - [`cli`]: the command line, and [`app`] which runs each command
//!   ([`check`] for `docket check`, [`githook`] for `docket git-hook`).

/// mimalloc instead of glibc's malloc: loading a large config is mostly
/// allocating small strings, and with mimalloc `docket upcoming` on 100,000
/// cases takes 0.25 s instead of 0.42 s (BENCHMARKS.md). It also hands freed
/// memory back on request ([`sys::release_memory`]), which keeps the
/// daemon's idle RSS near its live data after a load or reload.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod app;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod engine;
pub mod failure;
pub mod feed;
pub mod githook;
pub mod heartbeat;
pub mod history;
pub mod import;
pub mod index;
pub mod ledger;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod privacy;
pub mod report;
pub mod status;
pub mod sys;
#[cfg(test)]
mod test_support;

/// Exit codes (SPEC §5).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    /// EX_CONFIG from sysexits.h: the config is wrong.
    pub const CONFIG: u8 = 78;
}
