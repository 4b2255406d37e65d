//! Helpers for `reliability`: the test mail server's environment, the shared
//! Maildir and server log, and a small seeded random number generator; a
//! word unique to the run, a closed port, a tmpfs.

use super::mail::{parse_mail, Mail};
use std::path::{Path, PathBuf};
use std::process::Command;

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
