//! What mainstream clients send, answered as they expect: the operation chosen the same way whether or
//! not `operationName` is sent, keys in the query's order, content negotiation and CORS.

use crate::helpers::{TestApp, error_codes, spawn_app, token};
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
