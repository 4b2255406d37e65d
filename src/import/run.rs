//! `docket import`: read the sheet, judge every row, check the files it
//! would write as `docket check` will, and write them all or none.

use super::base::{shown, ImportError, Pos, Problem, Sheet};
use super::cases::Case;
use super::columns::{self, Map};
use super::render::{self, Rendered};
use super::write::{self, Perms};
use crate::clock::Clock;
use crate::config::candidate;
use crate::config::live::Live;
use crate::config::model::{Config, Language};
use crate::config::{AsOf, Env};
use crate::failure::Failure;
use crate::privacy::{self, Quoting};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What `docket import` was asked.
pub struct Args {
    pub config: PathBuf,
    pub file: PathBuf,
    pub into: Option<PathBuf>,
    pub map: Option<PathBuf>,
    pub sheet: Option<String>,
    pub dry_run: bool,
    pub clock: Clock,
    pub show_values: bool,
}

/// The config the files are checked against, and every case id it holds
/// (folded, as docket compares them) with the file that holds it.
struct Known {
    cfg: std::sync::Arc<Config>,
    ids: HashMap<String, PathBuf>,
}

/// One case's file, ready to write.
struct Planned {
    case: usize,
    path: PathBuf,
    rendered: Rendered,
}

/// Run `docket import`.
pub fn import(args: &Args) -> Result<(), Failure> {
    let mut env = Env::from_process();
    env.check = Some(AsOf::Today(args.clock));
    let known = load(&args.config, &env, args.show_values)?;
    let map = match &args.map {
        Some(p) => read_map(p)?,
        None => Map::default(),
    };
    let sheet = read_sheet(&args.file, args.sheet.as_deref())?;
    // A file name can hold a line break: escaped, it cannot forge a line.
    let name = crate::logging::escape(&args.file.display().to_string()).into_owned();
    let mut problems = Vec::new();
    let cases = match sheet.rows.first() {
        Some(header) => {
            let cols = columns::header(header, &map, &mut problems);
            super::cases::cases(&sheet, &cols, &mut problems)
        }
        None => {
            problems.push(Problem::error(
                Pos { row: 1, col: 0 },
                "the sheet is empty",
                "the first row names the columns (case, caseworker, item, kind, issued, …), one row per document, request or event below it",
            ));
            Vec::new()
        }
    };
    if cases.is_empty() && problems.is_empty() {
        problems.push(Problem::error(
            Pos {
                row: sheet.rows.first().map_or(1, |r| r.number + 1),
                col: 0,
            },
            "the sheet has no rows below its header",
            "is it the right sheet? --sheet NAME reads another sheet of a workbook",
        ));
    }
    let dir = target_dir(args, &known.cfg)?;
    let source = args.file.file_name().map_or_else(
        || name.clone(),
        |n| crate::logging::escape(&n.to_string_lossy()).into_owned(),
    );
    let planned = plan(&cases, &known, &dir, &source, &mut problems);
    check(
        &cases,
        &planned,
        &known.cfg,
        &env,
        args.show_values,
        &mut problems,
    );
    problems.sort();
    problems.dedup();
    let errors = problems.iter().filter(|p| !p.warning).count();
    // At most as many as `check` shows: the first screens are what help.
    for p in problems.iter().take(crate::config::diag::MAX_SHOWN) {
        eprint!("{}", p.render(&name));
    }
    if problems.len() > crate::config::diag::MAX_SHOWN {
        eprintln!(
            "... and {} more problem(s) not shown; fix the ones above first",
            problems.len() - crate::config::diag::MAX_SHOWN
        );
    }
    if errors > 0 {
        return Err(Failure::Config(format!(
            "{name}: {errors} error(s); nothing was written"
        )));
    }
    if let Some(p) = planned.first().filter(|p| !included(&known.cfg, &p.path)) {
        eprintln!(
            "docket: note: no include pattern of {} matches {}: docket will not read these files where they are",
            known.cfg.path.display(),
            p.path.display()
        );
    }
    if args.dry_run {
        return print_files(&planned);
    }
    write_files(&dir, &planned, &known.cfg)?;
    println!(
        "docket: {} case file(s) written into {}; run `docket check` to see them as docket does",
        planned.len(),
        dir.display()
    );
    Ok(())
}

/// The config in effect (a broken case file does not stop an import: its
/// ids are still known, from what could be read of it).
fn load(path: &Path, env: &Env, show: bool) -> Result<Known, Failure> {
    let live = match Live::load_in_effect(path, env, false) {
        Ok(l) => l,
        Err(fatal) => {
            let d = fatal.diagnostics;
            let q = Quoting::for_stderr(show);
            for e in d.errors().take(crate::config::diag::MAX_SHOWN) {
                eprint!("{}", d.render(e, q));
            }
            return Err(Failure::Config(format!(
                "{}: the main config has errors; fix them before an import (docket check)",
                path.display()
            )));
        }
    };
    let cfg = std::sync::Arc::clone(&live.config);
    let mut ids = HashMap::new();
    for (r, c) in cfg.cases() {
        ids.insert(candidate::id_key(&c.id), cfg.case_path(r).to_path_buf());
    }
    for f in live.left_out() {
        for (id, _) in f.cases.iter() {
            ids.entry(candidate::id_key(id))
                .or_insert_with(|| f.path.clone());
        }
    }
    Ok(Known { cfg, ids })
}

fn read_map(path: &Path) -> Result<Map, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read the map {}: {e}", path.display())))?;
    Map::parse(path, &text).map_err(|problems| {
        for p in &problems {
            eprint!("{p}");
        }
        Failure::Config(format!(
            "{}: {} error(s) in the map; nothing was written",
            path.display(),
            problems.len()
        ))
    })
}

/// The sheet, by the file's extension.
fn read_sheet(path: &Path, sheet: Option<&str>) -> Result<Sheet, Failure> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let r = match ext.as_str() {
        "csv" | "tsv" | "txt" => std::fs::read(path)
            .map_err(|source| ImportError::Read {
                path: path.to_path_buf(),
                source,
            })
            .map(|b| super::csvfile::read(&super::csvfile::decode(&b).0)),
        "xlsx" | "xlsm" | "xls" | "ods" => super::book::read(path, sheet),
        _ => Err(ImportError::UnknownType {
            path: path.to_path_buf(),
        }),
    };
    r.map_err(|e| match e {
        ImportError::Read { .. }
        | ImportError::UnknownType { .. }
        | ImportError::NoSheet { .. } => Failure::Usage(e.to_string()),
        _ => Failure::Config(format!("docket: {e}")),
    })
}

/// `--into`, else the directory of the first include pattern.
fn target_dir(args: &Args, cfg: &Config) -> Result<PathBuf, Failure> {
    if let Some(d) = &args.into {
        return Ok(d.clone());
    }
    let base = cfg.path.parent().unwrap_or(Path::new("."));
    let Some(first) = cfg.service.include.first() else {
        return Err(Failure::Usage(format!(
            "{} has no [service] include: say where the case files go with --into DIR",
            cfg.path.display()
        )));
    };
    let dir = base.join(first);
    let dir = dir.parent().unwrap_or(base).to_path_buf();
    if dir.to_string_lossy().contains(['*', '?', '[']) {
        return Err(Failure::Usage(format!(
            "the first include pattern ({first}) has no single directory: say which with --into DIR"
        )));
    }
    Ok(dir)
}

/// Does an include pattern of `cfg` match `path`?
fn included(cfg: &Config, path: &Path) -> bool {
    let base = cfg.path.parent().unwrap_or(Path::new("."));
    cfg.service.include.iter().any(|pat| {
        glob::Pattern::new(&base.join(pat).to_string_lossy()).is_ok_and(|g| g.matches_path(path))
    })
}

/// Each case whose rows are good, rendered; a case already in the config
/// or whose file exists is an error at its first row.
fn plan(
    cases: &[Case],
    known: &Known,
    dir: &Path,
    source: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Planned> {
    let bad: HashSet<u32> = problems.iter().map(|p| p.at.row).collect();
    let mut out = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let name = format!(
            "{}.toml",
            crate::config::validate::ids::file_stem(&c.id).to_lowercase()
        );
        let path = dir.join(&name);
        if std::fs::symlink_metadata(&path).is_ok() {
            problems.push(Problem::error(
                c.at,
                format!(
                    "the file {} already exists; docket import never overwrites a case file",
                    shown(&known.cfg.shown_path(&path))
                ),
                format!(
                    "add the rows of case {} to that file by hand, or move the file away and import again",
                    shown(&c.id)
                ),
            ));
            continue;
        }
        if let Some(there) = known.ids.get(&candidate::id_key(&c.id)) {
            problems.push(Problem::error(
                c.at,
                format!(
                    "case {} is already in {}",
                    shown(&c.id),
                    shown(&known.cfg.shown_path(there))
                ),
                "leave its rows out of the sheet, or add them to that file by hand",
            ));
            continue;
        }
        // A case with a bad row, or without a caseworker (said already),
        // is not checked as a file: that would only repeat the problem.
        if c.caseworker.is_none() || c.rows.iter().any(|r| bad.contains(r)) {
            continue;
        }
        let lang = known
            .cfg
            .caseworker(c.caseworker.as_ref().map_or("", |(w, _)| w.as_str()))
            .map_or(Language::En, |w| known.cfg.caseworkers[w].language);
        let rendered = render::render(c, lang, source);
        out.push(Planned {
            case: i,
            path,
            rendered,
        });
    }
    out
}

/// Every file as `docket check` will judge it; its problems at the cells
/// they came from.
fn check(
    cases: &[Case],
    planned: &[Planned],
    cfg: &Config,
    env: &Env,
    show: bool,
    problems: &mut Vec<Problem>,
) {
    let texts: Vec<(PathBuf, String)> = planned
        .iter()
        .map(|p| (p.path.clone(), p.rendered.text.clone()))
        .collect();
    let q = Quoting::for_stderr(show);
    for (p, d) in planned.iter().zip(candidate::check_texts(cfg, env, &texts)) {
        for item in &d.items {
            let (line, _) = d.line_col(item.file, item.span.start);
            let at = p.rendered.cell_of_line(line).unwrap_or(cases[p.case].at);
            let shown_as = d.quoting_for(item, q);
            problems.push(Problem {
                at,
                warning: item.severity == crate::config::diag::Severity::Warning,
                message: privacy::show(&item.message, shown_as),
                help: d.help_text(item, q),
            });
        }
    }
}

/// `--dry-run`: each file after a line naming it.
fn print_files(planned: &[Planned]) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    for (i, p) in planned.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&format!("# ==> {} <==\n", p.path.display()));
        text.push_str(&p.rendered.text);
    }
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Runtime(
            anyhow::Error::new(e).context("cannot write output"),
        )),
        _ => Ok(()),
    }
}

/// Write every file (creating the directory when it is missing), with
/// the owner and mode the install wants (SPEC 6).
fn write_files(dir: &Path, planned: &[Planned], cfg: &Config) -> Result<(), Failure> {
    let editors = cfg.service.editors.as_ref().map(|e| e.gid);
    if !dir.exists() {
        make_dir(dir, editors)?;
    }
    let meta = std::fs::metadata(dir)
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot read {}: {e}", dir.display())))?;
    let perms: Perms = write::perms_for(&meta, editors);
    let files: Vec<(String, String)> = planned
        .iter()
        .map(|p| {
            let name = p.path.file_name().unwrap_or_default().to_string_lossy();
            (name.into_owned(), p.rendered.text.clone())
        })
        .collect();
    write::create_all(dir, &files, perms).map_err(|e| Failure::Runtime(e.into()))
}

/// A missing case directory, as the reference sets one up: `2770` with
/// the editors' group, else `0750`.
fn make_dir(dir: &Path, editors: Option<u32>) -> Result<(), Failure> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let mode = if editors.is_some() { 0o2770 } else { 0o750 };
    let made = std::fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .and_then(|_| {
            if let Some(gid) = editors {
                std::os::unix::fs::chown(dir, None, Some(gid))?;
            }
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
        });
    made.map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot create {}: {e}", dir.display())))
}
