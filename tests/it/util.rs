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
    docket_command(config, args).output().expect("run docket")
}

/// `docket -c CONFIG ARGS...`, with nothing inherited that would change
/// what it does (a config or state dir from the environment, systemd's
/// sockets, the journal).
pub fn docket_command(config: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(docket_bin());
    c.arg("-c").arg(config).args(args);
    quiet_env(&mut c);
    c
}

fn quiet_env(c: &mut Command) {
    for v in [
        "DOCKET_CONFIG",
        "STATE_DIRECTORY",
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "WATCHDOG_PID",
        "JOURNAL_STREAM",
    ] {
        c.env_remove(v);
    }
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
    for h in &mut headers {
        h.1 = decode_words(&h.1);
    }
    (headers, body)
}

/// Decode RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`);
/// the space between two adjacent ones is not part of the text.
fn decode_words(v: &str) -> String {
    if !v.contains("=?") {
        return v.to_string();
    }
    let mut out = String::new();
    let mut rest = v;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        let word = &rest[start + 2..];
        let parsed = (|| {
            let (_charset, r) = word.split_once('?')?;
            let (enc, r) = r.split_once('?')?;
            let end = r.find("?=")?;
            let text = &r[..end];
            let bytes = match enc {
                "b" | "B" => decode_base64(text),
                _ => decode_qp(&text.replace('_', " ")),
            };
            Some((
                String::from_utf8(bytes).ok()?,
                start + 2 + word.len() - r.len() + end + 2,
            ))
        })();
        match parsed {
            Some((text, used)) => {
                out.push_str(&text);
                rest = &rest[used..];
                after_word = true;
            }
            None => {
                out.push_str("=?");
                rest = &rest[start + 2..];
                after_word = false;
            }
        }
    }
    out.push_str(rest);
    out
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

// Helpers for `reliability`: the test mail server's environment, the shared
// Maildir and server log, and a small seeded random number generator.

/// The variables `scripts/test-mail-server.sh start` wrote to
/// `$DOCKET_TEST_MAIL_DIR/env` (default `/var/tmp/docket-test-mail/env`).
/// Panics, saying what to do, when the file is missing: a test that needs
/// the mail server fails loudly without it (`scripts/test.sh` with
/// `DOCKET_SKIP_SMTP_TESTS=1` leaves such tests out by name instead).
pub fn test_mail_env() -> MailEnv {
    let dir = std::env::var("DOCKET_TEST_MAIL_DIR")
        .unwrap_or_else(|_| "/var/tmp/docket-test-mail".to_string());
    let path = Path::new(&dir).join("env");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): these tests need the test mail server; run \
             `scripts/test-mail-server.sh start` as root first (or run \
             `DOCKET_SKIP_SMTP_TESTS=1 scripts/test.sh` to leave them out)",
            path.display()
        )
    });
    MailEnv(
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect(),
    )
}

/// The test mail server's settings.
pub struct MailEnv(pub std::collections::HashMap<String, String>);

impl MailEnv {
    #[track_caller]
    pub fn get(&self, key: &str) -> &str {
        self.0
            .get(key)
            .unwrap_or_else(|| panic!("{key} is missing from the test mail server's env file"))
    }

    #[track_caller]
    pub fn port(&self, key: &str) -> u16 {
        self.get(key)
            .parse()
            .unwrap_or_else(|e| panic!("{key}: {e}"))
    }

    pub fn log(&self) -> PathBuf {
        PathBuf::from(self.get("DOCKET_TEST_SMTP_LOG"))
    }

    pub fn maildir(&self) -> PathBuf {
        PathBuf::from(self.get("DOCKET_TEST_MAILDIR"))
    }
}

/// A reader of a Maildir shared with other tests: each file is read once
/// (delivered files never change; a move from new/ to cur/ keeps the name
/// before the `:`), and only messages whose raw text contains `needle`
/// are parsed and kept.
pub struct MaildirScan {
    root: PathBuf,
    needle: String,
    seen: std::collections::HashSet<String>,
    found: Vec<(String, Mail)>,
}

impl MaildirScan {
    pub fn new(root: &Path, needle: &str) -> MaildirScan {
        MaildirScan {
            root: root.to_path_buf(),
            needle: needle.to_string(),
            seen: Default::default(),
            found: Vec::new(),
        }
    }

    /// Every message delivered so far that contains the needle, with the
    /// file name it was delivered under.
    pub fn mails(&mut self) -> &[(String, Mail)] {
        for sub in ["new", "cur"] {
            let dir = self.root.join(sub);
            let rd = std::fs::read_dir(&dir).unwrap_or_else(|e| {
                panic!("read {} ({e}); the tests must run as root", dir.display())
            });
            for entry in rd.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let base = name.split(':').next().unwrap_or("").to_string();
                if self.seen.contains(&base) {
                    continue;
                }
                // A file can move to cur/ while we look: it is read there.
                let Ok(raw) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                self.seen.insert(base.clone());
                if raw.contains(&self.needle) {
                    self.found.push((base, parse_mail(&raw)));
                }
            }
        }
        &self.found
    }
}

/// The bytes of the file at `path` from byte `from` on, as text.
pub fn read_from(path: &Path, from: u64) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = usize::try_from(from).unwrap().min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// The size of the file at `path` (0 when it does not exist).
pub fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// xorshift64*: a tiny seeded generator, enough to spread kill points.
pub struct Rng(u64);

impl Rng {
    /// Seeded from `var` when set (to replay a run), else from the clock.
    pub fn from_env_or_clock(var: &str) -> Rng {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    ^ u64::from(std::process::id()) << 32
            });
        Rng::new(seed)
    }

    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn seed(&self) -> u64 {
        self.0
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

// Helpers for `hostile`: running docket under a time limit and measuring it.

/// How a bounded run of a child process went.
#[derive(Debug)]
pub struct Bounded {
    /// The exit code; None when killed by a signal (a crash, or our timeout).
    pub code: Option<i32>,
    /// The signal that ended it, if any (SIGSEGV/SIGABRT: a crash).
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub elapsed: std::time::Duration,
    /// Peak resident set size of the child in KiB: the largest `VmHWM` of
    /// `/proc/PID/status`, sampled every few milliseconds while it runs
    /// (wait4's `ru_maxrss` cannot be used: Linux carries the high-water
    /// mark of the forking test process across exec).
    pub max_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
}

impl Bounded {
    /// A one-line summary for assertion messages, with the start of stderr.
    pub fn summary(&self) -> String {
        let head: String = self.stderr.chars().take(600).collect();
        format!(
            "code {:?}, signal {:?}, timed out {}, {:.2?}, peak RSS {} MiB, stderr {} bytes:\n{head}",
            self.code,
            self.signal,
            self.timed_out,
            self.elapsed,
            self.max_rss_kib / 1024,
            self.stderr.len()
        )
    }
}

/// `VmHWM` (peak RSS, KiB) of a running process, if it can be read.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `docket -c CONFIG ARGS...`, killing it after `limit`. Output goes to
/// files (a pipe that nobody drains could block the child).
pub fn docket_bounded(config: &Path, args: &[&str], limit: std::time::Duration) -> Bounded {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let start = std::time::Instant::now();
    let mut child = Command::new(docket_bin())
        .arg("-c")
        .arg(config)
        .args(args)
        .env_remove("DOCKET_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("run docket");
    let pid = child.id();
    let mut max_rss_kib = 0;
    let mut timed_out = false;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            max_rss_kib = max_rss_kib.max(kib);
        }
        if let Some(st) = child.try_wait().expect("wait for docket") {
            break st;
        }
        if start.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for docket");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    use std::os::unix::process::ExitStatusExt;
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    Bounded {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        elapsed,
        max_rss_kib,
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Create `dir/name` (mode 0600) as a sparse file of `len` bytes: its size
/// is `len` but it takes no disk space and no time to write.
pub fn write_sparse(dir: &Path, name: &str, len: u64) -> PathBuf {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(len).unwrap();
    chmod(&p, 0o600);
    p
}

/// A loopback port nothing listens on: bind one, note it, close it.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} answers"
    );
    port
}

/// The items of a digest's text part, each with its case's heading
/// ("KZ-0042 · Gulnar Fictional * Refugee certificate [OVERDUE]"), both the
/// caseworker's own and the escalated ones, in the order shown. An item is
/// a "  * label" line; its case is the last line above it that starts in
/// the first column. In a supervisor's part, the caseworker's name (the
/// "-- Aigerim Example (aigerim)" line) comes first.
pub fn entries(text: &str) -> Vec<String> {
    let (mut case, mut whose) = ("", "");
    let mut out = Vec::new();
    for l in text.lines() {
        if let Some(item) = l.strip_prefix("  * ") {
            out.push(format!("{whose}{case} * {item}"));
        } else if let Some(cw) = l.strip_prefix("-- ").filter(|_| l.len() > 3) {
            // A supervisor's copies come under their caseworker's name.
            whose = cw;
            case = "";
        } else if !l.is_empty() && !l.starts_with(' ') {
            case = l;
        }
    }
    out
}

// A daemon process for tests that signal it.

/// Kills the daemon if the test fails before it is stopped.
pub struct Daemon {
    pub child: std::process::Child,
    pub log: PathBuf,
}

impl Daemon {
    /// `docket run --today TODAY`, its stderr into `log`.
    pub fn start(cfg: &Path, today: &str, log: PathBuf) -> Daemon {
        Daemon::spawn(cfg, &["run", "--today", today], &[], log)
    }

    /// `docket -c CFG ARGS` with extra environment variables.
    pub fn spawn(cfg: &Path, args: &[&str], envs: &[(&str, &str)], log: PathBuf) -> Daemon {
        Daemon::spawn_command(&mut docket_command(cfg, args), envs, log)
    }

    /// Any command that runs docket (a shell that execs it, say).
    pub fn spawn_command(c: &mut Command, envs: &[(&str, &str)], log: PathBuf) -> Daemon {
        let err = std::fs::File::create(&log).unwrap();
        quiet_env(c);
        let child = c
            .envs(envs.iter().copied())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(err)
            .spawn()
            .expect("start docket run");
        Daemon { child, log }
    }

    pub fn log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    pub fn signal(&self, sig: libc::c_int) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig})");
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Wait (15 s at most) until the log has `n` lines containing `needle`.
    #[track_caller]
    pub fn wait_log(&mut self, needle: &str, n: usize) -> String {
        let got = poll(std::time::Duration::from_secs(15), || {
            let log = self.log();
            (log.matches(needle).count() >= n).then_some(log)
        });
        match got {
            Some(log) => log,
            None => panic!(
                "no {n}x {needle:?} within 15 s (alive: {}); log:\n{}",
                self.alive(),
                self.log()
            ),
        }
    }
}

impl Daemon {
    /// SIGTERM, then wait (15 s at most) for the exit status.
    #[track_caller]
    pub fn stop(&mut self) -> std::process::ExitStatus {
        self.signal(libc::SIGTERM);
        let status = poll(std::time::Duration::from_secs(15), || {
            self.child.try_wait().unwrap()
        });
        status.unwrap_or_else(|| panic!("no exit within 15 s:\n{}", self.log()))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The process exited with `want`; else show its output.
#[track_caller]
pub fn assert_exit(o: &Output, want: i32) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "exit code\nstdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

/// A string field of a JSON row.
#[track_caller]
pub fn field<'a>(row: &'a serde_json::Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {row}"))
}

/// `docket history --format json` as rows (exit 0 expected).
#[track_caller]
pub fn history(cfg: &Path) -> Vec<serde_json::Value> {
    let o = docket(cfg, &["history", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "history: {}", stderr(&o));
    stdout_json(&o).as_array().expect("an array").clone()
}

/// Every `.eml` file in `dir`, parsed.
pub fn outbox_mails(dir: &Path) -> Vec<Mail> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| parse_mail(&t))
        .collect()
}

/// A tmpfs mounted for one test (root only), unmounted when dropped.
pub struct Tmpfs {
    pub path: PathBuf,
}

impl Tmpfs {
    #[track_caller]
    pub fn mount(path: &Path, options: &str) -> Tmpfs {
        std::fs::create_dir_all(path).unwrap();
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(path)
            .status()
            .expect("run mount");
        assert!(
            st.success(),
            "mount -t tmpfs -o {options} {}: run the tests as root",
            path.display()
        );
        Tmpfs {
            path: path.to_path_buf(),
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}
