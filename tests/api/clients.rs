//! What mainstream clients send, answered as they expect: the operation chosen the same way whether or
//! not `operationName` is sent, keys in the query's order, content negotiation and CORS.

use crate::helpers::{DASHBOARD_ORIGIN, TestApp, error_codes, spawn_app, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::{Value, json};

/// Posts `body` (a request object or a batch) with `token` and returns the JSON answer.
async fn post(app: &TestApp, token: Option<&str>, body: &Value) -> Value {
    let mut request = app.client.post(app.url("/graphql")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request").json().await.expect("JSON answer")
}

/// The first pharmacist node of `answer` (at `data.pharmacists`), with the `FORBIDDEN` error at its
/// `givenName` asserted.
fn first_pharmacist(answer: &Value) -> Value {
    assert_eq!(error_codes(answer), ["FORBIDDEN"], "{answer}");
    assert_eq!(answer["errors"][0]["path"], json!(["pharmacists", "nodes", 0, "givenName"]), "{answer}");
    answer["data"]["pharmacists"]["nodes"][0].clone()
}

#[tokio::test]
async fn a_forbidden_field_is_null_at_its_key_whichever_way_the_operation_is_chosen() {
    let app = spawn_app(DemoData::Load).await;
    let token = token(Role::Reporter, &[], None);
    let reporter = Some(token.as_str());
    let selection = "pharmacists(first: 1) { nodes { id givenName } }";
    let named = format!("query Q {{ {selection} }}");
    let anonymous = format!("{{ {selection} }}");
    let two = format!("query Other {{ __typename }} query Q {{ {selection} }}");
    let cases = [
        ("a named operation without operationName", json!({ "query": named })),
        ("a named operation with operationName", json!({ "query": named, "operationName": "Q" })),
        ("an anonymous operation", json!({ "query": anonymous })),
        ("one of two operations, by operationName", json!({ "query": two, "operationName": "Q" })),
    ];
    for (case, body) in cases {
        let node = first_pharmacist(&post(&app, reporter, &body).await);
        assert_eq!(
            node.as_object().map(|node| node.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["id".to_owned(), "givenName".to_owned()]),
            "{case}: {node}"
        );
        assert_eq!(node["givenName"], Value::Null, "{case}");
        // The same in a batch, and over GET.
        let batch = post(&app, reporter, &json!([body.clone(), body.clone()])).await;
        for item in batch.as_array().expect("a batch answers an array") {
            assert_eq!(first_pharmacist(item).get("givenName"), Some(&Value::Null), "{case}, batched: {item}");
        }
        let mut query: Vec<(&str, String)> = vec![("query", body["query"].as_str().expect("query").to_owned())];
        if let Some(name) = body["operationName"].as_str() {
            query.push(("operationName", name.to_owned()));
        }
        let got: Value = app
            .client
            .get(app.url("/graphql"))
            .query(&query)
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON");
        assert_eq!(first_pharmacist(&got).get("givenName"), Some(&Value::Null), "{case}, over GET: {got}");
    }

    // No operation to run: several and none named, or a name the document lacks; a request error.
    for body in [json!({ "query": two }), json!({ "query": named, "operationName": "Missing" })] {
        let answer = post(&app, reporter, &body).await;
        assert_eq!(error_codes(&answer), ["GRAPHQL_VALIDATION_FAILED"], "{answer}");
        assert!(answer.get("data").is_none(), "{answer}");
    }
}

/// The keys of `value` (an object), in the order the answer gave them.
fn keys(value: &Value) -> Vec<&str> {
    value.as_object().map(|object| object.keys().map(String::as_str).collect()).unwrap_or_default()
}

#[tokio::test]
async fn keys_come_in_the_order_of_the_query() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let answer = post(
        &app,
        None,
        &json!({ "query": r#"{ icb(odsCode: "QMM") { name validTo regionNow: region { odsCode } } regions { odsCode } }"# }),
    )
    .await;
    assert_eq!(keys(&answer["data"]), ["icb", "regions"], "{answer}");
    assert_eq!(keys(&answer["data"]["icb"]), ["name", "validTo", "regionNow"], "{answer}");
    let answer =
        post(&app, None, &json!({ "query": r#"{ icb(odsCode: "QMM") { regionNow: region { odsCode } name } }"# }))
            .await;
    assert_eq!(keys(&answer["data"]["icb"]), ["regionNow", "name"], "{answer}");

    // Fragments take their place, a key selected twice stays where it first appeared, and nested lists
    // follow too.
    let query = r#"query { b: programmes(first: 2) { nodes { ...P code } } ...R icbs { odsCode name } }
        fragment P on RotationProgramme { cohorts(first: 1) { nodes { placesOffered label } } name }
        fragment R on Query { regions { name odsCode } }"#;
    let answer = post(&app, Some(&national), &json!({ "query": query })).await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(keys(&answer["data"]), ["b", "regions", "icbs"]);
    let programme = &answer["data"]["b"]["nodes"][0];
    assert_eq!(keys(programme), ["cohorts", "name", "code"], "{answer}");
    assert_eq!(keys(&programme["cohorts"]["nodes"][0]), ["placesOffered", "label"], "{answer}");
    assert_eq!(keys(&answer["data"]["regions"][0]), ["name", "odsCode"]);
}

/// urql's default `Accept`.
const URQL_ACCEPT: &str = "application/graphql-response+json, application/json, text/event-stream, multipart/mixed";

/// Sends `query` by POST (or GET) with `accept` and `token`: status, `Content-Type`, `Cache-Control`, body.
async fn negotiate(
    app: &TestApp,
    get: bool,
    accept: &str,
    token: Option<&str>,
    query: &str,
) -> (u16, String, String, String) {
    let request = if get {
        app.client.get(app.url("/graphql")).query(&[("query", query)])
    } else {
        app.client.post(app.url("/graphql")).json(&json!({ "query": query }))
    };
    let mut request = request.header("Accept", accept);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let header =
        |name: &str| response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned();
    let (status, content_type, cache_control) =
        (response.status().as_u16(), header("content-type"), header("cache-control"));
    // An event stream is read up to its first event only.
    let body = if content_type.starts_with("text/event-stream") {
        let mut stream = futures_util::StreamExt::boxed(response.bytes_stream());
        let chunk =
            tokio::time::timeout(std::time::Duration::from_secs(20), futures_util::StreamExt::next(&mut stream))
                .await
                .expect("an event in time");
        String::from_utf8_lossy(&chunk.expect("an event").expect("bytes")).into_owned()
    } else {
        response.text().await.expect("body")
    };
    (status, content_type, cache_control, body)
}

#[tokio::test]
async fn queries_answer_json_to_a_client_that_accepts_it_and_event_streams_only_otherwise() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    for get in [false, true] {
        // urql offers JSON and event streams: a query is answered as JSON, public when anonymous.
        let (status, content_type, cache_control, body) =
            negotiate(&app, get, URQL_ACCEPT, None, "{ __typename }").await;
        assert_eq!(
            (status, content_type.as_str()),
            (200, "application/graphql-response+json; charset=utf-8"),
            "get {get}"
        );
        assert_eq!(cache_control, "public, max-age=60");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["data"], json!({ "__typename": "Query" }));
        // A shared cache may keep it: no caller's own budget in it.
        assert_eq!(keys(&body["extensions"]["cost"]), ["requested", "limit"], "{body}");
        // A validation error is a request error: 400 under graphql-response+json.
        let (status, _, _, body) = negotiate(&app, get, URQL_ACCEPT, None, "{ nope }").await;
        assert_eq!(status, 400, "{body}");
        // A client that accepts only event streams gets one, even for a query; its request errors are
        // answered at once as JSON with 400.
        let (status, content_type, cache_control, body) =
            negotiate(&app, get, "text/event-stream", Some(&national), "{ regions { odsCode } }").await;
        assert_eq!((status, content_type.as_str()), (200, "text/event-stream"), "{body}");
        assert_eq!(cache_control, "private, no-store");
        assert!(body.contains("event: next") && body.contains("regions"), "{body}");
        let (status, content_type, _, body) = negotiate(&app, get, "text/event-stream", None, "{ nope }").await;
        assert_eq!((status, content_type.as_str()), (400, "application/json; charset=utf-8"), "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).expect("JSON")["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
    }
    // A subscription is an event stream to a client that accepts one.
    let subscription = "subscription { fillRateChanged(groupBy: ICB) { group { code } } }";
    let (status, content_type, cache_control, body) = negotiate(&app, false, URQL_ACCEPT, None, subscription).await;
    assert_eq!(
        (status, content_type.as_str(), cache_control.as_str()),
        (200, "text/event-stream", "no-store"),
        "{body}"
    );
    assert!(body.contains("fillRateChanged"), "{body}");
}

#[tokio::test]
async fn a_page_on_an_allowed_origin_may_query_with_its_token_and_others_get_no_cors_header() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    // The browser's preflight for a POST with a token and a JSON body.
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight(DASHBOARD_ORIGIN).await.expect("preflight");
    assert_eq!(allowed.status(), 204);
    let header = |response: &reqwest::Response, name: &str| {
        response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
    };
    assert_eq!(header(&allowed, "access-control-allow-origin"), DASHBOARD_ORIGIN);
    assert!(header(&allowed, "access-control-allow-methods").contains("POST"));
    let allowed_headers = header(&allowed, "access-control-allow-headers").to_ascii_lowercase();
    assert!(allowed_headers.contains("authorization") && allowed_headers.contains("content-type"), "{allowed_headers}");

    let answer = app
        .client
        .post(app.url("/graphql"))
        .header("Origin", DASHBOARD_ORIGIN)
        .header("Accept", "application/graphql-response+json")
        .bearer_auth(&national)
        .json(&json!({ "query": "{ regions { odsCode } }" }))
        .send()
        .await
        .expect("cross-origin POST");
    assert_eq!(answer.status(), 200);
    assert_eq!(header(&answer, "access-control-allow-origin"), DASHBOARD_ORIGIN);
    assert_eq!(header(&answer, "vary"), "Authorization, Accept, Origin");
    assert!(header(&answer, "access-control-expose-headers").contains("Retry-After"));

    // Another origin's page gets no CORS header (its browser keeps the answer from it); the request
    // itself runs as a same-origin one would, so GraphiQL and non-browser clients are unaffected.
    let other = preflight("https://elsewhere.example").await.expect("preflight");
    assert_eq!(header(&other, "access-control-allow-origin"), "");
    let same_origin = app
        .client
        .post(app.url("/graphql"))
        .header("Origin", format!("http://{}", app.address))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("same-origin POST");
    assert_eq!(same_origin.status(), 200);
    assert_eq!(header(&same_origin, "access-control-allow-origin"), "");
}

#[tokio::test]
async fn filters_say_what_they_do_and_requests_that_cannot_run_are_request_errors() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let national = Some(national.as_str());
    let count = |filter: Value| {
        let app = &app;
        async move {
            let query = "query($f: PlacementFilter) { placements(filter: $f) { totalCount } }";
            let answer = post(app, national, &json!({ "query": query, "variables": { "f": filter } })).await;
            assert!(answer["errors"].is_null(), "{answer}");
            answer["data"]["placements"]["totalCount"].as_i64().expect("a count")
        }
    };
    let all = count(Value::Null).await;
    assert!(all > 0);
    // No condition: an empty operator object, or its operators null.
    for filter in [
        json!({ "status": {} }),
        json!({ "status": { "in": null } }),
        json!({ "status": { "eq": null } }),
        json!({ "hostIcb": {} }),
        json!({ "sector": { "eq": null, "in": null } }),
    ] {
        assert_eq!(count(filter.clone()).await, all, "{filter}");
    }
    // `in: []` matches nothing; `eq` with `in` means both.
    assert_eq!(count(json!({ "status": { "in": [] } })).await, 0);
    let approved = count(json!({ "status": { "eq": "APPROVED" } })).await;
    assert!(approved > 0 && approved < all, "{approved} of {all}");
    assert_eq!(count(json!({ "status": { "eq": "APPROVED", "in": ["APPROVED", "CANCELLED"] } })).await, approved);
    assert_eq!(count(json!({ "status": { "eq": "APPROVED", "in": ["CANCELLED"] } })).await, 0);

    // A page over the largest is refused, not cut short.
    let big = post(&app, national, &json!({ "query": "{ placements(first: 500) { nodes { id } } }" })).await;
    assert_eq!(error_codes(&big), ["BAD_USER_INPUT"], "{big}");
    assert_eq!(big["errors"][0]["extensions"]["field"], "first", "{big}");
    // An error is said once.
    let twice = post(&app, None, &json!({ "query": "subscription { __typename }" })).await;
    assert_eq!(error_codes(&twice), ["GRAPHQL_VALIDATION_FAILED"], "{twice}");
    // Refused once before any SQL, however many parents a nested page has.
    let nested = post(&app, None, &json!({ "query": "{ icbs { pcns(first: 500) { totalCount } } }" })).await;
    assert_eq!(error_codes(&nested), ["BAD_USER_INPUT"], "{nested}");
    assert!(nested.get("data").is_none(), "{nested}");

    // A required variable left out (or null), or an Int variable out of its 32-bit range, is a request
    // error; so is a nullable variable given to an argument that needs a value (validation).
    let required = "query($c: OdsCode!) { icb(odsCode: $c) { name } }";
    let nullable = "query($c: OdsCode) { icb(odsCode: $c) { name } }";
    let int = "query($n: Int) { organisations(first: $n) { totalCount } }";
    for (query, variables, code) in [
        (required, json!({}), "BAD_USER_INPUT"),
        (required, json!({ "c": null }), "BAD_USER_INPUT"),
        (nullable, json!({}), "GRAPHQL_VALIDATION_FAILED"),
        (nullable, json!({ "c": "QMM" }), "GRAPHQL_VALIDATION_FAILED"),
        (int, json!({ "n": 99_999_999_999_i64 }), "BAD_USER_INPUT"),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("Accept", "application/graphql-response+json")
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 400, "{query} {variables}");
        let answer: Value = response.json().await.expect("JSON");
        assert_eq!(error_codes(&answer), [code], "{answer}");
        assert!(answer.get("data").is_none(), "{answer}");
    }
    // Every root field skipped: an empty object, as GraphQL answers it.
    let skipped = post(&app, None, &json!({ "query": "{ icbs @skip(if: true) { odsCode } }" })).await;
    assert_eq!(skipped["data"], json!({}), "{skipped}");
    assert!(skipped["errors"].is_null(), "{skipped}");
}

#[tokio::test]
async fn every_root_connection_pages_backwards_too() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    for list in ["patientPathways", "serviceRedesigns", "auditLog"] {
        let query = format!(
            "{{ all: {list}(first: 100) {{ edges {{ cursor }} }} tail: {list}(last: 2) {{ edges {{ cursor }} pageInfo {{ hasPreviousPage }} }} }}"
        );
        let answer = post(&app, Some(&national), &json!({ "query": query })).await;
        assert!(answer["errors"].is_null(), "{list}: {answer}");
        let cursors = |key: &str| -> Vec<Value> {
            answer["data"][key]["edges"].as_array().into_iter().flatten().map(|edge| edge["cursor"].clone()).collect()
        };
        let all = cursors("all");
        if list == "auditLog" {
            continue; // the demo data has no changes yet: `last`/`before` are accepted, as above
        }
        assert!((3..100).contains(&all.len()), "{list}: the demo holds a few: {answer}");
        assert_eq!(cursors("tail"), all[all.len() - 2..].to_vec(), "{list}: the last two of the list");
        assert_eq!(answer["data"]["tail"]["pageInfo"]["hasPreviousPage"], true, "{list}");
    }
}

#[tokio::test]
async fn cursors_reveal_nothing_and_are_read_by_every_replica() {
    use base64::Engine as _;
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let query = "query($after: String) { pharmacists(first: 2, after: $after, orderBy: { field: NAME }) {
        edges { cursor node { id familyName } } } }";
    let first = post(&app, Some(&national), &json!({ "query": query })).await;
    let edges = first["data"]["pharmacists"]["edges"].as_array().cloned().unwrap_or_default();
    assert_eq!(edges.len(), 2, "{first}");
    for edge in &edges {
        let cursor = edge["cursor"].as_str().expect("a cursor");
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded);
        let family_name = edge["node"]["familyName"].as_str().expect("a name");
        for readable in [family_name, "pharmacist", "family_name", "key", "order"] {
            assert!(!text.contains(readable) && !cursor.contains(readable), "{readable} in {cursor}");
        }
    }
    // The next page, read by another replica: the same secret seals and opens every cursor.
    let after = edges[1]["cursor"].clone();
    let replica = app.replica().await;
    let next: Value = app
        .client
        .post(format!("http://{replica}/graphql"))
        .bearer_auth(&national)
        .json(&json!({ "query": query, "variables": { "after": after } }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert!(next["errors"].is_null(), "{next}");
    assert_ne!(next["data"]["pharmacists"]["edges"][0]["node"]["id"], edges[0]["node"]["id"]);
    // An altered cursor is refused like any other that is not this list's.
    let mut altered = after.as_str().expect("cursor").to_owned();
    altered.replace_range(5..6, if &altered[5..6] == "A" { "B" } else { "A" });
    let refused = post(&app, Some(&national), &json!({ "query": query, "variables": { "after": altered } })).await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");
}

#[tokio::test]
async fn a_list_filtered_by_unique_keys_costs_as_many_rows_as_keys() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let cost = |query: &'static str| {
        let (app, national) = (&app, &national);
        async move {
            let answer = post(app, Some(national), &json!({ "query": query })).await;
            assert!(answer["errors"].is_null(), "{answer}");
            answer["extensions"]["cost"]["requested"].as_u64().expect("a cost")
        }
    };
    // A connection costs 1 and its page times its selection (`nodes { code }`: 2 a row); each input object
    // of a filter adds 20. The default page is 20 rows; one code is one row, two ODS codes two rows,
    // whatever the page.
    assert_eq!(cost("{ programmes { nodes { code } } }").await, 1 + 20 * 2);
    assert_eq!(cost(r#"{ programmes(filter: { code: ["STAR"] }) { nodes { code } } }"#).await, 1 + 2 + 20);
    assert_eq!(
        cost(r#"{ organisations(first: 50, filter: { odsCode: { in: ["QMM", "T6Y0W"] } }) { nodes { name } } }"#).await,
        1 + 2 * 2 + 2 * 20
    );
}

#[tokio::test]
async fn the_dashboard_is_served_whole_from_the_server() {
    let app = spawn_app(DemoData::Skip).await;
    let page = app.client.get(app.url("/dashboard/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().expect("CSP").to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"), "{policy}");
    let html = page.text().await.expect("HTML");
    for file in ["/dashboard/dashboard.js", "/dashboard/dashboard.css", "/graphiql/graphql-ws.min.js"] {
        assert!(html.contains(file), "the page loads {file}");
        let response = app.client.get(app.url(file)).send().await.expect("file");
        assert_eq!(response.status(), 200, "{file}");
    }
    assert!(!html.contains("https://"), "no file from elsewhere");
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/dashboard"))
        .send()
        .await
        .expect("redirect");
    assert_eq!(redirect.status(), 308);
    assert_eq!(app.client.get(app.url("/dashboard/nope.js")).send().await.expect("404").status(), 404);
}

#[tokio::test]
async fn the_subgraph_sdl_a_gateway_reads_carries_the_cost_model() {
    let app = spawn_app(DemoData::Skip).await;
    let committed = include_str!("../../subgraph.graphql");
    for query in ["{ _service { sdl } }", "{ s: _service { x: sdl } }"] {
        let answer = post(&app, None, &json!({ "query": query })).await;
        let sdl = answer["data"]
            .as_object()
            .and_then(|data| data.values().next())
            .and_then(|service| service.as_object())
            .and_then(|service| service.values().next())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        assert_eq!(sdl, committed, "{query}");
    }
    assert!(committed.contains("https://specs.apollo.dev/federation/v2.9") && committed.contains("\"@listSize\""));
    assert!(committed.contains(
        r#"): PlacementConnection! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges", "nodes"], requireOneSlicingArgument: false)"#
    ));
    assert!(committed.contains("): [CrossIcbFlowReportRow!]! @cost(weight: 2000)"));
}

#[tokio::test]
async fn smaller_conformance_points_hold() {
    let app = spawn_app(DemoData::Load).await;
    // A batch in which one item ran answers 200, each item with its own errors.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("Accept", "application/graphql-response+json")
        .json(&json!([{ "query": "query($c: OdsCode!) { icb(odsCode: $c) { name } }" }, { "query": "{ __typename }" }]))
        .send()
        .await
        .expect("batch");
    assert_eq!(response.status(), 200);
    // GET variables must be an object, as in a POST body.
    let got = app.client.get(app.url("/graphql?query=%7B__typename%7D&variables=%5B1%5D")).send().await.expect("GET");
    assert_eq!(got.status(), 400);
    // Several operations with an anonymous one: a validation failure, as without a name to choose by.
    let several = post(&app, None, &json!({ "query": "{ icbs { odsCode } } query B { regions { odsCode } }" })).await;
    assert_eq!(error_codes(&several), ["GRAPHQL_VALIDATION_FAILED"], "{several}");
    // An anonymous answer leaves out the caller's budget on every transport (here SSE, a query).
    let (_, _, _, body) = negotiate(&app, false, "text/event-stream", None, "{ regions { odsCode } }").await;
    assert!(body.contains("\"limit\"") && !body.contains("remaining"), "{body}");
    // A token whose places name no ICB or region this server knows is refused.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    for places in [json!({ "role": "icb_viewer", "icbs": ["NOTAN"] }), json!({ "role": "regional", "region": "QMM" })] {
        let mut claims = json!({ "sub": "t", "iat": now, "exp": now + 600, "iss": "rotagraph", "aud": "rotagraph" });
        for (key, value) in places.as_object().expect("object") {
            claims[key] = value.clone();
        }
        let signed = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(crate::helpers::TEST_SECRET),
        )
        .expect("sign");
        let answer = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(signed)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("request");
        assert_eq!(answer.status(), 401, "{places}");
    }
}
