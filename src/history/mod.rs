//! The history of the config files: every version of every file docket has
//! read (applied or held back), who saved it and when, kept privately in
//! `state_dir/history/` (SPEC 6, "History, restore, forget").
//!
//! Why: a case file deleted by mistake was gone, and nobody could tell who
//! set a status to `renewed` by mistake. The daemon records at one point
//! (after a load, before the last good copies are kept: [`record`]);
//! `docket log`, `restore` and `forget` read and prune it ([`commands`]).
//!
//! - `base.rs`: the types and errors every part shares.
//! - `store.rs`: the SQLite file (versions, deduplicated bytes, case ids).
//! - `purge.rs`: which versions `[privacy] history_days` lets go (pure).
//! - `changes.rs`: what changed, field by field, between two versions
//!   (pure), and how a change is shown (masked as SPEC 9 says).
//! - `record.rs`: a load ([`crate::config::live::Live`]) into versions.
//! - `owner.rs`: a uid as a user name.
//! - `commands.rs`, `forget.rs`: `docket log`, `restore` and `forget`;
//!   `git.rs`: `log` and `restore` when the case files are in a git
//!   repository (`cases_git`), whose history is theirs;
//!   `put.rs`: writing a version back into a case directory.

mod base;
pub mod changes;
pub mod commands;
mod forget;
mod git;
mod owner;
pub mod purge;
mod put;
mod record;
mod store;

pub use base::{HistoryError, NewVersion, Version, VersionState};
pub use record::{record, record_in, Recorded, Recorder, Snapshot};
pub use store::History;
