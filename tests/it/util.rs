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
