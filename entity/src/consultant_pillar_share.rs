use sea_orm::entity::prelude::*;

/// How a consultant lead's time divides between the four RPS pillars over a period (percentages adding
/// up to 100).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "consultant_pillar_share")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub consultant_lead_id: Uuid,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub clinical_practice_percent: i32,
    pub leadership_percent: i32,
    pub education_percent: i32,
    pub research_percent: i32,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "consultant_lead_id", to = "id")]
    pub consultant_lead: BelongsTo<super::consultant_lead::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
