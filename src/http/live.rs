//! Live answers at `/graphql`: subscriptions (and any query) over
//!
//! - **graphql-ws**, the `graphql-transport-ws` WebSocket protocol: the client authenticates in
//!   `connection_init` (`{"Authorization": "Bearer <token>"}`, or the upgrade request's `Authorization`
//!   header); a bad token closes the socket with 4403, a `subscribe` before the acknowledgement with 4401,
//!   a second `connection_init` with 4429, no `connection_init` within 10 seconds with 4408, a repeated
//!   operation id with 4409 and a malformed message with 4400;
//! - **Server-Sent Events**, GraphQL over SSE's "distinct connections" mode: a `GET` or `POST` with
//!   `Accept: text/event-stream` answers `next` events and a final `complete`, authenticated by the
//!   request's `Authorization` header.
//!
//! Either way each operation runs as a request over HTTP runs (scope, cost, limits, partial results):
//! subscriptions through [`graphql::subscribe`], queries and mutations through [`graphql::execute`].

use super::Callers;
use super::graphql::Endpoint;
use crate::graphql::limits::CostPayer;
use crate::graphql::response_size::ResponseBudget;
use crate::graphql::{self, limits::refusal};
use crate::services::access::{Principal, Scope};
use async_graphql::parser::types::OperationType;
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use poem::http::{HeaderValue, header};
use poem::web::sse::{Event, SSE};
use poem::web::websocket::{CloseCode, Message, WebSocketStream};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::task::AbortHandle;

/// The WebSocket subprotocol spoken.
pub const GRAPHQL_TRANSPORT_WS: &str = "graphql-transport-ws";

/// How long a new socket has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often an idle event stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How long a new event stream waits for its caller's abandoned streams to close (see
/// [`crate::graphql::subscription::Subscribers::make_room`]).
const MAKE_ROOM_PATIENCE: Duration = Duration::from_millis(500);

/// The reconnection delay an event stream states when it is probed (browsers' usual default).
const RECONNECT_MILLISECONDS: u64 = 3_000;

/// Who runs the operations of one connection, until when.
#[derive(Clone)]
pub(super) struct LiveCaller {
    pub principal: Principal,
    pub scope: Scope,
    pub payer: CostPayer,
    /// When the caller's token stops verifying: the connection's operations end then (none: anonymous).
    pub expires: Option<tokio::time::Instant>,
}

impl LiveCaller {
    pub(super) fn new(callers: &Callers, authorization: Option<&str>, address: Option<String>) -> Option<Self> {
        let (principal, scope, expires) = callers.identify_until(authorization).ok()?;
        let payer = CostPayer::of(&principal, address);
        // An expiry too far ahead for the monotonic clock is as good as none.
        let expires = expires.and_then(|at| {
            let left = at.duration_since(std::time::SystemTime::now()).unwrap_or_default();
            tokio::time::Instant::now().checked_add(left)
        });
        Some(Self { principal, scope, payer, expires })
    }
}

/// The answer that ends an operation whose token expired.
fn expired() -> async_graphql::Response {
    let message = "The bearer token expired: connect again with a new one.".to_owned();
    async_graphql::Response::from_errors(vec![refusal(message, "UNAUTHENTICATED", |_| {})])
}

/// Waits until `at`, or for ever.
async fn until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The answers to one operation: each event of a subscription, or the one answer of a query or mutation.
pub(super) fn answers(
    endpoint: Arc<Endpoint>,
    mut request: async_graphql::Request,
    caller: LiveCaller,
    request_id: String,
) -> BoxStream<'static, async_graphql::Response> {
    let limits = &endpoint.limits;
    if let Some((_, code, message)) = endpoint.reason_to_refuse_unparsed(&mut request) {
        let response = async_graphql::Response::from_errors(vec![refusal(message, code, |_| {})]);
        return futures_util::stream::once(async { response }).boxed();
    }
    let graphql_caller =
        graphql::Caller { principal: caller.principal, scope: caller.scope, request_id, today: endpoint.clock.today() };
    if graphql::operation::choose(&mut request) == Some(OperationType::Subscription) {
        let answers =
            graphql::subscribe(&endpoint.api, request, graphql_caller, limits.max_response_bytes, &caller.payer);
        return answers;
    }
    futures_util::stream::once(async move {
        let budget = Arc::new(ResponseBudget::new(endpoint.limits.max_response_bytes));
        let execution = graphql::execute(&endpoint.api, request, graphql_caller, budget.clone(), Some(&caller.payer));
        match tokio::time::timeout(endpoint.limits.request_timeout(), execution).await {
            Ok((response, _)) => budget.bound(response),
            Err(_) => {
                let message =
                    format!("The request took over {} seconds and was stopped.", endpoint.limits.request_timeout);
                async_graphql::Response::from_errors(vec![refusal(message, "REQUEST_TIMEOUT", |_| {})])
            }
        }
    })
    .boxed()
}

/// A message to the client, written straight from the response, so its fields keep the query's order.
#[derive(serde::Serialize)]
struct ServerMessage<'a, P: serde::Serialize> {
    r#type: &'static str,
    id: &'a str,
    payload: P,
}

/// `value` as JSON text.
fn to_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| r#"{"errors":[{"message":"internal error"}]}"#.to_owned())
}

/// Whether a response is a request error (refused before execution: no data, no error at a path).
fn refused_before_execution(response: &async_graphql::Response) -> bool {
    !response.errors.is_empty()
        && response.data == async_graphql::Value::Null
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// The `text/event-stream` answer to one operation (GraphQL over SSE, distinct connections).
pub(super) async fn event_stream(
    endpoint: Arc<Endpoint>,
    request: async_graphql::Request,
    caller: LiveCaller,
    request_id: String,
) -> poem::Response {
    use futures_util::FutureExt;
    use poem::IntoResponse;
    let mut request = request;
    let expiry = Box::pin(until(caller.expires));
    let anonymous = caller.principal.role.is_none();
    let subscribers = endpoint.api.subscribers().clone();
    let me: Arc<str> = caller.payer.caller.as_str().into();
    // A client that reconnects at its most subscriptions: its streams whose clients went away are made to
    // notice it now, so it is not refused for a stream nobody reads.
    if graphql::operation::choose(&mut request) == Some(OperationType::Subscription) {
        subscribers.make_room(&me, MAKE_ROOM_PATIENCE).await;
    }
    let probes = subscribers.probes();
    let endpoint_stopping = endpoint.stopping.clone();
    let mut answers = answers(endpoint, request, caller, request_id);
    // A request that fails before it runs (it does not parse or validate, or is refused by a limit) is
    // answered at once: a request error (`400`, or `429` for a caller over its limits) with the errors as
    // JSON, not a stream.
    let first = answers.next().now_or_never().flatten();
    if let Some(response) = first.as_ref().filter(|response| super::graphql::failed_before_execution(response)) {
        let mut refused = poem::Response::builder()
            .status(super::graphql::request_error_status(response))
            .content_type("application/json; charset=utf-8")
            .body(to_text(&super::graphql::response_body(response)));
        super::mark_caching(&mut refused, anonymous, false);
        return refused;
    }
    let answers = futures_util::stream::iter(first).chain(answers).boxed();
    // Each answer as a `next` event; at the token's expiry, a last one with `UNAUTHENTICATED`.
    // When this caller makes room, a `retry` field (the reconnection delay, as browsers default it) is
    // written at once: a stream whose client has gone fails to write and closes.
    // When the server begins to stop, the stream ends (with `complete`): shutdown does not wait for it.
    let stopping = Box::pin(endpoint_stopping.begun());
    let state = (answers, expiry, probes, stopping, false);
    let events =
        futures_util::stream::unfold(state, move |(mut answers, mut expiry, mut probes, mut stopping, ended)| {
            let me = me.clone();
            async move {
                if ended {
                    return None;
                }
                loop {
                    let (response, ended) = tokio::select! {
                        answer = answers.next() => (answer?, false),
                        () = &mut expiry => (expired(), true),
                        () = &mut stopping => return None,
                        probe = probes.recv() => match probe {
                            Ok(caller) if caller != me => continue,
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                                probes = tokio::sync::broadcast::channel(1).1;
                                continue;
                            }
                            _ => {
                                let state = (answers, expiry, probes, stopping, false);
                                return Some((Event::retry(RECONNECT_MILLISECONDS), state));
                            }
                        },
                    };
                    let body = to_text(&super::graphql::response_body(&response));
                    return Some((Event::message(body).event_type("next"), (answers, expiry, probes, stopping, ended)));
                }
            }
        })
        .chain(futures_util::stream::once(async { Event::message("").event_type("complete") }));
    let mut response = SSE::new(events).keep_alive(KEEP_ALIVE).into_response();
    // An event stream is never stored (poem's own `no-cache` would let a cache keep it).
    let cache_control = if anonymous { "no-store" } else { "private, no-store" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Authorization, Accept"));
    response
}

/// A message of the `graphql-transport-ws` protocol, as received.
#[derive(serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {},
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
}

/// Closes the socket with a protocol code.
fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some((CloseCode::from(code), reason.to_owned())))
}

/// The `Authorization` value a `connection_init` payload carries: `Authorization` (any case), at its top
/// level or under `headers` as some clients send it; `Ok(None)` for none. A payload that is not an
/// object, a value that is not text, or two different values is no credential at all (`Err`), never
/// read as anonymous.
fn authorization_in(payload: Option<&Value>) -> Result<Option<String>, ()> {
    let fields = match payload {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(()),
    };
    let headers = match fields.iter().find(|(key, _)| key.eq_ignore_ascii_case("headers")) {
        Some((_, Value::Object(headers))) => Some(headers),
        Some((_, Value::Null)) | None => None,
        Some(_) => return Err(()),
    };
    let mut found: Option<&str> = None;
    for (key, value) in fields.iter().chain(headers.into_iter().flatten()) {
        if !key.eq_ignore_ascii_case("authorization") {
            continue;
        }
        let Value::String(value) = value else { return Err(()) };
        if found.is_some_and(|earlier| earlier != value) {
            return Err(());
        }
        found = Some(value);
    }
    Ok(found.map(str::to_owned))
}

/// Serves one graphql-ws connection until either side closes it.
pub(super) async fn serve_socket(
    socket: WebSocketStream,
    endpoint: Arc<Endpoint>,
    upgrade_authorization: Option<String>,
    address: Option<String>,
) {
    let (mut sink, mut incoming) = socket.split();
    let (outgoing, mut to_send) = tokio::sync::mpsc::channel::<Message>(64);
    let writer = tokio::spawn(async move {
        while let Some(message) = to_send.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let running: Arc<Mutex<HashMap<String, AbortHandle>>> = Arc::default();
    let mut caller: Option<LiveCaller> = None;
    let deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(deadline);
    let mut expiry = Box::pin(until(None));
    let mut stopping = Box::pin(endpoint.stopping.clone().begun());
    loop {
        let message = tokio::select! {
            message = incoming.next() => message,
            // The server is stopping: the client is told to connect again (to another replica).
            () = &mut stopping => {
                let _ = outgoing.send(close(1001, "Server shutting down")).await;
                break;
            }
            () = &mut deadline, if caller.is_none() => {
                let _ = outgoing.send(close(4408, "Connection initialisation timeout")).await;
                break;
            }
            // A connection outlives no token: its operations end, and the client connects again.
            () = &mut expiry => {
                let _ = outgoing.send(close(4403, "Forbidden: the token expired")).await;
                break;
            }
        };
        let text = match message {
            Some(Ok(Message::Text(text))) if text.len() > endpoint.limits.max_body_bytes => {
                let _ = outgoing.send(close(1009, "Message too big")).await;
                break;
            }
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Binary(_))) => {
                let _ = outgoing.send(close(4400, "Binary messages are not part of the protocol")).await;
                break;
            }
            // A frame the protocol layer refused (a message past its larger bound among them): said so with a
            // close code, where a broken connection (an I/O error) just ends.
            Some(Err(error)) if error.kind() == std::io::ErrorKind::Other => {
                let too_big = error.to_string().starts_with("Space limit exceeded");
                let _ = outgoing
                    .send(if too_big { close(1009, "Message too big") } else { close(1002, "Protocol error") })
                    .await;
                break;
            }
            Some(Ok(Message::Close(_)) | Err(_)) | None => break,
        };
        let Ok(message) = serde_json::from_str::<ClientMessage>(&text) else {
            let _ = outgoing.send(close(4400, "Invalid message received")).await;
            break;
        };
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if caller.is_some() {
                    let _ = outgoing.send(close(4429, "Too many initialisation requests")).await;
                    break;
                }
                let identified = authorization_in(payload.as_ref()).ok().and_then(|authorization| {
                    let authorization = authorization.or_else(|| upgrade_authorization.clone());
                    LiveCaller::new(&endpoint.callers, authorization.as_deref(), address.clone())
                });
                let Some(identified) = identified else {
                    let _ = outgoing.send(close(4403, "Forbidden")).await;
                    break;
                };
                expiry = Box::pin(until(identified.expires));
                caller = Some(identified);
                let _ = outgoing.send(Message::text(json!({ "type": "connection_ack" }).to_string())).await;
            }
            ClientMessage::Ping { payload } => {
                let pong = match payload {
                    Some(payload) => json!({ "type": "pong", "payload": payload }),
                    None => json!({ "type": "pong" }),
                };
                let _ = outgoing.send(Message::text(pong.to_string())).await;
            }
            ClientMessage::Pong {} => {}
            ClientMessage::Subscribe { id, payload } => {
                let Some(caller) = caller.clone() else {
                    let _ = outgoing.send(close(4401, "Unauthorized")).await;
                    break;
                };
                let started = {
                    let mut operations = running.lock().unwrap_or_else(PoisonError::into_inner);
                    let is_new = !operations.contains_key(&id);
                    if is_new {
                        let request_id = uuid::Uuid::new_v4().to_string();
                        let answers = answers(endpoint.clone(), *payload, caller, request_id);
                        let task = tokio::spawn(run_operation(id.clone(), answers, outgoing.clone(), running.clone()));
                        operations.insert(id.clone(), task.abort_handle());
                    }
                    is_new
                };
                if !started {
                    let _ = outgoing.send(close(4409, &format!("Subscriber for {id} already exists"))).await;
                    break;
                }
            }
            ClientMessage::Complete { id } => {
                if let Some(task) = running.lock().unwrap_or_else(PoisonError::into_inner).remove(&id) {
                    task.abort();
                }
            }
        }
    }
    for (_, task) in running.lock().unwrap_or_else(PoisonError::into_inner).drain() {
        task.abort();
    }
    drop(outgoing);
    // The close frame goes out if the client still reads; a client that stopped reading is not waited
    // for (its socket would otherwise stay open until the server stops).
    let flush = writer.abort_handle();
    if tokio::time::timeout(FLUSH_TIMEOUT, writer).await.is_err() {
        flush.abort();
    }
}

/// How long a closing connection may take to send what is left to the client.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// Sends the answers of one operation as `next` messages, then `complete` (or one `error` message for an
/// operation refused before it ran).
async fn run_operation(
    id: String,
    mut answers: BoxStream<'static, async_graphql::Response>,
    outgoing: tokio::sync::mpsc::Sender<Message>,
    running: Arc<Mutex<HashMap<String, AbortHandle>>>,
) {
    let mut first = true;
    let mut refused = false;
    while let Some(response) = answers.next().await {
        let message = if first && refused_before_execution(&response) {
            refused = true;
            to_text(&ServerMessage { r#type: "error", id: &id, payload: &response.errors })
        } else {
            to_text(&ServerMessage { r#type: "next", id: &id, payload: super::graphql::response_body(&response) })
        };
        first = false;
        if outgoing.send(Message::text(message)).await.is_err() || refused {
            break;
        }
    }
    // Only an operation still running says it is complete (the client may have completed it already).
    let removed = running.lock().unwrap_or_else(PoisonError::into_inner).remove(&id).is_some();
    if removed && !refused {
        let _ = outgoing.send(Message::text(json!({ "type": "complete", "id": id }).to_string())).await;
    }
}
