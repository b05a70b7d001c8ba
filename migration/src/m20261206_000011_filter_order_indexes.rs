//! The indexes behind a filtered list in its default order (a filter column, then the sort key) end with
//! the id as well, so that a filtered keyset page comes out of the index in order: without the id, SQLite
//! sorted every placement sharing a start date (thousands, in a monthly intake) to break the ties. The
//! indexes they extend (the same columns without the id) are dropped.

use crate::ddl::{IndexColumns, replace_indexes};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, columns) of the indexes this migration replaces.
const REPLACED: [IndexColumns; 6] = [
    ("placement", &["is_cross_icb", "start_date"]),
    ("placement", &["sector", "start_date"]),
    ("placement", &["status", "start_date"]),
    ("placement", &["host_icb_id", "start_date"]),
    ("placement", &["post_id", "start_date"]),
    ("vacancy", &["sector", "opened_on"]),
];

/// (table, columns) of the filtered order indexes, each ending with the id.
const ORDERS: [IndexColumns; 6] = [
    ("placement", &["is_cross_icb", "start_date", "id"]),
    ("placement", &["sector", "start_date", "id"]),
    ("placement", &["status", "start_date", "id"]),
    ("placement", &["host_icb_id", "start_date", "id"]),
    ("placement", &["post_id", "start_date", "id"]),
    ("vacancy", &["sector", "opened_on", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_indexes(manager, &REPLACED, &ORDERS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        replace_indexes(manager, &ORDERS, &REPLACED).await
    }
}
