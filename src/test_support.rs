//! Helpers for the unit tests.

use crate::config::model::Config;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The repository's example config (config/), copied private.
pub fn example() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    std::fs::create_dir(dir.path().join("cases.d")).unwrap();
    let mut names = vec!["docket.toml".to_string()];
    for e in std::fs::read_dir(src.join("cases.d")).unwrap() {
        names.push(format!(
            "cases.d/{}",
            e.unwrap().file_name().to_string_lossy()
        ));
    }
    for n in &names {
        let to = dir.path().join(n);
        std::fs::copy(src.join(n), &to).unwrap();
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let env = crate::config::Env::default();
    let cfg = crate::config::load_with_env(&dir.path().join("docket.toml"), &env)
        .config
        .expect("the example config loads");
    (dir, cfg)
}

/// A small xorshift generator with a fixed seed: the same "random" inputs
/// on every run. The closure gives a number below its argument.
pub fn numbers_below() -> impl FnMut(usize) -> usize {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}
