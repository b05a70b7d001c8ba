//! Rotation programmes, their cohorts and posts, and vacancies.

use super::common::{
    ConnectionOf, DateRange, EnumFilter, IdFilter, NodeType, OdsCodeFilter, OrderDirection, Paging, TextFilter,
    as_of_or_today, global_id,
};
use super::enums::{AfcBand, EducationOffer, FundingSource, IcsAim, PostStatus, ProgrammeStatus, Sector};
use super::leadership::ProgrammeLead;
use super::organisation::{Icb, Organisation};
use super::scalars::Date;
use super::workforce::{Membership, MembershipFilter, MembershipOrder, memberships_of};
use super::{db, list, load_by, load_one, loader, nested};
use crate::services::pagination::{self, Relation, SortKey};
use crate::services::queries;
use async_graphql::{Context, ID, InputObject, Object, Result, ResultExt};
use chrono::NaiveDate;
use entity::{
    cohort, organisation, programme_education_offer, programme_funding_source, programme_ics_aim, programme_lead,
    programme_membership, programme_sector, rotation_programme, rotational_post, vacancy,
};
use sea_orm::Condition;

/// A rotation programme run by an ICB, such as Norfolk and Waveney's STAR.
#[derive(Clone)]
pub struct RotationProgramme(pub rotation_programme::Model);

/// A rotation programme run by an ICB, such as Norfolk and Waveney's STAR.
#[Object]
impl RotationProgramme {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::RotationProgramme, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The programme's short code (for example `STAR`).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the programme offers, in a sentence or two.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Lifecycle status.
    async fn status(&self) -> ProgrammeStatus {
        self.0.status.into()
    }

    /// The ICB that owns the programme, as recorded (STAR: Norfolk and Waveney, `QMM`).
    async fn owner_icb(&self, ctx: &Context<'_>) -> Result<Option<Icb>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.owner_icb_id).await?.map(Icb))
    }

    /// The ICB that answers for the programme on `asOf` (default: today), after succession (STAR:
    /// Norfolk and Suffolk, `T6Y0W`, from 2026-04-01); null if the owner was split.
    async fn owner_icb_as_of(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Option<Icb>> {
        let key = super::loaders::ResolvedOn { icb: self.0.owner_icb_id, on: as_of_or_today(ctx, as_of)? };
        let resolved = loader(ctx)?.load_one(key).await?.unwrap_or_default();
        match resolved.as_slice() {
            [only] => Ok(load_one::<organisation::Entity>(ctx, *only).await?.map(Icb)),
            _ => Ok(None),
        }
    }

    /// Shortest rotation, in months.
    async fn min_duration_months(&self) -> i32 {
        self.0.min_duration_months
    }

    /// Longest rotation, in months.
    async fn max_duration_months(&self) -> i32 {
        self.0.max_duration_months
    }

    /// Eligibility: the pharmacist must be on the GPhC register.
    async fn requires_gphc_registration(&self) -> bool {
        self.0.requires_gphc_registration
    }

    /// Eligibility: fewer than this many years since first GPhC registration (null: no limit).
    async fn max_years_since_registration(&self) -> Option<i32> {
        self.0.max_years_since_registration
    }

    /// Where the money comes from.
    async fn funding_sources(&self, ctx: &Context<'_>) -> Result<Vec<FundingSource>> {
        let rows =
            load_by::<programme_funding_source::Entity>(ctx, "programme_id", self.0.id, "funding_source").await?;
        Ok(rows.into_iter().map(|row| row.funding_source.into()).collect())
    }

    /// The education and training offered.
    async fn education_offers(&self, ctx: &Context<'_>) -> Result<Vec<EducationOffer>> {
        let rows = load_by::<programme_education_offer::Entity>(ctx, "programme_id", self.0.id, "offer").await?;
        Ok(rows.into_iter().map(|row| row.offer.into()).collect())
    }

    /// The sectors every rotation promises to cover (STAR: general practice and community pharmacy).
    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        let rows = load_by::<programme_sector::Entity>(ctx, "programme_id", self.0.id, "sector").await?;
        Ok(rows.into_iter().map(|row| row.sector.into()).collect())
    }

    /// The ICS aims the programme serves.
    async fn ics_aims(&self, ctx: &Context<'_>) -> Result<Vec<IcsAim>> {
        let rows = load_by::<programme_ics_aim::Entity>(ctx, "programme_id", self.0.id, "aim").await?;
        Ok(rows.into_iter().map(|row| row.aim.into()).collect())
    }

    /// The programme's cohorts (intakes), by intake date.
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<ConnectionOf<Cohort>> {
        let relation = Relation::by_column("RotationProgramme.cohorts", cohort::Column::ProgrammeId);
        let order = (vec![SortKey::Column(cohort::Column::IntakeDate)], OrderDirection::Asc);
        nested(ctx, self.0.id, relation, order, Paging::forward(after, first)?, Cohort).await
    }

    /// The consultant-pharmacist leads of the programme (clinical and education), by start date.
    async fn leads(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeLead>> {
        let rows = load_by::<programme_lead::Entity>(ctx, "programme_id", self.0.id, "valid_from").await?;
        Ok(rows.into_iter().map(ProgrammeLead).collect())
    }
}

/// One intake of a programme, with the number of places it offers.
#[derive(Clone)]
pub struct Cohort(pub cohort::Model);

/// One intake of a programme, with the number of places it offers.
#[Object]
impl Cohort {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::Cohort, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Label, unique within the programme.
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// The day the cohort starts.
    async fn intake_date(&self) -> Date {
        Date(self.0.intake_date)
    }

    /// Places offered (STAR: 20).
    async fn places_offered(&self) -> i32 {
        self.0.places_offered
    }

    /// First day of recruitment.
    async fn recruitment_opens_on(&self) -> Option<Date> {
        self.0.recruitment_opens_on.map(Date)
    }

    /// Last day of recruitment.
    async fn recruitment_closes_on(&self) -> Option<Date> {
        self.0.recruitment_closes_on.map(Date)
    }

    /// The programme.
    async fn programme(&self, ctx: &Context<'_>) -> Result<Option<RotationProgramme>> {
        Ok(load_one::<rotation_programme::Entity>(ctx, self.0.programme_id).await?.map(RotationProgramme))
    }

    /// The cohort's posts, filtered and ordered (default: by post number).
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which posts.")] filter: Option<PostFilter>,
        #[graphql(desc = "The order (default: by post number).")] order_by: Option<PostOrder>,
        #[graphql(desc = "The date ICB filters apply to (default: today).")] as_of: Option<Date>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<ConnectionOf<RotationalPost>> {
        let relation = Relation::by_column("Cohort.posts", rotational_post::Column::CohortId);
        posts_of(ctx, self.0.id, relation, (filter, order_by, as_of), Paging::forward(after, first)?).await
    }

    /// The memberships of the cohort the reader may see, filtered and ordered (default: by start date).
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which memberships.")] filter: Option<MembershipFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<MembershipOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<ConnectionOf<Membership>> {
        let relation = Relation::by_column("Cohort.memberships", programme_membership::Column::CohortId);
        memberships_of(ctx, self.0.id, relation, filter, order_by, Paging::forward(after, first)?).await
    }
}

/// A funded rotational post of a cohort, employed by one organisation.
#[derive(Clone)]
pub struct RotationalPost(pub rotational_post::Model);

/// A funded rotational post of a cohort, employed by one organisation.
#[Object]
impl RotationalPost {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::RotationalPost, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The programme's post number, unique within the cohort.
    async fn post_number(&self) -> &str {
        &self.0.post_number
    }

    /// The employing organisation (a PCN, community pharmacy, trust or GP practice).
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.employer_id).await?.map(Organisation::from))
    }

    /// Agenda for Change band; null where the employer is not on AfC.
    async fn afc_band(&self) -> Option<AfcBand> {
        self.0.afc_band.map(Into::into)
    }

    /// Whole-time equivalent.
    async fn wte(&self) -> f64 {
        self.0.wte
    }

    /// Status.
    async fn status(&self) -> PostStatus {
        self.0.status.into()
    }

    /// How the post is funded.
    async fn funding(&self) -> FundingSource {
        self.0.funding.into()
    }

    /// The vacancy the post was funded from, if the reader may see it.
    async fn vacancy(&self, ctx: &Context<'_>) -> Result<Option<Vacancy>> {
        let Some(id) = self.0.vacancy_id else { return Ok(None) };
        Ok(load_one::<vacancy::Entity>(ctx, id).await?.map(Vacancy))
    }

    /// The cohort.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<Option<Cohort>> {
        Ok(load_one::<cohort::Entity>(ctx, self.0.cohort_id).await?.map(Cohort))
    }
}

/// A vacancy in a host organisation.
#[derive(Clone)]
pub struct Vacancy(pub vacancy::Model);

/// A vacancy in a host organisation.
#[Object]
impl Vacancy {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::Vacancy, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The organisation with the vacancy.
    async fn host(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.host_id).await?.map(Organisation::from))
    }

    /// Sector.
    async fn sector(&self) -> Sector {
        self.0.sector.into()
    }

    /// Agenda for Change band, where it applies.
    async fn afc_band(&self) -> Option<AfcBand> {
        self.0.afc_band.map(Into::into)
    }

    /// Whole-time equivalent.
    async fn wte(&self) -> f64 {
        self.0.wte
    }

    /// How the vacancy is funded.
    async fn funding(&self) -> FundingSource {
        self.0.funding.into()
    }

    /// The day it opened.
    async fn opened_on(&self) -> Date {
        Date(self.0.opened_on)
    }

    /// The day it closed; null while open.
    async fn closed_on(&self) -> Option<Date> {
        self.0.closed_on.map(Date)
    }
}

/// Filters programmes. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct ProgrammeFilter {
    /// Programme code (exact).
    pub code: Option<Vec<String>>,
    /// Name (case-insensitive).
    pub name: Option<TextFilter>,
    /// Status.
    pub status: Option<EnumFilter<ProgrammeStatus>>,
    /// The owner ICB, matching programmes owned by that ICB or by any ICB it took over.
    pub owner_icb: Option<OdsCodeFilter>,
}

/// Filters posts. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct PostFilter {
    /// Status.
    pub status: Option<EnumFilter<PostStatus>>,
    /// Funding.
    pub funding: Option<EnumFilter<FundingSource>>,
    /// The programme (ids).
    pub programme: Option<IdFilter>,
    /// The cohort (ids).
    pub cohort: Option<IdFilter>,
    /// The employer's ICB (ODS code) on the query's `asOf`.
    pub employer_icb: Option<OdsCodeFilter>,
}

/// Filters vacancies. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct VacancyFilter {
    /// Sector.
    pub sector: Option<EnumFilter<Sector>>,
    /// Funding.
    pub funding: Option<EnumFilter<FundingSource>>,
    /// Band.
    pub afc_band: Option<EnumFilter<AfcBand>>,
    /// Open (true) or closed (false) on the query's `asOf`.
    pub open: Option<bool>,
    /// The day it opened.
    pub opened_on: Option<DateRange>,
    /// The host's ICB (ODS code) on the query's `asOf`.
    pub icb: Option<OdsCodeFilter>,
}

/// What programmes can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProgrammeOrderField {
    /// Name.
    #[default]
    Name,
    /// Code.
    Code,
}

/// What posts can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PostOrderField {
    /// Post number.
    #[default]
    PostNumber,
    /// Status, then post number.
    Status,
}

/// What vacancies can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum VacancyOrderField {
    /// The day it opened.
    #[default]
    OpenedOn,
    /// The day it closed.
    ClosedOn,
}

/// The order of a programme list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct ProgrammeOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: ProgrammeOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The order of a post list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct PostOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: PostOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The order of a vacancy list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct VacancyOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: VacancyOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl PostFilter {
    /// The filter as the services read it, with ICBs on `as_of`.
    pub(crate) fn to_query(&self, as_of: NaiveDate) -> Result<queries::programmes::PostFilter, crate::AppError> {
        Ok(queries::programmes::PostFilter {
            statuses: self.status.as_ref().and_then(EnumFilter::values),
            funding: self.funding.as_ref().and_then(EnumFilter::values),
            programmes: IdFilter::uuids_of(self.programme.as_ref(), NodeType::RotationProgramme, "programme")?,
            cohorts: IdFilter::uuids_of(self.cohort.as_ref(), NodeType::Cohort, "cohort")?,
            employer_icbs: self.employer_icb.as_ref().and_then(OdsCodeFilter::codes),
            as_of,
        })
    }
}

impl VacancyFilter {
    /// The filter as the services read it, with `open` and ICBs on `as_of`.
    pub(crate) fn to_query(&self, as_of: NaiveDate) -> queries::programmes::VacancyFilter {
        queries::programmes::VacancyFilter {
            sectors: self.sector.as_ref().and_then(EnumFilter::values),
            funding: self.funding.as_ref().and_then(EnumFilter::values),
            afc_bands: self.afc_band.as_ref().and_then(EnumFilter::values),
            open: self.open,
            opened_on: self.opened_on.map(Into::into),
            icbs: self.icb.as_ref().and_then(OdsCodeFilter::codes),
            as_of,
        }
    }
}

impl PostOrder {
    /// The sort keys and direction.
    pub(crate) fn keys(self) -> (Vec<SortKey<rotational_post::Column>>, OrderDirection) {
        let columns = match self.field {
            PostOrderField::PostNumber => vec![rotational_post::Column::PostNumber],
            PostOrderField::Status => vec![rotational_post::Column::Status, rotational_post::Column::PostNumber],
        };
        (columns.into_iter().map(SortKey::Column).collect(), self.direction)
    }
}

impl VacancyOrder {
    /// The sort keys and direction.
    pub(crate) fn keys(self) -> (Vec<SortKey<vacancy::Column>>, OrderDirection) {
        let key = match self.field {
            VacancyOrderField::OpenedOn => SortKey::Column(vacancy::Column::OpenedOn),
            // Open vacancies (no closing day yet) last.
            VacancyOrderField::ClosedOn => SortKey::NullsLast(vacancy::Column::ClosedOn, pagination::LAST_DAY.into()),
        };
        (vec![key], self.direction)
    }
}

/// The condition of a post filter, with ICBs on `as_of` (default: today).
fn post_condition(ctx: &Context<'_>, filter: Option<PostFilter>, as_of: Option<Date>) -> Result<Condition> {
    filter.unwrap_or_default().to_query(as_of_or_today(ctx, as_of)?).and_then(|filter| filter.condition()).extend()
}

/// The condition of a vacancy filter, with `open` and ICBs on `as_of` (default: today).
pub(crate) fn vacancy_condition(
    ctx: &Context<'_>,
    filter: Option<VacancyFilter>,
    as_of: Option<Date>,
) -> Result<Condition> {
    filter.unwrap_or_default().to_query(as_of_or_today(ctx, as_of)?).condition().extend()
}

/// The posts of one parent (a cohort or an employer), filtered (with ICBs on `asOf`) and ordered.
pub(crate) async fn posts_of(
    ctx: &Context<'_>,
    parent: uuid::Uuid,
    relation: Relation<rotational_post::Entity>,
    (filter, order_by, as_of): (Option<PostFilter>, Option<PostOrder>, Option<Date>),
    paging: Paging,
) -> Result<ConnectionOf<RotationalPost>> {
    let condition = post_condition(ctx, filter, as_of)?;
    nested(ctx, parent, relation.filter(condition), order_by.unwrap_or_default().keys(), paging, RotationalPost).await
}

/// The vacancies of one host, filtered (`open` and ICBs on `asOf`) and ordered.
pub(crate) async fn vacancies_of(
    ctx: &Context<'_>,
    parent: uuid::Uuid,
    relation: Relation<vacancy::Entity>,
    (filter, order_by, as_of): (Option<VacancyFilter>, Option<VacancyOrder>, Option<Date>),
    paging: Paging,
) -> Result<ConnectionOf<Vacancy>> {
    let condition = vacancy_condition(ctx, filter, as_of)?;
    nested(ctx, parent, relation.filter(condition), order_by.unwrap_or_default().keys(), paging, Vacancy).await
}

/// Queries over programmes, posts and vacancies.
#[derive(Default)]
pub struct ProgrammeQuery;

/// Queries over programmes, posts and vacancies.
#[Object]
impl ProgrammeQuery {
    /// Rotation programmes (public information), filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn programmes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which programmes.")] filter: Option<ProgrammeFilter>,
        #[graphql(desc = "The order (default: by name).")] order_by: Option<ProgrammeOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<RotationProgramme>> {
        let paging = Paging::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let filter = queries::programmes::ProgrammeFilter {
            codes: filter.code,
            name: filter.name.as_ref().map(Into::into),
            statuses: filter.status.as_ref().and_then(EnumFilter::values),
            owner_icbs: filter.owner_icb.as_ref().and_then(OdsCodeFilter::codes),
        };
        let condition = filter.condition(db(ctx)?).await.extend()?;
        let order = order_by.unwrap_or_default();
        let column = match order.field {
            ProgrammeOrderField::Name => rotation_programme::Column::Name,
            ProgrammeOrderField::Code => rotation_programme::Column::Code,
        };
        list::<rotation_programme::Entity, _>(
            ctx,
            condition,
            vec![SortKey::Column(column)],
            order.direction,
            paging,
            RotationProgramme,
        )
        .await
    }

    /// Rotational posts (public information, as advertised), filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which posts.")] filter: Option<PostFilter>,
        #[graphql(desc = "The order (default: by post number).")] order_by: Option<PostOrder>,
        #[graphql(desc = "The date ICB filters apply to (default: today).")] as_of: Option<Date>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<RotationalPost>> {
        let paging = Paging::new(after, before, first, last)?;
        let condition = post_condition(ctx, filter, as_of)?;
        let (keys, direction) = order_by.unwrap_or_default().keys();
        list::<rotational_post::Entity, _>(ctx, condition, keys, direction, paging, RotationalPost).await
    }

    /// Vacancies the reader may see, filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn vacancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which vacancies.")] filter: Option<VacancyFilter>,
        #[graphql(desc = "The order (default: by opening date).")] order_by: Option<VacancyOrder>,
        #[graphql(desc = "The date `open` and ICB filters apply to (default: today).")] as_of: Option<Date>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<Vacancy>> {
        let paging = Paging::new(after, before, first, last)?;
        let condition = vacancy_condition(ctx, filter, as_of)?;
        let (keys, direction) = order_by.unwrap_or_default().keys();
        list::<vacancy::Entity, _>(ctx, condition, keys, direction, paging, Vacancy).await
    }
}
