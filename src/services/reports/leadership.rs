//! Leadership on a date: ICB medicines leadership, programmes without a clinical lead, consultant-lead
//! coverage of trusts. Each counts only the leads and roles its reader may list, of the ICBs and trusts
//! it answers for.

use super::sql::{
    and_visible, answered_icbs, answered_organisations, children_of, col, is, name, one_if, valid_on, visible,
};
use super::{CohortGrouping, ReportFilter, ReportGroup, get_u64, group_labels, organisation_labels, rows};
use crate::error::AppError;
use crate::services::access::Scope;
use crate::services::organisations;
use chrono::NaiveDate;
use entity::enums::{MedicinesRole, OrganisationKind, ProgrammeLeadRole, RelationshipKind, Specialism};
use entity::{consultant_lead, icb_medicines_role, organisation, programme_lead, rotation_programme};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, Query};
use std::collections::HashMap;
use uuid::Uuid;

/// Medicines leadership of one ICB on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcbLeadershipRow {
    pub icb: ReportGroup,
    pub board_medicines_lead: bool,
    pub chief_pharmacist: bool,
    pub director_of_medicines_optimisation: bool,
}

/// Consultant-pharmacist lead coverage of one trust on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadCoverageRow {
    pub trust: ReportGroup,
    /// The specialisms with a lead on the date, in order; empty for a trust without a lead.
    pub specialisms: Vec<Specialism>,
}

/// The organisation `o` was legally open on `day`.
fn open_on(day: NaiveDate) -> Expr {
    let (start, end) = (col("o", organisation::Column::LegalStartDate), col("o", organisation::Column::LegalEndDate));
    start.clone().is_null().or(start.lte(day)).and(end.clone().is_null().or(end.gte(day)))
}

/// Every ICB that existed on the filter's `asOf` (limited to its ICBs and regions, if given), with whether
/// it had a board-level medicines lead, a chief pharmacist and a director of medicines optimisation then.
pub async fn icb_medicines_leadership<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<IcbLeadershipRow>, AppError> {
    use icb_medicines_role::Column;
    let as_of = filter.as_of();
    // The roles the reader may read (as `icbMedicinesRoles` lists them), of the ICBs it answers for.
    let held_on_the_day = col("r", Column::IcbId).equals((name("o"), organisation::Column::Id)).and(valid_on(
        "r",
        Column::ValidFrom,
        Column::ValidTo,
        as_of,
    ));
    let joined = and_visible::<icb_medicines_role::Entity>(held_on_the_day, col("r", Column::Id), scope);
    let held = |role: MedicinesRole| -> Expr {
        Func::cast_as(Func::max(one_if(is(col("r", Column::Role), role))), name("BIGINT")).into()
    };
    let mut select = Query::select();
    select
        .expr_as(col("o", organisation::Column::Id), name("icb"))
        .expr_as(held(MedicinesRole::BoardMedicinesLead), name("board"))
        .expr_as(held(MedicinesRole::ChiefPharmacist), name("chief"))
        .expr_as(held(MedicinesRole::DirectorOfMedicinesOptimisation), name("director"))
        .from_as(organisation::Entity, name("o"))
        .join_as(JoinType::LeftJoin, icb_medicines_role::Entity, name("r"), joined)
        .and_where(is(col("o", organisation::Column::Kind), OrganisationKind::Icb))
        .and_where(open_on(as_of))
        .and_where_option(answered_icbs(col("o", organisation::Column::Id), scope))
        .group_by_col((name("o"), organisation::Column::Id));
    if !filter.icbs.is_empty() {
        let icbs = organisations::ids_of_codes(db, &filter.icbs).await?;
        select.and_where(col("o", organisation::Column::Id).is_in(icbs));
    }
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        let in_regions = children_of(RelationshipKind::IcbInRegion, &regions, Some(as_of));
        select.and_where(col("o", organisation::Column::Id).in_subquery(in_regions));
    }
    let mut held_roles = Vec::new();
    for row in rows(db, &select).await? {
        let icb: Option<Uuid> = row.try_get("", "icb")?;
        if let Some(icb) = icb {
            let [board, chief, director] =
                [get_u64(&row, "board")?, get_u64(&row, "chief")?, get_u64(&row, "director")?].map(|held| held > 0);
            held_roles.push((icb, board, chief, director));
        }
    }
    let ids: Vec<Uuid> = held_roles.iter().map(|row| row.0).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<IcbLeadershipRow> = held_roles
        .into_iter()
        .filter_map(|(icb, board, chief, director)| {
            Some(IcbLeadershipRow {
                icb: labels.get(&icb)?.clone(),
                board_medicines_lead: board,
                chief_pharmacist: chief,
                director_of_medicines_optimisation: director,
            })
        })
        .collect();
    report.sort_by(|a, b| a.icb.code.cmp(&b.icb.code));
    Ok(report)
}

/// Programmes with no clinical lead on the filter's `asOf`, by code: limited to the filter's programmes,
/// to programmes its ICBs answer for (owned by them or by an ICB they took over), and to programmes owned
/// by an ICB of its regions.
pub async fn programmes_without_clinical_lead<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<ReportGroup>, AppError> {
    use programme_lead::Column;
    let owner = || col("p", rotation_programme::Column::OwnerIcbId);
    // A clinical lead the reader may read (as the programme's leads list them).
    let mut clinical_lead = Query::select();
    clinical_lead
        .expr(Expr::val(1))
        .from_as(programme_lead::Entity, name("l"))
        .and_where(col("l", Column::ProgrammeId).equals((name("p"), rotation_programme::Column::Id)))
        .and_where(is(col("l", Column::Role), ProgrammeLeadRole::Clinical))
        .and_where(valid_on("l", Column::ValidFrom, Column::ValidTo, filter.as_of()))
        .and_where_option(visible::<programme_lead::Entity>(col("l", Column::Id), scope));
    let mut select = Query::select();
    select
        .expr_as(col("p", rotation_programme::Column::Id), name("programme"))
        .from_as(rotation_programme::Entity, name("p"))
        .and_where(Expr::exists(clinical_lead.take()).not())
        // Only programmes of the ICBs the reader answers for, whose leads it may all read.
        .and_where_option(answered_icbs(owner(), scope));
    if !filter.programmes.is_empty() {
        select.and_where(col("p", rotation_programme::Column::Id).is_in(filter.programmes.iter().copied()));
    }
    if !filter.icbs.is_empty() {
        select.and_where(owner().is_in(organisations::icbs_with_predecessors(db, &filter.icbs).await?));
    }
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        select.and_where(owner().in_subquery(children_of(RelationshipKind::IcbInRegion, &regions, None)));
    }
    let mut ids = Vec::new();
    for row in rows(db, &select).await? {
        let id: Option<Uuid> = row.try_get("", "programme")?;
        ids.extend(id);
    }
    let labels = group_labels(db, CohortGrouping::Programme, &ids).await?;
    let mut programmes: Vec<ReportGroup> = ids.iter().filter_map(|id| labels.get(id).cloned()).collect();
    programmes.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(programmes)
}

/// Every trust open on the filter's `asOf` (in its ICBs and regions on that day, if given) with the
/// specialisms that had a consultant-pharmacist lead then.
pub async fn consultant_lead_coverage<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<LeadCoverageRow>, AppError> {
    use consultant_lead::Column;
    let as_of = filter.as_of();
    let trust = || col("o", organisation::Column::Id);
    // The leads the reader may read (as `consultantLeads` lists them), at the trusts it answers for.
    let leading_on_the_day = col("l", Column::TrustId).equals((name("o"), organisation::Column::Id)).and(valid_on(
        "l",
        Column::ValidFrom,
        Column::ValidTo,
        as_of,
    ));
    let joined = and_visible::<consultant_lead::Entity>(leading_on_the_day, col("l", Column::Id), scope);
    let mut select = Query::select();
    select
        .expr_as(trust(), name("trust"))
        .expr_as(col("l", Column::Specialism), name("specialism"))
        .from_as(organisation::Entity, name("o"))
        .join_as(JoinType::LeftJoin, consultant_lead::Entity, name("l"), joined)
        .and_where(is(col("o", organisation::Column::Kind), OrganisationKind::NhsTrust))
        .and_where(open_on(as_of))
        .and_where_option(answered_organisations(trust(), scope))
        .add_group_by([trust(), col("l", Column::Specialism)]);
    if filter.limits_places() {
        let mut codes = filter.icbs.clone();
        if !filter.regions.is_empty() {
            let regions = organisations::ids_of_codes(db, &filter.regions).await?;
            let icbs = organisations::children_on(db, &regions, RelationshipKind::IcbInRegion, as_of).await?;
            codes.extend(icbs.into_values().flatten().map(|icb| icb.ods_code));
        }
        let icbs = organisations::ids_of_codes(db, &codes).await?;
        select.and_where(trust().in_subquery(children_of(RelationshipKind::InIcb, &icbs, Some(as_of))));
    }
    let mut coverage: HashMap<Uuid, Vec<Specialism>> = HashMap::new();
    for row in rows(db, &select).await? {
        let trust: Option<Uuid> = row.try_get("", "trust")?;
        let specialism: Option<Specialism> = row.try_get("", "specialism")?;
        if let Some(trust) = trust {
            coverage.entry(trust).or_default().extend(specialism);
        }
    }
    let ids: Vec<Uuid> = coverage.keys().copied().collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<LeadCoverageRow> = coverage
        .into_iter()
        .filter_map(|(trust, mut specialisms)| {
            specialisms.sort_by_key(|specialism| format!("{specialism:?}"));
            Some(LeadCoverageRow { trust: labels.get(&trust)?.clone(), specialisms })
        })
        .collect();
    report.sort_by(|a, b| a.trust.code.cmp(&b.trust.code));
    Ok(report)
}
