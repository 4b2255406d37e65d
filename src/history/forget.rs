//! `docket forget --case ID`: every trace of a case that docket holds goes
//! (SPEC 6): kept versions that name it, last good copies, ledger rows,
//! calendar feed events, this user's index, and the file transport's
//! outbox messages. Refused while a config or case file still holds the
//! case: forgetting the ledger of a live case would send its reminders
//! again.

use super::commands::{settings, Args};
use super::store::History;
use crate::config::live::Live;
use crate::config::model::{Config, Transport};
use crate::failure::Failure;
use std::path::{Path, PathBuf};

/// What was removed, for the summary line.
#[derive(Debug, Default)]
struct Forgotten {
    versions: usize,
    copies: usize,
    reminders: usize,
    feed_events: usize,
    messages: usize,
    index: bool,
}

/// `docket forget --case ID`.
pub fn forget(a: &Args<'_>, id: &str) -> Result<(), Failure> {
    if id.trim().is_empty() {
        return Err(Failure::Usage("--case needs a case id".into()));
    }
    let cfg = settings(a.config)?;
    if let Some(file) = holder(a.config, id) {
        return Err(Failure::Config(format!(
            "docket: {file} still holds the case {id}: remove it from the file first (forgetting the reminders of a live case would send them again)"
        )));
    }
    let mut done = Forgotten::default();
    let state_dir = &cfg.service.state_dir;
    done.versions = forget_versions(state_dir, id)?;
    let store = crate::config::store::Store::new(state_dir, a.config);
    for rel in store.list() {
        if store.read(&rel).is_some_and(|t| names(t.as_bytes(), id)) {
            store.remove(&rel);
            done.copies += 1;
        }
    }
    if crate::ledger::Ledger::path_in(state_dir).exists() {
        let mut l =
            crate::ledger::Ledger::open(state_dir).map_err(|e| Failure::Runtime(e.into()))?;
        done.reminders = l.forget_case(id).map_err(|e| Failure::Runtime(e.into()))?;
    }
    done.feed_events = forget_feed_events(&cfg.service.feeds_dir, id)?;
    for dir in outboxes(&cfg) {
        done.messages += forget_messages(&dir, id)?;
    }
    done.index = crate::index::remove(a.config);
    println!(
        "docket: forgot the case {id}: {} kept version(s), {} last good cop(ies), {} ledger row(s), {} feed event(s), {} outbox message(s){}",
        done.versions,
        done.copies,
        done.reminders,
        done.feed_events,
        done.messages,
        if done.index { ", the index" } else { "" }
    );
    if let Some(git) = &cfg.service.git {
        // The repository's history is the forge's, and every clone's.
        println!(
            "docket: the git repository {} still holds the case in its history, and so does every clone: docket cannot reach them. Purge it there (doc/reference.md, \"Removing a case from the repository's history\")",
            git.repo.display()
        );
    }
    let left = still_named(&[state_dir.clone(), cfg.service.feeds_dir.clone()], id);
    if !left.is_empty() {
        let names: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
        return Err(Failure::Runtime(anyhow::anyhow!(
            "these files docket keeps still name the case (a daemon running may have written them since): {}",
            names.join(", ")
        )));
    }
    Ok(())
}

/// Does `bytes` name `id` (ASCII case folded, as ids are compared)?
fn names(bytes: &[u8], id: &str) -> bool {
    let id = id.as_bytes();
    !id.is_empty() && bytes.windows(id.len()).any(|w| w.eq_ignore_ascii_case(id))
}

/// The config or case file that holds the case now: on disk (as far as
/// a broken file can be read) or in effect (a held file's last good copy).
fn holder(config: &Path, id: &str) -> Option<String> {
    let env = crate::config::Env::from_process();
    let root = super::commands::root_of(config);
    let mut paths = vec![config.to_path_buf()];
    paths.extend(crate::config::included_files(config).unwrap_or_default());
    for p in &paths {
        let Some(text) = crate::config::read_small(p) else {
            continue;
        };
        let on_disk = crate::config::salvage::cases(&text)
            .iter()
            .any(|c| c.id.eq_ignore_ascii_case(id));
        if on_disk || bill_named(&text, id) {
            let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            return Some(p.strip_prefix(&root).unwrap_or(&p).display().to_string());
        }
    }
    let live = Live::load_in_effect(config, &env, false).ok()?;
    std::iter::once(&live.main)
        .chain(&live.files)
        .find(|f| f.cases.iter().any(|(c, _)| c.eq_ignore_ascii_case(id)))
        .map(|f| f.rel.clone())
        .or_else(|| {
            live.config
                .bill_index(id)
                .map(|_| "a [[bill]] in effect".to_string())
        })
}

/// A `[[bill]]` with this id in a text that parses.
fn bill_named(text: &str, id: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|t| {
        t.get("bill")
            .and_then(toml::Value::as_array)
            .is_some_and(|bills| {
                bills.iter().any(|b| {
                    b.get("id")
                        .and_then(toml::Value::as_str)
                        .is_some_and(|b| b.eq_ignore_ascii_case(id))
                })
            })
    })
}

/// Delete every kept version that names the case (a file left with only
/// its removal goes whole), then rewrite the file without free pages.
fn forget_versions(state_dir: &Path, id: &str) -> Result<usize, Failure> {
    let rt = |e: super::base::HistoryError| Failure::Runtime(e.into());
    if !super::store::path_in(state_dir).exists() {
        return Ok(0);
    }
    let mut h = History::open(state_dir).map_err(rt)?;
    let n = h
        .in_transaction(|h| {
            let mut n = 0;
            for f in h.files_with_case(id)? {
                let mut gone = h.versions_with_case(&f, id)?;
                let all = h.versions_of(&f)?;
                let left: Vec<_> = all.iter().filter(|v| !gone.contains(&v.version)).collect();
                // A file whose every remaining version is a removal (or
                // whose name is the id, `kz-0042.toml`) goes whole.
                if left.iter().all(|v| v.blob.is_none()) || names(f.as_bytes(), id) {
                    gone = all.iter().map(|v| v.version).collect();
                }
                n += gone.len();
                h.delete_versions(&f, &gone)?;
            }
            h.drop_unused_blobs()?;
            Ok(n)
        })
        .map_err(rt)?;
    h.vacuum().map_err(rt)?;
    Ok(n)
}

/// Remove the events that name the case from every calendar feed (the next
/// pass writes the feeds without them anyway). Lines are unfolded first: a
/// long line may be folded in the middle of the id.
fn forget_feed_events(dir: &Path, id: &str) -> Result<usize, Failure> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut n = 0;
    for e in rd.flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("ics") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let (kept, dropped) = without_events_naming(&text, id);
        if dropped > 0 {
            use std::os::unix::fs::PermissionsExt;
            let mode = e
                .metadata()
                .map_or(0o640, |m| m.permissions().mode() & 0o777);
            crate::sys::write_atomic(&p, kept.as_bytes(), mode, true).map_err(|e| {
                Failure::Runtime(
                    anyhow::Error::new(e).context(format!("cannot rewrite {}", p.display())),
                )
            })?;
            n += dropped;
        }
    }
    Ok(n)
}

/// `text` (an iCalendar file) without the VEVENTs that name `id`.
fn without_events_naming(text: &str, id: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut event: Option<String> = None;
    let mut dropped = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare == "BEGIN:VEVENT" {
            event = Some(String::new());
        }
        match &mut event {
            Some(ev) => {
                ev.push_str(line);
                if bare == "END:VEVENT" {
                    let unfolded = ev.replace("\r\n ", "").replace("\n ", "");
                    if names(unfolded.as_bytes(), id) {
                        dropped += 1;
                    } else {
                        out.push_str(ev);
                    }
                    event = None;
                }
            }
            None => out.push_str(line),
        }
    }
    if let Some(ev) = event {
        out.push_str(&ev);
    }
    (out, dropped)
}

/// The directories of the file transport (digests, and the admin's own).
fn outboxes(cfg: &Config) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if cfg.mail.transport == Transport::File {
        dirs.push(cfg.mail.dir.clone());
    }
    if let Some(m) = cfg.service.admin_mail.as_deref() {
        if m.transport == Transport::File && !dirs.contains(&m.dir) {
            dirs.push(m.dir.clone());
        }
    }
    dirs
}

/// Remove every `.eml` in `dir` that names the case: in its bytes, or
/// once quoted-printable and base64 parts (and encoded words) are decoded.
fn forget_messages(dir: &Path, id: &str) -> Result<usize, Failure> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut n = 0;
    for e in rd.flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("eml") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        if message_names(&bytes, id) {
            std::fs::remove_file(&p).map_err(|e| {
                Failure::Runtime(
                    anyhow::Error::new(e).context(format!("cannot remove {}", p.display())),
                )
            })?;
            n += 1;
        }
    }
    Ok(n)
}

/// Does a message name `id`, as sent or decoded?
fn message_names(bytes: &[u8], id: &str) -> bool {
    if names(bytes, id) {
        return true;
    }
    let text = String::from_utf8_lossy(bytes);
    let unsoft = text.replace("=\r\n", "").replace("=\n", "");
    if names(unsoft.as_bytes(), id) {
        return true;
    }
    // Base64 bodies: each run of lines made only of base64, decoded.
    let is_b64 = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
    };
    let mut run = String::new();
    for line in text.lines().chain(std::iter::once("")) {
        let l = line.trim_end_matches('\r');
        if is_b64(l) {
            run.push_str(l);
        } else if !run.is_empty() {
            if names(&base64_decode(&run), id) {
                return true;
            }
            run.clear();
        }
    }
    // Encoded words in headers: `=?utf-8?b?…?=`.
    text.split("?b?")
        .chain(text.split("?B?"))
        .skip(1)
        .any(|rest| names(&base64_decode(rest.split("?=").next().unwrap_or("")), id))
}

/// A lenient base64 decoder (stops at the first byte that is not one).
fn base64_decode(s: &str) -> Vec<u8> {
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
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = val(c) else { break };
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

/// Files under `dirs` that still name `id` (the check after forgetting).
fn still_named(dirs: &[PathBuf], id: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t)
                    if t.is_file()
                        && !out.contains(&p)
                        && std::fs::read(&p).is_ok_and(|b| message_names(&b, id)) =>
                {
                    out.push(p);
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_events_naming_the_case_are_dropped_even_when_folded() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:KZ-00\r\n 42 document\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:KZ-0043\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let (kept, n) = without_events_naming(ics, "kz-0042");
        assert_eq!(n, 1);
        assert!(
            kept.contains("KZ-0043") && !kept.contains("KZ-00\r\n 42"),
            "{kept}"
        );
        assert!(kept.starts_with("BEGIN:VCALENDAR") && kept.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn messages_naming_the_case_are_found_through_their_encodings() {
        assert!(message_names(b"Subject: [docket] KZ-0042 due", "KZ-0042"));
        assert!(message_names(b"body KZ-=\r\n0042 x", "KZ-0042"));
        // "case KZ-0042 is due" in base64.
        let b64 = b"Content-Transfer-Encoding: base64\r\n\r\nY2FzZSBLWi0wMDQyIGlzIGR1ZQ==\r\n";
        assert!(message_names(b64, "KZ-0042"));
        assert!(message_names(
            b"Subject: =?utf-8?b?Y2FzZSBLWi0wMDQyIGlzIGR1ZQ==?=",
            "KZ-0042"
        ));
        assert!(!message_names(b"Subject: KZ-0043", "KZ-0042"));
    }
}
