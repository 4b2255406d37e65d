//! The daemon: scheduled passes, the ledger, delivery, reload, shutdown.
//!
//! A *pass* on day D (1) resends every digest the ledger holds as unsent,
//! with its original Message-ID, (2) asks the engine for the latest due
//! step of every item (the catch-up rule), (3) drops what the ledger already
//! has, (4) records the rest as due in one durable transaction, grouped
//! into one digest per recipient, and (5) sends each digest and marks it
//! sent. The scheduler only says "run a pass now"; what is due is decided
//! by the ledger, so missed runs are caught up and nothing is sent twice.
//!
//! The daemon never dies on a bad config (reload keeps the old one), a bad
//! mail (it is reported and kept), or a down server (it is retried).

use crate::config::{self, diff, model::Config};
use crate::engine::{self, Cadence, Item, Step};
use crate::ledger::{Key, Ledger, LedgerError, Row, State};
use crate::mail::digest::{self, Entry, Role, Templates};
use crate::mail::{Mailer, SendError};
use crate::privacy::Quoting;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tracing::{debug, error, info, warn};

/// Retry backoff: 1 minute, doubling, at most an hour.
const RETRY_FIRST_SECS: i64 = 60;
const RETRY_MAX_SECS: i64 = 3600;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("the config has errors")]
    Config(config::diag::Diagnostics),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("scheduler: {0}")]
    Scheduler(String),
    #[error("{0}")]
    Other(String),
}

/// The oldest day a pass still sends reminders for, and the day before
/// which the ledger forgets sent ones: `ledger_retention_days` back, but at
/// least 31 days so that a month of downtime is still caught up. Using one
/// horizon for both is what keeps a purged reminder from being sent again.
pub fn horizon(cfg: &Config, today: NaiveDate) -> NaiveDate {
    today - chrono::Days::new(cfg.privacy.ledger_retention_days.max(31).into())
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassOutcome {
    pub digests_sent: usize,
    pub digests_failed: usize,
    pub reminders_sent: usize,
    pub reminders_cancelled: usize,
}

/// A digest the pass intends to send: recipient, message id, ledger rows.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub recipient: usize,
    pub message_id: String,
    pub rows: Vec<Row>,
    /// Was this digest already recorded (a retry or a crash resend)?
    pub retry: bool,
}

/// Index from ledger identity to item, for turning rows back into entries.
struct ItemIndex<'a> {
    by_key: HashMap<(&'a str, String, NaiveDate), Vec<usize>>,
}

impl<'a> ItemIndex<'a> {
    fn new(items: &'a [Item<'a>]) -> ItemIndex<'a> {
        let mut by_key: HashMap<(&str, String, NaiveDate), Vec<usize>> =
            HashMap::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            by_key
                .entry((it.case, it.key(), it.deadline))
                .or_default()
                .push(i);
        }
        ItemIndex { by_key }
    }

    fn find(&self, items: &[Item<'_>], key: &Key) -> Option<(usize, Step)> {
        let step = parse_step(&key.step)?;
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

fn parse_step(s: &str) -> Option<Step> {
    if let Some(k) = s.strip_prefix("overdue-") {
        return k.parse().ok().map(Step::Overdue);
    }
    if let Some(k) = s.strip_prefix("review-") {
        return k.parse().ok().map(Step::Review);
    }
    match s {
        "stage" => Some(Step::Stage),
        "unblocked" => Some(Step::Unblocked),
        _ => s
            .strip_suffix('d')
            .and_then(|n| n.parse().ok())
            .map(Step::Lead),
    }
}

fn mail_domain(cfg: &Config) -> String {
    cfg.mail
        .from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "docket.invalid".into())
}

/// Work out the digests a pass on `today` sends, without sending: queued
/// ones first (from `pending`), then new ones. Pure apart from the clock
/// value passed in as `now`; `known` holds the digest of every key the
/// ledger holds.
pub fn compose(
    cfg: &Config,
    items: &[Item<'_>],
    today: NaiveDate,
    known: &HashSet<u128>,
    pending: &[Row],
    now: DateTime<Utc>,
) -> Vec<Outgoing> {
    let mut out = Vec::new();
    // 1. Queued digests, by their Message-ID.
    let mut queued: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for r in pending {
        if let Some(mid) = &r.message_id {
            queued.entry(mid.clone()).or_default().push(r.clone());
        }
    }
    for (mid, rows) in queued {
        if let Some(recipient) = cfg.caseworker(&rows[0].key.recipient) {
            out.push(Outgoing {
                recipient,
                message_id: mid,
                rows,
                retry: true,
            });
        }
    }
    // 2. New reminders: the latest due step per item, per recipient.
    let mut fresh: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
    let oldest = horizon(cfg, today);
    // Reused buffers: on an ordinary day every item's latest step is
    // already in the ledger, and checking that must not allocate.
    let (mut canon, mut item_key, mut step_key) = (String::new(), String::new(), String::new());
    for r in engine::due(cfg, items, today) {
        if r.date < oldest {
            continue;
        }
        let it = &items[r.item];
        let cc = if r.escalated { it.cc(cfg) } else { Vec::new() };
        let recipients = it
            .to
            .iter()
            .map(|&c| (c, Role::To))
            .chain(cc.into_iter().map(|c| (c, Role::Cc)));
        item_key.clear();
        it.write_key(&mut item_key);
        step_key.clear();
        r.step.write_key(&mut step_key);
        for (c, role) in recipients {
            let recipient = cfg.caseworkers[c].id.as_str();
            Key::write_canonical(
                &mut canon,
                it.case,
                &item_key,
                it.deadline,
                &step_key,
                recipient,
            );
            if known.contains(&crate::ledger::digest_bytes(canon.as_bytes())) {
                continue;
            }
            let key = Key {
                case_ref: it.case.to_string(),
                item: item_key.clone(),
                deadline: it.deadline,
                step: step_key.clone(),
                recipient: recipient.to_string(),
            };
            fresh.entry(c).or_default().push(Row {
                key,
                kind: it.kind.to_string(),
                due_date: r.date,
                act_by: it.act_by,
                role: role.as_str().into(),
                late: r.date < today,
                message_id: None,
                state: State::Due,
                recorded_at: now,
                sent_at: None,
                attempts: 0,
                last_error: None,
                next_attempt: None,
            });
        }
    }
    let domain = mail_domain(cfg);
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

/// Turn an outgoing digest's rows into entries; rows whose item is gone or
/// settled come back separately so the caller can cancel them.
fn entries_for<'a>(
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
                    late: r.late || r.due_date < today,
                    role: if r.role == "cc" { Role::Cc } else { Role::To },
                })
            }
            _ => gone.push(r.key.clone()),
        }
    }
    (entries, gone)
}

/// Render the RFC 5322 text of every digest a pass on `today` would send
/// (for `docket preview`). Reads the ledger if there is one; writes nothing.
pub fn preview(
    cfg: &Config,
    today: NaiveDate,
    only: Option<&str>,
) -> Result<Vec<digest::Digest>, DaemonError> {
    let (known, pending) = match Ledger::open_read_only(&cfg.service.state_dir)? {
        Some(l) => (l.all_digests()?, l.pending()?),
        None => (HashSet::new(), Vec::new()),
    };
    let items = engine::items(cfg);
    let index = ItemIndex::new(&items);
    let templates = Templates::new(cfg.mail.templates_dir.as_deref())
        .map_err(|e| DaemonError::Other(e.to_string()))?;
    let mut out = Vec::new();
    for o in compose(cfg, &items, today, &known, &pending, Utc::now()) {
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
        )
        .map_err(|e| DaemonError::Other(e.to_string()))?;
        out.push(d);
    }
    Ok(out)
}

/// The running service's state.
pub struct Daemon {
    pub cfg: Arc<Config>,
    ledger: Ledger,
    mailer: Option<Mailer>,
    mailer_error: Option<String>,
    templates: Templates,
    /// Set on SIGTERM/SIGINT: finish the message in flight, then stop.
    stop: Arc<AtomicBool>,
    /// Fixed "today" for tests (`--today`); else the date in the config's zone.
    today: Option<NaiveDate>,
    /// Digests of every key in the ledger, loaded at start and extended as
    /// rows are recorded: an index of the ledger, so a pass does not read
    /// the whole table. Purged keys may stay: they are never due again.
    known: HashSet<u128>,
    /// The day the ledger was last purged (once a day is enough).
    purged_on: Option<NaiveDate>,
}

impl Daemon {
    pub fn new(
        cfg: Config,
        today: Option<NaiveDate>,
        stop: Arc<AtomicBool>,
    ) -> Result<Daemon, DaemonError> {
        let ledger = Ledger::open(&cfg.service.state_dir)?;
        let templates = Templates::new(cfg.mail.templates_dir.as_deref())
            .map_err(|e| DaemonError::Other(e.to_string()))?;
        let (mailer, mailer_error) = match Mailer::new(&cfg.mail) {
            Ok(m) => (Some(m), None),
            Err(e) => {
                error!(error = %e, "mail transport is not usable; reminders stay queued until it is fixed");
                (None, Some(e.to_string()))
            }
        };
        let known = ledger.all_digests()?;
        Ok(Daemon {
            cfg: Arc::new(cfg),
            ledger,
            mailer,
            mailer_error,
            templates,
            stop,
            today,
            known,
            purged_on: None,
        })
    }

    /// The daemon's clock. With `--today` it runs on that day (at the
    /// current time of day), so ledger times, backoff and the "unsent for
    /// too long" alert behave in compressed-time tests as they would live.
    pub fn now(&self) -> DateTime<Utc> {
        let real = Utc::now();
        match self.today {
            Some(d) => d.and_time(real.time()).and_utc(),
            None => real,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| crate::app::local_today(&self.cfg))
    }

    /// One pass. `retry_only_due`: skip queued digests whose backoff has
    /// not expired (timer-driven retries); a scheduled pass retries all.
    pub async fn pass(&mut self, retry_only_due: bool) -> Result<PassOutcome, DaemonError> {
        let today = self.today();
        let now = self.now();
        let started = std::time::Instant::now();
        let cfg = Arc::clone(&self.cfg);
        let items = engine::items(&cfg);
        let t_items = started.elapsed();
        let pending = self.ledger.pending()?;
        let outgoing = compose(&cfg, &items, today, &self.known, &pending, now);
        let t_compose = started.elapsed();
        // Write ahead: every new row is durable before anything is sent.
        let fresh: Vec<Row> = outgoing
            .iter()
            .filter(|o| !o.retry)
            .flat_map(|o| o.rows.iter().cloned())
            .collect();
        self.ledger.record_due(&fresh)?;
        self.known.extend(fresh.iter().map(|r| r.key.digest()));
        // Mapping rows back to items costs a string key per item: only
        // build it when there is something to send.
        let index = if outgoing.is_empty() {
            ItemIndex {
                by_key: HashMap::new(),
            }
        } else {
            ItemIndex::new(&items)
        };
        let mut outcome = PassOutcome::default();
        for o in &outgoing {
            if self.stop.load(Ordering::SeqCst) {
                info!("stopping: the remaining digests stay queued for the next start");
                break;
            }
            if o.retry
                && retry_only_due
                && o.rows
                    .iter()
                    .any(|r| r.next_attempt.is_some_and(|n| n > now))
            {
                continue;
            }
            let (mut entries, gone) = entries_for(&items, &index, o, today);
            for k in &gone {
                self.ledger.cancel(k)?;
                outcome.reminders_cancelled += 1;
            }
            if entries.is_empty() {
                continue;
            }
            let recipient = cfg.caseworkers[o.recipient].id.clone();
            let digest = match digest::render(
                &cfg,
                &self.templates,
                o.recipient,
                today,
                &mut entries,
                &o.message_id,
            ) {
                Ok(d) => d,
                Err(e) => {
                    error!(%recipient, message_id = %o.message_id, error = %e, "cannot render digest; kept queued");
                    self.ledger
                        .mark_failed(&o.message_id, &e.to_string(), backoff(now, o))?;
                    outcome.digests_failed += 1;
                    continue;
                }
            };
            let cases: Vec<&str> = entries.iter().map(|e| e.item.case).collect();
            let result = match &self.mailer {
                Some(m) => m.send(&digest.message).await,
                None => Err(SendError {
                    message: self
                        .mailer_error
                        .clone()
                        .unwrap_or_else(|| "no transport".into()),
                    permanent: true,
                }),
            };
            match result {
                Ok(answer) => {
                    let n = self.ledger.mark_sent(&o.message_id, self.now())?;
                    outcome.digests_sent += 1;
                    outcome.reminders_sent += n;
                    info!(%recipient, message_id = %o.message_id, reminders = n, cases = ?cases, retry = o.retry, %answer, "digest sent");
                }
                Err(e) => {
                    self.ledger
                        .mark_failed(&o.message_id, &e.message, backoff(now, o))?;
                    outcome.digests_failed += 1;
                    warn!(%recipient, message_id = %o.message_id, permanent = e.permanent, error = %e.message, "send failed; kept queued");
                    if e.permanent {
                        self.alert(&format!("failed:{}", o.message_id), "a digest could not be delivered", &format!(
                            "The digest {} to caseworker {} was refused or could not be sent:\n\n  {}\n\nIt stays queued and is retried; fix the cause (see `journalctl -u docket`).",
                            o.message_id, recipient, e.message
                        ))
                        .await;
                    }
                }
            }
        }
        if !pending.is_empty() || outcome.digests_failed > 0 {
            self.alert_stale(now).await?;
        }
        let t_sent = started.elapsed();
        let mut purged = 0;
        if self.purged_on != Some(today) {
            purged = self.ledger.purge(horizon(&cfg, today))?;
            self.purged_on = Some(today);
        }
        debug!(?t_items, ?t_compose, ?t_sent, total = ?started.elapsed(), "pass timings (cumulative)");
        if outcome.digests_sent + outcome.digests_failed > 0 {
            // Rendering digests is the pass's only big allocation.
            crate::sys::release_memory();
        }
        info!(
            %today,
            digests_sent = outcome.digests_sent,
            digests_failed = outcome.digests_failed,
            reminders_sent = outcome.reminders_sent,
            purged,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "pass done"
        );
        Ok(outcome)
    }

    /// Tell the admin about digests unsent for longer than the limit, once each.
    async fn alert_stale(&mut self, now: DateTime<Utc>) -> Result<(), DaemonError> {
        let limit = chrono::Duration::hours(self.cfg.service.alert_after_hours.into());
        let mut stale: BTreeMap<String, (String, String)> = BTreeMap::new();
        for r in self.ledger.pending()? {
            if r.attempts > 0 && now - r.recorded_at >= limit {
                if let Some(mid) = &r.message_id {
                    stale.insert(
                        mid.clone(),
                        (
                            r.key.recipient.clone(),
                            r.last_error.clone().unwrap_or_default(),
                        ),
                    );
                }
            }
        }
        for (mid, (recipient, err)) in stale {
            self.alert(
                &format!("stale:{mid}"),
                "a digest is still unsent",
                &format!(
                    "The digest {mid} to caseworker {recipient} has been unsent for more than {} hours.\nLast error: {err}\nIt stays queued and is retried.",
                    self.cfg.service.alert_after_hours
                ),
            )
            .await;
        }
        Ok(())
    }

    /// Mail the admin (once per `key`), and always log. Alert bodies carry
    /// message ids, caseworker ids and errors: never names.
    pub async fn alert(&mut self, key: &str, subject: &str, body: &str) {
        error!(
            alert = subject,
            key,
            "{}",
            body.lines().next().unwrap_or("")
        );
        let Some(admin) = self.cfg.service.admin.clone() else {
            return;
        };
        // Recorded only once the admin's server accepted it: an alert that
        // could not be mailed (often because mail itself is what broke) is
        // tried again on the next pass.
        match self.ledger.alert_sent_at(key) {
            Ok(None) => {}
            Ok(Some(_)) => return,
            Err(e) => {
                error!(error = %e, "cannot read alerts");
                return;
            }
        }
        let now = self.now();
        let Some(mailer) = &self.mailer else { return };
        let msg = lettre::Message::builder()
            .message_id(None)
            .from(
                self.cfg
                    .mail
                    .from
                    .parse()
                    .unwrap_or_else(|_| "docket@localhost".parse().expect("valid")),
            )
            .to(match admin.parse() {
                Ok(a) => a,
                Err(_) => return,
            })
            .subject(format!("[docket] admin: {subject}"))
            .body(body.to_string());
        match msg {
            Ok(m) => match mailer.send(&m).await {
                Ok(_) => {
                    if let Err(e) = self.ledger.alert_once(key, now) {
                        error!(error = %e, "cannot record alert");
                    }
                }
                Err(e) => error!(error = %e.message, "cannot mail the admin; will try again"),
            },
            Err(e) => error!(error = %e, "cannot build admin alert"),
        }
    }

    /// Swap in a new config if it is valid; otherwise keep the old one.
    pub async fn reload(&mut self) -> bool {
        let started = std::time::Instant::now();
        let path = self.cfg.path.clone();
        match config::load(&path).into_result() {
            Ok((new, warnings)) => {
                for w in warnings.warnings() {
                    warn!("{}", warnings.headline(w, Quoting::Masked));
                }
                let d = diff::diff(&self.cfg, &new);
                match Mailer::new(&new.mail) {
                    Ok(m) => {
                        self.mailer = Some(m);
                        self.mailer_error = None;
                    }
                    Err(e) => {
                        error!(error = %e, "mail transport is not usable after reload");
                        self.mailer = None;
                        self.mailer_error = Some(e.to_string());
                    }
                }
                if let Ok(t) = Templates::new(new.mail.templates_dir.as_deref()) {
                    self.templates = t;
                }
                self.cfg = Arc::new(compact(new));
                crate::sys::release_memory();
                info!(
                    changes = %d.summary(),
                    reload_ms = started.elapsed().as_millis() as u64,
                    "config reloaded"
                );
                true
            }
            Err(diags) => {
                let n = diags.errors().count();
                let lines = redacted_errors(&diags);
                for l in &lines {
                    error!("{l}");
                }
                let first: Vec<&str> = lines.iter().take(10).map(String::as_str).collect();
                let key = format!("reload:{}", self.now().timestamp());
                self.alert(
                    &key,
                    "config reload rejected",
                    &format!(
                        "The new config has {n} error(s); docket keeps running with the previous one.\n\n{}\n\nRun `docket check` to see them all.",
                        first.join("\n")
                    ),
                )
                .await;
                false
            }
        }
    }

    /// When the next queued digest is due for a retry.
    pub fn next_retry(&self) -> Option<DateTime<Utc>> {
        self.ledger
            .pending()
            .ok()?
            .iter()
            .filter_map(|r| r.next_attempt)
            .min()
    }
}

/// First lines of config errors with every value from the files masked,
/// for logs and admin mail: logs carry case references only.
pub fn redacted_errors(diags: &config::diag::Diagnostics) -> Vec<String> {
    diags
        .errors()
        .take(config::diag::MAX_SHOWN)
        .map(|d| diags.headline(d, Quoting::Masked))
        .collect()
}

fn backoff(now: DateTime<Utc>, o: &Outgoing) -> DateTime<Utc> {
    let attempts = o.rows.iter().map(|r| r.attempts).max().unwrap_or(0).min(16);
    let secs = (RETRY_FIRST_SECS << attempts).min(RETRY_MAX_SECS);
    now + chrono::Duration::seconds(secs)
}

/// systemd notification; a no-op without `NOTIFY_SOCKET`.
fn notify(states: &[sd_notify::NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(false, states) {
        warn!(error = %e, "sd_notify failed");
    }
}

/// Options of `docket run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config: PathBuf,
    pub once: bool,
    pub today: Option<NaiveDate>,
}

/// Run the daemon until `shutdown` resolves (or one pass with `once`).
/// Returns the outcome of the last pass.
pub async fn run(
    opts: RunOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<PassOutcome, DaemonError> {
    let cfg = load_config(&opts.config)?;
    info!(
        version = env!("CARGO_PKG_VERSION"),
        tzdata = chrono_tz::IANA_TZDB_VERSION,
        timezone = %cfg.service.timezone,
        cases = cfg.cases.len(),
        bills = cfg.bills.len(),
        state_dir = %cfg.service.state_dir.display(),
        "docket starting"
    );
    let stop = Arc::new(AtomicBool::new(false));
    // Shutdown is watched by its own task so that a signal during a pass
    // stops it after the message in flight, not after the whole pass.
    let stopped = Arc::new(tokio::sync::Notify::new());
    {
        let (stop, stopped) = (Arc::clone(&stop), Arc::clone(&stopped));
        tokio::spawn(async move {
            shutdown.await;
            stop.store(true, Ordering::SeqCst);
            stopped.notify_one();
        });
    }
    let mut daemon = Daemon::new(compact(cfg), opts.today, Arc::clone(&stop))?;
    if opts.once {
        return daemon.pass(false).await;
    }

    let (tick_tx, mut tick_rx) = tokio::sync::mpsc::channel::<()>(4);
    let mut sched = Scheduler::start(&daemon.cfg, tick_tx.clone()).await?;
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .map_err(|e| DaemonError::Other(format!("SIGHUP handler: {e}")))?;
    let mut usec = 0u64;
    let watchdog = sd_notify::watchdog_enabled(false, &mut usec);
    let mut wd = tokio::time::interval(std::time::Duration::from_micros(if watchdog {
        usec / 2
    } else {
        3_600_000_000
    }));

    notify(&[
        sd_notify::NotifyState::Ready,
        sd_notify::NotifyState::Status("ready; first pass"),
    ]);
    let mut last = daemon.pass(false).await.unwrap_or_else(|e| {
        error!(error = %e, "pass failed");
        PassOutcome::default()
    });
    status(&daemon, &last);

    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let retry_in = daemon
            .next_retry()
            .map(|t| (t - daemon.now()).to_std().unwrap_or_default());
        let sleep = async {
            match retry_in {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = stopped.notified() => break,
            Some(()) = tick_rx.recv() => {
                last = daemon.pass(false).await.unwrap_or_else(|e| { error!(error = %e, "pass failed"); PassOutcome::default() });
                status(&daemon, &last);
            }
            _ = sleep => {
                last = daemon.pass(true).await.unwrap_or_else(|e| { error!(error = %e, "retry pass failed"); PassOutcome::default() });
                status(&daemon, &last);
            }
            _ = hup.recv() => {
                notify(&[sd_notify::NotifyState::Reloading, sd_notify::NotifyState::Status("reloading")]);
                let old_schedule = daemon.cfg.service.schedule.clone();
                if daemon.reload().await {
                    if daemon.cfg.service.schedule != old_schedule || daemon.cfg.service.timezone != sched.tz {
                        sched.stop().await;
                        sched = Scheduler::start(&daemon.cfg, tick_tx.clone()).await?;
                    }
                    last = daemon.pass(false).await.unwrap_or_else(|e| { error!(error = %e, "pass failed"); PassOutcome::default() });
                }
                notify(&[sd_notify::NotifyState::Ready]);
                status(&daemon, &last);
            }
            _ = wd.tick(), if watchdog => notify(&[sd_notify::NotifyState::Watchdog]),
        }
    }
    stop.store(true, Ordering::SeqCst);
    notify(&[
        sd_notify::NotifyState::Stopping,
        sd_notify::NotifyState::Status("stopping"),
    ]);
    sched.stop().await;
    info!("docket stopped");
    Ok(last)
}

/// Copy a freshly loaded config into new allocations and free the original.
/// Loading interleaves the config's allocations with the parser's
/// temporary ones; once those are freed, the config alone keeps most of the
/// allocator's pages half-used, so an idle daemon would sit on the load's
/// peak. A copy made after the parse lands in dense pages (about 30 ms at
/// 100,000 cases), and the old pages can then go back to the system.
fn compact(cfg: Config) -> Config {
    let copy = cfg.clone();
    drop(cfg);
    crate::sys::release_memory();
    copy
}

fn status(d: &Daemon, last: &PassOutcome) {
    let s = format!(
        "{} cases; last pass: {} digest(s) sent, {} failed",
        d.cfg.cases.len(),
        last.digests_sent,
        last.digests_failed
    );
    notify(&[sd_notify::NotifyState::Status(&s)]);
}

fn load_config(path: &Path) -> Result<Config, DaemonError> {
    match config::load(path).into_result() {
        Ok((cfg, warnings)) => {
            for w in warnings.warnings() {
                warn!("{}", warnings.headline(w, Quoting::Masked));
            }
            Ok(cfg)
        }
        Err(d) => Err(DaemonError::Config(d)),
    }
}

/// The cron schedule. Its job only sends a tick to the main loop: jobs
/// are async (a panicking sync job would never run again) and do no work
/// themselves, so the pass logic has one home and one error path.
struct Scheduler {
    inner: tokio_cron_scheduler::JobScheduler,
    tz: chrono_tz::Tz,
}

impl Scheduler {
    async fn start(
        cfg: &Config,
        tx: tokio::sync::mpsc::Sender<()>,
    ) -> Result<Scheduler, DaemonError> {
        let e = |e: tokio_cron_scheduler::JobSchedulerError| DaemonError::Scheduler(e.to_string());
        let inner = tokio_cron_scheduler::JobScheduler::new().await.map_err(e)?;
        let tz = cfg.service.timezone;
        let job = tokio_cron_scheduler::Job::new_async_tz(
            cfg.service.schedule.as_str(),
            tz,
            move |_id, _lock| {
                let tx = tx.clone();
                Box::pin(async move {
                    // A full channel means a pass is already pending: fine.
                    let _ = tx.try_send(());
                })
            },
        )
        .map_err(e)?;
        inner.add(job).await.map_err(e)?;
        inner.start().await.map_err(e)?;
        Ok(Scheduler { inner, tz })
    }

    async fn stop(&mut self) {
        if let Err(e) = self.inner.shutdown().await {
            warn!(error = %e, "scheduler shutdown");
        }
    }
}

/// Wait for SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => info!("SIGTERM received"),
        _ = int.recv() => info!("SIGINT received"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_through_ledger_keys() {
        for s in [
            Step::Lead(30),
            Step::Lead(0),
            Step::Overdue(4),
            Step::Review(2),
            Step::Stage,
            Step::Unblocked,
        ] {
            assert_eq!(parse_step(&s.key()), Some(s));
        }
    }
}
