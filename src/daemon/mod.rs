//! The daemon: scheduled passes, retries, reload, shutdown, systemd.
//!
//! This file is the main loop only. The parts:
//! - [`state`]: the service's state ([`Daemon`]) and its set-up;
//! - [`compose`]: what a pass will send (pure);
//! - [`pass`]: one pass, and how it fails safe;
//! - [`alerts`]: telling the admin;
//! - [`reload`]: swapping in a new config;
//! - [`scheduler`], [`shutdown`], [`watchdog`]: when to run, when to stop,
//!   and telling systemd we are alive;
//! - [`preview`]: `docket preview`.
//!
//! The daemon never dies on a bad config (reload keeps the old one), a bad
//! mail (it is reported and kept), a down server (it is retried) or a
//! broken ledger (set aside, or kept in memory, and the admin told). The
//! scheduler only says "run a pass now"; what is due is decided by the
//! ledger, so missed runs are caught up and nothing is sent twice.

mod after_pass;
mod alert_texts;
mod alerts;
pub mod compose;
mod dir_notices;
mod error;
mod feeds;
mod in_effect;
mod notice_texts;
mod notices;
mod outcome;
mod outputs;
mod pass;
pub mod preview;
mod records;
mod reload;
mod scheduler;
mod send;
mod sending;
pub mod shutdown;
mod state;
mod watch;
pub mod watchdog;

pub use error::{redacted_errors, DaemonError};
pub use outcome::{PassOutcome, Retry, STOP_GRACE_MAX};
pub use preview::preview;
pub use reload::{Reloaded, Update};
pub use state::Daemon;

use crate::config::changed::Changed;
use crate::config::diff::{Action, Reason};
use crate::config::live::{Live, State};
use crate::config::Env;
use crate::privacy::Quoting;
use scheduler::Scheduler;
use shutdown::Shutdown;
use std::future::Future;
use std::path::{Path, PathBuf};
use tracing::{error, info, warn};

/// Options of `docket run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub config: PathBuf,
    pub once: bool,
    /// The clock of the command line (`--today`, `--now`).
    pub clock: crate::clock::Clock,
}

/// The shortest wait between two retry passes: whatever the queue says,
/// the loop never runs passes back to back.
const MIN_RETRY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Run the daemon until `shutdown` resolves (or one pass with `once`).
/// Returns the outcome of the last pass.
pub async fn run(
    opts: RunOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<PassOutcome, DaemonError> {
    let shutdown = Shutdown::watch(shutdown);
    let mut daemon = start(&opts, shutdown.clone())?;
    // Pings from its own task, from the start: a long first pass is not a hang.
    let _watchdog = watchdog::spawn(daemon.progress.clone(), daemon.stall_limit());
    daemon.commit_store();
    daemon
        .tell_about_files(None, &crate::config::diff::ConfigDiff::default())
        .await;
    if opts.once {
        return Ok(run_once(daemon).await);
    }
    let mut l = Loop::start(&mut daemon, shutdown).await?;
    notify(&[
        sd_notify::NotifyState::Ready,
        sd_notify::NotifyState::Status("ready; first pass"),
    ]);
    l.pass(&mut daemon, Retry::All).await;
    while l.next(&mut daemon).await {}
    Ok(l.stop(&mut daemon).await)
}

/// The config loaded (with last good copies), said in the log, and the
/// daemon built on it.
fn start(opts: &RunOptions, shutdown: Shutdown) -> Result<Daemon, DaemonError> {
    let env = Env::from_process();
    let live = load_live(&opts.config, &env)?;
    let cfg = &live.config;
    info!(
        version = env!("CARGO_PKG_VERSION"),
        tzdata = chrono_tz::IANA_TZDB_VERSION,
        timezone = %cfg.service.timezone,
        cases = cfg.case_count(),
        bills = cfg.bill_count(),
        files = live.files.len(),
        left_out = live.left_out().count(),
        state_dir = %cfg.service.state_dir.display(),
        "docket starting"
    );
    if live.main.state != State::InEffect {
        error!(
            file = %live.main.path.display(),
            "THE MAIN CONFIG ON DISK HAS ERRORS: starting on its last good copy; fix it (docket check)"
        );
    }
    Daemon::new(live, env, opts.clock, shutdown)
}

/// `run --once`: one pass, then the status, the feeds and the heartbeat
/// finished before the process ends.
async fn run_once(mut daemon: Daemon) -> PassOutcome {
    let outcome = daemon.pass(Retry::All).await;
    daemon.write_status(None);
    if let Some(w) = daemon.outputs.feeds.take() {
        w.finish().await;
    }
    if let Some(h) = daemon.outputs.heartbeat.take() {
        h.finish().await;
    }
    outcome
}

/// What the running loop owns besides the daemon: what wakes it (the
/// schedule's ticks, SIGHUP, the watcher's events, the watch's self-check,
/// the stop) and the outcome of the last pass, which `status` reports.
/// Kept apart from [`Daemon`], which a pass needs; this only decides when
/// a pass or a reload runs.
struct Loop {
    shutdown: Shutdown,
    tick_tx: tokio::sync::mpsc::Sender<()>,
    tick_rx: tokio::sync::mpsc::Receiver<()>,
    sched: Scheduler,
    hup: tokio::signal::unix::Signal,
    watch_tx: tokio::sync::mpsc::UnboundedSender<Changed>,
    watch_rx: tokio::sync::mpsc::UnboundedReceiver<Changed>,
    watcher: watch::Watcher,
    /// The watch's self-check (and, while polling, the look at the files).
    check: tokio::time::Interval,
    /// When inotify was last tried while polling.
    last_try: std::time::Instant,
    /// When a rejected main file was last looked at while polling.
    last_rejected: Option<std::time::Instant>,
    last: PassOutcome,
}

impl Loop {
    /// The schedule started, SIGHUP handled, the config directories
    /// watched (or polled, when the kernel refuses).
    async fn start(daemon: &mut Daemon, shutdown: Shutdown) -> Result<Loop, DaemonError> {
        let (tick_tx, tick_rx) = tokio::sync::mpsc::channel::<()>(4);
        let sched = Scheduler::start(daemon.in_effect.cfg(), tick_tx.clone()).await?;
        let hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).map_err(
            |cause| DaemonError::Signal {
                signal: "SIGHUP",
                cause,
            },
        )?;
        let (watch_tx, watch_rx) = tokio::sync::mpsc::unbounded_channel::<Changed>();
        let watcher = watch::Watcher::start(&daemon.in_effect.watched_dirs(), watch_tx.clone());
        watch_mode(daemon, &watcher).await;
        let mut check = tokio::time::interval(watch::CHECK);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Ok(Loop {
            shutdown,
            tick_tx,
            tick_rx,
            sched,
            hup,
            watch_tx,
            watch_rx,
            watcher,
            check,
            last_try: std::time::Instant::now(),
            last_rejected: None,
            last: PassOutcome::default(),
        })
    }

    /// A pass, its outcome kept and told to systemd.
    async fn pass(&mut self, daemon: &mut Daemon, retry: Retry) {
        self.last = daemon.pass(retry).await;
        status(daemon, &self.last);
    }

    /// Wait for what wakes the loop and handle it: a scheduled pass or a
    /// retry (with a look at the files first), an edit, SIGHUP, the
    /// watch's self-check. False once docket is stopping.
    async fn next(&mut self, daemon: &mut Daemon) -> bool {
        if self.shutdown.is_stopping() {
            return false;
        }
        let retry_in = wait_plan(daemon);
        let sleep = async {
            match retry_in {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(sleep);
        // The self-check of the watch wakes this loop every few seconds;
        // only what calls for a reload or a pass leaves it.
        loop {
            tokio::select! {
                _ = self.shutdown.stopped() => return false,
                _ = self.check.tick() => {
                    if let Some(r) = self_check(daemon, &mut self.watcher, &self.watch_tx, &mut self.last_try, &mut self.last_rejected).await {
                        self.after_reload(daemon, r).await;
                        return true;
                    }
                }
                Some(()) = self.tick_rx.recv() => {
                    // Anything a watch missed is read before the pass.
                    self.reload_then_pass(daemon, Retry::All).await;
                    return true;
                }
                _ = &mut sleep => {
                    let retry = if daemon.pass_retry.is_some() { Retry::All } else { Retry::DueOnly };
                    self.reload_then_pass(daemon, retry).await;
                    return true;
                }
                Some(first) = self.watch_rx.recv() => {
                    let changed = watch::settle(&mut self.watch_rx, first).await;
                    // A directory replaced is watched anew before it is read:
                    // a file written meanwhile is then either read or an event.
                    let changed = if rewatch_if_replaced(daemon, &mut self.watcher, &self.watch_tx).await {
                        Changed::Anything
                    } else {
                        changed
                    };
                    let r = daemon.reload(Reason::Files, &changed).await;
                    self.after_reload(daemon, r).await;
                    return true;
                }
                _ = self.hup.recv() => {
                    self.on_hup(daemon).await;
                    return true;
                }
            }
        }
    }

    /// The look at every file before a pass, then the pass (which the
    /// reload's own actions may already have run).
    async fn reload_then_pass(&mut self, daemon: &mut Daemon, retry: Retry) {
        let r = daemon.reload(Reason::Files, &Changed::Anything).await;
        if !self.after_reload(daemon, r).await {
            self.pass(daemon, retry).await;
        }
    }

    /// Apply what a reload found. Returns whether a pass ran.
    async fn after_reload(&mut self, daemon: &mut Daemon, r: Reloaded) -> bool {
        match r {
            Reloaded::Ready(u) => self.apply(daemon, *u).await,
            Reloaded::Unchanged | Reloaded::Rejected => false,
        }
    }

    /// SIGHUP (`systemctl reload`): inotify tried again (after a limit
    /// was raised), a replaced directory followed, everything read again.
    async fn on_hup(&mut self, daemon: &mut Daemon) {
        notify(&[
            sd_notify::NotifyState::Reloading,
            sd_notify::NotifyState::Status("reloading"),
        ]);
        self.watcher =
            watch::Watcher::start(&daemon.in_effect.watched_dirs(), self.watch_tx.clone());
        self.last_try = std::time::Instant::now();
        watch_mode(daemon, &self.watcher).await;
        let r = daemon.reload(Reason::Signal, &Changed::Anything).await;
        let applied = matches!(r, Reloaded::Ready(_));
        self.after_reload(daemon, r).await;
        notify(&[sd_notify::NotifyState::Ready]);
        if !applied {
            status(daemon, &self.last);
        }
    }

    /// The one place a reload is applied: the new config put in effect,
    /// then each of its actions in order, then what every reload ends
    /// with (the good copies kept, the people told), then what the loop
    /// owns (the schedule, the watches) and the pass. Nothing here can
    /// refuse the config any more. Returns whether a pass ran.
    async fn apply(&mut self, daemon: &mut Daemon, u: Update) -> bool {
        let Update {
            live,
            diff,
            actions,
            mut templates,
            mut ledger,
            started,
        } = u;
        let old = daemon.put_in_effect(live, &diff, started);
        let mut old = Some(old);
        let mut passed = false;
        let mut steps = actions;
        steps.push(Action::Settle);
        steps.sort();
        for a in steps {
            match a {
                Action::MoveLedger => {
                    if let Some(m) = ledger.take() {
                        daemon.records.move_to(m);
                    }
                }
                Action::RebuildMailer => daemon.rebuild_mailer(templates.take()),
                Action::RebuildOutputs => daemon.setup_outputs(),
                Action::Settle => {
                    if let Some(old) = old.take() {
                        daemon.settle(old, &diff).await;
                    }
                }
                Action::RestartScheduler => self.restart_scheduler(daemon).await,
                Action::Rewatch => {
                    rewatch_if_replaced(daemon, &mut self.watcher, &self.watch_tx).await;
                }
                Action::Pass => {
                    // What the change made due today is sent now.
                    self.pass(daemon, Retry::All).await;
                    passed = true;
                }
            }
        }
        passed
    }

    /// Start the new schedule before stopping the old one: if it cannot
    /// start, the old one keeps running and the admin is told.
    async fn restart_scheduler(&mut self, daemon: &mut Daemon) {
        match Scheduler::start(daemon.in_effect.cfg(), self.tick_tx.clone()).await {
            Ok(new) => std::mem::replace(&mut self.sched, new).stop().await,
            Err(e) => {
                let alert = alert_texts::Alert::scheduler_restart(daemon.today(), &e);
                daemon.alert(alert).await;
            }
        }
    }

    /// Stopping: systemd told, the schedule stopped, the status written.
    async fn stop(self, daemon: &mut Daemon) -> PassOutcome {
        notify(&[
            sd_notify::NotifyState::Stopping,
            sd_notify::NotifyState::Status("stopping"),
        ]);
        self.sched.stop().await;
        daemon.write_status(None);
        info!("docket stopped");
        self.last
    }
}

/// The status written with the next scheduled pass, the wait logged, and
/// how long until the next retry (at least [`MIN_RETRY_WAIT`]), if any.
fn wait_plan(daemon: &Daemon) -> Option<std::time::Duration> {
    let next_pass = scheduler::next_run(
        &daemon.in_effect.cfg().service.schedule,
        daemon.in_effect.cfg().service.timezone,
        daemon.clock.wall(),
    );
    daemon.write_status(next_pass);
    let retry_in = daemon.next_retry().map(|t| {
        let wait = (t - daemon.now()).to_std().unwrap_or_default();
        if wait < MIN_RETRY_WAIT {
            warn!(
                wait_ms = wait.as_millis() as u64,
                "next retry is due at once; waiting the minimum instead"
            );
        }
        wait.max(MIN_RETRY_WAIT)
    });
    match (retry_in, next_pass) {
        (Some(w), _) => info!(
            retry_in_secs = w.as_secs(),
            "waiting for the next retry or scheduled pass"
        ),
        (None, Some(t)) => {
            info!(next_pass = %t.with_timezone(&daemon.in_effect.cfg().service.timezone).to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "idle until the next scheduled pass")
        }
        (None, None) => info!("idle until the next scheduled pass"),
    }
    retry_in
}

/// Watch anew when the directories, or what is behind their paths,
/// changed (a `cases.d` moved aside and re-created, swapped for a
/// symlink, a symlink retargeted). Returns whether it did.
async fn rewatch_if_replaced(
    daemon: &mut Daemon,
    watcher: &mut watch::Watcher,
    tx: &tokio::sync::mpsc::UnboundedSender<Changed>,
) -> bool {
    let dirs = daemon.in_effect.watched_dirs();
    if watcher.watches(&dirs) {
        return false;
    }
    info!("a config directory changed or was replaced; watching it anew");
    *watcher = watch::Watcher::start(&dirs, tx.clone());
    watch_mode(daemon, watcher).await;
    true
}

/// Every [`watch::CHECK`]: with inotify, is the watch still on what the
/// paths name? While polling, have the files changed, and does inotify
/// work again (every [`watch::RETRY`])? Returns a reload that was done.
async fn self_check(
    daemon: &mut Daemon,
    watcher: &mut watch::Watcher,
    tx: &tokio::sync::mpsc::UnboundedSender<Changed>,
    last_try: &mut std::time::Instant,
    last_rejected: &mut Option<std::time::Instant>,
) -> Option<Reloaded> {
    if daemon.outputs.watch.is_polling() {
        if last_try.elapsed() >= watch::RETRY {
            *last_try = std::time::Instant::now();
            *watcher = watch::Watcher::start(&daemon.in_effect.watched_dirs(), tx.clone());
            watch_mode(daemon, watcher).await;
        }
        // A main file rejected stays "changed" until it is fixed: looked
        // at again only every RETRY, not every CHECK (its errors would be
        // logged every two seconds).
        if last_rejected.is_some_and(|t| t.elapsed() < watch::RETRY)
            || !daemon.in_effect.changed_on_disk(&Changed::Anything)
        {
            return None;
        }
        let r = daemon.reload(Reason::Files, &Changed::Anything).await;
        *last_rejected = matches!(r, Reloaded::Rejected).then(std::time::Instant::now);
        return Some(r);
    }
    if rewatch_if_replaced(daemon, watcher, tx).await {
        return Some(daemon.reload(Reason::Files, &Changed::Anything).await);
    }
    None
}

/// Take the watcher's state into the daemon's: polling starts or ends,
/// the admin is told (once each time), status.json and the metrics say so.
async fn watch_mode(daemon: &mut Daemon, w: &watch::Watcher) {
    let was = daemon.outputs.watch.clone();
    match (w.failure(), was.is_polling()) {
        (Some(reason), false) => {
            let since = daemon.clock.wall();
            daemon.outputs.watch = crate::status::Watch {
                mode: "polling".into(),
                reason: Some(reason.to_string()),
                since: Some(since),
                poll_every_secs: Some(watch::CHECK.as_secs()),
            };
            let (check, retry) = (watch::CHECK.as_secs(), watch::RETRY.as_secs());
            let alert = alert_texts::Alert::watch_polling(since, reason, check, retry);
            daemon.alert(alert).await;
        }
        (None, true) => {
            let since = was.since.map(|t| t.timestamp()).unwrap_or_default();
            daemon.outputs.watch = crate::status::Watch::inotify();
            info!("the config files are watched again (inotify); polling stopped");
            daemon
                .alert(alert_texts::Alert::watch_recovered(since))
                .await;
        }
        _ => return,
    }
    let next = scheduler::next_run(
        &daemon.in_effect.cfg().service.schedule,
        daemon.in_effect.cfg().service.timezone,
        daemon.clock.wall(),
    );
    daemon.write_status(next);
    daemon.rewrite_metrics();
}

/// The config at start: every file on its own, the last good copies in
/// effect for broken ones. Fails only without a usable main file.
fn load_live(path: &Path, env: &Env) -> Result<Live, DaemonError> {
    let live =
        Live::load_in_effect(path, env, true).map_err(|f| DaemonError::Config(f.diagnostics))?;
    for w in live.diagnostics.warnings() {
        warn!("{}", live.diagnostics.headline(w, Quoting::Masked));
    }
    for e in live.diagnostics.errors() {
        error!("{}", live.diagnostics.headline(e, Quoting::Masked));
    }
    Ok(live)
}

/// systemd notification; a no-op without `NOTIFY_SOCKET`.
fn notify(states: &[sd_notify::NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(false, states) {
        warn!(error = %e, "sd_notify failed");
    }
}

fn status(d: &Daemon, last: &PassOutcome) {
    let s = format!(
        "{} cases; last pass: {} digest(s) sent, {} failed{}",
        d.in_effect.cfg().case_count(),
        last.digests_sent,
        last.digests_failed,
        if last.error.is_some() {
            "; the pass failed and is retried"
        } else {
            ""
        }
    );
    notify(&[sd_notify::NotifyState::Status(&s)]);
}
