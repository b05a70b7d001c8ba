//! Report answers kept while the data stays the same. A report reads a large part of the database, so a
//! dashboard that asks for the same figures again (or many dashboards alike) is answered from the
//! answer kept for the current [`data_version`], which every change raises as it commits: a reader never
//! gets figures older than the data it could otherwise see. Answers are kept per report, arguments,
//! scope and disclosure rules, at most `max_age` (so that writes made outside rotagraph, which do not
//! raise the version, show within that time) and at most [`CAPACITY`] of them.

use super::Suppression;
use crate::error::AppError;
use crate::services::access::Scope;
use crate::services::data_version;
use sea_orm::ConnectionTrait;
use std::any::Any;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// The most answers kept; past it, the oldest are dropped.
pub const CAPACITY: usize = 512;

/// Report answers by report and arguments.
#[derive(Debug)]
pub struct ReportCache {
    max_age: Duration,
    answers: Mutex<HashMap<String, Answer>>,
}

/// An answer for one data version: worked out once, however many readers ask for it at the same time.
#[derive(Debug)]
struct Answer {
    version: i64,
    at: Instant,
    rows: Arc<OnceCell<Rows>>,
}

type Rows = Arc<dyn Any + Send + Sync>;

impl ReportCache {
    /// A cache that keeps each answer at most `max_age` (zero: keeps nothing).
    pub fn new(max_age: Duration) -> Self {
        Self { max_age, answers: Mutex::new(HashMap::new()) }
    }

    /// The rows of `report` for `arguments` (which must name everything else the rows depend on: the
    /// filter, the grouping), read by a reader with `scope` under `suppression`: those kept for the
    /// current data version, or those `rows` works out (then kept). `rows` runs only when nothing is kept;
    /// readers asking for the same at the same time wait for one of them to work it out.
    pub async fn rows<C, T>(
        &self,
        db: &C,
        (scope, suppression): (&Scope, Suppression),
        report: &'static str,
        arguments: &impl Debug,
        rows: impl Future<Output = Result<Vec<T>, AppError>>,
    ) -> Result<Vec<T>, AppError>
    where
        C: ConnectionTrait,
        T: Clone + Send + Sync + 'static,
    {
        if self.max_age.is_zero() {
            return rows.await;
        }
        let version = data_version::current(db).await?;
        let answer = self.answer(format!("{report}|{arguments:?}|{scope:?}|{suppression:?}"), version);
        let kept = answer.get_or_try_init(|| async { Ok::<Rows, AppError>(Arc::new(rows.await?)) }).await?;
        kept.downcast_ref::<Vec<T>>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a kept report answer of another type: {report}")))
    }

    /// The answer for `key` at `version`: the one kept if it is of that version and fresh, or a new one
    /// (dropping those of other versions or too old, and the oldest past [`CAPACITY`]).
    fn answer(&self, key: String, version: i64) -> Arc<OnceCell<Rows>> {
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = |answer: &Answer| answer.version == version && answer.at.elapsed() <= self.max_age;
        if let Some(answer) = answers.get(&key).filter(|answer| fresh(answer)) {
            return answer.rows.clone();
        }
        answers.retain(|_, answer| fresh(answer));
        if answers.len() >= CAPACITY
            && let Some(oldest) = answers.iter().min_by_key(|(_, answer)| answer.at).map(|(key, _)| key.clone())
        {
            answers.remove(&oldest);
        }
        let rows = Arc::new(OnceCell::new());
        answers.insert(key, Answer { version, at: Instant::now(), rows: rows.clone() });
        rows
    }
}
