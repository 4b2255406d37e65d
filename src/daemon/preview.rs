//! `docket preview`: the digests a pass on a day would send, rendered but
//! not sent. Reads the ledger if there is one; writes nothing.

use super::compose::{compose, entries_for, ItemIndex};
use super::error::DaemonError;
use crate::config::model::Config;
use crate::engine;
use crate::ledger::Ledger;
use crate::mail::digest::{self, Templates};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashSet;

/// The digests a pass on `today` at `now` (the command's clock) would
/// send, only `only`'s when given.
pub fn preview(
    cfg: &Config,
    today: NaiveDate,
    now: DateTime<Utc>,
    only: Option<&str>,
) -> Result<Vec<digest::Digest>, DaemonError> {
    let ledger = Ledger::open_read_only(&cfg.service.state_dir)?;
    let (known, pending) = match &ledger {
        Some(l) => (l.all_digests()?, l.pending()?),
        None => (Default::default(), Vec::new()),
    };
    let items = engine::items(cfg);
    let index = ItemIndex::new(&items);
    let templates =
        Templates::new(cfg.mail.templates_dir.as_deref()).map_err(DaemonError::Templates)?;
    let mut out = Vec::new();
    let due = engine::due(cfg, &items, today);
    let asked = super::compose::told_after_their_day(cfg, &items, &due, today);
    let seen_items = match &ledger {
        Some(l) => l.feed_events_known(&asked).unwrap_or_default(),
        None => HashSet::new(),
    };
    let composed = compose(
        cfg,
        &items,
        &due,
        today,
        super::compose::Seen {
            known: &known,
            pending: &pending,
            skip: &HashSet::new(),
            seen_items: &seen_items,
        },
        now,
    );
    for o in composed.outgoing {
        if only.is_some_and(|id| cfg.caseworkers[o.recipient].id != id) {
            continue;
        }
        let (mut entries, _) = entries_for(&items, &index, &o, today);
        if entries.is_empty() {
            continue;
        }
        let d = digest::render(
            cfg,
            &templates,
            o.recipient,
            today,
            &mut entries,
            &o.message_id,
            &[],
        )
        .map_err(DaemonError::Templates)?;
        out.push(d);
    }
    Ok(out)
}
