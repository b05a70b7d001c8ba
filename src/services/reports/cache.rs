//! Report answers kept while the data stays the same. A report reads a large part of the database, so a
//! dashboard that asks for the same figures again (or many dashboards alike) is answered from the
//! answer kept for the current [`data_version`], which every change raises as it commits: a reader never
//! gets figures older than the data it could otherwise see. Answers are kept per report, arguments,
//! scope and disclosure rules, at most `max_age` (so that writes made outside rotagraph, which do not
//! raise the version, show within that time) and at most [`CAPACITY`] of them.

use crate::error::AppError;
use crate::services::data_version;
use sea_orm::ConnectionTrait;
use std::any::Any;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The most answers kept; past it, the oldest are dropped.
pub const CAPACITY: usize = 512;

/// Report answers by report and arguments.
#[derive(Debug)]
pub struct ReportCache {
    max_age: Duration,
    answers: Mutex<HashMap<String, Answer>>,
}

#[derive(Debug)]
struct Answer {
    version: i64,
    at: Instant,
    rows: Arc<dyn Any + Send + Sync>,
}

impl ReportCache {
    /// A cache that keeps each answer at most `max_age` (zero: keeps nothing).
    pub fn new(max_age: Duration) -> Self {
        Self { max_age, answers: Mutex::new(HashMap::new()) }
    }

    /// The rows of `report` for `arguments` (which must name everything the rows depend on: the filter,
    /// the reader's scope, the disclosure rules): those kept for the current data version, or those
    /// `rows` works out (then kept). `rows` runs only when nothing is kept.
    pub async fn rows<C, T>(
        &self,
        db: &C,
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
        let key = format!("{report}|{arguments:?}");
        if let Some(kept) = self.kept::<T>(&key, version) {
            return Ok(kept);
        }
        let rows = rows.await?;
        self.keep(key, version, Arc::new(rows.clone()));
        Ok(rows)
    }

    fn kept<T: Clone + Send + Sync + 'static>(&self, key: &str, version: i64) -> Option<Vec<T>> {
        let answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        let answer = answers.get(key)?;
        if answer.version != version || answer.at.elapsed() > self.max_age {
            return None;
        }
        answer.rows.downcast_ref::<Vec<T>>().cloned()
    }

    fn keep(&self, key: String, version: i64, rows: Arc<dyn Any + Send + Sync>) {
        let mut answers = self.answers.lock().unwrap_or_else(PoisonError::into_inner);
        answers.retain(|_, answer| answer.version == version && answer.at.elapsed() <= self.max_age);
        if answers.len() >= CAPACITY
            && let Some(oldest) = answers.iter().min_by_key(|(_, answer)| answer.at).map(|(key, _)| key.clone())
        {
            answers.remove(&oldest);
        }
        answers.insert(key, Answer { version, at: Instant::now(), rows });
    }
}
