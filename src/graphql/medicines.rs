//! Medicines optimisation across the system: consultant leads' time across the four RPS pillars, patient
//! pathways, medicines-optimisation teams' work mix and ICBs' service redesigns.

use super::common::{ConnectionOf, DateRange, EnumFilter, NodeType, OdsCodeFilter, OrderDirection, Paging, global_id};
use super::enums::{PathwayStatus, RedesignStatus, Sector, Specialism, TeamInvolvement, WorkKind};
use super::leadership::{ConsultantLead, MedicinesOptimisationTeam};
use super::loaders::ById;
use super::organisation::{Icb, Organisation};
use super::scalars::Date;
use super::{list, load_by, load_one, loader};
use crate::services::pagination::SortKey;
use crate::services::queries;
use async_graphql::{Context, ID, InputObject, Object, Result, ResultExt};
use entity::{
    consultant_lead, consultant_pillar_share, medicines_optimisation_team, organisation, pathway_icb,
    pathway_participant, pathway_sector, patient_pathway, service_redesign, service_redesign_sector, team_work_kind,
    team_work_mix,
};
use uuid::Uuid;

/// The organisations with these ids the reader may see, by ODS code (one batched statement).
async fn organisations(ctx: &Context<'_>, ids: impl IntoIterator<Item = Uuid>) -> Result<Vec<organisation::Model>> {
    let loaded = loader(ctx)?.load_many(ids.into_iter().map(ById::<organisation::Entity>::new)).await?;
    let mut organisations: Vec<organisation::Model> = loaded.into_values().collect();
    organisations.sort_by(|a, b| a.ods_code.cmp(&b.ods_code));
    Ok(organisations)
}

/// How a consultant lead's time divides between the four RPS pillars (clinical practice, leadership,
/// education, research) over a period; the shares add up to 100.
#[derive(Clone)]
pub struct ConsultantPillarShare(pub consultant_pillar_share::Model);

/// How a consultant lead's time divides between the four RPS pillars (clinical practice, leadership,
/// education, research) over a period; the shares add up to 100.
#[Object]
impl ConsultantPillarShare {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::ConsultantPillarShare, self.0.id)
    }

    /// Raised by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The consultant lead.
    async fn consultant_lead(&self, ctx: &Context<'_>) -> Result<Option<ConsultantLead>> {
        Ok(load_one::<consultant_lead::Entity>(ctx, self.0.consultant_lead_id).await?.map(ConsultantLead))
    }

    /// First day of the split.
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }

    /// Last day of the split; null while in force.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

    /// Percent of time in clinical practice.
    async fn clinical_practice_percent(&self) -> i32 {
        self.0.clinical_practice_percent
    }

    /// Percent of time in leadership.
    async fn leadership_percent(&self) -> i32 {
        self.0.leadership_percent
    }

    /// Percent of time in education (teaching).
    async fn education_percent(&self) -> i32 {
        self.0.education_percent
    }

    /// Percent of time in research.
    async fn research_percent(&self) -> i32 {
        self.0.research_percent
    }
}

/// A patient pathway across organisations (and often across ICBs), recorded by an ICB and led by a
/// consultant-pharmacist lead.
#[derive(Clone)]
pub struct PatientPathway(pub patient_pathway::Model);

/// A patient pathway across organisations (and often across ICBs), recorded by an ICB and led by a
/// consultant-pharmacist lead.
#[Object]
impl PatientPathway {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::PatientPathway, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The ICB that records the pathway (its administrators change it).
    async fn owner_icb(&self, ctx: &Context<'_>) -> Result<Option<Icb>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.owner_icb_id).await?.map(Icb))
    }

    /// Name, unique within the recording ICB.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The specialism.
    async fn specialism(&self) -> Specialism {
        self.0.specialism.into()
    }

    /// The specialism in words (required for OTHER).
    async fn specialism_detail(&self) -> Option<&str> {
        self.0.specialism_detail.as_deref()
    }

    /// The state of the pathway.
    async fn status(&self) -> PathwayStatus {
        self.0.status.into()
    }

    /// First day.
    async fn start_on(&self) -> Date {
        Date(self.0.start_on)
    }

    /// Last day; null while it runs.
    async fn end_on(&self) -> Option<Date> {
        self.0.end_on.map(Date)
    }

    /// The consultant-pharmacist lead leading it; null if it has none (or the reader may not see the lead).
    async fn consultant_lead(&self, ctx: &Context<'_>) -> Result<Option<ConsultantLead>> {
        let Some(id) = self.0.consultant_lead_id else { return Ok(None) };
        Ok(load_one::<consultant_lead::Entity>(ctx, id).await?.map(ConsultantLead))
    }

    /// The ICBs it spans, by ODS code.
    async fn icbs(&self, ctx: &Context<'_>) -> Result<Vec<Icb>> {
        let rows = load_by::<pathway_icb::Entity>(ctx, "pathway_id", self.0.id, "icb_id").await?;
        Ok(organisations(ctx, rows.into_iter().map(|row| row.icb_id)).await?.into_iter().map(Icb).collect())
    }

    /// The sectors it spans.
    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        let rows = load_by::<pathway_sector::Entity>(ctx, "pathway_id", self.0.id, "sector").await?;
        Ok(rows.into_iter().map(|row| row.sector.into()).collect())
    }

    /// The trusts, PCNs and community pharmacies taking part, by ODS code.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<Organisation>> {
        let rows = load_by::<pathway_participant::Entity>(ctx, "pathway_id", self.0.id, "organisation_id").await?;
        let participants = organisations(ctx, rows.into_iter().map(|row| row.organisation_id)).await?;
        Ok(participants.into_iter().map(Organisation::from).collect())
    }

    /// The service redesigns of this pathway, by start date.
    async fn service_redesigns(&self, ctx: &Context<'_>) -> Result<Vec<ServiceRedesign>> {
        let rows = load_by::<service_redesign::Entity>(ctx, "pathway_id", self.0.id, "start_on").await?;
        Ok(rows.into_iter().map(ServiceRedesign).collect())
    }
}

/// How a medicines-optimisation team's whole-time equivalents divide between operational and
/// transformational work over a period, with the kinds of work it does.
#[derive(Clone)]
pub struct TeamWorkMix(pub team_work_mix::Model);

/// How a medicines-optimisation team's whole-time equivalents divide between operational and
/// transformational work over a period, with the kinds of work it does.
#[Object]
impl TeamWorkMix {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::TeamWorkMix, self.0.id)
    }

    /// Raised by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The team.
    async fn team(&self, ctx: &Context<'_>) -> Result<Option<MedicinesOptimisationTeam>> {
        Ok(load_one::<medicines_optimisation_team::Entity>(ctx, self.0.team_id).await?.map(MedicinesOptimisationTeam))
    }

    /// First day of the mix.
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }

    /// Last day of the mix; null while in force.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

    /// Whole-time equivalents on operational work (the day-to-day: reviews, queries, monitoring).
    async fn operational_wte(&self) -> f64 {
        self.0.operational_wte
    }

    /// Whole-time equivalents on transformational work (redesigning services and pathways).
    async fn transformational_wte(&self) -> f64 {
        self.0.transformational_wte
    }

    /// Transformational WTE ÷ all WTE of the mix.
    async fn transformational_share(&self) -> f64 {
        self.0.transformational_wte / (self.0.operational_wte + self.0.transformational_wte)
    }

    /// The kinds of work the team does in the period.
    async fn kinds(&self, ctx: &Context<'_>) -> Result<Vec<WorkKind>> {
        let rows = load_by::<team_work_kind::Entity>(ctx, "work_mix_id", self.0.id, "kind").await?;
        Ok(rows.into_iter().map(|row| row.kind.into()).collect())
    }
}

/// A service redesign project of an ICB: whether its medicines-optimisation team was involved from the
/// start, and whether social care took part.
#[derive(Clone)]
pub struct ServiceRedesign(pub service_redesign::Model);

/// A service redesign project of an ICB: whether its medicines-optimisation team was involved from the
/// start, and whether social care took part.
#[Object]
impl ServiceRedesign {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::ServiceRedesign, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The ICB.
    async fn icb(&self, ctx: &Context<'_>) -> Result<Option<Icb>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.icb_id).await?.map(Icb))
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The patient pathway redesigned, if any (and the reader may see it).
    async fn pathway(&self, ctx: &Context<'_>) -> Result<Option<PatientPathway>> {
        let Some(id) = self.0.pathway_id else { return Ok(None) };
        Ok(load_one::<patient_pathway::Entity>(ctx, id).await?.map(PatientPathway))
    }

    /// The sectors involved.
    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        let rows = load_by::<service_redesign_sector::Entity>(ctx, "redesign_id", self.0.id, "sector").await?;
        Ok(rows.into_iter().map(|row| row.sector.into()).collect())
    }

    /// The day work started (or is planned to).
    async fn start_on(&self) -> Date {
        Date(self.0.start_on)
    }

    /// The state of the redesign.
    async fn status(&self) -> RedesignStatus {
        self.0.status.into()
    }

    /// The stage at which the ICB's medicines-optimisation team joined.
    async fn team_joined_at(&self) -> TeamInvolvement {
        self.0.team_joined_at.into()
    }

    /// Whether social care took part.
    async fn social_care_involved(&self) -> bool {
        self.0.social_care_involved
    }
}

/// Filters patient pathways. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct PatientPathwayFilter {
    /// Spanning one of these ICBs.
    pub icb: Option<OdsCodeFilter>,
    /// Specialism.
    pub specialism: Option<EnumFilter<Specialism>>,
    /// Status.
    pub status: Option<EnumFilter<PathwayStatus>>,
    /// With a consultant lead named (true) or without (false).
    pub led: Option<bool>,
    /// Starting within this range.
    pub start_on: Option<DateRange>,
}

impl PatientPathwayFilter {
    /// The service filter.
    pub fn to_query(&self) -> queries::medicines::PathwayFilter {
        queries::medicines::PathwayFilter {
            icbs: self.icb.as_ref().and_then(OdsCodeFilter::codes),
            specialisms: self.specialism.as_ref().and_then(EnumFilter::values),
            statuses: self.status.as_ref().and_then(EnumFilter::values),
            led: self.led,
            start: self.start_on.map(Into::into),
        }
    }
}

/// Filters service redesigns. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct ServiceRedesignFilter {
    /// Of one of these ICBs.
    pub icb: Option<OdsCodeFilter>,
    /// Status.
    pub status: Option<EnumFilter<RedesignStatus>>,
    /// The stage at which the medicines-optimisation team joined.
    pub team_joined_at: Option<EnumFilter<TeamInvolvement>>,
    /// Whether social care took part.
    pub social_care_involved: Option<bool>,
    /// Starting within this range.
    pub start_on: Option<DateRange>,
}

impl ServiceRedesignFilter {
    /// The service filter.
    pub fn to_query(&self) -> queries::medicines::RedesignFilter {
        queries::medicines::RedesignFilter {
            icbs: self.icb.as_ref().and_then(OdsCodeFilter::codes),
            statuses: self.status.as_ref().and_then(EnumFilter::values),
            team_joined_at: self.team_joined_at.as_ref().and_then(EnumFilter::values),
            social_care_involved: self.social_care_involved,
            start: self.start_on.map(Into::into),
        }
    }
}

/// Queries over medicines optimisation.
#[derive(Default)]
pub struct MedicinesQuery;

/// Queries over medicines optimisation.
#[Object]
impl MedicinesQuery {
    /// Patient pathways the reader may see (those recorded by or spanning its ICBs), by start date then
    /// name, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, a direction and the four Relay paging arguments")]
    async fn patient_pathways(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which pathways.")] filter: Option<PatientPathwayFilter>,
        #[graphql(desc = "The direction (default: earliest first).", default)] direction: OrderDirection,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<PatientPathway>> {
        let condition = filter.unwrap_or_default().to_query().condition().extend()?;
        let order =
            vec![SortKey::Column(patient_pathway::Column::StartOn), SortKey::Column(patient_pathway::Column::Name)];
        let paging = Paging::new(after, before, first, last)?;
        list::<patient_pathway::Entity, _>(ctx, condition, order, direction, paging, PatientPathway).await
    }

    /// Service redesigns the reader may see (those of its ICBs), by start date, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, a direction and the four Relay paging arguments")]
    async fn service_redesigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which redesigns.")] filter: Option<ServiceRedesignFilter>,
        #[graphql(desc = "The direction (default: earliest first).", default)] direction: OrderDirection,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<ServiceRedesign>> {
        let condition = filter.unwrap_or_default().to_query().condition().extend()?;
        let order = vec![SortKey::Column(service_redesign::Column::StartOn)];
        let paging = Paging::new(after, before, first, last)?;
        list::<service_redesign::Entity, _>(ctx, condition, order, direction, paging, ServiceRedesign).await
    }
}
