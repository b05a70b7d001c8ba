//! Hostile requests through the real server: hundreds of generated and hand-written cases, and a
//! property-based test of the endpoint. For every case: no 5xx, a JSON answer with a clear error (an
//! `extensions.code`, or user errors), nothing in it about SQL, tables, constraints or stack traces, no
//! data changed, and for cost refusals no SQL at all.

use crate::helpers::{TestApp, spawn_app, token};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::prelude::{AuditLog, Organisation, Pharmacist, RotationProgramme};
use proptest::prelude::*;
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

/// What a request sends.
#[derive(Clone, Debug)]
enum Send {
    /// A JSON body.
    Json(Value),
    /// Raw bytes with a content type.
    Raw(Vec<u8>, &'static str),
}

/// What a case must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// A GraphQL error with a code, or user errors.
    Refused,
    /// Refused before any SQL ran (cost control).
    RefusedBeforeSql,
    /// An out-of-scope record: absent (null), as if unknown.
    Absent,
}

struct Case {
    name: String,
    token: Option<String>,
    send: Send,
    expect: Expect,
}

fn case(name: impl Into<String>, token: Option<&str>, send: Send, expect: Expect) -> Case {
    Case { name: name.into(), token: token.map(str::to_owned), send, expect }
}

fn graphql(query: &str, variables: Value) -> Send {
    let mut body = json!({ "query": query });
    body["variables"] = variables;
    Send::Json(body)
}

/// Strings that have broken other systems.
const INJECTIONS: [&str; 16] = [
    "'; DROP TABLE pharmacist; --",
    "\" OR 1=1 --",
    "1; SELECT * FROM audit_log",
    "Robert'); DELETE FROM rotation_programme;--",
    "' UNION SELECT gphc_number FROM pharmacist --",
    "%' AND pg_sleep(5) --",
    "\\'; COMMIT; --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}${7*7}",
    "../../../../etc/passwd",
    "\u{0000}\u{0001}\u{001f}",
    "\u{202e}gnp.exe",
    "Ω≈ç√∫˜µ≤≥÷ 𝕿𝖍𝖊 🧪",
    "null",
];

const BAD_ODS: [&str; 20] = [
    "",
    " ",
    "q",
    "QMMM1",
    "12345678",
    "Q M M",
    "QMM;",
    "T6Y0W--",
    "ÄÖÜ",
    "QMM\u{0}",
    "<b>QMM</b>",
    "../QMM",
    "Q%4D%4D",
    "QMM' OR '1'='1",
    "U1234567",
    "F-817",
    "FW8_4",
    "Y6",
    "ZZZZZZZZZZZZ",
    "0x51",
];

const BAD_DATES: [&str; 20] = [
    "",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "26-01-01",
    "2026/01/01",
    "tomorrow",
    "2026-01-01T00:00:00Z",
    "99999-01-01",
    "-0001-01-01",
    "2026-1-1",
    "\u{202e}2026-01-01",
    "2026-01-01 ",
    "01-01-2026",
    "2026-W01",
    "NaN",
    "2026-02-29",
    "0000-00-00",
    "2026-01-32",
    "1e10",
];

const BAD_GPHC: [&str; 15] = [
    "",
    "123456",
    "12345678",
    "abcdefg",
    "2033-469",
    " 2033469x",
    "-203346",
    "2033469\u{0}",
    "２０３３４６９",
    "0x1F0A2B",
    "9999999999999999999999",
    "2.03346e6",
    "+2033469",
    "2033 469",
    "NULL",
];

/// Ids that are not rotagraph ids, or name nothing.
fn bad_ids() -> Vec<String> {
    let encode = |text: &str| URL_SAFE_NO_PAD.encode(text);
    vec![
        String::new(),
        "abc".to_owned(),
        "1".to_owned(),
        "' OR 1=1 --".to_owned(),
        encode("Nope:00000000-0000-0000-0000-000000000000"),
        encode("Membership:not-a-uuid"),
        encode("Membership"),
        encode("Organisation:1; DROP TABLE organisation"),
        encode(&"Membership:".repeat(200)),
        "%%%%".to_owned(),
        "TWVtYmVyc2hpcDo".to_owned(),
        "x".repeat(5000),
    ]
}

/// The global id of a record of `node_type` that does not exist.
fn unknown_id(node_type: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{node_type}:{}", uuid::Uuid::new_v4()))
}

/// Records of one ICB (`T6Y0W`), found as a national reader, for out-of-scope attempts from another ICB.
struct Records {
    membership: String,
    placement: String,
    pharmacist: String,
    cohort: String,
    vacancy: String,
}

async fn records(app: &TestApp) -> Records {
    let national = token(Role::National, &[], None);
    let query = r#"{ placements(first: 1, filter: { hostIcb: { eq: "T6Y0W" } }) { nodes { id membership { id cohort { id } pharmacist { id } } } }
        vacancies(first: 1) { nodes { id host { icb { odsCode } } } } }"#;
    let response = app.graphql_as(Some(&national), query, json!({})).await;
    let placement = &response["data"]["placements"]["nodes"][0];
    let text = |value: &Value| value.as_str().expect("an id in the demo network").to_owned();
    Records {
        membership: text(&placement["membership"]["id"]),
        placement: text(&placement["id"]),
        pharmacist: text(&placement["membership"]["pharmacist"]["id"]),
        cohort: text(&placement["membership"]["cohort"]["id"]),
        vacancy: text(&response["data"]["vacancies"]["nodes"][0]["id"]),
    }
}

/// A mutation's name (and which text it takes), its input type, and an input holding a text.
type Write = (&'static str, &'static str, fn(&str) -> Value);

/// Every case: hand-written groups and generated ones.
fn cases(records: &Records, admin: &str, elsewhere_admin: &str, elsewhere_viewer: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let raw = |body: &str| Send::Raw(body.as_bytes().to_vec(), "application/json");

    // Malformed JSON and bodies that are not GraphQL requests.
    for body in [
        "",
        "{",
        "}",
        "[",
        "null",
        "true",
        "42",
        "\"query\"",
        "{\"query\": }",
        "{\"query\": \"{ icbs { odsCode } }\"",
        "{\"query\": 7}",
        "{\"query\": null}",
        "{\"query\": [\"{ icbs }\"]}",
        "{\"query\": \"{ icbs { odsCode } }\", \"variables\": 5}",
        "{\"query\": \"{ icbs { odsCode } }\", \"variables\": \"x\"}",
        "{\"query\": \"{ icbs { odsCode } }\", \"operationName\": 3}",
        "[1, 2, 3]",
        "[[]]",
        "[null]",
        "{\"variables\": {}}",
        "{\"query\": \"\"}",
        "{\"query\": \"   \"}",
    ] {
        cases.push(case(format!("malformed body {body:?}"), None, raw(body), Expect::Refused));
    }
    cases.push(case(
        "invalid UTF-8",
        None,
        Send::Raw(vec![0x7b, 0xff, 0xfe, 0x7d], "application/json"),
        Expect::Refused,
    ));
    cases.push(case("text/plain", None, Send::Raw(b"{ icbs { odsCode } }".to_vec(), "text/plain"), Expect::Refused));
    cases.push(case(
        "form body",
        None,
        Send::Raw(b"query=%7B%7D".to_vec(), "application/x-www-form-urlencoded"),
        Expect::Refused,
    ));

    // Invalid GraphQL.
    for query in [
        "{",
        "}",
        "{ }",
        "{ icbs }",
        "{ icbs { } }",
        "{ icbs { odsCode }",
        "query { icbs { noSuchField } }",
        "{ noSuchRoot }",
        "{ organisation { name } }",
        "{ organisation(odsCode: 5) { name } }",
        "{ organisations(first: \"ten\") { totalCount } }",
        "{ icbs { odsCode(arg: 1) } }",
        "mutation { nothing }",
        "subscription { icbs }",
        "query A { icbs { odsCode } } query A { icbs { name } }",
        "{ ...Missing }",
        "fragment F on Icb { ...F } { icbs { ...F } }",
        "{ icbs @nope { odsCode } }",
        "{ icbs { odsCode @include(if: \"yes\") } }",
        "{ \"unterminated }",
        "query ($v: Nope) { icbs { odsCode } }",
        "{ icbs { ... on Pcn { name } } }",
        "{ organisations(filter: { nope: 1 }) { totalCount } }",
        "\u{0}",
        "#only a comment",
    ] {
        cases.push(case(format!("invalid GraphQL {query:?}"), None, graphql(query, json!({})), Expect::Refused));
    }

    // Variables of the wrong type.
    let organisation = "query($c: OdsCode!) { organisation(odsCode: $c) { name } }";
    for value in [json!(5), json!(null), json!([]), json!({}), json!(true), json!(["QMM"]), json!(1.5)] {
        cases.push(case(
            format!("OdsCode variable {value}"),
            None,
            graphql(organisation, json!({ "c": value })),
            Expect::Refused,
        ));
    }
    let paged = "query($n: Int) { organisations(first: $n) { totalCount } }";
    for value in [json!("10"), json!(1.5), json!(-1), json!(9_999_999_999_i64), json!([10]), json!({ "n": 1 })] {
        cases.push(case(format!("Int variable {value}"), None, graphql(paged, json!({ "n": value })), Expect::Refused));
    }
    cases.push(case(
        "undeclared variable",
        None,
        graphql("{ organisation(odsCode: $c) { name } }", json!({ "c": "QMM" })),
        Expect::Refused,
    ));

    // Invalid ODS codes, as a lookup and as a mutation's host.
    for code in BAD_ODS {
        cases.push(case(
            format!("ODS lookup {code:?}"),
            None,
            graphql(organisation, json!({ "c": code })),
            Expect::Refused,
        ));
        let input = json!({ "host": code, "sector": "COMMUNITY_PHARMACY", "wte": 1.0, "funding": "ARRS" });
        let mutation =
            "mutation($i: CreateVacancyInput!) { createVacancy(input: $i) { vacancy { id } userErrors { code } } }";
        cases.push(case(
            format!("ODS host {code:?}"),
            Some(admin),
            graphql(mutation, json!({ "i": input })),
            Expect::Refused,
        ));
    }

    // Invalid dates, in a read and in a write.
    for date in BAD_DATES {
        let read = "query($d: Date) { organisations(asOf: $d, first: 1) { totalCount } }";
        cases.push(case(format!("date asOf {date:?}"), None, graphql(read, json!({ "d": date })), Expect::Refused));
        let write = "mutation($i: OpenCohortInput!) { openCohort(input: $i) { cohort { id } userErrors { code } } }";
        let input = json!({ "programmeId": unknown_id("RotationProgramme"), "label": "x", "intakeDate": date, "placesOffered": 1 });
        cases.push(case(
            format!("date intake {date:?}"),
            Some(admin),
            graphql(write, json!({ "i": input })),
            Expect::Refused,
        ));
    }

    // Invalid GPhC numbers.
    for number in BAD_GPHC {
        let mutation = "mutation($i: CreatePharmacistInput!) { createPharmacist(input: $i) { pharmacist { id } userErrors { code } } }";
        let input = json!({ "gphcNumber": number, "givenName": "A", "familyName": "B", "firstRegisteredOn": "2025-01-01", "managingIcb": "T6Y0W" });
        cases.push(case(
            format!("GPhC {number:?}"),
            Some(admin),
            graphql(mutation, json!({ "i": input })),
            Expect::Refused,
        ));
    }

    // Invalid ids, as a lookup and as a mutation's target.
    for id in bad_ids() {
        let short: String = id.chars().take(40).collect();
        cases.push(case(
            format!("node id {short:?}"),
            None,
            graphql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })),
            Expect::Refused,
        ));
        let mutation = "mutation($i: AcceptMembershipInput!) { acceptMembership(input: $i) { membership { id } userErrors { code } } }";
        cases.push(case(
            format!("accept id {short:?}"),
            Some(admin),
            graphql(mutation, json!({ "i": { "id": id, "expectedVersion": 1 } })),
            Expect::Refused,
        ));
    }

    // Injection strings in every text input of the write API (each write then fails on an id or ICB the
    // caller may not use, so nothing may be written).
    let writes: [Write; 9] = [
        (
            "createProgramme code",
            "CreateProgrammeInput",
            |text| json!({ "code": text, "name": "n", "ownerIcb": "QHL", "minDurationMonths": 24, "maxDurationMonths": 30, "sectors": ["GENERAL_PRACTICE"] }),
        ),
        (
            "createProgramme name",
            "CreateProgrammeInput",
            |text| json!({ "code": "C", "name": text, "description": text, "ownerIcb": "QHL", "minDurationMonths": 24, "maxDurationMonths": 30, "sectors": ["GENERAL_PRACTICE"] }),
        ),
        (
            "createPharmacist names",
            "CreatePharmacistInput",
            |text| json!({ "gphcNumber": "2033469", "givenName": text, "familyName": text, "firstRegisteredOn": "2025-01-01", "managingIcb": "QHL" }),
        ),
        (
            "openCohort label",
            "OpenCohortInput",
            |text| json!({ "programmeId": unknown_id("RotationProgramme"), "label": text, "intakeDate": "2027-09-01", "placesOffered": 5 }),
        ),
        (
            "withdrawMembership reason",
            "WithdrawMembershipInput",
            |text| json!({ "id": unknown_id("Membership"), "expectedVersion": 1, "reason": text }),
        ),
        (
            "acceptMembership override",
            "AcceptMembershipInput",
            |text| json!({ "id": unknown_id("Membership"), "expectedVersion": 1, "eligibilityOverrideReason": text }),
        ),
        (
            "createMedicinesOptimisationTeam",
            "CreateMedicinesOptimisationTeamInput",
            |text| json!({ "icb": "QHL", "name": text, "focus": text, "establishedOn": "2026-04-01" }),
        ),
        (
            "appointMedicinesRole holder",
            "AppointMedicinesRoleInput",
            |text| json!({ "icb": "QHL", "role": "CHIEF_PHARMACIST", "holderName": text, "validFrom": "2026-04-01" }),
        ),
        (
            "createPost number",
            "CreatePostInput",
            |text| json!({ "cohortId": unknown_id("Cohort"), "postNumber": text, "employer": "FZ007", "wte": 1.0, "funding": "ARRS", "idempotencyKey": text }),
        ),
    ];
    for (name, input_type, input) in writes {
        let field = name.split(' ').next().unwrap_or(name);
        let mutation =
            format!("mutation($i: {input_type}!) {{ {field}(input: $i) {{ userErrors {{ field message code }} }} }}");
        for text in INJECTIONS {
            cases.push(case(
                format!("{name} {text:?}"),
                Some(admin),
                graphql(&mutation, json!({ "i": input(text) })),
                Expect::Refused,
            ));
        }
    }

    // Huge strings and lists.
    let big = "x".repeat(200 * 1024);
    cases.push(case("200 KB ODS code", None, graphql(organisation, json!({ "c": big })), Expect::Refused));
    let ids: Vec<String> = (0..5000).map(|_| unknown_id("Membership")).collect();
    cases.push(case(
        "5000 ids to nodes",
        None,
        graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids })),
        Expect::RefusedBeforeSql,
    ));
    let codes: Vec<String> = (0..3000).map(|index| format!("Z{index:05}")).collect();
    cases.push(case("3000-code filter", None, graphql("query($c: [OdsCode!]) { organisations(first: 100, filter: { odsCode: { in: $c } }) { nodes { odsCode } } }", json!({ "c": codes })), Expect::RefusedBeforeSql));
    cases.push(case(
        "1 MB body",
        None,
        Send::Json(json!({ "query": "{ icbs { odsCode } }", "variables": { "x": "y".repeat(1024 * 1024) } })),
        Expect::RefusedBeforeSql,
    ));
    cases.push(case(
        "100 KB query",
        None,
        graphql(&format!("{{ icbs {{ odsCode }} }} #{}", "z".repeat(100 * 1024)), json!({})),
        Expect::RefusedBeforeSql,
    ));

    // Depth, aliases, fragments, cost.
    let deep = format!("{{ icbs {}{{ odsCode }} {}}}", "{ region { icbs ".repeat(12), "} } ".repeat(12));
    cases.push(case("deep nesting", None, graphql(&deep, json!({})), Expect::RefusedBeforeSql));
    let aliases: String = (0..500).map(|index| format!("a{index}: __typename ")).collect();
    cases.push(case("500 aliases", None, graphql(&format!("{{ {aliases} }}"), json!({})), Expect::RefusedBeforeSql));
    let nested_aliases: String =
        (0..40).map(|index| format!("a{index}: organisations(first: 100) {{ nodes {{ odsCode }} }} ")).collect();
    cases.push(case(
        "40 aliased pages",
        None,
        graphql(&format!("{{ {nested_aliases} }}"), json!({})),
        Expect::RefusedBeforeSql,
    ));
    for levels in [16, 24, 30] {
        let mut fragments = String::from("fragment F0 on Icb { odsCode name }\n");
        for level in 1..=levels {
            fragments.push_str(&format!(
                "fragment F{level} on Icb {{ ...F{} ...F{} ...F{} }}\n",
                level - 1,
                level - 1,
                level - 1
            ));
        }
        cases.push(case(
            format!("fragment amplification ×3^{levels}"),
            None,
            graphql(&format!("{{ icbs {{ ...F{levels} }} }}\n{fragments}"), json!({})),
            Expect::RefusedBeforeSql,
        ));
    }
    let wide = format!("{{ organisations(first: 100) {{ nodes {{ {} }} }} }}", "name ".repeat(300));
    cases.push(case("300 fields × 100", None, graphql(&wide, json!({})), Expect::RefusedBeforeSql));

    // Batches.
    let one = json!({ "query": "{ icbs { odsCode } }" });
    cases.push(case("batch of 11", None, Send::Json(Value::Array(vec![one.clone(); 11])), Expect::RefusedBeforeSql));
    cases.push(case("batch of 1000", None, Send::Json(Value::Array(vec![one; 1000])), Expect::RefusedBeforeSql));
    cases.push(case("empty batch", None, Send::Json(json!([])), Expect::Refused));
    cases.push(case("batch of garbage", None, Send::Json(json!([1, "two", null])), Expect::Refused));

    // Out-of-scope ids: another ICB's administrator and viewer.
    let scoped_reads = [&records.membership, &records.placement, &records.pharmacist, &records.vacancy];
    for id in scoped_reads {
        cases.push(case(
            format!("out-of-scope node {id}"),
            Some(elsewhere_viewer),
            graphql("query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })),
            Expect::Absent,
        ));
    }
    let attempts = [
        ("AcceptMembershipInput", "acceptMembership", json!({ "id": records.membership, "expectedVersion": 1 })),
        (
            "WithdrawMembershipInput",
            "withdrawMembership",
            json!({ "id": records.membership, "expectedVersion": 1, "reason": "x" }),
        ),
        ("MembershipStepInput", "startMembership", json!({ "id": records.membership, "expectedVersion": 1 })),
        ("PlacementStepInput", "approvePlacement", json!({ "id": records.placement, "expectedVersion": 1 })),
        ("PlacementStepInput", "cancelPlacement", json!({ "id": records.placement, "expectedVersion": 1 })),
        (
            "UpdatePharmacistInput",
            "updatePharmacist",
            json!({ "id": records.pharmacist, "expectedVersion": 1, "givenName": "X" }),
        ),
        (
            "UpdateCohortInput",
            "updateCohort",
            json!({ "id": records.cohort, "expectedVersion": 1, "placesOffered": 1 }),
        ),
        ("CloseVacancyInput", "closeVacancy", json!({ "id": records.vacancy, "expectedVersion": 1 })),
        (
            "RecordCredentialInput",
            "recordCredential",
            json!({ "pharmacistId": records.pharmacist, "kind": "RPS_FOUNDATION", "status": "ENROLLED" }),
        ),
    ];
    for (input_type, field, input) in attempts {
        let mutation = format!("mutation($i: {input_type}!) {{ {field}(input: $i) {{ userErrors {{ code }} }} }}");
        cases.push(case(
            format!("out-of-scope {field}"),
            Some(elsewhere_admin),
            graphql(&mutation, json!({ "i": input.clone() })),
            Expect::Refused,
        ));
        cases.push(case(
            format!("viewer {field}"),
            Some(elsewhere_viewer),
            graphql(&mutation, json!({ "i": input.clone() })),
            Expect::Refused,
        ));
        cases.push(case(
            format!("anonymous {field}"),
            None,
            graphql(&mutation, json!({ "i": input })),
            Expect::Refused,
        ));
    }
    cases.push(case(
        "forged token",
        Some("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
        graphql("{ icbs { odsCode } }", json!({})),
        Expect::Refused,
    ));
    cases
}

/// Row counts that any successful write would change.
async fn fingerprint(app: &TestApp) -> [u64; 4] {
    let db = app.db();
    [
        AuditLog::find().count(db).await.expect("count"),
        Pharmacist::find().count(db).await.expect("count"),
        RotationProgramme::find().count(db).await.expect("count"),
        Organisation::find().count(db).await.expect("count"),
    ]
}

/// Words that would betray the server's insides.
const BETRAYALS: [&str; 12] = [
    "select ",
    "insert into",
    "syntax error at",
    "constraint",
    "sqlx",
    "sqlite",
    "postgres",
    "panicked",
    "stack backtrace",
    "rotation_programme",
    "programme_membership",
    "src/",
];

/// Sends a case and returns the status and body.
async fn run(app: &TestApp, case: &Case) -> (u16, String) {
    let mut request = app.client.post(app.url("/graphql"));
    request = match &case.send {
        Send::Json(body) => request.json(body),
        Send::Raw(bytes, content_type) => request.header("content-type", *content_type).body(bytes.clone()),
    };
    if let Some(token) = &case.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|error| panic!("{}: the connection failed: {error}", case.name));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_else(|error| panic!("{}: no body: {error}", case.name)))
}

/// Whether a case's answer is what it must be.
fn judge(case: &Case, status: u16, text: &str, statements: usize) -> Result<(), String> {
    if status >= 500 {
        return Err(format!("HTTP {status}"));
    }
    let body: Value = serde_json::from_str(text).map_err(|_| "not JSON".to_owned())?;
    match case.expect {
        Expect::Refused if !refuses_clearly(&body) => return Err("no clear error".to_owned()),
        Expect::RefusedBeforeSql if !refuses_clearly(&body) => return Err("no clear error".to_owned()),
        Expect::RefusedBeforeSql if statements > 0 => return Err(format!("{statements} SQL statements ran")),
        Expect::Absent if !body["errors"].is_null() || !body["data"]["node"].is_null() => {
            return Err("not absent".to_owned());
        }
        _ => {}
    }
    // The server may echo a bad value back; look for its insides in what remains.
    let mut scanned = text.to_lowercase();
    for injected in INJECTIONS.iter().chain(BAD_ODS.iter()).chain(BAD_DATES.iter()).chain(BAD_GPHC.iter()) {
        scanned = scanned.replace(&injected.to_lowercase(), "");
    }
    match BETRAYALS.iter().find(|betrayal| scanned.contains(*betrayal)) {
        Some(betrayal) => Err(format!("the answer mentions {betrayal:?}")),
        None => Ok(()),
    }
}

/// Whether a response refuses clearly: every error has a code, or a payload has user errors.
fn refuses_clearly(body: &Value) -> bool {
    let errors = body.as_array().map_or_else(|| vec![body], |batch| batch.iter().collect());
    errors.iter().all(|response| {
        let coded = response["errors"].as_array().is_some_and(|errors| {
            !errors.is_empty() && errors.iter().all(|error| error["extensions"]["code"].is_string())
        });
        let user_errors = response["data"].as_object().is_some_and(|data| {
            data.values().any(|payload| payload["userErrors"].as_array().is_some_and(|errors| !errors.is_empty()))
        });
        coded || user_errors
    })
}

#[tokio::test]
async fn hundreds_of_hostile_requests_get_clear_errors_and_change_nothing() {
    let app = spawn_app(DemoData::Load).await;
    let records = records(&app).await;
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let elsewhere_admin = token(Role::IcbAdmin, &["QHL"], None);
    let elsewhere_viewer = token(Role::IcbViewer, &["QHL"], None);
    let cases = cases(&records, &admin, &elsewhere_admin, &elsewhere_viewer);
    assert!(cases.len() >= 300, "{} cases", cases.len());
    let before = fingerprint(&app).await;

    let mut failures = Vec::new();
    for case in &cases {
        let statements = app.statements();
        let (status, text) = run(&app, case).await;
        let statements = app.statements() - statements;
        if let Err(failure) = judge(case, status, &text, statements) {
            failures.push(format!("{}: {failure}: {}", case.name, text.chars().take(300).collect::<String>()));
        }
        if fingerprint(&app).await != before {
            failures.push(format!("{}: data changed", case.name));
            break;
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    let still_serving = app.graphql("{ icbs { odsCode } }", json!({})).await;
    assert_eq!(still_serving["data"]["icbs"].as_array().map(Vec::len), Some(36));
}

/// Arbitrary query text and arbitrary JSON bodies never get a 5xx or a non-JSON answer.
#[test]
fn arbitrary_requests_never_break_the_endpoint() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let app = runtime.block_on(spawn_app(DemoData::Skip));
    let config = ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() };
    let json_value = any::<i64>().prop_map(Value::from).boxed().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::hash_map("[a-z]{0,6}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
            ".{0,20}".prop_map(Value::String),
        ]
    });
    let query_text = prop_oneof![
        "\\PC{0,200}",
        "[{}()\\[\\]:$@!.a-z0-9 \"#,=]{0,300}",
        proptest::collection::vec(
            prop_oneof![
                Just("{"),
                Just("}"),
                Just("icbs"),
                Just("odsCode"),
                Just("..."),
                Just("on Icb"),
                Just("fragment F"),
                Just("(first: 5)"),
                Just("$v"),
                Just("@skip(if: true)")
            ],
            0..40
        )
        .prop_map(|parts| parts.join(" ")),
    ];
    proptest!(config, |(query in query_text, variables in json_value)| {
        let body = json!({ "query": query, "variables": variables });
        let (status, text) = runtime.block_on(async {
            let response = app.client.post(app.url("/graphql")).json(&body).send().await.expect("the connection held");
            let status = response.status().as_u16();
            (status, response.text().await.expect("a body"))
        });
        prop_assert!(status < 500, "HTTP {} for {}: {}", status, body, text);
        let answer: Value = serde_json::from_str(&text).map_err(|_| TestCaseError::fail(format!("not JSON: {text}")))?;
        prop_assert!(answer.is_object(), "{}", text);
    });
}
