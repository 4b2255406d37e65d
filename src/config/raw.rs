//! What the user wrote: serde structs that mirror the TOML one to one.
//!
//! Every struct denies unknown keys, and almost every field is optional:
//! "required" is checked by validation, which can then report *all* missing
//! keys with their table's location instead of serde's first one. Fields that
//! validation may complain about carry their [`Spanned`] location.

use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use toml::Spanned;

pub type S<T> = Spanned<T>;

/// A TOML local date (`2026-10-16`), or the same as a string, checked to be
/// a real day of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawDate(pub chrono::NaiveDate);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Date(toml::value::Datetime),
            Text(String),
        }
        let text = match Either::deserialize(de).map_err(|_| {
            D::Error::custom("expected a date such as 2026-10-16 (YYYY-MM-DD, without quotes)")
        })? {
            Either::Date(dt) => {
                if dt.time.is_some() || dt.offset.is_some() {
                    return Err(D::Error::custom(format!(
                        "expected a date, found the date-time {dt}; write only the day, e.g. 2026-10-16"
                    )));
                }
                dt.to_string()
            }
            Either::Text(s) => s,
        };
        parse_date(&text).map(RawDate).map_err(D::Error::custom)
    }
}

/// Parse `YYYY-MM-DD` strictly and say precisely what is wrong.
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    // The shape nearly every date has, without a list of its parts (a
    // tenth of a cold load went to splitting dates).
    let b = s.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            if let Some(date) = chrono::NaiveDate::from_ymd_opt(y as i32, m, d) {
                return Ok(date);
            }
        }
    }
    parse_date_parts(s)
}

/// [`parse_date`] by its parts, for any text (and the error's words).
fn parse_date_parts(s: &str) -> Result<chrono::NaiveDate, String> {
    let parts: Vec<&str> = s.split('-').collect();
    let ok_shape = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !ok_shape {
        let (m, fix) = super::hints::date_problem(s);
        return Err(super::hints::joined(m, fix).en());
    }
    let (y, m, d) = (
        parts[0].parse::<i32>().unwrap_or(0),
        parts[1].parse::<u32>().unwrap_or(0),
        parts[2].parse::<u32>().unwrap_or(0),
    );
    chrono::NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        let (m, fix) = super::hints::date_problem(s);
        super::hints::joined(m, fix).en()
    })
}

/// `label = "Refugee certificate"`, or one per language:
/// `label = { en = "Refugee certificate", ru = "Удостоверение беженца" }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawLabel {
    pub any: Option<String>,
    pub en: Option<String>,
    pub ru: Option<String>,
    pub kk: Option<String>,
}

impl<'de> Deserialize<'de> for RawLabel {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            en: Option<String>,
            ru: Option<String>,
            kk: Option<String>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Table(Table),
        }
        match Either::deserialize(de) {
            Ok(Either::Text(s)) => Ok(RawLabel {
                any: Some(s),
                ..RawLabel::default()
            }),
            Ok(Either::Table(t)) => Ok(RawLabel {
                any: None,
                en: t.en,
                ru: t.ru,
                kk: t.kk,
            }),
            Err(_) => Err(D::Error::custom(
                "label is a quoted string, or a table with one per language: \
                 label = { en = \"Refugee certificate\", ru = \"Удостоверение беженца\", kk = \"Босқын куәлігі\" }",
            )),
        }
    }
}

/// The main config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMain {
    pub service: Option<S<RawService>>,
    pub mail: Option<S<RawMail>>,
    pub privacy: Option<RawPrivacy>,
    pub calendar: Option<RawCalendar>,
    pub reminders: Option<RawReminders>,
    pub kinds: Option<BTreeMap<S<String>, S<RawKind>>>,
    pub caseworker: Option<Vec<S<RawCaseworker>>>,
    pub case: Option<Vec<S<RawCase>>>,
    pub bill: Option<Vec<S<RawBill>>>,
}

/// A file pulled in by `service.include`: cases and bills only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInclude {
    pub case: Option<Vec<S<RawCase>>>,
    pub bill: Option<Vec<S<RawBill>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub timezone: Option<S<String>>,
    pub schedule: Option<S<String>>,
    pub state_dir: Option<S<String>>,
    pub include: Option<Vec<S<String>>>,
    pub admin: Option<S<String>>,
    /// How long a message may stay unsent before the admin is told (hours).
    pub alert_after_hours: Option<S<i64>>,
    /// Pinged after each pass (healthchecks.io / Uptime Kuma conventions).
    pub heartbeat_url: Option<S<String>>,
    /// A node_exporter textfile-collector file, written after each pass.
    pub metrics_file: Option<S<String>>,
    /// Where the iCalendar feeds go (default: state_dir/feeds).
    pub feeds_dir: Option<S<String>>,
    /// A transport of their own for the admin's alerts.
    pub admin_mail: Option<S<RawMail>>,
    /// A Unix group whose members edit case files (SPEC section 6).
    pub editors: Option<S<String>>,
    /// A bare git repository the case files are read from (SPEC section 7).
    pub cases_git: Option<S<String>>,
    /// The branch of `cases_git` in effect (default "main").
    pub git_branch: Option<S<String>>,
    /// A forge's edit page per file, `{path}` the file's path in the repository.
    pub edit_url: Option<S<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMail {
    pub transport: Option<S<String>>,
    pub host: Option<S<String>>,
    pub port: Option<S<i64>>,
    pub tls: Option<S<String>>,
    pub username: Option<S<String>>,
    pub password_file: Option<S<String>>,
    pub ca_file: Option<S<String>>,
    pub from: Option<S<String>>,
    pub timeout_secs: Option<S<i64>>,
    pub dir: Option<S<String>>,
    pub sendmail_command: Option<S<String>>,
    pub templates_dir: Option<S<String>>,
    pub guide_url: Option<S<String>>,
    pub connections: Option<S<i64>>,
    pub summary_from: Option<S<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrivacy {
    pub names_in_email: Option<bool>,
    pub numbers_in_email: Option<bool>,
    pub ledger_retention_days: Option<S<i64>>,
    /// How long a replaced version of a config file is kept (days).
    pub history_days: Option<S<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub weekend: Option<Vec<S<String>>>,
    pub holidays: Option<S<String>>,
    pub extra_holidays: Option<Vec<S<RawDate>>>,
    pub extra_working_days: Option<Vec<S<RawDate>>>,
    pub day_off_deadline: Option<S<String>>,
    /// Announced first days of Kurban Ait: `{ 2027 = 2027-05-16 }`.
    pub kurban_ait: Option<BTreeMap<S<String>, S<RawDate>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReminders {
    pub lead_days: Option<S<Vec<S<i64>>>>,
    pub overdue_every_days: Option<S<i64>>,
    pub escalate_within_days: Option<S<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKind {
    pub label: Option<S<RawLabel>>,
    pub valid_for: Option<S<String>>,
    pub answer_within: Option<S<String>>,
    pub lead_days: Option<S<Vec<S<i64>>>>,
    pub overdue_every_days: Option<S<i64>>,
    pub escalate_within_days: Option<S<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCaseworker {
    pub id: Option<S<String>>,
    pub name: Option<S<String>>,
    pub email: Option<S<String>>,
    pub supervisor: Option<S<String>>,
    pub language: Option<S<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCase {
    pub id: Option<S<String>>,
    pub caseworker: Option<S<String>>,
    pub person: Option<S<String>>,
    pub document: Option<Vec<S<RawDocument>>>,
    pub request: Option<Vec<S<RawRequest>>>,
    pub event: Option<Vec<S<RawEvent>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDocument {
    pub kind: Option<S<String>>,
    pub number: Option<S<String>>,
    pub issued: Option<S<RawDate>>,
    pub expires: Option<S<RawDate>>,
    pub status: Option<S<String>>,
    pub filed: Option<S<RawDate>>,
    pub lead_days: Option<S<Vec<S<i64>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequest {
    pub kind: Option<S<String>>,
    pub number: Option<S<String>>,
    pub filed: Option<S<RawDate>>,
    pub answer_within: Option<S<String>>,
    pub extended_to: Option<S<RawDate>>,
    pub status: Option<S<String>>,
    pub waiting_for: Option<S<String>>,
    pub lead_days: Option<S<Vec<S<i64>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub title: Option<S<String>>,
    pub kind: Option<S<String>>,
    pub date: Option<S<RawDate>>,
    pub lead_days: Option<S<Vec<S<i64>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBill {
    pub id: Option<S<String>>,
    pub title: Option<S<String>>,
    pub owner: Option<S<String>>,
    pub stages: Option<S<Vec<S<String>>>>,
    pub stage: Option<S<String>>,
    pub stage_since: Option<S<RawDate>>,
    pub expected: Option<BTreeMap<S<String>, S<RawDate>>>,
    pub last_checked: Option<S<RawDate>>,
    pub check_every_days: Option<S<i64>>,
    pub lead_days: Option<S<Vec<S<i64>>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick way through `parse_date` answers as the parts do.
    #[test]
    fn dates_parse_as_their_parts_say() {
        for s in [
            "2026-12-07",
            "2024-02-29",
            "2026-02-29",
            "0000-01-01",
            "9999-12-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-04-31",
            "20a6-01-01",
            "+026-01-01",
            "2026-1-010",
            "2026/01/01",
            "2026-01-1 ",
            "２０２６-01-01",
            "",
            "2026-01-01T",
            "1-2-3",
        ] {
            assert_eq!(parse_date(s), parse_date_parts(s), "{s:?}");
        }
    }
}
