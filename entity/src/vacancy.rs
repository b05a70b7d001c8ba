use crate::enums::{AfcBand, FundingSource, Sector};
use sea_orm::entity::prelude::*;

/// A vacancy in a host organisation; open while `closed_on` is null.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "vacancy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub host_id: Uuid,
    pub sector: Sector,
    pub afc_band: Option<AfcBand>,
    pub wte: f64,
    pub funding: FundingSource,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "host_id", to = "id")]
    pub host: BelongsTo<super::organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
