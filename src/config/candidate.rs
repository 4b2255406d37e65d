//! Case files checked before they exist (`docket import`): each text as
//! `docket check` will judge it once it is on disk, against the main
//! file's settings, so what an import writes passes `check` by
//! construction rather than by hope.

use super::diag::Diagnostics;
use super::env::Env;
use super::model::{Config, Settings};
use super::validate::Context;
use std::path::PathBuf;

/// An id as docket compares ids across files: letter case and look-alike
/// letters folded (`kz-0042`, a Cyrillic `КZ-0042` and `KZ-0042` are one).
pub fn id_key(id: &str) -> String {
    super::admit::fold(id).into_owned()
}

/// Check each (path, text) as a case file of `cfg`: its diagnostics
/// (errors, and warnings when `env.check` is set), empty when it has none.
/// File permissions are not judged: the files do not exist yet.
pub fn check_texts(cfg: &Config, env: &Env, files: &[(PathBuf, String)]) -> Vec<Diagnostics> {
    let settings = Settings {
        service: cfg.service.clone(),
        mail: cfg.mail.clone(),
        privacy: cfg.privacy,
        calendar: cfg.calendar.clone(),
        reminders: cfg.reminders.clone(),
        kinds: cfg.kinds.clone(),
        caseworkers: cfg.caseworkers.clone(),
    };
    let ctx = Context::new(&settings, env);
    files
        .iter()
        .map(|(path, text)| {
            match super::unit::check_include(path, text.clone(), &ctx, env, false) {
                Ok(c) => c.warnings.map(|w| (*w).clone()).unwrap_or_default(),
                Err(p) => (*p.diags).clone(),
            }
        })
        .collect()
}
