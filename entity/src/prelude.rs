//! The entities under their conventional names.

pub use super::audit_log::Entity as AuditLog;
pub use super::cohort::Entity as Cohort;
pub use super::consultant_lead::Entity as ConsultantLead;
pub use super::credential::Entity as Credential;
pub use super::icb_medicines_role::Entity as IcbMedicinesRole;
pub use super::medicines_optimisation_team::Entity as MedicinesOptimisationTeam;
pub use super::organisation::Entity as Organisation;
pub use super::organisation_relationship::Entity as OrganisationRelationship;
pub use super::organisation_succession::Entity as OrganisationSuccession;
pub use super::pharmacist::Entity as Pharmacist;
pub use super::placement::Entity as Placement;
pub use super::programme_education_offer::Entity as ProgrammeEducationOffer;
pub use super::programme_funding_source::Entity as ProgrammeFundingSource;
pub use super::programme_ics_aim::Entity as ProgrammeIcsAim;
pub use super::programme_lead::Entity as ProgrammeLead;
pub use super::programme_membership::Entity as ProgrammeMembership;
pub use super::programme_sector::Entity as ProgrammeSector;
pub use super::rotation_programme::Entity as RotationProgramme;
pub use super::rotational_post::Entity as RotationalPost;
pub use super::vacancy::Entity as Vacancy;
