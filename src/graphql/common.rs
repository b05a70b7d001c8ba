//! Building blocks shared by every part of the schema: opaque global ids, keyset cursors, Relay
//! connections with `totalCount`, and the reusable filter inputs.

use super::scalars::{Date, OdsCodeScalar};
use crate::error::AppError;
use crate::services::pagination::{Counting, Key, Ordering, Page, Window};
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{ErrorExtensions, ID, InputObject, OutputType};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition};
use std::sync::Arc;
use uuid::Uuid;

/// The object types that have global ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeType {
    Organisation,
    RotationProgramme,
    Cohort,
    RotationalPost,
    Vacancy,
    Pharmacist,
    Credential,
    Membership,
    Placement,
    ConsultantLead,
    ProgrammeLead,
    IcbMedicinesRole,
    MedicinesOptimisationTeam,
}

const NODE_TYPES: [(NodeType, &str); 13] = [
    (NodeType::Organisation, "Organisation"),
    (NodeType::RotationProgramme, "RotationProgramme"),
    (NodeType::Cohort, "Cohort"),
    (NodeType::RotationalPost, "RotationalPost"),
    (NodeType::Vacancy, "Vacancy"),
    (NodeType::Pharmacist, "Pharmacist"),
    (NodeType::Credential, "Credential"),
    (NodeType::Membership, "Membership"),
    (NodeType::Placement, "Placement"),
    (NodeType::ConsultantLead, "ConsultantLead"),
    (NodeType::ProgrammeLead, "ProgrammeLead"),
    (NodeType::IcbMedicinesRole, "IcbMedicinesRole"),
    (NodeType::MedicinesOptimisationTeam, "MedicinesOptimisationTeam"),
];

impl NodeType {
    fn name(self) -> &'static str {
        NODE_TYPES.iter().find(|(node_type, _)| *node_type == self).map_or("", |(_, name)| name)
    }
}

/// An opaque global id: URL-safe base64 of `Type:uuid`. Clients must not take it apart.
pub fn global_id(node_type: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name())))
}

/// Decodes a global id into its type and row id. Only the id [`global_id`] writes is accepted (not
/// another spelling of the same UUID), so each record has exactly one id for clients' caches.
pub fn decode_global_id(id: &ID) -> Result<(NodeType, Uuid), AppError> {
    let invalid = || AppError::invalid("id", "is not a rotagraph id");
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, uuid) = text.split_once(':').ok_or_else(invalid)?;
    let node_type = NODE_TYPES.iter().find(|(_, type_name)| *type_name == name).map(|(t, _)| *t).ok_or_else(invalid)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| invalid())?;
    if global_id(node_type, uuid) != *id {
        return Err(invalid());
    }
    Ok((node_type, uuid))
}

/// Decodes a global id that must be of `expected` type.
pub fn decode_id_of(expected: NodeType, field: &'static str, id: &ID) -> Result<Uuid, AppError> {
    match decode_global_id(id) {
        Ok((node_type, uuid)) if node_type == expected => Ok(uuid),
        _ => Err(AppError::invalid(field, format!("is not a {} id", expected.name()))),
    }
}

/// Fields every connection has beside `edges`, `nodes` and `pageInfo`.
pub struct ConnectionFields {
    /// The count, when the request selects `totalCount` (it is computed only then).
    total: Option<u64>,
}

#[async_graphql::Object]
impl ConnectionFields {
    /// Rows in the whole filtered list (not only this page).
    async fn total_count(&self) -> async_graphql::Result<u64> {
        self.total.ok_or_else(|| "totalCount was not computed for this request".into())
    }
}

/// A Relay connection of `T`. Its cursors are opaque: URL-safe base64 of the row's position in the
/// list's order (its sort values and id).
pub type ConnectionOf<T> = Connection<RowCursor, T, ConnectionFields, EmptyFields>;

/// A row's cursor: its position in its list's order, written out (as JSON in URL-safe base64) only if
/// the request selects it, so a request for `nodes` writes none.
pub struct RowCursor {
    key: Key,
    /// The [`Ordering::signature`] of the list's order, shared by the page's rows.
    order: Arc<str>,
}

impl CursorType for RowCursor {
    type Error = AppError;

    /// Cursors are read with their list's order, by [`Paging::window`]; never without it.
    fn decode_cursor(_: &str) -> Result<Self, AppError> {
        Err(AppError::invalid("cursor", "is not a cursor of this list and order"))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.to_json(&self.order).to_string())
    }
}

/// Relay paging arguments, as given: the cursors are read once the list's order is known.
#[derive(Clone, Debug, Default)]
pub struct Paging {
    after: Option<String>,
    before: Option<String>,
    first: Option<u64>,
    last: Option<u64>,
}

impl Paging {
    /// Takes `after`/`before` cursors and `first`/`last` counts (negative counts are rejected; counts
    /// above the maximum page size are capped to it).
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Self> {
        let count = |field: &'static str, value: Option<i32>| -> async_graphql::Result<Option<u64>> {
            value
                .map(|value| {
                    u64::try_from(value).map_err(|_| AppError::invalid(field, "must not be negative").extend())
                })
                .transpose()
        };
        Ok(Self { after, before, first: count("first", first)?, last: count("last", last)? })
    }

    /// Forward paging only (`first` and `after`), as nested connections take it.
    pub fn forward(after: Option<String>, first: Option<i32>) -> async_graphql::Result<Self> {
        Self::new(after, None, first, None)
    }

    /// The window of a list in `ordering`: the cursors read as positions in that order (a cursor of
    /// another list or order, or altered, is refused).
    pub fn window<E: sea_orm::EntityTrait>(&self, ordering: &Ordering<E>) -> Result<Window, AppError> {
        let key = |field: &'static str, cursor: &Option<String>| -> Result<Option<Key>, AppError> {
            let Some(cursor) = cursor else { return Ok(None) };
            let invalid = || AppError::invalid(field, "is not a cursor of this list and order");
            let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
            let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
            ordering.key_from_json(&json).map(Some).map_err(|_| invalid())
        };
        Ok(Window {
            after: key("after", &self.after)?,
            before: key("before", &self.before)?,
            first: self.first,
            last: self.last,
        })
    }
}

/// Whether the request selects `totalCount` of the connection being resolved.
pub fn counting(ctx: &async_graphql::Context<'_>) -> Counting {
    if ctx.look_ahead().field("totalCount").exists() { Counting::Count } else { Counting::Skip }
}

/// Turns a page of rows into a connection of `T`, each edge with its row's cursor.
pub fn connection<E: sea_orm::EntityTrait, T: OutputType>(
    page: Page<E::Model>,
    ordering: &Ordering<E>,
    node: impl Fn(E::Model) -> T,
) -> ConnectionOf<T> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous, page.has_next, ConnectionFields { total: page.total });
    let order: Arc<str> = ordering.signature().into();
    connection.edges.extend(
        page.rows.into_iter().map(|(row, key)| Edge::new(RowCursor { key, order: order.clone() }, node(row))),
    );
    connection
}

/// Sort direction.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl From<OrderDirection> for sea_orm::Order {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => Self::Asc,
            OrderDirection::Desc => Self::Desc,
        }
    }
}

/// Matches ODS codes.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OdsCodeFilter {
    /// Equal to this code.
    pub eq: Option<OdsCodeScalar>,
    /// One of these codes.
    #[graphql(name = "in")]
    pub in_: Option<Vec<OdsCodeScalar>>,
}

impl OdsCodeFilter {
    /// The codes the filter accepts (an empty filter accepts none).
    pub fn codes(&self) -> Vec<String> {
        self.eq.iter().chain(self.in_.iter().flatten()).map(|code| code.0.to_string()).collect()
    }
}

/// Matches global ids.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IdFilter {
    /// Equal to this id.
    pub eq: Option<ID>,
    /// One of these ids.
    #[graphql(name = "in")]
    pub in_: Option<Vec<ID>>,
}

impl IdFilter {
    /// The row ids, checked to be of `node_type`.
    pub fn uuids(&self, node_type: NodeType, field: &'static str) -> Result<Vec<Uuid>, AppError> {
        self.eq.iter().chain(self.in_.iter().flatten()).map(|id| decode_id_of(node_type, field, id)).collect()
    }
}

/// Matches dates in an inclusive range; either end may be open.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct DateRange {
    /// On or after this date.
    pub from: Option<Date>,
    /// On or before this date.
    pub to: Option<Date>,
}

impl DateRange {
    /// The condition on `column`.
    pub fn condition(&self, column: impl ColumnTrait) -> Result<Condition, AppError> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from.0 > to.0
        {
            return Err(AppError::invalid("to", "is before from"));
        }
        let mut condition = Condition::all();
        if let Some(from) = self.from {
            condition = condition.add(column.gte(from.0));
        }
        if let Some(to) = self.to {
            condition = condition.add(column.lte(to.0));
        }
        Ok(condition)
    }
}

/// Matches text, ignoring case.
#[derive(InputObject, Clone, Debug, Default)]
pub struct TextFilter {
    /// Contains this text.
    pub contains: Option<String>,
    /// Starts with this text.
    pub starts_with: Option<String>,
}

/// Longest text a text filter accepts.
const MAX_FILTER_TEXT: usize = 200;

impl TextFilter {
    /// The condition on `column` (case-insensitive on both backends; `%` and `_` match themselves).
    pub fn condition(&self, column: impl ColumnTrait) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        for (text, pattern) in [
            (&self.contains, self.contains.as_deref().map(|text| format!("%{}%", escape_like(text)))),
            (&self.starts_with, self.starts_with.as_deref().map(|text| format!("{}%", escape_like(text)))),
        ] {
            if let (Some(text), Some(pattern)) = (text, pattern) {
                if text.chars().count() > MAX_FILTER_TEXT {
                    return Err(AppError::invalid(
                        "name",
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

/// `date`, or the request's today (by the server's clock) when absent.
pub fn as_of_or_today(ctx: &async_graphql::Context<'_>, as_of: Option<Date>) -> async_graphql::Result<NaiveDate> {
    Ok(as_of.map_or(super::today(ctx)?, |date| date.0))
}

/// Matches values of an enum.
#[derive(InputObject, Clone, Debug)]
#[graphql(concrete(name = "SectorFilter", params(super::enums::Sector)))]
#[graphql(concrete(name = "ProgrammeStatusFilter", params(super::enums::ProgrammeStatus)))]
#[graphql(concrete(name = "PostStatusFilter", params(super::enums::PostStatus)))]
#[graphql(concrete(name = "FundingSourceFilter", params(super::enums::FundingSource)))]
#[graphql(concrete(name = "MembershipStatusFilter", params(super::enums::MembershipStatus)))]
#[graphql(concrete(name = "PlacementStatusFilter", params(super::enums::PlacementStatus)))]
#[graphql(concrete(name = "RegistrationStatusFilter", params(super::enums::RegistrationStatus)))]
#[graphql(concrete(name = "SpecialismFilter", params(super::enums::Specialism)))]
#[graphql(concrete(name = "OrganisationKindFilter", params(super::enums::OrganisationKind)))]
#[graphql(concrete(name = "AfcBandFilter", params(super::enums::AfcBand)))]
pub struct EnumFilter<T: async_graphql::InputType + Copy> {
    /// Equal to this value.
    pub eq: Option<T>,
    /// One of these values.
    #[graphql(name = "in")]
    pub in_: Option<Vec<T>>,
}

impl<T: async_graphql::InputType + Copy> EnumFilter<T> {
    /// The condition on `column`, converting each value to the stored enum `S`.
    pub fn condition<S>(&self, column: impl ColumnTrait) -> Condition
    where
        T: Into<S>,
        S: Into<sea_orm::Value>,
    {
        let values: Vec<sea_orm::Value> =
            self.eq.iter().chain(self.in_.iter().flatten()).map(|value| (*value).into().into()).collect();
        Condition::all().add(column.is_in(values))
    }
}

/// A filter input whose own fields combine with AND and whose `and`, `or` and `not` hold sub-filters.
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

/// Implements [`FilterTree`] for filter inputs with `and: Option<Vec<Self>>`, `or: Option<Vec<Self>>` and
/// `not: Option<Box<Self>>`.
macro_rules! filter_tree {
    ($($filter:ty),* $(,)?) => {
        $(impl $crate::graphql::common::FilterTree for $filter {
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

/// The condition of the tree under `root`: for each filter, `fields` of its own fields, AND its `and`
/// sub-filters, AND any of its `or` sub-filters, AND NOT its `not` sub-filter. Built bottom up from the
/// work list (sub-filters before the filters that hold them), without recursion.
pub fn tree_condition<F: FilterTree>(
    root: &F,
    fields: impl Fn(&F) -> Result<Condition, AppError>,
) -> Result<Condition, AppError> {
    let branches = branches(root);
    let mut built: Vec<Option<Condition>> = branches.iter().map(|_| None).collect();
    for (position, branch) in branches.iter().enumerate().rev() {
        let mut take = |child: usize| built[child].take().unwrap_or_else(Condition::all);
        let mut condition = Condition::all();
        for child in &branch.all {
            condition = condition.add(take(*child));
        }
        if let Some(any) = &branch.any {
            condition = condition.add(any.iter().fold(Condition::any(), |either, child| either.add(take(*child))));
        }
        if let Some(child) = branch.not {
            condition = condition.add(take(child).not());
        }
        built[position] = Some(condition.add(fields(branch.filter)?));
    }
    Ok(built.first_mut().and_then(Option::take).unwrap_or_else(Condition::all))
}

#[cfg(test)]
mod id_tests {
    use super::{NodeType, decode_global_id, global_id};
    use async_graphql::ID;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn a_record_has_one_id_only() {
        let uuid = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let id = global_id(NodeType::Placement, uuid);
        assert_eq!(decode_global_id(&id).ok(), Some((NodeType::Placement, uuid)));
        for spelling in [
            uuid.simple().to_string(),
            uuid.to_string().to_uppercase(),
            uuid.braced().to_string(),
            uuid.urn().to_string(),
        ] {
            let other = ID(URL_SAFE_NO_PAD.encode(format!("Placement:{spelling}")));
            assert!(decode_global_id(&other).is_err(), "{spelling}");
        }
    }
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
