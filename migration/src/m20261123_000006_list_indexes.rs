//! Indexes for the read API's filters and orders that the first migrations did not cover, and, on
//! PostgreSQL, trigram indexes that serve case-insensitive name search (`contains`, `startsWith`).

use crate::ddl::{create_indexes, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, columns) of the plain indexes.
const INDEXES: [(&str, &[&str]); 7] = [
    ("vacancy", &["funding"]),
    ("vacancy", &["afc_band"]),
    ("rotational_post", &["post_number"]),
    ("rotational_post", &["funding"]),
    ("programme_membership", &["planned_end_date"]),
    ("consultant_lead", &["valid_from"]),
    ("placement", &["is_cross_icb", "start_date"]),
];

/// (index name, table, column) of the PostgreSQL trigram indexes on lower-cased names.
const TRIGRAM_INDEXES: [(&str, &str, &str); 3] = [
    ("trgm-organisation-name", "organisation", "name"),
    ("trgm-rotation_programme-name", "rotation_programme", "name"),
    ("trgm-pharmacist-family_name", "pharmacist", "family_name"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_indexes(manager, INDEXES.iter().map(|(table, columns)| index(table, columns)).collect()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            let connection = manager.get_connection();
            // pg_trgm is a trusted extension: the database owner may create it.
            connection.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm").await?;
            for (name, table, column) in TRIGRAM_INDEXES {
                connection
                    .execute_unprepared(&format!(
                        r#"CREATE INDEX "{name}" ON {table} USING gin (lower({column}) gin_trgm_ops)"#
                    ))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            for (name, _, _) in TRIGRAM_INDEXES {
                manager.get_connection().execute_unprepared(&format!(r#"DROP INDEX "{name}""#)).await?;
            }
        }
        for (table, columns) in INDEXES {
            manager
                .drop_index(Index::drop().name(format!("idx-{table}-{}", columns.join("-"))).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
