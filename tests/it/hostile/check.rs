//! Hostile files through `docket check`.

use super::example_copy;
use crate::util::{docket_bounded, repo, write_config, write_config_bytes, write_sparse, Bounded};
use docket::config::MAX_FILE_BYTES;
use docket::exit::CONFIG;
use std::path::{Path, PathBuf};
use std::time::Duration as Wall;

/// Run `docket check` and require a config error: exit 78, no crash, within
/// `limit`, under `max_rss_mib`, and an error line located in `config`.
fn check_refused(config: &Path, limit: Wall, max_rss_mib: u64) -> Bounded {
    check_refused_in(config, config, limit, max_rss_mib)
}

/// [`check_refused`], with the error located in the file `named` (an include).
fn check_refused_in(config: &Path, named: &Path, limit: Wall, max_rss_mib: u64) -> Bounded {
    // A hang guard, not a timing test (a debug build on busy CI cores took
    // 39 s where an idle one takes a few): `limit` is what an honest run
    // needs, the guard twenty times that; the time is printed.
    let run = docket_bounded(config, &["--show-values", "check"], limit * 20);
    assert!(
        !run.timed_out,
        "hung past {:?}: {}",
        limit * 20,
        run.summary()
    );
    eprintln!("{}", run.summary());
    assert_eq!(run.signal, None, "crashed: {}", run.summary());
    assert_eq!(run.code, Some(CONFIG as i32), "{}", run.summary());
    assert!(
        run.max_rss_kib / 1024 <= max_rss_mib,
        "over {max_rss_mib} MiB: {}",
        run.summary()
    );
    let prefix = format!("{}:", named.display());
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(": error: ")),
        "no error located in {}: {}",
        named.display(),
        run.summary()
    );
    run
}

/// How much longer than `check` of an honest config of the same size (the
/// example's cases repeated to 1 MB) a hostile 1 MB file may take.
///
/// A ratio, not a wall clock (issue 18, item 12): a loaded 2-core machine
/// slows both runs alike, where a fixed bound on a debug build failed at
/// 31–34 s against 30. Measured on the debug build, idle: the honest file
/// 0.25 s, a million `[` 1.6 s (6×); under a parallel test run beside four
/// compilers, 4–15×. Before the parser's repeated errors were reported
/// once, a million `[` took 29 s (116×: the megabyte line was scanned for
/// a likely cause once per repeat).
const HONEST_RATIO: f64 = 40.0;

/// Median time of `docket check` on the honest 1 MB config, measured once
/// per test process (three runs).
fn honest_check_time() -> Wall {
    static TIME: std::sync::OnceLock<Wall> = std::sync::OnceLock::new();
    *TIME.get_or_init(|| {
        let (_tmp, main) = example_copy();
        let dir = main.parent().unwrap();
        let example = std::fs::read_to_string(dir.join("cases.d/kz-0042.toml"))
            .expect("the example's first case file");
        let case = &example[example.find("[[case]]").unwrap()..];
        let mut bulk = String::new();
        let mut n = 0;
        while bulk.len() < MILLION {
            bulk.push_str(&case.replace("id = \"KZ-0042\"", &format!("id = \"BULK-{n:05}\"")));
            n += 1;
        }
        write_config(dir, "cases.d/bulk.toml", &bulk);
        let mut times: Vec<Wall> = (0..3)
            .map(|_| {
                let run = docket_bounded(&main, &["check"], Wall::from_secs(600));
                assert_eq!(run.code, Some(0), "the honest config: {}", run.summary());
                run.elapsed
            })
            .collect();
        times.sort();
        eprintln!(
            "honest 1 MB config: check took {:?} (median of 3)",
            times[1]
        );
        times[1]
    })
}

/// `run` (a check of the hostile `config`) took at most [`HONEST_RATIO`]
/// times the honest file's check; when the first run is over, two more
/// are made and their median with it decides, so one spike of load does
/// not fail the test.
fn assert_no_slower_than_an_honest_file(config: &Path, run: &Bounded) {
    let honest = honest_check_time();
    let bound = honest.mul_f64(HONEST_RATIO);
    let mut times = vec![run.elapsed];
    if run.elapsed > bound {
        for _ in 0..2 {
            times.push(docket_bounded(config, &["check"], bound * 20).elapsed);
        }
    }
    times.sort();
    let median = times[times.len() / 2];
    eprintln!(
        "{}: {median:?}, {:.1}× the honest file's {honest:?}",
        config.display(),
        median.as_secs_f64() / honest.as_secs_f64()
    );
    assert!(
        median <= bound,
        "check took {median:?} (runs {times:?}), over {HONEST_RATIO}× the {honest:?} of an honest config of the same size"
    );
}

fn first_line(run: &Bounded) -> &str {
    run.stderr.lines().next().unwrap_or("")
}

#[test]
fn main_file_over_the_size_limit_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_sparse(tmp.path(), "docket.toml", MAX_FILE_BYTES + 1);
    // Reading it would take seconds and 256 MiB; the size check must come first.
    let run = check_refused(&path, Wall::from_secs(10), 64);
    assert!(
        first_line(&run).starts_with(&format!(
            "{}:1:1: error: {} is {} bytes, over the limit of {} bytes",
            path.display(),
            path.display(),
            MAX_FILE_BYTES + 1,
            MAX_FILE_BYTES
        )),
        "{}",
        run.summary()
    );
    assert!(run.stderr.contains("service.include"), "{}", run.summary());
}

#[test]
fn huge_main_file_is_refused_unread() {
    // 1 TiB, far over the limit (and over any memory).
    let tmp = tempfile::tempdir().unwrap();
    let path = write_sparse(tmp.path(), "docket.toml", 1 << 40);
    let run = check_refused(&path, Wall::from_secs(10), 64);
    assert!(
        first_line(&run).contains("1099511627776 bytes, over the limit"),
        "{}",
        run.summary()
    );
}

#[test]
fn include_over_the_size_limit_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("cases.d")).unwrap();
    let big = write_sparse(&tmp.path().join("cases.d"), "big.toml", MAX_FILE_BYTES + 1);
    let main = write_config(
        tmp.path(),
        "docket.toml",
        "[service]\ntimezone = \"Asia/Almaty\"\ninclude = [\"cases.d/*.toml\"]\n",
    );
    let run = docket_bounded(&main, &["check"], Wall::from_secs(600));
    assert!(!run.timed_out, "hung: {}", run.summary());
    assert_eq!(run.code, Some(CONFIG as i32), "{}", run.summary());
    assert!(run.max_rss_kib < 64 * 1024, "{}", run.summary());
    // Located at the include pattern in the main file (line 3, column 12)
    // or in the include itself: either way the message names the include.
    let want = format!(
        ": error: {} is {} bytes, over the limit of {} bytes",
        big.display(),
        MAX_FILE_BYTES + 1,
        MAX_FILE_BYTES
    );
    assert!(
        run.stderr.lines().any(|l| l.contains(&want)
            && (l.starts_with(&format!("{}:3:12:", main.display()))
                || l.starts_with(&format!("{}:1:1:", big.display())))),
        "{}",
        run.summary()
    );
}

/// `a = ` and then `depth` copies of `open`, unclosed, on one line.
fn deep(tmp: &Path, name: &str, prefix: &str, open: &str, depth: usize) -> PathBuf {
    let mut text = String::with_capacity(prefix.len() + open.len() * depth + 1);
    text.push_str(prefix);
    for _ in 0..depth {
        text.push_str(open);
    }
    text.push('\n');
    write_config(tmp, name, &text)
}

/// The nesting tests: the parser stops at its depth limit with a located
/// error instead of recursing a million frames deep.
fn assert_nesting_refused(path: &Path, line: usize) {
    let run = check_refused(path, Wall::from_secs(30), 512);
    assert_no_slower_than_an_honest_file(path, &run);
    let first = first_line(&run);
    assert!(
        first.starts_with(&format!("{}:{line}:", path.display())),
        "not located on line {line}: {}",
        run.summary()
    );
    let lower = first.to_lowercase();
    assert!(
        ["recurs", "nest", "deep", "depth"]
            .iter()
            .any(|w| lower.contains(w)),
        "the message does not say the nesting is too deep: {}",
        run.summary()
    );
}

const MILLION: usize = 1_000_000;

#[test]
fn million_nested_arrays_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = deep(tmp.path(), "docket.toml", "a = ", "[", MILLION);
    assert_nesting_refused(&p, 1);
}

#[test]
fn million_nested_inline_tables_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = deep(tmp.path(), "docket.toml", "a = ", "{a=", MILLION);
    assert_nesting_refused(&p, 1);
}

#[test]
fn million_nested_closed_arrays_are_refused() {
    // Balanced, so only depth is wrong.
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("a = {}{}\n", "[".repeat(MILLION), "]".repeat(MILLION));
    let p = write_config(tmp.path(), "docket.toml", &text);
    assert_nesting_refused(&p, 1);
}

#[test]
fn million_part_dotted_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("a{} = 1\n", ".a".repeat(MILLION));
    let p = write_config(tmp.path(), "docket.toml", &text);
    assert_nesting_refused(&p, 1);
}

#[test]
fn million_part_table_header_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("[a{}]\n", ".a".repeat(MILLION));
    let p = write_config(tmp.path(), "docket.toml", &text);
    assert_nesting_refused(&p, 1);
}

#[test]
fn deep_dotted_key_is_located_at_its_line() {
    // The depth error must point at the offending line, not at 1:1.
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "[service]\ntimezone = \"Asia/Almaty\"\n\n[[case]]\nid = \"x\"\nperson{} = 1\n",
        ".a".repeat(MILLION)
    );
    let p = write_config(tmp.path(), "docket.toml", &text);
    assert_nesting_refused(&p, 6);
}

#[test]
fn deep_nesting_in_an_include_names_the_include() {
    let tmp = tempfile::tempdir().unwrap();
    let inc = deep(
        tmp.path(),
        "deep.toml",
        "[[case]]\nid = \"x\"\nperson = ",
        "[",
        MILLION,
    );
    let main = write_config(
        tmp.path(),
        "docket.toml",
        "[service]\ntimezone = \"Asia/Almaty\"\ninclude = [\"deep.toml\"]\n",
    );
    let run = check_refused_in(&main, &inc, Wall::from_secs(30), 512);
    assert_no_slower_than_an_honest_file(&main, &run);
    assert!(
        run.stderr.contains(&format!("{}:3:", inc.display())),
        "{}",
        run.summary()
    );
}

#[test]
fn long_line_is_not_echoed_whole() {
    // A diagnostic shows the offending line under its location; a 1 MB line
    // must be cut to a window around the column, not copied to the terminal
    // or the journal once per error (it was 3 MB of stderr for this file).
    let tmp = tempfile::tempdir().unwrap();
    let p = deep(tmp.path(), "docket.toml", "a = ", "[", MILLION);
    let run = check_refused(&p, Wall::from_secs(30), 512);
    assert_no_slower_than_an_honest_file(&p, &run);
    assert!(
        run.stderr.len() < 64 * 1024,
        "{} bytes of stderr for one line: {}",
        run.stderr.len(),
        run.summary()
    );
}

#[test]
fn flood_of_syntax_errors_ends_quickly() {
    // 50,000 lines of `=`: 100 KB, and a syntax error per line. Each error
    // is reported (or capped at MAX_PARSE_ERRORS); either way rendering must
    // stay linear. In release, 10,000 such lines took 5 s and 100,000 took
    // over 6 minutes: the line/column of each error was found by scanning
    // the file from its start.
    let tmp = tempfile::tempdir().unwrap();
    let p = write_config(tmp.path(), "docket.toml", &"=\n".repeat(50_000));
    let run = check_refused(&p, Wall::from_secs(30), 512);
    assert!(
        first_line(&run).starts_with(&format!("{}:1:1: error:", p.display())),
        "{}",
        run.summary()
    );
}

#[test]
fn flood_of_syntax_errors_has_bounded_memory() {
    // 1,000,000 lines of `=`: a 2 MB file, far under MAX_FILE_BYTES. Every
    // syntax error was kept (three per line, about 1 KB of memory per line:
    // 960 MB here), so a file at the size limit would need over 100 GB.
    // Reporting at most MAX_PARSE_ERRORS per file bounds it. What remains
    // is one parse by the TOML library, about 115 bytes per byte of this
    // text (a token and an event per byte): 251-263 MiB measured at peak,
    // too close to a bound of 256 MiB to hold on every build. The bound
    // sits between one parse and keeping every error.
    let tmp = tempfile::tempdir().unwrap();
    let p = write_config(tmp.path(), "docket.toml", &"=\n".repeat(1_000_000));
    check_refused(&p, Wall::from_secs(30), 400);
}

#[test]
fn flood_of_semantic_errors_ends_quickly() {
    // 20,000 cases, each with an unknown caseworker: one error per case,
    // all rendered, within bounded time.
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("[service]\ntimezone = \"Asia/Almaty\"\n\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "[[case]]\nid = \"KZ-{i}\"\ncaseworker = \"nobody\"\n[[case.event]]\ntitle = \"t\"\ndate = 2026-12-01\n\n"
        ));
    }
    let p = write_config(tmp.path(), "docket.toml", &text);
    let run = check_refused(&p, Wall::from_secs(30), 1024);
    assert!(run.stderr.contains("nobody"), "{}", run.summary());
}

#[test]
fn include_glob_through_symlink_loops_ends() {
    // `cases.d/**/*.toml` with two directory symlinks to `..` inside
    // cases.d: following them, the walk doubles at every level (up/up2/up/
    // ...) until paths hit the kernel's limits, reading the same file again
    // under each new path. It was still running at 2.6 GB after 60 s; with
    // a pattern that matches nothing it never ends. Reproducer:
    // tests/data/hostile/include_symlink_loop.sh.
    let tmp = tempfile::tempdir().unwrap();
    let st = std::process::Command::new("sh")
        .arg(repo().join("tests/data/hostile/include_symlink_loop.sh"))
        .arg(tmp.path().join("r"))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let main = tmp.path().join("r/docket.toml");
    let run = docket_bounded(&main, &["check"], Wall::from_secs(600));
    assert_eq!(run.signal, None, "{}", run.summary());
    assert!(!run.timed_out, "hung: {}", run.summary());
    assert!(run.max_rss_kib < 512 * 1024, "{}", run.summary());
    assert!(matches!(run.code, Some(0) | Some(78)), "{}", run.summary());
    // The one case file is one case, however many paths reach it.
    assert!(
        !run.stderr.contains("duplicate case id"),
        "{}",
        run.summary()
    );
}

/// `check` on a file whose first bad UTF-8 byte is at `line:col`.
fn assert_utf8_located(main: &Path, bad: &Path, line: usize, col: usize) {
    let run = check_refused_in(main, bad, Wall::from_secs(30), 512);
    let want = format!(
        "{}:{line}:{col}: error: the file is not valid UTF-8",
        bad.display()
    );
    assert!(run.stderr.contains(&want), "want {want}\n{}", run.summary());
}

#[test]
fn non_utf8_main_file_is_located_at_the_first_bad_byte() {
    let tmp = tempfile::tempdir().unwrap();
    // Latin-1 é on line 3 after a valid "é" (two bytes, one column) on the
    // same line, then more bad bytes: the first one counts.
    let p = write_config_bytes(
        tmp.path(),
        "docket.toml",
        b"[service]\ntimezone = \"Asia/Almaty\"\nid = \"\xc3\xa9t\xe9\xff\xfe\"\n",
    );
    assert_utf8_located(&p, &p, 3, 9);
}

#[test]
fn non_utf8_shapes_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&[u8], usize, usize)] = &[
        // UTF-16LE with its byte-order mark.
        (b"\xff\xfe[\x00s\x00", 1, 1),
        // An overlong encoding of '/'.
        (b"a = 1\nb = \"\xc0\xaf\"\n", 2, 6),
        // A surrogate half encoded in UTF-8 (CESU-8).
        (b"# \xed\xa0\x80\n", 1, 3),
        // A sequence cut off by the end of the file.
        (b"a = \"\xe2\x82", 1, 6),
        // A lone continuation byte after a CRLF line.
        (b"a = 1\r\n\x80", 2, 1),
    ];
    for (i, (bytes, line, col)) in cases.iter().enumerate() {
        let p = write_config_bytes(tmp.path(), &format!("c{i}.toml"), bytes);
        assert_utf8_located(&p, &p, *line, *col);
    }
}

#[test]
fn non_utf8_include_is_located_in_the_include() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("cases.d")).unwrap();
    let inc = write_config_bytes(
        &tmp.path().join("cases.d"),
        "kz-1.toml",
        b"[[case]]\nid = \"KZ-1\"\nperson = \"Ren\xe9e\"\n",
    );
    let main = write_config(
        tmp.path(),
        "docket.toml",
        "[service]\ntimezone = \"Asia/Almaty\"\ninclude = [\"cases.d/*.toml\"]\n",
    );
    assert_utf8_located(&main, &inc, 3, 14);
}

#[test]
fn fast_path_agrees_on_control_characters() {
    // Include files of the common shape go through a hand-written fast
    // parser (src/config/fast.rs) that must accept only what the full TOML
    // parser accepts. TOML forbids control characters (but tab) in comments,
    // and a carriage return not followed by a newline. The same file behind
    // a byte-order mark skips the fast path: both must be refused alike.
    // Found by the include_load fuzz target; reproducer:
    // tests/data/hostile/fast_path_comment_nul.toml.
    let (tmp, main) = example_copy();
    let cases = tmp.path().join("cases.d");
    let repro =
        std::fs::read(repo().join("tests/data/hostile/fast_path_comment_nul.toml")).unwrap();
    let mut inputs: Vec<(String, Vec<u8>, usize, usize)> =
        vec![("the reproducer".into(), repro, 5, 16)];
    // TOML locates a lone CR at the character after it.
    for (name, ctl, past) in [
        ("NUL", "\u{0}", 0),
        ("SOH", "\u{1}", 0),
        ("DEL", "\u{7f}", 0),
        ("ESC", "\u{1b}[31m", 0),
        ("lone CR", "\r-", 1),
    ] {
        inputs.push((
            format!("{name} in a trailing comment"),
            format!("[[case]]\nid = \"KZ-9\"  # {ctl}\ncaseworker = \"dana\"\n").into_bytes(),
            2,
            16 + past,
        ));
        inputs.push((
            format!("{name} in a comment line"),
            format!("# {ctl}\n[[case]]\nid = \"KZ-9\"\ncaseworker = \"dana\"\n").into_bytes(),
            1,
            3 + past,
        ));
    }
    let mut wrong = Vec::new();
    for (what, bytes, line, col) in inputs {
        let inc = write_config_bytes(&cases, "zz-hostile.toml", &bytes);
        let mut with_bom = "\u{feff}".as_bytes().to_vec();
        with_bom.extend_from_slice(&bytes);
        let plain = docket_bounded(&main, &["check"], Wall::from_secs(30));
        write_config_bytes(&cases, "zz-hostile.toml", &with_bom);
        let bom = docket_bounded(&main, &["check"], Wall::from_secs(30));
        let at = format!("{}:{line}:{col}: error: ", inc.display());
        let located = plain.stderr.lines().any(|l| l.starts_with(&at));
        if plain.code != Some(CONFIG as i32) || bom.code != Some(CONFIG as i32) || !located {
            wrong.push(format!(
                "{what}: exit {:?} as is, {:?} behind a BOM; want 78 and an error at {at}\n{}",
                plain.code,
                bom.code,
                plain.summary()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
