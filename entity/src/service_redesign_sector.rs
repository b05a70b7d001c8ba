use crate::enums::Sector;
use sea_orm::entity::prelude::*;

/// A sector a service redesign involves.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "service_redesign_sector")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub redesign_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sector: Sector,
    #[sea_orm(belongs_to, from = "redesign_id", to = "id")]
    pub redesign: BelongsTo<super::service_redesign::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
