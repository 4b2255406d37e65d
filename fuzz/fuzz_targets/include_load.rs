//! Include files through `docket::config::load`, and a differential check
//! of the fast include parser (src/config/fast.rs) against the full TOML
//! parser: the input is loaded as an include once as is, and once behind a
//! byte-order mark, which the fast path declines (falling back to the full
//! parser) and TOML ignores. Both must give the same config, or both none,
//! and the same number of errors: the fast path may only accept what the
//! full parser accepts, with the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The example config, its includes replaced by the fuzzed file (its
/// kinds and caseworkers are what the example includes refer to).
fn main_config() -> String {
    let text = include_str!("../../config/docket.toml");
    assert!(
        text.contains("\"cases.d/*.toml\""),
        "config/docket.toml changed its include"
    );
    // Weekends only: building the kz holiday table is most of the cost of
    // a load under the sanitizers, and this target is about parsing.
    text.replace("\"cases.d/*.toml\"", "\"inc.toml\"")
        .replace("holidays = \"kz\"", "holidays = \"none\"")
}

fn write(path: &Path, data: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .expect("write input");
    f.write_all(data).expect("write input");
}

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // scripts/fuzz.sh passes a directory it removes afterwards.
        let dir = match std::env::var_os("DOCKET_FUZZ_DIR") {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from(if Path::new("/dev/shm").is_dir() {
                "/dev/shm"
            } else {
                "/tmp"
            })
            .join(format!("docket-fuzz-{}", std::process::id())),
        };
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .expect("chmod scratch dir");
        write(&dir.join("docket.toml"), main_config().as_bytes());
        dir
    })
}

fn load(data: &[u8]) -> docket::config::Loaded {
    let dir = scratch();
    write(&dir.join("inc.toml"), data);
    let env = docket::config::Env {
        state_directory: Some(dir.join("state")),
        euid: None,
    };
    let loaded = docket::config::load_with_env(&dir.join("docket.toml"), &env);
    let _ = loaded.diagnostics.to_string();
    loaded
}

fuzz_target!(|data: &[u8]| {
    if data.starts_with("\u{feff}".as_bytes()) {
        return;
    }
    let plain = load(data);
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend_from_slice(data);
    let full = load(&bom);
    assert_eq!(
        plain.config,
        full.config,
        "fast and full parsers disagree on {:?}",
        String::from_utf8_lossy(data)
    );
    assert_eq!(
        plain.diagnostics.errors().count(),
        full.diagnostics.errors().count(),
        "different errors for {:?}:\nas is:\n{}\nbehind a BOM:\n{}",
        String::from_utf8_lossy(data),
        plain.diagnostics,
        full.diagnostics
    );
});
