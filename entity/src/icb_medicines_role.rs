use crate::enums::MedicinesRole;
use sea_orm::entity::prelude::*;

/// A medicines leadership role in an ICB held by a person over a period.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "icb_medicines_role")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub icb_id: Uuid,
    pub role: MedicinesRole,
    pub holder_name: String,
    /// The holder's pharmacist record, when the holder is a pharmacist.
    pub pharmacist_id: Option<Uuid>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "icb_id", to = "id")]
    pub icb: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, from = "pharmacist_id", to = "id")]
    pub pharmacist: BelongsTo<Option<super::pharmacist::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
