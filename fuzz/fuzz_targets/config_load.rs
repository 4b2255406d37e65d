//! `docket::config::load` on arbitrary bytes never panics: it returns a
//! config or diagnostics. The loader only reads files, so each input is
//! written to a private file in /dev/shm (memory, not disk) first:
//! `$DOCKET_FUZZ_DIR`, else `/dev/shm/docket-fuzz-<pid>/`. Every
//! diagnostic is also rendered, since rendering slices the source text by
//! the spans the parser reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::OnceLock;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // scripts/fuzz.sh passes a directory it removes afterwards.
        let dir = match std::env::var_os("DOCKET_FUZZ_DIR") {
            Some(d) => PathBuf::from(d),
            None => {
                let base = if std::path::Path::new("/dev/shm").is_dir() {
                    PathBuf::from("/dev/shm")
                } else {
                    std::env::temp_dir()
                };
                base.join(format!("docket-fuzz-{}", std::process::id()))
            }
        };
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .expect("chmod scratch dir");
        // An include the fuzzer can reach by writing include = ["inc.toml"].
        let inc = dir.join("inc.toml");
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&inc)
            .expect("write include");
        f.write_all(b"[[case]]\nid = \"KZ-1\"\ncaseworker = \"cw\"\n")
            .unwrap();
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch().join("docket.toml");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .expect("write input");
    f.write_all(data).expect("write input");
    drop(f);
    let env = docket::config::Env {
        state_directory: Some(scratch().join("state")),
        euid: None,
    };
    let loaded = docket::config::load_with_env(&path, &env);
    let _ = loaded.diagnostics.to_string();
});
