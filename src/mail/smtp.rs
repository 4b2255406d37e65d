//! SMTP delivery over connections docket opens and manages itself, with
//! lettre speaking the protocol on them.
//!
//! Why not lettre's `AsyncSmtpTransport`: in 0.11.23 it (1) never sets
//! TCP_NODELAY, and since it writes a message and its final `.` separately,
//! Nagle's algorithm meets the relay's delayed ACK and every message waits
//! ~40 ms (measured: 45 ms a message against 2.5 ms for Python's smtplib;
//! upstream lettre PR #1159, unreleased); (2) has a timeout only for the
//! TCP connect, so a relay that stops answering holds a send until the
//! whole-send bound; (3) its pool often opens a new connection per message
//! because a used one is handed back by a task that has not run yet.
//!
//! So docket connects the socket (TCP_NODELAY on), does implicit TLS itself
//! with the same rustls and trust roots, passes the stream to lettre
//! (`AsyncSmtpConnection::connect_with_transport`), and drives each command
//! under the per-reply timeout (`timeout_secs`). Idle connections are kept
//! for the next message and closed after [`IDLE_CLOSE`].
//!
//! Every failure says where it happened, which is what decides whether the
//! message may have been delivered and whether retrying can help.

use super::SendError;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// An idle connection older than this is closed instead of reused: relays
/// drop idle clients after a minute or more.
pub const IDLE_CLOSE: Duration = Duration::from_secs(30);

/// How the connection is secured.
pub enum Security {
    /// TLS from the first byte (port 465), by docket with this config.
    Wrapper(Arc<rustls::ClientConfig>),
    /// Plain, then STARTTLS, which is required.
    Starttls(TlsParameters),
    /// Plain: validation allows this only to a loopback relay.
    None,
}

pub struct SmtpClient {
    pub host: String,
    pub port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Each reply must come within this.
    pub reply_timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

/// A plain TCP stream for lettre, with TCP_NODELAY set.
#[derive(Debug)]
struct Plain(TcpStream);

/// A stream docket secured itself (implicit TLS).
#[derive(Debug)]
struct Secured(tokio_rustls::client::TlsStream<TcpStream>);

macro_rules! delegate_io {
    ($t:ty, $($field:tt)+) => {
        impl tokio::io::AsyncRead for $t {
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.$($field)+).poll_read(cx, buf)
            }
        }
        impl tokio::io::AsyncWrite for $t {
            fn poll_write(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.$($field)+).poll_write(cx, buf)
            }
            fn poll_flush(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.$($field)+).poll_flush(cx)
            }
            fn poll_shutdown(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.$($field)+).poll_shutdown(cx)
            }
        }
    };
}
delegate_io!(Plain, 0);
delegate_io!(Secured, 0);

impl AsyncTokioStream for Plain {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncTokioStream for Secured {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

/// Where a send failed; decides what the error says and whether the
/// message may have gone through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    Greeting,
    Tls,
    Auth,
    /// MAIL, RCPT or DATA: nothing of the message was sent yet.
    Envelope,
    /// The message and its final dot: it may have been received.
    Message,
}

impl SmtpClient {
    pub fn new(
        host: String,
        port: u16,
        security: Security,
        credentials: Option<Credentials>,
        reply_timeout: Duration,
    ) -> SmtpClient {
        SmtpClient {
            host,
            port,
            security,
            credentials,
            hello: ClientId::default(),
            reply_timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Send one message. Reuses an idle connection when there is one; if
    /// that turns out to be closed before anything of the message went,
    /// sends again on a fresh connection.
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<String, SendError> {
        if let Some(conn) = self.take_idle() {
            match self.transfer(conn, envelope, email).await {
                Ok(answer) => return Ok(answer),
                // The relay closed the idle connection: nothing was sent.
                Err((Stage::Envelope, e)) if !e.permanent => {
                    tracing::debug!(error = %e.message, "idle connection was closed; reconnecting");
                }
                Err((_, e)) => return Err(e),
            }
        }
        let conn = self.connect().await.map_err(|(_, e)| e)?;
        self.transfer(conn, envelope, email)
            .await
            .map_err(|(_, e)| e)
    }

    /// QUIT every idle connection (end of a pass).
    pub async fn close_idle(&self) {
        let conns: Vec<_> = std::mem::take(&mut *self.idle.lock().expect("not poisoned"));
        for (mut c, _) in conns {
            let _ = tokio::time::timeout(self.reply_timeout, c.quit()).await;
        }
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().expect("not poisoned");
        while let Some((c, at)) = idle.pop() {
            if at.elapsed() < IDLE_CLOSE && !c.has_broken() {
                return Some(c);
            }
            // Dropped: the relay has most likely closed it already.
        }
        None
    }

    async fn transfer(
        &self,
        mut conn: AsyncSmtpConnection,
        envelope: &Envelope,
        email: &[u8],
    ) -> Result<String, (Stage, SendError)> {
        let mut options = Vec::new();
        let non_ascii = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(self.fail(
                    Stage::Envelope,
                    true,
                    "an address has non-ASCII characters and the relay does not support SMTPUTF8"
                        .into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !email.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        self.step(
            Stage::Envelope,
            "MAIL FROM",
            conn.command(Mail::new(envelope.from().cloned(), options)),
        )
        .await?;
        for to in envelope.to() {
            self.step(
                Stage::Envelope,
                "RCPT TO",
                conn.command(Rcpt::new(to.clone(), vec![])),
            )
            .await?;
        }
        self.step(Stage::Envelope, "DATA", conn.command(Data))
            .await?;
        let resp = self
            .step(
                Stage::Message,
                "the end of the message",
                conn.message(email),
            )
            .await?;
        let answer = format!(
            "{} {}",
            resp.code(),
            resp.message().collect::<Vec<_>>().join(" ")
        );
        self.idle
            .lock()
            .expect("not poisoned")
            .push((conn, Instant::now()));
        Ok(answer)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, (Stage, SendError)> {
        let addr = (self.host.as_str(), self.port);
        let tcp = match tokio::time::timeout(self.reply_timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                return Err(self.fail(Stage::Connect, false, format!("cannot connect: {e}")))
            }
            Err(_) => {
                return Err(self.fail(
                    Stage::Connect,
                    false,
                    format!("no connection within {}s", self.reply_timeout.as_secs()),
                ))
            }
        };
        // The point of connecting ourselves: no Nagle delay on the final dot.
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Wrapper(cfg) => {
                let name = rustls_pki_types::ServerName::try_from(self.host.clone())
                    .map_err(|e| self.fail(Stage::Tls, true, format!("bad host name: {e}")))?;
                let tls = tokio_rustls::TlsConnector::from(Arc::clone(cfg));
                match tokio::time::timeout(self.reply_timeout, tls.connect(name, tcp)).await {
                    Ok(Ok(s)) => Box::new(Secured(s)),
                    Ok(Err(e)) => return Err(self.tls_failure(&e)),
                    Err(_) => {
                        return Err(self.fail(
                            Stage::Tls,
                            false,
                            format!("no TLS handshake within {}s", self.reply_timeout.as_secs()),
                        ))
                    }
                }
            }
            _ => Box::new(Plain(tcp)),
        };
        // The greeting and EHLO: two replies.
        let mut conn = self
            .step(
                Stage::Greeting,
                "the greeting",
                AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
            )
            .await?;
        if let Security::Starttls(params) = &self.security {
            if !conn.can_starttls() {
                return Err(self.fail(
                    Stage::Tls,
                    true,
                    "TLS failed, nothing was sent (no credentials, no message): the server does not offer STARTTLS, which tls = \"starttls\" requires".into(),
                ));
            }
            // STARTTLS, the handshake and EHLO again.
            match tokio::time::timeout(
                self.reply_timeout * 3,
                conn.starttls(params.clone(), &self.hello),
            )
            .await
            {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(self.lettre_failure(Stage::Tls, &e)),
                Err(_) => {
                    return Err(self.fail(
                        Stage::Tls,
                        false,
                        format!(
                            "no answer to STARTTLS within {}s",
                            self.reply_timeout.as_secs() * 3
                        ),
                    ))
                }
            }
        }
        if let Some(creds) = &self.credentials {
            let mechanisms = [Mechanism::Plain, Mechanism::Login];
            self.step(Stage::Auth, "AUTH", conn.auth(&mechanisms, creds))
                .await?;
        }
        Ok(conn)
    }

    /// One command (or a few, for the stages that are several) under the
    /// reply timeout.
    async fn step<T>(
        &self,
        stage: Stage,
        what: &str,
        fut: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
    ) -> Result<T, (Stage, SendError)> {
        let limit = match stage {
            Stage::Greeting | Stage::Auth => self.reply_timeout * 2,
            _ => self.reply_timeout,
        };
        match tokio::time::timeout(limit, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.lettre_failure(stage, &e)),
            Err(_) => Err(self.fail(
                stage,
                false,
                format!(
                    "no reply to {what} within {}s{}",
                    limit.as_secs(),
                    if stage == Stage::Message {
                        "; the server may or may not have received the message, which stays queued and is sent again under the same Message-ID"
                    } else {
                        ""
                    }
                ),
            )),
        }
    }

    fn fail(&self, stage: Stage, permanent: bool, message: String) -> (Stage, SendError) {
        (
            stage,
            SendError {
                message: format!("{}:{}: {message}", self.host, self.port),
                permanent,
            },
        )
    }

    fn tls_failure(&self, e: &std::io::Error) -> (Stage, SendError) {
        let text = chain(e);
        if text.contains("InvalidContentType") || text.contains("corrupt message") {
            return self.fail(
                Stage::Tls,
                true,
                format!("the server does not speak TLS on this port (tls = \"wrapper\" expects TLS from the first byte; is it a STARTTLS or plain port?); nothing was sent: {text}"),
            );
        }
        self.fail(
            Stage::Tls,
            true,
            format!("TLS failed, nothing was sent (no credentials, no message): {text}"),
        )
    }

    fn lettre_failure(
        &self,
        stage: Stage,
        e: &lettre::transport::smtp::Error,
    ) -> (Stage, SendError) {
        let text = chain(e);
        if e.is_response() || e.is_permanent() || e.is_transient() {
            let hint = match stage {
                Stage::Auth => {
                    " (the relay refused the login: check username and the password file)"
                }
                _ => "",
            };
            return self.fail(stage, e.is_permanent(), format!("{text}{hint}"));
        }
        match stage {
            Stage::Tls => self.fail(
                stage,
                true,
                format!("TLS failed, nothing was sent (no credentials, no message): {text}"),
            ),
            Stage::Message => self.fail(
                stage,
                false,
                format!("the connection broke during the SMTP dialogue; the server may or may not have received the message, which stays queued and is sent again under the same Message-ID: {text}"),
            ),
            _ => self.fail(
                stage,
                false,
                format!("the connection broke before the message was sent: {text}"),
            ),
        }
    }
}

/// An error and its sources, for messages: rustls puts the useful words
/// ("certificate not valid for name …", "UnknownIssuer") at the bottom.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        src = s.source();
    }
    text
}

/// The rustls client config for implicit TLS: the system's trust roots
/// plus the optional `ca_file`, TLS 1.2 or newer, the host name verified.
pub fn client_config(ca_pem: Option<&[u8]>) -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(pem) = ca_pem {
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("ca_file: {e}"))?;
            roots.add(cert).map_err(|e| format!("ca_file: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}
