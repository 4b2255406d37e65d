//! Helpers shared by the integration tests, by topic: `run` (running docket,
//! writing configs, reading its output), `mail` (parsing the mail it sends),
//! `daemon` (a daemon process and its log), `env` (the test mail server, its
//! Maildir, tmpfs), `bounded` (runs under a time limit, measured). Everything
//! is re-exported here: `crate::util::NAME` names each helper.
#![allow(dead_code)]

mod bounded;
mod daemon;
mod env;
mod mail;
mod run;

pub use bounded::*;
pub use daemon::*;
pub use env::*;
pub use mail::*;
pub use run::*;
