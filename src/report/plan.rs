//! `docket plan`: its rows (owned for tests, streamed for the command),
//! their JSON and table.

use super::*;

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

/// Write `rows` as `serde_json::to_writer_pretty` writes them (a list of
/// [`PlanEntry`]), byte for byte (tested), without going through serde: a
/// year's plan at 100,000 cases is ~24 MB of JSON, and serde's pretty
/// printer, a call per token and every string scanned for escapes, was a
/// quarter of `plan` from the index (perf).
pub fn write_plan_json<'a>(
    w: &mut impl std::io::Write,
    rows: impl Iterator<Item = PlanRow<'a>>,
) -> std::io::Result<()> {
    let mut scratch = String::new();
    super::upcoming::write_json_list(w, rows, |buf, r, first| {
        r.write_json(buf, &mut scratch, first)
    })
}

impl PlanRow<'_> {
    /// One row of [`write_plan_json`], after the one before (`first`:
    /// none); `scratch` holds the step's label while it is written.
    fn write_json(&self, buf: &mut Vec<u8>, scratch: &mut String, first: bool) {
        use super::upcoming::{json_str, Field};
        let it = self.item;
        let key = |buf: &mut Vec<u8>, key: &str, lead: &[u8]| {
            buf.extend_from_slice(lead);
            buf.extend_from_slice(key.as_bytes());
            buf.extend_from_slice(b"\": ");
        };
        let date = |buf: &mut Vec<u8>, d: NaiveDate| json_str(buf, Field::date(d).as_ref());
        let ids = |buf: &mut Vec<u8>, who: &[usize]| {
            let one;
            let many;
            let list: &[&str] = match who {
                [] => {
                    buf.extend_from_slice(b"[]");
                    return;
                }
                [c] => {
                    one = [self.cfg.caseworkers[*c].id.as_str()];
                    &one
                }
                _ => {
                    many = sorted_ids(self.cfg, who);
                    &many
                }
            };
            buf.push(b'[');
            for (i, id) in list.iter().enumerate() {
                buf.extend_from_slice(if i == 0 { b"\n      " } else { b",\n      " });
                json_str(buf, id);
            }
            buf.extend_from_slice(b"\n    ]");
        };
        buf.extend_from_slice(if first { b"\n  {" } else { b",\n  {" });
        key(buf, "date", b"\n    \"");
        date(buf, self.r.date);
        key(buf, "case", b",\n    \"");
        json_str(buf, it.reference);
        key(buf, "item", b",\n    \"");
        json_str(buf, it.item.as_str());
        key(buf, "kind", b",\n    \"");
        json_str(buf, it.kind);
        key(buf, "deadline", b",\n    \"");
        date(buf, it.deadline);
        key(buf, "act_by", b",\n    \"");
        date(buf, it.act_by);
        key(buf, "step", b",\n    \"");
        scratch.clear();
        {
            use std::fmt::Write;
            let _ = write!(scratch, "{}", self.r.step);
        }
        json_str(buf, scratch);
        key(buf, "to", b",\n    \"");
        ids(buf, &it.to);
        key(buf, "cc", b",\n    \"");
        ids(buf, &it.cc_if(self.cfg, self.r.escalated));
        buf.extend_from_slice(b"\n  }");
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
pub(super) fn sorted_ids<'a>(cfg: &'a Config, who: &[usize]) -> Vec<&'a str> {
    let mut v: Vec<&str> = who
        .iter()
        .map(|&i| cfg.caseworkers[i].id.as_str())
        .collect();
    v.sort_unstable();
    v
}

/// [`sorted_ids`] as a JSON list; one id (almost every row of a year's
/// plan) without building a vector.
pub(super) struct Ids<'a>(&'a Config, &'a [usize]);

impl serde::Serialize for Ids<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            [one] => s.collect_seq([self.0.caseworkers[*one].id.as_str()]),
            many => s.collect_seq(sorted_ids(self.0, many)),
        }
    }
}

/// Serialize through `Display`, without an intermediate String.
pub(super) struct Shown<T>(T);

impl<T: std::fmt::Display> serde::Serialize for Shown<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// A date as `YYYY-MM-DD` without going through `fmt` (a year's plan
/// writes over a million of them); other years through `Display`.
pub(super) struct Ymd(chrono::NaiveDate);

impl serde::Serialize for Ymd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match crate::calendar::ymd(self.0) {
            Some(b) => s.serialize_str(std::str::from_utf8(&b).expect("ASCII digits")),
            None => s.collect_str(&self.0),
        }
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
