//! `[service]`: time zone, schedule, state directory, includes, admin.

use super::checker::{Checker, DEFAULT_SCHEDULE, DEFAULT_STATE_DIR};
use crate::config::env::Env;
use crate::config::model::{Editors, Service};
use crate::config::raw::{self, S};
use crate::privacy::value;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// `[service]` validated into [`Service`], with the include patterns and
/// their spans (expanded later, by the loader). The steps below each check
/// one group of keys.
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
        heartbeat_url: None,
        metrics_file: None,
        feeds_dir: PathBuf::new(),
        admin_mail: None,
        editors: None,
        git: None,
        edit_url: None,
    };
    let Some(s) = s else {
        out.feeds_dir = out.state_dir.join("feeds");
        c.err(
            0..0,
            "missing [service] table",
            "add [service] with at least timezone = \"Asia/Almaty\"",
        );
        return (out, Vec::new());
    };
    let span = s.span();
    let s = s.get_ref();
    time(c, s, &span, &mut out);
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
    if let Some(e) = &s.editors {
        out.editors = editors(c, e);
    }
    git(c, s, base, &mut out);
    outputs(c, s, base, &mut out);
    warn_unsafe_output_dirs(c, s, env, &out);
    (out, includes)
}

/// `editors`: a group this system has. A name that resolves to no group
/// is an error: the files its members save would all be refused.
fn editors(c: &mut Checker<'_>, e: &S<String>) -> Option<Editors> {
    let name = e.get_ref().trim();
    let shown = crate::logging::escape(name);
    if name.is_empty() {
        c.err(
            e.span(),
            "editors is empty",
            "name a Unix group, e.g. editors = \"docket-editors\", or remove the line",
        );
        return None;
    }
    match crate::sys::group_by_name(name) {
        Some(g) if g.gid == 0 => {
            c.err(
                e.span(),
                format!("editors = \"{shown}\" is the root group: its members could change the main config"),
                "name a group of its own: groupadd --system docket-editors, then editors = \"docket-editors\"",
            );
            None
        }
        Some(g) => Some(Editors {
            name: g.name,
            gid: g.gid,
        }),
        None => {
            c.err(
                e.span(),
                format!("editors: there is no group \"{shown}\" on this system"),
                format!("create it and add the caseworkers: groupadd --system {shown}; usermod -aG {shown} USER (the Debian package creates docket-editors); `getent group` lists the groups"),
            );
            None
        }
    }
}

/// When: the time zone (required) and the cron schedule.
fn time(c: &mut Checker<'_>, s: &raw::RawService, span: &Range<usize>, out: &mut Service) {
    if let Some(tz) = c.required(
        &s.timezone,
        span,
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
}

/// What docket writes besides mail: alerts' delay, the heartbeat, the
/// metrics file and the feeds directory (the state directory's `feeds`
/// unless given).
fn outputs(c: &mut Checker<'_>, s: &raw::RawService, base: &Path, out: &mut Service) {
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
    if let Some(u) = &s.heartbeat_url {
        out.heartbeat_url = heartbeat_url(c, u);
    }
    if let Some(m) = &s.metrics_file {
        out.metrics_file = Some(base.join(m.get_ref()));
        if m.get_ref().trim().is_empty() || m.get_ref().ends_with('/') {
            c.err(
                m.span(),
                "metrics_file must name a file",
                "e.g. metrics_file = \"/var/lib/docket-metrics/docket.prom\" (node_exporter reads *.prom in its textfile directory)",
            );
        } else if !m.get_ref().ends_with(".prom") {
            c.warn(
                m.span(),
                "metrics_file does not end in .prom: node_exporter's textfile collector reads only *.prom files",
                "name it e.g. docket.prom",
            );
        }
    }
    out.feeds_dir = match &s.feeds_dir {
        Some(d) => base.join(d.get_ref()),
        None => out.state_dir.join("feeds"),
    };
}

/// Directories docket writes into by name: one that someone else can
/// write is refused at every write (sys::write_atomic); say so now, when
/// the user id is known.
fn warn_unsafe_output_dirs(c: &mut Checker<'_>, s: &raw::RawService, env: &Env, out: &Service) {
    let Some(euid) = env.euid else { return };
    let at = |f: &Option<S<String>>| f.as_ref().map_or(0..0, |v| v.span());
    let mut dirs = vec![(out.feeds_dir.clone(), "feeds_dir", at(&s.feeds_dir))];
    if let Some(m) = &out.metrics_file {
        let parent = m.parent().map(Path::to_path_buf).unwrap_or_default();
        dirs.push((parent, "metrics_file's directory", at(&s.metrics_file)));
    }
    for (dir, what, span) in dirs {
        let Ok(meta) = std::fs::metadata(&dir) else {
            continue;
        };
        if let Some(why) = crate::sys::output_dir_problem(&meta, euid) {
            c.warn(
                span,
                format!(
                    "{what} {} {why}: docket will refuse to write there",
                    crate::logging::escape(&dir.display().to_string())
                ),
                format!(
                    "whoever can write it can turn docket's writes against other files: chmod go-w {0}, chown root {0}, or name a directory of docket's own",
                    crate::logging::escape(&dir.display().to_string())
                ),
            );
        }
    }
}

/// `heartbeat_url`: http(s) with a host. Plain http to another host would
/// hand the URL's token to the network: a warning.
fn heartbeat_url(c: &mut Checker<'_>, u: &S<String>) -> Option<url::Url> {
    match url::Url::parse(u.get_ref().trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => {
            if url.scheme() == "http" && !is_loopback_host(url.host_str().unwrap_or("")) {
                c.warn(
                    u.span(),
                    "heartbeat_url is plain http to another host: its token goes over the network unencrypted",
                    "use https://",
                );
            }
            Some(url)
        }
        _ => {
            c.err(
                u.span(),
                "heartbeat_url is not an http(s) URL",
                "e.g. heartbeat_url = \"https://hc.ngo.example/ping/<uuid>\" (healthchecks) or \"https://kuma.ngo.example/api/push/<token>\" (Uptime Kuma)",
            );
            None
        }
    }
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

/// `cases_git`, `git_branch`, `edit_url` (SPEC section 7). The repository
/// itself is opened by the loader (a missing one is its error, at this
/// key); here only the shape of each value.
fn git(c: &mut Checker<'_>, s: &raw::RawService, base: &Path, out: &mut Service) {
    if let Some(b) = &s.git_branch {
        if s.cases_git.is_none() {
            c.err(
                b.span(),
                "git_branch is set but cases_git is not",
                "add cases_git = \"/srv/git/ngo/cases.git\" (the bare repository), or remove git_branch",
            );
        }
    }
    if let Some(repo) = &s.cases_git {
        let branch = s
            .git_branch
            .as_ref()
            .map_or_else(|| "main".to_string(), |b| b.get_ref().clone());
        let branch = branch
            .strip_prefix("refs/heads/")
            .unwrap_or(&branch)
            .to_string();
        let bad_branch = branch.is_empty()
            || branch.starts_with(['-', '/', '.'])
            || branch.ends_with(['/', '.'])
            || branch.contains("..")
            || branch.contains("@{")
            || branch
                .chars()
                .any(|ch| ch.is_control() || " ~^:?*[\\".contains(ch));
        if bad_branch {
            let span = s.git_branch.as_ref().map_or(repo.span(), S::span);
            c.err(
                span,
                format!(
                    "git_branch = \"{}\" is not a branch name git allows",
                    value(&branch)
                ),
                "name the branch the forge edits, e.g. git_branch = \"main\"",
            );
        } else if repo.get_ref().trim().is_empty() {
            c.err(
                repo.span(),
                "cases_git is empty",
                "name the bare repository, e.g. cases_git = \"/srv/git/ngo/cases.git\", or remove the line",
            );
        } else {
            out.git = Some(crate::config::model::CasesGit {
                repo: base.join(repo.get_ref()),
                branch,
            });
        }
    }
    if let Some(u) = &s.edit_url {
        let url = u.get_ref();
        let parsed = url::Url::parse(&url.replace("{path}", "x"));
        match parsed {
            Ok(p) if matches!(p.scheme(), "https" | "http") && url.contains("{path}") => {
                out.edit_url = Some(url.clone());
            }
            Ok(p) if !matches!(p.scheme(), "https" | "http") => c.err(
                u.span(),
                format!("edit_url must be an https:// address, not {}:", p.scheme()),
                "give the forge's edit page, e.g. edit_url = \"https://git.ngo.example/ngo/cases/_edit/main/{path}\"",
            ),
            Ok(_) => c.err(
                u.span(),
                "edit_url has no {path}",
                "put {path} where the file's path goes, e.g. edit_url = \"https://git.ngo.example/ngo/cases/_edit/main/{path}\"",
            ),
            Err(e) => c.err(
                u.span(),
                format!("edit_url is not a web address: {e}"),
                "give the forge's edit page, e.g. edit_url = \"https://git.ngo.example/ngo/cases/_edit/main/{path}\"",
            ),
        }
    }
}
