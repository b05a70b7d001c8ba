//! Change events: which records a committed write created or changed, for live subscribers.
//!
//! Every write goes through [`super::writes::Change`], which records an event with each audit row. On
//! PostgreSQL the events are announced with `pg_notify` inside the writing transaction, so a rolled-back
//! write announces nothing and every replica listening on the same database (`LISTEN`) hears each
//! committed change once; on SQLite (one process) they are handed to this process's subscribers once
//! the transaction has committed. An event names only the table, the id and what happened: each
//! subscriber reads the record again through its own access scope, so an event about a record it may
//! not read never reaches it.
//!
//! Subscribers receive from a bounded broadcast channel: a writer never waits for a subscriber, and a
//! subscriber that falls more than [`BACKLOG`] events behind learns that it missed some.

use crate::error::AppError;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::broadcast;
use uuid::Uuid;

/// The PostgreSQL channel events are announced on.
pub const CHANNEL: &str = "rotagraph_changes";

/// How many events a subscriber may fall behind before it misses some.
pub const BACKLOG: usize = 4096;

/// What a write did to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Updated,
}

/// One committed change: the table, the record's id, what happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEvent {
    pub table: String,
    pub id: Uuid,
    pub kind: ChangeKind,
}

/// Where this process's subscribers receive committed changes from, and how its writes announce them.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<ChangeEvent>>,
    backend: DatabaseBackend,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("EventHub").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl EventHub {
    /// A hub for `db`; on PostgreSQL, it also starts listening (see [`EventHub::listen`]).
    pub async fn start(db: &DatabaseConnection) -> Result<Self, AppError> {
        let (sender, _) = broadcast::channel(BACKLOG);
        let hub = Self { sender, backend: db.get_database_backend() };
        if hub.backend == DatabaseBackend::Postgres {
            hub.listen(db).await?;
        }
        Ok(hub)
    }

    /// Receives every change committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChangeEvent>> {
        self.sender.subscribe()
    }

    /// Announces `events` in the writing transaction (PostgreSQL: `pg_notify`, delivered at commit).
    pub async fn announce(&self, txn: &impl ConnectionTrait, events: &[ChangeEvent]) -> Result<(), AppError> {
        if self.backend != DatabaseBackend::Postgres {
            return Ok(());
        }
        for event in events {
            let payload = serde_json::to_string(event).map_err(|error| AppError::Internal(error.into()))?;
            let notify = Query::select()
                .expr(Func::cust("pg_notify").arg(Expr::val(CHANNEL)).arg(Expr::val(payload)))
                .to_owned();
            txn.execute(&notify).await?;
        }
        Ok(())
    }

    /// Hands `events`, just committed, to this process's subscribers (SQLite: on PostgreSQL they arrive
    /// through `LISTEN`, like those of every other replica).
    pub fn committed(&self, events: Vec<ChangeEvent>) {
        if self.backend == DatabaseBackend::Postgres {
            return;
        }
        for event in events {
            // No subscriber is no error.
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Listens on [`CHANNEL`] with a connection of its own (beside `db`'s pool, whose connections all stay
    /// for requests), and hands each change to this process's subscribers. A lost connection is made
    /// again (changes committed meanwhile are missed, as PostgreSQL does not keep notifications).
    async fn listen(&self, db: &DatabaseConnection) -> Result<(), AppError> {
        use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
        let options = db.get_postgres_connection_pool().connect_options();
        let own = PgPoolOptions::new().max_connections(1).connect_lazy_with((*options).clone());
        let mut listener = PgListener::connect_with(&own).await.map_err(|error| AppError::Internal(error.into()))?;
        listener.listen(CHANNEL).await.map_err(|error| AppError::Internal(error.into()))?;
        let sender = self.sender.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => match serde_json::from_str::<ChangeEvent>(notification.payload()) {
                        Ok(event) => {
                            let _ = sender.send(Arc::new(event));
                        }
                        Err(_) => tracing::warn!("ignored a malformed change notification"),
                    },
                    Err(sea_orm::sqlx::Error::PoolClosed) => break,
                    Err(error) => {
                        tracing::warn!(error = %error, "listening for changes failed; trying again in a second");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(())
    }
}
