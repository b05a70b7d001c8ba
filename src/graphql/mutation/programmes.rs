use super::{actor, id_of, payload, respond};
use crate::graphql::common::NodeType;
use crate::graphql::db;
use crate::graphql::enums::{AfcBand, EducationOffer, FundingSource, IcsAim, PostStatus, ProgrammeStatus, Sector};
use crate::graphql::programme::{Cohort, RotationProgramme, RotationalPost};
use crate::graphql::scalars::{Date, OdsCodeScalar};
use crate::services::programmes::{
    self, CohortChanges, NewCohort, NewPost, NewProgramme, PostChanges, ProgrammeChanges,
};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entity::{cohort, enums, rotation_programme, rotational_post};

/// A new rotation programme.
#[derive(InputObject)]
pub struct CreateProgrammeInput {
    /// A short code, unique across programmes (letters, digits, hyphens), for example `NW-STAR`.
    pub code: String,
    /// The name.
    pub name: String,
    /// What the programme offers.
    pub description: Option<String>,
    /// The owner ICB: one of the ICBs you administer.
    pub owner_icb: OdsCodeScalar,
    /// Shortest rotation, in months (STAR: 24).
    pub min_duration_months: i32,
    /// Longest rotation, in months (STAR: 30).
    pub max_duration_months: i32,
    /// Eligibility: the pharmacist must be on the GPhC register.
    #[graphql(default = true)]
    pub requires_gphc_registration: bool,
    /// Eligibility: fewer than this many years since first registration (STAR: 3; null: no limit).
    pub max_years_since_registration: Option<i32>,
    /// Where the money comes from.
    #[graphql(default)]
    pub funding_sources: Vec<FundingSource>,
    /// Education and training offered.
    #[graphql(default)]
    pub education_offers: Vec<EducationOffer>,
    /// The sectors every rotation covers (at least one).
    pub sectors: Vec<Sector>,
    /// The ICS aims served.
    #[graphql(default)]
    pub ics_aims: Vec<IcsAim>,
    /// Makes the mutation safe to retry: the same key with the same input returns the first result.
    pub idempotency_key: Option<String>,
}

/// Changes to a programme; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProgrammeInput {
    /// The programme.
    pub id: ID,
    /// The `version` you read; a newer one makes the update fail with `STALE_VERSION`.
    pub expected_version: i32,
    /// New name.
    pub name: Option<String>,
    /// New description (null clears it).
    pub description: MaybeUndefined<String>,
    /// New status.
    pub status: Option<ProgrammeStatus>,
    /// New shortest rotation, in months.
    pub min_duration_months: Option<i32>,
    /// New longest rotation, in months.
    pub max_duration_months: Option<i32>,
    /// Whether GPhC registration is required.
    pub requires_gphc_registration: Option<bool>,
    /// New limit on years since first registration (null removes the limit).
    pub max_years_since_registration: MaybeUndefined<i32>,
}

/// A new cohort (intake) of a programme.
#[derive(InputObject)]
pub struct OpenCohortInput {
    /// The programme: one of your ICBs'.
    pub programme_id: ID,
    /// A label, for example `2026 intake`.
    pub label: String,
    /// The day the cohort starts.
    pub intake_date: Date,
    /// Places offered (STAR: 20).
    pub places_offered: i32,
    /// When recruitment opens.
    pub recruitment_opens_on: Option<Date>,
    /// When recruitment closes.
    pub recruitment_closes_on: Option<Date>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Changes to a cohort; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCohortInput {
    /// The cohort.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New label.
    pub label: Option<String>,
    /// New number of places; never below the accepted and active memberships (`PLACES_BELOW_MEMBERS`).
    pub places_offered: Option<i32>,
    /// When recruitment opens (null clears it).
    pub recruitment_opens_on: MaybeUndefined<Date>,
    /// When recruitment closes (null clears it).
    pub recruitment_closes_on: MaybeUndefined<Date>,
}

/// A new rotational post (status ADVERTISED).
#[derive(InputObject)]
pub struct CreatePostInput {
    /// The cohort: one of your ICBs' programmes'.
    pub cohort_id: ID,
    /// The programme's own post number, unique within the cohort.
    pub post_number: String,
    /// ODS code of the employer: an open trust, PCN, GP practice or community pharmacy.
    pub employer: OdsCodeScalar,
    /// Agenda for Change band, where the employer is on AfC.
    pub afc_band: Option<AfcBand>,
    /// Whole-time equivalent, in (0, 1].
    pub wte: f64,
    /// How the post is funded.
    pub funding: FundingSource,
    /// The open vacancy (of your ICBs) the post is funded from.
    pub vacancy_id: Option<ID>,
    /// Makes the mutation safe to retry.
    pub idempotency_key: Option<String>,
}

/// Changes to a post; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdatePostInput {
    /// The post.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New status.
    pub status: Option<PostStatus>,
    /// New band (null clears it).
    pub afc_band: MaybeUndefined<AfcBand>,
    /// New whole-time equivalent.
    pub wte: Option<f64>,
    /// New funding.
    pub funding: Option<FundingSource>,
}

payload!(
    /// The result of a mutation of a programme.
    ProgrammePayload { programme: RotationProgramme = RotationProgramme, from rotation_programme::Model }
);
payload!(
    /// The result of a mutation of a cohort.
    CohortPayload { cohort: Cohort = Cohort, from cohort::Model }
);
payload!(
    /// The result of a mutation of a post.
    PostPayload { post: RotationalPost = RotationalPost, from rotational_post::Model }
);

/// Mutations over programmes, cohorts and posts.
#[derive(Default)]
pub struct ProgrammeMutation;

/// Mutations over programmes, cohorts and posts.
#[Object]
impl ProgrammeMutation {
    /// Creates a programme (status DRAFT) owned by one of your ICBs.
    async fn create_programme(&self, ctx: &Context<'_>, input: CreateProgrammeInput) -> Result<ProgrammePayload> {
        let new = NewProgramme {
            code: input.code,
            name: input.name,
            description: input.description,
            owner_icb: input.owner_icb.0.to_string(),
            min_duration_months: input.min_duration_months,
            max_duration_months: input.max_duration_months,
            requires_gphc_registration: input.requires_gphc_registration,
            max_years_since_registration: input.max_years_since_registration,
            funding_sources: input.funding_sources.into_iter().map(enums::FundingSource::from).collect(),
            education_offers: input.education_offers.into_iter().map(enums::EducationOffer::from).collect(),
            sectors: input.sectors.into_iter().map(enums::Sector::from).collect(),
            ics_aims: input.ics_aims.into_iter().map(enums::IcsAim::from).collect(),
        };
        respond(programmes::create_programme(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Updates a programme of one of your ICBs.
    async fn update_programme(&self, ctx: &Context<'_>, input: UpdateProgrammeInput) -> Result<ProgrammePayload> {
        let id = id_of(NodeType::RotationProgramme, "id", &input.id)?;
        let changes = ProgrammeChanges {
            name: input.name,
            description: input.description.into(),
            status: input.status.map(Into::into),
            min_duration_months: input.min_duration_months,
            max_duration_months: input.max_duration_months,
            requires_gphc_registration: input.requires_gphc_registration,
            max_years_since_registration: input.max_years_since_registration.into(),
        };
        respond(programmes::update_programme(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }

    /// Opens a cohort (intake) of one of your ICBs' programmes.
    async fn open_cohort(&self, ctx: &Context<'_>, input: OpenCohortInput) -> Result<CohortPayload> {
        let new = NewCohort {
            programme_id: id_of(NodeType::RotationProgramme, "programmeId", &input.programme_id)?,
            label: input.label,
            intake_date: input.intake_date.0,
            places_offered: input.places_offered,
            recruitment_opens_on: input.recruitment_opens_on.map(|date| date.0),
            recruitment_closes_on: input.recruitment_closes_on.map(|date| date.0),
        };
        respond(programmes::open_cohort(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Updates a cohort of one of your ICBs' programmes.
    async fn update_cohort(&self, ctx: &Context<'_>, input: UpdateCohortInput) -> Result<CohortPayload> {
        let id = id_of(NodeType::Cohort, "id", &input.id)?;
        let changes = CohortChanges {
            label: input.label,
            places_offered: input.places_offered,
            recruitment_opens_on: input.recruitment_opens_on.map_value(|date| date.0).into(),
            recruitment_closes_on: input.recruitment_closes_on.map_value(|date| date.0).into(),
        };
        respond(programmes::update_cohort(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }

    /// Advertises a post in a cohort of one of your ICBs' programmes.
    async fn create_post(&self, ctx: &Context<'_>, input: CreatePostInput) -> Result<PostPayload> {
        let new = NewPost {
            cohort_id: id_of(NodeType::Cohort, "cohortId", &input.cohort_id)?,
            post_number: input.post_number,
            employer: input.employer.0.to_string(),
            afc_band: input.afc_band.map(Into::into),
            wte: input.wte,
            funding: input.funding.into(),
            vacancy_id: input.vacancy_id.as_ref().map(|id| id_of(NodeType::Vacancy, "vacancyId", id)).transpose()?,
        };
        respond(programmes::create_post(db(ctx)?, &actor(ctx)?, &new, input.idempotency_key.as_deref()).await)
    }

    /// Updates a post of one of your ICBs' programmes.
    async fn update_post(&self, ctx: &Context<'_>, input: UpdatePostInput) -> Result<PostPayload> {
        let id = id_of(NodeType::RotationalPost, "id", &input.id)?;
        let changes = PostChanges {
            status: input.status.map(Into::into),
            afc_band: input.afc_band.map_value(Into::into).into(),
            wte: input.wte,
            funding: input.funding.map(Into::into),
        };
        respond(programmes::update_post(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }
}
