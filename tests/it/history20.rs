//! Issue 20, item 4: history, restore, forget (SPEC 6). Not the ledger's
//! `docket history` (tests/it/daemon/history.rs): the versions of the
//! config files, as `docket log` shows them, `docket restore` puts them
//! back and `docket forget` removes them. Each pass is `docket run --once`
//! at a moment of its own (`--now`), so versions have distinct times.

use crate::util::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const V1: &str = r#"[[case]]
id = "KZ-0042"
caseworker = "aigerim"
person = "Dana Example"

  [[case.document]]
  kind = "refugee_certificate"
  number = "000123"
  issued = 2025-12-20
  expires = 2026-12-20
  status = "active"
"#;

fn setup(dir: &Path) -> std::path::PathBuf {
    let cfg = dir.join("docket.toml");
    std::fs::write(
        &cfg,
        format!(
            "{}\n[[caseworker]]\nid = \"aigerim\"\nname = \"Aigerim Test\"\nemail = \"aigerim@ngo.example\"\n",
            daemon_head("")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::create_dir(dir.join("cases.d")).unwrap();
    cfg
}

/// One pass at `hour`:00 UTC on 2026-12-06 (its exit code is not the
/// point: a held file makes it 0 or 78 alike).
fn pass(cfg: &Path, hour: u32) {
    let now = format!("2026-12-06T{hour:02}:00:00Z");
    let o = docket(
        cfg,
        &["--now", &now, "run", "--once", "--today", "2026-12-06"],
    );
    assert!(
        o.status.code().is_some_and(|c| c == 0 || c == 78),
        "{}",
        stderr(&o)
    );
}

fn write_case(dir: &Path, text: &str) {
    let p = dir.join("cases.d/kz-0042.toml");
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
}

/// Every file under `dir` whose bytes name `id` (ASCII case folded).
fn files_naming(dir: &Path, id: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(b) = std::fs::read(&p) {
                let lower = b.to_ascii_lowercase();
                let id = id.to_ascii_lowercase();
                if lower.windows(id.len()).any(|w| w == id.as_bytes()) {
                    out.push(p);
                }
            }
        }
    }
    out
}

#[test]
fn issue20_log_restore_forget_a_case_file_edited_broken_deleted() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let cfg = setup(dir);
    // v1, v2 (a status), v3 (broken: a day-first date, and a new
    // number), v4 (fixed), then deleted (v5).
    write_case(dir, V1);
    pass(&cfg, 5);
    let v2 = V1.replace(
        r#"status = "active""#,
        "status = \"renewal_filed\"\n  filed = 2026-12-01",
    );
    write_case(dir, &v2);
    pass(&cfg, 6);
    let v3 = v2
        .replace("issued = 2025-12-20", "issued = 20.12.2025")
        .replace("000123", "000999");
    write_case(dir, &v3);
    pass(&cfg, 7);
    let v4 = v3.replace("issued = 20.12.2025", "issued = 2025-12-21");
    write_case(dir, &v4);
    pass(&cfg, 8);
    std::fs::remove_file(dir.join("cases.d/kz-0042.toml")).unwrap();
    pass(&cfg, 9);

    // The log, newest first, in the service's zone.
    let o = docket(&cfg, &["log", "--case", "KZ-0042", "--format", "json"]);
    assert_exit(&o, 0);
    let rows = stdout_json(&o);
    let rows = rows.as_array().unwrap();
    let got: Vec<(u64, &str)> = rows
        .iter()
        .map(|r| (r["version"].as_u64().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (5, "removed"),
            (4, "applied"),
            (3, "held"),
            (2, "applied"),
            (1, "applied")
        ]
    );
    assert!(rows.iter().all(|r| r["file"] == "cases.d/kz-0042.toml"));
    assert_eq!(rows[4]["at"], "2026-12-06T10:00:00+05:00");
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8_lossy(&me.stdout).trim().to_string();
    assert_eq!(rows[1]["by"], me.as_str());
    assert_eq!(
        rows[0]["by"],
        serde_json::Value::Null,
        "who deleted is not known"
    );
    let change = |v: usize, field: &str| -> serde_json::Value {
        rows[5 - v]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == field)
            .cloned()
            .unwrap_or_else(|| panic!("no change of {field} in v{v}: {}", rows[5 - v]))
    };
    assert_eq!(
        change(2, "status"),
        serde_json::json!({"case": "KZ-0042", "item": "document", "kind": "refugee_certificate",
                           "field": "status", "from": "active", "to": "renewal_filed"})
    );
    assert_eq!(change(3, "issued")["to"], "20.12.2025");
    assert_eq!(change(4, "issued")["to"], "2025-12-21");
    // A document number is sensitive: it changed, and that is all the log says.
    assert_eq!(change(3, "number")["from"], "…");
    assert_eq!(change(3, "number")["to"], "…");
    let all = stdout(&o);
    for secret in ["000123", "000999", "Dana Example"] {
        assert!(!all.contains(secret), "{secret} in the log:\n{all}");
    }
    // The table says the same for people.
    let o = docket(&cfg, &["log", "cases.d/kz-0042.toml"]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("KZ-0042 document refugee_certificate: status active → renewal_filed"),
        "{}",
        stdout(&o)
    );

    // The admin's "no longer tracked" notice gives the command.
    let told = outbox_mails(&dir.join("outbox"))
        .into_iter()
        .find(|m| {
            m.header("To").is_some_and(|t| t.contains("it@ngo.example"))
                && m.header("Subject")
                    .is_some_and(|s| s.contains("no longer tracked"))
        })
        .expect("the admin is told");
    assert!(
        told.body.contains("docket restore cases.d/kz-0042.toml"),
        "{}",
        told.body
    );

    // Restore: the deleted file comes back as v4, its bytes and mode.
    let o = docket(&cfg, &["restore", "cases.d/kz-0042.toml"]);
    assert_exit(&o, 0);
    let back = dir.join("cases.d/kz-0042.toml");
    assert_eq!(std::fs::read_to_string(&back).unwrap(), v4);
    assert_eq!(
        std::fs::metadata(&back).unwrap().permissions().mode() & 0o7777,
        0o640
    );
    // An older one on stdout, the disk untouched; a version that is not kept.
    let o = docket(
        &cfg,
        &["restore", "--case", "KZ-0042", "--version", "1", "--stdout"],
    );
    assert_exit(&o, 0);
    assert_eq!(stdout(&o), V1);
    assert_eq!(std::fs::read_to_string(&back).unwrap(), v4);
    assert_exit(
        &docket(&cfg, &["restore", "--case", "KZ-0042", "--version", "9"]),
        78,
    );
    // Nothing differs from the disk now: nothing to restore (v4 is there,
    // the newest other one is v3, so that is what would come back).
    let o = docket(&cfg, &["restore", "cases.d/kz-0042.toml", "--stdout"]);
    assert_exit(&o, 0);
    assert_eq!(stdout(&o), v3);

    // Forget refuses while the case is in a file, naming it.
    let o = docket(&cfg, &["forget", "--case", "KZ-0042"]);
    assert_exit(&o, 78);
    assert!(
        stderr(&o).contains("cases.d/kz-0042.toml"),
        "{}",
        stderr(&o)
    );
    assert!(!files_naming(&dir.join("state"), "KZ-0042").is_empty());

    // Taken out (and seen gone by a pass), it is forgotten everywhere.
    std::fs::remove_file(&back).unwrap();
    pass(&cfg, 10);
    let o = docket(&cfg, &["forget", "--case", "KZ-0042"]);
    assert_exit(&o, 0);
    let left: Vec<_> = files_naming(&dir.join("state"), "KZ-0042")
        .into_iter()
        .chain(files_naming(&dir.join("outbox"), "KZ-0042"))
        .collect();
    assert!(left.is_empty(), "still naming the case: {left:?}");
    assert_exit(&docket(&cfg, &["log", "--case", "KZ-0042"]), 78);
    // The history itself is still there for other files.
    let o = docket(&cfg, &["log", "docket.toml", "--format", "json"]);
    assert_exit(&o, 0);
    assert_eq!(stdout_json(&o)[0]["version"], 1);
}

/// `by` is the owner's user name, and restore gives the file back to that
/// owner (root is needed to create the user and to chown).
#[test]
fn issue20_restore_puts_back_the_owner_as_root() {
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root");
        return;
    }
    let user = "docket-hist20-test";
    let o = std::process::Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "--user-group",
            user,
        ])
        .output()
        .expect("useradd");
    assert!(
        o.status.success() || o.status.code() == Some(9),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    let cfg = setup(dir);
    write_case(dir, V1);
    let p = dir.join("cases.d/kz-0042.toml");
    let st = std::process::Command::new("chown")
        .arg(format!("{user}:{user}"))
        .arg(&p)
        .status()
        .unwrap();
    assert!(st.success());
    pass(&cfg, 5);
    let o = docket(&cfg, &["log", "--format", "json", "cases.d/kz-0042.toml"]);
    assert_eq!(stdout_json(&o)[0]["by"], user);
    std::fs::remove_file(&p).unwrap();
    pass(&cfg, 6);
    assert_exit(&docket(&cfg, &["restore", "--case", "KZ-0042"]), 0);
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(&p).unwrap();
    let id = |flag: &str| -> u32 {
        let o = std::process::Command::new("id")
            .args([flag, user])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
    };
    assert_eq!((m.uid(), m.gid()), (id("-u"), id("-g")));
    assert_eq!(m.mode() & 0o7777, 0o640);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), V1);
}
