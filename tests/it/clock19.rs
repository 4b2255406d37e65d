//! Issue 19, "one clock": the date and time come from one clock, made at
//! the edge from `--today` and `--now` (or the system's clock) and passed
//! down. Nothing else asks the system (a scan of the sources), and a
//! moment given on the command line reaches what the daemon writes and
//! what the commands judge.

use crate::digest::{fixture, D};
use crate::util::*;
use std::path::Path;

/// Every `DTSTAMP:` value of a feed, read line by line.
fn stamps(feed: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(feed).unwrap();
    let stamps: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("DTSTAMP:"))
        .map(str::to_string)
        .collect();
    assert!(!stamps.is_empty(), "no DTSTAMP in {}", feed.display());
    stamps
}

/// The lines of a source file outside `#[cfg(test)]` items, numbered.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let (mut skipping, mut depth, mut opened) = (false, 0i64, false);
    for (i, line) in text.lines().enumerate() {
        if !skipping && line.trim_start().starts_with("#[cfg(test)]") {
            (skipping, depth, opened) = (true, 0, false);
            continue;
        }
        if skipping {
            depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
            opened |= line.contains('{');
            if (opened && depth <= 0) || (!opened && line.trim_end().ends_with(';')) {
                skipping = false;
            }
            continue;
        }
        out.push((i + 1, line));
    }
    out
}

/// Nothing outside src/clock.rs asks the system for the date or time
/// (unit tests may; sys.rs's random fallback takes the time as entropy,
/// not as a date).
#[test]
fn issue19_one_clock_utc_now_only_in_clock_rs() {
    let mut found = Vec::new();
    let mut todo = vec![repo().join("src")];
    while let Some(p) = todo.pop() {
        if p.is_dir() {
            todo.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|x| x != "rs") || p.ends_with("src/clock.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for (n, line) in non_test_lines(&text) {
            let code = line.split("//").next().unwrap_or_default();
            let date = ["Utc::now", "Local::now", "Utc::today", "Local::today"]
                .iter()
                .any(|w| code.contains(w));
            let system = code.contains("SystemTime::now") && !p.ends_with("src/sys.rs");
            if date || system {
                found.push(format!("{}:{n}: {}", p.display(), line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the time asked of the system outside src/clock.rs (take it from the Clock):\n{}",
        found.join("\n")
    );
}

/// `--now` (with `--today` setting the day) reaches what a pass writes:
/// the feed's stamps, the ledger's times, status.json; and `docket
/// status` judges the status's age by it.
#[test]
fn issue19_one_clock_now_reaches_the_feed_ledger_and_status() {
    let (tmp, cfg) = fixture("en");
    let state = tmp.path().join("state");
    let at = "2026-11-20T09:00:00Z";
    // `--today` sets the day, `--now` the time of day.
    let o = docket(&cfg, &["run", "--once", "--today", D, "--now", at]);
    assert_exit(&o, 0);
    // The clock moves on from 09:00:00 while the pass runs: minutes at
    // most, never the wall clock's hour.
    let on_d = "2026-12-01T09:";
    for s in stamps(&state.join("feeds/aigerim.ics")) {
        assert!(s.starts_with("20261201T09"), "DTSTAMP {s}");
    }
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(state.join("status.json")).unwrap()).unwrap();
    for t in [&status["written_at"], &status["last_pass"]["at"]] {
        assert!(t.as_str().unwrap().starts_with(on_d), "{status:#}");
    }
    let h = docket(&cfg, &["history", "--format", "json"]);
    assert_exit(&h, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&h)).unwrap();
    assert!(!rows.is_empty());
    for r in &rows {
        for k in ["recorded_at", "sent_at"] {
            let t = r[k].as_str().unwrap_or_else(|| panic!("{k}: {r:#}"));
            // As people read it: local time in Asia/Almaty (UTC+5).
            assert!(
                t.starts_with("2026-12-01T09:") || t.starts_with("2026-12-01 14:"),
                "{k}: {r:#}"
            );
        }
    }
    // `docket status` (the daemon is not running: exit 1) says the status
    // is old by the clock it is given, not by the system's.
    let old = "warning: the status is more than a day old";
    let fresh = docket(&cfg, &["status", "--now", "2026-12-01T12:00:00Z"]);
    assert_exit(&fresh, 1);
    assert!(!stdout(&fresh).contains(old), "{}", stdout(&fresh));
    let stale = docket(&cfg, &["status", "--now", "2026-12-03T12:00:00Z"]);
    assert_exit(&stale, 1);
    assert!(stdout(&stale).contains(old), "{}", stdout(&stale));
}

/// What two runs on the same day print alike: all of it but a message's
/// Message-ID, MIME boundaries and Date header (the moment it was made),
/// so of a preview the headers that carry the day: To and Subject.
fn same(o: &std::process::Output) -> String {
    let out = stdout(o);
    if !out.starts_with("From: ") {
        return out;
    }
    out.lines()
        .filter(|l| l.starts_with("To: ") || l.starts_with("Subject: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Without `--today`, the day is `--now`'s in `service.timezone`
/// (Asia/Almaty, UTC+5): 20:00 UTC on 30 November is already 1 December
/// there; 18:00 UTC is not.
#[test]
fn issue19_one_clock_now_sets_today_in_the_service_timezone() {
    let (_tmp, cfg) = fixture("en");
    for (now, day) in [
        ("2026-11-30T20:00:00Z", "2026-12-01"),
        ("2026-11-30T18:00:00Z", "2026-11-30"),
    ] {
        for args in [
            &["upcoming", "--days", "3", "--format", "json"][..],
            &["preview"][..],
            &["check"][..],
        ] {
            let by_now = docket(&cfg, &[args, &["--now", now]].concat());
            let by_day = docket(&cfg, &[args, &["--today", day]].concat());
            assert_eq!(by_now.status.code(), by_day.status.code(), "{args:?} {now}");
            assert_eq!(same(&by_now), same(&by_day), "{args:?} {now}");
            assert_eq!(stderr(&by_now), stderr(&by_day), "{args:?} {now}");
        }
    }
    // The two days differ, so the comparison above says something.
    let a = docket(
        &cfg,
        &["upcoming", "--days", "3", "--now", "2026-11-30T20:00:00Z"],
    );
    let b = docket(
        &cfg,
        &["upcoming", "--days", "3", "--now", "2026-11-30T18:00:00Z"],
    );
    assert_ne!(stdout(&a), stdout(&b));
}
