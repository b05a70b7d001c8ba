use crate::enums::Sector;
use sea_orm::entity::prelude::*;

/// A sector a patient pathway spans.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "pathway_sector")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pathway_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub sector: Sector,
    #[sea_orm(belongs_to, from = "pathway_id", to = "id")]
    pub pathway: BelongsTo<super::patient_pathway::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
