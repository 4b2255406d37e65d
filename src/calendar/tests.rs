//! The calendar's tests: durations, the statutory days off with their
//! carry-over, Kurban Ait, and the bitmap against chrono.

/// Every day from 1899 to 2101 and the years at and past the edges
/// read as chrono writes them; outside 0–9999, none.
#[test]
fn ymd_is_what_chrono_writes() {
    use chrono::NaiveDate;
    let mut d = NaiveDate::from_ymd_opt(1899, 12, 25).unwrap();
    while d <= NaiveDate::from_ymd_opt(2101, 1, 5).unwrap() {
        assert_eq!(
            super::ymd(d).map(|b| String::from_utf8(b.to_vec()).unwrap()),
            Some(d.to_string())
        );
        d = d.succ_opt().unwrap();
    }
    for (y, m, day) in [(0, 1, 1), (9, 9, 9), (999, 12, 31), (9999, 12, 31)] {
        let d = NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            super::ymd(d).map(|b| String::from_utf8(b.to_vec()).unwrap()),
            Some(d.to_string())
        );
    }
    for (y, m, day) in [
        (-1, 12, 31),
        (10000, 1, 1),
        (-262_000, 1, 1),
        (262_000, 12, 31),
    ] {
        assert_eq!(
            super::ymd(NaiveDate::from_ymd_opt(y, m, day).unwrap()),
            None
        );
    }
}

/// The weekends filled a word at a time are the weekends day by day:
/// every one of the 128 sets of weekdays, every day of the range and
/// the days just outside it. Against the weekdays chrono gives, not
/// against the patterns' own arithmetic.
#[test]
fn weekends_filled_by_word_are_every_weekday_in_the_set() {
    let first = NaiveDate::from_ymd_opt(MIN_YEAR, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(MAX_YEAR, 12, 31).unwrap();
    for set in 0u8..128 {
        let weekend = Weekend(set);
        let cal = Calendar::new(CalendarSpec {
            weekend,
            holidays: HolidaySet::None,
            ..CalendarSpec::default()
        });
        let mut day = first - Days::new(70);
        while day <= last + Days::new(70) {
            assert_eq!(
                cal.is_day_off(day),
                weekend.contains(&day.weekday()),
                "weekend {set:07b}, {day}"
            );
            day = day.succ_opt().unwrap();
        }
    }
}

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn kz() -> Calendar {
    Calendar::new(CalendarSpec::default())
}

/// Each (start, duration, expected) adds up.
#[track_caller]
fn adds(cal: &Calendar, table: &[(&str, Duration, &str)]) {
    for &(start, dur, want) in table {
        assert_eq!(cal.add(d(start), dur), Some(d(want)), "{start} + {dur}");
    }
}

fn off_days(cal: &Calendar, from: &str, to: &str) -> Vec<NaiveDate> {
    let mut v = Vec::new();
    let mut x = d(from);
    while x <= d(to) {
        if cal.is_day_off(x) && !cal.spec.weekend.contains(&x.weekday()) {
            v.push(x);
        }
        x = x.succ_opt().unwrap();
    }
    v
}

#[test]
fn kurban_ait_is_announced_then_estimated_to_the_end_of_the_calendar() {
    let none = BTreeMap::new();
    assert_eq!(
        kurban_ait(2026, &none),
        (KurbanAit::Announced, vec![d("2026-05-27")])
    );
    assert_eq!(
        kurban_ait(2027, &none),
        (KurbanAit::Estimated, vec![d("2027-05-16")])
    );
    assert_eq!(kurban_ait(2010, &none).0, KurbanAit::Unknown);
    for y in 2027..=MAX_YEAR {
        assert_eq!(kurban_ait(y, &none).0, KurbanAit::Estimated, "{y}");
    }
    // Two in 2039: both are days off; an announced date replaces the
    // nearer estimate only.
    let two = kurban_ait(2039, &none).1;
    assert_eq!(two, vec![d("2039-01-05"), d("2039-12-26")]);
    let cfg = BTreeMap::from([(2039, d("2039-12-27"))]);
    assert_eq!(
        kurban_ait(2039, &cfg),
        (
            KurbanAit::Configured,
            vec![d("2039-01-05"), d("2039-12-27")]
        )
    );
    let cal = kz();
    assert!(cal.is_day_off(d("2039-01-05")) && cal.is_day_off(d("2039-12-26")));
}

#[test]
fn durations_parse() {
    assert_eq!("15wd".parse(), Ok(Duration::WorkingDays(15)));
    assert_eq!("30d".parse(), Ok(Duration::Days(30)));
    assert_eq!("3m".parse(), Ok(Duration::Months(3)));
    assert_eq!("1y".parse(), Ok(Duration::Years(1)));
    assert_eq!("0d".parse(), Ok(Duration::Days(0)));
    for bad in [
        "",
        "d",
        "15",
        "15w",
        "15 days",
        "-1d",
        "1.5m",
        "99999999999d",
        "1Y",
    ] {
        assert!(bad.parse::<Duration>().is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn leap_days_clamp_to_month_end() {
    let cal = kz();
    adds(
        &cal,
        &[
            ("2024-02-29", Duration::Years(1), "2025-02-28"),
            ("2023-11-30", Duration::Months(3), "2024-02-29"),
            ("2024-02-29", Duration::Years(4), "2028-02-29"),
            ("2024-01-31", Duration::Months(1), "2024-02-29"),
            ("2023-01-31", Duration::Months(1), "2023-02-28"),
        ],
    );
}

#[test]
fn working_days_count_from_the_next_day() {
    let cal = kz();
    // Thursday 2026-11-19 + 1wd = Friday 2026-11-20.
    adds(
        &cal,
        &[
            ("2026-11-19", Duration::WorkingDays(1), "2026-11-20"),
            // Friday + 1wd = Monday.
            ("2026-11-20", Duration::WorkingDays(1), "2026-11-23"),
            // Filed on a Saturday: the first working day after it is Monday.
            ("2026-11-21", Duration::WorkingDays(1), "2026-11-23"),
            ("2026-11-19", Duration::WorkingDays(0), "2026-11-19"),
        ],
    );
}

#[test]
fn working_days_across_the_may_holidays_2026() {
    let cal = kz();
    // 2026: May 1 Fri, May 7 Thu, May 9 Sat -> carried to Mon May 11.
    assert_eq!(
        off_days(&cal, "2026-05-01", "2026-05-31"),
        vec![
            d("2026-05-01"),
            d("2026-05-07"),
            d("2026-05-11"),
            d("2026-05-27")
        ]
    );
    // Filed Thu 2026-04-30: working days are May 4, 5, 6, 8, 12, 13, ...
    adds(
        &cal,
        &[
            ("2026-04-30", Duration::WorkingDays(1), "2026-05-04"),
            ("2026-04-30", Duration::WorkingDays(4), "2026-05-08"),
            ("2026-04-30", Duration::WorkingDays(5), "2026-05-12"),
            // 15 working days from 2026-04-30: May 4-6, 8, 12-15, 18-22, 25, 26.
            ("2026-04-30", Duration::WorkingDays(15), "2026-05-26"),
        ],
    );
}

#[test]
fn carry_over_skips_days_already_off() {
    let cal = kz();
    // 2023-01-01 is a Sunday; Jan 2 (Mon) is itself a holiday, so Jan 1
    // moves to Tue Jan 3. Jan 7 (Sat) does not carry over.
    assert_eq!(
        off_days(&cal, "2023-01-01", "2023-01-10"),
        vec![d("2023-01-02"), d("2023-01-03")]
    );
    // 2022: Jan 1 Sat, Jan 2 Sun -> Mon 3 and Tue 4.
    assert_eq!(
        off_days(&cal, "2022-01-01", "2022-01-10"),
        vec![d("2022-01-03"), d("2022-01-04"), d("2022-01-07")]
    );
}

#[test]
fn nauryz_on_a_weekend_2026() {
    let cal = kz();
    // Mar 21 Sat, 22 Sun, 23 Mon: 21 -> Tue 24, 22 -> Wed 25. Mar 8 Sun -> Mon 9.
    assert_eq!(
        off_days(&cal, "2026-03-01", "2026-03-31"),
        vec![
            d("2026-03-09"),
            d("2026-03-23"),
            d("2026-03-24"),
            d("2026-03-25")
        ]
    );
}

#[test]
fn december_16_on_a_saturday() {
    let cal = kz();
    // 2023: Dec 16 Sat -> Mon Dec 18 (Dec 17 is no longer a holiday).
    assert_eq!(
        off_days(&cal, "2023-12-01", "2023-12-31"),
        vec![d("2023-12-18")]
    );
    // 2017: Dec 16 Sat, Dec 17 Sun (still a holiday then) -> Mon 18, Tue 19.
    assert_eq!(
        off_days(&cal, "2017-12-14", "2017-12-31"),
        vec![d("2017-12-18"), d("2017-12-19")]
    );
    // Friday 2023-12-15 is a working day; the day after a Dec 16 deadline
    // on Saturday is acted on before the weekend.
    assert_eq!(cal.act_by(d("2023-12-16")), d("2023-12-15"));
}

#[test]
fn holidays_by_year_range() {
    let cal = kz();
    assert!(cal.is_day_off(d("2025-08-29")) || cal.is_day_off(d("2025-08-30")));
    // Aug 30 is no longer a holiday from 2026 (it is a Sunday in 2026 anyway).
    assert!(cal.is_working_day(d("2026-08-31")));
    // Oct 25 is back from 2022: 2022-10-25 is a Tuesday.
    assert!(cal.is_day_off(d("2022-10-25")));
    assert!(cal.is_working_day(d("2021-10-25")));
    // Dec 1 only 2012-2021.
    assert!(cal.is_day_off(d("2021-12-01")));
    assert!(cal.is_working_day(d("2022-12-01")));
    // Mar 15 from 2027 (a Monday).
    assert!(cal.is_day_off(d("2027-03-15")));
    assert!(cal.is_working_day(d("2026-03-16")));
    // Before 2010 only Mar 22.
    assert!(cal.is_working_day(d("2007-03-21")));
    assert!(cal.is_day_off(d("2007-03-22")));
    // Jan 7 2024 is a Sunday: no carry-over, Monday Jan 8 works.
    assert!(cal.is_working_day(d("2024-01-08")));
    // Kurban Ait 2026: Wednesday May 27.
    assert!(cal.is_day_off(d("2026-05-27")));
}

#[test]
fn decree_lists_win() {
    let spec = CalendarSpec {
        extra_holidays: [d("2022-03-07")].into_iter().collect(),
        extra_working_days: [d("2022-03-05")].into_iter().collect(),
        ..CalendarSpec::default()
    };
    let cal = Calendar::new(spec);
    assert!(cal.is_day_off(d("2022-03-07")));
    assert!(cal.is_working_day(d("2022-03-05")));
    // Mar 8 2022 is a Tuesday, still off.
    assert!(cal.is_day_off(d("2022-03-08")));
}

#[test]
fn no_holidays_means_weekends_only() {
    let cal = Calendar::new(CalendarSpec {
        holidays: HolidaySet::None,
        ..CalendarSpec::default()
    });
    assert!(cal.is_working_day(d("2026-12-16")));
    assert!(cal.is_day_off(d("2026-12-19")));
}

#[test]
fn act_by_modes() {
    let mut spec = CalendarSpec::default();
    // Sunday 2026-11-22.
    let sunday = d("2026-11-22");
    assert_eq!(Calendar::new(spec.clone()).act_by(sunday), d("2026-11-20"));
    spec.day_off_deadline = DayOffDeadline::After;
    assert_eq!(Calendar::new(spec.clone()).act_by(sunday), d("2026-11-23"));
    spec.day_off_deadline = DayOffDeadline::Keep;
    assert_eq!(Calendar::new(spec.clone()).act_by(sunday), sunday);
    // A working day is its own act-by date in every mode.
    assert_eq!(Calendar::new(spec).act_by(d("2026-11-24")), d("2026-11-24"));
}

#[test]
fn act_by_before_skips_a_holiday_run() {
    let cal = kz();
    // Deadline Sun 2026-03-22: Sat 21 and Fri 20 work? Fri 20 is a working day.
    assert_eq!(cal.act_by(d("2026-03-22")), d("2026-03-20"));
    // Deadline Wed 2026-03-25 (carried Nauryz day): previous working day is Fri 20.
    assert_eq!(cal.act_by(d("2026-03-25")), d("2026-03-20"));
}
