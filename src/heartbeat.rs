//! The heartbeat: after each pass docket pings `[service] heartbeat_url`,
//! so an outside watcher (healthchecks, Uptime Kuma) notices when the pings
//! stop (a dead docket, a dead host) or say "fail" (a failed pass, a relay
//! down so long that digests wait past `alert_after_hours`). An empty inbox
//! then means "nothing is due", never "docket is down".
//!
//! Conventions: healthchecks-style URLs get `/start` when a pass begins,
//! the plain URL on success and `/fail` on failure; an Uptime Kuma push URL
//! (`…/api/push/<token>`) gets `?status=up` or `?status=down&msg=…` (Kuma
//! has no "start").
//!
//! Pings never hold up a pass: they go to a task of their own, one at a
//! time, each bounded by [`TIMEOUT`]; when pings pile up (the watcher
//! hangs), the oldest waiting ones are dropped, since only the latest state
//! matters. The URL holds a token: logs name its host only.
//!
//! A plain HTTP/1.1 GET over tokio (TLS by the rustls docket already uses
//! for SMTP): only the status line is read, which a full HTTP client crate
//! would not make more correct.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Notify;
use tracing::{debug, info, warn};
use url::Url;

/// The longest one ping may take: connect, TLS, request, status line.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Pings waiting to be sent; more are dropped.
const QUEUE: usize = 4;

/// What a ping says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A pass begins.
    Start,
    /// A pass ended well, nothing queued too long.
    Success,
    /// A pass failed, or a digest has waited past `alert_after_hours`.
    Fail,
}

/// The URL to GET for `signal`, or None when the convention has no such
/// ping (Uptime Kuma has no start).
pub fn url_for(base: &Url, signal: Signal, why: &str) -> Option<Url> {
    let mut u = base.clone();
    if base.path().contains("/api/push/") {
        let (status, msg) = match signal {
            Signal::Start => return None,
            Signal::Success => ("up", "OK"),
            Signal::Fail => ("down", why),
        };
        u.query_pairs_mut()
            .clear()
            .append_pair("status", status)
            .append_pair("msg", msg);
        return Some(u);
    }
    let suffix = match signal {
        Signal::Start => "start",
        Signal::Success => return Some(u),
        Signal::Fail => "fail",
    };
    match u.path_segments_mut() {
        Ok(mut segs) => {
            segs.pop_if_empty().push(suffix);
        }
        Err(()) => return None,
    }
    Some(u)
}

/// A running heartbeat: pings go to its task.
/// Pings waiting for the task; when full, the oldest goes.
#[derive(Debug, Default)]
struct Queue {
    pings: Mutex<(VecDeque<(Signal, String)>, bool)>,
    wake: Notify,
}

#[derive(Debug)]
pub struct Heartbeat {
    queue: Arc<Queue>,
    /// Taken by [`Heartbeat::finish`].
    task: Option<tokio::task::JoinHandle<()>>,
    pub url: Url,
}

/// A heartbeat replaced (its URL changed in a reload) sends what it has
/// queued and ends its task, instead of waiting for pings forever.
impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.queue.pings.lock().expect("not poisoned").1 = true;
        self.queue.wake.notify_one();
    }
}

impl Heartbeat {
    /// Start the task that sends the pings for `url`.
    pub fn spawn(url: Url) -> Heartbeat {
        let queue = Arc::new(Queue::default());
        let q = Arc::clone(&queue);
        let base = url.clone();
        let task = tokio::spawn(async move {
            let host = base.host_str().unwrap_or("?").to_string();
            let mut failing = false;
            loop {
                let next = {
                    let mut g = q.pings.lock().expect("not poisoned");
                    match g.0.pop_front() {
                        Some(p) => Some(p),
                        None if g.1 => break,
                        None => None,
                    }
                };
                let Some((signal, why)) = next else {
                    q.wake.notified().await;
                    continue;
                };
                let Some(u) = url_for(&base, signal, &why) else {
                    continue;
                };
                let started = std::time::Instant::now();
                match tokio::time::timeout(TIMEOUT, get(&u)).await {
                    Ok(Ok(status)) if (200..300).contains(&status) => {
                        if failing {
                            info!(%host, ?signal, "heartbeat reaches its watcher again");
                        }
                        failing = false;
                        debug!(%host, ?signal, status, ms = started.elapsed().as_millis() as u64, "heartbeat sent");
                    }
                    Ok(Ok(status)) => {
                        failing = true;
                        warn!(%host, ?signal, status, "heartbeat refused by its watcher");
                    }
                    Ok(Err(e)) => {
                        failing = true;
                        warn!(%host, ?signal, error = %e, "heartbeat failed");
                    }
                    Err(_) => {
                        failing = true;
                        warn!(%host, ?signal, timeout_s = TIMEOUT.as_secs(), "heartbeat timed out; the pass did not wait for it");
                    }
                }
            }
        });
        Heartbeat {
            queue,
            task: Some(task),
            url,
        }
    }

    /// Send what is queued (each ping still bounded by [`TIMEOUT`]), then
    /// stop: for `run --once`, which exits right after its pass.
    pub async fn finish(mut self) {
        let Some(task) = self.task.take() else {
            return;
        };
        drop(self);
        let bound = TIMEOUT * (QUEUE as u32 + 1);
        if tokio::time::timeout(bound, task).await.is_err() {
            warn!("heartbeat: pings still unsent at exit");
        }
    }

    /// Queue a ping; never waits. `why`: for a failure, a short reason
    /// (no case references: it leaves the machine).
    pub fn ping(&self, signal: Signal, why: &str) {
        {
            let mut g = self.queue.pings.lock().expect("not poisoned");
            if g.0.len() >= QUEUE {
                // Only the latest state matters to the watcher.
                let dropped = g.0.pop_front();
                debug!(
                    ?dropped,
                    "heartbeat queue full (the watcher is slow): oldest ping dropped"
                );
            }
            g.0.push_back((signal, why.to_string()));
        }
        self.queue.wake.notify_one();
    }
}

/// The system's roots, read once: a ping after every pass need not read
/// the certificate store again.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    static CFG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    if let Some(c) = CFG.get() {
        return Ok(Arc::clone(c));
    }
    let c = crate::mail::smtp::client_config(None)?;
    Ok(Arc::clone(CFG.get_or_init(|| c)))
}

/// GET `url`; the HTTP status.
pub async fn get(url: &Url) -> Result<u16, String> {
    let host = url.host_str().ok_or("no host")?;
    let port = url.port_or_known_default().ok_or("no port")?;
    let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let host_header = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: docket/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if url.scheme() == "https" {
        let cfg = tls_config()?;
        let name =
            rustls_pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_string())
                .map_err(|e| format!("server name: {e}"))?;
        let mut tls = tokio_rustls::TlsConnector::from(cfg)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        exchange(&mut tls, &request).await
    } else {
        let mut tcp = tcp;
        exchange(&mut tcp, &request).await
    }
}

async fn exchange<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    s: &mut S,
    request: &str,
) -> Result<u16, String> {
    s.write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send: {e}"))?;
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    while !buf.windows(2).any(|w| w == b"\r\n") {
        let n = s.read(&mut chunk).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 || buf.len() > 4096 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let line = String::from_utf8_lossy(&buf);
    let line = line.lines().next().unwrap_or("");
    let mut parts = line.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => Ok(code),
        _ => Err("no HTTP status line in the answer".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthchecks_and_uptime_kuma_urls() {
        let hc = Url::parse("https://hc.ngo.example/ping/5f1c").unwrap();
        assert_eq!(
            url_for(&hc, Signal::Success, "").unwrap().as_str(),
            "https://hc.ngo.example/ping/5f1c"
        );
        assert_eq!(
            url_for(&hc, Signal::Start, "").unwrap().as_str(),
            "https://hc.ngo.example/ping/5f1c/start"
        );
        assert_eq!(
            url_for(&hc, Signal::Fail, "x").unwrap().as_str(),
            "https://hc.ngo.example/ping/5f1c/fail"
        );
        let slash = Url::parse("https://hc.ngo.example/ping/5f1c/").unwrap();
        assert_eq!(
            url_for(&slash, Signal::Fail, "").unwrap().as_str(),
            "https://hc.ngo.example/ping/5f1c/fail"
        );
        let kuma =
            Url::parse("https://kuma.ngo.example/api/push/Ab12?status=up&msg=OK&ping=").unwrap();
        assert_eq!(url_for(&kuma, Signal::Start, ""), None);
        assert_eq!(
            url_for(&kuma, Signal::Success, "").unwrap().as_str(),
            "https://kuma.ngo.example/api/push/Ab12?status=up&msg=OK"
        );
        assert_eq!(
            url_for(&kuma, Signal::Fail, "pass failed")
                .unwrap()
                .as_str(),
            "https://kuma.ngo.example/api/push/Ab12?status=down&msg=pass+failed"
        );
    }
}
