//! A read replica (`DATABASE_READ_URL`): queries, reports and CSV read from it; mutations write to the
//! primary and check their references there.

use crate::helpers::{spawn_app_reading_from_replica, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::json;

#[tokio::test]
async fn queries_reports_and_csv_read_from_the_replica_and_mutations_write_to_the_primary() {
    // The primary holds the demo network; the "replica" only the reference data, so where each answer
    // comes from shows.
    let (app, _replica) = spawn_app_reading_from_replica(DemoData::Load, DemoData::Skip).await;
    let national = token(Role::National, &[], None);
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let pharmacies = r#"{ organisations(filter: { kind: { eq: COMMUNITY_PHARMACY } }, first: 1) { totalCount } }"#;

    let read = app.graphql_as(Some(&national), pharmacies, json!({})).await;
    let report =
        app.graphql_as(Some(&national), "{ reports { fillRate(groupBy: ICB) { placesOffered } } }", json!({})).await;
    let csv =
        app.client.get(app.url("/reports/fill-rate.csv?groupBy=ICB")).bearer_auth(&national).send().await.expect("csv");
    let csv = csv.text().await.expect("text");
    // A host that exists only on the primary (found through a server without a replica): the mutation
    // checks it there, and writes there.
    let primary_only = app.replica().await;
    let filter = json!({ "and": [{ "kind": { "eq": "COMMUNITY_PHARMACY" } }, { "icb": { "eq": "T6Y0W" } }] });
    let found = app
        .client
        .post(format!("http://{primary_only}/graphql"))
        .json(&json!({
            "query": "query($f: OrganisationFilter!) { organisations(filter: $f, first: 1) { nodes { odsCode } } }",
            "variables": { "f": filter }
        }))
        .send()
        .await
        .expect("post")
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    let host = found["data"]["organisations"]["nodes"][0]["odsCode"].as_str().expect("a pharmacy of T6Y0W").to_owned();
    let created = app
        .graphql_as(
            Some(&admin),
            "mutation($i: CreateVacancyInput!) { createVacancy(input: $i) { vacancy { id } userErrors { code } } }",
            json!({ "i": { "host": host, "sector": "COMMUNITY_PHARMACY", "wte": 1.0, "funding": "ARRS" } }),
        )
        .await;

    assert_eq!(read["data"]["organisations"]["totalCount"], 0, "read from the replica: {read}");
    assert_eq!(report["data"]["reports"]["fillRate"], json!([]), "{report}");
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
    assert!(created["data"]["createVacancy"]["vacancy"]["id"].is_string(), "written to the primary: {created}");
}
