//! An index behind every order of the read API, ending with the id that breaks ties, so that a keyset
//! page (`(sort keys…, id) > (cursor…)`) is one index seek and its rows come out in order without a sort.
//! The indexes they extend (the same columns without the id) are dropped.

use crate::ddl::{IndexColumns, replace_indexes};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, columns) of the indexes this migration replaces.
const REPLACED: [IndexColumns; 13] = [
    ("organisation", &["kind", "name"]),
    ("organisation", &["name"]),
    ("rotation_programme", &["name"]),
    ("vacancy", &["opened_on"]),
    ("rotational_post", &["post_number"]),
    ("pharmacist", &["family_name", "given_name"]),
    ("pharmacist", &["first_registered_on"]),
    ("programme_membership", &["start_date"]),
    ("programme_membership", &["planned_end_date"]),
    ("placement", &["start_date"]),
    ("placement", &["end_date"]),
    ("consultant_lead", &["specialism"]),
    ("consultant_lead", &["valid_from"]),
];

/// (table, columns) of the order indexes, each ending with the id.
const ORDERS: [IndexColumns; 18] = [
    ("organisation", &["kind", "name", "id"]),
    ("organisation", &["name", "id"]),
    ("organisation", &["ods_code", "id"]),
    ("rotation_programme", &["name", "id"]),
    ("rotation_programme", &["code", "id"]),
    ("vacancy", &["opened_on", "id"]),
    ("rotational_post", &["post_number", "id"]),
    ("rotational_post", &["status", "post_number", "id"]),
    ("pharmacist", &["family_name", "given_name", "id"]),
    ("pharmacist", &["first_registered_on", "id"]),
    ("programme_membership", &["start_date", "id"]),
    ("programme_membership", &["planned_end_date", "id"]),
    ("placement", &["start_date", "id"]),
    ("placement", &["end_date", "id"]),
    ("consultant_lead", &["specialism", "id"]),
    ("consultant_lead", &["valid_from", "id"]),
    ("audit_log", &["occurred_at", "id"]),
    ("audit_log", &["entity_id", "occurred_at", "id"]),
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
