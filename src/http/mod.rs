//! HTTP routes: the GraphQL endpoint, GraphiQL, the CSV reports, and the health and readiness probes.

/// Persisted documents: automatic persisted queries and trusted documents.
/// Cross-origin requests from the origins a deployment allows.
pub mod cors;
/// The regional dashboard, a static page.
mod dashboard;
pub mod documents;
/// GraphiQL's page and files, served offline.
mod graphiql;
/// The GraphQL endpoint (GraphQL over HTTP).
mod graphql;
/// Live answers: graphql-ws and Server-Sent Events.
mod live;
/// Reports as CSV (`GET /reports/<name>.csv`).
mod reports;
/// Pages and files embedded in the binary.
mod static_files;

use crate::auth::TokenKeys;
use crate::config::Limits;
use crate::db;
use crate::error::AppError;
use crate::graphql::reports::ReportSettings;
use crate::metrics::Metrics;
use crate::services::access::{Principal, Scope, ScopeResolver};
use crate::services::clock::Clock;
use async_graphql::ErrorExtensions;
use poem::middleware::CatchPanic;
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Request, Route, get, handler, http::StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::json;
use std::sync::Arc;

/// How the routes serve, beside the schema, the database and the callers.
pub struct Serving {
    pub report_settings: ReportSettings,
    pub limits: Limits,
    pub clock: Clock,
    pub documents: documents::Documents,
    pub allowed_origins: cors::AllowedOrigins,
    pub stopping: Stopping,
}

/// Word that the server has begun to stop: long-lived answers (event streams, graphql-ws connections)
/// end at once, so the graceful shutdown waits only for requests that finish by themselves.
#[derive(Clone, Debug)]
pub struct Stopping(tokio::sync::watch::Receiver<bool>);

impl Stopping {
    /// The word, and what gives it.
    pub fn new() -> (tokio::sync::watch::Sender<bool>, Self) {
        let (sender, receiver) = tokio::sync::watch::channel(false);
        (sender, Self(receiver))
    }

    /// Completes once the server has begun to stop.
    pub async fn begun(mut self) {
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}

/// Every route of the server.
pub fn routes(
    api: crate::graphql::Api,
    db: DatabaseConnection,
    callers: Arc<Callers>,
    serving: Serving,
) -> impl poem::Endpoint {
    let Serving { report_settings, limits, clock, documents, allowed_origins, stopping } = serving;
    let metrics = api.metrics().clone();
    let allowed_origins = Arc::new(allowed_origins);
    Route::new()
        .at("/graphql", get(graphql::get_graphql).post(graphql::post_graphql))
        .at("/metrics", get(metrics_text))
        .at("/graphiql/:file", get(graphiql::asset))
        .at("/dashboard", get(dashboard::to_page))
        .at("/dashboard/", get(dashboard::page))
        .at("/dashboard/:file", get(dashboard::file))
        .at("/reports/:file", get(reports::report_csv))
        .at("/health", get(health))
        .at("/ready", get(ready))
        .data(Arc::new(graphql::Endpoint {
            api,
            documents,
            db: db.clone(),
            callers: callers.clone(),
            limits,
            clock,
            stopping,
        }))
        .data(db)
        .data(callers)
        .data(report_settings)
        .data(clock)
        .around(move |endpoint, request| cors::with_cors(endpoint, request, allowed_origins.clone()))
        .around(move |endpoint, request| log_request(endpoint, request, metrics.clone()))
        .with(CatchPanic::new().with_handler(panicked))
}

/// The id of one HTTP request: in its log line, in the audit rows it writes, in the `x-request-id`
/// response header, and with any internal error it meets.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Gives the request an id and logs one line for it: method, path (never the query string, which can
/// carry variables and so personal data), status and time; counts its status and SQL statements.
async fn log_request<E: poem::Endpoint>(
    endpoint: Arc<E>,
    mut request: Request,
    metrics: Arc<Metrics>,
) -> poem::Result<poem::Response> {
    let request_id = RequestId(uuid::Uuid::new_v4().to_string());
    request.extensions_mut().insert(request_id.clone());
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = std::time::Instant::now();
    let span = tracing::info_span!("request", request_id = %request_id.0, %method, path = %path);
    let call = tracing::Instrument::instrument(endpoint.call(request), span.clone());
    let (response, statements) = crate::metrics::counting_statements(call).await;
    let mut response = match response {
        Ok(output) => output.into_response(),
        Err(error) => error.into_response(),
    };
    metrics.http_response(response.status(), statements);
    if let Some(Refused(code)) = response.extensions().get::<Refused>() {
        metrics.refused(code);
    }
    // Whatever says nothing of caching (a refusal, a probe, the metrics) is not to be stored.
    if !response.headers().contains_key(poem::http::header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(poem::http::header::CACHE_CONTROL, poem::http::HeaderValue::from_static("no-store"));
    }
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(status, elapsed_ms = started.elapsed().as_millis() as u64, "request");
    });
    if let Ok(value) = poem::http::HeaderValue::from_str(&request_id.0) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}

/// A panic anywhere in a request: logged with an error id, answered as a GraphQL internal error (never a
/// dropped connection).
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> poem::Response {
    let error = AppError::Internal(anyhow::anyhow!("a request handler panicked"));
    error_response(StatusCode::INTERNAL_SERVER_ERROR, &error)
}

/// The `Authorization` header of a request, as text (`Some("")` for one that is not text, which no
/// token matches).
fn authorization(request: &Request) -> Option<String> {
    let value = request.headers().get(poem::http::header::AUTHORIZATION)?;
    Some(value.to_str().unwrap_or_default().to_owned())
}

/// The bearer token of an `Authorization` value: none without one; `UNAUTHENTICATED` for a value that is
/// not `Bearer <token>` (another scheme, or no token), rather than reading it as anonymous.
fn bearer(authorization: Option<&str>) -> Result<Option<&str>, AppError> {
    let Some(value) = authorization else { return Ok(None) };
    let (scheme, token) = value.trim().split_once(' ').ok_or(AppError::Unauthenticated)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(AppError::Unauthenticated);
    }
    Ok(Some(token))
}

/// Marks how `response` may be cached. Anonymous readers see only public reference data, the same for
/// every anonymous reader: a successful answer to them may be kept by any cache for a minute (the
/// report cache's default age). An answer read with a token is that caller's alone and never stored,
/// and a failure is never stored. Caches key answers by `Authorization` as well as the URL.
pub(crate) fn mark_caching(response: &mut poem::Response, anonymous: bool, succeeded: bool) {
    let cache_control = match (anonymous, succeeded) {
        (true, true) => "public, max-age=60",
        (false, _) => "private, no-store",
        (true, false) => "no-store",
    };
    let headers = response.headers_mut();
    headers.insert(poem::http::header::CACHE_CONTROL, poem::http::HeaderValue::from_static(cache_control));
    headers.insert(poem::http::header::VARY, poem::http::HeaderValue::from_static("Authorization, Accept"));
}

/// A response carrying one error, for failures before execution.
pub(crate) fn error_response(status: StatusCode, error: &AppError) -> poem::Response {
    let graphql_error = error.extend();
    let mut server_error = async_graphql::ServerError::new(graphql_error.message, None);
    server_error.extensions = graphql_error.extensions;
    // A request error: no `data` entry.
    let mut response = (status, Json(json!({ "errors": [server_error] }))).into_response();
    response.extensions_mut().insert(Refused(error.code()));
    response
}

/// Marks a response refused before any operation ran, with its error's code: counted in the metrics
/// as an operation refused (an operation that ran counts itself).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Refused(pub &'static str);

/// Who is calling: the token keys that verify bearer tokens and the scope resolver, which together turn a
/// request into a principal and its scope without touching the database.
pub struct Callers {
    pub keys: TokenKeys,
    pub scopes: ScopeResolver,
}

impl Callers {
    /// A request's caller and the caller's access scope, or `UNAUTHENTICATED` for a bad token.
    pub(crate) fn identify(&self, request: &Request) -> Result<(Principal, Scope), AppError> {
        self.identify_authorization(authorization(request).as_deref())
    }

    /// The caller an `Authorization` value names (none: anonymous), and its scope.
    pub(crate) fn identify_authorization(&self, authorization: Option<&str>) -> Result<(Principal, Scope), AppError> {
        let (principal, scope, _) = self.identify_until(authorization)?;
        Ok((principal, scope))
    }

    /// [`Callers::identify_authorization`], with when the token stops verifying (none: anonymous).
    pub(crate) fn identify_until(
        &self,
        authorization: Option<&str>,
    ) -> Result<(Principal, Scope, Option<std::time::SystemTime>), AppError> {
        let (principal, expires) = self.keys.verify(bearer(authorization)?)?;
        // A token whose places name no ICB or region this server knows grants nothing: refused, never
        // read as an empty scope.
        if !self.scopes.knows_places_of(&principal) {
            return Err(AppError::Unauthenticated);
        }
        let scope = self.scopes.resolve(&principal);
        Ok((principal, scope, expires))
    }
}

/// `GET /metrics`: the server's metrics in Prometheus' text format.
#[handler]
async fn metrics_text(endpoint: Data<&Arc<graphql::Endpoint>>) -> poem::Response {
    let text = endpoint.api.metrics().render(&endpoint.db, endpoint.api.open_subscriptions());
    poem::Response::builder().content_type("text/plain; version=0.0.4; charset=utf-8").body(text)
}

/// The process is alive.
#[handler]
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and every migration is applied.
#[handler]
async fn ready(db: Data<&DatabaseConnection>) -> poem::Response {
    // A database that does not answer within two seconds is not ready (the pool would wait longer).
    let answered = tokio::time::timeout(std::time::Duration::from_secs(2), db::is_ready(&db)).await;
    if answered.unwrap_or(false) {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::panicked;
    use poem::middleware::CatchPanic;
    use poem::{Endpoint, EndpointExt, Request, Route, get, handler};

    #[handler]
    fn breaks() -> &'static str {
        let broken: Option<&str> = std::hint::black_box(None);
        broken.expect("a resolver bug with patient 2033469 in its message")
    }

    #[tokio::test]
    async fn a_panic_becomes_an_internal_error_with_an_id_and_no_detail() {
        let endpoint = Route::new().at("/", get(breaks)).with(CatchPanic::new().with_handler(panicked));
        let response = endpoint.get_response(Request::builder().uri_str("/").finish()).await;
        let status = response.status();
        let body = response.into_body().into_string().await.expect("body");
        let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");

        assert_eq!(status, 500);
        assert_eq!(answer["errors"][0]["extensions"]["code"], "INTERNAL_SERVER_ERROR");
        assert!(answer["errors"][0]["extensions"]["errorId"].is_string());
        assert!(!body.contains("2033469") && !body.contains("resolver bug"), "{body}");
    }
}
