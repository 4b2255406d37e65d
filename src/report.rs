//! Every table and JSON row people and scripts read: `upcoming`, `plan`
//! and `history` (SPEC §5 fixes the JSON). The engine computes; this file
//! only says how its results look.

use crate::config::model::Config;
use crate::engine::{self, Item, Reminder, UpcomingFilter};
use crate::ledger::Row;
use chrono::NaiveDate;

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

// ---------------------------------------------------------------- plan

/// A row of `docket plan --format json`, owned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanEntry {
    pub date: String,
    pub case: String,
    pub item: &'static str,
    pub kind: String,
    pub deadline: String,
    pub act_by: String,
    pub step: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
}

/// Every reminder from `from` to `to` (inclusive), as the daemon would send
/// them running every day; sorted by date, then case id.
pub fn plan(cfg: &Config, from: NaiveDate, to: NaiveDate) -> Vec<PlanEntry> {
    let items = engine::items(cfg);
    engine::plan_reminders(cfg, &items, from, to)
        .iter()
        .map(|r| PlanRow::new(cfg, &items, r).entry())
        .collect()
}

/// A plan row borrowed from the config: what `docket plan` streams out
/// without building a row of strings per reminder. Serializes exactly as
/// its [`PlanRow::entry`] (tested).
pub struct PlanRow<'a> {
    cfg: &'a Config,
    item: &'a Item<'a>,
    r: &'a Reminder,
}

impl<'a> PlanRow<'a> {
    pub fn new(cfg: &'a Config, items: &'a [Item<'a>], r: &'a Reminder) -> PlanRow<'a> {
        PlanRow {
            cfg,
            item: &items[r.item],
            r,
        }
    }

    pub fn to_ids(&self) -> Vec<&'a str> {
        sorted_ids(self.cfg, &self.item.to)
    }

    pub fn cc_ids(&self) -> Vec<&'a str> {
        sorted_ids(self.cfg, &self.item.cc_if(self.cfg, self.r.escalated))
    }

    /// The row, owned.
    pub fn entry(&self) -> PlanEntry {
        let it = self.item;
        let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect();
        PlanEntry {
            date: self.r.date.to_string(),
            case: it.reference.to_string(),
            item: it.item.as_str(),
            kind: it.kind.to_string(),
            deadline: it.deadline.to_string(),
            act_by: it.act_by.to_string(),
            step: self.r.step.label(),
            to: owned(self.to_ids()),
            cc: owned(self.cc_ids()),
        }
    }

    /// The cells of the human-readable table, in column order.
    pub fn cells(&self) -> [String; 9] {
        let it = self.item;
        [
            self.r.date.to_string(),
            it.reference.to_string(),
            it.item.as_str().to_string(),
            it.kind.to_string(),
            self.r.step.label(),
            it.act_by.to_string(),
            it.deadline.to_string(),
            self.to_ids().join(","),
            self.cc_ids().join(","),
        ]
    }
}

impl serde::Serialize for PlanRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let it = self.item;
        let mut st = s.serialize_struct("PlanEntry", 9)?;
        st.serialize_field("date", &Ymd(self.r.date))?;
        st.serialize_field("case", it.reference)?;
        st.serialize_field("item", it.item.as_str())?;
        st.serialize_field("kind", it.kind)?;
        st.serialize_field("deadline", &Ymd(it.deadline))?;
        st.serialize_field("act_by", &Ymd(it.act_by))?;
        st.serialize_field("step", &Shown(self.r.step))?;
        st.serialize_field("to", &Ids(self.cfg, &it.to))?;
        st.serialize_field("cc", &Ids(self.cfg, &it.cc_if(self.cfg, self.r.escalated)))?;
        st.end()
    }
}

/// Caseworker ids sorted, as `to` and `cc` list them.
fn sorted_ids<'a>(cfg: &'a Config, who: &[usize]) -> Vec<&'a str> {
    let mut v: Vec<&str> = who
        .iter()
        .map(|&i| cfg.caseworkers[i].id.as_str())
        .collect();
    v.sort_unstable();
    v
}

/// [`sorted_ids`] as a JSON list; one id (almost every row of a year's
/// plan) without building a vector.
struct Ids<'a>(&'a Config, &'a [usize]);

impl serde::Serialize for Ids<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            [one] => s.collect_seq([self.0.caseworkers[*one].id.as_str()]),
            many => s.collect_seq(sorted_ids(self.0, many)),
        }
    }
}

/// Serialize through `Display`, without an intermediate String.
struct Shown<T>(T);

impl<T: std::fmt::Display> serde::Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A date as `YYYY-MM-DD` without going through `fmt` (a year's plan
/// writes over a million of them); other years through `Display`.
struct Ymd(chrono::NaiveDate);

impl serde::Serialize for Ymd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use chrono::Datelike;
        let (y, m, d) = (self.0.year(), self.0.month(), self.0.day());
        if !(0..=9999).contains(&y) {
            return s.collect_str(&self.0);
        }
        let y = y as u32;
        let digit = |v: u32| b'0' + v as u8;
        let b = [
            digit(y / 1000),
            digit(y / 100 % 10),
            digit(y / 10 % 10),
            digit(y % 10),
            b'-',
            digit(m / 10),
            digit(m % 10),
            b'-',
            digit(d / 10),
            digit(d % 10),
        ];
        s.serialize_str(std::str::from_utf8(&b).expect("ASCII digits"))
    }
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

// ------------------------------------------------------------ upcoming

/// A row of `docket upcoming`: owned, or (`UpcomingEntry<&str>`) borrowed
/// from the index of `src/index`; either serializes the same.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UpcomingEntry<S = String> {
    pub case: S,
    pub caseworker: S,
    pub item: &'static str,
    pub kind: S,
    pub deadline: S,
    pub act_by: S,
    pub days_left: i64,
    pub status: S,
    /// False for a row read from a file left out that was never good
    /// (what could be read of it): docket does not remind it until the
    /// file is fixed. Not written when true, so rows read as before.
    #[serde(skip_serializing_if = "is_true")]
    pub tracked: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// What can be read of the files not tracked (`salvaged`), as `upcoming`
/// rows marked `tracked: false`: a hearing in a file that was never good
/// is still a hearing (issue 18, item 5). The same window and filter as
/// the rows in effect; an event is over once its day has passed, and a
/// status the file settles is settled here too.
pub fn left_out_rows(
    cfg: &Config,
    files: &[crate::config::live::FileStatus],
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<UpcomingEntry> {
    let last = today + chrono::Days::new(days.into());
    let mut out = Vec::new();
    for f in files {
        for c in f.salvaged.iter().flat_map(|s| s.iter()) {
            if filter.case.is_some_and(|x| x != c.id)
                || filter.caseworker.is_some_and(|x| x != c.caseworker)
            {
                continue;
            }
            for it in &c.items {
                let act_by = match cfg.calendar.act_by(it.deadline) {
                    a if it.item == "event" && a > it.deadline => {
                        cfg.calendar.working_on_or_before(it.deadline)
                    }
                    a => a,
                };
                let over = it.item == "event" && it.deadline < today;
                if it.resolved() || over || act_by > last {
                    continue;
                }
                out.push(UpcomingEntry {
                    case: c.id.clone(),
                    caseworker: c.caseworker.clone(),
                    item: it.item,
                    kind: it.kind.clone(),
                    deadline: it.deadline.to_string(),
                    act_by: act_by.to_string(),
                    days_left: (act_by - today).num_days(),
                    status: if it.status.is_empty() && it.item == "event" {
                        "scheduled".into()
                    } else {
                        it.status.clone()
                    },
                    tracked: false,
                });
            }
        }
    }
    out
}

/// Rows in effect and rows read from files left out, in one order: by
/// act-by date, then case id (a stable sort: ties keep their order).
pub fn merge_upcoming(rows: &mut Vec<UpcomingEntry<Field<'_>>>, more: Vec<UpcomingEntry>) {
    if more.is_empty() {
        return;
    }
    rows.extend(more.into_iter().map(|r| UpcomingEntry {
        case: Field::Own(r.case),
        caseworker: Field::Own(r.caseworker),
        item: r.item,
        kind: Field::Own(r.kind),
        deadline: Field::Own(r.deadline),
        act_by: Field::Own(r.act_by),
        days_left: r.days_left,
        status: Field::Own(r.status),
        tracked: r.tracked,
    }));
    rows.sort_by(|a, b| {
        (a.act_by.as_ref(), a.case.as_ref()).cmp(&(b.act_by.as_ref(), b.case.as_ref()))
    });
}

/// A text of an `upcoming` row made from the config: borrowed from it, a
/// date written in place, or (rows of files left out) owned. A row of
/// Strings cost five allocations, ~18 MB at 60,000 rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<'a> {
    Str(&'a str),
    /// `YYYY-MM-DD`, ASCII.
    Date([u8; 10]),
    Own(String),
}

impl<'a> Field<'a> {
    /// A date as `NaiveDate`'s `Display` writes it.
    pub fn date(d: NaiveDate) -> Field<'a> {
        use chrono::Datelike;
        let (y, m, day) = (d.year(), d.month(), d.day());
        if !(0..=9999).contains(&y) {
            return Field::Own(d.to_string());
        }
        let mut b = *b"0000-00-00";
        let mut put = |at: usize, n: u32, digits: usize| {
            let mut n = n;
            for i in (0..digits).rev() {
                b[at + i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, y as u32, 4);
        put(5, m, 2);
        put(8, day, 2);
        Field::Date(b)
    }
}

impl AsRef<str> for Field<'_> {
    fn as_ref(&self) -> &str {
        match self {
            Field::Str(s) => s,
            // Written by `Field::date` from ASCII digits and dashes only.
            Field::Date(b) => std::str::from_utf8(b).unwrap_or_default(),
            Field::Own(s) => s,
        }
    }
}

impl serde::Serialize for Field<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_ref())
    }
}

impl UpcomingEntry<Field<'_>> {
    /// The same row with owned texts.
    pub fn owned(&self) -> UpcomingEntry {
        let o = |f: &Field<'_>| f.as_ref().to_string();
        UpcomingEntry {
            case: o(&self.case),
            caseworker: o(&self.caseworker),
            item: self.item,
            kind: o(&self.kind),
            deadline: o(&self.deadline),
            act_by: o(&self.act_by),
            days_left: self.days_left,
            status: o(&self.status),
            tracked: self.tracked,
        }
    }
}

/// Unresolved deadlines whose act-by date is at most `days` away (overdue
/// ones included), sorted by act-by date, then case id.
pub fn upcoming(
    cfg: &Config,
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<UpcomingEntry> {
    upcoming_in(cfg, &engine::items(cfg), today, days, filter)
        .iter()
        .map(UpcomingEntry::owned)
        .collect()
}

/// [`upcoming`] over items already listed, its texts borrowed from the
/// config.
pub fn upcoming_in<'c>(
    cfg: &'c Config,
    items: &'c [Item<'c>],
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<UpcomingEntry<Field<'c>>> {
    engine::upcoming(cfg, items, today, days, filter)
        .into_iter()
        .map(|it| upcoming_row(cfg, it, today))
        .collect()
}

/// The `upcoming` row of an item [`engine::upcoming`] picked.
pub fn upcoming_row<'c>(
    cfg: &'c Config,
    it: &Item<'c>,
    today: NaiveDate,
) -> UpcomingEntry<Field<'c>> {
    UpcomingEntry {
        case: Field::Str(it.reference),
        caseworker: Field::Str(&cfg.caseworkers[it.to[0]].id),
        item: it.item.as_str(),
        kind: Field::Str(it.kind),
        deadline: Field::date(it.deadline),
        act_by: Field::date(it.act_by),
        days_left: (it.act_by - today).num_days(),
        status: Field::Str(it.status.as_str()),
        tracked: true,
    }
}

// ----------------------------------------------------------------- csv

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
fn csv_field(out: &mut String, s: &str) {
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
fn csv_record<'a>(out: &mut String, fields: impl IntoIterator<Item = &'a str>) {
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

// ------------------------------------------------------------- history

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
