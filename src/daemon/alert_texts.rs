//! The alerts to the operator (`service.admin`), each with the key that
//! makes it once-only, and the keys of the notices about files: every key
//! docket records in the ledger's `alerts` table is built here, so what a
//! key names (and so how often its alert goes out) is read in one place.
//! The words are English (the admin's language; SPEC 9) and carry
//! Message-IDs, caseworker ids, case references, paths and errors: never
//! names.
//!
//! # Keys and the purge
//!
//! The daily purge forgets an alert recorded before the ledger's horizon
//! (the one reminders are purged at, [`super::compose::horizon`]). That is
//! safe because every key is one of:
//!
//! - **dated**: the day (or the few days' period) is part of the key
//!   (`pass-failed:<kind>:<day>`, `scheduler-restart:<day>`,
//!   `untracked:…:<day>`, `file-held:…:<period>…`): a day past the horizon
//!   never comes again;
//! - **episodic**: the key names the moment its episode began, and is only
//!   asked at that moment (`reload:<ts>`, `ledger-damaged:<ts>`,
//!   `ledger-on-disk:<ts>`, `ledger-set-aside:<file with its time>`,
//!   `watch-polling:<ts>`, `watch-recovered:<ts>`, `file-fixed:<file>:<ts>`,
//!   `orphan:<Message-ID>`: a cancelled digest is never cancelled again;
//!   `dir-unsafe:<dir>:<ts>` and `dir-fixed:<dir>:<ts>`, the episode being
//!   when the directory's files were first left out for it: asked on every
//!   pass while it lasts, so one that outlasts the horizon is told once
//!   more, as a held file is told again every few days);
//! - **about a digest** ([`Alert::about_digest`], `<what>:<Message-ID>`,
//!   `failed:` and `stale:`): asked on every pass while the digest stays
//!   queued, which can outlast the horizon. The purge keeps such a key
//!   while its digest is queued (see [`crate::ledger::Ledger::purge`]), so
//!   it stays once-only;
//! - **about content still on disk** (`near-miss:<file>:<hash>`, and
//!   `file-fixed:<file>:<hash>` from a status written by an older docket):
//!   asked again only at a reload while the same bytes are still there. Once
//!   purged, a near-miss still there after the horizon (at least 31 days)
//!   is told once more, like a held file is told again every few days.
//!   `ledger-in-memory:<dir>` is asked at start-up, when the ledger (and its
//!   alerts) is in memory and empty anyway.

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Display;
use std::path::Path;

/// One alert: logged always, mailed to the admin once per `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// What makes it once-only (see the module's doc for the kinds).
    pub key: String,
    /// After "[docket] admin: ".
    pub subject: String,
    pub body: String,
}

impl Alert {
    /// An alert about one digest: its key is `<what>:<Message-ID>`, the
    /// form the ledger's purge recognises to keep it while the digest is
    /// queued.
    fn about_digest(what: &str, message_id: &str, subject: &str, body: String) -> Alert {
        Alert {
            key: format!("{what}:{message_id}"),
            subject: subject.into(),
            body,
        }
    }

    /// A pass failed as a whole (not a damaged ledger): once per `kind`
    /// of failure (`DaemonError::kind`) a day.
    pub fn pass_failed(
        kind: &str,
        e: &dyn Display,
        today: NaiveDate,
        retry_at: DateTime<Utc>,
        state_dir: &Path,
    ) -> Alert {
        Alert {
            key: format!("pass-failed:{kind}:{today}"),
            subject: "a pass failed".into(),
            body: format!(
                "A pass of docket failed:\n\n  {e}\n\nNothing is lost: every digest that was due stays queued and is retried (next try {retry_at}, then with a growing wait). Fix the cause; for a full disk, free space in {}.",
                state_dir.display()
            ),
        }
    }

    /// A queued digest whose caseworker left the config was cancelled.
    pub fn orphan(o: &super::compose::Orphan) -> Alert {
        Alert {
            key: format!("orphan:{}", o.message_id),
            subject: "a queued digest was cancelled".into(),
            body: format!(
                "The queued digest {} to caseworker {} was cancelled: {} is no longer in the config, and docket keeps no addresses in its ledger.\n{} reminder(s) for case(s) {} were not sent. If these cases moved to another caseworker, that caseworker gets them on the next pass.",
                o.message_id,
                o.recipient,
                o.recipient,
                o.rows,
                o.cases.join(", ")
            ),
        }
    }

    /// A pass found the ledger damaged and replaced it (`note`: how).
    pub fn ledger_damaged(now: DateTime<Utc>, e: &dyn Display, note: &str) -> Alert {
        Alert {
            key: format!("ledger-damaged:{}", now.timestamp()),
            subject: "the ledger was damaged and has been replaced".into(),
            body: format!(
                "A pass found the ledger damaged ({e}); {note}.\nReminders go on; the ones sent recently may be sent once more."
            ),
        }
    }

    /// An in-memory ledger moved back to disk.
    pub fn ledger_on_disk(now: DateTime<Utc>, dir: &Path) -> Alert {
        Alert {
            key: format!("ledger-on-disk:{}", now.timestamp()),
            subject: "the ledger is on disk again".into(),
            body: format!(
                "docket could write {} again and moved its ledger back to disk.",
                dir.display()
            ),
        }
    }

    /// At start-up: the ledger was damaged, set aside, and a fresh one
    /// started.
    pub fn ledger_set_aside(set_aside: &Path, reason: &str, state_dir: &Path) -> Alert {
        Alert {
            key: format!("ledger-set-aside:{}", set_aside.display()),
            subject: "the ledger was damaged and has been replaced".into(),
            body: format!(
                "docket found its ledger damaged ({reason}).\n\nThe damaged file was kept as {} for inspection, and a fresh ledger was started in {}.\nReminders go on; the ones sent recently may be sent once more, because the fresh ledger does not know them.",
                set_aside.display(),
                state_dir.display()
            ),
        }
    }

    /// At start-up: the state directory cannot be written; the ledger is
    /// kept in memory.
    pub fn ledger_in_memory(state_dir: &Path, reason: &str) -> Alert {
        Alert {
            key: format!("ledger-in-memory:{}", state_dir.display()),
            subject: format!("the state directory {} cannot be written", state_dir.display()),
            body: format!(
                "docket cannot keep its ledger in {}: {reason}.\n\nReminders go on, recorded in memory only: after a restart they may be sent again. Fix the directory (space, permissions, a read-only mount); docket moves the ledger back to disk on the next pass that can.",
                state_dir.display()
            ),
        }
    }

    /// The server refused a digest for good (it stays queued).
    pub fn undeliverable(message_id: &str, recipient: &str, message: &str) -> Alert {
        Alert::about_digest(
            "failed",
            message_id,
            "a digest could not be delivered",
            format!(
                "The digest {message_id} to caseworker {recipient} was refused or could not be sent:\n\n  {message}\n\nIt stays queued and is retried; fix the cause (see `journalctl -u docket`)."
            ),
        )
    }

    /// A digest unsent for longer than `service.alert_after_hours`.
    pub fn stale(message_id: &str, recipient: &str, last_error: &str, hours: u32) -> Alert {
        Alert::about_digest(
            "stale",
            message_id,
            "a digest is still unsent",
            format!(
                "The digest {message_id} to caseworker {recipient} has been unsent for more than {hours} hours.\nLast error: {last_error}\nIt stays queued and is retried."
            ),
        )
    }

    /// A reload was rejected as a whole (`why`, without a final stop).
    pub fn reload_rejected(now: DateTime<Utc>, why: &str) -> Alert {
        Alert {
            key: format!("reload:{}", now.timestamp()),
            subject: "config reload rejected".into(),
            body: format!("{why}.\n\ndocket keeps running with the previous config."),
        }
    }

    /// The schedule of a reloaded config could not be started: once a day
    /// (issue 19: the key had no date, so it went out once per ledger).
    pub fn scheduler_restart(today: NaiveDate, e: &dyn Display) -> Alert {
        Alert {
            key: format!("scheduler-restart:{today}"),
            subject: "the new schedule could not be started".into(),
            body: format!("The new schedule could not be started ({e}); the previous schedule stays in effect."),
        }
    }

    /// inotify cannot watch: edits are noticed by polling since `since`.
    pub fn watch_polling(
        since: DateTime<Utc>,
        reason: &str,
        check_secs: u64,
        retry_secs: u64,
    ) -> Alert {
        // The fix for the reason given: a limit is raised; a directory
        // docket may not read is made readable to it.
        let fix = if reason.contains("limit") {
            "To fix it, raise the limit (for example `sysctl fs.inotify.max_user_instances=1024` or `sysctl fs.inotify.max_user_watches=524288`, and the same in /etc/sysctl.d/), or stop the program that uses up the inotify instances or watches of docket's user."
        } else {
            "To fix it, make the directory named above readable to docket's user (for a case repository: add docket to the forge's group and make the repository group-readable; see the reference, \"Cases in a git repository\")."
        };
        Alert {
            key: format!("watch-polling:{}", since.timestamp()),
            subject: "edits are noticed by polling, not watched".into(),
            body: format!(
                "docket cannot watch the config files for edits: {reason}.\n\n\
                 Until it can, it looks at the config files every {check_secs} seconds instead, so edits still take effect within a few seconds. \
                 It tries to watch again every {retry_secs} seconds and on SIGHUP, and tells you when watching works again.\n\n{fix}"
            ),
        }
    }

    /// Watching works again after polling since `since` (Unix seconds).
    pub fn watch_recovered(since: i64) -> Alert {
        Alert {
            key: format!("watch-recovered:{since}"),
            subject: "edits are watched again".into(),
            body: "docket watches the config files for edits again (inotify); it no longer looks at them every few seconds.".into(),
        }
    }

    /// A notice about files (see [`key`]) as the admin gets it.
    /// A case directory whose permissions keep the files under it out:
    /// one alert for the directory, with the command that fixes it.
    pub fn dir_unsafe(
        dir: &Path,
        problem: &str,
        fix: &str,
        held: &[&str],
        new: &[&str],
        episode: Option<&str>,
        repository: bool,
    ) -> Alert {
        let list = |v: &[&str]| v.iter().map(|f| format!("  {f}\n")).collect::<String>();
        let what = if repository {
            "The case repository cannot be read, so docket does not read the files in it"
        } else {
            "A case directory is not safe, so docket does not read the files in it"
        };
        let mut body = format!(
            "{what}:\n\n  {problem}\n\nFix it with:\n\n  {fix}\n\ndocket notices the fix on its own (no reload needed). Until then:\n"
        );
        if !held.is_empty() {
            body += &format!(
                "\nThese files keep their last good versions (their reminders go on as before; a change to them waits for the fix):\n{}",
                list(held)
            );
        }
        if !new.is_empty() {
            body += &format!(
                "\nThese files have no good version yet and are not tracked:\n{}",
                list(new)
            );
        }
        body +=
            "\nThe caseworkers are not told: the problem is the directory's (or the repository's), not their files'.\n";
        Alert {
            key: format!("dir-unsafe:{}:{}", dir.display(), episode.unwrap_or("-")),
            subject: if repository {
                format!("the case repository cannot be read: {}", dir.display())
            } else {
                format!(
                    "a case directory can be changed by others: {}",
                    dir.display()
                )
            },
            body,
        }
    }

    /// A directory that kept files out is safe again.
    pub fn dir_fixed(
        dir: &str,
        episode: Option<&str>,
        files: usize,
        still: &[&str],
        repository: bool,
    ) -> Alert {
        let (what, state) = if repository {
            ("The case repository", "can be read again")
        } else {
            ("The directory", "is safe again")
        };
        let mut body = format!(
            "{what} {dir} {state}: docket reads the {files} file(s) in it again, and the changes made meanwhile are in effect.\n"
        );
        if !still.is_empty() {
            body += &format!(
                "\nThese still have errors of their own (their caseworkers are told):\n{}",
                still.iter().map(|f| format!("  {f}\n")).collect::<String>()
            );
        }
        Alert {
            key: format!("dir-fixed:{dir}:{}", episode.unwrap_or("-")),
            subject: if repository {
                format!("the case repository can be read again: {dir}")
            } else {
                format!("a case directory is safe again: {dir}")
            },
            body,
        }
    }

    pub fn notice(key: &str, n: super::notice_texts::Notice) -> Alert {
        Alert {
            key: key.to_string(),
            subject: n.subject,
            body: n.body,
        }
    }
}

/// The keys of the notices about files, told to caseworkers (each under
/// `<key>:<caseworker id>`) and to the admin (under `<key>`).
pub mod key {
    /// A file left out, in its period (`d<day>` while not tracked, the
    /// number of the [`super::super::notices::REMIND_EVERY_DAYS`] period
    /// while held) and its episode (`episode`: since when it is left out).
    pub fn file_held(
        rel: &str,
        problems_hash: &str,
        period: &str,
        episode: Option<&str>,
    ) -> String {
        format!(
            "file-held:{rel}:{problems_hash}:{period}{}",
            episode_tag(episode)
        )
    }

    /// A file fixed: by the episode that ends (when it began), else (a
    /// status written by an older docket) by the content now in effect.
    pub fn file_fixed(rel: &str, episode: Option<&str>, disk_hash: Option<&str>) -> String {
        match episode {
            Some(at) => format!("file-fixed:{rel}:{at}"),
            None => format!("file-fixed:{rel}:{}", disk_hash.unwrap_or("")),
        }
    }

    /// A file that looks like a case file but is not read, by its content.
    pub fn near_miss(rel: &str, content_hash: &str) -> String {
        format!("near-miss:{rel}:{content_hash}")
    }

    /// Cases no longer tracked, told on `today`; `to`: a caseworker id, or
    /// None for the admin.
    pub fn untracked(refs: &[&str], today: chrono::NaiveDate, to: Option<&str>) -> String {
        let refs = refs.join(",");
        match to {
            Some(cw) => format!("untracked:{refs}:{today}:{cw}"),
            None => format!("untracked:{refs}:{today}"),
        }
    }

    /// The part of a key that names the episode ("" when unknown).
    fn episode_tag(at: Option<&str>) -> String {
        at.map(|a| format!(":{a}")).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19: the key had no date, so a schedule that could not be
    /// started was told once per ledger, never again.
    #[test]
    fn scheduler_restart_alert_is_once_a_day() {
        let e = tokio_cron_scheduler::JobSchedulerError::CantAdd;
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let a = Alert::scheduler_restart(day(6), &e);
        assert_eq!(a.key, "scheduler-restart:2026-12-06");
        assert_ne!(a.key, Alert::scheduler_restart(day(7), &e).key);
        assert_eq!(a.subject, "the new schedule could not be started");
    }

    /// The purge keeps an alert about a digest by this form.
    #[test]
    fn digest_alerts_are_keyed_by_message_id() {
        assert_eq!(
            Alert::undeliverable("<m@d>", "a", "550").key,
            "failed:<m@d>"
        );
        assert_eq!(Alert::stale("<m@d>", "a", "", 24).key, "stale:<m@d>");
    }
}
