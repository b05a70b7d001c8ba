//! Cost budgets shared by every replica: how much each payer (a caller, or an ICB) has spent in each
//! minute, as the replicas report it. Each replica admits requests from its own view and adds what it
//! charged every fraction of a second (see `graphql::limits::Budgets`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CostBudgetUsage {
    Table,
    Payer,
    Minute,
    Spent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CostBudgetUsage::Table)
                    .col(ColumnDef::new(CostBudgetUsage::Payer).string().not_null())
                    .col(ColumnDef::new(CostBudgetUsage::Minute).big_integer().not_null())
                    .col(ColumnDef::new(CostBudgetUsage::Spent).big_integer().not_null().default(0))
                    .primary_key(Index::create().col(CostBudgetUsage::Payer).col(CostBudgetUsage::Minute))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(CostBudgetUsage::Table).to_owned()).await
    }
}
