//! Live subscriptions over graphql-ws (`graphql-transport-ws`) and Server-Sent Events: a change made
//! through one replica reaches the subscribers of another (PostgreSQL `LISTEN/NOTIFY`; on SQLite, one
//! process), scoped like queries, limited per caller, and a reconnecting client starts again cleanly.

use crate::helpers::{spawn_app, spawn_app_with, token};
use futures_util::{SinkExt, StreamExt};
use rotagraph::app::DemoData;
use rotagraph::config::Limits;
use rotagraph::services::access::Role;
use sea_orm::DbBackend;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const VACANCIES: &str = "subscription { vacancyChanged { action vacancy { id host { odsCode } wte } } }";

/// How long a test waits for a message it expects before failing (never how long something should take).
const PATIENCE: Duration = Duration::from_secs(20);

/// A graphql-ws client connection.
struct WsClient {
    socket: Socket,
}

impl WsClient {
    /// Connects to `/graphql` with the `graphql-transport-ws` subprotocol (no `connection_init` yet).
    async fn connect(address: SocketAddr) -> Self {
        let mut request = format!("ws://{address}/graphql").into_client_request().expect("request");
        request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
        let (socket, response) = tokio_tungstenite::connect_async(request).await.expect("WebSocket upgrade");
        assert_eq!(
            response.headers().get("sec-websocket-protocol").and_then(|value| value.to_str().ok()),
            Some("graphql-transport-ws")
        );
        Self { socket }
    }

    /// Connects and initialises with `token` (or anonymously), expecting `connection_ack`.
    async fn open(address: SocketAddr, token: Option<&str>) -> Self {
        let mut client = Self::connect(address).await;
        let payload = token.map_or_else(|| json!({}), |token| json!({ "Authorization": format!("Bearer {token}") }));
        client.send(json!({ "type": "connection_init", "payload": payload })).await;
        assert_eq!(client.next().await["type"], "connection_ack");
        client
    }

    async fn send(&mut self, message: Value) {
        self.socket.send(Message::text(message.to_string())).await.expect("send");
    }

    async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query } })).await;
    }

    /// The next protocol message (a close frame as `{"type": "close", "code": ...}`).
    async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next()).await.expect("a message in time");
            match message {
                Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).expect("JSON message"),
                Some(Ok(Message::Close(frame))) => {
                    return json!({ "type": "close", "code": frame.map(|frame| u16::from(frame.code)) });
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return json!({ "type": "closed" }),
            }
        }
    }

    /// Whether a message arrives within `wait` (for what must not arrive).
    async fn quiet_for(&mut self, wait: Duration) -> Option<Value> {
        match tokio::time::timeout(wait, self.socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => Some(serde_json::from_str(&text).expect("JSON message")),
            _ => None,
        }
    }
}

/// A Server-Sent Events subscription: the raw event stream.
struct SseClient {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl SseClient {
    async fn open(address: SocketAddr, token: Option<&str>, query: &str) -> (u16, Self) {
        let mut request = reqwest::Client::new()
            .post(format!("http://{address}/graphql"))
            .header("Accept", "text/event-stream")
            .json(&json!({ "query": query }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("SSE request");
        let status = response.status().as_u16();
        (status, Self { body: response.bytes_stream().boxed(), buffer: String::new() })
    }

    /// The next event: its type and its data as JSON (null for none).
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        event = value.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim());
                    }
                }
                if event.is_empty() && data.is_empty() {
                    continue; // a keep-alive comment
                }
                return (event, serde_json::from_str(&data).unwrap_or(Value::Null));
            }
            let chunk = tokio::time::timeout(PATIENCE, self.body.next()).await.expect("an event in time");
            let chunk = chunk.expect("the stream stays open").expect("bytes");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// A community pharmacy inside (or outside) T6Y0W.
async fn pharmacy(address: SocketAddr, inside: bool) -> String {
    let icb = json!({ "icb": { "eq": "T6Y0W" } });
    let filter = if inside {
        json!({ "and": [{ "kind": { "eq": "COMMUNITY_PHARMACY" } }, icb] })
    } else {
        json!({ "and": [{ "kind": { "eq": "COMMUNITY_PHARMACY" } }, { "not": icb }] })
    };
    let query =
        r#"query($filter: OrganisationFilter!) { organisations(filter: $filter, first: 1) { nodes { odsCode } } }"#;
    let response = post(address, None, query, json!({ "filter": filter })).await;
    response["data"]["organisations"]["nodes"][0]["odsCode"].as_str().expect("a pharmacy").to_owned()
}

async fn post(address: SocketAddr, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request").json().await.expect("JSON")
}

/// Creates a vacancy at `host` through `address` as an administrator of T6Y0W; its id, or the user
/// error codes.
async fn create_vacancy(address: SocketAddr, host: &str, sector: &str) -> Result<Value, Value> {
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let mutation =
        "mutation($i: CreateVacancyInput!) { createVacancy(input: $i) { vacancy { id } userErrors { code } } }";
    let input = json!({ "host": host, "sector": sector, "wte": 0.6, "funding": "ARRS" });
    let answer = post(address, Some(&admin), mutation, json!({ "i": input })).await;
    let created = &answer["data"]["createVacancy"];
    if created["vacancy"]["id"].is_string() { Ok(created["vacancy"]["id"].clone()) } else { Err(answer) }
}

/// Gives the server a moment to start the subscriptions just sent (graphql-ws does not acknowledge a
/// `subscribe`): not a timing assertion, only the order of events the test sets up.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_change_through_one_replica_reaches_in_scope_subscribers_of_another_over_graphql_ws_and_sse() {
    let app = spawn_app(DemoData::Load).await;
    // On PostgreSQL the write goes through a second replica (its own pool and listener); on SQLite,
    // where events are in-process, through the same server.
    let writer = if app.test_db.backend() == DbBackend::Postgres { app.replica().await } else { app.address };
    let inside = pharmacy(app.address, true).await;
    let national = token(Role::National, &[], None);
    let viewer = token(Role::IcbViewer, &["T6Y0W"], None);
    let other_viewer = token(Role::IcbViewer, &["QHL"], None);

    let mut ws_national = WsClient::open(app.address, Some(&national)).await;
    ws_national.subscribe("v", VACANCIES).await;
    let mut ws_elsewhere = WsClient::open(app.address, Some(&other_viewer)).await;
    ws_elsewhere.subscribe("v", VACANCIES).await;
    let (status, mut sse_viewer) = SseClient::open(app.address, Some(&viewer), VACANCIES).await;
    assert_eq!(status, 200);
    settle().await;

    // A refused write changes nothing and announces nothing; the next one is announced.
    let refused = create_vacancy(writer, &inside, "GENERAL_PRACTICE").await;
    assert!(refused.is_err(), "{refused:?}");
    let id = create_vacancy(writer, &inside, "COMMUNITY_PHARMACY").await.expect("vacancy created");

    let event = ws_national.next().await;
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["id"], "v");
    assert_eq!(
        event["payload"]["data"]["vacancyChanged"],
        json!({ "action": "CREATED", "vacancy": { "id": id, "host": { "odsCode": inside }, "wte": 0.6 } })
    );
    let (kind, data) = sse_viewer.next().await;
    assert_eq!(kind, "next");
    assert_eq!(data["data"]["vacancyChanged"]["vacancy"]["id"], id, "{data}");
    // The viewer of another ICB may not read the vacancy: the event never reaches it.
    assert_eq!(ws_elsewhere.quiet_for(Duration::from_secs(1)).await, None);

    // Completing a subscription ends it with no more messages.
    ws_national.send(json!({ "type": "complete", "id": "v" })).await;
    settle().await;
    create_vacancy(writer, &inside, "COMMUNITY_PHARMACY").await.expect("second vacancy");
    let (_, second) = sse_viewer.next().await;
    assert!(second["data"]["vacancyChanged"]["vacancy"]["id"].is_string(), "{second}");
    assert_eq!(ws_national.quiet_for(Duration::from_secs(1)).await, None);
}

#[tokio::test]
async fn the_protocol_refuses_bad_tokens_early_subscribes_and_repeated_ids_with_its_close_codes() {
    let app = spawn_app(DemoData::Load).await;

    let mut forged = WsClient::connect(app.address).await;
    forged.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } })).await;
    let mut early = WsClient::connect(app.address).await;
    early.subscribe("a", VACANCIES).await;
    let mut twice = WsClient::open(app.address, None).await;
    twice.subscribe("a", VACANCIES).await;
    twice.subscribe("a", VACANCIES).await;
    let mut garbled = WsClient::open(app.address, None).await;
    garbled.send(json!({ "type": "no-such-message" })).await;
    let mut pinged = WsClient::open(app.address, None).await;
    pinged.send(json!({ "type": "ping" })).await;
    let mut two_fields = WsClient::open(app.address, None).await;
    two_fields.subscribe("t", "subscription { a: vacancyChanged { action } b: vacancyChanged { action } }").await;

    assert_eq!(forged.next().await, json!({ "type": "close", "code": 4403 }));
    assert_eq!(early.next().await, json!({ "type": "close", "code": 4401 }));
    assert_eq!(twice.next().await, json!({ "type": "close", "code": 4409 }));
    assert_eq!(garbled.next().await, json!({ "type": "close", "code": 4400 }));
    assert_eq!(pinged.next().await, json!({ "type": "pong" }));
    let refused = two_fields.next().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    // Without the subprotocol there is no upgrade.
    let plain = tokio_tungstenite::connect_async(format!("ws://{}/graphql", app.address)).await;
    assert!(plain.is_err(), "a WebSocket without graphql-transport-ws is refused");
}

#[tokio::test]
async fn a_dashboard_that_reconnects_over_sse_at_its_limit_is_not_refused_for_its_dropped_stream() {
    let limits = Limits { max_subscriptions: 1, ..Limits::default() };
    let app = spawn_app_with(DemoData::Load, limits).await;
    let national = token(Role::National, &[], None);
    let subscription = "subscription { fillRateChanged(groupBy: ICB) { group { code } placesOffered } }";
    for attempt in 0..3 {
        // The client reads the first event, then goes away without a word; it reconnects at once.
        let (status, mut sse) = SseClient::open(app.address, Some(&national), subscription).await;
        assert_eq!(status, 200, "attempt {attempt}");
        assert_eq!(sse.next().await.0, "next", "attempt {attempt}");
        drop(sse);
    }
    // A second stream while the first is read is still refused: the limit holds.
    let (_, mut kept) = SseClient::open(app.address, Some(&national), subscription).await;
    assert_eq!(kept.next().await.0, "next");
    let (status, _) = SseClient::open(app.address, Some(&national), subscription).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn a_message_over_the_body_limit_closes_the_socket_with_1009() {
    let limits = Limits { max_body_bytes: 10_000, ..Limits::default() };
    let app = spawn_app_with(DemoData::Skip, limits).await;
    for size in [15_000, 50_000] {
        let mut client = WsClient::open(app.address, None).await;
        let query = format!("{{ __typename }}#{}", "x".repeat(size));
        client.subscribe("big", &query).await;
        assert_eq!(client.next().await, json!({ "type": "close", "code": 1009 }), "{size} bytes");
    }
}

#[tokio::test]
async fn a_caller_keeps_at_most_its_subscriptions_open_and_a_reconnecting_client_starts_cleanly() {
    let limits = Limits { max_subscriptions: 2, ..Limits::default() };
    let app = spawn_app_with(DemoData::Load, limits).await;
    let national = token(Role::National, &[], None);

    let mut first = WsClient::open(app.address, Some(&national)).await;
    first.subscribe("1", VACANCIES).await;
    first.subscribe("2", VACANCIES).await;
    first.subscribe("3", VACANCIES).await;
    let refused = first.next().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "3");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS");
    // Over Server-Sent Events too: the limit is the caller's, whatever the transport; refused at once
    // with 429 and the error as JSON, not as a stream.
    let refused = reqwest::Client::new()
        .post(format!("http://{}/graphql", app.address))
        .header("Accept", "text/event-stream")
        .bearer_auth(&national)
        .json(&json!({ "query": VACANCIES }))
        .send()
        .await
        .expect("SSE request");
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["cache-control"], "private, no-store");
    let data: Value = refused.json().await.expect("JSON");
    assert_eq!(data["errors"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{data}");

    // The connection drops without a word; its subscriptions close with it, and a new connection may
    // open as many again and receives changes.
    drop(first);
    settle().await;
    let mut again = WsClient::open(app.address, Some(&national)).await;
    again.subscribe("1", VACANCIES).await;
    again.subscribe("2", VACANCIES).await;
    settle().await;
    let inside = pharmacy(app.address, true).await;
    let id = create_vacancy(app.address, &inside, "COMMUNITY_PHARMACY").await.expect("vacancy created");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let event = again.next().await;
        assert_eq!(event["type"], "next", "{event}");
        assert_eq!(event["payload"]["data"]["vacancyChanged"]["vacancy"]["id"], id);
        ids.push(event["id"].as_str().unwrap_or_default().to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["1", "2"]);
}

#[tokio::test]
async fn a_subscriber_that_does_not_read_holds_up_neither_writers_nor_other_subscribers() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let inside = pharmacy(app.address, true).await;
    // This one subscribes, then never reads another message.
    let mut idle = WsClient::open(app.address, Some(&national)).await;
    idle.subscribe("idle", VACANCIES).await;
    let mut reader = WsClient::open(app.address, Some(&national)).await;
    reader.subscribe("r", VACANCIES).await;
    settle().await;

    let mut created = Vec::new();
    for _ in 0..20 {
        created.push(create_vacancy(app.address, &inside, "COMMUNITY_PHARMACY").await.expect("vacancy created"));
    }
    let mut received = Vec::new();
    for _ in 0..20 {
        let event = reader.next().await;
        received.push(event["payload"]["data"]["vacancyChanged"]["vacancy"]["id"].clone());
    }
    assert_eq!(received, created);
}

#[tokio::test]
async fn the_fill_rate_is_sent_at_once_and_queries_run_over_both_transports() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let subscription = "subscription { fillRateChanged(groupBy: ICB) { group { code } placesOffered } }";

    let (_, mut sse) = SseClient::open(app.address, Some(&national), subscription).await;
    let (kind, first) = sse.next().await;
    let mut ws = WsClient::open(app.address, Some(&national)).await;
    ws.subscribe("q", "{ icbs { odsCode } }").await;
    let answer = ws.next().await;
    let done = ws.next().await;
    let (_, sse_query) = SseClient::open(app.address, None, "{ regions { odsCode } }").await;
    let mut sse_query = sse_query;
    let (query_kind, regions) = sse_query.next().await;

    assert_eq!(kind, "next");
    let rows = first["data"]["fillRateChanged"].as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty() && rows.iter().all(|row| row["placesOffered"].is_u64()), "{first}");
    let direct = post(
        app.address,
        Some(&national),
        "{ reports { fillRate(groupBy: ICB) { group { code } placesOffered } } }",
        json!({}),
    )
    .await;
    assert_eq!(first["data"]["fillRateChanged"], direct["data"]["reports"]["fillRate"], "the same rows as the report");
    assert_eq!(answer["type"], "next");
    assert!(answer["payload"]["data"]["icbs"].as_array().is_some_and(|icbs| icbs.len() == 36), "{answer}");
    assert_eq!(done, json!({ "type": "complete", "id": "q" }));
    assert_eq!(query_kind, "next");
    assert!(regions["data"]["regions"].as_array().is_some_and(|regions| !regions.is_empty()), "{regions}");
    assert_eq!(sse_query.next().await.0, "complete");
}

#[tokio::test]
async fn a_named_operation_sent_without_its_name_keeps_a_forbidden_key_over_both_transports() {
    let app = spawn_app(DemoData::Load).await;
    let reporter = token(Role::Reporter, &[], None);
    let query = "query Q { pharmacists(first: 1) { nodes { id givenName } } }";

    let mut ws = WsClient::open(app.address, Some(&reporter)).await;
    ws.subscribe("q", query).await;
    let answer = ws.next().await;
    let (_, mut sse) = SseClient::open(app.address, Some(&reporter), query).await;
    let (kind, event) = sse.next().await;

    assert_eq!(answer["type"], "next", "{answer}");
    assert_eq!(kind, "next");
    for payload in [&answer["payload"], &event] {
        assert_eq!(payload["data"]["pharmacists"]["nodes"][0].get("givenName"), Some(&Value::Null), "{payload}");
        assert_eq!(payload["errors"][0]["path"], json!(["pharmacists", "nodes", 0, "givenName"]), "{payload}");
        assert_eq!(payload["errors"][0]["extensions"]["code"], "FORBIDDEN", "{payload}");
    }
}

#[tokio::test]
async fn memberships_placements_and_the_fill_rate_move_live_and_a_reporter_gets_no_personal_field() {
    let fixture = crate::rotations::Fixture::new(20).await;
    let address = fixture.app.address;
    let national = token(Role::National, &[], None);
    let reporter = token(Role::Reporter, &[], None);
    let fill_rate = format!(
        r#"subscription {{ fillRateChanged(groupBy: COHORT, filter: {{ programme: ["{}"] }}) {{
            group {{ code }} placesOffered accepted {{ value }} }} }}"#,
        fixture.programme
    );

    let (_, mut dashboard) = SseClient::open(address, Some(&national), &fill_rate).await;
    let (_, before) = dashboard.next().await;
    let mut memberships = WsClient::open(address, Some(&national)).await;
    memberships.subscribe("m", "subscription { membershipChanged { action membership { id status } } }").await;
    let mut placements = WsClient::open(address, Some(&reporter)).await;
    placements
        .subscribe("p", "subscription { placementChanged { action placement { id pharmacist { givenName } } } }")
        .await;
    settle().await;

    let membership = fixture.accepted("9500001").await;
    let offered = memberships.next().await;
    let accepted = memberships.next().await;
    let (_, after) = dashboard.next().await;
    let placement = fixture.plan(&membership, &fixture.practice, "GENERAL_PRACTICE", "2026-09-01", "2027-08-31").await;
    let planned = placements.next().await;

    assert_eq!(before["data"]["fillRateChanged"][0]["accepted"]["value"], 0, "{before}");
    assert_eq!(before["data"]["fillRateChanged"][0]["placesOffered"], 20);
    assert_eq!(
        offered["payload"]["data"]["membershipChanged"],
        json!({ "action": "CREATED", "membership": { "id": membership["id"], "status": "OFFERED" } })
    );
    assert_eq!(
        accepted["payload"]["data"]["membershipChanged"],
        json!({ "action": "UPDATED", "membership": { "id": membership["id"], "status": "ACCEPTED" } })
    );
    assert_eq!(after["data"]["fillRateChanged"][0]["accepted"]["value"], 1, "the fill rate moved: {after}");
    let placement_id = &placement["placement"]["id"];
    assert_eq!(
        planned["payload"]["data"]["placementChanged"],
        json!({ "action": "CREATED", "placement": { "id": placement_id, "pharmacist": { "givenName": null } } }),
        "{planned}"
    );
    assert_eq!(planned["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        planned["payload"]["errors"][0]["path"],
        json!(["placementChanged", "placement", "pharmacist", "givenName"])
    );
}

/// A national token that stops verifying `seconds_left` seconds from now (its `exp` is within the
/// 60-second clock leeway already).
fn token_expiring_in(seconds_left: u64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let claims = json!({
        "sub": "expiring", "role": "national", "iat": now - 120, "exp": now + seconds_left - 60,
        "iss": "rotagraph", "aud": "rotagraph"
    });
    let key = jsonwebtoken::EncodingKey::from_secret(crate::helpers::TEST_SECRET);
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("token")
}

#[tokio::test]
async fn a_connection_outlives_no_token_and_a_malformed_credential_is_never_anonymous() {
    let app = spawn_app(DemoData::Load).await;
    let expiring = token_expiring_in(3);
    let national = token(Role::National, &[], None);

    let mut socket = WsClient::open(app.address, Some(&expiring)).await;
    socket.subscribe("v", VACANCIES).await;
    let (_, mut stream) = SseClient::open(app.address, Some(&expiring), VACANCIES).await;
    let closed = socket.next().await;
    let (last_kind, last) = stream.next().await;
    let (end, _) = stream.next().await;

    let mut numeric = WsClient::connect(app.address).await;
    numeric.send(json!({ "type": "connection_init", "payload": { "Authorization": 5 } })).await;
    let mut not_an_object = WsClient::connect(app.address).await;
    not_an_object.send(json!({ "type": "connection_init", "payload": "Bearer x" })).await;
    let mut two = WsClient::connect(app.address).await;
    let both = json!({ "Authorization": format!("Bearer {national}"), "authorization": "Bearer forged" });
    two.send(json!({ "type": "connection_init", "payload": both })).await;
    let mut nested = WsClient::connect(app.address).await;
    let headers = json!({ "headers": { "Authorization": format!("Bearer {national}") } });
    nested.send(json!({ "type": "connection_init", "payload": headers })).await;
    let acknowledged = nested.next().await;
    nested.subscribe("q", "{ pharmacists(first: 1) { nodes { givenName } } }").await;
    let personal = nested.next().await;

    assert_eq!(closed, json!({ "type": "close", "code": 4403 }), "the socket closes when the token expires");
    assert_eq!(last_kind, "next");
    assert_eq!(last["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{last}");
    assert_eq!(end, "complete");
    assert_eq!(numeric.next().await, json!({ "type": "close", "code": 4403 }));
    assert_eq!(not_an_object.next().await, json!({ "type": "close", "code": 4403 }));
    assert_eq!(two.next().await, json!({ "type": "close", "code": 4403 }));
    assert_eq!(acknowledged["type"], "connection_ack");
    assert!(personal["payload"]["data"]["pharmacists"]["nodes"][0]["givenName"].is_string(), "{personal}");
}

#[tokio::test]
async fn new_pathways_and_redesign_changes_reach_the_subscribers_who_may_read_them() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let elsewhere = token(Role::IcbViewer, &["QHL"], None);
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let pathways = "subscription { patientPathwayChanged(filter: { icb: { eq: \"T6Y0W\" } }) { action pathway { name icbs { odsCode } } } }";
    let redesigns = "subscription { serviceRedesignChanged { action redesign { title status version } } }";
    let mut ws_national = WsClient::open(app.address, Some(&national)).await;
    ws_national.subscribe("p", pathways).await;
    ws_national.subscribe("r", redesigns).await;
    let mut ws_elsewhere = WsClient::open(app.address, Some(&elsewhere)).await;
    ws_elsewhere.subscribe("p", pathways).await;
    ws_elsewhere.subscribe("r", redesigns).await;
    settle().await;

    let create = "mutation($i: CreatePatientPathwayInput!) { createPatientPathway(input: $i) { pathway { id } userErrors { code } } }";
    let input = json!({ "ownerIcb": "T6Y0W", "name": "Live pathway", "specialism": "FRAILTY", "startOn": "2026-12-01",
        "icbs": ["T6Y0W"], "sectors": ["GENERAL_PRACTICE"] });
    let created = post(app.address, Some(&admin), create, json!({ "i": input })).await;
    assert!(created["data"]["createPatientPathway"]["pathway"]["id"].is_string(), "{created}");
    let event = ws_national.next().await;
    assert_eq!((&event["type"], &event["id"]), (&json!("next"), &json!("p")), "{event}");
    assert_eq!(
        event["payload"]["data"]["patientPathwayChanged"],
        json!({ "action": "CREATED", "pathway": { "name": "Live pathway", "icbs": [{ "odsCode": "T6Y0W" }] } })
    );

    let create = "mutation($i: CreateServiceRedesignInput!) { createServiceRedesign(input: $i) { redesign { id } userErrors { code } } }";
    let input = json!({ "icb": "T6Y0W", "title": "Live redesign", "sectors": ["GENERAL_PRACTICE"], "startOn": "2026-12-01",
        "teamJoinedAt": "FROM_THE_START", "socialCareInvolved": true });
    let created = post(app.address, Some(&admin), create, json!({ "i": input })).await;
    let id = created["data"]["createServiceRedesign"]["redesign"]["id"].clone();
    let update =
        "mutation($i: UpdateServiceRedesignInput!) { updateServiceRedesign(input: $i) { userErrors { code } } }";
    post(
        app.address,
        Some(&admin),
        update,
        json!({ "i": { "id": id, "expectedVersion": 1, "status": "IN_PROGRESS" } }),
    )
    .await;
    let created_event = ws_national.next().await;
    let updated_event = ws_national.next().await;
    assert_eq!(
        created_event["payload"]["data"]["serviceRedesignChanged"],
        json!({ "action": "CREATED", "redesign": { "title": "Live redesign", "status": "PLANNED", "version": 1 } })
    );
    assert_eq!(
        updated_event["payload"]["data"]["serviceRedesignChanged"],
        json!({ "action": "UPDATED", "redesign": { "title": "Live redesign", "status": "IN_PROGRESS", "version": 2 } })
    );
    // Birmingham's reader may read neither record: nothing reaches it.
    assert_eq!(ws_elsewhere.quiet_for(Duration::from_secs(1)).await, None);
}
