use super::{actor, id_of, payload, respond};
use crate::graphql::common::NodeType;
use crate::graphql::db;
use crate::graphql::enums::Sector;
use crate::graphql::scalars::{Date, OdsCodeScalar};
use crate::graphql::workforce::{Membership, Placement};
use crate::services::rotations::{self, MembershipStep, NewMembership, NewPlacement, PlacementStep, Reschedule};
use async_graphql::{Context, ID, InputObject, Object, Result};
use entity::{placement, programme_membership};

/// A place in a cohort offered to a pharmacist (status OFFERED).
#[derive(InputObject)]
pub struct OfferMembershipInput {
    /// The cohort: one of your ICBs' programmes'.
    pub cohort_id: ID,
    /// The pharmacist.
    pub pharmacist_id: ID,
    /// The post the member will hold, if assigned.
    pub post_id: Option<ID>,
    /// The day of the offer (default: today).
    pub offered_on: Option<Date>,
    /// The first day of the rotation.
    pub start_date: Date,
    /// The planned last day: the rotation's length lies within the programme's months
    /// (`DURATION_OUT_OF_RANGE`).
    pub planned_end_date: Date,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Acceptance of an offered membership.
#[derive(InputObject)]
pub struct AcceptMembershipInput {
    /// The membership.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// The day of acceptance, on which eligibility is checked (default: today).
    pub accepted_on: Option<Date>,
    /// Accepts a pharmacist who fails the programme's eligibility rules, for this reason (audited).
    pub eligibility_override_reason: Option<String>,
}

/// A step in a membership's life: start or complete.
#[derive(InputObject)]
pub struct MembershipStepInput {
    /// The membership.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// The day it happens (default: today).
    pub on: Option<Date>,
}

/// A withdrawal from a programme.
#[derive(InputObject)]
pub struct WithdrawMembershipInput {
    /// The membership.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// The day of withdrawal (default: today).
    pub on: Option<Date>,
    /// Why the pharmacist left (required).
    pub reason: String,
}

/// A placement planned for a member (status PLANNED).
#[derive(InputObject)]
pub struct PlanPlacementInput {
    /// The membership.
    pub membership_id: ID,
    /// ODS code of the host, of the sector's kind (general practice: PCN or GP practice; community
    /// pharmacy: community pharmacy; secondary care: trust or trust site; ICB medicines optimisation: ICB
    /// or sub-ICB location) and open throughout.
    pub host: OdsCodeScalar,
    /// The sector.
    pub sector: Sector,
    /// First day, within the membership.
    pub start_date: Date,
    /// Last day, within the membership.
    pub end_date: Date,
    /// Whole-time equivalent, in (0, 1].
    pub wte: f64,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// A change of a placement's state.
#[derive(InputObject)]
pub struct PlacementStepInput {
    /// The placement.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
}

/// New dates for a placement (and optionally a new host, sector or WTE).
#[derive(InputObject)]
pub struct ReschedulePlacementInput {
    /// The placement.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New first day.
    pub start_date: Date,
    /// New last day.
    pub end_date: Date,
    /// New host.
    pub host: Option<OdsCodeScalar>,
    /// New sector.
    pub sector: Option<Sector>,
    /// New whole-time equivalent.
    pub wte: Option<f64>,
}

payload!(
    /// The result of a mutation of a membership.
    MembershipPayload { membership: Membership = Membership, from programme_membership::Model }
);
payload!(
    /// The result of a mutation of a placement.
    PlacementPayload { placement: Placement = Placement, from placement::Model }
);

/// `date`, or the request's today when absent.
fn day(ctx: &Context<'_>, date: Option<Date>) -> Result<chrono::NaiveDate> {
    Ok(date.map_or(super::super::today(ctx)?, |date| date.0))
}

/// Mutations over memberships and placements.
#[derive(Default)]
pub struct RotationMutation;

/// Mutations over memberships and placements.
#[Object]
impl RotationMutation {
    /// Offers a place in a cohort of one of your ICBs' programmes to a pharmacist.
    async fn offer_membership(&self, ctx: &Context<'_>, input: OfferMembershipInput) -> Result<MembershipPayload> {
        let new = NewMembership {
            cohort_id: id_of(NodeType::Cohort, "cohortId", &input.cohort_id)?,
            pharmacist_id: id_of(NodeType::Pharmacist, "pharmacistId", &input.pharmacist_id)?,
            post_id: input.post_id.as_ref().map(|id| id_of(NodeType::RotationalPost, "postId", id)).transpose()?,
            offered_on: day(ctx, input.offered_on)?,
            start_date: input.start_date.0,
            planned_end_date: input.planned_end_date.0,
        };
        respond(rotations::offer_membership(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Accepts an offered membership: checks eligibility (stored with the membership; `INELIGIBLE` unless
    /// overridden with a reason) and takes a place (`COHORT_FULL` when none is left).
    async fn accept_membership(&self, ctx: &Context<'_>, input: AcceptMembershipInput) -> Result<MembershipPayload> {
        let id = id_of(NodeType::Membership, "id", &input.id)?;
        let reason = input.eligibility_override_reason.as_deref();
        let answer = rotations::accept_membership(
            db(ctx)?,
            &actor(ctx)?,
            id,
            input.expected_version,
            day(ctx, input.accepted_on)?,
            reason,
        )
        .await;
        respond(answer)
    }

    /// Starts an accepted membership (status ACTIVE) on a day.
    async fn start_membership(&self, ctx: &Context<'_>, input: MembershipStepInput) -> Result<MembershipPayload> {
        membership_step(ctx, &input.id, input.expected_version, MembershipStep::Start, input.on, None).await
    }

    /// Completes an active membership (status COMPLETED) on a day.
    async fn complete_membership(&self, ctx: &Context<'_>, input: MembershipStepInput) -> Result<MembershipPayload> {
        membership_step(ctx, &input.id, input.expected_version, MembershipStep::Complete, input.on, None).await
    }

    /// Withdraws an offered, accepted or active membership, for a reason.
    async fn withdraw_membership(
        &self,
        ctx: &Context<'_>,
        input: WithdrawMembershipInput,
    ) -> Result<MembershipPayload> {
        let reason = Some(input.reason.as_str());
        membership_step(ctx, &input.id, input.expected_version, MembershipStep::Withdraw, input.on, reason).await
    }

    /// Plans a placement for a member of one of your ICBs' programmes. The placement is flagged cross-ICB
    /// when its host's ICB differs from the programme owner's (after mergers) on its first day.
    async fn plan_placement(&self, ctx: &Context<'_>, input: PlanPlacementInput) -> Result<PlacementPayload> {
        let new = NewPlacement {
            membership_id: id_of(NodeType::Membership, "membershipId", &input.membership_id)?,
            host: input.host.0.to_string(),
            sector: input.sector.into(),
            start_date: input.start_date.0,
            end_date: input.end_date.0,
            wte: input.wte,
        };
        respond(rotations::plan_placement(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Approves a planned placement, unless it overlaps an approved placement of the same pharmacist
    /// (`PHARMACIST_OVERLAP`) or post (`POST_OVERLAP`).
    async fn approve_placement(&self, ctx: &Context<'_>, input: PlacementStepInput) -> Result<PlacementPayload> {
        placement_step(ctx, &input.id, input.expected_version, PlacementStep::Approve).await
    }

    /// Moves a planned or approved placement to new dates (host, sector, WTE), checked like a new one.
    async fn reschedule_placement(
        &self,
        ctx: &Context<'_>,
        input: ReschedulePlacementInput,
    ) -> Result<PlacementPayload> {
        let step = PlacementStep::Reschedule(Reschedule {
            start_date: input.start_date.0,
            end_date: input.end_date.0,
            host: input.host.map(|host| host.0.to_string()),
            sector: input.sector.map(Into::into),
            wte: input.wte,
        });
        placement_step(ctx, &input.id, input.expected_version, step).await
    }

    /// Cancels a planned or approved placement.
    async fn cancel_placement(&self, ctx: &Context<'_>, input: PlacementStepInput) -> Result<PlacementPayload> {
        placement_step(ctx, &input.id, input.expected_version, PlacementStep::Cancel).await
    }
}

async fn membership_step(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: i32,
    step: MembershipStep,
    on: Option<Date>,
    reason: Option<&str>,
) -> Result<MembershipPayload> {
    let id = id_of(NodeType::Membership, "id", id)?;
    respond(rotations::move_membership(db(ctx)?, &actor(ctx)?, id, expected_version, step, day(ctx, on)?, reason).await)
}

async fn placement_step(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: i32,
    step: PlacementStep,
) -> Result<PlacementPayload> {
    let id = id_of(NodeType::Placement, "id", id)?;
    respond(rotations::move_placement(db(ctx)?, &actor(ctx)?, id, expected_version, &step).await)
}
