//! Clinical and medicines leadership: consultant-pharmacist leads in trusts and their programme roles,
//! ICB medicines leadership roles and medicines-optimisation teams.

use super::common::{
    ConnectionOf, EnumFilter, NodeType, OdsCodeFilter, OrderDirection, Paging, as_of_or_today, global_id,
};
use super::enums::{MedicinesRole, ProgrammeLeadRole, Specialism};
use super::medicines::{ConsultantPillarShare, PatientPathway, TeamWorkMix};
use super::organisation::{Icb, NhsTrust};
use super::programme::RotationProgramme;
use super::scalars::Date;
use super::workforce::Pharmacist;
use super::{list, load_by, load_one, personal};
use crate::services::pagination::SortKey;
use crate::services::queries;
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::{
    consultant_lead, consultant_pillar_share, icb_medicines_role, medicines_optimisation_team, organisation,
    patient_pathway, pharmacist, programme_lead, rotation_programme, team_work_mix,
};

/// A consultant pharmacist leading a specialism in a trust, with RPS credentialing dates.
#[derive(Clone)]
pub struct ConsultantLead(pub consultant_lead::Model);

/// A consultant pharmacist leading a specialism in a trust, with RPS credentialing dates.
#[Object]
impl ConsultantLead {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::ConsultantLead, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The consultant pharmacist.
    async fn pharmacist(&self, ctx: &Context<'_>) -> Result<Option<Pharmacist>> {
        Ok(load_one::<pharmacist::Entity>(ctx, self.0.pharmacist_id).await?.map(Pharmacist))
    }

    /// The trust.
    async fn trust(&self, ctx: &Context<'_>) -> Result<Option<NhsTrust>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.trust_id).await?.map(NhsTrust))
    }

    /// The specialism.
    async fn specialism(&self) -> Specialism {
        self.0.specialism.into()
    }

    /// The specialism in words (required for OTHER).
    async fn specialism_detail(&self) -> Option<&str> {
        self.0.specialism_detail.as_deref()
    }

    /// The day RPS approved the consultant post.
    async fn rps_post_approved_on(&self) -> Option<Date> {
        self.0.rps_post_approved_on.map(Date)
    }

    /// The day RPS credentialed the person as consultant.
    async fn rps_credentialed_on(&self) -> Option<Date> {
        self.0.rps_credentialed_on.map(Date)
    }

    /// First day in the role.
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }

    /// Last day in the role; null while in it.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

    /// How the lead's time divides between the four RPS pillars, period by period.
    async fn pillar_shares(&self, ctx: &Context<'_>) -> Result<Vec<ConsultantPillarShare>> {
        let rows =
            load_by::<consultant_pillar_share::Entity>(ctx, "consultant_lead_id", self.0.id, "valid_from").await?;
        Ok(rows.into_iter().map(ConsultantPillarShare).collect())
    }

    /// The patient pathways the lead leads (those the reader may see), by start date.
    async fn pathways(&self, ctx: &Context<'_>) -> Result<Vec<PatientPathway>> {
        let rows = load_by::<patient_pathway::Entity>(ctx, "consultant_lead_id", self.0.id, "start_on").await?;
        Ok(rows.into_iter().map(PatientPathway).collect())
    }

    /// The lead's roles for programmes.
    async fn programme_roles(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeLead>> {
        let rows = load_by::<programme_lead::Entity>(ctx, "consultant_lead_id", self.0.id, "valid_from").await?;
        Ok(rows.into_iter().map(ProgrammeLead).collect())
    }
}

/// A consultant-pharmacist lead's role for a programme over a period.
#[derive(Clone)]
pub struct ProgrammeLead(pub programme_lead::Model);

/// A consultant-pharmacist lead's role for a programme over a period.
#[Object]
impl ProgrammeLead {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::ProgrammeLead, self.0.id)
    }

    /// The programme.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<RotationProgramme>> {
        Ok(load_one::<rotation_programme::Entity>(ctx, self.0.programme_id).await?.map(RotationProgramme))
    }

    /// The consultant-pharmacist lead.
    async fn consultant_lead(&self, ctx: &Context<'_>) -> Result<Option<ConsultantLead>> {
        Ok(load_one::<consultant_lead::Entity>(ctx, self.0.consultant_lead_id).await?.map(ConsultantLead))
    }

    /// Clinical or education lead.
    async fn role(&self) -> ProgrammeLeadRole {
        self.0.role.into()
    }

    /// First day in the role.
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }

    /// Last day in the role; null while in it.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
}

/// A medicines leadership role in an ICB held by a person over a period.
#[derive(Clone)]
pub struct IcbMedicinesRole(pub icb_medicines_role::Model);

/// A medicines leadership role in an ICB held by a person over a period.
#[Object]
impl IcbMedicinesRole {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::IcbMedicinesRole, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The ICB.
    async fn icb(&self, ctx: &Context<'_>) -> Result<Option<Icb>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.icb_id).await?.map(Icb))
    }

    /// The role.
    async fn role(&self) -> MedicinesRole {
        self.0.role.into()
    }

    /// The holder's name. Personal data.
    async fn holder_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        personal(ctx, "holderName", &self.0.holder_name)
    }

    /// The holder's pharmacist record, when the holder is a pharmacist.
    async fn pharmacist(&self, ctx: &Context<'_>) -> Result<Option<Pharmacist>> {
        let Some(id) = self.0.pharmacist_id else { return Ok(None) };
        Ok(load_one::<pharmacist::Entity>(ctx, id).await?.map(Pharmacist))
    }

    /// First day in the role.
    async fn valid_from(&self) -> Date {
        Date(self.0.valid_from)
    }

    /// Last day in the role; null while held.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }
}

/// A medicines-optimisation team of an ICB.
#[derive(Clone)]
pub struct MedicinesOptimisationTeam(pub medicines_optimisation_team::Model);

/// A medicines-optimisation team of an ICB.
#[Object]
impl MedicinesOptimisationTeam {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::MedicinesOptimisationTeam, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The ICB.
    async fn icb(&self, ctx: &Context<'_>) -> Result<Option<Icb>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.icb_id).await?.map(Icb))
    }

    /// Name, unique within the ICB.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the team works on.
    async fn focus(&self) -> Option<&str> {
        self.0.focus.as_deref()
    }

    /// Whole-time equivalent staff.
    async fn wte(&self) -> Option<f64> {
        self.0.wte
    }

    /// The day the team was set up.
    async fn established_on(&self) -> Date {
        Date(self.0.established_on)
    }

    /// The day the team was disbanded; null while it exists.
    async fn disbanded_on(&self) -> Option<Date> {
        self.0.disbanded_on.map(Date)
    }

    /// How the team's WTE divides between operational and transformational work, period by period.
    async fn work_mix(&self, ctx: &Context<'_>) -> Result<Vec<TeamWorkMix>> {
        let rows = load_by::<team_work_mix::Entity>(ctx, "team_id", self.0.id, "valid_from").await?;
        Ok(rows.into_iter().map(TeamWorkMix).collect())
    }
}

/// Filters consultant-pharmacist leads. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct ConsultantLeadFilter {
    /// Specialism.
    pub specialism: Option<EnumFilter<Specialism>>,
    /// The trust (ODS code).
    pub trust: Option<OdsCodeFilter>,
    /// The trust's ICB (ODS code) on the query's `asOf`.
    pub icb: Option<OdsCodeFilter>,
    /// In the role on the query's `asOf` (true) or not (false).
    pub current: Option<bool>,
}

/// What consultant leads can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConsultantLeadOrderField {
    /// First day in the role.
    #[default]
    ValidFrom,
    /// Specialism.
    Specialism,
}

/// The order of a consultant-lead list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct ConsultantLeadOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: ConsultantLeadOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries over leadership.
#[derive(Default)]
pub struct LeadershipQuery;

/// Queries over leadership.
#[Object]
impl LeadershipQuery {
    /// Consultant-pharmacist leads the reader may see, filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn consultant_leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which leads.")] filter: Option<ConsultantLeadFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<ConsultantLeadOrder>,
        #[graphql(desc = "The date `icb` and `current` apply to (default: today).")] as_of: Option<Date>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<ConsultantLead>> {
        let paging = Paging::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let condition = queries::leadership::ConsultantLeadFilter {
            specialisms: filter.specialism.as_ref().and_then(EnumFilter::values),
            trusts: filter.trust.as_ref().and_then(OdsCodeFilter::codes),
            icbs: filter.icb.as_ref().and_then(OdsCodeFilter::codes),
            current: filter.current,
            as_of: as_of_or_today(ctx, as_of)?,
        }
        .condition();
        let order = order_by.unwrap_or_default();
        let column = match order.field {
            ConsultantLeadOrderField::ValidFrom => consultant_lead::Column::ValidFrom,
            ConsultantLeadOrderField::Specialism => consultant_lead::Column::Specialism,
        };
        list::<consultant_lead::Entity, _>(
            ctx,
            condition,
            vec![SortKey::Column(column)],
            order.direction,
            paging,
            ConsultantLead,
        )
        .await
    }
}
