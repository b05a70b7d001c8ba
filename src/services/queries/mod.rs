//! The read queries of the lists, as plain values that GraphQL, CSV, federation and the command line
//! share: a filter per kind of record (its fields as stored values: ids, codes, dates, stored enums), the
//! condition it stands for, and [`list`], the one way a list is read: filtered, scoped to the reader,
//! ordered and paged by keyset. The GraphQL inputs only translate into these.

/// Filters on consultant-pharmacist leads.
pub mod leadership;
/// Filters on patient pathways and service redesigns.
pub mod medicines;
/// Filters on organisations.
pub mod organisations;
/// Filters on programmes, posts and vacancies.
pub mod programmes;
/// Filters on pharmacists, memberships and placements.
pub mod workforce;

use super::access::{Scope, Scoped};
use super::pagination::{self, Counting, Ordering, Page, Window};
use crate::error::AppError;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryFilter};
use uuid::Uuid;

/// The `window` of the rows of `E` that meet `condition` and `scope` lets the reader see, in `ordering`
/// (ties broken by id), counted if `counting` asks.
pub async fn list<C, E>(
    db: &C,
    scope: &Scope,
    condition: Condition,
    ordering: &Ordering<E>,
    window: &Window,
    counting: Counting,
) -> Result<Page<E::Model>, AppError>
where
    C: ConnectionTrait,
    E: Scoped,
    E::Model: Sync,
{
    let select = E::find().filter(condition).filter(E::visible(scope));
    pagination::page(db, select, ordering, window, counting).await
}

/// Dates in an inclusive range; either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// The condition on `column` (a range that ends before it starts is refused).
    pub fn condition(&self, column: impl ColumnTrait) -> Result<Condition, AppError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(AppError::invalid("to", "is before from"));
        }
        Ok(Condition::all()
            .add_option(self.from.map(|from| column.gte(from)))
            .add_option(self.to.map(|to| column.lte(to))))
    }
}

/// Text to match, ignoring case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextMatch {
    /// Contains this text.
    pub contains: Option<String>,
    /// Starts with this text.
    pub starts_with: Option<String>,
}

/// Longest text a text filter accepts.
const MAX_FILTER_TEXT: usize = 200;

impl TextMatch {
    /// The condition on `column`, the filter's `field` (case-insensitive on both backends; `%` and `_`
    /// match themselves).
    pub fn condition(&self, column: impl ColumnTrait, field: &'static str) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        for (text, pattern) in [
            (&self.contains, self.contains.as_deref().map(|text| format!("%{}%", escape_like(text)))),
            (&self.starts_with, self.starts_with.as_deref().map(|text| format!("{}%", escape_like(text)))),
        ] {
            if let (Some(text), Some(pattern)) = (text, pattern) {
                if text.chars().count() > MAX_FILTER_TEXT {
                    return Err(AppError::invalid(
                        field,
                        format!("filter text is longer than {MAX_FILTER_TEXT} characters"),
                    ));
                }
                let lowered = sea_orm::sea_query::Func::lower(sea_orm::sea_query::Expr::col(column.as_column_ref()));
                condition = condition.add(sea_orm::sea_query::ExprTrait::like(
                    sea_orm::sea_query::Expr::expr(lowered),
                    sea_orm::sea_query::LikeExpr::new(pattern.to_lowercase()).escape('\\'),
                ));
            }
        }
        Ok(condition)
    }
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `column` holds one of `values` (stored enum values, ids or codes).
pub fn one_of<V: Into<sea_orm::Value>>(column: impl ColumnTrait, values: impl IntoIterator<Item = V>) -> Condition {
    Condition::all().add(column.is_in(values))
}

/// A filter whose own fields combine with AND and whose `and`, `or` and `not` hold sub-filters.
/// Its condition is built by [`tree_condition`] from an explicit work list, never by recursion, so no
/// shape of tree can exhaust the stack (its depth is bounded before parsing, by `--max-nesting`).
pub trait FilterTree: Sized {
    /// The sub-filters that must all hold (`and`).
    fn all_of(&self) -> &[Self];
    /// The sub-filters of which one must hold (`or`), if given.
    fn any_of(&self) -> Option<&[Self]>;
    /// The sub-filter that must not hold (`not`), if given.
    fn negated(&self) -> Option<&Self>;
}

/// Implements [`FilterTree`] for filters with `and: Option<Vec<Self>>`, `or: Option<Vec<Self>>` and
/// `not: Option<Box<Self>>`.
macro_rules! filter_tree {
    ($($filter:ty),* $(,)?) => {
        $(impl $crate::services::queries::FilterTree for $filter {
            fn all_of(&self) -> &[Self] {
                self.and.as_deref().unwrap_or_default()
            }
            fn any_of(&self) -> Option<&[Self]> {
                self.or.as_deref()
            }
            fn negated(&self) -> Option<&Self> {
                self.not.as_deref()
            }
        })*
    };
}
pub(crate) use filter_tree;

/// One filter of a tree, with the positions of its sub-filters in the work list.
struct Branch<'a, F> {
    filter: &'a F,
    all: Vec<usize>,
    any: Option<Vec<usize>>,
    not: Option<usize>,
}

/// Every filter of the tree under `root`, breadth first: a filter always comes before its sub-filters.
fn branches<F: FilterTree>(root: &F) -> Vec<Branch<'_, F>> {
    let branch = |filter| Branch { filter, all: Vec::new(), any: None, not: None };
    let mut branches = vec![branch(root)];
    let mut next = 0;
    while next < branches.len() {
        let filter = branches[next].filter;
        let all = filter.all_of();
        branches[next].all = (branches.len()..branches.len() + all.len()).collect();
        branches.extend(all.iter().map(branch));
        if let Some(any) = filter.any_of() {
            branches[next].any = Some((branches.len()..branches.len() + any.len()).collect());
            branches.extend(any.iter().map(branch));
        }
        if let Some(child) = filter.negated() {
            branches[next].not = Some(branches.len());
            branches.push(branch(child));
        }
        next += 1;
    }
    branches
}

/// Every filter of the tree under `root`, `root` first.
pub fn each_filter<F: FilterTree>(root: &F) -> impl Iterator<Item = &F> {
    branches(root).into_iter().map(|branch| branch.filter)
}

/// The tree under `root` built bottom up into a `T`: for each filter, `build` of the filter itself and of
/// what its `and`, `or` and `not` sub-filters were built into. Sub-filters are built before the filters
/// that hold them, from the work list, without recursion.
pub fn tree_map<F: FilterTree, T>(
    root: &F,
    build: impl Fn(&F, Vec<T>, Option<Vec<T>>, Option<T>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let branches = branches(root);
    let mut built: Vec<Option<T>> = branches.iter().map(|_| None).collect();
    for (position, branch) in branches.iter().enumerate().rev() {
        let mut take = |child: usize| built[child].take();
        let all = branch.all.iter().filter_map(|child| take(*child)).collect();
        let any = branch.any.as_ref().map(|any| any.iter().filter_map(|child| take(*child)).collect());
        let not = branch.not.and_then(&mut take);
        built[position] = Some(build(branch.filter, all, any, not)?);
    }
    built.first_mut().and_then(Option::take).ok_or_else(|| AppError::invalid("filter", "is empty"))
}

/// The condition of the tree under `root`: for each filter, `fields` of its own fields, AND its `and`
/// sub-filters, AND any of its `or` sub-filters, AND NOT its `not` sub-filter.
pub fn tree_condition<F: FilterTree>(
    root: &F,
    fields: impl Fn(&F) -> Result<Condition, AppError>,
) -> Result<Condition, AppError> {
    tree_map(root, |filter, all: Vec<Condition>, any, not| {
        let mut condition = all.into_iter().fold(Condition::all(), Condition::add);
        if let Some(any) = any {
            condition = condition.add(any.into_iter().fold(Condition::any(), Condition::add));
        }
        if let Some(not) = not {
            condition = condition.add(not.not());
        }
        Ok(condition.add(fields(filter)?))
    })
}

/// The row of `E` with this id, if it matches `condition` and a reader with `scope` may see it: what a
/// live subscriber is told about a changed record, read as any query would read it.
pub async fn find_visible<C, E>(
    db: &C,
    scope: &Scope,
    id: Uuid,
    condition: Condition,
) -> Result<Option<E::Model>, AppError>
where
    C: ConnectionTrait,
    E: Scoped,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    Ok(E::find_by_id(id).filter(condition).filter(E::visible(scope)).one(db).await?)
}

#[cfg(test)]
mod filter_tree_tests {
    use super::{FilterTree, each_filter, tree_condition};
    use sea_orm::Condition;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SqliteQueryBuilder};

    #[derive(Default)]
    struct Filter {
        and: Vec<Self>,
        or: Option<Vec<Self>>,
        not: Option<Box<Self>>,
        equals: Option<i32>,
    }

    impl FilterTree for Filter {
        fn all_of(&self) -> &[Self] {
            &self.and
        }
        fn any_of(&self) -> Option<&[Self]> {
            self.or.as_deref()
        }
        fn negated(&self) -> Option<&Self> {
            self.not.as_deref()
        }
    }

    fn sql(filter: &Filter) -> String {
        let condition = tree_condition(filter, |filter| {
            Ok(Condition::all().add_option(filter.equals.map(|value| Expr::col(Alias::new("x")).eq(value))))
        })
        .expect("condition");
        Query::select()
            .column(Alias::new("x"))
            .from(Alias::new("t"))
            .cond_where(condition)
            .to_string(SqliteQueryBuilder)
    }

    fn equals(value: i32) -> Filter {
        Filter { equals: Some(value), ..Filter::default() }
    }

    #[test]
    fn a_tree_becomes_and_or_and_not_of_its_branches() {
        let filter = Filter {
            and: vec![equals(1)],
            or: Some(vec![equals(2), equals(3)]),
            not: Some(Box::new(equals(4))),
            equals: Some(5),
        };
        assert_eq!(
            sql(&filter),
            r#"SELECT "x" FROM "t" WHERE "x" = 1 AND ("x" = 2 OR "x" = 3) AND (NOT "x" = 4) AND "x" = 5"#
        );
        assert_eq!(each_filter(&filter).count(), 5);
    }

    #[test]
    fn a_deep_tree_is_walked_without_recursion() {
        let mut filter = equals(0);
        for depth in 1..=20_000 {
            filter = Filter { not: Some(Box::new(filter)), equals: Some(depth % 7), ..Filter::default() };
        }
        assert_eq!(each_filter(&filter).count(), 20_001);
        let condition = tree_condition(&filter, |_| Ok(Condition::all()));
        assert!(condition.is_ok());
        // Dropping a 20,000-deep Box chain recurses: take it apart iteratively.
        let mut next = filter.not.take();
        while let Some(mut inner) = next {
            next = inner.not.take();
        }
        std::mem::forget(condition);
    }
}
