use crate::enums::Specialism;
use sea_orm::entity::prelude::*;

/// A consultant pharmacist leading a specialism in a trust, with RPS credentialing dates.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "consultant_lead")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pharmacist_id: Uuid,
    pub trust_id: Uuid,
    pub specialism: Specialism,
    pub specialism_detail: Option<String>,
    /// When RPS approved the consultant post.
    pub rps_post_approved_on: Option<Date>,
    /// When RPS credentialed the person as consultant.
    pub rps_credentialed_on: Option<Date>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "pharmacist_id", to = "id")]
    pub pharmacist: BelongsTo<super::pharmacist::Entity>,
    #[sea_orm(belongs_to, from = "trust_id", to = "id")]
    pub trust: BelongsTo<super::organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
