use crate::enums::{AfcBand, FundingSource, PostStatus};
use sea_orm::entity::prelude::*;

/// A funded rotational post of a cohort, employed by one organisation.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "rotational_post")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cohort_id: Uuid,
    /// The programme's own post number, unique within the cohort.
    pub post_number: String,
    pub employer_id: Uuid,
    /// Agenda for Change band; null where the employer is not on AfC (most community pharmacies).
    pub afc_band: Option<AfcBand>,
    /// Whole-time equivalent, in (0, 1].
    pub wte: f64,
    pub status: PostStatus,
    pub funding: FundingSource,
    /// The vacancy this post was funded from, if any.
    pub vacancy_id: Option<Uuid>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "cohort_id", to = "id")]
    pub cohort: BelongsTo<super::cohort::Entity>,
    #[sea_orm(belongs_to, from = "employer_id", to = "id")]
    pub employer: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, from = "vacancy_id", to = "id")]
    pub vacancy: BelongsTo<Option<super::vacancy::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
