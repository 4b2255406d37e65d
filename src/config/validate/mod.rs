//! From raw structs to the model, reporting every problem with its location.
//!
//! Validation never stops at the first problem: each check records a
//! diagnostic and carries on with a placeholder, and the model is only
//! returned when no error was recorded.
//!
//! In three steps, so that one file can be validated on its own:
//! 1. [`settings`]: the main file's settings (`[service]`, `[mail]`, …,
//!    `[[caseworker]]`), giving the [`Context`] case files are read in;
//! 2. [`cases::file`]: one file's cases and bills, against that context;
//! 3. [`cross_file`]: what only all files together can tell (a case id
//!    twice, a request waiting for a bill no file defines).

mod bills;
mod cases;
mod checker;
pub mod ids;
mod mail;
mod people;
mod service;
mod settings;

use super::diag::Diagnostics;
use super::env::Env;
use super::model::*;
use super::raw::{self, S};
use crate::calendar::{self, Calendar, HolidaySet};
use checker::Checker;
pub use checker::DEFAULT_STATE_DIR;
pub(super) use checker::{Context, Refs};
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

/// Check the main file's settings; the context case files are read in.
pub(super) fn settings<'d>(
    d: &'d mut Diagnostics,
    file: usize,
    main: &raw::RawMain,
    base_dir: &Path,
    env: &Env,
    years: &'d mut BTreeSet<i32>,
) -> (Settings, Vec<(String, Range<usize>)>) {
    let mut c = Checker::new(d, file, years);
    let p = settings::settings(&mut c, main, base_dir, env);
    (p.settings, p.includes)
}

impl<'a> Context<'a> {
    /// A kind's name as the items keep it: the shared one for a defined
    /// kind, a string of its own otherwise.
    pub fn kind_name(&self, k: &str) -> std::sync::Arc<str> {
        self.kind_names.get(k).cloned().unwrap_or_else(|| k.into())
    }

    pub fn new(s: &'a Settings, env: &Env) -> Context<'a> {
        let today = env.check.map(|a| match a {
            super::env::AsOf::Day(d) => d,
            super::env::AsOf::Today(clock) => clock.in_zone(s.service.timezone).today(),
        });
        Context {
            caseworkers: s
                .caseworkers
                .iter()
                .enumerate()
                .map(|(i, cw)| (cw.id.as_str(), i))
                .collect(),
            caseworker_names: s.caseworkers.iter().map(|c| c.id.clone()).collect(),
            kind_names: s
                .kinds
                .keys()
                .map(|k| (k.as_str(), k.as_str().into()))
                .collect(),
            kinds: &s.kinds,
            defaults: &s.reminders,
            calendar: &s.calendar,
            today,
            editors: s.service.editors.as_ref(),
        }
    }
}

/// Check one file's cases and bills (file `file` in `d`) against `ctx`.
pub(super) fn case_file(
    d: &mut Diagnostics,
    file: usize,
    path: &Path,
    cases: &[S<raw::RawCase>],
    bills: &[S<raw::RawBill>],
    ctx: &Context<'_>,
    years: &mut BTreeSet<i32>,
) -> (CaseFile, Refs) {
    let mut c = Checker::new(d, file, years);
    cases::file(&mut c, path, cases, bills, ctx)
}

/// [`case_file`] for a file without bills whose cases `feed` hands over
/// one at a time (see [`cases::file_streamed`]); `None` when it gives up.
pub(super) fn case_file_streamed(
    d: &mut Diagnostics,
    file: usize,
    path: &Path,
    hint: usize,
    ctx: &Context<'_>,
    years: &mut BTreeSet<i32>,
    feed: impl FnOnce(&mut dyn FnMut(S<raw::RawCase>)) -> Option<()>,
) -> Option<(CaseFile, Refs)> {
    let mut c = Checker::new(d, file, years);
    cases::file_streamed(&mut c, path, hint, ctx, feed)
}

/// `docket check` names, once, the years whose Kurban Ait is an estimate.
pub(super) fn kurban_ait_note(d: &mut Diagnostics, years: &BTreeSet<i32>, cal: &Calendar) {
    if cal.spec().holidays != HolidaySet::Kz {
        return;
    }
    let estimated: Vec<String> = years
        .iter()
        .filter(|&&y| {
            calendar::kurban_ait(y, &cal.spec().kurban_ait).0 == calendar::KurbanAit::Estimated
        })
        .map(|y| y.to_string())
        .collect();
    if let Some(first) = estimated.first() {
        d.notes.push(format!(
            "Kurban Ait in {} is an estimate (10 Dhu al-Hijjah, Umm al-Qura calendar) and may be a day off; \
             once the date is announced, set it in [calendar], e.g. kurban_ait = {{ {first} = {first}-MM-DD }}",
            estimated.join(", "),
        ));
    }
}
