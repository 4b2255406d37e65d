//! The duration and date parsers.

use super::fuzz_config;
use docket::calendar::{Duration, MAX_DURATION};
use docket::config::raw::parse_date;
use proptest::prelude::*;

fn unit() -> impl Strategy<Value = (&'static str, fn(u32) -> Duration)> {
    prop::sample::select(vec![
        ("d", Duration::Days as fn(u32) -> Duration),
        ("wd", Duration::WorkingDays),
        ("m", Duration::Months),
        ("y", Duration::Years),
    ])
}

proptest! {
    #![proptest_config(fuzz_config(500))]

    #[test]
    fn duration_parse_never_panics(s in any::<String>()) {
        if let Ok(d) = s.parse::<Duration>() {
            // Whatever is accepted prints back to the same value.
            prop_assert_eq!(d.to_string().parse::<Duration>(), Ok(d));
        }
    }

    #[test]
    fn duration_parse_never_panics_on_near_misses(
        s in "[ \t]{0,2}[+-]?[0-9]{0,12}[ .]?(d|wd|m|y|D|w|dw|)[ \t\n]{0,2}"
    ) {
        let _ = s.parse::<Duration>();
    }

    #[test]
    fn duration_round_trips(n in 0..=MAX_DURATION, (u, make) in unit()) {
        let text = format!("{n}{u}");
        prop_assert_eq!(text.parse::<Duration>(), Ok(make(n)));
        prop_assert_eq!(make(n).to_string(), text);
    }

    #[test]
    fn duration_over_the_maximum_is_refused(
        n in (MAX_DURATION as u64 + 1)..=u64::MAX, (u, _) in unit()
    ) {
        let err = format!("{n}{u}").parse::<Duration>().unwrap_err();
        prop_assert!(err.contains("too long"), "{}", err);
    }

    #[test]
    fn date_parse_never_panics(s in any::<String>()) {
        if let Ok(d) = parse_date(&s) {
            prop_assert_eq!(d.format("%Y-%m-%d").to_string(), s);
        }
    }

    #[test]
    fn date_parse_of_any_digits_is_exact(y in 0u32..10000, m in 0u32..100, d in 0u32..100) {
        let s = format!("{y:04}-{m:02}-{d:02}");
        let expected = chrono::NaiveDate::from_ymd_opt(y as i32, m, d);
        match parse_date(&s) {
            Ok(got) => prop_assert_eq!(Some(got), expected),
            Err(msg) => {
                prop_assert!(expected.is_none(), "{} refused: {}", s, msg);
                prop_assert!(msg.contains("is not a day of the calendar"), "{}", msg);
            }
        }
    }

    #[test]
    fn date_round_trips(days in 0i32..3_652_059) {
        // Every day from 0000-01-01 to 9999-12-31.
        let date = chrono::NaiveDate::from_ymd_opt(0, 1, 1).unwrap()
            + chrono::Days::new(days as u64);
        let s = date.format("%Y-%m-%d").to_string();
        prop_assert_eq!(parse_date(&s), Ok(date));
    }

    #[test]
    fn date_near_misses_are_refused(
        s in "[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}|[0-9]{4}/[0-9]{2}/[0-9]{2}|[+-][0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]"
    ) {
        if let Ok(d) = parse_date(&s) {
            prop_assert_eq!(d.format("%Y-%m-%d").to_string(), s);
        }
    }
}
