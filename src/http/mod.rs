//! HTTP routes: the GraphQL endpoint, GraphiQL, the CSV reports, and the health and readiness probes.

/// The GraphQL endpoint (GraphQL over HTTP).
mod graphql;
/// Reports as CSV (`GET /reports/<name>.csv`).
mod reports;

use crate::auth::TokenKeys;
use crate::config::Limits;
use crate::db;
use crate::error::AppError;
use crate::graphql::AppSchema;
use crate::graphql::reports::ReportSettings;
use crate::services::access::{Principal, Scope, ScopeResolver};
use async_graphql::ErrorExtensions;
use poem::middleware::{CatchPanic, Tracing};
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Request, Route, get, handler, http::StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::json;
use std::sync::Arc;

/// Every route of the server.
pub fn routes(
    schema: AppSchema,
    db: DatabaseConnection,
    callers: Arc<Callers>,
    report_settings: ReportSettings,
    limits: Limits,
) -> impl poem::Endpoint {
    Route::new()
        .at("/graphql", get(graphql::get_graphql).post(graphql::post_graphql))
        .at("/reports/:file", get(reports::report_csv))
        .at("/health", get(health))
        .at("/ready", get(ready))
        .data(schema)
        .data(db)
        .data(callers)
        .data(report_settings)
        .data(limits)
        .with(Tracing)
        .with(CatchPanic::new())
}

/// The bearer token of a request, if it has one.
fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(poem::http::header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

/// A response carrying one error, for failures before execution.
pub(crate) fn error_response(status: StatusCode, error: &AppError) -> poem::Response {
    let graphql_error = error.extend();
    let mut server_error = async_graphql::ServerError::new(graphql_error.message, None);
    server_error.extensions = graphql_error.extensions;
    let response = async_graphql::Response::from_errors(vec![server_error]);
    (status, Json(response)).into_response()
}

/// Who is calling: the token keys that verify bearer tokens and the scope resolver, which together turn a
/// request into a principal and its scope without touching the database.
pub struct Callers {
    pub keys: TokenKeys,
    pub scopes: ScopeResolver,
}

impl Callers {
    /// A request's caller and the caller's access scope, or `UNAUTHENTICATED` for a bad token.
    pub(crate) fn identify(&self, request: &Request) -> Result<(Principal, Scope), AppError> {
        let principal = self.keys.principal(bearer(request))?;
        let scope = self.scopes.resolve(&principal);
        Ok((principal, scope))
    }
}

/// Every error leaves with an `extensions.code`. Errors raised before execution (a query that does not
/// parse or validate) get `GRAPHQL_VALIDATION_FAILED`; a field error without a code of its own is an
/// argument or variable that failed to parse (an invalid `Date` or `OdsCode`), since every resolver error
/// carries its code (see `AppError`): `BAD_USER_INPUT`.
pub(crate) fn label_request_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let code = if error.path.is_empty() { "GRAPHQL_VALIDATION_FAILED" } else { "BAD_USER_INPUT" };
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", code);
        }
    }
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
