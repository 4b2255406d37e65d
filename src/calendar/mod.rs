//! Working days, Kazakhstan's statutory days off, and durations.
//!
//! Everything here is pure and cheap: a [`Calendar`] precomputes one bit per
//! day for the supported range ([`MIN_YEAR`]..=[`MAX_YEAR`]), so asking
//! whether a day is a working day is an index into a bitmap. That keeps the
//! engine fast at 100,000 cases, where every lead step asks several times.

mod kurban_ait;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// First year the calendar knows. Earlier dates are rejected by validation.
pub const MIN_YEAR: i32 = 1970;
/// Last year the calendar knows: the last year with a computed Kurban Ait
/// date. Later dates are rejected by validation.
pub const MAX_YEAR: i32 = kurban_ait::ESTIMATES_LAST_YEAR;

/// First day of Kurban Ait (Eid al-Adha) as a day off in Kazakhstan,
/// officially announced.
///
/// Kurban Ait follows the lunar calendar. Sources: the python `holidays`
/// library, vacanza/holidays v0.109 `holidays/countries/kazakhstan.py` and
/// `holidays/calendars/islamic.py` (2015–2025, confirmed in the Kazakh press
/// for every year but 2017 and 2020; 2024 is Sunday 16 June as fixed by the
/// Spiritual Administration of Muslims, not the 17th first published), and
/// the government's 2026 production calendar for 27 May 2026. Later years
/// use the computed dates of [`kurban_ait`] (10 Dhu al-Hijjah, Umm al-Qura,
/// which matched every announced date since 2017), marked as estimates:
/// `[calendar] kurban_ait` sets a year's announced date, and `docket check`
/// says which years rest on estimates.
pub const KURBAN_AIT: &[(i32, u32, u32)] = &[
    (2015, 9, 24),
    (2016, 9, 12),
    (2017, 9, 1),
    (2018, 8, 21),
    (2019, 8, 11),
    (2020, 7, 31),
    (2021, 7, 20),
    (2022, 7, 9),
    (2023, 6, 28),
    (2024, 6, 16),
    (2025, 6, 6),
    (2026, 5, 27),
];

/// Where a year's Kurban Ait comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KurbanAit {
    /// In docket's table of announced dates.
    Announced,
    /// Set in `[calendar] kurban_ait`.
    Configured,
    /// Computed (10 Dhu al-Hijjah, Umm al-Qura): may be a day off.
    Estimated,
    /// No date at all (before 2015).
    Unknown,
}

/// A date as chrono's `Display` writes it (`2026-11-21`), in ASCII, for
/// the years 0–9999; `None` outside them, where chrono writes a sign and
/// the caller uses it. For writers of many dates, without the formatting
/// machinery: a pass's ledger keys, `upcoming`'s and `plan`'s JSON.
pub fn ymd(d: NaiveDate) -> Option<[u8; 10]> {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return None;
    }
    let y = y as u32;
    let digit = |v: u32| b'0' + v as u8;
    Some([
        digit(y / 1000),
        digit(y / 100 % 10),
        digit(y / 10 % 10),
        digit(y % 10),
        b'-',
        digit(m / 10),
        digit(m % 10),
        b'-',
        digit(day / 10),
        digit(day % 10),
    ])
}

/// The first days of Kurban Ait in `year` (usually one; 2039 and 2071 have
/// two), with where they come from. `configured` holds `[calendar]
/// kurban_ait`, which wins: it replaces the year's estimate (in 2039 and
/// 2071, the one nearer to it).
pub fn kurban_ait(year: i32, configured: &BTreeMap<i32, NaiveDate>) -> (KurbanAit, Vec<NaiveDate>) {
    let ymd = |&(y, m, d): &(i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d);
    if let Some(&day) = configured.get(&year) {
        let mut days: Vec<NaiveDate> = kurban_ait::KURBAN_AIT_ESTIMATES
            .iter()
            .filter(|(y, _, _)| *y == year)
            .filter_map(ymd)
            .collect();
        match days
            .iter()
            .enumerate()
            .min_by_key(|(_, d)| (**d - day).num_days().abs())
            .map(|(i, _)| i)
        {
            Some(i) if days.len() > 1 => days[i] = day,
            _ => days = vec![day],
        }
        return (KurbanAit::Configured, days);
    }
    let announced: Vec<NaiveDate> = KURBAN_AIT
        .iter()
        .filter(|(y, _, _)| *y == year)
        .filter_map(ymd)
        .collect();
    if !announced.is_empty() {
        return (KurbanAit::Announced, announced);
    }
    let estimated: Vec<NaiveDate> = kurban_ait::KURBAN_AIT_ESTIMATES
        .iter()
        .filter(|(y, _, _)| *y == year)
        .filter_map(ymd)
        .collect();
    if estimated.is_empty() {
        (KurbanAit::Unknown, Vec::new())
    } else {
        (KurbanAit::Estimated, estimated)
    }
}

/// The days of the week that are days off, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weekend(u8);

impl Weekend {
    pub fn from_days(days: &[Weekday]) -> Weekend {
        let mut w = Weekend(0);
        for &d in days {
            w.insert(d);
        }
        w
    }
    pub fn insert(&mut self, d: Weekday) {
        self.0 |= 1 << d.num_days_from_monday();
    }
    pub fn contains(&self, d: &Weekday) -> bool {
        self.0 & (1 << d.num_days_from_monday()) != 0
    }
    pub fn clear(&mut self) {
        self.0 = 0;
    }
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

/// Which built-in statutory list applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidaySet {
    /// Kazakhstan's statutory days off (SPEC §3).
    Kz,
    /// Only weekends and the `extra_` lists.
    None,
}

/// What the act-by date is when a deadline falls on a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOffDeadline {
    /// The previous working day (the default: act before the office closes).
    Before,
    /// The next working day (the law moves the deadline forward).
    After,
    /// The deadline itself, day off or not.
    Keep,
}

/// Calendar settings, as validated from `[calendar]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarSpec {
    pub weekend: Weekend,
    pub holidays: HolidaySet,
    pub extra_holidays: BTreeSet<NaiveDate>,
    pub extra_working_days: BTreeSet<NaiveDate>,
    pub day_off_deadline: DayOffDeadline,
    /// `[calendar] kurban_ait`: announced first days of Kurban Ait per
    /// year, replacing the built-in estimate.
    pub kurban_ait: BTreeMap<i32, NaiveDate>,
}

impl Default for CalendarSpec {
    fn default() -> Self {
        CalendarSpec {
            weekend: Weekend::from_days(&[Weekday::Sat, Weekday::Sun]),
            holidays: HolidaySet::Kz,
            extra_holidays: BTreeSet::new(),
            extra_working_days: BTreeSet::new(),
            day_off_deadline: DayOffDeadline::Before,
            kurban_ait: BTreeMap::new(),
        }
    }
}

/// A statutory holiday: (month, day, first year, last year, carries over).
type Statutory = (u32, u32, i32, i32, bool);

/// Kazakhstan's statutory days off per the Law "On holidays" (SPEC §3).
/// The year bounds are inclusive; `i32::MAX` means "still in force".
const KZ_STATUTORY: &[Statutory] = &[
    (1, 1, i32::MIN, i32::MAX, true),
    (1, 2, i32::MIN, i32::MAX, true),
    (1, 7, i32::MIN, i32::MAX, false), // Orthodox Christmas: no carry-over
    (3, 8, i32::MIN, i32::MAX, true),
    (3, 15, 2027, i32::MAX, true), // Constitution Day under the 2026 Constitution
    (3, 21, 2010, i32::MAX, true),
    (3, 22, i32::MIN, i32::MAX, true),
    (3, 23, 2010, i32::MAX, true),
    (5, 1, i32::MIN, i32::MAX, true),
    (5, 7, 2013, i32::MAX, true),
    (5, 9, i32::MIN, i32::MAX, true),
    (7, 6, 2009, i32::MAX, true),
    (8, 30, 1996, 2025, true),
    (10, 25, 1994, 2008, true),
    (10, 25, 2022, i32::MAX, true),
    (12, 1, 2012, 2021, true),
    (12, 16, i32::MIN, i32::MAX, true),
    (12, 17, i32::MIN, 2021, true),
];

/// A working-day calendar with every day of the supported range precomputed.
#[derive(Clone)]
pub struct Calendar {
    spec: CalendarSpec,
    /// Bit `i` set: day `start + i` is a day off.
    off: Vec<u64>,
    /// `start` as chrono's day number from the common era: a day's index
    /// is one subtraction (`signed_duration_since` builds and checks a
    /// `TimeDelta` first), and the engine asks for many.
    start_ce: i32,
    len: usize,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("spec", &self.spec)
            .finish()
    }
}

impl PartialEq for Calendar {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Calendar {
    pub fn new(spec: CalendarSpec) -> Calendar {
        let start = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).expect("valid");
        let end = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).expect("valid");
        let len = (end - start).num_days() as usize + 1;
        let mut cal = Calendar {
            spec,
            off: vec![0; len.div_ceil(64)],
            start_ce: start.num_days_from_ce(),
            len,
        };
        cal.fill();
        cal
    }

    pub fn spec(&self) -> &CalendarSpec {
        &self.spec
    }

    fn index(&self, d: NaiveDate) -> Option<usize> {
        let i = i64::from(d.num_days_from_ce()) - i64::from(self.start_ce);
        (i >= 0 && (i as usize) < self.len).then_some(i as usize)
    }

    fn set_off(&mut self, d: NaiveDate) {
        if let Some(i) = self.index(d) {
            self.off[i / 64] |= 1 << (i % 64);
        }
    }

    fn clear_off(&mut self, d: NaiveDate) {
        if let Some(i) = self.index(d) {
            self.off[i / 64] &= !(1 << (i % 64));
        }
    }

    fn bit(&self, d: NaiveDate) -> bool {
        match self.index(d) {
            Some(i) => self.off[i / 64] & (1 << (i % 64)) != 0,
            // Outside the supported range only weekends count; validation
            // keeps configured dates inside it.
            None => self.spec.weekend.contains(&d.weekday()),
        }
    }

    /// Build the bitmap: weekends, statutory holidays with carry-over, then
    /// the decree lists, which always win.
    fn fill(&mut self) {
        self.fill_weekends();
        for &h in &self.spec.extra_holidays.clone() {
            self.set_off(h);
        }
        if self.spec.holidays == HolidaySet::Kz {
            for year in MIN_YEAR..=MAX_YEAR {
                self.fill_kz_year(year);
            }
        }
        for &w in &self.spec.extra_working_days.clone() {
            self.clear_off(w);
        }
    }

    /// Weekends, a word (64 days) at a time: the week repeats, so a word's
    /// bits depend only on the weekday of its first day, one of seven
    /// patterns. Day by day (a weekday and an index per day, 47,847 days)
    /// this was ~3% of a cold `upcoming` at 1,000 cases.
    fn fill_weekends(&mut self) {
        // Monday = 0, as `Weekend` counts; day 1 of the common era
        // (0001-01-01) was a Monday.
        let first = (self.start_ce - 1).rem_euclid(7) as usize;
        let mut patterns = [0u64; 7];
        for (wd, pattern) in patterns.iter_mut().enumerate() {
            for bit in 0..64 {
                if self.spec.weekend.0 & (1 << ((wd + bit) % 7)) != 0 {
                    *pattern |= 1 << bit;
                }
            }
        }
        for (k, word) in self.off.iter_mut().enumerate() {
            *word = patterns[(first + 64 * k) % 7];
        }
        // Bits past the last day stay clear (`bit` answers from the
        // weekend alone out there, as for every day out of range).
        let tail = self.len % 64;
        if tail != 0 {
            if let Some(last) = self.off.last_mut() {
                *last &= (1 << tail) - 1;
            }
        }
    }

    /// Mark one year's statutory days off. First every holiday itself (so
    /// that a carried-over day never lands on another holiday), then the
    /// carry-over of those that fall on a weekend, in date order, each onto
    /// the next day that is neither a weekend day nor already a day off.
    fn fill_kz_year(&mut self, year: i32) {
        let mut carried = Vec::new();
        for &(m, day, from, to, carries) in KZ_STATUTORY {
            if year < from || year > to {
                continue;
            }
            let Some(h) = NaiveDate::from_ymd_opt(year, m, day) else {
                continue;
            };
            self.set_off(h);
            if carries && self.spec.weekend.contains(&h.weekday()) {
                carried.push(h);
            }
        }
        for h in kurban_ait(year, &self.spec.kurban_ait).1 {
            self.set_off(h);
        }
        carried.sort();
        for h in carried {
            let mut d = h;
            loop {
                d = match d.succ_opt() {
                    Some(n) => n,
                    None => break,
                };
                if self.index(d).is_none() {
                    break;
                }
                if !self.spec.weekend.contains(&d.weekday()) && !self.bit(d) {
                    self.set_off(d);
                    break;
                }
            }
        }
    }

    /// Is `d` a day off (weekend or holiday, and not a decreed working day)?
    #[inline]
    pub fn is_day_off(&self, d: NaiveDate) -> bool {
        self.bit(d)
    }

    #[inline]
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !self.bit(d)
    }

    /// `d` if it is a working day, else the previous working day.
    pub fn working_on_or_before(&self, mut d: NaiveDate) -> NaiveDate {
        // A bounded walk: no real calendar has 60 days off in a row, and the
        // bound keeps a pathological config (every weekday a weekend) finite.
        for _ in 0..366 {
            if self.is_working_day(d) {
                return d;
            }
            match d.pred_opt() {
                Some(p) => d = p,
                None => return d,
            }
        }
        d
    }

    /// `d` if it is a working day, else the next working day.
    pub fn working_on_or_after(&self, mut d: NaiveDate) -> NaiveDate {
        for _ in 0..366 {
            if self.is_working_day(d) {
                return d;
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => return d,
            }
        }
        d
    }

    /// The act-by date of a deadline (SPEC §3).
    pub fn act_by(&self, deadline: NaiveDate) -> NaiveDate {
        match self.spec.day_off_deadline {
            DayOffDeadline::Before => self.working_on_or_before(deadline),
            DayOffDeadline::After => self.working_on_or_after(deadline),
            DayOffDeadline::Keep => deadline,
        }
    }

    /// `start` plus `n` working days, counting from the day after `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut d = start;
        let mut left = n;
        let mut guard = 0u32;
        while left > 0 {
            d = d.succ_opt()?;
            if self.is_working_day(d) {
                left -= 1;
            }
            guard += 1;
            if guard > n.saturating_mul(7).saturating_add(366) {
                return None;
            }
        }
        Some(d)
    }

    /// `start + duration` per SPEC §3.
    pub fn add(&self, start: NaiveDate, dur: Duration) -> Option<NaiveDate> {
        match dur {
            Duration::Days(n) => start.checked_add_days(Days::new(n.into())),
            Duration::WorkingDays(n) => self.add_working_days(start, n),
            Duration::Months(n) => start.checked_add_months(Months::new(n)),
            Duration::Years(n) => start.checked_add_months(Months::new(n.checked_mul(12)?)),
        }
    }
}

/// A duration as written in the config: `Nd`, `Nwd`, `Nm` or `Ny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duration {
    Days(u32),
    WorkingDays(u32),
    Months(u32),
    Years(u32),
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duration::Days(n) => write!(f, "{n}d"),
            Duration::WorkingDays(n) => write!(f, "{n}wd"),
            Duration::Months(n) => write!(f, "{n}m"),
            Duration::Years(n) => write!(f, "{n}y"),
        }
    }
}

/// Largest number accepted in a duration: 100 years of days is already
/// more than any legal period, and the bound keeps arithmetic in range.
pub const MAX_DURATION: u32 = 36_600;

impl std::str::FromStr for Duration {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(|| {
            format!("duration \"{s}\" has no unit; write e.g. \"15wd\", \"30d\", \"3m\" or \"1y\"")
        })?;
        let (num, unit) = t.split_at(split);
        if num.is_empty() {
            return Err(format!(
                "duration \"{s}\" must start with a number; write e.g. \"15wd\", \"30d\", \"3m\" or \"1y\""
            ));
        }
        let n: u32 = num
            .parse()
            .ok()
            .filter(|&n| n <= MAX_DURATION)
            .ok_or_else(|| format!("duration \"{s}\" is too long (at most {MAX_DURATION})"))?;
        match unit {
            "d" => Ok(Duration::Days(n)),
            "wd" => Ok(Duration::WorkingDays(n)),
            "m" => Ok(Duration::Months(n)),
            "y" => Ok(Duration::Years(n)),
            _ => Err(format!(
                "duration \"{s}\" has an unknown unit \"{unit}\"; use d (days), wd (working days), m (months) or y (years)"
            )),
        }
    }
}

#[cfg(test)]
mod tests;
