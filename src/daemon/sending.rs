//! How digests leave: the transport and the templates they are rendered
//! with. Rebuilt when `[mail]` changes or on SIGHUP (a rotated password
//! file, an edited template), never halfway: a transport that cannot be
//! built is kept as its reason, and the pass fails its digests with it.

use crate::clock::Clock;
use crate::config::model::Mail;
use crate::mail::digest::Templates;
use crate::mail::Mailer;
use tracing::error;

pub(super) struct Sending {
    /// None when `[mail]` cannot be used (a missing password file, say):
    /// digests stay queued, with `mailer_error` as the reason.
    pub(super) mailer: Option<Mailer>,
    pub(super) mailer_error: Option<String>,
    /// The digest templates (built in, or `[mail] templates_dir`).
    pub(super) templates: Templates,
}

impl Sending {
    pub(super) fn new(mail: &Mail, templates: Templates, clock: Clock) -> Sending {
        let mut s = Sending {
            mailer: None,
            mailer_error: None,
            templates,
        };
        s.rebuild(mail, clock);
        s
    }

    /// The transport as `[mail]` now says; the reason kept when it cannot
    /// be built.
    pub(super) fn rebuild(&mut self, mail: &Mail, clock: Clock) {
        match Mailer::new(mail, clock) {
            Ok(m) => {
                self.mailer = Some(m);
                self.mailer_error = None;
            }
            Err(e) => {
                let e = crate::mail::error_chain(&e);
                error!(error = %e, "mail transport is not usable; reminders stay queued until it is fixed");
                self.mailer = None;
                self.mailer_error = Some(e);
            }
        }
    }
}
