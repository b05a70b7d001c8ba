//! Keyset pagination: pages that stay correct while the data changes, both directions, cursors bound
//! to their order, nullable orders, and `totalCount` computed only when it is selected.

use crate::helpers::{error_codes, spawn_app, strings, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::{Value, json};

const PHARMACISTS: &str = r#"query($first: Int, $last: Int, $after: String, $before: String, $order: PharmacistOrder) {
    pharmacists(first: $first, last: $last, after: $after, before: $before, orderBy: $order) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id familyName givenName }
    }
}"#;

const CREATE_PHARMACIST: &str = r#"mutation($i: CreatePharmacistInput!) { createPharmacist(input: $i) {
    pharmacist { id } userErrors { code } } }"#;

fn ids(response: &Value) -> Vec<String> {
    strings(&response["data"]["pharmacists"]["nodes"], "id")
}

#[tokio::test]
async fn a_keyset_page_neither_repeats_nor_skips_rows_when_rows_are_added_before_it() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let by_name = json!({ "field": "NAME" });
    let page = |variables: Value| {
        let (app, national) = (&app, national.clone());
        async move { app.graphql_as(Some(&national), PHARMACISTS, variables).await }
    };

    let first = page(json!({ "first": 25, "order": by_name })).await;
    let cursor = first["data"]["pharmacists"]["pageInfo"]["endCursor"].clone();
    // Three pharmacists who sort before every row of the first page, and one after all of them.
    for (number, family) in [("2900001", "Aaaa"), ("2900002", "Aaab"), ("2900003", "Aaac"), ("2900004", "Zzzz")] {
        let input = json!({ "i": { "gphcNumber": number, "givenName": "New", "familyName": family,
                                   "firstRegisteredOn": "2025-07-01", "managingIcb": "T6Y0W" } });
        let created = app.graphql_as(Some(&admin), CREATE_PHARMACIST, input).await;
        assert_eq!(created["data"]["createPharmacist"]["userErrors"], json!([]), "{created}");
    }
    let second = page(json!({ "first": 25, "after": cursor, "order": by_name })).await;
    let everything = page(json!({ "first": 100, "order": by_name })).await;

    let all = ids(&everything);
    let (first, second) = (ids(&first), ids(&second));
    let at = all.iter().position(|id| *id == first[24]).expect("the first page's last row");
    assert_eq!(second, all[at + 1..at + 26].to_vec(), "the second page starts right after the first");
    assert!(second.iter().all(|id| !first.contains(id)), "no row twice");
    let names: Vec<String> = everything["data"]["pharmacists"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|node| {
            format!("{} {}", node["familyName"].as_str().unwrap_or(""), node["givenName"].as_str().unwrap_or(""))
        })
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by family then given name");
}

#[tokio::test]
async fn pages_read_backwards_match_pages_read_forwards_and_cursors_belong_to_their_order() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let order = |field: &str, direction: &str| json!({ "field": field, "direction": direction });
    let get = |variables: Value| {
        let (app, national) = (&app, national.clone());
        async move { app.graphql_as(Some(&national), PHARMACISTS, variables).await }
    };

    let forwards = get(json!({ "first": 30, "order": order("FIRST_REGISTERED_ON", "DESC") })).await;
    let tenth = forwards["data"]["pharmacists"]["nodes"][10].clone();
    let edges_cursor = get(json!({ "first": 11, "order": order("FIRST_REGISTERED_ON", "DESC") })).await;
    let cursor = edges_cursor["data"]["pharmacists"]["pageInfo"]["endCursor"].clone();
    let before = get(json!({ "last": 5, "before": cursor, "order": order("FIRST_REGISTERED_ON", "DESC") })).await;
    let after = get(json!({ "first": 5, "after": cursor, "order": order("FIRST_REGISTERED_ON", "DESC") })).await;
    let other_order = get(json!({ "first": 5, "after": cursor, "order": order("FIRST_REGISTERED_ON", "ASC") })).await;
    let other_list = app
        .graphql_as(
            Some(&national),
            "query($a: String) { placements(first: 5, after: $a) { nodes { id } } }",
            json!({ "a": cursor }),
        )
        .await;

    // Memberships and placements both order by start date then id: a cursor still names its list.
    let memberships =
        app.graphql_as(Some(&national), "{ memberships(first: 1) { pageInfo { endCursor } } }", json!({})).await;
    let membership_cursor = memberships["data"]["memberships"]["pageInfo"]["endCursor"].clone();
    let same_order_other_list = app
        .graphql_as(
            Some(&national),
            "query($a: String) { placements(first: 5, after: $a) { nodes { id } } }",
            json!({ "a": membership_cursor }),
        )
        .await;

    let all = ids(&forwards);
    assert_eq!(error_codes(&same_order_other_list), ["BAD_USER_INPUT"], "{same_order_other_list}");
    assert_eq!(ids(&before), all[5..10].to_vec());
    assert_eq!(before["data"]["pharmacists"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(before["data"]["pharmacists"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(ids(&after), all[11..16].to_vec());
    assert_eq!(all[10], tenth["id"].as_str().unwrap_or_default());
    assert_eq!(error_codes(&other_order), ["BAD_USER_INPUT"], "a cursor of the descending order");
    assert_eq!(error_codes(&other_list), ["BAD_USER_INPUT"], "a cursor of another list");
}

#[tokio::test]
async fn vacancies_ordered_by_closing_day_put_open_ones_last_and_page_through_all_of_them() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let query = r#"query($after: String) { vacancies(first: 7, after: $after, orderBy: { field: CLOSED_ON }) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id closedOn } } }"#;
    let mut seen: Vec<(String, Option<String>)> = Vec::new();
    let mut after = Value::Null;
    let total = loop {
        let response = app.graphql_as(Some(&national), query, json!({ "after": after })).await;
        let connection = &response["data"]["vacancies"];
        assert!(response["errors"].is_null(), "{response}");
        for node in connection["nodes"].as_array().into_iter().flatten() {
            seen.push((
                node["id"].as_str().unwrap_or_default().to_owned(),
                node["closedOn"].as_str().map(str::to_owned),
            ));
        }
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break connection["totalCount"].as_u64().unwrap_or_default();
        }
        after = connection["pageInfo"]["endCursor"].clone();
    };
    assert_eq!(seen.len() as u64, total, "every vacancy once");
    let mut unique: Vec<&String> = seen.iter().map(|(id, _)| id).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    let days: Vec<String> =
        seen.iter().map(|(_, day)| day.clone().unwrap_or_else(|| "9999-12-31".to_owned())).collect();
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted, "closed ones by day, open ones last");
    assert!(seen.iter().any(|(_, day)| day.is_none()) && seen.iter().any(|(_, day)| day.is_some()));
}

#[tokio::test]
async fn total_count_costs_a_statement_only_when_it_is_selected() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let mut statements = Vec::new();
    for query in ["{ placements(first: 5) { nodes { id } } }", "{ placements(first: 5) { totalCount nodes { id } } }"] {
        let before = app.statements();
        let response = app.graphql_as(Some(&national), query, json!({})).await;
        assert!(response["errors"].is_null(), "{response}");
        statements.push(app.statements() - before);
    }
    assert_eq!(statements[1], statements[0] + 1, "{statements:?}");
}
