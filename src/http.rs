//! HTTP routes: the GraphQL endpoint, GraphiQL, and the health and readiness probes.

use crate::db;
use crate::graphql::AppSchema;
use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::middleware::{CatchPanic, Tracing};
use poem::web::{Data, Html, Json};
use poem::{EndpointExt, IntoResponse, Route, get, handler, http::StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::json;

/// Every route of the server.
pub fn routes(schema: AppSchema, db: DatabaseConnection) -> impl poem::Endpoint {
    Route::new()
        .at("/graphql", get(graphiql).post(graphql))
        .at("/health", get(health))
        .at("/ready", get(ready))
        .data(schema)
        .data(db)
        .with(Tracing)
        .with(CatchPanic::new())
}

/// Executes one GraphQL request (or a batch).
#[handler]
async fn graphql(schema: Data<&AppSchema>, request: GraphQLRequest) -> GraphQLResponse {
    let mut response = schema.execute(request.0).await;
    label_request_errors(&mut response);
    response.into()
}

/// Errors raised before any resolver ran (a query that does not parse or validate, an argument that is
/// not a valid `Date` or `OdsCode`) carry no code of their own: give them `GRAPHQL_VALIDATION_FAILED`.
/// Resolver errors all carry a code (see `AppError`); any that does not is labelled internal.
fn label_request_errors(response: &mut async_graphql::Response) {
    let rejected_before_execution = response.data == async_graphql::Value::Null;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            let code = if rejected_before_execution { "GRAPHQL_VALIDATION_FAILED" } else { "INTERNAL_SERVER_ERROR" };
            extensions.set("code", code);
        }
    }
}

/// GraphiQL, the in-browser IDE.
#[handler]
async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").title("rotagraph").finish())
}

/// The process is alive.
#[handler]
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and every migration is applied.
#[handler]
async fn ready(db: Data<&DatabaseConnection>) -> poem::Response {
    if db::is_ready(&db).await {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
    }
}
