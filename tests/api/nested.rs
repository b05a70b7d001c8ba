//! Nested connections: a to-many relation pages with `first`/`after`, counts with `totalCount`, gives
//! each sibling parent its own page, applies the reader's scope like the root lists, and is costed by
//! its page size.

use crate::helpers::{error_codes, spawn_app, strings, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::{Value, json};

/// A cohort's memberships, one page at a time, through `node`.
const COHORT_MEMBERSHIPS: &str = r#"query($id: ID!, $first: Int, $after: String) {
    node(id: $id) { ... on Cohort { memberships(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } } } } }"#;

/// The id of STAR's cohort with the most memberships the national reader sees, with that number.
async fn largest_star_cohort(app: &crate::helpers::TestApp, national: &str) -> (Value, u64) {
    let response = app
        .graphql_as(
            Some(national),
            r#"{ programmes(filter: { code: ["STAR"] }) { nodes { cohorts(first: 10) {
                 nodes { id memberships(first: 1) { totalCount } } } } } }"#,
            json!({}),
        )
        .await;
    let cohorts = response["data"]["programmes"]["nodes"][0]["cohorts"]["nodes"].as_array().cloned();
    let largest = cohorts
        .unwrap_or_default()
        .into_iter()
        .max_by_key(|cohort| cohort["memberships"]["totalCount"].as_u64())
        .expect("STAR has cohorts");
    (largest["id"].clone(), largest["memberships"]["totalCount"].as_u64().unwrap_or_default())
}

#[tokio::test]
async fn a_nested_connection_pages_through_every_row_once_and_counts_them() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let (cohort, total) = largest_star_cohort(&app, &national).await;
    assert!(total > 14, "a cohort with more than two pages of 7: {total}");

    let whole = app.graphql_as(Some(&national), COHORT_MEMBERSHIPS, json!({ "id": cohort, "first": 100 })).await;
    let all = strings(&whole["data"]["node"]["memberships"]["nodes"], "id");
    assert_eq!(all.len() as u64, total);

    let mut paged = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let page = app
            .graphql_as(Some(&national), COHORT_MEMBERSHIPS, json!({ "id": cohort, "first": 7, "after": after }))
            .await;
        let connection = &page["data"]["node"]["memberships"];
        assert_eq!(connection["totalCount"], total, "{page}");
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], pages > 0);
        paged.extend(strings(&connection["nodes"], "id"));
        pages += 1;
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(pages, total.div_ceil(7));
    assert_eq!(paged, all, "the pages, in order, are the whole list");

    // The root list with the same cohort agrees.
    let root = app
        .graphql_as(
            Some(&national),
            "query($id: ID!) { memberships(first: 100, filter: { cohort: { eq: $id } }) { totalCount nodes { id } } }",
            json!({ "id": cohort }),
        )
        .await;
    assert_eq!(root["data"]["memberships"]["totalCount"], total);
    assert_eq!(strings(&root["data"]["memberships"]["nodes"], "id"), all);

    // A nested list's cursor is its own: the root list and another relation refuse it.
    let first_page = app.graphql_as(Some(&national), COHORT_MEMBERSHIPS, json!({ "id": cohort, "first": 7 })).await;
    let cursor = first_page["data"]["node"]["memberships"]["pageInfo"]["endCursor"].clone();
    let in_root = app
        .graphql_as(
            Some(&national),
            "query($a: String) { memberships(after: $a) { nodes { id } } }",
            json!({ "a": cursor }),
        )
        .await;
    assert_eq!(error_codes(&in_root), ["BAD_USER_INPUT"], "{in_root}");
    let in_pharmacist = app
        .graphql_as(
            Some(&national),
            "query($a: String) { pharmacists(first: 1) { nodes { memberships(after: $a) { totalCount } } } }",
            json!({ "a": cursor }),
        )
        .await;
    assert_eq!(error_codes(&in_pharmacist), ["BAD_USER_INPUT"], "{in_pharmacist}");
}

#[tokio::test]
async fn each_sibling_parent_gets_its_own_page_in_scope() {
    let app = spawn_app(DemoData::Load).await;

    // Every ICB's first two PCNs, in one request, are the first two of its own full list.
    let siblings = app
        .graphql(
            "{ icbs { odsCode pcns(first: 2) { totalCount pageInfo { hasNextPage } nodes { odsCode } } } }",
            json!({}),
        )
        .await;
    let icbs = siblings["data"]["icbs"].as_array().cloned().unwrap_or_default();
    assert_eq!(icbs.len(), 36, "{siblings}");
    let mut checked = 0;
    for icb in &icbs {
        let pcns = &icb["pcns"];
        let total = pcns["totalCount"].as_u64().unwrap_or_default();
        let shown = strings(&pcns["nodes"], "odsCode");
        assert_eq!(shown.len() as u64, total.min(2), "{}", icb["odsCode"]);
        assert_eq!(pcns["pageInfo"]["hasNextPage"], total > 2, "{}", icb["odsCode"]);
        if total > 2 {
            let alone = app
                .graphql(
                    "query($c: OdsCode!) { icb(odsCode: $c) { pcns(first: 100) { nodes { odsCode } } } }",
                    json!({ "c": icb["odsCode"] }),
                )
                .await;
            assert_eq!(shown, strings(&alone["data"]["icb"]["pcns"]["nodes"], "odsCode")[..2].to_vec());
            checked += 1;
        }
    }
    assert!(checked > 0, "some ICB has more than two PCNs");

    // The same relation with other arguments, side by side in one request, is another page.
    let sides = app
        .graphql(
            r#"{ icb(odsCode: "T6Y0W") {
                 practices: organisations(first: 3, kind: GP_PRACTICE) { nodes { kind } }
                 pcns: organisations(first: 3, kind: PCN) { nodes { kind } }
                 before: organisations(asOf: "2025-06-01") { totalCount }
                 today: organisations { totalCount } } }"#,
            json!({}),
        )
        .await;
    let icb = &sides["data"]["icb"];
    assert_eq!(strings(&icb["practices"]["nodes"], "kind"), ["GP_PRACTICE"; 3], "{sides}");
    assert_eq!(strings(&icb["pcns"]["nodes"], "kind"), ["PCN"; 3], "{sides}");
    assert_eq!(icb["before"]["totalCount"], 0, "T6Y0W did not exist before 2026-04-01: {sides}");
    assert!(icb["today"]["totalCount"].as_u64() > Some(3), "{sides}");

    // A programme of a dissolved ICB belongs to it and to its successor.
    let owners = app
        .graphql(
            r#"{ qmm: icb(odsCode: "QMM") { programmes { nodes { code } } }
                 t6y0w: icb(odsCode: "T6Y0W") { programmes { totalCount nodes { code } } } }"#,
            json!({}),
        )
        .await;
    assert!(strings(&owners["data"]["qmm"]["programmes"]["nodes"], "code").contains(&"STAR".to_owned()), "{owners}");
    assert!(strings(&owners["data"]["t6y0w"]["programmes"]["nodes"], "code").contains(&"STAR".to_owned()));

    // Scoping is the root lists' own: a nested count equals the root count with the same cohort, for
    // readers who see all, some or none of the cohort's members.
    let national = token(Role::National, &[], None);
    let (cohort, _) = largest_star_cohort(&app, &national).await;
    let mut counts = Vec::new();
    for reader in [
        Some(national.clone()),
        Some(token(Role::IcbViewer, &["T6Y0W"], None)),
        Some(token(Role::IcbViewer, &["QE1"], None)),
        None,
    ] {
        let nested = app.graphql_as(reader.as_deref(), COHORT_MEMBERSHIPS, json!({ "id": cohort, "first": 100 })).await;
        let root = app
            .graphql_as(
                reader.as_deref(),
                "query($id: ID!) { memberships(first: 100, filter: { cohort: { eq: $id } }) { totalCount nodes { id } } }",
                json!({ "id": cohort }),
            )
            .await;
        assert!(nested["errors"].is_null() && root["errors"].is_null(), "{nested} {root}");
        counts.push(root["data"]["memberships"]["totalCount"].as_u64());
        assert_eq!(
            nested["data"]["node"]["memberships"]["totalCount"], root["data"]["memberships"]["totalCount"],
            "{nested} {root}"
        );
        assert_eq!(
            strings(&nested["data"]["node"]["memberships"]["nodes"], "id"),
            strings(&root["data"]["memberships"]["nodes"], "id")
        );
    }
    assert!(counts[0] > counts[3] && counts[3] == Some(0), "all, some or none: {counts:?}");
}

#[tokio::test]
async fn nested_connections_are_costed_by_their_page_size_and_the_wide_queries_are_bounded() {
    let app = spawn_app(DemoData::Load).await;
    let cost = |response: &Value| response["extensions"]["cost"]["requested"].as_u64();

    // programmes: 1 + 10 × (nodes: 1 + (cohorts: 1 + first × (nodes: 1 + id: 1)))
    for (first, expected) in [(5, 1 + 10 * (1 + 1 + 5 * 2)), (20, 1 + 10 * (1 + 1 + 20 * 2))] {
        let response = app
            .graphql(
                "query($n: Int) { programmes(first: 10) { nodes { cohorts(first: $n) { nodes { id } } } } }",
                json!({ "n": first }),
            )
            .await;
        assert_eq!(cost(&response), Some(expected), "{response}");
    }
    let default = app.graphql("{ programmes(first: 10) { nodes { cohorts { nodes { id } } } } }", json!({})).await;
    assert_eq!(cost(&default), Some(1 + 10 * (1 + 1 + 20 * 2)), "the default page is 20");

    // A variable's default is costed as it runs.
    let inline = app.graphql("{ icbs { organisations(first: 100) { nodes { odsCode } } } }", json!({})).await;
    let defaulted = app
        .graphql("query($n: Int = 100) { icbs { organisations(first: $n) { nodes { odsCode } } } }", json!({}))
        .await;
    assert_eq!(cost(&inline), Some(1 + 10 * (1 + 100 * 2)), "{inline}");
    assert_eq!(cost(&defaulted), cost(&inline), "{defaulted}");

    // Plain lists nested in each other multiply their cost too: regions, their ICBs, the ICBs' region...
    let hops = "{ regions { icbs { region { icbs { region { icbs { region { icbs { odsCode name } } } } } } } } }";
    let chained = app.graphql(hops, json!({})).await;
    assert_eq!(error_codes(&chained), ["QUERY_TOO_COMPLEX"], "{chained}");

    // The query that once answered 24 MB: every level pages, so it is refused before any SQL runs.
    let national = token(Role::National, &[], None);
    let wide = app
        .graphql_as(
            Some(&national),
            "{ programmes(first: 100) { nodes { cohorts { nodes { memberships { nodes {
               pharmacist { gphcNumber } placements { nodes { host { name } } } } } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&wide), ["QUERY_TOO_COMPLEX"], "{wide}");

    // Anonymously, every ICB's organisations come a page at a time, with their count.
    let organisations =
        app.graphql("{ icbs { organisations { totalCount nodes { odsCode name } } } }", json!({})).await;
    let icbs = organisations["data"]["icbs"].as_array().cloned().unwrap_or_default();
    assert!(!icbs.is_empty(), "{organisations}");
    assert!(icbs.iter().all(|icb| icb["organisations"]["nodes"].as_array().is_some_and(|nodes| nodes.len() <= 20)));
    assert!(icbs.iter().any(|icb| icb["organisations"]["totalCount"].as_u64() > Some(20)), "{organisations}");
}
