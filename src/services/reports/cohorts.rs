//! Figures over cohorts, by intake date: fill rate, independent prescribers, rotations ending.

use super::disclosure::{Count, Suppression, share};
use super::sql::{Successions, col, is, is_not, is_one_of, name, one_if, parent_on, sum_as_integer};
use super::{CohortGrouping, IcbResolution, ReportFilter, ReportGroup, get_u64, group_labels, rows};
use crate::error::AppError;
use crate::services::access::{RecordScope, Scope};
use crate::services::organisations;
use entity::enums::{MembershipStatus, PlacementStatus, RelationshipKind};
use entity::{cohort, pharmacist, placement, programme_membership, rotation_programme};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, JoinType, Query};

/// One row of the fill-rate report.
#[derive(Clone, Debug, PartialEq)]
pub struct FillRateRow {
    pub group: ReportGroup,
    pub places_offered: u64,
    pub offered: Count,
    pub accepted: Count,
    pub active: Count,
    pub completed: Count,
    pub withdrawn: Count,
    /// Places taken (accepted, active or completed) ÷ places offered; suppressed with any of its parts.
    pub fill_rate: Option<f64>,
}

/// One row of the independent-prescriber report.
#[derive(Clone, Debug, PartialEq)]
pub struct PrescriberRow {
    pub group: ReportGroup,
    /// Members who took a place (accepted, active or completed).
    pub members: Count,
    /// Those members annotated as independent prescribers on the report's `asOf`.
    pub prescribers: Count,
    /// Prescribers ÷ members; suppressed with either count.
    pub share: Option<f64>,
}

/// One row of the rotations-ending report.
#[derive(Clone, Debug, PartialEq)]
pub struct RotationsEndingRow {
    pub group: ReportGroup,
    /// Active members.
    pub active: Count,
    /// Active members whose rotation is planned to end within the window.
    pub ending: Count,
    /// Active members whose planned placements stop short of the rotation's planned end: a next placement
    /// still has to be booked.
    pub without_next_placement: Count,
}

/// A membership that took a place: accepted, active or completed.
fn took_a_place() -> Expr {
    is_one_of(
        col("m", programme_membership::Column::Status),
        [MembershipStatus::Accepted, MembershipStatus::Active, MembershipStatus::Completed],
    )
}

/// Fill rate of cohorts with an intake in the filter's date range, grouped as asked.
pub async fn fill_rate<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: CohortGrouping,
) -> Result<Vec<FillRateRow>, AppError> {
    let statuses = [
        MembershipStatus::Offered,
        MembershipStatus::Accepted,
        MembershipStatus::Active,
        MembershipStatus::Completed,
        MembershipStatus::Withdrawn,
    ];
    let sums = statuses.map(|status| one_if(is(col("m", programme_membership::Column::Status), status)));
    let groups = cohort_groups(db, scope, filter, grouping, sums.to_vec()).await?;
    Ok(groups
        .into_iter()
        .map(|(group, places, sums)| {
            let [offered, accepted, active, completed, withdrawn] =
                [0, 1, 2, 3, 4].map(|index| suppression.count(sums[index]));
            let taken = match (accepted, active, completed) {
                (Some(accepted), Some(active), Some(completed)) => Some(accepted + active + completed),
                _ => None,
            };
            FillRateRow {
                group,
                places_offered: places,
                offered,
                accepted,
                active,
                completed,
                withdrawn,
                fill_rate: share(taken, Some(places)),
            }
        })
        .collect())
}

/// Independent prescribers among the members of cohorts (by intake date within the filter's range) on
/// the filter's `asOf`, grouped as asked.
pub async fn independent_prescribers<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: CohortGrouping,
) -> Result<Vec<PrescriberRow>, AppError> {
    let prescriber = col("ph", pharmacist::Column::IndependentPrescriberSince).lte(filter.as_of());
    let sums = vec![one_if(took_a_place()), one_if(took_a_place().and(prescriber))];
    let groups = cohort_groups(db, scope, filter, grouping, sums).await?;
    Ok(groups
        .into_iter()
        .map(|(group, _, sums)| {
            let members = suppression.count(sums[0]);
            let prescribers = suppression.count(sums[1]);
            PrescriberRow { group, members, prescribers, share: share(prescribers, members) }
        })
        .collect())
}

/// Active members of cohorts (by intake date within the filter's range), those whose rotation ends within
/// `within_days` of the filter's `asOf`, and those with no placement booked up to their planned end.
pub async fn rotations_ending<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: CohortGrouping,
    within_days: u32,
) -> Result<Vec<RotationsEndingRow>, AppError> {
    let as_of = filter.as_of();
    let until = as_of + chrono::Duration::days(i64::from(within_days));
    let active = || is(col("m", programme_membership::Column::Status), MembershipStatus::Active);
    let planned_end = || col("m", programme_membership::Column::PlannedEndDate);
    let booked_to_the_end = Query::select()
        .expr(Expr::val(1))
        .from_as(placement::Entity, name("pl"))
        .and_where(col("pl", placement::Column::MembershipId).equals((name("m"), programme_membership::Column::Id)))
        .and_where(is_not(col("pl", placement::Column::Status), PlacementStatus::Cancelled))
        .and_where(col("pl", placement::Column::EndDate).gte(planned_end()))
        .take();
    let sums = vec![
        one_if(active()),
        one_if(active().and(planned_end().gte(as_of)).and(planned_end().lte(until))),
        one_if(active().and(Expr::exists(booked_to_the_end).not())),
    ];
    let groups = cohort_groups(db, scope, filter, grouping, sums).await?;
    Ok(groups
        .into_iter()
        .map(|(group, _, sums)| {
            let [active, ending, without_next_placement] = [0, 1, 2].map(|index| suppression.count(sums[index]));
            RotationsEndingRow { group, active, ending, without_next_placement }
        })
        .collect())
}

/// Per-group figures over cohorts (by intake date within the filter's range): the places offered and
/// one sum per `membership_sums` entry, an expression over a membership `m` and its pharmacist `ph`. One
/// grouped statement, plus constant-size lookups.
async fn cohort_groups<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
    grouping: CohortGrouping,
    membership_sums: Vec<Expr>,
) -> Result<Vec<(ReportGroup, u64, Vec<u64>)>, AppError> {
    let today = filter.as_of();
    let successions = Successions::load(db).await?;
    let sum_names: Vec<String> = (0..membership_sums.len()).map(|index| format!("s{index}")).collect();

    // Each cohort with its programme's recorded owner, the owner after resolution, and the day whose
    // region counts (the latest region the owner had by then, so that a dissolved ICB that could not be
    // rolled up keeps its last region).
    let owner = successions.programme_owner(&col("c", cohort::Column::IntakeDate), filter.resolution, today);
    let region_day = match filter.resolution {
        IcbResolution::AtEvent => col("c", cohort::Column::IntakeDate),
        IcbResolution::CurrentSuccessor => Expr::val(today),
    };
    let resolved = Query::select()
        .columns([
            (name("c"), cohort::Column::Id),
            (name("c"), cohort::Column::ProgrammeId),
            (name("c"), cohort::Column::IntakeDate),
            (name("c"), cohort::Column::PlacesOffered),
        ])
        .expr_as(col("p", rotation_programme::Column::OwnerIcbId), name("recorded_owner"))
        .expr_as(owner, name("owner_icb"))
        .expr_as(region_day, name("region_day"))
        .from_as(cohort::Entity, name("c"))
        .join_as(
            JoinType::InnerJoin,
            rotation_programme::Entity,
            name("p"),
            col("p", rotation_programme::Column::Id).equals((name("c"), cohort::Column::ProgrammeId)),
        )
        .take();
    let owned = Query::select()
        .column((name("resolved"), Asterisk))
        .expr_as(
            parent_on(
                RelationshipKind::IcbInRegion,
                col("resolved", name("owner_icb")),
                col("resolved", name("region_day")),
            ),
            name("region_id"),
        )
        .from_subquery(resolved, name("resolved"))
        .take();

    // The membership sums of each cohort.
    let mut sums = Query::select();
    sums.column((name("m"), programme_membership::Column::CohortId))
        .from_as(programme_membership::Entity, name("m"))
        .join_as(
            JoinType::InnerJoin,
            pharmacist::Entity,
            name("ph"),
            col("ph", pharmacist::Column::Id).equals((name("m"), programme_membership::Column::PharmacistId)),
        )
        .group_by_col((name("m"), programme_membership::Column::CohortId));
    for (sum, sum_name) in membership_sums.into_iter().zip(&sum_names) {
        sums.expr_as(Func::sum(sum), name(sum_name));
    }

    let key = match grouping {
        CohortGrouping::Cohort => col("owned", cohort::Column::Id),
        CohortGrouping::Programme => col("owned", cohort::Column::ProgrammeId),
        CohortGrouping::Icb => col("owned", name("owner_icb")),
        CohortGrouping::Region => col("owned", name("region_id")),
    };
    let mut select = Query::select();
    select
        .expr_as(key.clone(), name("group_id"))
        .expr_as(sum_as_integer(col("owned", cohort::Column::PlacesOffered)), name("places_offered"))
        .from_subquery(owned, name("owned"))
        .join_subquery(
            JoinType::LeftJoin,
            sums.take(),
            name("sums"),
            col("sums", programme_membership::Column::CohortId).equals((name("owned"), cohort::Column::Id)),
        )
        .add_group_by([key]);
    for sum_name in &sum_names {
        select.expr_as(
            sum_as_integer(Func::coalesce([col("sums", name(sum_name)), Expr::val(0)]).into()),
            name(sum_name),
        );
    }
    if let Some(from) = filter.from {
        select.and_where(col("owned", cohort::Column::IntakeDate).gte(from));
    }
    if let Some(to) = filter.to {
        select.and_where(col("owned", cohort::Column::IntakeDate).lte(to));
    }
    if !filter.programmes.is_empty() {
        select.and_where(col("owned", cohort::Column::ProgrammeId).is_in(filter.programmes.iter().copied()));
    }
    if !filter.icbs.is_empty() {
        let icbs = organisations::ids_of_codes(db, &filter.icbs).await?;
        select.and_where(col("owned", name("owner_icb")).is_in(icbs));
    }
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        select.and_where(col("owned", name("region_id")).is_in(regions));
    }
    if let RecordScope::Icbs(icbs) = &scope.records {
        // These figures count memberships: an ICB reader sees its own programmes' cohorts.
        select.and_where(col("owned", name("recorded_owner")).is_in(icbs.iter().copied()));
    }

    let mut figures = Vec::new();
    for row in rows(db, &select).await? {
        let id: Option<uuid::Uuid> = row.try_get("", "group_id")?;
        let Some(id) = id else { continue };
        let sums = sum_names.iter().map(|sum_name| get_u64(&row, sum_name)).collect::<Result<_, _>>()?;
        figures.push((id, get_u64(&row, "places_offered")?, sums));
    }
    let ids: Vec<uuid::Uuid> = figures.iter().map(|(id, _, _)| *id).collect();
    let labels = group_labels(db, grouping, &ids).await?;
    let mut groups: Vec<(ReportGroup, u64, Vec<u64>)> =
        figures.into_iter().filter_map(|(id, places, sums)| Some((labels.get(&id)?.clone(), places, sums))).collect();
    groups.sort_by(|a, b| a.0.code.cmp(&b.0.code).then(a.0.id.cmp(&b.0.id)));
    Ok(groups)
}
