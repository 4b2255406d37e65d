//! `docket upcoming`: its rows (owned, from the index, or borrowed from
//! the config), the files left out, and the JSON.

use super::*;

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

pub(super) fn is_true(b: &bool) -> bool {
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
        match crate::calendar::ymd(d) {
            Some(b) => Field::Date(b),
            None => Field::Own(d.to_string()),
        }
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

/// [`engine::upcoming`], the rows of each half of `items` picked and
/// sorted on a thread of its own when there are many: on one thread this
/// was ~5 ms of a cold `upcoming` at 100,000 cases, in which the other
/// core idled.
pub fn upcoming_par<'i>(
    cfg: &Config,
    items: &'i [Item<'i>],
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<&'i Item<'i>> {
    if items.len() < PAR_ITEMS {
        return engine::upcoming(cfg, items, today, days, filter);
    }
    let mid = items.len() / 2;
    let part = |r, p| engine::upcoming_part(cfg, items, r, today, days, filter, p);
    // At most every item a row; untouched room costs no memory.
    let room = engine::UpcomingPart::with_capacity(items.len() - mid);
    let (a, b) = std::thread::scope(|s| {
        let b = s.spawn(|| part(mid..items.len(), room));
        let a = part(0..mid, engine::UpcomingPart::with_capacity(mid));
        // A panic on the other thread is one of ours: pass it on.
        (a, b.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    });
    engine::upcoming_join(a, b)
}

/// Items from which [`upcoming_par`] uses a second thread (the daemon's
/// pass makes its items on two from 20,000 cases).
const PAR_ITEMS: usize = 20_000;

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

/// Write `rows` as `serde_json::to_writer_pretty` writes them, byte for
/// byte (tested below), without going through serde: its pretty printer
/// makes a call per token, and at 100,000 cases the ~50,000 rows of
/// `upcoming` (12 MB, overdue ones included) took a quarter of a cold run.
pub fn write_upcoming_json<S: AsRef<str>>(
    w: &mut impl std::io::Write,
    rows: impl Iterator<Item = UpcomingEntry<S>>,
) -> std::io::Result<()> {
    write_json_list(w, rows, |buf, r, first| json_row(buf, &r, first))
}

/// A JSON list as serde_json's pretty printer writes it, each element
/// written by `element` (after the one before; `first`: none) into a
/// buffer handed to `w` every 60 KB: the frame of `upcoming`'s and
/// `plan`'s writers.
pub(super) fn write_json_list<T>(
    w: &mut impl std::io::Write,
    rows: impl Iterator<Item = T>,
    mut element: impl FnMut(&mut Vec<u8>, T, bool),
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut first = true;
    buf.push(b'[');
    for r in rows {
        element(&mut buf, r, first);
        first = false;
        if buf.len() >= 60 << 10 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    buf.extend_from_slice(if first { b"]" } else { b"\n]" });
    w.write_all(&buf)
}

/// Rows per block of [`write_upcoming_json_par`].
const BLOCK: usize = 2048;

/// How many rows ahead [`write_upcoming_json_par`] hints at an item (so it
/// is in the cache when its case id is asked for), and at its case id.
pub const FAR: usize = 16;
pub const NEAR: usize = 8;

/// [`write_upcoming_json`] of the rows `row` makes of `items`, the same
/// bytes, made on two threads when there are many: every other block of
/// rows is made on a second thread and handed back in order (two blocks
/// in flight at most, so the memory stays a few hundred KB). Why: making
/// and writing the ~50,000 rows at 100,000 cases was the longest step of a
/// cold `upcoming` after the load, on one core.
///
/// `ahead(item, far)`: a hint that `item` is wanted soon (called
/// [`FAR`] rows ahead with `far` true, [`NEAR`] rows ahead with false):
/// the rows go by date, their items and case ids are all over memory, and
/// each row had waited on memory for them in turn.
pub fn write_upcoming_json_par<T: Sync, S: AsRef<str>>(
    w: &mut impl std::io::Write,
    items: &[T],
    row: impl Fn(&T) -> UpcomingEntry<S> + Sync,
    ahead: impl Fn(&T, bool) + Sync,
) -> std::io::Result<()> {
    if items.len() < 4 * BLOCK {
        return write_upcoming_json(w, items.iter().map(row));
    }
    let blocks = items.len().div_ceil(BLOCK);
    let make = |buf: &mut Vec<u8>, i: usize| {
        buf.clear();
        let start = i * BLOCK;
        for (j, it) in items[start..].iter().take(BLOCK).enumerate() {
            if let Some(far) = items.get(start + j + FAR) {
                ahead(far, true);
            }
            if let Some(near) = items.get(start + j + NEAR) {
                ahead(near, false);
            }
            json_row(buf, &row(it), i == 0 && j == 0);
        }
    };
    let make = &make;
    std::thread::scope(|s| {
        let (full_tx, full) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let (empty, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        // The second thread's buffers, made here at their size: what a
        // thread allocates comes from pages of its own, and buffers grown
        // there by doubling cost ~9 MiB of peak RSS.
        for _ in 0..2 {
            let _ = empty.send(Vec::with_capacity(BLOCK * 256));
        }
        s.spawn(move || {
            for i in (1..blocks).step_by(2) {
                let Ok(mut buf) = empty_rx.recv() else { return };
                make(&mut buf, i);
                // The writer stopped (a closed pipe): so do we.
                if full_tx.send(buf).is_err() {
                    return;
                }
            }
        });
        let mut buf = Vec::new();
        w.write_all(b"[")?;
        for i in 0..blocks {
            if i % 2 == 0 {
                make(&mut buf, i);
                w.write_all(&buf)?;
            } else {
                let theirs = full.recv().map_err(std::io::Error::other)?;
                w.write_all(&theirs)?;
                let _ = empty.send(theirs);
            }
        }
        w.write_all(b"\n]")
    })
}

/// One row, after the one before (`first`: none).
fn json_row<S: AsRef<str>>(buf: &mut Vec<u8>, r: &UpcomingEntry<S>, first: bool) {
    buf.extend_from_slice(if first { b"\n  {" } else { b",\n  {" });
    let field = |buf: &mut Vec<u8>, key: &str, value: &str, lead: &[u8]| {
        buf.extend_from_slice(lead);
        buf.extend_from_slice(key.as_bytes());
        buf.extend_from_slice(b"\": ");
        json_str(buf, value);
    };
    field(buf, "case", r.case.as_ref(), b"\n    \"");
    field(buf, "caseworker", r.caseworker.as_ref(), b",\n    \"");
    field(buf, "item", r.item, b",\n    \"");
    field(buf, "kind", r.kind.as_ref(), b",\n    \"");
    field(buf, "deadline", r.deadline.as_ref(), b",\n    \"");
    field(buf, "act_by", r.act_by.as_ref(), b",\n    \"");
    buf.extend_from_slice(b",\n    \"days_left\": ");
    push_i64(buf, r.days_left);
    field(buf, "status", r.status.as_ref(), b",\n    \"");
    if !r.tracked {
        buf.extend_from_slice(b",\n    \"tracked\": false");
    }
    buf.extend_from_slice(b"\n  }");
}

/// `n` in decimal, as `Display` (and serde_json) write it. Why not
/// `write!`: through `core::fmt` it was ~1 ms of CPU over the ~54,000 rows
/// of a cold `upcoming` at 100,000 cases.
fn push_i64(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    let mut digits = [0u8; 20];
    buf.extend_from_slice(engine::decimal(n.unsigned_abs(), &mut digits));
}

/// A JSON string as serde_json writes it: as is when nothing in it needs
/// an escape (the common case), else through serde_json itself.
pub(super) fn json_str(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        serde_json::to_writer(&mut *buf, s).expect("a Vec takes every write");
    } else {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    }
}

impl<S: AsRef<str>> UpcomingEntry<S> {
    /// The same row, its texts borrowed.
    pub fn borrowed(&self) -> UpcomingEntry<&str> {
        UpcomingEntry {
            case: self.case.as_ref(),
            caseworker: self.caseworker.as_ref(),
            item: self.item,
            kind: self.kind.as_ref(),
            deadline: self.deadline.as_ref(),
            act_by: self.act_by.as_ref(),
            days_left: self.days_left,
            status: self.status.as_ref(),
            tracked: self.tracked,
        }
    }
}

#[cfg(test)]
mod json_tests {
    use super::*;

    /// The rows as serde_json's pretty printer writes them, and as
    /// `write_upcoming_json` does: the same bytes, for no rows, one, and
    /// texts that need escapes, rows left out included.
    #[test]
    fn writes_what_serde_json_writes() {
        let row = |case: &str, status: &str, tracked: bool, days_left: i64| UpcomingEntry {
            case: case.to_string(),
            caseworker: "cw\u{1}\"\\".to_string(),
            item: "document",
            kind: "refugee_certificate".to_string(),
            deadline: "2026-12-20".to_string(),
            act_by: "2026-12-18".to_string(),
            days_left,
            status: status.to_string(),
            tracked,
        };
        let sets = [
            vec![],
            vec![row("KZ-1", "active", true, 0)],
            vec![
                row("KZ-1", "active", true, -365),
                row("Қ-2 \"x\"\n\t\u{7f}é", "", false, i64::MAX),
                row("", "submitted", true, i64::MIN),
            ],
        ];
        // Many rows, in blocks over two threads: a row of its own per
        // index, so a block out of order would show.
        let many: Vec<_> = (0..5 * BLOCK + 7)
            .map(|i| row(&format!("KZ-{i}"), "active", i % 3 != 0, i as i64))
            .collect();
        for rows in sets.into_iter().chain([many]) {
            let want = serde_json::to_vec_pretty(&rows).unwrap();
            let mut got = Vec::new();
            write_upcoming_json(&mut got, rows.iter().cloned()).unwrap();
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(want.clone()).unwrap()
            );
            let mut par = Vec::new();
            write_upcoming_json_par(&mut par, &rows, Clone::clone, |_, _| ()).unwrap();
            assert_eq!(
                String::from_utf8(par).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }
}
