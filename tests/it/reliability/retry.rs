//! Retries after transient failures, with capped backoff.

use super::{dead_relay, outage_config, run_once, OUT_D};
use crate::util::{unique_tag, Daemon};

/// Transient failures are retried with backoff: 1 minute after the first
/// failure, doubling, capped at an hour; a long-running daemon does not
/// retry before that (no hot loop against a dead relay).
#[test]
fn retry_backoff_doubles_from_a_minute_and_is_capped_at_an_hour() {
    let tag = unique_tag();
    let from = format!("docket-backoff-{tag}@ngo.example");
    let tmp = tempfile::tempdir().unwrap();
    let cfg = outage_config(
        tmp.path(),
        &tag,
        &dead_relay(&from),
        "schedule = \"0 0 9 1 1 *\"",
    );
    let ledger = tmp.path().join("state").join("ledger.sqlite3");
    // (attempts, next_attempt) of A's 6d row, from the ledger file.
    let retry_of_a = || -> (u32, chrono::DateTime<chrono::Utc>) {
        let c = rusqlite::Connection::open_with_flags(
            &ledger,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let (n, at): (u32, String) = c
            .query_row(
                "SELECT attempts, next_attempt FROM reminders WHERE case_ref LIKE '%-A' AND step = '6d'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        (n, chrono::DateTime::parse_from_rfc3339(&at).unwrap().into())
    };

    // The daemon proper: one failed pass, then it waits.
    let log_path = tmp.path().join("daemon.log");
    // With --today the daemon's clock runs on that day (at the real time of
    // day), so retry times are compared on that day too.
    let on_day = |t: chrono::DateTime<chrono::Utc>| {
        chrono::NaiveDate::parse_from_str(OUT_D[0], "%Y-%m-%d")
            .unwrap()
            .and_time(t.time())
            .and_utc()
    };
    let started = chrono::Utc::now();
    let mut d = Daemon::spawn(
        &cfg,
        &["run", "--today", OUT_D[0]],
        &[("DOCKET_LOG", "info")],
        log_path,
    );
    d.wait_log("pass done", 1);
    let up_at = chrono::Utc::now();
    // After the failed pass the loop waits for the retry: a hot loop would
    // run pass after pass instead of saying how long it waits.
    let log = d.wait_log("waiting for the next retry", 1);
    assert!(
        log.contains("retry_in_secs=59") || log.contains("retry_in_secs=60"),
        "the first retry is a minute away:\n{log}"
    );
    assert!(d.alive(), "the daemon died on a dead relay:\n{log}");
    assert_eq!(d.stop().code(), Some(0), "{}", d.log());
    assert_eq!(
        log.matches("send failed; kept queued").count(),
        2,
        "retried before the backoff expired:\n{log}"
    );
    let (n, at) = retry_of_a();
    assert_eq!(n, 1);
    let lo = on_day(started) + chrono::Duration::seconds(59);
    let hi = on_day(up_at) + chrono::Duration::seconds(61);
    assert!(
        lo <= at && at <= hi,
        "first retry at {at}, not a minute after the pass ({started}..{up_at})"
    );

    // Scheduled passes retry every queued digest; each failure doubles the
    // wait, up to an hour.
    for (attempts, secs) in [
        (2, 120),
        (3, 240),
        (4, 480),
        (5, 960),
        (6, 1920),
        (7, 3600),
        (8, 3600),
    ] {
        let before = chrono::Utc::now();
        run_once(&cfg, OUT_D[0], 1);
        let after = chrono::Utc::now();
        let (n, at) = retry_of_a();
        assert_eq!(n, attempts);
        let lo = on_day(before) + chrono::Duration::seconds(secs - 1);
        let hi = on_day(after) + chrono::Duration::seconds(secs + 1);
        assert!(
            lo <= at && at <= hi,
            "after {attempts} failures the next try is at {at}, not {secs} s after the pass ({before}..{after})"
        );
    }
}
