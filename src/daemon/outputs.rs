//! The part of the daemon that owns what it writes and pings besides
//! mail: the calendar feeds' writer, the heartbeat, the admin's own
//! transport, the metrics last written and the counts behind them.
//! What a pass does with them is `after_pass.rs`.

use crate::clock::Clock;
use crate::config::model::Service;
use crate::heartbeat::Heartbeat;
use crate::mail::Mailer;
use tracing::{error, info};

/// What the service writes and pings besides mail, and what it counts
/// for them.
pub(super) struct Outputs {
    /// `[service.admin_mail]`: the admin's own way out when the relay is
    /// down. None: alerts go with the digests.
    pub(super) admin_mailer: Option<Mailer>,
    pub(super) heartbeat: Option<Heartbeat>,
    /// Writes the calendar feeds after each pass, on its own task.
    pub(super) feeds: Option<super::feeds::FeedWriter>,
    /// Since start, for the metrics file.
    pub(super) counters: super::outcome::Counters,
    /// How edits are noticed (inotify, or polling and why).
    pub(super) watch: crate::status::Watch,
    /// The metrics last written, to write again when only the watch mode
    /// changed.
    pub(super) last_metrics: Option<crate::metrics::Metrics>,
}

impl Outputs {
    /// The feed writer started; the rest set up by [`Outputs::setup`].
    pub(super) fn start() -> Outputs {
        Outputs {
            admin_mailer: None,
            heartbeat: None,
            feeds: Some(super::feeds::FeedWriter::spawn()),
            counters: Default::default(),
            watch: crate::status::Watch::inotify(),
            last_metrics: None,
        }
    }

    /// After a start or a reload: the admin's transport and the heartbeat
    /// as `[service]` now says (a heartbeat whose URL is the same keeps
    /// running).
    pub(super) fn setup(&mut self, service: &Service, clock: Clock) {
        self.admin_mailer = service.admin_mail.as_deref().and_then(|m| {
            match Mailer::new(m, clock.in_zone(service.timezone)) {
                Ok(m) => Some(m),
                Err(e) => {
                    error!(error = %crate::mail::error_chain(&e), "[service.admin_mail] is not usable; alerts go with the digests");
                    None
                }
            }
        });
        let url = service.heartbeat_url.clone();
        if self.heartbeat.as_ref().map(|h| &h.url) != url.as_ref() {
            self.heartbeat = url.map(|u| {
                info!(
                    host = u.host_str().unwrap_or("?"),
                    "heartbeat after every pass"
                );
                Heartbeat::spawn(u)
            });
        }
    }
}
