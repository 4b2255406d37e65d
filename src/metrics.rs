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
///
/// Written in three groups, in the order the file has always had (the
/// pass, the sending, what is in effect), so that the text stays the same
/// byte for byte for whoever scrapes or diffs it.
pub fn render(m: &Metrics) -> String {
    let mut out = Text::default();
    pass_metrics(&mut out, m);
    sending_metrics(&mut out, m);
    in_effect_metrics(&mut out, m);
    out.0
}

/// The text being written. Every metric goes through [`Text::metric`], so
/// none can lack its `# HELP` and `# TYPE` lines, which node_exporter's
/// textfile collector and promtool require.
#[derive(Default)]
struct Text(String);

impl Text {
    /// One metric: its `# HELP` and `# TYPE` lines, then one line per
    /// sample (`labels` is the whole `{…}` part, empty for none).
    fn metric(&mut self, name: &str, kind: &str, help: &str, samples: &[(String, String)]) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(self.0, "{name}{labels} {value}");
        }
    }

    /// A metric with a single sample and no labels, the common case: it
    /// keeps each call to one line of data beside its help text.
    fn one(&mut self, name: &str, kind: &str, help: &str, value: impl ToString) {
        self.metric(name, kind, help, &[(String::new(), value.to_string())]);
    }
}

/// A yes/no gauge as Prometheus wants it: `1` or `0`.
fn flag(v: bool) -> &'static str {
    if v {
        "1"
    } else {
        "0"
    }
}

/// What docket is and how its last pass went: what an alert on a stalled
/// or failing daemon reads first.
fn pass_metrics(out: &mut Text, m: &Metrics) {
    out.metric(
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
    out.one(
        "docket_last_pass_timestamp_seconds",
        "gauge",
        "When the last pass ended (Unix time).",
        m.last_pass,
    );
    out.one(
        "docket_last_pass_success",
        "gauge",
        "1 if the last pass sent everything it had to, 0 if it failed or left a digest queued.",
        flag(m.last_pass_ok),
    );
    out.one(
        "docket_last_pass_duration_seconds",
        "gauge",
        "How long the last pass took.",
        format!("{:.3}", m.last_pass_seconds),
    );
    // Left out, not written as 0, while no pass is scheduled.
    if let Some(n) = m.next_pass {
        out.one(
            "docket_next_pass_timestamp_seconds",
            "gauge",
            "When the next scheduled pass is due (Unix time).",
            n,
        );
    }
}

/// Digests and reminders sent, failed and waiting: whether mail is going
/// out, which the pass's success alone does not tell.
fn sending_metrics(out: &mut Text, m: &Metrics) {
    out.one(
        "docket_digests_sent_total",
        "counter",
        "Digests the relay accepted since docket started.",
        m.digests_sent,
    );
    out.one(
        "docket_digests_failed_total",
        "counter",
        "Failed digest sends since docket started (each is kept queued and retried).",
        m.digests_failed,
    );
    let steps: Vec<(String, String)> = m
        .reminders_by_step
        .iter()
        .map(|(s, n)| (format!("{{step=\"{}\"}}", esc(s)), n.to_string()))
        .collect();
    out.metric(
        "docket_reminders_sent_total",
        "counter",
        "Reminders sent since docket started, by step (lead days such as 30d, overdue, review, stage, unblocked).",
        &steps,
    );
    out.one(
        "docket_digests_queued",
        "gauge",
        "Digests waiting to be sent.",
        m.digests_queued,
    );
    out.one(
        "docket_oldest_queued_digest_age_seconds",
        "gauge",
        "How long the oldest queued digest has waited (0 when none is queued).",
        m.oldest_queued_seconds,
    );
}

/// What is in effect: the config's counts, the files' states, the last
/// reload, how edits are noticed and what the feeds hold, so that a file
/// held back or a watcher fallen back to polling shows on a dashboard.
fn in_effect_metrics(out: &mut Text, m: &Metrics) {
    out.one("docket_cases", "gauge", "Cases in effect.", m.cases);
    out.one("docket_bills", "gauge", "Bills in effect.", m.bills);
    out.one(
        "docket_caseworkers",
        "gauge",
        "Caseworkers in the config.",
        m.caseworkers,
    );
    out.metric(
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
    out.one(
        "docket_config_last_reload_successful",
        "gauge",
        "1 if the last reload took every file as it is on disk, 0 if a file was held back or not tracked.",
        flag(m.last_reload_ok),
    );
    out.one(
        "docket_config_last_reload_success_timestamp_seconds",
        "gauge",
        "When the config was last loaded with every file in effect (Unix time).",
        m.last_reload_success,
    );
    out.one(
        "docket_config_watch_polling",
        "gauge",
        "1 while edits are noticed by looking at the files every few seconds because inotify cannot watch (see docket status), 0 with inotify.",
        flag(m.watch_polling),
    );
    out.one(
        "docket_feed_events",
        "gauge",
        "Events in the calendar feeds written by the last pass.",
        m.feed_events,
    );
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

    /// Issue 19 split `render` into steps; the file node_exporter serves
    /// must not change by a byte. The expected texts are what `render`
    /// wrote before the split (at 2fa222e), with every field set (labels
    /// that need escaping, a next pass) and with none.
    #[test]
    fn issue19_render_split_keeps_the_text_byte_for_byte() {
        let mut m = Metrics {
            version: "0.1.0-\"x\\y\nz".into(),
            tzdata: "2025b".into(),
            last_pass: 1_700_000_000,
            last_pass_ok: true,
            last_pass_seconds: 1.23456,
            next_pass: Some(1_700_003_600),
            digests_sent: 5,
            digests_failed: 2,
            digests_queued: 3,
            oldest_queued_seconds: 77,
            cases: 11,
            bills: 12,
            caseworkers: 4,
            files_in_effect: 9,
            files_held: 1,
            files_not_tracked: 2,
            last_reload_ok: false,
            last_reload_success: 1_699_999_000,
            feed_events: 42,
            watch_polling: true,
            ..Metrics::default()
        };
        m.reminders_by_step.insert("30d".into(), 3);
        m.reminders_by_step.insert("over\"due".into(), 1);
        assert_eq!(render(&m), FULL);
        assert_eq!(render(&Metrics::default()), EMPTY);
    }

    const FULL: &str = r#"# HELP docket_build_info docket's version and the tz database it carries.
# TYPE docket_build_info gauge
docket_build_info{version="0.1.0-\"x\\y\nz",tzdata="2025b"} 1
# HELP docket_last_pass_timestamp_seconds When the last pass ended (Unix time).
# TYPE docket_last_pass_timestamp_seconds gauge
docket_last_pass_timestamp_seconds 1700000000
# HELP docket_last_pass_success 1 if the last pass sent everything it had to, 0 if it failed or left a digest queued.
# TYPE docket_last_pass_success gauge
docket_last_pass_success 1
# HELP docket_last_pass_duration_seconds How long the last pass took.
# TYPE docket_last_pass_duration_seconds gauge
docket_last_pass_duration_seconds 1.235
# HELP docket_next_pass_timestamp_seconds When the next scheduled pass is due (Unix time).
# TYPE docket_next_pass_timestamp_seconds gauge
docket_next_pass_timestamp_seconds 1700003600
# HELP docket_digests_sent_total Digests the relay accepted since docket started.
# TYPE docket_digests_sent_total counter
docket_digests_sent_total 5
# HELP docket_digests_failed_total Failed digest sends since docket started (each is kept queued and retried).
# TYPE docket_digests_failed_total counter
docket_digests_failed_total 2
# HELP docket_reminders_sent_total Reminders sent since docket started, by step (lead days such as 30d, overdue, review, stage, unblocked).
# TYPE docket_reminders_sent_total counter
docket_reminders_sent_total{step="30d"} 3
docket_reminders_sent_total{step="over\"due"} 1
# HELP docket_digests_queued Digests waiting to be sent.
# TYPE docket_digests_queued gauge
docket_digests_queued 3
# HELP docket_oldest_queued_digest_age_seconds How long the oldest queued digest has waited (0 when none is queued).
# TYPE docket_oldest_queued_digest_age_seconds gauge
docket_oldest_queued_digest_age_seconds 77
# HELP docket_cases Cases in effect.
# TYPE docket_cases gauge
docket_cases 11
# HELP docket_bills Bills in effect.
# TYPE docket_bills gauge
docket_bills 12
# HELP docket_caseworkers Caseworkers in the config.
# TYPE docket_caseworkers gauge
docket_caseworkers 4
# HELP docket_config_files Config files by state: in effect, held back at their last good version, not tracked.
# TYPE docket_config_files gauge
docket_config_files{state="in_effect"} 9
docket_config_files{state="held"} 1
docket_config_files{state="not_tracked"} 2
# HELP docket_config_last_reload_successful 1 if the last reload took every file as it is on disk, 0 if a file was held back or not tracked.
# TYPE docket_config_last_reload_successful gauge
docket_config_last_reload_successful 0
# HELP docket_config_last_reload_success_timestamp_seconds When the config was last loaded with every file in effect (Unix time).
# TYPE docket_config_last_reload_success_timestamp_seconds gauge
docket_config_last_reload_success_timestamp_seconds 1699999000
# HELP docket_config_watch_polling 1 while edits are noticed by looking at the files every few seconds because inotify cannot watch (see docket status), 0 with inotify.
# TYPE docket_config_watch_polling gauge
docket_config_watch_polling 1
# HELP docket_feed_events Events in the calendar feeds written by the last pass.
# TYPE docket_feed_events gauge
docket_feed_events 42
"#;

    const EMPTY: &str = r#"# HELP docket_build_info docket's version and the tz database it carries.
# TYPE docket_build_info gauge
docket_build_info{version="",tzdata=""} 1
# HELP docket_last_pass_timestamp_seconds When the last pass ended (Unix time).
# TYPE docket_last_pass_timestamp_seconds gauge
docket_last_pass_timestamp_seconds 0
# HELP docket_last_pass_success 1 if the last pass sent everything it had to, 0 if it failed or left a digest queued.
# TYPE docket_last_pass_success gauge
docket_last_pass_success 0
# HELP docket_last_pass_duration_seconds How long the last pass took.
# TYPE docket_last_pass_duration_seconds gauge
docket_last_pass_duration_seconds 0.000
# HELP docket_digests_sent_total Digests the relay accepted since docket started.
# TYPE docket_digests_sent_total counter
docket_digests_sent_total 0
# HELP docket_digests_failed_total Failed digest sends since docket started (each is kept queued and retried).
# TYPE docket_digests_failed_total counter
docket_digests_failed_total 0
# HELP docket_reminders_sent_total Reminders sent since docket started, by step (lead days such as 30d, overdue, review, stage, unblocked).
# TYPE docket_reminders_sent_total counter
# HELP docket_digests_queued Digests waiting to be sent.
# TYPE docket_digests_queued gauge
docket_digests_queued 0
# HELP docket_oldest_queued_digest_age_seconds How long the oldest queued digest has waited (0 when none is queued).
# TYPE docket_oldest_queued_digest_age_seconds gauge
docket_oldest_queued_digest_age_seconds 0
# HELP docket_cases Cases in effect.
# TYPE docket_cases gauge
docket_cases 0
# HELP docket_bills Bills in effect.
# TYPE docket_bills gauge
docket_bills 0
# HELP docket_caseworkers Caseworkers in the config.
# TYPE docket_caseworkers gauge
docket_caseworkers 0
# HELP docket_config_files Config files by state: in effect, held back at their last good version, not tracked.
# TYPE docket_config_files gauge
docket_config_files{state="in_effect"} 0
docket_config_files{state="held"} 0
docket_config_files{state="not_tracked"} 0
# HELP docket_config_last_reload_successful 1 if the last reload took every file as it is on disk, 0 if a file was held back or not tracked.
# TYPE docket_config_last_reload_successful gauge
docket_config_last_reload_successful 0
# HELP docket_config_last_reload_success_timestamp_seconds When the config was last loaded with every file in effect (Unix time).
# TYPE docket_config_last_reload_success_timestamp_seconds gauge
docket_config_last_reload_success_timestamp_seconds 0
# HELP docket_config_watch_polling 1 while edits are noticed by looking at the files every few seconds because inotify cannot watch (see docket status), 0 with inotify.
# TYPE docket_config_watch_polling gauge
docket_config_watch_polling 0
# HELP docket_feed_events Events in the calendar feeds written by the last pass.
# TYPE docket_feed_events gauge
docket_feed_events 0
"#;
}
