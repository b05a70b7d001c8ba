//! Cost control, before any SQL runs and before async-graphql validates the document: cost, aliases and
//! depth are worked out as soon as the query is parsed (see [`Costing`]); the cost is charged to the
//! caller's and the caller's ICBs' budgets; every response reports `extensions.cost`. It runs in front of
//! execution ([`super::execute`]), not as an async-graphql extension, which would hook every field. Each
//! refusal is a GraphQL error with its `extensions.code`:
//! `TOO_MANY_MUTATIONS` (a mutation operation makes one change), `TOO_MANY_ALIASES`, `LIST_TOO_LONG`, `FILTER_TOO_COMPLEX`, `GRAPHQL_PARSE_FAILED`, `INVALID_TEXT`, `QUERY_TOO_DEEP`, `QUERY_TOO_COMPLEX`, `INTROSPECTION_DISABLED`, `RATE_LIMITED` (with
//! `retryAfter`, seconds).

use super::field_types::{self, FieldTypes};
use super::response_size::ResponseBudget;
use crate::config::Limits;
use crate::services::access::Principal;
use crate::services::budgets::Budgets;
use crate::services::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Response, ServerError, Value, Variables};
use std::collections::HashMap;

/// What a document costs, how many aliases it uses and how deep it nests fields, worked out from the
/// schema's field types before the document is validated or run:
///
/// - every field costs 1, plus what its selection costs;
/// - a connection (a field returning a `...Connection`) costs its page size (`first` or `last`, default
///   20, at most 100) times its selection;
/// - a lookup by a list of `ids` or `representations` costs their number times its selection;
/// - any other list costs [`PLAIN_LIST_WEIGHT`] times its selection (a list of scalars or enums: 1);
/// - variables take their operation's default values where the request gives none;
/// - introspection (`__schema`, `__type`) costs one for every object it returns, counted on the schema
///   (see [`super::introspection_cost`]), so its lists multiply like any list.
///
/// Depth counts fields nested in fields, fragments spread in place (as async-graphql's validation does).
/// A fragment is costed once and reused wherever it is spread, so spreading fragments into each other
/// cannot make the costing itself expensive.
struct Costing<'a> {
    types: &'a FieldTypes,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// The default values of the operation's variables, for those the request does not give.
    defaults: HashMap<&'a str, async_graphql::Value>,
    fragments: HashMap<&'a str, Option<Tally>>,
    /// Whether the document asks for `__schema` or `__type`.
    introspects: bool,
    /// The most items in any list given as an argument.
    longest_list: usize,
    /// The most conditions (input objects) in any `filter` argument.
    largest_filter: usize,
    /// The most list items in all of any `filter` argument.
    filter_items: usize,
    /// The operation's variables of a nullable type without a default.
    nullable_variables: HashMap<&'a str, String>,
    /// The first such variable given to an argument that must have a value (the specification's "All
    /// Variable Usages Are Allowed"): the variable, its type, the field and the argument.
    misplaced: Option<(String, String, String, String)>,
    /// The first page asked for past [`MAX_PAGE_SIZE`]: the argument (`first`, `last`) and its value.
    oversized_page: Option<(&'static str, u64)>,
}

/// How many items a plain list of objects (`icbs`, `Region.icbs`, `Icb.successors`, a report's rows…) is
/// costed as: the small fixed sets left as lists hold about this many, and a list of them nested in another
/// multiplies its cost as a connection's page does.
pub const PLAIN_LIST_WEIGHT: u64 = 10;

/// What each condition (input object) of a `filter` adds to its field's cost: a condition can make the
/// database test every row of the table, and a filter of a hundred nested `or`s and `not`s is cheap to
/// write.
pub const FILTER_CONDITION_COST: u64 = 20;

/// What a report costs beyond its rows: one grouped statement over the records it covers.
pub const REPORT_COST: u64 = 500;

/// What `crossIcbFlows` costs beyond its rows: its statement reads every placement in its range, with
/// the ICBs of each on the day it counts for.
pub const PLACEMENT_REPORT_COST: u64 = 2_000;

/// What each period of `placementActivity` adds (each is a pass over the placements under way in it): at
/// most 120 periods fit the default cost limit, past which PostgreSQL's plan for the statement slows sharply.
pub const PERIOD_COST: u64 = 150;

/// The connections whose `filter` can name rows by a unique key (connection type, filter field): such a
/// list holds at most as many rows as keys are given, whatever its page size.
const UNIQUE_KEY_FILTERS: [(&str, &str); 3] = [
    ("RotationProgrammeConnection", "code"),
    ("OrganisationConnection", "odsCode"),
    ("PharmacistConnection", "gphcNumber"),
];

/// The parent type of the reports.
const REPORTS: &str = "Reports";

/// A cost, an alias count and a depth.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    cost: u64,
    aliases: u64,
    depth: usize,
}

impl Tally {
    /// Two sibling selections together.
    fn add(self, other: Self) -> Self {
        Self {
            cost: self.cost.saturating_add(other.cost),
            aliases: self.aliases.saturating_add(other.aliases),
            depth: self.depth.max(other.depth),
        }
    }

    /// The worse of two operations.
    fn worst(self, other: Self) -> Self {
        Self {
            cost: self.cost.max(other.cost),
            aliases: self.aliases.max(other.aliases),
            depth: self.depth.max(other.depth),
        }
    }
}

impl<'a> Costing<'a> {
    fn selection(&mut self, set: &'a SelectionSet, type_name: &str, depth: usize) -> Tally {
        if depth > 64 {
            return Tally::default();
        }
        let mut tally = Tally::default();
        for selection in &set.items {
            let part = match &selection.node {
                Selection::Field(field) => self.field(&field.node, type_name, depth),
                Selection::InlineFragment(fragment) => {
                    let on = fragment.node.type_condition.as_ref().map_or(type_name, |on| on.node.on.node.as_str());
                    self.selection(&fragment.node.selection_set.node, on, depth + 1)
                }
                Selection::FragmentSpread(spread) => self.fragment(spread.node.fragment_name.node.as_str(), depth),
            };
            tally = tally.add(part);
        }
        tally
    }

    fn fragment(&mut self, name: &'a str, depth: usize) -> Tally {
        match self.fragments.get(name) {
            Some(Some(tally)) => return *tally,
            // A cycle: validation refuses it.
            Some(None) => return Tally::default(),
            None => {}
        }
        let Some(fragment) = self.document.fragments.get(name) else { return Tally::default() };
        self.fragments.insert(name, None);
        let on = fragment.node.type_condition.node.on.node.as_str();
        let tally = self.selection(&fragment.node.selection_set.node, on, depth + 1);
        self.fragments.insert(name, Some(tally));
        tally
    }

    fn field(&mut self, field: &'a Field, parent: &str, depth: usize) -> Tally {
        let name = field.name.node.as_str();
        self.introspects |= name == "__schema" || name == "__type";
        let mut conditions = 0;
        for (argument, given) in &field.arguments {
            if let async_graphql_value::Value::Variable(variable) = &given.node
                && let Some(ty) = self.nullable_variables.get(variable.as_str())
                && self.misplaced.is_none()
                && self.types.requires(parent, name, argument.node.as_str())
            {
                let at = (variable.to_string(), ty.clone(), format!("{parent}.{name}"), argument.node.to_string());
                self.misplaced = Some(at);
            }
            if let Some(value) = self.value(field, argument.node.as_str()) {
                self.longest_list = self.longest_list.max(longest_list(&value));
                if argument.node.as_str() == "filter" {
                    let (objects, items) = objects_and_items_in(&value);
                    self.largest_filter = self.largest_filter.max(objects);
                    self.filter_items = self.filter_items.max(items);
                    conditions = objects;
                }
            }
        }
        if parent == field_types::QUERY && (name == "__schema" || name == "__type") {
            return self.introspection(field, depth);
        }
        let return_type = self.types.get(parent, name);
        let named = return_type.map_or("", field_types::named);
        let children = self.selection(&field.selection_set.node, named, depth + 1);
        let introspection = name.starts_with("__") || parent.starts_with("__") || named.starts_with("__");
        let times = if introspection {
            1
        } else if named.ends_with("Connection") {
            for argument in ["first", "last"] {
                if let Some(size) = self.argument(field, argument).filter(|size| *size > MAX_PAGE_SIZE) {
                    self.oversized_page.get_or_insert((argument, size));
                }
            }
            let page = self.argument(field, "first").or_else(|| self.argument(field, "last"));
            let page = page.map_or(DEFAULT_PAGE_SIZE, |size| size.min(MAX_PAGE_SIZE));
            self.keyed_rows(field, named).map_or(page, |keys| keys.min(page))
        } else {
            let listed = self.list_length(field, "ids").or_else(|| self.list_length(field, "representations"));
            // A plain list of objects (not a connection's own `nodes` or `edges`, whose page is already
            // counted) is costed as `PLAIN_LIST_WEIGHT` items, so nesting lists multiplies their cost.
            let plain_list = return_type.is_some_and(field_types::is_list) && !parent.ends_with("Connection");
            listed.unwrap_or(if plain_list { PLAIN_LIST_WEIGHT } else { 1 })
        };
        // The work behind the rows: each filter condition can make the database test every row, and a
        // report works over every record it covers.
        let work = (conditions as u64).saturating_mul(FILTER_CONDITION_COST).saturating_add(match parent {
            REPORTS => self.report_work(field, name),
            _ => 0,
        });
        Tally {
            cost: 1u64.saturating_add(times.saturating_mul(children.cost)).saturating_add(work),
            aliases: u64::from(field.alias.is_some()).saturating_add(children.aliases),
            depth: children.depth + 1,
        }
    }

    /// What working out the report `name` costs beyond its rows: [`REPORT_COST`], [`PLACEMENT_REPORT_COST`]
    /// for the flows, and [`PERIOD_COST`] more per period for the activity series (see the README).
    fn report_work(&self, field: &Field, name: &str) -> u64 {
        match name {
            "crossIcbFlows" => PLACEMENT_REPORT_COST,
            "placementActivity" => {
                let filter = self.value(field, "filter");
                let date = |key: &str| match filter.as_ref() {
                    Some(Value::Object(filter)) => match filter.get(key) {
                        Some(Value::String(day)) => chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok(),
                        _ => None,
                    },
                    _ => None,
                };
                let to = date("to").or_else(|| date("asOf")).unwrap_or_else(|| chrono::Utc::now().date_naive());
                let from = date("from").unwrap_or_else(|| to - chrono::Months::new(12));
                use chrono::Datelike;
                let yearly = matches!(self.value(field, "granularity"), Some(Value::Enum(ref granularity)) if granularity.as_str() == "NHS_FINANCIAL_YEAR");
                // Calendar months (or NHS financial years, from April) from the first period to the last.
                let index = |day: chrono::NaiveDate| {
                    let months = i64::from(day.year()) * 12 + i64::from(day.month0());
                    if yearly { (months - 3).div_euclid(12) } else { months }
                };
                let periods = u64::try_from(index(to) - index(from) + 1).unwrap_or(0);
                REPORT_COST.saturating_add(periods.saturating_mul(PERIOD_COST))
            }
            _ => REPORT_COST,
        }
    }

    /// `__schema` or `__type`: one for each object it returns (see [`super::introspection_cost`]); its
    /// aliases and depth as any selection's.
    fn introspection(&mut self, field: &'a Field, depth: usize) -> Tally {
        let set = &field.selection_set.node;
        let shape = self.types.introspection();
        let cost = if field.name.node == "__schema" {
            shape.schema_cost(self.document, set)
        } else {
            let name = match self.value(field, "name") {
                Some(Value::String(name)) => Some(name),
                _ => None,
            };
            shape.type_cost(self.document, name.as_deref(), set)
        };
        let children = self.selection(set, "", depth + 1);
        Tally {
            cost,
            aliases: u64::from(field.alias.is_some()).saturating_add(children.aliases),
            depth: children.depth + 1,
        }
    }

    /// A field's argument, given inline or as a variable.
    fn value(&self, field: &Field, argument: &str) -> Option<async_graphql::Value> {
        let (_, value) = field.arguments.iter().find(|(name, _)| name.node.as_str() == argument)?;
        value
            .node
            .clone()
            .into_const_with(|name| {
                self.variables.get(&name).or_else(|| self.defaults.get(name.as_str())).cloned().ok_or(())
            })
            .ok()
    }

    fn argument(&self, field: &Field, argument: &str) -> Option<u64> {
        match self.value(field, argument)? {
            async_graphql::Value::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    /// How many rows a connection of `connection_type` can hold at most because its `filter` names them
    /// by a unique key ([`UNIQUE_KEY_FILTERS`]): the number of keys given (`code: ["STAR"]` is one row,
    /// `odsCode: { in: [...] }` as many as it lists, `eq` one); `None` when no such key is given.
    fn keyed_rows(&self, field: &Field, connection_type: &str) -> Option<u64> {
        let (_, key) = UNIQUE_KEY_FILTERS.iter().find(|(connection, _)| *connection == connection_type)?;
        let Some(Value::Object(filter)) = self.value(field, "filter") else { return None };
        let count = |value: &Value| match value {
            Value::List(items) => u64::try_from(items.len()).ok(),
            Value::Null => None,
            _ => Some(1),
        };
        match filter.get(*key)? {
            Value::Object(operators) => {
                match (operators.get("eq").and_then(count), operators.get("in").and_then(count)) {
                    (Some(eq), Some(listed)) => Some(eq.min(listed)),
                    (eq, listed) => eq.or(listed),
                }
            }
            value => count(value),
        }
    }

    fn list_length(&self, field: &Field, argument: &str) -> Option<u64> {
        match self.value(field, argument)? {
            async_graphql::Value::List(items) => u64::try_from(items.len()).ok(),
            _ => None,
        }
    }
}

/// The most items in any list within `value` (walked without recursion).
fn longest_list(value: &Value) -> usize {
    let (mut longest, mut pending) = (0, vec![value]);
    while let Some(value) = pending.pop() {
        match value {
            Value::List(items) => {
                longest = longest.max(items.len());
                pending.extend(items);
            }
            Value::Object(fields) => pending.extend(fields.values()),
            _ => {}
        }
    }
    longest
}

/// How many objects `value` holds, itself included (the conditions of a filter tree), and how many
/// items its lists hold in all (the values the conditions compare with).
fn objects_and_items_in(value: &Value) -> (usize, usize) {
    let (mut objects, mut items, mut pending) = (0, 0, vec![value]);
    while let Some(value) = pending.pop() {
        match value {
            Value::List(list) => {
                items += list.len();
                pending.extend(list);
            }
            Value::Object(fields) => {
                objects += 1;
                pending.extend(fields.values());
            }
            _ => {}
        }
    }
    (objects, items)
}

/// What a document asks for, before it runs.
struct Survey {
    /// The most any operation costs, its aliases and depth.
    tally: Tally,
    /// The most root fields of a mutation: the changes it makes.
    changes: usize,
    /// The most root fields of a subscription (the specification allows one).
    subscribed: usize,
    /// Whether it introspects the schema.
    introspects: bool,
    /// The most items in any list argument.
    longest_list: usize,
    /// The most conditions in any filter.
    largest_filter: usize,
    /// The most list items in all of any filter.
    filter_items: usize,
    /// A nullable variable given to an argument that must have a value (see [`Costing::misplaced`]).
    misplaced: Option<(String, String, String, String)>,
    /// A page asked for past the largest (see [`Costing::oversized_page`]).
    oversized_page: Option<(&'static str, u64)>,
}

/// A request error for the first variable of `operation` that cannot be used: of a required type (`T!`,
/// no default) and left out or null, or an `Int` out of its 32-bit range. GraphQL over HTTP makes these
/// request errors (no `data`; 400 under `application/graphql-response+json`), not a field's.
fn unusable_variable(operation: &OperationDefinition, variables: &Variables) -> Option<ServerError> {
    operation.variable_definitions.iter().find_map(|definition| {
        let definition = &definition.node;
        let required = !definition.var_type.node.nullable && definition.default_value.is_none();
        let value = variables.get(&definition.name.node);
        let given = value.is_some_and(|value| *value != Value::Null);
        if let Some(out_of_range) = value.and_then(|value| int_out_of_range(&definition.var_type.node, value)) {
            let message = format!(
                "Variable ${} of type {} got {out_of_range}: Int is a 32-bit integer.",
                definition.name.node, definition.var_type.node
            );
            let mut error = refusal(message, "BAD_USER_INPUT", |_| {});
            error.locations.push(definition.name.pos);
            return Some(error);
        }
        (required && !given).then(|| {
            let message = format!(
                "Variable ${} of required type {} was not provided (or was null).",
                definition.name.node, definition.var_type.node
            );
            let mut error = refusal(message, "BAD_USER_INPUT", |_| {});
            error.locations.push(definition.name.pos);
            error
        })
    })
}

/// A number out of a 32-bit integer's range in `value`, a variable of `ty` whose named type is `Int`
/// (itself, or in a list): async-graphql would refuse it only at the field, as a field error.
fn int_out_of_range(ty: &async_graphql::parser::types::Type, value: &Value) -> Option<String> {
    use async_graphql::parser::types::BaseType;
    match (&ty.base, value) {
        (BaseType::Named(name), Value::Number(number)) if name.as_str() == "Int" => {
            let fits = number.as_i64().is_some_and(|number| i32::try_from(number).is_ok());
            (!fits && (number.is_i64() || number.is_u64())).then(|| number.to_string())
        }
        (BaseType::List(item), Value::List(items)) => items.iter().find_map(|value| int_out_of_range(item, value)),
        _ => None,
    }
}

/// How many root fields other than `__typename` `set` selects, counting each time a field is spread in
/// place (async-graphql runs a field once for every spread that selects it). Counting stops past 1: a
/// mutation needs to know only whether it makes more than one change, and a cycle of fragments (which
/// validation refuses) cannot make it run on.
fn changes_in(document: &ExecutableDocument, set: &SelectionSet) -> usize {
    let (mut fields, mut pending, mut expanded) = (0, vec![set], 0);
    while let Some(set) = pending.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) if field.node.name.node != "__typename" => fields += 1,
                Selection::Field(_) => {}
                Selection::InlineFragment(fragment) => pending.push(&fragment.node.selection_set.node),
                Selection::FragmentSpread(name) => {
                    if let Some(fragment) = document.fragments.get(name.node.fragment_name.node.as_str()) {
                        pending.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
        expanded += 1;
        if fields > 1 || expanded > MAX_EXPANSIONS {
            break;
        }
    }
    fields
}

/// How many selection sets [`changes_in`] expands at most.
const MAX_EXPANSIONS: usize = 1_000;

/// Surveys the operation of `document` that `operation_name` chooses (see [`super::operation`]; none
/// when it chooses none, which execution refuses) with `variables` against the schema's field types.
fn survey(
    types: &FieldTypes,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Survey {
    let mut costing = Costing {
        types,
        document,
        variables,
        defaults: HashMap::new(),
        fragments: HashMap::new(),
        introspects: false,
        longest_list: 0,
        largest_filter: 0,
        filter_items: 0,
        nullable_variables: HashMap::new(),
        misplaced: None,
        oversized_page: None,
    };
    let mut worst = Tally::default();
    let (mut changes, mut subscribed) = (0, 0);
    if let Some((_, operation)) = super::operation::chosen(document, operation_name) {
        match operation.node.ty {
            OperationType::Mutation => changes = changes.max(changes_in(document, &operation.node.selection_set.node)),
            OperationType::Subscription => {
                subscribed = subscribed.max(changes_in(document, &operation.node.selection_set.node));
            }
            OperationType::Query => {}
        }
        let root = match operation.node.ty {
            OperationType::Query => field_types::QUERY,
            OperationType::Mutation => field_types::MUTATION,
            OperationType::Subscription => field_types::SUBSCRIPTION,
        };
        // Each operation with its own variables' defaults (so fragments are costed again for it).
        costing.defaults = operation
            .node
            .variable_definitions
            .iter()
            .filter_map(|definition| {
                let default = definition.node.default_value.as_ref()?;
                Some((definition.node.name.node.as_str(), default.node.clone()))
            })
            .collect();
        costing.nullable_variables = operation
            .node
            .variable_definitions
            .iter()
            .filter(|definition| definition.node.var_type.node.nullable && definition.node.default_value.is_none())
            .map(|definition| (definition.node.name.node.as_str(), definition.node.var_type.node.to_string()))
            .collect();
        costing.fragments.clear();
        let tally = costing.selection(&operation.node.selection_set.node, root, 0);
        worst = worst.worst(tally);
    }
    Survey {
        tally: worst,
        changes,
        subscribed,
        introspects: costing.introspects,
        longest_list: costing.longest_list,
        largest_filter: costing.largest_filter,
        filter_items: costing.filter_items,
        misplaced: costing.misplaced,
        oversized_page: costing.oversized_page,
    }
}

/// Who a request's cost is charged to: the caller (a token's subject, or an anonymous caller's address)
/// and each of the caller's ICBs.
#[derive(Clone, Debug)]
pub struct CostPayer {
    pub caller: String,
    pub icbs: Vec<String>,
}

impl CostPayer {
    /// The payer for `principal`, calling from `address` (used for anonymous callers).
    pub fn of(principal: &Principal, address: Option<String>) -> Self {
        let caller = match principal.role {
            Some(_) => format!("token:{}", principal.subject),
            None => format!("anonymous:{}", address.unwrap_or_default()),
        };
        Self { caller, icbs: principal.icbs.clone() }
    }

    /// Whether the payer calls without a token.
    pub fn is_anonymous(&self) -> bool {
        self.caller.starts_with("anonymous:")
    }
}

/// What cost control learnt about one request, for its `extensions.cost`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CostReport {
    cost: u64,
    remaining: Option<u32>,
    /// The type of the operation the request runs, once its document parsed.
    operation: Option<OperationType>,
}

impl CostReport {
    /// What the operation costs.
    pub fn requested(&self) -> u64 {
        self.cost
    }

    /// The type of the operation, once its document parsed.
    pub fn operation(&self) -> Option<OperationType> {
        self.operation
    }

    /// The operation's type as a metrics label: `query`, `mutation`, `subscription`, or `unknown`.
    pub fn operation_label(&self) -> &'static str {
        match self.operation {
            Some(OperationType::Query) => "query",
            Some(OperationType::Mutation) => "mutation",
            Some(OperationType::Subscription) => "subscription",
            None => "unknown",
        }
    }
}

/// Cost control: the limits, and the budgets the cost of each request is charged to (shared by the
/// replicas once [`CostControl::budgets`] is shared).
pub struct CostControl {
    limits: Limits,
    budgets: Budgets,
}

/// A query that does not parse: `GRAPHQL_PARSE_FAILED`, with a one-line message and the location.
fn parse_failure(error: &async_graphql::parser::Error) -> ServerError {
    let positions: Vec<async_graphql::Pos> = error.positions().collect();
    let message = match error {
        async_graphql::parser::Error::Syntax { message, start, .. } => {
            // The parser's own message draws the line with a caret; keep only what it expected.
            let expected =
                message.lines().find_map(|line| line.trim().strip_prefix("= ")).unwrap_or("unexpected input");
            format!("Syntax error at line {}, column {}: {expected}.", start.line, start.column)
        }
        other => other.to_string(),
    };
    // Several operations, one of them anonymous, parse as GraphQL; the specification refuses the
    // document in validation (lone anonymous operation), as it refuses several without a name to choose.
    let code = match error {
        async_graphql::parser::Error::MultipleOperations { .. } => "GRAPHQL_VALIDATION_FAILED",
        _ => "GRAPHQL_PARSE_FAILED",
    };
    let mut failure = refusal(message, code, |_| {});
    failure.locations = positions;
    failure
}

/// A request-level error with a code (and more extensions).
pub(crate) fn refusal(message: String, code: &str, more: impl FnOnce(&mut ErrorExtensionValues)) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    more(&mut extensions);
    error.extensions = Some(extensions);
    error
}

impl CostControl {
    pub fn new(limits: Limits) -> Self {
        Self { limits, budgets: Budgets::local() }
    }

    /// The cost budgets requests are charged to.
    pub fn budgets(&self) -> &Budgets {
        &self.budgets
    }

    /// Admits `request` to run, or refuses it: parses and cleans its document and variables, surveys it
    /// against `types`, checks every limit, and charges its cost to `payer` (if any). The admitted request
    /// carries its parsed document, so it is not parsed again.
    ///
    /// A document that spreads fragments into each other must be refused here, by a costing that counts
    /// each fragment once, before async-graphql's validation follows every spread without memory.
    pub fn admit(
        &self,
        types: &FieldTypes,
        mut request: async_graphql::Request,
        payer: Option<&CostPayer>,
        budget: &ResponseBudget,
    ) -> (Result<async_graphql::Request, ServerError>, CostReport) {
        let mut report = CostReport::default();
        let mut document = match async_graphql::parser::parse_query(&request.query) {
            Ok(document) => document,
            Err(error) => return (Err(parse_failure(&error)), report),
        };
        // The one decision of which operation runs, named on the request for everything after.
        if let Some((name, operation)) = super::operation::chosen(&document, request.operation_name.as_deref()) {
            report.operation = Some(operation.node.ty);
            if request.operation_name.is_none() {
                request.operation_name = name.map(str::to_owned);
            }
            if let Some(unusable) = unusable_variable(&operation.node, &request.variables) {
                return (Err(unusable), report);
            }
        }
        let invalid_text = |refused: super::text::InvalidText| {
            let mut error = refusal(refused.to_string(), "INVALID_TEXT", |_| {});
            error.locations.extend(refused.position);
            error
        };
        let cleaned = super::text::clean_document(&mut document)
            .and_then(|()| super::text::clean_variables(&mut request.variables))
            .map_err(invalid_text);
        if let Err(refused) = cleaned {
            return (Err(refused), report);
        }
        let Survey {
            tally: Tally { cost, aliases, depth },
            changes,
            subscribed,
            introspects,
            longest_list,
            largest_filter,
            filter_items,
            misplaced,
            oversized_page,
        } = survey(types, &document, request.operation_name.as_deref(), &request.variables);
        // A page past the largest is refused once for the request, before any SQL (not once per parent of
        // a nested connection), with the same rule and code as the lists' own check.
        if let Some((argument, size)) = oversized_page {
            let message = format!("{argument} is {size}; at most {MAX_PAGE_SIZE}: page on with the cursor.");
            return (Err(refusal(message, "BAD_USER_INPUT", |extensions| extensions.set("field", argument))), report);
        }
        if let Some((variable, ty, field, argument)) = misplaced {
            let message = format!(
                "Variable ${variable} of type {ty} may be null, but {field}'s argument `{argument}` needs a value: \
                 declare it {ty}! or give it a default."
            );
            return (Err(refusal(message, "GRAPHQL_VALIDATION_FAILED", |_| {})), report);
        }
        report.cost = cost;
        // A batch's operations share one cost limit: this one is admitted with what the others spent.
        let spent = budget.cost_spent();
        let total = spent.saturating_add(cost);
        let limits = &self.limits;
        // Each limit in turn: whether it is exceeded, its code, and (only when refused) its message.
        let checks: [(bool, &str, &dyn Fn() -> String); 9] = [
            (subscribed > 1, "GRAPHQL_VALIDATION_FAILED", &|| {
                "A subscription operation selects exactly one root field.".to_owned()
            }),
            (changes > 1, "TOO_MANY_MUTATIONS", &|| {
                format!(
                    "The mutation makes {changes} changes; send each on its own, so that none runs after another \
                     has failed."
                )
            }),
            (introspects && limits.disable_introspection, "INTROSPECTION_DISABLED", &|| {
                "Introspection is switched off on this server.".to_owned()
            }),
            (longest_list > limits.max_list_items, "LIST_TOO_LONG", &|| {
                format!("A list argument holds {longest_list} items; at most {} are allowed.", limits.max_list_items)
            }),
            (largest_filter > limits.max_filter_conditions, "FILTER_TOO_COMPLEX", &|| {
                format!(
                    "A filter holds {largest_filter} conditions; at most {} are allowed.",
                    limits.max_filter_conditions
                )
            }),
            (filter_items > limits.max_list_items, "FILTER_TOO_COMPLEX", &|| {
                format!(
                    "A filter compares with {filter_items} values in all; at most {} are allowed.",
                    limits.max_list_items
                )
            }),
            (aliases > limits.max_aliases as u64, "TOO_MANY_ALIASES", &|| {
                format!("The query uses {aliases} aliases; at most {} are allowed.", limits.max_aliases)
            }),
            (depth > limits.max_depth, "QUERY_TOO_DEEP", &|| {
                format!("The query is nested {depth} deep; at most {} is allowed.", limits.max_depth)
            }),
            (total > limits.max_cost as u64, "QUERY_TOO_COMPLEX", &|| {
                if spent == 0 {
                    format!("The query costs {cost}; at most {} is allowed.", limits.max_cost)
                } else {
                    format!(
                        "The query costs {cost}, and the batch's earlier operations {spent}; at most {} is allowed \
                         for a whole request.",
                        limits.max_cost
                    )
                }
            }),
        ];
        if let Some((_, code, message)) = checks.iter().find(|(exceeded, ..)| *exceeded) {
            return (Err(refusal(message(), code, |_| {})), report);
        }
        if let Some(payer) = payer {
            let budgets = std::iter::once((payer.caller.as_str(), u64::from(self.limits.caller_budget)))
                .chain(payer.icbs.iter().map(|icb| (icb.as_str(), u64::from(self.limits.icb_budget))))
                .collect::<Vec<_>>();
            match self.budgets.charge(&budgets, cost) {
                // An anonymous answer may be cached publicly and handed to other callers: it does not
                // carry this caller's remaining budget, on any transport.
                Ok(_) if payer.is_anonymous() => {}
                Ok(remaining) => report.remaining = Some(u32::try_from(remaining).unwrap_or(u32::MAX)),
                Err(throttled) => {
                    let refused = refusal(
                        format!("Rate limit reached: retry after {} seconds.", throttled.retry_after_seconds),
                        "RATE_LIMITED",
                        |extensions| extensions.set("retryAfter", throttled.retry_after_seconds),
                    );
                    return (Err(refused), report);
                }
            }
        }
        budget.spend_cost(cost);
        request.set_parsed_query(document);
        (Ok(request), report)
    }

    /// Adds `extensions.cost` to `response`: what the request cost, the limit, and the budget left.
    pub fn report(&self, report: CostReport, response: &mut Response) {
        let mut cost = async_graphql::indexmap::IndexMap::new();
        cost.insert(async_graphql::Name::new("requested"), Value::from(report.cost));
        cost.insert(async_graphql::Name::new("limit"), Value::from(self.limits.max_cost));
        if let Some(remaining) = report.remaining {
            cost.insert(async_graphql::Name::new("remaining"), Value::from(remaining));
        }
        response.extensions.insert("cost".to_owned(), Value::Object(cost));
    }
}
