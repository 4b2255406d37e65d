//! The one place that knows what day and time it is.
//!
//! "Today" is the date where the NGO works (`service.timezone`), not where
//! the server's clock is set. With `--today D` the clock runs on day D at
//! the real time of day, so ledger times, retry backoff and the "unsent too
//! long" alert behave in compressed-time tests as they would live.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// `--today`, if given.
    pub fixed: Option<NaiveDate>,
    pub tz: Tz,
}

impl Clock {
    pub fn new(fixed: Option<NaiveDate>, tz: Tz) -> Clock {
        Clock { fixed, tz }
    }

    /// Today's date in the configured zone (or `--today`).
    pub fn today(&self) -> NaiveDate {
        self.fixed
            .unwrap_or_else(|| Utc::now().with_timezone(&self.tz).date_naive())
    }

    /// Now, on `--today`'s day when one is set.
    pub fn now(&self) -> DateTime<Utc> {
        let real = Utc::now();
        match self.fixed {
            Some(d) => d.and_time(real.time()).and_utc(),
            None => real,
        }
    }
}
