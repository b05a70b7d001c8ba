//! The data version: one row whose number every change raises in its own transaction, just before it
//! commits, so a reader that sees a version sees every change up to it. Answers worked out from the data
//! (the reports) are kept per version and dropped as soon as it moves.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DataVersion {
    Table,
    Id,
    Version,
}

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
                    .col(ColumnDef::new(DataVersion::Id).integer().not_null().primary_key())
                    .col(ColumnDef::new(DataVersion::Version).big_integer().not_null().default(0))
                    .check(Expr::col(DataVersion::Id).eq(1))
                    .to_owned(),
            )
            .await?;
        let mut first = Query::insert();
        first
            .into_table(DataVersion::Table)
            .columns([DataVersion::Id, DataVersion::Version])
            .values([1.into(), 0.into()])
            .map_err(|error| DbErr::Migration(error.to_string()))?;
        manager.exec_stmt(first).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DataVersion::Table).to_owned()).await
    }
}
