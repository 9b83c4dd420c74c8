//! Batching: lookups for one network and credential that arrive together leave together,
//! in one batch call of up to the network's batch size. A lookup waits at most the batch
//! window (a few milliseconds) from its arrival for company, or longer only while a call is
//! in flight: one call is in flight per network and credential at a time, so under load
//! the next batch fills up during the call and batches grow by themselves. That also keeps
//! upstream rate budgets in reach.
//!
//! Even a lone id goes through the network's batch call (for X, `/2/spaces?ids=`, not
//! `/2/spaces/{id}`): X budgets each endpoint separately, so keeping every lookup on one
//! endpoint lets each call carry whatever else is waiting, and spends one budget instead
//! of splitting it across two. The answers are the same; an id X does not have comes back
//! as a partial error (`resource-not-found`) for that id alone, and becomes a not-found for
//! it while the other ids of the call are answered.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use onair_core::{CallContext, LiveAudioProvider, LookupOutcome, NetworkId, ProviderError};
use tokio::{
    sync::{mpsc, oneshot},
    time::Instant,
};

use crate::{metrics, tasks::Tasks};

/// How long an idle batcher task lingers before it exits.
const IDLE: Duration = Duration::from_secs(60);

#[derive(Clone, PartialEq, Eq, Hash)]
struct BatchKey {
    network: NetworkId,
    credential: Option<String>,
}

struct Pending {
    id: String,
    arrived: Instant,
    reply: oneshot::Sender<LookupOutcome>,
}

pub(super) struct Batchers {
    window: Duration,
    tasks: Tasks,
    queues: Mutex<HashMap<BatchKey, mpsc::UnboundedSender<Pending>>>,
}

impl Batchers {
    pub(super) fn new(window: Duration, tasks: Tasks) -> Self {
        Self {
            window,
            tasks,
            queues: Mutex::new(HashMap::new()),
        }
    }

    /// Looks up one id as part of the next batch for its network and credential.
    pub(super) async fn submit(
        &self,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
        id: &str,
    ) -> LookupOutcome {
        let key = BatchKey {
            network: provider.id().clone(),
            credential: ctx.credential.as_ref().map(|c| c.fingerprint().to_owned()),
        };
        let (reply, answer) = oneshot::channel();
        let mut pending = Pending {
            id: id.to_owned(),
            arrived: Instant::now(),
            reply,
        };
        loop {
            let queue = self.queue(&key, provider, ctx);
            match queue.send(pending) {
                Ok(()) => break,
                // The batcher exited while idle; start a fresh one.
                Err(mpsc::error::SendError(p)) => {
                    pending = p;
                    self.forget(&key, &queue);
                }
            }
        }
        answer.await.unwrap_or_else(|_| {
            Err(ProviderError::Unavailable {
                status: None,
                detail: "the lookup was dropped before the network answered".into(),
            })
        })
    }

    fn queue(
        &self,
        key: &BatchKey,
        provider: &Arc<dyn LiveAudioProvider>,
        ctx: &CallContext,
    ) -> mpsc::UnboundedSender<Pending> {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(q) = queues.get(key).filter(|q| !q.is_closed()) {
            return q.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let max = provider.capabilities().max_lookup_batch.max(1);
        self.tasks.spawn(run(
            provider.clone(),
            ctx.clone(),
            rx,
            self.window,
            max,
            self.tasks.clone(),
        ));
        queues.insert(key.clone(), tx.clone());
        tx
    }

    fn forget(&self, key: &BatchKey, dead: &mpsc::UnboundedSender<Pending>) {
        let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
        if queues.get(key).is_some_and(|q| q.same_channel(dead)) {
            queues.remove(key);
        }
    }
}

async fn run(
    provider: Arc<dyn LiveAudioProvider>,
    ctx: CallContext,
    mut rx: mpsc::UnboundedReceiver<Pending>,
    window: Duration,
    max: usize,
    tasks: Tasks,
) {
    // When the last call returned: lookups that queued during it get a fresh window from
    // then, because their clients' other requests arrive as the answers go out.
    let mut last_call_end: Option<Instant> = None;
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(IDLE, rx.recv()) => next.ok(),
            () = tasks.cancelled() => None,
        };
        let first = match next {
            Some(Some(p)) => p,
            Some(None) => return,
            // Idle for long, or shutting down.
            None => {
                // Refuse new work, then finish what raced in before the close.
                rx.close();
                let mut rest = Vec::new();
                while let Ok(p) = rx.try_recv() {
                    rest.push(p);
                }
                for chunk in chunks(rest, max) {
                    send(&provider, &ctx, chunk).await;
                }
                return;
            }
        };
        // A batch waits one window for company, counted from the oldest lookup's arrival or
        // from the end of the last call, whichever is later: right after a call, the
        // clients it answered send their next requests, and those should fill this batch
        // rather than the one after. A full batch goes at once.
        let start = last_call_end.map_or(first.arrived, |end| end.max(first.arrived));
        let deadline = start + window;
        let mut batch = vec![first];
        while batch.len() < max {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(p)) => batch.push(p),
                Ok(None) | Err(_) => break,
            }
        }
        send(&provider, &ctx, batch).await;
        last_call_end = Some(Instant::now());
    }
}

fn chunks(items: Vec<Pending>, max: usize) -> Vec<Vec<Pending>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for p in items {
        current.push(p);
        if current.len() == max {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

async fn send(provider: &Arc<dyn LiveAudioProvider>, ctx: &CallContext, batch: Vec<Pending>) {
    // Coalescing upstream of here makes duplicates rare; send each id once regardless.
    let mut waiters: HashMap<String, Vec<oneshot::Sender<LookupOutcome>>> = HashMap::new();
    let mut ids = Vec::new();
    for p in batch {
        let entry = waiters.entry(p.id.clone()).or_default();
        if entry.is_empty() {
            ids.push(p.id);
        }
        entry.push(p.reply);
    }
    metrics::batch_sent(provider.id(), ids.len());
    let answer = match provider.lookup_capability() {
        Ok(lookups) => lookups.lookup_many(ctx, &ids).await,
        Err(e) => Err(e),
    };
    match answer {
        Ok(outcomes) => {
            let mut outcomes = outcomes.into_iter();
            for id in &ids {
                let outcome = outcomes.next().unwrap_or_else(|| {
                    Err(ProviderError::MalformedResponse {
                        detail: "the batch answer had fewer items than asked".into(),
                    })
                });
                for reply in waiters.remove(id).unwrap_or_default() {
                    let _ = reply.send(outcome.clone());
                }
            }
        }
        Err(e) => {
            for reply in waiters.into_values().flatten() {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}
