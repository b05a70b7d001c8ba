use super::{actor, id_of, payload, respond};
use crate::graphql::common::{NodeType, as_of_or_today};
use crate::graphql::db;
use crate::graphql::enums::{AfcBand, CredentialKind, CredentialStatus, FundingSource, RegistrationStatus, Sector};
use crate::graphql::programme::Vacancy;
use crate::graphql::scalars::{Date, OdsCodeScalar};
use crate::graphql::workforce::{Credential, Pharmacist};
use crate::services::workforce::{
    self, CredentialChanges, NewCredential, NewPharmacist, NewVacancy, PharmacistChanges,
};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{credential, pharmacist, vacancy};

/// A new pharmacist record, managed by one of your ICBs.
#[derive(InputObject)]
pub struct CreatePharmacistInput {
    /// The 7-digit GPhC registration number (unique: `DUPLICATE_GPHC_NUMBER`).
    pub gphc_number: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// First day on the GPhC register.
    pub first_registered_on: Date,
    /// Registration status (default REGISTERED).
    #[graphql(default_with = "RegistrationStatus::Registered")]
    pub registration_status: RegistrationStatus,
    /// Date of the independent-prescriber annotation, if annotated.
    pub independent_prescriber_since: Option<Date>,
    /// The ICB (one of yours) that manages the record.
    pub managing_icb: OdsCodeScalar,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Changes to a pharmacist's details; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdatePharmacistInput {
    /// The pharmacist.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New given name.
    pub given_name: Option<String>,
    /// New family name.
    pub family_name: Option<String>,
    /// Corrected first registration day.
    pub first_registered_on: Option<Date>,
}

/// A pharmacist's registration status on the GPhC register.
#[derive(InputObject)]
pub struct UpdateRegistrationStatusInput {
    /// The pharmacist.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// The status.
    pub registration_status: RegistrationStatus,
}

/// The independent-prescriber annotation on a pharmacist's registration.
#[derive(InputObject)]
pub struct RecordIndependentPrescriberInput {
    /// The pharmacist.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// The date of the annotation; null removes it.
    pub since: MaybeUndefined<Date>,
}

/// A credential or course of a pharmacist.
#[derive(InputObject)]
pub struct RecordCredentialInput {
    /// The pharmacist.
    pub pharmacist_id: ID,
    /// What it is.
    pub kind: CredentialKind,
    /// Where it stands.
    pub status: CredentialStatus,
    /// When it started.
    pub started_on: Option<Date>,
    /// When it is expected to be completed.
    pub expected_completion_on: Option<Date>,
    /// When it was awarded (required for AWARDED).
    pub awarded_on: Option<Date>,
    /// Progress, 0 to 100.
    pub progress_percent: Option<i32>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Progress of a credential; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCredentialInput {
    /// The credential.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New status.
    pub status: Option<CredentialStatus>,
    /// New expected completion (null clears it).
    pub expected_completion_on: MaybeUndefined<Date>,
    /// Award date (null clears it).
    pub awarded_on: MaybeUndefined<Date>,
    /// Progress, 0 to 100 (null clears it).
    pub progress_percent: MaybeUndefined<i32>,
}

/// A new vacancy at a host of one of your ICBs.
#[derive(InputObject)]
pub struct CreateVacancyInput {
    /// ODS code of the host: an open trust, PCN, GP practice or community pharmacy in one of your ICBs.
    pub host: OdsCodeScalar,
    /// The sector, matching the host's kind.
    pub sector: Sector,
    /// Agenda for Change band.
    pub afc_band: Option<AfcBand>,
    /// Whole-time equivalent, in (0, 1].
    pub wte: f64,
    /// How it is funded.
    pub funding: FundingSource,
    /// The day it opened (default: today).
    pub opened_on: Option<Date>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// The closing of a vacancy.
#[derive(InputObject)]
pub struct CloseVacancyInput {
    /// The vacancy.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// The day it closed (default: today).
    pub closed_on: Option<Date>,
}

payload!(
    /// The result of a mutation of a pharmacist.
    PharmacistPayload { pharmacist: Pharmacist = Pharmacist, from pharmacist::Model }
);
payload!(
    /// The result of a mutation of a credential.
    CredentialPayload { credential: Credential = Credential, from credential::Model }
);
payload!(
    /// The result of a mutation of a vacancy.
    VacancyPayload { vacancy: Vacancy = Vacancy, from vacancy::Model }
);

/// Mutations over pharmacists, credentials and vacancies.
#[derive(Default)]
pub struct WorkforceMutation;

/// Mutations over pharmacists, credentials and vacancies.
#[Object]
impl WorkforceMutation {
    /// Creates a pharmacist record managed by one of your ICBs.
    async fn create_pharmacist(&self, ctx: &Context<'_>, input: CreatePharmacistInput) -> Result<PharmacistPayload> {
        let new = NewPharmacist {
            gphc_number: input.gphc_number,
            given_name: input.given_name,
            family_name: input.family_name,
            first_registered_on: input.first_registered_on.0,
            registration_status: input.registration_status.into(),
            independent_prescriber_since: input.independent_prescriber_since.map(|date| date.0),
            managing_icb: input.managing_icb.0.to_string(),
        };
        respond(workforce::create_pharmacist(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Updates a pharmacist's names or first registration day.
    async fn update_pharmacist(&self, ctx: &Context<'_>, input: UpdatePharmacistInput) -> Result<PharmacistPayload> {
        let changes = PharmacistChanges {
            given_name: input.given_name,
            family_name: input.family_name,
            first_registered_on: input.first_registered_on.map(|date| date.0),
            ..PharmacistChanges::default()
        };
        change_pharmacist(ctx, "updatePharmacist", &input.id, input.expected_version, changes).await
    }

    /// Records a pharmacist's registration status on the GPhC register.
    async fn update_registration_status(
        &self,
        ctx: &Context<'_>,
        input: UpdateRegistrationStatusInput,
    ) -> Result<PharmacistPayload> {
        let changes = PharmacistChanges {
            registration_status: Some(input.registration_status.into()),
            ..PharmacistChanges::default()
        };
        change_pharmacist(ctx, "updateRegistrationStatus", &input.id, input.expected_version, changes).await
    }

    /// Records (or, with `since: null`, removes) the independent-prescriber annotation.
    async fn record_independent_prescriber(
        &self,
        ctx: &Context<'_>,
        input: RecordIndependentPrescriberInput,
    ) -> Result<PharmacistPayload> {
        let since = match input.since {
            MaybeUndefined::Value(date) => Some(Some(date.0)),
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Undefined => None,
        };
        let changes = PharmacistChanges { independent_prescriber_since: since, ..PharmacistChanges::default() };
        change_pharmacist(ctx, "recordIndependentPrescriber", &input.id, input.expected_version, changes).await
    }

    /// Records a credential or course of a pharmacist.
    async fn record_credential(&self, ctx: &Context<'_>, input: RecordCredentialInput) -> Result<CredentialPayload> {
        let new = NewCredential {
            pharmacist_id: id_of(NodeType::Pharmacist, "pharmacistId", &input.pharmacist_id)?,
            kind: input.kind.into(),
            status: input.status.into(),
            started_on: input.started_on.map(|date| date.0),
            expected_completion_on: input.expected_completion_on.map(|date| date.0),
            awarded_on: input.awarded_on.map(|date| date.0),
            progress_percent: input.progress_percent,
        };
        respond(workforce::record_credential(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Updates a credential's progress.
    async fn update_credential(&self, ctx: &Context<'_>, input: UpdateCredentialInput) -> Result<CredentialPayload> {
        let id = id_of(NodeType::Credential, "id", &input.id)?;
        let changes = CredentialChanges {
            status: input.status.map(Into::into),
            expected_completion_on: input.expected_completion_on.map_value(|date| date.0).into(),
            awarded_on: input.awarded_on.map_value(|date| date.0).into(),
            progress_percent: input.progress_percent.into(),
        };
        respond(workforce::update_credential(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }

    /// Opens a vacancy at a host of one of your ICBs.
    async fn create_vacancy(&self, ctx: &Context<'_>, input: CreateVacancyInput) -> Result<VacancyPayload> {
        let new = NewVacancy {
            host: input.host.0.to_string(),
            sector: input.sector.into(),
            afc_band: input.afc_band.map(Into::into),
            wte: input.wte,
            funding: input.funding.into(),
            opened_on: as_of_or_today(ctx, input.opened_on)?,
        };
        respond(workforce::create_vacancy(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Closes an open vacancy.
    async fn close_vacancy(&self, ctx: &Context<'_>, input: CloseVacancyInput) -> Result<VacancyPayload> {
        let id = id_of(NodeType::Vacancy, "id", &input.id)?;
        let closed_on = as_of_or_today(ctx, input.closed_on)?;
        respond(workforce::close_vacancy(db(ctx)?, &actor(ctx)?, id, input.expected_version, closed_on).await)
    }
}

async fn change_pharmacist(
    ctx: &Context<'_>,
    operation: &'static str,
    id: &ID,
    expected_version: i32,
    changes: PharmacistChanges,
) -> Result<PharmacistPayload> {
    let id = id_of(NodeType::Pharmacist, "id", id)?;
    respond(workforce::update_pharmacist(db(ctx)?, &actor(ctx)?, operation, id, expected_version, &changes).await)
}
