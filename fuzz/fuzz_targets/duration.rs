//! `str::parse::<Duration>` never panics, and what it accepts prints back
//! to a string that parses to the same value.
#![no_main]

use docket::calendar::{Duration, MAX_DURATION};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = s.parse::<Duration>() {
        let n = match d {
            Duration::Days(n)
            | Duration::WorkingDays(n)
            | Duration::Months(n)
            | Duration::Years(n) => n,
        };
        assert!(
            n <= MAX_DURATION,
            "{s:?} parsed to {d:?}, over MAX_DURATION"
        );
        let again: Duration = d.to_string().parse().expect("Display output parses");
        assert_eq!(again, d, "{s:?}");
    }
});
