//! What a pass will send: pure, given the items, what the ledger holds,
//! today and now. No IO, so it is unit-tested without a ledger or a mailer.

use crate::config::model::Config;
use crate::engine::{self, Cadence, Item, Step};
use crate::ledger::{Key, Row, State};
use crate::mail::digest::{self, Entry, Role};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The oldest day a pass still sends reminders for, and the day before
/// which the ledger forgets sent ones: `ledger_retention_days` back, but at
/// least 31 days so that a month of downtime is still caught up. Using one
/// horizon for both is what keeps a purged reminder from being sent again.
pub fn horizon(cfg: &Config, today: NaiveDate) -> NaiveDate {
    today - chrono::Days::new(cfg.privacy.ledger_retention_days.max(31).into())
}

/// A digest the pass intends to send: recipient, message id, ledger rows.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Index into [`Config::caseworkers`].
    pub recipient: usize,
    pub message_id: String,
    pub rows: Vec<Row>,
    /// Was this digest already recorded (a retry or a crash resend)?
    pub retry: bool,
}

/// A queued digest whose recipient is no longer in the config: it cannot
/// be sent (docket keeps no addresses in the ledger), so the pass cancels
/// it and tells the admin, rather than finding it due again forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub message_id: String,
    /// The caseworker id it was composed for.
    pub recipient: String,
    /// Case references of its rows, sorted, unique.
    pub cases: Vec<String>,
    pub rows: usize,
}

/// What a pass will do.
#[derive(Debug, Clone, Default)]
pub struct Composed {
    /// Queued digests first (oldest first), then new ones.
    pub outgoing: Vec<Outgoing>,
    pub orphans: Vec<Orphan>,
}

/// Drop from `due` what a pass would not send anyway: steps before the
/// horizon, and steps the ledger holds for every recipient. `compose`
/// gives the same result with or without this; it lets a caller do the
/// bulk of the checking on several threads, each on its own part of the
/// items (`due` indexes `items`).
pub fn prune(
    cfg: &Config,
    items: &[Item<'_>],
    due: &mut Vec<engine::Reminder>,
    today: NaiveDate,
    known: &crate::ledger::Digests,
) {
    let oldest = horizon(cfg, today);
    let (mut canon, mut item_key, mut step_key) = (String::new(), String::new(), String::new());
    // Two steps: every candidate key's digest first, then every lookup in a
    // loop of its own. A lookup waits on memory (the set is a megabyte at
    // 100,000 cases); with nothing else between them the processor has
    // many lookups in flight instead of one (a third of the pruning time).
    let mut candidates: Vec<(usize, u128)> = Vec::with_capacity(due.len() + due.len() / 4);
    for (i, r) in due.iter().enumerate() {
        if r.date < oldest {
            continue;
        }
        let it = &items[r.item];
        let cc = it.cc_if(cfg, r.escalated);
        item_key.clear();
        it.write_key(&mut item_key);
        step_key.clear();
        r.step.write_key(&mut step_key);
        for &c in it.to.iter().chain(cc.iter()) {
            Key::write_canonical(
                &mut canon,
                it.reference,
                &item_key,
                it.deadline,
                &step_key,
                cfg.caseworkers[c].id.as_str(),
            );
            candidates.push((i, crate::ledger::digest_bytes(canon.as_bytes())));
        }
    }
    let mut keep = vec![false; due.len()];
    for &(i, d) in &candidates {
        if !known.contains(&d) {
            keep[i] = true;
        }
    }
    let mut keep = keep.into_iter();
    due.retain(|_| keep.next() == Some(true));
}

/// What the ledger says, as `compose` needs it.
#[derive(Clone, Copy)]
pub struct Seen<'a> {
    /// The digest of every key the ledger holds.
    pub known: &'a crate::ledger::Digests,
    /// Of the items [`told_after_their_day`] names, those docket had seen
    /// before (their [`crate::feed::event_id`]s): a reminder of one of
    /// them told after its day is late (docket was down that day); of any
    /// other item it is new (a first run, a new file or case).
    pub seen_items: &'a HashSet<u64>,
    /// Rows not yet sent.
    pub pending: &'a [Row],
    /// Message-IDs not to resend (accepted, not yet marked).
    pub skip: &'a HashSet<String>,
}

/// Work out the digests a pass on `today` sends, without sending: queued
/// ones first (from `pending`), then new ones. `due` is
/// `engine::due(cfg, items, today)` (computed by the caller, which may
/// split it across threads). `known` holds the digest of
/// every key the ledger holds; `skip` the Message-IDs not to resend (the
/// server accepted them, the ledger could not say so yet).
pub fn compose(
    cfg: &Config,
    items: &[Item<'_>],
    due: &[engine::Reminder],
    today: NaiveDate,
    ledger: Seen<'_>,
    now: DateTime<Utc>,
) -> Composed {
    let mut out = queued(cfg, ledger.pending, ledger.skip);
    let fresh = fresh_rows(cfg, items, due, today, ledger, now);
    out.outgoing.extend(new_digests(cfg, fresh));
    out
}

/// Step 1 of [`compose`]: the digests already in the ledger, regrouped by
/// their Message-ID in the order their rows came (oldest first), so that
/// what waited goes out before anything new. One whose recipient left the
/// config becomes an [`Orphan`]: it can never be sent, and left queued it
/// would be found due at every pass.
fn queued(cfg: &Config, pending: &[Row], skip: &HashSet<String>) -> Composed {
    let mut out = Composed::default();
    let mut queued: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in pending {
        if let Some(mid) = &r.message_id {
            if skip.contains(mid) {
                continue;
            }
            let e = queued.entry(mid.as_str()).or_default();
            if e.is_empty() {
                order.push(mid);
            }
            e.push(r.clone());
        }
    }
    for mid in order {
        let rows = queued.remove(mid).unwrap_or_default();
        match cfg.caseworker(&rows[0].key.recipient) {
            Some(recipient) => out.outgoing.push(Outgoing {
                recipient,
                message_id: mid.to_string(),
                rows,
                retry: true,
            }),
            None => out.orphans.push(orphan(mid, &rows)),
        }
    }
    out
}

/// What the admin is told of a queued digest nobody can receive: the
/// case references once each and sorted, so the alert reads the same
/// whatever order the rows were stored in.
fn orphan(mid: &str, rows: &[Row]) -> Orphan {
    let mut cases: Vec<String> = rows.iter().map(|r| r.key.case_ref.clone()).collect();
    cases.sort();
    cases.dedup();
    Orphan {
        message_id: mid.to_string(),
        recipient: rows[0].key.recipient.clone(),
        cases,
        rows: rows.len(),
    }
}

/// Step 2 of [`compose`]: the new reminders, the latest due step per item,
/// per recipient, grouped by recipient (a `BTreeMap` so the digests come
/// out in the config's order, the same at every pass). Steps before the
/// horizon and keys the ledger holds are left out: the ledger, not this
/// pass, says what was sent.
fn fresh_rows(
    cfg: &Config,
    items: &[Item<'_>],
    due: &[engine::Reminder],
    today: NaiveDate,
    ledger: Seen<'_>,
    now: DateTime<Utc>,
) -> BTreeMap<usize, Vec<Row>> {
    let Seen { known, .. } = ledger;
    let mut fresh: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
    let oldest = horizon(cfg, today);
    let told_of = told_of(cfg, items, due, today, ledger);
    // Reused buffers: on an ordinary day every item's latest step is
    // already in the ledger, and checking that must not allocate.
    let (mut canon, mut item_key, mut step_key) = (String::new(), String::new(), String::new());
    for (r, told) in due.iter().zip(told_of) {
        if r.date < oldest {
            continue;
        }
        let it = &items[r.item];
        let cc = it.cc_if(cfg, r.escalated);
        let recipients = it
            .to
            .iter()
            .map(|&c| (c, Role::To))
            .chain(cc.iter().map(|&c| (c, Role::Cc)));
        item_key.clear();
        it.write_key(&mut item_key);
        step_key.clear();
        r.step.write_key(&mut step_key);
        for (c, role) in recipients {
            let recipient = cfg.caseworkers[c].id.as_str();
            Key::write_canonical(
                &mut canon,
                it.reference,
                &item_key,
                it.deadline,
                &step_key,
                recipient,
            );
            if known.contains(&crate::ledger::digest_bytes(canon.as_bytes())) {
                continue;
            }
            let row = due_row(it, r, &item_key, recipient, role, told, now);
            fresh.entry(c).or_default().push(row);
        }
    }
    fresh
}

/// How each reminder of `due` is told: on its day; late (docket knew the
/// item on its day but was not running, issue 18); new (docket sees the
/// item only now); or new and in the summary of new cases (issue 21):
/// told after its day, of a case's item (not a bill's) that docket had
/// not seen and of which the ledger holds no reminder for anyone, when
/// its caseworker has at least `[mail] summary_from` (default 5; 0:
/// never) cases with such items in this pass: an import or a first run,
/// not one new case file.
fn told_of(
    cfg: &Config,
    items: &[Item<'_>],
    due: &[engine::Reminder],
    today: NaiveDate,
    ledger: Seen<'_>,
) -> Vec<Told> {
    let oldest = horizon(cfg, today);
    let mut out = Vec::with_capacity(due.len());
    // Per caseworker, the cases of their items new to docket.
    let mut new_cases: HashMap<usize, HashSet<&str>> = HashMap::new();
    let mut first_news = Vec::with_capacity(due.len());
    for r in due {
        let it = &items[r.item];
        // Told after its day: late if docket knew the item then (it was
        // not running), new if it sees the item only now (issue 18).
        let past = r.date < today && r.date >= oldest;
        let behind = past || days_behind(cfg, it, oldest, today);
        let seen_before = behind && ledger.seen_items.contains(&crate::feed::event_id(it));
        let new = past && !seen_before;
        let first = behind
            && !seen_before
            && it.item != engine::ItemType::Bill
            && never_told(cfg, it, oldest, today, ledger.known);
        if first {
            new_cases.entry(it.to[0]).or_default().insert(it.reference);
        }
        first_news.push(first);
        out.push(Told {
            late: past && seen_before,
            new,
            summary: false,
        });
    }
    for ((t, r), first) in out.iter_mut().zip(due).zip(first_news) {
        let owner = items[r.item].to[0];
        let from = cfg.mail.summary_from as usize;
        t.summary = first && from > 0 && new_cases.get(&owner).map_or(0, HashSet::len) >= from;
        // A summary row is new, also when its latest step falls today.
        t.new |= t.summary;
    }
    out
}

/// Has `it` a reminder step from `oldest` to the day before `today`?
/// Then a reminder of it today has days behind it that docket may never
/// have told (an import on the day an overdue repeat falls).
fn days_behind(cfg: &Config, it: &Item<'_>, oldest: NaiveDate, today: NaiveDate) -> bool {
    let Some(yesterday) = today.pred_opt() else {
        return false;
    };
    let mut any = false;
    it.schedule(&cfg.calendar, oldest, yesterday, |_, _| any = true);
    any
}

/// Does the ledger hold no reminder of `it` at all, for any step from
/// `oldest` to `today` and any of its recipients (copies included)? Then
/// docket has never told anyone about it (older steps are purged, and
/// never sent either).
fn never_told(
    cfg: &Config,
    it: &Item<'_>,
    oldest: NaiveDate,
    today: NaiveDate,
    known: &crate::ledger::Digests,
) -> bool {
    let cc = it.cc(cfg);
    let (mut canon, mut step_key) = (String::new(), String::new());
    let item_key = it.key();
    let mut told = false;
    it.schedule(&cfg.calendar, oldest, today, |_, step| {
        if told {
            return;
        }
        step_key.clear();
        step.write_key(&mut step_key);
        for &c in it.to.iter().chain(cc.iter()) {
            let who = cfg.caseworkers[c].id.as_str();
            Key::write_canonical(
                &mut canon,
                it.reference,
                &item_key,
                it.deadline,
                &step_key,
                who,
            );
            told |= known.contains(&crate::ledger::digest_bytes(canon.as_bytes()));
        }
    });
    !told
}

/// How a reminder told after its day is marked (issue 18): both false for
/// one told on its day.
#[derive(Clone, Copy)]
struct Told {
    /// Docket knew the item on that day but was not running.
    late: bool,
    /// Docket sees the item only now (a first run, a new file or case).
    new: bool,
    /// New, and one of many told at once as a summary (issue 21).
    summary: bool,
}

/// The ledger row of one new reminder to one recipient. Built only for a
/// key the ledger does not hold yet, so the allocations here are paid for
/// what is really sent, not for every item checked.
fn due_row(
    it: &Item<'_>,
    r: &engine::Reminder,
    item_key: &str,
    recipient: &str,
    role: Role,
    told: Told,
    now: DateTime<Utc>,
) -> Row {
    let key = Key {
        case_ref: it.reference.to_string(),
        item: item_key.to_string(),
        deadline: it.deadline,
        step: r.step,
        recipient: recipient.to_string(),
    };
    Row {
        key,
        kind: it.kind.to_string(),
        due_date: r.date,
        act_by: it.act_by,
        role,
        late: told.late,
        new: told.new,
        summary: told.summary,
        message_id: None,
        state: State::Due,
        recorded_at: now,
        sent_at: None,
        attempts: 0,
        last_error: None,
        next_attempt: None,
    }
}

/// Step 3 of [`compose`]: one digest per recipient of the new rows. Its
/// Message-ID is made from the recipient and the rows' keys, so the same
/// digest composed again (a crash before it was recorded) gets the same
/// ID, and the server and the ledger can tell it is not a new one.
fn new_digests(cfg: &Config, fresh: BTreeMap<usize, Vec<Row>>) -> Vec<Outgoing> {
    let domain = mail_domain(cfg);
    let mut out = Vec::with_capacity(fresh.len());
    for (c, mut rows) in fresh {
        let keys: Vec<String> = rows
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}|{}",
                    r.key.case_ref, r.key.item, r.key.deadline, r.key.step
                )
            })
            .collect();
        let mid = digest::message_id(&cfg.caseworkers[c].id, &keys, &domain);
        for r in &mut rows {
            r.message_id = Some(mid.clone());
        }
        out.push(Outgoing {
            recipient: c,
            message_id: mid,
            rows,
            retry: false,
        });
    }
    out
}

/// The items whose reminders in `due` would be told after their day, or
/// today with reminder days behind them, as (feed, event id) for each of
/// their caseworkers' own feeds: what a pass asks the ledger
/// (`Ledger::feed_events_known`) to tell new items from late ones, and
/// from those of a summary (issue 21). On an ordinary day only the items
/// whose step today follows earlier ones: a few point lookups.
pub fn told_after_their_day(
    cfg: &Config,
    items: &[Item<'_>],
    due: &[engine::Reminder],
    today: NaiveDate,
) -> Vec<(String, u64)> {
    let oldest = horizon(cfg, today);
    let mut out = Vec::new();
    for r in due.iter().filter(|r| r.date <= today && r.date >= oldest) {
        let it = &items[r.item];
        // Today's reminder of an item with days behind it: asked too, to
        // tell a summary of new cases from an ordinary day (issue 21).
        if r.date == today
            && (it.item == engine::ItemType::Bill || !days_behind(cfg, it, oldest, today))
        {
            continue;
        }
        let id = crate::feed::event_id(it);
        for &c in it.to.iter() {
            out.push((crate::feed::file_stem(&cfg.caseworkers[c].id), id));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn mail_domain(cfg: &Config) -> String {
    cfg.mail
        .from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "docket.invalid".into())
}

/// Index from ledger identity to item, for turning rows back into entries.
pub struct ItemIndex<'a> {
    by_key: HashMap<(&'a str, String, NaiveDate), Vec<usize>>,
}

impl<'a> ItemIndex<'a> {
    pub fn new(items: &'a [Item<'a>]) -> ItemIndex<'a> {
        let mut by_key: HashMap<(&str, String, NaiveDate), Vec<usize>> =
            HashMap::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            by_key
                .entry((it.reference, it.key(), it.deadline))
                .or_default()
                .push(i);
        }
        ItemIndex { by_key }
    }

    /// An empty index, for a pass with nothing to send.
    pub fn empty() -> ItemIndex<'a> {
        ItemIndex {
            by_key: HashMap::new(),
        }
    }

    fn find(&self, items: &[Item<'_>], key: &Key) -> Option<(usize, Step)> {
        let step = key.step;
        let cands = self
            .by_key
            .get(&(key.case_ref.as_str(), key.item.clone(), key.deadline))?;
        cands
            .iter()
            .copied()
            .find(|&i| match items[i].cadence {
                Cadence::Notice(s) => s == step,
                _ => !matches!(step, Step::Stage | Step::Unblocked),
            })
            .map(|i| (i, step))
    }
}

/// Turn an outgoing digest's rows into entries; rows whose item is gone or
/// settled come back separately so the caller can cancel them.
pub fn entries_for<'a>(
    items: &'a [Item<'a>],
    index: &ItemIndex<'a>,
    o: &Outgoing,
    today: NaiveDate,
) -> (Vec<Entry<'a>>, Vec<Key>) {
    let mut entries = Vec::new();
    let mut gone = Vec::new();
    for r in &o.rows {
        match index.find(items, &r.key) {
            Some((i, step))
                if !items[i].resolved_on(today)
                    || matches!(step, Step::Stage | Step::Unblocked) =>
            {
                entries.push(Entry {
                    item: &items[i],
                    step,
                    due_date: r.due_date,
                    // A digest that waited (the relay was down) comes
                    // late; one of an item new to docket stays new.
                    late: !r.new && (r.late || r.due_date < today),
                    new: r.new,
                    summary: r.summary,
                    role: r.role,
                })
            }
            _ => gone.push(r.key.clone()),
        }
    }
    (entries, gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` cases of caseworker `a` (supervised by `s`), each a certificate
    /// that expired on 2026-11-20, and a bill.
    fn config(n: usize) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let mut t = String::from(
            "[service]\ntimezone = \"Asia/Almaty\"\nstate_dir = \"state\"\n[mail]\ntransport = \"file\"\nfrom = \"Docket <docket@ngo.example>\"\n\
             [[caseworker]]\nid = \"s\"\nemail = \"s@ngo.example\"\n\
             [[caseworker]]\nid = \"a\"\nemail = \"a@ngo.example\"\nsupervisor = \"s\"\n\
             [[bill]]\nid = \"law\"\nowner = \"a\"\nstage = \"drafted\"\nlast_checked = 2026-10-01\ncheck_every_days = 30\n",
        );
        for i in 0..n {
            t.push_str(&format!(
                "[[case]]\nid = \"KZ-{i:04}\"\ncaseworker = \"a\"\n[[case.document]]\nkind = \"x\"\nexpires = 2026-11-20\n"
            ));
        }
        std::fs::write(dir.path().join("docket.toml"), t).unwrap();
        let cfg = crate::config::load(&dir.path().join("docket.toml"))
            .config
            .expect("loads");
        (dir, cfg)
    }

    fn rows(cfg: &Config, known: &crate::ledger::Digests, seen: &HashSet<u64>) -> Vec<Row> {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let items = engine::items(cfg);
        let due = engine::due(cfg, &items, today);
        let (pending, skip) = (Vec::new(), HashSet::new());
        let ledger = Seen {
            known,
            seen_items: seen,
            pending: &pending,
            skip: &skip,
        };
        let now = chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap();
        compose(cfg, &items, &due, today, ledger, now)
            .outgoing
            .into_iter()
            .flat_map(|o| o.rows)
            .collect()
    }

    /// `prune` drops a reminder only when the ledger holds its key for
    /// every recipient (the caseworker and, escalated, the supervisor), and
    /// `compose` gives the same rows with or without it.
    #[test]
    fn prune_drops_only_what_the_ledger_holds_for_everyone() {
        let (_d, cfg) = config(9);
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let first = rows(&cfg, &Default::default(), &HashSet::new());
        // KZ-0000, 0003, 0006: both keys known; 0001, 0004, 0007: only the
        // caseworker's; the rest and the bill: none.
        let number = |r: &Row| {
            r.key
                .case_ref
                .strip_prefix("KZ-")
                .map(|n| n.parse::<usize>().unwrap())
        };
        let known: crate::ledger::Digests = first
            .iter()
            .filter(|r| match number(r) {
                Some(n) => n % 3 == 0 || (n % 3 == 1 && r.key.recipient == "a"),
                None => false,
            })
            .map(|r| r.key.digest())
            .collect();
        assert_eq!(known.len(), 9, "{first:#?}");
        let items = engine::items(&cfg);
        let due = engine::due(&cfg, &items, today);
        let mut pruned = due.clone();
        prune(&cfg, &items, &mut pruned, today, &known);
        let mut left: Vec<&str> = pruned.iter().map(|r| items[r.item].reference).collect();
        left.sort_unstable();
        assert_eq!(
            left,
            ["KZ-0001", "KZ-0002", "KZ-0004", "KZ-0005", "KZ-0007", "KZ-0008", "law"]
        );
        let (pending, skip, seen) = (Vec::new(), HashSet::new(), HashSet::new());
        let ledger = Seen {
            known: &known,
            seen_items: &seen,
            pending: &pending,
            skip: &skip,
        };
        let now = chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap();
        let keys = |due: &[engine::Reminder]| -> Vec<crate::ledger::Key> {
            let mut k: Vec<_> = compose(&cfg, &items, due, today, ledger, now)
                .outgoing
                .into_iter()
                .flat_map(|o| o.rows)
                .map(|r| r.key)
                .collect();
            k.sort();
            k
        };
        let all = keys(&due);
        assert_eq!(all.len(), first.len() - 9);
        assert_eq!(keys(&pruned), all);
    }

    /// Issue 21: five new cases with days behind them are a summary, to
    /// the caseworker and (escalated: overdue) the supervisor; the bill's
    /// review is not. Recorded, nothing comes again; four cases, or items
    /// docket had seen, are no summary.
    #[test]
    fn item4_many_new_cases_are_a_summary_once() {
        let (_d, cfg) = config(5);
        let (known, seen) = (Default::default(), HashSet::new());
        let first = rows(&cfg, &known, &seen);
        let cases: Vec<&Row> = first.iter().filter(|r| r.key.case_ref != "law").collect();
        assert_eq!(cases.len(), 10, "five cases, to a and to s: {first:#?}");
        assert!(
            cases.iter().all(|r| r.summary && r.new && !r.late),
            "{cases:#?}"
        );
        assert!(first
            .iter()
            .filter(|r| r.key.case_ref == "law")
            .all(|r| !r.summary));
        // Recorded: the same pass again sends nothing.
        let known: crate::ledger::Digests = first.iter().map(|r| r.key.digest()).collect();
        assert!(rows(&cfg, &known, &seen).is_empty());
        // Four cases: new, one by one.
        let (_d, four) = config(4);
        let r = rows(&four, &Default::default(), &seen);
        assert!(r.iter().all(|r| !r.summary), "{r:#?}");
        assert!(r.iter().any(|r| r.new));
        // Items docket had seen (their feeds held them): their overdue
        // repeat falls today (Monday 2026-12-07), an ordinary reminder,
        // though its earlier days passed unsent.
        let items = engine::items(&cfg);
        let seen: HashSet<u64> = items.iter().map(crate::feed::event_id).collect();
        let r = rows(&cfg, &Default::default(), &seen);
        assert!(!r.is_empty());
        let cases: Vec<&Row> = r.iter().filter(|r| r.key.case_ref != "law").collect();
        assert_eq!(cases.len(), 10);
        assert!(
            cases.iter().all(|r| !r.summary && !r.new && !r.late),
            "{r:#?}"
        );
    }
}
