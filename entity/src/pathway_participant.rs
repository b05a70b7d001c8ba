use sea_orm::entity::prelude::*;

/// An organisation (trust, PCN or community pharmacy) taking part in a patient pathway.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "pathway_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pathway_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub organisation_id: Uuid,
    #[sea_orm(belongs_to, from = "pathway_id", to = "id")]
    pub pathway: BelongsTo<super::patient_pathway::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
