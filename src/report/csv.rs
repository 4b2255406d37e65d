//! `--format csv` of `upcoming` and `plan` (RFC 4180, with a BOM for
//! Excel).

use super::*;

/// The UTF-8 byte order mark a CSV starts with: without it Excel reads the
/// file in the machine's ANSI code page, and a Cyrillic case id or stage
/// comes out as mojibake (issue 21, item 5).
pub const CSV_BOM: &str = "\u{feff}";

/// The columns of `upcoming --format csv`: the JSON row's fields, in its
/// order, and `tracked` always (a sheet needs the same columns on every
/// row; JSON leaves it out when true).
pub const UPCOMING_CSV_COLUMNS: [&str; 9] = [
    "case",
    "caseworker",
    "item",
    "kind",
    "deadline",
    "act_by",
    "days_left",
    "status",
    "tracked",
];

/// The columns of `plan --format csv`: the JSON row's fields, in its
/// order; `to` and `cc` hold the caseworker ids joined by `,`.
pub const PLAN_CSV_COLUMNS: [&str; 9] = [
    "date", "case", "item", "kind", "deadline", "act_by", "step", "to", "cc",
];

/// One field as RFC 4180 writes it: quoted when it holds a comma, a quote
/// or a line break, a quote doubled inside. A text that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `@`, a tab or a
/// carriage return) gets a leading `'` and is quoted: ids, kinds and
/// stages never start so, but a file left out may say anything.
pub(super) fn csv_field(out: &mut String, s: &str) {
    let formula = s.starts_with(['=', '+', '@', '\t', '\r']);
    if !formula && !s.contains([',', '"', '\r', '\n']) {
        out.push_str(s);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// One record: the fields joined by `,`, ended by CRLF (RFC 4180).
pub(super) fn csv_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push_str("\r\n");
}

/// `upcoming --format csv`: the BOM, a header row, a record per row. The
/// same bytes whether the rows came from the index or the config.
pub fn upcoming_csv<S: AsRef<str>>(rows: &[UpcomingEntry<S>]) -> String {
    let mut out = String::from(CSV_BOM);
    csv_record(&mut out, UPCOMING_CSV_COLUMNS);
    for r in rows {
        let days = r.days_left.to_string();
        csv_record(
            &mut out,
            [
                r.case.as_ref(),
                r.caseworker.as_ref(),
                r.item,
                r.kind.as_ref(),
                r.deadline.as_ref(),
                r.act_by.as_ref(),
                days.as_str(),
                r.status.as_ref(),
                if r.tracked { "true" } else { "false" },
            ],
        );
    }
    out
}

/// `plan --format csv`, streamed like the table: a year of 100,000 cases
/// is written record by record, never held as one string.
pub fn plan_csv<'a>(
    out: &mut dyn std::io::Write,
    rows: impl Iterator<Item = PlanRow<'a>>,
) -> std::io::Result<()> {
    let mut line = String::from(CSV_BOM);
    csv_record(&mut line, PLAN_CSV_COLUMNS);
    out.write_all(line.as_bytes())?;
    for row in rows {
        line.clear();
        let [date, case, item, kind, step, act_by, deadline, to, cc] = row.cells();
        csv_record(
            &mut line,
            [
                date.as_str(),
                case.as_str(),
                item.as_str(),
                kind.as_str(),
                deadline.as_str(),
                act_by.as_str(),
                step.as_str(),
                to.as_str(),
                cc.as_str(),
            ],
        );
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}
