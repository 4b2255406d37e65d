//! What a reload may keep from the load before it instead of doing
//! again: the admission when no changed file's ids changed, and (on a
//! SIGHUP) a file whose bytes and mode are what was read.

use super::super::admit::{Outcome, Which};
use super::super::diag::Diagnostics;
use super::super::env::Env;
use super::super::files::CaseFiles;
use super::super::source;
use super::super::store::content_hash;
use super::super::unit::Checked;
use super::super::validate::Context;
use super::{Live, State, Unit};
use std::collections::HashMap;
use std::path::Path;

impl Live {
    /// Step 4 without [`admit`], when its answer cannot have changed: the
    /// last admission found no conflict, the main file is the same, the
    /// files are the same ones, and every file that changed was in effect
    /// and still is good, with the same case ids, bill ids and
    /// `waiting_for` as before (a status or a date edited: nearly every
    /// edit). Admission looks only at those, so every version stays as it
    /// was. At 100,000 cases this is most of a one-file edit's time.
    pub(super) fn same_admission(&self, own: &Checked, units: &[Unit]) -> Option<Outcome> {
        if !self.admitted_clean || self.own.hash != own.hash || self.units.len() != units.len() {
            return None;
        }
        let mut chosen = Vec::with_capacity(units.len());
        for ((p, st), u) in self.units.iter().zip(&self.files).zip(units) {
            if p.path != u.path || p.refused || u.refused {
                return None;
            }
            let was = match st.state {
                State::InEffect => Some(Which::Disk),
                State::Held => Some(Which::Good),
                State::NotTracked => None,
            };
            let same = p.disk_hash == u.disk_hash
                && p.stored_hash == u.stored_hash
                && p.disk.is_ok() == u.disk.is_ok()
                && p.good.is_some() == u.good.is_some();
            if same {
                chosen.push(was);
                continue;
            }
            match (&p.disk, &u.disk, was) {
                (Ok(a), Ok(b), Some(Which::Disk)) if same_ids(a, b) => chosen.push(was),
                _ => return None,
            }
        }
        Some(Outcome {
            chosen,
            conflicts: HashMap::new(),
            main_conflicts: Vec::new(),
        })
    }

    /// A SIGHUP's look at a file read before: [`Look::Same`] when its
    /// bytes are the ones `u` holds and its owner and mode are still right
    /// (it is then not parsed again); else the text read, to be checked in
    /// full, or that it could not be read (read again, for the problem).
    pub(super) fn same_bytes(
        source: &dyn CaseFiles,
        p: &Path,
        real: &Path,
        u: &Unit,
        ctx: &Context<'_>,
        env: &Env,
    ) -> Look {
        let mut d = Diagnostics::default();
        let Some((text, stat)) = source.read_stat(p, real, &mut d) else {
            return Look::Unreadable;
        };
        if u.disk_hash.as_deref() != Some(content_hash(text.as_bytes()).as_str()) {
            return Look::Read(text, stat);
        }
        if source.on_disk() {
            let f = d.add_source(p, String::new());
            source::check_file_permissions(p, stat.as_ref(), f, true, env, ctx.editors, &mut d);
            if !d.items.is_empty() {
                return Look::Read(text, stat);
            }
        }
        Look::Same
    }
}

/// What [`Live::same_bytes`] found.
pub(super) enum Look {
    /// The bytes held before, and their owner and mode still right.
    Same,
    /// Other bytes (or a wrong owner or mode): the text read, with the
    /// metadata of the file read when it is on disk.
    Read(String, Option<std::fs::Metadata>),
    /// The file could not be read.
    Unreadable,
}

/// Do two versions of a file hold the same ids, in the same order: what
/// [`admit`] judges (case ids, bill ids, `waiting_for`)?
fn same_ids(a: &Checked, b: &Checked) -> bool {
    a.file.cases.len() == b.file.cases.len()
        && a.file
            .cases
            .iter()
            .zip(&b.file.cases)
            .all(|(x, y)| x.id == y.id)
        && a.refs.bills.len() == b.refs.bills.len()
        && a.refs
            .bills
            .iter()
            .zip(&b.refs.bills)
            .all(|(x, y)| x.0 == y.0)
        && a.refs.waiting_for.len() == b.refs.waiting_for.len()
        && a.refs
            .waiting_for
            .iter()
            .zip(&b.refs.waiting_for)
            .all(|(x, y)| x.0 == y.0)
}

#[cfg(test)]
mod tests {
    use super::super::*;

    /// A reload that reuses the last admission (ids unchanged) and one
    /// that must not (an id now in two files) agree with a fresh load.
    #[test]
    fn a_reload_reuses_admission_only_while_the_ids_stay() {
        use std::os::unix::fs::PermissionsExt;
        let d = TestDir::new();
        let w = |rel: &str, text: &str| d.write(rel, text);
        let case = TestDir::case;
        w("cases.d/a.toml", &case("KZ-1", "active"));
        w("cases.d/b.toml", &case("KZ-2", "active"));
        let env = Env::from_process();
        let opts = Options {
            env: &env,
            store: None,
            tree: None,
            keep_texts: true,
        };
        let main = d.main();
        let states = |l: &Live| l.files.iter().map(|f| f.state).collect::<Vec<_>>();
        let live = Live::load(&main, opts)
            .map_err(|f| f.diagnostics.render_all(crate::privacy::Quoting::Full))
            .unwrap();
        assert_eq!(states(&live), [State::InEffect, State::InEffect]);
        assert!(live.admitted_clean);
        // A status edited: the ids stay, admission is reused.
        w("cases.d/b.toml", &case("KZ-2", "renewal_filed"));
        let live = live.reload(opts, &Changed::Anything).unwrap();
        assert_eq!(states(&live), [State::InEffect, State::InEffect]);
        assert!(live.admitted_clean);
        assert_eq!(live.config.case_count(), 2);
        // The id of a.toml typed into b.toml: b's change is the one left out.
        w("cases.d/b.toml", &case("kz-1", "active"));
        let live = live.reload(opts, &Changed::Anything).unwrap();
        let fresh = Live::load(&main, opts).unwrap();
        assert_eq!(states(&fresh), states(&live));
        assert!(
            states(&live).contains(&State::NotTracked),
            "{:?}",
            states(&live)
        );
        assert!(!live.admitted_clean);
        // While a conflict stands, admission runs again: a's status edited.
        w("cases.d/a.toml", &case("KZ-1", "renewal_filed"));
        let live = live.reload(opts, &Changed::Anything).unwrap();
        assert!(
            states(&live).contains(&State::NotTracked),
            "{:?}",
            states(&live)
        );
        assert!(!live.admitted_clean);
        // Fixed: both in effect again.
        w("cases.d/b.toml", &case("KZ-2", "active"));
        let live = live.reload(opts, &Changed::Anything).unwrap();
        assert_eq!(states(&live), [State::InEffect, State::InEffect]);
        assert!(live.admitted_clean);
        // A SIGHUP reads every file again: the same answer as a fresh load,
        // and a file others may now write is refused though its bytes and
        // its metadata's times are what was read.
        let again = live.reread(opts).unwrap();
        assert_eq!(states(&again), states(&live));
        assert_eq!(again.config.case_count(), 2);
        let b = d.0.path().join("cases.d/b.toml");
        std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o666)).unwrap();
        let again = again.reread(opts).unwrap();
        let fresh = Live::load(&main, opts).unwrap();
        assert_eq!(states(&again), states(&fresh));
        assert_eq!(states(&again), [State::InEffect, State::NotTracked]);
    }
}
