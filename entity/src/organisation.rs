use crate::enums::{OrganisationKind, PharmacyContractType};
use sea_orm::entity::prelude::*;

/// An NHS organisation of any kind: region, ICB, sub-ICB location, trust, trust site, PCN, GP practice or
/// community pharmacy. Kind-specific attributes are nullable columns that a CHECK allows only for their kind.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// ODS code, unique, in the format of the organisation's kind.
    #[sea_orm(unique)]
    pub ods_code: String,
    pub kind: OrganisationKind,
    pub name: String,
    /// ONS/GSS code (regions, ICBs, sub-ICB locations).
    pub gss_code: Option<String>,
    pub postcode: Option<String>,
    /// First day the organisation legally existed.
    pub legal_start_date: Option<Date>,
    /// Last day the organisation legally existed; null while it exists.
    pub legal_end_date: Option<Date>,
    /// NHS trusts only: whether it is a foundation trust.
    pub is_foundation_trust: Option<bool>,
    /// Community pharmacies only: the contract it holds.
    pub pharmacy_contract_type: Option<PharmacyContractType>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
}

impl ActiveModelBehavior for ActiveModel {}
