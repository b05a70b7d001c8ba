use crate::enums::{RedesignStatus, TeamInvolvement};
use sea_orm::entity::prelude::*;

/// A service redesign project of an ICB, with the stage at which its medicines-optimisation team joined.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "service_redesign")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub icb_id: Uuid,
    pub title: String,
    /// The patient pathway redesigned, if any.
    pub pathway_id: Option<Uuid>,
    pub start_on: Date,
    pub status: RedesignStatus,
    pub team_joined_at: TeamInvolvement,
    pub social_care_involved: bool,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "icb_id", to = "id")]
    pub icb: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, from = "pathway_id", to = "id")]
    pub pathway: BelongsTo<Option<super::patient_pathway::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
