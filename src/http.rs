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

/// Every error leaves with an `extensions.code`. Errors raised before execution (a query that does not
/// parse or validate) get `GRAPHQL_VALIDATION_FAILED`; a field error without a code of its own is an
/// argument or variable that failed to parse (an invalid `Date` or `OdsCode`), since every resolver error
/// carries its code (see `AppError`): `BAD_USER_INPUT`.
fn label_request_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let code = if error.path.is_empty() { "GRAPHQL_VALIDATION_FAILED" } else { "BAD_USER_INPUT" };
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
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
