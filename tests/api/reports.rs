//! Reports, checked against figures worked out by hand on a small fixed network that spans the
//! 2026-04-01 mergers: a programme of Norfolk and Waveney (QMM, merged into T6Y0W) with cohorts before
//! and after the merger, one of Suffolk and North East Essex (QJG, split between D7T5G and T6Y0W), and
//! one of Birmingham and Solihull (QHL, continuing, in the Midlands).

use crate::helpers::{TestApp, error_codes, spawn_app, token};
use chrono::NaiveDate;
use entity::enums::{
    MembershipStatus, OrganisationKind, PlacementStatus, ProgrammeStatus, RegistrationStatus, RelationshipKind, Sector,
};
use entity::{
    cohort, organisation, organisation_relationship, pharmacist, placement, programme_membership, rotation_programme,
};
use rotagraph::app::DemoData;
use rotagraph::reference::organisation_id;
use rotagraph::services::access::Role;
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel};
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) fn day(text: &str) -> NaiveDate {
    text.parse().expect("date")
}

/// A registered pharmacist in the synthetic GPhC range.
pub(crate) fn test_pharmacist(family_name: &str) -> pharmacist::Model {
    pharmacist::Model {
        version: 1,
        managed_by_icb_id: None,
        id: Uuid::new_v4(),
        gphc_number: format!("9{:06}", rand_number()),
        given_name: "Test".to_owned(),
        family_name: family_name.to_owned(),
        first_registered_on: day("2024-07-01"),
        registration_status: RegistrationStatus::Registered,
        independent_prescriber_since: None,
    }
}

/// Inserts a programme of `owner` with one cohort per (intake, places, statuses of its members).
async fn programme(
    db: &DatabaseConnection,
    code: &str,
    owner: &str,
    cohorts: &[(&str, i32, &[MembershipStatus])],
) -> Vec<Uuid> {
    let mut cohort_ids = Vec::new();
    let programme = rotation_programme::Model {
        id: Uuid::new_v4(),
        code: code.to_owned(),
        name: format!("{code} rotation"),
        description: None,
        owner_icb_id: organisation_id(owner),
        status: ProgrammeStatus::Active,
        min_duration_months: 24,
        max_duration_months: 30,
        requires_gphc_registration: true,
        max_years_since_registration: Some(3),
        version: 1,
    };
    programme.clone().into_active_model().insert(db).await.expect("programme");
    for (intake, places, statuses) in cohorts {
        let cohort = cohort::Model {
            version: 1,
            id: Uuid::new_v4(),
            programme_id: programme.id,
            label: (*intake).to_owned(),
            intake_date: day(intake),
            places_offered: *places,
            recruitment_opens_on: None,
            recruitment_closes_on: None,
        };
        cohort.clone().into_active_model().insert(db).await.expect("cohort");
        cohort_ids.push(cohort.id);
        for status in *statuses {
            let person = test_pharmacist("Member");
            person.clone().into_active_model().insert(db).await.expect("pharmacist");
            let answered = !matches!(status, MembershipStatus::Offered | MembershipStatus::Withdrawn);
            programme_membership::Model {
                version: 1,
                id: Uuid::new_v4(),
                pharmacist_id: person.id,
                cohort_id: cohort.id,
                post_id: None,
                status: *status,
                offered_on: day("2024-01-01"),
                accepted_on: answered.then(|| day("2024-02-01")),
                start_date: day(intake),
                planned_end_date: day(intake) + chrono::Duration::days(730),
                actual_end_date: matches!(status, MembershipStatus::Completed | MembershipStatus::Withdrawn)
                    .then(|| day(intake) + chrono::Duration::days(30)),
                leaving_reason: (*status == MembershipStatus::Withdrawn).then(|| "Moved away".to_owned()),
                eligibility_checked_on: None,
                eligibility_passed: None,
                eligibility_override_reason: None,
            }
            .into_active_model()
            .insert(db)
            .await
            .expect("membership");
        }
    }
    cohort_ids
}

fn rand_number() -> u32 {
    u32::from_le_bytes(Uuid::new_v4().as_bytes()[..4].try_into().unwrap_or_default()) % 1_000_000
}

async fn fixed_network() -> TestApp {
    use MembershipStatus::{Accepted, Active, Completed, Offered, Withdrawn};
    let app = spawn_app(DemoData::Skip).await;
    let db = app.db();
    programme(
        db,
        "NW",
        "QMM",
        &[
            (
                "2025-09-01",
                10,
                &[Active, Active, Active, Active, Active, Active, Completed, Completed, Withdrawn, Offered],
            ),
            ("2026-09-01", 8, &[Accepted, Accepted, Accepted, Offered, Offered]),
        ],
    )
    .await;
    programme(db, "SNE", "QJG", &[("2025-03-01", 6, &[Active, Active, Active, Active, Active, Withdrawn])]).await;
    programme(db, "BSOL", "QHL", &[("2025-09-01", 5, &[Completed, Completed, Completed, Completed])]).await;
    app
}

const FILL_RATE: &str = r#"query($groupBy: CohortGroupBy, $resolution: IcbResolution, $filter: ReportFilterInput) {
    reports { fillRate(groupBy: $groupBy, icbResolution: $resolution, filter: $filter) {
        group { id code name } placesOffered
        offered { value suppressed } accepted { value suppressed } active { value suppressed }
        completed { value suppressed } withdrawn { value suppressed } fillRate { value suppressed } } } }"#;

/// (code, places, offered, accepted, active, completed, withdrawn, fill rate) of a row; suppressed
/// figures are -1.
type Figures = (String, i64, i64, i64, i64, i64, i64, f64);

fn figures(response: &Value) -> Vec<Figures> {
    let value = |cell: &Value| if cell["suppressed"] == true { -1 } else { cell["value"].as_i64().unwrap_or(-2) };
    response["data"]["reports"]["fillRate"]
        .as_array()
        .unwrap_or_else(|| panic!("{response}"))
        .iter()
        .map(|row| {
            let rate = if row["fillRate"]["suppressed"] == true {
                -1.0
            } else {
                row["fillRate"]["value"].as_f64().unwrap_or(-2.0)
            };
            (
                row["group"]["code"].as_str().unwrap_or_default().to_owned(),
                row["placesOffered"].as_i64().unwrap_or(-2),
                value(&row["offered"]),
                value(&row["accepted"]),
                value(&row["active"]),
                value(&row["completed"]),
                value(&row["withdrawn"]),
                (rate * 1000.0).round() / 1000.0,
            )
        })
        .collect()
}

fn row(code: &str, places: i64, counts: [i64; 5], rate: f64) -> Figures {
    let [offered, accepted, active, completed, withdrawn] = counts;
    (code.to_owned(), places, offered, accepted, active, completed, withdrawn, (rate * 1000.0).round() / 1000.0)
}

#[tokio::test]
async fn fill_rates_by_cohort_programme_icb_and_region_for_both_icb_resolutions() {
    let app = fixed_network().await;
    let national = token(Role::National, &[], None);
    let run = |group_by: &str, resolution: &str| {
        let variables = json!({ "groupBy": group_by, "resolution": resolution, "filter": { "asOf": "2026-11-01" } });
        let app = &app;
        let national = national.clone();
        async move { figures(&app.graphql_as(Some(&national), FILL_RATE, variables).await) }
    };

    assert_eq!(
        run("COHORT", "AT_EVENT").await,
        [
            row("BSOL 2025-09-01", 5, [0, 0, 0, 4, 0], 0.8),
            row("NW 2025-09-01", 10, [1, 0, 6, 2, 1], 0.8),
            row("NW 2026-09-01", 8, [2, 3, 0, 0, 0], 0.375),
            row("SNE 2025-03-01", 6, [0, 0, 5, 0, 1], 5.0 / 6.0),
        ]
    );
    assert_eq!(
        run("PROGRAMME", "AT_EVENT").await,
        [
            row("BSOL", 5, [0, 0, 0, 4, 0], 0.8),
            row("NW", 18, [3, 3, 6, 2, 1], 11.0 / 18.0),
            row("SNE", 6, [0, 0, 5, 0, 1], 5.0 / 6.0)
        ]
    );
    // On the intake day: QMM's 2025 cohort is QMM's, its 2026 cohort is already Norfolk and Suffolk's.
    assert_eq!(
        run("ICB", "AT_EVENT").await,
        [
            row("QHL", 5, [0, 0, 0, 4, 0], 0.8),
            row("QJG", 6, [0, 0, 5, 0, 1], 5.0 / 6.0),
            row("QMM", 10, [1, 0, 6, 2, 1], 0.8),
            row("T6Y0W", 8, [2, 3, 0, 0, 0], 0.375),
        ]
    );
    // Rolled up: QMM's cohorts both belong to T6Y0W; QJG was split, so it is not rolled up as a whole.
    assert_eq!(
        run("ICB", "CURRENT_SUCCESSOR").await,
        [
            row("QHL", 5, [0, 0, 0, 4, 0], 0.8),
            row("QJG", 6, [0, 0, 5, 0, 1], 5.0 / 6.0),
            row("T6Y0W", 18, [3, 3, 6, 2, 1], 11.0 / 18.0),
        ]
    );
    assert_eq!(
        run("REGION", "AT_EVENT").await,
        [row("Y60", 5, [0, 0, 0, 4, 0], 0.8), row("Y61", 24, [3, 3, 11, 2, 2], 16.0 / 24.0)]
    );
    assert_eq!(run("REGION", "CURRENT_SUCCESSOR").await, run("REGION", "AT_EVENT").await);
}

#[tokio::test]
async fn fill_rate_filters_scopes_and_suppression() {
    let app = fixed_network().await;
    let national = token(Role::National, &[], None);
    let viewer = token(Role::IcbViewer, &["T6Y0W"], None);
    let reporter = token(Role::Reporter, &[], None);
    let query = |group_by: &str, resolution: &str, filter: Value| json!({ "groupBy": group_by, "resolution": resolution, "filter": filter });

    let t6y0w = figures(
        &app.graphql_as(
            Some(&national),
            FILL_RATE,
            query("ICB", "CURRENT_SUCCESSOR", json!({ "icb": ["T6Y0W"], "asOf": "2026-11-01" })),
        )
        .await,
    );
    let midlands = figures(
        &app.graphql_as(Some(&national), FILL_RATE, query("ICB", "AT_EVENT", json!({ "region": ["Y60"] }))).await,
    );
    let in_2025 = figures(
        &app.graphql_as(
            Some(&national),
            FILL_RATE,
            query("COHORT", "AT_EVENT", json!({ "from": "2025-06-01", "to": "2025-12-31" })),
        )
        .await,
    );
    let own = figures(&app.graphql_as(Some(&viewer), FILL_RATE, query("PROGRAMME", "AT_EVENT", json!({}))).await);
    let exact = figures(&app.graphql_as(Some(&national), FILL_RATE, query("COHORT", "AT_EVENT", json!({}))).await);
    let reported = figures(&app.graphql_as(Some(&reporter), FILL_RATE, query("COHORT", "AT_EVENT", json!({}))).await);
    let suppressed = figures(&app.graphql(FILL_RATE, query("COHORT", "AT_EVENT", json!({}))).await);
    let anonymous = figures(&app.graphql(FILL_RATE, query("PROGRAMME", "AT_EVENT", json!({}))).await);
    let inverted =
        app.graphql(FILL_RATE, query("COHORT", "AT_EVENT", json!({ "from": "2026-01-01", "to": "2025-01-01" }))).await;

    assert_eq!(t6y0w, [row("T6Y0W", 18, [3, 3, 6, 2, 1], 11.0 / 18.0)]);
    assert_eq!(midlands, [row("QHL", 5, [0, 0, 0, 4, 0], 0.8)]);
    assert_eq!(in_2025.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["BSOL 2025-09-01", "NW 2025-09-01"]);
    assert_eq!(own.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["NW", "SNE"], "T6Y0W answers for QMM and QJG");
    // A reporter lists the memberships these figures count, so it gets them exactly.
    assert_eq!(reported, exact);
    assert_eq!(exact.len(), 4, "{exact:?}");
    // Anonymously, below 5 is suppressed, and so is the rate derived from a suppressed count; the rest is
    // rounded to 5s (6 active members are published as 5); places are public.
    assert_eq!(
        suppressed,
        [
            row("BSOL 2025-09-01", 5, [-1, -1, -1, -1, -1], -1.0),
            row("NW 2025-09-01", 10, [-1, -1, 5, -1, -1], -1.0),
            row("NW 2026-09-01", 8, [-1, -1, -1, -1, -1], -1.0),
            row("SNE 2025-03-01", 6, [-1, -1, 5, -1, -1], -1.0),
        ]
    );
    assert_eq!(
        anonymous,
        [
            row("BSOL", 5, [-1, -1, -1, -1, -1], -1.0),
            row("NW", 18, [-1, -1, 5, -1, -1], -1.0),
            row("SNE", 6, [-1, -1, 5, -1, -1], -1.0)
        ]
    );
    assert_eq!(error_codes(&inverted), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn the_csv_download_equals_the_graphql_answer() {
    let app = fixed_network().await;
    for (role, token) in [("national", Some(token(Role::National, &[], None))), ("anonymous", None)] {
        let graphql = app
            .graphql_as(
                token.as_deref(),
                FILL_RATE,
                json!({ "groupBy": "ICB", "resolution": "CURRENT_SUCCESSOR", "filter": { "asOf": "2026-11-01" } }),
            )
            .await;
        let mut request = app
            .client
            .get(app.url("/reports/fill-rate.csv?groupBy=ICB&icbResolution=CURRENT_SUCCESSOR&asOf=2026-11-01"));
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("csv");
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/csv"));
        let body = response.text().await.expect("body");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
        assert_eq!(header[..4], ["group_id", "group_code", "group_name", "places_offered"]);
        let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("records");
        let rows = graphql["data"]["reports"]["fillRate"].as_array().cloned().unwrap_or_default();
        assert_eq!(records.len(), rows.len(), "{role}");
        for (record, row) in records.iter().zip(&rows) {
            let cell = |value: &Value| {
                if value["suppressed"] == true { "*".to_owned() } else { value["value"].to_string() }
            };
            let expected = [
                row["group"]["id"].as_str().unwrap_or_default().to_owned(),
                row["group"]["code"].as_str().unwrap_or_default().to_owned(),
                row["group"]["name"].as_str().unwrap_or_default().to_owned(),
                row["placesOffered"].to_string(),
                cell(&row["offered"]),
                cell(&row["accepted"]),
                cell(&row["active"]),
                cell(&row["completed"]),
                cell(&row["withdrawn"]),
                cell(&row["fillRate"]),
            ];
            assert_eq!(
                record.iter().collect::<Vec<_>>(),
                expected.iter().map(String::as_str).collect::<Vec<_>>(),
                "{role}"
            );
        }
    }

    let unknown = app.client.get(app.url("/reports/fill-rate.csv?groupBy=NOPE")).send().await.expect("csv");
    let missing = app.client.get(app.url("/reports/no-such-report.csv")).send().await.expect("csv");
    assert_eq!(unknown.status(), 400);
    assert_eq!(missing.status(), 404);
}

/// An organisation of `kind` with its dated ICB links (ODS code of the ICB, first day, last day).
pub(crate) async fn host(
    db: &DatabaseConnection,
    kind: OrganisationKind,
    code: &str,
    links: &[(&str, &str, Option<&str>)],
) -> Uuid {
    let id = organisation_id(code);
    organisation::Model {
        version: 1,
        id,
        ods_code: code.to_owned(),
        kind,
        name: format!("Host {code}"),
        gss_code: None,
        postcode: None,
        legal_start_date: Some(day("2000-01-01")),
        legal_end_date: None,
        is_foundation_trust: None,
        pharmacy_contract_type: None,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("host");
    for (icb, from, to) in links {
        organisation_relationship::Model {
            id: Uuid::new_v4(),
            child_id: id,
            parent_id: organisation_id(icb),
            kind: RelationshipKind::InIcb,
            valid_from: day(from),
            valid_to: to.map(day),
        }
        .into_active_model()
        .insert(db)
        .await
        .expect("link");
    }
    id
}

/// A member of `cohort` with one placement at `host` starting on `start` (six months), hosted by `host_icb`.
async fn placed(
    db: &DatabaseConnection,
    cohort: Uuid,
    host: Uuid,
    host_icb: &str,
    start: &str,
    wte: f64,
    status: PlacementStatus,
) {
    let person = test_pharmacist("Placed");
    person.clone().into_active_model().insert(db).await.expect("pharmacist");
    let membership = programme_membership::Model {
        version: 1,
        id: Uuid::new_v4(),
        pharmacist_id: person.id,
        cohort_id: cohort,
        post_id: None,
        status: MembershipStatus::Active,
        offered_on: day("2024-01-01"),
        accepted_on: Some(day("2024-02-01")),
        start_date: day("2025-03-01"),
        planned_end_date: day("2027-08-31"),
        actual_end_date: None,
        leaving_reason: None,
        eligibility_checked_on: None,
        eligibility_passed: None,
        eligibility_override_reason: None,
    };
    membership.clone().into_active_model().insert(db).await.expect("membership");
    placement::Model {
        version: 1,
        id: Uuid::new_v4(),
        membership_id: membership.id,
        pharmacist_id: person.id,
        post_id: None,
        host_id: host,
        sector: Sector::CommunityPharmacy,
        start_date: day(start),
        end_date: day(start) + chrono::Duration::days(180),
        wte,
        status,
        host_icb_id: Some(organisation_id(host_icb)),
        is_cross_icb: false,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("placement");
}

/// NW (owned by QMM) places members at a Suffolk pharmacy (QJG until the merger, T6Y0W after) and at a
/// Birmingham practice (QHL); SNE (owned by QJG, split) places two at the practice.
async fn flow_network() -> TestApp {
    use PlacementStatus::{Approved, Cancelled, Planned};
    let app = spawn_app(DemoData::Skip).await;
    let db = app.db();
    let nw = programme(db, "NW", "QMM", &[("2025-03-01", 20, &[])]).await[0];
    let sne = programme(db, "SNE", "QJG", &[("2025-03-01", 20, &[])]).await[0];
    let pharmacy = host(
        db,
        OrganisationKind::CommunityPharmacy,
        "FZ001",
        &[("QJG", "2022-07-01", Some("2026-03-31")), ("T6Y0W", "2026-04-01", None)],
    )
    .await;
    let practice = host(db, OrganisationKind::GpPractice, "Z00001", &[("QHL", "2022-07-01", None)]).await;
    for wte in [1.0, 1.0, 1.0, 1.0, 0.8, 0.8] {
        placed(db, nw, pharmacy, "QJG", "2025-10-01", wte, Approved).await;
    }
    for _ in 0..5 {
        placed(db, nw, practice, "QHL", "2026-05-01", 1.0, Planned).await;
    }
    placed(db, nw, practice, "QHL", "2026-05-01", 1.0, Cancelled).await;
    for _ in 0..2 {
        placed(db, nw, pharmacy, "T6Y0W", "2026-06-01", 1.0, Approved).await;
    }
    for _ in 0..2 {
        placed(db, sne, practice, "QHL", "2025-06-01", 0.6, Approved).await;
    }
    app
}

const FLOWS: &str = r#"query($resolution: IcbResolution, $filter: ReportFilterInput) {
    reports { crossIcbFlows(icbResolution: $resolution, filter: $filter) {
        owner { code } host { code } placements { value suppressed } wte { value suppressed } } } }"#;

/// (owner, host, placements, WTE) of each flow; suppressed figures are -1.
fn flows(response: &Value) -> Vec<(String, String, i64, f64)> {
    response["data"]["reports"]["crossIcbFlows"]
        .as_array()
        .unwrap_or_else(|| panic!("{response}"))
        .iter()
        .map(|row| {
            let placements = if row["placements"]["suppressed"] == true {
                -1
            } else {
                row["placements"]["value"].as_i64().unwrap_or(-2)
            };
            let wte =
                if row["wte"]["suppressed"] == true { -1.0 } else { row["wte"]["value"].as_f64().unwrap_or(-2.0) };
            (
                row["owner"]["code"].as_str().unwrap_or_default().to_owned(),
                row["host"]["code"].as_str().unwrap_or_default().to_owned(),
                placements,
                wte,
            )
        })
        .collect()
}

fn flow(owner: &str, host: &str, placements: i64, wte: f64) -> (String, String, i64, f64) {
    (owner.to_owned(), host.to_owned(), placements, wte)
}

#[tokio::test]
async fn cross_icb_flows_for_both_icb_resolutions_with_scope_filters_suppression_and_csv() {
    let app = flow_network().await;
    let national = token(Role::National, &[], None);
    let reporter = token(Role::Reporter, &[], None);
    let birmingham = token(Role::IcbViewer, &["QHL"], None);
    let run = |token: Option<String>, resolution: &'static str, filter: Value| {
        let app = &app;
        async move {
            flows(&app.graphql_as(token.as_deref(), FLOWS, json!({ "resolution": resolution, "filter": filter })).await)
        }
    };
    let as_of = json!({ "asOf": "2026-11-01" });

    // On the first day: QMM → QJG before the merger, T6Y0W → QHL after; the pharmacy's own ICB after the
    // merger is T6Y0W, the owner's too, so those two placements do not cross; cancelled ones never count.
    assert_eq!(
        run(Some(national.clone()), "AT_EVENT", as_of.clone()).await,
        [flow("QJG", "QHL", 2, 1.2), flow("QMM", "QJG", 6, 5.6), flow("T6Y0W", "QHL", 5, 5.0)]
    );
    // Rolled up: QMM is T6Y0W and the Suffolk pharmacy is in T6Y0W; QJG was split, so it stays itself.
    assert_eq!(
        run(Some(national.clone()), "CURRENT_SUCCESSOR", as_of.clone()).await,
        [flow("QJG", "QHL", 2, 1.2), flow("T6Y0W", "QHL", 5, 5.0)]
    );
    assert_eq!(
        run(Some(national.clone()), "AT_EVENT", json!({ "from": "2026-01-01", "asOf": "2026-11-01" })).await,
        [flow("T6Y0W", "QHL", 5, 5.0)]
    );
    assert_eq!(
        run(Some(national.clone()), "AT_EVENT", json!({ "icb": ["QJG"], "asOf": "2026-11-01" })).await,
        [flow("QJG", "QHL", 2, 1.2), flow("QMM", "QJG", 6, 5.6)]
    );
    assert_eq!(
        run(Some(birmingham), "AT_EVENT", as_of.clone()).await,
        [flow("QJG", "QHL", 2, 1.2), flow("T6Y0W", "QHL", 5, 5.0)],
        "QHL's reader sees the flows into QHL only"
    );
    // A reporter lists the placements, so it gets them exactly; anonymously they are suppressed and rounded.
    assert_eq!(
        run(Some(reporter.clone()), "AT_EVENT", as_of.clone()).await,
        run(Some(national.clone()), "AT_EVENT", as_of.clone()).await
    );
    assert_eq!(
        run(None, "AT_EVENT", as_of.clone()).await,
        [flow("QJG", "QHL", -1, -1.0), flow("QMM", "QJG", 5, 5.0), flow("T6Y0W", "QHL", 5, 5.0)]
    );

    let csv = app.get_text("/reports/cross-icb-flows.csv?icbResolution=AT_EVENT&asOf=2026-11-01", None).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "owner_id,owner_code,owner_name,host_id,host_code,host_name,placements,wte");
    let cells: Vec<Vec<&str>> = lines[1..].iter().map(|line| line.split(',').collect()).collect();
    let summary: Vec<(&str, &str, &str, &str)> = cells.iter().map(|c| (c[1], c[4], c[6], c[7])).collect();
    assert_eq!(summary, [("QJG", "QHL", "*", "*"), ("QMM", "QJG", "5", "5"), ("T6Y0W", "QHL", "5", "5")]);
}

#[tokio::test]
async fn independent_prescribers_are_counted_among_members_as_of_a_date() {
    use MembershipStatus::{Active, Completed, Offered, Withdrawn};
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app(DemoData::Skip).await;
    let db = app.db();
    let statuses = [Active, Active, Active, Active, Active, Active, Completed, Completed, Withdrawn, Offered];
    let cohort = programme(db, "IPX", "QMM", &[("2025-09-01", 10, &statuses)]).await[0];
    // Five active members were annotated in January 2026, a sixth only in December 2026.
    for (date, count) in [("2026-01-15", 5), ("2026-12-01", 1)] {
        let sql = "UPDATE pharmacist SET independent_prescriber_since = ? WHERE id IN (
                     SELECT m.pharmacist_id FROM programme_membership m JOIN pharmacist ph ON ph.id = m.pharmacist_id
                     WHERE m.cohort_id = ? AND m.status = 'ACTIVE' AND ph.independent_prescriber_since IS NULL LIMIT ?)";
        let sql = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            sql.replacen('?', "$1", 1).replacen('?', "$2", 1).replacen('?', "$3", 1)
        } else {
            sql.to_owned()
        };
        let values: Vec<sea_orm::Value> = vec![day(date).into(), cohort.into(), i64::from(count).into()];
        db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.expect("annotate");
    }
    let query = r#"query($filter: ReportFilterInput) { reports { independentPrescribers(filter: $filter, groupBy: ICB, icbResolution: CURRENT_SUCCESSOR) {
        group { code } members { value suppressed } prescribers { value suppressed } share { value suppressed } } } }"#;
    let run = |token: Option<String>, as_of: &'static str| {
        let app = &app;
        async move {
            let response = app.graphql_as(token.as_deref(), query, json!({ "filter": { "asOf": as_of } })).await;
            response["data"]["reports"]["independentPrescribers"][0].clone()
        }
    };
    let national = token(Role::National, &[], None);
    let reporter = token(Role::Reporter, &[], None);

    let november = run(Some(national.clone()), "2026-11-01").await;
    let next_year = run(Some(national), "2027-01-01").await;
    let reported = run(Some(reporter.clone()), "2026-11-01").await;
    let rounded = run(None, "2026-11-01").await;
    let too_few = run(None, "2025-12-01").await;

    assert_eq!(november["group"]["code"], "T6Y0W");
    let at_intake = app
        .graphql_as(
            Some(&token(Role::National, &[], None)),
            &query.replace("CURRENT_SUCCESSOR", "AT_EVENT"),
            json!({ "filter": { "asOf": "2026-11-01" } }),
        )
        .await;
    assert_eq!(
        at_intake["data"]["reports"]["independentPrescribers"][0]["group"]["code"], "QMM",
        "the owner on the intake day"
    );
    assert_eq!(november["members"]["value"], 8, "active and completed members took a place");
    assert_eq!(november["prescribers"]["value"], 5);
    assert_eq!(november["share"]["value"], 0.625);
    assert_eq!(next_year["prescribers"]["value"], 6);
    assert_eq!(next_year["share"]["value"], 0.75);
    assert_eq!(reported, november, "a reporter lists the pharmacists, with `independentPrescriber`");
    assert_eq!(rounded["prescribers"], json!({ "value": 5, "suppressed": false }));
    assert_eq!(rounded["members"], json!({ "value": 10, "suppressed": false }), "8, rounded to 5s");
    assert_eq!(too_few["prescribers"], json!({ "value": null, "suppressed": true }));
    assert_eq!(too_few["share"], json!({ "value": null, "suppressed": true }));

    let csv = app
        .client
        .get(
            app.url("/reports/independent-prescribers.csv?groupBy=ICB&icbResolution=CURRENT_SUCCESSOR&asOf=2026-11-01"),
        )
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("body");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "group_id,group_code,group_name,members,prescribers,share");
    // Anonymously, 8 members and 5 prescribers are published rounded to 5s, the share from the rounded counts.
    assert!(lines[1].ends_with(",10,5,0.5"), "{csv}");
}

#[tokio::test]
async fn leadership_reports_answer_as_of_a_date() {
    use sea_orm::EntityTrait;
    let app = spawn_app(DemoData::Load).await;
    let query = r#"query($filter: ReportFilterInput) { reports {
        icbMedicinesLeadership(filter: $filter) { icb { code } boardMedicinesLead chiefPharmacist }
        programmesWithoutClinicalLead(filter: $filter) { code }
        consultantLeadCoverage(filter: $filter) { trust { code } specialisms } } }"#;
    let national = token(Role::National, &[], None);
    let run = |as_of: &'static str| {
        let (app, national) = (&app, &national);
        async move {
            app.graphql_as(Some(national), query, json!({ "filter": { "region": ["Y61"], "asOf": as_of } })).await
                ["data"]["reports"]
                .clone()
        }
    };

    let now = run("2026-11-01").await;
    let before_mergers = run("2025-06-01").await;
    let before_leads = run("2016-01-01").await;

    // The demo gives every ICB a chief pharmacist and every fifth ICB from the third (S1Y5D) no board lead;
    // the ICBs taken over had chief pharmacists until 2026-03-31 and no board leads.
    assert_eq!(
        now["icbMedicinesLeadership"],
        json!([
            { "icb": { "code": "D7T5G" }, "boardMedicinesLead": true, "chiefPharmacist": true },
            { "icb": { "code": "S1Y5D" }, "boardMedicinesLead": false, "chiefPharmacist": true },
            { "icb": { "code": "T6Y0W" }, "boardMedicinesLead": true, "chiefPharmacist": true },
        ])
    );
    let earlier: Vec<&Value> = before_mergers["icbMedicinesLeadership"].as_array().into_iter().flatten().collect();
    assert_eq!(earlier.len(), 6, "the East of England had six ICBs before the mergers");
    assert!(earlier.iter().all(|row| row["chiefPharmacist"] == true && row["boardMedicinesLead"] == false));
    // The demo's last programme has no clinical lead; before any lead started, none had one.
    assert_eq!(now["programmesWithoutClinicalLead"], json!([{ "code": "S1Y5D-XSR" }]));
    assert_eq!(before_leads["programmesWithoutClinicalLead"].as_array().map(Vec::len), Some(3));

    let leads = entity::consultant_lead::Entity::find().all(app.db()).await.expect("leads");
    let coverage = now["consultantLeadCoverage"].as_array().cloned().unwrap_or_default();
    assert_eq!(coverage.len(), 9, "every demo trust, with or without a lead");
    let covered: usize = coverage.iter().map(|row| row["specialisms"].as_array().map_or(0, Vec::len)).sum();
    let current = leads.iter().filter(|lead| lead.valid_from <= day("2026-11-01")).count();
    assert_eq!(covered, current, "one specialism per current lead (a trust never has two in one specialism)");
    assert!(
        before_leads["consultantLeadCoverage"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|row| row["specialisms"] == json!([]))
    );

    let csv = app.get_text("/reports/icb-medicines-leadership.csv?region=Y61&asOf=2026-11-01", Some(&national)).await;
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|line| line.split(',').collect()).collect();
    let summary: Vec<(&str, &str, &str)> =
        rows.iter().map(|row| (row[1], row[row.len() - 3], row[row.len() - 2])).collect();
    assert_eq!(summary, [("D7T5G", "true", "true"), ("S1Y5D", "false", "true"), ("T6Y0W", "true", "true")]);
}

#[tokio::test]
async fn open_vacancies_by_sector_band_and_icb_with_the_funding_mix() {
    use entity::enums::{AfcBand, FundingSource};
    let app = spawn_app(DemoData::Skip).await;
    let db = app.db();
    let pharmacy = host(
        db,
        OrganisationKind::CommunityPharmacy,
        "FZ001",
        &[("QJG", "2022-07-01", Some("2026-03-31")), ("T6Y0W", "2026-04-01", None)],
    )
    .await;
    let practice = host(db, OrganisationKind::GpPractice, "Z00001", &[("QHL", "2022-07-01", None)]).await;
    let vacancy =
        |host: Uuid, sector: Sector, band: Option<AfcBand>, funding: FundingSource, wte: f64, closed: Option<&str>| {
            entity::vacancy::Model {
                version: 1,
                id: Uuid::new_v4(),
                host_id: host,
                sector,
                afc_band: band,
                wte,
                funding,
                opened_on: if sector == Sector::CommunityPharmacy { day("2025-01-01") } else { day("2025-06-01") },
                closed_on: closed.map(day),
            }
        };
    let mut rows = Vec::new();
    for (funding, wte) in [
        (FundingSource::ExistingVacancy, 1.0),
        (FundingSource::ExistingVacancy, 1.0),
        (FundingSource::ExistingVacancy, 0.5),
        (FundingSource::ExistingVacancy, 0.5),
        (FundingSource::Other, 1.0),
        (FundingSource::Other, 1.0),
        (FundingSource::EducationGrant, 1.0),
    ] {
        rows.push(vacancy(pharmacy, Sector::CommunityPharmacy, None, funding, wte, None));
    }
    for _ in 0..6 {
        rows.push(vacancy(practice, Sector::GeneralPractice, Some(AfcBand::Band7), FundingSource::Arrs, 1.0, None));
    }
    rows.push(vacancy(
        practice,
        Sector::GeneralPractice,
        Some(AfcBand::Band7),
        FundingSource::Arrs,
        1.0,
        Some("2025-12-31"),
    ));
    for row in rows {
        row.into_active_model().insert(db).await.expect("vacancy");
    }
    let query = r#"query($filter: ReportFilterInput, $resolution: IcbResolution) { reports { openVacancies(filter: $filter, icbResolution: $resolution) {
        sector afcBand icb { code } vacancies { value } wte { value } arrs { value } existingVacancy { value } trust { value } other { value } } } }"#;
    let run = |token: Option<String>, as_of: &'static str, resolution: &'static str| {
        let app = &app;
        async move {
            let response = app
                .graphql_as(token.as_deref(), query, json!({ "filter": { "asOf": as_of }, "resolution": resolution }))
                .await;
            response["data"]["reports"]["openVacancies"].clone()
        }
    };
    let national = Some(token(Role::National, &[], None));
    let row = |sector: &str, band: Value, icb: &str, figures: [Value; 6]| {
        let [vacancies, wte, arrs, existing, trust, other] = figures;
        json!({ "sector": sector, "afcBand": band, "icb": { "code": icb }, "vacancies": { "value": vacancies }, "wte": { "value": wte },
                "arrs": { "value": arrs }, "existingVacancy": { "value": existing }, "trust": { "value": trust }, "other": { "value": other } })
    };

    assert_eq!(
        run(national.clone(), "2026-11-01", "AT_EVENT").await,
        json!([
            row(
                "GENERAL_PRACTICE",
                json!("BAND_7"),
                "QHL",
                [json!(6), json!(6.0), json!(6), json!(0), json!(0), json!(0)]
            ),
            row(
                "COMMUNITY_PHARMACY",
                Value::Null,
                "T6Y0W",
                [json!(7), json!(6.0), json!(0), json!(4), json!(0), json!(3)]
            ),
        ])
    );
    assert_eq!(
        run(national.clone(), "2025-09-01", "AT_EVENT").await,
        json!([
            row(
                "GENERAL_PRACTICE",
                json!("BAND_7"),
                "QHL",
                [json!(7), json!(7.0), json!(7), json!(0), json!(0), json!(0)]
            ),
            row(
                "COMMUNITY_PHARMACY",
                Value::Null,
                "QJG",
                [json!(7), json!(6.0), json!(0), json!(4), json!(0), json!(3)]
            ),
        ])
    );
    let rolled_up = run(national.clone(), "2025-09-01", "CURRENT_SUCCESSOR").await;
    assert_eq!(rolled_up[1]["icb"]["code"], "T6Y0W", "the pharmacy is in Norfolk and Suffolk today");
    // Vacancies are posts, which `vacancies` lists one by one to a reporter: a reporter gets the national
    // figures exactly, funding mix included.
    let reported = run(Some(token(Role::Reporter, &[], None)), "2026-11-01", "AT_EVENT").await;
    assert_eq!(reported, run(national.clone(), "2026-11-01", "AT_EVENT").await);

    let csv = app.get_text("/reports/open-vacancies.csv?asOf=2026-11-01", None).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "sector,afc_band,icb_id,icb_code,icb_name,vacancies,wte,arrs,existing_vacancy,trust,other");
    assert!(lines[1].starts_with("GENERAL_PRACTICE,BAND_7,") && lines[1].ends_with(",5,5,*,*,*,*"), "{csv}");
}

#[tokio::test]
async fn rotations_ending_within_a_window_and_members_without_a_next_placement() {
    use MembershipStatus::{Active, Completed};
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
    let app = spawn_app(DemoData::Skip).await;
    let db = app.db();
    let cohort = programme(
        db,
        "NW",
        "QMM",
        &[("2025-09-01", 10, &[Active, Active, Active, Active, Active, Active, Active, Active, Completed])],
    )
    .await[0];
    // Five active members end on 2026-12-15; the other three on 2027-08-31 (the helper's planned end).
    let sql = "UPDATE programme_membership SET planned_end_date = ? WHERE id IN (
                 SELECT id FROM programme_membership WHERE cohort_id = ? AND status = 'ACTIVE' ORDER BY id LIMIT 5)";
    let sql = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        sql.replacen('?', "$1", 1).replacen('?', "$2", 1)
    } else {
        sql.to_owned()
    };
    let values: Vec<sea_orm::Value> = vec![day("2026-12-15").into(), cohort.into()];
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.expect("update");
    // One of those five has its last placement booked up to its planned end.
    let member = programme_membership::Entity::find()
        .filter(programme_membership::Column::PlannedEndDate.eq(day("2026-12-15")))
        .one(db)
        .await
        .expect("query")
        .expect("a member ending in December");
    let practice = host(
        db,
        OrganisationKind::GpPractice,
        "Z00001",
        &[("QMM", "2022-07-01", Some("2026-03-31")), ("T6Y0W", "2026-04-01", None)],
    )
    .await;
    placement::Model {
        version: 1,
        id: Uuid::new_v4(),
        membership_id: member.id,
        pharmacist_id: member.pharmacist_id,
        post_id: None,
        host_id: practice,
        sector: Sector::GeneralPractice,
        start_date: day("2026-07-01"),
        end_date: day("2026-12-15"),
        wte: 1.0,
        status: PlacementStatus::Approved,
        host_icb_id: Some(organisation_id("T6Y0W")),
        is_cross_icb: false,
    }
    .into_active_model()
    .insert(db)
    .await
    .expect("placement");

    let query = r#"query($days: Int!) { reports { rotationsEnding(withinDays: $days, filter: { asOf: "2026-11-01" }, groupBy: PROGRAMME) {
        group { code } active { value } ending { value } withoutNextPlacement { value } } } }"#;
    let national = token(Role::National, &[], None);
    let sixty = app.graphql_as(Some(&national), query, json!({ "days": 60 })).await;
    let thirty = app.graphql_as(Some(&national), query, json!({ "days": 30 })).await;
    let reported = app.graphql_as(Some(&token(Role::Reporter, &[], None)), query, json!({ "days": 30 })).await;
    let anonymous = app.graphql(query, json!({ "days": 30 })).await;
    let too_long = app.graphql_as(Some(&national), query, json!({ "days": 5000 })).await;

    let row = |response: &Value| response["data"]["reports"]["rotationsEnding"][0].clone();
    assert_eq!(
        row(&sixty),
        json!({ "group": { "code": "NW" }, "active": { "value": 8 }, "ending": { "value": 5 }, "withoutNextPlacement": { "value": 7 } })
    );
    assert_eq!(row(&thirty)["ending"]["value"], 0);
    assert_eq!(row(&reported), row(&thirty), "a reporter lists the memberships and placements");
    assert_eq!(row(&anonymous)["ending"]["value"], Value::Null, "0 is below the threshold");
    assert_eq!(row(&anonymous)["active"]["value"], 10, "8, rounded to 5s");
    assert_eq!(error_codes(&too_long), ["BAD_USER_INPUT"]);

    let csv = app
        .get_text("/reports/rotations-ending.csv?withinDays=60&groupBy=PROGRAMME&asOf=2026-11-01", Some(&national))
        .await;
    assert!(csv.lines().nth(1).is_some_and(|line| line.ends_with(",NW,NW rotation,8,5,7")), "{csv}");
}

#[tokio::test]
async fn placement_activity_by_month_and_financial_year() {
    let app = flow_network().await;
    let query = r#"query($granularity: PeriodGranularity) { reports { placementActivity(granularity: $granularity,
        filter: { from: "2025-04-01", to: "2026-11-30" }) {
        period periodStart periodEnd sector placements { value } pharmacistMonths { value } wte { value } } } }"#;
    let national = token(Role::National, &[], None);
    let months = app.graphql_as(Some(&national), query, json!({ "granularity": "MONTH" })).await;
    let years = app.graphql_as(Some(&national), query, json!({ "granularity": "NHS_FINANCIAL_YEAR" })).await;
    let reported =
        app.graphql_as(Some(&token(Role::Reporter, &[], None)), query, json!({ "granularity": "MONTH" })).await;
    let anonymous = app.graphql(query, json!({ "granularity": "MONTH" })).await;

    let month = |response: &Value, period: &str| {
        response["data"]["reports"]["placementActivity"]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["period"] == period).cloned())
            .unwrap_or(Value::Null)
    };
    // October 2025: six NW placements and SNE's two are under way all month (31 days each).
    assert_eq!(
        month(&months, "2025-10"),
        json!({ "period": "2025-10", "periodStart": "2025-10-01", "periodEnd": "2025-10-31", "sector": "COMMUNITY_PHARMACY",
                "placements": { "value": 8 }, "pharmacistMonths": { "value": 8.15 }, "wte": { "value": 6.8 } })
    );
    // 2025/26: those eight placements, 181 days each; 2026/27 (to 30 November): seven, 181 days each.
    assert_eq!(
        years["data"]["reports"]["placementActivity"],
        json!([
            { "period": "2025/26", "periodStart": "2025-04-01", "periodEnd": "2026-03-31", "sector": "COMMUNITY_PHARMACY",
              "placements": { "value": 8 }, "pharmacistMonths": { "value": 47.57 }, "wte": { "value": 3.37 } },
            { "period": "2026/27", "periodStart": "2026-04-01", "periodEnd": "2027-03-31", "sector": "COMMUNITY_PHARMACY",
              "placements": { "value": 7 }, "pharmacistMonths": { "value": 41.63 }, "wte": { "value": 3.47 } },
        ])
    );
    // A longer range is refused, not cut short: in GraphQL by its cost (150 per period, before any SQL),
    // as CSV past 120 periods.
    let long = app
        .graphql_as(
            Some(&national),
            r#"{ reports { placementActivity(filter: { from: "2005-01-01", to: "2026-01-01" }) { period } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&long), ["QUERY_TOO_COMPLEX"], "{long}");
    let csv = app
        .client
        .get(app.url("/reports/placement-activity.csv?from=1900-01-01&to=2026-01-01"))
        .bearer_auth(&national)
        .send()
        .await
        .expect("csv");
    assert_eq!(csv.status(), 400);
    // Filtered by the host's ICB: on the first day, the Suffolk pharmacy was in QJG until the merger; today
    // it is in T6Y0W, so rolled up all its placements count for T6Y0W.
    let by_icb = |resolution: &'static str| {
        let app = &app;
        let national = national.clone();
        async move {
            let query = r#"query($resolution: IcbResolution) { reports { placementActivity(granularity: NHS_FINANCIAL_YEAR,
                icbResolution: $resolution, filter: { icb: ["T6Y0W"], from: "2025-04-01", to: "2026-11-30" }) { period placements { value } } } }"#;
            app.graphql_as(Some(&national), query, json!({ "resolution": resolution })).await["data"]["reports"]["placementActivity"].clone()
        }
    };
    assert_eq!(by_icb("AT_EVENT").await, json!([{ "period": "2026/27", "placements": { "value": 2 } }]));
    assert_eq!(
        by_icb("CURRENT_SUCCESSOR").await,
        json!([{ "period": "2025/26", "placements": { "value": 6 } }, { "period": "2026/27", "placements": { "value": 2 } }])
    );
    // A reporter lists the placements, so it gets them exactly. June 2025 had only SNE's two placements:
    // suppressed anonymously, with the figures derived from them.
    assert_eq!(reported["data"], months["data"]);
    assert_eq!(month(&anonymous, "2025-06")["placements"]["value"], Value::Null);
    assert_eq!(month(&anonymous, "2025-06")["wte"]["value"], Value::Null);
    assert_eq!(month(&anonymous, "2025-10")["placements"]["value"], 10, "8, rounded to 5s");

    let csv = app
        .get_text(
            "/reports/placement-activity.csv?granularity=NHS_FINANCIAL_YEAR&from=2025-04-01&to=2026-11-30",
            Some(&national),
        )
        .await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "period,period_start,period_end,sector,placements,pharmacist_months,wte",
            "2025/26,2025-04-01,2026-03-31,COMMUNITY_PHARMACY,8,47.57,3.37",
            "2026/27,2026-04-01,2027-03-31,COMMUNITY_PHARMACY,7,41.63,3.47"
        ]
    );
}

/// Every report's CSV equals its GraphQL answer, cell by cell, for a reader with and one without access
/// to personal data (so with and without suppression), on the demo network.
#[tokio::test]
async fn every_csv_report_equals_its_graphql_answer() {
    let app = spawn_app(DemoData::Load).await;
    // (CSV file and query string, GraphQL field and arguments, the selected fields in CSV column order)
    let reports: [(&str, &str, &[&str]); 13] = [
        (
            "fill-rate.csv?groupBy=PROGRAMME&asOf=2026-11-01",
            "fillRate(groupBy: PROGRAMME, filter: { asOf: \"2026-11-01\" })",
            &[
                "group.id",
                "group.code",
                "group.name",
                "placesOffered",
                "offered",
                "accepted",
                "active",
                "completed",
                "withdrawn",
                "fillRate",
            ],
        ),
        (
            "cross-icb-flows.csv?icbResolution=CURRENT_SUCCESSOR&asOf=2026-11-01",
            "crossIcbFlows(icbResolution: CURRENT_SUCCESSOR, filter: { asOf: \"2026-11-01\" })",
            &["owner.id", "owner.code", "owner.name", "host.id", "host.code", "host.name", "placements", "wte"],
        ),
        (
            "independent-prescribers.csv?groupBy=ICB&asOf=2026-11-01",
            "independentPrescribers(groupBy: ICB, filter: { asOf: \"2026-11-01\" })",
            &["group.id", "group.code", "group.name", "members", "prescribers", "share"],
        ),
        (
            "open-vacancies.csv?asOf=2026-11-01",
            "openVacancies(filter: { asOf: \"2026-11-01\" })",
            &[
                "sector",
                "afcBand",
                "icb.id",
                "icb.code",
                "icb.name",
                "vacancies",
                "wte",
                "arrs",
                "existingVacancy",
                "trust",
                "other",
            ],
        ),
        (
            "rotations-ending.csv?withinDays=90&asOf=2026-11-01",
            "rotationsEnding(withinDays: 90, filter: { asOf: \"2026-11-01\" })",
            &["group.id", "group.code", "group.name", "active", "ending", "withoutNextPlacement"],
        ),
        (
            "placement-activity.csv?granularity=NHS_FINANCIAL_YEAR&from=2022-04-01&to=2027-03-31",
            "placementActivity(granularity: NHS_FINANCIAL_YEAR, filter: { from: \"2022-04-01\", to: \"2027-03-31\" })",
            &["period", "periodStart", "periodEnd", "sector", "placements", "pharmacistMonths", "wte"],
        ),
        (
            "icb-medicines-leadership.csv?asOf=2026-11-01",
            "icbMedicinesLeadership(filter: { asOf: \"2026-11-01\" })",
            &[
                "icb.id",
                "icb.code",
                "icb.name",
                "boardMedicinesLead",
                "chiefPharmacist",
                "directorOfMedicinesOptimisation",
            ],
        ),
        (
            "programmes-without-clinical-lead.csv?asOf=2026-11-01",
            "programmesWithoutClinicalLead(filter: { asOf: \"2026-11-01\" })",
            &["id", "code", "name"],
        ),
        (
            "consultant-lead-coverage.csv?asOf=2026-11-01",
            "consultantLeadCoverage(filter: { asOf: \"2026-11-01\" })",
            &["trust.id", "trust.code", "trust.name", "specialisms"],
        ),
        (
            "icb-comparison.csv?asOf=2026-11-01&icbResolution=CURRENT_SUCCESSOR",
            "icbComparison(icbResolution: CURRENT_SUCCESSOR, filter: { asOf: \"2026-11-01\" })",
            &[
                "icb.id",
                "icb.code",
                "icb.name",
                "region.code",
                "boardMedicinesLead",
                "chiefPharmacist",
                "teamWte",
                "transformationalShare",
                "programmes",
                "places",
                "consultantLeads",
                "pathways",
                "consultantLedPathways",
                "redesigns",
                "redesignsTeamFromStart",
                "teamFromStartShare",
                "redesignsWithSocialCare",
                "socialCareShare",
            ],
        ),
        (
            "pathways-without-consultant-lead.csv?asOf=2026-11-01",
            "pathwaysWithoutConsultantLead(filter: { asOf: \"2026-11-01\" })",
            &["id", "name", "specialism", "status", "startOn", "ownerIcb.code", "icbs.code", "leadNotInPost"],
        ),
        (
            "leads-without-change-management-training.csv?asOf=2026-11-01&groupBy=TRUST",
            "leadsWithoutChangeManagementTraining(groupBy: TRUST, filter: { asOf: \"2026-11-01\" })",
            &["group.id", "group.code", "group.name", "leads", "untrained", "inTraining", "trained"],
        ),
        (
            "recruitment-competition.csv?asOf=2026-11-01&groupBy=REGION",
            "recruitmentCompetition(groupBy: REGION, filter: { asOf: \"2026-11-01\" })",
            &[
                "group.id",
                "group.code",
                "group.name",
                "afcBand",
                "primaryCareVacancies",
                "primaryCareWte",
                "trustVacancies",
                "trustWte",
            ],
        ),
    ];
    for token in [Some(token(Role::National, &[], None)), Some(token(Role::Reporter, &[], None))] {
        for (file, field, columns) in reports {
            let selection = selection(columns);
            // The comparison's rows are under `rows`.
            let (selection, rows_field) = if field.starts_with("icbComparison") {
                (format!("rows {{ {selection} }}"), Some("rows"))
            } else {
                (selection, None)
            };
            let graphql = app
                .graphql_as(token.as_deref(), &format!("{{ reports {{ {field} {{ {selection} }} }} }}"), json!({}))
                .await;
            let name = field.split('(').next().unwrap_or(field);
            let answered = &graphql["data"]["reports"][name];
            let answered = rows_field.map_or(answered, |field| &answered[field]);
            let rows = answered.as_array().cloned().unwrap_or_else(|| panic!("{graphql}"));
            let mut request = app.client.get(app.url(&format!("/reports/{file}")));
            if let Some(token) = &token {
                request = request.bearer_auth(token);
            }
            let body = request.send().await.expect("csv").text().await.expect("body");
            let mut reader = csv::Reader::from_reader(body.as_bytes());
            let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("records");
            assert_eq!(records.len(), rows.len(), "{file}");
            assert!(!rows.is_empty(), "{file}: the demo network gives every report some rows");
            for (record, row) in records.iter().zip(&rows) {
                for (cell, column) in record.iter().zip(columns.iter()) {
                    let expected = rendered(&at(row, column));
                    let same = cell == expected
                        || matches!((cell.parse::<f64>(), expected.parse::<f64>()), (Ok(a), Ok(b)) if (a - b).abs() < 1e-9);
                    assert!(same, "{file} {column}: CSV {cell:?}, GraphQL {expected:?}");
                }
            }
        }
    }
}

/// A GraphQL selection for dotted paths, with `{ value suppressed }` under figures.
fn selection(columns: &[&str]) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for column in columns {
        match column.split_once('.') {
            Some((parent, child)) => match groups.iter_mut().find(|(name, _)| name == parent) {
                Some((_, children)) => children.push(child.to_owned()),
                None => groups.push((parent.to_owned(), vec![child.to_owned()])),
            },
            None => groups.push(((*column).to_owned(), Vec::new())),
        }
    }
    let figures = [
        "offered",
        "accepted",
        "active",
        "completed",
        "withdrawn",
        "fillRate",
        "placements",
        "wte",
        "members",
        "prescribers",
        "share",
        "vacancies",
        "arrs",
        "existingVacancy",
        "trust",
        "other",
        "ending",
        "withoutNextPlacement",
        "pharmacistMonths",
        "consultantLeads",
        "leads",
        "untrained",
        "inTraining",
        "trained",
        "primaryCareVacancies",
        "primaryCareWte",
        "trustVacancies",
        "trustWte",
    ];
    groups
        .into_iter()
        .map(|(name, children)| {
            if !children.is_empty() {
                format!("{name} {{ {} }}", children.join(" "))
            } else if figures.contains(&name.as_str()) {
                format!("{name} {{ value suppressed }}")
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The value at a dotted path of `row`; a path through a list gives the list of values.
fn at(row: &Value, path: &str) -> Value {
    path.split('.').fold(row.clone(), |value, key| match value {
        Value::Array(items) => Value::Array(items.iter().map(|item| item[key].clone()).collect()),
        value => value[key].clone(),
    })
}

/// How a GraphQL value appears in a CSV cell.
fn rendered(value: &Value) -> String {
    match value {
        Value::Object(figure) if figure.contains_key("suppressed") => {
            if figure["suppressed"] == true {
                "*".to_owned()
            } else {
                rendered(&figure["value"])
            }
        }
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(rendered).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn a_report_asked_again_is_answered_from_the_kept_answer_until_a_change_commits() {
    let app = spawn_app(DemoData::Load).await;
    let national = token(Role::National, &[], None);
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let query = "{ reports { openVacancies { icb { code } vacancies { value } } } }";
    let open = |answer: &Value| -> u64 {
        answer["data"]["reports"]["openVacancies"]
            .as_array()
            .map(|rows| rows.iter().filter_map(|row| row["vacancies"]["value"].as_u64()).sum())
            .unwrap_or_default()
    };

    let first = app.graphql_as(Some(&national), query, json!({})).await;
    let before = app.statements();
    let again = app.graphql_as(Some(&national), query, json!({})).await;
    assert_eq!(again["data"], first["data"]);
    assert_eq!(app.statements() - before, 1, "only the data version is read");
    let before = app.statements();
    let csv = app.get_text("/reports/open-vacancies.csv", Some(&national)).await;
    assert!(csv.lines().count() > 1, "{csv}");
    assert_eq!(app.statements() - before, 1, "CSV is answered from the same kept answer");
    // Another reader asking the same gets its own figures, never the kept national ones.
    let viewer = app.graphql_as(Some(&token(Role::IcbViewer, &["QMM"], None)), query, json!({})).await;
    let rows = |answer: &Value| answer["data"]["reports"]["openVacancies"].as_array().map_or(0, Vec::len);
    assert!(open(&viewer) > 0 && open(&viewer) < open(&first) && rows(&viewer) < rows(&first), "{viewer}");
    // A reporter lists every vacancy, so it gets the same figures exactly (vacancies are posts).
    let reporter = app.graphql_as(Some(&token(Role::Reporter, &[], None)), query, json!({})).await;
    assert_eq!(reporter["data"], first["data"], "{reporter}");

    let practices = app
        .graphql_as(
            Some(&national),
            r#"{ organisations(first: 1, filter: { kind: { eq: GP_PRACTICE }, icb: { eq: "T6Y0W" } }) { nodes { odsCode } } }"#,
            json!({}),
        )
        .await;
    let practice = practices["data"]["organisations"]["nodes"][0]["odsCode"].clone();
    let created = app
        .graphql_as(
            Some(&admin),
            "mutation($i: CreateVacancyInput!) { createVacancy(input: $i) { vacancy { id } userErrors { code } } }",
            json!({ "i": { "host": practice, "sector": "GENERAL_PRACTICE", "afcBand": "BAND_7", "wte": 1, "funding": "ARRS" } }),
        )
        .await;
    assert!(created["data"]["createVacancy"]["vacancy"]["id"].is_string(), "{created}");

    let after = app.graphql_as(Some(&national), query, json!({})).await;
    assert_eq!(open(&after), open(&first) + 1, "the change shows at once: {after}");
}

#[tokio::test]
async fn readers_asking_for_the_same_report_at_once_wait_for_one_answer_and_a_new_version_drops_it() {
    use rotagraph::services::{data_version, reports::ReportCache};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let test_db = crate::helpers::prepared_database(DemoData::Skip).await;
    let cache = ReportCache::new(std::time::Duration::from_secs(60));
    let scope = rotagraph::services::access::Scope::all(true);
    let suppression = rotagraph::services::reports::Suppression::for_scope(&scope, 5, 5);
    let worked_out = AtomicUsize::new(0);
    let ask = || {
        cache.rows(&test_db.db, (&scope, suppression), "a report", &("the same arguments",), async {
            worked_out.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok(vec![7_u64])
        })
    };

    let answers = futures_util::future::join_all((0..8).map(|_| ask())).await;
    assert!(answers.iter().all(|answer| answer.as_ref().ok() == Some(&vec![7])));
    assert_eq!(worked_out.load(Ordering::SeqCst), 1, "worked out once for eight readers");

    data_version::raise(&test_db.db).await.expect("raise");
    ask().await.expect("answer");
    assert_eq!(worked_out.load(Ordering::SeqCst), 2, "worked out again for the new version");
}
