//! Changing leadership: consultant-pharmacist leads in trusts and their programme roles, ICB medicines
//! leadership roles, and medicines-optimisation teams.

use super::programmes::check_name;
use super::writes::{Actor, Change, Outcome, UserError, WriteAccess, checked, is_rule_violation, refuse, refuse_all};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::enums::{MedicinesRole, OrganisationKind, ProgrammeLeadRole, RelationshipKind, Specialism};
use entity::{
    consultant_lead, icb_medicines_role, medicines_optimisation_team, pharmacist, programme_lead, rotation_programme,
    team_work_mix,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

/// A consultant pharmacist appointed to lead a specialism in a trust.
#[derive(Clone, Debug, Serialize)]
pub struct NewConsultantLead {
    pub pharmacist_id: Uuid,
    /// ODS code of the trust, which belongs to one of the administrator's ICBs.
    pub trust: String,
    pub specialism: Specialism,
    pub specialism_detail: Option<String>,
    pub rps_post_approved_on: Option<NaiveDate>,
    pub rps_credentialed_on: Option<NaiveDate>,
    pub valid_from: NaiveDate,
}

/// A leadership role held over a period, which can be ended.
trait Dated {
    fn valid_from(&self) -> NaiveDate;
    fn valid_to(&self) -> Option<NaiveDate>;
}

/// Refuses an end before the start, and ending what has ended.
fn check_end(record: &impl Dated, valid_to: NaiveDate) -> Vec<UserError> {
    let mut errors = Vec::new();
    if record.valid_to().is_some() {
        errors.push(UserError::new("id", "has already ended", "INVALID_TRANSITION"));
    }
    if valid_to < record.valid_from() {
        errors.push(UserError::new("validTo", "is before the start", "INVALID_DATES"));
    }
    errors
}

impl Dated for consultant_lead::Model {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to
    }
}

impl Dated for icb_medicines_role::Model {
    fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }
    fn valid_to(&self) -> Option<NaiveDate> {
        self.valid_to
    }
}

/// Rows whose end (`valid_to`) is absent or not before `day`.
fn open_on_or_after(valid_to: impl ColumnTrait, day: NaiveDate) -> Condition {
    Condition::any().add(valid_to.is_null()).add(valid_to.gte(day))
}

/// Whether another lead covers the same trust and specialism at some time from `from` on (specialism
/// OTHER excepted: a trust may have several).
async fn lead_overlaps<C: ConnectionTrait>(db: &C, lead: &consultant_lead::Model) -> Result<bool, AppError> {
    if lead.specialism == Specialism::Other {
        return Ok(false);
    }
    let others = consultant_lead::Entity::find()
        .filter(consultant_lead::Column::TrustId.eq(lead.trust_id))
        .filter(consultant_lead::Column::Specialism.eq(lead.specialism))
        .filter(consultant_lead::Column::Id.ne(lead.id))
        .filter(open_on_or_after(consultant_lead::Column::ValidTo, lead.valid_from))
        .count(db)
        .await?;
    Ok(others > 0)
}

/// Appoints a consultant-pharmacist lead in a trust of one of the administrator's ICBs.
pub async fn appoint_consultant_lead(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewConsultantLead,
    idempotency_key: Option<&str>,
) -> Result<Outcome<consultant_lead::Model>, AppError> {
    let mut change = Change::begin(db, actor, "appointConsultantLead", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<consultant_lead::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let trust = super::programmes::open_organisation(&change, &input.trust, &[OrganisationKind::NhsTrust]).await?;
    let trust_icb = match &trust {
        Some(trust) => {
            super::organisations::parents_on(change.db(), &[trust.id], RelationshipKind::InIcb, input.valid_from)
                .await?
                .remove(&trust.id)
                .map(|icb| icb.id)
        }
        None => None,
    };
    let (Some(trust), Some(trust_icb)) = (trust, trust_icb.filter(|icb| change.administers(*icb))) else {
        return refuse(UserError::not_found("trust"));
    };
    let Some(pharmacist) = change.reference::<pharmacist::Entity>(input.pharmacist_id).await? else {
        return refuse(UserError::not_found("pharmacistId"));
    };
    let lead = consultant_lead::Model {
        id: Uuid::new_v4(),
        pharmacist_id: pharmacist.id,
        trust_id: trust.id,
        specialism: input.specialism,
        specialism_detail: input.specialism_detail.clone(),
        rps_post_approved_on: input.rps_post_approved_on,
        rps_credentialed_on: input.rps_credentialed_on,
        valid_from: input.valid_from,
        valid_to: None,
        version: 1,
    };
    if lead_overlaps(change.db(), &lead).await? {
        return refuse(UserError::new("specialism", "the trust already has a lead for it", "LEAD_OVERLAP"));
    }
    match change.insert::<consultant_lead::Entity, _>(Some(trust_icb), lead.id, lead).await {
        Ok(lead) => {
            change.commit().await?;
            Ok(Ok(lead))
        }
        Err(error) if is_rule_violation(&error) => {
            refuse(UserError::new("specialism", "the trust already has a lead for it", "LEAD_OVERLAP"))
        }
        Err(error) => Err(error),
    }
}

/// Ends a consultant lead's appointment on `valid_to`.
pub async fn end_consultant_lead(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    valid_to: NaiveDate,
) -> Result<Outcome<consultant_lead::Model>, AppError> {
    let change = Change::begin(db, actor, "endConsultantLead", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<consultant_lead::Entity>(id, expected_version).await?);
    if let Some(refused) = refuse_all(check_end(&before, valid_to)) {
        return refused;
    }
    let after = consultant_lead::Model { valid_to: Some(valid_to), version: before.version + 1, ..before.clone() };
    let updated = change.update::<consultant_lead::Entity, _>(change.home_icb(), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A consultant lead's role for a programme of one of the administrator's ICBs.
#[derive(Clone, Debug, Serialize)]
pub struct NewProgrammeLead {
    pub programme_id: Uuid,
    pub consultant_lead_id: Uuid,
    pub role: ProgrammeLeadRole,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// Gives a consultant lead the administrator may read (one at a trust of its ICBs) a role on one of the
/// administrator's programmes.
pub async fn assign_programme_lead(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewProgrammeLead,
    idempotency_key: Option<&str>,
) -> Result<Outcome<programme_lead::Model>, AppError> {
    let mut change = Change::begin(db, actor, "assignProgrammeLead", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<programme_lead::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(programme) = change.find::<rotation_programme::Entity>(input.programme_id).await? else {
        return refuse(UserError::not_found("programmeId"));
    };
    let Some(lead) = change.reference::<consultant_lead::Entity>(input.consultant_lead_id).await? else {
        return refuse(UserError::not_found("consultantLeadId"));
    };
    if input.valid_to.is_some_and(|to| to < input.valid_from) {
        return refuse(UserError::new("validTo", "is before the start", "INVALID_DATES"));
    }
    let role = programme_lead::Model {
        id: Uuid::new_v4(),
        programme_id: programme.id,
        consultant_lead_id: lead.id,
        role: input.role,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
    };
    let role = change.insert::<programme_lead::Entity, _>(Some(programme.owner_icb_id), role.id, role).await?;
    change.commit().await?;
    Ok(Ok(role))
}

/// An ICB medicines leadership role taken up by a person.
#[derive(Clone, Debug, Serialize)]
pub struct NewMedicinesRole {
    /// ODS code of one of the administrator's ICBs.
    pub icb: String,
    pub role: MedicinesRole,
    pub holder_name: String,
    pub pharmacist_id: Option<Uuid>,
    pub valid_from: NaiveDate,
}

/// Roles an ICB has one holder of at a time.
const SINGLE_HOLDER: [MedicinesRole; 3] =
    [MedicinesRole::BoardMedicinesLead, MedicinesRole::ChiefPharmacist, MedicinesRole::DirectorOfMedicinesOptimisation];

/// Appoints the holder of an ICB medicines leadership role.
pub async fn appoint_medicines_role(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewMedicinesRole,
    idempotency_key: Option<&str>,
) -> Result<Outcome<icb_medicines_role::Model>, AppError> {
    let mut change = Change::begin(db, actor, "appointMedicinesRole", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<icb_medicines_role::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(icb) = change.administered_icb(&input.icb).await? else {
        return refuse(UserError::not_found("icb"));
    };
    let mut errors = Vec::new();
    check_name("holderName", &input.holder_name, 200, &mut errors);
    if let Some(pharmacist_id) = input.pharmacist_id
        && change.reference::<pharmacist::Entity>(pharmacist_id).await?.is_none()
    {
        errors.push(UserError::not_found("pharmacistId"));
    }
    if SINGLE_HOLDER.contains(&input.role) {
        let held = icb_medicines_role::Entity::find()
            .filter(icb_medicines_role::Column::IcbId.eq(icb.id))
            .filter(icb_medicines_role::Column::Role.eq(input.role))
            .filter(open_on_or_after(icb_medicines_role::Column::ValidTo, input.valid_from))
            .count(change.db())
            .await?;
        if held > 0 {
            errors.push(UserError::new("role", "the ICB has a holder of this role: end it first", "ROLE_HELD"));
        }
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let role = icb_medicines_role::Model {
        id: Uuid::new_v4(),
        icb_id: icb.id,
        role: input.role,
        holder_name: input.holder_name.trim().to_owned(),
        pharmacist_id: input.pharmacist_id,
        valid_from: input.valid_from,
        valid_to: None,
        version: 1,
    };
    match change.insert::<icb_medicines_role::Entity, _>(Some(icb.id), role.id, role).await {
        Ok(role) => {
            change.commit().await?;
            Ok(Ok(role))
        }
        Err(error) if is_rule_violation(&error) => {
            refuse(UserError::new("role", "the ICB has a holder of this role: end it first", "ROLE_HELD"))
        }
        Err(error) => Err(error),
    }
}

/// Ends an ICB medicines leadership role on `valid_to`.
pub async fn end_medicines_role(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    valid_to: NaiveDate,
) -> Result<Outcome<icb_medicines_role::Model>, AppError> {
    let change = Change::begin(db, actor, "endMedicinesRole", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<icb_medicines_role::Entity>(id, expected_version).await?);
    if let Some(refused) = refuse_all(check_end(&before, valid_to)) {
        return refused;
    }
    let after = icb_medicines_role::Model { valid_to: Some(valid_to), version: before.version + 1, ..before.clone() };
    let updated = change.update::<icb_medicines_role::Entity, _>(Some(before.icb_id), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A new medicines-optimisation team of one of the administrator's ICBs.
#[derive(Clone, Debug, Serialize)]
pub struct NewMedicinesTeam {
    pub icb: String,
    pub name: String,
    pub focus: Option<String>,
    pub wte: Option<f64>,
    pub established_on: NaiveDate,
}

/// Changes to a team; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct MedicinesTeamChanges {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub focus: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub wte: Option<Option<f64>>,
    /// `Some(None)` clears it.
    pub disbanded_on: Option<Option<NaiveDate>>,
}

fn check_team(team: &medicines_optimisation_team::Model, errors: &mut Vec<UserError>) {
    check_name("name", &team.name, 200, errors);
    if let Some(wte) = team.wte
        && !(wte > 0.0 && wte <= 1000.0)
    {
        errors.push(UserError::new("wte", "must be above 0 and at most 1000", "INVALID_WTE"));
    }
    if team.disbanded_on.is_some_and(|disbanded| disbanded < team.established_on) {
        errors.push(UserError::new("disbandedOn", "is before the team was established", "INVALID_DATES"));
    }
}

/// Creates a medicines-optimisation team.
pub async fn create_medicines_team(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewMedicinesTeam,
    idempotency_key: Option<&str>,
) -> Result<Outcome<medicines_optimisation_team::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createMedicinesOptimisationTeam", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<medicines_optimisation_team::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(icb) = change.administered_icb(&input.icb).await? else {
        return refuse(UserError::not_found("icb"));
    };
    let team = medicines_optimisation_team::Model {
        id: Uuid::new_v4(),
        icb_id: icb.id,
        name: input.name.trim().to_owned(),
        focus: input.focus.clone(),
        wte: input.wte,
        established_on: input.established_on,
        disbanded_on: None,
        version: 1,
    };
    let mut errors = Vec::new();
    check_team(&team, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let team = change.insert::<medicines_optimisation_team::Entity, _>(Some(icb.id), team.id, team).await?;
    change.commit().await?;
    Ok(Ok(team))
}

/// Updates (or disbands) a medicines-optimisation team.
pub async fn update_medicines_team(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &MedicinesTeamChanges,
) -> Result<Outcome<medicines_optimisation_team::Model>, AppError> {
    let change = Change::begin(db, actor, "updateMedicinesOptimisationTeam", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<medicines_optimisation_team::Entity>(id, expected_version).await?);
    let after = medicines_optimisation_team::Model {
        name: changes.name.as_deref().map_or(before.name.clone(), |name| name.trim().to_owned()),
        focus: changes.focus.clone().unwrap_or_else(|| before.focus.clone()),
        wte: changes.wte.unwrap_or(before.wte),
        disbanded_on: changes.disbanded_on.unwrap_or(before.disbanded_on),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    check_team(&after, &mut errors);
    if let Some(wte) = after.wte
        && after.wte != before.wte
    {
        // The work mix recorded for the team (`recordTeamWorkMix`) never exceeds its WTE.
        let mixes = team_work_mix::Entity::find().filter(team_work_mix::Column::TeamId.eq(id)).all(change.db()).await?;
        if mixes.iter().any(|mix| mix.operational_wte + mix.transformational_wte > wte + 1e-9) {
            errors.push(UserError::new("wte", "is less than a work mix recorded for the team", "WTE_EXCEEDS_TEAM"));
        }
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let updated =
        change.update::<medicines_optimisation_team::Entity, _>(Some(before.icb_id), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}
