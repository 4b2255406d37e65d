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

/// A moment as people read it where the NGO works: `2026-12-08 10:06`
/// in `tz`. What people read (notices, digests, `docket status`) says
/// local time; what programs read (`status --format json`, the ledger,
/// logs) stays RFC 3339 (issue 18, item 7: `2026-12-08T05:06:42Z` in a
/// notice made a caseworker in Almaty work out the hour).
pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// [`local`] with the zone named: `2026-12-08 10:06 (Asia/Almaty)`, for
/// an admin who may read it on a server set to another zone.
pub fn local_zoned(t: DateTime<Utc>, tz: Tz) -> String {
    format!("{} ({})", local(t, tz), tz.name())
}

/// [`local`] for a time kept as RFC 3339 text (a last good copy's
/// `since`); text that is not one is shown as it is.
pub fn local_text(s: &str, tz: Tz) -> String {
    match DateTime::parse_from_rfc3339(s) {
        Ok(t) => local(t.with_timezone(&Utc), tz),
        Err(_) => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18, item 7: times people read are local, in `service.timezone`.
    #[test]
    fn item7_times_are_shown_in_local_time() {
        let t: DateTime<Utc> = "2026-12-08T05:06:42Z".parse().unwrap();
        let almaty: Tz = "Asia/Almaty".parse().unwrap();
        assert_eq!(local(t, almaty), "2026-12-08 10:06");
        assert_eq!(local_zoned(t, almaty), "2026-12-08 10:06 (Asia/Almaty)");
        assert_eq!(
            local_text("2026-12-08T05:06:42Z", almaty),
            "2026-12-08 10:06"
        );
        assert_eq!(
            local_text("2026-12-08T23:30:00+00:00", almaty),
            "2026-12-09 04:30"
        );
        assert_eq!(local_text("yesterday", almaty), "yesterday");
    }
}
