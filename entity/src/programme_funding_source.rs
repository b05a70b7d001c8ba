use crate::enums::FundingSource;
use sea_orm::entity::prelude::*;

/// A funding source of a programme.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "programme_funding_source")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub funding_source: FundingSource,
    #[sea_orm(belongs_to, from = "programme_id", to = "id")]
    pub programme: BelongsTo<super::rotation_programme::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
