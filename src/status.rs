//! `state_dir/status.json`: what the running daemon has in effect, written
//! (atomically) after every reload and every pass, and read by
//! `docket status`. A file, not a socket: the daemon listens on nothing.
//!
//! It carries paths, case counts, problem locations with every value
//! masked, times and counts: never a name or a number.

use crate::config::live::State;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Status {
    pub written_at: DateTime<Utc>,
    pub pid: u32,
    pub config: PathBuf,
    pub files: Vec<FileLine>,
    pub last_reload: Option<Reload>,
    pub last_pass: Option<Pass>,
    pub next_pass: Option<DateTime<Utc>>,
    pub queued_digests: usize,
    pub oldest_queued_secs: Option<i64>,
    /// The ledger is kept in memory (the state directory cannot be written).
    pub ledger_in_memory: bool,
    /// How edits are noticed (absent in a status written by an older
    /// docket).
    #[serde(default)]
    pub watch: Option<Watch>,
}

/// How the daemon notices edits: `inotify`, or `polling` (looking at the
/// files every few seconds) while inotify cannot watch, with why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Watch {
    /// `inotify` or `polling`.
    pub mode: String,
    /// Why it polls (`None` with inotify).
    pub reason: Option<String>,
    /// Since when it polls.
    pub since: Option<DateTime<Utc>>,
    /// How often it looks at the files while polling.
    pub poll_every_secs: Option<u64>,
}

impl Watch {
    pub fn inotify() -> Watch {
        Watch {
            mode: "inotify".into(),
            reason: None,
            since: None,
            poll_every_secs: None,
        }
    }

    pub fn is_polling(&self) -> bool {
        self.mode == "polling"
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileLine {
    pub path: String,
    /// Written `in_effect`, `held` or `not_tracked` ([`State::as_str`]).
    pub state: State,
    pub cases: usize,
    /// For a held file: since when its version in effect is the good one.
    pub since: Option<String>,
    /// Where the version on disk is wrong, values masked.
    pub problems: Vec<String>,
    /// A file left out: since when, this time (absent when in effect, and
    /// in a status written by an older docket). What keeps a restart from
    /// telling the same held file again as new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out_at: Option<String>,
    /// Left out only because this directory's permissions are unsafe (the
    /// problem is the directory's, told to the admin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reload {
    pub at: DateTime<Utc>,
    pub result: ReloadResult,
    pub changes: String,
}

/// What became of a reload, as `status.json` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ReloadResult {
    /// Every file's version on disk is in effect: `applied`.
    #[serde(rename = "applied")]
    Applied,
    /// Some case files are left out (held or not tracked), the others
    /// apply: `partly applied`.
    #[serde(rename = "partly applied")]
    PartlyApplied,
    /// The main file has errors: its last good version stays in effect,
    /// the case files apply as they stand: `main file held`.
    #[serde(rename = "main file held")]
    MainFileHeld,
    /// Nothing applied (the config cannot be read at all, the templates
    /// or the new state directory are not usable): `rejected`.
    #[serde(rename = "rejected")]
    Rejected,
}

impl ReloadResult {
    /// As `status.json` and `docket status` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadResult::Applied => "applied",
            ReloadResult::PartlyApplied => "partly applied",
            ReloadResult::MainFileHeld => "main file held",
            ReloadResult::Rejected => "rejected",
        }
    }
}

impl std::fmt::Display for ReloadResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pass {
    pub at: DateTime<Utc>,
    pub digests_sent: usize,
    pub digests_failed: usize,
    pub reminders_sent: usize,
    pub error: Option<String>,
}

pub fn path_in(state_dir: &Path) -> PathBuf {
    state_dir.join("status.json")
}

pub fn write(state_dir: &Path, s: &Status) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(s).map_err(std::io::Error::other)?;
    crate::config::store::write_private(&path_in(state_dir), &bytes)
}

pub fn read(state_dir: &Path) -> std::io::Result<Status> {
    let bytes = std::fs::read(path_in(state_dir))?;
    serde_json::from_slice(&bytes).map_err(std::io::Error::other)
}

/// Is the process that wrote the status still running?
pub fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// `docket status` for people: times in local time in `tz`
/// (`service.timezone`), as people read them; `--format json` keeps
/// RFC 3339 for programs (issue 18, item 7).
pub fn render(s: &Status, now: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let when = |t: DateTime<Utc>| crate::clock::local_zoned(t, tz);
    let running = if alive(s.pid) {
        format!("running (pid {})", s.pid)
    } else {
        format!("NOT RUNNING (pid {} is gone)", s.pid)
    };
    let _ = writeln!(
        out,
        "docket: {running}; status written {}",
        when(s.written_at)
    );
    let _ = writeln!(out, "config: {}", s.config.display());
    if let Some(r) = &s.last_reload {
        let _ = writeln!(
            out,
            "last reload: {} ({}): {}",
            when(r.at),
            r.result,
            r.changes
        );
    }
    match &s.last_pass {
        Some(p) => {
            let _ = writeln!(
                out,
                "last pass: {}: {} digest(s) sent, {} failed, {} reminder(s){}",
                when(p.at),
                p.digests_sent,
                p.digests_failed,
                p.reminders_sent,
                p.error
                    .as_ref()
                    .map(|e| format!("; FAILED: {e}"))
                    .unwrap_or_default()
            );
        }
        None => out.push_str("last pass: none yet\n"),
    }
    if let Some(w) = s.watch.as_ref().filter(|w| w.is_polling()) {
        let _ = writeln!(
            out,
            "watching edits: POLLING every {} s{}: {}",
            w.poll_every_secs.unwrap_or(0),
            w.since
                .map(|t| format!(" since {}", when(t)))
                .unwrap_or_default(),
            w.reason.as_deref().unwrap_or("inotify cannot watch")
        );
    }
    if let Some(n) = s.next_pass {
        let _ = writeln!(out, "next pass: {}", when(n));
    }
    let _ = writeln!(
        out,
        "queued digests: {}{}",
        s.queued_digests,
        s.oldest_queued_secs
            .map(|a| format!(", the oldest for {}", age(a)))
            .unwrap_or_default()
    );
    if s.ledger_in_memory {
        out.push_str("ledger: IN MEMORY (the state directory cannot be written; a restart may repeat reminders)\n");
    }
    let in_effect = s
        .files
        .iter()
        .filter(|f| f.state == State::InEffect)
        .count();
    let cases: usize = s.files.iter().map(|f| f.cases).sum();
    let _ = writeln!(
        out,
        "files in effect: {in_effect} of {} ({cases} case(s))",
        s.files.len()
    );
    for f in s.files.iter().filter(|f| f.state != State::InEffect) {
        let what = match f.state {
            State::Held => format!(
                "HELD: the last good version{} is in effect",
                f.since
                    .as_ref()
                    .map(|s| format!(" (from {})", crate::clock::local_text(s, tz)))
                    .unwrap_or_default()
            ),
            _ => "NOT TRACKED: it was never good; its cases get no reminders".into(),
        };
        let _ = writeln!(out, "  {}: {what}", f.path);
        if let Some(d) = &f.directory {
            let _ = writeln!(
                out,
                "    because of its directory {d} (see the admin's mail)"
            );
        }
        for p in &f.problems {
            let _ = writeln!(out, "    {p}");
        }
    }
    if (now - s.written_at).num_hours() > 25 {
        out.push_str("warning: the status is more than a day old\n");
    }
    out
}

fn age(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: a file's state and a reload's result are types now; the
    /// file `status.json` writes the same strings as before, and one
    /// written before (by an older docket) reads the same.
    #[test]
    fn status_json_keeps_its_strings_for_file_state_and_reload_result() {
        for (state, text) in [
            (State::InEffect, "in_effect"),
            (State::Held, "held"),
            (State::NotTracked, "not_tracked"),
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), text);
            assert_eq!(state.as_str(), text);
            let read: State = serde_json::from_value(text.into()).unwrap();
            assert_eq!(read, state);
        }
        for (result, text) in [
            (ReloadResult::Applied, "applied"),
            (ReloadResult::PartlyApplied, "partly applied"),
            (ReloadResult::MainFileHeld, "main file held"),
            (ReloadResult::Rejected, "rejected"),
        ] {
            assert_eq!(serde_json::to_value(result).unwrap(), text);
            assert_eq!(result.to_string(), text);
            let read: ReloadResult = serde_json::from_value(text.into()).unwrap();
            assert_eq!(read, result);
        }
        // As written by docket before the types (issue 18's format).
        let old = r#"{"written_at":"2026-12-06T10:00:00Z","pid":1,"config":"/etc/docket/docket.toml",
            "files":[{"path":"docket.toml","state":"in_effect","cases":0,"since":null,"problems":[]},
                     {"path":"cases.d/a.toml","state":"held","cases":2,"since":"2026-12-01T10:00:00Z",
                      "problems":["x"],"left_out_at":"2026-12-05T10:00:00.000000Z"}],
            "last_reload":{"at":"2026-12-06T10:00:00Z","result":"main file held","changes":""},
            "last_pass":null,"next_pass":null,"queued_digests":0,"oldest_queued_secs":null,
            "ledger_in_memory":false,"watch":null}"#;
        let s: Status = serde_json::from_str(old).unwrap();
        assert_eq!(s.files[1].state, State::Held);
        assert_eq!(
            s.last_reload.as_ref().unwrap().result,
            ReloadResult::MainFileHeld
        );
        let again: serde_json::Value = serde_json::to_value(&s).unwrap();
        let old: serde_json::Value = serde_json::from_str(old).unwrap();
        assert_eq!(again, old, "written back the same");
    }
}
