//! The rows of the medicines-optimisation reports: the ICB comparison and its spread, pathways without a
//! consultant lead, consultant leads' change-management training, and recruitment competition.

use super::{ReportCount, ReportFigure, ReportGroupObject, icb_group};
use crate::graphql::common::{NodeType, global_id};
use crate::graphql::enums::{AfcBand, PathwayStatus, Specialism};
use crate::graphql::scalars::Date;
use crate::services::access::{Role, Scope};
use crate::services::reports::{
    self, ChangeManagementRow, ComparisonSpread, CompetitionRow, IcbComparisonRow, MeasureSpread,
    PathwayWithoutLeadRow, PlaceGrouping,
};
use async_graphql::{Enum, ID, Object, Result, ResultExt, SimpleObject};

/// How the rows of a report over places are grouped.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PlaceGroupBy {
    /// One row per NHS trust (reports over consultant leads only).
    Trust,
    /// One row per ICB.
    #[default]
    Icb,
    /// One row per region.
    Region,
}

impl From<PlaceGroupBy> for PlaceGrouping {
    fn from(group_by: PlaceGroupBy) -> Self {
        match group_by {
            PlaceGroupBy::Trust => Self::Trust,
            PlaceGroupBy::Icb => Self::Icb,
            PlaceGroupBy::Region => Self::Region,
        }
    }
}

/// One ICB's medicines optimisation on a date.
#[derive(SimpleObject, Clone, Debug)]
pub struct IcbComparisonReportRow {
    /// The ICB.
    pub icb: ReportGroupObject,
    /// Its region.
    pub region: Option<ReportGroupObject>,
    /// Whether a board-level medicines lead was in post.
    pub board_medicines_lead: bool,
    /// Whether a chief pharmacist was in post.
    pub chief_pharmacist: bool,
    /// Whole-time equivalents of the ICB's medicines-optimisation teams.
    pub team_wte: f64,
    /// Transformational WTE ÷ all WTE of the teams' work mix in force; null without a work mix.
    pub transformational_share: Option<f64>,
    /// Rotational programmes (not in draft) with a cohort taking its intake in the window.
    pub programmes: u64,
    /// Places those cohorts offer.
    pub places: u64,
    /// Consultant-pharmacist leads in post at the ICB's trusts.
    pub consultant_leads: ReportCount,
    /// Patient pathways running that span the ICB.
    pub pathways: u64,
    /// Of which led by a consultant lead in post.
    pub consultant_led_pathways: u64,
    /// Service redesigns started by the day.
    pub redesigns: u64,
    /// Of which the medicines-optimisation team joined from the start.
    pub redesigns_team_from_start: u64,
    /// Share of redesigns with the team involved from the start; null without redesigns.
    pub team_from_start_share: Option<f64>,
    /// Of which social care took part.
    pub redesigns_with_social_care: u64,
    /// Share of redesigns with social care; null without redesigns.
    pub social_care_share: Option<f64>,
}

/// Turns a service row into its GraphQL row.
pub fn comparison_row(row: IcbComparisonRow) -> IcbComparisonReportRow {
    IcbComparisonReportRow {
        team_from_start_share: row.team_from_start_share(),
        social_care_share: row.social_care_share(),
        icb: icb_group(row.icb),
        region: row.region.map(icb_group),
        board_medicines_lead: row.board_medicines_lead,
        chief_pharmacist: row.chief_pharmacist,
        team_wte: row.team_wte,
        transformational_share: row.transformational_share,
        programmes: row.programmes,
        places: row.places,
        consultant_leads: row.consultant_leads.into(),
        pathways: row.pathways,
        consultant_led_pathways: row.consultant_led_pathways,
        redesigns: row.redesigns,
        redesigns_team_from_start: row.redesigns_team_from_start,
        redesigns_with_social_care: row.redesigns_with_social_care,
    }
}

/// A figure of the ICB comparison whose spread across ICBs is given.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "reports::ComparisonMeasure")]
pub enum ComparisonMeasure {
    /// `teamWte`.
    TeamWte,
    /// `transformationalShare`.
    TransformationalShare,
    /// `programmes`.
    Programmes,
    /// `places`.
    Places,
    /// `consultantLeads` (suppressed values are left out).
    ConsultantLeads,
    /// `consultantLedPathways`.
    ConsultantLedPathways,
    /// `teamFromStartShare`.
    TeamFromStartShare,
    /// `socialCareShare`.
    SocialCareShare,
}

/// The minimum, median and maximum of a measure across the ICBs of a group.
#[derive(SimpleObject, Clone, Debug)]
pub struct MeasureSpreadRow {
    /// The measure.
    pub measure: ComparisonMeasure,
    /// The ICBs with a value of the measure (a share needs something to divide).
    pub icbs: u64,
    /// The smallest value.
    pub minimum: Option<f64>,
    /// The median (the mean of the middle two of an even number).
    pub median: Option<f64>,
    /// The largest value.
    pub maximum: Option<f64>,
}

impl From<MeasureSpread> for MeasureSpreadRow {
    fn from(spread: MeasureSpread) -> Self {
        Self {
            measure: spread.measure.into(),
            icbs: spread.icbs,
            minimum: spread.minimum,
            median: spread.median,
            maximum: spread.maximum,
        }
    }
}

/// The spread of the ICB comparison across the ICBs of England or of a region.
#[derive(SimpleObject, Clone, Debug)]
pub struct ComparisonSpreadRow {
    /// The region; null for England.
    pub region: Option<ReportGroupObject>,
    /// ICBs compared.
    pub icbs: u64,
    /// Of which with a board-level medicines lead.
    pub with_board_medicines_lead: u64,
    /// Of which with a chief pharmacist.
    pub with_chief_pharmacist: u64,
    /// The spread of each measure.
    pub measures: Vec<MeasureSpreadRow>,
}

/// Turns a service spread into its GraphQL row.
pub fn spread_row(spread: ComparisonSpread) -> ComparisonSpreadRow {
    ComparisonSpreadRow {
        region: spread.region.map(icb_group),
        icbs: spread.icbs,
        with_board_medicines_lead: spread.with_board_medicines_lead,
        with_chief_pharmacist: spread.with_chief_pharmacist,
        measures: spread.measures.into_iter().map(Into::into).collect(),
    }
}

/// The ICB comparison: a row per ICB, and the spread across ICBs.
pub struct IcbComparisonReport {
    pub rows: Vec<IcbComparisonRow>,
    pub role: Option<Role>,
    pub scope: Scope,
}

/// The ICB comparison: a row per ICB, and the spread across ICBs.
#[Object]
impl IcbComparisonReport {
    /// One row per ICB, by ODS code.
    async fn rows(&self) -> Vec<IcbComparisonReportRow> {
        self.rows.iter().cloned().map(comparison_row).collect()
    }

    /// The minimum, median and maximum of each measure across ICBs: England first, then each region,
    /// for national readers (`national`, `reporter`); each region read, for `regional` readers. Other
    /// readers get `FORBIDDEN`.
    async fn spread(&self) -> Result<Option<Vec<ComparisonSpreadRow>>> {
        let spreads = reports::comparison_spread(self.role, &self.scope, &self.rows).extend()?;
        Ok(Some(spreads.into_iter().map(spread_row).collect()))
    }
}

/// A patient pathway running without a consultant lead in post.
#[derive(SimpleObject, Clone, Debug)]
pub struct PathwayWithoutLeadReportRow {
    /// The pathway's global id.
    pub id: ID,
    /// Its name.
    pub name: String,
    /// Its specialism.
    pub specialism: Specialism,
    /// Its state.
    pub status: PathwayStatus,
    /// Its first day.
    pub start_on: Date,
    /// The ICB that records it.
    pub owner_icb: ReportGroupObject,
    /// The ICBs it spans (as attributed).
    pub icbs: Vec<ReportGroupObject>,
    /// True when it names a lead who is not in post on the day; false when it names none.
    pub lead_not_in_post: bool,
}

/// Turns a service row into its GraphQL row.
pub fn pathway_without_lead_row(row: PathwayWithoutLeadRow) -> PathwayWithoutLeadReportRow {
    PathwayWithoutLeadReportRow {
        id: global_id(NodeType::PatientPathway, row.id),
        name: row.name,
        specialism: row.specialism.into(),
        status: row.status.into(),
        start_on: Date(row.start_on),
        owner_icb: icb_group(row.owner_icb),
        icbs: row.icbs.into_iter().map(icb_group).collect(),
        lead_not_in_post: row.lead_not_in_post,
    }
}

/// The consultant leads of a trust, ICB or region and their change-management training.
#[derive(SimpleObject, Clone, Debug)]
pub struct ChangeManagementReportRow {
    /// The trust, ICB or region.
    pub group: ReportGroupObject,
    /// Consultant leads in post.
    pub leads: ReportCount,
    /// Of which without change-management training (none completed, none under way).
    pub untrained: ReportCount,
    /// Of which in training.
    pub in_training: ReportCount,
    /// Of which trained.
    pub trained: ReportCount,
}

/// Turns a service row into its GraphQL row.
pub fn change_management_row(row: ChangeManagementRow) -> ChangeManagementReportRow {
    ChangeManagementReportRow {
        group: icb_group(row.group),
        leads: row.leads.into(),
        untrained: row.untrained.into(),
        in_training: row.in_training.into(),
        trained: row.trained.into(),
    }
}

/// Open vacancies of one band in one ICB or region both in primary care and in NHS trusts.
#[derive(SimpleObject, Clone, Debug)]
pub struct CompetitionReportRow {
    /// The ICB or region of the hosts.
    pub group: ReportGroupObject,
    /// The band.
    pub afc_band: AfcBand,
    /// Open vacancies in general practice and community pharmacy.
    pub primary_care_vacancies: ReportCount,
    /// Their WTE.
    pub primary_care_wte: ReportFigure,
    /// Open vacancies in NHS trusts.
    pub trust_vacancies: ReportCount,
    /// Their WTE.
    pub trust_wte: ReportFigure,
}

/// Turns a service row into its GraphQL row.
pub fn competition_row(row: CompetitionRow) -> CompetitionReportRow {
    CompetitionReportRow {
        group: icb_group(row.group),
        afc_band: row.afc_band.into(),
        primary_care_vacancies: row.primary_care_vacancies.into(),
        primary_care_wte: ReportFigure {
            value: row.primary_care_wte,
            suppressed: row.primary_care_vacancies.is_none(),
        },
        trust_vacancies: row.trust_vacancies.into(),
        trust_wte: ReportFigure { value: row.trust_wte, suppressed: row.trust_vacancies.is_none() },
    }
}
