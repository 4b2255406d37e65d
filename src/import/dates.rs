//! Dates as people in the region write them (SPEC section 8):
//! `2025-10-16`, `16.10.2025`, `16/10/2025` and spreadsheet date cells.
//! `.` and `/` are always day first. Anything else is an error with the
//! fix, never a guess: an impossible day, a two-digit year, a number where
//! a date should be (a date cell typed as a number), a text that is no
//! date.

use super::base::{shown, Cell};
use chrono::{Datelike, NaiveDate, NaiveTime};

/// What is wrong with a date cell: the message and the hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad {
    pub message: String,
    pub help: String,
}

fn bad(message: String, help: impl Into<String>) -> Bad {
    Bad {
        message,
        help: help.into(),
    }
}

const WRITE: &str = "write the date as 2025-10-16, 16.10.2025 or 16/10/2025 (day first), \
                     or make the cell a date cell";

/// The date in a cell; None for an empty one.
pub fn date_of(cell: &Cell) -> Result<Option<NaiveDate>, Bad> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) if s.trim().is_empty() => Ok(None),
        Cell::Text(s) => parse_text(s.trim()).map(Some),
        Cell::Date(dt) if dt.time() == NaiveTime::MIN => Ok(Some(dt.date())),
        Cell::Date(dt) => Err(bad(
            format!(
                "a date and time ({}) where a day is expected",
                dt.format("%Y-%m-%d %H:%M")
            ),
            format!(
                "format the cell as a date without a time, or type {}",
                dt.date()
            ),
        )),
        Cell::Number(n) => Err(bad(
            format!(
                "the number {} where a date is expected; docket does not guess which day a number means",
                number_text(*n)
            ),
            "format the column as Date in the spreadsheet (a date cell), \
             or type the date as 2025-10-16 or 16.10.2025",
        )),
        Cell::Bool(b) => Err(bad(format!("{b} where a date is expected"), WRITE)),
        Cell::Error(e) => Err(bad(
            format!("the cell shows the error {e} where a date is expected"),
            "fix the formula in the spreadsheet, or type the date",
        )),
    }
}

/// A number as a spreadsheet shows it in general format: `42`, `1.5`.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `2025-10-16`, `16.10.2025` or `16/10/2025`.
pub fn parse_text(s: &str) -> Result<NaiveDate, Bad> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let not_a_date = || {
        bad(
            format!("\"{}\" is not a date docket can read", shown(s)),
            WRITE,
        )
    };
    let (y, m, d) = if let [y, m, d] = s.split('-').collect::<Vec<_>>()[..] {
        if !(digits(y) && digits(m) && digits(d)) || y.len() != 4 || m.len() > 2 || d.len() > 2 {
            return Err(not_a_date());
        }
        (y, m, d)
    } else {
        let sep = if s.contains('.') { '.' } else { '/' };
        let [d, m, y] = s.split(sep).collect::<Vec<_>>()[..] else {
            return Err(not_a_date());
        };
        if !(digits(d) && digits(m) && digits(y)) || d.len() > 2 || m.len() > 2 {
            return Err(not_a_date());
        }
        if y.len() == 2 {
            return Err(bad(
                format!("\"{s}\" has a two-digit year: 19{y} or 20{y}? docket does not guess"),
                format!("write the year in full: {d}{sep}{m}{sep}20{y} (or 19{y})"),
            ));
        }
        if y.len() != 4 {
            return Err(not_a_date());
        }
        (y, m, d)
    };
    let (y, m, d): (i32, u32, u32) = (
        y.parse().unwrap_or(0),
        m.parse().unwrap_or(0),
        d.parse().unwrap_or(0),
    );
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| impossible(s, y, m, d))
}

/// `31.02.2025`: which part is impossible, and the month's last day.
fn impossible(s: &str, y: i32, m: u32, d: u32) -> Bad {
    if !(1..=12).contains(&m) {
        return bad(
            format!("\"{s}\" is not a date: there is no month {m} (day first: day.month.year)"),
            "check the date on the paper; dates with . or / are read day first, as 16.10.2025",
        );
    }
    let last = NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|f| f.checked_add_months(chrono::Months::new(1)))
        .and_then(|n| n.pred_opt())
        .map_or(31, |l| l.day());
    bad(
        format!(
            "\"{s}\" is not a day of the calendar: {} {y} has {last} days (read {d} as the day)",
            month_name(m)
        ),
        "check the date on the paper and type the real day",
    )
}

fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][(m as usize).clamp(1, 12) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_as_written_here_day_first() {
        assert_eq!(parse_text("2025-10-16"), Ok(day(2025, 10, 16)));
        assert_eq!(parse_text("16.10.2025"), Ok(day(2025, 10, 16)));
        assert_eq!(parse_text("16/10/2025"), Ok(day(2025, 10, 16)));
        assert_eq!(parse_text("03.11.2026"), Ok(day(2026, 11, 3)), "3 November");
        assert_eq!(parse_text("3.11.2026"), Ok(day(2026, 11, 3)));
        assert_eq!(parse_text("05/01/2026"), Ok(day(2026, 1, 5)), "5 January");
    }

    #[test]
    fn never_a_guess() {
        let e = parse_text("31.02.2025").unwrap_err();
        assert!(e.message.contains("February 2025 has 28 days"), "{e:?}");
        let e = parse_text("16.10.25").unwrap_err();
        assert!(e.message.contains("two-digit year"), "{e:?}");
        assert!(e.help.contains("16.10.2025"), "{e:?}");
        let e = parse_text("10.16.2025").unwrap_err();
        assert!(e.message.contains("no month 16"), "{e:?}");
        for s in [
            "soon",
            "16.10",
            "16-10-2025",
            "2025/10/16",
            "16.10/2025",
            "1.1.12025",
            "2025-10-16T00:00",
        ] {
            assert!(parse_text(s).is_err(), "{s}");
        }
        let e = date_of(&Cell::Number(45946.0)).unwrap_err();
        assert!(e.message.contains("the number 45946"), "{e:?}");
        let dt = day(2025, 10, 16).and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(date_of(&Cell::Date(dt)), Ok(Some(day(2025, 10, 16))));
        let dt = day(2025, 10, 16).and_hms_opt(9, 30, 0).unwrap();
        assert!(date_of(&Cell::Date(dt)).is_err());
        assert_eq!(date_of(&Cell::Text("  ".into())), Ok(None));
    }
}
