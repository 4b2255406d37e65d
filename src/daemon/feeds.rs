//! Writing the calendar feeds off the daemon's path: a task of its own
//! that takes the latest (config, day) after each pass and makes the feeds
//! on a blocking thread. At 100,000 cases the events take ~0.3 s to build
//! and a large feed ~1 s to render; a pass, a signal or a send must not
//! wait for that. Only the latest request matters: one that arrives while
//! a write runs replaces any waiting one.
//!
//! Per feed, a hash of its events and their revisions says whether the
//! file on disk is already what would be written: the daily pass rewrites
//! only the feeds whose events changed. Revisions are kept in the ledger
//! database through a connection of this task's own (SQLite in WAL mode
//! serialises the writers); without a ledger on disk, in memory.
//!
//! One feed at a time: its events made, its revisions read, its file
//! rendered and written, then dropped before the next. At 100,000 cases
//! all the feeds' events and revisions at once were ~120 MB on top of the
//! idle daemon, its highest point.

use crate::config::model::Config;
use crate::feed::{self, Revision};
use crate::ledger::{FeedRevisions, Ledger};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::watch;
use tracing::{debug, error, warn};

/// What to write.
#[derive(Clone)]
pub struct Job {
    pub cfg: Arc<Config>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// What the last write did, for the metrics and the heartbeat.
#[derive(Debug, Default)]
pub struct Report {
    pub events: AtomicU64,
    pub failed: AtomicBool,
    /// Writes finished (for `finish` and the tests).
    pub done: AtomicU64,
}

pub struct FeedWriter {
    tx: watch::Sender<Option<Job>>,
    task: tokio::task::JoinHandle<()>,
    pub report: Arc<Report>,
}

/// What the task keeps between writes.
#[derive(Default)]
struct State {
    ledger: Option<(PathBuf, Ledger)>,
    /// The revisions when there is no ledger to keep them in.
    in_memory: FeedRevisions,
    /// Per feed: the hash of what is on disk.
    written: HashMap<String, u64>,
    /// The config and day of the last write that succeeded: the feeds
    /// depend on nothing else, so a retry pass (a digest resent while the
    /// relay was down) asks for nothing new. Weak: an old config is not
    /// kept alive for this (and its address cannot be reused while held).
    last: Option<(std::sync::Weak<Config>, NaiveDate)>,
}

impl FeedWriter {
    pub fn spawn() -> FeedWriter {
        let (tx, mut rx) = watch::channel::<Option<Job>>(None);
        let report = Arc::new(Report::default());
        let r = Arc::clone(&report);
        let task = tokio::spawn(async move {
            let mut state = Some(State::default());
            while rx.changed().await.is_ok() {
                let Some(job) = rx.borrow_and_update().clone() else {
                    continue;
                };
                let mut st = state.take().unwrap_or_default();
                let r2 = Arc::clone(&r);
                let joined = tokio::task::spawn_blocking(move || {
                    write(&mut st, &job, &r2);
                    st
                })
                .await;
                match joined {
                    Ok(st) => state = Some(st),
                    Err(e) => {
                        warn!(error = %e, "the feed writer failed; starting afresh");
                        r.failed.store(true, Ordering::Relaxed);
                    }
                }
                r.done.fetch_add(1, Ordering::Release);
            }
        });
        FeedWriter { tx, task, report }
    }

    /// Write the feeds for `job` when the task gets to it; never waits.
    pub fn request(&self, job: Job) {
        let _ = self.tx.send(Some(job));
    }

    /// Finish the write in hand (and a waiting one), then stop: for
    /// `run --once`, which exits after its pass.
    pub async fn finish(self) {
        drop(self.tx);
        if tokio::time::timeout(std::time::Duration::from_secs(300), self.task)
            .await
            .is_err()
        {
            warn!("calendar feeds still being written at exit");
        }
    }
}

/// Write the feeds of `job`; false when they were already written for its
/// config and day.
fn write(st: &mut State, job: &Job, report: &Report) -> bool {
    let started = std::time::Instant::now();
    let cfg = &job.cfg;
    if st.has_written(job) {
        debug!("calendar feeds already written for this config and day");
        return false;
    }
    st.open_ledger(&cfg.service.state_dir);
    let items = crate::engine::items(cfg);
    let plans = feed::plan(cfg, &items, job.today);
    let t_build = started.elapsed();
    let names: Vec<String> = plans.iter().map(|f| f.name.clone()).collect();
    let revised = st.revise(job, &plans, &names);
    let t_render = started.elapsed();
    let rewritten = st.save(job, revised.rendered, revised.failed, &names, report);
    report.events.store(revised.events, Ordering::Relaxed);
    debug!(
        feeds = plans.len(),
        rewritten,
        events = revised.events,
        revisions_written = revised.rows,
        build_ms = t_build.as_millis() as u64,
        render_ms = (t_render - t_build).as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "calendar feeds written"
    );
    drop(plans);
    drop(items);
    if let Some((_, l)) = &st.ledger {
        l.release_cache();
    }
    // This runs on a blocking thread with a heap of its own: at 100,000
    // cases the items, a feed's order and revisions and the revisions read
    // from the ledger briefly take ~25 MB, which an idle thread would
    // otherwise keep.
    crate::sys::release_memory();
    true
}

/// What [`State::revise`] made of the feeds.
struct Revised {
    /// (feed name, hash) of the feeds whose file was written again: each
    /// is rendered and written before the next is rendered, so only one
    /// feed's text is in memory at a time (at 100,000 cases they are
    /// ~80 MB together).
    rendered: Vec<(String, u64)>,
    /// Why the feeds could not all be written, if so.
    failed: Option<std::io::Error>,
    /// Events in all the feeds, for the metrics.
    events: u64,
    /// Revision rows written to the ledger, for the log.
    rows: usize,
}

impl State {
    /// The feeds depend on nothing but the config and the day: for the
    /// same ones (a retry pass) there is nothing to write, unless a file
    /// went missing from disk (someone removed it; it is written again).
    fn has_written(&self, job: &Job) -> bool {
        let cfg = &job.cfg;
        let same = self.last.as_ref().is_some_and(|(c, day)| {
            std::sync::Weak::ptr_eq(c, &Arc::downgrade(cfg)) && *day == job.today
        });
        let dir = &cfg.service.feeds_dir;
        same && self
            .written
            .keys()
            .all(|n| dir.join(format!("{n}.ics")).is_file())
    }

    /// Have the ledger at hand: open the one of `state_dir` (again when
    /// it moved). Not having it is no reason not to write the feeds: the
    /// revisions then live in memory.
    fn open_ledger(&mut self, state_dir: &Path) {
        if self.ledger.as_ref().is_none_or(|(p, _)| p != state_dir) {
            self.ledger = match Ledger::open(state_dir) {
                Ok(l) => Some((state_dir.to_path_buf(), l)),
                Err(e) => {
                    warn!(error = %e, "feeds: cannot open the ledger; revisions kept in memory");
                    None
                }
            };
        }
    }

    /// What is known of feed `name`'s events: from the ledger (read per
    /// feed, so only one feed's are in memory), or from memory without
    /// one. Unreadable ones only give every event a new stamp.
    fn known(&mut self, name: &str, warned: &mut bool) -> HashMap<u64, Revision> {
        match self.ledger.as_ref() {
            Some((_, l)) => l.feed_revisions_of(name).unwrap_or_else(|e| {
                if !std::mem::replace(warned, true) {
                    warn!(error = %e, "feeds: cannot read the revisions; every event gets a new stamp");
                }
                HashMap::new()
            }),
            None => self.in_memory.remove(name).unwrap_or_default(),
        }
    }

    /// Per feed: its events' revisions (a changed event gets a new
    /// sequence, so calendars take the change), kept in the ledger, and
    /// its file rendered only when what it would hold differs from what
    /// is on disk: the daily pass rewrites only the feeds that changed.
    /// The revisions of feeds no longer in `names` are forgotten.
    fn revise(&mut self, job: &Job, plans: &[feed::FeedPlan], names: &[String]) -> Revised {
        let dir = &job.cfg.service.feeds_dir;
        let mut warned = false;
        let mut out = Revised {
            rendered: Vec::new(),
            failed: feed::prepare_dir(dir).err(),
            events: 0,
            rows: 0,
        };
        let current: HashSet<&str> = names.iter().map(String::as_str).collect();
        let (cfg, today) = (&*job.cfg, job.today);
        for p in plans {
            let order = p.order(today);
            let known = &self.known(&p.name, &mut warned);
            let mut revs = Vec::with_capacity(order.len());
            p.each_event(cfg, today, &order, |e| {
                revs.push(feed::revision(&e, known.get(&e.id), job.now))
            });
            out.events += revs.len() as u64;
            let hash = feed_hash(&p.title, &order, &revs);
            let now_map: HashMap<u64, Revision> = order
                .iter()
                .map(|&(_, id, _)| id)
                .zip(revs.iter().copied())
                .collect();
            if let Some((_, l)) = self.ledger.as_mut() {
                match l.update_feed(&p.name, known, &now_map) {
                    Ok(n) => out.rows += n,
                    Err(e) => warn!(error = %e, "feeds: cannot keep the revisions; kept in memory"),
                }
            }
            let stale = self.written.get(&p.name) != Some(&hash)
                || !dir.join(format!("{}.ics", p.name)).is_file();
            if stale && out.failed.is_none() {
                match feed::render_into_file(dir, cfg, p, today, &order, &revs) {
                    Ok(_) => out.rendered.push((p.name.clone(), hash)),
                    Err(e) => out.failed = Some(e),
                }
            }
            if self.ledger.is_none() {
                // Without a ledger the revisions live here; with one they are
                // read back from it at the next write.
                self.in_memory.insert(p.name.clone(), now_map);
            }
        }
        self.in_memory.retain(|k, _| current.contains(k.as_str()));
        self.written.retain(|k, _| current.contains(k.as_str()));
        if let Some((_, l)) = self.ledger.as_mut() {
            let _ = l.keep_feeds(names);
        }
        out
    }

    /// Write the rendered files (and remove those of feeds gone), and
    /// remember what is on disk only if that worked: after a failure the
    /// next request writes everything again, and the heartbeat says the
    /// feeds are failing. How many files were written is returned for the
    /// log.
    fn save(
        &mut self,
        job: &Job,
        rendered: Vec<(String, u64)>,
        failed: Option<std::io::Error>,
        names: &[String],
        report: &Report,
    ) -> usize {
        let dir = &job.cfg.service.feeds_dir;
        let written = rendered.len();
        let done = match failed {
            Some(e) => Err(e),
            None => feed::remove_others(dir, names),
        };
        match done {
            Ok(()) => {
                for (n, h) in rendered {
                    self.written.insert(n, h);
                }
                self.last = Some((Arc::downgrade(&job.cfg), job.today));
                report.failed.store(false, Ordering::Relaxed);
            }
            Err(e) => {
                error!(dir = %dir.display(), error = %e, "cannot write the calendar feeds");
                self.last = None;
                report.failed.store(true, Ordering::Relaxed);
            }
        }
        written
    }
}

/// What a feed's file would hold: its title, events and revisions (an
/// event's content is in its revision's hash).
fn feed_hash(title: &str, order: &[(NaiveDate, u64, u32)], revs: &[Revision]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    title.hash(&mut h);
    for (&(_, id, _), r) in order.iter().zip(revs) {
        (id, r.hash, r.sequence, r.stamp.timestamp()).hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A second request for the same config and day writes nothing (a
    /// retry pass); another config, or a feed gone from disk, does.
    #[test]
    fn the_same_config_and_day_are_written_once() {
        let (dir, mut cfg) = crate::test_support::example();
        cfg.service.state_dir = dir.path().join("state");
        cfg.service.feeds_dir = dir.path().join("feeds");
        let cfg = Arc::new(cfg);
        let today = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
        let job = |cfg: &Arc<Config>| Job {
            cfg: Arc::clone(cfg),
            today,
            now: "2026-12-01T09:00:00Z".parse().unwrap(),
        };
        let (mut st, report) = (State::default(), Report::default());
        assert!(write(&mut st, &job(&cfg), &report));
        assert!(
            !write(&mut st, &job(&cfg), &report),
            "the same config and day"
        );
        let reloaded = Arc::new((*cfg).clone());
        assert!(write(&mut st, &job(&reloaded), &report), "another config");
        let feed = std::fs::read_dir(&cfg.service.feeds_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "ics"))
            .expect("a feed written");
        std::fs::remove_file(&feed).unwrap();
        assert!(write(&mut st, &job(&reloaded), &report), "a feed gone");
        assert!(feed.is_file(), "written again");
    }
}
