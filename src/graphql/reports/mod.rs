//! The `reports` root: figures for dashboards and cross-ICB reporting tools, computed by the database.
//! Each report is also served as CSV (`GET /reports/<name>.csv`, see `http`).

/// The rows of the medicines-optimisation reports.
pub mod medicines;

use super::common::{NodeType, decode_id_of, global_id};
use super::enums::{AfcBand, IcbResolution, Sector, Specialism};
use super::scalars::{Date, OdsCodeScalar};
use super::{db, scope};
use crate::services::access::Principal;
use crate::services::reports::{
    self, ActivityRow, CohortGrouping, Count, CrossIcbFlowRow, FillRateRow, IcbLeadershipRow, LeadCoverageRow,
    PrescriberRow, ReportCache, ReportFilter, ReportGroup, RotationsEndingRow, Suppression, VacancyRow,
};
use async_graphql::{Context, Enum, ErrorExtensions, ID, InputObject, Object, Result, ResultExt, SimpleObject};
use chrono::NaiveDate;
use medicines::{
    ChangeManagementReportRow, CompetitionReportRow, IcbComparisonReport, PathwayWithoutLeadReportRow, PlaceGroupBy,
};
use std::sync::Arc;

/// Settings of the reports (from the command line), and the answers kept.
#[derive(Clone, Debug)]
pub struct ReportSettings {
    /// Counts below this are suppressed for readers who could not count them from their lists.
    pub suppression_threshold: u64,
    /// The other counts are rounded to multiples of this for them.
    pub rounding_base: u64,
    /// The answers kept while the data stays the same, shared by GraphQL and CSV.
    pub cache: Arc<ReportCache>,
}

/// Which records a report covers. Fields combine with AND.
#[derive(InputObject, Default)]
pub struct ReportFilterInput {
    /// Only records attributed to these ICBs (after the report's ICB resolution).
    pub icb: Option<Vec<OdsCodeScalar>>,
    /// Only records attributed to ICBs of these regions.
    pub region: Option<Vec<OdsCodeScalar>>,
    /// Only these programmes (ids).
    pub programme: Option<Vec<ID>>,
    /// Events on or after this day.
    pub from: Option<Date>,
    /// Events on or before this day.
    pub to: Option<Date>,
    /// The day that counts as today (default: today).
    pub as_of: Option<Date>,
}

impl ReportFilterInput {
    /// The service filter, with the ICB resolution, answering for `today` unless `asOf` says otherwise.
    pub fn to_filter(&self, resolution: IcbResolution, today: NaiveDate) -> Result<ReportFilter, crate::AppError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from.0 > to.0
        {
            return Err(crate::AppError::invalid("to", "is before from"));
        }
        let codes = |codes: &Option<Vec<OdsCodeScalar>>| {
            codes.iter().flatten().map(|code| code.0.to_string()).collect::<Vec<_>>()
        };
        Ok(ReportFilter {
            icbs: codes(&self.icb),
            regions: codes(&self.region),
            programmes: self
                .programme
                .iter()
                .flatten()
                .map(|id| decode_id_of(NodeType::RotationProgramme, "programme", id))
                .collect::<Result<_, _>>()?,
            from: self.from.map(|date| date.0),
            to: self.to.map(|date| date.0),
            as_of: self.as_of.map(|date| date.0),
            today,
            resolution: match resolution {
                IcbResolution::AtEvent => reports::IcbResolution::AtEvent,
                IcbResolution::CurrentSuccessor => reports::IcbResolution::CurrentSuccessor,
            },
        })
    }
}

/// How the rows of a report over cohorts are grouped.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CohortGroupBy {
    /// One row per cohort.
    #[default]
    Cohort,
    /// One row per programme.
    Programme,
    /// One row per owner ICB (as resolved).
    Icb,
    /// One row per region of the owner ICB.
    Region,
}

impl From<CohortGroupBy> for CohortGrouping {
    fn from(group_by: CohortGroupBy) -> Self {
        match group_by {
            CohortGroupBy::Cohort => Self::Cohort,
            CohortGroupBy::Programme => Self::Programme,
            CohortGroupBy::Icb => Self::Icb,
            CohortGroupBy::Region => Self::Region,
        }
    }
}

/// A count that may be suppressed: below the threshold, a reader who could not count it from its lists
/// (see the README's disclosure rule) gets `suppressed: true` and no value.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportCount {
    /// The count; null when suppressed.
    pub value: Option<u64>,
    /// Whether the count was suppressed.
    pub suppressed: bool,
}

impl From<Count> for ReportCount {
    fn from(count: Count) -> Self {
        Self { value: count, suppressed: count.is_none() }
    }
}

/// A figure (a rate, a sum of WTE) that may be suppressed because a count it derives from is.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq)]
pub struct ReportFigure {
    /// The figure; null when suppressed (or, for a rate, when there is nothing to divide by).
    pub value: Option<f64>,
    /// Whether the figure was suppressed.
    pub suppressed: bool,
}

/// What a row of a report is about.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "ReportGroup")]
pub struct ReportGroupObject {
    /// The global id of the cohort, programme or organisation.
    pub id: ID,
    /// A short code: ODS code, programme code, or programme code and cohort label.
    pub code: String,
    /// The name.
    pub name: String,
}

pub(crate) fn icb_group(group: ReportGroup) -> ReportGroupObject {
    group_object(group, CohortGrouping::Icb)
}

fn group_object(group: ReportGroup, grouping: CohortGrouping) -> ReportGroupObject {
    let node_type = match grouping {
        CohortGrouping::Cohort => NodeType::Cohort,
        CohortGrouping::Programme => NodeType::RotationProgramme,
        CohortGrouping::Icb | CohortGrouping::Region => NodeType::Organisation,
    };
    ReportGroupObject { id: global_id(node_type, group.id), code: group.code, name: group.name }
}

/// Fill of the places of a group of cohorts.
#[derive(SimpleObject, Clone, Debug)]
pub struct FillRateReportRow {
    /// The cohort, programme, ICB or region.
    pub group: ReportGroupObject,
    /// Places offered (public, never suppressed).
    pub places_offered: u64,
    /// Memberships offered and not yet answered.
    pub offered: ReportCount,
    /// Memberships accepted, not yet started.
    pub accepted: ReportCount,
    /// Memberships under way.
    pub active: ReportCount,
    /// Memberships completed.
    pub completed: ReportCount,
    /// Memberships withdrawn.
    pub withdrawn: ReportCount,
    /// Places taken (accepted, active or completed) ÷ places offered.
    pub fill_rate: ReportFigure,
}

/// Turns a service row into its GraphQL row.
pub fn fill_rate_row(row: FillRateRow, grouping: CohortGrouping) -> FillRateReportRow {
    let parts_suppressed = row.accepted.is_none() || row.active.is_none() || row.completed.is_none();
    FillRateReportRow {
        group: group_object(row.group, grouping),
        places_offered: row.places_offered,
        offered: row.offered.into(),
        accepted: row.accepted.into(),
        active: row.active.into(),
        completed: row.completed.into(),
        withdrawn: row.withdrawn.into(),
        fill_rate: ReportFigure { value: row.fill_rate, suppressed: parts_suppressed },
    }
}

/// Placements hosted outside the programme owner's ICB, from one ICB to another.
#[derive(SimpleObject, Clone, Debug)]
pub struct CrossIcbFlowReportRow {
    /// The programme owner's ICB.
    pub owner: ReportGroupObject,
    /// The host's ICB.
    pub host: ReportGroupObject,
    /// Placements (not cancelled).
    pub placements: ReportCount,
    /// Their whole-time equivalents, summed.
    pub wte: ReportFigure,
}

/// Independent prescribers among the members of a group of cohorts.
#[derive(SimpleObject, Clone, Debug)]
pub struct PrescriberReportRow {
    /// The cohort, programme, ICB or region.
    pub group: ReportGroupObject,
    /// Members who took a place (accepted, active or completed).
    pub members: ReportCount,
    /// Those annotated as independent prescribers on the report's `asOf`.
    pub prescribers: ReportCount,
    /// Prescribers ÷ members.
    pub share: ReportFigure,
}

/// Turns a service row into its GraphQL row.
pub fn prescriber_row(row: PrescriberRow, grouping: CohortGrouping) -> PrescriberReportRow {
    PrescriberReportRow {
        group: group_object(row.group, grouping),
        members: row.members.into(),
        prescribers: row.prescribers.into(),
        share: ReportFigure { value: row.share, suppressed: row.members.is_none() || row.prescribers.is_none() },
    }
}

/// Turns a service row into its GraphQL row.
pub fn cross_icb_flow_row(row: CrossIcbFlowRow) -> CrossIcbFlowReportRow {
    CrossIcbFlowReportRow {
        owner: icb_group(row.owner),
        host: icb_group(row.host),
        placements: row.placements.into(),
        wte: ReportFigure { value: row.wte, suppressed: row.placements.is_none() },
    }
}

/// Medicines leadership of an ICB on a date.
#[derive(SimpleObject, Clone, Debug)]
pub struct IcbLeadershipReportRow {
    /// The ICB.
    pub icb: ReportGroupObject,
    /// Whether a board-level medicines lead was in post.
    pub board_medicines_lead: bool,
    /// Whether a chief pharmacist was in post.
    pub chief_pharmacist: bool,
    /// Whether a director of medicines optimisation was in post.
    pub director_of_medicines_optimisation: bool,
}

/// Consultant-pharmacist lead coverage of a trust on a date.
#[derive(SimpleObject, Clone, Debug)]
pub struct LeadCoverageReportRow {
    /// The trust.
    pub trust: ReportGroupObject,
    /// The specialisms with a lead; empty for a trust without one.
    pub specialisms: Vec<Specialism>,
}

/// Turns a service row into its GraphQL row.
pub fn leadership_row(row: IcbLeadershipRow) -> IcbLeadershipReportRow {
    IcbLeadershipReportRow {
        icb: icb_group(row.icb),
        board_medicines_lead: row.board_medicines_lead,
        chief_pharmacist: row.chief_pharmacist,
        director_of_medicines_optimisation: row.director_of_medicines_optimisation,
    }
}

/// Turns a service row into its GraphQL row.
pub fn coverage_row(row: LeadCoverageRow) -> LeadCoverageReportRow {
    LeadCoverageReportRow {
        trust: icb_group(row.trust),
        specialisms: row.specialisms.into_iter().map(Into::into).collect(),
    }
}

/// Vacancies open on a date for one sector, band and ICB.
#[derive(SimpleObject, Clone, Debug)]
pub struct VacancyReportRow {
    /// The sector.
    pub sector: Sector,
    /// The band (null where not on Agenda for Change).
    pub afc_band: Option<AfcBand>,
    /// The host's ICB.
    pub icb: ReportGroupObject,
    /// Open vacancies.
    pub vacancies: ReportCount,
    /// Their whole-time equivalents, summed.
    pub wte: ReportFigure,
    /// Of which funded by ARRS.
    pub arrs: ReportCount,
    /// Of which existing vacancies.
    pub existing_vacancy: ReportCount,
    /// Of which funded by a trust.
    pub trust: ReportCount,
    /// Of which funded otherwise (education grants included).
    pub other: ReportCount,
}

/// Turns a service row into its GraphQL row.
pub fn vacancy_row(row: VacancyRow) -> VacancyReportRow {
    VacancyReportRow {
        sector: row.sector.into(),
        afc_band: row.afc_band.map(Into::into),
        icb: icb_group(row.icb),
        vacancies: row.vacancies.into(),
        wte: ReportFigure { value: row.wte, suppressed: row.vacancies.is_none() },
        arrs: row.arrs.into(),
        existing_vacancy: row.existing_vacancy.into(),
        trust: row.trust.into(),
        other: row.other.into(),
    }
}

/// Rotations ending soon, and members still without a next placement, in a group of cohorts.
#[derive(SimpleObject, Clone, Debug)]
pub struct RotationsEndingReportRow {
    /// The cohort, programme, ICB or region.
    pub group: ReportGroupObject,
    /// Active members.
    pub active: ReportCount,
    /// Active members whose rotation is planned to end within the window.
    pub ending: ReportCount,
    /// Active members whose booked placements stop short of their planned end.
    pub without_next_placement: ReportCount,
}

/// Turns a service row into its GraphQL row.
pub fn rotations_ending_row(row: RotationsEndingRow, grouping: CohortGrouping) -> RotationsEndingReportRow {
    RotationsEndingReportRow {
        group: group_object(row.group, grouping),
        active: row.active.into(),
        ending: row.ending.into(),
        without_next_placement: row.without_next_placement.into(),
    }
}

/// The periods of a time series.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PeriodGranularity {
    /// Calendar months.
    #[default]
    Month,
    /// NHS financial years, 1 April to 31 March.
    NhsFinancialYear,
}

/// Placement activity in one sector over one period.
#[derive(SimpleObject, Clone, Debug)]
pub struct ActivityReportRow {
    /// `2026-04` for a month, `2026/27` for a financial year.
    pub period: String,
    /// First day of the period.
    pub period_start: Date,
    /// Last day of the period.
    pub period_end: Date,
    /// The sector.
    pub sector: Sector,
    /// Placements (not cancelled) under way at some point in the period.
    pub placements: ReportCount,
    /// Days in placement ÷ the average month (30.4375 days).
    pub pharmacist_months: ReportFigure,
    /// Average whole-time equivalent in placement over the period.
    pub wte: ReportFigure,
}

/// Turns a service row into its GraphQL row.
pub fn activity_row(row: ActivityRow) -> ActivityReportRow {
    let suppressed = row.placements.is_none();
    ActivityReportRow {
        period: row.period,
        period_start: Date(row.period_start),
        period_end: Date(row.period_end),
        sector: row.sector.into(),
        placements: row.placements.into(),
        pharmacist_months: ReportFigure { value: row.pharmacist_months, suppressed },
        wte: ReportFigure { value: row.wte, suppressed },
    }
}

/// Turns a programme into its report group.
pub fn programme_group(group: ReportGroup) -> ReportGroupObject {
    group_object(group, CohortGrouping::Programme)
}

pub(crate) fn suppression(ctx: &Context<'_>) -> Result<Suppression> {
    let settings = ctx.data::<ReportSettings>()?;
    Ok(Suppression::for_scope(scope(ctx)?, settings.suppression_threshold, settings.rounding_base))
}

/// The rows of `report`, kept while the data stays the same (see [`ReportCache`]), for the reader and
/// the report's `arguments`.
async fn kept<T: Clone + Send + Sync + 'static>(
    ctx: &Context<'_>,
    report: &'static str,
    arguments: &impl std::fmt::Debug,
    rows: impl Future<Output = Result<Vec<T>, crate::AppError>>,
) -> Result<Vec<T>> {
    let settings = ctx.data::<ReportSettings>()?;
    let reader = (scope(ctx)?, suppression(ctx)?);
    let _turn = ctx.data::<ReportTurns>()?.0.acquire().await.map_err(|_| "the request's reports were closed")?;
    // Boxed: a report's statement-building future is large, and resolvers' futures nest deeply.
    Box::pin(settings.cache.rows(db(ctx)?, reader, report, arguments, rows)).await.extend()
}

/// The reports of one request are worked out one at a time: each holds its statement's working set (at
/// england scale, megabytes of sorted and grouped rows), so aliases of reports take turns instead of
/// holding thirty working sets at once.
pub struct ReportTurns(tokio::sync::Semaphore);

impl Default for ReportTurns {
    fn default() -> Self {
        Self(tokio::sync::Semaphore::new(1))
    }
}

/// The reports.
#[derive(Default)]
pub struct Reports;

/// The reports. Every report applies the reader's access scope; a figure the reader could not count from
/// its lists (every count for anonymous callers) is disclosure-controlled: suppressed below the threshold,
/// rounded otherwise.
#[Object]
impl Reports {
    /// Fill rate of cohorts (by intake date within `filter.from`/`filter.to`): places offered and
    /// memberships by status, grouped by cohort, programme, ICB or region.
    async fn fill_rate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cohorts.")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "How rows are grouped (default: COHORT).", default)] group_by: CohortGroupBy,
        #[graphql(desc = "How ICBs are attributed (default: AT_EVENT, the owner on the intake date).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<FillRateReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let grouping = group_by.into();
        let rows = kept(
            ctx,
            "fill_rate",
            &(&filter, grouping),
            reports::fill_rate(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter, grouping),
        )
        .await?;
        Ok(rows.into_iter().map(|row| fill_rate_row(row, grouping)).collect())
    }

    /// Independent prescribers (annotated on `filter.asOf`, default today) among the members who took a
    /// place in cohorts with an intake within `filter.from`/`filter.to`, and their share.
    async fn independent_prescribers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cohorts, and the day the annotation counts on.")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "How rows are grouped (default: COHORT).", default)] group_by: CohortGroupBy,
        #[graphql(desc = "How ICBs are attributed (default: AT_EVENT, the owner on the intake date).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<PrescriberReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let grouping = group_by.into();
        let rows = kept(
            ctx,
            "independent_prescribers",
            &(&filter, grouping),
            reports::independent_prescribers(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter, grouping),
        )
        .await?;
        Ok(rows.into_iter().map(|row| prescriber_row(row, grouping)).collect())
    }

    /// The ICBs that existed on `filter.asOf` (default today), with whether each had a board-level
    /// medicines lead, a chief pharmacist and a director of medicines optimisation then.
    async fn icb_medicines_leadership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which ICBs (`icb`, `region`) and the day (`asOf`).")] filter: Option<ReportFilterInput>,
    ) -> Result<Vec<IcbLeadershipReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(IcbResolution::AtEvent, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "icb_medicines_leadership",
            &(&filter,),
            reports::icb_medicines_leadership(db(ctx)?, scope(ctx)?, &filter),
        )
        .await?;
        Ok(rows.into_iter().map(leadership_row).collect())
    }

    /// Programmes without a clinical lead on `filter.asOf` (default today).
    async fn programmes_without_clinical_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which programmes (`programme`, owner `icb` or `region`) and the day (`asOf`).")]
        filter: Option<ReportFilterInput>,
    ) -> Result<Vec<ReportGroupObject>> {
        let filter = filter.unwrap_or_default().to_filter(IcbResolution::AtEvent, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "programmes_without_clinical_lead",
            &(&filter,),
            reports::programmes_without_clinical_lead(db(ctx)?, scope(ctx)?, &filter),
        )
        .await?;
        Ok(rows.into_iter().map(programme_group).collect())
    }

    /// Every trust open on `filter.asOf` (default today) with the specialisms that had a
    /// consultant-pharmacist lead then (an empty list: no lead).
    async fn consultant_lead_coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which trusts (by their `icb` or `region` on `asOf`) and the day (`asOf`).")] filter: Option<
            ReportFilterInput,
        >,
    ) -> Result<Vec<LeadCoverageReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(IcbResolution::AtEvent, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "consultant_lead_coverage",
            &(&filter,),
            reports::consultant_lead_coverage(db(ctx)?, scope(ctx)?, &filter),
        )
        .await?;
        Ok(rows.into_iter().map(coverage_row).collect())
    }

    /// Vacancies open on `filter.asOf` (default today) by sector, band and the host's ICB, with their WTE
    /// and funding mix (a part is suppressed with enough others that it cannot be recovered from the total).
    async fn open_vacancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which ICBs (`icb`, `region`) and the day (`asOf`).")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "How the host's ICB is attributed (default: AT_EVENT, on `asOf`).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<VacancyReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "open_vacancies",
            &(&filter,),
            reports::open_vacancies(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter),
        )
        .await?;
        Ok(rows.into_iter().map(vacancy_row).collect())
    }

    /// Active members, those whose rotation is planned to end within `withinDays` of `filter.asOf`
    /// (default today), and those whose booked placements (not cancelled) stop short of their planned end.
    async fn rotations_ending(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The window, in days from `filter.asOf` (at most 3660).")] within_days: u32,
        #[graphql(desc = "Which cohorts and the day the window starts (`asOf`).")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "How rows are grouped (default: COHORT).", default)] group_by: CohortGroupBy,
        #[graphql(desc = "How ICBs are attributed (default: AT_EVENT, the owner on the intake date).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<RotationsEndingReportRow>> {
        if within_days > 3660 {
            return Err(crate::AppError::invalid("withinDays", "must be at most 3660").extend());
        }
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let grouping = group_by.into();
        let rows = kept(
            ctx,
            "rotations_ending",
            &(&filter, grouping, within_days),
            reports::rotations_ending(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter, grouping, within_days),
        )
        .await?;
        Ok(rows.into_iter().map(|row| rotations_ending_row(row, grouping)).collect())
    }

    /// Placements under way, pharmacist-months and average WTE by sector, per month or NHS financial year,
    /// from `filter.from` (default: a year before `filter.to`) to `filter.to` (default: `filter.asOf`,
    /// default today); at most 120 periods. ICB and region filters match the host's ICB.
    async fn placement_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placements and the range of periods.")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "Months or NHS financial years (default: MONTH).", default)] granularity: PeriodGranularity,
        #[graphql(desc = "How the host's ICB is attributed (default: AT_EVENT, on the first day).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<ActivityReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let granularity = match granularity {
            PeriodGranularity::Month => reports::Granularity::Month,
            PeriodGranularity::NhsFinancialYear => reports::Granularity::NhsFinancialYear,
        };
        let rows = kept(
            ctx,
            "placement_activity",
            &(&filter, granularity),
            reports::placement_activity(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter, granularity),
        )
        .await?;
        Ok(rows.into_iter().map(activity_row).collect())
    }

    /// The ICB comparison on `filter.asOf` (default today): per ICB, its board-level medicines lead and
    /// chief pharmacist, medicines-optimisation team WTE and transformational share, rotational
    /// programmes and places (cohorts taking their intake from `filter.from` to `filter.to`, default the
    /// year up to `asOf`), consultant leads, consultant-led pathways, and how its service redesigns
    /// (started from `filter.from`, if given, to `asOf`) involved the team from the start and social
    /// care; with the spread across ICBs for national and regional readers.
    async fn icb_comparison(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which ICBs (`icb`, `region`), the day (`asOf`) and the intake window.")] filter: Option<
            ReportFilterInput,
        >,
        #[graphql(
            desc = "How records are attributed to ICBs (default: AT_EVENT, the ICBs of `asOf`; CURRENT_SUCCESSOR: today's).",
            default
        )]
        icb_resolution: IcbResolution,
    ) -> Result<IcbComparisonReport> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "icb_comparison",
            &(&filter,),
            reports::icb_comparison(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter),
        )
        .await?;
        Ok(IcbComparisonReport { rows, role: ctx.data::<Principal>()?.role, scope: scope(ctx)?.clone() })
    }

    /// Patient pathways running on `filter.asOf` (default today) without a consultant lead in post then:
    /// none named, or the one named not in post. ICB and region filters match the ICBs a pathway spans.
    async fn pathways_without_consultant_lead(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which pathways (the ICBs they span: `icb`, `region`) and the day (`asOf`).")] filter: Option<
            ReportFilterInput,
        >,
        #[graphql(desc = "How spanned ICBs are attributed (default: AT_EVENT, the ICBs of `asOf`).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<PathwayWithoutLeadReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "pathways_without_consultant_lead",
            &(&filter,),
            reports::pathways_without_lead(db(ctx)?, scope(ctx)?, &filter),
        )
        .await?;
        Ok(rows.into_iter().map(medicines::pathway_without_lead_row).collect())
    }

    /// Consultant leads in post on `filter.asOf` (default today) without change-management training
    /// (no `CHANGE_MANAGEMENT` credential awarded, none enrolled or in progress), beside those in training
    /// and those trained, by trust, the trust's ICB or region.
    async fn leads_without_change_management_training(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which leads (their trust's `icb` or `region`) and the day (`asOf`).")] filter: Option<
            ReportFilterInput,
        >,
        #[graphql(desc = "How rows are grouped (default: ICB).", default)] group_by: PlaceGroupBy,
        #[graphql(desc = "How trusts are attributed to ICBs (default: AT_EVENT, on `asOf`).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<ChangeManagementReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let grouping = group_by.into();
        let rows = kept(
            ctx,
            "leads_without_change_management_training",
            &(&filter, grouping),
            reports::change_management_training(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter, grouping),
        )
        .await?;
        Ok(rows.into_iter().map(medicines::change_management_row).collect())
    }

    /// Recruitment competition: for each ICB (or region) and band, the vacancies open on `filter.asOf`
    /// (default today) in primary care (general practice, community pharmacy) and in NHS trusts, where
    /// both recruit. Vacancies without a band are left out.
    async fn recruitment_competition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which hosts (their `icb` or `region`) and the day (`asOf`).")] filter: Option<
            ReportFilterInput,
        >,
        #[graphql(desc = "ICB or REGION (default: ICB).", default)] group_by: PlaceGroupBy,
        #[graphql(desc = "How hosts are attributed to ICBs (default: AT_EVENT, on `asOf`).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<CompetitionReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let grouping = group_by.into();
        let rows = kept(
            ctx,
            "recruitment_competition",
            &(&filter, grouping),
            reports::recruitment_competition(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter, grouping),
        )
        .await?;
        Ok(rows.into_iter().map(medicines::competition_row).collect())
    }

    /// Cross-ICB placement flows: placements (starting within `filter.from`/`filter.to`, not cancelled)
    /// whose host's ICB differs from the programme owner's, by owner ICB and host ICB, with their WTE.
    async fn cross_icb_flows(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placements; ICB and region filters match the owner's or the host's ICB.")]
        filter: Option<ReportFilterInput>,
        #[graphql(
            desc = "How ICBs are attributed (default: AT_EVENT, the ICBs on the placement's first day).",
            default
        )]
        icb_resolution: IcbResolution,
    ) -> Result<Vec<CrossIcbFlowReportRow>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let rows = kept(
            ctx,
            "cross_icb_flows",
            &(&filter,),
            reports::cross_icb_flows(db(ctx)?, scope(ctx)?, suppression(ctx)?, &filter),
        )
        .await?;
        Ok(rows.into_iter().map(cross_icb_flow_row).collect())
    }
}

/// The `reports` root field.
#[derive(Default)]
pub struct ReportQuery;

/// The `reports` root field.
#[Object]
impl ReportQuery {
    /// Reports for dashboards and cross-ICB reporting tools (also served as CSV under `/reports/`).
    async fn reports(&self) -> Reports {
        Reports
    }
}
