//! The building blocks of the reports' statements, built with sea-query. A report restricts what it
//! counts with the very conditions the lists apply ([`Scoped::visible`], [`organisations_in`]), as
//! sub-selects, so a report never counts a record its reader could not list.

use super::IcbResolution;
use crate::error::AppError;
use crate::reference::succession::SuccessionGraph;
use crate::services::access::{Answering, RecordScope, Scope, Scoped, organisations_in};
use crate::services::organisations;
use chrono::NaiveDate;
use entity::enums::{RelationshipKind, SuccessionKind};
use entity::{organisation_relationship, organisation_succession, rotation_programme};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::{
    Alias, CaseStatement, Expr, ExprTrait, Func, IntoIden, Order, Query, SelectStatement, WindowStatement,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

/// `column` of the table or sub-select named `table` in the statement.
pub(super) fn col(table: &str, column: impl IntoIden) -> Expr {
    Expr::col((Alias::new(table), column))
}

/// A name given in the statement: a table alias or a selected column.
pub(super) fn name(name: &str) -> Alias {
    Alias::new(name)
}

/// `column` holds the stored value of `value`.
pub(super) fn is<V: ActiveEnum<Value = String> + Copy>(column: Expr, value: V) -> Expr {
    column.eq(value.to_value())
}

/// `column` does not hold the stored value of `value`.
pub(super) fn is_not<V: ActiveEnum<Value = String> + Copy>(column: Expr, value: V) -> Expr {
    column.ne(value.to_value())
}

/// `column` holds one of the stored values of `values`.
pub(super) fn is_one_of<V: ActiveEnum<Value = String>>(column: Expr, values: impl IntoIterator<Item = V>) -> Expr {
    column.is_in(values.into_iter().map(|value| value.to_value()))
}

/// 1 where `condition` holds, 0 elsewhere: summed, it counts the rows it holds for.
pub(super) fn one_if(condition: Expr) -> Expr {
    CaseStatement::new().case(condition, 1).finally(0).into()
}

/// `SUM(expression)` as a 64-bit integer on every backend.
pub(super) fn sum_as_integer(expression: Expr) -> Expr {
    Func::cast_as(Func::sum(expression), name("BIGINT")).into()
}

/// `COUNT(*)` as a 64-bit integer on every backend.
pub(super) fn count_as_integer() -> Expr {
    Func::cast_as(Func::count(Expr::col(sea_orm::sea_query::Asterisk)), name("BIGINT")).into()
}

/// A condition that holds for no row.
pub(super) fn nothing() -> Expr {
    Expr::val(1).eq(0)
}

/// `condition`, and `column` one of the records of `E` the reader may read (see [`visible`]).
pub(super) fn and_visible<E: Scoped + Default>(condition: Expr, column: Expr, scope: &Scope) -> Expr {
    match visible::<E>(column, scope) {
        Some(visible) => condition.and(visible),
        None => condition,
    }
}

/// `column` is one of the records of `E` the reader may read, as every list, relation and `node` reads
/// them; `None` for a reader of every record.
pub(super) fn visible<E: Scoped + Default>(column: Expr, scope: &Scope) -> Option<Expr> {
    (scope.records != RecordScope::All).then(|| {
        column.in_subquery(
            Query::select().column((E::default(), name("id"))).from(E::default()).cond_where(E::visible(scope)).take(),
        )
    })
}

/// `column` is an organisation attributed to the ICBs the reader answers for ([`organisations_in`], the
/// rule consultant leads and vacancies are read by); nothing for an anonymous reader; `None` for a
/// reader of everything.
pub(super) fn answered_organisations(column: Expr, scope: &Scope) -> Option<Expr> {
    match &scope.records {
        RecordScope::All => None,
        RecordScope::Public => Some(nothing()),
        RecordScope::Icbs(icbs) => {
            Some(column.in_subquery(organisations_in(Answering { icbs, split_from: &scope.split_from })))
        }
    }
}

/// `column` is one of the ICBs the reader answers for; nothing for an anonymous reader; `None` for a
/// reader of everything.
pub(super) fn answered_icbs(column: Expr, scope: &Scope) -> Option<Expr> {
    match &scope.records {
        RecordScope::All => None,
        RecordScope::Public => Some(nothing()),
        RecordScope::Icbs(icbs) => Some(column.is_in(icbs.iter().copied())),
    }
}

/// `valid_from <= day` and `valid_to` absent or on or after `day`, for dated rows of `table`.
pub(super) fn valid_on<C: IntoIden + Copy>(table: &str, valid_from: C, valid_to: C, day: NaiveDate) -> Expr {
    col(table, valid_from).lte(day).and(col(table, valid_to).is_null().or(col(table, valid_to).gte(day)))
}

/// The parent of kind `kind` that `child` had on `day`: the latest link that had started by then (so an
/// organisation whose ICB closed keeps its last one).
pub(super) fn parent_on(kind: RelationshipKind, child: Expr, day: Expr) -> Expr {
    use organisation_relationship::Column;
    Query::select()
        .column((name("link"), Column::ParentId))
        .from_as(organisation_relationship::Entity, name("link"))
        .and_where(col("link", Column::ChildId).eq(child))
        .and_where(is(col("link", Column::Kind), kind))
        .and_where(col("link", Column::ValidFrom).lte(day))
        .order_by((name("link"), Column::ValidFrom), Order::Desc)
        .limit(1)
        .take()
        .into()
}

/// Every organisation's parent of kind `kind` on `day` (the latest link that had started by then, as in
/// [`parent_on`]), as a sub-select of `(child_id, parent_id)` to join on: one pass over the links with a
/// window function, where [`parent_on`] probes the links once per row.
/// Join it with an inner join, dropping the rows without a parent (every report drops them anyway):
/// SQLite then scans the small materialised link list once and seeks the joined rows by index, where a
/// left join made it scan the whole list for every joined row.
pub(super) fn parents_on(kind: RelationshipKind, day: NaiveDate) -> SelectStatement {
    use organisation_relationship::Column;
    let latest_first = WindowStatement::partition_by(Column::ChildId).order_by(Column::ValidFrom, Order::Desc).take();
    let ranked = Query::select()
        .columns([Column::ChildId, Column::ParentId])
        .expr_window_as(Func::cust("ROW_NUMBER"), latest_first, name("position"))
        .from(organisation_relationship::Entity)
        .and_where(is(Expr::col(Column::Kind), kind))
        .and_where(Expr::col(Column::ValidFrom).lte(day))
        .take();
    Query::select()
        .columns([Column::ChildId, Column::ParentId])
        .from_subquery(ranked, name("ranked"))
        .and_where(col("ranked", name("position")).eq(1))
        .take()
}

/// The children of kind `kind` of `parents` (on `day`, if given), as a sub-select of their ids.
pub(super) fn children_of(kind: RelationshipKind, parents: &[Uuid], day: Option<NaiveDate>) -> SelectStatement {
    use organisation_relationship::Column;
    let mut children = Query::select()
        .column((name("child"), Column::ChildId))
        .from_as(organisation_relationship::Entity, name("child"))
        .and_where(is(col("child", Column::Kind), kind))
        .and_where(col("child", Column::ParentId).is_in(parents.iter().copied()))
        .take();
    if let Some(day) = day {
        children.and_where(valid_on("child", Column::ValidFrom, Column::ValidTo, day));
    }
    children
}

/// The succession of ICBs (mergers, acquisitions, renames, closures, splits), read once per report.
pub(super) struct Successions {
    steps: Vec<organisation_succession::Model>,
    graph: SuccessionGraph<Uuid>,
}

impl Successions {
    /// Reads the succession steps and graph (two constant-size statements).
    pub(super) async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, AppError> {
        let graph = organisations::succession_graph(db).await?;
        let steps = organisation_succession::Entity::find().all(db).await?;
        Ok(Self { steps, graph })
    }

    /// The programme `p`'s owner ICB attributed to the ICB that answered for it on `day` (`AT_EVENT`) or
    /// on `today` (`CURRENT_SUCCESSOR`), following mergers, acquisitions, renames and closures; a split
    /// ICB stays itself. A CASE of at most a few dozen arms.
    pub(super) fn programme_owner(&self, day: &Expr, resolution: IcbResolution, today: NaiveDate) -> Expr {
        self.answering(col("p", rotation_programme::Column::OwnerIcbId), day, resolution, today)
    }

    /// The ICB `icb` (of a record an ICB owns as a whole: a programme, a team, a role, a redesign)
    /// attributed to the ICB that answered for it on `day` (`AT_EVENT`) or on `today`
    /// (`CURRENT_SUCCESSOR`), as [`Successions::programme_owner`] attributes a programme's owner.
    pub(super) fn answering(&self, icb: Expr, day: &Expr, resolution: IcbResolution, today: NaiveDate) -> Expr {
        let mut case = CaseStatement::new();
        let mut arms = 0;
        for step in &self.steps {
            let whole = !matches!(step.kind, SuccessionKind::Split);
            let Some(successor) = self.graph.resolve_one(&step.successor_id, today).filter(|_| whole) else {
                continue;
            };
            let arm = match resolution {
                IcbResolution::AtEvent => Some((
                    icb.clone().eq(step.predecessor_id).and(day.clone().gte(step.effective_date)),
                    step.successor_id,
                )),
                IcbResolution::CurrentSuccessor if step.effective_date <= today => {
                    Some((icb.clone().eq(step.predecessor_id), successor))
                }
                IcbResolution::CurrentSuccessor => None,
            };
            if let Some((condition, answering)) = arm {
                case = case.case(condition, Expr::val(answering));
                arms += 1;
            }
        }
        if arms == 0 { icb } else { case.finally(icb).into() }
    }
}
