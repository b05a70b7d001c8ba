use super::{actor, id_of, payload, respond};
use crate::graphql::common::NodeType;
use crate::graphql::db;
use crate::graphql::enums::{MedicinesRole, ProgrammeLeadRole, Specialism};
use crate::graphql::leadership::{ConsultantLead, IcbMedicinesRole, MedicinesOptimisationTeam, ProgrammeLead};
use crate::graphql::scalars::{Date, OdsCodeScalar};
use crate::services::leadership::{
    self, MedicinesTeamChanges, NewConsultantLead, NewMedicinesRole, NewMedicinesTeam, NewProgrammeLead,
};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{consultant_lead, icb_medicines_role, medicines_optimisation_team, programme_lead};

/// A consultant pharmacist appointed to lead a specialism in a trust of one of your ICBs.
#[derive(InputObject)]
pub struct AppointConsultantLeadInput {
    /// The pharmacist.
    pub pharmacist_id: ID,
    /// ODS code of the trust.
    pub trust: OdsCodeScalar,
    /// The specialism (one lead per trust and specialism at a time, OTHER excepted: `LEAD_OVERLAP`).
    pub specialism: Specialism,
    /// Details of the specialism.
    pub specialism_detail: Option<String>,
    /// When RPS approved the consultant post.
    pub rps_post_approved_on: Option<Date>,
    /// When RPS credentialed the person as consultant.
    pub rps_credentialed_on: Option<Date>,
    /// First day of the appointment.
    pub valid_from: Date,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// The end of a dated role.
#[derive(InputObject)]
pub struct EndRoleInput {
    /// The role.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// Its last day.
    pub valid_to: Date,
}

/// A consultant lead's role on one of your ICBs' programmes.
#[derive(InputObject)]
pub struct AssignProgrammeLeadInput {
    /// The programme.
    pub programme_id: ID,
    /// The consultant lead.
    pub consultant_lead_id: ID,
    /// The role.
    pub role: ProgrammeLeadRole,
    /// First day.
    pub valid_from: Date,
    /// Last day, if known.
    pub valid_to: Option<Date>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// An ICB medicines leadership role taken up.
#[derive(InputObject)]
pub struct AppointMedicinesRoleInput {
    /// ODS code of one of your ICBs.
    pub icb: OdsCodeScalar,
    /// The role (board lead, chief pharmacist and director have one holder at a time: `ROLE_HELD`).
    pub role: MedicinesRole,
    /// The holder's name.
    pub holder_name: String,
    /// The holder's pharmacist record, if a pharmacist.
    pub pharmacist_id: Option<ID>,
    /// First day.
    pub valid_from: Date,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// A new medicines-optimisation team of one of your ICBs.
#[derive(InputObject)]
pub struct CreateMedicinesOptimisationTeamInput {
    /// ODS code of one of your ICBs.
    pub icb: OdsCodeScalar,
    /// The team's name.
    pub name: String,
    /// What it works on.
    pub focus: Option<String>,
    /// Its size in whole-time equivalents.
    pub wte: Option<f64>,
    /// When it was established.
    pub established_on: Date,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Changes to a medicines-optimisation team; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateMedicinesOptimisationTeamInput {
    /// The team.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New name.
    pub name: Option<String>,
    /// New focus (null clears it).
    pub focus: MaybeUndefined<String>,
    /// New size (null clears it).
    pub wte: MaybeUndefined<f64>,
    /// The day it was disbanded (null clears it).
    pub disbanded_on: MaybeUndefined<Date>,
}

payload!(
    /// The result of a mutation of a consultant lead.
    ConsultantLeadPayload { consultant_lead: ConsultantLead = ConsultantLead, from consultant_lead::Model }
);
payload!(
    /// The result of a mutation of a programme lead.
    ProgrammeLeadPayload { programme_lead: ProgrammeLead = ProgrammeLead, from programme_lead::Model }
);
payload!(
    /// The result of a mutation of an ICB medicines leadership role.
    IcbMedicinesRolePayload { role: IcbMedicinesRole = IcbMedicinesRole, from icb_medicines_role::Model }
);
payload!(
    /// The result of a mutation of a medicines-optimisation team.
    MedicinesOptimisationTeamPayload {
        team: MedicinesOptimisationTeam = MedicinesOptimisationTeam,
        from medicines_optimisation_team::Model
    }
);

/// Mutations over leadership.
#[derive(Default)]
pub struct LeadershipMutation;

/// Mutations over leadership.
#[Object]
impl LeadershipMutation {
    /// Appoints a consultant-pharmacist lead in a trust of one of your ICBs.
    async fn appoint_consultant_lead(
        &self,
        ctx: &Context<'_>,
        input: AppointConsultantLeadInput,
    ) -> Result<ConsultantLeadPayload> {
        let new = NewConsultantLead {
            pharmacist_id: id_of(NodeType::Pharmacist, "pharmacistId", &input.pharmacist_id)?,
            trust: input.trust.0.to_string(),
            specialism: input.specialism.into(),
            specialism_detail: input.specialism_detail,
            rps_post_approved_on: input.rps_post_approved_on.map(|date| date.0),
            rps_credentialed_on: input.rps_credentialed_on.map(|date| date.0),
            valid_from: input.valid_from.0,
        };
        let key = input.idempotency_key.as_deref();
        respond(leadership::appoint_consultant_lead(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Ends a consultant lead's appointment.
    async fn end_consultant_lead(&self, ctx: &Context<'_>, input: EndRoleInput) -> Result<ConsultantLeadPayload> {
        let id = id_of(NodeType::ConsultantLead, "id", &input.id)?;
        let (version, valid_to) = (input.expected_version, input.valid_to.0);
        respond(leadership::end_consultant_lead(db(ctx)?, &actor(ctx)?, id, version, valid_to).await)
    }

    /// Gives a consultant lead a role on one of your ICBs' programmes.
    async fn assign_programme_lead(
        &self,
        ctx: &Context<'_>,
        input: AssignProgrammeLeadInput,
    ) -> Result<ProgrammeLeadPayload> {
        let new = NewProgrammeLead {
            programme_id: id_of(NodeType::RotationProgramme, "programmeId", &input.programme_id)?,
            consultant_lead_id: id_of(NodeType::ConsultantLead, "consultantLeadId", &input.consultant_lead_id)?,
            role: input.role.into(),
            valid_from: input.valid_from.0,
            valid_to: input.valid_to.map(|date| date.0),
        };
        let key = input.idempotency_key.as_deref();
        respond(leadership::assign_programme_lead(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Appoints the holder of a medicines leadership role in one of your ICBs.
    async fn appoint_medicines_role(
        &self,
        ctx: &Context<'_>,
        input: AppointMedicinesRoleInput,
    ) -> Result<IcbMedicinesRolePayload> {
        let new = NewMedicinesRole {
            icb: input.icb.0.to_string(),
            role: input.role.into(),
            holder_name: input.holder_name,
            pharmacist_id: input
                .pharmacist_id
                .as_ref()
                .map(|id| id_of(NodeType::Pharmacist, "pharmacistId", id))
                .transpose()?,
            valid_from: input.valid_from.0,
        };
        let key = input.idempotency_key.as_deref();
        respond(leadership::appoint_medicines_role(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Ends an ICB medicines leadership role.
    async fn end_medicines_role(&self, ctx: &Context<'_>, input: EndRoleInput) -> Result<IcbMedicinesRolePayload> {
        let id = id_of(NodeType::IcbMedicinesRole, "id", &input.id)?;
        let (version, valid_to) = (input.expected_version, input.valid_to.0);
        respond(leadership::end_medicines_role(db(ctx)?, &actor(ctx)?, id, version, valid_to).await)
    }

    /// Creates a medicines-optimisation team in one of your ICBs.
    async fn create_medicines_optimisation_team(
        &self,
        ctx: &Context<'_>,
        input: CreateMedicinesOptimisationTeamInput,
    ) -> Result<MedicinesOptimisationTeamPayload> {
        let new = NewMedicinesTeam {
            icb: input.icb.0.to_string(),
            name: input.name,
            focus: input.focus,
            wte: input.wte,
            established_on: input.established_on.0,
        };
        let key = input.idempotency_key.as_deref();
        respond(leadership::create_medicines_team(db(ctx)?, &actor(ctx)?, &new, key).await)
    }

    /// Updates (or disbands) a medicines-optimisation team of one of your ICBs.
    async fn update_medicines_optimisation_team(
        &self,
        ctx: &Context<'_>,
        input: UpdateMedicinesOptimisationTeamInput,
    ) -> Result<MedicinesOptimisationTeamPayload> {
        let id = id_of(NodeType::MedicinesOptimisationTeam, "id", &input.id)?;
        let changes = MedicinesTeamChanges {
            name: input.name,
            focus: input.focus.into(),
            wte: input.wte.into(),
            disbanded_on: input.disbanded_on.map_value(|date| date.0).into(),
        };
        respond(leadership::update_medicines_team(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }
}
