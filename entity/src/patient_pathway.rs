use crate::enums::{PathwayStatus, Specialism};
use sea_orm::entity::prelude::*;

/// A patient pathway across organisations, recorded by an ICB and led by a consultant-pharmacist lead.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "patient_pathway")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The ICB that records the pathway (and whose administrators change it).
    pub owner_icb_id: Uuid,
    pub name: String,
    pub specialism: Specialism,
    pub specialism_detail: Option<String>,
    pub status: PathwayStatus,
    pub start_on: Date,
    pub end_on: Option<Date>,
    /// The consultant-pharmacist lead leading it; null while it has none.
    pub consultant_lead_id: Option<Uuid>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "owner_icb_id", to = "id")]
    pub owner_icb: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, from = "consultant_lead_id", to = "id")]
    pub consultant_lead: BelongsTo<Option<super::consultant_lead::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
