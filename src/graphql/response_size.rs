//! The bound on the size of an answer. A request is charged, as it reads rows from the database, an
//! estimate of the bytes those rows take in the answer (each column's value and name); once the charge
//! passes `--max-response-bytes`, every further read fails, and the whole answer is replaced by one
//! `RESPONSE_TOO_LARGE` error. So a query that would build tens of megabytes stops near the bound,
//! holding no more than that in memory.

use async_graphql::{ErrorExtensions, Response, ServerError};
use sea_orm::{EntityTrait, IdenStatic, Iterable, ModelTrait, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// What one request (a batch as a whole) may still take: its answer's bytes, and the cost its operations
/// have spent so far (the cost limit bounds their sum).
#[derive(Debug)]
pub struct ResponseBudget {
    limit: usize,
    used: AtomicUsize,
    exceeded: AtomicBool,
    cost: AtomicU64,
}

/// The error code of an answer over the bound.
pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";

impl ResponseBudget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self { limit, used: AtomicUsize::new(0), exceeded: AtomicBool::new(false), cost: AtomicU64::new(0) }
    }

    /// Charges the rows read; refuses once the answer would pass the bound.
    pub fn charge<'a, M: ModelTrait + 'a>(&self, rows: impl IntoIterator<Item = &'a M>) -> async_graphql::Result<()> {
        self.charge_bytes(rows.into_iter().map(estimated_bytes).sum())
    }

    /// The cost the request's operations have been admitted with so far.
    pub fn cost_spent(&self) -> u64 {
        self.cost.load(Ordering::SeqCst)
    }

    /// Adds an admitted operation's cost to the request's.
    pub fn spend_cost(&self, cost: u64) {
        self.cost.fetch_add(cost, Ordering::SeqCst);
    }

    fn charge_bytes(&self, bytes: usize) -> async_graphql::Result<()> {
        let used = self.used.fetch_add(bytes, Ordering::SeqCst) + bytes;
        if used > self.limit {
            self.exceeded.store(true, Ordering::SeqCst);
            return Err(self.error());
        }
        Ok(())
    }

    /// Starts again from nothing: each answer of a subscription has the whole bound.
    pub fn renew(&self) {
        self.used.store(0, Ordering::SeqCst);
        self.exceeded.store(false, Ordering::SeqCst);
    }

    /// Marks the request as past the bound (its answer as written was).
    pub fn exceed(&self) {
        self.exceeded.store(true, Ordering::SeqCst);
    }

    /// Whether the request went past the bound.
    pub fn exceeded(&self) -> bool {
        self.exceeded.load(Ordering::SeqCst)
    }

    /// The answer to give: `response`, or the one `RESPONSE_TOO_LARGE` error if the request went past the
    /// bound (with none of what was read before it, but its extensions).
    pub fn bound(&self, response: Response) -> Response {
        if self.exceeded() { self.refuse(response) } else { response }
    }

    /// The one `RESPONSE_TOO_LARGE` error in place of `response` (keeping its extensions).
    pub fn refuse(&self, response: Response) -> Response {
        let error = self.error();
        let mut refusal = ServerError::new(error.message, None);
        refusal.extensions = error.extensions;
        let mut bounded = Response::from_errors(vec![refusal]);
        bounded.extensions = response.extensions;
        bounded
    }

    /// The error that answers a request over the bound.
    pub fn error(&self) -> async_graphql::Error {
        let message = format!(
            "The answer would be over {} bytes: ask for fewer rows (`first`, `last`) or fewer fields.",
            self.limit
        );
        async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", RESPONSE_TOO_LARGE))
    }
}

/// The bytes a row takes in an answer: each column's name and value as JSON would write them.
fn estimated_bytes<M: ModelTrait>(row: &M) -> usize {
    <M::Entity as EntityTrait>::Column::iter()
        .map(|column| {
            let value = match row.get(column) {
                Value::String(Some(text)) => text.len() + 2,
                Value::Uuid(_) => 50,
                Value::ChronoDate(_) => 12,
                Value::ChronoDateTimeUtc(_) => 34,
                _ => 8,
            };
            column.as_str().len() + 4 + value
        })
        .sum()
}
