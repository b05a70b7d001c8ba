//! Cost budgets per minute, shared by every replica on one database.
//!
//! Each payer (a caller, or an ICB) may spend its budget of cost units per minute. A replica admits each
//! request from its own view, with no statement on the request's path: what every replica has spent in
//! this minute and the last, as last read from the `cost_budget_usage` table, plus what this replica
//! has charged since. A background task adds this replica's charges to the table every
//! [`SYNC_INTERVAL`] and reads the totals back, so a caller spreading its requests over several replicas
//! gets one budget, give or take what the replicas charge in one interval.
//!
//! The spend counted against a budget slides: the whole of this minute's spend, and the part of the last
//! minute's that the sliding minute still covers (so a caller cannot spend two budgets across a minute's
//! edge).

use crate::error::AppError;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const TABLE: &str = "cost_budget_usage";
const PAYER: &str = "payer";
const MINUTE: &str = "minute";
const SPENT: &str = "spent";

/// How often a replica reports its charges and reads the totals.
pub const SYNC_INTERVAL: Duration = Duration::from_millis(250);

/// A refused charge: how long to wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_seconds: u64,
}

/// One payer's spend, as this replica sees it.
#[derive(Clone, Copy, Debug, Default)]
struct Spend {
    /// The minute (since the Unix epoch) `current` counts.
    minute: i64,
    /// Every replica's spend in `minute`, as last read (this replica's reported charges included).
    current: u64,
    /// Every replica's spend in the minute before.
    previous: u64,
    /// What this replica has charged in `minute` and not yet reported.
    unreported: u64,
}

impl Spend {
    /// Moves on to `minute`.
    fn at(&mut self, minute: i64) {
        if minute == self.minute {
            return;
        }
        self.previous = if minute == self.minute + 1 { self.current + self.unreported } else { 0 };
        self.current = 0;
        self.unreported = 0;
        self.minute = minute;
    }

    /// The spend the sliding minute ending `second_of_minute` into `minute` covers.
    fn counted(&self, second_of_minute: f64) -> u64 {
        let previous_share = self.previous as f64 * (1.0 - second_of_minute / 60.0);
        self.current + self.unreported + previous_share.ceil() as u64
    }
}

/// Per-minute budgets of payers, shared through the database.
#[derive(Clone)]
pub struct Budgets {
    spend: Arc<Mutex<HashMap<String, Spend>>>,
    /// The last minute whose older rows were deleted.
    forgotten: Arc<std::sync::atomic::AtomicI64>,
}

impl std::fmt::Debug for Budgets {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Budgets").finish_non_exhaustive()
    }
}

/// The minute since the Unix epoch, and the seconds into it.
fn now() -> (i64, f64) {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    ((seconds / 60.0).floor() as i64, seconds % 60.0)
}

impl Budgets {
    /// Budgets of this replica alone (until [`Budgets::share`] starts reporting).
    pub fn local() -> Self {
        Self { spend: Arc::default(), forgotten: Arc::default() }
    }

    /// Charges `cost` to every payer of `payers`, each with its budget per minute, if every one can
    /// afford it; the smallest budget left after it, or how long to wait.
    pub fn charge(&self, payers: &[(&str, u64)], cost: u64) -> Result<u64, Throttled> {
        let (minute, second) = now();
        let mut spend = self.spend.lock().unwrap_or_else(PoisonError::into_inner);
        let mut remaining = u64::MAX;
        for (payer, budget) in payers {
            if !spend.contains_key(*payer) {
                spend.insert((*payer).to_owned(), Spend::default());
            }
            let Some(entry) = spend.get_mut(*payer) else { continue };
            entry.at(minute);
            let counted = entry.counted(second);
            if counted + cost > *budget {
                // Wait until the sliding minute has let go of enough of the last minute's spend, or
                // the next minute.
                let retry_after_seconds = (60.0 - second).ceil().max(1.0) as u64;
                return Err(Throttled { retry_after_seconds });
            }
            remaining = Ord::min(remaining, budget - counted - cost);
        }
        for (payer, _) in payers {
            if let Some(entry) = spend.get_mut(*payer) {
                entry.unreported += cost;
            }
        }
        Ok(remaining)
    }

    /// Reports this replica's charges to `db` every [`SYNC_INTERVAL`] and reads every replica's totals
    /// back, until the process ends.
    pub fn share(&self, db: DatabaseConnection) {
        let budgets = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(SYNC_INTERVAL);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if let Err(error) = budgets.sync(&db).await {
                    tracing::warn!(error = %error, "sharing cost budgets failed; budgets stay per replica until it works");
                }
            }
        });
    }

    /// Takes in every replica's totals, as read from the table.
    fn read_totals(&self, rows: &[sea_orm::QueryResult], minute: i64) -> Result<(), AppError> {
        let mut spend = self.spend.lock().unwrap_or_else(PoisonError::into_inner);
        for row in rows {
            let (payer, row_minute, total) =
                (row.try_get::<String>("", PAYER)?, row.try_get::<i64>("", MINUTE)?, row.try_get::<i64>("", SPENT)?);
            let entry = spend.entry(payer).or_default();
            entry.at(minute);
            let total = u64::try_from(total).unwrap_or_default();
            if row_minute == entry.minute {
                entry.current = Ord::max(entry.current, total);
            } else if row_minute == entry.minute - 1 {
                entry.previous = Ord::max(entry.previous, total);
            }
        }
        Ok(())
    }

    /// Reports the unreported charges, reads the totals of every payer seen in this minute or the last,
    /// and forgets older minutes.
    pub async fn sync<C: ConnectionTrait>(&self, db: &C) -> Result<(), AppError> {
        let (minute, _) = now();
        let report: Vec<(String, i64, u64)> = {
            let mut spend = self.spend.lock().unwrap_or_else(PoisonError::into_inner);
            spend.retain(|_, entry| entry.minute >= minute - 1);
            spend
                .iter_mut()
                .filter(|(_, entry)| entry.unreported > 0)
                .map(|(payer, entry)| {
                    let charged = std::mem::take(&mut entry.unreported);
                    entry.current += charged;
                    (payer.clone(), entry.minute, charged)
                })
                .collect()
        };
        if !report.is_empty() {
            let mut insert = Query::insert();
            insert.into_table(Alias::new(TABLE)).columns([Alias::new(PAYER), Alias::new(MINUTE), Alias::new(SPENT)]);
            for (payer, minute, charged) in &report {
                let charged = i64::try_from(*charged).unwrap_or(i64::MAX);
                insert
                    .values([payer.as_str().into(), (*minute).into(), charged.into()])
                    .map_err(|error| AppError::Internal(error.into()))?;
            }
            let spent = Alias::new(SPENT);
            insert.on_conflict(
                OnConflict::columns([Alias::new(PAYER), Alias::new(MINUTE)])
                    .value(
                        spent.clone(),
                        Expr::col((Alias::new(TABLE), spent.clone())).add(Expr::col((Alias::new("excluded"), spent))),
                    )
                    .to_owned(),
            );
            db.execute(&insert).await?;
        }
        // Every payer that spent in this minute or the last, on any replica: a payer new to this replica
        // is charged what it spent elsewhere from its first request here.
        let select = Query::select()
            .columns([Alias::new(PAYER), Alias::new(MINUTE), Alias::new(SPENT)])
            .from(Alias::new(TABLE))
            .and_where(Expr::col(Alias::new(MINUTE)).gte(minute - 1))
            .to_owned();
        let rows = db.query_all(&select).await?;
        self.read_totals(&rows, minute)?;
        if self.forgotten.swap(minute, std::sync::atomic::Ordering::SeqCst) == minute {
            return Ok(());
        }
        let forget = Query::delete()
            .from_table(Alias::new(TABLE))
            .and_where(Expr::col(Alias::new(MINUTE)).lt(minute - 1))
            .to_owned();
        db.execute(&forget).await?;
        Ok(())
    }
}
