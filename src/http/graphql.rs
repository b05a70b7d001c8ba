//! The GraphQL endpoint, following the GraphQL-over-HTTP specification:
//!
//! - `POST /graphql` with `Content-Type: application/json`: one request object, or a batch (a JSON array
//!   of at most `max_batch` requests, checked whole before any runs, with no mutation among several
//!   operations: `MUTATION_IN_BATCH`); any other content type is refused with 415;
//! - `GET /graphql?query=...` runs queries only (a mutation is refused with 405 and `Allow: POST`); a `GET`
//!   without a query serves GraphiQL unless it is switched off;
//! - the response is `application/graphql-response+json` when the client accepts it (then a request that
//!   fails before execution gets 400) or `application/json` (always 200 for a well-formed request); a
//!   subscription, or any operation for a client that accepts `text/event-stream` and no JSON type, is
//!   answered as Server-Sent Events; a client that accepts none of these gets 406;
//! - a body over `max_body_bytes` gets 413, a query over `max_query_bytes` `QUERY_TOO_LONG`, a request over
//!   its time 503 with `REQUEST_TIMEOUT`, a caller over budget 429 with `Retry-After`, a bad token 401.

use super::documents::Documents;
use super::{Callers, RequestId, error_response, live};
use crate::config::Limits;
use crate::graphql::limits::{CostPayer, refusal};
use crate::graphql::response_size::ResponseBudget;
use crate::graphql::{self, nesting};
use crate::services::clock::Clock;
use async_graphql::BatchRequest;
use async_graphql::parser::types::OperationType;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::websocket::{WebSocket, WebSocketConfig};
use poem::web::{Data, RemoteAddr};
use poem::{Body, IntoResponse, Request, handler};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// The media type of GraphQL responses.
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// How the client wants its response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResponseType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: every well-formed request gets 200.
    Json,
}

impl ResponseType {
    /// The type named by an `Accept` header (none or `*/*`: `application/json`), or `None` (406).
    fn from_accept(accept: Option<&str>) -> Option<Self> {
        let Some(accept) = accept.map(str::trim).filter(|accept| !accept.is_empty()) else {
            return Some(Self::Json);
        };
        let types: Vec<String> = accept
            .split(',')
            .filter(|part| !part.split(';').skip(1).any(|param| param.trim().replace(' ', "") == "q=0"))
            .map(|part| part.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .collect();
        if types.iter().any(|media| media == GRAPHQL_RESPONSE) {
            Some(Self::GraphqlResponse)
        } else if types.iter().any(|media| media == "application/json" || media == "application/*" || media == "*/*") {
            Some(Self::Json)
        } else {
            None
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// A request-level error response with a code, as `response_type`.
fn refuse(status: StatusCode, code: &'static str, message: &str, response_type: ResponseType) -> poem::Response {
    let error = refusal(message.to_owned(), code, |_| {});
    let mut response =
        respond(status, &response_body(&async_graphql::Response::from_errors(vec![error])), response_type);
    response.extensions_mut().insert(super::Refused(code));
    response
}

fn respond(status: StatusCode, body: &impl serde::Serialize, response_type: ResponseType) -> poem::Response {
    poem::Response::builder().status(status).content_type(response_type.content_type()).body(to_json(body))
}

/// `body` as JSON bytes.
fn to_json(body: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_else(|_| b"{\"errors\":[{\"message\":\"internal error\"}]}".to_vec())
}

/// A GraphQL response as JSON, written straight from the response (serialised once): a request that
/// failed before execution has no `data` entry at all (the specification's request error), one that ran
/// has `data`, null or not.
#[derive(serde::Serialize)]
pub(super) struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

pub(super) fn response_body(response: &async_graphql::Response) -> ResponseBody<'_> {
    ResponseBody {
        data: (!failed_before_execution(response)).then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    }
}

/// Whether a response is a request error: errors, none of them at a field's path, and no data.
pub(super) fn failed_before_execution(response: &async_graphql::Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// The first `extensions.code` among a response's errors equal to `code`, if any.
fn has_code(response: &async_graphql::Response, code: &str) -> bool {
    response
        .errors
        .iter()
        .any(|error| error.extensions.as_ref().and_then(|extensions| extensions.get("code")) == Some(&code.into()))
}

/// The status of a response: 429 for a throttled request, 400 for a request that failed before execution
/// when the client speaks `application/graphql-response+json`, otherwise 200.
fn status_of(response: &async_graphql::Response, response_type: ResponseType) -> StatusCode {
    if has_code(response, "RATE_LIMITED") || has_code(response, "TOO_MANY_SUBSCRIPTIONS") {
        return StatusCode::TOO_MANY_REQUESTS;
    }
    if response_type == ResponseType::GraphqlResponse && failed_before_execution(response) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// The status of a request error answered instead of an event stream: as under
/// `application/graphql-response+json`.
pub(super) fn request_error_status(response: &async_graphql::Response) -> StatusCode {
    status_of(response, ResponseType::GraphqlResponse)
}

/// The `Retry-After` of a throttled response.
fn retry_after(response: &async_graphql::Response) -> Option<u64> {
    response.errors.iter().find_map(|error| match error.extensions.as_ref()?.get("retryAfter")? {
        async_graphql::Value::Number(seconds) => seconds.as_u64(),
        _ => None,
    })
}

/// What the GraphQL endpoint serves with: the schema, the database, the callers' keys and scopes, the
/// limits, the clock, and word of the server stopping.
pub(super) struct Endpoint {
    pub api: graphql::Api,
    pub documents: Documents,
    pub db: DatabaseConnection,
    pub callers: Arc<Callers>,
    pub limits: Limits,
    pub clock: Clock,
    pub stopping: super::Stopping,
}

/// Whether the client asks for Server-Sent Events (`Accept: text/event-stream`).
fn wants_event_stream(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| {
        accept.split(',').any(|part| {
            let mut pieces = part.split(';');
            let media = pieces.next().unwrap_or_default().trim();
            media.eq_ignore_ascii_case("text/event-stream")
                && !pieces.any(|param| param.trim().replace(' ', "") == "q=0")
        })
    })
}

/// Whether `request` is answered as Server-Sent Events, as graphql-http and graphql-sse intend: a
/// subscription whenever the client accepts `text/event-stream`; a query or mutation only when the client
/// accepts it and no JSON type (urql, for one, offers both and expects JSON for queries).
fn answers_as_event_stream(accept: Option<&str>, request: &mut async_graphql::Request) -> bool {
    wants_event_stream(accept)
        && (ResponseType::from_accept(accept).is_none()
            || graphql::operation::choose(request) == Some(OperationType::Subscription))
}

/// `GET /graphql`: a graphql-ws WebSocket, a query from the query string (as JSON or as Server-Sent
/// Events), or GraphiQL.
#[handler]
pub(super) async fn get_graphql(
    request: &Request,
    remote: &RemoteAddr,
    websocket: Option<WebSocket>,
    endpoint: Data<&Arc<Endpoint>>,
) -> poem::Response {
    let limits = &endpoint.limits;
    if let Some(websocket) = websocket {
        return endpoint.upgrade(request, remote, websocket);
    }
    let query_string = request.uri().query().unwrap_or_default();
    let accept = request.headers().get(header::ACCEPT).and_then(|value| value.to_str().ok());
    let names_a_document = |pair: &str| pair.starts_with("query=") || pair.starts_with("extensions=");
    if !query_string.split('&').any(names_a_document) {
        if !limits.disable_graphiql && accept.is_some_and(|accept| accept.contains("text/html")) {
            return super::graphiql::page();
        }
        let response_type = ResponseType::from_accept(accept).unwrap_or(ResponseType::Json);
        return refuse(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "A GET request needs a `query` parameter.",
            response_type,
        );
    }
    let response_type = ResponseType::from_accept(accept);
    let Some(response_type) = response_type.or(wants_event_stream(accept).then_some(ResponseType::Json)) else {
        return not_acceptable();
    };
    let Some(mut graphql_request) = request_of_query_string(query_string) else {
        let message = "The query string is not a GraphQL request (`query`, `operationName`, `variables` as JSON).";
        return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, response_type);
    };
    if let Some(refusal) = endpoint.refusal_before_parsing(&mut graphql_request, response_type) {
        return refusal;
    }
    if is_mutation(&mut graphql_request) {
        let response_type = if wants_event_stream(accept) { ResponseType::Json } else { response_type };
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Mutations are sent with POST.",
            response_type,
        );
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if answers_as_event_stream(accept, &mut graphql_request) {
        return endpoint.event_stream(request, remote, graphql_request).await;
    }
    endpoint.execute(request, remote, BatchRequest::Single(graphql_request), response_type).await
}

/// `POST /graphql`: one request or a batch, as JSON.
#[handler]
pub(super) async fn post_graphql(
    request: &Request,
    remote: &RemoteAddr,
    body: Body,
    endpoint: Data<&Arc<Endpoint>>,
) -> poem::Response {
    let limits = &endpoint.limits;
    let accept = request.headers().get(header::ACCEPT).and_then(|value| value.to_str().ok());
    let event_stream = wants_event_stream(accept);
    let response_type = ResponseType::from_accept(accept);
    let Some(response_type) = response_type.or(event_stream.then_some(ResponseType::Json)) else {
        return not_acceptable();
    };
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
    let is_json = content_type
        .and_then(|content_type| content_type.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        let message = "Send GraphQL requests as `Content-Type: application/json`.";
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", message, response_type);
    }
    let bytes = match body.into_bytes_limit(limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => {
            let message = format!("The request body is over {} bytes.", limits.max_body_bytes);
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", &message, response_type);
        }
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "The request body could not be read.",
                response_type,
            );
        }
    };
    // Refused before serde_json parses it (which gives up, less clearly, at 128 levels).
    let nesting = nesting::json_nesting(&bytes);
    if nesting > limits.max_nesting + nesting::JSON_ENVELOPE {
        let message = format!("The request nests {nesting} deep; at most {} is allowed.", limits.max_nesting);
        return refuse(StatusCode::BAD_REQUEST, "NESTING_TOO_DEEP", &message, response_type);
    }
    let Ok(batch) = serde_json::from_slice::<BatchRequest>(&bytes) else {
        let message = "The body is not a GraphQL request: a JSON object with a string `query` (and optional \
                       `operationName` and `variables` object), or an array of them.";
        return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, response_type);
    };
    let batch = match batch {
        BatchRequest::Single(mut graphql_request) if event_stream => {
            if let Some(refusal) = endpoint.refusal_before_parsing(&mut graphql_request, response_type) {
                return refusal;
            }
            if answers_as_event_stream(accept, &mut graphql_request) {
                return endpoint.event_stream(request, remote, graphql_request).await;
            }
            BatchRequest::Single(graphql_request)
        }
        BatchRequest::Batch(_) if event_stream && ResponseType::from_accept(accept).is_none() => {
            let message = "An event stream answers one operation: send a single request object.";
            return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, response_type);
        }
        batch => batch,
    };
    endpoint.execute(request, remote, batch, response_type).await
}

/// The GraphQL request a `GET` query string carries: `query`, `operationName`, and `variables` and
/// `extensions` as JSON (async-graphql's own parser drops `operationName`), or `None` if it is malformed.
fn request_of_query_string(query_string: &str) -> Option<async_graphql::Request> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Parameters {
        #[serde(default)]
        query: String,
        operation_name: Option<String>,
        variables: Option<String>,
        extensions: Option<String>,
    }
    let parameters: Parameters = serde_urlencoded::from_str(query_string).ok()?;
    let mut request = async_graphql::Request::new(parameters.query);
    if let Some(name) = parameters.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = parameters.variables {
        // An object (or null), as in a POST body; any other JSON is no request.
        let variables: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&variables).ok()?;
        request = request.variables(async_graphql::Variables::from_json(
            variables.map_or(serde_json::Value::Null, serde_json::Value::Object),
        ));
    }
    if let Some(extensions) = parameters.extensions {
        request.extensions = serde_json::from_str(&extensions).ok()?;
    }
    Some(request)
}

fn not_acceptable() -> poem::Response {
    refuse(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "This endpoint answers `application/graphql-response+json` or `application/json`.",
        ResponseType::Json,
    )
}

/// Whether the operation a request runs is a mutation (see [`graphql::operation`]); unparsable queries
/// are left to execution, which reports them.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    graphql::operation::choose(request) == Some(OperationType::Mutation)
}

impl Endpoint {
    /// Upgrades to a graphql-ws connection (only with the `graphql-transport-ws` subprotocol).
    fn upgrade(self: &Arc<Self>, request: &Request, remote: &RemoteAddr, websocket: WebSocket) -> poem::Response {
        let offered = request
            .headers()
            .get_all(header::SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|protocol| protocol.trim() == live::GRAPHQL_TRANSPORT_WS);
        if !offered {
            let message = "WebSockets at /graphql speak the `graphql-transport-ws` subprotocol (graphql-ws).";
            return refuse(StatusCode::BAD_REQUEST, "BAD_REQUEST", message, ResponseType::Json);
        }
        let endpoint = self.clone();
        let authorization = super::authorization(request);
        let address = remote.as_socket_addr().map(|address| address.ip().to_string());
        // A message over `max_body_bytes` is closed with 1009 by the protocol loop; the WebSocket layer's own
        // bound (twice that) keeps a larger one from being held in memory at all.
        let config = WebSocketConfig::default().max_message_size(Some(self.limits.max_body_bytes.saturating_mul(2)));
        websocket
            .protocols([live::GRAPHQL_TRANSPORT_WS])
            .config(config)
            .on_upgrade(move |socket| live::serve_socket(socket, endpoint, authorization, address))
            .into_response()
    }

    /// Answers one operation as Server-Sent Events.
    async fn event_stream(
        self: &Arc<Self>,
        http_request: &Request,
        remote: &RemoteAddr,
        request: async_graphql::Request,
    ) -> poem::Response {
        let address = remote.as_socket_addr().map(|address| address.ip().to_string());
        let authorization = super::authorization(http_request);
        let Some(caller) = live::LiveCaller::new(&self.callers, authorization.as_deref(), address) else {
            return error_response(StatusCode::UNAUTHORIZED, &crate::error::AppError::Unauthenticated);
        };
        let request_id = http_request.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
        live::event_stream(self.clone(), request, caller, request_id).await
    }

    /// Why `request` must not run, checked on its text before anything parses it: a persisted document
    /// that cannot be had or may not run (see [`Documents`]), or a text too long, empty, or nested too deep
    /// (see [`nesting`]).
    fn refusal_before_parsing(
        &self,
        request: &mut async_graphql::Request,
        response_type: ResponseType,
    ) -> Option<poem::Response> {
        let (status, code, message) = self.reason_to_refuse_unparsed(request)?;
        // A persisted document that cannot be had is a well-formed request: under `application/json`, 200
        // (as persisted-query clients expect).
        let status =
            if response_type == ResponseType::Json && Documents::refuses_with(code) { StatusCode::OK } else { status };
        Some(refuse(status, code, &message, response_type))
    }

    /// Completes `request` with its persisted document, if it names one by hash; then the status, code
    /// and message that refuse it on its text alone, if any.
    pub(super) fn reason_to_refuse_unparsed(
        &self,
        request: &mut async_graphql::Request,
    ) -> Option<(StatusCode, &'static str, String)> {
        if let Err(refusal) = self.documents.resolve(request, self.limits.max_query_bytes) {
            return Some((StatusCode::BAD_REQUEST, refusal.code, refusal.message));
        }
        if request.query.len() > self.limits.max_query_bytes {
            let message = format!("The query is over {} bytes.", self.limits.max_query_bytes);
            return Some((StatusCode::PAYLOAD_TOO_LARGE, "QUERY_TOO_LONG", message));
        }
        if request.query.trim().is_empty() {
            return Some((StatusCode::BAD_REQUEST, "BAD_REQUEST", "The request has no `query`.".to_owned()));
        }
        let nesting = nesting::query_nesting(&request.query).max(nesting::variables_nesting(&request.variables));
        if nesting > self.limits.max_nesting {
            let message = format!("The request nests {nesting} deep; at most {} is allowed.", self.limits.max_nesting);
            return Some((StatusCode::BAD_REQUEST, "NESTING_TOO_DEEP", message));
        }
        None
    }

    /// Identifies the caller, checks the request-level limits, runs each request within the timeout.
    async fn execute(
        &self,
        http_request: &Request,
        remote: &RemoteAddr,
        batch: BatchRequest,
        response_type: ResponseType,
    ) -> poem::Response {
        let (principal, scope) = match self.callers.identify(http_request) {
            Ok(caller) => caller,
            Err(error) => return error_response(StatusCode::UNAUTHORIZED, &error),
        };
        let is_batch = matches!(batch, BatchRequest::Batch(_));
        let requests = match batch {
            BatchRequest::Single(request) => vec![request],
            BatchRequest::Batch(requests) if requests.is_empty() || requests.len() > self.limits.max_batch => {
                let message = format!("A batch holds 1 to {} operations.", self.limits.max_batch);
                return refuse(StatusCode::BAD_REQUEST, "TOO_MANY_OPERATIONS", &message, response_type);
            }
            BatchRequest::Batch(requests) => requests,
        };
        // Every item is checked before any runs: a batch either runs whole or not at all.
        let mut requests = requests;
        if let Some(refusal) =
            requests.iter_mut().find_map(|request| self.refusal_before_parsing(request, response_type))
        {
            return refusal;
        }
        // A mutation is sent on its own: in a batch, a later item's failure could not undo it. Batched
        // queries each get their own result.
        if requests.len() > 1 && requests.iter_mut().any(is_mutation) {
            let message = "A mutation cannot be batched with other operations: send it on its own.";
            return refuse(StatusCode::BAD_REQUEST, "MUTATION_IN_BATCH", message, response_type);
        }
        let address = remote.as_socket_addr().map(|address| address.ip().to_string());
        let payer = CostPayer::of(&principal, address);
        let request_id = http_request.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default();
        let today = self.clock.today();
        // One budget for the whole request, a batch included: one cost limit, one bound on the answer's
        // size (each item is written as soon as it has run, and the batch stops once the answers pass the
        // bound) and one time limit.
        let budget = Arc::new(ResponseBudget::new(self.limits.max_response_bytes));
        let count = requests.len();
        let run = async {
            let mut answers = Vec::with_capacity(count);
            let mut written = 0usize;
            for request in requests {
                let caller = graphql::Caller {
                    principal: principal.clone(),
                    scope: scope.clone(),
                    request_id: request_id.clone(),
                    today,
                };
                let (response, operation) =
                    graphql::execute(&self.api, request, caller, budget.clone(), Some(&payer)).await;
                let answer = Answer::of(budget.bound(response), operation, response_type);
                written += answer.json.len();
                answers.push(answer);
                if budget.exceeded() || written > self.limits.max_response_bytes {
                    // The estimate charged as rows were read can fall short (aliases repeat a field at no
                    // read): the bound holds on what is written all the same, and nothing more runs.
                    budget.exceed();
                    break;
                }
            }
            answers
        };
        let Ok(mut answers) = tokio::time::timeout(self.limits.request_timeout(), run).await else {
            let message = format!("The request took over {} seconds and was stopped.", self.limits.request_timeout);
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "REQUEST_TIMEOUT", &message, response_type);
        };
        if budget.exceeded() {
            let refused = |extensions| {
                let mut response = async_graphql::Response::default();
                response.extensions = extensions;
                Answer::of(budget.refuse(response), None, response_type)
            };
            let mut extensions: Vec<_> = answers.drain(..).map(|answer| answer.extensions).collect();
            extensions.resize_with(count, Default::default);
            answers = extensions.into_iter().map(refused).collect();
        }
        let mutates = answers.iter().any(|answer| answer.operation == Some(OperationType::Mutation));
        let json = join(answers.iter().map(|answer| answer.json.as_slice()), is_batch);
        // A throttled item throttles the request; otherwise a batch in which some item ran is a success
        // (each item carries its own errors), and a request whose every item failed is what they say.
        let status = if answers.iter().any(|answer| answer.status == StatusCode::TOO_MANY_REQUESTS) {
            StatusCode::TOO_MANY_REQUESTS
        } else if is_batch && answers.iter().any(|answer| answer.status == StatusCode::OK) {
            StatusCode::OK
        } else {
            answers.iter().map(|answer| answer.status).max_by_key(StatusCode::as_u16).unwrap_or(StatusCode::OK)
        };
        let retry = answers.iter().find_map(|answer| answer.retry_after);
        let mut http_response =
            poem::Response::builder().status(status).content_type(response_type.content_type()).body(json);
        // A change is never a public answer.
        let succeeded = !mutates && answers.iter().all(|answer| answer.succeeded);
        super::mark_caching(&mut http_response, principal.role.is_none(), succeeded);
        if let Some(seconds) = retry {
            http_response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        http_response
    }
}

/// One operation's answer, written as soon as it has run (so a batch holds its items' JSON, not their
/// value trees), with what the HTTP response needs from it.
struct Answer {
    json: Vec<u8>,
    status: StatusCode,
    retry_after: Option<u64>,
    succeeded: bool,
    operation: Option<OperationType>,
    extensions: std::collections::BTreeMap<String, async_graphql::Value>,
}

impl Answer {
    fn of(response: async_graphql::Response, operation: Option<OperationType>, response_type: ResponseType) -> Self {
        Self {
            json: to_json(&response_body(&response)),
            status: status_of(&response, response_type),
            retry_after: retry_after(&response),
            succeeded: response.errors.is_empty(),
            operation,
            extensions: response.extensions,
        }
    }
}

/// The answers as one JSON body: an array for a batch, the one answer otherwise.
fn join<'a>(answers: impl Iterator<Item = &'a [u8]>, is_batch: bool) -> Vec<u8> {
    let answers: Vec<&[u8]> = answers.collect();
    match answers.as_slice() {
        [only] if !is_batch => only.to_vec(),
        _ => {
            let mut json = Vec::with_capacity(answers.iter().map(|answer| answer.len() + 1).sum::<usize>() + 2);
            json.push(b'[');
            for (index, answer) in answers.iter().enumerate() {
                if index > 0 {
                    json.push(b',');
                }
                json.extend_from_slice(answer);
            }
            json.push(b']');
            json
        }
    }
}
