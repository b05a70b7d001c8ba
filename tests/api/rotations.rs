//! The rules of a rotation through the real server: the README's worked example end to end, each rule
//! refusing bad input with its code and writing nothing (rows and audit rows counted), versions, write
//! scope, and the audit trail.

use crate::helpers::{TestApp, error_codes, spawn_app, token};
use entity::prelude::{AuditLog, Cohort, Placement, ProgrammeMembership};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

/// Runs a mutation or query as `token` and returns its `data.<field>`, failing on any GraphQL error.
pub async fn call(app: &TestApp, token: &str, query: &str, variables: Value, field: &str) -> Value {
    let response = app.graphql_as(Some(token), query, variables).await;
    assert!(response["errors"].is_null(), "{query}: {response}");
    response["data"][field].clone()
}

/// The changed record of a payload that must have succeeded.
pub fn ok<'a>(payload: &'a Value, field: &str) -> &'a Value {
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    &payload[field]
}

/// The codes of a payload's user errors.
pub fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"].as_array().map_or_else(Vec::new, |errors| {
        errors.iter().filter_map(|error| error["code"].as_str().map(str::to_owned)).collect()
    })
}

pub const CREATE_PROGRAMME: &str = r#"mutation($input: CreateProgrammeInput!) { createProgramme(input: $input) {
    programme { id version } userErrors { field message code } } }"#;
pub const OPEN_COHORT: &str = r#"mutation($input: OpenCohortInput!) { openCohort(input: $input) {
    cohort { id version placesOffered } userErrors { field message code } } }"#;
pub const UPDATE_COHORT: &str = r#"mutation($input: UpdateCohortInput!) { updateCohort(input: $input) {
    cohort { id version placesOffered } userErrors { field message code } } }"#;
pub const CREATE_PHARMACIST: &str = r#"mutation($input: CreatePharmacistInput!) { createPharmacist(input: $input) {
    pharmacist { id version } userErrors { field message code } } }"#;
pub const OFFER: &str = r#"mutation($input: OfferMembershipInput!) { offerMembership(input: $input) {
    membership { id version status } userErrors { field message code } } }"#;
pub const ACCEPT: &str = r#"mutation($input: AcceptMembershipInput!) { acceptMembership(input: $input) {
    membership { id version status eligibilityPassed eligibilityOverrideReason } userErrors { field message code } } }"#;
pub const PLAN: &str = r#"mutation($input: PlanPlacementInput!) { planPlacement(input: $input) {
    placement { id version status isCrossIcb } userErrors { field message code } } }"#;
pub const APPROVE: &str = r#"mutation($input: PlacementStepInput!) { approvePlacement(input: $input) {
    placement { id version status } userErrors { field message code } } }"#;

/// A network with a programme of T6Y0W (the ICB that took over Norfolk and Waveney on 2026-04-01), a
/// cohort, and hosts of each kind in the ICB.
pub struct Fixture {
    pub app: TestApp,
    pub admin: String,
    pub programme: String,
    pub cohort: String,
    pub practice: String,
    pub pharmacy: String,
}

async fn host(app: &TestApp, kind: &str) -> String {
    let query = r#"query($kind: OrganisationKind!) { organisations(filter: { kind: { eq: $kind }, icb: { eq: "T6Y0W" } },
        asOf: "2026-09-01", first: 1) { nodes { odsCode } } }"#;
    let response = app.graphql(query, json!({ "kind": kind })).await;
    response["data"]["organisations"]["nodes"][0]["odsCode"].as_str().expect("a host in T6Y0W").to_owned()
}

impl Fixture {
    pub async fn new(places: i32) -> Self {
        let app = spawn_app(DemoData::Load).await;
        let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
        let programme = call(
            &app,
            &admin,
            CREATE_PROGRAMME,
            json!({ "input": {
            "code": "NW-STAR", "name": "STAR", "ownerIcb": "T6Y0W", "minDurationMonths": 24, "maxDurationMonths": 30,
            "maxYearsSinceRegistration": 3, "sectors": ["GENERAL_PRACTICE", "COMMUNITY_PHARMACY"],
            "fundingSources": ["ARRS", "EXISTING_VACANCY"] } }),
            "createProgramme",
        )
        .await;
        let programme = ok(&programme, "programme")["id"].as_str().expect("id").to_owned();
        let cohort = call(
            &app,
            &admin,
            OPEN_COHORT,
            json!({ "input": {
            "programmeId": programme, "label": "2026 intake", "intakeDate": "2026-09-01", "placesOffered": places } }),
            "openCohort",
        )
        .await;
        let cohort = ok(&cohort, "cohort")["id"].as_str().expect("id").to_owned();
        let practice = host(&app, "GP_PRACTICE").await;
        let pharmacy = host(&app, "COMMUNITY_PHARMACY").await;
        Self { app, admin, programme, cohort, practice, pharmacy }
    }

    /// A new pharmacist first registered on `registered`, managed by T6Y0W.
    pub async fn pharmacist(&self, gphc_number: &str, registered: &str) -> String {
        let payload = call(
            &self.app,
            &self.admin,
            CREATE_PHARMACIST,
            json!({ "input": {
            "gphcNumber": gphc_number, "givenName": "Ada", "familyName": "Test", "firstRegisteredOn": registered,
            "managingIcb": "T6Y0W" } }),
            "createPharmacist",
        )
        .await;
        ok(&payload, "pharmacist")["id"].as_str().expect("id").to_owned()
    }

    /// An offered membership of the fixture's cohort, 2026-09-01 to 2028-08-31 (24 months).
    pub async fn offered(&self, pharmacist: &str) -> Value {
        let payload = call(
            &self.app,
            &self.admin,
            OFFER,
            json!({ "input": {
            "cohortId": self.cohort, "pharmacistId": pharmacist, "offeredOn": "2026-06-01",
            "startDate": "2026-09-01", "plannedEndDate": "2028-08-31" } }),
            "offerMembership",
        )
        .await;
        ok(&payload, "membership").clone()
    }

    /// An accepted membership for a new, eligible pharmacist.
    pub async fn accepted(&self, gphc_number: &str) -> Value {
        let pharmacist = self.pharmacist(gphc_number, "2025-07-01").await;
        let offered = self.offered(&pharmacist).await;
        let payload = call(
            &self.app,
            &self.admin,
            ACCEPT,
            json!({ "input": {
            "id": offered["id"], "expectedVersion": offered["version"], "acceptedOn": "2026-06-15" } }),
            "acceptMembership",
        )
        .await;
        ok(&payload, "membership").clone()
    }

    pub async fn plan(&self, membership: &Value, host: &str, sector: &str, start: &str, end: &str) -> Value {
        call(
            &self.app,
            &self.admin,
            PLAN,
            json!({ "input": {
            "membershipId": membership["id"], "host": host, "sector": sector, "startDate": start, "endDate": end,
            "wte": 1.0 } }),
            "planPlacement",
        )
        .await
    }

    /// Rows of memberships, placements and audit entries.
    pub async fn counts(&self) -> (u64, u64, u64, u64) {
        let db = self.app.db();
        (
            Cohort::find().count(db).await.expect("count"),
            ProgrammeMembership::find().count(db).await.expect("count"),
            Placement::find().count(db).await.expect("count"),
            AuditLog::find().count(db).await.expect("count"),
        )
    }
}

#[tokio::test]
async fn the_worked_example_runs_from_cohort_to_report() {
    let fixture = Fixture::new(20).await;
    let membership = fixture.accepted("9100001").await;
    assert_eq!(
        (membership["status"].as_str(), membership["eligibilityPassed"].as_bool()),
        (Some("ACCEPTED"), Some(true))
    );

    let first = fixture.plan(&membership, &fixture.practice, "GENERAL_PRACTICE", "2026-09-01", "2027-08-31").await;
    let second = fixture.plan(&membership, &fixture.pharmacy, "COMMUNITY_PHARMACY", "2027-09-01", "2028-08-31").await;
    let query =
        r#"query($id: ID!) { node(id: $id) { ... on Membership { uncoveredSectors coversProgrammeSectors } } }"#;
    let before_approval = call(&fixture.app, &fixture.admin, query, json!({ "id": membership["id"] }), "node").await;
    for planned in [&first, &second] {
        let placement = ok(planned, "placement");
        assert_eq!((placement["status"].as_str(), placement["isCrossIcb"].as_bool()), (Some("PLANNED"), Some(false)));
        let approved = call(
            &fixture.app,
            &fixture.admin,
            APPROVE,
            json!({ "input": {
            "id": placement["id"], "expectedVersion": placement["version"] } }),
            "approvePlacement",
        )
        .await;
        assert_eq!(ok(&approved, "placement")["status"], "APPROVED");
    }
    let after_approval = call(&fixture.app, &fixture.admin, query, json!({ "id": membership["id"] }), "node").await;
    assert_eq!(before_approval["uncoveredSectors"], json!(["COMMUNITY_PHARMACY", "GENERAL_PRACTICE"]));
    assert_eq!(after_approval, json!({ "uncoveredSectors": [], "coversProgrammeSectors": true }));

    let report = r#"query($programme: ID!) { reports { fillRate(filter: { programme: [$programme] }) {
        group { code } placesOffered accepted { value } } } }"#;
    let rows = call(&fixture.app, &fixture.admin, report, json!({ "programme": fixture.programme }), "reports").await;
    assert_eq!(
        rows["fillRate"],
        json!([{ "group": { "code": "NW-STAR 2026 intake" }, "placesOffered": 20,
        "accepted": { "value": 1 } }])
    );

    let audit = r#"query($id: ID!) { auditLog(filter: { entityId: $id }) { nodes { operation icb actor } } }"#;
    let trail = call(&fixture.app, &fixture.admin, audit, json!({ "id": membership["id"] }), "auditLog").await;
    assert_eq!(
        trail["nodes"],
        json!([
            { "operation": "acceptMembership", "icb": "T6Y0W", "actor": "test" },
            { "operation": "offerMembership", "icb": "T6Y0W", "actor": "test" }
        ])
    );
    let viewer = token(Role::IcbViewer, &["T6Y0W"], None);
    let refused = fixture.app.graphql_as(Some(&viewer), audit, json!({ "id": membership["id"] })).await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
}

#[tokio::test]
async fn each_rotation_rule_refuses_with_its_code_and_writes_nothing() {
    let fixture = Fixture::new(1).await;
    let member = fixture.accepted("9100002").await;
    let approved = fixture.plan(&member, &fixture.practice, "GENERAL_PRACTICE", "2026-09-01", "2027-02-28").await;
    let approved = ok(&approved, "placement").clone();
    call(
        &fixture.app,
        &fixture.admin,
        APPROVE,
        json!({ "input": { "id": approved["id"], "expectedVersion": 1 } }),
        "approvePlacement",
    )
    .await;
    let overlapping = fixture.plan(&member, &fixture.practice, "GENERAL_PRACTICE", "2027-01-01", "2027-06-30").await;
    let overlapping = ok(&overlapping, "placement").clone();
    let late = fixture.pharmacist("9100003", "2020-01-01").await;
    let late_offer = fixture.offered(&late).await;
    let eligible = fixture.pharmacist("9100004", "2025-01-01").await;
    let eligible_offer = fixture.offered(&eligible).await;
    let before = fixture.counts().await;

    let cases = [
        // The cohort's one place is taken.
        (
            ACCEPT,
            json!({ "id": eligible_offer["id"], "expectedVersion": 1, "acceptedOn": "2026-06-15" }),
            "acceptMembership",
            "COHORT_FULL",
        ),
        // Registered six years before: over STAR's three.
        (
            ACCEPT,
            json!({ "id": late_offer["id"], "expectedVersion": 1, "acceptedOn": "2026-06-15" }),
            "acceptMembership",
            "INELIGIBLE",
        ),
        // 18 months: below STAR's 24.
        (
            OFFER,
            json!({ "cohortId": fixture.cohort, "pharmacistId": eligible, "startDate": "2026-09-01",
            "plannedEndDate": "2028-02-29" }),
            "offerMembership",
            "DURATION_OUT_OF_RANGE",
        ),
        // Offered after the place starts.
        (
            OFFER,
            json!({ "cohortId": fixture.cohort, "pharmacistId": eligible, "offeredOn": "2026-09-02",
            "startDate": "2026-09-01", "plannedEndDate": "2028-08-31" }),
            "offerMembership",
            "INVALID_DATES",
        ),
        // The same pharmacist twice in a cohort.
        (
            OFFER,
            json!({ "cohortId": fixture.cohort, "pharmacistId": late, "startDate": "2026-09-01",
            "plannedEndDate": "2028-08-31" }),
            "offerMembership",
            "DUPLICATE_MEMBERSHIP",
        ),
        // Before the membership starts.
        (
            PLAN,
            json!({ "membershipId": member["id"], "host": fixture.practice, "sector": "GENERAL_PRACTICE",
            "startDate": "2026-08-01", "endDate": "2026-12-31", "wte": 1.0 }),
            "planPlacement",
            "OUTSIDE_MEMBERSHIP",
        ),
        // A GP practice does not host community pharmacy.
        (
            PLAN,
            json!({ "membershipId": member["id"], "host": fixture.practice, "sector": "COMMUNITY_PHARMACY",
            "startDate": "2027-03-01", "endDate": "2027-08-31", "wte": 1.0 }),
            "planPlacement",
            "SECTOR_HOST_MISMATCH",
        ),
        // Norfolk and Waveney ICB closed on 2026-03-31.
        (
            PLAN,
            json!({ "membershipId": member["id"], "host": "QMM", "sector": "ICB_MEDICINES_OPTIMISATION",
            "startDate": "2027-03-01", "endDate": "2027-08-31", "wte": 1.0 }),
            "planPlacement",
            "HOST_CLOSED",
        ),
        (
            PLAN,
            json!({ "membershipId": member["id"], "host": fixture.pharmacy, "sector": "COMMUNITY_PHARMACY",
            "startDate": "2027-03-01", "endDate": "2027-08-31", "wte": 1.5 }),
            "planPlacement",
            "INVALID_WTE",
        ),
        // Overlaps the approved placement of the same pharmacist (and post-less membership).
        (APPROVE, json!({ "id": overlapping["id"], "expectedVersion": 1 }), "approvePlacement", "PHARMACIST_OVERLAP"),
        (APPROVE, json!({ "id": overlapping["id"], "expectedVersion": 7 }), "approvePlacement", "STALE_VERSION"),
        (APPROVE, json!({ "id": approved["id"], "expectedVersion": 2 }), "approvePlacement", "INVALID_TRANSITION"),
        (
            UPDATE_COHORT,
            json!({ "id": fixture.cohort, "expectedVersion": 1, "placesOffered": 0 }),
            "updateCohort",
            "INVALID_PLACES",
        ),
    ];
    for (mutation, input, field, code) in cases {
        let payload = call(&fixture.app, &fixture.admin, mutation, json!({ "input": input }), field).await;
        assert!(codes(&payload).contains(&code.to_owned()), "{field} {input}: {payload}");
        assert_eq!(fixture.counts().await, before, "{code}: nothing written, no audit row");
    }

    // An override with a reason accepts the ineligible pharmacist once a place is free; it is stored.
    let grown = call(
        &fixture.app,
        &fixture.admin,
        UPDATE_COHORT,
        json!({ "input": {
        "id": fixture.cohort, "expectedVersion": 1, "placesOffered": 2 } }),
        "updateCohort",
    )
    .await;
    assert_eq!(ok(&grown, "cohort")["version"], 2);
    let overridden = call(
        &fixture.app,
        &fixture.admin,
        ACCEPT,
        json!({ "input": { "id": late_offer["id"],
        "expectedVersion": 1, "acceptedOn": "2026-06-15", "eligibilityOverrideReason": "Returning to practice" } }),
        "acceptMembership",
    )
    .await;
    let overridden = ok(&overridden, "membership");
    assert_eq!(overridden["eligibilityPassed"], false);
    assert_eq!(overridden["eligibilityOverrideReason"], "Returning to practice");
    let shrunk = call(
        &fixture.app,
        &fixture.admin,
        UPDATE_COHORT,
        json!({ "input": {
        "id": fixture.cohort, "expectedVersion": 2, "placesOffered": 1 } }),
        "updateCohort",
    )
    .await;
    assert_eq!(codes(&shrunk), ["PLACES_BELOW_MEMBERS"]);
}

#[tokio::test]
async fn out_of_scope_ids_behave_as_unknown_ones_and_only_icb_admins_write() {
    let fixture = Fixture::new(20).await;
    let pharmacist = fixture.pharmacist("9100005", "2025-07-01").await;
    let offered = fixture.offered(&pharmacist).await;
    let before = fixture.counts().await;
    let other_admin = token(Role::IcbAdmin, &["QHL"], None);
    let accept = json!({ "input": { "id": offered["id"], "expectedVersion": 1 } });
    let elsewhere = call(&fixture.app, &other_admin, ACCEPT, accept.clone(), "acceptMembership").await;
    assert_eq!(codes(&elsewhere), ["NOT_FOUND"]);
    assert_eq!(elsewhere["userErrors"][0]["message"], "does not name a record you can change");
    for caller in
        [token(Role::IcbViewer, &["T6Y0W"], None), token(Role::National, &[], None), token(Role::Reporter, &[], None)]
    {
        let response = fixture.app.graphql_as(Some(&caller), ACCEPT, accept.clone()).await;
        assert_eq!(error_codes(&response), ["FORBIDDEN"], "{response}");
    }
    let anonymous = fixture.app.graphql_as(None, ACCEPT, accept).await;
    assert_eq!(error_codes(&anonymous), ["FORBIDDEN"]);
    assert_eq!(fixture.counts().await, before);

    // Organisations are reference data: national administrators only.
    let update = r#"mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) {
        organisation { name version } userErrors { code } } }"#;
    let practice = fixture
        .app
        .graphql(
            r#"query($code: OdsCode!) { organisation(odsCode: $code) { id version } }"#,
            json!({ "code": fixture.practice }),
        )
        .await;
    let input = json!({ "input": { "id": practice["data"]["organisation"]["id"], "expectedVersion": 1, "name": "Renamed Surgery" } });
    let refused = fixture.app.graphql_as(Some(&fixture.admin), update, input.clone()).await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let national = token(Role::National, &[], None);
    let renamed = call(&fixture.app, &national, update, input.clone(), "updateOrganisation").await;
    assert_eq!(ok(&renamed, "organisation"), &json!({ "name": "Renamed Surgery", "version": 2 }));
    let stale = call(&fixture.app, &national, update, input, "updateOrganisation").await;
    assert_eq!(codes(&stale), ["STALE_VERSION"]);
}
