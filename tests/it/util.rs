//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `docket` binary.
pub fn docket_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_docket"))
}

/// Run `docket -c CONFIG ARGS...` and capture its output.
pub fn docket(config: &Path, args: &[&str]) -> Output {
    Command::new(docket_bin())
        .arg("-c")
        .arg(config)
        .args(args)
        .env_remove("DOCKET_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .output()
        .expect("run docket")
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Write `text` to `dir/name` with mode 0600 and return the path.
pub fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

// Helpers for `cli` and `config_data`.

/// Set the permission bits of `path`.
pub fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Copy the file `src` into `dir` under the same name with mode 0600 (git
/// checks files out 0644, which `docket` warns about) and return the copy.
pub fn copy_config(src: &Path, dir: &Path) -> PathBuf {
    let name = src.file_name().expect("a file name");
    let dst = dir.join(name);
    std::fs::copy(src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
    chmod(&dst, 0o600);
    dst
}

/// Copy the directory tree `src` to `dst`: directories 0700, files 0600.
pub fn copy_tree_private(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    chmod(dst, 0o700);
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree_private(&entry.path(), &to);
        } else {
            copy_config(&entry.path(), dst);
        }
    }
}

/// Write raw bytes (e.g. not UTF-8) to `dir/name` with mode 0600.
pub fn write_config_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    chmod(&p, 0o600);
    p
}

/// Standard output parsed as JSON; panics with the output when it is not.
pub fn stdout_json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout(o),
            stderr(o)
        )
    })
}

// Helpers for `daemon` and `smtp`: reading the mail docket sends and its logs.

/// One part of a multipart message: its Content-Type and decoded body.
#[derive(Debug, Clone)]
pub struct MailPart {
    pub content_type: String,
    pub body: String,
}

/// An RFC 5322 message, parsed just enough for the tests: unfolded headers
/// and, for a multipart message, each part's body decoded from its
/// Content-Transfer-Encoding (quoted-printable, base64, 7bit, 8bit).
#[derive(Debug, Clone)]
pub struct Mail {
    pub headers: Vec<(String, String)>,
    /// The body of a single-part message, decoded; empty for multipart.
    pub body: String,
    pub parts: Vec<MailPart>,
    pub raw: String,
}

impl Mail {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header called `name`.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The decoded body of the only part whose type starts with `mime`.
    pub fn part(&self, mime: &str) -> &str {
        let found: Vec<&MailPart> = self
            .parts
            .iter()
            .filter(|p| p.content_type.to_ascii_lowercase().starts_with(mime))
            .collect();
        assert_eq!(found.len(), 1, "one {mime} part in:\n{}", self.raw);
        &found[0].body
    }

    pub fn text(&self) -> &str {
        self.part("text/plain")
    }

    pub fn html(&self) -> &str {
        self.part("text/html")
    }
}

/// Split a header block from its body and unfold the headers.
fn split_headers(raw: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match raw.find("\n\n") {
        Some(i) => (&raw[..i], &raw[i + 2..]),
        None => (raw, ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_string(), v.trim().to_string()));
        }
    }
    (headers, body)
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The value of parameter `param` in a header value like
/// `multipart/alternative; boundary="xyz"`.
pub fn header_param(value: &str, param: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(param)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn decode_body(headers: &[(String, String)], body: &str) -> String {
    let cte = header_of(headers, "Content-Transfer-Encoding")
        .unwrap_or("7bit")
        .to_ascii_lowercase();
    let bytes = match cte.as_str() {
        "quoted-printable" => decode_qp(body),
        "base64" => decode_base64(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8(bytes).expect("a UTF-8 body")
}

/// Parse an RFC 5322 message (CRLF or LF line ends).
pub fn parse_mail(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let (headers, body) = split_headers(&raw);
    let ctype = header_of(&headers, "Content-Type").unwrap_or("text/plain");
    let mut parts = Vec::new();
    let mut single = String::new();
    if ctype.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = header_param(ctype, "boundary").expect("a multipart boundary");
        let delim = format!("--{boundary}");
        let close = format!("--{boundary}--");
        let mut current: Option<Vec<&str>> = None;
        for line in body.split('\n') {
            if line == delim || line == close {
                if let Some(lines) = current.take() {
                    let text = lines.join("\n");
                    // The line break before a delimiter belongs to the
                    // delimiter, so joining the lines drops it.
                    let (h, b) = split_headers(&text);
                    parts.push(MailPart {
                        content_type: header_of(&h, "Content-Type")
                            .unwrap_or("text/plain")
                            .to_string(),
                        body: decode_body(&h, b),
                    });
                }
                if line == close {
                    break;
                }
                current = Some(Vec::new());
            } else if let Some(lines) = current.as_mut() {
                lines.push(line);
            }
        }
    } else {
        single = decode_body(&headers, body);
    }
    Mail {
        headers,
        body: single,
        parts,
        raw: raw.clone(),
    }
}

/// Decode quoted-printable (RFC 2045 §6.7): `=XX` escapes and soft breaks.
pub fn decode_qp(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' {
            if b.get(i + 1) == Some(&b'\n') {
                i += 2;
                continue;
            }
            if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                i += 3;
                continue;
            }
            if i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                if let Ok(v) = u8::from_str_radix(hex, 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Decode base64 (standard alphabet), ignoring whitespace.
pub fn decode_base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = val(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Remove ANSI colour escapes (`ESC [ ... letter`) from log text.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Call `f` every 50 ms until it returns Some, at most `timeout`.
pub fn poll<T>(timeout: std::time::Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if std::time::Instant::now() >= end {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A word unique to this test run (process id, clock, counter), for case
/// references that must not collide with another run's in a shared Maildir.
pub fn unique_tag() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{:x}{:x}{}",
        std::process::id(),
        nanos & 0xffff_ffff_ffff,
        N.fetch_add(1, Ordering::SeqCst)
    )
}
