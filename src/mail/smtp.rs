//! SMTP delivery over connections docket opens, reads and writes itself;
//! lettre builds the messages and spells the commands (`Mail`, `Rcpt`,
//! `Auth`, …) and their parameters.
//!
//! Why not lettre's connection (`AsyncSmtpConnection`, 0.11.23): it
//! (1) never sets TCP_NODELAY, and since it writes a message and its final
//! `.` separately, Nagle's algorithm meets the relay's delayed ACK and every
//! message waits ~40 ms; (2) reads replies through a `BufReader` that
//! STARTTLS upgrades *under* without emptying it, so plain-text bytes a
//! man in the middle sends after `220 ready to start TLS` are read later as
//! if they came over TLS (the CVE-2011-0411 pattern): every later reply
//! shifts by one and a relay's `554` to the message is never seen (issue 17,
//! item 1); (3) re-parses the whole reply after every line, so a 100 KB
//! EHLO of 14,000 lines costs ~10 s of CPU, during which no timeout fires
//! (item 7); (4) takes any positive reply as the answer to any command, so
//! a shifted `354` passes for the end-of-data's `250`.
//!
//! So here every reply is read whole, bounded in size ([`MAX_REPLY_BYTES`],
//! [`MAX_LINE_BYTES`]) and in time (one deadline of `timeout_secs` for all
//! its lines), parsed once, and checked against the codes that answer the
//! command it follows (a message is sent only on the `250` that answers our
//! end-of-data). A reply answers only the command it follows: bytes that
//! arrive after a reply, or before a command, are a protocol violation and
//! the connection is dropped, so nothing is ever carried across STARTTLS
//! (a STARTTLS with bytes behind its `220` is a failed TLS set-up).
//!
//! Every failure says where it happened, which is what decides whether the
//! message may have been delivered and whether retrying can help.

use super::SendError;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::commands::{Auth, Data, Ehlo, Mail, Quit, Rcpt, Starttls};
use lettre::transport::smtp::extension::{ClientId, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;
use std::fmt::Display;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An idle connection older than this is closed instead of reused: relays
/// drop idle clients after a minute or more.
pub const IDLE_CLOSE: Duration = Duration::from_secs(30);

/// The longest reply docket reads. A large relay's EHLO is well under 1 KB;
/// Postfix caps what it reads of a reply at 2 KB (`smtp_line_length_limit`
/// per line, `smtp_reply_limit`-like bounds); 16 KiB leaves room for any
/// honest server and bounds what a hostile one can make docket parse.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;

/// The longest reply line, CRLF excluded (RFC 5321 4.5.3.1.5 allows 512).
pub const MAX_LINE_BYTES: usize = 1000;

/// How many 334 challenges an AUTH may take (LOGIN takes two).
const MAX_CHALLENGES: usize = 5;

/// How the connection is secured.
pub enum Security {
    /// TLS from the first byte (port 465), with this config.
    Wrapper(Arc<rustls::ClientConfig>),
    /// Plain, then STARTTLS, which is required, with this config.
    Starttls(Arc<rustls::ClientConfig>),
    /// Plain: validation allows this only to a loopback relay.
    None,
}

pub struct SmtpClient {
    pub host: String,
    pub port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Each reply must come, whole, within this.
    pub reply_timeout: Duration,
    idle: Mutex<Vec<(Connection, Instant)>>,
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

/// The socket, plain or TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    /// Only while STARTTLS moves the socket into TLS.
    Gone,
}

impl Stream {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf).await,
            Stream::Tls(s) => s.read(buf).await,
            Stream::Gone => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }

    async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Stream::Tls(s) => {
                s.write_all(bytes).await?;
                s.flush().await
            }
            Stream::Gone => Err(std::io::ErrorKind::NotConnected.into()),
        }
    }
}

/// What an EHLO reply offers that docket uses.
#[derive(Debug, Default, Clone, Copy)]
struct Features {
    starttls: bool,
    eight_bit_mime: bool,
    smtp_utf8: bool,
    plain: bool,
    login: bool,
}

impl Features {
    /// Read from the EHLO reply's lines after the first (the server's name).
    fn from_ehlo(reply: &Reply) -> Features {
        let mut f = Features::default();
        for line in reply.lines.iter().skip(1) {
            let mut words = line.split_ascii_whitespace();
            match words.next().map(str::to_ascii_uppercase).as_deref() {
                Some("STARTTLS") => f.starttls = true,
                Some("8BITMIME") => f.eight_bit_mime = true,
                Some("SMTPUTF8") => f.smtp_utf8 = true,
                Some("AUTH") => {
                    for m in words {
                        match m.to_ascii_uppercase().as_str() {
                            "PLAIN" => f.plain = true,
                            "LOGIN" => f.login = true,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        f
    }
}

/// One reply, read whole.
#[derive(Debug)]
struct Reply {
    code: u16,
    /// The text of each line, control characters escaped (a reply reaches
    /// the log: a server cannot forge a log line with it).
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        format!("{} {}", self.code, self.lines.join(" ").trim_end())
    }
}

/// What went wrong reading a reply.
#[derive(Debug)]
enum Fault {
    Timeout,
    Closed,
    Io(std::io::Error),
    TooLarge,
    Malformed(&'static str),
    /// Bytes after the reply's last line, or before our command: a second
    /// reply to one command, or a reply to a command not sent.
    Unsolicited,
}

impl Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Timeout => f.write_str("no reply in time"),
            Fault::Closed => f.write_str("the server closed the connection"),
            Fault::Io(e) => write!(f, "{e}"),
            Fault::TooLarge => write!(
                f,
                "the reply is larger than docket reads ({MAX_LINE_BYTES} bytes a line, {MAX_REPLY_BYTES} in all)"
            ),
            Fault::Malformed(why) => write!(f, "the reply is not SMTP ({why})"),
            Fault::Unsolicited => f.write_str(
                "the server sent bytes that answer no command of docket's (more than one reply, or a reply before the command)",
            ),
        }
    }
}

/// One SMTP connection: the socket and the bytes received but not yet
/// read as a reply, which is empty between replies.
struct Connection {
    stream: Stream,
    pending: Vec<u8>,
    features: Features,
}

impl Connection {
    /// Read one reply whole, all its lines by `deadline`.
    async fn reply(&mut self, deadline: tokio::time::Instant) -> Result<Reply, Fault> {
        let mut lines = Vec::new();
        let mut code: Option<[u8; 3]> = None;
        let mut start = 0;
        let mut chunk = [0u8; 4096];
        loop {
            while let Some(pos) = self.pending[start..].windows(2).position(|w| w == b"\r\n") {
                let line = &self.pending[start..start + pos];
                start += pos + 2;
                if line.len() > MAX_LINE_BYTES {
                    return Err(Fault::TooLarge);
                }
                let (digits, rest) = line
                    .split_at_checked(3)
                    .ok_or(Fault::Malformed("a line without a code"))?;
                let digits: [u8; 3] = digits.try_into().expect("three bytes");
                if !(b'2'..=b'5').contains(&digits[0])
                    || !digits[1].is_ascii_digit()
                    || !digits[2].is_ascii_digit()
                {
                    return Err(Fault::Malformed("a line without a code"));
                }
                if code.is_some_and(|c| c != digits) {
                    return Err(Fault::Malformed("lines with different codes"));
                }
                code = Some(digits);
                let (last, text) = match rest.split_first() {
                    None => (true, &[][..]),
                    Some((b' ', t)) => (true, t),
                    Some((b'-', t)) => (false, t),
                    Some(_) => {
                        return Err(Fault::Malformed("a code not followed by a space or '-'"))
                    }
                };
                lines.push(escape(&String::from_utf8_lossy(text)));
                if last {
                    if start < self.pending.len() {
                        return Err(Fault::Unsolicited);
                    }
                    self.pending.clear();
                    let code = digits
                        .iter()
                        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
                    return Ok(Reply { code, lines });
                }
            }
            if self.pending.len() - start > MAX_LINE_BYTES || self.pending.len() > MAX_REPLY_BYTES {
                return Err(Fault::TooLarge);
            }
            let n = match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
                Err(_) => return Err(Fault::Timeout),
                Ok(Err(e)) => return Err(Fault::Io(e)),
                Ok(Ok(0)) => return Err(Fault::Closed),
                Ok(Ok(n)) => n,
            };
            self.pending.extend_from_slice(&chunk[..n]);
        }
    }

    /// Nothing may be waiting from the server before docket speaks: a
    /// reply to a command not sent would be read as the answer to the next.
    async fn quiet(&mut self) -> Result<(), Fault> {
        if !self.pending.is_empty() {
            return Err(Fault::Unsolicited);
        }
        let mut b = [0u8; 64];
        // A zero timeout polls the read once: data already there, or EOF,
        // is seen; otherwise the read is dropped (reads are cancel-safe).
        match tokio::time::timeout(Duration::ZERO, self.stream.read(&mut b)).await {
            Err(_) => Ok(()),
            Ok(Ok(0)) => Err(Fault::Closed),
            Ok(Ok(_)) => Err(Fault::Unsolicited),
            Ok(Err(e)) => Err(Fault::Io(e)),
        }
    }

    async fn write(&mut self, bytes: &[u8], deadline: tokio::time::Instant) -> Result<(), Fault> {
        match tokio::time::timeout_at(deadline, self.stream.write_all(bytes)).await {
            Err(_) => Err(Fault::Timeout),
            Ok(Err(e)) => Err(Fault::Io(e)),
            Ok(Ok(())) => Ok(()),
        }
    }
}

/// Control characters shown as escapes, so a server's words cannot start
/// a line of their own in the log.
fn escape(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The message with leading dots doubled (RFC 5321 4.5.2), then the final
/// dot, in one buffer: one write, so the final dot never waits for an ACK.
fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n';
    }
    out.extend_from_slice(b"\r\n.\r\n");
    out
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
                Err((Stage::Envelope, e)) if !e.is_permanent() => {
                    tracing::debug!(error = %e, "idle connection was closed; reconnecting");
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
            let _ = self
                .command(&mut c, Stage::Envelope, "QUIT", Quit, &[221])
                .await;
        }
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().expect("not poisoned");
        while let Some((c, at)) = idle.pop() {
            if at.elapsed() < IDLE_CLOSE {
                return Some(c);
            }
            // Dropped: the relay has most likely closed it already.
        }
        None
    }

    async fn transfer(
        &self,
        mut conn: Connection,
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
            if !conn.features.smtp_utf8 {
                return Err(self.fail(
                    Stage::Envelope,
                    true,
                    "an address has non-ASCII characters and the relay does not support SMTPUTF8"
                        .into(),
                ));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !email.is_ascii() && conn.features.eight_bit_mime {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let mail = Mail::new(envelope.from().cloned(), options);
        self.command(&mut conn, Stage::Envelope, "MAIL FROM", mail, &[250])
            .await?;
        for to in envelope.to() {
            let rcpt = Rcpt::new(to.clone(), vec![]);
            self.command(&mut conn, Stage::Envelope, "RCPT TO", rcpt, &[250, 251])
                .await?;
        }
        self.command(&mut conn, Stage::Envelope, "DATA", Data, &[354])
            .await?;
        let reply = self
            .exchange(
                &mut conn,
                Stage::Message,
                "the end of the message",
                &dot_stuffed(email),
                &[250],
            )
            .await?;
        self.idle
            .lock()
            .expect("not poisoned")
            .push((conn, Instant::now()));
        Ok(reply.text())
    }

    async fn connect(&self) -> Result<Connection, (Stage, SendError)> {
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
        let stream = match &self.security {
            Security::Wrapper(cfg) => Stream::Tls(Box::new(self.handshake(cfg, tcp, true).await?)),
            _ => Stream::Plain(tcp),
        };
        let mut conn = Connection {
            stream,
            pending: Vec::new(),
            features: Features::default(),
        };
        let deadline = tokio::time::Instant::now() + self.reply_timeout;
        let greeting = conn
            .reply(deadline)
            .await
            .map_err(|f| self.fault(Stage::Greeting, "the greeting", f))?;
        self.expect(Stage::Greeting, "the greeting", greeting, &[220])?;
        self.ehlo(&mut conn).await?;
        if let Security::Starttls(cfg) = &self.security {
            if !conn.features.starttls {
                return Err(self.fail(
                    Stage::Tls,
                    true,
                    "TLS failed, nothing was sent (no credentials, no message): the server does not offer STARTTLS, which tls = \"starttls\" requires".into(),
                ));
            }
            // The reply reader leaves nothing behind the 220: bytes after it
            // are refused there (Fault::Unsolicited), so nothing read in
            // plain text is ever taken as part of the TLS session.
            self.command(&mut conn, Stage::Tls, "STARTTLS", Starttls, &[220])
                .await?;
            let Stream::Plain(tcp) = std::mem::replace(&mut conn.stream, Stream::Gone) else {
                unreachable!("STARTTLS is only sent on a plain connection")
            };
            conn.stream = Stream::Tls(Box::new(self.handshake(cfg, tcp, false).await?));
            conn.features = Features::default();
            self.ehlo(&mut conn).await?;
        }
        if let Some(creds) = &self.credentials {
            self.auth(&mut conn, creds).await?;
        }
        Ok(conn)
    }

    async fn handshake(
        &self,
        cfg: &Arc<rustls::ClientConfig>,
        tcp: TcpStream,
        wrapper: bool,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, (Stage, SendError)> {
        let name = rustls_pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| self.fail(Stage::Tls, true, format!("bad host name: {e}")))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::clone(cfg));
        match tokio::time::timeout(self.reply_timeout, tls.connect(name, tcp)).await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(self.tls_failure(&e, wrapper)),
            Err(_) => Err(self.fail(
                Stage::Tls,
                false,
                format!("no TLS handshake within {}s", self.reply_timeout.as_secs()),
            )),
        }
    }

    async fn ehlo(&self, conn: &mut Connection) -> Result<(), (Stage, SendError)> {
        let stage = if matches!(conn.stream, Stream::Tls(_))
            && matches!(self.security, Security::Starttls(_))
        {
            Stage::Tls
        } else {
            Stage::Greeting
        };
        let reply = self
            .command(conn, stage, "EHLO", Ehlo::new(self.hello.clone()), &[250])
            .await?;
        conn.features = Features::from_ehlo(&reply);
        Ok(())
    }

    /// AUTH PLAIN, or LOGIN when only that is offered. The commands carry
    /// the password: they are never logged.
    async fn auth(
        &self,
        conn: &mut Connection,
        creds: &Credentials,
    ) -> Result<(), (Stage, SendError)> {
        let mechanism = if conn.features.plain {
            Mechanism::Plain
        } else if conn.features.login {
            Mechanism::Login
        } else {
            return Err(self.fail(
                Stage::Auth,
                true,
                "the relay offers no login docket can use (AUTH PLAIN or LOGIN)".into(),
            ));
        };
        let bad = |e: lettre::transport::smtp::Error| self.fail(Stage::Auth, true, chain(&e));
        let mut cmd = Auth::new(mechanism, creds.clone(), None).map_err(bad)?;
        for _ in 0..=MAX_CHALLENGES {
            let reply = self
                .command(conn, Stage::Auth, "AUTH", cmd, &[235, 334])
                .await?;
            if reply.code == 235 {
                return Ok(());
            }
            let challenge: Response = format!("334 {}\r\n", reply.lines.join(" "))
                .parse()
                .map_err(bad)?;
            cmd = Auth::new_from_response(mechanism, creds.clone(), &challenge).map_err(bad)?;
        }
        Err(self.fail(
            Stage::Auth,
            true,
            format!("the relay asked more than {MAX_CHALLENGES} questions at login"),
        ))
    }

    async fn command(
        &self,
        conn: &mut Connection,
        stage: Stage,
        what: &str,
        cmd: impl Display,
        ok: &[u16],
    ) -> Result<Reply, (Stage, SendError)> {
        self.exchange(conn, stage, what, cmd.to_string().as_bytes(), ok)
            .await
    }

    /// Write `bytes`, read the one reply that answers them, and accept it
    /// only with one of the codes in `ok`.
    async fn exchange(
        &self,
        conn: &mut Connection,
        stage: Stage,
        what: &str,
        bytes: &[u8],
        ok: &[u16],
    ) -> Result<Reply, (Stage, SendError)> {
        conn.quiet().await.map_err(|f| self.fault(stage, what, f))?;
        let deadline = tokio::time::Instant::now() + self.reply_timeout;
        conn.write(bytes, deadline)
            .await
            .map_err(|f| self.fault(stage, what, f))?;
        let deadline = tokio::time::Instant::now() + self.reply_timeout;
        let reply = conn
            .reply(deadline)
            .await
            .map_err(|f| self.fault(stage, what, f))?;
        self.expect(stage, what, reply, ok)
    }

    /// A reply with a code that does not answer `what` is a failure: a 4xx
    /// or 5xx as the server meant it, anything else a protocol violation.
    fn expect(
        &self,
        stage: Stage,
        what: &str,
        reply: Reply,
        ok: &[u16],
    ) -> Result<Reply, (Stage, SendError)> {
        if ok.contains(&reply.code) {
            return Ok(reply);
        }
        let text = reply.text();
        if (400..600).contains(&reply.code) {
            let permanent = reply.code >= 500;
            let hint = match stage {
                Stage::Auth => {
                    " (the relay refused the login: check username and the password file)"
                }
                Stage::Tls => " (TLS failed, nothing was sent: no credentials, no message)",
                _ => "",
            };
            return Err(self.fail(stage, permanent, format!("{what}: {text}{hint}")));
        }
        let f = Fault::Malformed("a code that does not answer the command");
        Err(self.fault(stage, what, f)).map_err(|(s, e)| {
            let more = format!("{e} (the server answered {text})");
            (s, SendError::new(e.is_permanent(), more))
        })
    }

    /// A failure to read or write, said for the stage it happened in.
    fn fault(&self, stage: Stage, what: &str, fault: Fault) -> (Stage, SendError) {
        if let Fault::Timeout = fault {
            return self.fail(
                stage,
                false,
                format!(
                    "no reply to {what} within {}s{}",
                    self.reply_timeout.as_secs(),
                    if stage == Stage::Message {
                        "; the server may or may not have received the message, which stays queued and is sent again under the same Message-ID"
                    } else {
                        ""
                    }
                ),
            );
        }
        let protocol = !matches!(fault, Fault::Closed | Fault::Io(_));
        match stage {
            Stage::Tls => self.fail(
                stage,
                true,
                if matches!(fault, Fault::Unsolicited) && what == "STARTTLS" {
                    "TLS failed, nothing was sent (no credentials, no message): the server sent bytes after its answer to STARTTLS, before TLS began (injected by someone on the path, or a broken relay); the connection was dropped".to_string()
                } else {
                    format!("TLS failed, nothing was sent (no credentials, no message): {what}: {fault}")
                },
            ),
            Stage::Message => self.fail(
                stage,
                false,
                format!("{what}: {fault}; the connection was dropped; the server may or may not have received the message, which stays queued and is sent again under the same Message-ID"),
            ),
            _ if protocol => self.fail(
                stage,
                false,
                format!("{what}: {fault}; the connection was dropped before the message was sent"),
            ),
            _ => self.fail(
                stage,
                false,
                format!("the connection broke before the message was sent: {what}: {fault}"),
            ),
        }
    }

    fn fail(&self, stage: Stage, permanent: bool, message: String) -> (Stage, SendError) {
        (
            stage,
            SendError::new(permanent, format!("{}:{}: {message}", self.host, self.port)),
        )
    }

    fn tls_failure(&self, e: &std::io::Error, wrapper: bool) -> (Stage, SendError) {
        let text = chain(e);
        if wrapper && (text.contains("InvalidContentType") || text.contains("corrupt message")) {
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

/// The rustls client config for TLS (implicit or STARTTLS): the system's
/// trust roots plus the optional `ca_file`, TLS 1.2 or newer, the host name
/// verified.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_stuffing_doubles_leading_dots_and_ends_with_the_final_dot() {
        assert_eq!(
            dot_stuffed(b".a\r\nb\r\n..c\r\n"),
            b"..a\r\nb\r\n...c\r\n\r\n.\r\n"
        );
        assert_eq!(dot_stuffed(b"x.\r\n.\r\n"), b"x.\r\n..\r\n\r\n.\r\n");
    }

    #[test]
    fn ehlo_features_are_read_case_blind_and_whitespace_lines_do_not_panic() {
        let r = Reply {
            code: 250,
            lines: vec![
                "relay.example".into(),
                "   ".into(),
                "starttls".into(),
                "AUTH login Plain".into(),
                "8BITMIME".into(),
            ],
        };
        let f = Features::from_ehlo(&r);
        assert!(f.starttls && f.plain && f.login && f.eight_bit_mime && !f.smtp_utf8);
    }

    #[test]
    fn control_characters_in_a_reply_are_escaped() {
        assert_eq!(escape("ok\u{1b}[2J\u{7}"), "ok\\u{1b}[2J\\u{7}");
    }
}
