//! Changing medicines optimisation across the system: consultant leads' time across the four RPS pillars,
//! patient pathways (the ICBs, sectors and organisations they span, and the consultant lead who leads
//! them), medicines-optimisation teams' operational and transformational work, and ICBs' service
//! redesigns. Every change goes through [`Change`]: one transaction with its audit rows, versions,
//! reference checks and events.

use super::programmes::{check_name, distinct};
use super::writes::{Actor, Change, Outcome, UserError, WriteAccess, checked, refuse, refuse_all};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::enums::{
    OrganisationKind, PathwayStatus, RedesignStatus, RelationshipKind, Sector, Specialism, TeamInvolvement, WorkKind,
};
use entity::{
    consultant_lead, consultant_pillar_share, medicines_optimisation_team, organisation, organisation_succession,
    pathway_icb, pathway_participant, pathway_sector, patient_pathway, service_redesign, service_redesign_sector,
    team_work_kind, team_work_mix,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

/// The most ICBs a pathway spans.
pub const MAX_PATHWAY_ICBS: usize = 50;
/// The most organisations taking part in a pathway.
pub const MAX_PATHWAY_PARTICIPANTS: usize = 500;
/// The kinds of organisation that take part in pathways: trusts, PCNs and community pharmacies.
pub const PARTICIPANT_KINDS: [OrganisationKind; 3] =
    [OrganisationKind::NhsTrust, OrganisationKind::Pcn, OrganisationKind::CommunityPharmacy];

/// The day before `day`.
fn day_before(day: NaiveDate) -> NaiveDate {
    day.pred_opt().unwrap_or(day)
}

// --- Consultant leads' time across the four RPS pillars ---

/// How a consultant lead's time divides between the four RPS pillars from a day on.
#[derive(Clone, Debug, Serialize)]
pub struct NewPillarShares {
    pub consultant_lead_id: Uuid,
    pub valid_from: NaiveDate,
    pub clinical_practice_percent: i32,
    pub leadership_percent: i32,
    pub education_percent: i32,
    pub research_percent: i32,
}

/// Records a consultant lead's split of time across the pillars from `valid_from` on (ending the split
/// in force the day before). The lead must be at a trust of one of the administrator's ICBs.
pub async fn record_pillar_shares(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewPillarShares,
    idempotency_key: Option<&str>,
) -> Result<Outcome<consultant_pillar_share::Model>, AppError> {
    let mut change = Change::begin(db, actor, "recordPillarShares", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<consultant_pillar_share::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(lead) = change.find::<consultant_lead::Entity>(input.consultant_lead_id).await? else {
        return refuse(UserError::not_found("consultantLeadId"));
    };
    let mut errors = Vec::new();
    let shares =
        [input.clinical_practice_percent, input.leadership_percent, input.education_percent, input.research_percent];
    if shares.iter().any(|share| !(0..=100).contains(share)) || shares.iter().sum::<i32>() != 100 {
        errors.push(UserError::new(
            "input",
            "the four shares must each be 0 to 100 percent and add up to 100",
            "INVALID_SHARES",
        ));
    }
    if input.valid_from < lead.valid_from || lead.valid_to.is_some_and(|to| input.valid_from > to) {
        errors.push(UserError::new("validFrom", "is outside the lead's appointment", "INVALID_DATES"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let latest = consultant_pillar_share::Entity::find()
        .filter(consultant_pillar_share::Column::ConsultantLeadId.eq(lead.id))
        .order_by_desc(consultant_pillar_share::Column::ValidFrom)
        .one(change.db())
        .await?;
    checked!(
        supersede::<consultant_pillar_share::Entity, _>(&change, change.home_icb(), latest, input.valid_from).await?
    );
    let share = consultant_pillar_share::Model {
        id: Uuid::new_v4(),
        consultant_lead_id: lead.id,
        valid_from: input.valid_from,
        valid_to: lead.valid_to,
        clinical_practice_percent: input.clinical_practice_percent,
        leadership_percent: input.leadership_percent,
        education_percent: input.education_percent,
        research_percent: input.research_percent,
        version: 1,
    };
    let share = change.insert::<consultant_pillar_share::Entity, _>(change.home_icb(), share.id, share).await?;
    change.commit().await?;
    Ok(Ok(share))
}

/// A record in force over a period until a newer one supersedes it: a lead's pillar split, a team's work
/// mix.
trait Period {
    fn valid_from(&self) -> NaiveDate;
    fn valid_to(&self) -> Option<NaiveDate>;
    /// The record ended on `day`, at its next version.
    fn ended_on(&self, day: NaiveDate) -> Self;
    fn id(&self) -> Uuid;
}

macro_rules! period {
    ($($entity:ident),*) => {
        $(impl Period for $entity::Model {
            fn valid_from(&self) -> NaiveDate {
                self.valid_from
            }
            fn valid_to(&self) -> Option<NaiveDate> {
                self.valid_to
            }
            fn ended_on(&self, day: NaiveDate) -> Self {
                Self { valid_to: Some(day), version: self.version + 1, ..self.clone() }
            }
            fn id(&self) -> Uuid {
                self.id
            }
        })*
    };
}

period!(consultant_pillar_share, team_work_mix);

/// Ends `latest` (the latest period recorded, if any) the day before a new one starting on `from`:
/// `PERIOD_OVERLAP` unless the new one starts after it.
async fn supersede<E, A>(
    change: &Change<'_>,
    icb: Option<Uuid>,
    latest: Option<E::Model>,
    from: NaiveDate,
) -> Result<Outcome<()>, AppError>
where
    E: EntityTrait<ActiveModel = A>,
    E::Model: Period + sea_orm::IntoActiveModel<A> + Serialize,
    A: sea_orm::ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send + From<E::Model>,
{
    let Some(latest) = latest else { return Ok(Ok(())) };
    if latest.valid_from() >= from {
        return refuse(UserError::new(
            "validFrom",
            "is not after the start of the latest period recorded",
            "PERIOD_OVERLAP",
        ));
    }
    if latest.valid_to().is_none_or(|to| to >= from) {
        let ended = latest.ended_on(day_before(from));
        change.update::<E, _>(icb, latest.id(), &latest, ended).await?;
    }
    Ok(Ok(()))
}

// --- Patient pathways ---

/// A new patient pathway recorded by one of the administrator's ICBs.
#[derive(Clone, Debug, Serialize)]
pub struct NewPathway {
    /// ODS code of the recording ICB: one of the administrator's.
    pub owner_icb: String,
    pub name: String,
    pub specialism: Specialism,
    pub specialism_detail: Option<String>,
    pub status: PathwayStatus,
    pub start_on: NaiveDate,
    pub end_on: Option<NaiveDate>,
    pub consultant_lead_id: Option<Uuid>,
    /// ODS codes of the ICBs it spans (each existing on `start_on`).
    pub icbs: Vec<String>,
    pub sectors: Vec<Sector>,
    /// ODS codes of the trusts, PCNs and community pharmacies taking part.
    pub participants: Vec<String>,
}

/// Changes to a pathway; absent fields stay as they are, lists replace the whole list.
#[derive(Clone, Debug, Default)]
pub struct PathwayChanges {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub specialism_detail: Option<Option<String>>,
    pub status: Option<PathwayStatus>,
    /// `Some(None)` clears it.
    pub end_on: Option<Option<NaiveDate>>,
    /// `Some(None)` leaves the pathway without a lead.
    pub consultant_lead_id: Option<Option<Uuid>>,
    pub icbs: Option<Vec<String>>,
    pub sectors: Option<Vec<Sector>>,
    pub participants: Option<Vec<String>>,
}

/// The ICBs, sectors and organisations a pathway spans, checked.
struct PathwaySpan {
    icbs: Vec<Uuid>,
    sectors: Vec<Sector>,
    participants: Vec<Uuid>,
}

fn check_pathway(pathway: &patient_pathway::Model, errors: &mut Vec<UserError>) {
    check_name("name", &pathway.name, 200, errors);
    if let Some(detail) = &pathway.specialism_detail {
        check_name("specialismDetail", detail, 200, errors);
    } else if pathway.specialism == Specialism::Other {
        errors.push(UserError::new("specialismDetail", "names the specialism OTHER stands for", "MISSING_DETAIL"));
    }
    if pathway.end_on.is_some_and(|end| end < pathway.start_on) {
        errors.push(UserError::new("endOn", "is before the start", "INVALID_DATES"));
    }
    if pathway.status == PathwayStatus::Closed && pathway.end_on.is_none() {
        errors.push(UserError::new("endOn", "a closed pathway needs its last day", "MISSING_END_DATE"));
    }
}

/// Checks the ICBs (each existing on the pathway's start), sectors (at least one) and participants (open
/// trusts, PCNs and community pharmacies, each in one of those ICBs on the start) of a pathway.
async fn check_span(
    change: &Change<'_>,
    start_on: NaiveDate,
    icb_codes: &[String],
    sectors: &[Sector],
    participant_codes: &[String],
    errors: &mut Vec<UserError>,
) -> Result<PathwaySpan, AppError> {
    let icb_codes = distinct(&icb_codes.iter().map(|code| code.trim().to_ascii_uppercase()).collect::<Vec<_>>());
    let participant_codes =
        distinct(&participant_codes.iter().map(|code| code.trim().to_ascii_uppercase()).collect::<Vec<_>>());
    let sectors = distinct(sectors);
    if icb_codes.is_empty() || icb_codes.len() > MAX_PATHWAY_ICBS {
        errors.push(UserError::new("icbs", format!("must name 1 to {MAX_PATHWAY_ICBS} ICBs"), "INVALID_SPAN"));
        return Ok(PathwaySpan { icbs: Vec::new(), sectors, participants: Vec::new() });
    }
    if sectors.is_empty() {
        errors.push(UserError::new("sectors", "a pathway spans at least one sector", "NO_SECTORS"));
    }
    if participant_codes.len() > MAX_PATHWAY_PARTICIPANTS {
        errors.push(UserError::new(
            "participants",
            format!("must name at most {MAX_PATHWAY_PARTICIPANTS} organisations"),
            "INVALID_SPAN",
        ));
        return Ok(PathwaySpan { icbs: Vec::new(), sectors, participants: Vec::new() });
    }
    let existed_on = |organisation: &organisation::Model| {
        organisation.legal_start_date.is_none_or(|start| start <= start_on)
            && organisation.legal_end_date.is_none_or(|end| end >= start_on)
    };
    let icbs: Vec<organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.is_in(icb_codes.iter().map(String::as_str)))
        .filter(organisation::Column::Kind.eq(OrganisationKind::Icb))
        .all(change.db())
        .await?
        .into_iter()
        .filter(existed_on)
        .collect();
    let icbs_known = icbs.len() == icb_codes.len();
    if !icbs_known {
        errors.push(UserError::new("icbs", "names an ICB that did not exist on the start day", "NOT_FOUND"));
    } else if !icbs.iter().any(|icb| change.administers(icb.id)) {
        // An ICB records the pathways it takes part in; others may join its span, not be its whole span.
        errors.push(UserError::new("icbs", "must include one of your ICBs (or an ICB they took over)", "INVALID_SPAN"));
    }
    let participants: Vec<organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.is_in(participant_codes.iter().map(String::as_str)))
        .all(change.db())
        .await?;
    if participants.len() != participant_codes.len() {
        errors.push(UserError::not_found("participants"));
    } else if participants.iter().any(|organisation| !PARTICIPANT_KINDS.contains(&organisation.kind)) {
        errors.push(UserError::new(
            "participants",
            "only NHS trusts, PCNs and community pharmacies take part in pathways",
            "INVALID_PARTICIPANT",
        ));
    } else if !participants.iter().all(existed_on) {
        errors.push(UserError::new(
            "participants",
            "names an organisation closed on the start day",
            "INVALID_PARTICIPANT",
        ));
    } else if icbs_known {
        // Whether each organisation lies in the span is asked only of a span that is itself right.
        let ids: Vec<Uuid> = participants.iter().map(|organisation| organisation.id).collect();
        let parents = super::organisations::parents_on(change.db(), &ids, RelationshipKind::InIcb, start_on).await?;
        let spanned = |id: &Uuid| parents.get(id).is_some_and(|icb| icbs.iter().any(|spanned| spanned.id == icb.id));
        if !ids.iter().all(spanned) {
            errors.push(UserError::new(
                "participants",
                "names an organisation outside the ICBs the pathway spans (on its start day)",
                "PARTICIPANT_OUTSIDE_PATHWAY",
            ));
        }
    }
    Ok(PathwaySpan {
        icbs: icbs.iter().map(|icb| icb.id).collect(),
        sectors,
        participants: participants.iter().map(|organisation| organisation.id).collect(),
    })
}

/// Checks the pathway's consultant lead: one the administrator may read, in post at some time while the
/// pathway runs.
async fn check_lead(
    change: &Change<'_>,
    pathway: &patient_pathway::Model,
    errors: &mut Vec<UserError>,
) -> Result<(), AppError> {
    let Some(lead_id) = pathway.consultant_lead_id else { return Ok(()) };
    match change.reference::<consultant_lead::Entity>(lead_id).await? {
        None => errors.push(UserError::not_found("consultantLeadId")),
        Some(lead) => {
            let starts_in_time = pathway.end_on.is_none_or(|end| lead.valid_from <= end);
            if !starts_in_time || lead.valid_to.is_some_and(|to| to < pathway.start_on) {
                errors.push(UserError::new(
                    "consultantLeadId",
                    "is not in post while the pathway runs",
                    "LEAD_NOT_IN_POST",
                ));
            }
        }
    }
    Ok(())
}

/// Writes the span of pathway `id`, replacing any it had.
async fn write_span(change: &Change<'_>, id: Uuid, span: PathwaySpan, replace: bool) -> Result<(), AppError> {
    if replace {
        pathway_icb::Entity::delete_many().filter(pathway_icb::Column::PathwayId.eq(id)).exec(change.db()).await?;
        pathway_sector::Entity::delete_many()
            .filter(pathway_sector::Column::PathwayId.eq(id))
            .exec(change.db())
            .await?;
        pathway_participant::Entity::delete_many()
            .filter(pathway_participant::Column::PathwayId.eq(id))
            .exec(change.db())
            .await?;
    }
    for icb_id in span.icbs {
        change.insert_part::<pathway_icb::Entity, _>(pathway_icb::Model { pathway_id: id, icb_id }).await?;
    }
    for sector in span.sectors {
        change.insert_part::<pathway_sector::Entity, _>(pathway_sector::Model { pathway_id: id, sector }).await?;
    }
    for organisation_id in span.participants {
        change
            .insert_part::<pathway_participant::Entity, _>(pathway_participant::Model {
                pathway_id: id,
                organisation_id,
            })
            .await?;
    }
    Ok(())
}

fn duplicate_name() -> UserError {
    UserError::new("name", "the ICB already records a pathway with this name", "DUPLICATE_NAME")
}

/// Whether the ICB `owner` records another pathway named `name`.
async fn name_taken(change: &Change<'_>, owner: Uuid, name: &str, except: Uuid) -> Result<bool, AppError> {
    let taken = patient_pathway::Entity::find()
        .filter(patient_pathway::Column::OwnerIcbId.eq(owner))
        .filter(patient_pathway::Column::Name.eq(name))
        .filter(patient_pathway::Column::Id.ne(except))
        .count(change.db())
        .await?;
    Ok(taken > 0)
}

/// Records a patient pathway of one of the administrator's ICBs.
pub async fn create_pathway(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewPathway,
    idempotency_key: Option<&str>,
) -> Result<Outcome<patient_pathway::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createPatientPathway", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<patient_pathway::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(owner) = change.administered_icb(&input.owner_icb).await? else {
        return refuse(UserError::not_found("ownerIcb"));
    };
    let pathway = patient_pathway::Model {
        id: Uuid::new_v4(),
        owner_icb_id: owner.id,
        name: input.name.trim().to_owned(),
        specialism: input.specialism,
        specialism_detail: input.specialism_detail.as_deref().map(|detail| detail.trim().to_owned()),
        status: input.status,
        start_on: input.start_on,
        end_on: input.end_on,
        consultant_lead_id: input.consultant_lead_id,
        version: 1,
    };
    let mut errors = Vec::new();
    check_pathway(&pathway, &mut errors);
    let span =
        check_span(&change, pathway.start_on, &input.icbs, &input.sectors, &input.participants, &mut errors).await?;
    check_lead(&change, &pathway, &mut errors).await?;
    if errors.is_empty() && name_taken(&change, owner.id, &pathway.name, pathway.id).await? {
        errors.push(duplicate_name());
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let id = pathway.id;
    let pathway = change.insert::<patient_pathway::Entity, _>(Some(owner.id), id, pathway).await?;
    write_span(&change, id, span, false).await?;
    change.commit().await?;
    Ok(Ok(pathway))
}

/// Updates a pathway of one of the administrator's ICBs. A closed pathway stays closed.
pub async fn update_pathway(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &PathwayChanges,
) -> Result<Outcome<patient_pathway::Model>, AppError> {
    let change = Change::begin(db, actor, "updatePatientPathway", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<patient_pathway::Entity>(id, expected_version).await?);
    let after = patient_pathway::Model {
        name: changes.name.as_deref().map_or(before.name.clone(), |name| name.trim().to_owned()),
        specialism_detail: changes.specialism_detail.clone().unwrap_or_else(|| before.specialism_detail.clone()),
        status: changes.status.unwrap_or(before.status),
        end_on: changes.end_on.unwrap_or(before.end_on),
        consultant_lead_id: changes.consultant_lead_id.unwrap_or(before.consultant_lead_id),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    if before.status == PathwayStatus::Closed {
        errors.push(UserError::invalid_transition("pathway", before.status));
    }
    check_pathway(&after, &mut errors);
    if after.consultant_lead_id != before.consultant_lead_id || after.end_on != before.end_on {
        check_lead(&change, &after, &mut errors).await?;
    }
    let span = if changes.icbs.is_some() || changes.sectors.is_some() || changes.participants.is_some() {
        let (icbs, sectors, participants) = current_span(&change, id).await?;
        let span = check_span(
            &change,
            after.start_on,
            changes.icbs.as_deref().unwrap_or(&icbs),
            changes.sectors.as_deref().unwrap_or(&sectors),
            changes.participants.as_deref().unwrap_or(&participants),
            &mut errors,
        )
        .await?;
        Some(span)
    } else {
        None
    };
    if let (Some(span), true) = (&span, changes.icbs.is_some() && errors.is_empty()) {
        let linked = service_redesign::Entity::find()
            .filter(service_redesign::Column::PathwayId.eq(id))
            .all(change.db())
            .await?;
        let mut outside = false;
        for redesign in &linked {
            outside |= !spans_redesign_icb(&change, &span.icbs, redesign.icb_id).await?;
        }
        if outside {
            errors.push(UserError::new(
                "icbs",
                "leaves out the ICB of a service redesign of this pathway",
                "PATHWAY_OUTSIDE_ICB",
            ));
        }
    }
    if errors.is_empty()
        && after.name != before.name
        && name_taken(&change, after.owner_icb_id, &after.name, id).await?
    {
        errors.push(duplicate_name());
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let updated = change.update::<patient_pathway::Entity, _>(Some(before.owner_icb_id), id, &before, after).await?;
    if let Some(span) = span {
        write_span(&change, id, span, true).await?;
    }
    change.commit().await?;
    Ok(Ok(updated))
}

/// The ODS codes of a pathway's ICBs and participants, and its sectors, as recorded.
async fn current_span(change: &Change<'_>, id: Uuid) -> Result<(Vec<String>, Vec<Sector>, Vec<String>), AppError> {
    let codes = |ids: Vec<Uuid>| async move {
        let organisations = organisation::Entity::find().filter(organisation::Column::Id.is_in(ids)).all(change.db());
        Ok::<_, AppError>(organisations.await?.into_iter().map(|organisation| organisation.ods_code).collect())
    };
    let icbs = pathway_icb::Entity::find().filter(pathway_icb::Column::PathwayId.eq(id)).all(change.db()).await?;
    let sectors =
        pathway_sector::Entity::find().filter(pathway_sector::Column::PathwayId.eq(id)).all(change.db()).await?;
    let participants = pathway_participant::Entity::find()
        .filter(pathway_participant::Column::PathwayId.eq(id))
        .all(change.db())
        .await?;
    Ok((
        codes(icbs.into_iter().map(|row| row.icb_id).collect()).await?,
        sectors.into_iter().map(|row| row.sector).collect(),
        codes(participants.into_iter().map(|row| row.organisation_id).collect()).await?,
    ))
}

// --- Medicines-optimisation teams' work mix ---

/// How a team's whole-time equivalents divide between operational and transformational work from a day
/// on, and the kinds of work it does.
#[derive(Clone, Debug, Serialize)]
pub struct NewWorkMix {
    pub team_id: Uuid,
    pub valid_from: NaiveDate,
    pub operational_wte: f64,
    pub transformational_wte: f64,
    pub kinds: Vec<WorkKind>,
}

/// Records a team's work mix from `valid_from` on (ending the mix in force the day before).
pub async fn record_work_mix(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewWorkMix,
    idempotency_key: Option<&str>,
) -> Result<Outcome<team_work_mix::Model>, AppError> {
    let mut change = Change::begin(db, actor, "recordTeamWorkMix", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<team_work_mix::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(team) = change.find::<medicines_optimisation_team::Entity>(input.team_id).await? else {
        return refuse(UserError::not_found("teamId"));
    };
    let mut errors = Vec::new();
    let (operational, transformational) = (input.operational_wte, input.transformational_wte);
    let total = operational + transformational;
    if !(operational.is_finite() && transformational.is_finite())
        || operational < 0.0
        || transformational < 0.0
        || total <= 0.0
        || total > 1000.0
    {
        errors.push(UserError::new(
            "input",
            "operational and transformational WTE must each be at least 0, together above 0 and at most 1000",
            "INVALID_WTE",
        ));
    } else if team.wte.is_some_and(|wte| total > wte + 1e-9) {
        errors.push(UserError::new("input", "adds up to more than the team's WTE", "WTE_EXCEEDS_TEAM"));
    }
    if input.kinds.is_empty() {
        errors.push(UserError::new("kinds", "name at least one kind of work", "NO_WORK_KINDS"));
    }
    if input.valid_from < team.established_on || team.disbanded_on.is_some_and(|end| input.valid_from > end) {
        errors.push(UserError::new("validFrom", "is outside the team's life", "INVALID_DATES"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let latest = team_work_mix::Entity::find()
        .filter(team_work_mix::Column::TeamId.eq(team.id))
        .order_by_desc(team_work_mix::Column::ValidFrom)
        .one(change.db())
        .await?;
    checked!(supersede::<team_work_mix::Entity, _>(&change, Some(team.icb_id), latest, input.valid_from).await?);
    let mix = team_work_mix::Model {
        id: Uuid::new_v4(),
        team_id: team.id,
        valid_from: input.valid_from,
        valid_to: team.disbanded_on,
        operational_wte: operational,
        transformational_wte: transformational,
        version: 1,
    };
    let id = mix.id;
    let mix = change.insert::<team_work_mix::Entity, _>(Some(team.icb_id), id, mix).await?;
    for kind in distinct(&input.kinds) {
        change.insert_part::<team_work_kind::Entity, _>(team_work_kind::Model { work_mix_id: id, kind }).await?;
    }
    change.commit().await?;
    Ok(Ok(mix))
}

// --- Service redesigns ---

/// A new service redesign of one of the administrator's ICBs.
#[derive(Clone, Debug, Serialize)]
pub struct NewRedesign {
    /// ODS code of one of the administrator's ICBs.
    pub icb: String,
    pub title: String,
    pub pathway_id: Option<Uuid>,
    pub sectors: Vec<Sector>,
    pub start_on: NaiveDate,
    pub status: RedesignStatus,
    pub team_joined_at: TeamInvolvement,
    pub social_care_involved: bool,
}

/// Changes to a redesign; absent fields stay as they are, `sectors` replaces the whole list.
#[derive(Clone, Debug, Default)]
pub struct RedesignChanges {
    pub title: Option<String>,
    /// `Some(None)` unlinks the pathway.
    pub pathway_id: Option<Option<Uuid>>,
    pub status: Option<RedesignStatus>,
    pub team_joined_at: Option<TeamInvolvement>,
    pub social_care_involved: Option<bool>,
    pub sectors: Option<Vec<Sector>>,
}

/// Checks a redesign: its title, its sectors, its pathway (one the administrator may read, spanning the
/// redesign's ICB), and that a team said to have joined from the start did so before the work started.
async fn check_redesign(
    change: &Change<'_>,
    redesign: &service_redesign::Model,
    sectors: Option<&[Sector]>,
    errors: &mut Vec<UserError>,
) -> Result<(), AppError> {
    check_name("title", &redesign.title, 300, errors);
    if sectors.is_some_and(<[Sector]>::is_empty) {
        errors.push(UserError::new("sectors", "a redesign involves at least one sector", "NO_SECTORS"));
    }
    if let Some(pathway_id) = redesign.pathway_id {
        match change.reference::<patient_pathway::Entity>(pathway_id).await? {
            None => errors.push(UserError::not_found("pathwayId")),
            Some(pathway) => {
                let spanned: Vec<Uuid> = pathway_icb::Entity::find()
                    .filter(pathway_icb::Column::PathwayId.eq(pathway.id))
                    .all(change.db())
                    .await?
                    .into_iter()
                    .map(|span| span.icb_id)
                    .collect();
                if !spans_redesign_icb(change, &spanned, redesign.icb_id).await? {
                    errors.push(UserError::new(
                        "pathwayId",
                        "the pathway does not span the redesign's ICB",
                        "PATHWAY_OUTSIDE_ICB",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether a pathway spanning `spanned` spans the ICB `icb` of a redesign: the ICB itself, or an ICB it
/// took over (a pathway of Norfolk and Waveney is one of Norfolk and Suffolk's).
async fn spans_redesign_icb(change: &Change<'_>, spanned: &[Uuid], icb: Uuid) -> Result<bool, AppError> {
    if spanned.contains(&icb) {
        return Ok(true);
    }
    let predecessors = organisation_succession::Entity::find()
        .filter(organisation_succession::Column::SuccessorId.eq(icb))
        .all(change.db())
        .await?;
    Ok(predecessors.iter().any(|step| spanned.contains(&step.predecessor_id)))
}

/// Records a service redesign of one of the administrator's ICBs.
pub async fn create_redesign(
    db: &DatabaseConnection,
    actor: &Actor,
    input: &NewRedesign,
    idempotency_key: Option<&str>,
) -> Result<Outcome<service_redesign::Model>, AppError> {
    let mut change = Change::begin(db, actor, "createServiceRedesign", WriteAccess::IcbAdmin).await?;
    if let Some(previous) = change.replay::<service_redesign::Entity>(idempotency_key, input).await? {
        return Ok(previous);
    }
    let Some(icb) = change.administered_icb(&input.icb).await? else {
        return refuse(UserError::not_found("icb"));
    };
    let redesign = service_redesign::Model {
        id: Uuid::new_v4(),
        icb_id: icb.id,
        title: input.title.trim().to_owned(),
        pathway_id: input.pathway_id,
        start_on: input.start_on,
        status: input.status,
        team_joined_at: input.team_joined_at,
        social_care_involved: input.social_care_involved,
        version: 1,
    };
    let mut errors = Vec::new();
    check_redesign(&change, &redesign, Some(&input.sectors), &mut errors).await?;
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let id = redesign.id;
    let redesign = change.insert::<service_redesign::Entity, _>(Some(icb.id), id, redesign).await?;
    write_redesign_sectors(&change, id, &input.sectors, false).await?;
    change.commit().await?;
    Ok(Ok(redesign))
}

async fn write_redesign_sectors(
    change: &Change<'_>,
    id: Uuid,
    sectors: &[Sector],
    replace: bool,
) -> Result<(), AppError> {
    if replace {
        service_redesign_sector::Entity::delete_many()
            .filter(service_redesign_sector::Column::RedesignId.eq(id))
            .exec(change.db())
            .await?;
    }
    for sector in distinct(sectors) {
        let part = service_redesign_sector::Model { redesign_id: id, sector };
        change.insert_part::<service_redesign_sector::Entity, _>(part).await?;
    }
    Ok(())
}

/// Updates a redesign of one of the administrator's ICBs. A completed or stopped redesign stays so; a
/// team can be said to have joined from the start only while the redesign is planned.
pub async fn update_redesign(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    expected_version: i32,
    changes: &RedesignChanges,
) -> Result<Outcome<service_redesign::Model>, AppError> {
    let change = Change::begin(db, actor, "updateServiceRedesign", WriteAccess::IcbAdmin).await?;
    let before = checked!(change.current::<service_redesign::Entity>(id, expected_version).await?);
    let after = service_redesign::Model {
        title: changes.title.as_deref().map_or(before.title.clone(), |title| title.trim().to_owned()),
        pathway_id: changes.pathway_id.unwrap_or(before.pathway_id),
        status: changes.status.unwrap_or(before.status),
        team_joined_at: changes.team_joined_at.unwrap_or(before.team_joined_at),
        social_care_involved: changes.social_care_involved.unwrap_or(before.social_care_involved),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    if matches!(before.status, RedesignStatus::Completed | RedesignStatus::Stopped) {
        errors.push(UserError::invalid_transition("redesign", before.status));
    }
    check_redesign(&change, &after, changes.sectors.as_deref(), &mut errors).await?;
    if after.team_joined_at == TeamInvolvement::FromTheStart
        && before.team_joined_at != TeamInvolvement::FromTheStart
        && before.status != RedesignStatus::Planned
    {
        errors.push(UserError::new(
            "teamJoinedAt",
            "the redesign had started: the team can no longer have joined from the start",
            "TOO_LATE_FOR_START",
        ));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let updated = change.update::<service_redesign::Entity, _>(Some(before.icb_id), id, &before, after).await?;
    if let Some(sectors) = &changes.sectors {
        write_redesign_sectors(&change, id, sectors, true).await?;
    }
    change.commit().await?;
    Ok(Ok(updated))
}
