//! The rules of a rotation: memberships from offer to completion or withdrawal, and the placements that
//! make up a member's rotation. Every rule is checked here, on both backends, with its own code:
//!
//! - `COHORT_FULL`: a cohort never has more accepted or active memberships than places (PostgreSQL also
//!   refuses it in a trigger that locks the cohort);
//! - `INELIGIBLE`: eligibility (GPhC registration, years since first registration) is checked on
//!   acceptance and stored; accepting an ineligible pharmacist needs `eligibilityOverrideReason`;
//! - `DURATION_OUT_OF_RANGE`: a membership's planned length lies within the programme's months;
//! - `PHARMACIST_OVERLAP`, `POST_OVERLAP`: approved placements of one pharmacist, or of one post, never
//!   overlap (PostgreSQL also refuses it by exclusion constraints);
//! - `OUTSIDE_MEMBERSHIP`: a placement lies inside its membership's dates;
//! - `SECTOR_HOST_MISMATCH`, `HOST_CLOSED`: a placement's host is of its sector's kind and open throughout;
//! - `INVALID_TRANSITION`: a membership or placement moves only along its life cycle.
//!
//! A placement is flagged cross-ICB when the host's ICB on its first day is not the ICB that carries the
//! programme's owner on that day (after mergers, its successor).

use super::programmes::{check_text, check_wte, cohort_owner, places_taken};
use super::writes::{
    Actor, Change, Outcome, UserError, WriteAccess, checked, is_rule_violation, refuse, refuse_all, violated_constraint,
};
use crate::error::AppError;
use chrono::{Days, Months, NaiveDate};
use entity::enums::{
    MembershipStatus, OrganisationKind, PlacementStatus, RegistrationStatus, RelationshipKind, Sector,
};
use entity::{cohort, organisation, pharmacist, placement, programme_membership, rotation_programme, rotational_post};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

/// A membership offered to a pharmacist.
#[derive(Clone, Debug, Serialize)]
pub struct NewMembership {
    pub cohort_id: Uuid,
    pub pharmacist_id: Uuid,
    pub post_id: Option<Uuid>,
    pub offered_on: NaiveDate,
    pub start_date: NaiveDate,
    pub planned_end_date: NaiveDate,
}

/// The programme and owner ICB of a cohort.
async fn programme_of(
    change: &Change<'_>,
    cohort_id: Uuid,
) -> Result<(cohort::Model, rotation_programme::Model), AppError> {
    let cohort = cohort::Entity::find_by_id(cohort_id).one(change.db()).await?;
    let cohort = cohort.ok_or_else(|| AppError::Internal(anyhow::anyhow!("membership without its cohort")))?;
    let programme = rotation_programme::Entity::find_by_id(cohort.programme_id).one(change.db()).await?;
    let programme = programme.ok_or_else(|| AppError::Internal(anyhow::anyhow!("cohort without its programme")))?;
    Ok((cohort, programme))
}

/// The last day of a rotation of `months` months starting on `start`.
fn last_day_after(start: NaiveDate, months: i32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(u32::try_from(months).ok()?))?.checked_sub_days(Days::new(1))
}

fn check_duration(programme: &rotation_programme::Model, start: NaiveDate, end: NaiveDate) -> Option<UserError> {
    let shortest = last_day_after(start, programme.min_duration_months)?;
    let longest = last_day_after(start, programme.max_duration_months)?;
    (end < shortest || end > longest).then(|| {
        UserError::new(
            "plannedEndDate",
            format!(
                "the programme's rotations last {} to {} months: end between {shortest} and {longest}",
                programme.min_duration_months, programme.max_duration_months
            ),
            "DURATION_OUT_OF_RANGE",
        )
    })
}

/// Offers a place in a cohort of one of the administrator's programmes to a pharmacist.
pub async fn offer_membership(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewMembership,
    idempotency_key: Option<&str>,
) -> Result<Outcome<programme_membership::Model>, AppError> {
    let mut change = Change::begin(db, actor, "offerMembership", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<programme_membership::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(cohort) = change.find::<cohort::Entity>(input.cohort_id).await? else {
        return refuse(UserError::not_found("cohortId"));
    };
    let Some(pharmacist) = change.find::<pharmacist::Entity>(input.pharmacist_id).await? else {
        return refuse(UserError::not_found("pharmacistId"));
    };
    let (_, programme) = programme_of(&change, cohort.id).await?;
    let mut errors = Vec::new();
    if let Some(post_id) = input.post_id
        && change.find::<rotational_post::Entity>(post_id).await?.is_none_or(|post| post.cohort_id != cohort.id)
    {
        errors.push(UserError::new("postId", "does not name a post of this cohort", "NOT_FOUND"));
    }
    if input.offered_on > input.start_date {
        errors.push(UserError::new("offeredOn", "is after the start date", "INVALID_DATES"));
    }
    if input.planned_end_date < input.start_date {
        errors.push(UserError::new("plannedEndDate", "is before the start date", "INVALID_DATES"));
    } else if let Some(error) = check_duration(&programme, input.start_date, input.planned_end_date) {
        errors.push(error);
    }
    let current = programme_membership::Entity::find()
        .filter(programme_membership::Column::CohortId.eq(cohort.id))
        .filter(programme_membership::Column::PharmacistId.eq(pharmacist.id))
        .filter(programme_membership::Column::Status.is_not_in([MembershipStatus::Withdrawn]))
        .count(change.db())
        .await?;
    if current > 0 {
        errors.push(UserError::new("pharmacistId", "already has a membership of this cohort", "DUPLICATE_MEMBERSHIP"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let membership = programme_membership::Model {
        id: Uuid::new_v4(),
        pharmacist_id: pharmacist.id,
        cohort_id: cohort.id,
        post_id: input.post_id,
        status: MembershipStatus::Offered,
        offered_on: input.offered_on,
        accepted_on: None,
        start_date: input.start_date,
        planned_end_date: input.planned_end_date,
        actual_end_date: None,
        leaving_reason: None,
        eligibility_checked_on: None,
        eligibility_passed: None,
        eligibility_override_reason: None,
        version: 1,
    };
    let membership = change
        .insert::<programme_membership::Entity, _>(Some(programme.owner_icb_id), membership.id, membership)
        .await?;
    change.commit().await?;
    Ok(Ok(membership))
}

/// Whether `pharmacist` meets `programme`'s eligibility on `on`, and if not, why.
pub fn eligibility(
    programme: &rotation_programme::Model,
    pharmacist: &pharmacist::Model,
    on: NaiveDate,
) -> Result<(), String> {
    if programme.requires_gphc_registration && pharmacist.registration_status != RegistrationStatus::Registered {
        return Err("the pharmacist is not on the GPhC register".to_owned());
    }
    if let Some(limit) = programme.max_years_since_registration
        && super::whole_years(pharmacist.first_registered_on, on) >= limit
    {
        return Err(format!("the programme is for pharmacists registered under {limit} years"));
    }
    Ok(())
}

/// A membership of one of the administrator's programmes, at the version the client read, in one of
/// `statuses`.
async fn membership_at(
    change: &Change<'_>,
    id: Uuid,
    expected_version: i32,
    statuses: &[MembershipStatus],
) -> Result<Outcome<programme_membership::Model>, AppError> {
    let membership = checked!(change.current::<programme_membership::Entity>(id, expected_version).await?);
    if !statuses.contains(&membership.status) {
        return refuse(UserError::invalid_transition("membership", membership.status));
    }
    Ok(Ok(membership))
}

/// Accepts an offered membership: checks and stores eligibility (an ineligible pharmacist needs an
/// override reason) and takes one of the cohort's places.
pub async fn accept_membership(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    accepted_on: NaiveDate,
    eligibility_override_reason: Option<&str>,
) -> Result<Outcome<programme_membership::Model>, AppError> {
    let change = Change::begin(db, actor, "acceptMembership", WriteAccess::IcbAdmin).await?;
    let before = checked!(membership_at(&change, id, expected_version, &[MembershipStatus::Offered]).await?);
    // Lock the cohort first: concurrent acceptances into it are counted one after the other.
    let Some(cohort) = change.lock_related::<cohort::Entity>(before.cohort_id).await? else {
        return refuse(UserError::not_found("id"));
    };
    let (_, programme) = programme_of(&change, cohort.id).await?;
    let Some(pharmacist) = pharmacist::Entity::find_by_id(before.pharmacist_id).one(change.db()).await? else {
        return refuse(UserError::not_found("id"));
    };
    let mut errors = Vec::new();
    if accepted_on < before.offered_on {
        errors.push(UserError::new("acceptedOn", "is before the offer", "INVALID_DATES"));
    }
    let eligible = eligibility(&programme, &pharmacist, accepted_on);
    let override_reason = eligibility_override_reason.map(str::trim).filter(|reason| !reason.is_empty());
    if let (Err(why), None) = (&eligible, override_reason) {
        errors.push(UserError::new(
            "eligibilityOverrideReason",
            format!("{why}: accepting needs an override reason"),
            "INELIGIBLE",
        ));
    }
    if let Some(reason) = override_reason {
        check_text("eligibilityOverrideReason", reason, 1000, &mut errors);
    }
    if places_taken(&change, cohort.id).await? >= u64::try_from(cohort.places_offered).unwrap_or(0) {
        errors.push(UserError::new("id", "the cohort has no place left", "COHORT_FULL"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let after = programme_membership::Model {
        status: MembershipStatus::Accepted,
        accepted_on: Some(accepted_on),
        eligibility_checked_on: Some(accepted_on),
        eligibility_passed: Some(eligible.is_ok()),
        eligibility_override_reason: if eligible.is_ok() { None } else { override_reason.map(str::to_owned) },
        version: before.version + 1,
        ..before.clone()
    };
    match change.update::<programme_membership::Entity, _>(Some(programme.owner_icb_id), id, &before, after).await {
        Ok(updated) => {
            change.commit().await?;
            Ok(Ok(updated))
        }
        // The database's own check: another acceptance took the last place first.
        Err(error) if is_rule_violation(&error) => {
            refuse(UserError::new("id", "the cohort has no place left", "COHORT_FULL"))
        }
        Err(error) => Err(error),
    }
}

/// Where a membership goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MembershipStep {
    /// Accepted → active, on the given day.
    Start,
    /// Active → completed, on the given day.
    Complete,
    /// Offered, accepted or active → withdrawn, on the given day, for a reason.
    Withdraw,
}

/// Moves a membership on: start, complete, or withdraw with a reason.
pub async fn move_membership(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    step: MembershipStep,
    on: NaiveDate,
    reason: Option<&str>,
) -> Result<Outcome<programme_membership::Model>, AppError> {
    let (operation, from) = match step {
        MembershipStep::Start => ("startMembership", &[MembershipStatus::Accepted][..]),
        MembershipStep::Complete => ("completeMembership", &[MembershipStatus::Active][..]),
        MembershipStep::Withdraw => (
            "withdrawMembership",
            &[MembershipStatus::Offered, MembershipStatus::Accepted, MembershipStatus::Active][..],
        ),
    };
    let change = Change::begin(db, actor, operation, WriteAccess::IcbAdmin).await?;
    let before = checked!(membership_at(&change, id, expected_version, from).await?);
    let mut errors = Vec::new();
    let after = match step {
        MembershipStep::Start => {
            programme_membership::Model { status: MembershipStatus::Active, start_date: on, ..before.clone() }
        }
        MembershipStep::Complete => {
            if on < before.start_date {
                errors.push(UserError::new("on", "is before the membership started", "INVALID_DATES"));
            }
            programme_membership::Model {
                status: MembershipStatus::Completed,
                actual_end_date: Some(on),
                ..before.clone()
            }
        }
        MembershipStep::Withdraw => {
            let reason = reason.map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                errors.push(UserError::new("reason", "a withdrawal needs a reason", "REASON_REQUIRED"));
            } else {
                check_text("reason", reason, 1000, &mut errors);
            }
            programme_membership::Model {
                status: MembershipStatus::Withdrawn,
                actual_end_date: (before.status == MembershipStatus::Active).then_some(on.max(before.start_date)),
                leaving_reason: Some(reason.to_owned()),
                ..before.clone()
            }
        }
    };
    if step == MembershipStep::Start {
        let (_, programme) = programme_of(&change, before.cohort_id).await?;
        if let Some(error) = check_duration(&programme, on, before.planned_end_date) {
            errors.push(UserError { field: "on".to_owned(), ..error });
        }
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let after = programme_membership::Model { version: before.version + 1, ..after };
    let (_, programme) = programme_of(&change, before.cohort_id).await?;
    let updated =
        change.update::<programme_membership::Entity, _>(Some(programme.owner_icb_id), id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}

/// A placement planned for a member.
#[derive(Clone, Debug, Serialize)]
pub struct NewPlacement {
    pub membership_id: Uuid,
    /// ODS code of the host organisation.
    pub host: String,
    pub sector: Sector,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub wte: f64,
}

/// New dates (and optionally a new host, sector or WTE) for a placement.
#[derive(Clone, Debug)]
pub struct Reschedule {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub host: Option<String>,
    pub sector: Option<Sector>,
    pub wte: Option<f64>,
}

/// The organisation kinds that host placements of a sector.
pub fn host_kinds(sector: Sector) -> &'static [OrganisationKind] {
    match sector {
        Sector::GeneralPractice => &[OrganisationKind::Pcn, OrganisationKind::GpPractice],
        Sector::CommunityPharmacy => &[OrganisationKind::CommunityPharmacy],
        Sector::SecondaryCare => &[OrganisationKind::NhsTrust, OrganisationKind::TrustSite],
        Sector::IcbMedicinesOptimisation => &[OrganisationKind::Icb, OrganisationKind::SubIcbLocation],
    }
}

/// The host's ICB on `on`: the ICB itself, the ICB it belongs to, or (for a trust site) its trust's.
pub(crate) async fn icb_of<C: ConnectionTrait>(
    db: &C,
    host: &organisation::Model,
    on: NaiveDate,
) -> Result<Option<Uuid>, AppError> {
    if host.kind == OrganisationKind::Icb {
        return Ok(Some(host.id));
    }
    let parents = super::organisations::parents_on(db, &[host.id], RelationshipKind::InIcb, on).await?;
    if let Some(icb) = parents.get(&host.id) {
        return Ok(Some(icb.id));
    }
    if host.kind == OrganisationKind::TrustSite {
        let trusts = super::organisations::parents_on(db, &[host.id], RelationshipKind::SiteOfTrust, on).await?;
        if let Some(trust) = trusts.get(&host.id) {
            let icbs = super::organisations::parents_on(db, &[trust.id], RelationshipKind::InIcb, on).await?;
            return Ok(icbs.get(&trust.id).map(|icb| icb.id));
        }
    }
    Ok(None)
}

/// Checks a placement against its membership and host, and fills in its host ICB and cross-ICB flag.
async fn check_placement(
    change: &Change<'_>,
    membership: &programme_membership::Model,
    owner_icb: Uuid,
    host: Option<&organisation::Model>,
    placement: &mut placement::Model,
) -> Result<Vec<UserError>, AppError> {
    let mut errors = Vec::new();
    check_wte("wte", placement.wte, &mut errors);
    if placement.end_date < placement.start_date {
        errors.push(UserError::new("endDate", "is before the start date", "INVALID_DATES"));
    }
    let membership_end = membership.actual_end_date.unwrap_or(membership.planned_end_date);
    if placement.start_date < membership.start_date || placement.end_date > membership_end {
        errors.push(UserError::new(
            "startDate",
            format!("the placement must lie within the membership, {} to {membership_end}", membership.start_date),
            "OUTSIDE_MEMBERSHIP",
        ));
    }
    let Some(host) = host else {
        errors.push(UserError::new("host", "is not a known organisation", "NOT_FOUND"));
        return Ok(errors);
    };
    if !host_kinds(placement.sector).contains(&host.kind) {
        errors.push(UserError::new(
            "host",
            format!("a {:?} placement needs a host of kind {:?}", placement.sector, host_kinds(placement.sector)),
            "SECTOR_HOST_MISMATCH",
        ));
    }
    let opened = host.legal_start_date.is_none_or(|start| start <= placement.start_date);
    let open_until_end = host.legal_end_date.is_none_or(|end| end >= placement.end_date);
    if !opened || !open_until_end {
        errors.push(UserError::new("host", "is not open throughout the placement", "HOST_CLOSED"));
    }
    placement.host_id = host.id;
    placement.host_icb_id = icb_of(change.db(), host, placement.start_date).await?;
    let graph = super::organisations::succession_graph(change.db()).await?;
    let owner_then = graph.resolve(&owner_icb, placement.start_date);
    placement.is_cross_icb = placement.host_icb_id.is_none_or(|host_icb| !owner_then.contains(&host_icb));
    Ok(errors)
}

fn pharmacist_overlap() -> UserError {
    UserError::new("startDate", "overlaps another approved placement of the pharmacist", "PHARMACIST_OVERLAP")
}

fn post_overlap() -> UserError {
    UserError::new("startDate", "overlaps another approved placement of the post", "POST_OVERLAP")
}

/// Refuses an approved placement that overlaps another approved placement of the same pharmacist or post.
async fn check_overlaps(change: &Change<'_>, placement: &placement::Model) -> Result<Vec<UserError>, AppError> {
    // Lock the pharmacist and the post: approvals for either are decided one after the other.
    change.lock_related::<pharmacist::Entity>(placement.pharmacist_id).await?;
    if let Some(post_id) = placement.post_id {
        change.lock_related::<rotational_post::Entity>(post_id).await?;
    }
    let overlapping = |column: placement::Column, value: Uuid| {
        placement::Entity::find()
            .filter(column.eq(value))
            .filter(placement::Column::Status.eq(PlacementStatus::Approved))
            .filter(placement::Column::Id.ne(placement.id))
            .filter(placement::Column::StartDate.lte(placement.end_date))
            .filter(placement::Column::EndDate.gte(placement.start_date))
    };
    let mut errors = Vec::new();
    if overlapping(placement::Column::PharmacistId, placement.pharmacist_id).count(change.db()).await? > 0 {
        errors.push(pharmacist_overlap());
    }
    if let Some(post_id) = placement.post_id
        && overlapping(placement::Column::PostId, post_id).count(change.db()).await? > 0
    {
        errors.push(post_overlap());
    }
    Ok(errors)
}

/// The member's own ICB's membership of a placement, and its programme's owner ICB.
async fn membership_of(
    change: &Change<'_>,
    membership_id: Uuid,
) -> Result<Option<(programme_membership::Model, Uuid)>, AppError> {
    let Some(membership) = change.find::<programme_membership::Entity>(membership_id).await? else {
        return Ok(None);
    };
    let (cohort, _) = programme_of(change, membership.cohort_id).await?;
    let owner = cohort_owner(change, &cohort).await?;
    Ok(owner.map(|owner| (membership, owner)))
}

async fn host_by_code(change: &Change<'_>, code: &str) -> Result<Option<organisation::Model>, AppError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(code.trim().to_ascii_uppercase()))
        .one(change.db())
        .await?)
}

/// Plans a placement for a member of one of the administrator's programmes.
pub async fn plan_placement(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewPlacement,
    idempotency_key: Option<&str>,
) -> Result<Outcome<placement::Model>, AppError> {
    let mut change = Change::begin(db, actor, "planPlacement", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<placement::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some((membership, owner)) = membership_of(&change, input.membership_id).await? else {
        return refuse(UserError::not_found("membershipId"));
    };
    if matches!(membership.status, MembershipStatus::Completed | MembershipStatus::Withdrawn) {
        return refuse(UserError::new("membershipId", "the membership has ended", "INVALID_TRANSITION"));
    }
    let host = host_by_code(&change, &input.host).await?;
    let mut placement = placement::Model {
        id: Uuid::new_v4(),
        membership_id: membership.id,
        pharmacist_id: membership.pharmacist_id,
        post_id: membership.post_id,
        host_id: Uuid::nil(),
        sector: input.sector,
        start_date: input.start_date,
        end_date: input.end_date,
        wte: input.wte,
        status: PlacementStatus::Planned,
        host_icb_id: None,
        is_cross_icb: false,
        version: 1,
    };
    let errors = check_placement(&change, &membership, owner, host.as_ref(), &mut placement).await?;
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let placement = change.insert::<placement::Entity, _>(Some(owner), placement.id, placement).await?;
    change.commit().await?;
    Ok(Ok(placement))
}

/// Where a placement goes next.
#[derive(Clone, Debug)]
pub enum PlacementStep {
    /// Planned → approved, if it overlaps no approved placement of the pharmacist or the post.
    Approve,
    /// New dates (host, sector, WTE) for a planned or approved placement.
    Reschedule(Reschedule),
    /// Planned or approved → cancelled.
    Cancel,
}

/// Approves, reschedules or cancels a placement of one of the administrator's programmes.
pub async fn move_placement(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    step: &PlacementStep,
) -> Result<Outcome<placement::Model>, AppError> {
    let (operation, from) = match step {
        PlacementStep::Approve => ("approvePlacement", &[PlacementStatus::Planned][..]),
        PlacementStep::Reschedule(_) => {
            ("reschedulePlacement", &[PlacementStatus::Planned, PlacementStatus::Approved][..])
        }
        PlacementStep::Cancel => ("cancelPlacement", &[PlacementStatus::Planned, PlacementStatus::Approved][..]),
    };
    let change = Change::begin(db, actor, operation, WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<placement::Entity>(id, expected_version).await?);
    if !from.contains(&before.status) {
        return refuse(UserError::invalid_transition("placement", before.status));
    }
    let Some((membership, owner)) = membership_of(&change, before.membership_id).await? else {
        return refuse(UserError::not_found("id"));
    };
    let mut after = placement::Model { version: before.version + 1, ..before.clone() };
    let mut errors = Vec::new();
    match step {
        PlacementStep::Cancel => after.status = PlacementStatus::Cancelled,
        PlacementStep::Approve | PlacementStep::Reschedule(_) => {
            let mut host_code = None;
            if let PlacementStep::Reschedule(reschedule) = step {
                after.start_date = reschedule.start_date;
                after.end_date = reschedule.end_date;
                after.sector = reschedule.sector.unwrap_or(after.sector);
                after.wte = reschedule.wte.unwrap_or(after.wte);
                host_code = reschedule.host.clone();
            } else {
                after.status = PlacementStatus::Approved;
            }
            let host = match host_code {
                Some(code) => host_by_code(&change, &code).await?,
                None => organisation::Entity::find_by_id(before.host_id).one(change.db()).await?,
            };
            errors.extend(check_placement(&change, &membership, owner, host.as_ref(), &mut after).await?);
            if after.status == PlacementStatus::Approved && errors.is_empty() {
                errors.extend(check_overlaps(&change, &after).await?);
            }
        }
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    match change.update::<placement::Entity, _>(Some(owner), id, &before, after).await {
        Ok(updated) => {
            change.commit().await?;
            Ok(Ok(updated))
        }
        // The database's own exclusion constraints: a concurrent approval got there first.
        Err(error) if is_rule_violation(&error) => {
            refuse(if violated_constraint(&error).as_deref() == Some("ex-placement-post-approved-overlap") {
                post_overlap()
            } else {
                pharmacist_overlap()
            })
        }
        Err(error) => Err(error),
    }
}

/// The sectors a programme promises (`promised`) that a membership's approved placements do not cover.
pub fn uncovered_sectors(promised: &[Sector], placements: &[placement::Model]) -> Vec<Sector> {
    let covered: Vec<Sector> = placements
        .iter()
        .filter(|placement| placement.status == PlacementStatus::Approved)
        .map(|placement| placement.sector)
        .collect();
    let mut missing: Vec<Sector> = promised.iter().copied().filter(|sector| !covered.contains(sector)).collect();
    missing.dedup();
    missing
}
