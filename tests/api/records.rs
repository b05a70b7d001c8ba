//! The mutations around the rotation rules, through the real server: memberships moving through their
//! life, placements rescheduled and cancelled, post overlaps, cross-ICB placements, posts, vacancies,
//! pharmacists, credentials and leadership. A success writes its record with one audit row; a refusal
//! names its code and writes nothing.

use crate::helpers::token;
use crate::rotations::{ACCEPT, APPROVE, Fixture, call, codes, ok};
use rotagraph::services::access::Role;
use serde_json::{Value, json};

/// A mutation document `name(input: $input) { field { selection } userErrors {...} }`.
fn mutation(name: &str, field: &str, selection: &str) -> String {
    format!(
        "mutation($input: {}!) {{ {name}(input: $input) {{ {field} {{ {selection} }} \
         userErrors {{ field message code }} }} }}",
        input_type(name)
    )
}

/// The input type of a mutation: `planPlacement` takes `PlanPlacementInput`; steps share theirs.
fn input_type(name: &str) -> String {
    match name {
        "startMembership" | "completeMembership" => "MembershipStepInput".to_owned(),
        "approvePlacement" | "cancelPlacement" => "PlacementStepInput".to_owned(),
        "endConsultantLead" | "endMedicinesRole" => "EndRoleInput".to_owned(),
        _ => format!("{}{}Input", name[..1].to_uppercase(), &name[1..]),
    }
}

impl Fixture {
    /// Runs `name` as the fixture's administrator; it must succeed with exactly one audit row.
    async fn changes(&self, name: &str, field: &str, selection: &str, input: Value) -> Value {
        let before = self.counts().await.3;
        let payload =
            call(&self.app, &self.admin, &mutation(name, field, selection), json!({ "input": input }), name).await;
        let record = ok(&payload, field).clone();
        assert_eq!(self.counts().await.3, before + 1, "{name}: one audit row");
        record
    }

    /// Runs `name` as the fixture's administrator; it must be refused with `code` and write nothing.
    async fn refuses(&self, name: &str, input: Value, code: &str) {
        let before = self.counts().await;
        let document = format!(
            "mutation($input: {}!) {{ {name}(input: $input) {{ userErrors {{ field message code }} }} }}",
            input_type(name)
        );
        let payload = call(&self.app, &self.admin, &document, json!({ "input": input }), name).await;
        assert_eq!(codes(&payload), [code], "{name}: {payload}");
        assert_eq!(self.counts().await, before, "{name} {code}: nothing written");
    }

    /// The ODS code of an organisation of `kind` whose ICB on 2026-09-01 is (or, with `inside` false,
    /// is not) T6Y0W.
    async fn organisation(&self, kind: &str, inside: bool) -> String {
        let icb = json!({ "icb": { "eq": "T6Y0W" } });
        let filter = if inside {
            json!({ "and": [{ "kind": { "eq": kind } }, icb] })
        } else {
            json!({ "and": [{ "kind": { "eq": kind } }, { "not": icb }] })
        };
        let query = r#"query($filter: OrganisationFilter!) { organisations(filter: $filter, asOf: "2026-09-01", first: 1)
            { nodes { odsCode } } }"#;
        let response = self.app.graphql(query, json!({ "filter": filter })).await;
        response["data"]["organisations"]["nodes"][0]["odsCode"].as_str().expect("an organisation").to_owned()
    }
}

const PLACEMENT: &str = "id version status startDate endDate isCrossIcb hostIcb { odsCode }";
const MEMBERSHIP: &str = "id version status startDate actualEndDate leavingReason";

#[tokio::test]
async fn memberships_move_through_their_life_and_placements_are_rescheduled_and_cancelled() {
    let fixture = Fixture::new(20).await;
    let member = fixture.accepted("9500001").await;
    let id = &member["id"];

    fixture
        .refuses(
            "completeMembership",
            json!({ "id": id, "expectedVersion": 2, "on": "2028-08-31" }),
            "INVALID_TRANSITION",
        )
        .await;
    let started = fixture
        .changes(
            "startMembership",
            "membership",
            MEMBERSHIP,
            json!({ "id": id, "expectedVersion": 2, "on": "2026-09-01" }),
        )
        .await;
    assert_eq!((started["status"].as_str(), started["version"].as_i64()), (Some("ACTIVE"), Some(3)));

    let planned = fixture.plan(&member, &fixture.practice, "GENERAL_PRACTICE", "2026-09-01", "2027-08-31").await;
    let first = ok(&planned, "placement").clone();
    fixture
        .changes("approvePlacement", "placement", PLACEMENT, json!({ "id": first["id"], "expectedVersion": 1 }))
        .await;
    let planned = fixture.plan(&member, &fixture.pharmacy, "COMMUNITY_PHARMACY", "2027-09-01", "2028-08-31").await;
    let second = ok(&planned, "placement").clone();
    fixture
        .changes("approvePlacement", "placement", PLACEMENT, json!({ "id": second["id"], "expectedVersion": 1 }))
        .await;

    // Moving the second placement onto the first is refused; a move that keeps clear of it is not.
    let onto_first =
        json!({ "id": second["id"], "expectedVersion": 2, "startDate": "2027-08-01", "endDate": "2028-08-31" });
    fixture.refuses("reschedulePlacement", onto_first, "PHARMACIST_OVERLAP").await;
    let moved = fixture
        .changes(
            "reschedulePlacement",
            "placement",
            PLACEMENT,
            json!({ "id": second["id"], "expectedVersion": 2, "startDate": "2027-10-01", "endDate": "2028-08-31" }),
        )
        .await;
    assert_eq!(
        (moved["startDate"].as_str(), moved["status"].as_str(), moved["version"].as_i64()),
        (Some("2027-10-01"), Some("APPROVED"), Some(3))
    );
    let cancelled = fixture
        .changes("cancelPlacement", "placement", PLACEMENT, json!({ "id": second["id"], "expectedVersion": 3 }))
        .await;
    assert_eq!(cancelled["status"], "CANCELLED");
    fixture.refuses("cancelPlacement", json!({ "id": second["id"], "expectedVersion": 4 }), "INVALID_TRANSITION").await;

    let coverage = r#"query($id: ID!) { node(id: $id) { ... on Membership { uncoveredSectors } } }"#;
    let node = call(&fixture.app, &fixture.admin, coverage, json!({ "id": id }), "node").await;
    assert_eq!(node["uncoveredSectors"], json!(["COMMUNITY_PHARMACY"]), "a cancelled placement covers nothing");

    fixture
        .refuses("withdrawMembership", json!({ "id": id, "expectedVersion": 3, "reason": " " }), "REASON_REQUIRED")
        .await;
    let withdrawn = fixture
        .changes(
            "withdrawMembership",
            "membership",
            MEMBERSHIP,
            json!({ "id": id, "expectedVersion": 3, "on": "2027-12-31", "reason": "Moved to a hospital post" }),
        )
        .await;
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    assert_eq!(
        (withdrawn["actualEndDate"].as_str(), withdrawn["leavingReason"].as_str()),
        (Some("2027-12-31"), Some("Moved to a hospital post"))
    );
    fixture.refuses("startMembership", json!({ "id": id, "expectedVersion": 4 }), "INVALID_TRANSITION").await;

    let other = fixture.accepted("9500002").await;
    fixture
        .changes(
            "startMembership",
            "membership",
            MEMBERSHIP,
            json!({ "id": other["id"], "expectedVersion": 2, "on": "2026-09-01" }),
        )
        .await;
    fixture
        .refuses(
            "completeMembership",
            json!({ "id": other["id"], "expectedVersion": 3, "on": "2026-08-01" }),
            "INVALID_DATES",
        )
        .await;
    let completed = fixture
        .changes(
            "completeMembership",
            "membership",
            MEMBERSHIP,
            json!({ "id": other["id"], "expectedVersion": 3, "on": "2028-08-31" }),
        )
        .await;
    assert_eq!(
        (completed["status"].as_str(), completed["actualEndDate"].as_str()),
        (Some("COMPLETED"), Some("2028-08-31"))
    );
}

#[tokio::test]
async fn posts_never_have_overlapping_approved_placements_and_other_icbs_hosts_are_cross_icb() {
    let fixture = Fixture::new(20).await;
    let post = fixture.changes("createPost", "post", "id version status",
        json!({ "cohortId": fixture.cohort, "postNumber": "STAR-01", "employer": fixture.practice, "afcBand": "BAND_6",
            "wte": 1.0, "funding": "ARRS" })).await;
    assert_eq!(post["status"], "ADVERTISED");
    fixture
        .refuses(
            "createPost",
            json!({ "cohortId": fixture.cohort, "postNumber": "STAR-01", "employer": fixture.practice,
        "wte": 1.0, "funding": "ARRS" }),
            "DUPLICATE_POST_NUMBER",
        )
        .await;
    fixture
        .refuses(
            "createPost",
            json!({ "cohortId": fixture.cohort, "postNumber": "STAR-02", "employer": "QMM",
        "wte": 1.0, "funding": "ARRS" }),
            "NOT_FOUND",
        )
        .await;
    let filled = fixture
        .changes(
            "updatePost",
            "post",
            "status version",
            json!({ "id": post["id"], "expectedVersion": 1, "status": "FILLED" }),
        )
        .await;
    assert_eq!(filled, json!({ "status": "FILLED", "version": 2 }));

    // Two members holding the same post one after the other: their approved placements may not overlap.
    let mut placements = Vec::new();
    for (number, start) in [("9500011", "2026-09-01"), ("9500012", "2027-03-01")] {
        let pharmacist = fixture.pharmacist(number, "2025-07-01").await;
        let offered = call(
            &fixture.app,
            &fixture.admin,
            crate::rotations::OFFER,
            json!({ "input": {
            "cohortId": fixture.cohort, "pharmacistId": pharmacist, "postId": post["id"], "offeredOn": "2026-06-01",
            "startDate": "2026-09-01", "plannedEndDate": "2028-08-31" } }),
            "offerMembership",
        )
        .await;
        let offered = ok(&offered, "membership").clone();
        let accepted = call(
            &fixture.app,
            &fixture.admin,
            ACCEPT,
            json!({ "input": { "id": offered["id"], "expectedVersion": 1 } }),
            "acceptMembership",
        )
        .await;
        let member = ok(&accepted, "membership").clone();
        let planned = fixture.plan(&member, &fixture.practice, "GENERAL_PRACTICE", start, "2027-08-31").await;
        placements.push(ok(&planned, "placement").clone());
    }
    let approved = call(
        &fixture.app,
        &fixture.admin,
        APPROVE,
        json!({ "input": { "id": placements[0]["id"], "expectedVersion": 1 } }),
        "approvePlacement",
    )
    .await;
    assert_eq!(ok(&approved, "placement")["status"], "APPROVED");
    fixture
        .refuses("approvePlacement", json!({ "id": placements[1]["id"], "expectedVersion": 1 }), "POST_OVERLAP")
        .await;

    // A host in another ICB makes the placement cross-ICB; one in T6Y0W does not.
    let elsewhere = fixture.organisation("GP_PRACTICE", false).await;
    let member = fixture.accepted("9500013").await;
    let away = fixture.plan(&member, &elsewhere, "GENERAL_PRACTICE", "2026-09-01", "2027-02-28").await;
    let home = fixture.plan(&member, &fixture.practice, "GENERAL_PRACTICE", "2027-03-01", "2027-08-31").await;
    let (away, home) = (ok(&away, "placement").clone(), ok(&home, "placement").clone());
    let host_icb = r#"query($id: ID!) { node(id: $id) { ... on Placement { isCrossIcb hostIcb { odsCode } } } }"#;
    let away = call(&fixture.app, &fixture.admin, host_icb, json!({ "id": away["id"] }), "node").await;
    let home = call(&fixture.app, &fixture.admin, host_icb, json!({ "id": home["id"] }), "node").await;
    assert_eq!(away["isCrossIcb"], true);
    assert_ne!(away["hostIcb"]["odsCode"], "T6Y0W");
    assert_eq!(home, json!({ "isCrossIcb": false, "hostIcb": { "odsCode": "T6Y0W" } }));
}

#[tokio::test]
async fn pharmacists_credentials_and_vacancies_follow_their_rules() {
    let fixture = Fixture::new(20).await;
    let pharmacist = fixture.pharmacist("9500021", "2025-07-01").await;
    let new = |number: &str| {
        json!({ "gphcNumber": number, "givenName": "Sam", "familyName": "Lee",
        "firstRegisteredOn": "2025-07-01", "managingIcb": "T6Y0W" })
    };
    fixture.refuses("createPharmacist", new("9500021"), "DUPLICATE_GPHC_NUMBER").await;
    fixture.refuses("createPharmacist", new("12345"), "INVALID_GPHC_NUMBER").await;
    fixture
        .refuses(
            "createPharmacist",
            json!({ "gphcNumber": "9500022", "givenName": "Sam", "familyName": "Lee",
        "firstRegisteredOn": "2025-07-01", "managingIcb": "QHL" }),
            "NOT_FOUND",
        )
        .await;

    let renamed = fixture
        .changes(
            "updatePharmacist",
            "pharmacist",
            "familyName version",
            json!({ "id": pharmacist, "expectedVersion": 1, "familyName": "Okafor" }),
        )
        .await;
    assert_eq!(renamed, json!({ "familyName": "Okafor", "version": 2 }));
    let prescriber = fixture
        .changes(
            "recordIndependentPrescriber",
            "pharmacist",
            "independentPrescriberSince version",
            json!({ "id": pharmacist, "expectedVersion": 2, "since": "2026-05-01" }),
        )
        .await;
    assert_eq!(prescriber["independentPrescriberSince"], "2026-05-01");
    let removed = fixture
        .changes(
            "recordIndependentPrescriber",
            "pharmacist",
            "independentPrescriberSince version",
            json!({ "id": pharmacist, "expectedVersion": 3, "since": null }),
        )
        .await;
    assert_eq!(removed, json!({ "independentPrescriberSince": null, "version": 4 }));
    let suspended = fixture
        .changes(
            "updateRegistrationStatus",
            "pharmacist",
            "registrationStatus version",
            json!({ "id": pharmacist, "expectedVersion": 4, "registrationStatus": "SUSPENDED" }),
        )
        .await;
    assert_eq!(suspended["registrationStatus"], "SUSPENDED");
    let offered = fixture.offered(&pharmacist).await;
    fixture.refuses("acceptMembership", json!({ "id": offered["id"], "expectedVersion": 1 }), "INELIGIBLE").await;

    let credential = fixture
        .changes(
            "recordCredential",
            "credential",
            "id version status",
            json!({ "pharmacistId": pharmacist, "kind": "CPPE_PRIMARY_CARE_PATHWAY", "status": "IN_PROGRESS",
            "startedOn": "2026-09-01", "progressPercent": 10 }),
        )
        .await;
    fixture
        .refuses(
            "updateCredential",
            json!({ "id": credential["id"], "expectedVersion": 1, "progressPercent": 140 }),
            "INVALID_PROGRESS",
        )
        .await;
    fixture
        .refuses(
            "updateCredential",
            json!({ "id": credential["id"], "expectedVersion": 1, "status": "AWARDED" }),
            "INVALID_DATES",
        )
        .await;
    let awarded = fixture
        .changes(
            "updateCredential",
            "credential",
            "status awardedOn version",
            json!({ "id": credential["id"], "expectedVersion": 1, "status": "AWARDED", "awardedOn": "2027-09-01" }),
        )
        .await;
    assert_eq!(awarded, json!({ "status": "AWARDED", "awardedOn": "2027-09-01", "version": 2 }));

    let vacancy = fixture
        .changes(
            "createVacancy",
            "vacancy",
            "id version closedOn",
            json!({ "host": fixture.pharmacy, "sector": "COMMUNITY_PHARMACY", "wte": 0.8, "funding": "EXISTING_VACANCY",
            "openedOn": "2026-06-01" }),
        )
        .await;
    let elsewhere = fixture.organisation("COMMUNITY_PHARMACY", false).await;
    fixture
        .refuses(
            "createVacancy",
            json!({ "host": elsewhere, "sector": "COMMUNITY_PHARMACY", "wte": 0.8,
        "funding": "EXISTING_VACANCY" }),
            "NOT_FOUND",
        )
        .await;
    fixture
        .refuses(
            "createVacancy",
            json!({ "host": fixture.pharmacy, "sector": "GENERAL_PRACTICE", "wte": 0.8,
        "funding": "EXISTING_VACANCY" }),
            "SECTOR_HOST_MISMATCH",
        )
        .await;
    fixture
        .refuses(
            "closeVacancy",
            json!({ "id": vacancy["id"], "expectedVersion": 1, "closedOn": "2026-05-01" }),
            "INVALID_DATES",
        )
        .await;
    let closed = fixture
        .changes(
            "closeVacancy",
            "vacancy",
            "closedOn version",
            json!({ "id": vacancy["id"], "expectedVersion": 1, "closedOn": "2026-10-01" }),
        )
        .await;
    assert_eq!(closed, json!({ "closedOn": "2026-10-01", "version": 2 }));
    fixture.refuses("closeVacancy", json!({ "id": vacancy["id"], "expectedVersion": 2 }), "INVALID_TRANSITION").await;
}

#[tokio::test]
async fn leads_roles_and_teams_keep_one_holder_at_a_time() {
    let fixture = Fixture::new(20).await;
    let trust = fixture.organisation("NHS_TRUST", true).await;
    let leads = fixture.app.graphql_as(Some(&fixture.admin),
        r#"query($code: OdsCode!) { organisation(odsCode: $code) { ... on NhsTrust { consultantLeads(first: 100) { nodes { specialism validTo } } } } }"#,
        json!({ "code": trust })).await;
    let taken: Vec<String> = leads["data"]["organisation"]["consultantLeads"]["nodes"]
        .as_array()
        .expect("leads")
        .iter()
        .filter(|lead| lead["validTo"].as_str().is_none_or(|to| to >= "2026-09-01"))
        .filter_map(|lead| lead["specialism"].as_str().map(str::to_owned))
        .collect();
    let free = ["ANTIMICROBIALS", "CARDIOLOGY", "CRITICAL_CARE", "FRAILTY", "MENTAL_HEALTH", "ONCOLOGY", "PAEDIATRICS"]
        .into_iter()
        .find(|specialism| !taken.iter().any(|taken| taken == specialism))
        .expect("a free specialism");
    let consultant = fixture.pharmacist("9500031", "2010-07-01").await;
    let appoint = json!({ "pharmacistId": consultant, "trust": trust, "specialism": free, "validFrom": "2026-09-01" });
    let lead = fixture.changes("appointConsultantLead", "consultantLead", "id version validTo", appoint.clone()).await;
    fixture.refuses("appointConsultantLead", appoint, "LEAD_OVERLAP").await;
    let elsewhere = fixture.organisation("NHS_TRUST", false).await;
    fixture
        .refuses(
            "appointConsultantLead",
            json!({ "pharmacistId": consultant, "trust": elsewhere, "specialism": free,
        "validFrom": "2026-09-01" }),
            "NOT_FOUND",
        )
        .await;
    let role = fixture
        .changes(
            "assignProgrammeLead",
            "programmeLead",
            "id",
            json!({ "programmeId": fixture.programme, "consultantLeadId": lead["id"], "role": "CLINICAL",
            "validFrom": "2026-09-01" }),
        )
        .await;
    assert!(role["id"].is_string());
    fixture
        .refuses(
            "endConsultantLead",
            json!({ "id": lead["id"], "expectedVersion": 1, "validTo": "2026-08-01" }),
            "INVALID_DATES",
        )
        .await;
    let ended = fixture
        .changes(
            "endConsultantLead",
            "consultantLead",
            "validTo version",
            json!({ "id": lead["id"], "expectedVersion": 1, "validTo": "2027-08-31" }),
        )
        .await;
    assert_eq!(ended, json!({ "validTo": "2027-08-31", "version": 2 }));

    let held = fixture
        .app
        .graphql_as(
            Some(&fixture.admin),
            r#"{ organisation(odsCode: "T6Y0W") { ... on Icb {
        medicinesLeadership(asOf: "2026-12-01") { id version role } } } }"#,
            json!({}),
        )
        .await;
    let roles = held["data"]["organisation"]["medicinesLeadership"].as_array().expect("roles").clone();
    for current in roles.iter().filter(|role| role["role"] == "CHIEF_PHARMACIST") {
        fixture
            .changes(
                "endMedicinesRole",
                "role",
                "validTo",
                json!({ "id": current["id"], "expectedVersion": current["version"], "validTo": "2026-12-31" }),
            )
            .await;
    }
    let appoint =
        json!({ "icb": "T6Y0W", "role": "CHIEF_PHARMACIST", "holderName": "Jo Marsh", "validFrom": "2027-01-01" });
    let chief = fixture.changes("appointMedicinesRole", "role", "id version holderName", appoint.clone()).await;
    assert_eq!(chief["holderName"], "Jo Marsh");
    fixture.refuses("appointMedicinesRole", appoint, "ROLE_HELD").await;
    fixture
        .refuses(
            "appointMedicinesRole",
            json!({ "icb": "QMM", "role": "CHIEF_PHARMACIST", "holderName": "Jo Marsh",
        "validFrom": "2027-01-01" }),
            "NOT_FOUND",
        )
        .await;

    let team = fixture
        .changes(
            "createMedicinesOptimisationTeam",
            "team",
            "id version",
            json!({ "icb": "T6Y0W", "name": "High-cost drugs", "wte": 4.5, "establishedOn": "2026-04-01" }),
        )
        .await;
    fixture
        .refuses(
            "updateMedicinesOptimisationTeam",
            json!({ "id": team["id"], "expectedVersion": 1,
        "disbandedOn": "2026-01-01" }),
            "INVALID_DATES",
        )
        .await;
    let disbanded = fixture
        .changes(
            "updateMedicinesOptimisationTeam",
            "team",
            "disbandedOn version",
            json!({ "id": team["id"], "expectedVersion": 1, "disbandedOn": "2027-03-31" }),
        )
        .await;
    assert_eq!(disbanded, json!({ "disbandedOn": "2027-03-31", "version": 2 }));
    let reopened = fixture
        .changes(
            "updateMedicinesOptimisationTeam",
            "team",
            "disbandedOn focus wte version",
            json!({ "id": team["id"], "expectedVersion": 2, "disbandedOn": null, "wte": null }),
        )
        .await;
    assert_eq!(
        reopened,
        json!({ "disbandedOn": null, "focus": null, "wte": null, "version": 3 }),
        "null clears a field"
    );
    let unlimited = fixture
        .changes(
            "updateProgramme",
            "programme",
            "maxYearsSinceRegistration name version",
            json!({ "id": fixture.programme, "expectedVersion": 1, "maxYearsSinceRegistration": null }),
        )
        .await;
    assert_eq!(
        unlimited,
        json!({ "maxYearsSinceRegistration": null, "name": "STAR", "version": 2 }),
        "absent fields stay"
    );

    let viewer = token(Role::IcbViewer, &["T6Y0W"], None);
    let refused = fixture
        .app
        .graphql_as(
            Some(&viewer),
            &mutation("createMedicinesOptimisationTeam", "team", "id"),
            json!({ "input": { "icb": "T6Y0W", "name": "X", "establishedOn": "2026-04-01" } }),
        )
        .await;
    assert_eq!(crate::helpers::error_codes(&refused), ["FORBIDDEN"]);
}
