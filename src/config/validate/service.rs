//! `[service]`: time zone, schedule, state directory, includes, admin.

use super::{Checker, DEFAULT_SCHEDULE, DEFAULT_STATE_DIR};
use crate::config::model::Service;
use crate::config::raw::{self, S};
use crate::config::Env;
use crate::privacy::value;
use std::ops::Range;
use std::path::{Path, PathBuf};

pub(super) fn service(
    c: &mut Checker<'_>,
    s: Option<&S<raw::RawService>>,
    base: &Path,
    env: &Env,
) -> (Service, Vec<(String, Range<usize>)>) {
    let mut out = Service {
        timezone: chrono_tz::Asia::Almaty,
        schedule: DEFAULT_SCHEDULE.into(),
        state_dir: env
            .state_directory
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_DIR)),
        include: Vec::new(),
        admin: None,
        alert_after_hours: 24,
    };
    let Some(s) = s else {
        c.err(
            0..0,
            "missing [service] table",
            "add [service] with at least timezone = \"Asia/Almaty\"",
        );
        return (out, Vec::new());
    };
    let span = s.span();
    let s = s.get_ref();
    if let Some(tz) = c.required(
        &s.timezone,
        &span,
        "timezone",
        "add timezone = \"Asia/Almaty\" (an IANA name)",
    ) {
        match tz.get_ref().parse::<chrono_tz::Tz>() {
            Ok(t) => out.timezone = t,
            Err(_) => c.err(
                tz.span(),
                format!("unknown time zone {}", value(tz.get_ref())),
                "use an IANA name such as \"Asia/Almaty\" or \"Asia/Qostanay\"",
            ),
        }
    }
    if let Some(sch) = &s.schedule {
        let parsed = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .dom_and_dow(true)
            .build()
            .parse(sch.get_ref());
        match parsed {
            Ok(_) => out.schedule = sch.get_ref().clone(),
            Err(e) => c.err(sch.span(),
                format!("bad schedule {}: {e}", value(sch.get_ref())),
                "write cron with seconds: \"sec min hour day-of-month month day-of-week\", e.g. \"0 0 9 * * *\" for 09:00 daily",
            ),
        }
    }
    if let Some(dir) = &s.state_dir {
        out.state_dir = base.join(dir.get_ref());
    }
    let mut includes = Vec::new();
    for inc in s.include.iter().flatten() {
        out.include.push(inc.get_ref().clone());
        includes.push((inc.get_ref().clone(), inc.span()));
    }
    if let Some(a) = &s.admin {
        if email_ok(c, a, "admin") {
            out.admin = Some(a.get_ref().clone());
        }
    }
    if let Some(h) = &s.alert_after_hours {
        let n = *h.get_ref();
        if !(1..=24 * 30).contains(&n) {
            c.err(
                h.span(),
                format!("alert_after_hours must be between 1 and 720, not {n}"),
                "",
            );
        } else {
            out.alert_after_hours = n as u32;
        }
    }
    (out, includes)
}

pub(super) fn email_ok(c: &mut Checker<'_>, a: &S<String>, what: &str) -> bool {
    match a.get_ref().parse::<lettre::Address>() {
        Ok(_) => true,
        Err(_) => {
            c.err(
                a.span(),
                format!("{what} {} is not an email address", value(a.get_ref())),
                "write it as name@example.org",
            );
            false
        }
    }
}

/// Is `host` the loopback interface (where plain SMTP is allowed)?
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}
