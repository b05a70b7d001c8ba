//! An index behind the default order of every nested connection (a parent's rows by their sort key, then
//! the id), so that the windowed statement that pages each parent's rows reads them in order from the
//! index. The indexes they extend (the same leading columns without the tie-breaker) are dropped.

use crate::ddl::{IndexColumns, replace_indexes};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, columns) of the indexes this migration replaces.
const REPLACED: [IndexColumns; 6] = [
    ("placement", &["membership_id", "start_date"]),
    ("placement", &["pharmacist_id", "start_date"]),
    ("placement", &["host_id", "start_date"]),
    ("vacancy", &["host_id"]),
    ("rotational_post", &["employer_id"]),
    ("rotation_programme", &["owner_icb_id"]),
];

/// (table, columns) of the nested order indexes, each ending with the id.
const ORDERS: [IndexColumns; 9] = [
    ("placement", &["membership_id", "start_date", "id"]),
    ("placement", &["pharmacist_id", "start_date", "id"]),
    ("placement", &["host_id", "start_date", "id"]),
    ("vacancy", &["host_id", "opened_on", "id"]),
    ("rotational_post", &["employer_id", "post_number", "id"]),
    ("rotation_programme", &["owner_icb_id", "name", "id"]),
    ("consultant_lead", &["trust_id", "valid_from", "id"]),
    ("programme_membership", &["cohort_id", "start_date", "id"]),
    ("programme_membership", &["pharmacist_id", "start_date", "id"]),
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
