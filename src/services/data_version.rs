//! The data version: a number that every change raises in its own transaction, just before it commits
//! (the `data_version` table's one row). A reader that sees a version sees every change up to it, so an
//! answer worked out from the data can be kept for as long as the version stays the same (see
//! [`super::reports::ReportCache`]).

use crate::error::AppError;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};

const TABLE: &str = "data_version";
const VERSION: &str = "version";

/// The current data version.
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<i64, AppError> {
    let select = Query::select().column(Alias::new(VERSION)).from(Alias::new(TABLE)).to_owned();
    let row = db.query_one(&select).await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", VERSION)?,
        None => 0,
    })
}

/// Raises the data version, within the transaction `txn` of a change (call it last, just before the
/// commit: the row stays locked until then).
pub async fn raise<C: ConnectionTrait>(txn: &C) -> Result<(), AppError> {
    let version = Alias::new(VERSION);
    let update = Query::update().table(Alias::new(TABLE)).value(version.clone(), Expr::col(version).add(1)).to_owned();
    txn.execute(&update).await?;
    Ok(())
}
