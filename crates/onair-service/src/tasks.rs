//! Background work owned by the application: every task the services start is spawned on
//! one [`TaskTracker`] and watches one [`CancellationToken`], so that the runner can stop
//! them together and wait until each has finished what it holds.

use std::future::Future;

use tokio_util::{
    sync::{CancellationToken, WaitForCancellationFuture},
    task::TaskTracker,
};

#[derive(Clone, Default)]
pub struct Tasks {
    tracker: TaskTracker,
    cancel: CancellationToken,
}

impl Tasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `task` in the background until it returns; it should return soon after
    /// [`Tasks::cancelled`] resolves.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(task);
    }

    /// Resolves when shutdown begins.
    pub fn cancelled(&self) -> WaitForCancellationFuture<'_> {
        self.cancel.cancelled()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The token that starts shutdown, for the runner to link to its own.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Asks every task to stop, then waits until all of them have.
    pub async fn shutdown(&self) {
        self.cancel.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }

    /// Tasks still running.
    pub fn running(&self) -> usize {
        self.tracker.len()
    }
}
