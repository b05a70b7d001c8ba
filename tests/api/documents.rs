//! Persisted documents: automatic persisted queries, and the allow-list of trusted documents.

use crate::helpers::{error_codes, spawn_app, spawn_app_trusting};
use rotagraph::app::DemoData;
use rotagraph::http::documents::hash_of;
use serde_json::{Value, json};

const REGIONS: &str = "{ regions { odsCode } }";

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

#[tokio::test]
async fn automatic_persisted_queries_are_asked_for_once_then_answered_by_hash_over_post_and_get() {
    let app = spawn_app(DemoData::Skip).await;
    let hash = hash_of(REGIONS);
    let post = |body: Value| {
        let request = app.client.post(app.url("/graphql")).json(&body);
        async move { request.send().await.expect("post").json::<Value>().await.expect("JSON") }
    };

    let unknown = post(json!({ "extensions": persisted(&hash) })).await;
    let mismatch = post(json!({ "query": "{ icbs { odsCode } }", "extensions": persisted(&hash) })).await;
    let registered = post(json!({ "query": REGIONS, "extensions": persisted(&hash) })).await;
    let by_hash = post(json!({ "extensions": persisted(&hash) })).await;
    let extensions = serde_json::to_string(&persisted(&hash)).expect("JSON");
    let by_get = app
        .client
        .get(app.url("/graphql"))
        .query(&[("extensions", extensions.as_str())])
        .send()
        .await
        .expect("get")
        .json::<Value>()
        .await
        .expect("JSON");

    let status_of_miss = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "extensions": persisted(&hash_of("{ icbs { name } }")) }))
        .send()
        .await
        .expect("post")
        .status();
    assert_eq!(status_of_miss, 200, "a well-formed request, under application/json");
    assert_eq!(error_codes(&unknown), ["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(error_codes(&mismatch), ["PERSISTED_QUERY_HASH_MISMATCH"]);
    assert!(registered["data"]["regions"].as_array().is_some_and(|regions| !regions.is_empty()), "{registered}");
    assert_eq!(by_hash["data"], registered["data"]);
    assert_eq!(by_get["data"], registered["data"]);
}

#[tokio::test]
async fn in_allow_list_mode_only_registered_documents_run() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let manifest = dir.path().join("trusted-documents.json");
    let registered = json!({ hash_of(REGIONS): REGIONS });
    std::fs::write(&manifest, registered.to_string()).expect("write the manifest");
    let app = spawn_app_trusting(DemoData::Skip, &manifest).await;
    let post = |body: Value| {
        let request = app.client.post(app.url("/graphql")).json(&body);
        async move { request.send().await.expect("post").json::<Value>().await.expect("JSON") }
    };

    let by_hash = post(json!({ "extensions": persisted(&hash_of(REGIONS)) })).await;
    let by_text = post(json!({ "query": REGIONS })).await;
    let before = app.statements();
    let unregistered = post(json!({ "query": "{ icbs { odsCode } }" })).await;
    let learnt =
        post(json!({ "query": "{ icbs { name } }", "extensions": persisted(&hash_of("{ icbs { name } }")) })).await;
    let unknown_hash = post(json!({ "extensions": persisted(&hash_of("{ icbs { name } }")) })).await;
    let ran = app.statements() - before;

    assert!(by_hash["data"]["regions"].is_array(), "{by_hash}");
    assert_eq!(by_text["data"], by_hash["data"]);
    assert_eq!(error_codes(&unregistered), ["QUERY_NOT_IN_SAFELIST"]);
    assert!(unregistered.get("data").is_none(), "{unregistered}");
    assert_eq!(error_codes(&learnt), ["QUERY_NOT_IN_SAFELIST"], "nothing is learnt in allow-list mode");
    assert_eq!(error_codes(&unknown_hash), ["PERSISTED_QUERY_NOT_IN_LIST"]);
    assert_eq!(ran, 0, "a refused document runs no SQL");
}

#[tokio::test]
async fn public_reference_answers_may_be_cached_and_a_callers_own_never() {
    let app = spawn_app(DemoData::Load).await;
    let national = crate::helpers::token(rotagraph::services::access::Role::National, &[], None);
    let get = |token: Option<&str>, path: &str| {
        let mut request = app.client.get(app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.expect("get");
            let header = |name: &str| {
                response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
            };
            (response.status().as_u16(), header("cache-control"), header("vary"))
        }
    };

    let public = get(None, "/graphql?query=%7B%20regions%20%7B%20odsCode%20%7D%20%7D").await;
    let failed = get(None, "/graphql?query=%7B%20regions%20%7B%20nope%20%7D%20%7D").await;
    let own = get(Some(&national), "/graphql?query=%7B%20regions%20%7B%20odsCode%20%7D%20%7D").await;
    let public_csv = get(None, "/reports/fill-rate.csv").await;
    let own_csv = get(Some(&national), "/reports/fill-rate.csv").await;

    let forged = get(Some("forged"), "/graphql?query=%7B%20regions%20%7B%20odsCode%20%7D%20%7D").await;
    let typename_mutation = app
        .client
        .post(app.url("/graphql"))
        .json(&serde_json::json!({ "query": "mutation { __typename }" }))
        .send()
        .await
        .expect("post");
    let mutation_caching =
        typename_mutation.headers().get("cache-control").and_then(|value| value.to_str().ok()).map(str::to_owned);

    // The test servers allow one web origin, so every answer varies on `Origin` too.
    assert_eq!(public, (200, "public, max-age=60".to_owned(), "Authorization, Accept, Origin".to_owned()));
    assert_eq!((forged.0, forged.1.as_str()), (401, "no-store"));
    assert_eq!(mutation_caching.as_deref(), Some("no-store"), "a mutation is never a public answer");
    assert_eq!(failed.1, "no-store");
    assert_eq!(own, (200, "private, no-store".to_owned(), "Authorization, Accept, Origin".to_owned()));
    assert_eq!((public_csv.0, public_csv.1.as_str()), (200, "public, max-age=60"));
    assert_eq!((own_csv.0, own_csv.1.as_str()), (200, "private, no-store"));
}
