//! The GraphQL schema. Types and resolvers live in one module per domain area; resolvers stay a few lines
//! and call the domain services; relations go through the request's DataLoaders ([`loaders`]), which
//! apply the reader's access scope to every statement.

/// Building blocks: global ids, cursors, connections, filter inputs.
pub mod common;
/// GraphQL enums mirroring the stored vocabularies.
pub mod enums;
/// Federation: `_entities` one representation at a time.
pub mod federation;
/// The return types of the schema's fields, for cost control and partial results.
pub mod field_types;
/// What an introspection selection costs: the objects it returns.
pub mod introspection_cost;
/// Response keys in the query's order.
pub mod key_order;
/// Consultant-pharmacist leads, ICB medicines leadership, medicines-optimisation teams.
pub mod leadership;
/// Cost control: aliases, depth, cost, budgets.
pub mod limits;
/// DataLoaders batching every relation.
pub mod loaders;
/// Patient pathways, consultant leads' pillar shares, teams' work mix, service redesigns.
pub mod medicines;
/// Mutations.
pub mod mutation;
/// Nesting of query text and variables, bounded before parsing.
pub mod nesting;
/// `node`, `nodes` and federation entities.
pub mod node;
/// Which operation of a document a request runs: one rule for every part of the server.
pub mod operation;
/// Organisations, ICBs and regions.
pub mod organisation;
/// Partial results: a failed nullable field is null with its error.
pub mod partial;
/// Programmes, cohorts, posts and vacancies.
pub mod programme;
/// Reports (`reports { fillRate … }`).
pub mod reports;
/// The bound on the size of an answer.
pub mod response_size;
/// Custom scalars (`Date`, `OdsCode`).
pub mod scalars;
/// Live subscriptions.
pub mod subscription;
/// Text inputs: control characters refused, NFC applied.
pub mod text;
/// Pharmacists, credentials, memberships and placements.
pub mod workforce;

use crate::config::Limits;
use crate::metrics::Metrics;
use crate::services::access::{Principal, Scope, Scoped};
use crate::services::events::EventHub;
use crate::services::pagination::{self, Ordering, Relation, Slice, SortKey};
use crate::services::queries;
use async_graphql::parser::types::OperationType;
use async_graphql::{Context, MergedObject, Result, ResultExt, Schema, SchemaBuilder};
use chrono::NaiveDate;
use common::{ConnectionOf, OrderDirection, Paging, connection};
use loaders::{ByColumn, ById, PageOf, RequestLoader};
use sea_orm::{Condition, DatabaseConnection};
use std::sync::Arc;
use uuid::Uuid;

pub use federation::Query;

// The fields of the root query type, which `Query` wraps to resolve federation entities one by one.
/// The root query type.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryFields(
    organisation::OrganisationQuery,
    programme::ProgrammeQuery,
    workforce::WorkforceQuery,
    leadership::LeadershipQuery,
    medicines::MedicinesQuery,
    reports::ReportQuery,
    node::NodeQuery,
    node::EntityQuery,
    node::OrganisationEntityQuery,
    mutation::organisations::AuditQuery,
);

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::programmes::ProgrammeMutation,
    mutation::rotations::RotationMutation,
    mutation::workforce::WorkforceMutation,
    mutation::leadership::LeadershipMutation,
    mutation::medicines::MedicinesMutation,
    mutation::organisations::OrganisationMutation,
);

/// The schema type.
pub type AppSchema = Schema<Query, Mutation, subscription::Subscription>;

/// The schema's types, without data: enough to print the SDL. (No tracing extension: its spans would
/// carry query text, which can hold personal data, into log lines; requests are traced by the HTTP layer.)
pub fn schema_builder() -> SchemaBuilder<Query, Mutation, subscription::Subscription> {
    Schema::build(Query::default(), Mutation::default(), subscription::Subscription)
        .enable_federation()
        .enable_subscription_in_federation()
        .register_output_type::<node::Node>()
}

/// The GraphQL API: the schema, its field types, and the cost control in front of it. It has no
/// async-graphql extension: any extension hooks every field and list item as a request executes, so cost
/// control runs before execution and partial results are completed after it (see [`execute`]).
pub struct Api {
    schema: AppSchema,
    types: Arc<field_types::FieldTypes>,
    cost_control: limits::CostControl,
    subscribers: Arc<subscription::Subscribers>,
    metrics: Arc<Metrics>,
    databases: Databases,
}

/// The databases the API works on.
#[derive(Clone, Debug)]
pub struct Databases {
    /// Where changes are written, and subscriptions read the records they are told of.
    pub primary: DatabaseConnection,
    /// Where queries read: a read replica, or the primary again.
    pub read: DatabaseConnection,
}

impl Databases {
    /// One database for everything.
    pub fn single(db: DatabaseConnection) -> Self {
        Self { primary: db.clone(), read: db }
    }

    /// Where an operation of type `operation` works: queries read from the read replica.
    fn for_operation(&self, operation: Option<OperationType>) -> &DatabaseConnection {
        if operation == Some(OperationType::Query) { &self.read } else { &self.primary }
    }
}

/// The API served over `databases`, its writes announced and its subscribers served by `events`. Each
/// request adds its [`Scope`] and a loader (see [`execute`]).
pub fn api(
    databases: Databases,
    events: EventHub,
    report_settings: reports::ReportSettings,
    limits: &Limits,
    metrics: Arc<Metrics>,
) -> Api {
    let mut builder = schema_builder().data(databases.primary.clone()).data(events).data(report_settings);
    if limits.disable_introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    let schema = builder.finish();
    let types = Arc::new(field_types::FieldTypes::from_sdl(&schema.sdl()));
    let subscribers = Arc::new(subscription::Subscribers::new(limits.max_subscriptions, limits.max_events_per_second));
    Api { schema, types, cost_control: limits::CostControl::new(limits.clone()), subscribers, metrics, databases }
}

impl Api {
    /// The subscriptions open on this server.
    pub fn open_subscriptions(&self) -> usize {
        self.subscribers.count()
    }

    /// The subscribers of this server (their counts, pace and probes).
    pub fn subscribers(&self) -> &Arc<subscription::Subscribers> {
        &self.subscribers
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The databases the API works on.
    pub fn databases(&self) -> &Databases {
        &self.databases
    }

    /// The cost budgets requests are charged to.
    pub fn budgets(&self) -> &crate::services::budgets::Budgets {
        self.cost_control.budgets()
    }
}

/// Who makes a request, and when.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Principal,
    pub scope: Scope,
    /// The request's id, for the audit trail.
    pub request_id: String,
    /// The day the request answers for, read once from the server's clock.
    pub today: NaiveDate,
}

/// Runs `request` for `caller` over `db`: admits it through cost control (charging its cost to `payer`,
/// if any), runs it with the per-request data it needs (the caller and its scope, a loader bound to that
/// scope whose batches [`loaders::drive`] runs, the request's id, the day it answers for, and the budget of
/// its answer's size: see [`response_size::ResponseBudget::bound`]), completes its partial results and
/// reports its cost. Returns the answer, every error with its `extensions.code`, and the type of the
/// operation it ran (none if it was refused before its document parsed).
pub async fn execute(
    api: &Api,
    request: async_graphql::Request,
    caller: Caller,
    budget: Arc<response_size::ResponseBudget>,
    payer: Option<&limits::CostPayer>,
) -> (async_graphql::Response, Option<OperationType>) {
    let started = std::time::Instant::now();
    let (admitted, cost) = api.cost_control.admit(&api.types, request, payer, &budget);
    // The operation's span (for traces): its type and cost, and how many errors it met; never its text.
    let span = tracing::info_span!(
        target: crate::telemetry::TRACE_ONLY,
        "graphql",
        operation = cost.operation_label(),
        cost = cost.requested(),
        errors = tracing::field::Empty
    );
    let mut response = match admitted {
        Err(refusal) => async_graphql::Response::from_errors(vec![refusal]),
        Ok(mut request) => {
            let answered = Answered::of(&mut request);
            // Queries read from the read replica (the resolvers' database, and the loader's).
            let db = api.databases.for_operation(cost.operation());
            let fetches = loaders::Fetches::default();
            let entity_failures = federation::EntityFailures::default();
            let request = with_request_data(request, db, caller, budget, &fetches).data(entity_failures.clone());
            let execution = loaders::drive(api.schema.execute(request), &fetches);
            let mut response = tracing::Instrument::instrument(execution, span.clone()).await;
            let entity_failures = entity_failures.take();
            answered.complete(&mut response, &api.types, &entity_failures);
            response
        }
    };
    api.cost_control.report(cost, &mut response);
    label_errors(&mut response);
    api.metrics.operation(cost.operation_label(), &response, started.elapsed().as_secs_f64());
    span.record("errors", response.errors.len());
    (response, cost.operation())
}

/// `request` with what its resolvers read beside the schema's data: the database it works on, the
/// caller and its scope, a loader over `db` bound to that scope whose batches `fetches` holds for
/// [`loaders::drive`], the budget of its answer's size, its id and the day it answers for.
fn with_request_data(
    request: async_graphql::Request,
    db: &DatabaseConnection,
    caller: Caller,
    budget: Arc<response_size::ResponseBudget>,
    fetches: &loaders::Fetches,
) -> async_graphql::Request {
    let scope = Arc::new(caller.scope);
    request
        .data(db.clone())
        .data(RequestLoader::new(db.clone(), scope.clone(), budget.clone(), fetches.clone()))
        .data(budget)
        .data(reports::ReportTurns::default())
        .data(scope)
        .data(caller.principal)
        .data(mutation::RequestId(caller.request_id))
        .data(Today(caller.today))
}

/// Runs a subscription operation for `caller`: refuses it if `payer` has its most subscriptions open
/// (`TOO_MANY_SUBSCRIPTIONS`), admits it through cost control as [`execute`] does (its cost is charged
/// once), then answers each event as [`execute`] answers a request: with the caller's scoped loader, each
/// answer bounded in size and its partial results completed, at the caller's pace of events. The
/// subscription stays open, and counted, until the stream is dropped.
pub fn subscribe(
    api: &Api,
    request: async_graphql::Request,
    caller: Caller,
    max_response_bytes: usize,
    payer: &limits::CostPayer,
) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
    use futures_util::StreamExt;
    let refused = |response: async_graphql::Response| futures_util::stream::once(async { response }).boxed();
    let open = match api.subscribers.open(&payer.caller) {
        Ok(open) => open,
        Err(refusal) => {
            let response = async_graphql::Response::from_errors(vec![refusal]);
            api.metrics.operation("subscription", &response, 0.0);
            return refused(response);
        }
    };
    let budget = Arc::new(response_size::ResponseBudget::new(max_response_bytes));
    let (admitted, cost) = api.cost_control.admit(&api.types, request, Some(payer), &budget);
    let mut request = match admitted {
        Ok(request) => request,
        Err(refusal) => {
            let mut response = async_graphql::Response::from_errors(vec![refusal]);
            api.cost_control.report(cost, &mut response);
            label_errors(&mut response);
            api.metrics.operation(cost.operation_label(), &response, 0.0);
            return refused(response);
        }
    };
    api.metrics.subscribed();
    let answered = Arc::new(Answered::of(&mut request));
    let fetches = loaders::Fetches::default();
    let request = with_request_data(request, &api.databases.primary, caller, budget.clone(), &fetches);
    let answers = loaders::drive_stream(api.schema.execute_stream(request), fetches);
    let types = api.types.clone();
    let subscribers = api.subscribers.clone();
    let caller = payer.caller.clone();
    answers
        .then(move |response| {
            let (budget, types, subscribers, caller) =
                (budget.clone(), types.clone(), subscribers.clone(), caller.clone());
            let answered = answered.clone();
            let _open = &open;
            async move {
                let mut response = budget.bound(response);
                budget.renew();
                answered.complete(&mut response, &types, &[]);
                label_errors(&mut response);
                subscribers.pace(&caller).await;
                response
            }
        })
        .boxed()
}

/// The request an answer answers: its document as admitted (parsed once, by cost control), the operation
/// it runs and its variables.
struct Answered {
    document: Option<async_graphql::parser::types::ExecutableDocument>,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
}

impl Answered {
    /// What completing the answers to the admitted `request` needs (see [`limits::CostControl::admit`]:
    /// it names the operation and carries the parsed document).
    fn of(request: &mut async_graphql::Request) -> Self {
        Self {
            document: request.parsed_query().ok().cloned(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
        }
    }

    /// Completes `response` as the specification has it: partial results (see [`partial`]), then every
    /// object's keys in the query's order (see [`key_order`]).
    fn complete(
        &self,
        response: &mut async_graphql::Response,
        types: &field_types::FieldTypes,
        entity_failures: &[(async_graphql::Value, async_graphql::ServerError)],
    ) {
        let Some(document) = &self.document else { return };
        let operation_name = self.operation_name.as_deref();
        partial::complete(response, types, document, operation_name, &self.variables, entity_failures);
        // An operation whose every root field was skipped (`@skip`, `@include`) answers `{}`, not null.
        if response.errors.is_empty() && response.data == async_graphql::Value::Null {
            response.data = async_graphql::Value::Object(Default::default());
        }
        if let Some((_, operation)) = operation::chosen(document, operation_name) {
            let root = &operation.node.selection_set.node;
            federation::answer_service_sdl(&mut response.data, root);
            key_order::order(&mut response.data, document, &[root]);
        }
    }
}

/// Every error leaves with an `extensions.code`. Errors raised before execution get
/// `GRAPHQL_VALIDATION_FAILED` (a query that does not validate), except a value that is not of its
/// argument's type (an invalid `Date` or `OdsCode`, inline or in a variable): `BAD_USER_INPUT`. A field
/// error without a code of its own is an argument that failed to parse, since every resolver error
/// carries its code (see `AppError`): `BAD_USER_INPUT`.
fn label_errors(response: &mut async_graphql::Response) {
    // One error is said once (async-graphql's validation can report the same error twice, as it does for
    // `subscription { __typename }`).
    response.errors.dedup_by(|a, b| a.message == b.message && a.locations == b.locations && a.path == b.path);
    for error in &mut response.errors {
        let bad_value = error.message.starts_with("Invalid value for argument");
        let code = if error.path.is_empty() && !bad_value { "GRAPHQL_VALIDATION_FAILED" } else { "BAD_USER_INPUT" };
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", code);
        }
    }
}

/// The day a request answers for.
#[derive(Clone, Copy, Debug)]
struct Today(NaiveDate);

/// The day the request answers for: the default of every `asOf`.
fn today(ctx: &Context<'_>) -> Result<NaiveDate> {
    Ok(ctx.data::<Today>()?.0)
}

/// The schema as a federation subgraph's SDL, with its directives (`@key`, `@shareable`, the federation
/// `@link`) and the demand-control figures of its cost model (see [`with_demand_control`]): what
/// `_service { sdl }` answers a gateway, committed as `subgraph.graphql`.
pub fn subgraph_sdl() -> String {
    static SDL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let options = async_graphql::SDLExportOptions::new().federation().compose_directive();
        with_demand_control(&schema_builder().finish().sdl_with_options(options))
    });
    SDL.clone()
}

/// `sdl` with the cost model that [`limits`] enforces, in the IBM cost directives that Federation 2.9
/// imports (`@cost`, `@listSize`), so a gateway with demand control (Apollo Router, Hive) counts as
/// rotagraph does: every connection is sized by `first` or `last` through its `edges` and `nodes`, and
/// each report carries the work of its statement. (async-graphql prints the Federation 2.5 `@link`; the
/// link is raised to 2.9, which brought these directives.)
fn with_demand_control(sdl: &str) -> String {
    let mut out = String::with_capacity(sdl.len() + sdl.len() / 8);
    let (mut in_reports, mut field, mut slicing) = (false, String::new(), Vec::<&str>::new());
    for line in sdl.lines() {
        let trimmed = line.trim_start();
        if !line.starts_with('\t') {
            in_reports = line.starts_with("type Reports ");
        } else if let Some(name) = line.strip_prefix('\t').and_then(|rest| rest.split(['(', ':']).next()) {
            // A field's first line (not an argument, which is indented twice, nor a description).
            if !name.is_empty() && !line.starts_with("\t\t") && !trimmed.starts_with('"') && !trimmed.starts_with(')') {
                field = name.trim().to_owned();
                slicing.clear();
            }
        }
        // The field's paging arguments: root connections take `first` and `last`, nested ones `first`.
        if line.starts_with("\t\t") {
            slicing
                .extend(["first", "last"].into_iter().filter(|argument| trimmed.starts_with(&format!("{argument}: "))));
        }
        let field_ends = line.starts_with('\t')
            && !line.starts_with("\t\t")
            && (trimmed.starts_with("): ") || trimmed.contains(": "));
        out.push_str(line);
        if field_ends && trimmed.ends_with("Connection!") {
            let arguments: Vec<String> = slicing.iter().map(|argument| format!("\"{argument}\"")).collect();
            out.push_str(&format!(
                r#" @listSize(slicingArguments: [{}], sizedFields: ["edges", "nodes"], requireOneSlicingArgument: false)"#,
                arguments.join(", ")
            ));
        } else if field_ends && in_reports && trimmed.ends_with('!') {
            let weight = if field == "crossIcbFlows" { limits::PLACEMENT_REPORT_COST } else { limits::REPORT_COST };
            out.push_str(&format!(" @cost(weight: {weight})"));
        }
        out.push('\n');
    }
    out.replace(
        "url: \"https://specs.apollo.dev/federation/v2.5\"",
        "url: \"https://specs.apollo.dev/federation/v2.9\"",
    )
    .replace("\"@requiresScopes\"]", "\"@requiresScopes\", \"@cost\", \"@listSize\"]")
}

/// The schema as clients and their tools read it (relay-compiler, GraphQL ESLint, code generators),
/// committed as `schema.graphql`: no federation machinery (`_entities`, `_service`, `_Any`, `@key`, the
/// `@link` schema extension), which only a gateway speaks.
pub fn sdl() -> String {
    without_federation(&schema_builder().finish().sdl())
}

/// `sdl` without the root fields and types only a gateway uses (`_entities`, `_service`, `_Any`,
/// `_Entity`, `_Service`), which async-graphql prints in every SDL of a federated schema.
fn without_federation(sdl: &str) -> String {
    const ROOT_FIELDS: [&str; 2] = ["_service: _Service!", "_entities(representations: [_Any!]!): [_Entity]!"];
    // The first line of a definition that is not its description.
    fn definition(block: &str) -> Option<&str> {
        let mut in_description = false;
        block.lines().map(str::trim).find(|line| {
            if *line == "\"\"\"" {
                in_description = !in_description;
                return false;
            }
            let one_line_description = line.starts_with("\"\"\"") && line.ends_with("\"\"\"") && line.len() > 5;
            !in_description && !one_line_description
        })
    }
    let federation_type = |line: &str| ["scalar _", "type _", "union _"].iter().any(|start| line.starts_with(start));
    let mut kept = sdl
        .split("\n\n")
        .filter(|block| !definition(block).is_some_and(federation_type))
        .map(|block| block.lines().filter(|line| !ROOT_FIELDS.contains(&line.trim())).collect::<Vec<_>>().join("\n"))
        .collect::<Vec<_>>()
        .join("\n\n");
    kept.push('\n');
    kept
}

fn db<'a>(ctx: &Context<'a>) -> Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

fn loader<'a>(ctx: &Context<'a>) -> Result<&'a RequestLoader> {
    ctx.data::<RequestLoader>()
}

fn scope<'a>(ctx: &Context<'a>) -> Result<&'a Scope> {
    Ok(ctx.data::<Arc<Scope>>()?.as_ref())
}

/// The row of `E` with this id, if the reader may see it.
async fn load_one<E>(ctx: &Context<'_>, id: Uuid) -> Result<Option<E::Model>>
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    loader(ctx)?.load_one(ById::<E>::new(id)).await
}

/// The rows of `E` whose `column` is `value` and the reader may see, ordered by `order`.
async fn load_by<E>(ctx: &Context<'_>, column: &'static str, value: Uuid, order: &'static str) -> Result<Vec<E::Model>>
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    Ok(loader(ctx)?.load_one(ByColumn::<E>::new(column, value, order)).await?.unwrap_or_default())
}

/// A root connection over `E`: the filter, the reader's scope, the order (ties broken by id), the page
/// (by keyset), counted only if `totalCount` is selected.
async fn list<E, T>(
    ctx: &Context<'_>,
    condition: Condition,
    order: Vec<SortKey<E::Column>>,
    direction: OrderDirection,
    paging: Paging,
    node: impl Fn(E::Model) -> T,
) -> Result<ConnectionOf<T>>
where
    E: Scoped,
    E::Model: Sync,
    T: async_graphql::OutputType,
{
    let ordering = Ordering::<E>::by(order, direction == OrderDirection::Desc);
    let window = paging.window(&ordering).extend()?;
    let page =
        queries::list(db(ctx)?, scope(ctx)?, condition, &ordering, &window, common::counting(ctx)).await.extend()?;
    charge(ctx, page.rows.iter().map(|(row, _)| row))?;
    Ok(connection(page, &ordering, node))
}

/// A nested connection: the page of `relation` under `parent` (`first` rows after the cursor `after`, in
/// `order` then id), counted only if `totalCount` is selected. The pages of every sibling parent are read
/// together, by one windowed statement per level of the query, through the request's loader (which
/// applies the reader's scope and charges the rows to the answer's budget).
async fn nested<E, T>(
    ctx: &Context<'_>,
    parent: Uuid,
    relation: Relation<E>,
    order: (Vec<SortKey<E::Column>>, OrderDirection),
    paging: Paging,
    node: impl Fn(E::Model) -> T,
) -> Result<ConnectionOf<T>>
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
    T: async_graphql::OutputType,
{
    let (keys, direction) = order;
    let ordering = Ordering::<E>::by(keys, direction == OrderDirection::Desc).within(relation.name);
    let window = paging.window(&ordering).extend()?;
    let slice = Arc::new(Slice::new(relation, ordering, window.after, window.first, common::counting(ctx)));
    let page = loader(ctx)?.load_one(PageOf { parent, slice: slice.clone() }).await?;
    let page =
        page.unwrap_or(pagination::Page { rows: Vec::new(), has_previous: false, has_next: false, total: Some(0) });
    Ok(connection(page, slice.ordering(), node))
}

/// Charges the rows a resolver read to the request's answer-size budget.
fn charge<'a, M: sea_orm::ModelTrait + 'a>(ctx: &Context<'_>, rows: impl IntoIterator<Item = &'a M>) -> Result<()> {
    ctx.data::<Arc<response_size::ResponseBudget>>()?.charge(rows)
}

/// A personal-data field: the value for readers with access to personal data, otherwise `FORBIDDEN`.
fn personal<'a>(ctx: &Context<'_>, field: &'static str, value: &'a str) -> Result<Option<&'a str>> {
    require_personal_data(ctx, field)?;
    Ok(Some(value))
}

/// Refuses (with `FORBIDDEN`) what would reveal personal data to a reader without access to it.
fn require_personal_data(ctx: &Context<'_>, what: &'static str) -> Result<()> {
    scope(ctx)?.require_personal_data(what).extend()
}
