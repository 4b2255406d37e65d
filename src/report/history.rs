//! `docket history`: the ledger's rows as a table and JSON.

use super::*;

/// A row of `docket history --format json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryRow {
    pub recorded_at: String,
    pub sent_at: Option<String>,
    pub case: String,
    pub item: String,
    pub kind: String,
    pub deadline: String,
    pub step: String,
    pub due_date: String,
    pub recipient: String,
    pub role: &'static str,
    pub late: bool,
    /// Told after its day because docket saw the item only then.
    pub new: bool,
    /// New, and told in the summary of new cases (issue 21).
    pub summary: bool,
    pub state: &'static str,
    pub message_id: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

impl From<Row> for HistoryRow {
    fn from(r: Row) -> HistoryRow {
        let time =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        HistoryRow {
            recorded_at: time(r.recorded_at),
            sent_at: r.sent_at.map(time),
            case: r.key.case_ref,
            item: r.key.item,
            kind: r.kind,
            deadline: r.key.deadline.to_string(),
            step: r.key.step.key(),
            due_date: r.due_date.to_string(),
            recipient: r.key.recipient,
            role: r.role.as_str(),
            late: r.late,
            new: r.new,
            summary: r.summary,
            state: r.state.as_str(),
            message_id: r.message_id,
            attempts: r.attempts,
            last_error: r.last_error,
        }
    }
}

/// `docket history` for people; `case` names the filter for the message
/// when nothing matched.
pub fn history_table(rows: &[HistoryRow], case: Option<&str>) -> String {
    if rows.is_empty() {
        return match case {
            Some(c) => format!(
                "No reminders for case {} have been sent yet.\n",
                crate::logging::escape(c)
            ),
            None => "Nothing has been sent yet: the ledger holds no reminders.\n".into(),
        };
    }
    // A ledger written before ids were restricted may hold a case id or
    // an item with a line break: escaped, a row stays one line.
    let esc = |s: &str| crate::logging::escape(s).into_owned();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.recorded_at.clone(),
                esc(&r.case),
                esc(&r.item),
                r.deadline.clone(),
                r.step.clone(),
                format!(
                    "{}{}",
                    r.recipient,
                    if r.role == "cc" { " (cc)" } else { "" }
                ),
                format!(
                    "{}{}",
                    r.state,
                    match (r.late, r.new, r.summary) {
                        (true, ..) => ", late",
                        (_, _, true) => ", new (summary)",
                        (_, true, _) => ", new",
                        _ => "",
                    }
                ),
                r.sent_at.clone().unwrap_or_else(|| "-".into()),
                r.message_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &[
            "RECORDED",
            "CASE",
            "ITEM",
            "DEADLINE",
            "STEP",
            "TO",
            "STATE",
            "SENT",
            "MESSAGE-ID",
        ],
        &body,
    )
}
