//! Output of `upcoming` and `plan`: JSON for programs (SPEC §5), aligned
//! tables for people.

use crate::engine::{PlanRow, UpcomingEntry};

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

pub fn upcoming_table(rows: &[UpcomingEntry], days: u32) -> String {
    if rows.is_empty() {
        return format!("Nothing due within {days} days, and nothing overdue.\n");
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                if r.days_left < 0 {
                    "!".into()
                } else {
                    String::new()
                },
                r.act_by.clone(),
                days_left(r.days_left),
                r.case.clone(),
                r.item.to_string(),
                r.kind.clone(),
                r.deadline.clone(),
                r.status.clone(),
                r.caseworker.clone(),
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
    out
}

/// The plan as an aligned table, streamed: widths are measured in a first
/// pass over the rows, then each row is formatted and written, so a year
/// of 100,000 cases never sits in memory as strings.
pub fn plan_table<'a, I>(out: &mut dyn std::io::Write, rows: impl Fn() -> I) -> std::io::Result<()>
where
    I: Iterator<Item = PlanRow<'a>>,
{
    const HEADERS: [&str; 9] = [
        "DATE", "CASE", "ITEM", "KIND", "STEP", "ACT BY", "DEADLINE", "TO", "CC",
    ];
    let mut widths = HEADERS.map(|h| h.chars().count());
    let mut n = 0usize;
    for row in rows() {
        for (w, c) in widths.iter_mut().zip(row.cells()) {
            *w = (*w).max(c.chars().count());
        }
        n += 1;
    }
    if n == 0 {
        return out.write_all(b"No reminders in this period.\n");
    }
    out.write_all(aligned(&widths, HEADERS.iter().copied()).as_bytes())?;
    for row in rows() {
        let cells = row.cells();
        out.write_all(aligned(&widths, cells.iter().map(String::as_str)).as_bytes())?;
    }
    writeln!(out, "\n{n} reminder(s).")
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

    #[test]
    fn days_left_words() {
        assert_eq!(days_left(0), "today");
        assert_eq!(days_left(-3), "OVERDUE 3 days");
        assert_eq!(days_left(12), "12 days");
    }
}
