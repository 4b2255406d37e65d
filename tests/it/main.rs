//! One integration-test binary (faster to link than one per file).
//! Each module tests one area; shared helpers live in `util`.

mod cli;
mod clock19;
mod commands;
mod config_data;
mod daemon;
mod diag18;
mod digest;
mod engine_rules;
mod fake_smtp;
mod faults;
mod feeds;
mod files;
mod first21;
mod git22;
mod gitlog22;
mod hints;
mod history20;
mod hostile;
mod import21;
mod layout19;
mod leaks;
mod links22;
mod live;
mod mail18;
mod never_silent;
mod new_items;
mod notices;
mod reliability;
mod smtp;
mod team;
mod util;
