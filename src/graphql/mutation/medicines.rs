use super::{actor, id_of, optional_id_of, payload, respond};
use crate::graphql::common::NodeType;
use crate::graphql::db;
use crate::graphql::enums::{PathwayStatus, RedesignStatus, Sector, Specialism, TeamInvolvement, WorkKind};
use crate::graphql::medicines::{ConsultantPillarShare, PatientPathway, ServiceRedesign, TeamWorkMix};
use crate::graphql::scalars::{Date, OdsCodeScalar};
use crate::services::medicines::{
    self, NewPathway, NewPillarShares, NewRedesign, NewWorkMix, PathwayChanges, RedesignChanges,
};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{consultant_pillar_share, patient_pathway, service_redesign, team_work_mix};

/// ODS codes as text.
fn codes(codes: &[OdsCodeScalar]) -> Vec<String> {
    codes.iter().map(|code| code.0.to_string()).collect()
}

/// A consultant lead's split of time across the four RPS pillars from a day on (the split in force
/// until then ends the day before). The shares add up to 100.
#[derive(InputObject)]
pub struct RecordPillarSharesInput {
    /// The consultant lead, at a trust of one of your ICBs.
    pub consultant_lead_id: ID,
    /// First day of the split: within the lead's appointment and after the start of the latest split.
    pub valid_from: Date,
    /// Percent of time in clinical practice.
    pub clinical_practice_percent: i32,
    /// Percent of time in leadership.
    pub leadership_percent: i32,
    /// Percent of time in education (teaching).
    pub education_percent: i32,
    /// Percent of time in research.
    pub research_percent: i32,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// A new patient pathway recorded by one of your ICBs.
#[derive(InputObject)]
pub struct CreatePatientPathwayInput {
    /// ODS code of one of your ICBs: the ICB that records the pathway.
    pub owner_icb: OdsCodeScalar,
    /// Name, unique within the ICB.
    pub name: String,
    /// The specialism.
    pub specialism: Specialism,
    /// The specialism in words (required for OTHER).
    pub specialism_detail: Option<String>,
    /// The state (default: PLANNED).
    #[graphql(default_with = "PathwayStatus::Planned")]
    pub status: PathwayStatus,
    /// First day.
    pub start_on: Date,
    /// Last day, if known (required for CLOSED).
    pub end_on: Option<Date>,
    /// The consultant-pharmacist lead leading it, in post while it runs.
    pub consultant_lead_id: Option<ID>,
    /// The ICBs it spans, each existing on `startOn` (1 to 50).
    pub icbs: Vec<OdsCodeScalar>,
    /// The sectors it spans (at least one).
    pub sectors: Vec<Sector>,
    /// The NHS trusts, PCNs and community pharmacies taking part, each in one of `icbs` on `startOn`
    /// (at most 500; default: none yet).
    pub participants: Option<Vec<OdsCodeScalar>>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Changes to a patient pathway of one of your ICBs; omitted fields stay as they are, lists replace the
/// whole list. A CLOSED pathway is not changed any more.
#[derive(InputObject)]
pub struct UpdatePatientPathwayInput {
    /// The pathway.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New name.
    pub name: Option<String>,
    /// New specialism detail (null clears it).
    pub specialism_detail: MaybeUndefined<String>,
    /// New state.
    pub status: Option<PathwayStatus>,
    /// New last day (null clears it).
    pub end_on: MaybeUndefined<Date>,
    /// New consultant lead (null: none).
    pub consultant_lead_id: MaybeUndefined<ID>,
    /// The ICBs it spans.
    pub icbs: Option<Vec<OdsCodeScalar>>,
    /// The sectors it spans.
    pub sectors: Option<Vec<Sector>>,
    /// The organisations taking part.
    pub participants: Option<Vec<OdsCodeScalar>>,
}

/// A medicines-optimisation team's split of WTE between operational and transformational work from a
/// day on (the mix in force until then ends the day before).
#[derive(InputObject)]
pub struct RecordTeamWorkMixInput {
    /// The team, of one of your ICBs.
    pub team_id: ID,
    /// First day of the mix: within the team's life and after the start of the latest mix.
    pub valid_from: Date,
    /// WTE on operational work.
    pub operational_wte: f64,
    /// WTE on transformational work (with the operational WTE, at most the team's WTE).
    pub transformational_wte: f64,
    /// The kinds of work the team does (at least one).
    pub kinds: Vec<WorkKind>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// A new service redesign of one of your ICBs.
#[derive(InputObject)]
pub struct CreateServiceRedesignInput {
    /// ODS code of one of your ICBs.
    pub icb: OdsCodeScalar,
    /// The title.
    pub title: String,
    /// The patient pathway redesigned, if any: one spanning the ICB.
    pub pathway_id: Option<ID>,
    /// The sectors involved (at least one).
    pub sectors: Vec<Sector>,
    /// The day work started (or is planned to).
    pub start_on: Date,
    /// The state (default: PLANNED).
    #[graphql(default_with = "RedesignStatus::Planned")]
    pub status: RedesignStatus,
    /// The stage at which the ICB's medicines-optimisation team joined.
    pub team_joined_at: TeamInvolvement,
    /// Whether social care took part.
    pub social_care_involved: bool,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Changes to a service redesign of one of your ICBs; omitted fields stay as they are. A COMPLETED or
/// STOPPED redesign is not changed any more; FROM_THE_START can be set only while it is PLANNED.
#[derive(InputObject)]
pub struct UpdateServiceRedesignInput {
    /// The redesign.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New title.
    pub title: Option<String>,
    /// New pathway (null: none).
    pub pathway_id: MaybeUndefined<ID>,
    /// New state.
    pub status: Option<RedesignStatus>,
    /// The stage at which the team joined.
    pub team_joined_at: Option<TeamInvolvement>,
    /// Whether social care took part.
    pub social_care_involved: Option<bool>,
    /// The sectors involved (replaces the list).
    pub sectors: Option<Vec<Sector>>,
}

payload!(
    /// The result of recording a consultant lead's pillar shares.
    ConsultantPillarSharePayload {
        pillar_share: ConsultantPillarShare = ConsultantPillarShare,
        from consultant_pillar_share::Model
    }
);
payload!(
    /// The result of a mutation of a patient pathway.
    PatientPathwayPayload { pathway: PatientPathway = PatientPathway, from patient_pathway::Model }
);
payload!(
    /// The result of recording a team's work mix.
    TeamWorkMixPayload { work_mix: TeamWorkMix = TeamWorkMix, from team_work_mix::Model }
);
payload!(
    /// The result of a mutation of a service redesign.
    ServiceRedesignPayload { redesign: ServiceRedesign = ServiceRedesign, from service_redesign::Model }
);

/// Mutations over medicines optimisation.
#[derive(Default)]
pub struct MedicinesMutation;

/// Mutations over medicines optimisation.
#[Object]
impl MedicinesMutation {
    /// Records how a consultant lead at a trust of one of your ICBs divides their time between the four
    /// RPS pillars from a day on.
    async fn record_pillar_shares(
        &self,
        ctx: &Context<'_>,
        input: RecordPillarSharesInput,
    ) -> Result<ConsultantPillarSharePayload> {
        let new = NewPillarShares {
            consultant_lead_id: id_of(NodeType::ConsultantLead, "consultantLeadId", &input.consultant_lead_id)?,
            valid_from: input.valid_from.0,
            clinical_practice_percent: input.clinical_practice_percent,
            leadership_percent: input.leadership_percent,
            education_percent: input.education_percent,
            research_percent: input.research_percent,
        };
        let key = input.idempotency_key.as_deref();
        respond(medicines::record_pillar_shares(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Records a patient pathway of one of your ICBs.
    async fn create_patient_pathway(
        &self,
        ctx: &Context<'_>,
        input: CreatePatientPathwayInput,
    ) -> Result<PatientPathwayPayload> {
        let new = NewPathway {
            owner_icb: input.owner_icb.0.to_string(),
            name: input.name,
            specialism: input.specialism.into(),
            specialism_detail: input.specialism_detail,
            status: input.status.into(),
            start_on: input.start_on.0,
            end_on: input.end_on.map(|date| date.0),
            consultant_lead_id: input
                .consultant_lead_id
                .as_ref()
                .map(|id| id_of(NodeType::ConsultantLead, "consultantLeadId", id))
                .transpose()?,
            icbs: codes(&input.icbs),
            sectors: input.sectors.into_iter().map(Into::into).collect(),
            participants: input.participants.as_deref().map(codes).unwrap_or_default(),
        };
        let key = input.idempotency_key.as_deref();
        respond(medicines::create_pathway(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Updates a patient pathway of one of your ICBs.
    async fn update_patient_pathway(
        &self,
        ctx: &Context<'_>,
        input: UpdatePatientPathwayInput,
    ) -> Result<PatientPathwayPayload> {
        let id = id_of(NodeType::PatientPathway, "id", &input.id)?;
        let changes = PathwayChanges {
            name: input.name,
            specialism_detail: input.specialism_detail.into(),
            status: input.status.map(Into::into),
            end_on: input.end_on.map_value(|date| date.0).into(),
            consultant_lead_id: optional_id_of(
                NodeType::ConsultantLead,
                "consultantLeadId",
                &input.consultant_lead_id,
            )?,
            icbs: input.icbs.as_deref().map(codes),
            sectors: input.sectors.map(|sectors| sectors.into_iter().map(Into::into).collect()),
            participants: input.participants.as_deref().map(codes),
        };
        respond(medicines::update_pathway(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }

    /// Records how a medicines-optimisation team of one of your ICBs divides its WTE between
    /// operational and transformational work from a day on.
    async fn record_team_work_mix(
        &self,
        ctx: &Context<'_>,
        input: RecordTeamWorkMixInput,
    ) -> Result<TeamWorkMixPayload> {
        let new = NewWorkMix {
            team_id: id_of(NodeType::MedicinesOptimisationTeam, "teamId", &input.team_id)?,
            valid_from: input.valid_from.0,
            operational_wte: input.operational_wte,
            transformational_wte: input.transformational_wte,
            kinds: input.kinds.into_iter().map(Into::into).collect(),
        };
        let key = input.idempotency_key.as_deref();
        respond(medicines::record_work_mix(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Records a service redesign of one of your ICBs.
    async fn create_service_redesign(
        &self,
        ctx: &Context<'_>,
        input: CreateServiceRedesignInput,
    ) -> Result<ServiceRedesignPayload> {
        let new = NewRedesign {
            icb: input.icb.0.to_string(),
            title: input.title,
            pathway_id: input
                .pathway_id
                .as_ref()
                .map(|id| id_of(NodeType::PatientPathway, "pathwayId", id))
                .transpose()?,
            sectors: input.sectors.into_iter().map(Into::into).collect(),
            start_on: input.start_on.0,
            status: input.status.into(),
            team_joined_at: input.team_joined_at.into(),
            social_care_involved: input.social_care_involved,
        };
        let key = input.idempotency_key.as_deref();
        respond(medicines::create_redesign(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Updates a service redesign of one of your ICBs.
    async fn update_service_redesign(
        &self,
        ctx: &Context<'_>,
        input: UpdateServiceRedesignInput,
    ) -> Result<ServiceRedesignPayload> {
        let id = id_of(NodeType::ServiceRedesign, "id", &input.id)?;
        let changes = RedesignChanges {
            title: input.title,
            pathway_id: optional_id_of(NodeType::PatientPathway, "pathwayId", &input.pathway_id)?,
            status: input.status.map(Into::into),
            team_joined_at: input.team_joined_at.map(Into::into),
            social_care_involved: input.social_care_involved,
            sectors: input.sectors.map(|sectors| sectors.into_iter().map(Into::into).collect()),
        };
        respond(medicines::update_redesign(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }
}
