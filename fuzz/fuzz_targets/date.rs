//! `parse_date` never panics, accepts only `YYYY-MM-DD`, and round-trips.
#![no_main]

use docket::config::raw::parse_date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    match parse_date(s) {
        Ok(d) => {
            assert_eq!(d.format("%Y-%m-%d").to_string(), s, "accepted {s:?} as {d}");
        }
        Err(msg) => assert!(!msg.is_empty()),
    }
});
