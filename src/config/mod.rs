//! Loading the config: read files ([`source`]), expand includes
//! ([`includes`]), parse TOML into [`raw`] structs ([`fast`] for the common
//! shape, else [`recover`], which keeps going past bad keys), validate into
//! the [`model`] ([`validate`]), and gather every problem on the way as a
//! located [`diag::Diag`]. [`diff`] compares two loaded configs.

pub mod diag;
pub mod diff;
mod fast;
mod includes;
pub mod model;
pub mod raw;
mod recover;
mod source;
pub mod suggest;
mod validate;

use diag::Diagnostics;
use model::Config;
use std::path::{Path, PathBuf};

pub use source::MAX_FILE_BYTES;

pub use recover::MAX_PARSE_ERRORS;

/// The outcome of loading: a config when there were no errors, and every
/// diagnostic (warnings included) either way.
#[derive(Debug)]
pub struct Loaded {
    pub config: Option<Config>,
    pub diagnostics: Diagnostics,
}

impl Loaded {
    /// The config, or the diagnostics when it has errors.
    pub fn into_result(self) -> Result<(Config, Diagnostics), Diagnostics> {
        match self.config {
            Some(c) if !self.diagnostics.has_errors() => Ok((c, self.diagnostics)),
            _ => Err(self.diagnostics),
        }
    }
}

/// Load and validate the config at `path` with its includes.
pub fn load(path: &Path) -> Loaded {
    load_with_env(path, &Env::from_process())
}

/// What loading reads from the environment, made explicit for tests.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `$STATE_DIRECTORY`, set by systemd's `StateDirectory=`.
    pub state_directory: Option<PathBuf>,
    /// The effective user id, for ownership checks (None: skip them).
    pub euid: Option<u32>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            state_directory: std::env::var_os("STATE_DIRECTORY")
                // systemd may pass several, colon-separated: ours is the first.
                .and_then(|v| {
                    v.to_str()
                        .and_then(|s| s.split(':').next())
                        .map(PathBuf::from)
                })
                .filter(|p| !p.as_os_str().is_empty()),
            euid: Some(crate::sys::euid()),
        }
    }
}

pub fn load_with_env(path: &Path, env: &Env) -> Loaded {
    let mut diags = Diagnostics::default();
    let Some((file, text)) = source::read_source(path, &mut diags) else {
        return Loaded {
            config: None,
            diagnostics: diags,
        };
    };
    source::check_file_permissions(path, file, true, env, &mut diags);
    // Without a parsed main file, semantic checks would only invent errors
    // (a "missing [service]" for a file that has one): stop at its syntax.
    let config = match recover::parse_collect::<raw::RawMain>(&text, file, &mut diags) {
        Some(main) => assemble(path, file, main, env, &mut diags),
        None => None,
    };
    diags.sort();
    Loaded {
        config,
        diagnostics: diags,
    }
}

/// From the parsed main file to the config: its settings, then its own
/// cases and those of every include, then the checks across files.
fn assemble(
    path: &Path,
    file: usize,
    main: raw::RawMain,
    env: &Env,
    diags: &mut Diagnostics,
) -> Option<Config> {
    let t0 = std::time::Instant::now();
    let mut years = std::collections::BTreeSet::new();
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (settings, includes) = validate::settings(diags, file, &main, &base_dir, env, &mut years);
    let ctx = validate::Context::new(&settings);
    let mut files = Vec::new();
    let mut refs = Vec::new();
    let own = validate::case_file(
        diags,
        file,
        path,
        main.case.as_deref().unwrap_or(&[]),
        main.bill.as_deref().unwrap_or(&[]),
        &ctx,
        &mut years,
    );
    files.push(std::sync::Arc::new(own.0));
    refs.push(own.1);
    let to_parse = includes::expand(path, file, &includes, env, diags);
    // Parsing dominates loading a large config; include files are
    // independent, so parse them on every core. Each worker keeps its own
    // diagnostics, merged back in file order so output is deterministic.
    for (p, (local, raw)) in to_parse.iter().zip(includes::parse_all(&to_parse, env)) {
        let f = diags.absorb(local);
        if let Some(raw) = raw {
            let (cf, r) = validate::case_file(
                diags,
                f,
                p,
                raw.case.as_deref().unwrap_or(&[]),
                raw.bill.as_deref().unwrap_or(&[]),
                &ctx,
                &mut years,
            );
            files.push(std::sync::Arc::new(cf));
            refs.push(r);
        }
    }
    tracing::debug!(elapsed = ?t0.elapsed(), "config: files parsed and checked");
    validate::cross_file(diags, &refs);
    validate::kurban_ait_note(diags, &years, &settings.calendar);
    tracing::debug!(elapsed = ?t0.elapsed(), "config: validated");
    if diags.has_errors() {
        return None;
    }
    Some(Config::new(path.to_path_buf(), settings, files))
}
