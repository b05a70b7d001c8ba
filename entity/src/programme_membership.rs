use crate::enums::MembershipStatus;
use sea_orm::entity::prelude::*;

/// A pharmacist's membership of a programme cohort, from offer to completion or withdrawal.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "programme_membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pharmacist_id: Uuid,
    pub cohort_id: Uuid,
    pub post_id: Option<Uuid>,
    pub status: MembershipStatus,
    pub offered_on: Date,
    pub accepted_on: Option<Date>,
    pub start_date: Date,
    pub planned_end_date: Date,
    pub actual_end_date: Option<Date>,
    /// Why the pharmacist left (required once withdrawn).
    pub leaving_reason: Option<String>,
    /// When eligibility was checked (on acceptance), and its result.
    pub eligibility_checked_on: Option<Date>,
    pub eligibility_passed: Option<bool>,
    /// Why an ineligible pharmacist was accepted anyway.
    pub eligibility_override_reason: Option<String>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "pharmacist_id", to = "id")]
    pub pharmacist: BelongsTo<super::pharmacist::Entity>,
    #[sea_orm(belongs_to, from = "cohort_id", to = "id")]
    pub cohort: BelongsTo<super::cohort::Entity>,
    #[sea_orm(belongs_to, from = "post_id", to = "id")]
    pub post: BelongsTo<Option<super::rotational_post::Entity>>,
    #[sea_orm(has_many)]
    pub placements: HasMany<super::placement::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
