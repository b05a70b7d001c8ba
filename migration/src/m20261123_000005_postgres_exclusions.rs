//! PostgreSQL-only integrity that SQLite cannot express: exclusion constraints against overlapping
//! periods. Periods are inclusive date ranges (`'[]'`); an open end is unbounded. On SQLite this migration
//! does nothing and the same rules are enforced by the services.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, constraint name, exclusion definition).
const EXCLUSIONS: [(&str, &str, &str); 5] = [
    (
        "organisation_relationship",
        "ex-organisation_relationship-one-parent-per-kind",
        "EXCLUDE USING gist (child_id WITH =, kind WITH =, daterange(valid_from, valid_to, '[]') WITH &&)",
    ),
    (
        "placement",
        "ex-placement-pharmacist-approved-overlap",
        "EXCLUDE USING gist (pharmacist_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (status = 'APPROVED')",
    ),
    (
        "placement",
        "ex-placement-post-approved-overlap",
        "EXCLUDE USING gist (post_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (status = 'APPROVED' AND post_id IS NOT NULL)",
    ),
    (
        "consultant_lead",
        "ex-consultant_lead-one-per-trust-specialism",
        "EXCLUDE USING gist (trust_id WITH =, specialism WITH =, daterange(valid_from, valid_to, '[]') WITH &&) WHERE (specialism <> 'OTHER')",
    ),
    (
        "icb_medicines_role",
        "ex-icb_medicines_role-one-holder",
        "EXCLUDE USING gist (icb_id WITH =, role WITH =, daterange(valid_from, valid_to, '[]') WITH &&) WHERE (role IN ('BOARD_MEDICINES_LEAD', 'CHIEF_PHARMACIST', 'DIRECTOR_OF_MEDICINES_OPTIMISATION'))",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends (SQLite would otherwise run DDL outside a transaction).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let connection = manager.get_connection();
        // btree_gist lets a GiST index compare plain columns with `=`; it is a trusted extension, so the
        // database owner may create it.
        connection.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist").await?;
        for (table, name, definition) in EXCLUSIONS {
            connection
                .execute_unprepared(&format!(r#"ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}"#))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, name, _) in EXCLUSIONS {
            manager
                .get_connection()
                .execute_unprepared(&format!(r#"ALTER TABLE {table} DROP CONSTRAINT "{name}""#))
                .await?;
        }
        Ok(())
    }
}
