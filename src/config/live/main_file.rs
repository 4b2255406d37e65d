//! Step 1 of a load: the main file as on disk when it is good, else its
//! last good copy, held.

use super::super::diag::Diagnostics;
use super::super::source;
use super::super::store::{content_hash, Store};
use super::super::unit::{read_main, salvage_state_dir, MainRead};
use super::{Fatal, FileStatus, Live, Meta, Options, State};
use std::path::Path;
use std::sync::Arc;

/// The main file, as step 1 of [`Live::build`] found it.
pub(super) struct Main {
    pub(super) read: MainRead,
    pub(super) status: FileStatus,
    pub(super) meta: Option<Meta>,
}

impl Live {
    /// Step 1: the main file as on disk when it is good, else its last
    /// good copy (from the store, or from the store in its own `state_dir`
    /// as far as its broken text tells it), held. Without either, loading
    /// fails: there are no settings to go on.
    pub(super) fn main_file(
        path: &Path,
        opts: Options<'_>,
        all: &mut Diagnostics,
    ) -> Result<Main, Fatal> {
        let env = opts.env;
        let main_meta = Meta::of(path);
        let mut main_d = Diagnostics::default();
        let disk_text = source::read_text(path, &mut main_d);
        let disk_hash = disk_text.as_deref().map(|t| content_hash(t.as_bytes()));
        let main_rel = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "docket.toml".into());
        // Where a broken main file would keep its state: its own
        // `state_dir`, read as well as its text allows (a parse of its
        // own, so only when the file is broken).
        let mut salvaged_dir = None;
        let (read, main_state, main_problems) = match disk_text {
            Some(text) => match read_main(path, text, false, env) {
                Ok(m) => {
                    all.absorb(m.diags.clone());
                    (Some(m), State::InEffect, None)
                }
                Err(d) => {
                    salvaged_dir = d
                        .sources
                        .iter()
                        .find(|s| s.path == path)
                        .and_then(|s| salvage_state_dir(&s.text))
                        .map(|dir| path.parent().unwrap_or(Path::new(".")).join(dir));
                    let problems = Arc::new(d.clone());
                    all.absorb(d);
                    (None, State::Held, Some(problems))
                }
            },
            None => {
                let problems = Arc::new(main_d.clone());
                all.absorb(main_d);
                (None, State::Held, Some(problems))
            }
        };
        let (main, main_state, main_since) = match read {
            Some(m) => (m, main_state, None),
            None => {
                let own = salvaged_dir.map(|d| Store::new(&d, path));
                let stored = opts
                    .store
                    .into_iter()
                    .chain(own.as_ref())
                    .find_map(|s| Some((s.read(&main_rel)?, s.meta(&main_rel))));
                match stored
                    .and_then(|(t, meta)| read_main(path, t, true, env).ok().map(|m| (m, meta)))
                {
                    Some((m, meta)) => (m, State::Held, meta.map(|x| x.since)),
                    None => {
                        return Err(Fatal {
                            diagnostics: std::mem::take(all),
                        })
                    }
                }
            }
        };
        Ok(Main {
            status: FileStatus {
                rel: main_rel,
                path: path.to_path_buf(),
                state: main_state,
                since: main_since,
                problems: main_problems,
                cases: main.own.cases.clone(),
                disk_hash,
                left_out_at: None,
                salvaged: None,
                dir_problem: None,
            },
            read: main,
            meta: main_meta,
        })
    }
}
