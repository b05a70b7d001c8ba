use crate::enums::ProgrammeStatus;
use sea_orm::entity::prelude::*;

/// A rotation programme run by an ICB, such as Norfolk and Waveney's STAR.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "rotation_programme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// The ICB that owns the programme, as recorded (resolve succession at query time; never overwritten).
    pub owner_icb_id: Uuid,
    pub status: ProgrammeStatus,
    pub min_duration_months: i32,
    pub max_duration_months: i32,
    /// Eligibility: the pharmacist must be on the GPhC register.
    pub requires_gphc_registration: bool,
    /// Eligibility: fewer than this many years since first registration (null: no limit).
    pub max_years_since_registration: Option<i32>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "owner_icb_id", to = "id")]
    pub owner_icb: BelongsTo<super::organisation::Entity>,
    #[sea_orm(has_many)]
    pub cohorts: HasMany<super::cohort::Entity>,
    #[sea_orm(has_many)]
    pub funding_sources: HasMany<super::programme_funding_source::Entity>,
    #[sea_orm(has_many)]
    pub education_offers: HasMany<super::programme_education_offer::Entity>,
    #[sea_orm(has_many)]
    pub sectors: HasMany<super::programme_sector::Entity>,
    #[sea_orm(has_many)]
    pub ics_aims: HasMany<super::programme_ics_aim::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
