//! Calendar (SPEC §3 "Working day") and durations: months, years, working days.

use super::*;

/// Days off in `year` that are not weekend days of the config.
fn weekday_days_off(cfg: &Config, year: i32, weekend: &[Weekday]) -> Vec<String> {
    let mut out = Vec::new();
    let mut x = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    while x.year() == year {
        let is_weekend = weekend.contains(&x.weekday());
        if is_weekend {
            assert!(
                cfg.calendar.is_day_off(x) || cfg.calendar.spec().extra_working_days.contains(&x),
                "{x} is a weekend day"
            );
        } else if cfg.calendar.is_day_off(x) {
            out.push(x.format("%m-%d").to_string());
        }
        x = x.succ_opt().unwrap();
    }
    out
}

#[test]
fn kz_days_off_2026() {
    let cfg = load("");
    assert_eq!(
        weekday_days_off(&cfg, 2026, &[Weekday::Sat, Weekday::Sun]),
        strs(&[
            "01-01", "01-02", "01-07", "03-09", "03-23", "03-24", "03-25", "05-01", "05-07",
            "05-11", "05-27", "07-06", "10-26", "12-16"
        ])
    );
    // Aug 30 2026 is a Sunday and no longer a holiday: Monday Aug 31 works.
    assert!(!cfg.calendar.is_day_off(d("2026-08-31")));
}

#[test]
fn kz_days_off_2025() {
    let cfg = load("");
    // Mar 8 Sat -> Mon 10; Mar 22 Sat -> Mon 24, Mar 23 Sun -> Tue 25;
    // Jul 6 Sun -> Mon 7; Aug 30 Sat -> Mon Sep 1 (still a holiday in 2025);
    // Oct 25 Sat -> Mon 27; Kurban Ait Fri Jun 6.
    assert_eq!(
        weekday_days_off(&cfg, 2025, &[Weekday::Sat, Weekday::Sun]),
        strs(&[
            "01-01", "01-02", "01-07", "03-10", "03-21", "03-24", "03-25", "05-01", "05-07",
            "05-09", "06-06", "07-07", "09-01", "10-27", "12-16"
        ])
    );
}

#[test]
fn kz_days_off_2021() {
    let cfg = load("");
    // Jan 2 Sat -> Mon 4; Mar 21 Sun -> Wed 24 (22 and 23 are holidays);
    // May 1 Sat -> Mon 3; May 9 Sun -> Mon 10; Kurban Ait Tue Jul 20;
    // Aug 30, Dec 1, Dec 16, Dec 17 still holidays; Oct 25 not (1994-2008, 2022-).
    assert_eq!(
        weekday_days_off(&cfg, 2021, &[Weekday::Sat, Weekday::Sun]),
        strs(&[
            "01-01", "01-04", "01-07", "03-08", "03-22", "03-23", "03-24", "05-03", "05-07",
            "05-10", "07-06", "07-20", "08-30", "12-01", "12-16", "12-17"
        ])
    );
}

#[test]
fn kz_days_off_2023_and_2024() {
    let cfg = load("");
    // 2023: Jan 1 Sun -> Jan 2 is a holiday itself -> Tue Jan 3; Jan 7 Sat
    // (no carry-over); May 7 Sun -> Mon May 8; Kurban Ait Wed Jun 28;
    // Dec 16 Sat -> Mon Dec 18 (Dec 17 no longer a holiday).
    assert_eq!(
        weekday_days_off(&cfg, 2023, &[Weekday::Sat, Weekday::Sun]),
        strs(&[
            "01-02", "01-03", "03-08", "03-21", "03-22", "03-23", "05-01", "05-08", "05-09",
            "06-28", "07-06", "08-30", "10-25", "12-18"
        ])
    );
    // 2024: Jan 7 Sun and Kurban Ait Sun Jun 16 do not carry over; Mar 23
    // Sat -> Mon Mar 25; Jul 6 Sat -> Mon Jul 8.
    assert_eq!(
        weekday_days_off(&cfg, 2024, &[Weekday::Sat, Weekday::Sun]),
        strs(&[
            "01-01", "01-02", "03-08", "03-21", "03-22", "03-25", "05-01", "05-07", "05-09",
            "07-08", "08-30", "10-25", "12-16"
        ])
    );
}

#[test]
fn kz_carry_over_follows_the_configured_weekend() {
    let cfg = load("[calendar]\nweekend = [\"fri\", \"sat\"]\n");
    // Weekend Fri+Sat. Jan 2 Fri -> Sun Jan 4; Mar 21 Sat -> Sun 22 and Mon 23
    // are holidays -> Tue 24; May 1 Fri -> Sun May 3; May 9 Sat -> Sun 10.
    // Mar 8 and Oct 25 are Sundays, working days here, so they are simply off.
    assert_eq!(
        weekday_days_off(&cfg, 2026, &[Weekday::Fri, Weekday::Sat]),
        strs(&[
            "01-01", "01-04", "01-07", "03-08", "03-22", "03-23", "03-24", "05-03", "05-07",
            "05-10", "05-27", "07-06", "10-25", "12-16"
        ])
    );
}

#[test]
fn decree_lists_and_carry_over() {
    let cfg = load(
        r#"
[calendar]
extra_holidays = [2026-03-09, 2026-04-15]
extra_working_days = [2026-03-25, 2026-03-28]
"#,
    );
    let cal = &cfg.calendar;
    // Mar 8 (Sun) carries to the next working day that is not already a day
    // off: Mar 9 is a decreed holiday, so Tue Mar 10.
    assert!(cal.is_day_off(d("2026-03-09")));
    assert!(cal.is_day_off(d("2026-03-10")));
    assert!(cal.is_day_off(d("2026-04-15")));
    // Listed working days are working days, weekend or carried day off.
    assert!(!cal.is_day_off(d("2026-03-25")));
    assert!(!cal.is_day_off(d("2026-03-28")));
    assert!(cal.is_day_off(d("2026-03-24")));
}

#[test]
fn holidays_none_means_weekends_and_extra_only() {
    let cfg = load("[calendar]\nholidays = \"none\"\nextra_holidays = [2026-06-03]\n");
    let cal = &cfg.calendar;
    assert!(!cal.is_day_off(d("2026-12-16")));
    assert!(!cal.is_day_off(d("2026-05-27")));
    assert!(cal.is_day_off(d("2026-06-03")));
    assert!(cal.is_day_off(d("2026-06-06")));
}

// ---------------------------------------------------------------------------
// Durations: months, years and working days
// ---------------------------------------------------------------------------

#[test]
fn months_and_years_clamp_to_the_end_of_the_month() {
    let cfg = load(
        r#"
[kinds.y1]
valid_for = "1y"
[kinds.m3]
valid_for = "3m"
[kinds.m1]
valid_for = "1m"
[kinds.d30]
valid_for = "30d"

[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.document]]
  kind = "y1"
  issued = 2024-02-29
  [[case.document]]
  kind = "m3"
  issued = 2023-11-30
  [[case.document]]
  kind = "m1"
  issued = 2025-01-31
  [[case.document]]
  kind = "d30"
  issued = 2026-01-31
  [[case.request]]
  kind = "r2m"
  filed = 2025-12-31
  answer_within = "2m"
  [[case.request]]
  kind = "r1y"
  filed = 2024-02-29
  answer_within = "1y"
"#,
    );
    let got: BTreeMap<String, (String, String)> = upcoming(&cfg, "2023-12-01", 2000)
        .into_iter()
        .map(|u| (u.kind.clone(), (u.deadline.clone(), u.act_by.clone())))
        .collect();
    let want: BTreeMap<String, (String, String)> = [
        ("y1", "2025-02-28", "2025-02-28"),
        ("m3", "2024-02-29", "2024-02-29"),
        ("m1", "2025-02-28", "2025-02-28"),
        ("d30", "2026-03-02", "2026-03-02"),
        // Sat 2026-02-28: act by Friday.
        ("r2m", "2026-02-28", "2026-02-27"),
        ("r1y", "2025-02-28", "2025-02-28"),
    ]
    .into_iter()
    .map(|(k, dl, ab)| (k.to_string(), (dl.to_string(), ab.to_string())))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn working_days_count_from_the_day_after_filing() {
    let cfg = load(
        r#"
[[case]]
id = "KZ-1"
caseworker = "bolat"
  [[case.request]]
  kind = "thu_1wd"
  filed = 2026-11-19
  answer_within = "1wd"
  [[case.request]]
  kind = "fri_1wd"
  filed = 2026-11-20
  answer_within = "1wd"
  [[case.request]]
  kind = "sat_1wd"
  filed = 2026-11-21
  answer_within = "1wd"
  [[case.request]]
  kind = "may_15wd"
  filed = 2026-05-04
  answer_within = "15wd"
  [[case.request]]
  kind = "apr30_15wd"
  filed = 2026-04-30
  answer_within = "15wd"
  [[case.request]]
  kind = "nauryz_3wd"
  filed = 2026-03-19
  answer_within = "3wd"
  [[case.request]]
  kind = "newyear_2wd"
  filed = 2025-12-31
  answer_within = "2wd"
  [[case.request]]
  kind = "newyear_3wd"
  filed = 2025-12-31
  answer_within = "3wd"
  [[case.request]]
  kind = "jan7_1wd"
  filed = 2026-01-06
  answer_within = "1wd"
  [[case.request]]
  kind = "aug2026_1wd"
  filed = 2026-08-28
  answer_within = "1wd"
  [[case.request]]
  kind = "aug2025_1wd"
  filed = 2025-08-29
  answer_within = "1wd"
  [[case.request]]
  kind = "oct_1wd"
  filed = 2026-10-23
  answer_within = "1wd"
  [[case.request]]
  kind = "jul_1wd"
  filed = 2026-07-03
  answer_within = "1wd"
  [[case.request]]
  kind = "extended"
  filed = 2026-05-04
  answer_within = "15wd"
  extended_to = 2026-06-15
  [[case.request]]
  kind = "days_30d"
  filed = 2026-01-31
  answer_within = "30d"
"#,
    );
    let got: BTreeMap<String, String> = upcoming(&cfg, "2025-08-01", 1000)
        .into_iter()
        .map(|u| (u.kind.clone(), u.deadline.clone()))
        .collect();
    let want: BTreeMap<String, String> = [
        ("thu_1wd", "2026-11-20"),
        ("fri_1wd", "2026-11-23"),
        ("sat_1wd", "2026-11-23"),
        // May 5, 6, 8, 12, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26, 28
        // (May 7, 11 and 27 are off).
        ("may_15wd", "2026-05-28"),
        // May 4, 5, 6, 8, 12, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26.
        ("apr30_15wd", "2026-05-26"),
        // Mar 20, 26, 27 (Mar 23-25 are off).
        ("nauryz_3wd", "2026-03-27"),
        // Jan 5, 6 (Jan 1, 2 off), then Jan 7 off, Jan 8.
        ("newyear_2wd", "2026-01-06"),
        ("newyear_3wd", "2026-01-08"),
        ("jan7_1wd", "2026-01-08"),
        // Aug 30 2026 is no holiday: no day off on Monday Aug 31.
        ("aug2026_1wd", "2026-08-31"),
        // Aug 30 2025 (Sat) was carried to Monday Sep 1.
        ("aug2025_1wd", "2025-09-02"),
        ("oct_1wd", "2026-10-27"),
        ("jul_1wd", "2026-07-07"),
        ("extended", "2026-06-15"),
        ("days_30d", "2026-03-02"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want);
}
