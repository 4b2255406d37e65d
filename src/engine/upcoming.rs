//! `upcoming`: the unresolved deadlines due within some days (overdue
//! ones included), and their order, which the index keeps too.

use super::Item;
use crate::config::model::Config;
use chrono::{Datelike, Days, NaiveDate};
use std::ops::Range;

/// Unresolved deadlines whose act-by date is at most `days` away (overdue
/// ones included), sorted by act-by date, then case id.
pub fn upcoming<'i>(
    cfg: &Config,
    items: &'i [Item<'i>],
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<&'i Item<'i>> {
    let all = UpcomingPart::default();
    let all = upcoming_part(cfg, items, 0..items.len(), today, days, filter, all);
    upcoming_join(all, UpcomingPart::default())
}

/// [`upcoming`]'s rows among `items[range]`, ordered by their numbers
/// only (the first step of [`sort_upcoming`]), in `part`'s memory. The
/// parts of a split of `items`, made apart (on two threads: the caller's
/// choice, the engine spawns nothing) and joined by [`upcoming_join`],
/// are [`upcoming`].
pub fn upcoming_part<'i>(
    cfg: &Config,
    items: &'i [Item<'i>],
    range: Range<usize>,
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
    part: UpcomingPart<'i>,
) -> UpcomingPart<'i> {
    let horizon = today
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX);
    let start = range.start;
    let mut rows = part.0;
    rows.clear();
    rows.extend(
        items[range]
            .iter()
            .enumerate()
            .filter(|(_, it)| it.upcoming_on(today) && it.act_by <= horizon)
            .filter(|(_, it)| filter.case.is_none_or(|c| it.reference == c))
            .filter(|(_, it)| {
                filter
                    .caseworker
                    .is_none_or(|w| cfg.caseworkers[it.to[0]].id == w)
            })
            .map(|(k, it)| Row::new(start + k, it)),
    );
    rows.sort_unstable_by_key(Row::numbers);
    UpcomingPart(rows)
}

/// Some of [`upcoming`]'s rows, ordered by their numbers (see
/// [`upcoming_part`]).
#[derive(Default)]
pub struct UpcomingPart<'i>(Vec<Row<'i>>);

impl UpcomingPart<'_> {
    /// Room for `rows` rows. Memory a thread allocates comes from pages
    /// of its own: made on the thread that joins the parts, a part made
    /// on another thread does not add to the peak RSS (it had added
    /// 4–10 MiB at 100,000 cases).
    pub fn with_capacity(rows: usize) -> Self {
        UpcomingPart(Vec::with_capacity(rows))
    }
}

/// [`upcoming`] from the parts of `items` before and after a split
/// (`a`'s range before `b`'s): the two merged by their numbers, then the
/// rows that tie on them ordered by the whole key.
pub fn upcoming_join<'i>(a: UpcomingPart<'i>, b: UpcomingPart<'i>) -> Vec<&'i Item<'i>> {
    let (a, b) = (a.0, b.0);
    let mut rows = if b.is_empty() {
        a
    } else if a.is_empty() {
        b
    } else {
        let mut rows = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if b[j].numbers() < a[i].numbers() {
                rows.push(b[j]);
                j += 1;
            } else {
                rows.push(a[i]);
                i += 1;
            }
        }
        rows.extend_from_slice(&a[i..]);
        rows.extend_from_slice(&b[j..]);
        rows
    };
    order_ties(&mut rows);
    rows.into_iter().map(|r| r.item).collect()
}

/// The items at `picked` (indices into `items`) in `upcoming`'s order:
/// by [`Item::upcoming_key`], ties in index order (a stable sort). Also
/// the order of the index's rows (`crate::index`).
pub fn in_upcoming_order(
    items: &[Item<'_>],
    picked: impl IntoIterator<Item = usize>,
) -> Vec<usize> {
    let mut rows: Vec<Row<'_>> = picked.into_iter().map(|i| Row::new(i, &items[i])).collect();
    sort_upcoming(&mut rows);
    rows.into_iter().map(|r| r.index as usize).collect()
}

/// A row of `upcoming` with the start of its sort key at hand: the act-by
/// date, the case id's first 16 bytes (zero-padded, big-endian: they
/// compare as the ids do, as far as they go) and the item's index.
#[derive(Clone, Copy)]
struct Row<'i> {
    day: i32,
    index: u32,
    prefix: [u64; 2],
    item: &'i Item<'i>,
}

impl<'i> Row<'i> {
    fn new(index: usize, item: &'i Item<'i>) -> Row<'i> {
        let mut b = [0u8; 16];
        let r = item.reference.as_bytes();
        let n = r.len().min(16);
        b[..n].copy_from_slice(&r[..n]);
        let [h0, h1, h2, h3, h4, h5, h6, h7, l0, l1, l2, l3, l4, l5, l6, l7] = b;
        Row {
            day: item.act_by.num_days_from_ce(),
            index: index as u32,
            prefix: [
                u64::from_be_bytes([h0, h1, h2, h3, h4, h5, h6, h7]),
                u64::from_be_bytes([l0, l1, l2, l3, l4, l5, l6, l7]),
            ],
            item,
        }
    }

    /// What the first step sorts by: no two rows share it (the index).
    fn numbers(&self) -> (i32, [u64; 2], u32) {
        (self.day, self.prefix, self.index)
    }

    /// Rows with the same date and id prefix: only the whole key tells
    /// them apart.
    fn ties(&self, other: &Row<'_>) -> bool {
        self.day == other.day && self.prefix == other.prefix
    }
}

/// [`Item::upcoming_key`]'s order, ties kept in item order (a stable sort),
/// in two steps: by the numbers of [`Row`] (no look into the items: the
/// 60,000 rows of 100,000 cases point into ~15 MB, and a comparison that
/// followed the pointers waited on memory twice); then each run of rows
/// with the same date and id prefix by the whole key, stably, which keeps
/// their ties in index order. The same order as a stable sort by the
/// whole key: a smaller prefix is a smaller id, and rows that tie on date
/// and prefix are sorted by the rest.
fn sort_upcoming(rows: &mut [Row<'_>]) {
    rows.sort_unstable_by_key(Row::numbers);
    order_ties(rows);
}

/// The second step of [`sort_upcoming`], on rows sorted by their numbers.
fn order_ties(rows: &mut [Row<'_>]) {
    for run in rows.chunk_by_mut(|a, b| a.ties(b)) {
        if run.len() > 1 {
            run.sort_by(|a, b| a.item.upcoming_key().cmp(&b.item.upcoming_key()));
        }
    }
}

/// Filters for `upcoming`.
#[derive(Debug, Clone, Default)]
pub struct UpcomingFilter<'a> {
    pub case: Option<&'a str>,
    pub caseworker: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::super::{items, ItemType};
    use super::*;

    /// 5,000 of the example's items, made to tie often: dates over five
    /// days from `day` (and two far ones), ids that share their first 16
    /// bytes, few kinds.
    fn tying<'c>(base: &[Item<'c>], day: NaiveDate) -> Vec<Item<'c>> {
        // Ids that tie on their first 16 bytes, and short ones.
        let refs = [
            "KZ-2",
            "KZ-1",
            "KZ-10",
            "A",
            "KZ-ALMATY-2026-0002",
            "KZ-ALMATY-2026-0001",
            "KZ-ALMATY-2026-",
            "KZ-ALMATY-2026-00",
        ];
        let kinds = ["passport", "visa", "b"];
        let types = [ItemType::Document, ItemType::Request, ItemType::Event];
        let mut next = crate::test_support::numbers_below();
        let mut many: Vec<Item<'_>> = (0..5_000)
            .map(|_| {
                let mut it = base[next(base.len())].clone();
                it.act_by = day + Days::new(next(5) as u64);
                it.deadline = day + Days::new(next(3) as u64);
                it.reference = refs[next(refs.len())];
                it.kind = kinds[next(kinds.len())];
                it.item = types[next(types.len())];
                it
            })
            .collect();
        // Far dates too: before year 1 and late in the calendar.
        many[7].act_by = NaiveDate::from_ymd_opt(-300, 1, 1).unwrap();
        many[8].act_by = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        many
    }

    /// The two-step sort of `upcoming` orders rows as a stable sort by
    /// [`Item::upcoming_key`] does, ties (same date, case, item, kind and
    /// deadline) in item order, on items made to tie often.
    #[test]
    fn upcoming_sort_is_a_stable_sort_by_the_key() {
        let (_dir, cfg) = crate::test_support::example();
        let base = items(&cfg);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let many = tying(&base, day);
        let mut want: Vec<(usize, &Item<'_>)> = many.iter().enumerate().collect();
        want.sort_by_key(|(_, it)| it.upcoming_key());
        let mut got: Vec<Row<'_>> = many
            .iter()
            .enumerate()
            .map(|(i, it)| Row::new(i, it))
            .collect();
        sort_upcoming(&mut got);
        let want: Vec<usize> = want.iter().map(|(i, _)| *i).collect();
        let got: Vec<usize> = got.iter().map(|r| r.index as usize).collect();
        assert_eq!(got, want);
    }

    /// Wherever the items are split, the two parts joined are `upcoming`
    /// of them all, and that is the items it keeps in a stable sort by
    /// the key (ties in item order: the rows are compared by address).
    #[test]
    fn parts_joined_are_upcoming_wherever_the_split() {
        let (_dir, cfg) = crate::test_support::example();
        let base = items(&cfg);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let many = tying(&base, day);
        let filter = UpcomingFilter::default();
        let mut want: Vec<&Item<'_>> = many
            .iter()
            .filter(|it| it.upcoming_on(day) && it.act_by <= day + Days::new(3))
            .collect();
        want.sort_by_key(|it| it.upcoming_key());
        assert!(want.len() > 1_000, "{} rows: too few to tell", want.len());
        fn addr(v: &[&Item<'_>]) -> Vec<usize> {
            v.iter().map(|it| *it as *const Item<'_> as usize).collect()
        }
        // The first row that differs, not 3,000 addresses.
        let same = |got: &[&Item<'_>], at: &str| {
            let (g, w) = (addr(got), addr(&want));
            let first = g.iter().zip(&w).position(|(a, b)| a != b);
            assert!(
                first.is_none() && g.len() == w.len(),
                "{at}: {} rows for {}, first different at {first:?}",
                g.len(),
                w.len()
            );
        };
        same(&upcoming(&cfg, &many, day, 3, &filter), "whole");
        let n = many.len();
        for mid in [0, 1, 7, 8, 9, n / 3, n / 2, n - 1, n] {
            let part = |r| upcoming_part(&cfg, &many, r, day, 3, &filter, Default::default());
            let joined = upcoming_join(part(0..mid), part(mid..n));
            same(&joined, &format!("split at {mid}"));
        }
    }
}
