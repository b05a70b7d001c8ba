use sea_orm::entity::prelude::*;

/// A medicines-optimisation team of an ICB.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "medicines_optimisation_team")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub icb_id: Uuid,
    pub name: String,
    /// What the team works on (for example high-cost drugs, population health).
    pub focus: Option<String>,
    pub wte: Option<f64>,
    pub established_on: Date,
    pub disbanded_on: Option<Date>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "icb_id", to = "id")]
    pub icb: BelongsTo<super::organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
