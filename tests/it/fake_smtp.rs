//! A small SMTP server on loopback that misbehaves on demand, for the
//! faults Postfix cannot produce at will: a relay that answers slowly, one
//! that drops the connection after the message, one that never answers.
//! It speaks just enough ESMTP for lettre (EHLO, optional STARTTLS with the
//! test CA's certificate, AUTH, MAIL, RCPT, DATA, NOOP, RSET, QUIT) and
//! records every message it accepted.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Wait this long before every reply (a slow but alive relay).
    pub reply_delay: Duration,
    /// Offer STARTTLS with the certificate of `scripts/test-mail-server.sh`.
    pub starttls: bool,
    /// After the message's final dot: close the connection, no reply.
    pub drop_after_data: bool,
    /// After the message's final dot: keep the connection, never reply.
    pub hang_after_data: bool,
    /// Sent in the same write as the `220` to STARTTLS, in plain text: the
    /// STARTTLS response injection of CVE-2011-0411.
    pub inject_after_starttls: String,
    /// Lines of padding in every EHLO reply (`250-X-PAD-N …`).
    pub ehlo_padding: usize,
    /// Each EHLO line is written on its own, after this long (a reply that
    /// trickles in).
    pub ehlo_line_delay: Duration,
    /// The reply to AUTH (default `235`).
    pub auth_reply: Option<String>,
    /// The reply to the message's final dot (default `250`); the message is
    /// recorded as accepted only on a 250.
    pub data_end_reply: Option<String>,
    /// MAIL FROM is answered twice, as if a command not sent were answered
    /// ahead.
    pub double_reply_to_mail: bool,
}

pub struct FakeSmtp {
    pub port: u16,
    accepted: Arc<Mutex<Vec<String>>>,
    /// Messages whose final dot arrived (accepted or not).
    pub data_done: Arc<AtomicUsize>,
    /// Connections opened so far.
    pub connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl FakeSmtp {
    pub fn start(b: Behaviour) -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let data_done = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let tls = b.starttls.then(server_tls);
        {
            let (accepted, data_done, connections, stop) = (
                Arc::clone(&accepted),
                Arc::clone(&data_done),
                Arc::clone(&connections),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (b, tls) = (b.clone(), tls.clone());
                    let (accepted, data_done) = (Arc::clone(&accepted), Arc::clone(&data_done));
                    std::thread::spawn(move || {
                        let _ = serve(conn, &b, tls, &accepted, &data_done);
                    });
                }
            });
        }
        FakeSmtp {
            port,
            accepted,
            data_done,
            connections,
            stop,
        }
    }

    /// The raw text of every message accepted with a 250.
    pub fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }
}

impl Drop for FakeSmtp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn server_tls() -> Arc<rustls::ServerConfig> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let env = crate::util::test_mail_env();
    let dir = std::path::PathBuf::from(&env.get("DOCKET_TEST_MAIL_DIR"));
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(cfg)
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Read one CRLF-terminated line, byte by byte (no buffering across a
/// STARTTLS switch).
fn read_line(s: &mut Stream) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    loop {
        if s.read(&mut b)? == 0 {
            return Ok(None);
        }
        line.push(b[0]);
        if line.ends_with(b"\r\n") {
            line.truncate(line.len() - 2);
            return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
        }
    }
}

fn serve(
    conn: TcpStream,
    b: &Behaviour,
    tls: Option<Arc<rustls::ServerConfig>>,
    accepted: &Mutex<Vec<String>>,
    data_done: &AtomicUsize,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut s = Stream::Plain(conn);
    let reply = |s: &mut Stream, text: &str| -> std::io::Result<()> {
        std::thread::sleep(b.reply_delay);
        s.write_all(text.as_bytes())?;
        s.flush()
    };
    reply(&mut s, "220 fake.example ESMTP\r\n")?;
    let mut secured = false;
    while let Some(line) = read_line(&mut s)? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" => {
                let mut text = String::from("250-fake.example\r\n");
                if tls.is_some() && !secured {
                    text.push_str("250-STARTTLS\r\n");
                }
                for i in 0..b.ehlo_padding {
                    text.push_str(&format!("250-X-PAD-{i} padding padding padding\r\n"));
                }
                text.push_str("250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
                if b.ehlo_line_delay.is_zero() {
                    reply(&mut s, &text)?;
                } else {
                    for line in text.split_inclusive("\r\n") {
                        std::thread::sleep(b.ehlo_line_delay);
                        s.write_all(line.as_bytes())?;
                        s.flush()?;
                    }
                }
            }
            "STARTTLS" if tls.is_some() && !secured => {
                reply(
                    &mut s,
                    &format!("220 go ahead\r\n{}", b.inject_after_starttls),
                )?;
                let Stream::Plain(tcp) = s else {
                    unreachable!()
                };
                let conn = rustls::ServerConnection::new(Arc::clone(tls.as_ref().unwrap()))
                    .map_err(std::io::Error::other)?;
                s = Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp)));
                secured = true;
            }
            "AUTH" => reply(
                &mut s,
                b.auth_reply.as_deref().unwrap_or("235 2.7.0 accepted\r\n"),
            )?,
            "MAIL" if b.double_reply_to_mail => reply(&mut s, "250 ok\r\n250 ok\r\n")?,
            "MAIL" | "RCPT" | "RSET" | "NOOP" => reply(&mut s, "250 ok\r\n")?,
            "DATA" => {
                reply(&mut s, "354 end with .\r\n")?;
                let mut msg = String::new();
                loop {
                    let Some(l) = read_line(&mut s)? else {
                        return Ok(());
                    };
                    if l == "." {
                        break;
                    }
                    msg.push_str(&l);
                    msg.push_str("\r\n");
                }
                data_done.fetch_add(1, Ordering::SeqCst);
                if b.drop_after_data {
                    return Ok(()); // closes the connection, no reply
                }
                if b.hang_after_data {
                    std::thread::sleep(Duration::from_secs(600));
                    return Ok(());
                }
                let answer = b
                    .data_end_reply
                    .as_deref()
                    .unwrap_or("250 2.0.0 queued\r\n");
                if answer.starts_with("250") {
                    accepted.lock().unwrap().push(msg);
                }
                reply(&mut s, answer)?;
            }
            "QUIT" => {
                reply(&mut s, "221 bye\r\n")?;
                return Ok(());
            }
            _ => reply(&mut s, "502 not implemented\r\n")?,
        }
    }
    Ok(())
}
