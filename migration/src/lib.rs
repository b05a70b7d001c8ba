//! Schema migrations of rotagraph.
//!
//! Each migration is self-contained: it names its tables and columns itself and never uses the entity
//! crate, so it keeps meaning what it meant when it was written. Every migration has a `down`. Integrity
//! lives in the database wherever both backends can express it (NOT NULL, CHECK, UNIQUE, foreign keys,
//! partial unique indexes, append-only triggers); what only PostgreSQL can express (exclusion constraints
//! against overlapping periods) is added by a PostgreSQL-only migration.

// `MigrationTrait` elides the `SchemaManager` lifetime in its signature, so the impls must too.
#![expect(elided_lifetimes_in_paths, reason = "MigrationTrait's signature elides it")]

pub use sea_orm_migration::prelude::*;

mod ddl;
mod m20261123_000001_reference_layer;
mod m20261123_000002_programmes;
mod m20261123_000003_workforce;
mod m20261123_000004_audit_log;
mod m20261123_000005_postgres_exclusions;
mod m20261123_000006_list_indexes;
mod m20261124_000007_write_support;
mod m20261202_000008_keyset_indexes;
mod m20261202_000009_nested_order_indexes;
mod m20261206_000010_data_version;
mod m20261206_000011_filter_order_indexes;
mod m20261206_000012_cost_budgets;
mod m20261206_000013_medicines_optimisation;

/// The ordered list of migrations.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_reference_layer::Migration),
            Box::new(m20261123_000002_programmes::Migration),
            Box::new(m20261123_000003_workforce::Migration),
            Box::new(m20261123_000004_audit_log::Migration),
            Box::new(m20261123_000005_postgres_exclusions::Migration),
            Box::new(m20261123_000006_list_indexes::Migration),
            Box::new(m20261124_000007_write_support::Migration),
            Box::new(m20261202_000008_keyset_indexes::Migration),
            Box::new(m20261202_000009_nested_order_indexes::Migration),
            Box::new(m20261206_000010_data_version::Migration),
            Box::new(m20261206_000011_filter_order_indexes::Migration),
            Box::new(m20261206_000012_cost_budgets::Migration),
            Box::new(m20261206_000013_medicines_optimisation::Migration),
        ]
    }
}
