//! Batching: lookups for one network and credential that arrive together leave together,
//! in one batch call of up to the network's batch size. A batch waits a few milliseconds
//! for company; while a call is in flight the next batch fills up and goes as soon as the
//! call returns, so under load batches grow by themselves. One call is in flight per
//! network and credential at a time, which also keeps upstream rate budgets in reach.

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

use crate::metrics;

/// How long an idle batcher task lingers before it exits.
const IDLE: Duration = Duration::from_secs(60);

#[derive(Clone, PartialEq, Eq, Hash)]
struct BatchKey {
    network: NetworkId,
    credential: Option<String>,
}

struct Pending {
    id: String,
    reply: oneshot::Sender<LookupOutcome>,
}

pub(super) struct Batchers {
    window: Duration,
    queues: Mutex<HashMap<BatchKey, mpsc::UnboundedSender<Pending>>>,
}

impl Batchers {
    pub(super) fn new(window: Duration) -> Self {
        Self {
            window,
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
        tokio::spawn(run(provider.clone(), ctx.clone(), rx, self.window, max));
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
) {
    loop {
        let first = match tokio::time::timeout(IDLE, rx.recv()).await {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(_) => {
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
        let mut batch = vec![first];
        let deadline = Instant::now() + window;
        while batch.len() < max {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(p)) => batch.push(p),
                Ok(None) | Err(_) => break,
            }
        }
        send(&provider, &ctx, batch).await;
        // What arrived during the call goes now, without waiting again.
        loop {
            let mut next = Vec::new();
            while next.len() < max {
                match rx.try_recv() {
                    Ok(p) => next.push(p),
                    Err(_) => break,
                }
            }
            if next.is_empty() {
                break;
            }
            send(&provider, &ctx, next).await;
        }
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
    match provider.lookup_many(ctx, &ids).await {
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
