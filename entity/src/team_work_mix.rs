use sea_orm::entity::prelude::*;

/// How a medicines-optimisation team's whole-time equivalents divide between operational and
/// transformational work over a period.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "team_work_mix")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub team_id: Uuid,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub operational_wte: f64,
    pub transformational_wte: f64,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "team_id", to = "id")]
    pub team: BelongsTo<super::medicines_optimisation_team::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
