//! Open vacancies on a date, by sector, band and the host's ICB.

use super::disclosure::{Count, Counted, Suppression, suppress_parts};
use super::sql::{
    answered_organisations, children_of, col, count_as_integer, is_one_of, name, one_if, parent_on, sum_as_integer,
};
use super::{IcbResolution, ReportFilter, ReportGroup, get_u64, organisation_labels, rows};
use crate::error::AppError;
use crate::services::access::{RecordScope, Scope};
use crate::services::organisations;
use chrono::NaiveDate;
use entity::enums::{AfcBand, FundingSource, RelationshipKind, Sector};
use entity::vacancy;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, Query, SelectStatement};
use uuid::Uuid;

/// Open vacancies of one (sector, band, ICB).
#[derive(Clone, Debug, PartialEq)]
pub struct VacancyRow {
    pub sector: Sector,
    pub afc_band: Option<AfcBand>,
    pub icb: ReportGroup,
    pub vacancies: Count,
    /// Their whole-time equivalents, summed; suppressed with the count.
    pub wte: Option<f64>,
    /// The funding mix: ARRS, existing vacancy, trust, other (education grants included).
    pub arrs: Count,
    pub existing_vacancy: Count,
    pub trust: Count,
    pub other: Count,
}

/// The vacancies `v` open on `as_of`, each with the ICB (`icb`) its host belonged to on `icb_day`: probed
/// by index per open vacancy (a few thousand at national scale), cheaper than ranking every
/// organisation's links.
pub(super) fn open_on(as_of: NaiveDate, icb_day: NaiveDate) -> SelectStatement {
    use vacancy::Column;
    let closed_on = || col("v", Column::ClosedOn);
    Query::select()
        .column((name("v"), Asterisk))
        .expr_as(parent_on(RelationshipKind::InIcb, col("v", Column::HostId), Expr::val(icb_day)), name("icb"))
        .from_as(vacancy::Entity, name("v"))
        .and_where(col("v", Column::OpenedOn).lte(as_of))
        .and_where(closed_on().is_null().or(closed_on().gte(as_of)))
        .take()
}

/// Vacancies open on the filter's `asOf`, by sector, band and the host's ICB (`AT_EVENT`: on `asOf`;
/// `CURRENT_SUCCESSOR`: today), with their WTE and funding mix.
pub async fn open_vacancies<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
) -> Result<Vec<VacancyRow>, AppError> {
    use vacancy::Column;
    let as_of = filter.as_of();
    let icb_day = match filter.resolution {
        IcbResolution::AtEvent => as_of,
        IcbResolution::CurrentSuccessor => filter.today,
    };
    let open = open_on(as_of, icb_day);
    let icb = || col("open", name("icb"));
    let funded = |sources: &[FundingSource]| {
        sum_as_integer(one_if(is_one_of(col("open", Column::Funding), sources.iter().copied())))
    };
    let mut select = Query::select();
    select
        .expr_as(col("open", Column::Sector), name("sector"))
        .expr_as(col("open", Column::AfcBand), name("afc_band"))
        .expr_as(icb(), name("icb"))
        .expr_as(count_as_integer(), name("vacancies"))
        .expr_as(Func::sum(col("open", Column::Wte)), name("wte"))
        .expr_as(funded(&[FundingSource::Arrs]), name("arrs"))
        .expr_as(funded(&[FundingSource::ExistingVacancy]), name("existing_vacancy"))
        .expr_as(funded(&[FundingSource::Trust]), name("trust"))
        .expr_as(funded(&[FundingSource::EducationGrant, FundingSource::Other]), name("other"))
        .from_subquery(open, name("open"))
        .and_where(icb().is_not_null())
        .add_group_by([col("open", Column::Sector), col("open", Column::AfcBand), icb()]);
    if !filter.icbs.is_empty() {
        select.and_where(icb().is_in(organisations::ids_of_codes(db, &filter.icbs).await?));
    }
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        select.and_where(icb().in_subquery(children_of(RelationshipKind::IcbInRegion, &regions, None)));
    }
    if matches!(scope.records, RecordScope::Icbs(_)) {
        // An ICB reader counts the vacancies the vacancy list shows it (hosted by the organisations it
        // answers for).
        select.and_where_option(answered_organisations(col("open", Column::HostId), scope));
    }
    let mut figures = Vec::new();
    for row in rows(db, &select).await? {
        let icb: Option<Uuid> = row.try_get("", "icb")?;
        let sector: Sector = row.try_get("", "sector")?;
        let band: Option<AfcBand> = row.try_get("", "afc_band")?;
        let wte: Option<f64> = row.try_get("", "wte")?;
        let mix = [
            get_u64(&row, "arrs")?,
            get_u64(&row, "existing_vacancy")?,
            get_u64(&row, "trust")?,
            get_u64(&row, "other")?,
        ];
        if let Some(icb) = icb {
            figures.push((sector, band, icb, get_u64(&row, "vacancies")?, wte.unwrap_or(0.0), mix));
        }
    }
    let ids: Vec<Uuid> = figures.iter().map(|row| row.2).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<VacancyRow> = figures
        .into_iter()
        .filter_map(|(sector, afc_band, icb, count, wte, mix)| {
            let suppression = suppression.of(Counted::RolesAndPosts);
            let vacancies = suppression.count(count);
            let mix = if vacancies.is_some() { suppress_parts(suppression, &mix) } else { vec![None; mix.len()] };
            Some(VacancyRow {
                sector,
                afc_band,
                icb: labels.get(&icb)?.clone(),
                vacancies,
                wte: suppression.measure(wte, vacancies),
                arrs: mix[0],
                existing_vacancy: mix[1],
                trust: mix[2],
                other: mix[3],
            })
        })
        .collect();
    report.sort_by(|a, b| {
        (&a.icb.code, format!("{:?}", a.sector), format!("{:?}", a.afc_band)).cmp(&(
            &b.icb.code,
            format!("{:?}", b.sector),
            format!("{:?}", b.afc_band),
        ))
    });
    Ok(report)
}
