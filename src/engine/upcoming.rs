//! `upcoming`: the unresolved deadlines due within some days (overdue
//! ones included), and their order, which the index keeps too.

use super::Item;
use crate::config::model::Config;
use chrono::{Datelike, Days, NaiveDate};

/// Unresolved deadlines whose act-by date is at most `days` away (overdue
/// ones included), sorted by act-by date, then case id.
pub fn upcoming<'i>(
    cfg: &Config,
    items: &'i [Item<'i>],
    today: NaiveDate,
    days: u32,
    filter: &UpcomingFilter<'_>,
) -> Vec<&'i Item<'i>> {
    let horizon = today
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX);
    let picked = items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.upcoming_on(today) && it.act_by <= horizon)
        .filter(|(_, it)| filter.case.is_none_or(|c| it.reference == c))
        .filter(|(_, it)| {
            filter
                .caseworker
                .is_none_or(|w| cfg.caseworkers[it.to[0]].id == w)
        })
        .map(|(i, _)| i);
    in_upcoming_order(items, picked)
        .into_iter()
        .map(|i| &items[i])
        .collect()
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
    rows.sort_unstable_by_key(|r| (r.day, r.prefix, r.index));
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

    /// The two-step sort of `upcoming` orders rows as a stable sort by
    /// [`Item::upcoming_key`] does, ties (same date, case, item, kind and
    /// deadline) in item order, on items made to tie often.
    #[test]
    fn upcoming_sort_is_a_stable_sort_by_the_key() {
        let (_dir, cfg) = crate::test_support::example();
        let base = items(&cfg);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
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
        let many: Vec<Item<'_>> = (0..5_000)
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
        let mut many = many;
        many[7].act_by = NaiveDate::from_ymd_opt(-300, 1, 1).unwrap();
        many[8].act_by = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
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
}
