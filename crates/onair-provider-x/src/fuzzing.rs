//! X's answers read without a network, for the fuzz targets in `fuzz/`: the same status,
//! header and body handling the provider applies to every answer. Hidden from the docs and
//! not part of the crate's API.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use onair_core::{LookupOutcome, ProviderError, RateLimitSnapshot, Space};
use reqwest::header::HeaderMap;

use crate::budget::{Budgets, Denied};
use crate::endpoint::Endpoint;
use crate::provider::{by_status, read_chunk, read_list, read_lookup};

/// The X call an answer is for.
#[derive(Debug, Clone, Copy)]
pub enum Call<'a> {
    /// `GET /2/spaces/{id}`.
    Lookup(&'a str),
    /// `GET /2/spaces?ids=` for these distinct, valid ids.
    LookupMany(&'a [&'a str]),
    /// `GET /2/spaces/by/creator_ids`.
    ByCreators,
    /// `GET /2/spaces/search`.
    Search,
}

/// What the provider reads from an answer.
#[derive(Debug)]
pub enum Read {
    Space(Box<Space>),
    Outcomes(HashMap<String, LookupOutcome>),
    Spaces(Vec<Space>),
}

/// Whether the budget lets the next call with the same credential go.
#[derive(Debug, PartialEq)]
pub enum NextCall {
    Sent,
    Refused(ProviderError),
    /// Held until an answer in flight tells the budget.
    Waits,
}

#[derive(Debug)]
pub struct Answered {
    pub read: Result<Read, ProviderError>,
    /// The budgets after the answer, as `/v1/networks` would report them.
    pub budgets: Vec<RateLimitSnapshot>,
    /// The next call right after the answer.
    pub next_now: NextCall,
    /// The next call once every reset and hold the answer named has passed.
    pub next_later: NextCall,
    pub now: DateTime<Utc>,
}

/// Reads one answer of X to `call` and records it in a fresh budget.
pub fn answer(call: Call<'_>, status: u16, headers: &HeaderMap, body: &[u8]) -> Answered {
    let (endpoint, lookup_id) = match call {
        Call::Lookup(id) => (Endpoint::SpaceById, Some(id)),
        Call::LookupMany(_) => (Endpoint::SpacesByIds, None),
        Call::ByCreators => (Endpoint::SpacesByCreatorIds, None),
        Call::Search => (Endpoint::SpacesSearch, None),
    };
    const CREDENTIAL: &str = "fuzz";
    let budgets = Budgets::default();
    let now = Utc::now();
    let outcome = by_status(status, headers, body.to_vec(), lookup_id);
    // A fresh bucket always lets the first call through.
    #[allow(clippy::expect_used)]
    let permit = budgets
        .try_acquire(CREDENTIAL, endpoint, now)
        .map_err(|_| ())
        .expect("a fresh budget refused its first call");
    permit.finish(Some(headers), outcome.as_ref().err(), now);
    let read = outcome.and_then(|body| match call {
        Call::Lookup(id) => read_lookup(id, &body).map(|s| Read::Space(Box::new(s))),
        Call::LookupMany(chunk) => read_chunk(chunk, &body).map(Read::Outcomes),
        Call::ByCreators | Call::Search => read_list(&body, endpoint).map(Read::Spaces),
    });
    let snapshots = budgets.snapshots();
    let next = |at| match budgets.try_acquire(CREDENTIAL, endpoint, at) {
        Ok(_permit) => NextCall::Sent,
        Err(Denied::Refused(e)) => NextCall::Refused(e),
        Err(Denied::Wait) => NextCall::Waits,
    };
    let next_now = next(now);
    // Past every reset the answer named, and past the longest hold onair sets by itself.
    let named_resets = snapshots
        .iter()
        .filter_map(|s| s.reset_at)
        .chain(match &read {
            Err(ProviderError::RateLimited { reset_at, .. }) => *reset_at,
            _ => None,
        });
    let later = named_resets
        .fold(now, DateTime::max)
        .checked_add_signed(TimeDelta::minutes(5))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let next_later = next(later);
    Answered {
        read,
        budgets: snapshots,
        next_now,
        next_later,
        now,
    }
}
