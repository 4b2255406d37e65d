//! Sending a pass's digests: rendered one by one, sent over up to
//! `[mail] connections` connections at once. Each digest's `sent` mark is
//! written as soon as its send returns, before that connection takes the
//! next digest, so a kill leaves at most one digest per open connection
//! delivered but unmarked (sent once more, under its Message-ID), and
//! nothing undelivered marked.

use super::compose::{entries_for, ItemIndex, Outgoing};
use super::error::DaemonError;
use super::outcome::{backoff, PassOutcome, Retry, STOP_GRACE_MAX};
use super::shutdown::Shutdown;
use super::state::Daemon;
use crate::config::model::Config;
use crate::engine::Item;
use crate::mail::digest::{self, Digest};
use crate::mail::{Mailer, SendError};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::BTreeSet;
use tracing::{error, info, warn};

/// What the sends of one pass work on.
pub(super) struct Batch<'a> {
    pub cfg: &'a Config,
    pub items: &'a [Item<'a>],
    pub index: &'a ItemIndex<'a>,
    pub outgoing: &'a [Outgoing],
    pub notes: &'a [Vec<String>],
    pub retry: Retry,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
}

/// A rendered digest on its way.
struct InFlight<'a> {
    o: &'a Outgoing,
    digest: Digest,
    cases: usize,
}

impl Daemon {
    /// Send every digest of `b`; returns whether some stay queued because
    /// of a stop.
    pub(super) async fn send_all(
        &mut self,
        b: Batch<'_>,
        outcome: &mut PassOutcome,
        pass_cases: &mut BTreeSet<String>,
    ) -> Result<bool, DaemonError> {
        // The sends borrow the transport; the marks need the rest of self.
        let mailer = self.sending.mailer.take();
        let mut permanent = Vec::new();
        let r = self
            .send_with(&b, mailer.as_ref(), outcome, pass_cases, &mut permanent)
            .await;
        self.sending.mailer = mailer;
        for (mid, recipient, message) in permanent {
            let alert = super::alert_texts::Alert::undeliverable(&mid, &recipient, &message);
            self.alert(alert).await;
        }
        r
    }

    async fn send_with<'a>(
        &mut self,
        b: &Batch<'a>,
        mailer: Option<&Mailer>,
        outcome: &mut PassOutcome,
        pass_cases: &mut BTreeSet<String>,
        permanent: &mut Vec<(String, String, String)>,
    ) -> Result<bool, DaemonError> {
        let window = usize::from(b.cfg.mail.connections.max(1));
        // Without a usable transport every digest fails for good, with the
        // reason the transport could not be built.
        let no_transport = self
            .sending
            .mailer_error
            .clone()
            .unwrap_or_else(|| "no transport".into());
        let mut todo = b.outgoing.iter();
        let mut flying = FuturesUnordered::new();
        let mut queued_left = false;
        let mut stop_issuing = false;
        loop {
            // Fill the window with rendered digests.
            while !stop_issuing && flying.len() < window {
                if self.shutdown.is_stopping() {
                    info!("stopping: the remaining digests stay queued for the next start");
                    stop_issuing = true;
                    break;
                }
                let Some(o) = todo.next() else { break };
                let Some(f) = self.render(b, o, outcome, pass_cases)? else {
                    continue;
                };
                let stop = self.shutdown.clone();
                let no_transport = &no_transport;
                flying.push(async move {
                    let r = match mailer {
                        Some(m) => {
                            send_until_stopped(m, stop, &f.digest.message, &f.digest.recipient)
                                .await
                        }
                        None => Err(SendError::Permanent(no_transport.clone())),
                    };
                    (f, r)
                });
            }
            let Some((f, result)) = flying.next().await else {
                break;
            };
            self.progress.step();
            let (o, recipient, cases) = (f.o, f.digest.recipient.clone(), f.cases);
            match result {
                Ok(answer) => {
                    let at = self.now();
                    let n = match self.records.ledger.mark_sent(&o.message_id, at) {
                        Ok(n) => n,
                        Err(e) => {
                            // Delivered, but the ledger cannot say so: do
                            // not send it again from this process.
                            self.records
                                .sent_unrecorded
                                .insert(o.message_id.clone(), at);
                            outcome.digests_sent += 1;
                            // Let the others land (and be remembered) first.
                            while let Some((f, r)) = flying.next().await {
                                if r.is_ok() {
                                    self.records
                                        .sent_unrecorded
                                        .insert(f.o.message_id.clone(), at);
                                    outcome.digests_sent += 1;
                                }
                            }
                            return Err(e.into());
                        }
                    };
                    outcome.digests_sent += 1;
                    outcome.reminders_sent += n;
                    for r in &o.rows {
                        *self
                            .outputs
                            .counters
                            .by_step
                            .entry(r.key.step.label())
                            .or_default() += 1;
                    }
                    info!(%recipient, message_id = %o.message_id, reminders = n, cases, retry = o.retry, %answer, "digest sent");
                }
                Err(e @ SendError::Abandoned { .. }) => {
                    warn!(%recipient, message_id = %o.message_id, error = %e, "send abandoned on stop; kept queued");
                    queued_left = true;
                    stop_issuing = true;
                }
                Err(e) => {
                    let message = e.to_string();
                    self.records
                        .ledger
                        .mark_failed(&o.message_id, &message, backoff(b.now, o))?;
                    outcome.digests_failed += 1;
                    warn!(%recipient, message_id = %o.message_id, permanent = e.is_permanent(), error = %message, "send failed; kept queued");
                    if e.is_permanent() {
                        permanent.push((o.message_id.clone(), recipient, message));
                    }
                }
            }
        }
        if stop_issuing && todo.next().is_some() {
            queued_left = true;
        }
        Ok(queued_left)
    }

    /// Render one outgoing digest (cancelling rows whose item is gone);
    /// None when there is nothing to send or it cannot be rendered.
    fn render<'a>(
        &mut self,
        b: &Batch<'_>,
        o: &'a Outgoing,
        outcome: &mut PassOutcome,
        pass_cases: &mut BTreeSet<String>,
    ) -> Result<Option<InFlight<'a>>, DaemonError> {
        if o.retry
            && b.retry == Retry::DueOnly
            && o.rows
                .iter()
                .any(|r| r.next_attempt.is_some_and(|n| n > b.now))
        {
            return Ok(None);
        }
        let (mut entries, gone) = entries_for(b.items, b.index, o, b.today);
        for k in &gone {
            self.records.ledger.cancel(k)?;
            outcome.reminders_cancelled += 1;
        }
        if entries.is_empty() {
            return Ok(None);
        }
        let recipient = b.cfg.caseworkers[o.recipient].id.clone();
        let digest = match digest::render(
            b.cfg,
            &self.sending.templates,
            o.recipient,
            b.today,
            &mut entries,
            &o.message_id,
            b.notes.get(o.recipient).map_or(&[][..], Vec::as_slice),
        ) {
            Ok(d) => d,
            Err(e) => {
                error!(%recipient, message_id = %o.message_id, error = %e, "cannot render digest; kept queued");
                self.records.ledger.mark_failed(
                    &o.message_id,
                    &e.to_string(),
                    backoff(b.now, o),
                )?;
                outcome.digests_failed += 1;
                return Ok(None);
            }
        };
        let mut refs: Vec<&str> = entries.iter().map(|e| e.item.reference).collect();
        pass_cases.extend(refs.iter().map(|r| r.to_string()));
        refs.sort_unstable();
        refs.dedup();
        Ok(Some(InFlight {
            o,
            digest,
            cases: refs.len(),
        }))
    }
}

/// Send, unless a stop comes and the send is still not done after the
/// grace: then give up on it (it stays queued; a resend carries the same
/// Message-ID).
async fn send_until_stopped(
    mailer: &Mailer,
    mut stop: Shutdown,
    msg: &crate::mail::message::MimeMessage,
    recipient: &str,
) -> Result<String, SendError> {
    let grace = mailer.reply_timeout().min(STOP_GRACE_MAX);
    tokio::select! {
        r = mailer.send(msg, recipient) => r,
        _ = async { stop.stopped().await; tokio::time::sleep(grace).await } => {
            Err(SendError::Abandoned { after: grace })
        }
    }
}
