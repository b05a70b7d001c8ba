//! The data version: a number that every change raises in its own transaction, just before it commits,
//! by one (chosen at random) of the `data_version` table's rows, whose sum the version is. A reader that
//! sees a version sees every change up to it, so an answer worked out from the data can be kept for as
//! long as the version stays the same (see [`super::reports::ReportCache`]). Several rows, so that
//! concurrent changes seldom wait for each other's row lock (one row halved the write throughput on
//! PostgreSQL at 16 clients).

use crate::error::AppError;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};

const TABLE: &str = "data_version";
const SHARD: &str = "shard";
const VERSION: &str = "version";
/// How many rows share the version (as migration 10 creates them).
const SHARDS: i32 = 16;

/// The current data version.
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<i64, AppError> {
    let sum = Func::cast_as(
        Func::coalesce([Func::sum(Expr::col(Alias::new(VERSION))).into(), Expr::val(0)]),
        Alias::new("BIGINT"),
    );
    let select = Query::select().expr_as(sum, Alias::new(VERSION)).from(Alias::new(TABLE)).to_owned();
    let row = db.query_one(&select).await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", VERSION)?,
        None => 0,
    })
}

/// Raises the data version, within the transaction `txn` of a change (call it last, just before the
/// commit: the row stays locked until then).
pub async fn raise<C: ConnectionTrait>(txn: &C) -> Result<(), AppError> {
    // A random row: a version 4 UUID's random bits.
    let shard = (uuid::Uuid::new_v4().as_u128() % SHARDS as u128) as i32;
    let version = Alias::new(VERSION);
    let update = Query::update()
        .table(Alias::new(TABLE))
        .value(version.clone(), Expr::col(version).add(1))
        .and_where(Expr::col(Alias::new(SHARD)).eq(shard))
        .to_owned();
    txn.execute(&update).await?;
    Ok(())
}
