//! Pharmacists (personal data), their credentials, programme memberships and placements.

use super::common::{
    ConnectionOf, DateRange, EnumFilter, IdFilter, NodeType, OdsCodeFilter, OrderDirection, Paging, TextFilter,
    as_of_or_today, global_id,
};
use super::enums::{CredentialKind, CredentialStatus, MembershipStatus, PlacementStatus, RegistrationStatus, Sector};
use super::organisation::{Icb, Organisation};
use super::programme::{Cohort, RotationalPost};
use super::scalars::Date;
use super::{list, load_by, load_one, nested, personal, require_personal_data, scope};
use crate::services::pagination::{Relation, SortKey};
use crate::services::queries::{self, filter_tree, tree_map};
use crate::services::rotations;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, ResultExt};
use entity::enums;
use entity::{
    cohort, credential, organisation, pharmacist, placement, programme_membership, programme_sector, rotational_post,
};
use sea_orm::Condition;

/// A pharmacist. Names and the GPhC number are personal data: readers without access to it (the
/// `reporter` role) get null with a `FORBIDDEN` error.
#[derive(Clone)]
pub struct Pharmacist(pub pharmacist::Model);

/// A pharmacist. Names and the GPhC number are personal data: readers without access to it (the
/// `reporter` role) get null with a `FORBIDDEN` error.
#[Object]
impl Pharmacist {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::Pharmacist, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// GPhC registration number (7 digits). Personal data.
    async fn gphc_number(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        personal(ctx, "gphcNumber", &self.0.gphc_number)
    }

    /// Given name. Personal data.
    async fn given_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        personal(ctx, "givenName", &self.0.given_name)
    }

    /// Family name. Personal data.
    async fn family_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        personal(ctx, "familyName", &self.0.family_name)
    }

    /// The day of first registration with the GPhC.
    async fn first_registered_on(&self) -> Date {
        Date(self.0.first_registered_on)
    }

    /// Whole years since first registration on `asOf` (default: today).
    async fn years_since_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<i32> {
        Ok(crate::services::whole_years(self.0.first_registered_on, as_of_or_today(ctx, as_of)?).max(0))
    }

    /// Status on the GPhC register.
    async fn registration_status(&self) -> RegistrationStatus {
        self.0.registration_status.into()
    }

    /// The day of the independent-prescriber annotation, if annotated.
    async fn independent_prescriber_since(&self) -> Option<Date> {
        self.0.independent_prescriber_since.map(Date)
    }

    /// Whether the pharmacist was an annotated independent prescriber on `asOf` (default: today).
    async fn is_independent_prescriber(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<bool> {
        let on = as_of_or_today(ctx, as_of)?;
        Ok(self.0.independent_prescriber_since.is_some_and(|since| since <= on))
    }

    /// Credentials and education progress: personal data, so empty for readers without access to it.
    async fn credentials(&self, ctx: &Context<'_>) -> Result<Vec<Credential>> {
        let rows = load_by::<credential::Entity>(ctx, "pharmacist_id", self.0.id, "kind").await?;
        Ok(rows.into_iter().map(Credential).collect())
    }

    /// Programme memberships the reader may see, filtered and ordered (default: by start date).
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which memberships.")] filter: Option<MembershipFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<MembershipOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<ConnectionOf<Membership>> {
        let relation = Relation::by_column("Pharmacist.memberships", programme_membership::Column::PharmacistId);
        memberships_of(ctx, self.0.id, relation, filter, order_by, Paging::forward(after, first)?).await
    }

    /// Placements the reader may see, filtered and ordered (default: by start date).
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placements.")] filter: Option<PlacementFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<PlacementOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<ConnectionOf<Placement>> {
        let relation = Relation::by_column("Pharmacist.placements", placement::Column::PharmacistId);
        placements_of(ctx, self.0.id, relation, filter, order_by, Paging::forward(after, first)?).await
    }
}

/// A credential or course of education of a pharmacist, with its progress.
#[derive(Clone)]
pub struct Credential(pub credential::Model);

/// A credential or course of education of a pharmacist, with its progress.
#[Object]
impl Credential {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::Credential, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// What kind of credential or course.
    async fn kind(&self) -> CredentialKind {
        self.0.kind.into()
    }

    /// Progress.
    async fn status(&self) -> CredentialStatus {
        self.0.status.into()
    }

    /// The day it started.
    async fn started_on(&self) -> Option<Date> {
        self.0.started_on.map(Date)
    }

    /// The day it is expected to be completed.
    async fn expected_completion_on(&self) -> Option<Date> {
        self.0.expected_completion_on.map(Date)
    }

    /// The day it was awarded.
    async fn awarded_on(&self) -> Option<Date> {
        self.0.awarded_on.map(Date)
    }

    /// Progress through the course, 0 to 100.
    async fn progress_percent(&self) -> Option<i32> {
        self.0.progress_percent
    }

    /// The pharmacist.
    async fn pharmacist(&self, ctx: &Context<'_>) -> Result<Option<Pharmacist>> {
        Ok(load_one::<pharmacist::Entity>(ctx, self.0.pharmacist_id).await?.map(Pharmacist))
    }
}

/// A pharmacist's membership of a programme cohort, from offer to completion or withdrawal.
#[derive(Clone)]
pub struct Membership(pub programme_membership::Model);

/// A pharmacist's membership of a programme cohort, from offer to completion or withdrawal.
#[Object]
impl Membership {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::Membership, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The member.
    async fn pharmacist(&self, ctx: &Context<'_>) -> Result<Option<Pharmacist>> {
        Ok(load_one::<pharmacist::Entity>(ctx, self.0.pharmacist_id).await?.map(Pharmacist))
    }

    /// The cohort.
    async fn cohort(&self, ctx: &Context<'_>) -> Result<Option<Cohort>> {
        Ok(load_one::<cohort::Entity>(ctx, self.0.cohort_id).await?.map(Cohort))
    }

    /// The post the member holds.
    async fn post(&self, ctx: &Context<'_>) -> Result<Option<RotationalPost>> {
        let Some(post) = self.0.post_id else { return Ok(None) };
        Ok(load_one::<rotational_post::Entity>(ctx, post).await?.map(RotationalPost))
    }

    /// Status.
    async fn status(&self) -> MembershipStatus {
        self.0.status.into()
    }

    /// The day the place was offered.
    async fn offered_on(&self) -> Date {
        Date(self.0.offered_on)
    }

    /// The day the place was accepted.
    async fn accepted_on(&self) -> Option<Date> {
        self.0.accepted_on.map(Date)
    }

    /// First day of the rotation.
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }

    /// Planned last day of the rotation.
    async fn planned_end_date(&self) -> Date {
        Date(self.0.planned_end_date)
    }

    /// Actual last day (completed or withdrawn).
    async fn actual_end_date(&self) -> Option<Date> {
        self.0.actual_end_date.map(Date)
    }

    /// Why the member left.
    async fn leaving_reason(&self) -> Option<&str> {
        self.0.leaving_reason.as_deref()
    }

    /// The day eligibility was checked (on acceptance).
    async fn eligibility_checked_on(&self) -> Option<Date> {
        self.0.eligibility_checked_on.map(Date)
    }

    /// Whether the member met the programme's eligibility rules when checked.
    async fn eligibility_passed(&self) -> Option<bool> {
        self.0.eligibility_passed
    }

    /// The sectors the programme promises (STAR: general practice and community pharmacy) that no
    /// approved placement of this membership covers yet; empty when the approved plan covers them all.
    async fn uncovered_sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        let Some(cohort) = load_one::<cohort::Entity>(ctx, self.0.cohort_id).await? else { return Ok(Vec::new()) };
        let promised = load_by::<programme_sector::Entity>(ctx, "programme_id", cohort.programme_id, "sector").await?;
        let promised: Vec<enums::Sector> = promised.into_iter().map(|row| row.sector).collect();
        let placements = load_by::<placement::Entity>(ctx, "membership_id", self.0.id, "start_date").await?;
        Ok(rotations::uncovered_sectors(&promised, &placements).into_iter().map(Sector::from).collect())
    }

    /// Whether the approved placements cover every sector the programme promises.
    async fn covers_programme_sectors(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(self.uncovered_sectors(ctx).await?.is_empty())
    }

    /// Why an ineligible member was accepted anyway.
    async fn eligibility_override_reason(&self) -> Option<&str> {
        self.0.eligibility_override_reason.as_deref()
    }

    /// The membership's placements the reader may see, filtered and ordered (default: by start date).
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placements.")] filter: Option<PlacementFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<PlacementOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
    ) -> Result<ConnectionOf<Placement>> {
        let relation = Relation::by_column("Membership.placements", placement::Column::MembershipId);
        placements_of(ctx, self.0.id, relation, filter, order_by, Paging::forward(after, first)?).await
    }
}

/// Where a placement lies relative to a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum PlacementTiming {
    /// Ended before the date.
    Past,
    /// Under way on the date.
    Current,
    /// Starts after the date.
    Future,
}

/// A period a member works at a host organisation in one sector (a FHIR PractitionerRole).
#[derive(Clone)]
pub struct Placement(pub placement::Model);

/// A period a member works at a host organisation in one sector (a FHIR PractitionerRole).
#[Object]
impl Placement {
    /// Opaque global id (see `node`).
    pub(crate) async fn id(&self) -> ID {
        global_id(NodeType::Placement, self.0.id)
    }

    /// Raised by every change; updates name the version they read (`expectedVersion`).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The membership the placement belongs to.
    async fn membership(&self, ctx: &Context<'_>) -> Result<Option<Membership>> {
        Ok(load_one::<programme_membership::Entity>(ctx, self.0.membership_id).await?.map(Membership))
    }

    /// The pharmacist.
    async fn pharmacist(&self, ctx: &Context<'_>) -> Result<Option<Pharmacist>> {
        Ok(load_one::<pharmacist::Entity>(ctx, self.0.pharmacist_id).await?.map(Pharmacist))
    }

    /// The host organisation.
    async fn host(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(load_one::<organisation::Entity>(ctx, self.0.host_id).await?.map(Organisation::from))
    }

    /// The sector.
    async fn sector(&self) -> Sector {
        self.0.sector.into()
    }

    /// First day.
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }

    /// Last day (inclusive).
    async fn end_date(&self) -> Date {
        Date(self.0.end_date)
    }

    /// Whole-time equivalent.
    async fn wte(&self) -> f64 {
        self.0.wte
    }

    /// Approval status.
    async fn status(&self) -> PlacementStatus {
        self.0.status.into()
    }

    /// Past, current or future relative to `asOf` (default: today).
    async fn timing(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<PlacementTiming> {
        let on = as_of_or_today(ctx, as_of)?;
        Ok(if self.0.end_date < on {
            PlacementTiming::Past
        } else if self.0.start_date > on {
            PlacementTiming::Future
        } else {
            PlacementTiming::Current
        })
    }

    /// The host's ICB on the placement's first day.
    async fn host_icb(&self, ctx: &Context<'_>) -> Result<Option<Icb>> {
        let Some(icb) = self.0.host_icb_id else { return Ok(None) };
        Ok(load_one::<organisation::Entity>(ctx, icb).await?.map(Icb))
    }

    /// Whether the host's ICB differs from the programme owner's on the first day, after resolving
    /// succession (a Suffolk host of a Norfolk programme is cross-ICB before 2026-04-01, not after).
    async fn is_cross_icb(&self) -> bool {
        self.0.is_cross_icb
    }
}

/// Filters pharmacists. Filters on personal data are refused to readers without access to it.
#[derive(InputObject, Default)]
pub struct PharmacistFilter {
    /// GPhC number (exact). Personal data.
    pub gphc_number: Option<Vec<String>>,
    /// Family name (case-insensitive). Personal data.
    pub family_name: Option<TextFilter>,
    /// Registration status.
    pub registration_status: Option<EnumFilter<RegistrationStatus>>,
    /// First registration date.
    pub first_registered_on: Option<DateRange>,
    /// Annotated independent prescriber (true) or not (false) on the query's `asOf`.
    pub independent_prescriber: Option<bool>,
}

/// Filters memberships. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct MembershipFilter {
    /// Status.
    pub status: Option<EnumFilter<MembershipStatus>>,
    /// The programme (ids).
    pub programme: Option<IdFilter>,
    /// The cohort (ids).
    pub cohort: Option<IdFilter>,
    /// First day of the rotation.
    pub start_date: Option<DateRange>,
    /// Planned last day of the rotation.
    pub planned_end_date: Option<DateRange>,
}

/// Filters placements. Fields combine with AND; use `and`, `or` and `not` for more.
#[derive(InputObject, Default)]
pub struct PlacementFilter {
    /// All of these filters.
    pub and: Option<Vec<Self>>,
    /// Any of these filters.
    pub or: Option<Vec<Self>>,
    /// Not this filter.
    pub not: Option<Box<Self>>,
    /// Sector.
    pub sector: Option<EnumFilter<Sector>>,
    /// Approval status.
    pub status: Option<EnumFilter<PlacementStatus>>,
    /// First day.
    pub start_date: Option<DateRange>,
    /// Last day.
    pub end_date: Option<DateRange>,
    /// Under way on this day.
    pub active_on: Option<Date>,
    /// The host's ICB on the first day (ODS code), including the ICBs it took over.
    pub host_icb: Option<OdsCodeFilter>,
    /// Cross-ICB placements (true) or not (false).
    pub is_cross_icb: Option<bool>,
    /// The programme (ids).
    pub programme: Option<IdFilter>,
    /// The pharmacist (ids).
    pub pharmacist: Option<IdFilter>,
}

filter_tree!(PlacementFilter);

impl MembershipFilter {
    /// The filter as the services read it.
    pub(crate) fn to_query(&self) -> Result<queries::workforce::MembershipFilter, crate::AppError> {
        Ok(queries::workforce::MembershipFilter {
            statuses: self.status.as_ref().and_then(EnumFilter::values),
            programmes: IdFilter::uuids_of(self.programme.as_ref(), NodeType::RotationProgramme, "programme")?,
            cohorts: IdFilter::uuids_of(self.cohort.as_ref(), NodeType::Cohort, "cohort")?,
            start_date: self.start_date.map(Into::into),
            planned_end_date: self.planned_end_date.map(Into::into),
        })
    }
}

/// The condition of a placement filter (none: every placement), with the ICBs it names looked up (each
/// with the ICBs it took over) once for all sibling filters.
pub(crate) async fn placement_condition(ctx: &Context<'_>, filter: Option<PlacementFilter>) -> Result<Condition> {
    let Some(filter) = filter else { return Ok(Condition::all()) };
    let filter = filter.to_query().extend()?;
    // Through the request's loader: the filters of sibling parents look their codes up together.
    let codes = filter.host_icb_codes().into_iter().map(super::loaders::RolledUpIcbs);
    let resolved = super::loader(ctx)?.load_many(codes).await?;
    let host_icbs = |codes: &[String]| -> Vec<uuid::Uuid> {
        codes
            .iter()
            .flat_map(|code| resolved.get(&super::loaders::RolledUpIcbs(code.clone())).cloned().unwrap_or_default())
            .collect()
    };
    filter.condition(&host_icbs).extend()
}

impl PlacementFilter {
    /// The filter tree as the services read it (translated from the work list, without recursion).
    fn to_query(&self) -> Result<queries::workforce::PlacementFilter, crate::AppError> {
        tree_map(self, |filter, all, any, not| {
            Ok(queries::workforce::PlacementFilter {
                and: filter.and.as_ref().map(|_| all),
                or: any,
                not: not.map(Box::new),
                sectors: filter.sector.as_ref().and_then(EnumFilter::values),
                statuses: filter.status.as_ref().and_then(EnumFilter::values),
                start_date: filter.start_date.map(Into::into),
                end_date: filter.end_date.map(Into::into),
                active_on: filter.active_on.map(|day| day.0),
                host_icbs: filter.host_icb.as_ref().and_then(OdsCodeFilter::codes),
                is_cross_icb: filter.is_cross_icb,
                programmes: IdFilter::uuids_of(filter.programme.as_ref(), NodeType::RotationProgramme, "programme")?,
                pharmacists: IdFilter::uuids_of(filter.pharmacist.as_ref(), NodeType::Pharmacist, "pharmacist")?,
            })
        })
    }
}

/// What pharmacists can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PharmacistOrderField {
    /// First registration date.
    #[default]
    FirstRegisteredOn,
    /// Family then given name (personal data: refused to readers without access to it).
    Name,
}

/// What memberships can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MembershipOrderField {
    /// First day of the rotation.
    #[default]
    StartDate,
    /// Planned last day of the rotation.
    PlannedEndDate,
}

/// What placements can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PlacementOrderField {
    /// First day.
    #[default]
    StartDate,
    /// Last day.
    EndDate,
}

/// The order of a pharmacist list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct PharmacistOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: PharmacistOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The order of a membership list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct MembershipOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: MembershipOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The order of a placement list (ties broken by id).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct PlacementOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: PlacementOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl MembershipOrder {
    /// The sort keys and direction.
    pub(crate) fn keys(self) -> (Vec<SortKey<programme_membership::Column>>, OrderDirection) {
        let column = match self.field {
            MembershipOrderField::StartDate => programme_membership::Column::StartDate,
            MembershipOrderField::PlannedEndDate => programme_membership::Column::PlannedEndDate,
        };
        (vec![SortKey::Column(column)], self.direction)
    }
}

impl PlacementOrder {
    /// The sort keys and direction.
    pub(crate) fn keys(self) -> (Vec<SortKey<placement::Column>>, OrderDirection) {
        let column = match self.field {
            PlacementOrderField::StartDate => placement::Column::StartDate,
            PlacementOrderField::EndDate => placement::Column::EndDate,
        };
        (vec![SortKey::Column(column)], self.direction)
    }
}

/// The placements of one parent (a membership, a pharmacist or a host), filtered and ordered.
pub(crate) async fn placements_of(
    ctx: &Context<'_>,
    parent: uuid::Uuid,
    relation: Relation<placement::Entity>,
    filter: Option<PlacementFilter>,
    order_by: Option<PlacementOrder>,
    paging: Paging,
) -> Result<ConnectionOf<Placement>> {
    let relation = relation.filter(placement_condition(ctx, filter).await?);
    nested(ctx, parent, relation, order_by.unwrap_or_default().keys(), paging, Placement).await
}

/// The memberships of one parent (a cohort or a pharmacist), filtered and ordered.
pub(crate) async fn memberships_of(
    ctx: &Context<'_>,
    parent: uuid::Uuid,
    relation: Relation<programme_membership::Entity>,
    filter: Option<MembershipFilter>,
    order_by: Option<MembershipOrder>,
    paging: Paging,
) -> Result<ConnectionOf<Membership>> {
    let relation =
        relation.filter(filter.unwrap_or_default().to_query().and_then(|filter| filter.condition()).extend()?);
    nested(ctx, parent, relation, order_by.unwrap_or_default().keys(), paging, Membership).await
}

/// Queries over pharmacists, memberships and placements (scoped to what the reader may see).
#[derive(Default)]
pub struct WorkforceQuery;

/// Queries over pharmacists, memberships and placements (scoped to what the reader may see).
#[Object]
impl WorkforceQuery {
    /// Pharmacists the reader may see, filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn pharmacists(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which pharmacists.")] filter: Option<PharmacistFilter>,
        #[graphql(desc = "The order (default: by first registration date).")] order_by: Option<PharmacistOrder>,
        #[graphql(desc = "The date `independentPrescriber` applies to (default: today).")] as_of: Option<Date>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<Pharmacist>> {
        let paging = Paging::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let filter = queries::workforce::PharmacistFilter {
            gphc_numbers: filter.gphc_number,
            family_name: filter.family_name.as_ref().map(Into::into),
            registration_statuses: filter.registration_status.as_ref().and_then(EnumFilter::values),
            first_registered_on: filter.first_registered_on.map(Into::into),
            independent_prescriber: filter.independent_prescriber,
            as_of: as_of_or_today(ctx, as_of)?,
        };
        let condition = filter.condition(scope(ctx)?).extend()?;
        let order = order_by.unwrap_or_default();
        let columns = match order.field {
            PharmacistOrderField::FirstRegisteredOn => vec![pharmacist::Column::FirstRegisteredOn],
            PharmacistOrderField::Name => {
                require_personal_data(ctx, "name order")?;
                vec![pharmacist::Column::FamilyName, pharmacist::Column::GivenName]
            }
        };
        list::<pharmacist::Entity, _>(
            ctx,
            condition,
            columns.into_iter().map(SortKey::Column).collect(),
            order.direction,
            paging,
            Pharmacist,
        )
        .await
    }

    /// Programme memberships the reader may see, filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn memberships(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which memberships.")] filter: Option<MembershipFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<MembershipOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<Membership>> {
        let paging = Paging::new(after, before, first, last)?;
        let condition = filter.unwrap_or_default().to_query().and_then(|filter| filter.condition()).extend()?;
        let (keys, direction) = order_by.unwrap_or_default().keys();
        list::<programme_membership::Entity, _>(ctx, condition, keys, direction, paging, Membership).await
    }

    /// Placements the reader may see, filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placements.")] filter: Option<PlacementFilter>,
        #[graphql(desc = "The order (default: by start date).")] order_by: Option<PlacementOrder>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<Placement>> {
        let paging = Paging::new(after, before, first, last)?;
        let condition = placement_condition(ctx, filter).await?;
        let (keys, direction) = order_by.unwrap_or_default().keys();
        list::<placement::Entity, _>(ctx, condition, keys, direction, paging, Placement).await
    }
}
