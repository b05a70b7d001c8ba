//! The write API: `createProgramme`, its rules, its audit row, idempotency and write access.

use crate::helpers::{TestApp, error_codes, spawn_app, token};
use entity::prelude::{AuditLog, RotationProgramme};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($input: CreateProgrammeInput!) { createProgramme(input: $input) {
    programme { id code name status ownerIcb { odsCode } sectors fundingSources minDurationMonths maxDurationMonths }
    userErrors { field message code } } }"#;

fn input(code: &str) -> Value {
    json!({
        "code": code, "name": "Suffolk Rotation", "ownerIcb": "T6Y0W", "minDurationMonths": 24, "maxDurationMonths": 30,
        "maxYearsSinceRegistration": 3, "sectors": ["GENERAL_PRACTICE", "COMMUNITY_PHARMACY"],
        "fundingSources": ["ARRS", "EXISTING_VACANCY"], "educationOffers": ["CPPE_PRIMARY_CARE_PATHWAY"]
    })
}

async fn counts(app: &TestApp) -> (u64, u64) {
    (
        RotationProgramme::find().count(app.db()).await.expect("count"),
        AuditLog::find().count(app.db()).await.expect("count"),
    )
}

#[tokio::test]
async fn an_icb_admin_creates_a_programme_with_its_audit_row_and_a_retry_writes_nothing() {
    let app = spawn_app(DemoData::Skip).await;
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let mut first = input("SR-1");
    first["idempotencyKey"] = json!("key-1");

    let created = app.graphql_as(Some(&admin), CREATE, json!({ "input": first })).await;
    let after_create = counts(&app).await;
    let retried = app.graphql_as(Some(&admin), CREATE, json!({ "input": first })).await;
    let after_retry = counts(&app).await;
    let mut changed = first.clone();
    changed["name"] = json!("Another name");
    let reused = app.graphql_as(Some(&admin), CREATE, json!({ "input": changed })).await;

    let programme = &created["data"]["createProgramme"]["programme"];
    assert_eq!(created["data"]["createProgramme"]["userErrors"], json!([]));
    assert_eq!(programme["code"], "SR-1");
    assert_eq!(programme["status"], "DRAFT");
    assert_eq!(programme["ownerIcb"]["odsCode"], "T6Y0W");
    assert_eq!(programme["sectors"], json!(["COMMUNITY_PHARMACY", "GENERAL_PRACTICE"]));
    assert_eq!(after_create, (1, 1), "one programme and one audit row");
    assert_eq!(
        retried["data"]["createProgramme"]["programme"]["id"], programme["id"],
        "the retry returns the first result"
    );
    assert_eq!(after_retry, after_create, "and writes nothing");
    assert_eq!(reused["data"]["createProgramme"]["userErrors"][0]["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(counts(&app).await, after_create);

    let audit = AuditLog::find().one(app.db()).await.expect("query").expect("audit row");
    assert_eq!((audit.operation.as_str(), audit.actor_icb.as_deref()), ("createProgramme", Some("T6Y0W")));
    assert!(audit.request_id.is_some());
    assert_eq!(audit.after.as_ref().and_then(|after| after["code"].as_str()), Some("SR-1"));
}

#[tokio::test]
async fn each_rule_rejects_bad_input_with_its_code_and_writes_nothing() {
    let app = spawn_app(DemoData::Skip).await;
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    app.graphql_as(Some(&admin), CREATE, json!({ "input": input("TAKEN") })).await;
    let before = counts(&app).await;
    let with = |change: Value| {
        let mut changed = input("NEW-1");
        for (key, value) in change.as_object().cloned().unwrap_or_default() {
            changed[key] = value;
        }
        changed
    };

    for (change, field, code) in [
        (json!({ "maxDurationMonths": 12 }), "maxDurationMonths", "INVALID_DURATION"),
        (json!({ "minDurationMonths": 0 }), "maxDurationMonths", "INVALID_DURATION"),
        (json!({ "sectors": [] }), "sectors", "NO_SECTORS"),
        (json!({ "code": "has spaces" }), "code", "INVALID_CODE"),
        (json!({ "name": " " }), "name", "INVALID_TEXT"),
        (json!({ "maxYearsSinceRegistration": 0 }), "maxYearsSinceRegistration", "INVALID_ELIGIBILITY"),
        (json!({ "ownerIcb": "QHL" }), "ownerIcb", "NOT_FOUND"),
        (json!({ "ownerIcb": "QMM" }), "ownerIcb", "NOT_FOUND"),
        (json!({ "code": "TAKEN" }), "code", "DUPLICATE_CODE"),
    ] {
        let response = app.graphql_as(Some(&admin), CREATE, json!({ "input": with(change.clone()) })).await;
        let payload = &response["data"]["createProgramme"];
        assert_eq!(payload["programme"], Value::Null, "{change}");
        assert_eq!(payload["userErrors"][0]["field"], field, "{change}: {response}");
        assert_eq!(payload["userErrors"][0]["code"], code, "{change}");
        assert_eq!(counts(&app).await, before, "{change}: nothing written");
    }
}

#[tokio::test]
async fn only_icb_admins_write() {
    let app = spawn_app(DemoData::Skip).await;
    for token in [
        None,
        Some(token(Role::IcbViewer, &["T6Y0W"], None)),
        Some(token(Role::National, &[], None)),
        Some(token(Role::Reporter, &[], None)),
        Some(token(Role::Regional, &[], Some("Y61"))),
    ] {
        let response = app.graphql_as(token.as_deref(), CREATE, json!({ "input": input("X-1") })).await;
        assert_eq!(error_codes(&response), ["FORBIDDEN"], "{response}");
        assert_eq!(counts(&app).await, (0, 0));
    }
}
