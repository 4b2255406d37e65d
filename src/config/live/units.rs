//! Step 3 of a load: each include read and checked on its own (in
//! parallel), reusing what did not change, and the matches the includes
//! refused.

use super::super::changed::Changed;
use super::super::diag::Diagnostics;
use super::super::files::CaseFiles;
use super::super::includes::Refused;
use super::super::store::content_hash;
use super::super::unit::{check_include, par_map, read_include, Problems};
use super::super::validate::Context;
use super::{Live, Meta, Options, Unit};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Live {
    /// Step 3: each include read and checked on its own, in parallel, with
    /// its last good copy when the disk version is not that one. A file
    /// that `changed` does not name, or whose metadata did not change since
    /// `prev` (loaded with the same settings), is reused as it was: that is what makes a one-file edit
    /// cheap in a config of 100,000 cases.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn read_units(
        source: &dyn CaseFiles,
        files: &[PathBuf],
        prev: Option<&Live>,
        changed: &Changed,
        reread: bool,
        root: &Path,
        ctx: &Context<'_>,
        opts: Options<'_>,
    ) -> Vec<Unit> {
        let env = opts.env;
        let prev_units: HashMap<&Path, &Unit> = prev
            .map(|p| p.units.iter().map(|u| (u.path.as_path(), u)).collect())
            .unwrap_or_default();
        let work: Vec<(PathBuf, Option<Meta>, Option<&Unit>, bool)> = files
            .iter()
            .map(|p| {
                let old = prev_units.get(p.as_path()).copied().filter(|u| !u.refused);
                // A file the events do not name is reused without a look.
                if let Some(u) = old.filter(|u| u.meta.is_some() && !changed.covers(p) && !reread) {
                    return (p.clone(), u.meta, Some(u), false);
                }
                let meta = source.meta(p);
                if reread {
                    // Looked at below, by its bytes and mode.
                    return (p.clone(), meta, old.filter(|u| u.disk_hash.is_some()), true);
                }
                let old = old.filter(|u| u.meta.is_some() && u.meta == meta);
                (p.clone(), meta, old, false)
            })
            .collect();
        par_map(&work, |(p, meta, old, verify)| -> Unit {
            let rel = source.rel(root, p);
            if let (Some(u), false) = (old, verify) {
                return (*u).clone();
            }
            let (disk, disk_hash) = match old {
                Some(u) => match Self::same_bytes(source, p, u, ctx, env) {
                    Ok(()) => {
                        return Unit {
                            meta: *meta,
                            ..(*u).clone()
                        }
                    }
                    Err(text) => match text {
                        Some(text) => {
                            let hash = content_hash(text.as_bytes());
                            let on_disk = source.on_disk();
                            (check_include(p, text, ctx, env, on_disk), Some(hash))
                        }
                        None => read_include(source, p, ctx, env),
                    },
                },
                None => read_include(source, p, ctx, env),
            };
            // The good copy, when the disk version is not the good one.
            let stored_meta = opts.store.and_then(|s| s.meta(&rel));
            let good = match (&disk, opts.store) {
                (Ok(c), _) if stored_meta.as_ref().is_some_and(|m| m.hash == c.hash) => None,
                (_, Some(s)) => s
                    .read(&rel)
                    .and_then(|t| check_include(p, t, ctx, env, false).ok()),
                _ => None,
            };
            Unit {
                rel,
                path: p.clone(),
                meta: *meta,
                disk,
                disk_hash,
                good,
                good_since: stored_meta.as_ref().map(|m| m.since.clone()),
                stored_hash: stored_meta.map(|m| m.hash),
                dir_problem: None,
                refused: false,
            }
        })
    }

    /// Step 3, for matches the includes refuse (unsafe ownership, not a
    /// regular file, …): not read, an error each, and their good copies,
    /// if any, stay in effect.
    pub(super) fn refused_units(
        source: &dyn CaseFiles,
        refused: &[Refused],
        root: &Path,
        ctx: &Context<'_>,
        opts: Options<'_>,
    ) -> Vec<Unit> {
        let env = opts.env;
        refused
            .iter()
            .map(|r| {
                let (p, why) = (&r.path, &r.why);
                let rel = source.rel(root, p);
                let mut d = Diagnostics::default();
                let f = d.add_source(p, String::new());
                d.error(f, 0..0, format!("{} is not read: {why}", p.display()));
                let good = opts
                    .store
                    .and_then(|s| s.read(&rel))
                    .and_then(|t| check_include(p, t, ctx, env, false).ok());
                Unit {
                    rel: rel.clone(),
                    path: p.clone(),
                    meta: source.meta(p),
                    disk: Err(Problems {
                        diags: Arc::new(d),
                        cases: Vec::new().into(),
                        echo: false,
                    }),
                    disk_hash: None,
                    good,
                    good_since: opts.store.and_then(|s| s.meta(&rel)).map(|m| m.since),
                    stored_hash: None,
                    dir_problem: r.dir.clone(),
                    refused: true,
                }
            })
            .collect()
    }
}
