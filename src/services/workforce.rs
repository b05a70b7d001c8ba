//! Changing pharmacists, their credentials, and vacancies.
//!
//! A pharmacist record created by an ICB administrator is managed by that ICB; it is also changeable by
//! the administrators of any ICB whose records it appears in (a membership, a lead, a role). The GPhC
//! number is unique: creating a second record for a registered number is `DUPLICATE_GPHC_NUMBER` (the
//! GPhC register is public, so this tells nothing that is not already public).

use super::programmes::{EMPLOYERS, check_name, check_wte, open_organisation};
use super::rotations::host_kinds;
use super::writes::{Actor, Change, Outcome, UserError, WriteAccess, checked, refuse, refuse_all};
use crate::domain::gphc::GphcNumber;
use crate::error::AppError;
use chrono::NaiveDate;
use entity::enums::{AfcBand, CredentialKind, CredentialStatus, FundingSource, RegistrationStatus, Sector};
use entity::{credential, pharmacist, vacancy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

/// A new pharmacist record.
#[derive(Clone, Debug, Serialize)]
pub struct NewPharmacist {
    pub gphc_number: String,
    pub given_name: String,
    pub family_name: String,
    pub first_registered_on: NaiveDate,
    pub registration_status: RegistrationStatus,
    pub independent_prescriber_since: Option<NaiveDate>,
    /// ODS code of the administrator's ICB that manages the record.
    pub managing_icb: String,
}

/// Changes to a pharmacist; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct PharmacistChanges {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub first_registered_on: Option<NaiveDate>,
    pub registration_status: Option<RegistrationStatus>,
    /// `Some(None)` removes the annotation.
    pub independent_prescriber_since: Option<Option<NaiveDate>>,
}

fn check_pharmacist(pharmacist: &pharmacist::Model, today: NaiveDate, errors: &mut Vec<UserError>) {
    check_name("givenName", &pharmacist.given_name, 100, errors);
    check_name("familyName", &pharmacist.family_name, 100, errors);
    if pharmacist.first_registered_on > today {
        errors.push(UserError::new("firstRegisteredOn", "is in the future", "INVALID_DATES"));
    }
    if pharmacist
        .independent_prescriber_since
        .is_some_and(|since| since < pharmacist.first_registered_on || since > today)
    {
        errors.push(UserError::new(
            "independentPrescriberSince",
            "must lie between first registration and today",
            "INVALID_DATES",
        ));
    }
}

/// Creates a pharmacist record managed by one of the administrator's ICBs.
pub async fn create_pharmacist(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewPharmacist,
    idempotency_key: Option<&str>,
) -> Result<Outcome<pharmacist::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createPharmacist", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<pharmacist::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(managing) = change.administered_icb(&input.managing_icb).await? else {
        return refuse(UserError::not_found("managingIcb"));
    };
    let mut errors = Vec::new();
    let gphc_number = match GphcNumber::parse(&input.gphc_number) {
        Ok(number) => number.as_str().to_owned(),
        Err(_) => {
            errors.push(UserError::new(
                "gphcNumber",
                "must be a 7-digit GPhC registration number",
                "INVALID_GPHC_NUMBER",
            ));
            String::new()
        }
    };
    let pharmacist = pharmacist::Model {
        id: Uuid::new_v4(),
        gphc_number,
        given_name: input.given_name.trim().to_owned(),
        family_name: input.family_name.trim().to_owned(),
        first_registered_on: input.first_registered_on,
        registration_status: input.registration_status,
        independent_prescriber_since: input.independent_prescriber_since,
        managed_by_icb_id: Some(managing.id),
        version: 1,
    };
    check_pharmacist(&pharmacist, actor.today, &mut errors);
    if errors.is_empty()
        && pharmacist::Entity::find()
            .filter(pharmacist::Column::GphcNumber.eq(pharmacist.gphc_number.as_str()))
            .count(change.db())
            .await?
            > 0
    {
        errors.push(UserError::new("gphcNumber", "already has a pharmacist record", "DUPLICATE_GPHC_NUMBER"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let pharmacist = change.insert::<pharmacist::Entity, _>(Some(managing.id), pharmacist.id, pharmacist).await?;
    change.commit().await?;
    Ok(Ok(pharmacist))
}

/// Updates a pharmacist: names, first registration, registration status or the independent-prescriber
/// annotation (`operation` names which, for the audit trail).
pub async fn update_pharmacist(
    db: &DatabaseConnection,
    actor: &Actor,
    operation: &'static str,
    id: Uuid,
    expected_version: i32,
    changes: &PharmacistChanges,
) -> Result<Outcome<pharmacist::Model>, AppError> {
    let change = Change::begin(db, actor, operation, WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<pharmacist::Entity>(id, expected_version).await?);
    let trimmed = |text: &Option<String>, current: &str| {
        text.as_deref().map_or(current.to_owned(), |text| text.trim().to_owned())
    };
    let after = pharmacist::Model {
        given_name: trimmed(&changes.given_name, &before.given_name),
        family_name: trimmed(&changes.family_name, &before.family_name),
        first_registered_on: changes.first_registered_on.unwrap_or(before.first_registered_on),
        registration_status: changes.registration_status.unwrap_or(before.registration_status),
        independent_prescriber_since: changes
            .independent_prescriber_since
            .unwrap_or(before.independent_prescriber_since),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    check_pharmacist(&after, actor.today, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let icb = before.managed_by_icb_id.or(change.home_icb());
    let updated = change.update::<pharmacist::Entity, _>(icb, id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A credential or course recorded for a pharmacist.
#[derive(Clone, Debug, Serialize)]
pub struct NewCredential {
    pub pharmacist_id: Uuid,
    pub kind: CredentialKind,
    pub status: CredentialStatus,
    pub started_on: Option<NaiveDate>,
    pub expected_completion_on: Option<NaiveDate>,
    pub awarded_on: Option<NaiveDate>,
    pub progress_percent: Option<i32>,
}

/// Changes to a credential; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct CredentialChanges {
    pub status: Option<CredentialStatus>,
    /// `Some(None)` clears it.
    pub expected_completion_on: Option<Option<NaiveDate>>,
    /// `Some(None)` clears it.
    pub awarded_on: Option<Option<NaiveDate>>,
    /// `Some(None)` clears it.
    pub progress_percent: Option<Option<i32>>,
}

fn check_credential(credential: &credential::Model, errors: &mut Vec<UserError>) {
    if credential.progress_percent.is_some_and(|progress| !(0..=100).contains(&progress)) {
        errors.push(UserError::new("progressPercent", "must be from 0 to 100", "INVALID_PROGRESS"));
    }
    if let (Some(started), Some(awarded)) = (credential.started_on, credential.awarded_on)
        && awarded < started
    {
        errors.push(UserError::new("awardedOn", "is before the start", "INVALID_DATES"));
    }
    if credential.status == CredentialStatus::Awarded && credential.awarded_on.is_none() {
        errors.push(UserError::new("awardedOn", "an awarded credential needs its award date", "INVALID_DATES"));
    }
}

/// Records a credential or course of a pharmacist the administrator may change.
pub async fn record_credential(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewCredential,
    idempotency_key: Option<&str>,
) -> Result<Outcome<credential::Model>, AppError> {
    let mut change = Change::begin(db, actor, "recordCredential", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<credential::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(pharmacist) = change.find::<pharmacist::Entity>(input.pharmacist_id).await? else {
        return refuse(UserError::not_found("pharmacistId"));
    };
    let credential = credential::Model {
        id: Uuid::new_v4(),
        pharmacist_id: pharmacist.id,
        kind: input.kind,
        status: input.status,
        started_on: input.started_on,
        expected_completion_on: input.expected_completion_on,
        awarded_on: input.awarded_on,
        progress_percent: input.progress_percent,
        version: 1,
    };
    let mut errors = Vec::new();
    check_credential(&credential, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let icb = pharmacist.managed_by_icb_id.or(change.home_icb());
    let credential = change.insert::<credential::Entity, _>(icb, credential.id, credential).await?;
    change.commit().await?;
    Ok(Ok(credential))
}

/// Updates a credential's progress.
pub async fn update_credential(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &CredentialChanges,
) -> Result<Outcome<credential::Model>, AppError> {
    let change = Change::begin(db, actor, "updateCredential", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<credential::Entity>(id, expected_version).await?);
    let after = credential::Model {
        status: changes.status.unwrap_or(before.status),
        expected_completion_on: changes.expected_completion_on.unwrap_or(before.expected_completion_on),
        awarded_on: changes.awarded_on.unwrap_or(before.awarded_on),
        progress_percent: changes.progress_percent.unwrap_or(before.progress_percent),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    check_credential(&after, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let updated = change.update::<credential::Entity, _>(change.home_icb(), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A new vacancy at a host in one of the administrator's ICBs.
#[derive(Clone, Debug, Serialize)]
pub struct NewVacancy {
    /// ODS code of the host organisation.
    pub host: String,
    pub sector: Sector,
    pub afc_band: Option<AfcBand>,
    pub wte: f64,
    pub funding: FundingSource,
    pub opened_on: NaiveDate,
}

/// Opens a vacancy at a host that belongs to one of the administrator's ICBs.
pub async fn create_vacancy(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewVacancy,
    idempotency_key: Option<&str>,
) -> Result<Outcome<vacancy::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createVacancy", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<vacancy::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let host = open_organisation(&change, &input.host, &EMPLOYERS).await?;
    let host_icb = match &host {
        Some(host) => super::rotations::icb_of(change.db(), host, input.opened_on).await?,
        None => None,
    };
    let (Some(host), Some(host_icb)) = (host, host_icb.filter(|icb| change.administers(*icb))) else {
        return refuse(UserError::not_found("host"));
    };
    let mut errors = Vec::new();
    check_wte("wte", input.wte, &mut errors);
    if !host_kinds(input.sector).contains(&host.kind) {
        errors.push(UserError::new("sector", "does not match the host's kind", "SECTOR_HOST_MISMATCH"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let vacancy = vacancy::Model {
        id: Uuid::new_v4(),
        host_id: host.id,
        sector: input.sector,
        afc_band: input.afc_band,
        wte: input.wte,
        funding: input.funding,
        opened_on: input.opened_on,
        closed_on: None,
        version: 1,
    };
    let vacancy = change.insert::<vacancy::Entity, _>(Some(host_icb), vacancy.id, vacancy).await?;
    change.commit().await?;
    Ok(Ok(vacancy))
}

/// Closes an open vacancy on a day.
pub async fn close_vacancy(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    closed_on: NaiveDate,
) -> Result<Outcome<vacancy::Model>, AppError> {
    let change = Change::begin(db, actor, "closeVacancy", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<vacancy::Entity>(id, expected_version).await?);
    if before.closed_on.is_some() {
        return refuse(UserError::new("id", "the vacancy is already closed", "INVALID_TRANSITION"));
    }
    if closed_on < before.opened_on {
        return refuse(UserError::new("closedOn", "is before the vacancy opened", "INVALID_DATES"));
    }
    let after = vacancy::Model { closed_on: Some(closed_on), version: before.version + 1, ..before.clone() };
    let updated = change.update::<vacancy::Entity, _>(change.home_icb(), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}
