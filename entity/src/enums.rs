//! Closed vocabularies of the data model.
//!
//! Every enum is stored as its upper-case string value (a `TEXT` column with a `CHECK` constraint listing
//! the values), so that both SQLite and PostgreSQL hold the same data and a new value is one migration.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The kind of an organisation, following the ODS primary and non-primary roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationKind {
    /// NHS England region (`Y56`–`Y63`).
    #[sea_orm(string_value = "REGION")]
    Region,
    /// Integrated care board (ODS role RO318).
    #[sea_orm(string_value = "ICB")]
    Icb,
    /// Sub-ICB location, the former clinical commissioning group (RO319).
    #[sea_orm(string_value = "SUB_ICB_LOCATION")]
    SubIcbLocation,
    /// NHS trust or foundation trust (RO197).
    #[sea_orm(string_value = "NHS_TRUST")]
    NhsTrust,
    /// A site of an NHS trust (RO198).
    #[sea_orm(string_value = "TRUST_SITE")]
    TrustSite,
    /// Primary care network (RO272).
    #[sea_orm(string_value = "PCN")]
    Pcn,
    /// GP practice (RO76).
    #[sea_orm(string_value = "GP_PRACTICE")]
    GpPractice,
    /// Community pharmacy premises (RO182).
    #[sea_orm(string_value = "COMMUNITY_PHARMACY")]
    CommunityPharmacy,
}

/// The contract under which a community pharmacy provides NHS pharmaceutical services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PharmacyContractType {
    /// Community pharmacy contractual framework, premises open to the public.
    #[sea_orm(string_value = "COMMUNITY")]
    Community,
    /// Distance-selling pharmacy (internet or mail order).
    #[sea_orm(string_value = "DISTANCE_SELLING")]
    DistanceSelling,
    /// Local pharmaceutical services contract.
    #[sea_orm(string_value = "LOCAL_PHARMACEUTICAL_SERVICES")]
    LocalPharmaceuticalServices,
    /// Dispensing appliance contractor.
    #[sea_orm(string_value = "DISPENSING_APPLIANCE_CONTRACTOR")]
    DispensingApplianceContractor,
}

/// A dated link from one organisation to a parent organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RelationshipKind {
    /// An ICB belongs to an NHS England region.
    #[sea_orm(string_value = "ICB_IN_REGION")]
    IcbInRegion,
    /// An organisation below ICB level belongs to an ICB.
    #[sea_orm(string_value = "IN_ICB")]
    InIcb,
    /// A GP practice is commissioned by a sub-ICB location (ODS RE4).
    #[sea_orm(string_value = "COMMISSIONED_BY_SUB_ICB_LOCATION")]
    CommissionedBySubIcbLocation,
    /// A GP practice is a member of a primary care network (ODS RE8).
    #[sea_orm(string_value = "MEMBER_OF_PCN")]
    MemberOfPcn,
    /// A trust site belongs to its trust.
    #[sea_orm(string_value = "SITE_OF_TRUST")]
    SiteOfTrust,
}

/// How one organisation carries on from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuccessionKind {
    /// The whole predecessor became part of the successor.
    #[sea_orm(string_value = "MERGER")]
    Merger,
    /// The successor took the predecessor over.
    #[sea_orm(string_value = "ACQUISITION")]
    Acquisition,
    /// Part of the predecessor went to this successor (resolve per organisation, never as a whole).
    #[sea_orm(string_value = "SPLIT")]
    Split,
    /// Only the code or the name changed.
    #[sea_orm(string_value = "RENAME")]
    Rename,
    /// The predecessor closed and the successor took on its services.
    #[sea_orm(string_value = "CLOSURE")]
    Closure,
}

/// The lifecycle of a rotation programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProgrammeStatus {
    /// Being designed; not advertised.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Advertised and recruiting.
    #[sea_orm(string_value = "RECRUITING")]
    Recruiting,
    /// Running, with pharmacists in post.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Closed to new cohorts.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// Where the money for a programme, post or vacancy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FundingSource {
    /// Additional Roles Reimbursement Scheme (PCN Network Contract DES).
    #[sea_orm(string_value = "ARRS")]
    Arrs,
    /// An existing vacancy converted into a rotational post.
    #[sea_orm(string_value = "EXISTING_VACANCY")]
    ExistingVacancy,
    /// An NHS trust's own budget.
    #[sea_orm(string_value = "TRUST")]
    Trust,
    /// An education or training grant.
    #[sea_orm(string_value = "EDUCATION_GRANT")]
    EducationGrant,
    /// Any other source.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Education and training that a programme offers its pharmacists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EducationOffer {
    /// CPPE Primary Care Pharmacy Education Pathway.
    #[sea_orm(string_value = "CPPE_PRIMARY_CARE_PATHWAY")]
    CppePrimaryCarePathway,
    /// Independent-prescribing training.
    #[sea_orm(string_value = "INDEPENDENT_PRESCRIBING")]
    IndependentPrescribing,
    /// RPS post-registration foundation curriculum.
    #[sea_orm(string_value = "RPS_FOUNDATION")]
    RpsFoundation,
    /// A postgraduate clinical diploma.
    #[sea_orm(string_value = "CLINICAL_DIPLOMA")]
    ClinicalDiploma,
}

/// A sector of pharmacy practice in which a placement takes place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Sector {
    /// General practice: hosted by a PCN or a GP practice.
    #[sea_orm(string_value = "GENERAL_PRACTICE")]
    GeneralPractice,
    /// Community pharmacy: hosted by a community pharmacy.
    #[sea_orm(string_value = "COMMUNITY_PHARMACY")]
    CommunityPharmacy,
    /// Secondary care: hosted by an NHS trust or trust site.
    #[sea_orm(string_value = "SECONDARY_CARE")]
    SecondaryCare,
    /// An ICB's medicines-optimisation team: hosted by an ICB.
    #[sea_orm(string_value = "ICB_MEDICINES_OPTIMISATION")]
    IcbMedicinesOptimisation,
}

/// The four aims of an integrated care system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IcsAim {
    /// Improve outcomes in population health and healthcare.
    #[sea_orm(string_value = "IMPROVE_OUTCOMES")]
    ImproveOutcomes,
    /// Tackle inequalities in outcomes, experience and access.
    #[sea_orm(string_value = "TACKLE_INEQUALITIES")]
    TackleInequalities,
    /// Enhance productivity and value for money.
    #[sea_orm(string_value = "ENHANCE_PRODUCTIVITY")]
    EnhanceProductivity,
    /// Help the NHS support broader social and economic development.
    #[sea_orm(string_value = "SOCIAL_AND_ECONOMIC_DEVELOPMENT")]
    SocialAndEconomicDevelopment,
}

/// Agenda for Change pay band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AfcBand {
    /// Band 5.
    #[sea_orm(string_value = "BAND_5")]
    #[serde(rename = "BAND_5")]
    Band5,
    /// Band 6.
    #[sea_orm(string_value = "BAND_6")]
    #[serde(rename = "BAND_6")]
    Band6,
    /// Band 7.
    #[sea_orm(string_value = "BAND_7")]
    #[serde(rename = "BAND_7")]
    Band7,
    /// Band 8a.
    #[sea_orm(string_value = "BAND_8A")]
    #[serde(rename = "BAND_8A")]
    Band8a,
    /// Band 8b.
    #[sea_orm(string_value = "BAND_8B")]
    #[serde(rename = "BAND_8B")]
    Band8b,
    /// Band 8c.
    #[sea_orm(string_value = "BAND_8C")]
    #[serde(rename = "BAND_8C")]
    Band8c,
    /// Band 8d.
    #[sea_orm(string_value = "BAND_8D")]
    #[serde(rename = "BAND_8D")]
    Band8d,
    /// Band 9.
    #[sea_orm(string_value = "BAND_9")]
    #[serde(rename = "BAND_9")]
    Band9,
}

/// The state of a rotational post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PostStatus {
    /// Advertised and open to applicants.
    #[sea_orm(string_value = "ADVERTISED")]
    Advertised,
    /// Offered to a pharmacist.
    #[sea_orm(string_value = "OFFERED")]
    Offered,
    /// Held by a pharmacist.
    #[sea_orm(string_value = "FILLED")]
    Filled,
    /// Temporarily not recruited to.
    #[sea_orm(string_value = "FROZEN")]
    Frozen,
    /// No longer offered.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// A pharmacist's status on the GPhC register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegistrationStatus {
    /// On the register and entitled to practise.
    #[sea_orm(string_value = "REGISTERED")]
    Registered,
    /// Suspended from the register.
    #[sea_orm(string_value = "SUSPENDED")]
    Suspended,
    /// Removed from the register.
    #[sea_orm(string_value = "REMOVED")]
    Removed,
}

/// A qualification or course of education a pharmacist holds or follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CredentialKind {
    /// CPPE Primary Care Pharmacy Education Pathway.
    #[sea_orm(string_value = "CPPE_PRIMARY_CARE_PATHWAY")]
    CppePrimaryCarePathway,
    /// An independent-prescribing course.
    #[sea_orm(string_value = "INDEPENDENT_PRESCRIBING_COURSE")]
    IndependentPrescribingCourse,
    /// RPS post-registration foundation credential.
    #[sea_orm(string_value = "RPS_FOUNDATION")]
    RpsFoundation,
    /// RPS core advanced credential.
    #[sea_orm(string_value = "RPS_CORE_ADVANCED")]
    RpsCoreAdvanced,
    /// RPS consultant credential ("consultant-ready").
    #[sea_orm(string_value = "RPS_CONSULTANT")]
    RpsConsultant,
    /// A postgraduate clinical diploma.
    #[sea_orm(string_value = "CLINICAL_DIPLOMA")]
    ClinicalDiploma,
    /// Training in change management (for example the NHS Leadership Academy's or an improvement
    /// methodology course), which helps consultant pharmacists lead transformation.
    #[sea_orm(string_value = "CHANGE_MANAGEMENT")]
    ChangeManagement,
    /// Any other qualification.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Progress through a credential or course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CredentialStatus {
    /// Enrolled, not yet started.
    #[sea_orm(string_value = "ENROLLED")]
    Enrolled,
    /// Under way.
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    /// Awarded.
    #[sea_orm(string_value = "AWARDED")]
    Awarded,
    /// Left before completion.
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
    /// Exempt through equivalent prior learning.
    #[sea_orm(string_value = "EXEMPT")]
    Exempt,
}

/// The state of a pharmacist's membership of a programme cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MembershipStatus {
    /// A place has been offered.
    #[sea_orm(string_value = "OFFERED")]
    Offered,
    /// The pharmacist accepted the place.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// The rotation has started.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// The rotation was completed.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// The pharmacist left or declined (a leaving reason is recorded).
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// The approval state of a placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PlacementStatus {
    /// Planned, not yet approved.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Approved: counts for overlap rules and reports.
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// Cancelled.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// A consultant pharmacist's area of specialism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Specialism {
    /// Antimicrobial stewardship and infection.
    #[sea_orm(string_value = "ANTIMICROBIALS")]
    Antimicrobials,
    /// Cardiology.
    #[sea_orm(string_value = "CARDIOLOGY")]
    Cardiology,
    /// Critical care.
    #[sea_orm(string_value = "CRITICAL_CARE")]
    CriticalCare,
    /// Frailty and older people.
    #[sea_orm(string_value = "FRAILTY")]
    Frailty,
    /// Mental health.
    #[sea_orm(string_value = "MENTAL_HEALTH")]
    MentalHealth,
    /// Oncology and haematology.
    #[sea_orm(string_value = "ONCOLOGY")]
    Oncology,
    /// Paediatrics.
    #[sea_orm(string_value = "PAEDIATRICS")]
    Paediatrics,
    /// Primary care and population health.
    #[sea_orm(string_value = "PRIMARY_CARE")]
    PrimaryCare,
    /// Respiratory medicine.
    #[sea_orm(string_value = "RESPIRATORY")]
    Respiratory,
    /// Another specialism, named in the detail.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The role a consultant-pharmacist lead plays for a programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProgrammeLeadRole {
    /// Clinical lead.
    #[sea_orm(string_value = "CLINICAL")]
    Clinical,
    /// Education lead.
    #[sea_orm(string_value = "EDUCATION")]
    Education,
}

/// A medicines leadership role in an ICB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MedicinesRole {
    /// Board-level medicines lead.
    #[sea_orm(string_value = "BOARD_MEDICINES_LEAD")]
    BoardMedicinesLead,
    /// Chief pharmacist.
    #[sea_orm(string_value = "CHIEF_PHARMACIST")]
    ChiefPharmacist,
    /// Director of medicines optimisation.
    #[sea_orm(string_value = "DIRECTOR_OF_MEDICINES_OPTIMISATION")]
    DirectorOfMedicinesOptimisation,
    /// Lead of a medicines-optimisation team.
    #[sea_orm(string_value = "MEDICINES_OPTIMISATION_TEAM_LEAD")]
    MedicinesOptimisationTeamLead,
    /// Pharmacy workforce lead.
    #[sea_orm(string_value = "PHARMACY_WORKFORCE_LEAD")]
    PharmacyWorkforceLead,
}

impl MedicinesRole {
    /// Roles that one person at a time holds in an ICB.
    pub const SINGLETONS: [Self; 3] =
        [Self::BoardMedicinesLead, Self::ChiefPharmacist, Self::DirectorOfMedicinesOptimisation];
}

/// The state of a patient pathway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PathwayStatus {
    /// Being designed; no patients on it yet.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Patients are on it.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Temporarily stopped.
    #[sea_orm(string_value = "PAUSED")]
    Paused,
    /// Ended (its end date says when).
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// A kind of work a medicines-optimisation team does. The list follows the work the NHS Confederation's
/// stocktake of medicines optimisation in integrated care systems describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkKind {
    /// Prescribing quality and cost: audits, incentive schemes, switches.
    #[sea_orm(string_value = "PRESCRIBING_QUALITY")]
    PrescribingQuality,
    /// Structured medication reviews in care homes.
    #[sea_orm(string_value = "CARE_HOME_REVIEWS")]
    CareHomeReviews,
    /// The joint formulary and its decisions.
    #[sea_orm(string_value = "FORMULARY")]
    Formulary,
    /// Redesign of patient pathways.
    #[sea_orm(string_value = "PATHWAY_REDESIGN")]
    PathwayRedesign,
    /// High-cost drugs commissioning and monitoring.
    #[sea_orm(string_value = "HIGH_COST_DRUGS")]
    HighCostDrugs,
    /// Population health management and reducing inequalities.
    #[sea_orm(string_value = "POPULATION_HEALTH")]
    PopulationHealth,
    /// Antimicrobial stewardship.
    #[sea_orm(string_value = "ANTIMICROBIAL_STEWARDSHIP")]
    AntimicrobialStewardship,
    /// Medicines safety: incidents, alerts, shared learning.
    #[sea_orm(string_value = "MEDICINES_SAFETY")]
    MedicinesSafety,
    /// Developing the pharmacy workforce (rotational roles among them).
    #[sea_orm(string_value = "WORKFORCE_DEVELOPMENT")]
    WorkforceDevelopment,
    /// Any other work.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// The state of a service redesign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RedesignStatus {
    /// Agreed, not yet started.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Under way.
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    /// Finished.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Stopped before it finished.
    #[sea_orm(string_value = "STOPPED")]
    Stopped,
}

/// The stage at which an ICB's medicines-optimisation team joined a service redesign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "Text")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TeamInvolvement {
    /// From the start, as the stocktake recommends.
    #[sea_orm(string_value = "FROM_THE_START")]
    FromTheStart,
    /// During the design.
    #[sea_orm(string_value = "DESIGN")]
    Design,
    /// Only at implementation.
    #[sea_orm(string_value = "IMPLEMENTATION")]
    Implementation,
    /// Not involved.
    #[sea_orm(string_value = "NOT_INVOLVED")]
    NotInvolved,
}
