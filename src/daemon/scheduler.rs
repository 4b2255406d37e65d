//! The cron schedule. Its job only sends a tick to the main loop: jobs
//! are async (a panicking sync job in tokio-cron-scheduler never runs
//! again) and do no work themselves, so the pass logic has one home and
//! one error path. Missed runs are not the scheduler's business: the
//! ledger decides what is due, so a pass after downtime catches up.

use crate::config::model::Config;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tracing::warn;

/// The message ends with the cause, which `source()` therefore does not
/// return: the cause is printed once (issue 19).
#[derive(Debug, thiserror::Error)]
#[error("scheduler: {0}")]
pub struct SchedulerError(tokio_cron_scheduler::JobSchedulerError);

impl From<tokio_cron_scheduler::JobSchedulerError> for SchedulerError {
    fn from(e: tokio_cron_scheduler::JobSchedulerError) -> SchedulerError {
        SchedulerError(e)
    }
}

pub struct Scheduler {
    inner: tokio_cron_scheduler::JobScheduler,
}

impl Scheduler {
    pub async fn start(cfg: &Config, tx: mpsc::Sender<()>) -> Result<Scheduler, SchedulerError> {
        let inner = tokio_cron_scheduler::JobScheduler::new().await?;
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
        )?;
        inner.add(job).await?;
        inner.start().await?;
        Ok(Scheduler { inner })
    }

    pub async fn stop(mut self) {
        if let Err(e) = self.inner.shutdown().await {
            warn!(error = %e, "scheduler shutdown");
        }
    }
}

/// When `schedule` fires next after `now`, for logs and `docket status`.
pub fn next_run(schedule: &str, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let cron = croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(schedule)
        .ok()?;
    cron.find_next_occurrence(&now.with_timezone(&tz), false)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    /// Issue 19 (see `failure::tests::error_causes_are_printed_once`):
    /// "scheduler: {0}" and `source()` both gave the cause.
    #[test]
    fn error_causes_are_printed_once_scheduler() {
        let job = || tokio_cron_scheduler::JobSchedulerError::CantAdd;
        let cause = job().to_string();
        let count = |e: super::super::DaemonError| {
            format!("{:#}", anyhow::Error::new(e))
                .matches(&cause)
                .count()
        };
        let e = super::super::DaemonError::from(super::SchedulerError::from(job()));
        assert_eq!(count(e), 1, "DaemonError::Scheduler");
    }
}
