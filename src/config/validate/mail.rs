//! `[mail]`: the transport, TLS, credentials (never in the TOML), sender.

use super::checker::Checker;
use super::service::is_loopback_host;
use crate::config::env::Env;
use crate::config::model::{Mail, Tls, Transport};
use crate::config::raw::{self, S};
use crate::privacy::value;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// `[mail]` validated into [`Mail`]: the defaults, then each group of
/// keys in a step of its own (how mail leaves, who may read the password,
/// who it is from, limits and paths), in the order they were written.
pub(super) fn mail(
    c: &mut Checker<'_>,
    m: Option<&S<raw::RawMail>>,
    base: &Path,
    state_dir: &Path,
    _env: &Env,
) -> Mail {
    let mut out = defaults(state_dir);
    let Some(m) = m else { return out };
    let span = m.span();
    let m = m.get_ref();
    transport(c, m, &span, &mut out);
    credentials(c, m, base, &mut out);
    sender(c, m, &span, &mut out);
    limits_and_paths(c, m, base, &mut out);
    out
}

/// The mail settings of a config without `[mail]`: files in the state
/// directory's outbox, nothing sent.
fn defaults(state_dir: &Path) -> Mail {
    Mail {
        transport: Transport::File,
        host: String::new(),
        port: 465,
        tls: Tls::Wrapper,
        username: None,
        password_file: None,
        ca_file: None,
        from: "Docket <docket@localhost>".into(),
        timeout_secs: 30,
        dir: state_dir.join("outbox"),
        sendmail_command: PathBuf::from("/usr/sbin/sendmail"),
        templates_dir: None,
        guide_url: None,
        credential: "smtp-password",
        connections: DEFAULT_CONNECTIONS,
        summary_from: DEFAULT_SUMMARY_FROM,
    }
}

/// How mail leaves: transport, TLS mode, port (the TLS mode's own unless
/// given) and host. Mail in the clear may only go to a loopback relay.
fn transport(c: &mut Checker<'_>, m: &raw::RawMail, span: &Range<usize>, out: &mut Mail) {
    if let Some(t) = &m.transport {
        out.transport = c
            .choice(
                t,
                "transport",
                &[
                    ("smtp", Transport::Smtp),
                    ("sendmail", Transport::Sendmail),
                    ("file", Transport::File),
                ],
                "use \"smtp\", \"sendmail\" or \"file\"",
            )
            .unwrap_or(Transport::File);
    }
    if let Some(t) = &m.tls {
        out.tls = c
            .choice(
                t,
                "tls mode",
                &[
                    ("wrapper", Tls::Wrapper),
                    ("starttls", Tls::Starttls),
                    ("none", Tls::None),
                ],
                "use \"wrapper\" (port 465), \"starttls\" (port 587) or \"none\" (loopback only)",
            )
            .unwrap_or(Tls::Wrapper);
    }
    out.port = match out.tls {
        Tls::Wrapper => 465,
        Tls::Starttls => 587,
        Tls::None => 25,
    };
    if let Some(p) = &m.port {
        match u16::try_from(*p.get_ref()) {
            Ok(n) if n > 0 => out.port = n,
            _ => c.err(
                p.span(),
                format!("port {} is not a TCP port", p.get_ref()),
                "use 1 to 65535",
            ),
        }
    }
    if let Some(h) = &m.host {
        out.host = h.get_ref().trim().to_string();
        if out.host.is_empty() {
            c.err(h.span(), "host is empty", "write the relay's host name");
        }
    }
    if out.transport == Transport::Smtp {
        c.required(
            &m.host,
            span,
            "host",
            "add host = \"mail.example.org\" for transport = \"smtp\"",
        );
        if out.tls == Tls::None && !out.host.is_empty() && !is_loopback_host(&out.host) {
            let at = m.tls.as_ref().map(|t| t.span()).unwrap_or(span.clone());
            c.err(at,
                format!("tls = \"none\" to {}: mail would cross the network unencrypted", out.host),
                "use tls = \"wrapper\" or \"starttls\"; \"none\" is only allowed to a loopback host (127.0.0.1, ::1, localhost)",
            );
        }
    }
}

/// The relay's credentials and CA: a username never goes with tls =
/// "none" (its password would cross unencrypted), and a password file
/// must not be readable by others.
fn credentials(c: &mut Checker<'_>, m: &raw::RawMail, base: &Path, out: &mut Mail) {
    if let Some(u) = &m.username {
        out.username = Some(u.get_ref().clone());
        if out.tls == Tls::None {
            c.err(u.span(),
                "a username with tls = \"none\" would send the password unencrypted",
                "use tls = \"wrapper\" or \"starttls\", or remove the username for an unauthenticated loopback relay",
            );
        }
    }
    if let Some(p) = &m.password_file {
        let path = base.join(p.get_ref());
        if m.username.is_none() {
            c.warn(
                p.span(),
                "password_file is set but username is not, so it is never used",
                "add username, or remove password_file",
            );
        }
        if path.exists() {
            check_secret_permissions(c, &path, p.span());
        } else {
            c.warn(
                p.span(),
                format!("password file {} does not exist (yet)", path.display()),
                "create it (mode 0600, or 0640 root:docket), or pass it as a systemd credential",
            );
        }
        out.password_file = Some(path);
    }
    if let Some(ca) = &m.ca_file {
        let path = base.join(ca.get_ref());
        if !path.is_file() {
            c.err(
                ca.span(),
                format!("ca_file {} does not exist", path.display()),
                "point at a PEM file with the relay's CA certificate",
            );
        }
        out.ca_file = Some(path);
    }
}

/// The sender: a mailbox, required unless mail only goes to files.
fn sender(c: &mut Checker<'_>, m: &raw::RawMail, span: &Range<usize>, out: &mut Mail) {
    if let Some(f) = &m.from {
        match f.get_ref().parse::<lettre::message::Mailbox>() {
            Ok(_) => out.from = f.get_ref().clone(),
            Err(_) => c.err(
                f.span(),
                format!("from {} is not a mailbox", value(f.get_ref())),
                "write it as \"Docket <docket@ngo.example>\" or docket@ngo.example",
            ),
        }
    } else if out.transport != Transport::File {
        c.err(
            span.clone(),
            "missing `from`",
            "add from = \"Docket <docket@ngo.example>\"",
        );
    }
}

/// Limits (timeout, connections) within their ranges, and paths relative
/// to the main file's folder.
fn limits_and_paths(c: &mut Checker<'_>, m: &raw::RawMail, base: &Path, out: &mut Mail) {
    if let Some(t) = &m.timeout_secs {
        let n = *t.get_ref();
        if !(1..=600).contains(&n) {
            c.err(
                t.span(),
                format!("timeout_secs must be between 1 and 600, not {n}"),
                "",
            );
        } else {
            out.timeout_secs = n as u64;
        }
    }
    if let Some(d) = &m.dir {
        out.dir = base.join(d.get_ref());
    }
    if let Some(s) = &m.sendmail_command {
        out.sendmail_command = PathBuf::from(s.get_ref());
    }
    if let Some(t) = &m.templates_dir {
        let p = base.join(t.get_ref());
        if !p.is_dir() {
            c.err(
                t.span(),
                format!("templates_dir {} is not a directory", p.display()),
                "",
            );
        }
        out.templates_dir = Some(p);
    }
    if let Some(n) = &m.connections {
        let v = *n.get_ref();
        if !(1..=MAX_CONNECTIONS).contains(&v) {
            c.err(
                n.span(),
                format!("connections must be between 1 and {MAX_CONNECTIONS}, not {v}"),
                "most relays accept a few connections from one client; 3 is the default",
            );
        } else {
            out.connections = v as u8;
        }
    }
    if let Some(n) = &m.summary_from {
        let v = *n.get_ref();
        match u32::try_from(v) {
            Ok(v) if v <= MAX_SUMMARY_FROM => out.summary_from = v,
            _ => c.err(
                n.span(),
                format!("summary_from must be between 0 and {MAX_SUMMARY_FROM}, not {v}"),
                "the number of new cases from which the first digest is a summary; 5 is the default, 0 turns the summary off",
            ),
        }
    }
    if let Some(g) = &m.guide_url {
        let v = g.get_ref().trim();
        if v.is_empty() || v.chars().any(char::is_control) {
            c.err(
                g.span(),
                "guide_url is empty or holds a control character",
                "give a path or a URL, e.g. guide_url = \"https://intranet.ngo.example/docket/guide.{lang}.html\"",
            );
        } else {
            out.guide_url = Some(v.to_string());
        }
    }
}

/// Messages on their way at once by default: a few, which relays accept
/// from one client (Postfix allows 50 by default, hosted relays ~10).
pub const DEFAULT_CONNECTIONS: u8 = 3;
const MAX_CONNECTIONS: i64 = 16;
/// `[mail] summary_from` unset: an import or a first run (many cases),
/// not one new case file or two (issue 21).
pub const DEFAULT_SUMMARY_FROM: u32 = 5;
const MAX_SUMMARY_FROM: u32 = 1_000_000;

fn check_secret_permissions(c: &mut Checker<'_>, path: &Path, span: Range<usize>) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 || mode & 0o004 != 0 {
        c.err(
            span,
            format!(
                "password file {} is accessible to other users (mode {:04o})",
                path.display(),
                mode
            ),
            format!("chmod 0600 {} (or 0640 root:docket)", path.display()),
        );
    }
}
