use super::pagination::Relation;
use crate::domain::OdsCode;
use crate::error::AppError;
use crate::reference::succession::{IcbValidity, SuccessionGraph, SuccessionStep};
use chrono::NaiveDate;
use entity::enums::{OrganisationKind, RelationshipKind};
use entity::{organisation, organisation_relationship, organisation_succession, rotation_programme};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    RelationTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Rows valid on `on`: `valid_from <= on` and `valid_to` open or `>= on`.
fn valid_on<C: ColumnTrait>(from: C, to: C, on: NaiveDate) -> Condition {
    Condition::all().add(from.lte(on)).add(Condition::any().add(to.is_null()).add(to.gte(on)))
}

/// `SELECT id FROM organisation` of this kind with one of these ODS codes (and existing on `on`, if given).
fn ids_of(codes: &[String], kind: OrganisationKind, existing_on: Option<NaiveDate>) -> SelectStatement {
    let mut select = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .filter(organisation::Column::OdsCode.is_in(codes.iter().map(String::as_str)))
        .filter(organisation::Column::Kind.eq(kind));
    if let Some(on) = existing_on {
        select = select.filter(valid_on(organisation::Column::LegalStartDate, organisation::Column::LegalEndDate, on));
    }
    select.into_query()
}

/// `SELECT child_id` of the relationships of `kind` valid on `on` whose parent is in `parents`.
fn children_of(parents: SelectStatement, kind: RelationshipKind, on: NaiveDate) -> SelectStatement {
    organisation_relationship::Entity::find()
        .select_only()
        .column(organisation_relationship::Column::ChildId)
        .filter(organisation_relationship::Column::Kind.eq(kind))
        .filter(valid_on(organisation_relationship::Column::ValidFrom, organisation_relationship::Column::ValidTo, on))
        .filter(organisation_relationship::Column::ParentId.in_subquery(parents))
        .into_query()
}

/// Organisations that belonged, on `on`, to one of the ICBs with these ODS codes (an ICB that exists on
/// `on` counts as its own member).
pub fn in_icbs_on(codes: &[String], on: NaiveDate) -> Condition {
    let members = children_of(ids_of(codes, OrganisationKind::Icb, None), RelationshipKind::InIcb, on);
    Condition::any()
        .add(organisation::Column::Id.in_subquery(members))
        .add(organisation::Column::Id.in_subquery(ids_of(codes, OrganisationKind::Icb, Some(on))))
}

/// Organisations that belonged, on `on`, to an ICB of one of the regions with these ODS codes (the ICBs
/// and regions themselves included).
pub fn in_regions_on(codes: &[String], on: NaiveDate) -> Condition {
    let regions = ids_of(codes, OrganisationKind::Region, None);
    let icbs = children_of(regions.clone(), RelationshipKind::IcbInRegion, on);
    let members = children_of(icbs.clone(), RelationshipKind::InIcb, on);
    Condition::any()
        .add(organisation::Column::Id.in_subquery(members))
        .add(organisation::Column::Id.in_subquery(icbs))
        .add(organisation::Column::Id.in_subquery(regions))
}

/// The ids of the ICBs with these ODS codes and of every ICB they took over (transitively): the ICBs
/// whose records roll up into them.
pub async fn icbs_with_predecessors<C: ConnectionTrait>(db: &C, codes: &[String]) -> Result<Vec<Uuid>, AppError> {
    let by_code = icbs_with_predecessors_by_code(db, codes).await?;
    let ids: std::collections::BTreeSet<Uuid> = by_code.into_values().flatten().collect();
    Ok(ids.into_iter().collect())
}

/// For each of these ODS codes, the ids of the ICB with that code and of every ICB it took over
/// (transitively), in two statements whatever the number of codes; an unknown code has none.
pub async fn icbs_with_predecessors_by_code<C: ConnectionTrait>(
    db: &C,
    codes: &[String],
) -> Result<HashMap<String, Vec<Uuid>>, AppError> {
    let icbs = organisation::Entity::find()
        .filter(organisation::Column::OdsCode.is_in(codes.iter().map(String::as_str)))
        .filter(organisation::Column::Kind.eq(OrganisationKind::Icb))
        .all(db)
        .await?;
    let steps = organisation_succession::Entity::find().all(db).await?;
    let mut by_code: HashMap<String, Vec<Uuid>> = codes.iter().map(|code| (code.clone(), Vec::new())).collect();
    for icb in icbs {
        let mut ids = std::collections::BTreeSet::from([icb.id]);
        loop {
            let before = ids.len();
            let predecessors: Vec<Uuid> =
                steps.iter().filter(|step| ids.contains(&step.successor_id)).map(|step| step.predecessor_id).collect();
            ids.extend(predecessors);
            if ids.len() == before {
                break;
            }
        }
        by_code.insert(icb.ods_code, ids.into_iter().collect());
    }
    Ok(by_code)
}

/// The ids of the organisations with these ODS codes (one statement; none for no codes).
pub async fn ids_of_codes<C: ConnectionTrait>(db: &C, codes: &[String]) -> Result<Vec<Uuid>, AppError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    Ok(organisation::Entity::find()
        .filter(organisation::Column::OdsCode.is_in(codes.iter().map(String::as_str)))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect())
}

/// The ICBs that existed on `on`, by name.
pub async fn icbs_on<C: ConnectionTrait>(db: &C, on: NaiveDate) -> Result<Vec<organisation::Model>, AppError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::Icb))
        .filter(valid_on(organisation::Column::LegalStartDate, organisation::Column::LegalEndDate, on))
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?)
}

/// The NHS England regions, by ODS code.
pub async fn regions<C: ConnectionTrait>(db: &C) -> Result<Vec<organisation::Model>, AppError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::Region))
        .order_by_asc(organisation::Column::OdsCode)
        .all(db)
        .await?)
}

/// The organisation with this ODS code, if any.
pub async fn by_ods_code<C: ConnectionTrait>(db: &C, code: &OdsCode) -> Result<Option<organisation::Model>, AppError> {
    Ok(organisation::Entity::find().filter(organisation::Column::OdsCode.eq(code.as_str())).one(db).await?)
}

/// Organisations by id, in one statement.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, organisation::Model>, AppError> {
    let rows = organisation::Entity::find().filter(organisation::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}

/// The parent of each child by a relationship of `kind` valid on `on`, in one statement.
pub async fn parents_on<C: ConnectionTrait>(
    db: &C,
    children: &[Uuid],
    kind: RelationshipKind,
    on: NaiveDate,
) -> Result<HashMap<Uuid, organisation::Model>, AppError> {
    let rows = organisation_relationship::Entity::find()
        .filter(organisation_relationship::Column::Kind.eq(kind))
        .filter(organisation_relationship::Column::ChildId.is_in(children.iter().copied()))
        .filter(valid_on(organisation_relationship::Column::ValidFrom, organisation_relationship::Column::ValidTo, on))
        .join(JoinType::InnerJoin, organisation_relationship::Relation::Parent.def())
        .select_also(organisation::Entity)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(link, parent)| parent.map(|parent| (link.child_id, parent))).collect())
}

/// The children of each parent by a relationship of `kind` valid on `on`, by name, in one statement.
pub async fn children_on<C: ConnectionTrait>(
    db: &C,
    parents: &[Uuid],
    kind: RelationshipKind,
    on: NaiveDate,
) -> Result<HashMap<Uuid, Vec<organisation::Model>>, AppError> {
    let rows = organisation_relationship::Entity::find()
        .filter(organisation_relationship::Column::Kind.eq(kind))
        .filter(organisation_relationship::Column::ParentId.is_in(parents.iter().copied()))
        .filter(valid_on(organisation_relationship::Column::ValidFrom, organisation_relationship::Column::ValidTo, on))
        .join(JoinType::InnerJoin, organisation_relationship::Relation::Child.def())
        .select_also(organisation::Entity)
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?;
    let mut children: HashMap<Uuid, Vec<organisation::Model>> = HashMap::new();
    for (link, child) in rows {
        if let Some(child) = child {
            children.entry(link.parent_id).or_default().push(child);
        }
    }
    Ok(children)
}

/// The organisations linked under a parent by a relationship of `kind` on `on` (the members of an ICB, the
/// practices of a PCN, the sites of a trust), as the relation `name` whose parent is the link's parent.
pub fn children_relation(name: &'static str, kind: RelationshipKind, on: NaiveDate) -> Relation<organisation::Entity> {
    use organisation_relationship::Column;
    let select =
        organisation::Entity::find().join(JoinType::InnerJoin, organisation_relationship::Relation::Child.def().rev());
    Relation::through(name, select, Expr::col((organisation_relationship::Entity, Column::ParentId)))
        .filter(Condition::all().add(Column::Kind.eq(kind)))
        .filter(valid_on(Column::ValidFrom, Column::ValidTo, on))
}

/// The rotation programmes each ICB answers for: its own and those of the ICBs it took over (a programme
/// of a dissolved ICB belongs to the ICB itself and to each successor).
pub fn programmes_of_icbs() -> Relation<rotation_programme::Entity> {
    let (icb, owner, owners) = (Alias::new("icb"), Alias::new("owner"), Alias::new("owners"));
    let mut own = Query::select()
        .expr_as(Expr::col(organisation::Column::Id), icb.clone())
        .expr_as(Expr::col(organisation::Column::Id), owner.clone())
        .from(organisation::Entity)
        .and_where(organisation::Column::Kind.eq(OrganisationKind::Icb))
        .take();
    let taken_over = Query::select()
        .expr_as(Expr::col(organisation_succession::Column::SuccessorId), icb.clone())
        .expr_as(Expr::col(organisation_succession::Column::PredecessorId), owner.clone())
        .from(organisation_succession::Entity)
        .take();
    let mut select = rotation_programme::Entity::find();
    QueryTrait::query(&mut select).join_subquery(
        JoinType::InnerJoin,
        own.union(UnionType::All, taken_over).take(),
        owners.clone(),
        Expr::col((owners.clone(), owner)).equals((rotation_programme::Entity, rotation_programme::Column::OwnerIcbId)),
    );
    Relation::through("Icb.programmes", select, Expr::col((owners, icb)))
}

/// Which way along the succession graph to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The organisations this one succeeded.
    Predecessors,
    /// The organisations that succeeded this one.
    Successors,
}

/// The succession steps into (predecessors) or out of (successors) each organisation, in one statement.
pub async fn successions_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
    direction: Direction,
) -> Result<HashMap<Uuid, Vec<organisation_succession::Model>>, AppError> {
    let column = match direction {
        Direction::Predecessors => organisation_succession::Column::SuccessorId,
        Direction::Successors => organisation_succession::Column::PredecessorId,
    };
    let rows = organisation_succession::Entity::find()
        .filter(column.is_in(ids.iter().copied()))
        .order_by_asc(organisation_succession::Column::EffectiveDate)
        .all(db)
        .await?;
    let mut steps: HashMap<Uuid, Vec<organisation_succession::Model>> = HashMap::new();
    for step in rows {
        let key = match direction {
            Direction::Predecessors => step.successor_id,
            Direction::Successors => step.predecessor_id,
        };
        steps.entry(key).or_default().push(step);
    }
    Ok(steps)
}

/// The ICB succession graph by organisation id (two statements: ICBs and steps).
pub async fn succession_graph<C: ConnectionTrait>(db: &C) -> Result<SuccessionGraph<Uuid>, AppError> {
    let icbs =
        organisation::Entity::find().filter(organisation::Column::Kind.eq(OrganisationKind::Icb)).all(db).await?;
    let steps = organisation_succession::Entity::find().all(db).await?;
    Ok(SuccessionGraph::new(
        icbs.into_iter()
            .filter_map(|icb| {
                icb.legal_start_date.map(|valid_from| IcbValidity {
                    icb: icb.id,
                    valid_from,
                    valid_to: icb.legal_end_date,
                })
            })
            .collect(),
        steps
            .into_iter()
            .map(|step| SuccessionStep {
                predecessor: step.predecessor_id,
                successor: step.successor_id,
                effective_date: step.effective_date,
                kind: step.kind,
            })
            .collect(),
    ))
}

/// Changes to an organisation (reference data); absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub postcode: Option<Option<String>>,
    /// The last day the organisation existed (it closed).
    /// `Some(None)` clears it.
    pub legal_end_date: Option<Option<NaiveDate>>,
}

/// Updates an organisation: reference data, which only a `national` administrator changes.
pub async fn update_organisation(
    db: &sea_orm::DatabaseConnection,
    actor: &super::writes::Actor,
    id: Uuid,
    expected_version: i32,
    changes: &OrganisationChanges,
) -> Result<super::writes::Outcome<organisation::Model>, AppError> {
    use super::writes::{Change, UserError, WriteAccess, checked, refuse_all};
    let change = Change::begin(db, actor, "updateOrganisation", WriteAccess::National).await?;
    let before = checked!(change.current::<organisation::Entity>(id, expected_version).await?);
    let after = organisation::Model {
        name: changes.name.as_deref().map_or(before.name.clone(), |name| name.trim().to_owned()),
        postcode: match &changes.postcode {
            Some(postcode) => postcode.as_deref().map(|postcode| postcode.trim().to_ascii_uppercase()),
            None => before.postcode.clone(),
        },
        legal_end_date: changes.legal_end_date.unwrap_or(before.legal_end_date),
        version: before.version + 1,
        ..before.clone()
    };
    let mut errors = Vec::new();
    super::programmes::check_name("name", &after.name, 200, &mut errors);
    if after.postcode.as_deref().is_some_and(|postcode| postcode.is_empty() || postcode.len() > 8) {
        errors.push(UserError::new("postcode", "must be a UK postcode", "INVALID_POSTCODE"));
    }
    if let (Some(start), Some(end)) = (after.legal_start_date, after.legal_end_date)
        && end < start
    {
        errors.push(UserError::new("legalEndDate", "is before the organisation opened", "INVALID_DATES"));
    }
    if let Some(refused) = refuse_all(errors) {
        return refused;
    }
    let updated = change.update::<organisation::Entity, _>(None, id, &before, after).await?;
    change.commit().await?;
    Ok(Ok(updated))
}
