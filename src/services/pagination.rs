//! Pages of ordered, filtered selections by keyset: the service half of Relay connections.
//!
//! A list is ordered by its sort keys and then by id, so every row has a unique position: its [`Key`],
//! the row's sort values and id. A page starts strictly after one key (or ends strictly before one), as a
//! row-value comparison `(keys…, id) > (values…)` that an index on the same columns answers with a seek.
//! So a page deep in the list costs what the first page costs, and rows inserted or deleted between two
//! requests never make a page repeat or skip a row. The rows are counted only when the caller asks.

use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, OverStatement, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, EntityTrait, FromQueryResult, Iterable, ModelTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Value,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Page size when the caller gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page a caller may ask for; a larger `first`/`last` is refused (see [`page_size`]).
pub const MAX_PAGE_SIZE: u64 = 100;

/// A page size the caller asked for as `field` (`first` or `last`): refused (`BAD_USER_INPUT`) when
/// negative or over [`MAX_PAGE_SIZE`], never quietly cut short.
pub fn page_size(field: &'static str, value: i64) -> Result<u64, AppError> {
    match u64::try_from(value) {
        Ok(size) if size <= MAX_PAGE_SIZE => Ok(size),
        Ok(_) => Err(AppError::invalid(field, format!("is at most {MAX_PAGE_SIZE}: page on with the cursor"))),
        Err(_) => Err(AppError::invalid(field, "must not be negative")),
    }
}

/// A day after every real one (as text it sorts after every `YYYY-MM-DD` too): where a null date sorts
/// in a [`SortKey::NullsLast`].
pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(day) => day,
    None => panic!("9999-12-31 is a date"),
};

/// One sort key of a list.
#[derive(Clone, Debug)]
pub enum SortKey<C> {
    /// A column that is never null.
    Column(C),
    /// A nullable column, ordered as if null were `last` (after every value, ascending), the same on
    /// every database.
    NullsLast(C, Value),
}

impl<C: ColumnTrait> SortKey<C> {
    fn column(&self) -> C {
        match self {
            Self::Column(column) | Self::NullsLast(column, _) => *column,
        }
    }

    fn expr(&self) -> Expr {
        match self {
            Self::Column(column) => column.into_expr(),
            Self::NullsLast(column, last) => Func::coalesce([column.into_expr(), Expr::val(last.clone())]).into(),
        }
    }

    /// The key's value in `row`.
    fn value_of<M: ModelTrait<Entity = E>, E: EntityTrait<Column = C>>(&self, row: &M) -> Value {
        match self {
            Self::Column(column) => row.get(*column),
            Self::NullsLast(column, last) => {
                let value = row.get(*column);
                if is_null(&value) { last.clone() } else { value }
            }
        }
    }
}

/// What a list of `E` is ordered by: its sort keys, then its id, all in one direction.
#[derive(Clone, Debug)]
pub struct Ordering<E: EntityTrait> {
    keys: Vec<SortKey<E::Column>>,
    descending: bool,
    /// The relation the list is of, for a nested list (see [`Ordering::within`]).
    relation: Option<&'static str>,
}

impl<E: EntityTrait> Ordering<E> {
    /// By `keys` then the id, ascending or descending.
    pub fn by(keys: Vec<SortKey<E::Column>>, descending: bool) -> Self {
        let mut keys = keys;
        if let Some(id) = E::Column::iter().find(|column| sea_orm::IdenStatic::as_str(column) == "id") {
            keys.push(SortKey::Column(id));
        }
        Self { keys, descending, relation: None }
    }

    /// The same order of the rows of `relation` (a nested list), whose cursors are its own.
    pub fn within(self, relation: &'static str) -> Self {
        Self { relation: Some(relation), ..self }
    }

    fn direction(&self, backwards: bool) -> Order {
        if self.descending != backwards { Order::Desc } else { Order::Asc }
    }

    /// By these never-null columns, then the id.
    pub fn by_columns(columns: impl IntoIterator<Item = E::Column>, descending: bool) -> Self {
        Self::by(columns.into_iter().map(SortKey::Column).collect(), descending)
    }

    /// A short name of the list and its order, carried by its cursors so that a cursor of one list or
    /// order is not taken for another's (memberships and placements both order by start date).
    pub fn signature(&self) -> String {
        let columns: Vec<&str> = self.keys.iter().map(|key| sea_orm::IdenStatic::as_str(&key.column())).collect();
        let table = E::default().table_name().to_owned();
        let table = match self.relation {
            Some(relation) => format!("{table}@{relation}"),
            None => table,
        };
        format!("{table}:{}:{}", columns.join(","), if self.descending { "desc" } else { "asc" })
    }

    /// The rows strictly beyond `key` (after it in this order, or before it when `backwards`).
    fn beyond(&self, key: &Key, backwards: bool) -> Expr {
        let columns = Expr::tuple(self.keys.iter().map(SortKey::expr));
        let values = Expr::tuple(key.values.iter().cloned().map(Expr::val));
        if self.descending != backwards { columns.lt(values) } else { columns.gt(values) }
    }

    fn apply(&self, select: Select<E>, backwards: bool) -> Select<E> {
        let order = self.direction(backwards);
        self.keys.iter().fold(select, |select, key| select.order_by(key.expr(), order.clone()))
    }

    fn key_of(&self, row: &E::Model) -> Key {
        Key { values: self.keys.iter().map(|key| key.value_of(row)).collect() }
    }

    /// The key a cursor names: a JSON array of the sort values and the id, as [`Key::to_json`] writes it,
    /// checked against the columns' types. A cursor of another order, or altered, is refused.
    pub fn key_from_json(&self, json: &serde_json::Value) -> Result<Key, AppError> {
        let invalid = || AppError::invalid("cursor", "is not a cursor of this list and order");
        let object = json.as_object().ok_or_else(invalid)?;
        if object.get("order").and_then(serde_json::Value::as_str) != Some(self.signature().as_str()) {
            return Err(invalid());
        }
        let values = object.get("key").and_then(serde_json::Value::as_array).ok_or_else(invalid)?;
        if values.len() != self.keys.len() {
            return Err(invalid());
        }
        let values = self
            .keys
            .iter()
            .zip(values)
            .map(|(key, value)| value_of_type(key.column().def().get_column_type(), value).ok_or_else(invalid))
            .collect::<Result<_, _>>()?;
        Ok(Key { values })
    }
}

/// The position of a row in an ordered list: its sort values and its id.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    values: Vec<Value>,
}

impl Key {
    /// The key as JSON, with the [`Ordering::signature`] of the order it belongs to (what a cursor
    /// carries).
    pub fn to_json(&self, order: &str) -> serde_json::Value {
        let values: Vec<serde_json::Value> = self.values.iter().map(json_of).collect();
        serde_json::json!({ "order": order, "key": values })
    }
}

fn is_null(value: &Value) -> bool {
    serde_json::Value::is_null(&json_of(value))
}

/// A sort value as a cursor carries it (the inverse of [`value_of_type`]); null for a value of a type no
/// sort key has.
fn json_of(value: &Value) -> serde_json::Value {
    match value {
        Value::String(Some(text)) => text.as_str().into(),
        Value::ChronoDate(Some(day)) => day.format("%Y-%m-%d").to_string().into(),
        Value::Uuid(Some(id)) => id.to_string().into(),
        Value::ChronoDateTimeUtc(Some(time)) => time.to_rfc3339().into(),
        Value::TinyInt(Some(number)) => (*number).into(),
        Value::SmallInt(Some(number)) => (*number).into(),
        Value::Int(Some(number)) => (*number).into(),
        Value::BigInt(Some(number)) => (*number).into(),
        _ => serde_json::Value::Null,
    }
}

/// A cursor's JSON value as a value of a column of `column_type`, if it is one.
fn value_of_type(column_type: &ColumnType, json: &serde_json::Value) -> Option<Value> {
    let text = json.as_str();
    Some(match column_type {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text | ColumnType::Enum { .. } => {
            Value::from(text?.to_owned())
        }
        ColumnType::Date => Value::from(NaiveDate::parse_from_str(text?, "%Y-%m-%d").ok()?),
        ColumnType::Uuid => Value::from(Uuid::parse_str(text?).ok()?),
        ColumnType::TimestampWithTimeZone => Value::from(DateTime::parse_from_rfc3339(text?).ok()?.with_timezone(&Utc)),
        ColumnType::TinyInteger | ColumnType::SmallInteger | ColumnType::Integer => {
            Value::from(i32::try_from(json.as_i64()?).ok()?)
        }
        ColumnType::BigInteger => Value::from(json.as_i64()?),
        _ => return None,
    })
}

/// Which slice of an ordered list to return, in Relay terms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Window {
    /// Rows after this key.
    pub after: Option<Key>,
    /// Rows before this key.
    pub before: Option<Key>,
    /// At most this many rows from the start of the slice.
    pub first: Option<u64>,
    /// At most this many rows from the end of the slice.
    pub last: Option<u64>,
}

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Page<M> {
    /// The rows, each with its key.
    pub rows: Vec<(M, Key)>,
    pub has_previous: bool,
    pub has_next: bool,
    /// Rows in the whole filtered list, when asked for.
    pub total: Option<u64>,
}

/// Whether a page's list is counted as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counting {
    /// Count the whole filtered list (one more statement).
    Count,
    /// Do not count.
    Skip,
}

/// The `window` of `select` in `ordering`: one statement, and one more to count if asked. With `first`
/// (or neither), the rows after `after`; with `last` alone, the rows before `before`, read backwards.
/// `hasNextPage` (forwards) and `hasPreviousPage` (backwards) come from reading one row more; the other
/// is whether the page starts after a cursor (or ends before one), as Relay allows.
pub async fn page<C, E>(
    db: &C,
    select: Select<E>,
    ordering: &Ordering<E>,
    window: &Window,
    counting: Counting,
) -> Result<Page<E::Model>, AppError>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::Model: Sync,
{
    let total = match counting {
        Counting::Count => Some(select.clone().count(db).await?),
        Counting::Skip => None,
    };
    let first = window.first.map(|first| Ord::min(first, MAX_PAGE_SIZE));
    let last = window.last.map(|last| Ord::min(last, MAX_PAGE_SIZE));
    let backwards = last.is_some() && first.is_none();
    let limit = if backwards { last } else { first }.unwrap_or(DEFAULT_PAGE_SIZE);
    let mut select = select;
    if let Some(after) = &window.after {
        select = select.filter(ordering.beyond(after, false));
    }
    if let Some(before) = &window.before {
        select = select.filter(ordering.beyond(before, true));
    }
    let mut rows = ordering.apply(select, backwards).limit(limit + 1).all(db).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let (mut has_previous, has_next) =
        if backwards { (more, window.before.is_some()) } else { (window.after.is_some(), more) };
    if let (false, Some(last)) = (backwards, last)
        && rows.len() as u64 > last
    {
        rows.drain(..rows.len() - last as usize);
        has_previous = true;
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            let key = ordering.key_of(&row);
            (row, key)
        })
        .collect();
    Ok(Page { rows, has_previous, has_next, total })
}

/// A to-many relation: the rows of `E` that belong to a parent, and the expression that names each
/// row's parent (a column of `E`, or of a table the selection joins).
#[derive(Clone, Debug)]
pub struct Relation<E: EntityTrait> {
    /// The relation's name (`Cohort.memberships`), carried by its cursors.
    pub name: &'static str,
    select: Select<E>,
    parent: Expr,
    /// Every condition added by [`Relation::filter`], as written by `Debug`: with the name, what tells
    /// this relation's statement from another's.
    conditions: String,
}

impl<E: EntityTrait> Relation<E> {
    /// The rows whose `column` holds their parent's id.
    pub fn by_column<C: ColumnTrait<EntityName = E>>(name: &'static str, column: C) -> Self {
        Self { name, select: E::find(), parent: column.into_expr(), conditions: String::new() }
    }

    /// The rows `select` reaches (through joins), whose parent is `parent`. `select` must be the same
    /// for every relation of this `name`: what varies (dates, kinds, filters) is added by
    /// [`Relation::filter`].
    pub fn through(name: &'static str, select: Select<E>, parent: Expr) -> Self {
        Self { name, select, parent, conditions: String::new() }
    }

    /// Only the rows that meet `condition` as well.
    #[must_use]
    pub fn filter(mut self, condition: sea_orm::Condition) -> Self {
        use std::fmt::Write as _;
        let _ = write!(self.conditions, "{condition:?};");
        Self { select: self.select.filter(condition), ..self }
    }
}

/// One page of a relation for any number of parents: the relation (filtered and scoped), its order,
/// the first rows after a cursor, and whether to count. Two slices that would run the same statement
/// have the same [`Slice::signature`], so the pages of sibling parents are read together.
#[derive(Clone, Debug)]
pub struct Slice<E: EntityTrait> {
    relation: Relation<E>,
    ordering: Ordering<E>,
    after: Option<Key>,
    first: u64,
    counting: Counting,
    signature: String,
}

impl<E: EntityTrait> Slice<E> {
    /// The first `first` rows (default 20, at most 100) after `after` of `relation` in `ordering`.
    pub fn new(
        relation: Relation<E>,
        ordering: Ordering<E>,
        after: Option<Key>,
        first: Option<u64>,
        counting: Counting,
    ) -> Self {
        let first = Ord::min(first.unwrap_or(DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
        let after_json = after.as_ref().map(|key| key.to_json(&ordering.signature()));
        let signature = format!(
            "{}|{}|{}|{after_json:?}|{first}|{counting:?}",
            relation.name,
            relation.conditions,
            ordering.signature()
        );
        Self { relation, ordering, after, first, counting, signature }
    }

    /// What identifies the statement the slice runs (equal for the slices of sibling parents).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The order of the slice's rows, which its cursors name.
    pub fn ordering(&self) -> &Ordering<E> {
        &self.ordering
    }
}

/// Where the windowed statement puts each row's parent and its position under that parent.
const PARENT: &str = "rotagraph_parent";
const POSITION: &str = "rotagraph_position";
const TOTAL: &str = "rotagraph_total";

/// The page of `slice` under each of `parents`, in one statement: every row of the relation numbered
/// within its parent by a window (`ROW_NUMBER() OVER (PARTITION BY parent ORDER BY keys…, id)`), and
/// only the first `first + 1` of each parent kept. One more statement counts each parent's rows when
/// asked. `scope` is the reader's visibility condition, applied to both.
pub async fn pages_by_parent<C, E>(
    db: &C,
    slice: &Slice<E>,
    scope: sea_orm::Condition,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, Page<E::Model>>, AppError>
where
    C: ConnectionTrait,
    E: EntityTrait,
{
    let parent = &slice.relation.parent;
    let select = slice.relation.select.clone().filter(scope).filter(parent.clone().is_in(parents.iter().copied()));
    let totals = match slice.counting {
        Counting::Count => {
            let mut counted = select.clone().into_query();
            counted
                .clear_selects()
                .expr_as(parent.clone(), Alias::new(PARENT))
                .expr_as(Expr::col(Asterisk).count(), Alias::new(TOTAL))
                .add_group_by([parent.clone()]);
            let mut totals = HashMap::new();
            for row in db.query_all(&counted).await? {
                totals.insert(
                    row.try_get::<Uuid>("", PARENT)?,
                    u64::try_from(row.try_get::<i64>("", TOTAL)?).unwrap_or(0),
                );
            }
            Some(totals)
        }
        Counting::Skip => None,
    };
    let mut select = select;
    if let Some(after) = &slice.after {
        select = select.filter(slice.ordering.beyond(after, false));
    }
    let order = slice.ordering.direction(false);
    let mut window = WindowStatement::new();
    window.add_partition_by(parent.clone());
    for key in &slice.ordering.keys {
        window.order_by_expr(key.expr(), order.clone());
    }
    let mut ranked = select.into_query();
    ranked.expr_as(parent.clone(), Alias::new(PARENT)).expr_window_as(
        Func::cust("ROW_NUMBER"),
        window,
        Alias::new(POSITION),
    );
    let limit = slice.first;
    let statement = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(POSITION)).lte(limit + 1))
        .order_by(Alias::new(PARENT), Order::Asc)
        .order_by(Alias::new(POSITION), Order::Asc)
        .take();
    let mut rows: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    for row in db.query_all(&statement).await? {
        let parent = row.try_get::<Uuid>("", PARENT)?;
        rows.entry(parent).or_default().push(E::Model::from_query_result(&row, "")?);
    }
    Ok(parents
        .iter()
        .map(|parent| {
            let mut page_rows = rows.remove(parent).unwrap_or_default();
            let has_next = page_rows.len() as u64 > limit;
            page_rows.truncate(limit as usize);
            let page = Page {
                rows: page_rows
                    .into_iter()
                    .map(|row| {
                        let key = slice.ordering.key_of(&row);
                        (row, key)
                    })
                    .collect(),
                has_previous: slice.after.is_some(),
                has_next,
                total: totals.as_ref().map(|totals| totals.get(parent).copied().unwrap_or(0)),
            };
            (*parent, page)
        })
        .collect())
}
