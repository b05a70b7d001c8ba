//! Changing programmes, their cohorts and their posts.

use super::writes::{Actor, Change, Outcome, UserError, WriteAccess, checked, refuse, refuse_all};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::enums::{
    AfcBand, EducationOffer, FundingSource, IcsAim, MembershipStatus, OrganisationKind, PostStatus, ProgrammeStatus,
    Sector,
};
use entity::{
    cohort, organisation, programme_education_offer, programme_funding_source, programme_ics_aim, programme_membership,
    programme_sector, rotation_programme, rotational_post, vacancy,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

/// A new rotation programme.
#[derive(Clone, Debug, Serialize)]
pub struct NewProgramme {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    /// ODS code of the owner ICB: one of the administrator's ICBs.
    pub owner_icb: String,
    pub min_duration_months: i32,
    pub max_duration_months: i32,
    pub requires_gphc_registration: bool,
    pub max_years_since_registration: Option<i32>,
    pub funding_sources: Vec<FundingSource>,
    pub education_offers: Vec<EducationOffer>,
    pub sectors: Vec<Sector>,
    pub ics_aims: Vec<IcsAim>,
}

/// Changes to a programme; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct ProgrammeChanges {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub status: Option<ProgrammeStatus>,
    pub min_duration_months: Option<i32>,
    pub max_duration_months: Option<i32>,
    pub requires_gphc_registration: Option<bool>,
    /// `Some(None)` clears it.
    pub max_years_since_registration: Option<Option<i32>>,
}

fn check_programme(programme: &rotation_programme::Model, errors: &mut Vec<UserError>) {
    let code = programme.code.as_str();
    if code.is_empty() || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        errors.push(UserError::new("code", "must be 1 to 32 letters, digits or hyphens", "INVALID_CODE"));
    }
    check_name("name", &programme.name, 200, errors);
    if programme.min_duration_months <= 0
        || programme.max_duration_months < programme.min_duration_months
        || programme.max_duration_months > 120
    {
        errors.push(UserError::new(
            "maxDurationMonths",
            "the duration must be positive, at most 120 months, and the maximum not below the minimum",
            "INVALID_DURATION",
        ));
    }
    if programme.max_years_since_registration.is_some_and(|years| !(1..=60).contains(&years)) {
        errors.push(UserError::new("maxYearsSinceRegistration", "must be from 1 to 60", "INVALID_ELIGIBILITY"));
    }
}

/// Refuses blank or over-long text.
/// Checks a name or label: [`check_text`], and one line without invisible characters (so that two names
/// that look alike are alike, and a duplicate cannot hide behind a zero-width space).
pub(crate) fn check_name(field: &str, text: &str, max_chars: usize, errors: &mut Vec<UserError>) {
    if crate::domain::text::is_one_line_name(text) {
        check_text(field, text, max_chars, errors);
    } else {
        errors.push(UserError::new(
            field,
            "must be one line, without tabs or invisible characters such as zero-width spaces",
            "INVALID_TEXT",
        ));
    }
}

/// Checks a free text: 1 to `max_chars` characters, at least one of them visible.
pub(crate) fn check_text(field: &str, text: &str, max_chars: usize, errors: &mut Vec<UserError>) {
    if !crate::domain::text::has_visible(text) || text.chars().count() > max_chars {
        errors.push(UserError::new(
            field,
            format!("must be 1 to {max_chars} characters, at least one of them visible"),
            "INVALID_TEXT",
        ));
    }
}

/// Creates a programme (status DRAFT) owned by one of the administrator's ICBs, with its funding sources,
/// education offers, sectors and ICS aims.
pub async fn create_programme(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewProgramme,
    idempotency_key: Option<&str>,
) -> Result<Outcome<rotation_programme::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createProgramme", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<rotation_programme::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(owner) = change.administered_icb(&input.owner_icb).await? else {
        return refuse(UserError::not_found("ownerIcb"));
    };
    let programme = rotation_programme::Model {
        id: Uuid::new_v4(),
        code: input.code.trim().to_owned(),
        name: input.name.trim().to_owned(),
        description: input.description.clone(),
        owner_icb_id: owner.id,
        status: ProgrammeStatus::Draft,
        min_duration_months: input.min_duration_months,
        max_duration_months: input.max_duration_months,
        requires_gphc_registration: input.requires_gphc_registration,
        max_years_since_registration: input.max_years_since_registration,
        version: 1,
    };
    let mut errors = Vec::new();
    check_programme(&programme, &mut errors);
    if input.sectors.is_empty() {
        errors.push(UserError::new("sectors", "a rotation covers at least one sector", "NO_SECTORS"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let taken = rotation_programme::Entity::find()
        .filter(rotation_programme::Column::Code.eq(programme.code.as_str()))
        .count(change.db())
        .await?;
    if taken > 0 {
        return refuse(UserError::new("code", "is already used by another programme", "DUPLICATE_CODE"));
    }
    let id = programme.id;
    let programme = change.insert::<rotation_programme::Entity, _>(Some(owner.id), id, programme).await?;
    for funding_source in distinct(&input.funding_sources) {
        change
            .insert_part::<programme_funding_source::Entity, _>(programme_funding_source::Model {
                programme_id: id,
                funding_source,
            })
            .await?;
    }
    for offer in distinct(&input.education_offers) {
        change
            .insert_part::<programme_education_offer::Entity, _>(programme_education_offer::Model {
                programme_id: id,
                offer,
            })
            .await?;
    }
    for sector in distinct(&input.sectors) {
        change.insert_part::<programme_sector::Entity, _>(programme_sector::Model { programme_id: id, sector }).await?;
    }
    for aim in distinct(&input.ics_aims) {
        change.insert_part::<programme_ics_aim::Entity, _>(programme_ics_aim::Model { programme_id: id, aim }).await?;
    }
    change.commit().await?;
    Ok(Ok(programme))
}

/// The items without repeats, in their first order.
pub(crate) fn distinct<T: Clone + PartialEq>(items: &[T]) -> Vec<T> {
    let mut unique: Vec<T> = Vec::new();
    for item in items {
        if !unique.contains(item) {
            unique.push(item.clone());
        }
    }
    unique
}

/// Updates a programme of one of the administrator's ICBs.
pub async fn update_programme(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &ProgrammeChanges,
) -> Result<Outcome<rotation_programme::Model>, AppError> {
    let change = Change::begin(db, actor, "updateProgramme", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<rotation_programme::Entity>(id, expected_version).await?);
    let after = rotation_programme::Model {
        name: changes.name.as_deref().map_or(before.name.clone(), |name| name.trim().to_owned()),
        description: changes.description.clone().unwrap_or_else(|| before.description.clone()),
        status: changes.status.unwrap_or(before.status),
        min_duration_months: changes.min_duration_months.unwrap_or(before.min_duration_months),
        max_duration_months: changes.max_duration_months.unwrap_or(before.max_duration_months),
        requires_gphc_registration: changes.requires_gphc_registration.unwrap_or(before.requires_gphc_registration),
        max_years_since_registration: changes
            .max_years_since_registration
            .unwrap_or(before.max_years_since_registration),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    check_programme(&after, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let updated = change.update::<rotation_programme::Entity, _>(Some(before.owner_icb_id), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A new cohort (intake) of a programme.
#[derive(Clone, Debug, Serialize)]
pub struct NewCohort {
    pub programme_id: Uuid,
    pub label: String,
    pub intake_date: NaiveDate,
    pub places_offered: i32,
    pub recruitment_opens_on: Option<NaiveDate>,
    pub recruitment_closes_on: Option<NaiveDate>,
}

/// Changes to a cohort; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct CohortChanges {
    pub label: Option<String>,
    pub places_offered: Option<i32>,
    /// `Some(None)` clears it.
    pub recruitment_opens_on: Option<Option<NaiveDate>>,
    /// `Some(None)` clears it.
    pub recruitment_closes_on: Option<Option<NaiveDate>>,
}

fn check_cohort(cohort: &cohort::Model, errors: &mut Vec<UserError>) {
    check_name("label", &cohort.label, 100, errors);
    if !(1..=1000).contains(&cohort.places_offered) {
        errors.push(UserError::new("placesOffered", "must be from 1 to 1000", "INVALID_PLACES"));
    }
    if let (Some(opens), Some(closes)) = (cohort.recruitment_opens_on, cohort.recruitment_closes_on)
        && closes < opens
    {
        errors.push(UserError::new("recruitmentClosesOn", "is before recruitment opens", "INVALID_DATES"));
    }
}

/// The ICB that owns a cohort's programme.
pub(crate) async fn cohort_owner(change: &Change<'_>, cohort: &cohort::Model) -> Result<Option<Uuid>, AppError> {
    let programme = rotation_programme::Entity::find_by_id(cohort.programme_id).one(change.db()).await?;
    Ok(programme.map(|programme| programme.owner_icb_id))
}

/// Opens a cohort of one of the administrator's programmes.
pub async fn open_cohort(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewCohort,
    idempotency_key: Option<&str>,
) -> Result<Outcome<cohort::Model>, AppError> {
    let mut change = Change::begin(db, actor, "openCohort", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<cohort::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(programme) = change.find::<rotation_programme::Entity>(input.programme_id).await? else {
        return refuse(UserError::not_found("programmeId"));
    };
    let cohort = cohort::Model {
        id: Uuid::new_v4(),
        programme_id: programme.id,
        label: input.label.trim().to_owned(),
        intake_date: input.intake_date,
        places_offered: input.places_offered,
        recruitment_opens_on: input.recruitment_opens_on,
        recruitment_closes_on: input.recruitment_closes_on,
        version: 1,
    };
    let mut errors = Vec::new();
    check_cohort(&cohort, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let cohort = change.insert::<cohort::Entity, _>(Some(programme.owner_icb_id), cohort.id, cohort).await?;
    change.commit().await?;
    Ok(Ok(cohort))
}

/// Accepted and active memberships of a cohort: the places taken.
pub(crate) async fn places_taken(change: &Change<'_>, cohort_id: Uuid) -> Result<u64, AppError> {
    Ok(programme_membership::Entity::find()
        .filter(programme_membership::Column::CohortId.eq(cohort_id))
        .filter(programme_membership::Column::Status.is_in([MembershipStatus::Accepted, MembershipStatus::Active]))
        .count(change.db())
        .await?)
}

/// Updates a cohort; its places never drop below its accepted and active memberships.
pub async fn update_cohort(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &CohortChanges,
) -> Result<Outcome<cohort::Model>, AppError> {
    let change = Change::begin(db, actor, "updateCohort", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<cohort::Entity>(id, expected_version).await?);
    let after = cohort::Model {
        label: changes.label.as_deref().map_or(before.label.clone(), |label| label.trim().to_owned()),
        places_offered: changes.places_offered.unwrap_or(before.places_offered),
        recruitment_opens_on: changes.recruitment_opens_on.unwrap_or(before.recruitment_opens_on),
        recruitment_closes_on: changes.recruitment_closes_on.unwrap_or(before.recruitment_closes_on),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    check_cohort(&after, &mut errors);
    if i64::from(after.places_offered) < places_taken(&change, id).await? as i64 {
        errors.push(UserError::new(
            "placesOffered",
            "is below the accepted and active memberships",
            "PLACES_BELOW_MEMBERS",
        ));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let owner = cohort_owner(&change, &before).await?;
    let updated = change.update::<cohort::Entity, _>(owner, id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A new rotational post of a cohort.
#[derive(Clone, Debug, Serialize)]
pub struct NewPost {
    pub cohort_id: Uuid,
    pub post_number: String,
    /// ODS code of the employing organisation (a trust, PCN, GP practice or community pharmacy).
    pub employer: String,
    pub afc_band: Option<AfcBand>,
    pub wte: f64,
    pub funding: FundingSource,
    pub vacancy_id: Option<Uuid>,
}

/// Changes to a post; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct PostChanges {
    pub status: Option<PostStatus>,
    /// `Some(None)` clears it.
    pub afc_band: Option<Option<AfcBand>>,
    pub wte: Option<f64>,
    pub funding: Option<FundingSource>,
}

/// Refuses a whole-time equivalent outside (0, 1].
pub(crate) fn check_wte(field: &str, wte: f64, errors: &mut Vec<UserError>) {
    if !(wte > 0.0 && wte <= 1.0) {
        errors.push(UserError::new(field, "must be above 0 and at most 1", "INVALID_WTE"));
    }
}

/// An open organisation by ODS code whose kind is one of `kinds`.
pub(crate) async fn open_organisation(
    change: &Change<'_>,
    ods_code: &str,
    kinds: &[OrganisationKind],
) -> Result<Option<organisation::Model>, AppError> {
    let found = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(ods_code.trim().to_ascii_uppercase()))
        .filter(organisation::Column::Kind.is_in(kinds.iter().copied()))
        .filter(organisation::Column::LegalEndDate.is_null())
        .one(change.db())
        .await?;
    Ok(found)
}

/// Organisations that employ pharmacists in posts.
pub(crate) const EMPLOYERS: [OrganisationKind; 4] = [
    OrganisationKind::NhsTrust,
    OrganisationKind::Pcn,
    OrganisationKind::GpPractice,
    OrganisationKind::CommunityPharmacy,
];

/// Advertises a post in a cohort of one of the administrator's programmes.
pub async fn create_post(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewPost,
    idempotency_key: Option<&str>,
) -> Result<Outcome<rotational_post::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createPost", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<rotational_post::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(cohort) = change.find::<cohort::Entity>(input.cohort_id).await? else {
        return refuse(UserError::not_found("cohortId"));
    };
    let mut errors = Vec::new();
    check_name("postNumber", &input.post_number, 32, &mut errors);
    check_wte("wte", input.wte, &mut errors);
    let employer = open_organisation(&change, &input.employer, &EMPLOYERS).await?;
    if employer.is_none() {
        errors.push(UserError::new("employer", "is not an open trust, PCN, GP practice or pharmacy", "NOT_FOUND"));
    }
    if let Some(vacancy_id) = input.vacancy_id
        && change.find::<vacancy::Entity>(vacancy_id).await?.is_none_or(|vacancy| vacancy.closed_on.is_some())
    {
        errors.push(UserError::new("vacancyId", "does not name an open vacancy of your ICBs", "NOT_FOUND"));
    }
    let duplicate = rotational_post::Entity::find()
        .filter(rotational_post::Column::CohortId.eq(cohort.id))
        .filter(rotational_post::Column::PostNumber.eq(input.post_number.trim()))
        .count(change.db())
        .await?;
    if duplicate > 0 {
        errors.push(UserError::new("postNumber", "is already used in this cohort", "DUPLICATE_POST_NUMBER"));
    }
    let Some(employer) = employer.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let post = rotational_post::Model {
        id: Uuid::new_v4(),
        cohort_id: cohort.id,
        post_number: input.post_number.trim().to_owned(),
        employer_id: employer.id,
        afc_band: input.afc_band,
        wte: input.wte,
        status: PostStatus::Advertised,
        funding: input.funding,
        vacancy_id: input.vacancy_id,
        version: 1,
    };
    let owner = cohort_owner(&change, &cohort).await?;
    let post = change.insert::<rotational_post::Entity, _>(owner, post.id, post).await?;
    change.commit().await?;
    Ok(Ok(post))
}

/// Updates a post of one of the administrator's programmes.
pub async fn update_post(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &PostChanges,
) -> Result<Outcome<rotational_post::Model>, AppError> {
    let change = Change::begin(db, actor, "updatePost", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<rotational_post::Entity>(id, expected_version).await?);
    let after = rotational_post::Model {
        status: changes.status.unwrap_or(before.status),
        afc_band: changes.afc_band.unwrap_or(before.afc_band),
        wte: changes.wte.unwrap_or(before.wte),
        funding: changes.funding.unwrap_or(before.funding),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    check_wte("wte", after.wte, &mut errors);
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let Some(cohort) = cohort::Entity::find_by_id(before.cohort_id).one(change.db()).await? else {
        return refuse(UserError::not_found("id"));
    };
    let owner = cohort_owner(&change, &cohort).await?;
    let updated = change.update::<rotational_post::Entity, _>(owner, id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}
