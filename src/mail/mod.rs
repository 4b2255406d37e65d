//! Mail: rendering digests ([`digest`]) and delivering them. This is the
//! only module that talks SMTP.
//!
//! Delivery rules (SPEC §4): TLS is required unless the relay is on
//! loopback, a TLS failure is an error and never a silent downgrade, AUTH
//! is only configured on TLS connections, and every send runs under two
//! timeouts: `timeout_secs` for each SMTP reply (a hung relay is given up
//! on quickly) and [`SEND_BOUND_FACTOR`] times that for the whole message
//! (a slow but alive relay still gets its message through; lettre's async
//! send can also hang after an error, which this bound ends).

pub mod digest;
pub mod entry;
pub mod first;
pub mod message;
pub mod smtp;
pub use smtp::chain as error_chain;
pub(crate) mod labels;
pub(crate) mod texts;
pub mod view;

use crate::config::model::{Mail, Sensitive, Tls, Transport};
use lettre::message::Message;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSendmailTransport, AsyncTransport, Tokio1Executor};
use message::MimeMessage;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot read the SMTP password from {path}")]
    Password {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the SMTP password file {path} is empty")]
    PasswordEmpty { path: PathBuf },
    #[error("a username is set but there is no password: no [mail] password_file and no systemd credential smtp-password")]
    NoPassword,
    #[error("cannot read ca_file {path}")]
    CaFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS setup for {host}")]
    Tls {
        host: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("cannot create the outbox {path}")]
    Outbox {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The whole send of one message may take this many per-reply timeouts: a
/// send is about ten SMTP round trips (greeting, EHLO, STARTTLS, EHLO,
/// AUTH, MAIL, RCPT, DATA, the message, and QUIT).
pub const SEND_BOUND_FACTOR: u32 = 10;

/// The longest one send may take for a `timeout_secs`.
pub fn send_bound(timeout_secs: u64) -> Duration {
    Duration::from_secs(timeout_secs) * SEND_BOUND_FACTOR
}

/// A failed send, classified so the daemon knows whether retrying helps
/// and why it stopped trying: decided by the variant, never by reading the
/// message's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: a timeout, a refused connection, a 4xx.
    #[error("{0}")]
    Temporary(String),
    /// The server said no for good (5xx), or the setup is wrong: retrying
    /// will not help, the admin must act.
    #[error("{0}")]
    Permanent(String),
    /// docket was stopping and gave up on the send in flight after a
    /// grace: it stays queued, and a resend carries the same Message-ID.
    #[error("stopping: the send in flight was abandoned {}s after the stop", .after.as_secs())]
    Abandoned { after: Duration },
}

impl SendError {
    pub fn new(permanent: bool, message: String) -> SendError {
        if permanent {
            SendError::Permanent(message)
        } else {
            SendError::Temporary(message)
        }
    }

    /// Retrying will not help: the admin must act.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// A configured transport.
pub enum Mailer {
    Smtp {
        client: smtp::SmtpClient,
        timeout: Duration,
    },
    Sendmail {
        transport: AsyncSendmailTransport<Tokio1Executor>,
        timeout: Duration,
    },
    File {
        timeout: Duration,
        dir: PathBuf,
        /// Outbox file names carry the local date and time (in the
        /// clock's zone, `service.timezone`).
        clock: crate::clock::Clock,
    },
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp { client, .. } => {
                write!(f, "Mailer::Smtp({}:{})", client.host, client.port)
            }
            Mailer::Sendmail { .. } => write!(f, "Mailer::Sendmail"),
            Mailer::File { dir, .. } => write!(f, "Mailer::File({})", dir.display()),
        }
    }
}

/// Where the SMTP password comes from: `password_file`, else the systemd
/// credential `smtp-password` (`admin-smtp-password` for the admin's own
/// transport).
pub fn password_path(mail: &Mail) -> Option<PathBuf> {
    mail.password_file.clone().or_else(|| {
        std::env::var_os("CREDENTIALS_DIRECTORY").map(|d| Path::new(&d).join(mail.credential))
    })
}

fn read_password(path: &Path) -> Result<Sensitive, SetupError> {
    let text = std::fs::read_to_string(path).map_err(|source| SetupError::Password {
        path: path.to_path_buf(),
        source,
    })?;
    // A trailing newline from `echo > file` is not part of the password.
    let pw = text.trim_end_matches(['\n', '\r']).to_string();
    if pw.is_empty() {
        return Err(SetupError::PasswordEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(Sensitive::new(pw))
}

impl Mailer {
    /// Build the transport from `[mail]`. Reads the password and CA file now,
    /// so a reload picks up a rotated `password_file` (a systemd credential
    /// is only copied at service start: rotate it with a restart).
    /// `clock` (in `service.timezone`) names the outbox's files.
    pub fn new(mail: &Mail, clock: crate::clock::Clock) -> Result<Mailer, SetupError> {
        let timeout = Duration::from_secs(mail.timeout_secs);
        match mail.transport {
            Transport::File => {
                crate::sys::create_private_dir(&mail.dir).map_err(|source| SetupError::Outbox {
                    path: mail.dir.clone(),
                    source,
                })?;
                Ok(Mailer::File {
                    timeout,
                    dir: mail.dir.clone(),
                    clock,
                })
            }
            Transport::Sendmail => Ok(Mailer::Sendmail {
                transport: AsyncSendmailTransport::new_with_command(
                    mail.sendmail_command.as_os_str(),
                ),
                timeout,
            }),
            Transport::Smtp => {
                let tls_config = || {
                    let ca = mail.ca_file.as_deref().map(read_ca).transpose()?;
                    smtp::client_config(ca.as_deref()).map_err(|reason| SetupError::Tls {
                        host: mail.host.clone(),
                        source: reason.into(),
                    })
                };
                let security = match mail.tls {
                    Tls::None => smtp::Security::None,
                    Tls::Wrapper => smtp::Security::Wrapper(tls_config()?),
                    Tls::Starttls => smtp::Security::Starttls(tls_config()?),
                };
                // Validation refuses a username with tls = "none"; check again
                // here so no path can ever send credentials in clear text.
                let credentials = match (&mail.username, mail.tls == Tls::None) {
                    (Some(user), false) => {
                        let path = password_path(mail).ok_or(SetupError::NoPassword)?;
                        let pw = read_password(&path)?;
                        Some(Credentials::new(user.clone(), pw.expose().to_string()))
                    }
                    _ => None,
                };
                Ok(Mailer::Smtp {
                    client: smtp::SmtpClient::new(
                        mail.host.clone(),
                        mail.port,
                        security,
                        credentials,
                        timeout,
                    ),
                    timeout,
                })
            }
        }
    }

    /// The longest one [`Mailer::send`] may take.
    pub fn bound(&self) -> Duration {
        let t = match self {
            Mailer::Smtp { timeout, .. }
            | Mailer::Sendmail { timeout, .. }
            | Mailer::File { timeout, .. } => *timeout,
        };
        t * SEND_BOUND_FACTOR
    }

    /// The per-reply timeout (`timeout_secs`).
    pub fn reply_timeout(&self) -> Duration {
        match self {
            Mailer::Smtp { timeout, .. }
            | Mailer::Sendmail { timeout, .. }
            | Mailer::File { timeout, .. } => *timeout,
        }
    }

    /// Send one message; Ok carries the server's answer. `label` says whom
    /// it is for (a caseworker id, `admin`, `test`): it names the file in
    /// the outbox, so it must not be a name or an address.
    pub async fn send(&self, msg: &MimeMessage, label: &str) -> Result<String, SendError> {
        let bound = self.bound();
        match self {
            Mailer::Smtp { client, .. } => {
                let envelope = msg.envelope();
                let bytes = msg.formatted();
                match tokio::time::timeout(bound, client.send(envelope, &bytes)).await {
                    Err(_) => Err(SendError::Temporary(format!(
                            "{}:{}: the message was not through after {}s (each reply came, but slowly); the server may or may not have received it",
                            client.host,
                            client.port,
                            bound.as_secs()
                        ))),
                    Ok(r) => r,
                }
            }
            Mailer::Sendmail { transport, .. } => {
                match tokio::time::timeout(bound, transport.send(Message::clone(msg))).await {
                    Err(_) => Err(SendError::Temporary(
                        "sendmail did not finish in time".into(),
                    )),
                    Ok(Ok(())) => Ok("accepted by sendmail".into()),
                    Ok(Err(e)) => Err(SendError::Temporary(format!("sendmail: {e}"))),
                }
            }
            Mailer::File { dir, clock, .. } => {
                let name = outbox_name(msg, label, clock.wall().with_timezone(&clock.tz()));
                match tokio::time::timeout(bound, write_outbox(dir, &name, msg.formatted())).await {
                    Err(_) => Err(SendError::Temporary(
                        "writing to the outbox timed out".into(),
                    )),
                    Ok(Ok(path)) => Ok(format!("written to {}", path.display())),
                    Ok(Err(e)) => Err(SendError::Temporary(format!(
                        "outbox {}: {e}",
                        dir.display()
                    ))),
                }
            }
        }
    }
}

/// `2026-12-01-090000-aigerim-1f3a9c2e.eml`: when (local time), for whom,
/// and a short hash of the Message-ID, so a listing of the outbox reads in
/// order and says who each file is for without opening it.
fn outbox_name<T: chrono::TimeZone>(msg: &Message, label: &str, now: chrono::DateTime<T>) -> String
where
    T::Offset: std::fmt::Display,
{
    let label: String = label
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let id = msg
        .headers()
        .get_raw("Message-ID")
        .unwrap_or_default()
        .to_string();
    let mut h: u32 = 0x811c9dc5;
    for b in id.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x01000193);
    }
    format!("{}-{label}-{h:08x}.eml", now.format("%Y-%m-%d-%H%M%S"))
}

/// Remove the messages of the file transport's outbox written before
/// `cutoff` (the day in their name, see [`outbox_name`]); returns how many.
///
/// Why: an `.eml` holds what the digest said (names, where
/// `names_in_email` allows), and the outbox is the file transport's
/// "sent mail". It is kept as long as the ledger keeps its record of the
/// same reminders (`[privacy] ledger_retention_days`, at least 31 days: the
/// pass's purge horizon) and no longer (issue 17). Files not named the way
/// docket names them are someone else's and left alone; so are the
/// temporary files of a write under way (they start with a dot).
pub fn prune_outbox(dir: &Path, cutoff: chrono::NaiveDate) -> std::io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.ends_with(".eml") || name.len() < 10 {
            continue;
        }
        let Ok(day) = chrono::NaiveDate::parse_from_str(&name[..10], "%Y-%m-%d") else {
            continue;
        };
        if day < cutoff && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Write `bytes` to `dir/name` (0600), through a temporary file renamed
/// into place, so a reader never sees half a message. A second message
/// with the same name in the same second gets `-2`, `-3`, ….
async fn write_outbox(dir: &Path, name: &str, bytes: Vec<u8>) -> std::io::Result<PathBuf> {
    let dir = dir.to_path_buf();
    let name = name.to_string();
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let stem = name.trim_end_matches(".eml");
        // The outbox may be a directory an admin chose: refuse one another
        // user can write (a link planted there would redirect the write),
        // and never open a name someone could have guessed: an
        // unpredictable temporary, created only if nothing is there and
        // never through a link (issue 17, item 2).
        crate::sys::check_output_dir(&dir)?;
        let (tmp, mut f) = loop {
            let tmp = dir.join(format!(".{stem}.{:016x}.tmp", crate::sys::random_u64()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .custom_flags(libc::O_NOFOLLOW)
                .mode(0o600)
                .open(&tmp)
            {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        };
        if let Err(e) = f.write_all(&bytes) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        drop(f);
        for n in 1u32.. {
            let path = if n == 1 {
                dir.join(&name)
            } else {
                dir.join(format!("{stem}-{n}.eml"))
            };
            // hard_link fails if the target exists: no message overwritten.
            match std::fs::hard_link(&tmp, &path) {
                Ok(()) => {
                    std::fs::remove_file(&tmp)?;
                    return Ok(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => continue,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            }
        }
        unreachable!("the loop returns")
    })
    .await
    .map_err(std::io::Error::other)?
}

fn read_ca(path: &Path) -> Result<Vec<u8>, SetupError> {
    std::fs::read(path).map_err(|source| SetupError::CaFile {
        path: path.to_path_buf(),
        source,
    })
}

impl Mailer {
    /// Close idle SMTP connections (after a pass: the relay would drop them).
    pub async fn close_idle(&self) {
        if let Mailer::Smtp { client, .. } = self {
            client.close_idle().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SendError;
    use std::time::Duration;

    /// An abandoned send is told apart by its variant (it was by the words
    /// its message started with), and says what it always said.
    #[test]
    fn an_abandoned_send_is_its_own_kind_and_not_permanent() {
        let e = SendError::Abandoned {
            after: Duration::from_secs(3),
        };
        assert!(!e.is_permanent());
        assert_eq!(
            e.to_string(),
            "stopping: the send in flight was abandoned 3s after the stop"
        );
        assert!(SendError::new(true, "550 no".into()).is_permanent());
        assert_eq!(
            SendError::new(false, "421 later".into()),
            SendError::Temporary("421 later".into())
        );
    }
}
