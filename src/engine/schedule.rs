//! When an item's reminders fall (SPEC §3): lead reminders before the
//! act-by date, overdue repeats after it, reviews and notices, the latest
//! missed step for catch-up, and escalation to supervisors.

use super::{Cadence, Item, ItemType, Recipients, Step};
use crate::calendar::Calendar;
use crate::config::model::Config;
use chrono::{Days, NaiveDate};

/// Repeating steps after the act-by date: (first raw date, every n days
/// (0 = once), the step for the k-th repeat).
type Repeats = (NaiveDate, u32, fn(u32) -> Step);

impl Item<'_> {
    /// Is the item settled as of `today`? Events are, once their day passed.
    pub fn resolved_on(&self, today: NaiveDate) -> bool {
        self.resolved || (self.item == ItemType::Event && today > self.deadline)
    }

    /// Lead reminder dates, earliest first, one per day: when two lead steps
    /// land on the same working day the smaller (more urgent) one is kept.
    pub fn lead_dates(&self, cal: &Calendar) -> Vec<(NaiveDate, Step)> {
        let mut out = Vec::with_capacity(self.rules.lead_days.len());
        self.for_each_lead(cal, |d, s| out.push((d, s)));
        out
    }

    /// [`Item::lead_dates`] without allocating: the daemon calls this for
    /// every item on every pass.
    pub fn for_each_lead(&self, cal: &Calendar, mut emit: impl FnMut(NaiveDate, Step)) {
        if matches!(self.cadence, Cadence::Review(_) | Cadence::Notice(_)) || self.resolved {
            return;
        }
        let mut held: Option<(NaiveDate, Step)> = None;
        // lead_days is sorted descending, so dates come out ascending.
        for &l in self.rules.lead_days.iter() {
            let Some(raw) = self.act_by.checked_sub_days(Days::new(l.into())) else {
                continue;
            };
            let d = cal.working_on_or_before(raw);
            if self.start.is_some_and(|s| d < s) {
                continue;
            }
            // An event is over once its day has passed (act-by can be later
            // with day_off_deadline = "after").
            if self.item == ItemType::Event && d > self.deadline {
                continue;
            }
            match held {
                Some((hd, _)) if hd == d => held = Some((d, Step::Lead(l))),
                Some(h) => {
                    emit(h.0, h.1);
                    held = Some((d, Step::Lead(l)));
                }
                None => held = Some((d, Step::Lead(l))),
            }
        }
        if let Some((d, s)) = held {
            emit(d, s);
        }
    }

    /// Base date and interval of the repeating steps after the act-by date:
    /// (first raw date, every n days (0 = once), step constructor).
    fn repeats(&self) -> Option<Repeats> {
        if self.resolved {
            return None;
        }
        let after = self.act_by.succ_opt()?;
        match self.cadence {
            Cadence::Deadline => Some((after, self.rules.overdue_every_days, Step::Overdue)),
            Cadence::Once => Some((after, 0, Step::Overdue)),
            Cadence::Review(n) => Some((self.deadline, n, Step::Review)),
            Cadence::LeadOnly | Cadence::Notice(_) => None,
        }
    }

    /// Date of the `k`-th repeat, moved to the next working day.
    fn repeat_date(cal: &Calendar, base: NaiveDate, every: u32, k: u32) -> Option<NaiveDate> {
        let raw = base.checked_add_days(Days::new(u64::from(every) * u64::from(k)))?;
        Some(cal.working_on_or_after(raw))
    }

    /// Every reminder of this item dated within `from..=to`, in date order.
    pub fn schedule(
        &self,
        cal: &Calendar,
        from: NaiveDate,
        to: NaiveDate,
        mut emit: impl FnMut(NaiveDate, Step),
    ) {
        if from > to {
            return;
        }
        self.for_each_lead(cal, |d, step| {
            if d >= from && d <= to {
                emit(d, step);
            }
        });
        if let Cadence::Notice(step) = self.cadence {
            let d = cal.working_on_or_after(self.deadline);
            if d >= from && d <= to {
                emit(d, step);
            }
            return;
        }
        let Some((base, every, make)) = self.repeats() else {
            return;
        };
        if every == 0 {
            if let Some(d) = Self::repeat_date(cal, base, 0, 0) {
                if d >= from && d <= to {
                    emit(d, make(0));
                }
            }
            return;
        }
        // Skip straight to the first repeat that can reach `from`: moving to
        // a working day only ever goes forward, by far less than 366 days.
        let skip = (from - base).num_days() - 366;
        let mut k = if skip > 0 {
            (skip / i64::from(every)) as u32
        } else {
            0
        };
        let mut prev = None;
        while let Some(d) = Self::repeat_date(cal, base, every, k) {
            if d > to {
                break;
            }
            // Two repeats moved onto the same working day count once.
            if d >= from && prev != Some(d) {
                emit(d, make(k));
            }
            prev = Some(d);
            k += 1;
        }
    }

    /// The latest reminder dated on or before `today`: what a daemon that
    /// was down should send now (SPEC §3, catch-up). `None` if nothing was
    /// due yet or the item is settled.
    pub fn latest_due(&self, cal: &Calendar, today: NaiveDate) -> Option<(NaiveDate, Step)> {
        if self.resolved_on(today) {
            return None;
        }
        let mut best = None;
        self.for_each_lead(cal, |d, step| {
            if d <= today {
                best = Some((d, step));
            }
        });
        if let Cadence::Notice(step) = self.cadence {
            let d = cal.working_on_or_after(self.deadline);
            return (d <= today).then_some((d, step));
        }
        if let Some((base, every, make)) = self.repeats() {
            if today >= base {
                let k_hi = if every == 0 {
                    0
                } else {
                    ((today - base).num_days() / i64::from(every)) as u32
                };
                // The k_hi-th repeat may have been moved past today; then the
                // one before it is the latest. Among repeats moved onto the
                // same day, the first one is the step `schedule` emits.
                let mut k = k_hi;
                loop {
                    let d = Self::repeat_date(cal, base, every, k)?;
                    if d <= today {
                        while k > 0 && Self::repeat_date(cal, base, every, k - 1) == Some(d) {
                            k -= 1;
                        }
                        best = Some((d, make(k)));
                        break;
                    }
                    if k == 0 {
                        break;
                    }
                    k -= 1;
                }
            }
        }
        best
    }

    /// Whether a reminder on `date` goes to the supervisor too.
    pub fn escalated_on(&self, date: NaiveDate) -> bool {
        (self.act_by - date).num_days() <= i64::from(self.rules.escalate_within_days)
    }

    /// Who is copied on a reminder: [`Item::cc`] when it is escalated,
    /// nobody otherwise.
    pub fn cc_if(&self, cfg: &Config, escalated: bool) -> Recipients {
        if escalated {
            self.cc(cfg)
        } else {
            Recipients::Many(Vec::new())
        }
    }

    /// The supervisors to copy on an escalated reminder: each recipient's
    /// supervisor, unless already a recipient.
    /// One recipient (almost every item) needs no vector: a year's plan
    /// asks this for every escalated row.
    pub fn cc(&self, cfg: &Config) -> Recipients {
        if let Recipients::One(c) = self.to {
            return match cfg.caseworkers[c].supervisor.filter(|&s| s != c) {
                Some(s) => Recipients::One(s),
                None => Recipients::Many(Vec::new()),
            };
        }
        let mut cc: Vec<usize> = self
            .to
            .iter()
            .filter_map(|&c| cfg.caseworkers[c].supervisor)
            .filter(|s| !self.to.contains(s))
            .collect();
        cc.sort_unstable();
        cc.dedup();
        Recipients::Many(cc)
    }
}
