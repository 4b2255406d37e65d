//! One pass. On day D it (1) resends every digest the ledger holds as
//! unsent, with its original Message-ID, (2) asks the engine for the latest
//! due step of every item (the catch-up rule), (3) drops what the ledger
//! already has, (4) records the rest as due in one durable transaction,
//! grouped into one digest per recipient, and (5) sends each digest and
//! marks it sent.
//!
//! A pass never leaves work without a time to retry it: a failed send gets
//! its backoff in the ledger, and a pass that fails as a whole (the ledger
//! cannot be written: a full disk, a damaged file) gets a retry time in
//! memory and a mail to the admin.

use super::alert_texts::Alert;
use super::compose::{compose, horizon, ItemIndex};
use super::error::DaemonError;
use super::outcome::{backoff_secs, PassOutcome, Retry};
use super::state::Daemon;
use crate::config::model::Config;
use crate::engine;
use crate::ledger::Row;
use chrono::NaiveDate;
use std::sync::Arc;
use tracing::{debug, error, info, warn};

impl Daemon {
    /// One pass; never fails as a whole: an error is logged, alerted and
    /// retried, and reported in the outcome.
    pub async fn pass(&mut self, retry: Retry) -> PassOutcome {
        let started = std::time::Instant::now();
        self.pass_started();
        self.progress.step();
        self.send_startup_alerts().await;
        // Files left out are told again on their days without waiting
        // for an edit (a file not tracked: every day).
        self.tell_left_out(false).await;
        let mut outcome = PassOutcome::default();
        let result = self.pass_inner(retry, &mut outcome).await;
        self.progress.idle();
        match result {
            Ok(()) => self.pass_retry = None,
            Err(e) => {
                let failures = self.pass_retry.map_or(0, |(_, n)| n) + 1;
                let wait = backoff_secs(failures - 1);
                let at = self.now() + chrono::Duration::seconds(wait);
                self.pass_retry = Some((at, failures));
                error!(error = %e, retry_at = %at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "pass failed; every queued digest is retried then");
                if e.is_corrupt() {
                    self.recover_ledger(&e).await;
                } else {
                    let dir = &self.in_effect.cfg().service.state_dir;
                    let alert = Alert::pass_failed(e.kind(), &e, self.today(), at, dir);
                    self.alert(alert).await;
                }
                outcome.error = Some(e.to_string());
            }
        }
        self.last_pass = Some(crate::status::Pass {
            at: self.now(),
            digests_sent: outcome.digests_sent,
            digests_failed: outcome.digests_failed,
            reminders_sent: outcome.reminders_sent,
            error: outcome.error.clone(),
        });
        self.after_pass(&outcome, started.elapsed());
        outcome
    }

    async fn pass_inner(
        &mut self,
        retry: Retry,
        outcome: &mut PassOutcome,
    ) -> Result<(), DaemonError> {
        let today = self.today();
        let now = self.now();
        let started = std::time::Instant::now();
        let cfg = Arc::clone(self.in_effect.cfg());
        // Every case this pass reminds about, once, for its log line.
        let mut pass_cases = std::collections::BTreeSet::new();
        if !self.records.ledger.is_persistent() {
            self.try_persist_ledger().await;
        }
        self.records.mark_unrecorded()?;
        let (items, due) = items_and_due(&cfg, today, &self.records.known)?;
        let t_items = started.elapsed();
        let pending = self.records.ledger.pending()?;
        let skip = self.records.sent_unrecorded.keys().cloned().collect();
        let asked = super::compose::told_after_their_day(&cfg, &items, &due, today);
        // Only a word depends on it (NEW or LATE): a ledger that cannot
        // answer does not stop the pass; everything asked is told as new.
        let seen_items = self
            .records
            .ledger
            .feed_events_known(&asked)
            .unwrap_or_else(|e| {
                warn!(error = %e, "cannot tell new items from late ones; told as new");
                Default::default()
            });
        let t_seen = started.elapsed();
        let seen = super::compose::Seen {
            known: &self.records.known,
            pending: &pending,
            skip: &skip,
            seen_items: &seen_items,
        };
        let composed = compose(&cfg, &items, &due, today, seen, now);
        let t_compose = started.elapsed();
        self.cancel_orphans(&composed.orphans, outcome).await?;
        let outgoing = composed.outgoing;
        // Write ahead: every new row is durable before anything is sent.
        let fresh: Vec<Row> = outgoing
            .iter()
            .filter(|o| !o.retry)
            .flat_map(|o| o.rows.iter().cloned())
            .collect();
        self.progress.step();
        self.records.ledger.record_due(&fresh)?;
        self.records
            .known
            .extend(fresh.iter().map(|r| r.key.digest()));
        // Mapping rows back to items costs a string key per item: only
        // build it when there is something to send.
        let index = if outgoing.is_empty() {
            ItemIndex::empty()
        } else {
            ItemIndex::new(&items)
        };
        let mut notes = self.held_notes();
        for (n, more) in notes.iter_mut().zip(self.not_tracked_notes(today)) {
            n.extend(more);
        }
        let queued_left = self
            .send_all(
                super::send::Batch {
                    cfg: &cfg,
                    items: &items,
                    index: &index,
                    outgoing: &outgoing,
                    notes: &notes,
                    retry,
                    now,
                    today,
                },
                outcome,
                &mut pass_cases,
            )
            .await?;
        if let Some(m) = &self.sending.mailer {
            m.close_idle().await;
        }
        if !pending.is_empty() || outcome.digests_failed > 0 || queued_left {
            self.alert_stale(now).await?;
        }
        let t_sent = started.elapsed();
        let mut purged = 0;
        if self.records.purged_on != Some(today) {
            purged = self.records.ledger.purge(horizon(&cfg, today))?;
            self.prune_outboxes(&cfg, today);
            self.records.purged_on = Some(today);
        }
        debug!(?t_items, ?t_seen, seen_asked = asked.len(), ?t_compose, ?t_sent, total = ?started.elapsed(), "pass timings (cumulative)");
        if outcome.digests_sent + outcome.digests_failed > 0 {
            // Rendering digests is the pass's only big allocation.
            crate::sys::release_memory();
        }
        info!(
            %today,
            cases = %case_list(&pass_cases),
            digests_sent = outcome.digests_sent,
            digests_failed = outcome.digests_failed,
            reminders_sent = outcome.reminders_sent,
            purged,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "pass done"
        );
        // Idle from here until the next pass or edit; the feed writer's
        // trim, which follows, hands the freed pages back.
        self.records.ledger.release_cache();
        Ok(())
    }

    /// Queued digests whose caseworker left the config: cancelled (docket
    /// keeps no addresses), the admin told.
    async fn cancel_orphans(
        &mut self,
        orphans: &[super::compose::Orphan],
        outcome: &mut PassOutcome,
    ) -> Result<(), DaemonError> {
        for o in orphans {
            let n = self.records.ledger.cancel_digest(
                &o.message_id,
                &format!("caseworker {} is no longer in the config", o.recipient),
            )?;
            outcome.reminders_cancelled += n;
            warn!(message_id = %o.message_id, recipient = %o.recipient, reminders = n, "queued digest cancelled: its caseworker left the config");
            self.alert(Alert::orphan(o)).await;
        }
        Ok(())
    }

    /// The file transport's outbox keeps messages as long as the ledger
    /// keeps their record (see [`crate::mail::prune_outbox`]). A failure is
    /// logged, never a reason to fail the pass.
    fn prune_outboxes(&self, cfg: &Config, today: NaiveDate) {
        let cutoff = horizon(cfg, today);
        let mails = std::iter::once(&cfg.mail).chain(cfg.service.admin_mail.as_deref());
        for m in mails.filter(|m| m.transport == crate::config::model::Transport::File) {
            match crate::mail::prune_outbox(&m.dir, cutoff) {
                Ok(0) => {}
                Ok(n) => info!(files = n, before = %cutoff, "old messages removed from the outbox"),
                Err(e) => warn!(dir = %m.dir.display(), error = %e, "cannot prune the outbox"),
            }
        }
    }

    /// A damaged ledger found during a pass: set it aside, start a fresh
    /// one, tell the admin. Duplicates beat silence.
    async fn recover_ledger(&mut self, e: &DaemonError) {
        let dir = self.in_effect.cfg().service.state_dir.clone();
        match crate::ledger::Ledger::open_resilient(&dir, self.clock.wall()) {
            Ok(opened) => {
                let (ledger, note) = match opened {
                    crate::ledger::Opened::File(l) => {
                        (l, "the ledger opened cleanly again".to_string())
                    }
                    crate::ledger::Opened::Recovered {
                        ledger, set_aside, ..
                    } => (
                        ledger,
                        format!(
                            "the damaged file was kept as {} and a fresh ledger started",
                            set_aside.display()
                        ),
                    ),
                    crate::ledger::Opened::InMemory { ledger, reason } => (
                        ledger,
                        format!("the ledger is kept in memory for now ({reason})"),
                    ),
                };
                self.records.known = ledger.all_digests().unwrap_or_default();
                self.records.ledger = ledger;
                self.pass_retry = Some((self.now() + chrono::Duration::seconds(5), 1));
                self.alert(Alert::ledger_damaged(self.now(), e, &note))
                    .await;
            }
            Err(e2) => error!(error = %e2, "cannot replace the damaged ledger"),
        }
    }

    /// An in-memory ledger moves back to disk as soon as it can.
    async fn try_persist_ledger(&mut self) {
        let dir = self.in_effect.cfg().service.state_dir.clone();
        match self.records.ledger.persist_into(&dir, self.clock.wall()) {
            Ok(()) => {
                info!(state_dir = %dir.display(), "the ledger is on disk again");
                self.alert(Alert::ledger_on_disk(self.now(), &dir)).await;
            }
            Err(e) => debug!(error = %e, "the state directory still cannot be written"),
        }
    }
}

impl Daemon {
    /// Per caseworker (by index): a line for each of their files held
    /// back, to open their digests with.
    fn held_notes(&self) -> Vec<Vec<String>> {
        use crate::config::live::State;
        let mut out = vec![Vec::new(); self.in_effect.cfg().caseworkers.len()];
        let tz = self.in_effect.cfg().service.timezone;
        for f in self.in_effect.live().left_out() {
            // Not tracked: `not_tracked_notes`, which also tells the
            // supervisors and what can be read of it.
            // A directory's problem is the admin's (see `tell_about_dirs`).
            if f.state != State::Held || f.dir_problem.is_some() {
                continue;
            }
            let since = f.since.as_deref().map(|s| crate::clock::local_text(s, tz));
            let mut seen = std::collections::BTreeSet::new();
            for (_, cw) in f.cases.iter() {
                if let Some(i) = self.in_effect.cfg().caseworker(cw) {
                    if seen.insert(i) {
                        let lang = self.in_effect.cfg().caseworkers[i].language;
                        out[i].push(crate::mail::texts::held_note(
                            lang,
                            &f.rel,
                            since.as_deref(),
                        ));
                    }
                }
            }
        }
        out
    }
}

/// The items of `cfg` and the reminders due on `today` that the ledger
/// does not hold yet (see `compose::prune`): on two threads
/// for a large config (the files split in two halves by cases), which
/// halves a pass at 100,000 cases. The same as `engine::items` and
/// `engine::due` on one thread.
fn items_and_due<'c>(
    cfg: &'c Config,
    today: NaiveDate,
    known: &crate::ledger::Digests,
) -> Result<ItemsAndDue<'c>, DaemonError> {
    items_and_due_from(cfg, today, known, PARALLEL_FROM)
}

type ItemsAndDue<'c> = (Vec<engine::Item<'c>>, Vec<engine::Reminder>);

/// A panic on either thread (a bug: the engine is pure, so nothing is
/// left half-done) fails the pass with [`DaemonError::Panicked`]: it is
/// logged, the admin is told, and the next pass tries again. The daemon
/// never dies of it (issue 19: the worker's panic was raised again in the
/// daemon, which stopped).
fn items_and_due_from<'c>(
    cfg: &'c Config,
    today: NaiveDate,
    known: &crate::ledger::Digests,
    parallel_from: usize,
) -> Result<ItemsAndDue<'c>, DaemonError> {
    let build = std::panic::AssertUnwindSafe(|| items_and_due_on(cfg, today, known, parallel_from));
    std::panic::catch_unwind(build).unwrap_or(Err(DaemonError::Panicked))
}

fn items_and_due_on<'c>(
    cfg: &'c Config,
    today: NaiveDate,
    known: &crate::ledger::Digests,
    parallel_from: usize,
) -> Result<ItemsAndDue<'c>, DaemonError> {
    let total = cfg.case_count();
    let n = cfg.files.len();
    // The first file index at which half the cases are behind; all of them
    // for a small config (one thread).
    let mut split = n;
    if total >= parallel_from && n >= 2 {
        let mut seen = 0;
        for (i, f) in cfg.files.iter().enumerate() {
            seen += f.cases.len();
            if seen * 2 >= total {
                split = (i + 1).min(n - 1);
                break;
            }
        }
    }
    let counts = (
        engine::item_count(cfg, 0..split),
        engine::item_count(cfg, split..n),
    );
    let cases = counts.0 + counts.1;
    // One vector for all the items, each half written into its own part
    // of it by its own thread: no second vector for the second half, and
    // no copying it over (7 MB at 100,000 cases, into fresh pages).
    let mut items = Vec::with_capacity(cases + engine::bill_item_room(cfg));
    let (first, second) = {
        let (a, b) = items.spare_capacity_mut()[..cases].split_at_mut(counts.0);
        std::thread::scope(|s| {
            let h = (split < n)
                .then(|| s.spawn(|| Part::fill(cfg, split..n, b, counts.0, today, known)));
            let first = Part::fill(cfg, 0..split, a, 0, today, known);
            // Joined here, the worker's panic is an error, not raised again.
            let second = h.map_or(Ok((0, Vec::new())), |h| {
                h.join().map_err(|_| DaemonError::Panicked)
            });
            (first, second)
        })
    };
    let second = second?;
    if first.0 != counts.0 || second.0 != counts.1 {
        // `item_count` and `each_case_item` disagree: a bug. The items
        // written are never read (and own no memory: one recipient each).
        error!(
            counted = cases,
            made = first.0 + second.0,
            "the items of the cases were not all made"
        );
        return Err(DaemonError::Panicked);
    }
    // SAFETY: the first `cases` slots of the spare capacity were each
    // written exactly once: `Part::fill` writes its slots in order, from
    // the first, and made as many items as its part has slots (checked
    // just above), and the two parts are the two sides of one split.
    unsafe { items.set_len(cases) };
    let mut due = first.1;
    due.extend(second.1);
    let bills = engine::bill_items(cfg);
    due.extend(due_pruned(cfg, &bills, cases, today, known));
    items.extend(bills);
    Ok((items, due))
}

/// One thread's part of a pass's items: written into their slots of the
/// pass's vector, and due and pruned a chunk at a time on the way, while
/// the chunk is in the cache (the whole half, 7 MB at 100,000 cases, is
/// not: reading it back for `due` and again for `prune` waited on memory).
struct Part<'c, 's, 'k> {
    cfg: &'c Config,
    today: NaiveDate,
    known: &'k crate::ledger::Digests,
    slots: &'s mut [std::mem::MaybeUninit<engine::Item<'c>>],
    /// The index of `slots[0]` among all the items.
    base: usize,
    written: usize,
    chunk: Vec<engine::Item<'c>>,
    due: Vec<engine::Reminder>,
}

impl<'c, 's, 'k> Part<'c, 's, 'k> {
    /// The items of the cases of `files` into `slots`: how many were
    /// written (from the first slot, in order) and the reminders due of
    /// them that the ledger does not hold, indexed among all the items.
    /// Panics (writing nothing past `slots`) on more items than slots.
    fn fill(
        cfg: &'c Config,
        files: std::ops::Range<usize>,
        slots: &'s mut [std::mem::MaybeUninit<engine::Item<'c>>],
        base: usize,
        today: NaiveDate,
        known: &'k crate::ledger::Digests,
    ) -> (usize, Vec<engine::Reminder>) {
        let mut part = Part {
            cfg,
            today,
            known,
            slots,
            base,
            written: 0,
            chunk: Vec::with_capacity(PRUNE_CHUNK),
            due: Vec::new(),
        };
        engine::each_case_item(cfg, files, |it| {
            part.chunk.push(it);
            if part.chunk.len() == PRUNE_CHUNK {
                part.flush();
            }
        });
        part.flush();
        (part.written, part.due)
    }

    fn flush(&mut self) {
        let offset = self.base + self.written;
        let due = due_pruned(self.cfg, &self.chunk, offset, self.today, self.known);
        self.due.extend(due);
        for it in self.chunk.drain(..) {
            self.slots[self.written].write(it);
            self.written += 1;
        }
    }
}

/// The reminders due of `items` that the ledger does not hold, indexed
/// among all the pass's items, where `items` starts at `offset`.
fn due_pruned(
    cfg: &Config,
    items: &[engine::Item<'_>],
    offset: usize,
    today: NaiveDate,
    known: &crate::ledger::Digests,
) -> impl Iterator<Item = engine::Reminder> {
    let mut due = engine::due(cfg, items, today);
    super::compose::prune(cfg, items, &mut due, today, known);
    due.into_iter().map(move |mut r| {
        r.item += offset;
        r
    })
}

/// Items due and pruned at a time (about 140 KB of items: within the
/// core's own cache).
const PRUNE_CHUNK: usize = 1024;

/// From this many cases a pass builds its items on two threads.
const PARALLEL_FROM: usize = 20_000;

/// The cases a pass sent reminders for, each once, for its log line: the
/// first [`LOGGED_CASES`], then how many more (`docket history` has all).
fn case_list(cases: &std::collections::BTreeSet<String>) -> String {
    let mut out: Vec<&str> = cases
        .iter()
        .take(LOGGED_CASES)
        .map(String::as_str)
        .collect();
    let more = cases.len().saturating_sub(LOGGED_CASES);
    let more = if more > 0 {
        format!(" +{more}")
    } else {
        String::new()
    };
    if out.is_empty() {
        out.push("-");
    }
    format!("{}{more}", out.join(","))
}

/// How many case references a pass's log line names.
const LOGGED_CASES: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::live::Live;

    /// Five case files of 3, 5, 7, 9 and 11 cases, each with a document
    /// due on 2026-11-20, and a bill.
    fn five_files() -> (tempfile::TempDir, Config) {
        five_files_of(3, 2)
    }

    /// Five files of `first`, `first + step`, … cases, each with a
    /// certificate; every third case also has two hearings on one day
    /// (ordinals) and a request.
    fn five_files_of(first: usize, step: usize) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let mut main = String::from(
            "[service]\ntimezone = \"Asia/Almaty\"\ninclude = [\"cases.d/*.toml\"]\nstate_dir = \"state\"\nadmin = \"it@ngo.example\"\n[mail]\ntransport = \"file\"\ndir = \"outbox\"\nfrom = \"Docket <docket@ngo.example>\"\n[kinds.refugee_certificate]\nvalid_for = \"1y\"\n[kinds.court_hearing]\nlead_days = [7, 1]\n[kinds.citizenship]\nanswer_within = \"3m\"\nlead_days = [14, 3]\noverdue_every_days = 14\n[[caseworker]]\nid = \"a\"\nemail = \"a@ngo.example\"\n",
        );
        main.push_str("[[bill]]\nid = \"law\"\nowner = \"a\"\nstage = \"drafted\"\nlast_checked = 2026-10-01\ncheck_every_days = 30\n");
        std::fs::create_dir(dir.path().join("cases.d")).unwrap();
        std::fs::write(dir.path().join("docket.toml"), main).unwrap();
        for f in 0..5 {
            let mut t = String::new();
            for c in 0..(first + f * step) {
                t.push_str(&format!(
                    "[[case]]\nid = \"KZ-{f}-{c}\"\ncaseworker = \"a\"\n  [[case.document]]\n  kind = \"refugee_certificate\"\n  issued = 2025-12-{:02}\n",
                    1 + c % 28
                ));
                if c % 3 == 0 {
                    let day = 1 + c % 27;
                    for _ in 0..2 {
                        t.push_str(&format!(
                            "  [[case.event]]\n  title = \"Hearing\"\n  kind = \"court_hearing\"\n  date = 2026-12-{day:02}\n"
                        ));
                    }
                    t.push_str(&format!("  [[case.request]]\n  kind = \"citizenship\"\n  filed = 2026-08-{day:02}\n"));
                }
            }
            std::fs::write(dir.path().join(format!("cases.d/f{f}.toml")), t).unwrap();
        }
        let loaded = crate::config::load(&dir.path().join("docket.toml"));
        let cfg = loaded.config.expect("loads");
        (dir, cfg)
    }

    /// The pass's items and reminders (written into one vector by two
    /// threads, due and pruned a chunk at a time) are the engine's own,
    /// pruned as a whole: on a config of several chunks per thread, with
    /// ordinals, and with part of the reminders in the ledger.
    #[test]
    fn items_and_due_are_the_engines_pruned() {
        let (_dir, cfg) = five_files_of(400, 300);
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let all = engine::items(&cfg);
        assert!(all.len() > 4 * PRUNE_CHUNK && all.iter().any(|i| i.ordinal == 1));
        let due = engine::due(&cfg, &all, today);
        // Every fifth reminder's keys are in the ledger.
        let mut known = crate::ledger::Digests::default();
        let mut canon = String::new();
        for r in due.iter().step_by(5) {
            let it = &all[r.item];
            crate::ledger::Key::write_canonical(
                &mut canon,
                it.reference,
                &it.key(),
                it.deadline,
                &r.step.key(),
                "a",
            );
            known.insert(crate::ledger::digest_bytes(canon.as_bytes()));
        }
        let mut want = due.clone();
        super::super::compose::prune(&cfg, &all, &mut want, today, &known);
        assert!(want.len() < due.len() && !want.is_empty());
        let key = |v: &[engine::Item<'_>]| -> Vec<(String, String, NaiveDate, NaiveDate)> {
            v.iter()
                .map(|i| (i.reference.to_string(), i.key(), i.deadline, i.act_by))
                .collect()
        };
        for parallel_from in [0, usize::MAX] {
            let (items, got) = items_and_due_from(&cfg, today, &known, parallel_from).unwrap();
            assert_eq!(key(&items), key(&all), "parallel_from {parallel_from}");
            assert_eq!(got, want, "parallel_from {parallel_from}");
        }
    }

    #[test]
    fn items_and_due_on_two_threads_are_the_same_as_on_one() {
        let (_dir, cfg) = five_files();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let known = crate::ledger::Digests::default();
        let (i1, d1) = items_and_due_from(&cfg, today, &known, usize::MAX).unwrap();
        let (i2, d2) = items_and_due_from(&cfg, today, &known, 0).unwrap();
        let key = |v: &[engine::Item<'_>]| -> Vec<(String, String, NaiveDate)> {
            v.iter()
                .map(|i| (i.reference.to_string(), i.key(), i.act_by))
                .collect()
        };
        assert_eq!(key(&i1), key(&i2));
        assert_eq!(d1, d2);
        assert!(!d1.is_empty());
    }

    /// Issue 19: a panic in the pass's worker thread was raised again in
    /// the daemon (`expect` on the join), which died of it. Now it fails
    /// the pass (`pass` logs it, alerts the admin and retries), on the
    /// worker and on the daemon's own thread alike. The panic is made by
    /// breaking an invariant the config's validation keeps (a case's
    /// caseworker index), as a bug would.
    #[test]
    fn a_panic_in_a_pass_worker_fails_the_pass_not_the_daemon() {
        let (_dir, mut cfg) = five_files();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let known = crate::ledger::Digests::default();
        // The last file is the worker's (the second half).
        let last = cfg.files.len() - 1;
        Arc::make_mut(&mut cfg.files[last]).cases[0].caseworker = 9999;
        for parallel_from in [0, usize::MAX] {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                items_and_due_from(&cfg, today, &known, parallel_from)
            }));
            let r = r.expect("the panic reached the daemon");
            assert!(
                matches!(r, Err(DaemonError::Panicked)),
                "parallel_from {parallel_from}: {:?}",
                r.map(|(i, d)| (i.len(), d.len()))
            );
        }
        let e = DaemonError::Panicked;
        assert_eq!(e.kind(), "panic");
        assert!(!e.is_corrupt(), "a panic does not set the ledger aside");
    }

    /// The same in a running daemon: the pass fails, is retried, and the
    /// admin is told; the daemon passes again.
    #[tokio::test]
    async fn a_panicking_pass_is_alerted_and_retried() {
        let (dir, _) = five_files();
        let env = crate::config::Env::default();
        let opts = crate::config::live::Options {
            env: &env,
            store: None,
            tree: None,
            keep_texts: true,
        };
        let live = Live::load(&dir.path().join("docket.toml"), opts).expect("loads");
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let never = super::super::shutdown::Shutdown::never();
        let clock = crate::clock::Clock::new(Some(today), None);
        let mut d = Daemon::new(live, env.clone(), clock, never).unwrap();
        let good = Arc::clone(d.in_effect.cfg());
        let mut broken = Config::clone(d.in_effect.cfg());
        let last = broken.files.len() - 1;
        Arc::make_mut(&mut broken.files[last]).cases[0].caseworker = 9999;
        d.in_effect.live_mut().config = Arc::new(broken);
        let outcome = d.pass(Retry::All).await;
        let error = outcome.error.expect("the pass failed");
        assert!(error.contains("a pass worker panicked"), "{error}");
        assert!(d.pass_retry.is_some(), "retried");
        let mut alerts = String::new();
        for f in std::fs::read_dir(dir.path().join("outbox")).unwrap() {
            alerts.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
        }
        assert!(alerts.contains("a pass failed"), "{alerts}");
        assert!(alerts.contains("a pass worker panicked"), "{alerts}");
        // The bug gone (a reload, say), the next pass goes through.
        d.in_effect.live_mut().config = good;
        let outcome = d.pass(Retry::All).await;
        assert_eq!(outcome.error, None);
        assert!(outcome.digests_sent > 0);
    }
}
