//! One file, read and checked on its own: the main file ([`read_main`]) or
//! an include ([`check_include`]), into a [`Checked`] version or the
//! [`Problems`] that keep it out; and what can be read of a file that does
//! not parse (its case ids, its `state_dir`), so the right people are told.

use super::diag::Diagnostics;
use super::env::Env;
use super::live::Meta;
use super::model::{CaseFile, Settings};
use super::raw;
use super::source;
use super::store::content_hash;
use super::validate::{self, Context, Refs};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

/// Case ids and their caseworkers' ids: for a checked file read from its
/// cases when asked (a list of its own cost ~9 MB at 100,000 cases), for a
/// broken one what could be salvaged from its text.
#[derive(Debug, Clone)]
pub enum Cases {
    /// A checked file's cases; caseworker indices into the ids.
    Of(Arc<CaseFile>, Arc<[String]>),
    Listed(Arc<[(String, String)]>),
}

impl Default for Cases {
    fn default() -> Cases {
        Cases::Listed(Arc::from([]))
    }
}

impl From<Vec<(String, String)>> for Cases {
    fn from(v: Vec<(String, String)>) -> Cases {
        Cases::Listed(v.into())
    }
}

impl Cases {
    pub fn len(&self) -> usize {
        match self {
            Cases::Of(f, _) => f.cases.len(),
            Cases::Listed(l) => l.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// (case id, caseworker id) in the file's order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&str, &str)> + '_> {
        match self {
            Cases::Of(f, ids) => Box::new(
                f.cases
                    .iter()
                    .map(move |k| (&*k.id, ids.get(k.caseworker).map_or("", String::as_str))),
            ),
            Cases::Listed(l) => Box::new(l.iter().map(|(c, w)| (c.as_str(), w.as_str()))),
        }
    }

    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(c, w)| (c.to_string(), w.to_string()))
            .collect()
    }
}

/// A checked version of one file.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub hash: String,
    pub file: Arc<CaseFile>,
    pub refs: Arc<Refs>,
    pub years: Arc<BTreeSet<i32>>,
    pub cases: Cases,
    /// The text, kept until it is written to the store.
    pub text: Option<Arc<String>>,
    /// Its warnings, for `check` (None when there are none).
    pub warnings: Option<Arc<Diagnostics>>,
}

/// A version that is not good: its diagnostics, and what could be read of
/// its cases.
#[derive(Debug, Clone)]
pub(super) struct Problems {
    pub(super) diags: Arc<Diagnostics>,
    pub(super) cases: Cases,
    /// Part of `check`'s output (false when already reported elsewhere,
    /// at the include pattern).
    pub(super) echo: bool,
}

/// The main file, read and checked.
pub(super) struct MainRead {
    pub(super) settings: Settings,
    pub(super) includes: Vec<(String, std::ops::Range<usize>)>,
    pub(super) own: Checked,
    pub(super) diags: Diagnostics,
}

/// The main file at `path`, read from `text` and checked. Its problems
/// keep the whole text as their first source, at `path`: a broken main
/// file's `state_dir` is salvaged from there (`Live::main_file`).
pub(super) fn read_main(
    path: &Path,
    text: String,
    from_store: bool,
    env: &Env,
) -> Result<MainRead, Diagnostics> {
    let mut d = Diagnostics::default();
    let file = d.add_source(path, text.clone());
    if !from_store {
        source::check_file_permissions(path, None, file, true, env, None, &mut d);
    }
    let Some(raw) = super::recover::parse_collect::<raw::RawMain>(&text, file, &mut d) else {
        return Err(d);
    };
    let parse_problems = d.items.len();
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut years = BTreeSet::new();
    let (settings, includes) = validate::settings(&mut d, file, &raw, &base_dir, env, &mut years);
    let ctx = Context::new(&settings, env);
    let (own, refs) = validate::case_file(
        &mut d,
        file,
        path,
        raw.case.as_deref().unwrap_or(&[]),
        raw.bill.as_deref().unwrap_or(&[]),
        &ctx,
        &mut years,
    );
    d.drop_knock_on(file, parse_problems);
    if d.has_errors() {
        return Err(d);
    }
    let hash = content_hash(text.as_bytes());
    let names = Arc::clone(&ctx.caseworker_names);
    drop(ctx);
    let own = Arc::new(own);
    let cases = Cases::Of(Arc::clone(&own), names);
    Ok(MainRead {
        settings,
        includes,
        own: Checked {
            hash,
            cases,
            file: own,
            refs: Arc::new(refs),
            years: Arc::new(years),
            text: Some(Arc::new(text)),
            warnings: None,
        },
        diags: d,
    })
}

/// Parse and check one include's text against `ctx`, in diagnostics of its
/// own. `check_perms`: the file on disk (a stored copy is docket's own).
pub(super) fn check_include(
    path: &Path,
    text: String,
    ctx: &Context<'_>,
    env: &Env,
    check_perms: bool,
) -> Result<Checked, Problems> {
    let hash = content_hash(text.as_bytes());
    let perms = check_perms.then_some(Perms::Look);
    check_hashed(path, text, hash, ctx, env, perms)
}

/// Whether and how [`check_hashed`] checks a file's owner and mode: a file
/// on disk is checked (a stored copy is docket's own, a git blob has
/// none); by the metadata its reader took, else by looking at the path.
#[derive(Clone, Copy)]
pub(super) enum Perms<'m> {
    Look,
    Of(&'m std::fs::Metadata),
}

impl<'m> Perms<'m> {
    /// For a text `files` read, with the metadata its reader took, if any.
    pub(super) fn of_read(
        files: &dyn super::files::CaseFiles,
        stat: Option<&'m std::fs::Metadata>,
    ) -> Option<Perms<'m>> {
        match stat {
            _ if !files.on_disk() => None,
            Some(m) => Some(Perms::Of(m)),
            None => Some(Perms::Look),
        }
    }
}

/// [`check_include`] of a text whose [`content_hash`] the caller already
/// made (to name the version on disk): every file of a load was hashed
/// twice, ~0.7 ms of 19 MB at 100,000 cases.
pub(super) fn check_hashed(
    path: &Path,
    text: String,
    hash: String,
    ctx: &Context<'_>,
    env: &Env,
    perms: Option<Perms<'_>>,
) -> Result<Checked, Problems> {
    let mut d = Diagnostics::default();
    // The source's text is filled in only if there is something to show:
    // a copy of every file would cost 19 MB at 100,000 cases.
    let file = d.add_source(path, String::new());
    if let Some(p) = perms {
        let stat = match p {
            Perms::Look => None,
            Perms::Of(m) => Some(m),
        };
        source::check_file_permissions(path, stat, file, true, env, ctx.editors, &mut d);
    }
    let mut years = BTreeSet::new();
    // The common shape: each case checked as soon as the fast parser has
    // read it, so the raw cases (a String per value) are never all held at
    // once beside the text and the model (~50 MB at 100,000 cases).
    let before = (d.items.len(), d.notes.len());
    let pieces = threads_for(text.len() as u64, PIECE_BYTES);
    let streamed = streamed(&mut d, file, path, &text, ctx, &mut years, pieces);
    let (checked, parse_problems) = match streamed {
        Some(checked) => (Some(checked), before.0),
        None => {
            // Not the common shape: forget what the cases read so far said,
            // and read the file with the full parser.
            d.items.truncate(before.0);
            d.notes.truncate(before.1);
            years.clear();
            let parsed = super::recover::parse_collect::<raw::RawInclude>(&text, file, &mut d);
            let parse_problems = d.items.len();
            let checked = parsed.map(|raw| {
                validate::case_file(
                    &mut d,
                    file,
                    path,
                    raw.case.as_deref().unwrap_or(&[]),
                    raw.bill.as_deref().unwrap_or(&[]),
                    ctx,
                    &mut years,
                )
            });
            (checked, parse_problems)
        }
    };
    if !d.items.is_empty() {
        d.sources[file].text = text.clone();
    }
    d.drop_knock_on(file, parse_problems);
    match checked {
        Some((cf, refs)) if !d.has_errors() => {
            let cf = Arc::new(cf);
            Ok(Checked {
                hash,
                cases: Cases::Of(Arc::clone(&cf), Arc::clone(&ctx.caseworker_names)),
                file: cf,
                refs: Arc::new(refs),
                years: Arc::new(years),
                text: Some(Arc::new(text)),
                // Kept only for `check`: a daemon with 100,000 files, each with
                // a warning, would otherwise hold every text twice.
                warnings: (env.check.is_some() && !d.items.is_empty()).then(|| Arc::new(d)),
            })
        }
        _ => {
            // In file order, each problem once, as `check` shows them: the
            // recovering parser and the typed read can both name one bad
            // date, and a notice listed it twice.
            d.sort();
            Err(Problems {
                cases: salvage_cases(&text).into(),
                diags: Arc::new(d),
                echo: true,
            })
        }
    }
}

/// A piece of a case file worth a thread of its own: ~10,000 cases.
const PIECE_BYTES: usize = 2 << 20;

/// The fast path over an include's text ([`validate::case_file_streamed`]
/// over [`super::fast::parse_cases`]), in at most `pieces` pieces on
/// their own threads (more than one for a large file: [`PIECE_BYTES`]):
/// each piece is parsed and checked with diagnostics and years of its
/// own, then the pieces' cases, references, problems and years are joined
/// in file order, which is what one pass over the whole text gives (each
/// case is checked on its own; ids are compared across the files later,
/// at admission). Why: a config kept in one file of 100,000 cases was
/// read on one core while the other idled.
fn streamed(
    d: &mut Diagnostics,
    file: usize,
    path: &Path,
    text: &str,
    ctx: &Context<'_>,
    years: &mut BTreeSet<i32>,
    pieces: usize,
) -> Option<(CaseFile, Refs)> {
    use super::fast;
    let ranges = fast::split(text, pieces);
    if ranges.len() <= 1 {
        return validate::case_file_streamed(
            d,
            file,
            path,
            fast::count_cases(text),
            ctx,
            years,
            |each| fast::parse_cases(text, each),
        );
    }
    let piece = |r: &std::ops::Range<usize>| {
        let mut d = Diagnostics::default();
        let f = d.add_source(path, String::new());
        let mut years = BTreeSet::new();
        // The first piece's lists take the others' in: room for all.
        let counted = if r.start == 0 { text } else { &text[r.clone()] };
        let hint = fast::count_cases(counted);
        let out = validate::case_file_streamed(&mut d, f, path, hint, ctx, &mut years, |each| {
            fast::parse_cases_in(text, r.clone(), each)
        });
        (out, d, years)
    };
    let parts = std::thread::scope(|s| {
        let rest: Vec<_> = ranges[1..]
            .iter()
            .map(|r| s.spawn(move || piece(r)))
            .collect();
        let mut parts = vec![piece(&ranges[0])];
        parts.extend(
            rest.into_iter()
                .map(|h| h.join().expect("a config worker panicked")),
        );
        parts
    });
    let mut joined: Option<(CaseFile, Refs)> = None;
    for (out, local, y) in parts {
        let (cf, r) = out?;
        d.items.extend(local.items.into_iter().map(|mut i| {
            i.file = file;
            i
        }));
        d.notes.extend(local.notes);
        years.extend(y);
        match &mut joined {
            None => joined = Some((cf, r)),
            Some((all, refs)) => {
                all.cases.extend(cf.cases);
                refs.case_spans.extend(r.case_spans);
                refs.case_keys.extend(r.case_keys);
                refs.waiting_for.extend(r.waiting_for);
            }
        }
    }
    joined
}

/// Read an include from disk and check it. A file that cannot be read is a
/// problem of its own (no text, no cases). Also what tells whether the
/// file changed, when the file read tells it (see
/// [`super::files::CaseFiles::read_stat`]).
pub(super) fn read_include(
    files: &dyn super::files::CaseFiles,
    path: &Path,
    real: &Path,
    ctx: &Context<'_>,
    env: &Env,
) -> (Result<Checked, Problems>, Option<String>, Option<Meta>) {
    let mut d = Diagnostics::default();
    match files.read_stat(path, real, &mut d) {
        Some((text, stat)) => {
            let hash = content_hash(text.as_bytes());
            let perms = Perms::of_read(files, stat.as_ref());
            let checked = check_hashed(path, text, hash.clone(), ctx, env, perms);
            (checked, Some(hash), stat.as_ref().map(Meta::of_stat))
        }
        None => (
            Err(Problems {
                diags: Arc::new(d),
                cases: Cases::default(),
                echo: true,
            }),
            None,
            None,
        ),
    }
}

/// The case ids and caseworkers a broken file names (see
/// [`super::salvage`]): enough to tell those caseworkers that their file
/// is not read.
pub fn salvage_cases(text: &str) -> Vec<(String, String)> {
    super::salvage::cases(text)
        .into_iter()
        .map(|c| (c.id, c.caseworker))
        .collect()
}

/// `[service] state_dir` from a main file that may not validate: as TOML
/// if it parses, else from the line.
pub(super) fn salvage_state_dir(text: &str) -> Option<String> {
    if let Ok(t) = toml::from_str::<toml::Table>(text) {
        return t
            .get("service")?
            .get("state_dir")?
            .as_str()
            .map(str::to_string);
    }
    let mut in_service = false;
    for l in text.lines() {
        let l = l.trim();
        if l.starts_with('[') {
            in_service = l == "[service]";
        } else if in_service {
            if let Some(rest) = l.strip_prefix("state_dir") {
                let v = rest
                    .trim_start()
                    .strip_prefix('=')?
                    .trim()
                    .strip_prefix('"')?;
                return Some(v[..v.find('"')?].to_string());
            }
        }
    }
    None
}

/// The relative path of `path` under `root`, for messages and the store.
pub(super) fn rel_of(root: &Path, path: &Path) -> String {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    real.strip_prefix(root)
        .or_else(|_| path.strip_prefix(root))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string_lossy().into_owned())
}

/// How many cores docket may use, asked once: the standard library reads
/// the cgroup's CPU quota from /proc and /sys at each call (seven system
/// calls), which at a file each was 7,000 calls for 1,000 files.
pub(super) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// How many threads `bytes` of work are worth at `per_thread` bytes a
/// thread: at most a core each, at least one.
pub(super) fn threads_for(bytes: u64, per_thread: usize) -> usize {
    let pieces = usize::try_from(bytes / per_thread as u64).unwrap_or(usize::MAX);
    cores().min(pieces).max(1)
}

/// Case files read on threads of their own ([`par_map`] in a load) once
/// there is this much to read a thread. Measured on the 2-core VM of
/// BENCHMARKS.md, a cold `upcoming` over 10 equal files, one thread
/// against two: at 1,000 cases (190 KB) 0.95 of the time, at 3,000
/// (560 KB) 0.99, at 10,000 (1.9 MB) 1.13. A second thread (its start,
/// the pages its heap takes) pays off from about 512 KiB to read.
pub(super) const FILE_BYTES_PER_THREAD: usize = 256 << 10;

/// Run `f` over `items` on up to `threads` threads, results in order.
pub(super) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a config worker panicked"))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On threads or not, `par_map` gives every item's result in the
    /// items' order (a load's small files now go on one thread, so the
    /// threaded way is tested here); a thread takes at least its share
    /// of bytes, and never more threads than cores.
    #[test]
    fn par_map_keeps_the_order_on_any_number_of_threads() {
        let items: Vec<u32> = (0..1000).collect();
        let want: Vec<u64> = items.iter().map(|&i| u64::from(i) * 3).collect();
        for threads in [1, 2, 3, 64] {
            let got = par_map(&items, threads, |&i| u64::from(i) * 3);
            assert_eq!(got, want, "{threads} threads");
        }
        assert!(par_map(&[] as &[u32], 2, |&i| i).is_empty());
        let per = FILE_BYTES_PER_THREAD;
        assert_eq!(threads_for(0, per), 1);
        assert_eq!(threads_for(per as u64 * 2 - 1, per), 1);
        assert_eq!(threads_for(per as u64 * 2, per), 2.min(cores()));
        assert_eq!(threads_for(u64::MAX, per), cores());
    }

    /// A file checked in pieces gives what it gives checked whole: the
    /// same cases, references, years and problems (located in the file),
    /// with problems and references in several pieces.
    #[test]
    fn pieces_check_as_the_whole_file_does() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let main = root.join("docket.toml");
        let env = Env::default();
        let text = std::fs::read_to_string(&main).unwrap();
        let read = read_main(&main, text, true, &env).unwrap_or_else(|d| panic!("{d}"));
        let ctx = Context::new(&read.settings, &env);
        let mut text = String::new();
        for i in 0..60 {
            // Every seventh case has an unknown kind (an error), every
            // fifth a Cyrillic letter in its id (a warning); each waits
            // for the bill, and the dates fall in several years.
            let kind = if i % 7 == 3 {
                "no_such_kind"
            } else {
                "refugee_certificate"
            };
            let id = if i % 5 == 1 {
                format!("KZ-{i}А")
            } else {
                format!("KZ-{i}")
            };
            text.push_str(&format!(
                "[[case]]\nid = \"{id}\"\ncaseworker = \"aigerim\"\n\n  [[case.document]]\n  \
                 kind = \"{kind}\"\n  issued = {}-03-01\n\n  [[case.request]]\n  \
                 kind = \"travel_document\"\n  filed = 2026-11-02\n  \
                 waiting_for = \"migration-law\"\n\n",
                2020 + i % 9
            ));
        }
        let path = root.join("cases.d/pieces.toml");
        let run = |pieces: usize| {
            let mut d = Diagnostics::default();
            let file = d.add_source(&path, String::new());
            let mut years = BTreeSet::new();
            let (cf, refs) =
                streamed(&mut d, file, &path, &text, &ctx, &mut years, pieces).unwrap();
            (
                format!("{cf:?}"),
                format!("{refs:?}"),
                format!("{:?}", d.items),
                years,
            )
        };
        let whole = run(1);
        assert!(whole.2.contains("no_such_kind") && whole.2.contains("Warning"));
        assert_eq!(whole.3.len(), 9, "{:?}", whole.3);
        for pieces in 2..=5 {
            assert_eq!(super::super::fast::split(&text, pieces).len(), pieces);
            assert_eq!(run(pieces), whole, "in {pieces} pieces");
        }
    }
}
