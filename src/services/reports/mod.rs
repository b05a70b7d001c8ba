//! Reports for dashboards and cross-ICB reporting tools, computed by the database: every report is one
//! grouped SQL statement, built with sea-query (plus constant-size lookups of the succession graph and
//! of group labels), so its cost does not grow with the number of rows beyond what the database does.
//! One module per family: cohorts (fill rate, prescribers, rotations ending), placements (cross-ICB
//! flows, activity), leadership and vacancies; [`sql`] holds the shared building blocks, [`disclosure`]
//! the small-number rules.
//!
//! ICB attribution: `AT_EVENT` attributes a record to the ICB that answered for it on the day of the
//! event (a programme's owner on a cohort's intake date, after any merger that had taken effect by
//! then); `CURRENT_SUCCESSOR` rolls everything up to today's successor. An ICB that was split has no
//! single successor: it is never rolled up as a whole (records it owns stay attributed to it).
//!
//! Scope: each report counts only the records its reader could list, through the lists' own conditions.
//! Disclosure control: a reader who could not count a figure from its lists (an anonymous caller; a
//! `reporter` for figures from credentials) never sees it below the threshold, nor a figure derived
//! from one, and sees the others rounded ([`Suppression`], [`Counted`]).

/// Report answers kept while the data stays the same.
mod cache;
/// Fill rate, independent prescribers and rotations ending: figures over cohorts.
mod cohorts;
/// Disclosure control: suppression and rounding.
mod disclosure;
/// ICB medicines leadership, programmes without a clinical lead, consultant-lead coverage.
mod leadership;
/// The ICB comparison, pathways without a lead, change-management training, recruitment competition.
mod medicines;
/// Cross-ICB flows and placement activity: figures over placements.
mod placements;
/// The building blocks of the statements.
mod sql;
/// Open vacancies.
mod vacancies;

pub use cache::ReportCache;
pub use cohorts::{
    FillRateRow, PrescriberRow, RotationsEndingRow, fill_rate, independent_prescribers, rotations_ending,
};
pub use disclosure::{Count, Counted, Suppression};
pub use leadership::{
    IcbLeadershipRow, LeadCoverageRow, consultant_lead_coverage, icb_medicines_leadership,
    programmes_without_clinical_lead,
};
pub use medicines::{
    ChangeManagementRow, ComparisonMeasure, ComparisonSpread, CompetitionRow, IcbComparisonRow, MeasureSpread,
    PathwayWithoutLeadRow, PlaceGrouping, change_management_training, comparison_spread, icb_comparison,
    pathways_without_lead, recruitment_competition,
};
pub use placements::{
    ActivityRow, CrossIcbFlowRow, Granularity, MAX_PERIODS, cross_icb_flows, periods, placement_activity,
};
pub use vacancies::{VacancyRow, open_vacancies};

use crate::error::AppError;
use chrono::NaiveDate;
use entity::{cohort, organisation, rotation_programme};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult};
use std::collections::HashMap;
use uuid::Uuid;

/// Which ICB a record is attributed to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IcbResolution {
    /// The ICB that answered for the record on the day of the event.
    #[default]
    AtEvent,
    /// Today's successor of that ICB.
    CurrentSuccessor,
}

/// How the rows of a report over cohorts are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CohortGrouping {
    /// One row per cohort.
    #[default]
    Cohort,
    /// One row per programme.
    Programme,
    /// One row per (resolved) owner ICB.
    Icb,
    /// One row per region of the (resolved) owner ICB.
    Region,
}

/// The records a report covers.
#[derive(Clone, Debug)]
pub struct ReportFilter {
    /// Only records attributed to these ICBs (ODS codes, after resolution).
    pub icbs: Vec<String>,
    /// Only records attributed to ICBs of these regions (ODS codes).
    pub regions: Vec<String>,
    /// Only these programmes.
    pub programmes: Vec<Uuid>,
    /// Events on or after this day.
    pub from: Option<NaiveDate>,
    /// Events on or before this day.
    pub to: Option<NaiveDate>,
    /// The day the figures are as of (default: `today`).
    pub as_of: Option<NaiveDate>,
    /// Today, by the server's clock: the day `CURRENT_SUCCESSOR` resolves to.
    pub today: NaiveDate,
    pub resolution: IcbResolution,
}

impl ReportFilter {
    /// The day the figures are as of.
    fn as_of(&self) -> NaiveDate {
        self.as_of.unwrap_or(self.today)
    }

    /// Whether the filter limits the ICBs or regions.
    fn limits_places(&self) -> bool {
        !self.icbs.is_empty() || !self.regions.is_empty()
    }
}

/// A group of a report: what its figures are about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportGroup {
    pub id: Uuid,
    /// A short code: the ODS code of an ICB or region, the programme code, the cohort's label.
    pub code: String,
    pub name: String,
}

/// Runs `select` and returns its rows.
async fn rows<C: ConnectionTrait>(db: &C, select: &SelectStatement) -> Result<Vec<QueryResult>, AppError> {
    Ok(db.query_all_raw(db.get_database_backend().build(select)).await?)
}

/// A count or an integer sum of a row (0 when null).
fn get_u64(row: &QueryResult, column: &str) -> Result<u64, AppError> {
    let value: Option<i64> = row.try_get("", column)?;
    Ok(value.unwrap_or(0).max(0) as u64)
}

/// A numeric aggregate as `f64`, whether the backend returns it as an integer, a float or a numeric.
fn number(row: &QueryResult, column: &str) -> Result<f64, AppError> {
    if let Ok(value) = row.try_get::<Option<f64>>("", column) {
        return Ok(value.unwrap_or(0.0));
    }
    let value: Option<i64> = row.try_get("", column)?;
    Ok(value.unwrap_or(0) as f64)
}

/// Labels of organisations (ICBs, regions, trusts), by id (one statement).
async fn organisation_labels<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, ReportGroup>, AppError> {
    group_labels(db, CohortGrouping::Icb, ids).await
}

/// Labels of the groups (one statement).
async fn group_labels<C: ConnectionTrait>(
    db: &C,
    grouping: CohortGrouping,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ReportGroup>, AppError> {
    let group = |id, code: &str, name: &str| (id, ReportGroup { id, code: code.to_owned(), name: name.to_owned() });
    Ok(match grouping {
        CohortGrouping::Cohort => {
            let rows = cohort::Entity::find()
                .filter(cohort::Column::Id.is_in(ids.iter().copied()))
                .find_also_related(rotation_programme::Entity)
                .all(db)
                .await?;
            rows.into_iter()
                .map(|(cohort, programme)| {
                    let (code, name) = programme.map_or_else(Default::default, |p| (p.code, p.name));
                    group(cohort.id, &format!("{code} {}", cohort.label), &name)
                })
                .collect()
        }
        CohortGrouping::Programme => rotation_programme::Entity::find()
            .filter(rotation_programme::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|programme| group(programme.id, &programme.code, &programme.name))
            .collect(),
        CohortGrouping::Icb | CohortGrouping::Region => organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|organisation| group(organisation.id, &organisation.ods_code, &organisation.name))
            .collect(),
    })
}
