//! The data version: the sum of the numbers of a few rows (shards), one of which every change raises in its
//! own transaction, just before it commits, so a reader that sees a version sees every change up to it.
//! Answers worked out from the data (the reports) are kept per version and dropped as soon as it moves.
//! Several rows, so that concurrent changes seldom wait for each other's row lock.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Shard,
    Version,
}

/// How many rows share the version (as `services::data_version::SHARDS` has it).
const SHARDS: i32 = 16;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DataVersion::Table)
                    .col(ColumnDef::new(DataVersion::Shard).integer().not_null().primary_key())
                    .col(ColumnDef::new(DataVersion::Version).big_integer().not_null().default(0))
                    .check(Expr::col(DataVersion::Shard).gte(0).and(Expr::col(DataVersion::Shard).lt(SHARDS)))
                    .to_owned(),
            )
            .await?;
        let mut shards = Query::insert();
        shards.into_table(DataVersion::Table).columns([DataVersion::Shard, DataVersion::Version]);
        for shard in 0..SHARDS {
            shards.values([shard.into(), 0.into()]).map_err(|error| DbErr::Migration(error.to_string()))?;
        }
        manager.exec_stmt(shards).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DataVersion::Table).to_owned()).await
    }
}
