//! The upcoming index: `docket upcoming`'s answer kept between runs, so a
//! run over an unchanged config reads its files and one small index
//! instead of parsing and checking 100,000 cases again.
//!
//! Why it can never be stale: the index is keyed by the exact bytes of the
//! main file and of every file its patterns match (a 128-bit XXH3 of each),
//! by the set of those files, by each file's and each directory's owner and
//! mode (the ownership checks a load makes), by the environment a load
//! reads and by the executable itself. A run computes that key from the
//! files as they are now and uses the index only if it matches; the key
//! written with an index comes from the very bytes that load checked (the
//! load's own hashes), so a file changed during a load never gets its old
//! answer under its new bytes. Only a load with nothing left out writes one.
//!
//! What it holds: every unresolved deadline (the engine's items that are
//! deadlines and not resolved), sorted as `upcoming` sorts them, with the
//! case reference, caseworker id, kind and status: what `upcoming` prints;
//! and every item as [`engine::items`] lists it (references, kinds,
//! statuses, dates, reminder rules, recipients as caseworker indices, the
//! item's place in the config), which `plan` schedules with the main
//! file's settings. No names, no document numbers, no titles. An
//! `upcoming` query is a binary search on the act-by date; only the rows
//! printed are decoded.
//!
//! The file lives in `$XDG_CACHE_HOME/docket/` (else `~/.cache/docket/`),
//! private to the user (0700 directory, 0600 file); `DOCKET_CACHE=off`
//! turns it off. Any problem reading or writing it is a miss, never an
//! error: the full load is always the fallback.

use crate::config::model::{CaseRef, Config, ReminderRules};
use crate::engine::{self, Cadence, Item, ItemType, Recipients, Source, Step};
use crate::report::UpcomingEntry;
use chrono::{Days, NaiveDate};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 16] = b"docket-index-v04";

/// One file the key covers: its path and the hash of its text.
#[derive(Debug, Clone)]
pub struct KeyFile {
    pub path: PathBuf,
    pub hash: String,
}

/// The key for a config whose files are `files` (the main file first).
fn key(main: &Path, files: &[KeyFile]) -> Option<[u8; 16]> {
    let mut k: Vec<u8> = Vec::with_capacity(256 + files.len() * 128);
    let mut put = |b: &[u8]| {
        k.extend_from_slice(&(b.len() as u64).to_le_bytes());
        k.extend_from_slice(b);
    };
    put(env!("CARGO_PKG_VERSION").as_bytes());
    // The executable: a rebuilt docket may compute other answers.
    let exe = std::env::current_exe().ok()?;
    let m = std::fs::metadata(&exe).ok()?;
    put(&m.len().to_le_bytes());
    put(&m.mtime().to_le_bytes());
    put(&m.mtime_nsec().to_le_bytes());
    put(&m.ino().to_le_bytes());
    // What a load reads from the environment.
    let env = crate::config::Env::from_process();
    put(format!("{:?}|{:?}", env.state_directory, env.euid).as_bytes());
    put(main.as_os_str().as_encoded_bytes());
    let mut dirs: Vec<PathBuf> = Vec::new();
    for f in files {
        put(f.path.as_os_str().as_encoded_bytes());
        put(f.hash.as_bytes());
        let l = std::fs::symlink_metadata(&f.path).ok()?;
        let s = std::fs::metadata(&f.path).ok()?;
        for m in [&l, &s] {
            put(&[
                m.dev(),
                m.ino(),
                m.mode().into(),
                m.uid().into(),
                m.gid().into(),
            ]
            .map(u64::to_le_bytes)
            .concat());
        }
        let mut d = f.path.parent();
        while let Some(p) = d {
            if !dirs.iter().any(|x| x == p) {
                dirs.push(p.to_path_buf());
            }
            d = p.parent();
        }
    }
    for d in &dirs {
        put(d.as_os_str().as_encoded_bytes());
        // A missing directory (a relative path's "") is a fact like any other.
        let m = std::fs::metadata(if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        });
        match m {
            Ok(m) => put(&[m.dev(), m.ino(), m.mode().into(), m.uid().into()]
                .map(u64::to_le_bytes)
                .concat()),
            Err(_) => put(b"-"),
        }
    }
    Some(xxhash_rust::xxh3::xxh3_128(&k).to_le_bytes())
}

/// The files the config at `main` consists of now, hashed as a load hashes
/// them (main first, then the includes in path order); None when one cannot
/// be read or the main file names no includes it can list.
fn files_now(main: &Path) -> Option<Vec<KeyFile>> {
    let text = crate::config::read_small(main)?;
    let mut out = vec![KeyFile {
        path: main.to_path_buf(),
        hash: crate::config::store::content_hash(text.as_bytes()),
    }];
    drop(text);
    let main_meta = std::fs::metadata(main).ok()?;
    let mut includes = crate::config::included_files(main).unwrap_or_default();
    includes.sort();
    includes.dedup();
    for p in includes {
        let m = std::fs::metadata(&p).ok();
        // The main file, if a pattern matches it, is not an include.
        if m.is_some_and(|m| m.dev() == main_meta.dev() && m.ino() == main_meta.ino()) {
            continue;
        }
        let text = crate::config::read_small(&p)?;
        out.push(KeyFile {
            hash: crate::config::store::content_hash(text.as_bytes()),
            path: p,
        });
    }
    Some(out)
}

fn enabled() -> bool {
    !matches!(
        std::env::var("DOCKET_CACHE").as_deref(),
        Ok("off" | "0" | "no")
    )
}

/// Where the index of the config at `main` lives.
fn location(main: &Path) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        })?;
    let real = std::fs::canonicalize(main).ok()?;
    let name = xxhash_rust::xxh3::xxh3_64(real.as_os_str().as_encoded_bytes());
    Some(
        base.join("docket")
            .join(format!("upcoming-{name:016x}.idx")),
    )
}

/// A row as stored: fixed size, strings by index.
const ROW: usize = 8 * 4 + 1;

/// An item as stored: thirteen u32 and five tags.
const ITEM: usize = 13 * 4 + 5;

/// An index read from disk whose key matched.
pub struct Index {
    buf: Vec<u8>,
    timezone: chrono_tz::Tz,
    caseworkers: Vec<(usize, usize)>,
    /// Offsets of the strings table: string i is `buf[offs[i]..offs[i+1]]`.
    strings_at: usize,
    strings: usize,
    rows_at: usize,
    rows: usize,
    rules: Vec<ReminderRules>,
    recipients: Vec<Vec<usize>>,
    items_at: usize,
    items: usize,
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn str_span(&mut self) -> Option<(usize, usize)> {
        let n = self.u32()? as usize;
        let start = self.at;
        std::str::from_utf8(self.take(n)?).ok()?;
        Some((start, start + n))
    }
}

impl Index {
    /// The index of the config at `main`, if there is one for exactly the
    /// files as they are now.
    pub fn open(main: &Path) -> Option<Index> {
        if !enabled() {
            return None;
        }
        let at = location(main)?;
        let buf = std::fs::read(&at).ok()?;
        let files = files_now(main)?;
        let key = key(main, &files)?;
        let ix = Index::parse(buf, &key);
        match &ix {
            Some(_) => tracing::debug!(index = %at.display(), "upcoming: answered from the index"),
            None => {
                tracing::debug!(index = %at.display(), "upcoming: the index is not for these files")
            }
        }
        ix
    }

    fn parse(buf: Vec<u8>, key: &[u8; 16]) -> Option<Index> {
        let mut r = Reader { b: &buf, at: 0 };
        if r.take(16)? != MAGIC || r.take(16)? != key {
            return None;
        }
        let (a, b) = r.str_span()?;
        let timezone: chrono_tz::Tz = std::str::from_utf8(&buf[a..b]).ok()?.parse().ok()?;
        let n = r.u32()? as usize;
        let mut caseworkers = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            caseworkers.push(r.str_span()?);
        }
        let strings = r.u32()? as usize;
        let strings_at = r.at;
        let offs_len = strings.checked_add(1)?.checked_mul(4)?;
        r.take(offs_len)?;
        let last = u32::from_le_bytes(
            buf[strings_at + offs_len - 4..strings_at + offs_len]
                .try_into()
                .ok()?,
        ) as usize;
        r.take(last)?;
        let rows = r.u32()? as usize;
        let rows_at = r.at;
        r.take(rows.checked_mul(ROW)?)?;
        let n = r.u32()? as usize;
        let mut rules = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let leads = r.u32()? as usize;
            let mut lead_days = Vec::with_capacity(leads.min(1 << 10));
            for _ in 0..leads {
                lead_days.push(r.u32()?);
            }
            rules.push(ReminderRules {
                lead_days: lead_days.into(),
                overdue_every_days: r.u32()?,
                escalate_within_days: r.u32()?,
            });
        }
        let n = r.u32()? as usize;
        let mut recipients = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let len = r.u32()? as usize;
            let mut v = Vec::with_capacity(len.min(1 << 10));
            for _ in 0..len {
                v.push(r.u32()? as usize);
            }
            if v.is_empty() || v.iter().any(|&c| c >= caseworkers.len()) {
                return None;
            }
            recipients.push(v);
        }
        let items = r.u32()? as usize;
        let items_at = r.at;
        r.take(items.checked_mul(ITEM)?)?;
        if r.at != buf.len() {
            return None;
        }
        Some(Index {
            buf,
            timezone,
            caseworkers,
            strings_at,
            strings,
            rows_at,
            rows,
            rules,
            recipients,
            items_at,
            items,
        })
    }

    /// Every item of the config, as [`engine::items`] listed them when the
    /// index was written (what `plan` schedules); None if damaged.
    pub fn items(&self) -> Option<Vec<Item<'_>>> {
        let mut out = Vec::with_capacity(self.items);
        for i in 0..self.items {
            let rec = &self.buf[self.items_at + i * ITEM..self.items_at + (i + 1) * ITEM];
            let w =
                |k: usize| u32::from_le_bytes(rec[4 * k..4 * k + 4].try_into().expect("4 bytes"));
            let day = |k: usize| NaiveDate::from_num_days_from_ce_opt(w(k) as i32);
            let step = match rec[55] {
                0 => Step::Lead(w(8)),
                1 => Step::Overdue(w(8)),
                2 => Step::Review(w(8)),
                3 => Step::Stage,
                4 => Step::Unblocked,
                _ => return None,
            };
            let cadence = match rec[54] {
                0 => Cadence::Deadline,
                1 => Cadence::LeadOnly,
                2 => Cadence::Once,
                3 => Cadence::Review(w(8)),
                4 => Cadence::Notice(step),
                _ => return None,
            };
            let case = CaseRef {
                file: w(9),
                case: w(10),
            };
            let source = match rec[56] {
                0 => Source::Document {
                    case,
                    index: w(11) as usize,
                },
                1 => Source::Request {
                    case,
                    index: w(11) as usize,
                },
                2 => Source::Event {
                    case,
                    index: w(11) as usize,
                },
                3 => Source::Bill {
                    bill: w(9) as usize,
                },
                _ => return None,
            };
            let to = self.recipients.get(w(7) as usize)?;
            out.push(Item {
                reference: self.string(w(0))?,
                item: *ITEMS.get(rec[52] as usize)?,
                kind: self.string(w(1))?,
                deadline: day(3)?,
                act_by: day(4)?,
                status: self.string(w(2))?,
                start: if w(5) as i32 == i32::MIN {
                    None
                } else {
                    Some(day(5)?)
                },
                resolved: rec[53] != 0,
                cadence,
                rules: self.rules.get(w(6) as usize)?,
                to: if to.len() == 1 {
                    Recipients::One(to[0])
                } else {
                    Recipients::Many(to.clone())
                },
                source,
                ordinal: w(12),
            });
        }
        Some(out)
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.timezone
    }

    pub fn has_caseworker(&self, id: &str) -> bool {
        self.caseworkers
            .iter()
            .any(|&(a, b)| &self.buf[a..b] == id.as_bytes())
    }

    fn string(&self, i: u32) -> Option<&str> {
        let i = i as usize;
        if i >= self.strings {
            return None;
        }
        let off = |j: usize| {
            let at = self.strings_at + 4 * j;
            u32::from_le_bytes(self.buf[at..at + 4].try_into().expect("4 bytes")) as usize
        };
        let blob = self.strings_at + 4 * (self.strings + 1);
        let (a, b) = (off(i), off(i + 1));
        std::str::from_utf8(self.buf.get(blob + a..blob + b)?).ok()
    }

    fn row(&self, i: usize) -> [u32; 8] {
        let at = self.rows_at + i * ROW;
        let f = |k: usize| {
            u32::from_le_bytes(
                self.buf[at + 4 * k..at + 4 * k + 4]
                    .try_into()
                    .expect("4 bytes"),
            )
        };
        [f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7)]
    }

    fn item(&self, i: usize) -> Option<&'static str> {
        let t = self.buf[self.rows_at + i * ROW + 32];
        ITEMS.get(t as usize).map(|t| t.as_str())
    }

    /// What `upcoming` answers: unresolved deadlines whose act-by date is at
    /// most `days` after `today`, overdue ones included, in `upcoming`'s
    /// order; None if the index turns out to be damaged.
    pub fn upcoming(
        &self,
        today: NaiveDate,
        days: u32,
        caseworker: Option<&str>,
    ) -> Option<Vec<Row<'_>>> {
        let horizon = today
            .checked_add_days(Days::new(days.into()))
            .unwrap_or(NaiveDate::MAX);
        let h = day_number(horizon);
        // Rows are sorted by act-by date: those up to the horizon come first.
        let (mut lo, mut hi) = (0, self.rows);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if (self.row(mid)[0] as i32) <= h {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let today_n = day_number(today);
        let mut out = Vec::with_capacity(lo);
        for i in 0..lo {
            let [act_by, deadline, case, cw, kind, status, act_by_s, deadline_s] = self.row(i);
            let item = self.item(i)?;
            // An event is over once its day has passed.
            if item == ItemType::Event.as_str() && today_n > deadline as i32 {
                continue;
            }
            let &(a, b) = self.caseworkers.get(cw as usize)?;
            let cw = std::str::from_utf8(&self.buf[a..b]).ok()?;
            if caseworker.is_some_and(|w| w != cw) {
                continue;
            }
            out.push(Row {
                case: self.string(case)?,
                caseworker: cw,
                item,
                kind: self.string(kind)?,
                deadline: self.string(deadline_s)?,
                act_by: self.string(act_by_s)?,
                days_left: i64::from(act_by as i32 - today_n),
                status: self.string(status)?,
            });
        }
        Some(out)
    }
}

/// A row of `upcoming` borrowed from the index: [`UpcomingEntry`]'s fields
/// in its order, so the JSON is byte for byte the same.
#[derive(Debug, serde::Serialize)]
pub struct Row<'a> {
    pub case: &'a str,
    pub caseworker: &'a str,
    pub item: &'static str,
    pub kind: &'a str,
    pub deadline: &'a str,
    pub act_by: &'a str,
    pub days_left: i64,
    pub status: &'a str,
}

impl Row<'_> {
    pub fn to_entry(&self) -> UpcomingEntry {
        UpcomingEntry {
            case: self.case.to_string(),
            caseworker: self.caseworker.to_string(),
            item: self.item,
            kind: self.kind.to_string(),
            deadline: self.deadline.to_string(),
            act_by: self.act_by.to_string(),
            days_left: self.days_left,
            status: self.status.to_string(),
        }
    }
}

const ITEMS: [ItemType; 4] = [
    ItemType::Document,
    ItemType::Request,
    ItemType::Event,
    ItemType::Bill,
];

fn day_number(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce()
}

/// The index's bytes for `cfg` under `key`.
fn encode(cfg: &Config, key: &[u8; 16]) -> Vec<u8> {
    let items = engine::items(cfg);
    let mut rows: Vec<&engine::Item<'_>> = items
        .iter()
        .filter(|it| it.is_deadline() && !it.resolved)
        .collect();
    rows.sort_by(|a, b| {
        (a.act_by, a.reference, a.item, a.kind, a.deadline).cmp(&(
            b.act_by,
            b.reference,
            b.item,
            b.kind,
            b.deadline,
        ))
    });
    let mut strings: Vec<&str> = Vec::new();
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut id_of = |s| -> u32 {
        *ids.entry(s).or_insert_with(|| {
            strings.push(s);
            (strings.len() - 1) as u32
        })
    };
    let mut recs: Vec<[u32; 8]> = Vec::with_capacity(rows.len());
    let mut dates: HashMap<NaiveDate, String> = HashMap::new();
    for it in &rows {
        for d in [it.act_by, it.deadline] {
            dates.entry(d).or_insert_with(|| d.to_string());
        }
    }
    let mut types: Vec<u8> = Vec::with_capacity(rows.len());
    for it in &rows {
        recs.push([
            day_number(it.act_by) as u32,
            day_number(it.deadline) as u32,
            id_of(it.reference),
            it.to[0] as u32,
            id_of(it.kind),
            id_of(it.status),
            id_of(&dates[&it.act_by]),
            id_of(&dates[&it.deadline]),
        ]);
        types.push(ITEMS.iter().position(|t| *t == it.item).unwrap_or(0) as u8);
    }
    // Every item, in the engine's order, for `plan`.
    let mut rules: Vec<&ReminderRules> = Vec::new();
    let mut recips: Vec<&[usize]> = Vec::new();
    let mut item_recs: Vec<[u8; ITEM]> = Vec::with_capacity(items.len());
    for it in &items {
        let rule = match rules.iter().position(|r| *r == it.rules) {
            Some(i) => i,
            None => {
                rules.push(it.rules);
                rules.len() - 1
            }
        };
        let to: &[usize] = &it.to;
        let recip = match recips.iter().position(|r| *r == to) {
            Some(i) => i,
            None => {
                recips.push(to);
                recips.len() - 1
            }
        };
        let (ctag, cpay, stag) = match it.cadence {
            Cadence::Deadline => (0u8, 0u32, 0u8),
            Cadence::LeadOnly => (1, 0, 0),
            Cadence::Once => (2, 0, 0),
            Cadence::Review(n) => (3, n, 0),
            Cadence::Notice(step) => {
                let (t, v) = match step {
                    Step::Lead(l) => (0, l),
                    Step::Overdue(k) => (1, k),
                    Step::Review(k) => (2, k),
                    Step::Stage => (3, 0),
                    Step::Unblocked => (4, 0),
                };
                (4, v, t)
            }
        };
        let (srtag, sa, sb, sc) = match it.source {
            Source::Document { case, index } => (0u8, case.file, case.case, index as u32),
            Source::Request { case, index } => (1, case.file, case.case, index as u32),
            Source::Event { case, index } => (2, case.file, case.case, index as u32),
            Source::Bill { bill } => (3, bill as u32, 0, 0),
        };
        let words: [u32; 13] = [
            id_of(it.reference),
            id_of(it.kind),
            id_of(it.status),
            day_number(it.deadline) as u32,
            day_number(it.act_by) as u32,
            it.start.map_or(i32::MIN, day_number) as u32,
            rule as u32,
            recip as u32,
            cpay,
            sa,
            sb,
            sc,
            it.ordinal,
        ];
        let mut rec = [0u8; ITEM];
        for (k, w) in words.iter().enumerate() {
            rec[4 * k..4 * k + 4].copy_from_slice(&w.to_le_bytes());
        }
        rec[52] = ITEMS.iter().position(|t| *t == it.item).unwrap_or(0) as u8;
        rec[53] = it.resolved as u8;
        rec[54] = ctag;
        rec[55] = stag;
        rec[56] = srtag;
        item_recs.push(rec);
    }
    let mut b = Vec::with_capacity(64 + rows.len() * (ROW + 24) + items.len() * ITEM);
    let put_str = |b: &mut Vec<u8>, s: &str| {
        b.extend_from_slice(&(s.len() as u32).to_le_bytes());
        b.extend_from_slice(s.as_bytes());
    };
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(key);
    put_str(&mut b, cfg.service.timezone.name());
    b.extend_from_slice(&(cfg.caseworkers.len() as u32).to_le_bytes());
    for c in &cfg.caseworkers {
        put_str(&mut b, &c.id);
    }
    b.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    let mut off = 0u32;
    b.extend_from_slice(&off.to_le_bytes());
    for s in &strings {
        off += s.len() as u32;
        b.extend_from_slice(&off.to_le_bytes());
    }
    for s in &strings {
        b.extend_from_slice(s.as_bytes());
    }
    b.extend_from_slice(&(recs.len() as u32).to_le_bytes());
    for (r, t) in recs.iter().zip(&types) {
        for v in r {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.push(*t);
    }
    let put_u32s = |b: &mut Vec<u8>, v: &mut dyn Iterator<Item = u32>| {
        for x in v {
            b.extend_from_slice(&x.to_le_bytes());
        }
    };
    b.extend_from_slice(&(rules.len() as u32).to_le_bytes());
    for r in &rules {
        put_u32s(&mut b, &mut std::iter::once(r.lead_days.len() as u32));
        put_u32s(&mut b, &mut r.lead_days.iter().copied());
        put_u32s(
            &mut b,
            &mut [r.overdue_every_days, r.escalate_within_days].into_iter(),
        );
    }
    b.extend_from_slice(&(recips.len() as u32).to_le_bytes());
    for r in &recips {
        put_u32s(&mut b, &mut std::iter::once(r.len() as u32));
        put_u32s(&mut b, &mut r.iter().map(|&c| c as u32));
    }
    b.extend_from_slice(&(item_recs.len() as u32).to_le_bytes());
    for r in &item_recs {
        b.extend_from_slice(r);
    }
    b
}

/// Keep `cfg`'s index for the next run; `files` are the files the load
/// read, with the hashes of the texts it checked (main first). Quietly does
/// nothing when the index cannot be written.
pub fn write(cfg: &Config, files: Vec<KeyFile>) {
    if !enabled() {
        return;
    }
    let Some(at) = location(&cfg.path) else {
        return;
    };
    let mut files = files;
    files[1..].sort_by(|a, b| a.path.cmp(&b.path));
    let Some(key) = key(&cfg.path, &files) else {
        return;
    };
    let bytes = encode(cfg, &key);
    match store(&at, &bytes) {
        Ok(()) => {
            tracing::debug!(index = %at.display(), bytes = bytes.len(), "upcoming: index written")
        }
        Err(e) => {
            tracing::debug!(index = %at.display(), error = %e, "upcoming: cannot write the index")
        }
    }
}

fn store(at: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let dir = at.parent().expect("in a directory");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}",
        at.file_name().and_then(|n| n.to_str()).unwrap_or("idx"),
        std::process::id()
    ));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    drop(f);
    std::fs::rename(&tmp, at).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::UpcomingFilter;
    use std::os::unix::fs::PermissionsExt;

    /// The repository's example config (config/), copied private.
    fn example() -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        std::fs::create_dir(dir.path().join("cases.d")).unwrap();
        let mut names = vec!["docket.toml".to_string()];
        for e in std::fs::read_dir(src.join("cases.d")).unwrap() {
            names.push(format!(
                "cases.d/{}",
                e.unwrap().file_name().to_string_lossy()
            ));
        }
        for n in &names {
            let to = dir.path().join(n);
            std::fs::copy(src.join(n), &to).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let env = crate::config::Env::default();
        let cfg = crate::config::load_with_env(&dir.path().join("docket.toml"), &env)
            .config
            .expect("the example config loads");
        (dir, cfg)
    }

    /// The index answers exactly what the engine answers, for every day
    /// around the example config's deadlines, every horizon and filter.
    #[test]
    fn answers_what_the_full_load_answers() {
        let (_dir, cfg) = example();
        let key = [7u8; 16];
        let ix = Index::parse(encode(&cfg, &key), &key).expect("parses");
        assert!(
            Index::parse(encode(&cfg, &key), &[8u8; 16]).is_none(),
            "another key is a miss"
        );
        let start = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let mut compared = 0;
        for step in (0..900).step_by(9) {
            let today = start + chrono::Duration::days(step);
            for days in [0, 7, 30, 90, 400] {
                for cw in
                    std::iter::once(None).chain(cfg.caseworkers.iter().map(|c| Some(c.id.as_str())))
                {
                    let filter = UpcomingFilter {
                        case: None,
                        caseworker: cw,
                    };
                    let full = crate::report::upcoming(&cfg, today, days, &filter);
                    let fast = ix.upcoming(today, days, cw).expect("reads");
                    assert_eq!(
                        serde_json::to_string_pretty(&full).unwrap(),
                        serde_json::to_string_pretty(&fast).unwrap(),
                        "{today} +{days} {cw:?}"
                    );
                    compared += full.len();
                }
            }
        }
        assert!(
            compared > 100,
            "the example has deadlines to compare ({compared})"
        );
    }

    /// `plan` over the index's items and the main file's settings answers
    /// exactly what it answers over the full load.
    #[test]
    fn plans_what_the_full_load_plans() {
        let (dir, cfg) = example();
        let key = [3u8; 16];
        let ix = Index::parse(encode(&cfg, &key), &key).expect("parses");
        let items = ix.items().expect("items");
        let full_items = engine::items(&cfg);
        assert_eq!(items.len(), full_items.len());
        let main = crate::config::main_settings(&dir.path().join("docket.toml")).expect("main");
        let json = |cfg: &Config, items: &[Item<'_>], from, to| {
            let rows = engine::plan_reminders(cfg, items, from, to);
            let rows: Vec<_> = rows
                .iter()
                .map(|r| crate::report::PlanRow::new(cfg, items, r))
                .collect();
            serde_json::to_string_pretty(&rows).unwrap()
        };
        let mut compared = 0;
        for (from, days) in [
            ("2025-01-01", 800),
            ("2026-11-16", 365),
            ("2026-12-01", 31),
            ("2027-06-01", 2000),
        ] {
            let from: NaiveDate = from.parse().unwrap();
            let to = from + chrono::Duration::days(days);
            let full = json(&cfg, &full_items, from, to);
            assert_eq!(full, json(&main, &items, from, to), "{from} +{days}");
            compared += full.len();
        }
        assert!(
            compared > 10_000,
            "the example plans reminders ({compared} bytes)"
        );
    }

    #[test]
    fn a_damaged_index_is_a_miss() {
        let (_dir, cfg) = example();
        let key = [1u8; 16];
        let good = encode(&cfg, &key);
        for cut in [0, 10, 40, good.len() / 2, good.len() - 1] {
            assert!(
                Index::parse(good[..cut].to_vec(), &key).is_none(),
                "cut at {cut}"
            );
        }
        let mut longer = good.clone();
        longer.push(0);
        assert!(Index::parse(longer, &key).is_none());
    }
}
