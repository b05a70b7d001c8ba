//! Cost control and GraphQL over HTTP through the real server: every limit refuses with its code before
//! any SQL runs, introspection works within the defaults, budgets throttle with `Retry-After`, and the
//! endpoint negotiates content types and methods as the GraphQL-over-HTTP specification asks.

use crate::helpers::{TestApp, error_codes, spawn_app, spawn_app_with};
use rotagraph::app::DemoData;
use rotagraph::config::Limits;
use serde_json::{Value, json};

/// graphql-js's `getIntrospectionQuery()`, as GraphiQL sends it.
pub const INTROSPECTION: &str = r#"query IntrospectionQuery { __schema { queryType { name } mutationType { name }
  subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description
  args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue }
  interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"#;

/// Posts `body` as JSON with these headers; the status, the headers we look at, and the body as JSON.
async fn post(app: &TestApp, body: &Value, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = app.client.post(app.url("/graphql")).json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Sends `query` and checks it is refused with `code` (and HTTP `status`) without running any SQL.
async fn refused_before_sql(app: &TestApp, body: Value, status: u16, code: &str) -> Value {
    let before = app.statements();
    let (got_status, _, response) = post(app, &body, &[]).await;
    assert_eq!(error_codes(&response), [code], "{response}");
    assert_eq!(got_status, status, "{response}");
    assert_eq!(app.statements(), before, "{code}: no SQL ran");
    assert!(!response.to_string().to_lowercase().contains("select"), "{response}");
    response
}

#[tokio::test]
async fn every_limit_refuses_with_its_code_before_any_sql() {
    let app = spawn_app(DemoData::Skip).await;

    // Deep but cheap: a region is its own region, one object at every level.
    let deep = format!("{{ regions {{ {}odsCode {}}} }}", "region { ".repeat(18), "} ".repeat(18));
    refused_before_sql(&app, json!({ "query": deep }), 200, "QUERY_TOO_DEEP").await;

    let costly = format!("{{ organisations(first: 100) {{ nodes {{ {} }} }} }}", "odsCode ".repeat(250));
    let response = refused_before_sql(&app, json!({ "query": costly }), 200, "QUERY_TOO_COMPLEX").await;
    assert_eq!(response["extensions"]["cost"]["requested"], 25_101, "1 + 100 × (1 + 250)");

    let aliased: String = (0..31).map(|index| format!("a{index}: icbs {{ odsCode }} ")).collect();
    refused_before_sql(&app, json!({ "query": format!("{{ {aliased} }}") }), 200, "TOO_MANY_ALIASES").await;

    // Fragments spread into each other 2^24 times: costed once each, refused at once.
    let mut fragments = String::from("fragment F0 on Icb { odsCode name }\n");
    for level in 1..=24 {
        let previous = level - 1;
        fragments.push_str(&format!("fragment F{level} on Icb {{ ...F{previous} ...F{previous} }}\n"));
    }
    let amplified = format!("{{ icbs {{ ...F24 }} }}\n{fragments}");
    refused_before_sql(&app, json!({ "query": amplified }), 200, "QUERY_TOO_COMPLEX").await;

    let long = format!("{{ icbs {{ odsCode }} }} #{}", "x".repeat(40 * 1024));
    refused_before_sql(&app, json!({ "query": long }), 413, "QUERY_TOO_LONG").await;

    let huge = json!({ "query": "{ icbs { odsCode } }", "variables": { "padding": "x".repeat(300 * 1024) } });
    refused_before_sql(&app, huge, 413, "PAYLOAD_TOO_LARGE").await;

    let batch: Vec<Value> = (0..11).map(|_| json!({ "query": "{ icbs { odsCode } }" })).collect();
    refused_before_sql(&app, Value::Array(batch), 400, "TOO_MANY_OPERATIONS").await;
}

#[tokio::test]
async fn introspection_and_batches_work_within_the_limits_and_every_response_reports_its_cost() {
    let app = spawn_app(DemoData::Skip).await;
    let (status, _, introspection) = post(&app, &json!({ "query": INTROSPECTION }), &[]).await;
    assert_eq!(status, 200);
    assert!(introspection["errors"].is_null(), "{introspection}");
    assert!(introspection["data"]["__schema"]["types"].as_array().is_some_and(|types| types.len() > 100));

    let (status, _, answer) =
        post(&app, &json!({ "query": "{ organisations(first: 10) { nodes { odsCode name } } }" }), &[]).await;
    assert_eq!(status, 200);
    let cost = &answer["extensions"]["cost"];
    assert_eq!((cost["requested"].as_u64(), cost["limit"].as_u64()), (Some(1 + 10 * 3), Some(20_000)), "{answer}");
    // An anonymous answer may be cached publicly: it leaves out the caller's remaining budget.
    assert!(cost.get("remaining").is_none(), "{answer}");

    let batch = json!([{ "query": "{ icbs { odsCode } }" }, { "query": "query($c: OdsCode!) { organisation(odsCode: $c) { name } }", "variables": { "c": "QMM" } }]);
    let (status, _, answers) = post(&app, &batch, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(answers.as_array().map(Vec::len), Some(2), "{answers}");
    assert_eq!(answers[1]["data"]["organisation"]["name"], "NHS Norfolk and Waveney Integrated Care Board");
}

#[tokio::test]
async fn a_caller_over_budget_is_throttled_with_retry_after() {
    let limits = Limits { caller_budget: 100, icb_budget: 1_000, max_cost: 100, ..Limits::default() };
    let app = spawn_app_with(DemoData::Skip, limits).await;
    let query = json!({ "query": "{ organisations(first: 20) { nodes { odsCode name } } }" });

    let bearer = format!("Bearer {}", crate::helpers::token(rotagraph::services::access::Role::National, &[], None));
    let with_token = [("authorization", bearer.as_str())];
    let (first_status, _, first) = post(&app, &query, &with_token).await;
    let before = app.statements();
    let (second_status, headers, second) = post(&app, &query, &with_token).await;

    assert_eq!(first_status, 200, "{first}");
    assert_eq!(first["extensions"]["cost"]["remaining"], 100 - 61);
    assert_eq!(second_status, 429);
    assert_eq!(error_codes(&second), ["RATE_LIMITED"]);
    let retry_after: u64 = headers["retry-after"].to_str().expect("header").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(second["errors"][0]["extensions"]["retryAfter"], retry_after);
    assert_eq!(app.statements(), before, "a throttled request runs no SQL");
}

#[tokio::test]
async fn introspection_can_be_switched_off_and_then_nothing_suggests_field_names() {
    let limits = Limits { disable_introspection: true, disable_graphiql: true, ..Limits::default() };
    let app = spawn_app_with(DemoData::Skip, limits).await;
    let (_, _, introspection) = post(&app, &json!({ "query": INTROSPECTION }), &[]).await;
    let (_, _, typo) = post(&app, &json!({ "query": "{ icbs { odsCod } }" }), &[]).await;
    let graphiql = app.client.get(app.url("/graphql")).header("accept", "text/html").send().await.expect("get");

    assert!(introspection["data"].is_null(), "{introspection}");
    assert_eq!(error_codes(&introspection), ["INTROSPECTION_DISABLED"]);
    assert!(!typo.to_string().contains("Did you mean"), "{typo}");
    assert_eq!(error_codes(&typo), ["GRAPHQL_VALIDATION_FAILED"]);
    assert_eq!(graphiql.status(), 400);
}

#[tokio::test]
async fn the_endpoint_follows_graphql_over_http() {
    let app = spawn_app(DemoData::Skip).await;
    let graphql_response = [("accept", "application/graphql-response+json")];

    // Media types: graphql-response+json on request, 400 for a request error; application/json otherwise.
    let (status, headers, ok) = post(&app, &json!({ "query": "{ icbs { odsCode } }" }), &graphql_response).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().expect("type").starts_with("application/graphql-response+json"));
    assert_eq!(ok["data"]["icbs"].as_array().map(Vec::len), Some(36));
    let (status, _, invalid) = post(&app, &json!({ "query": "{ nope }" }), &graphql_response).await;
    assert_eq!((status, error_codes(&invalid)), (400, vec!["GRAPHQL_VALIDATION_FAILED".to_owned()]));
    let (status, headers, invalid) = post(&app, &json!({ "query": "{ nope }" }), &[]).await;
    assert_eq!(status, 200, "application/json: 200 for a well-formed request");
    assert!(headers["content-type"].to_str().expect("type").starts_with("application/json"));
    assert_eq!(error_codes(&invalid), ["GRAPHQL_VALIDATION_FAILED"]);
    let (status, _, _) = post(&app, &json!({ "query": "{ icbs { odsCode } }" }), &[("accept", "text/html")]).await;
    assert_eq!(status, 406);

    // Malformed bodies and content types.
    let send = |body: &'static str, content_type: &'static str| {
        app.client.post(app.url("/graphql")).header("content-type", content_type).body(body).send()
    };
    assert_eq!(send("{ not json", "application/json").await.expect("send").status(), 400);
    assert_eq!(send(r#"{"query": 7}"#, "application/json").await.expect("send").status(), 400);
    assert_eq!(send(r#"{"variables": {}}"#, "application/json").await.expect("send").status(), 400);
    assert_eq!(send(r#"{"query": "{ icbs { odsCode } }"}"#, "text/plain").await.expect("send").status(), 415);
    let missing = app.client.post(app.url("/graphql")).body(r#"{"query": "{ icbs { odsCode } }"}"#).send();
    assert_eq!(missing.await.expect("send").status(), 415);

    // GET: queries only.
    let get = |query: &str| {
        let url =
            format!("{}?{}", app.url("/graphql"), serde_urlencoded::to_string([("query", query)]).expect("encode"));
        app.client.get(url).send()
    };
    // `operationName` chooses the query beside a mutation.
    let url = format!(
        "{}?{}",
        app.url("/graphql"),
        serde_urlencoded::to_string([
            ("query", "query A { icbs { odsCode } } mutation B { __typename }"),
            ("operationName", "A")
        ])
        .expect("encode")
    );
    let chosen: Value = app.client.get(url).send().await.expect("get").json().await.expect("json");
    assert_eq!(chosen["data"]["icbs"].as_array().map(Vec::len), Some(36), "{chosen}");
    let query = get("{ icbs { odsCode } }").await.expect("get");
    assert_eq!(query.status(), 200);
    let body: Value = query.json().await.expect("json");
    assert_eq!(body["data"]["icbs"].as_array().map(Vec::len), Some(36));
    let mutation = get(r#"mutation { closeVacancy(input: { id: "x", expectedVersion: 1 }) { userErrors { code } } }"#)
        .await
        .expect("get");
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
    let body: Value = mutation.json().await.expect("json");
    assert_eq!(error_codes(&body), ["METHOD_NOT_ALLOWED"]);
}

#[tokio::test]
async fn an_answer_over_the_size_bound_is_refused_whole_and_a_smaller_one_is_answered() {
    let limits = Limits { max_response_bytes: 60_000, ..Limits::default() };
    let app = spawn_app_with(DemoData::Load, limits).await;
    let national = crate::helpers::token(rotagraph::services::access::Role::National, &[], None);
    let big = r#"{ placements(first: 100) { nodes { id startDate host { name } pharmacist { familyName }
        membership { cohort { label programme { name } } } } } }"#;
    let small = "{ placements(first: 5) { nodes { id startDate host { name } } } }";

    let refused = app.graphql_as(Some(&national), big, json!({})).await;
    let answered = app.graphql_as(Some(&national), small, json!({})).await;

    assert_eq!(error_codes(&refused), ["RESPONSE_TOO_LARGE"], "{refused}");
    assert!(refused["data"].is_null(), "nothing of what was read before the bound");
    assert!(answered["errors"].is_null(), "{answered}");
    assert_eq!(answered["data"]["placements"]["nodes"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn aliases_repeating_a_field_cannot_carry_an_answer_past_the_size_bound() {
    let limits = Limits { max_response_bytes: 30_000, ..Limits::default() };
    let app = spawn_app_with(DemoData::Load, limits).await;
    // Few rows read (well under the bound by the estimate), each id written 29 times.
    let aliases: String = (1..30).map(|index| format!("a{index}: id ")).collect();
    let repeated = format!("{{ icbs(asOf: \"2025-06-01\") {{ {aliases} }} }}");
    let (status, _, refused) = post(&app, &json!({ "query": repeated }), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(error_codes(&refused), ["RESPONSE_TOO_LARGE"], "{refused}");
    assert!(refused["data"].is_null());
    assert!(refused["extensions"]["cost"]["requested"].as_u64().is_some(), "the cost is still reported");
}

#[tokio::test]
async fn a_mutation_operation_makes_one_change_and_a_document_costs_what_its_chosen_operation_costs() {
    let app = spawn_app(DemoData::Load).await;
    let admin = crate::helpers::token(rotagraph::services::access::Role::IcbAdmin, &["T6Y0W"], None);
    let create = |alias: &str, number: &str| {
        format!(
            r#"{alias}: createPharmacist(input: {{ gphcNumber: "{number}", givenName: "Tess", familyName: "Ter",
                firstRegisteredOn: "2024-01-01", managingIcb: "T6Y0W" }}) {{ pharmacist {{ id }} userErrors {{ code }} }}"#
        )
    };
    let two = format!("mutation {{ {} {} }}", create("a", "9912345"), create("b", "9912346"));
    let through_a_fragment = format!(
        "mutation {{ {} ...More }} fragment More on Mutation {{ {} }}",
        create("a", "9912345"),
        create("b", "9912346")
    );
    // One field spread twice runs twice.
    let spread_twice =
        format!("mutation {{ ...One ...One }} fragment One on Mutation {{ {} }}", create("a", "9912345"));
    for query in [two, through_a_fragment, spread_twice] {
        let before = app.statements();
        let refused = app.graphql_as(Some(&admin), &query, json!({})).await;
        assert_eq!(error_codes(&refused), ["TOO_MANY_MUTATIONS"], "{refused}");
        assert_eq!(app.statements(), before, "nothing runs, nothing is written");
    }
    let one =
        app.graphql_as(Some(&admin), &format!("mutation {{ __typename {} }}", create("a", "9912345")), json!({})).await;
    assert!(one["data"]["a"]["pharmacist"]["id"].is_string(), "`__typename` is no change: {one}");

    // A cheap operation beside one over the cost limit: the one chosen is costed, and runs.
    let costly = format!("query B {{ organisations(first: 100) {{ nodes {{ {} }} }} }}", "odsCode ".repeat(250));
    let document = format!("query A {{ icbs {{ odsCode }} }} {costly}");
    let (status, _, chosen) = post(&app, &json!({ "query": document, "operationName": "A" }), &[]).await;
    assert_eq!(status, 200);
    assert!(chosen["errors"].is_null(), "{chosen}");
    assert_eq!(chosen["extensions"]["cost"]["requested"], 1 + 10, "icbs: a plain list of 10 × odsCode");
    let (_, _, refused) = post(&app, &json!({ "query": document, "operationName": "B" }), &[]).await;
    assert_eq!(error_codes(&refused), ["QUERY_TOO_COMPLEX"]);
}

#[tokio::test]
async fn two_replicas_charge_one_shared_budget() {
    let limits = Limits { caller_budget: 100, icb_budget: 1_000, max_cost: 100, ..Limits::default() };
    let app = spawn_app_with(DemoData::Skip, limits.clone()).await;
    let other = app.replica_with(limits).await;
    let national = crate::helpers::token(rotagraph::services::access::Role::National, &[], None);
    let ask = |address: std::net::SocketAddr, query: &'static str| {
        let request = app
            .client
            .post(format!("http://{address}/graphql"))
            .bearer_auth(&national)
            .json(&json!({ "query": query }));
        async move { request.send().await.expect("post").json::<Value>().await.expect("JSON") }
    };
    let costly = "{ organisations(first: 20) { nodes { odsCode name } } }";

    let first = ask(app.address, costly).await;
    // The other replica learns what the first charged within a few of its sync intervals: ask it
    // something cheap until its budget shows the first replica's charge (a wait, not a timing check).
    let mut seen = Value::Null;
    for _ in 0..100 {
        seen = ask(other, "{ __typename }").await;
        if seen["extensions"]["cost"]["remaining"].as_u64().is_some_and(|remaining| remaining < 40) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let refused = ask(other, costly).await;

    assert_eq!(first["extensions"]["cost"]["remaining"], 100 - 61, "{first}");
    assert!(seen["extensions"]["cost"]["remaining"].as_u64().is_some_and(|remaining| remaining < 40), "{seen}");
    assert_eq!(error_codes(&refused), ["RATE_LIMITED"], "{refused}");
}
