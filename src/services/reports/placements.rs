//! Figures over placements: cross-ICB flows and placement activity by period.

use super::disclosure::{Count, Suppression};
use super::sql::{Successions, col, count_as_integer, is_not, name, parents_on, visible};
use super::{IcbResolution, ReportFilter, ReportGroup, get_u64, number, organisation_labels, rows};
use crate::error::AppError;
use crate::services::access::{RecordScope, Scope};
use crate::services::organisations;
use chrono::NaiveDate;
use entity::enums::{PlacementStatus, RelationshipKind, Sector};
use entity::{cohort, placement, programme_membership, rotation_programme};
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, DbBackend};
use std::collections::HashMap;
use uuid::Uuid;

/// One row of the cross-ICB flow report: placements hosted outside the owner's ICB.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossIcbFlowRow {
    /// The programme owner's ICB (as resolved).
    pub owner: ReportGroup,
    /// The host's ICB (as resolved).
    pub host: ReportGroup,
    pub placements: Count,
    /// Whole-time equivalents of those placements; suppressed with the count.
    pub wte: Option<f64>,
}

/// The periods a time series is split into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Granularity {
    /// Calendar months.
    #[default]
    Month,
    /// NHS financial years, 1 April to 31 March.
    NhsFinancialYear,
}

/// The most periods one series may cover: ten years of months (at england scale PostgreSQL answers 120
/// monthly periods in about a second, 240 in 11 s), the same bound the GraphQL cost limit sets.
pub const MAX_PERIODS: usize = 120;

/// One (period, sector) of the placement activity report.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityRow {
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// `2026-04` for a month, `2026/27` for a financial year.
    pub period: String,
    pub sector: Sector,
    /// Placements (not cancelled) under way at some point in the period.
    pub placements: Count,
    /// Days in placement ÷ the average month (30.4375 days); suppressed with the count.
    pub pharmacist_months: Option<f64>,
    /// Average whole-time equivalent in placement over the period; suppressed with the count.
    pub wte: Option<f64>,
}

/// Placements (`pl`, not cancelled) with their membership `m`, cohort `c` and programme `p`, limited to
/// the filter's programmes and to those the reader's placement list shows it.
fn placements_of_programmes(filter: &ReportFilter, scope: &Scope) -> SelectStatement {
    let mut select = Query::select();
    select
        .from_as(placement::Entity, name("pl"))
        .join_as(
            JoinType::InnerJoin,
            programme_membership::Entity,
            name("m"),
            col("m", programme_membership::Column::Id).equals((name("pl"), placement::Column::MembershipId)),
        )
        .join_as(
            JoinType::InnerJoin,
            cohort::Entity,
            name("c"),
            col("c", cohort::Column::Id).equals((name("m"), programme_membership::Column::CohortId)),
        )
        .join_as(
            JoinType::InnerJoin,
            rotation_programme::Entity,
            name("p"),
            col("p", rotation_programme::Column::Id).equals((name("c"), cohort::Column::ProgrammeId)),
        )
        .and_where(is_not(col("pl", placement::Column::Status), PlacementStatus::Cancelled));
    if !filter.programmes.is_empty() {
        select.and_where(col("p", rotation_programme::Column::Id).is_in(filter.programmes.iter().copied()));
    }
    if matches!(scope.records, RecordScope::Icbs(_)) {
        // An ICB reader counts the placements the placement list shows it.
        select.and_where_option(visible::<placement::Entity>(col("pl", placement::Column::Id), scope));
    }
    select
}

/// The host's ICB: on the placement's first day (`AT_EVENT`, as recorded) or its own ICB `today`
/// (`CURRENT_SUCCESSOR`, so a host in a split ICB goes where it went).
/// `select` reads placements `pl`; for `CURRENT_SUCCESSOR` it is joined to the hosts' ICBs on `today`.
fn host_icb(select: &mut SelectStatement, resolution: IcbResolution, today: NaiveDate) -> Expr {
    use entity::organisation_relationship::Column;
    match resolution {
        IcbResolution::AtEvent => col("pl", placement::Column::HostIcbId),
        IcbResolution::CurrentSuccessor => {
            select.join_subquery(
                JoinType::InnerJoin,
                parents_on(RelationshipKind::InIcb, today),
                name("host_link"),
                col("host_link", Column::ChildId).equals((name("pl"), placement::Column::HostId)),
            );
            col("host_link", Column::ParentId)
        }
    }
}

/// Placements (not cancelled, starting in the filter's date range) whose host's ICB differs from the
/// programme owner's, counted and summed by (owner ICB, host ICB). `AT_EVENT`: the ICBs on the
/// placement's first day; `CURRENT_SUCCESSOR`: the owner's successor today and the host's own ICB today
/// (so a host in a split ICB goes where it went).
pub async fn cross_icb_flows<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
) -> Result<Vec<CrossIcbFlowRow>, AppError> {
    let today = filter.as_of();
    let successions = Successions::load(db).await?;
    let owner = successions.programme_owner(&col("pl", placement::Column::StartDate), filter.resolution, today);
    let mut flows = placements_of_programmes(filter, scope);
    let host = host_icb(&mut flows, filter.resolution, today);
    flows
        .expr_as(col("pl", placement::Column::Wte), name("wte"))
        .expr_as(owner, name("owner_icb"))
        .expr_as(host, name("host_icb"));
    if let Some(from) = filter.from {
        flows.and_where(col("pl", placement::Column::StartDate).gte(from));
    }
    if let Some(to) = filter.to {
        flows.and_where(col("pl", placement::Column::StartDate).lte(to));
    }
    let owner = || col("flows", name("owner_icb"));
    let host = || col("flows", name("host_icb"));
    let mut select = Query::select();
    select
        .expr_as(owner(), name("owner_icb"))
        .expr_as(host(), name("host_icb"))
        .expr_as(count_as_integer(), name("placements"))
        .expr_as(Func::sum(col("flows", name("wte"))), name("wte"))
        .from_subquery(flows, name("flows"))
        .and_where(owner().ne(host()))
        .add_group_by([owner(), host()]);
    if !filter.icbs.is_empty() {
        let icbs = organisations::ids_of_codes(db, &filter.icbs).await?;
        select.and_where(owner().is_in(icbs.iter().copied()).or(host().is_in(icbs)));
    }
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        let in_regions = || super::sql::children_of(RelationshipKind::IcbInRegion, &regions, None);
        select.and_where(owner().in_subquery(in_regions()).or(host().in_subquery(in_regions())));
    }
    let mut figures = Vec::new();
    for row in rows(db, &select).await? {
        let owner: Option<Uuid> = row.try_get("", "owner_icb")?;
        let host: Option<Uuid> = row.try_get("", "host_icb")?;
        let wte: Option<f64> = row.try_get("", "wte")?;
        if let (Some(owner), Some(host)) = (owner, host) {
            figures.push((owner, host, get_u64(&row, "placements")?, wte.unwrap_or(0.0)));
        }
    }
    let ids: Vec<Uuid> = figures.iter().flat_map(|(owner, host, _, _)| [*owner, *host]).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<CrossIcbFlowRow> = figures
        .into_iter()
        .filter_map(|(owner, host, placements, wte)| {
            let placements = suppression.count(placements);
            Some(CrossIcbFlowRow {
                owner: labels.get(&owner)?.clone(),
                host: labels.get(&host)?.clone(),
                placements,
                wte: suppression.measure(wte, placements),
            })
        })
        .collect();
    report.sort_by(|a, b| (&a.owner.code, &a.host.code).cmp(&(&b.owner.code, &b.host.code)));
    Ok(report)
}

/// The periods of `granularity` that overlap `from ..= to`, at most one more than [`MAX_PERIODS`].
pub fn periods(granularity: Granularity, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate, String)> {
    use chrono::{Datelike, Months};
    let mut start = match granularity {
        Granularity::Month => from.with_day(1).unwrap_or(from),
        Granularity::NhsFinancialYear => {
            let year = if from.month() >= 4 { from.year() } else { from.year() - 1 };
            NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(from)
        }
    };
    let step = match granularity {
        Granularity::Month => Months::new(1),
        Granularity::NhsFinancialYear => Months::new(12),
    };
    let mut periods = Vec::new();
    // One past the most, so that a range over it can be told apart.
    while start <= to && periods.len() <= MAX_PERIODS {
        let Some(next) = start.checked_add_months(step) else { break };
        let end = next.pred_opt().unwrap_or(next);
        let label = match granularity {
            Granularity::Month => start.format("%Y-%m").to_string(),
            Granularity::NhsFinancialYear => format!("{}/{:02}", start.year(), (start.year() + 1) % 100),
        };
        periods.push((start, end, label));
        start = next;
    }
    periods
}

/// Days from `start` to `end`, both included, on `backend`.
fn days_between(backend: DbBackend, start: Expr, end: Expr) -> Expr {
    let span = match backend {
        DbBackend::Postgres => end.sub(start),
        _ => Expr::from(Func::cust("julianday").arg(end)).sub(Expr::from(Func::cust("julianday").arg(start))),
    };
    span.add(1)
}

/// Placements under way, pharmacist-months and average WTE, by period and sector, for the periods of
/// `granularity` from the filter's `from` (default: twelve months before `asOf`) to its `to` (default:
/// `asOf`). ICB and region filters match the host's ICB (`AT_EVENT`: on the placement's first day;
/// `CURRENT_SUCCESSOR`: today).
pub async fn placement_activity<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    granularity: Granularity,
) -> Result<Vec<ActivityRow>, AppError> {
    let as_of = filter.as_of();
    let to = filter.to.unwrap_or(as_of);
    let from = filter.from.unwrap_or_else(|| to - chrono::Duration::days(365));
    let periods = periods(granularity, from, to);
    if periods.len() > MAX_PERIODS {
        return Err(AppError::invalid("filter", format!("spans more than {MAX_PERIODS} periods: narrow from and to")));
    }
    let Some((first, rest)) = periods.split_first() else { return Ok(Vec::new()) };
    let period = |(start, end, _): &(NaiveDate, NaiveDate, String)| {
        Query::select()
            .expr_as(Expr::val(*start), name("period_start"))
            .expr_as(Expr::val(*end), name("period_end"))
            .take()
    };
    let mut series = period(first);
    for next in rest {
        series.union(UnionType::All, period(next));
    }
    let (period_start, period_end) = (col("periods", name("period_start")), col("periods", name("period_end")));
    let (start, end) = (col("pl", placement::Column::StartDate), col("pl", placement::Column::EndDate));
    let overlap = days_between(
        db.get_database_backend(),
        Func::greatest([start.clone(), period_start.clone()]).into(),
        Func::least([end.clone(), period_end.clone()]).into(),
    );

    let mut select = placements_of_programmes(filter, scope);
    select
        .expr_as(period_start.clone(), name("period_start"))
        .expr_as(col("pl", placement::Column::Sector), name("sector"))
        .expr_as(count_as_integer(), name("placements"))
        .expr_as(Func::sum(overlap.clone()), name("days"))
        .expr_as(Func::sum(overlap.mul(col("pl", placement::Column::Wte))), name("wte_days"))
        .join_subquery(
            JoinType::InnerJoin,
            series,
            name("periods"),
            start.lte(period_end).and(end.gte(period_start.clone())),
        )
        .add_group_by([period_start, col("pl", placement::Column::Sector)]);
    if filter.limits_places() {
        let mut icbs = organisations::ids_of_codes(db, &filter.icbs).await?;
        if !filter.regions.is_empty() {
            let regions = organisations::ids_of_codes(db, &filter.regions).await?;
            let members = organisations::children_on(db, &regions, RelationshipKind::IcbInRegion, as_of).await?;
            let codes: Vec<String> = members.into_values().flatten().map(|icb| icb.ods_code).collect();
            icbs.extend(organisations::icbs_with_predecessors(db, &codes).await?);
        }
        let host = host_icb(&mut select, filter.resolution, filter.today);
        select.and_where(host.is_in(icbs));
    }
    let by_start: HashMap<NaiveDate, &(NaiveDate, NaiveDate, String)> =
        periods.iter().map(|period| (period.0, period)).collect();
    let mut report = Vec::new();
    for row in rows(db, &select).await? {
        let start: NaiveDate = row.try_get("", "period_start")?;
        let sector: Sector = row.try_get("", "sector")?;
        let days = number(&row, "days")?;
        let wte_days = number(&row, "wte_days")?;
        let Some((period_start, period_end, label)) = by_start.get(&start).map(|period| (*period).clone()) else {
            continue;
        };
        let period_days = ((period_end - period_start).num_days() + 1) as f64;
        let placements = suppression.count(get_u64(&row, "placements")?);
        report.push(ActivityRow {
            period_start,
            period_end,
            period: label,
            sector,
            placements,
            pharmacist_months: suppression.measure(days / 30.4375, placements),
            wte: suppression.measure(wte_days / period_days, placements),
        });
    }
    report
        .sort_by(|a, b| (a.period_start, format!("{:?}", a.sector)).cmp(&(b.period_start, format!("{:?}", b.sector))));
    Ok(report)
}
