//! The index file: its layout, written by [`encode`], read by
//! [`Index::parse`] (which checks every length against the file, so a
//! damaged or truncated file is a miss, never a panic).
//!
//! Layout (little-endian): magic and key (16 bytes each), the service's
//! time zone, the caseworker ids, a strings table (offsets, then bytes),
//! the upcoming rows (fixed size, sorted as `upcoming` sorts them: an
//! act-by day to search on, the item's index, and its two dates written
//! out, so printing a row formats no date), the reminder-rules and
//! recipient-list tables, then every item (fixed size).

use crate::config::model::{CaseRef, Config, ReminderRules};
use crate::config::FastMap;
use crate::engine::{Cadence, Item, ItemType, Recipients, Source, Status, Step};
use crate::report::UpcomingEntry;
use chrono::{Days, NaiveDate};

const MAGIC: &[u8; 16] = b"docket-index-v05";

/// A row as stored: act-by day, item index, act-by and deadline strings.
const ROW: usize = 4 * 4;

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
    /// The main file's text the key was made of.
    main_text: String,
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
    pub(super) fn parse(buf: Vec<u8>, key: &[u8; 16], main_text: String) -> Option<Index> {
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
            main_text,
        })
    }

    pub(super) fn main_text(&self) -> &str {
        &self.main_text
    }

    /// Every item of the config, as [`engine::items`] listed them when the
    /// index was written (what `plan` schedules); None if damaged.
    pub fn items(&self) -> Option<Vec<Item<'_>>> {
        (0..self.items).map(|i| self.item_at(i)).collect()
    }

    /// Item `i` of the items table.
    fn item_at(&self, i: usize) -> Option<Item<'_>> {
        if i >= self.items {
            return None;
        }
        let rec = &self.buf[self.items_at + i * ITEM..self.items_at + (i + 1) * ITEM];
        let w = |k: usize| u32::from_le_bytes(rec[4 * k..4 * k + 4].try_into().expect("4 bytes"));
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
        let index = w(11) as usize;
        let source = match rec[56] {
            0 => Source::Document { case, index },
            1 => Source::Request { case, index },
            2 => Source::Event { case, index },
            3 => Source::Bill {
                bill: w(9) as usize,
            },
            _ => return None,
        };
        let to = self.recipients.get(w(7) as usize)?;
        let item = *ITEMS.get(rec[52] as usize)?;
        Some(Item {
            reference: self.string(w(0))?,
            item,
            kind: self.string(w(1))?,
            deadline: day(3)?,
            act_by: day(4)?,
            status: Status::parse(item, self.string(w(2))?)?,
            start: if w(5) as i32 == i32::MIN {
                None
            } else {
                Some(day(5)?)
            },
            resolved: rec[53] != 0,
            cadence,
            rules: self.rules.get(w(6) as usize)?,
            to: match to[..] {
                [one] => Recipients::One(one),
                _ => Recipients::Many(to.clone()),
            },
            source,
            ordinal: w(12),
        })
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

    fn row(&self, i: usize) -> [u32; 4] {
        let at = self.rows_at + i * ROW;
        let f = |k: usize| {
            u32::from_le_bytes(
                self.buf[at + 4 * k..at + 4 * k + 4]
                    .try_into()
                    .expect("4 bytes"),
            )
        };
        [f(0), f(1), f(2), f(3)]
    }

    /// What `upcoming` answers, by [`engine::upcoming`]'s rules: the items
    /// listed on `today` whose act-by date is at most `days` after it,
    /// overdue ones included, in `upcoming`'s order; None if the index
    /// turns out to be damaged.
    pub fn upcoming(
        &self,
        today: NaiveDate,
        days: u32,
        caseworker: Option<&str>,
    ) -> Option<Vec<UpcomingEntry<&str>>> {
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
        let mut out = Vec::with_capacity(lo);
        for i in 0..lo {
            let [_, item, act_by_s, deadline_s] = self.row(i);
            let it = self.item_at(item as usize)?;
            if !it.upcoming_on(today) {
                continue;
            }
            let &(a, b) = self.caseworkers.get(it.to[0])?;
            let cw = std::str::from_utf8(&self.buf[a..b]).ok()?;
            if caseworker.is_some_and(|w| w != cw) {
                continue;
            }
            out.push(UpcomingEntry {
                case: it.reference,
                caseworker: cw,
                item: it.item.as_str(),
                kind: it.kind,
                deadline: self.string(deadline_s)?,
                act_by: self.string(act_by_s)?,
                days_left: (it.act_by - today).num_days(),
                status: it.status.as_str(),
                tracked: true,
            });
        }
        Some(out)
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

/// The index's strings, each once, numbered in the order first met. A
/// fast hash (they are the config's own ids, kinds and dates: ~300,000
/// lookups at 100,000 cases, a third of the index's time with SipHash),
/// and the last string asked for remembered: a case's items follow each
/// other and share its id.
struct Strings<'a> {
    all: Vec<&'a str>,
    ids: FastMap<&'a str, u32>,
    last: Option<(&'a str, u32)>,
}

impl<'a> Strings<'a> {
    fn with_capacity(n: usize) -> Strings<'a> {
        let mut ids = FastMap::default();
        ids.reserve(n);
        Strings {
            all: Vec::with_capacity(n),
            ids,
            last: None,
        }
    }

    fn id(&mut self, s: &'a str) -> u32 {
        if let Some((l, id)) = self.last {
            if std::ptr::eq(l, s) {
                return id;
            }
        }
        let all = &mut self.all;
        let id = *self.ids.entry(s).or_insert_with(|| {
            all.push(s);
            (all.len() - 1) as u32
        });
        self.last = Some((s, id));
        id
    }
}

/// The index's bytes for `cfg`, whose items are `items`, under `key`.
pub(super) fn encode(cfg: &Config, items: &[Item<'_>], key: &[u8; 16]) -> Vec<u8> {
    // The items `upcoming` can list on some day (`Item::upcoming_on` holds
    // on some day only for these), in its order.
    let rows = crate::engine::in_upcoming_order(
        items,
        (0..items.len()).filter(|&i| items[i].is_deadline() && !items[i].resolved),
    );
    // Room for every case's id (most strings), sized once: the map grown
    // by doubling touched twice its memory.
    let mut strs = Strings::with_capacity(cfg.case_count() + 1024);
    let mut id_of = |s| strs.id(s);
    let mut dates: FastMap<NaiveDate, String> = FastMap::default();
    for &i in &rows {
        for d in [items[i].act_by, items[i].deadline] {
            dates.entry(d).or_insert_with(|| d.to_string());
        }
    }
    let recs: Vec<[u32; 4]> = rows
        .iter()
        .map(|&i| {
            let it = &items[i];
            [
                day_number(it.act_by) as u32,
                i as u32,
                id_of(&dates[&it.act_by]),
                id_of(&dates[&it.deadline]),
            ]
        })
        .collect();
    // Every item, in the engine's order, for `plan`.
    let mut rules: Vec<&ReminderRules> = Vec::new();
    let mut recips: Vec<&[usize]> = Vec::new();
    let mut item_recs: Vec<[u8; ITEM]> = Vec::with_capacity(items.len());
    for it in items {
        // Most items share one rules value (an `Arc`): the same pointer
        // first, the value only when it is not.
        let rule = match rules
            .iter()
            .position(|r| std::ptr::eq(*r, it.rules))
            .or_else(|| rules.iter().position(|r| *r == it.rules))
        {
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
            id_of(it.status.as_str()),
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
    let strings = strs.all;
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
    for r in &recs {
        for v in r {
            b.extend_from_slice(&v.to_le_bytes());
        }
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
