use crate::enums::RegistrationStatus;
use sea_orm::entity::prelude::*;

/// A pharmacist (personal data), keyed by the 7-digit GPhC registration number.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "pharmacist")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub gphc_number: String,
    pub given_name: String,
    pub family_name: String,
    pub first_registered_on: Date,
    pub registration_status: RegistrationStatus,
    /// Date of the independent-prescriber annotation on the register, if annotated.
    pub independent_prescriber_since: Option<Date>,
    /// The ICB whose administrator created the record (null for bulk loads); its administrators may
    /// change it before it belongs to any of their programmes.
    pub managed_by_icb_id: Option<Uuid>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(has_many)]
    pub credentials: HasMany<super::credential::Entity>,
    #[sea_orm(has_many)]
    pub memberships: HasMany<super::programme_membership::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
