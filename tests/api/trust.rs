//! What an outside tester found, each as a test that names the code it expects: requests built to hurt,
//! ids of another ICB's records in every mutation, batches with a broken item, reports across scopes,
//! suppression undone by subtraction, database refusals, forbidden fields, tokens and GraphQL over HTTP.

use crate::helpers::{TEST_SECRET, TestApp, error_codes, spawn_app, token};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::prelude::AuditLog;
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The ICB whose administrator acts, and the ICB whose records it must not reach.
const OWN: &str = "T6Y0W";
const OTHER: &str = "S1Y5D";

/// Input fields that may name any ICB's organisation: a placement may be hosted, and a post employed,
/// anywhere (cross-ICB rotations are the point). Every other id or ICB an input carries is a reference
/// the actor must be able to read or change.
const OPEN_REFERENCES: [(&str, &str); 8] = [
    ("PlanPlacementInput", "host"),
    ("ReschedulePlacementInput", "host"),
    ("CreatePostInput", "employer"),
    ("CreateVacancyInput", "host"),
    // A pathway may span other ICBs and involve their organisations.
    ("CreatePatientPathwayInput", "icbs"),
    ("CreatePatientPathwayInput", "participants"),
    ("UpdatePatientPathwayInput", "icbs"),
    ("UpdatePatientPathwayInput", "participants"),
];

/// Mutations only a `national` administrator may make: an ICB administrator is refused before any
/// reference is read.
const NATIONAL_ONLY: [&str; 1] = ["updateOrganisation"];

const INTROSPECTION: &str = r#"{ __schema {
    mutationType { fields { name args { name type { ...T } } type { ...T } } }
    types { name kind inputFields { name type { ...T } } fields { name type { ...T } } enumValues { name } } } }
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// A type reference: whether it is non-null, whether it is a list, and the named type.
fn named(reference: &Value) -> (bool, bool, String) {
    let (mut non_null, mut list, mut reference) = (false, false, reference);
    loop {
        match reference["kind"].as_str() {
            Some("NON_NULL") if !list => non_null = true,
            Some("LIST") => list = true,
            Some("NON_NULL") => {}
            _ => return (non_null, list, reference["name"].as_str().unwrap_or_default().to_owned()),
        }
        reference = &reference["ofType"];
    }
}

/// Records of one ICB, by node type name: ones its administrator may change (for the inputs that are
/// not under test), or ones another ICB's administrator may not read.
type Records = BTreeMap<&'static str, String>;

/// The first record of each node type that belongs to `icb` (programmes owned by it or the `owners` it
/// took over, and what hangs from them,
/// leads at its trusts, vacancies it hosts, its roles and teams), plus a trust and an ICB code.
async fn records_of(app: &TestApp, icb: &str, owners: &[&str], outsider: Option<&str>) -> Records {
    let national = token(Role::National, &[], None);
    let query = r#"query($icb: [OdsCode!], $owners: [OdsCode!], $code: OdsCode!) {
        programmes(first: 20) { nodes { id ownerIcb { odsCode } leads { id }
            cohorts(first: 3) { nodes { id posts(first: 3) { nodes { id } }
              memberships(first: 5) { nodes { id pharmacist { id credentials { id } } placements(first: 3) { nodes { id } } } } } } } }
        consultantLeads(first: 100, filter: { icb: { in: $icb } }) { nodes { id } }
        vacancies(first: 100, filter: { icb: { in: $icb } }) { nodes { id } }
        patientPathways(first: 100, filter: { icb: { in: $owners } }) { nodes { id ownerIcb { odsCode } } }
        serviceRedesigns(first: 100, filter: { icb: { in: $owners }, status: { in: [PLANNED, IN_PROGRESS] } }) { nodes { id } }
        icb(odsCode: $code) { trusts(first: 100) { nodes { odsCode } } medicinesOptimisationTeams { id } medicinesLeadership { id } } }"#;
    let variables = json!({ "icb": [icb], "owners": owners, "code": icb });
    let response = app.graphql_as(Some(&national), query, variables).await;
    assert!(response["errors"].is_null(), "{response}");
    let data = &response["data"];
    let mut candidates: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut add = |node_type: &'static str, value: &Value| {
        if let Some(id) = value.as_str() {
            candidates.entry(node_type).or_default().push(id.to_owned());
        }
    };
    let list = |value: &Value| value.as_array().cloned().unwrap_or_default();
    for programme in list(&data["programmes"]["nodes"]) {
        if !owners.iter().any(|owner| programme["ownerIcb"]["odsCode"] == *owner) {
            continue;
        }
        add("RotationProgramme", &programme["id"]);
        for lead in list(&programme["leads"]) {
            add("ProgrammeLead", &lead["id"]);
        }
        for cohort in list(&programme["cohorts"]["nodes"]) {
            add("Cohort", &cohort["id"]);
            for post in list(&cohort["posts"]["nodes"]) {
                add("RotationalPost", &post["id"]);
            }
            for membership in list(&cohort["memberships"]["nodes"]) {
                add("Membership", &membership["id"]);
                add("Pharmacist", &membership["pharmacist"]["id"]);
                for credential in list(&membership["pharmacist"]["credentials"]) {
                    add("Credential", &credential["id"]);
                }
                for placement in list(&membership["placements"]["nodes"]) {
                    add("Placement", &placement["id"]);
                }
            }
        }
    }
    for lead in list(&data["consultantLeads"]["nodes"]) {
        add("ConsultantLead", &lead["id"]);
    }
    for vacancy in list(&data["vacancies"]["nodes"]) {
        add("Vacancy", &vacancy["id"]);
    }
    for pathway in list(&data["patientPathways"]["nodes"]) {
        if owners.iter().any(|owner| pathway["ownerIcb"]["odsCode"] == *owner) {
            add("PatientPathway", &pathway["id"]);
        }
    }
    for redesign in list(&data["serviceRedesigns"]["nodes"]) {
        add("ServiceRedesign", &redesign["id"]);
    }
    for found in [data["icb"].clone()] {
        for team in list(&found["medicinesOptimisationTeams"]) {
            add("MedicinesOptimisationTeam", &team["id"]);
        }
        for role in list(&found["medicinesLeadership"]) {
            add("IcbMedicinesRole", &role["id"]);
        }
        for trust in list(&found["trusts"]["nodes"]) {
            add("trust", &trust["odsCode"]);
        }
    }
    let mut records = Records::new();
    for (node_type, ids) in candidates {
        // Another ICB's record must be one the outsider cannot read (or, for public records, change).
        let mut chosen = None;
        for id in ids {
            let hidden = match outsider {
                Some(outsider) if !matches!(node_type, "trust") => {
                    let response = app
                        .graphql_as(Some(outsider), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id }))
                        .await;
                    let public = matches!(
                        node_type,
                        "RotationProgramme" | "Cohort" | "RotationalPost" | "MedicinesOptimisationTeam"
                    );
                    public || response["data"]["node"].is_null()
                }
                _ => true,
            };
            if hidden {
                chosen = Some(id);
                break;
            }
        }
        if let Some(id) = chosen {
            records.insert(node_type, id);
        }
    }
    records.insert("icb", icb.to_owned());
    records
}

/// The node type an ID input field names: from its name, or for `id` the payload's record.
fn node_type_of(field: &str, payload_record: &str) -> &'static str {
    match field {
        "pharmacistId" => "Pharmacist",
        "cohortId" => "Cohort",
        "programmeId" => "RotationProgramme",
        "postId" => "RotationalPost",
        "vacancyId" => "Vacancy",
        "membershipId" => "Membership",
        "consultantLeadId" => "ConsultantLead",
        "teamId" => "MedicinesOptimisationTeam",
        "pathwayId" => "PatientPathway",
        _ => match payload_record {
            "RotationProgramme" => "RotationProgramme",
            "Cohort" => "Cohort",
            "RotationalPost" => "RotationalPost",
            "Vacancy" => "Vacancy",
            "Pharmacist" => "Pharmacist",
            "Credential" => "Credential",
            "Membership" => "Membership",
            "Placement" => "Placement",
            "ConsultantLead" => "ConsultantLead",
            "ProgrammeLead" => "ProgrammeLead",
            "IcbMedicinesRole" => "IcbMedicinesRole",
            "MedicinesOptimisationTeam" => "MedicinesOptimisationTeam",
            "PatientPathway" => "PatientPathway",
            "ServiceRedesign" => "ServiceRedesign",
            other => panic!("no node type for {field} of a {other} payload"),
        },
    }
}

/// An ODS-code input field that names an ICB or a trust the actor must administer.
fn code_kind(field: &str) -> &'static str {
    if field == "trust" { "trust" } else { "icb" }
}

/// The same global id's type with a random row id: an id of nothing.
fn unknown_like(id: &str) -> String {
    let decoded = String::from_utf8(URL_SAFE_NO_PAD.decode(id).expect("base64")).expect("UTF-8");
    let (node_type, _) = decoded.split_once(':').expect("Type:uuid");
    URL_SAFE_NO_PAD.encode(format!("{node_type}:{}", uuid::Uuid::new_v4()))
}

struct Schema {
    types: BTreeMap<String, Value>,
}

impl Schema {
    /// A value for a required input of `type_name`, named `field`.
    fn value(&self, field: &str, type_name: &str, list: bool, own: &Records, payload_record: &str) -> Value {
        let single = match type_name {
            "ID" => json!(own.get(node_type_of(field, payload_record)).expect("an own record of every type")),
            "OdsCode" => json!(own[code_kind(field)]),
            "String" => json!(match field {
                "code" => "REF-CHECK".to_owned(),
                "gphcNumber" => "2299991".to_owned(),
                _ => format!("Reference check {field}"),
            }),
            "Int" => json!(match field {
                "minDurationMonths" => 24,
                "maxDurationMonths" => 30,
                _ => 1,
            }),
            "Float" => json!(1.0),
            "Boolean" => json!(true),
            "Date" => json!(if field.contains("End") || field == "to" { "2027-06-01" } else { "2026-06-01" }),
            other => match self.types[other]["kind"].as_str() {
                Some("ENUM") => self.types[other]["enumValues"][0]["name"].clone(),
                kind => panic!("no value for {field}: {other} ({kind:?})"),
            },
        };
        if list { json!([single]) } else { single }
    }
}

#[tokio::test]
async fn every_reference_to_another_icbs_record_answers_exactly_like_an_unknown_id_and_writes_nothing() {
    let app = spawn_app(DemoData::Load).await;
    let admin = token(Role::IcbAdmin, &[OWN], None);
    let viewer = token(Role::IcbViewer, &[OWN], None);
    let introspection = app.graphql(INTROSPECTION, json!({})).await;
    let schema_data = &introspection["data"]["__schema"];
    let schema = Schema {
        types: schema_data["types"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t.clone()))
            .collect(),
    };
    let own = records_of(&app, OWN, &[OWN, "QMM"], None).await;
    let foreign = records_of(&app, OTHER, &[OTHER, "QHG", "QUE"], Some(&viewer)).await;
    let audit_rows = AuditLog::find().count(app.db()).await.expect("count");

    let mut walked = BTreeSet::new();
    let mut failures = Vec::new();
    for mutation in schema_data["mutationType"]["fields"].as_array().into_iter().flatten() {
        let name = mutation["name"].as_str().unwrap_or_default();
        if NATIONAL_ONLY.contains(&name) {
            continue;
        }
        let (_, _, input_type) = named(&mutation["args"][0]["type"]);
        let (_, _, payload_type) = named(&mutation["type"]);
        let payload_record = schema.types[&payload_type]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|field| named(&field["type"]).2)
            .find(|record| record != "UserError")
            .unwrap_or_default();
        let record_field = schema.types[&payload_type]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|field| field["name"].as_str())
            .find(|field| *field != "userErrors")
            .unwrap_or_default()
            .to_owned();
        let fields = schema.types[&input_type]["inputFields"].as_array().cloned().unwrap_or_default();
        for tested in &fields {
            let tested_name = tested["name"].as_str().unwrap_or_default();
            let (_, _, tested_type) = named(&tested["type"]);
            if !matches!(tested_type.as_str(), "ID" | "OdsCode")
                || OPEN_REFERENCES.contains(&(input_type.as_str(), tested_name))
            {
                continue;
            }
            walked.insert(format!("{name}.{tested_name}"));
            let mut input = serde_json::Map::new();
            for field in &fields {
                let field_name = field["name"].as_str().unwrap_or_default();
                let (non_null, list, type_name) = named(&field["type"]);
                if non_null && field_name != tested_name {
                    input.insert(
                        field_name.to_owned(),
                        schema.value(field_name, &type_name, list, &own, &payload_record),
                    );
                }
            }
            let (foreign_value, unknown_value) = if tested_type == "ID" {
                let node_type = node_type_of(tested_name, &payload_record);
                let foreign_id = foreign.get(node_type).unwrap_or_else(|| panic!("a foreign {node_type}"));
                (json!(foreign_id), json!(unknown_like(foreign_id)))
            } else if code_kind(tested_name) == "trust" {
                (json!(foreign["trust"]), json!("RZZ"))
            } else {
                (json!(OTHER), json!("QZZ"))
            };
            let query = format!(
                "mutation($input: {input_type}!) {{ {name}(input: $input) {{ {record_field} {{ id }} userErrors {{ field code }} }} }}"
            );
            let mut answers = Vec::new();
            for value in [foreign_value, unknown_value] {
                let mut input = input.clone();
                input.insert(tested_name.to_owned(), value);
                let response = app.graphql_as(Some(&admin), &query, json!({ "input": input })).await;
                // The budget left (`extensions.cost.remaining`) moves between the two calls: compare the rest.
                answers.push(json!({ "data": response["data"], "errors": response["errors"] }));
            }
            let [foreign_answer, unknown_answer] = [&answers[0], &answers[1]];
            let refused_as_unknown = unknown_answer["data"][name]["userErrors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|error| error["field"] == tested_name && error["code"] == "NOT_FOUND");
            if !refused_as_unknown {
                failures.push(format!("{name}.{tested_name}: an unknown value is not NOT_FOUND: {unknown_answer}"));
            } else if foreign_answer != unknown_answer {
                failures.push(format!(
                    "{name}.{tested_name}: {OTHER}'s record answers {foreign_answer}, an unknown one {unknown_answer}"
                ));
            }
        }
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(walked.len() >= 25, "every reference of every mutation is walked: {walked:?}");
    for expected in [
        "appointMedicinesRole.pharmacistId",
        "appointConsultantLead.pharmacistId",
        "appointConsultantLead.trust",
        "assignProgrammeLead.consultantLeadId",
        "offerMembership.pharmacistId",
        "createPost.vacancyId",
        "recordPillarShares.consultantLeadId",
        "createPatientPathway.ownerIcb",
        "createPatientPathway.consultantLeadId",
        "updatePatientPathway.consultantLeadId",
        "recordTeamWorkMix.teamId",
        "createServiceRedesign.pathwayId",
        "updateServiceRedesign.pathwayId",
    ] {
        assert!(walked.contains(expected), "{expected} walked: {walked:?}");
    }
    assert_eq!(AuditLog::find().count(app.db()).await.expect("count"), audit_rows, "nothing was written");
}

/// Sends `body` to `POST /graphql` as `token`, accepting `application/graphql-response+json`; the status
/// and the JSON answer.
async fn post(app: &TestApp, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request =
        app.client.post(app.url("/graphql")).header("accept", "application/graphql-response+json").json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[tokio::test]
async fn input_nested_to_crash_the_server_is_refused_before_parsing_and_the_server_lives_on() {
    let app = spawn_app(DemoData::Load).await;
    let attacks = [
        format!(
            "{{ organisations(filter: {}) {{ totalCount }} }}",
            nested("{ or: [", "{ kind: { eq: PCN } }", "] }", 500)
        ),
        format!(
            "{{ organisations(filter: {}) {{ totalCount }} }}",
            nested("{ and: [", "{ kind: { eq: PCN } }", "] }", 500)
        ),
        format!(
            "{{ organisations(filter: {}) {{ totalCount }} }}",
            nested("{ not: ", "{ kind: { eq: PCN } }", " }", 1100)
        ),
        format!(
            "{{ organisations(filter: {{ odsCode: {{ in: {} }} }}) {{ totalCount }} }}",
            nested("[", "\"QMM\"", "]", 1500)
        ),
        format!(
            "{{ _entities(representations: [{}]) {{ __typename }} }}",
            nested("{ a: ", "{ __typename: \"Icb\", odsCode: \"QMM\" }", " }", 1200)
        ),
    ];
    for attack in &attacks {
        let (status, answer) = post(&app, None, &json!({ "query": attack })).await;
        assert_eq!((status, error_codes(&answer)), (400, vec!["NESTING_TOO_DEEP".to_owned()]), "{answer}");
        let get = app.client.get(app.url("/graphql")).query(&[("query", attack.as_str())]).send().await.expect("GET");
        assert_eq!(get.status().as_u16(), 400, "refused before parsing, like a query over the size limit");
        let answer: Value = get.json().await.expect("JSON");
        assert_eq!(error_codes(&answer), ["NESTING_TOO_DEEP"]);
    }
    // The same depth in the variables, which serde_json caps at 128 anyway.
    let (status, answer) = post(
        &app,
        None,
        &json!({
            "query": "query($f: OrganisationFilter) { organisations(filter: $f) { totalCount } }",
            "variables": { "f": serde_json::from_str::<Value>(&nested("{\"not\": ", "{}", "}", 60)).expect("JSON") },
        }),
    )
    .await;
    assert_eq!((status, error_codes(&answer)), (400, vec!["NESTING_TOO_DEEP".to_owned()]), "{answer}");
    // Deeper than serde_json parses: refused by the same rule, read from the body before it is parsed.
    let body = format!(
        r#"{{"query": "query($f: OrganisationFilter) {{ organisations(filter: $f) {{ totalCount }} }}", "variables": {{"f": {}}}}}"#,
        nested("{\"not\": ", "{}", "}", 1000)
    );
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!((status, error_codes(&answer)), (400, vec!["NESTING_TOO_DEEP".to_owned()]), "{answer}");
    // An `or` of 999 branches is within the nesting but over the filter's size.
    // Within every list's limit, but 33,000 values in one filter.
    let codes: Vec<String> = (0..1000).map(|n| format!("{n:03}")).collect();
    let (status, answer) = post(
        &app,
        None,
        &json!({
            "query": "query($f: OrganisationFilter) { organisations(filter: $f) { totalCount } }",
            "variables": { "f": { "or": vec![json!({ "odsCode": { "in": codes } }); 33] } },
        }),
    )
    .await;
    assert_eq!((status, error_codes(&answer)), (400, vec!["FILTER_TOO_COMPLEX".to_owned()]), "{answer}");
    let wide = format!(
        "{{ organisations(filter: {{ or: [{}] }}) {{ totalCount }} }}",
        vec!["{ kind: { eq: PCN } }"; 999].join(", ")
    );
    let (status, answer) = post(&app, None, &json!({ "query": wide })).await;
    assert_eq!((status, error_codes(&answer)), (400, vec!["FILTER_TOO_COMPLEX".to_owned()]), "{answer}");

    let ready = app.client.get(app.url("/ready")).send().await.expect("ready");
    assert_eq!(ready.status().as_u16(), 200);
    let still =
        app.graphql("{ organisations(filter: { or: [{ kind: { eq: PCN } }] }) { totalCount } }", json!({})).await;
    assert!(still["data"]["organisations"]["totalCount"].as_u64().is_some_and(|count| count > 0), "{still}");
}

#[tokio::test]
async fn a_batch_with_a_broken_item_runs_none_of_its_items() {
    let app = spawn_app(DemoData::Load).await;
    let admin = token(Role::IcbAdmin, &[OWN], None);
    let create = json!({
        "query": "mutation($i: CreateMedicinesOptimisationTeamInput!) { createMedicinesOptimisationTeam(input: $i) { team { id } userErrors { code } } }",
        "variables": { "i": { "icb": OWN, "name": "Batch team", "establishedOn": "2026-05-01" } },
    });
    let too_long = "{ icbs { odsCode } }".to_owned() + &" ".repeat(40 * 1024);
    let audit_rows = AuditLog::find().count(app.db()).await.expect("count");
    for (broken, status, code) in [
        (json!({}), 400, "BAD_REQUEST"),
        (json!({ "query": too_long }), 413, "QUERY_TOO_LONG"),
        (json!({ "query": nested("{ a: [", "1", "] }", 30) }), 400, "NESTING_TOO_DEEP"),
    ] {
        let (answer_status, answer) = post(&app, Some(&admin), &json!([create, broken])).await;
        assert_eq!((answer_status, error_codes(&answer)), (status, vec![code.to_owned()]), "{answer}");
        assert_eq!(AuditLog::find().count(app.db()).await.expect("count"), audit_rows, "the mutation did not run");
    }
    // A mutation is never batched: a later item's failure (a parse or validation error, a bad variable)
    // could not undo it.
    for other in [json!({ "query": "{ icbs { odsCode } }" }), json!({ "query": "{" }), json!({ "query": "{ nope }" })] {
        let (status, answer) = post(&app, Some(&admin), &json!([create, other])).await;
        assert_eq!((status, error_codes(&answer)), (400, vec!["MUTATION_IN_BATCH".to_owned()]), "{answer}");
        assert_eq!(AuditLog::find().count(app.db()).await.expect("count"), audit_rows, "the mutation did not run");
    }
    // Batched queries each get their own result.
    let (_, answer) = post(&app, Some(&admin), &json!([{ "query": "{ icbs { odsCode } }" }, { "query": "{" }])).await;
    assert!(answer[0]["data"]["icbs"].is_array(), "{answer}");
    assert_eq!(error_codes(&answer[1]), ["GRAPHQL_PARSE_FAILED"]);
    let (status, answer) = post(&app, Some(&admin), &create).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["createMedicinesOptimisationTeam"]["userErrors"], json!([]), "{answer}");
}

#[tokio::test]
async fn an_idempotency_key_never_answers_with_another_icbs_record() {
    let app = spawn_app(DemoData::Load).await;
    // The same subject (the CLI's default) with another ICB.
    let (own_admin, other_admin) = (token(Role::IcbAdmin, &[OWN], None), token(Role::IcbAdmin, &[OTHER], None));
    let create = "mutation($i: CreatePharmacistInput!) { createPharmacist(input: $i) { pharmacist { id givenName } userErrors { field code } } }";
    let input = json!({ "i": { "gphcNumber": "2999001", "givenName": "Secret", "familyName": "Person",
        "firstRegisteredOn": "2024-01-01", "managingIcb": OTHER, "idempotencyKey": "shared-key" } });
    let first = app.graphql_as(Some(&other_admin), create, input.clone()).await;
    assert_eq!(first["data"]["createPharmacist"]["userErrors"], json!([]), "{first}");
    let replayed = app.graphql_as(Some(&other_admin), create, input.clone()).await;
    assert_eq!(replayed["data"]["createPharmacist"]["pharmacist"], first["data"]["createPharmacist"]["pharmacist"]);
    let elsewhere = app.graphql_as(Some(&own_admin), create, input).await;
    assert_eq!(elsewhere["data"]["createPharmacist"]["pharmacist"], Value::Null, "{elsewhere}");
    assert_eq!(
        elsewhere["data"]["createPharmacist"]["userErrors"],
        json!([{ "field": "managingIcb", "code": "NOT_FOUND" }]),
        "{elsewhere}"
    );
}

#[tokio::test]
async fn leadership_reports_cover_only_what_the_reader_may_read_in_graphql_and_csv() {
    let app = spawn_app(DemoData::Load).await;
    let query = r#"query($f: ReportFilterInput) { reports {
        icbMedicinesLeadership(filter: $f) { icb { code } }
        programmesWithoutClinicalLead(filter: $f) { code }
        consultantLeadCoverage(filter: $f) { trust { code } specialisms } } }"#;
    let other = json!({ "f": { "icb": [OTHER] } });
    let leads = "{ consultantLeads(filter: { icb: { eq: \"S1Y5D\" } }) { totalCount } }";
    let viewer = token(Role::IcbViewer, &[OWN], None);
    let other_viewer = token(Role::IcbViewer, &[OTHER], None);
    let empty =
        json!({ "icbMedicinesLeadership": [], "programmesWithoutClinicalLead": [], "consultantLeadCoverage": [] });
    for reader in [None, Some(viewer.as_str())] {
        let answer = app.graphql_as(reader, query, other.clone()).await;
        assert_eq!(answer["data"]["reports"], empty, "{answer}");
        assert_eq!(app.graphql_as(reader, leads, json!({})).await["data"]["consultantLeads"]["totalCount"], 0);
        for file in ["icb-medicines-leadership", "programmes-without-clinical-lead", "consultant-lead-coverage"] {
            let csv = app.get_text(&format!("/reports/{file}.csv?icb={OTHER}"), reader).await;
            assert_eq!(csv.lines().count(), 1, "{file}: only the header: {csv}");
        }
    }
    let own = app.graphql_as(Some(&other_viewer), query, other).await;
    let coverage = own["data"]["reports"]["consultantLeadCoverage"].as_array().cloned().unwrap_or_default();
    let covered: usize = coverage.iter().map(|row| row["specialisms"].as_array().map_or(0, Vec::len)).sum();
    let listed =
        app.graphql_as(Some(&other_viewer), leads, json!({})).await["data"]["consultantLeads"]["totalCount"].clone();
    assert!(covered > 0 && json!(covered) == listed, "coverage {covered} = leads listed {listed}");
    assert_eq!(own["data"]["reports"]["icbMedicinesLeadership"], json!([{ "icb": { "code": OTHER } }]));
}

#[tokio::test]
async fn counts_are_rounded_so_a_difference_of_two_answers_reveals_no_small_number() {
    let app = spawn_app(DemoData::Load).await;
    let query = r#"query($to: Date!) { reports { fillRate(groupBy: PROGRAMME, filter: { from: "2000-01-01", to: $to }) {
        group { code } offered { value } accepted { value } active { value } completed { value } withdrawn { value } } } }"#;
    let figures = |answer: &Value| -> BTreeMap<String, Vec<Option<u64>>> {
        answer["data"]["reports"]["fillRate"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| {
                let counts = ["offered", "accepted", "active", "completed", "withdrawn"]
                    .iter()
                    .map(|count| row[*count]["value"].as_u64())
                    .collect();
                (row["group"]["code"].as_str().unwrap_or_default().to_owned(), counts)
            })
            .collect()
    };
    let national = token(Role::National, &[], None);
    let exact_all = figures(&app.graphql_as(Some(&national), query, json!({ "to": "2099-12-31" })).await);
    let exact_before = figures(&app.graphql_as(Some(&national), query, json!({ "to": "2025-08-31" })).await);
    // The outside tester's case: STAR's 2025-09 cohort had one withdrawal (7 in all, 6 before it).
    assert_eq!((exact_all["STAR"][4], exact_before["STAR"][4]), (Some(7), Some(6)));
    // A reporter lists the memberships, so it is given them exactly; an anonymous caller lists none.
    let reporter = Some(token(Role::Reporter, &[], None));
    let reported = figures(&app.graphql_as(reporter.as_deref(), query, json!({ "to": "2099-12-31" })).await);
    assert_eq!(reported, exact_all);
    let all = figures(&app.graphql_as(None, query, json!({ "to": "2099-12-31" })).await);
    let before = figures(&app.graphql_as(None, query, json!({ "to": "2025-08-31" })).await);
    assert_eq!((all["STAR"][4], before["STAR"][4]), (Some(5), Some(5)), "both published as 5");
    // Measures derived from records (pharmacist-months, WTE) are rounded like counts: they cannot give
    // an exact count back, nor a suppressed one by subtraction.
    let activity = app
        .graphql_as(
            None,
            r#"{ reports { placementActivity(granularity: MONTH, filter: { from: "2025-01-01", to: "2026-12-31" }) {
                placements { value } pharmacistMonths { value } wte { value } }
                crossIcbFlows { placements { value } wte { value } } } }"#,
            json!({}),
        )
        .await;
    let reports = &activity["data"]["reports"];
    let rows = ["placementActivity", "crossIcbFlows"]
        .iter()
        .flat_map(|report| reports[*report].as_array().cloned().unwrap_or_default());
    for row in rows {
        for measure in ["pharmacistMonths", "wte"] {
            if let Some(value) = row[measure]["value"].as_f64() {
                assert!(value % 5.0 == 0.0, "{measure}: {row}");
            }
        }
    }
    for (programme, counts) in &all {
        for (count, earlier) in counts.iter().zip(&before[programme]) {
            assert!(count.is_none_or(|count| count % 5 == 0 && count >= 5), "{programme}: {counts:?}");
            assert!(earlier.is_none_or(|earlier| earlier % 5 == 0), "{programme}: {earlier:?}");
        }
    }
}

#[tokio::test]
async fn database_refusals_and_unreadable_text_are_typed_errors_that_write_nothing() {
    let app = spawn_app(DemoData::Load).await;
    let admin = token(Role::IcbAdmin, &[OWN], None);
    let own = records_of(&app, OWN, &[OWN, "QMM"], None).await;
    let cohort = app
        .graphql_as(
            Some(&admin),
            "query($id: ID!) { node(id: $id) { ... on Cohort { label intakeDate } } }",
            json!({ "id": own["Cohort"] }),
        )
        .await;
    let (label, intake) = (cohort["data"]["node"]["label"].clone(), cohort["data"]["node"]["intakeDate"].clone());
    let open = "mutation($i: OpenCohortInput!) { openCohort(input: $i) { cohort { id } userErrors { field code } } }";
    let assign = "mutation($i: AssignProgrammeLeadInput!) { assignProgrammeLead(input: $i) { programmeLead { id } userErrors { field code } } }";
    let team = "mutation($i: CreateMedicinesOptimisationTeamInput!) { createMedicinesOptimisationTeam(input: $i) { team { id name } userErrors { field code } } }";
    let errors = |answer: &Value, mutation: &str| answer["data"][mutation]["userErrors"].clone();
    let audit_rows = AuditLog::find().count(app.db()).await.expect("count");

    let same_label = app
        .graphql_as(Some(&admin), open, json!({ "i": { "programmeId": own["RotationProgramme"], "label": label, "intakeDate": "2031-09-01", "placesOffered": 5 } }))
        .await;
    assert_eq!(
        errors(&same_label, "openCohort"),
        json!([{ "field": "label", "code": "DUPLICATE_LABEL" }]),
        "{same_label}"
    );
    let same_day = app
        .graphql_as(Some(&admin), open, json!({ "i": { "programmeId": own["RotationProgramme"], "label": "Another", "intakeDate": intake, "placesOffered": 5 } }))
        .await;
    assert_eq!(errors(&same_day, "openCohort"), json!([{ "field": "intakeDate", "code": "DUPLICATE_INTAKE_DATE" }]));
    for text in ["\u{0}", "Team\u{7}", "\u{202E}maet", "a\u{2066}b"] {
        let answer = app
            .graphql_as(Some(&admin), team, json!({ "i": { "icb": OWN, "name": text, "establishedOn": "2026-05-01" } }))
            .await;
        assert_eq!(error_codes(&answer), ["INVALID_TEXT"], "{text:?}: {answer}");
        assert!(answer.get("data").is_none(), "refused before it runs");
        let inline = format!(
            "mutation {{ createMedicinesOptimisationTeam(input: {{ icb: \"{OWN}\", name: {}, establishedOn: \"2026-05-01\" }}) {{ team {{ id }} }} }}",
            serde_json::to_string(text).expect("JSON string")
        );
        assert_eq!(error_codes(&app.graphql_as(Some(&admin), &inline, json!({})).await), ["INVALID_TEXT"], "{text:?}");
    }
    // Nothing visible; or a name over two lines, or hiding a zero-width space from the duplicate check.
    for text in ["\u{200B}", "\u{200B}\u{FEFF}", "   ", "Zoe\nteam", "Zoe\tteam", "Zoe\u{200B} team", "Zo\u{AD}e team"]
    {
        let answer = app
            .graphql_as(Some(&admin), team, json!({ "i": { "icb": OWN, "name": text, "establishedOn": "2026-05-01" } }))
            .await;
        assert_eq!(
            errors(&answer, "createMedicinesOptimisationTeam"),
            json!([{ "field": "name", "code": "INVALID_TEXT" }])
        );
    }
    assert_eq!(AuditLog::find().count(app.db()).await.expect("count"), audit_rows, "nothing was written");

    // Text is stored in NFC: an "ë" typed as "e" + combining diaeresis is the same name as "ë".
    let decomposed = app
        .graphql_as(
            Some(&admin),
            team,
            json!({ "i": { "icb": OWN, "name": "Zoe\u{308} team", "establishedOn": "2026-05-01" } }),
        )
        .await;
    assert_eq!(decomposed["data"]["createMedicinesOptimisationTeam"]["team"]["name"], "Zo\u{eb} team", "{decomposed}");
    let composed = app
        .graphql_as(
            Some(&admin),
            team,
            json!({ "i": { "icb": OWN, "name": "Zo\u{eb} team", "establishedOn": "2026-05-01" } }),
        )
        .await;
    assert_eq!(
        errors(&composed, "createMedicinesOptimisationTeam"),
        json!([{ "field": "name", "code": "DUPLICATE_NAME" }])
    );

    let lead = json!({ "i": { "programmeId": own["RotationProgramme"], "consultantLeadId": own["ConsultantLead"], "role": "EDUCATION", "validFrom": "2026-07-01" } });
    let first = app.graphql_as(Some(&admin), assign, lead.clone()).await;
    assert_eq!(errors(&first, "assignProgrammeLead"), json!([]), "{first}");
    let again = app.graphql_as(Some(&admin), assign, lead).await;
    assert_eq!(
        errors(&again, "assignProgrammeLead"),
        json!([{ "field": "consultantLeadId", "code": "DUPLICATE_PROGRAMME_LEAD" }]),
        "{again}"
    );
}

#[tokio::test]
async fn a_forbidden_field_is_null_with_an_error_at_its_path_and_its_siblings_are_kept() {
    let app = spawn_app(DemoData::Load).await;
    let reporter = token(Role::Reporter, &[], None);
    let some = app.graphql_as(Some(&reporter), "{ pharmacists(first: 2) { nodes { id givenName } } }", json!({})).await;
    let nodes = some["data"]["pharmacists"]["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes.len(), 2, "{some}");
    for node in &nodes {
        assert!(node["id"].is_string() && node.get("givenName") == Some(&Value::Null), "{node}");
    }
    let paths: Vec<Value> =
        some["errors"].as_array().into_iter().flatten().map(|error| error["path"].clone()).collect();
    assert!(paths.contains(&json!(["pharmacists", "nodes", 0, "givenName"])), "{some}");
    assert!(error_codes(&some).iter().all(|code| code == "FORBIDDEN"));

    let only_forbidden = app
        .graphql_as(Some(&reporter), "{ pharmacists(first: 1) { nodes { givenName familyName } } }", json!({}))
        .await;
    assert_eq!(only_forbidden["data"]["pharmacists"]["nodes"], json!([{ "givenName": null, "familyName": null }]));

    let id = nodes[0]["id"].clone();
    let aliased = app
        .graphql_as(
            Some(&reporter),
            "query($id: ID!) { bad: node(id: \"nope\") { id } good: node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(aliased["data"], json!({ "bad": null, "good": { "id": id } }), "{aliased}");
    assert_eq!(aliased["errors"][0]["path"], json!(["bad"]));
}

/// A token signed with the test secret carrying exactly `claims`.
fn signed(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET),
    )
    .expect("sign")
}

#[tokio::test]
async fn tokens_not_yet_valid_or_for_another_issuer_or_audience_and_malformed_headers_get_401() {
    let app = spawn_app(DemoData::Load).await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let claims = |changes: Value| {
        let mut claims = json!({ "sub": "t", "role": "national", "iat": now, "exp": now + 600, "iss": "rotagraph", "aud": "rotagraph" });
        for (key, value) in changes.as_object().into_iter().flatten() {
            if value.is_null() {
                claims.as_object_mut().map(|claims| claims.remove(key));
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    };
    let query = json!({ "query": "{ icbs { odsCode } }" });
    let status = |authorization: String| {
        let (app, query) = (&app, &query);
        async move {
            let response =
                app.client.post(app.url("/graphql")).header("authorization", authorization).json(query).send().await;
            let response = response.expect("request");
            let status = response.status().as_u16();
            let body: Value = response.json().await.expect("JSON");
            (status, error_codes(&body))
        }
    };
    assert_eq!(status(format!("Bearer {}", signed(&claims(json!({}))))).await, (200, vec![]));
    let unauthenticated = (401, vec!["UNAUTHENTICATED".to_owned()]);
    for refused in [
        json!({ "nbf": now + 3600 }),
        json!({ "aud": "someone-else" }),
        json!({ "iss": "https://login.example.org" }),
        json!({ "aud": null }),
        json!({ "iss": null }),
        json!({ "exp": now - 3600 }),
        // An `exp` past any time the clock can hold: refused, never a panic.
        json!({ "exp": u64::MAX }),
        json!({ "exp": u64::MAX - 30 }),
    ] {
        assert_eq!(status(format!("Bearer {}", signed(&claims(refused.clone())))).await, unauthenticated, "{refused}");
    }
    for header in ["Basic dXNlcjpwYXNz", "Token abc", "Bearer ", "Bearer", "bearer  ", "abc"] {
        assert_eq!(status(header.to_owned()).await, unauthenticated, "{header:?}");
    }
}

#[tokio::test]
async fn request_errors_carry_no_data_and_parse_errors_say_where_on_one_line() {
    let app = spawn_app(DemoData::Skip).await;
    let (status, parse) = post(&app, None, &json!({ "query": "{ icbs { odsCode }" })).await;
    assert_eq!((status, error_codes(&parse)), (400, vec!["GRAPHQL_PARSE_FAILED".to_owned()]), "{parse}");
    assert!(parse.get("data").is_none(), "{parse}");
    let message = parse["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("Syntax error at line 1, column 19") && !message.contains('\n'), "{message}");
    assert_eq!(parse["errors"][0]["locations"], json!([{ "line": 1, "column": 19 }]));

    let (status, invalid) = post(&app, None, &json!({ "query": "{ icbs { noSuchField } }" })).await;
    assert_eq!((status, error_codes(&invalid)), (400, vec!["GRAPHQL_VALIDATION_FAILED".to_owned()]));
    assert!(invalid.get("data").is_none(), "{invalid}");

    let dated = "query($d: Date!) { icbs(asOf: $d) { odsCode } }";
    for value in [json!("2026-02-30"), json!("yesterday"), json!(5)] {
        let (status, answer) = post(&app, None, &json!({ "query": dated, "variables": { "d": value } })).await;
        assert_eq!(status, 400, "{value}: {answer}");
        assert!(answer.get("data").is_none(), "{answer}");
    }
}

/// A selection of every field of `type_name` that needs no argument, objects one level down.
fn leaves(schema: &BTreeMap<String, Value>, type_name: &str, depth: usize) -> String {
    let mut selection = Vec::new();
    for field in schema[type_name]["fields"].as_array().into_iter().flatten() {
        let (_, _, named_type) = named(&field["type"]);
        let kind = schema[&named_type]["kind"].as_str().unwrap_or_default();
        let name = field["name"].as_str().unwrap_or_default();
        match kind {
            "SCALAR" | "ENUM" => selection.push(name.to_owned()),
            "OBJECT" if depth > 0 => selection.push(format!("{name} {{ {} }}", leaves(schema, &named_type, depth - 1))),
            _ => {}
        }
    }
    if selection.is_empty() { "__typename".to_owned() } else { selection.join(" ") }
}

#[tokio::test]
async fn every_report_answers_every_role_without_an_internal_error_and_its_csv_agrees() {
    let app = spawn_app(DemoData::Load).await;
    let introspection = app.graphql(INTROSPECTION, json!({})).await;
    let types: BTreeMap<String, Value> = introspection["data"]["__schema"]["types"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (t["name"].as_str().unwrap_or_default().to_owned(), t.clone()))
        .collect();
    let required = |report: &str| match report {
        "rotationsEnding" => ("(withinDays: 90)", "withinDays=90"),
        "placementActivity" => ("(granularity: MONTH)", "granularity=MONTH"),
        _ => ("", ""),
    };
    let roles = [
        ("anonymous", None),
        ("icb_viewer", Some(token(Role::IcbViewer, &[OWN], None))),
        ("icb_admin", Some(token(Role::IcbAdmin, &[OTHER], None))),
        ("regional", Some(token(Role::Regional, &[], Some("Y61")))),
        ("national", Some(token(Role::National, &[], None))),
        ("reporter", Some(token(Role::Reporter, &[], None))),
    ];
    let mut reports = 0;
    for report in types["Reports"]["fields"].as_array().into_iter().flatten() {
        let name = report["name"].as_str().unwrap_or_default();
        let (_, _, report_type) = named(&report["type"]);
        let (arguments, parameters) = required(name);
        // A report answers a list of rows, or an object whose `rows` are the list (its other fields, like
        // the comparison's `spread`, are tested on their own).
        let (selection, rows_of) = match report["type"]["ofType"]["kind"].as_str() {
            Some("LIST") => (leaves(&types, &report_type, 1), None),
            _ => {
                let (_, _, row_type) = named(
                    &types[&report_type]["fields"]
                        .as_array()
                        .expect("fields")
                        .iter()
                        .find(|field| field["name"] == "rows")
                        .expect("rows")["type"],
                );
                (format!("rows {{ {} }}", leaves(&types, &row_type, 1)), Some("rows"))
            }
        };
        let query = format!("{{ reports {{ {name}{arguments} {{ {selection} }} }} }}");
        let file: String = name
            .chars()
            .flat_map(|c| if c.is_uppercase() { vec!['-', c.to_ascii_lowercase()] } else { vec![c] })
            .collect();
        reports += 1;
        for (role, token) in &roles {
            let answer = app.graphql_as(token.as_deref(), &query, json!({})).await;
            assert!(answer["errors"].is_null(), "{name} as {role}: {answer}");
            let answered = &answer["data"]["reports"][name];
            let rows = rows_of.map_or(answered, |field| &answered[field]).as_array().map_or(0, Vec::len);
            let mut request = app.client.get(app.url(&format!("/reports/{file}.csv?{parameters}")));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("CSV");
            assert_eq!(response.status().as_u16(), 200, "{file}.csv as {role}");
            let csv = response.text().await.expect("body");
            assert_eq!(csv.lines().count(), rows + 1, "{file}.csv as {role}: a header and the GraphQL rows");
        }
    }
    assert!(reports >= 9, "every report was run");
}
