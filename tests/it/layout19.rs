//! Issue 19, the shape of the code: no long function anywhere in `src`,
//! and inside `config/` every import points down (children
//! never take names from `config/mod.rs`, which is only the top). Read
//! from the source as text, the way a reviewer would count.

use std::path::{Path, PathBuf};

/// The longest a non-test function may be, in lines from `fn` to its
/// closing brace (issue 19: "no non-test function over 120 lines").
const MAX_FN_LINES: usize = 120;

/// The code whose functions this test measures: all of it (issue 19:
/// "no non-test function over 120 lines").
const MEASURED: &[&str] = &["src"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_file() {
        if p.extension().is_some_and(|e| e == "rs") {
            out.push(p.to_path_buf());
        }
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for e in entries {
        rust_files(&e, out);
    }
}

/// `src` with comments, strings and char literals blanked out (newlines
/// kept), so that braces and keywords can be counted.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let blank = |s: &str, out: &mut String| {
        out.extend(s.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            blank(&rest[..end], &mut out);
            i += end;
            continue;
        }
        if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |e| e + 2);
            blank(&rest[..end], &mut out);
            i += end;
            continue;
        }
        let prev_ident = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        // Raw strings: r"…", r#"…"#, br"…".
        let raw_at = if rest.starts_with("br") {
            2
        } else if rest.starts_with('r') {
            1
        } else {
            0
        };
        if raw_at > 0 && !prev_ident {
            let hashes = rest[raw_at..].bytes().take_while(|&c| c == b'#').count();
            if rest[raw_at + hashes..].starts_with('"') {
                let close = format!("\"{}", "#".repeat(hashes));
                let body = raw_at + hashes + 1;
                let end = rest[body..]
                    .find(&close)
                    .map_or(rest.len(), |e| body + e + close.len());
                blank(&rest[..end], &mut out);
                i += end;
                continue;
            }
        }
        if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&src[i..end], &mut out);
            i = end;
            continue;
        }
        if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}', '{'), not a lifetime.
            let len = if rest[1..].starts_with('\\') {
                rest[2..].find('\'').map(|e| e + 3)
            } else {
                let c = rest[1..].chars().next().map_or(0, char::len_utf8);
                (rest[1 + c..].starts_with('\'')).then_some(c + 2)
            };
            if let Some(len) = len {
                blank(&rest[..len], &mut out);
                i += len;
                continue;
            }
        }
        let c = rest.chars().next().expect("char");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// (lines, name, first line) of every function in `src` outside test code
/// (`#[test]` functions and `#[cfg(test)]` modules).
fn functions(src: &str) -> Vec<(usize, String, usize)> {
    let code = code_only(src);
    let mut out = Vec::new();
    // (name, start line, brace depth inside it, is test)
    let mut open: Vec<(String, usize, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut pending: Option<(String, usize, bool)> = None;
    let mut test_attr = false;
    let mut test_mod_depth: Option<usize> = None;
    for (n, line) in code.lines().enumerate() {
        let n = n + 1;
        if line.contains("#[cfg(test)]") || line.contains("#[test]") {
            test_attr = true;
        }
        let words: Vec<&str> = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(k) = words.iter().position(|w| *w == "fn") {
            if pending.is_none() {
                if let Some(name) = words.get(k + 1) {
                    pending = Some((name.to_string(), n, test_attr));
                    test_attr = false;
                }
            }
        } else if words.contains(&"mod") && line.contains('{') && test_attr {
            test_mod_depth.get_or_insert(depth);
            test_attr = false;
        }
        for ch in line.chars() {
            match ch {
                '{' => {
                    depth += 1;
                    if let Some((name, start, t)) = pending.take() {
                        open.push((name, start, depth, t));
                    }
                }
                '}' => {
                    if open.last().is_some_and(|o| o.2 == depth) {
                        let (name, start, _, t) = open.pop().expect("open");
                        let in_test = t || open.iter().any(|o| o.3) || test_mod_depth.is_some();
                        if !in_test {
                            out.push((n - start + 1, name, start));
                        }
                    }
                    depth -= 1;
                    if test_mod_depth == Some(depth) {
                        test_mod_depth = None;
                    }
                }
                // A declaration without a body (in a trait).
                ';' => pending = None,
                _ => {}
            }
        }
    }
    out
}

#[test]
fn long_functions_are_split_into_named_steps() {
    let mut files = Vec::new();
    for p in MEASURED {
        rust_files(&root().join(p), &mut files);
    }
    assert!(files.len() > 20, "too few files read: {files:?}");
    let mut long = Vec::new();
    let mut seen = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).expect("source");
        for (lines, name, start) in functions(&src) {
            seen += 1;
            if lines > MAX_FN_LINES {
                let rel = f.strip_prefix(root()).unwrap_or(f).display().to_string();
                long.push(format!("{rel}:{start} {name}: {lines} lines"));
            }
        }
    }
    assert!(
        seen > 300,
        "too few functions found ({seen}): the counter is broken"
    );
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn function_counter_counts_what_a_reader_counts() {
    let src = "fn a() {\n    let s = \"{\";\n    let c = '}';\n    // {\n}\n\n#[cfg(test)]\nmod tests {\n    fn t() {\n    }\n}\nfn b<'x>(v: &'x str) -> &'x str {\n    r#\"}\"#;\n    v\n}\n";
    assert_eq!(
        functions(src),
        vec![(5, "a".to_string(), 1), (4, "b".to_string(), 12)]
    );
}

/// Names a folder's `mod.rs` defines or re-exports at its top level, and
/// the modules it declares (a path through `super::` to a sibling module
/// points down, not at the top).
fn top_names(top: &str) -> (Vec<String>, Vec<String>) {
    let code = code_only(top);
    let mut names = Vec::new();
    let mut modules = Vec::new();
    for line in code.lines() {
        if line.starts_with(' ') {
            continue;
        }
        let l = line
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ");
        let word = |rest: &str| -> String {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        if let Some(rest) = l.strip_prefix("mod ") {
            modules.push(word(rest));
        }
        for kw in [
            "fn ", "struct ", "enum ", "const ", "static ", "type ", "trait ",
        ] {
            if let Some(rest) = l.strip_prefix(kw) {
                names.push(word(rest));
            }
        }
        if let Some(rest) = l.strip_prefix("use ") {
            let inner = rest.rsplit("::").next().unwrap_or(rest);
            for n in inner.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if !n.is_empty() && n != "self" {
                    names.push(n.to_string());
                }
            }
        }
    }
    names.retain(|n| !modules.contains(n));
    (names, modules)
}

/// Where a file under `dir` (a folder with a `mod.rs`, known to the crate
/// as `path`) takes a name from `dir/mod.rs`: `super::NAME` in a direct
/// child, `path::NAME` anywhere below. Test code is left out: it may use
/// the top, as any user of the folder does.
fn upward_imports(dir: &str, path: &str) -> Vec<String> {
    let dir = root().join(dir);
    let top = std::fs::read_to_string(dir.join("mod.rs")).expect("mod.rs");
    let (names, _) = top_names(&top);
    assert!(!names.is_empty(), "no names read from {}", dir.display());
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let mut upward = Vec::new();
    for f in files.iter().filter(|f| **f != dir.join("mod.rs")) {
        let src = std::fs::read_to_string(f).expect("source");
        let code = code_only(&src);
        let code = code.split("#[cfg(test)]").next().unwrap_or("");
        let rel = f.strip_prefix(root()).unwrap_or(f).display().to_string();
        // `super` is the top for a direct child (`dir/x.rs`) and for a
        // folder's top (`dir/sub/mod.rs`), not deeper.
        let direct = f.parent() == Some(dir.as_path())
            || (f.ends_with("mod.rs") && f.parent().and_then(Path::parent) == Some(dir.as_path()));
        let full = format!("{path}::");
        let mut prefixes = vec![full.as_str()];
        if direct {
            prefixes.push("super::");
        }
        for prefix in prefixes {
            for (at, _) in code.match_indices(prefix) {
                let before = &code[..at];
                if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let after = &code[at + prefix.len()..];
                let mut took: Vec<String> = Vec::new();
                if let Some(list) = after.strip_prefix('{') {
                    let list = &list[..list.find('}').unwrap_or(list.len())];
                    took.extend(list.split(',').map(|s| s.trim().to_string()));
                } else {
                    took.push(after.to_string());
                }
                for n in took {
                    let first: String = n
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if names.contains(&first) {
                        upward.push(format!("{rel}: {prefix}{first}"));
                    }
                }
            }
        }
    }
    upward
}

#[test]
fn config_children_import_nothing_from_config_top() {
    let (names, modules) = top_names(
        &std::fs::read_to_string(root().join("src/config/mod.rs")).expect("config/mod.rs"),
    );
    for n in ["load", "Env", "AsOf", "Loaded"] {
        assert!(
            names.iter().any(|x| x == n),
            "{n} not seen in config/mod.rs: {names:?}"
        );
    }
    assert!(modules.iter().any(|m| m == "validate"), "{modules:?}");
    let mut upward = upward_imports("src/config", "crate::config");
    // validate/ is the same shape one floor down: its tables' checks take
    // what they share from a base module, not from validate/mod.rs.
    upward.extend(upward_imports(
        "src/config/validate",
        "crate::config::validate",
    ));
    assert!(
        upward.is_empty(),
        "children taking names from their folder's mod.rs (an arrow up):\n{}",
        upward.join("\n")
    );
}
