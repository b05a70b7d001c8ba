//! The rotagraph data model as sea-orm 2.0 entities.
//!
//! Every table has a surrogate UUID primary key. UUIDs rather than integers because rows are created by
//! several ICBs' tools and by the synthetic generator without a round trip to a sequence, because reference
//! rows get stable, name-derived ids (UUID v5 of the ODS code), so reloading reference data is idempotent
//! on any database, and because ids are never guessable or countable from outside. Natural keys (the ODS
//! code of an organisation, the GPhC number of a pharmacist) are unique columns beside the id, because
//! codes change when organisations merge while the row they name lives on.
//!
//! Dates are calendar dates; a validity period is `valid_from ..= valid_to`, both inclusive, with a null
//! `valid_to` meaning "still valid" (as in the ODS and HEE TIS data).

/// Closed vocabularies stored as text.
pub mod enums;
/// Prelude of every entity.
pub mod prelude;

/// Append-only audit trail of changes.
pub mod audit_log;
/// Cohorts (intakes) of a programme.
pub mod cohort;
/// Consultant-pharmacist leads in trusts.
pub mod consultant_lead;
/// Consultant leads' time across the four RPS pillars.
pub mod consultant_pillar_share;
/// Pharmacists' credentials and education progress.
pub mod credential;
/// Medicines leadership roles in ICBs.
pub mod icb_medicines_role;
/// Idempotency keys of create mutations.
pub mod idempotency_key;
/// Medicines-optimisation teams of ICBs.
pub mod medicines_optimisation_team;
/// Organisations of every kind, keyed by ODS code.
pub mod organisation;
/// Dated parent links between organisations.
pub mod organisation_relationship;
/// Succession between organisations (mergers, splits).
pub mod organisation_succession;
/// ICBs a patient pathway spans.
pub mod pathway_icb;
/// Organisations taking part in a patient pathway.
pub mod pathway_participant;
/// Sectors a patient pathway spans.
pub mod pathway_sector;
/// Patient pathways led by consultant-pharmacist leads.
pub mod patient_pathway;
/// Pharmacists, keyed by GPhC number.
pub mod pharmacist;
/// Placements of a member with a host organisation.
pub mod placement;
/// Education offers of a programme.
pub mod programme_education_offer;
/// Funding sources of a programme.
pub mod programme_funding_source;
/// ICS aims a programme serves.
pub mod programme_ics_aim;
/// Consultant-pharmacist leads of a programme.
pub mod programme_lead;
/// Pharmacists' memberships of programme cohorts.
pub mod programme_membership;
/// Sectors a programme promises to cover.
pub mod programme_sector;
/// Rotation programmes.
pub mod rotation_programme;
/// Rotational posts.
pub mod rotational_post;
/// Service redesign projects of ICBs.
pub mod service_redesign;
/// Sectors a service redesign involves.
pub mod service_redesign_sector;
/// Kinds of work of a team's work mix.
pub mod team_work_kind;
/// Medicines-optimisation teams' operational and transformational work.
pub mod team_work_mix;
/// Vacancies in host organisations.
pub mod vacancy;
