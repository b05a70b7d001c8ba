//! GraphQL enums mirroring the stored vocabularies of the entity crate (one value per stored value).

use async_graphql::Enum;
use entity::enums;

/// The kind of an organisation, following the ODS primary and non-primary roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::OrganisationKind")]
pub enum OrganisationKind {
    /// NHS England region (`Y56`–`Y63`).
    Region,
    /// Integrated care board (ODS role RO318).
    Icb,
    /// Sub-ICB location, the former clinical commissioning group (RO319).
    SubIcbLocation,
    /// NHS trust or foundation trust (RO197).
    NhsTrust,
    /// A site of an NHS trust (RO198).
    TrustSite,
    /// Primary care network (RO272).
    Pcn,
    /// GP practice (RO76).
    GpPractice,
    /// Community pharmacy premises (RO182).
    CommunityPharmacy,
}

/// The contract under which a community pharmacy provides NHS pharmaceutical services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::PharmacyContractType")]
pub enum PharmacyContractType {
    /// Community pharmacy contractual framework, premises open to the public.
    Community,
    /// Distance-selling pharmacy (internet or mail order).
    DistanceSelling,
    /// Local pharmaceutical services contract.
    LocalPharmaceuticalServices,
    /// Dispensing appliance contractor.
    DispensingApplianceContractor,
}

/// A dated link from one organisation to a parent organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::RelationshipKind")]
pub enum RelationshipKind {
    /// An ICB belongs to an NHS England region.
    IcbInRegion,
    /// An organisation below ICB level belongs to an ICB.
    InIcb,
    /// A GP practice is commissioned by a sub-ICB location (ODS RE4).
    CommissionedBySubIcbLocation,
    /// A GP practice is a member of a primary care network (ODS RE8).
    MemberOfPcn,
    /// A trust site belongs to its trust.
    SiteOfTrust,
}

/// How one organisation carries on from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::SuccessionKind")]
pub enum SuccessionKind {
    /// The whole predecessor became part of the successor.
    Merger,
    /// The successor took the predecessor over.
    Acquisition,
    /// Part of the predecessor went to this successor (resolve per organisation, never as a whole).
    Split,
    /// Only the code or the name changed.
    Rename,
    /// The predecessor closed and the successor took on its services.
    Closure,
}

/// The lifecycle of a rotation programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::ProgrammeStatus")]
pub enum ProgrammeStatus {
    /// Being designed; not advertised.
    Draft,
    /// Advertised and recruiting.
    Recruiting,
    /// Running, with pharmacists in post.
    Active,
    /// Closed to new cohorts.
    Closed,
}

/// Where the money for a programme, post or vacancy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::FundingSource")]
pub enum FundingSource {
    /// Additional Roles Reimbursement Scheme (PCN Network Contract DES).
    Arrs,
    /// An existing vacancy converted into a rotational post.
    ExistingVacancy,
    /// An NHS trust's own budget.
    Trust,
    /// An education or training grant.
    EducationGrant,
    /// Any other source.
    Other,
}

/// Education and training that a programme offers its pharmacists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::EducationOffer")]
pub enum EducationOffer {
    /// CPPE Primary Care Pharmacy Education Pathway.
    CppePrimaryCarePathway,
    /// Independent-prescribing training.
    IndependentPrescribing,
    /// RPS post-registration foundation curriculum.
    RpsFoundation,
    /// A postgraduate clinical diploma.
    ClinicalDiploma,
}

/// A sector of pharmacy practice in which a placement takes place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::Sector")]
pub enum Sector {
    /// General practice: hosted by a PCN or a GP practice.
    GeneralPractice,
    /// Community pharmacy: hosted by a community pharmacy.
    CommunityPharmacy,
    /// Secondary care: hosted by an NHS trust or trust site.
    SecondaryCare,
    /// An ICB's medicines-optimisation team: hosted by an ICB.
    IcbMedicinesOptimisation,
}

/// The four aims of an integrated care system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::IcsAim")]
pub enum IcsAim {
    /// Improve outcomes in population health and healthcare.
    ImproveOutcomes,
    /// Tackle inequalities in outcomes, experience and access.
    TackleInequalities,
    /// Enhance productivity and value for money.
    EnhanceProductivity,
    /// Help the NHS support broader social and economic development.
    SocialAndEconomicDevelopment,
}

/// Agenda for Change pay band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::AfcBand")]
pub enum AfcBand {
    /// Band 5.
    #[graphql(name = "BAND_5")]
    Band5,
    /// Band 6.
    #[graphql(name = "BAND_6")]
    Band6,
    /// Band 7.
    #[graphql(name = "BAND_7")]
    Band7,
    /// Band 8a.
    #[graphql(name = "BAND_8A")]
    Band8a,
    /// Band 8b.
    #[graphql(name = "BAND_8B")]
    Band8b,
    /// Band 8c.
    #[graphql(name = "BAND_8C")]
    Band8c,
    /// Band 8d.
    #[graphql(name = "BAND_8D")]
    Band8d,
    /// Band 9.
    #[graphql(name = "BAND_9")]
    Band9,
}

/// The state of a rotational post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::PostStatus")]
pub enum PostStatus {
    /// Advertised and open to applicants.
    Advertised,
    /// Offered to a pharmacist.
    Offered,
    /// Held by a pharmacist.
    Filled,
    /// Temporarily not recruited to.
    Frozen,
    /// No longer offered.
    Withdrawn,
}

/// A pharmacist's status on the GPhC register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::RegistrationStatus")]
pub enum RegistrationStatus {
    /// On the register and entitled to practise.
    Registered,
    /// Suspended from the register.
    Suspended,
    /// Removed from the register.
    Removed,
}

/// A qualification or course of education a pharmacist holds or follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::CredentialKind")]
pub enum CredentialKind {
    /// CPPE Primary Care Pharmacy Education Pathway.
    CppePrimaryCarePathway,
    /// An independent-prescribing course.
    IndependentPrescribingCourse,
    /// RPS post-registration foundation credential.
    RpsFoundation,
    /// RPS core advanced credential.
    RpsCoreAdvanced,
    /// RPS consultant credential ("consultant-ready").
    RpsConsultant,
    /// A postgraduate clinical diploma.
    ClinicalDiploma,
    /// Training in change management (for example the NHS Leadership Academy's or an improvement
    /// methodology course), which helps consultant pharmacists lead transformation.
    ChangeManagement,
    /// Any other qualification.
    Other,
}

/// Progress through a credential or course.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::CredentialStatus")]
pub enum CredentialStatus {
    /// Enrolled, not yet started.
    Enrolled,
    /// Under way.
    InProgress,
    /// Awarded.
    Awarded,
    /// Left before completion.
    Withdrawn,
    /// Exempt through equivalent prior learning.
    Exempt,
}

/// The state of a pharmacist's membership of a programme cohort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::MembershipStatus")]
pub enum MembershipStatus {
    /// A place has been offered.
    Offered,
    /// The pharmacist accepted the place.
    Accepted,
    /// The rotation has started.
    Active,
    /// The rotation was completed.
    Completed,
    /// The pharmacist left or declined (a leaving reason is recorded).
    Withdrawn,
}

/// The approval state of a placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::PlacementStatus")]
pub enum PlacementStatus {
    /// Planned, not yet approved.
    Planned,
    /// Approved: counts for overlap rules and reports.
    Approved,
    /// Cancelled.
    Cancelled,
}

/// A consultant pharmacist's area of specialism.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::Specialism")]
pub enum Specialism {
    /// Antimicrobial stewardship and infection.
    Antimicrobials,
    /// Cardiology.
    Cardiology,
    /// Critical care.
    CriticalCare,
    /// Frailty and older people.
    Frailty,
    /// Mental health.
    MentalHealth,
    /// Oncology and haematology.
    Oncology,
    /// Paediatrics.
    Paediatrics,
    /// Primary care and population health.
    PrimaryCare,
    /// Respiratory medicine.
    Respiratory,
    /// Another specialism, named in the detail.
    Other,
}

/// The role a consultant-pharmacist lead plays for a programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::ProgrammeLeadRole")]
pub enum ProgrammeLeadRole {
    /// Clinical lead.
    Clinical,
    /// Education lead.
    Education,
}

/// A medicines leadership role in an ICB.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::MedicinesRole")]
pub enum MedicinesRole {
    /// Board-level medicines lead.
    BoardMedicinesLead,
    /// Chief pharmacist.
    ChiefPharmacist,
    /// Director of medicines optimisation.
    DirectorOfMedicinesOptimisation,
    /// Lead of a medicines-optimisation team.
    MedicinesOptimisationTeamLead,
    /// Pharmacy workforce lead.
    PharmacyWorkforceLead,
}

/// Which ICB an organisation's history is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Enum)]
pub enum IcbResolution {
    /// The ICB the organisation belonged to on the date in question.
    #[default]
    AtEvent,
    /// Rolled up to today's ICB: the organisation's own ICB today (so a split ICB is resolved per
    /// organisation), or the single successor of its ICB where it has none today.
    CurrentSuccessor,
}

/// The state of a patient pathway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::PathwayStatus")]
pub enum PathwayStatus {
    /// Being designed; no patients on it yet.
    Planned,
    /// Patients are on it.
    Active,
    /// Temporarily stopped.
    Paused,
    /// Ended (its end date says when).
    Closed,
}

/// A kind of work a medicines-optimisation team does (following the NHS Confederation's stocktake of
/// medicines optimisation in integrated care systems).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::WorkKind")]
pub enum WorkKind {
    /// Prescribing quality and cost: audits, incentive schemes, switches.
    PrescribingQuality,
    /// Structured medication reviews in care homes.
    CareHomeReviews,
    /// The joint formulary and its decisions.
    Formulary,
    /// Redesign of patient pathways.
    PathwayRedesign,
    /// High-cost drugs commissioning and monitoring.
    HighCostDrugs,
    /// Population health management and reducing inequalities.
    PopulationHealth,
    /// Antimicrobial stewardship.
    AntimicrobialStewardship,
    /// Medicines safety: incidents, alerts, shared learning.
    MedicinesSafety,
    /// Developing the pharmacy workforce (rotational roles among them).
    WorkforceDevelopment,
    /// Any other work.
    Other,
}

/// The state of a service redesign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::RedesignStatus")]
pub enum RedesignStatus {
    /// Agreed, not yet started.
    Planned,
    /// Under way.
    InProgress,
    /// Finished.
    Completed,
    /// Stopped before it finished.
    Stopped,
}

/// The stage at which an ICB's medicines-optimisation team joined a service redesign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::TeamInvolvement")]
pub enum TeamInvolvement {
    /// From the start, as the stocktake recommends.
    FromTheStart,
    /// During the design.
    Design,
    /// Only at implementation.
    Implementation,
    /// Not involved.
    NotInvolved,
}
