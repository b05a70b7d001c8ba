use sea_orm::entity::prelude::*;

/// An ICB a patient pathway spans.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "pathway_icb")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pathway_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub icb_id: Uuid,
    #[sea_orm(belongs_to, from = "pathway_id", to = "id")]
    pub pathway: BelongsTo<super::patient_pathway::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
