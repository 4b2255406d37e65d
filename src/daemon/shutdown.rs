//! The stop signal, passed into [`super::run`] as a future (mini-redis
//! style) and shared as a watch: a pass checks it between digests, and a
//! send in flight gets a bounded grace after it.

use std::future::Future;
use tokio::sync::watch;

/// A cheap, cloneable view of "has a stop been asked for?".
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// Watch `signal` on its own task, so that a signal during a pass is
    /// seen between two digests, not after the whole pass.
    pub fn watch(signal: impl Future<Output = ()> + Send + 'static) -> Shutdown {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            signal.await;
            let _ = tx.send(true);
        });
        Shutdown { rx }
    }

    /// A stop that never comes (one-shot commands).
    pub fn never() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive for as long as the receiver: a dropped
        // sender would read as "changed" forever.
        std::mem::forget(tx);
        Shutdown { rx }
    }

    pub fn is_stopping(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once a stop was asked for (at once if it already was).
    pub async fn stopped(&mut self) {
        let _ = self.rx.wait_for(|&s| s).await;
    }
}

/// Wait for SIGTERM or SIGINT.
pub async fn signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = int.recv() => tracing::info!("SIGINT received"),
    }
}
