//! The database itself refuses rows that break the data model's rules, on both backends.

use crate::helpers::prepared_database;
use chrono::NaiveDate;
use entity::enums::{
    FundingSource, MembershipStatus, OrganisationKind, PlacementStatus, PostStatus, ProgrammeStatus,
    RegistrationStatus, RelationshipKind, Sector,
};
use entity::prelude::{AuditLog, Placement};
use entity::{
    audit_log, cohort, organisation, organisation_relationship, pharmacist, placement, programme_membership,
    rotation_programme, rotational_post,
};
use rotagraph::app::DemoData;
use rotagraph::reference::organisation_id;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait,
};
use uuid::Uuid;

fn day(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

fn organisation(kind: OrganisationKind, code: &str) -> organisation::Model {
    organisation::Model {
        version: 1,
        id: Uuid::new_v4(),
        ods_code: code.to_owned(),
        kind,
        name: format!("Test {code}"),
        gss_code: None,
        postcode: None,
        legal_start_date: Some(day("2000-01-01")),
        legal_end_date: None,
        is_foundation_trust: None,
        pharmacy_contract_type: None,
    }
}

fn pharmacist(gphc_number: &str) -> pharmacist::Model {
    pharmacist::Model {
        version: 1,
        managed_by_icb_id: None,
        id: Uuid::new_v4(),
        gphc_number: gphc_number.to_owned(),
        given_name: "Test".to_owned(),
        family_name: "Pharmacist".to_owned(),
        first_registered_on: day("2024-07-01"),
        registration_status: RegistrationStatus::Registered,
        independent_prescriber_since: None,
    }
}

async fn insert<M, A>(db: &DatabaseConnection, model: M) -> Result<(), DbErr>
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    model.into_active_model().insert(db).await.map(|_| ())
}

/// A programme of QMM with one cohort, one post at a pharmacy, and one pharmacist's membership.
struct Fixture {
    pharmacy: Uuid,
    pharmacist: Uuid,
    other_pharmacist: Uuid,
    membership: Uuid,
    post: Uuid,
}

async fn fixture(db: &DatabaseConnection) -> Fixture {
    let pharmacy = organisation(OrganisationKind::CommunityPharmacy, "FZ001");
    insert(db, pharmacy.clone()).await.expect("pharmacy");
    let programme = rotation_programme::Model {
        id: Uuid::new_v4(),
        code: "TEST".to_owned(),
        name: "Test rotation".to_owned(),
        description: None,
        owner_icb_id: organisation_id("QMM"),
        status: ProgrammeStatus::Active,
        min_duration_months: 24,
        max_duration_months: 30,
        requires_gphc_registration: true,
        max_years_since_registration: Some(3),
        version: 1,
    };
    insert(db, programme.clone()).await.expect("programme");
    let cohort = cohort::Model {
        version: 1,
        id: Uuid::new_v4(),
        programme_id: programme.id,
        label: "2025".to_owned(),
        intake_date: day("2025-09-01"),
        places_offered: 20,
        recruitment_opens_on: None,
        recruitment_closes_on: None,
    };
    insert(db, cohort.clone()).await.expect("cohort");
    let post = rotational_post::Model {
        version: 1,
        id: Uuid::new_v4(),
        cohort_id: cohort.id,
        post_number: "TEST-1".to_owned(),
        employer_id: pharmacy.id,
        afc_band: None,
        wte: 1.0,
        status: PostStatus::Filled,
        funding: FundingSource::ExistingVacancy,
        vacancy_id: None,
    };
    insert(db, post.clone()).await.expect("post");
    let member = pharmacist("9000001");
    let other = pharmacist("9000002");
    insert(db, member.clone()).await.expect("pharmacist");
    insert(db, other.clone()).await.expect("other pharmacist");
    let membership = membership(member.id, cohort.id, Some(post.id));
    insert(db, membership.clone()).await.expect("membership");
    Fixture {
        pharmacy: pharmacy.id,
        pharmacist: member.id,
        other_pharmacist: other.id,
        membership: membership.id,
        post: post.id,
    }
}

fn membership(pharmacist: Uuid, cohort: Uuid, post: Option<Uuid>) -> programme_membership::Model {
    programme_membership::Model {
        version: 1,
        id: Uuid::new_v4(),
        pharmacist_id: pharmacist,
        cohort_id: cohort,
        post_id: post,
        status: MembershipStatus::Active,
        offered_on: day("2025-04-01"),
        accepted_on: Some(day("2025-05-01")),
        start_date: day("2025-09-01"),
        planned_end_date: day("2027-08-31"),
        actual_end_date: None,
        leaving_reason: None,
        eligibility_checked_on: Some(day("2025-05-01")),
        eligibility_passed: Some(true),
        eligibility_override_reason: None,
    }
}

fn placement(fixture: &Fixture, start: &str, end: &str) -> placement::Model {
    placement::Model {
        version: 1,
        id: Uuid::new_v4(),
        membership_id: fixture.membership,
        pharmacist_id: fixture.pharmacist,
        post_id: Some(fixture.post),
        host_id: fixture.pharmacy,
        sector: Sector::CommunityPharmacy,
        start_date: day(start),
        end_date: day(end),
        wte: 1.0,
        status: PlacementStatus::Approved,
        host_icb_id: Some(organisation_id("QMM")),
        is_cross_icb: false,
    }
}

#[tokio::test]
async fn organisations_whose_ods_code_does_not_fit_their_kind_or_is_taken_are_rejected() {
    let test_db = prepared_database(DemoData::Skip).await;
    let db = &test_db.db;

    let rejected = [
        organisation(OrganisationKind::CommunityPharmacy, "F81749"),
        organisation(OrganisationKind::GpPractice, "FW844"),
        organisation(OrganisationKind::Icb, "QMMM"),
        organisation(OrganisationKind::NhsTrust, "rgn"),
        organisation(OrganisationKind::Pcn, "U5998"),
        organisation(OrganisationKind::Region, "Y6A"),
        organisation(OrganisationKind::TrustSite, "RGN1"),
        organisation(OrganisationKind::SubIcbLocation, "2A6"),
        organisation(OrganisationKind::Icb, "QMM"),
        organisation::Model { is_foundation_trust: Some(true), ..organisation(OrganisationKind::GpPractice, "A83008") },
        organisation::Model { name: "  ".to_owned(), ..organisation(OrganisationKind::GpPractice, "A83009") },
        organisation::Model {
            version: 1,
            legal_end_date: Some(day("1999-12-31")),
            ..organisation(OrganisationKind::GpPractice, "A83010")
        },
    ];
    for row in rejected {
        let code = row.ods_code.clone();
        assert!(insert(db, row).await.is_err(), "{code} should be rejected");
    }

    let accepted = [
        organisation(OrganisationKind::CommunityPharmacy, "FW844"),
        organisation(OrganisationKind::GpPractice, "F81749"),
        organisation::Model { is_foundation_trust: Some(true), ..organisation(OrganisationKind::NhsTrust, "RGN") },
        organisation(OrganisationKind::TrustSite, "RGN01"),
        organisation(OrganisationKind::Pcn, "U59980"),
        organisation(OrganisationKind::SubIcbLocation, "26A"),
    ];
    for row in accepted {
        let code = row.ods_code.clone();
        insert(db, row).await.unwrap_or_else(|error| panic!("{code} should be accepted: {error}"));
    }
}

#[tokio::test]
async fn pharmacists_with_malformed_or_duplicate_gphc_numbers_are_rejected() {
    let test_db = prepared_database(DemoData::Skip).await;
    let db = &test_db.db;
    insert(db, pharmacist("2033467")).await.expect("a valid GPhC number");

    for bad in ["203346", "20334678", "203346A", " 2033468", "", "2033467"] {
        assert!(insert(db, pharmacist(bad)).await.is_err(), "{bad:?} should be rejected");
    }
    let blank_name = pharmacist::Model { family_name: String::new(), ..pharmacist("2033469") };
    assert!(insert(db, blank_name).await.is_err());
    let prescriber_before_registration =
        pharmacist::Model { independent_prescriber_since: Some(day("2020-01-01")), ..pharmacist("2033470") };
    assert!(insert(db, prescriber_before_registration).await.is_err());
    assert_eq!(entity::prelude::Pharmacist::find().count(db).await.expect("count"), 1);
}

#[tokio::test]
async fn rows_breaking_dates_counts_statuses_and_references_are_rejected() {
    let test_db = prepared_database(DemoData::Skip).await;
    let db = &test_db.db;
    let fixture = fixture(db).await;
    let placements_before = Placement::find().count(db).await.expect("count");

    assert!(insert(db, placement(&fixture, "2026-03-01", "2026-02-28")).await.is_err(), "end before start");
    assert!(
        insert(db, placement::Model { wte: 1.5, ..placement(&fixture, "2025-09-01", "2026-02-28") }).await.is_err(),
        "WTE above 1"
    );
    assert!(
        insert(db, placement::Model { host_id: Uuid::new_v4(), ..placement(&fixture, "2025-09-01", "2026-02-28") })
            .await
            .is_err(),
        "unknown host"
    );
    assert!(
        insert(
            db,
            placement::Model {
                version: 1,
                pharmacist_id: fixture.other_pharmacist,
                ..placement(&fixture, "2025-09-01", "2026-02-28")
            }
        )
        .await
        .is_err(),
        "pharmacist differs from the membership's"
    );
    assert!(
        insert(
            db,
            placement::Model { post_id: Some(Uuid::new_v4()), ..placement(&fixture, "2025-09-01", "2026-02-28") }
        )
        .await
        .is_err(),
        "post differs from the membership's"
    );
    assert_eq!(Placement::find().count(db).await.expect("count"), placements_before);
    insert(db, placement(&fixture, "2025-09-01", "2026-02-28")).await.expect("a valid placement");

    let withdrawn_without_reason = programme_membership::Model {
        version: 1,
        status: MembershipStatus::Withdrawn,
        ..membership(fixture.other_pharmacist, cohort_of(db, &fixture).await, None)
    };
    assert!(insert(db, withdrawn_without_reason).await.is_err(), "withdrawn without a leaving reason");
    let ends_before_start = programme_membership::Model {
        version: 1,
        planned_end_date: day("2025-08-31"),
        ..membership(fixture.other_pharmacist, cohort_of(db, &fixture).await, None)
    };
    assert!(insert(db, ends_before_start).await.is_err(), "membership ends before it starts");
    let ineligible_without_override = programme_membership::Model {
        version: 1,
        eligibility_passed: Some(false),
        ..membership(fixture.other_pharmacist, cohort_of(db, &fixture).await, None)
    };
    assert!(insert(db, ineligible_without_override).await.is_err(), "ineligible without an override reason");
    let twice_in_cohort = membership(fixture.pharmacist, cohort_of(db, &fixture).await, None);
    assert!(insert(db, twice_in_cohort).await.is_err(), "one membership per pharmacist and cohort");
    let second_active_on_post = membership(fixture.other_pharmacist, cohort_of(db, &fixture).await, Some(fixture.post));
    assert!(insert(db, second_active_on_post).await.is_err(), "one active member per post");

    let unknown_kind = db
        .execute_unprepared(&format!(
            "UPDATE organisation SET kind = 'HOSPITAL' WHERE ods_code = 'FZ001' AND id IS NOT NULL{}",
            ""
        ))
        .await;
    assert!(unknown_kind.is_err(), "unknown organisation kind");
    let no_places = db.execute_unprepared("UPDATE cohort SET places_offered = 0").await;
    assert!(no_places.is_err(), "a cohort offers at least one place");
    let inverted_duration =
        db.execute_unprepared("UPDATE rotation_programme SET max_duration_months = 12 WHERE code = 'TEST'").await;
    assert!(inverted_duration.is_err(), "maximum duration below the minimum");
    let inverted_link = organisation_relationship::Model {
        id: Uuid::new_v4(),
        child_id: fixture.pharmacy,
        parent_id: organisation_id("QMM"),
        kind: RelationshipKind::InIcb,
        valid_from: day("2024-01-01"),
        valid_to: Some(day("2023-01-01")),
    };
    assert!(insert(db, inverted_link).await.is_err(), "relationship ends before it starts");
}

async fn cohort_of(db: &DatabaseConnection, fixture: &Fixture) -> Uuid {
    programme_membership_row(db, fixture.membership).await.cohort_id
}

async fn programme_membership_row(db: &DatabaseConnection, id: Uuid) -> programme_membership::Model {
    entity::prelude::ProgrammeMembership::find_by_id(id).one(db).await.expect("query").expect("membership exists")
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes() {
    let test_db = prepared_database(DemoData::Skip).await;
    let db = &test_db.db;
    let row = audit_log::Model {
        id: Uuid::new_v4(),
        occurred_at: chrono::Utc::now(),
        actor: "system".to_owned(),
        actor_icb: None,
        operation: "test".to_owned(),
        entity_type: "organisation".to_owned(),
        entity_id: Uuid::new_v4(),
        before: None,
        after: Some(serde_json::json!({ "name": "after" })),
        request_id: None,
    };
    insert(db, row).await.expect("appending is allowed");

    assert!(db.execute_unprepared("UPDATE audit_log SET actor = 'someone else'").await.is_err());
    assert!(db.execute_unprepared("DELETE FROM audit_log").await.is_err());
    assert_eq!(AuditLog::find().count(db).await.expect("count"), 1);
}

/// Overlap rules that only PostgreSQL can hold in the schema (exclusion constraints); on SQLite they are
/// the services' job (the write API), so this test checks PostgreSQL only.
#[tokio::test]
async fn postgres_refuses_overlapping_approved_placements_and_overlapping_icb_memberships() {
    let test_db = prepared_database(DemoData::Skip).await;
    if test_db.backend() != DbBackend::Postgres {
        return;
    }
    let db = &test_db.db;
    let fixture = fixture(db).await;
    insert(db, placement(&fixture, "2025-09-01", "2026-02-28")).await.expect("first placement");

    let overlapping = insert(db, placement(&fixture, "2026-02-28", "2026-08-31")).await;
    let planned_overlap = insert(
        db,
        placement::Model { status: PlacementStatus::Planned, ..placement(&fixture, "2026-01-01", "2026-03-31") },
    )
    .await;
    let next = insert(db, placement(&fixture, "2026-03-01", "2026-08-31")).await;

    assert!(overlapping.is_err(), "approved placements of one pharmacist (inclusive dates) must not overlap");
    assert!(planned_overlap.is_ok(), "a planned placement may overlap while it is being planned");
    assert!(next.is_ok(), "back-to-back placements are fine");

    let link = |from: &str, to: Option<&str>| organisation_relationship::Model {
        id: Uuid::new_v4(),
        child_id: fixture.pharmacy,
        parent_id: organisation_id("QMM"),
        kind: RelationshipKind::InIcb,
        valid_from: day(from),
        valid_to: to.map(day),
    };
    insert(db, link("2022-07-01", Some("2026-03-31"))).await.expect("first ICB membership");
    assert!(insert(db, link("2026-03-01", None)).await.is_err(), "two ICBs at once");
    insert(db, link("2026-04-01", None)).await.expect("the next ICB membership");
}
