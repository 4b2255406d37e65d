//! Every table and JSON row people and scripts read: `upcoming`, `plan`
//! and `history` (SPEC §5 fixes the JSON). The engine computes; this file
//! only says how its results look.

use crate::config::model::Config;
use crate::engine::{self, Item, Reminder, UpcomingFilter};
use crate::ledger::Row;
use chrono::NaiveDate;

mod csv;
mod history;
mod plan;
mod upcoming;

pub use csv::*;
pub use history::*;
pub use plan::*;
pub use upcoming::*;

/// Render rows as a table with a header, columns padded to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = aligned(&widths, headers.iter().copied());
    for row in rows {
        out.push_str(&aligned(&widths, row.iter().map(String::as_str)));
    }
    out
}

/// One table line: cells padded to `widths`, two spaces apart, no
/// trailing blanks.
fn aligned<'a>(widths: &[usize], cells: impl Iterator<Item = &'a str>) -> String {
    let mut l = String::new();
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            l.push_str("  ");
        }
        l.push_str(cell);
        l.extend(std::iter::repeat_n(' ', widths[i] - cell.chars().count()));
    }
    let mut l = l.trim_end().to_string();
    l.push('\n');
    l
}

/// How many days are left, in words; overdue is spelled out, not just a sign.
pub fn days_left(n: i64) -> String {
    match n {
        0 => "today".into(),
        1 => "1 day".into(),
        -1 => "OVERDUE 1 day".into(),
        n if n < 0 => format!("OVERDUE {} days", -n),
        n => format!("{n} days"),
    }
}

pub fn upcoming_table<S: AsRef<str>>(rows: &[UpcomingEntry<S>], days: u32) -> String {
    if rows.is_empty() {
        return format!("Nothing due within {days} days, and nothing overdue.\n");
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!(
                    "{}{}",
                    if r.days_left < 0 { "!" } else { "" },
                    if r.tracked { "" } else { "?" }
                ),
                r.act_by.as_ref().to_string(),
                days_left(r.days_left),
                r.case.as_ref().to_string(),
                r.item.to_string(),
                r.kind.as_ref().to_string(),
                r.deadline.as_ref().to_string(),
                r.status.as_ref().to_string(),
                r.caseworker.as_ref().to_string(),
            ]
        })
        .collect();
    let overdue = rows.iter().filter(|r| r.days_left < 0).count();
    let mut out = table(
        &[
            "",
            "ACT BY",
            "LEFT",
            "CASE",
            "ITEM",
            "KIND",
            "DEADLINE",
            "STATUS",
            "CASEWORKER",
        ],
        &body,
    );
    out.push_str(&format!("\n{} item(s), {} overdue.\n", rows.len(), overdue));
    let untracked = rows.iter().filter(|r| !r.tracked).count();
    if untracked > 0 {
        out.push_str(&format!(
            "{untracked} item(s) marked ? are read from a file left out: NOT TRACKED, no reminders until it is fixed.\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let t = table(
            &["A", "BB"],
            &[vec!["xxx".into(), "y".into()], vec!["z".into(), "w".into()]],
        );
        assert_eq!(t, "A    BB\nxxx  y\nz    w\n");
    }

    /// `write_plan_json` writes what serde_json's pretty printer writes
    /// for the rows as [`PlanEntry`]s, byte for byte: on a plan with one
    /// recipient and none copied, a supervisor copied (escalated), and a
    /// bill's rows to several caseworkers; for no rows too.
    #[test]
    fn plan_json_is_what_serde_json_writes() {
        let (_dir, cfg) = crate::test_support::example();
        let items = engine::items(&cfg);
        let rows = engine::plan_reminders(
            &cfg,
            &items,
            "2026-01-01".parse().unwrap(),
            "2027-12-31".parse().unwrap(),
        );
        let view = || rows.iter().map(|r| PlanRow::new(&cfg, &items, r));
        let entries: Vec<PlanEntry> = view().map(|r| r.entry()).collect();
        assert!(entries.iter().any(|e| !e.cc.is_empty()), "a row with cc");
        assert!(entries.iter().any(|e| e.to.len() > 1), "a row to several");
        assert!(entries.iter().any(|e| e.to.len() == 1 && e.cc.is_empty()));
        let mut got = Vec::new();
        write_plan_json(&mut got, view()).unwrap();
        let want = serde_json::to_vec_pretty(&entries).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
        let mut none = Vec::new();
        write_plan_json(&mut none, view().take(0)).unwrap();
        assert_eq!(
            none,
            serde_json::to_vec_pretty(&Vec::<PlanEntry>::new()).unwrap()
        );
    }

    #[test]
    fn a_streamed_plan_row_serializes_as_its_entry() {
        let dir = std::env::temp_dir().join(format!("docket-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("docket.toml");
        std::fs::write(
            &path,
            "[service]\ntimezone = \"Asia/Almaty\"\n[reminders]\nlead_days = [7]\nescalate_within_days = 7\n\
             [[caseworker]]\nid = \"dana\"\nemail = \"dana@ngo.example\"\n\
             [[caseworker]]\nid = \"aigerim\"\nemail = \"a@ngo.example\"\nsupervisor = \"dana\"\n\
             [[case]]\nid = \"KZ-1\"\ncaseworker = \"aigerim\"\n[[case.document]]\nkind = \"x\"\nexpires = 2026-12-18\n",
        )
        .unwrap();
        let env = crate::config::Env::default();
        let (cfg, _) = crate::config::load_with_env(&path, &env)
            .into_result()
            .unwrap();
        let items = engine::items(&cfg);
        let rows = engine::plan_reminders(
            &cfg,
            &items,
            "2026-12-01".parse().unwrap(),
            "2027-01-31".parse().unwrap(),
        );
        assert!(!rows.is_empty());
        for r in &rows {
            let row = PlanRow::new(&cfg, &items, r);
            assert_eq!(
                serde_json::to_value(&row).unwrap(),
                serde_json::to_value(row.entry()).unwrap()
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Issue 21, item 5: RFC 4180 quoting, CRLF, the BOM, and a formula
    /// never handed to a spreadsheet as one.
    #[test]
    fn item5_csv_fields_are_quoted_as_rfc_4180_says() {
        let mut out = String::new();
        csv_record(
            &mut out,
            [
                "KZ-1",
                "a,b",
                "say \"hi\"",
                "two\nlines",
                "=1+1",
                "-3",
                "Қазақ",
            ],
        );
        assert_eq!(
            out,
            "KZ-1,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=1+1\",-3,Қазақ\r\n"
        );
        let rows = [UpcomingEntry {
            case: "KZ-1",
            caseworker: "aigerim",
            item: "document",
            kind: "refugee_certificate",
            deadline: "2026-12-18",
            act_by: "2026-12-18",
            days_left: -2,
            status: "active",
            tracked: false,
        }];
        assert_eq!(
            upcoming_csv(&rows),
            "\u{feff}case,caseworker,item,kind,deadline,act_by,days_left,status,tracked\r\n\
             KZ-1,aigerim,document,refugee_certificate,2026-12-18,2026-12-18,-2,active,false\r\n"
        );
        let empty: [UpcomingEntry<&str>; 0] = [];
        assert_eq!(
            upcoming_csv(&empty),
            "\u{feff}case,caseworker,item,kind,deadline,act_by,days_left,status,tracked\r\n"
        );
    }

    #[test]
    fn a_date_field_is_written_as_display_writes_it() {
        for d in [
            NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-5, 3, 9).unwrap(),
            NaiveDate::MAX,
            NaiveDate::MIN,
        ] {
            assert_eq!(Field::date(d).as_ref(), d.to_string());
        }
    }

    #[test]
    fn days_left_words() {
        assert_eq!(days_left(0), "today");
        assert_eq!(days_left(-3), "OVERDUE 3 days");
        assert_eq!(days_left(12), "12 days");
    }
}
