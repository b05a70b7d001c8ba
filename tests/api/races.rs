//! Races through the real server: many clients at once, each rule still holds on both backends.

use crate::rotations::{ACCEPT, APPROVE, CREATE_PHARMACIST, Fixture, UPDATE_COHORT, call, codes, ok};
use entity::prelude::{Pharmacist, Placement, ProgrammeMembership};
use entity::{enums, placement, programme_membership};
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

/// How many succeeded and the codes of the rest.
fn tally(payloads: &[Value]) -> (usize, Vec<String>) {
    let succeeded = payloads.iter().filter(|payload| payload["userErrors"] == json!([])).count();
    let mut refused: Vec<String> = payloads.iter().flat_map(codes).collect();
    refused.sort();
    refused.dedup();
    (succeeded, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_accepting_into_a_cohort_with_one_place_left_one_succeeds() {
    let fixture = Fixture::new(2).await;
    fixture.accepted("9200000").await;
    let mut offers = Vec::new();
    for number in 1..=50 {
        let pharmacist = fixture.pharmacist(&format!("92{number:05}"), "2025-07-01").await;
        offers.push(fixture.offered(&pharmacist).await);
    }

    let accepts = offers.iter().map(|offer| {
        let input = json!({ "input": { "id": offer["id"], "expectedVersion": 1, "acceptedOn": "2026-06-15" } });
        call(&fixture.app, &fixture.admin, ACCEPT, input, "acceptMembership")
    });
    let payloads = join_all(accepts).await;

    assert_eq!(tally(&payloads), (1, vec!["COHORT_FULL".to_owned()]));
    let taken = ProgrammeMembership::find()
        .filter(programme_membership::Column::Status.eq(enums::MembershipStatus::Accepted))
        .count(fixture.app.db())
        .await
        .expect("count");
    assert_eq!(taken, 2, "the cohort's two places, no more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_approvals_of_overlapping_placements_approve_at_most_one() {
    let fixture = Fixture::new(20).await;
    let member = fixture.accepted("9300001").await;
    let mut planned = Vec::new();
    for month in 1..=12 {
        let start = format!("2027-{month:02}-01");
        let payload = fixture.plan(&member, &fixture.practice, "GENERAL_PRACTICE", &start, "2028-01-31").await;
        planned.push(ok(&payload, "placement").clone());
    }

    let approved_count = async || {
        Placement::find()
            .filter(placement::Column::Status.eq(enums::PlacementStatus::Approved))
            .count(fixture.app.db())
            .await
            .expect("count")
    };
    let before = approved_count().await;

    let approvals = planned.iter().map(|placement| {
        let input = json!({ "input": { "id": placement["id"], "expectedVersion": placement["version"] } });
        call(&fixture.app, &fixture.admin, APPROVE, input, "approvePlacement")
    });
    let payloads = join_all(approvals).await;

    assert_eq!(tally(&payloads), (1, vec!["PHARMACIST_OVERLAP".to_owned()]));
    assert_eq!(approved_count().await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_with_the_same_expected_version_one_succeeds() {
    let fixture = Fixture::new(20).await;
    let updates = (21..=40).map(|places| {
        let input = json!({ "input": { "id": fixture.cohort, "expectedVersion": 1, "placesOffered": places } });
        call(&fixture.app, &fixture.admin, UPDATE_COHORT, input, "updateCohort")
    });
    let payloads = join_all(updates).await;

    assert_eq!(tally(&payloads), (1, vec!["STALE_VERSION".to_owned()]));
    let winner = payloads.iter().find(|payload| payload["userErrors"] == json!([])).expect("a winner");
    assert_eq!(winner["cohort"]["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_idempotency_key_sent_concurrently_creates_one_row() {
    let fixture = Fixture::new(20).await;
    let before = Pharmacist::find().count(fixture.app.db()).await.expect("count");
    let input = json!({ "input": {
        "gphcNumber": "9400001", "givenName": "Ada", "familyName": "Test", "firstRegisteredOn": "2025-07-01",
        "managingIcb": "T6Y0W", "idempotencyKey": "create-9400001" } });
    let creates =
        (0..20).map(|_| call(&fixture.app, &fixture.admin, CREATE_PHARMACIST, input.clone(), "createPharmacist"));
    let payloads = join_all(creates).await;

    assert_eq!(tally(&payloads).1, Vec::<String>::new(), "every retry answers with the first result");
    let ids: Vec<&Value> = payloads.iter().map(|payload| &payload["pharmacist"]["id"]).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && id.is_string()), "{ids:?}");
    assert_eq!(Pharmacist::find().count(fixture.app.db()).await.expect("count"), before + 1);
}
