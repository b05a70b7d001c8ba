//! Every filter and order of every root list: each filter returns only matching rows, the values of an
//! enum filter partition the list, and each order sorts (ties broken by id).

use crate::helpers::{TestApp, spawn_app, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::{Value, json};

/// Runs `field(first: 100, filter:, orderBy:, asOf:)` as a national reader, returning (totalCount, nodes).
async fn list(app: &TestApp, field: &str, selection: &str, arguments: Value) -> (u64, Vec<Value>) {
    let national = token(Role::National, &[], None);
    let declared: String = arguments
        .as_object()
        .map(|arguments| {
            arguments
                .keys()
                .map(|name| match name.as_str() {
                    "filter" => format!("$filter: {}", filter_type(field)),
                    "orderBy" => format!("$orderBy: {}", order_type(field)),
                    _ => "$asOf: Date".to_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let passed: String = arguments
        .as_object()
        .map(|arguments| arguments.keys().map(|name| format!("{name}: ${name}")).collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    let header = if declared.is_empty() { String::new() } else { format!("({declared})") };
    let arguments_text = if passed.is_empty() { String::new() } else { format!(", {passed}") };
    let query =
        format!("query{header} {{ {field}(first: 100{arguments_text}) {{ totalCount nodes {{ {selection} }} }} }}");
    let response = app.graphql_as(Some(&national), &query, arguments).await;
    assert!(response["errors"].is_null(), "{query}: {response}");
    let connection = &response["data"][field];
    (connection["totalCount"].as_u64().unwrap_or_default(), connection["nodes"].as_array().cloned().unwrap_or_default())
}

fn filter_type(field: &str) -> &'static str {
    match field {
        "programmes" => "ProgrammeFilter",
        "posts" => "PostFilter",
        "vacancies" => "VacancyFilter",
        "memberships" => "MembershipFilter",
        "pharmacists" => "PharmacistFilter",
        "placements" => "PlacementFilter",
        "consultantLeads" => "ConsultantLeadFilter",
        _ => "OrganisationFilter",
    }
}

fn order_type(field: &str) -> &'static str {
    match field {
        "programmes" => "ProgrammeOrder",
        "posts" => "PostOrder",
        "vacancies" => "VacancyOrder",
        "memberships" => "MembershipOrder",
        "pharmacists" => "PharmacistOrder",
        "placements" => "PlacementOrder",
        "consultantLeads" => "ConsultantLeadOrder",
        _ => "OrganisationOrder",
    }
}

/// The values of an enum filter partition the whole list.
async fn partitions(app: &TestApp, field: &str, filter: &str, values: &[&str]) {
    let (total, _) = list(app, field, "id", json!({})).await;
    let mut sum = 0;
    for value in values {
        let (count, nodes) = list(app, field, "id", json!({ "filter": { filter: { "eq": value } } })).await;
        assert!(nodes.len() as u64 == count.min(100));
        sum += count;
    }
    let (either, _) = list(app, field, "id", json!({ "filter": { filter: { "in": values } } })).await;
    assert_eq!(sum, total, "{field}.{filter} partitions the list");
    assert_eq!(either, total, "{field}.{filter} `in` all values is everything");
}

/// `key` of each node is in order (ascending or descending).
fn sorted(nodes: &[Value], key: &str, descending: bool) -> bool {
    let values: Vec<String> = nodes.iter().map(|node| node[key].as_str().unwrap_or_default().to_owned()).collect();
    let mut expected = values.clone();
    expected.sort();
    if descending {
        expected.reverse();
    }
    values == expected
}

#[tokio::test]
async fn programme_post_and_vacancy_filters_and_orders() {
    let app = spawn_app(DemoData::Load).await;

    let (star, nodes) = list(&app, "programmes", "code", json!({ "filter": { "code": ["STAR"] } })).await;
    assert_eq!((star, nodes[0]["code"].as_str()), (1, Some("STAR")));
    let (named, _) =
        list(&app, "programmes", "code", json!({ "filter": { "name": { "contains": "cross-sector" } } })).await;
    assert_eq!(named, 2);
    let (owned, nodes) = list(&app, "programmes", "code", json!({ "filter": { "ownerIcb": { "eq": "T6Y0W" } } })).await;
    assert_eq!((owned, nodes[0]["code"].as_str()), (1, Some("STAR")), "T6Y0W answers for QMM's STAR");
    partitions(&app, "programmes", "status", &["DRAFT", "RECRUITING", "ACTIVE", "CLOSED"]).await;
    for (field, descending) in [("NAME", false), ("NAME", true), ("CODE", false), ("CODE", true)] {
        let direction = if descending { "DESC" } else { "ASC" };
        let (_, nodes) =
            list(&app, "programmes", "code name", json!({ "orderBy": { "field": field, "direction": direction } }))
                .await;
        assert!(sorted(&nodes, &field.to_lowercase(), descending), "programmes by {field} {direction}");
    }

    partitions(&app, "posts", "status", &["ADVERTISED", "OFFERED", "FILLED", "FROZEN", "WITHDRAWN"]).await;
    partitions(&app, "posts", "funding", &["ARRS", "EXISTING_VACANCY", "TRUST", "EDUCATION_GRANT", "OTHER"]).await;
    let (_, programmes) =
        list(&app, "programmes", "id code cohorts { nodes { id } }", json!({ "filter": { "code": ["STAR"] } })).await;
    let star_id = programmes[0]["id"].clone();
    let cohort_id = programmes[0]["cohorts"]["nodes"][0]["id"].clone();
    let (in_star, _) = list(&app, "posts", "id", json!({ "filter": { "programme": { "eq": star_id } } })).await;
    let (in_cohort, _) = list(&app, "posts", "id", json!({ "filter": { "cohort": { "eq": cohort_id } } })).await;
    let (employed_in_t6y0w, _) =
        list(&app, "posts", "id", json!({ "filter": { "employerIcb": { "eq": "T6Y0W" } }, "asOf": "2026-06-01" }))
            .await;
    assert!(in_cohort > 0 && in_cohort < in_star && in_star <= employed_in_t6y0w);
    let (_, nodes) =
        list(&app, "posts", "postNumber", json!({ "orderBy": { "field": "POST_NUMBER", "direction": "DESC" } })).await;
    assert!(sorted(&nodes, "postNumber", true));
    let (_, nodes) = list(&app, "posts", "status", json!({ "orderBy": { "field": "STATUS" } })).await;
    assert!(sorted(&nodes, "status", false));

    partitions(
        &app,
        "vacancies",
        "sector",
        &["GENERAL_PRACTICE", "COMMUNITY_PHARMACY", "SECONDARY_CARE", "ICB_MEDICINES_OPTIMISATION"],
    )
    .await;
    partitions(&app, "vacancies", "funding", &["ARRS", "EXISTING_VACANCY", "TRUST", "EDUCATION_GRANT", "OTHER"]).await;
    let (total, _) = list(&app, "vacancies", "id", json!({})).await;
    let (open, nodes) =
        list(&app, "vacancies", "closedOn openedOn", json!({ "filter": { "open": true }, "asOf": "2026-11-01" })).await;
    let (closed, _) = list(&app, "vacancies", "id", json!({ "filter": { "open": false }, "asOf": "2026-11-01" })).await;
    assert_eq!(open + closed, total);
    assert!(open > 0);
    assert!(nodes.iter().all(|v| v["openedOn"].as_str() <= Some("2026-11-01")
        && (v["closedOn"].is_null() || v["closedOn"].as_str() >= Some("2026-11-01"))));
    let (banded, nodes) =
        list(&app, "vacancies", "afcBand", json!({ "filter": { "afcBand": { "eq": "BAND_7" } } })).await;
    assert!(banded > 0 && nodes.iter().all(|v| v["afcBand"] == "BAND_7"));
    let (this_year, nodes) =
        list(&app, "vacancies", "openedOn", json!({ "filter": { "openedOn": { "from": "2026-01-01" } } })).await;
    assert!(this_year > 0 && nodes.iter().all(|v| v["openedOn"].as_str() >= Some("2026-01-01")));
    let (in_essex, _) = list(&app, "vacancies", "id", json!({ "filter": { "icb": { "eq": "D7T5G" } } })).await;
    assert!(in_essex > 0 && in_essex < total);
    let (_, nodes) =
        list(&app, "vacancies", "openedOn", json!({ "orderBy": { "field": "OPENED_ON", "direction": "DESC" } })).await;
    assert!(sorted(&nodes, "openedOn", true));
}

#[tokio::test]
async fn membership_pharmacist_placement_and_lead_filters_and_orders() {
    let app = spawn_app(DemoData::Load).await;

    partitions(&app, "memberships", "status", &["OFFERED", "ACCEPTED", "ACTIVE", "COMPLETED", "WITHDRAWN"]).await;
    let (starting, nodes) =
        list(&app, "memberships", "startDate", json!({ "filter": { "startDate": { "from": "2025-01-01" } } })).await;
    assert!(starting > 0 && nodes.iter().all(|m| m["startDate"].as_str() >= Some("2025-01-01")));
    let (ending, nodes) =
        list(&app, "memberships", "plannedEndDate", json!({ "filter": { "plannedEndDate": { "to": "2026-12-31" } } }))
            .await;
    assert!(ending > 0 && nodes.iter().all(|m| m["plannedEndDate"].as_str() <= Some("2026-12-31")));
    let (_, programmes) =
        list(&app, "programmes", "id cohorts { nodes { id } }", json!({ "filter": { "code": ["STAR"] } })).await;
    let (star_members, _) =
        list(&app, "memberships", "id", json!({ "filter": { "programme": { "eq": programmes[0]["id"] } } })).await;
    let (cohort_members, _) = list(
        &app,
        "memberships",
        "id",
        json!({ "filter": { "cohort": { "eq": programmes[0]["cohorts"]["nodes"][0]["id"] } } }),
    )
    .await;
    assert!(cohort_members > 0 && cohort_members < star_members);
    let (_, nodes) =
        list(&app, "memberships", "plannedEndDate", json!({ "orderBy": { "field": "PLANNED_END_DATE" } })).await;
    assert!(sorted(&nodes, "plannedEndDate", false));

    partitions(&app, "pharmacists", "registrationStatus", &["REGISTERED", "SUSPENDED", "REMOVED"]).await;
    let (total, _) = list(&app, "pharmacists", "id", json!({})).await;
    let (prescribers, nodes) = list(
        &app,
        "pharmacists",
        "isIndependentPrescriber(asOf: \"2026-06-01\")",
        json!({ "filter": { "independentPrescriber": true }, "asOf": "2026-06-01" }),
    )
    .await;
    let (others, _) =
        list(&app, "pharmacists", "id", json!({ "filter": { "independentPrescriber": false }, "asOf": "2026-06-01" }))
            .await;
    assert_eq!(prescribers + others, total);
    assert!(prescribers > 0 && nodes.iter().all(|p| p["isIndependentPrescriber"] == true));
    let (one, nodes) =
        list(&app, "pharmacists", "gphcNumber", json!({ "filter": { "gphcNumber": ["9000001"] } })).await;
    assert_eq!((one, nodes[0]["gphcNumber"].as_str()), (1, Some("9000001")));
    let (named, nodes) =
        list(&app, "pharmacists", "familyName", json!({ "filter": { "familyName": { "startsWith": "pat" } } })).await;
    assert!(named > 0 && nodes.iter().all(|p| p["familyName"].as_str().is_some_and(|name| name.starts_with("Pat"))));
    let (recent, nodes) = list(
        &app,
        "pharmacists",
        "firstRegisteredOn",
        json!({ "filter": { "firstRegisteredOn": { "from": "2024-01-01" } } }),
    )
    .await;
    assert!(recent > 0 && nodes.iter().all(|p| p["firstRegisteredOn"].as_str() >= Some("2024-01-01")));
    let (_, nodes) =
        list(&app, "pharmacists", "familyName", json!({ "orderBy": { "field": "NAME", "direction": "DESC" } })).await;
    assert!(sorted(&nodes, "familyName", true));
    let (_, nodes) =
        list(&app, "pharmacists", "firstRegisteredOn", json!({ "orderBy": { "field": "FIRST_REGISTERED_ON" } })).await;
    assert!(sorted(&nodes, "firstRegisteredOn", false));

    partitions(
        &app,
        "placements",
        "sector",
        &["GENERAL_PRACTICE", "COMMUNITY_PHARMACY", "SECONDARY_CARE", "ICB_MEDICINES_OPTIMISATION"],
    )
    .await;
    partitions(&app, "placements", "status", &["PLANNED", "APPROVED", "CANCELLED"]).await;
    let (total, _) = list(&app, "placements", "id", json!({})).await;
    let (cross, _) = list(&app, "placements", "id", json!({ "filter": { "isCrossIcb": true } })).await;
    let (local, _) = list(&app, "placements", "id", json!({ "filter": { "isCrossIcb": false } })).await;
    assert_eq!(cross + local, total);
    let (either, _) = list(
        &app,
        "placements",
        "id",
        json!({ "filter": { "or": [{ "isCrossIcb": true }, { "and": [{ "isCrossIcb": false }, { "sector": { "eq": "SECONDARY_CARE" } }] }] } }),
    )
    .await;
    let (secondary_local, _) = list(
        &app,
        "placements",
        "id",
        json!({ "filter": { "isCrossIcb": false, "sector": { "eq": "SECONDARY_CARE" } } }),
    )
    .await;
    assert_eq!(either, cross + secondary_local);
    let (ending, nodes) =
        list(&app, "placements", "endDate", json!({ "filter": { "endDate": { "to": "2023-12-31" } } })).await;
    assert!(ending > 0 && nodes.iter().all(|p| p["endDate"].as_str() <= Some("2023-12-31")));
    let (_, people) = list(
        &app,
        "pharmacists",
        "id placements(first: 50) { totalCount nodes { id } }",
        json!({ "filter": { "gphcNumber": ["9000001"] } }),
    )
    .await;
    let (theirs, _) =
        list(&app, "placements", "id", json!({ "filter": { "pharmacist": { "eq": people[0]["id"] } } })).await;
    assert_eq!(theirs as usize, people[0]["placements"]["nodes"].as_array().map_or(0, Vec::len));
    assert_eq!(Some(theirs), people[0]["placements"]["totalCount"].as_u64());
    let (_, programmes) = list(&app, "programmes", "id", json!({ "filter": { "code": ["STAR"] } })).await;
    let (star, _) =
        list(&app, "placements", "id", json!({ "filter": { "programme": { "eq": programmes[0]["id"] } } })).await;
    assert!(star > 0 && star < total);
    let (_, nodes) =
        list(&app, "placements", "endDate", json!({ "orderBy": { "field": "END_DATE", "direction": "DESC" } })).await;
    assert!(sorted(&nodes, "endDate", true));

    let (leads, _) = list(&app, "consultantLeads", "id", json!({})).await;
    let specialisms = [
        "ANTIMICROBIALS",
        "CARDIOLOGY",
        "CRITICAL_CARE",
        "FRAILTY",
        "MENTAL_HEALTH",
        "ONCOLOGY",
        "PAEDIATRICS",
        "PRIMARY_CARE",
        "RESPIRATORY",
        "OTHER",
    ];
    partitions(&app, "consultantLeads", "specialism", &specialisms).await;
    let (current, _) =
        list(&app, "consultantLeads", "id", json!({ "filter": { "current": true }, "asOf": "2026-11-01" })).await;
    let (not_current, _) =
        list(&app, "consultantLeads", "id", json!({ "filter": { "current": false }, "asOf": "2026-11-01" })).await;
    assert_eq!(current + not_current, leads);
    let (_, nodes) = list(&app, "consultantLeads", "trust { odsCode }", json!({})).await;
    let trust = nodes[0]["trust"]["odsCode"].clone();
    let (at_trust, nodes) =
        list(&app, "consultantLeads", "trust { odsCode }", json!({ "filter": { "trust": { "eq": trust } } })).await;
    assert!(at_trust > 0 && nodes.iter().all(|lead| lead["trust"]["odsCode"] == trust));
    let (in_icbs, _) =
        list(&app, "consultantLeads", "id", json!({ "filter": { "icb": { "in": ["T6Y0W", "D7T5G", "S1Y5D"] } } }))
            .await;
    assert_eq!(in_icbs, leads, "every demo lead's trust is in one of the demo ICBs");
    let (_, nodes) = list(&app, "consultantLeads", "validFrom", json!({ "orderBy": { "field": "VALID_FROM" } })).await;
    assert!(sorted(&nodes, "validFrom", false));
    let (_, nodes) = list(
        &app,
        "consultantLeads",
        "specialism",
        json!({ "orderBy": { "field": "SPECIALISM", "direction": "DESC" } }),
    )
    .await;
    assert!(sorted(&nodes, "specialism", true));
}
