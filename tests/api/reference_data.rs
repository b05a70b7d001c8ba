use crate::helpers::{error_codes, prepared_database, spawn_app, spawn_app_on, strings, token};
use entity::prelude::{Organisation, OrganisationRelationship, OrganisationSuccession};
use rotagraph::app::DemoData;
use rotagraph::config::Limits;
use rotagraph::reference::{self, LoadSummary};
use rotagraph::services::access::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

#[tokio::test]
async fn reference_data_loads_7_regions_48_icbs_and_16_successions_and_a_second_load_changes_nothing() {
    let test_db = prepared_database(DemoData::Skip).await;
    let db = &test_db.db;
    assert_eq!(Organisation::find().count(db).await.expect("count"), 7 + 48);
    assert_eq!(OrganisationRelationship::find().count(db).await.expect("count"), 48);
    assert_eq!(OrganisationSuccession::find().count(db).await.expect("count"), 16);

    let second = reference::load(db).await.expect("second load");

    assert_eq!(second, LoadSummary::default());
    assert_eq!(Organisation::find().count(db).await.expect("count"), 55);
}

#[tokio::test]
async fn icbs_are_answered_as_of_a_date_across_the_2026_mergers() {
    let app = spawn_app(DemoData::Skip).await;
    let query = "query($asOf: Date) { icbs(asOf: $asOf) { odsCode } }";

    let today = app.graphql(query, json!({})).await;
    let before = app.graphql(query, json!({ "asOf": "2025-06-01" })).await;
    let merger_day = app.graphql(query, json!({ "asOf": "2026-04-01" })).await;

    assert_eq!(strings(&today["data"]["icbs"], "odsCode").len(), 36);
    let before = strings(&before["data"]["icbs"], "odsCode");
    assert_eq!(before.len(), 42);
    assert!(before.contains(&"QMM".to_owned()) && !before.contains(&"T6Y0W".to_owned()));
    let after = strings(&merger_day["data"]["icbs"], "odsCode");
    assert_eq!(after.len(), 36);
    assert!(after.contains(&"T6Y0W".to_owned()) && !after.contains(&"QMM".to_owned()));
}

#[tokio::test]
async fn norfolk_and_waveney_resolves_to_norfolk_and_suffolk_after_the_merger_and_split_icbs_to_every_successor() {
    let app = spawn_app(DemoData::Skip).await;

    let response = app
        .graphql(
            r#"{
                qmm: icb(odsCode: "QMM") {
                    validTo
                    june: resolvedAsOf(asOf: "2026-06-01") { odsCode }
                    march: resolvedAsOf(asOf: "2026-03-31") { odsCode }
                    successors { icb { odsCode } kind effectiveDate }
                    region(asOf: "2025-01-01") { odsCode }
                }
                qjg: icb(odsCode: "QJG") { resolvedAsOf(asOf: "2026-06-01") { odsCode } }
                t6y0w: icb(odsCode: "T6Y0W") { predecessors { icb { odsCode } kind } region { odsCode } }
            }"#,
            json!({}),
        )
        .await;

    let data = &response["data"];
    assert_eq!(data["qmm"]["validTo"], "2026-03-31");
    assert_eq!(strings(&data["qmm"]["june"], "odsCode"), ["T6Y0W"]);
    assert_eq!(strings(&data["qmm"]["march"], "odsCode"), ["QMM"]);
    assert_eq!(
        data["qmm"]["successors"],
        json!([{ "icb": { "odsCode": "T6Y0W" }, "kind": "MERGER", "effectiveDate": "2026-04-01" }])
    );
    assert_eq!(data["qmm"]["region"]["odsCode"], "Y61");
    assert_eq!(strings(&data["qjg"]["resolvedAsOf"], "odsCode"), ["D7T5G", "T6Y0W"]);
    assert_eq!(
        data["t6y0w"]["predecessors"],
        json!([{ "icb": { "odsCode": "QMM" }, "kind": "MERGER" }, { "icb": { "odsCode": "QJG" }, "kind": "SPLIT" }])
    );
    assert_eq!(data["t6y0w"]["region"]["odsCode"], "Y61");
}

#[tokio::test]
async fn an_organisation_answers_which_icb_it_belonged_to_on_a_date() {
    let app = spawn_app(DemoData::Load).await;
    // The first synthetic practice lies in a Norfolk and Waveney sub-ICB location.
    let response = app
        .graphql(
            r#"{ organisation(odsCode: "Z00001") {
                kind
                before: icb(asOf: "2026-03-31") { odsCode }
                after: icb(asOf: "2026-06-01") { odsCode }
                early: icb(asOf: "2020-01-01") { odsCode }
            } }"#,
            json!({}),
        )
        .await;

    let organisation = &response["data"]["organisation"];
    assert_eq!(organisation["kind"], "GP_PRACTICE");
    assert_eq!(organisation["before"]["odsCode"], "QMM");
    assert_eq!(organisation["after"]["odsCode"], "T6Y0W");
    assert_eq!(organisation["early"], serde_json::Value::Null, "ICBs did not exist in 2020");
}

#[tokio::test]
async fn badly_formatted_ods_codes_and_dates_are_rejected_with_a_code_and_nothing_runs() {
    let app = spawn_app(DemoData::Skip).await;

    let literal = app.graphql(r#"{ organisation(odsCode: "Q!M") { name } }"#, json!({})).await;
    let variable = app
        .graphql(
            "query($code: OdsCode!) { organisation(odsCode: $code) { name } }",
            json!({ "code": "QMM'; DROP TABLE organisation; --" }),
        )
        .await;
    let date = app.graphql(r#"{ icbs(asOf: "2026-02-30") { odsCode } }"#, json!({})).await;
    let unknown = app.graphql(r#"{ organisation(odsCode: "RZZ") { name } }"#, json!({})).await;

    assert_eq!(literal["data"]["organisation"], serde_json::Value::Null);
    assert_eq!(error_codes(&literal), ["BAD_USER_INPUT"]);
    assert!(literal["errors"][0]["message"].as_str().is_some_and(|m| m.contains("expected type \"OdsCode\"")));
    assert!(literal.get("data").is_none(), "a value of the wrong form stops the request before it runs: {literal}");
    assert_eq!(variable["data"], serde_json::Value::Null);
    assert_eq!(error_codes(&variable), ["BAD_USER_INPUT"]);
    let not_a_query = app.graphql("{ icbs { noSuchField } }", json!({})).await;
    assert_eq!(error_codes(&not_a_query), ["GRAPHQL_VALIDATION_FAILED"]);
    assert_eq!(error_codes(&date), ["BAD_USER_INPUT"]);
    assert_eq!(unknown["data"], json!({ "organisation": null }));
    assert!(unknown["errors"].is_null(), "{unknown}");
    let still_there = app.graphql("{ icbs { odsCode } }", json!({})).await;
    assert_eq!(strings(&still_there["data"]["icbs"], "odsCode").len(), 36);
}

#[tokio::test]
async fn the_servers_clock_decides_what_today_means_for_defaults_and_rules() {
    let june_2025 = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
    let then = spawn_app_on(DemoData::Skip, Limits::default(), june_2025).await;
    let now = spawn_app(DemoData::Skip).await;
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let create = r#"mutation($i: CreatePharmacistInput!) { createPharmacist(input: $i) {
        pharmacist { yearsSinceRegistration } userErrors { field code } } }"#;
    let registered = |day: &str| {
        json!({ "i": { "gphcNumber": "2034567", "givenName": "Ada", "familyName": "Clock",
                       "firstRegisteredOn": day, "managingIcb": "T6Y0W" } })
    };
    let icbs = "{ icbs { odsCode } }";

    let icbs_then = strings(&then.graphql(icbs, json!({})).await["data"]["icbs"], "odsCode");
    let icbs_now = strings(&now.graphql(icbs, json!({})).await["data"]["icbs"], "odsCode");
    let future_then = then.graphql_as(Some(&admin), create, registered("2025-09-01")).await;
    let created_then = then.graphql_as(Some(&admin), create, registered("2023-07-01")).await;
    let created_now = now.graphql_as(Some(&admin), create, registered("2025-09-01")).await;

    assert_eq!(icbs_then.len(), 42, "before the 2026 mergers by the clock");
    assert!(icbs_then.contains(&"QMM".to_owned()));
    assert_eq!(icbs_now.len(), 36);
    assert_eq!(
        future_then["data"]["createPharmacist"]["userErrors"],
        json!([{ "field": "firstRegisteredOn", "code": "INVALID_DATES" }]),
        "a registration after the clock's day is in the future"
    );
    assert_eq!(created_then["data"]["createPharmacist"]["pharmacist"]["yearsSinceRegistration"], 1);
    assert_eq!(created_now["data"]["createPharmacist"]["userErrors"], json!([]));
    assert_eq!(created_now["data"]["createPharmacist"]["pharmacist"]["yearsSinceRegistration"], 1);
}
