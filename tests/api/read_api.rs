//! The read API's behaviour: pagination edge cases, filters and orders, as-of answers, `node`/`nodes`,
//! and the federation service.

use crate::helpers::{error_codes, spawn_app, strings, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::{Value, json};

const ORGANISATIONS: &str = r#"query($first: Int, $last: Int, $after: String, $before: String, $filter: OrganisationFilter, $order: OrganisationOrder, $asOf: Date) {
    organisations(first: $first, last: $last, after: $after, before: $before, filter: $filter, orderBy: $order, asOf: $asOf) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { odsCode kind name } edges { cursor }
    }
}"#;

fn codes(response: &Value) -> Vec<String> {
    strings(&response["data"]["organisations"]["nodes"], "odsCode")
}

#[tokio::test]
async fn pages_follow_relay_with_a_default_of_20_and_at_most_100() {
    let app = spawn_app(DemoData::Load).await;
    let order = json!({ "field": "ODS_CODE" });

    let default = app.graphql(ORGANISATIONS, json!({ "order": order })).await;
    let total = default["data"]["organisations"]["totalCount"].as_u64().unwrap_or_default();
    let capped = app.graphql(ORGANISATIONS, json!({ "first": 100, "order": order })).await;
    let over = app.graphql(ORGANISATIONS, json!({ "first": 1000, "order": order })).await;
    let first = app.graphql(ORGANISATIONS, json!({ "first": 10, "order": order })).await;
    let end = first["data"]["organisations"]["pageInfo"]["endCursor"].clone();
    let second = app.graphql(ORGANISATIONS, json!({ "first": 10, "after": end, "order": order })).await;
    let back = app
        .graphql(
            ORGANISATIONS,
            json!({ "last": 10, "before": second["data"]["organisations"]["pageInfo"]["startCursor"], "order": order }),
        )
        .await;
    let last = app.graphql(ORGANISATIONS, json!({ "last": 3, "order": order })).await;
    let empty = app.graphql(ORGANISATIONS, json!({ "first": 0, "order": order })).await;
    let negative = app.graphql(ORGANISATIONS, json!({ "first": -1 })).await;
    let bad_cursor = app.graphql(ORGANISATIONS, json!({ "after": "not-a-cursor" })).await;

    assert!(total > 200, "the demo network has hundreds of organisations");
    assert_eq!(codes(&default).len(), 20);
    assert_eq!(codes(&capped).len(), 100);
    assert_eq!(error_codes(&over), ["BAD_USER_INPUT"], "more than 100 is refused, not cut short: {over}");
    assert_eq!(capped["data"]["organisations"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["data"]["organisations"]["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(second["data"]["organisations"]["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(
        [codes(&first), codes(&second)].concat(),
        codes(&capped)[..20].to_vec(),
        "pages are stable and adjacent"
    );
    assert_eq!(codes(&back), codes(&first));
    let mut sorted = codes(&capped);
    sorted.sort();
    assert_eq!(sorted, codes(&capped), "ordered by ODS code");
    assert_eq!(codes(&last).len(), 3);
    assert_eq!(last["data"]["organisations"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(last["data"]["organisations"]["pageInfo"]["hasPreviousPage"], true);
    assert!(codes(&empty).is_empty());
    assert_eq!(empty["data"]["organisations"]["totalCount"].as_u64(), Some(total));
    assert_eq!(error_codes(&negative), ["BAD_USER_INPUT"]);
    assert_eq!(error_codes(&bad_cursor), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn organisation_filters_and_orders_combine_and_answer_as_of_a_date() {
    let app = spawn_app(DemoData::Load).await;
    let count = |response: &Value| response["data"]["organisations"]["totalCount"].as_u64().unwrap_or_default();
    let query = |filter: Value, as_of: &str| json!({ "filter": filter, "asOf": as_of, "first": 100 });

    let qmm_before = app.graphql(ORGANISATIONS, query(json!({ "icb": { "eq": "QMM" } }), "2025-06-01")).await;
    let qmm_after = app.graphql(ORGANISATIONS, query(json!({ "icb": { "eq": "QMM" } }), "2026-06-01")).await;
    let t6y0w_after = app.graphql(ORGANISATIONS, query(json!({ "icb": { "eq": "T6Y0W" } }), "2026-06-01")).await;
    let qjg_before = app.graphql(ORGANISATIONS, query(json!({ "icb": { "eq": "QJG" } }), "2025-06-01")).await;
    let region = app
        .graphql(ORGANISATIONS, query(json!({ "region": { "eq": "Y61" }, "kind": { "eq": "PCN" } }), "2026-06-01"))
        .await;
    let pcns = app.graphql(ORGANISATIONS, query(json!({ "kind": { "eq": "PCN" } }), "2026-06-01")).await;
    let named = app.graphql(ORGANISATIONS, query(json!({ "name": { "contains": "pcn" } }), "2026-06-01")).await;
    let starts =
        app.graphql(ORGANISATIONS, query(json!({ "name": { "startsWith": "nhs norfolk and s" } }), "2026-06-01")).await;
    let percent = app.graphql(ORGANISATIONS, query(json!({ "name": { "contains": "%" } }), "2026-06-01")).await;
    let either = app
        .graphql(
            ORGANISATIONS,
            query(
                json!({ "or": [{ "odsCode": { "eq": "QMM" } }, { "odsCode": { "in": ["T6Y0W", "Y61"] } }] }),
                "2026-06-01",
            ),
        )
        .await;
    let not_pcn = app
        .graphql(
            ORGANISATIONS,
            query(json!({ "icb": { "eq": "T6Y0W" }, "not": { "kind": { "eq": "PCN" } } }), "2026-06-01"),
        )
        .await;
    let both = app
        .graphql(
            ORGANISATIONS,
            query(json!({ "and": [{ "kind": { "eq": "ICB" } }, { "region": { "eq": "Y61" } }] }), "2026-06-01"),
        )
        .await;
    let descending = app
        .graphql(ORGANISATIONS, json!({ "filter": { "kind": { "eq": "ICB" } }, "order": { "field": "ODS_CODE", "direction": "DESC" }, "first": 3 }))
        .await;

    assert!(count(&qmm_before) > 1, "organisations were in QMM before the merger");
    assert_eq!(count(&qmm_after), 0, "QMM has no members after the merger");
    assert!(count(&t6y0w_after) > count(&qmm_before), "Norfolk and Suffolk took over QMM's and part of QJG's");
    assert!(count(&qjg_before) > 0);
    assert_eq!(count(&region), count(&pcns), "every demo PCN is in the East of England");
    assert_eq!(count(&named), count(&pcns), "name search ignores case");
    assert_eq!(codes(&starts), ["T6Y0W"]);
    assert_eq!(count(&percent), 0, "% matches itself, not anything");
    let mut found = codes(&either);
    found.sort();
    assert_eq!(found, ["QMM", "T6Y0W", "Y61"]);
    assert!(count(&not_pcn) > 0 && count(&not_pcn) < count(&t6y0w_after));
    assert_eq!(count(&both), 3);
    assert_eq!(codes(&descending), ["Z9B2Z", "T6Y0W", "S9B9J"]);
}

#[tokio::test]
async fn placement_filters_select_exactly_the_matching_rows() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let query = r#"query($filter: PlacementFilter, $order: PlacementOrder) { placements(first: 100, filter: $filter, orderBy: $order) {
        totalCount nodes { sector status startDate endDate isCrossIcb hostIcb { odsCode } } } }"#;
    let run = |filter: Value| {
        let app = &app;
        let national = national.clone();
        async move { app.graphql_as(Some(&national), query, json!({ "filter": filter })).await }
    };
    let total = |response: &Value| response["data"]["placements"]["totalCount"].as_u64().unwrap_or_default();
    let nodes = |response: &Value| response["data"]["placements"]["nodes"].as_array().cloned().unwrap_or_default();

    let all = run(json!({})).await;
    let general = run(json!({ "sector": { "eq": "GENERAL_PRACTICE" } })).await;
    let not_general = run(json!({ "not": { "sector": { "eq": "GENERAL_PRACTICE" } } })).await;
    let cross = run(json!({ "isCrossIcb": true })).await;
    let active = run(json!({ "activeOn": "2026-06-01" })).await;
    let started = run(json!({ "startDate": { "from": "2026-04-01", "to": "2026-09-30" } })).await;
    let hosted = run(json!({ "hostIcb": { "eq": "T6Y0W" }, "status": { "in": ["APPROVED", "PLANNED"] } })).await;
    let inverted = run(json!({ "startDate": { "from": "2026-09-30", "to": "2026-04-01" } })).await;

    assert_eq!(total(&general) + total(&not_general), total(&all));
    assert!(nodes(&general).iter().all(|p| p["sector"] == "GENERAL_PRACTICE"));
    assert!(total(&cross) > 0 && nodes(&cross).iter().all(|p| p["isCrossIcb"] == true));
    assert!(total(&active) > 0);
    assert!(
        nodes(&active)
            .iter()
            .all(|p| p["startDate"].as_str() <= Some("2026-06-01") && p["endDate"].as_str() >= Some("2026-06-01"))
    );
    assert!(total(&started) > 0);
    assert!(
        nodes(&started)
            .iter()
            .all(|p| p["startDate"].as_str() >= Some("2026-04-01") && p["startDate"].as_str() <= Some("2026-09-30"))
    );
    let hosted_nodes = nodes(&hosted);
    assert!(!hosted_nodes.is_empty());
    let host_icbs: std::collections::BTreeSet<&str> =
        hosted_nodes.iter().filter_map(|p| p["hostIcb"]["odsCode"].as_str()).collect();
    assert!(host_icbs.iter().all(|icb| ["T6Y0W", "QMM", "QJG"].contains(icb)), "{host_icbs:?}");
    assert!(nodes(&hosted).iter().all(|p| p["status"] != "CANCELLED"));
    assert_eq!(error_codes(&inverted), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn node_and_nodes_fetch_objects_again_by_global_id() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let listed = app
        .graphql_as(
            Some(&national),
            "{ programmes(first: 2) { nodes { id code } } placements(first: 2) { nodes { id } } icbs { id odsCode } }",
            json!({}),
        )
        .await;
    let programme = listed["data"]["programmes"]["nodes"][0].clone();
    let placement = listed["data"]["placements"]["nodes"][0]["id"].clone();
    let icb = listed["data"]["icbs"][0].clone();

    let one = app
        .graphql_as(
            Some(&national),
            "query($id: ID!) { node(id: $id) { id ... on RotationProgramme { code } } }",
            json!({ "id": programme["id"] }),
        )
        .await;
    let many = app
        .graphql_as(
            Some(&national),
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Icb { odsCode } } }",
            json!({ "ids": [placement, icb["id"], programme["id"], placement] }),
        )
        .await;
    let invalid = app.graphql("{ node(id: \"bm90LWFuLWlk\") { id } }", json!({})).await;
    let too_many = app
        .graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": vec![icb["id"].clone(); 101] }))
        .await;

    assert_eq!(one["data"]["node"], programme);
    assert_eq!(many["data"]["nodes"][0]["id"], placement);
    assert_eq!(many["data"]["nodes"][1], icb);
    assert_eq!(many["data"]["nodes"][2]["id"], programme["id"]);
    assert_eq!(many["data"]["nodes"][3]["id"], placement, "an id given twice is answered twice");
    assert_eq!(error_codes(&invalid), ["BAD_USER_INPUT"]);
    assert_eq!(error_codes(&too_many), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn the_federation_service_has_keys_and_resolves_entities_in_batches() {
    let app = spawn_app(DemoData::Load).await;

    let service = app.graphql("{ _service { sdl } }", json!({})).await;
    let entities = app
        .graphql(
            r#"query($r: [_Any!]!) { _entities(representations: $r) {
                ... on Icb { odsCode name } ... on CommunityPharmacy { odsCode contractType } ... on GpPractice { odsCode } } }"#,
            json!({ "r": [
                { "__typename": "Icb", "odsCode": "QMM" },
                { "__typename": "CommunityPharmacy", "odsCode": "FZ000" },
                { "__typename": "GpPractice", "odsCode": "FZ000" },
                { "__typename": "Icb", "odsCode": "T6Y0W" }
            ] }),
        )
        .await;

    let sdl = service["data"]["_service"]["sdl"].as_str().unwrap_or_default();
    assert!(
        sdl.contains(r#"type Icb implements Organisation & Node @key(fields: "odsCode")"#)
            || sdl.contains(r#"@key(fields: "odsCode")"#)
    );
    for keyed in ["type RotationProgramme", "type RotationalPost", "type Placement", "type Pharmacist"] {
        let line = sdl.lines().find(|line| line.starts_with(keyed)).unwrap_or_default();
        assert!(line.contains(r#"@key(fields: "id")"#), "{keyed}: {line}");
    }
    let found = &entities["data"]["_entities"];
    assert_eq!(found[0]["odsCode"], "QMM");
    assert_eq!(found[1]["odsCode"], "FZ000");
    assert_eq!(found[2], Value::Null, "FZ000 is not a GP practice");
    assert_eq!(found[3]["odsCode"], "T6Y0W");
}

#[tokio::test]
async fn every_entity_resolves_by_id_and_by_its_natural_key_and_the_sdl_says_so() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let reporter = token(Role::Reporter, &[], None);
    let listed = app
        .graphql_as(
            Some(&national),
            "{ icbs { id odsCode } programmes(first: 1) { nodes { id code cohorts(first: 1) { nodes { id } } } }
               pharmacists(first: 1) { nodes { id gphcNumber } } }",
            json!({}),
        )
        .await;
    let icb = &listed["data"]["icbs"][0];
    let programme = &listed["data"]["programmes"]["nodes"][0];
    let pharmacist = &listed["data"]["pharmacists"]["nodes"][0];
    let cohort = &programme["cohorts"]["nodes"][0];
    assert!(icb["id"].is_string() && programme["code"].is_string() && pharmacist["gphcNumber"].is_string(), "{listed}");
    let query = r#"query($r: [_Any!]!) { _entities(representations: $r) { __typename
        ... on Icb { odsCode } ... on RotationProgramme { id } ... on Pharmacist { id } ... on Cohort { id } } }"#;
    let representations = json!([
        { "__typename": "Icb", "id": icb["id"] },
        { "__typename": "RotationProgramme", "code": programme["code"] },
        { "__typename": "Pharmacist", "gphcNumber": pharmacist["gphcNumber"] },
        { "__typename": "Cohort", "id": cohort["id"] },
        { "__typename": "Icb", "id": programme["id"] }
    ]);

    let found = app.graphql_as(Some(&national), query, json!({ "r": representations })).await;
    let by_reporter = app.graphql_as(Some(&reporter), query, json!({ "r": representations })).await;

    assert_eq!(
        found["data"]["_entities"],
        json!([
            { "__typename": "Icb", "odsCode": icb["odsCode"] },
            { "__typename": "RotationProgramme", "id": programme["id"] },
            { "__typename": "Pharmacist", "id": pharmacist["id"] },
            { "__typename": "Cohort", "id": cohort["id"] },
            null
        ]),
        "{found}"
    );
    assert_eq!(found["errors"][0]["path"], json!(["_entities", 4]), "a programme's id is no ICB's: {found}");
    assert_eq!(error_codes(&found), ["BAD_USER_INPUT"]);
    // A GPhC number is personal data: a reader without access to it cannot look pharmacists up by it.
    assert_eq!(by_reporter["data"]["_entities"][2], Value::Null, "{by_reporter}");
    assert_eq!(by_reporter["data"]["_entities"][1]["id"], programme["id"], "{by_reporter}");
    let forbidden: Vec<&Value> = by_reporter["errors"]
        .as_array()
        .map(|errors| errors.iter().filter(|error| error["extensions"]["code"] == "FORBIDDEN").collect())
        .unwrap_or_default();
    assert_eq!(forbidden.len(), 1, "{by_reporter}");
    assert_eq!(forbidden[0]["path"], json!(["_entities", 2]));
    // A refused representation before a resolved one: the errors of the resolved one's fields are its own.
    let personal = app
        .graphql_as(
            Some(&reporter),
            r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Pharmacist { id givenName } } }"#,
            json!({ "r": [
                { "__typename": "Pharmacist", "gphcNumber": pharmacist["gphcNumber"] },
                { "__typename": "Pharmacist", "id": pharmacist["id"] }
            ] }),
        )
        .await;
    assert_eq!(
        personal["data"]["_entities"],
        json!([null, { "id": pharmacist["id"], "givenName": null }]),
        "{personal}"
    );
    let mut paths: Vec<String> = personal["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|error| error["path"].to_string()).collect())
        .unwrap_or_default();
    paths.sort();
    assert_eq!(paths, [r#"["_entities",0]"#, r#"["_entities",1,"givenName"]"#]);

    let sdl = app.graphql("{ _service { sdl } }", json!({})).await["data"]["_service"]["sdl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let declaration =
        |name: &str| sdl.lines().find(|line| line.starts_with(&format!("type {name} "))).unwrap_or_default().to_owned();
    for node_type in [
        "Region",
        "Icb",
        "SubIcbLocation",
        "NhsTrust",
        "TrustSite",
        "Pcn",
        "GpPractice",
        "CommunityPharmacy",
        "RotationProgramme",
        "Cohort",
        "RotationalPost",
        "Vacancy",
        "Pharmacist",
        "Credential",
        "Membership",
        "Placement",
        "ConsultantLead",
        "ProgrammeLead",
        "IcbMedicinesRole",
        "MedicinesOptimisationTeam",
    ] {
        assert!(declaration(node_type).contains(r#"@key(fields: "id")"#), "{node_type}: {}", declaration(node_type));
    }
    assert!(declaration("Icb").contains(r#"@key(fields: "odsCode")"#));
    assert!(declaration("Pharmacist").contains(r#"@key(fields: "gphcNumber")"#));
    assert!(declaration("RotationProgramme").contains(r#"@key(fields: "code")"#));
    assert!(declaration("PageInfo").contains("@shareable"), "{}", declaration("PageInfo"));
    assert!(sdl.contains("\t\tid: ID!\n\t): Node @shareable"), "Query.node is shareable");
}

#[tokio::test]
async fn a_bad_representation_is_null_with_its_own_error_and_never_blanks_its_siblings() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let query = r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Icb { odsCode } } }"#;
    let representations = json!([
        { "__typename": "Icb", "odsCode": "QMM" },
        { "__typename": "NoSuchType", "id": "x" },
        { "__typename": "Icb", "name": "no key field" },
        { "__typename": "Icb", "id": "not-a-global-id" },
        42,
        { "__typename": "Icb", "odsCode": "T6Y0W" },
        { "__typename": "NoSuchType", "id": "x" }
    ]);

    let answer = app.graphql_as(Some(&national), query, json!({ "r": representations })).await;
    let aliased = app
        .graphql_as(
            Some(&national),
            r#"query($r: [_Any!]!) { a: _entities(representations: $r) { ... on Icb { odsCode } }
                b: _entities(representations: [{ __typename: "Icb", odsCode: "QMM" }]) { ... on Icb { odsCode } } }"#,
            json!({ "r": representations }),
        )
        .await;

    assert_eq!(
        answer["data"]["_entities"],
        json!([{ "odsCode": "QMM" }, null, null, null, null, { "odsCode": "T6Y0W" }, null]),
        "{answer}"
    );
    let mut paths: Vec<Value> = answer["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|error| error["path"].clone()).collect())
        .unwrap_or_default();
    paths.sort_by_key(|path| path[1].as_u64());
    assert_eq!(
        paths,
        [1, 2, 3, 4, 6].map(|index| json!(["_entities", index])).to_vec(),
        "each bad representation has its error at its own index: {answer}"
    );
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"; 5]);
    assert!(!answer.to_string().contains("SELECT"), "{answer}");
    assert_eq!(aliased["data"]["a"][5], json!({ "odsCode": "T6Y0W" }), "{aliased}");
    assert_eq!(aliased["data"]["b"], json!([{ "odsCode": "QMM" }]), "{aliased}");
    assert_eq!(error_codes(&aliased).len(), 5, "{aliased}");
}

#[tokio::test]
async fn a_failed_field_of_an_entity_is_null_at_its_own_index_and_its_siblings_stay() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let reporter = token(Role::Reporter, &[], None);
    let listed = app.graphql_as(Some(&national), "{ pharmacists(first: 2) { nodes { id } } }", json!({})).await;
    let ids: Vec<Value> = listed["data"]["pharmacists"]["nodes"]
        .as_array()
        .map(|nodes| nodes.iter().map(|node| node["id"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 2, "{listed}");
    let representations = json!([
        { "__typename": "Pharmacist", "id": ids[0] },
        { "__typename": "Icb", "odsCode": "QMM" },
        { "__typename": "Pharmacist", "id": ids[1] }
    ]);

    // A nullable field the reader may not read: null in each pharmacist, with its error at its index.
    let personal = app
        .graphql_as(
            Some(&reporter),
            r#"query($r: [_Any!]!) { _entities(representations: $r) {
                ... on Pharmacist { id givenName } ... on Icb { odsCode } } }"#,
            json!({ "r": representations }),
        )
        .await;
    assert_eq!(
        personal["data"]["_entities"],
        json!([{ "id": ids[0], "givenName": null }, { "odsCode": "QMM" }, { "id": ids[1], "givenName": null }]),
        "{personal}"
    );
    let paths: Vec<Value> = personal["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|error| error["path"].clone()).collect())
        .unwrap_or_default();
    assert!(
        paths.contains(&json!(["_entities", 0, "givenName"])) && paths.contains(&json!(["_entities", 2, "givenName"])),
        "{paths:?}"
    );

    // A non-null field that fails (a cursor of another list) nulls its own entity only.
    let broken = app
        .graphql_as(
            Some(&national),
            r#"query($r: [_Any!]!) { _entities(representations: $r) {
                ... on Pharmacist { id placements(after: "bm90LWEtY3Vyc29y") { totalCount } } ... on Icb { odsCode } } }"#,
            json!({ "r": representations }),
        )
        .await;
    assert_eq!(broken["data"]["_entities"], json!([null, { "odsCode": "QMM" }, null]), "{broken}");
    assert_eq!(error_codes(&broken), ["BAD_USER_INPUT", "BAD_USER_INPUT"]);
}
