//! Metrics without a listening port: after each pass docket writes a
//! node_exporter textfile-collector file (`[service] metrics_file`), which
//! node_exporter serves with everything else of the host. The unit keeps
//! `SocketBindDeny=any`.
//!
//! Counts and times only: no case reference, no name, no address. The
//! reload metrics follow Alertmanager's `config_last_reload_successful`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// What one file of metrics says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    pub version: String,
    pub tzdata: String,
    /// Unix seconds of the last pass's end (0: none yet).
    pub last_pass: i64,
    pub last_pass_ok: bool,
    pub last_pass_seconds: f64,
    pub next_pass: Option<i64>,
    /// Since the daemon started.
    pub digests_sent: u64,
    pub digests_failed: u64,
    /// Reminders sent since start, by step (`30d`, `overdue`, `review`, …).
    pub reminders_by_step: BTreeMap<String, u64>,
    pub digests_queued: u64,
    /// Seconds the oldest queued digest has waited (0: none queued).
    pub oldest_queued_seconds: i64,
    pub cases: u64,
    pub bills: u64,
    pub caseworkers: u64,
    pub files_in_effect: u64,
    pub files_held: u64,
    pub files_not_tracked: u64,
    pub last_reload_ok: bool,
    /// Unix seconds of the last successful reload (or the start).
    pub last_reload_success: i64,
    pub feed_events: u64,
    /// Edits are noticed by looking at the files every few seconds, as
    /// inotify cannot watch (a limit reached).
    pub watch_polling: bool,
}

/// The metrics in the Prometheus text format (version 0.0.4).
pub fn render(m: &Metrics) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let one = |v: String| vec![(String::new(), v)];
    let b = |v: bool| if v { "1" } else { "0" }.to_string();
    metric(
        "docket_build_info",
        "gauge",
        "docket's version and the tz database it carries.",
        &[(
            format!(
                "{{version=\"{}\",tzdata=\"{}\"}}",
                esc(&m.version),
                esc(&m.tzdata)
            ),
            "1".into(),
        )],
    );
    metric(
        "docket_last_pass_timestamp_seconds",
        "gauge",
        "When the last pass ended (Unix time).",
        &one(m.last_pass.to_string()),
    );
    metric(
        "docket_last_pass_success",
        "gauge",
        "1 if the last pass sent everything it had to, 0 if it failed or left a digest queued.",
        &one(b(m.last_pass_ok)),
    );
    metric(
        "docket_last_pass_duration_seconds",
        "gauge",
        "How long the last pass took.",
        &one(format!("{:.3}", m.last_pass_seconds)),
    );
    if let Some(n) = m.next_pass {
        metric(
            "docket_next_pass_timestamp_seconds",
            "gauge",
            "When the next scheduled pass is due (Unix time).",
            &one(n.to_string()),
        );
    }
    metric(
        "docket_digests_sent_total",
        "counter",
        "Digests the relay accepted since docket started.",
        &one(m.digests_sent.to_string()),
    );
    metric(
        "docket_digests_failed_total",
        "counter",
        "Failed digest sends since docket started (each is kept queued and retried).",
        &one(m.digests_failed.to_string()),
    );
    let steps: Vec<(String, String)> = m
        .reminders_by_step
        .iter()
        .map(|(s, n)| (format!("{{step=\"{}\"}}", esc(s)), n.to_string()))
        .collect();
    metric(
        "docket_reminders_sent_total",
        "counter",
        "Reminders sent since docket started, by step (lead days such as 30d, overdue, review, stage, unblocked).",
        &steps,
    );
    metric(
        "docket_digests_queued",
        "gauge",
        "Digests waiting to be sent.",
        &one(m.digests_queued.to_string()),
    );
    metric(
        "docket_oldest_queued_digest_age_seconds",
        "gauge",
        "How long the oldest queued digest has waited (0 when none is queued).",
        &one(m.oldest_queued_seconds.to_string()),
    );
    metric(
        "docket_cases",
        "gauge",
        "Cases in effect.",
        &one(m.cases.to_string()),
    );
    metric(
        "docket_bills",
        "gauge",
        "Bills in effect.",
        &one(m.bills.to_string()),
    );
    metric(
        "docket_caseworkers",
        "gauge",
        "Caseworkers in the config.",
        &one(m.caseworkers.to_string()),
    );
    metric(
        "docket_config_files",
        "gauge",
        "Config files by state: in effect, held back at their last good version, not tracked.",
        &[
            (
                "{state=\"in_effect\"}".into(),
                m.files_in_effect.to_string(),
            ),
            ("{state=\"held\"}".into(), m.files_held.to_string()),
            (
                "{state=\"not_tracked\"}".into(),
                m.files_not_tracked.to_string(),
            ),
        ],
    );
    metric(
        "docket_config_last_reload_successful",
        "gauge",
        "1 if the last reload took every file as it is on disk, 0 if a file was held back or not tracked.",
        &one(b(m.last_reload_ok)),
    );
    metric(
        "docket_config_last_reload_success_timestamp_seconds",
        "gauge",
        "When the config was last loaded with every file in effect (Unix time).",
        &one(m.last_reload_success.to_string()),
    );
    metric(
        "docket_config_watch_polling",
        "gauge",
        "1 while edits are noticed by looking at the files every few seconds because inotify cannot watch (see docket status), 0 with inotify.",
        &one(b(m.watch_polling)),
    );
    metric(
        "docket_feed_events",
        "gauge",
        "Events in the calendar feeds written by the last pass.",
        &one(m.feed_events.to_string()),
    );
    out
}

/// A label value, escaped as the text format wants.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Write `text` to `path` atomically (a temporary file beside it, renamed
/// over it), mode 0644: node_exporter must never read half a file.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    // 0644: node_exporter runs as another user.
    crate::sys::write_atomic(path, text.as_bytes(), 0o644, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_help_and_type_and_no_case_references() {
        let mut m = Metrics {
            version: "0.1.0".into(),
            tzdata: "2025b".into(),
            last_pass_ok: true,
            ..Metrics::default()
        };
        m.reminders_by_step.insert("30d".into(), 3);
        m.reminders_by_step.insert("overdue".into(), 1);
        let text = render(&m);
        let names: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split(['{', ' ']).next().unwrap())
            .collect();
        for n in &names {
            assert!(text.contains(&format!("# TYPE {n} ")), "{n}");
            assert!(text.contains(&format!("# HELP {n} ")), "{n}");
        }
        assert!(text.contains("docket_reminders_sent_total{step=\"30d\"} 3\n"));
        assert!(text.contains("docket_last_pass_success 1\n"));
        assert!(!text.contains("KZ-"));
    }
}
