//! Medicines optimisation across the system: every report worked out by hand on a small fixed network
//! across the 2026-04-01 mergers (Norfolk and Waveney, QMM, merged into T6Y0W; Suffolk and North East
//! Essex, QJG, split between T6Y0W and D7T5G; Birmingham and Solihull, QHL, continuing), for both ICB
//! resolutions, scoped for every role, disclosure-controlled, and equal in CSV; and every rule of the new
//! mutations with its code, nothing written on refusal.

use crate::helpers::{TestApp, error_codes, spawn_app, token};
use crate::reports::{day, host, test_pharmacist};
use entity::enums::{
    AfcBand, CredentialKind, CredentialStatus, FundingSource, MedicinesRole, OrganisationKind, PathwayStatus,
    ProgrammeStatus, RedesignStatus, Sector, Specialism, TeamInvolvement, WorkKind,
};
use entity::prelude::AuditLog;
use entity::{
    cohort, consultant_lead, credential, icb_medicines_role, medicines_optimisation_team, pathway_icb, patient_pathway,
    rotation_programme, service_redesign, service_redesign_sector, team_work_kind, team_work_mix, vacancy,
};
use rotagraph::app::DemoData;
use rotagraph::reference::organisation_id;
use rotagraph::services::access::Role;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait};
use serde_json::{Value, json};
use uuid::Uuid;

/// Inserts a row.
async fn put<A>(db: &DatabaseConnection, model: impl IntoActiveModel<A>)
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    model.into_active_model().insert(db).await.expect("insert");
}

/// A consultant lead at `trust` from `from` to `to`, with a change-management credential if given
/// (status, started, awarded).
async fn lead(
    db: &DatabaseConnection,
    trust: &str,
    specialism: Specialism,
    from: &str,
    to: Option<&str>,
    training: Option<(CredentialStatus, &str, Option<&str>)>,
) -> Uuid {
    let person = test_pharmacist("Lead");
    put(db, person.clone()).await;
    let id = Uuid::new_v4();
    put(
        db,
        consultant_lead::Model {
            id,
            pharmacist_id: person.id,
            trust_id: organisation_id(trust),
            specialism,
            specialism_detail: None,
            rps_post_approved_on: None,
            rps_credentialed_on: None,
            valid_from: day(from),
            valid_to: to.map(day),
            version: 1,
        },
    )
    .await;
    if let Some((status, started, awarded)) = training {
        put(
            db,
            credential::Model {
                id: Uuid::new_v4(),
                pharmacist_id: person.id,
                kind: CredentialKind::ChangeManagement,
                status,
                started_on: Some(day(started)),
                expected_completion_on: None,
                awarded_on: awarded.map(day),
                progress_percent: None,
                version: 1,
            },
        )
        .await;
    }
    id
}

async fn role(db: &DatabaseConnection, icb: &str, role: MedicinesRole, from: &str, to: Option<&str>) {
    let model = icb_medicines_role::Model {
        id: Uuid::new_v4(),
        icb_id: organisation_id(icb),
        role,
        holder_name: "Holder".to_owned(),
        pharmacist_id: None,
        valid_from: day(from),
        valid_to: to.map(day),
        version: 1,
    };
    put(db, model).await;
}

/// A team of `icb` with its WTE, life and work mix periods (from, to, operational, transformational).
async fn team(
    db: &DatabaseConnection,
    icb: &str,
    wte: f64,
    life: (&str, Option<&str>),
    mixes: &[(&str, Option<&str>, f64, f64)],
) {
    let id = Uuid::new_v4();
    let model = medicines_optimisation_team::Model {
        id,
        icb_id: organisation_id(icb),
        name: format!("{icb} medicines optimisation"),
        focus: None,
        wte: Some(wte),
        established_on: day(life.0),
        disbanded_on: life.1.map(day),
        version: 1,
    };
    put(db, model).await;
    for (from, to, operational, transformational) in mixes {
        let mix = Uuid::new_v4();
        let model = team_work_mix::Model {
            id: mix,
            team_id: id,
            valid_from: day(from),
            valid_to: to.map(day),
            operational_wte: *operational,
            transformational_wte: *transformational,
            version: 1,
        };
        put(db, model).await;
        put(db, team_work_kind::Model { work_mix_id: mix, kind: WorkKind::PrescribingQuality }).await;
    }
}

async fn programme(db: &DatabaseConnection, code: &str, owner: &str, status: ProgrammeStatus, cohorts: &[(&str, i32)]) {
    let id = Uuid::new_v4();
    let model = rotation_programme::Model {
        id,
        code: code.to_owned(),
        name: format!("{code} rotation"),
        description: None,
        owner_icb_id: organisation_id(owner),
        status,
        min_duration_months: 24,
        max_duration_months: 30,
        requires_gphc_registration: true,
        max_years_since_registration: Some(3),
        version: 1,
    };
    put(db, model).await;
    for (intake, places) in cohorts {
        let model = cohort::Model {
            id: Uuid::new_v4(),
            programme_id: id,
            label: (*intake).to_owned(),
            intake_date: day(intake),
            places_offered: *places,
            recruitment_opens_on: None,
            recruitment_closes_on: None,
            version: 1,
        };
        put(db, model).await;
    }
}

/// A pathway recorded by `owner` spanning `icbs`, running from `start` (to `end`), led by `lead`.
async fn pathway(
    db: &DatabaseConnection,
    name: &str,
    owner: &str,
    icbs: &[&str],
    (start, end): (&str, Option<&str>),
    lead: Option<Uuid>,
) -> Uuid {
    let id = Uuid::new_v4();
    let model = patient_pathway::Model {
        id,
        owner_icb_id: organisation_id(owner),
        name: name.to_owned(),
        specialism: Specialism::Frailty,
        specialism_detail: None,
        status: if end.is_some() { PathwayStatus::Closed } else { PathwayStatus::Active },
        start_on: day(start),
        end_on: end.map(day),
        consultant_lead_id: lead,
        version: 1,
    };
    put(db, model).await;
    for icb in icbs {
        put(db, pathway_icb::Model { pathway_id: id, icb_id: organisation_id(icb) }).await;
    }
    id
}

async fn redesign(db: &DatabaseConnection, icb: &str, start: &str, joined: TeamInvolvement, social_care: bool) {
    let id = Uuid::new_v4();
    let model = service_redesign::Model {
        id,
        icb_id: organisation_id(icb),
        title: format!("Redesign of {icb} from {start}"),
        pathway_id: None,
        start_on: day(start),
        status: if day(start) > day("2026-11-02") { RedesignStatus::Planned } else { RedesignStatus::InProgress },
        team_joined_at: joined,
        social_care_involved: social_care,
        version: 1,
    };
    put(db, model).await;
    put(db, service_redesign_sector::Model { redesign_id: id, sector: Sector::GeneralPractice }).await;
}

async fn open_vacancy(
    db: &DatabaseConnection,
    host: &str,
    sector: Sector,
    band: Option<AfcBand>,
    wte: f64,
    open: (&str, Option<&str>),
) {
    let model = vacancy::Model {
        id: Uuid::new_v4(),
        host_id: organisation_id(host),
        sector,
        afc_band: band,
        wte,
        funding: FundingSource::Other,
        opened_on: day(open.0),
        closed_on: open.1.map(day),
        version: 1,
    };
    put(db, model).await;
}

/// The fixed network (see the module's documentation), its figures worked out in the tests below.
async fn fixed_network() -> TestApp {
    use TeamInvolvement::{Design, FromTheStart, Implementation, NotInvolved};
    let app = spawn_app(DemoData::Skip).await;
    let db = app.db();
    let (before, after) = (Some("2026-03-31"), None);
    let merged = |before: &'static str, after: &'static str| {
        [(before, "2022-07-01", Some("2026-03-31")), (after, "2026-04-01", None)]
    };
    host(db, OrganisationKind::NhsTrust, "TA1", &merged("QMM", "T6Y0W")).await;
    host(db, OrganisationKind::NhsTrust, "TA2", &merged("QJG", "T6Y0W")).await;
    host(db, OrganisationKind::NhsTrust, "TA3", &merged("QJG", "D7T5G")).await;
    host(db, OrganisationKind::NhsTrust, "TB1", &[("QHL", "2022-07-01", None)]).await;
    host(db, OrganisationKind::Pcn, "U00001", &merged("QMM", "T6Y0W")).await;
    host(db, OrganisationKind::CommunityPharmacy, "FZ001", &merged("QJG", "T6Y0W")).await;

    let l1 = lead(
        db,
        "TA1",
        Specialism::Frailty,
        "2020-01-01",
        None,
        Some((CredentialStatus::Awarded, "2024-07-01", Some("2025-01-10"))),
    )
    .await;
    let _l2 = lead(
        db,
        "TA2",
        Specialism::Respiratory,
        "2021-01-01",
        None,
        Some((CredentialStatus::InProgress, "2026-01-01", None)),
    )
    .await;
    let l3 = lead(db, "TA3", Specialism::Cardiology, "2019-01-01", Some("2026-06-30"), None).await;
    let l4 = lead(db, "TB1", Specialism::Oncology, "2022-01-01", None, None).await;

    role(db, "QMM", MedicinesRole::BoardMedicinesLead, "2022-07-01", before).await;
    role(db, "QMM", MedicinesRole::ChiefPharmacist, "2022-07-01", before).await;
    role(db, "QJG", MedicinesRole::ChiefPharmacist, "2022-07-01", before).await;
    role(db, "T6Y0W", MedicinesRole::BoardMedicinesLead, "2026-04-01", after).await;
    role(db, "T6Y0W", MedicinesRole::ChiefPharmacist, "2026-04-01", after).await;
    role(db, "D7T5G", MedicinesRole::ChiefPharmacist, "2026-04-01", after).await;
    role(db, "QHL", MedicinesRole::ChiefPharmacist, "2022-07-01", after).await;

    team(db, "QMM", 10.0, ("2022-07-01", before), &[("2022-07-01", before, 8.0, 2.0)]).await;
    team(db, "QJG", 6.0, ("2022-07-01", before), &[]).await;
    team(db, "T6Y0W", 12.0, ("2026-04-01", None), &[("2026-04-01", None, 9.0, 3.0)]).await;
    team(
        db,
        "QHL",
        5.0,
        ("2022-07-01", None),
        &[("2022-07-01", Some("2025-12-31"), 4.0, 1.0), ("2026-01-01", None, 3.0, 2.0)],
    )
    .await;

    programme(db, "NW", "QMM", ProgrammeStatus::Active, &[("2025-09-01", 10), ("2026-09-01", 8)]).await;
    programme(db, "SNE", "QJG", ProgrammeStatus::Active, &[("2025-03-01", 6)]).await;
    programme(db, "BSOL", "QHL", ProgrammeStatus::Active, &[("2025-09-01", 5)]).await;
    programme(db, "BDR", "QHL", ProgrammeStatus::Draft, &[("2025-10-01", 3)]).await;

    pathway(db, "P1 frailty", "QMM", &["QMM", "QJG"], ("2024-06-01", None), Some(l1)).await;
    pathway(db, "P2 respiratory", "T6Y0W", &["T6Y0W"], ("2026-05-01", None), None).await;
    pathway(db, "P3 cardiology", "QJG", &["QJG"], ("2025-01-01", None), Some(l3)).await;
    pathway(db, "P4 oncology", "QHL", &["QHL"], ("2025-02-01", Some("2026-01-31")), Some(l4)).await;

    redesign(db, "QMM", "2025-05-01", FromTheStart, true).await;
    redesign(db, "QJG", "2025-07-01", Implementation, false).await;
    redesign(db, "T6Y0W", "2026-06-01", FromTheStart, false).await;
    redesign(db, "QHL", "2024-03-01", NotInvolved, true).await;
    redesign(db, "QHL", "2027-01-01", Design, false).await;

    use AfcBand::{Band6, Band7, Band8a};
    use Sector::{CommunityPharmacy, GeneralPractice, SecondaryCare};
    open_vacancy(db, "U00001", GeneralPractice, Some(Band7), 1.0, ("2026-09-01", None)).await;
    open_vacancy(db, "FZ001", CommunityPharmacy, Some(Band7), 0.8, ("2026-10-01", None)).await;
    open_vacancy(db, "TA2", SecondaryCare, Some(Band7), 1.0, ("2026-08-01", None)).await;
    open_vacancy(db, "TA1", SecondaryCare, Some(Band6), 1.0, ("2026-08-01", None)).await;
    open_vacancy(db, "FZ001", CommunityPharmacy, None, 1.0, ("2026-08-01", None)).await;
    open_vacancy(db, "TA3", SecondaryCare, Some(Band7), 1.0, ("2026-08-01", None)).await;
    open_vacancy(db, "U00001", GeneralPractice, Some(Band7), 1.0, ("2026-01-01", Some("2026-06-30"))).await;
    open_vacancy(db, "TA2", SecondaryCare, Some(Band8a), 1.0, ("2025-01-01", Some("2025-12-31"))).await;
    open_vacancy(db, "FZ001", CommunityPharmacy, Some(Band8a), 0.6, ("2025-02-01", Some("2025-12-31"))).await;
    app
}

const COMPARISON: &str = r#"query($filter: ReportFilterInput, $resolution: IcbResolution) {
    reports { icbComparison(filter: $filter, icbResolution: $resolution) { rows {
        icb { code } region { code } boardMedicinesLead chiefPharmacist teamWte transformationalShare programmes places
        consultantLeads { value suppressed } pathways consultantLedPathways redesigns redesignsTeamFromStart
        teamFromStartShare redesignsWithSocialCare socialCareShare } } } }"#;

/// A comparison row in short: code, board lead, chief pharmacist, team WTE, transformational share,
/// programmes, places, consultant leads (-1 suppressed), pathways, led pathways, redesigns, from the
/// start, with social care.
fn short(row: &Value) -> Value {
    let leads =
        if row["consultantLeads"]["suppressed"] == true { json!(-1) } else { row["consultantLeads"]["value"].clone() };
    json!([
        row["icb"]["code"],
        row["boardMedicinesLead"],
        row["chiefPharmacist"],
        row["teamWte"],
        row["transformationalShare"],
        row["programmes"],
        row["places"],
        leads,
        row["pathways"],
        row["consultantLedPathways"],
        row["redesigns"],
        row["redesignsTeamFromStart"],
        row["redesignsWithSocialCare"]
    ])
}

async fn comparison(app: &TestApp, token: Option<&str>, filter: Value, resolution: &str) -> Vec<Value> {
    let answer = app.graphql_as(token, COMPARISON, json!({ "filter": filter, "resolution": resolution })).await;
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"]["reports"]["icbComparison"]["rows"].as_array().expect("rows").iter().map(short).collect()
}

#[tokio::test]
async fn the_icb_comparison_worked_by_hand_before_and_after_the_mergers_for_both_resolutions() {
    let app = fixed_network().await;
    let national = token(Role::National, &[], None);
    let national = Some(national.as_str());

    // Before the mergers, the ICBs of the day: QMM's team and board lead, QJG's cohort and two leads, a
    // pathway spanning both (counted in each), QHL's closed-later pathway and its redesign.
    let before =
        comparison(&app, national, json!({ "icb": ["QMM", "QJG", "QHL"], "asOf": "2025-06-01" }), "AT_EVENT").await;
    assert_eq!(
        before,
        [
            json!(["QHL", false, true, 5.0, 0.2, 0, 0, 1, 1, 1, 1, 0, 1]),
            json!(["QJG", false, true, 6.0, null, 1, 6, 2, 2, 2, 0, 0, 0]),
            json!(["QMM", true, true, 10.0, 0.2, 0, 0, 1, 1, 1, 1, 1, 1]),
        ]
    );

    // After: T6Y0W answers for QMM's records and, per trust, for its part of QJG; QJG, split, keeps what
    // it owned as a whole (its pathways and its redesign); D7T5G has its chief pharmacist and a lead who
    // left in June; S1Y5D has nothing.
    let after = comparison(&app, national, json!({ "region": ["Y61"], "asOf": "2026-11-01" }), "AT_EVENT").await;
    assert_eq!(
        after,
        [
            json!(["D7T5G", false, true, 0.0, null, 0, 0, 0, 0, 0, 0, 0, 0]),
            json!(["QJG", false, false, 0.0, null, 0, 0, 0, 2, 1, 1, 0, 0]),
            json!(["S1Y5D", false, false, 0.0, null, 0, 0, 0, 0, 0, 0, 0, 0]),
            json!(["T6Y0W", true, true, 12.0, 0.25, 1, 8, 2, 2, 1, 2, 2, 1]),
        ]
    );
    let midlands = comparison(&app, national, json!({ "icb": ["QHL"], "asOf": "2026-11-01" }), "AT_EVENT").await;
    assert_eq!(midlands, [json!(["QHL", false, true, 5.0, 0.4, 0, 0, 1, 0, 0, 1, 0, 1])]);

    // The 2025 figures rolled up to today's ICBs: QMM's into T6Y0W, QJG's trusts' leads to their ICBs of
    // today, QJG's own records staying with QJG.
    let rolled_up =
        comparison(&app, national, json!({ "region": ["Y61"], "asOf": "2025-06-01" }), "CURRENT_SUCCESSOR").await;
    assert_eq!(
        rolled_up,
        [
            json!(["D7T5G", false, false, 0.0, null, 0, 0, 1, 0, 0, 0, 0, 0]),
            json!(["QJG", false, true, 6.0, null, 1, 6, 0, 2, 2, 0, 0, 0]),
            json!(["S1Y5D", false, false, 0.0, null, 0, 0, 0, 0, 0, 0, 0, 0]),
            json!(["T6Y0W", true, true, 10.0, 0.2, 0, 0, 2, 1, 1, 1, 1, 1]),
        ]
    );
}

#[tokio::test]
async fn the_comparison_is_scoped_disclosure_controlled_and_its_spread_is_for_national_and_regional_readers() {
    let app = fixed_network().await;
    let filter = json!({ "region": ["Y61"], "asOf": "2026-11-01" });

    // An ICB reader sees its ICB and the split ICB it answers for in part; its spread is refused.
    let viewer = token(Role::IcbViewer, &["T6Y0W"], None);
    let rows = comparison(&app, Some(&viewer), filter.clone(), "AT_EVENT").await;
    assert_eq!(
        rows,
        [
            json!(["QJG", false, false, 0.0, null, 0, 0, 0, 2, 1, 1, 0, 0]),
            json!(["T6Y0W", true, true, 12.0, 0.25, 1, 8, 2, 2, 1, 2, 2, 1]),
        ]
    );
    let spread = "query($filter: ReportFilterInput) { reports { icbComparison(filter: $filter) {
        rows { icb { code } } spread { region { code } icbs withBoardMedicinesLead withChiefPharmacist
        measures { measure icbs minimum median maximum } } } } }";
    let refused = app.graphql_as(Some(&viewer), spread, json!({ "filter": filter })).await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"], "{refused}");
    assert_eq!(refused["data"]["reports"]["icbComparison"]["rows"].as_array().map(Vec::len), Some(2));
    let anonymous = app.graphql_as(None, spread, json!({ "filter": filter })).await;
    assert_eq!(anonymous["data"]["reports"]["icbComparison"]["rows"], json!([]), "{anonymous}");
    assert_eq!(error_codes(&anonymous), ["FORBIDDEN"]);

    // A national reader gets England's spread, then each region's (here the same four ICBs).
    let national = token(Role::National, &[], None);
    let answer = app.graphql_as(Some(&national), spread, json!({ "filter": filter })).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let spreads = answer["data"]["reports"]["icbComparison"]["spread"].as_array().cloned().expect("spread");
    assert_eq!(spreads.len(), 2);
    assert_eq!(spreads[0]["region"], Value::Null);
    assert_eq!(spreads[1]["region"]["code"], "Y61");
    for spread in &spreads {
        assert_eq!(
            (&spread["icbs"], &spread["withBoardMedicinesLead"], &spread["withChiefPharmacist"]),
            (&json!(4), &json!(1), &json!(2))
        );
        let measure = |name: &str| {
            spread["measures"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|measure| measure["measure"] == name)
                .cloned()
                .expect("measure")
        };
        assert_eq!(
            measure("TEAM_WTE"),
            json!({ "measure": "TEAM_WTE", "icbs": 4, "minimum": 0.0, "median": 0.0, "maximum": 12.0 })
        );
        assert_eq!(
            measure("TRANSFORMATIONAL_SHARE"),
            json!({ "measure": "TRANSFORMATIONAL_SHARE", "icbs": 1, "minimum": 0.25, "median": 0.25, "maximum": 0.25 })
        );
        assert_eq!(
            measure("CONSULTANT_LED_PATHWAYS"),
            json!({ "measure": "CONSULTANT_LED_PATHWAYS", "icbs": 4, "minimum": 0.0, "median": 0.5, "maximum": 1.0 })
        );
        assert_eq!(
            measure("TEAM_FROM_START_SHARE"),
            json!({ "measure": "TEAM_FROM_START_SHARE", "icbs": 2, "minimum": 0.0, "median": 0.5, "maximum": 1.0 })
        );
    }

    // A regional reader gets its region's spread only.
    let regional = token(Role::Regional, &[], Some("Y61"));
    let answer = app.graphql_as(Some(&regional), spread, json!({ "filter": filter })).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let regions: Vec<&Value> = answer["data"]["reports"]["icbComparison"]["spread"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|spread| &spread["region"]["code"])
        .collect();
    assert_eq!(regions, [&json!("Y61")]);

    // A reporter gets the same rows: consultant leads are roles, which the reporter's lists give exactly,
    // so their count is published exactly too (as many as `consultantLeads` lists).
    let reporter = token(Role::Reporter, &[], None);
    let rows = comparison(&app, Some(&reporter), filter.clone(), "AT_EVENT").await;
    assert_eq!(rows[3], json!(["T6Y0W", true, true, 12.0, 0.25, 1, 8, 2, 2, 1, 2, 2, 1]));
    let listed = app
        .graphql_as(
            Some(&reporter),
            r#"{ consultantLeads(asOf: "2026-11-01", filter: { icb: { eq: "T6Y0W" }, current: true }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["consultantLeads"]["totalCount"], 2, "{listed}");

    // The CSV answers the same rows and spread.
    let csv = app.get_text("/reports/icb-comparison.csv?region=Y61&asOf=2026-11-01", Some(&national)).await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("records");
    let summary: Vec<Vec<&str>> = records
        .iter()
        .map(|record| [1, 4, 5, 6, 7, 10, 11, 12].iter().map(|index| &record[*index]).collect())
        .collect();
    assert_eq!(
        summary,
        [
            ["D7T5G", "false", "true", "0", "", "0", "0", "0"],
            ["QJG", "false", "false", "0", "", "0", "2", "1"],
            ["S1Y5D", "false", "false", "0", "", "0", "0", "0"],
            ["T6Y0W", "true", "true", "12", "0.25", "2", "2", "1"],
        ]
    );
    let spread_csv =
        app.get_text("/reports/icb-comparison-spread.csv?region=Y61&asOf=2026-11-01", Some(&national)).await;
    assert!(spread_csv.lines().any(|line| line == ",,4,1,2,TEAM_FROM_START_SHARE,2,0,0.5,1"), "{spread_csv}");
    assert!(
        spread_csv.lines().any(|line| line.starts_with("Y61,") && line.ends_with(",CONSULTANT_LED_PATHWAYS,4,0,0.5,1")),
        "{spread_csv}"
    );
    let refused =
        app.client.get(app.url("/reports/icb-comparison-spread.csv")).bearer_auth(&viewer).send().await.expect("CSV");
    assert_eq!(refused.status().as_u16(), 403);
}

const WITHOUT_LEAD: &str = r#"query($filter: ReportFilterInput, $resolution: IcbResolution) {
    reports { pathwaysWithoutConsultantLead(filter: $filter, icbResolution: $resolution) {
        name ownerIcb { code } icbs { code } leadNotInPost startOn } } }"#;

#[tokio::test]
async fn pathways_without_a_consultant_lead_and_leads_without_change_management_training() {
    let app = fixed_network().await;
    let national = token(Role::National, &[], None);
    let without = |token: String, filter: Value, resolution: &'static str| {
        let app = &app;
        async move {
            let answer =
                app.graphql_as(Some(&token), WITHOUT_LEAD, json!({ "filter": filter, "resolution": resolution })).await;
            assert!(answer["errors"].is_null(), "{answer}");
            answer["data"]["reports"]["pathwaysWithoutConsultantLead"].clone()
        }
    };
    // On 2026-11-01: P2 never had a lead; P3's lead left on 2026-06-30; P1 is led; P4 has closed.
    let expected = json!([
        { "name": "P3 cardiology", "ownerIcb": { "code": "QJG" }, "icbs": [{ "code": "QJG" }], "leadNotInPost": true, "startOn": "2025-01-01" },
        { "name": "P2 respiratory", "ownerIcb": { "code": "T6Y0W" }, "icbs": [{ "code": "T6Y0W" }], "leadNotInPost": false, "startOn": "2026-05-01" },
    ]);
    assert_eq!(without(national.clone(), json!({ "asOf": "2026-11-01" }), "AT_EVENT").await, expected);
    assert_eq!(without(national.clone(), json!({ "asOf": "2026-11-01" }), "CURRENT_SUCCESSOR").await, expected);
    assert_eq!(without(national.clone(), json!({ "asOf": "2025-06-01" }), "AT_EVENT").await, json!([]));
    assert_eq!(
        without(national.clone(), json!({ "asOf": "2026-11-01", "icb": ["D7T5G"] }), "AT_EVENT").await,
        json!([])
    );
    // An Essex reader answers for QJG's pathways (QJG was split into Essex), not for T6Y0W's own.
    let essex = token(Role::IcbViewer, &["D7T5G"], None);
    let seen = without(essex, json!({ "asOf": "2026-11-01" }), "AT_EVENT").await;
    assert_eq!(
        seen.as_array().map(|rows| rows.iter().map(|row| row["name"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("P3 cardiology")])
    );
    let csv = app.get_text("/reports/pathways-without-consultant-lead.csv?asOf=2026-11-01", Some(&national)).await;
    let names: Vec<String> =
        csv.lines().skip(1).map(|line| line.split(',').nth(1).unwrap_or_default().to_owned()).collect();
    assert_eq!(names, ["P3 cardiology", "P2 respiratory"]);

    let rows = |token: String, filter: Value, group_by: &'static str, resolution: &'static str| {
        let app = &app;
        async move {
            let selection = "group { code } leads { value } untrained { value } inTraining { value } trained { value }";
            let paths = ["group.code", "leads.value", "untrained.value", "inTraining.value", "trained.value"];
            let arguments = (filter, group_by, resolution);
            grouped_rows(app, &token, "leadsWithoutChangeManagementTraining", selection, arguments, &paths).await
        }
    };
    let now = json!({ "asOf": "2026-11-01" });
    assert_eq!(
        rows(national.clone(), now.clone(), "ICB", "AT_EVENT").await,
        [json!(["QHL", 1, 1, 0, 0]), json!(["T6Y0W", 2, 0, 1, 1])]
    );
    assert_eq!(
        rows(national.clone(), now.clone(), "TRUST", "AT_EVENT").await,
        [json!(["TA1", 1, 0, 0, 1]), json!(["TA2", 1, 0, 1, 0]), json!(["TB1", 1, 1, 0, 0])]
    );
    assert_eq!(
        rows(national.clone(), now.clone(), "REGION", "AT_EVENT").await,
        [json!(["Y60", 1, 1, 0, 0]), json!(["Y61", 2, 0, 1, 1])]
    );
    // In June 2025 L2 had not started training and L3 was in post; QJG's trusts went to two ICBs.
    let then = json!({ "asOf": "2025-06-01" });
    assert_eq!(
        rows(national.clone(), then.clone(), "ICB", "AT_EVENT").await,
        [json!(["QHL", 1, 1, 0, 0]), json!(["QJG", 2, 2, 0, 0]), json!(["QMM", 1, 0, 0, 1])]
    );
    assert_eq!(
        rows(national.clone(), then, "ICB", "CURRENT_SUCCESSOR").await,
        [json!(["D7T5G", 1, 1, 0, 0]), json!(["QHL", 1, 1, 0, 0]), json!(["T6Y0W", 2, 1, 0, 1])]
    );
    // A reporter gets the leads (roles, which the lists give it) exactly, and their training (from their
    // credentials, a person's education record) suppressed below the threshold; an ICB reader sees its own.
    let reporter = token(Role::Reporter, &[], None);
    assert_eq!(
        rows(reporter.clone(), now.clone(), "ICB", "AT_EVENT").await,
        [json!(["QHL", 1, null, null, null]), json!(["T6Y0W", 2, null, null, null])]
    );
    // Nor may a reporter rebuild them from the records: a person's credentials are personal data.
    let listed = app
        .graphql_as(
            Some(&reporter),
            "{ consultantLeads { nodes { trust { odsCode } pharmacist { credentials { kind } } } } }",
            json!({}),
        )
        .await;
    let nodes = listed["data"]["consultantLeads"]["nodes"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes.len(), 4, "{listed}");
    assert!(nodes.iter().all(|lead| lead["pharmacist"]["credentials"] == json!([])), "{listed}");
    let viewer = token(Role::IcbViewer, &["QHL"], None);
    assert_eq!(rows(viewer, now, "ICB", "AT_EVENT").await, [json!(["QHL", 1, 1, 0, 0])]);
    let csv = app
        .get_text(
            "/reports/leads-without-change-management-training.csv?asOf=2026-11-01&groupBy=TRUST",
            Some(&national),
        )
        .await;
    let cells: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            format!("{} {} {} {} {}", cells[1], cells[3], cells[4], cells[5], cells[6])
        })
        .collect();
    assert_eq!(cells, ["TA1 1 0 0 1", "TA2 1 0 1 0", "TB1 1 1 0 0"]);
}

#[tokio::test]
async fn recruitment_competition_for_the_same_band_at_the_same_time() {
    let app = fixed_network().await;
    let national = token(Role::National, &[], None);
    let rows = |token: String, filter: Value, group_by: &'static str, resolution: &'static str| {
        let app = &app;
        async move {
            let selection = "group { code } afcBand primaryCareVacancies { value } primaryCareWte { value }
                trustVacancies { value } trustWte { value }";
            let paths = [
                "group.code",
                "afcBand",
                "primaryCareVacancies.value",
                "primaryCareWte.value",
                "trustVacancies.value",
                "trustWte.value",
            ];
            grouped_rows(app, &token, "recruitmentCompetition", selection, (filter, group_by, resolution), &paths).await
        }
    };
    // Band 7 in Norfolk and Suffolk: a PCN and a pharmacy against a trust. Band 6 has no primary-care
    // vacancy, Essex's band 7 no primary-care rival, an unbanded pharmacy vacancy is left out, and the
    // PCN's earlier vacancy had closed.
    let now = json!({ "asOf": "2026-11-01" });
    assert_eq!(
        rows(national.clone(), now.clone(), "ICB", "AT_EVENT").await,
        [json!(["T6Y0W", "BAND_7", 2, 1.8, 1, 1.0])]
    );
    assert_eq!(
        rows(national.clone(), now.clone(), "REGION", "AT_EVENT").await,
        [json!(["Y61", "BAND_7", 2, 1.8, 2, 2.0])]
    );
    // In 2025 the rivals were in QJG; rolled up, in T6Y0W (where both organisations went).
    let then = json!({ "asOf": "2025-06-01" });
    assert_eq!(
        rows(national.clone(), then.clone(), "ICB", "AT_EVENT").await,
        [json!(["QJG", "BAND_8A", 1, 0.6, 1, 1.0])]
    );
    assert_eq!(
        rows(national.clone(), then, "ICB", "CURRENT_SUCCESSOR").await,
        [json!(["T6Y0W", "BAND_8A", 1, 0.6, 1, 1.0])]
    );
    // Vacancies are posts, which `vacancies` lists one by one to a reporter: published exactly.
    let reporter = token(Role::Reporter, &[], None);
    assert_eq!(
        rows(reporter.clone(), now.clone(), "ICB", "AT_EVENT").await,
        [json!(["T6Y0W", "BAND_7", 2, 1.8, 1, 1.0])]
    );
    let listed = app
        .graphql_as(
            Some(&reporter),
            r#"{ vacancies(asOf: "2026-11-01", filter: { icb: { eq: "T6Y0W" }, open: true, afcBand: { eq: BAND_7 } }) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(listed["data"]["vacancies"]["totalCount"], 3, "{listed}");
    let essex = token(Role::IcbViewer, &["D7T5G"], None);
    assert_eq!(rows(essex, now, "ICB", "AT_EVENT").await, Vec::<Value>::new());
    let by_trust = "{ reports { recruitmentCompetition(groupBy: TRUST) { afcBand } } }";
    let by_trust = app.graphql_as(Some(&national), by_trust, json!({})).await;
    assert_eq!(error_codes(&by_trust), ["BAD_USER_INPUT"], "{by_trust}");
    let csv = app.get_text("/reports/recruitment-competition.csv?asOf=2026-11-01", Some(&national)).await;
    let line = csv.lines().nth(1).unwrap_or_default();
    assert!(line.ends_with(",T6Y0W,NHS Norfolk and Suffolk Integrated Care Board,BAND_7,2,1.8,1,1"), "{csv}");
}

/// The rows of the grouped report `field` as `token` reads them with (filter, groupBy, icbResolution), each
/// cut down to the values at the dotted `paths` of `selection`.
async fn grouped_rows(
    app: &TestApp,
    token: &str,
    field: &str,
    selection: &str,
    (filter, group_by, resolution): (Value, &str, &str),
    paths: &[&str],
) -> Vec<Value> {
    let query = format!(
        "query($filter: ReportFilterInput, $groupBy: PlaceGroupBy, $resolution: IcbResolution) {{ reports {{
            {field}(filter: $filter, groupBy: $groupBy, icbResolution: $resolution) {{ {selection} }} }} }}"
    );
    let variables = json!({ "filter": filter, "groupBy": group_by, "resolution": resolution });
    let answer = app.graphql_as(Some(token), &query, variables).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let at = |row: &Value, path: &str| path.split('.').fold(row.clone(), |value, key| value[key].clone());
    answer["data"]["reports"][field]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| Value::Array(paths.iter().map(|path| at(row, path)).collect()))
        .collect()
}

/// Runs `mutation` as `token` with `input`; the payload.
async fn mutate(app: &TestApp, token: &str, mutation: &str, selection: &str, input: Value) -> Value {
    let input_type = format!("{}{}Input", mutation[..1].to_uppercase(), &mutation[1..]);
    let query = format!(
        "mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {selection} userErrors {{ field code }} }} }}"
    );
    let answer = app.graphql_as(Some(token), &query, json!({ "input": input })).await;
    assert!(answer["errors"].is_null(), "{mutation}: {answer}");
    answer["data"][mutation].clone()
}

/// The codes of a payload's user errors.
fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|error| error["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The id of the first record a national reader finds at `path` of `query`.
async fn first_id(app: &TestApp, query: &str, path: &[&str]) -> String {
    let national = token(Role::National, &[], None);
    let answer = app.graphql_as(Some(&national), query, json!({})).await;
    let value = path.iter().fold(&answer["data"], |value, key| match key.parse::<usize>() {
        Ok(index) => &value[index],
        Err(_) => &value[*key],
    });
    value.as_str().unwrap_or_else(|| panic!("{answer}")).to_owned()
}

#[tokio::test]
async fn every_new_mutation_keeps_its_rules_with_their_codes_and_writes_nothing_when_refused() {
    let app = fixed_network().await;
    let db = app.db();
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let audit = || async { AuditLog::find().count(db).await.expect("count") };
    let lead_query =
        |trust: &str| format!("{{ consultantLeads(filter: {{ trust: {{ eq: \"{trust}\" }} }}) {{ nodes {{ id }} }} }}");
    let l1 = first_id(&app, &lead_query("TA1"), &["consultantLeads", "nodes", "0", "id"]).await;
    let l3 = first_id(&app, &lead_query("TA3"), &["consultantLeads", "nodes", "0", "id"]).await;
    let l4 = first_id(&app, &lead_query("TB1"), &["consultantLeads", "nodes", "0", "id"]).await;

    // Refusals, each with its code, none of them writing anything.
    let before = audit().await;
    let shares = |lead: &str, from: &str, split: [i32; 4]| {
        json!({ "consultantLeadId": lead, "validFrom": from,
        "clinicalPracticePercent": split[0], "leadershipPercent": split[1], "educationPercent": split[2], "researchPercent": split[3] })
    };
    let pathway = |changes: Value| {
        let mut input = json!({ "ownerIcb": "T6Y0W", "name": "Falls pathway", "specialism": "FRAILTY", "startOn": "2026-08-01",
            "icbs": ["T6Y0W"], "sectors": ["GENERAL_PRACTICE", "SECONDARY_CARE"], "participants": ["TA1", "U00001"] });
        for (key, value) in changes.as_object().cloned().unwrap_or_default() {
            input[key] = value;
        }
        input
    };
    let refusals: Vec<(&str, Value, Vec<&str>)> = vec![
        ("recordPillarShares", shares(&l1, "2026-01-01", [50, 20, 10, 10]), vec!["INVALID_SHARES"]),
        ("recordPillarShares", shares(&l1, "2019-01-01", [50, 20, 20, 10]), vec!["INVALID_DATES"]),
        ("recordPillarShares", shares(&l4, "2026-01-01", [50, 20, 20, 10]), vec!["NOT_FOUND"]),
        ("createPatientPathway", pathway(json!({ "ownerIcb": "QHL" })), vec!["NOT_FOUND"]),
        ("createPatientPathway", pathway(json!({ "icbs": [] })), vec!["INVALID_SPAN"]),
        ("createPatientPathway", pathway(json!({ "sectors": [] })), vec!["NO_SECTORS"]),
        ("createPatientPathway", pathway(json!({ "startOn": "2025-08-01" })), vec!["NOT_FOUND"]),
        ("createPatientPathway", pathway(json!({ "participants": ["T6Y0W"] })), vec!["INVALID_PARTICIPANT"]),
        ("createPatientPathway", pathway(json!({ "participants": ["TB1"] })), vec!["PARTICIPANT_OUTSIDE_PATHWAY"]),
        ("createPatientPathway", pathway(json!({ "participants": ["TZZ"] })), vec!["NOT_FOUND"]),
        ("createPatientPathway", pathway(json!({ "consultantLeadId": l3 })), vec!["NOT_FOUND"]),
        ("createPatientPathway", pathway(json!({ "consultantLeadId": l4 })), vec!["NOT_FOUND"]),
        ("createPatientPathway", pathway(json!({ "status": "CLOSED" })), vec!["MISSING_END_DATE"]),
        ("createPatientPathway", pathway(json!({ "endOn": "2026-07-01" })), vec!["INVALID_DATES"]),
        ("createPatientPathway", pathway(json!({ "specialism": "OTHER" })), vec!["MISSING_DETAIL"]),
        ("createPatientPathway", pathway(json!({ "name": "P2 respiratory" })), vec!["DUPLICATE_NAME"]),
    ];
    for (mutation, input, expected) in refusals {
        let payload = mutate(&app, &admin, mutation, "__typename", input.clone()).await;
        assert_eq!(codes(&payload), expected, "{mutation} {input}");
    }
    assert_eq!(audit().await, before, "nothing was written");

    // A pathway whose lead has left before it starts: the lead is the administrator's (QJG's trust
    // went to T6Y0W), but not in post.
    let essex_admin = token(Role::IcbAdmin, &["D7T5G"], None);
    let late = json!({ "ownerIcb": "D7T5G", "name": "Late pathway", "specialism": "CARDIOLOGY", "startOn": "2026-08-01",
        "icbs": ["D7T5G"], "sectors": ["SECONDARY_CARE"], "consultantLeadId": l3 });
    assert_eq!(
        codes(&mutate(&app, &essex_admin, "createPatientPathway", "__typename", late).await),
        ["LEAD_NOT_IN_POST"]
    );
    assert_eq!(audit().await, before, "nothing was written");

    // Pillar shares: a new split ends the one before it.
    let first = mutate(
        &app,
        &admin,
        "recordPillarShares",
        "pillarShare { id validFrom validTo }",
        shares(&l1, "2025-01-01", [50, 20, 20, 10]),
    )
    .await;
    assert_eq!(codes(&first), Vec::<String>::new());
    let second = mutate(
        &app,
        &admin,
        "recordPillarShares",
        "pillarShare { validFrom validTo researchPercent }",
        shares(&l1, "2026-01-01", [40, 30, 20, 10]),
    )
    .await;
    assert_eq!(second["pillarShare"], json!({ "validFrom": "2026-01-01", "validTo": null, "researchPercent": 10 }));
    let overlap =
        mutate(&app, &admin, "recordPillarShares", "__typename", shares(&l1, "2025-06-01", [40, 30, 20, 10])).await;
    assert_eq!(codes(&overlap), ["PERIOD_OVERLAP"]);
    let national = token(Role::National, &[], None);
    let history = app.graphql_as(Some(&national), "query($id: ID!) { node(id: $id) { ... on ConsultantLead { pillarShares { validFrom validTo clinicalPracticePercent } } } }", json!({ "id": l1 })).await;
    assert_eq!(
        history["data"]["node"]["pillarShares"],
        json!([{ "validFrom": "2025-01-01", "validTo": "2025-12-31", "clinicalPracticePercent": 50 },
               { "validFrom": "2026-01-01", "validTo": null, "clinicalPracticePercent": 40 }])
    );

    // A pathway across two ICBs, then its changes.
    let created = mutate(
        &app,
        &admin,
        "createPatientPathway",
        "pathway { id version icbs { odsCode } participants { odsCode } sectors consultantLead { id } }",
        pathway(json!({ "icbs": ["T6Y0W", "D7T5G"], "participants": ["TA1", "TA3", "FZ001"], "consultantLeadId": l1 })),
    )
    .await;
    assert_eq!(codes(&created), Vec::<String>::new(), "{created}");
    let created = &created["pathway"];
    assert_eq!(created["icbs"], json!([{ "odsCode": "D7T5G" }, { "odsCode": "T6Y0W" }]));
    assert_eq!(created["participants"], json!([{ "odsCode": "FZ001" }, { "odsCode": "TA1" }, { "odsCode": "TA3" }]));
    let id = created["id"].as_str().expect("id").to_owned();
    let stale = mutate(
        &app,
        &admin,
        "updatePatientPathway",
        "__typename",
        json!({ "id": id, "expectedVersion": 7, "name": "Renamed" }),
    )
    .await;
    assert_eq!(codes(&stale), ["STALE_VERSION"]);
    let closed = mutate(
        &app,
        &admin,
        "updatePatientPathway",
        "pathway { status endOn version consultantLead { id } }",
        json!({ "id": id, "expectedVersion": 1, "status": "CLOSED", "endOn": "2026-10-31", "consultantLeadId": null }),
    )
    .await;
    assert_eq!(
        closed["pathway"],
        json!({ "status": "CLOSED", "endOn": "2026-10-31", "version": 2, "consultantLead": null })
    );
    let reopened = mutate(
        &app,
        &admin,
        "updatePatientPathway",
        "__typename",
        json!({ "id": id, "expectedVersion": 2, "status": "ACTIVE" }),
    )
    .await;
    assert_eq!(codes(&reopened), ["INVALID_TRANSITION"]);

    // A team's work mix.
    let team_id = first_id(
        &app,
        r#"{ icb(odsCode: "T6Y0W") { medicinesOptimisationTeams { id } } }"#,
        &["icb", "medicinesOptimisationTeams", "0", "id"],
    )
    .await;
    let mix = |from: &str, operational: f64, transformational: f64, kinds: Value| {
        json!({ "teamId": team_id, "validFrom": from,
        "operationalWte": operational, "transformationalWte": transformational, "kinds": kinds })
    };
    let before = audit().await;
    for (input, expected) in [
        (mix("2026-10-01", -1.0, 2.0, json!(["FORMULARY"])), "INVALID_WTE"),
        (mix("2026-10-01", 10.0, 4.0, json!(["FORMULARY"])), "WTE_EXCEEDS_TEAM"),
        (mix("2026-10-01", 6.0, 6.0, json!([])), "NO_WORK_KINDS"),
        (mix("2026-01-01", 6.0, 6.0, json!(["FORMULARY"])), "INVALID_DATES"),
        (mix("2026-04-01", 6.0, 6.0, json!(["FORMULARY"])), "PERIOD_OVERLAP"),
    ] {
        assert_eq!(codes(&mutate(&app, &admin, "recordTeamWorkMix", "__typename", input).await), [expected]);
    }
    assert_eq!(audit().await, before, "nothing was written");
    let recorded = mutate(
        &app,
        &admin,
        "recordTeamWorkMix",
        "workMix { transformationalShare kinds team { workMix { validFrom validTo } } }",
        mix("2026-10-01", 6.0, 6.0, json!(["PATHWAY_REDESIGN", "FORMULARY", "FORMULARY"])),
    )
    .await;
    assert_eq!(
        recorded["workMix"],
        json!({ "transformationalShare": 0.5, "kinds": ["FORMULARY", "PATHWAY_REDESIGN"],
                "team": { "workMix": [{ "validFrom": "2026-04-01", "validTo": "2026-09-30" }, { "validFrom": "2026-10-01", "validTo": null }] } })
    );

    // The team's WTE may not fall below a work mix recorded for it.
    let lowered = mutate(
        &app,
        &admin,
        "updateMedicinesOptimisationTeam",
        "__typename",
        json!({ "id": team_id, "expectedVersion": 1, "wte": 10.0 }),
    )
    .await;
    assert_eq!(codes(&lowered), ["WTE_EXCEEDS_TEAM"]);

    // Service redesigns.
    let p2 = first_id(
        &app,
        r#"{ patientPathways(filter: { icb: { eq: "T6Y0W" }, led: false }) { nodes { id } } }"#,
        &["patientPathways", "nodes", "0", "id"],
    )
    .await;
    let p4 = first_id(
        &app,
        r#"{ patientPathways(filter: { icb: { eq: "QHL" } }) { nodes { id } } }"#,
        &["patientPathways", "nodes", "0", "id"],
    )
    .await;
    let redesign_input = |changes: Value| {
        let mut input = json!({ "icb": "T6Y0W", "title": "Inhaler switch", "sectors": ["GENERAL_PRACTICE"], "startOn": "2026-12-01",
            "teamJoinedAt": "FROM_THE_START", "socialCareInvolved": false });
        for (key, value) in changes.as_object().cloned().unwrap_or_default() {
            input[key] = value;
        }
        input
    };
    let before = audit().await;
    for (input, expected) in [
        (redesign_input(json!({ "icb": "D7T5G" })), "NOT_FOUND"),
        (redesign_input(json!({ "sectors": [] })), "NO_SECTORS"),
        (redesign_input(json!({ "pathwayId": p4 })), "NOT_FOUND"),
        (redesign_input(json!({ "title": "  " })), "INVALID_TEXT"),
    ] {
        assert_eq!(codes(&mutate(&app, &admin, "createServiceRedesign", "__typename", input).await), [expected]);
    }
    // A span made only of other ICBs is refused: an ICB records the pathways it takes part in.
    let elsewhere = json!({ "ownerIcb": "T6Y0W", "name": "Essex only", "specialism": "FRAILTY", "startOn": "2026-08-01",
        "icbs": ["D7T5G"], "sectors": ["SECONDARY_CARE"] });
    assert_eq!(
        codes(&mutate(&app, &admin, "createPatientPathway", "__typename", elsewhere.clone()).await),
        ["INVALID_SPAN"]
    );
    // An administrator of both ICBs may record it, but not link it to a redesign of the other.
    let both = token(Role::IcbAdmin, &["T6Y0W", "D7T5G"], None);
    let essex_pathway =
        mutate(&app, &both, "createPatientPathway", "pathway { id }", elsewhere).await["pathway"]["id"].clone();
    let outside = mutate(
        &app,
        &both,
        "createServiceRedesign",
        "__typename",
        redesign_input(json!({ "pathwayId": essex_pathway })),
    )
    .await;
    assert_eq!(codes(&outside), ["PATHWAY_OUTSIDE_ICB"]);
    // A redesign of Essex on it holds the pathway to Essex: its span may not leave Essex out.
    let essex_redesign = mutate(
        &app,
        &both,
        "createServiceRedesign",
        "redesign { id }",
        redesign_input(json!({ "icb": "D7T5G", "pathwayId": essex_pathway })),
    )
    .await;
    assert_eq!(codes(&essex_redesign), Vec::<String>::new());
    let narrowed = mutate(
        &app,
        &both,
        "updatePatientPathway",
        "__typename",
        json!({ "id": essex_pathway, "expectedVersion": 1, "icbs": ["T6Y0W"] }),
    )
    .await;
    assert_eq!(codes(&narrowed), ["PATHWAY_OUTSIDE_ICB"]);
    // Norfolk and Suffolk's redesign may link a pathway of Norfolk and Waveney, which it took over.
    let p1 = first_id(
        &app,
        r#"{ patientPathways(filter: { icb: { eq: "QMM" } }) { nodes { id } } }"#,
        &["patientPathways", "nodes", "0", "id"],
    )
    .await;
    let inherited = mutate(
        &app,
        &admin,
        "createServiceRedesign",
        "redesign { pathway { name } }",
        redesign_input(json!({ "pathwayId": p1, "title": "Falls service" })),
    )
    .await;
    assert_eq!(inherited["redesign"]["pathway"]["name"], "P1 frailty", "{inherited}");
    assert_eq!(audit().await, before + 3, "only the pathway and the two redesigns were written");
    let redesign = mutate(&app, &admin, "createServiceRedesign", "redesign { id version pathway { name } sectors }",
        redesign_input(json!({ "pathwayId": p2, "teamJoinedAt": "NOT_INVOLVED", "sectors": ["GENERAL_PRACTICE", "GENERAL_PRACTICE"] }))).await;
    assert_eq!(codes(&redesign), Vec::<String>::new());
    assert_eq!(redesign["redesign"]["pathway"]["name"], "P2 respiratory");
    assert_eq!(redesign["redesign"]["sectors"], json!(["GENERAL_PRACTICE"]));
    let id = redesign["redesign"]["id"].as_str().expect("id").to_owned();
    let started = mutate(
        &app,
        &admin,
        "updateServiceRedesign",
        "redesign { status version }",
        json!({ "id": id, "expectedVersion": 1, "status": "IN_PROGRESS" }),
    )
    .await;
    assert_eq!(started["redesign"], json!({ "status": "IN_PROGRESS", "version": 2 }));
    let too_late = mutate(
        &app,
        &admin,
        "updateServiceRedesign",
        "__typename",
        json!({ "id": id, "expectedVersion": 2, "teamJoinedAt": "FROM_THE_START" }),
    )
    .await;
    assert_eq!(codes(&too_late), ["TOO_LATE_FOR_START"]);
    let done = mutate(&app, &admin, "updateServiceRedesign", "redesign { status }", json!({ "id": id, "expectedVersion": 2, "status": "COMPLETED", "teamJoinedAt": "IMPLEMENTATION", "socialCareInvolved": true })).await;
    assert_eq!(done["redesign"]["status"], "COMPLETED");
    let after_done = mutate(
        &app,
        &admin,
        "updateServiceRedesign",
        "__typename",
        json!({ "id": id, "expectedVersion": 3, "title": "Again" }),
    )
    .await;
    assert_eq!(codes(&after_done), ["INVALID_TRANSITION"]);

    // Every change left its audit row; readers without the role may not write.
    let viewer = token(Role::IcbViewer, &["T6Y0W"], None);
    let forbidden = app.graphql_as(Some(&viewer), "mutation { createServiceRedesign(input: { icb: \"T6Y0W\", title: \"x\", sectors: [GENERAL_PRACTICE], startOn: \"2026-12-01\", teamJoinedAt: DESIGN, socialCareInvolved: false }) { redesign { id } } }", json!({})).await;
    assert_eq!(error_codes(&forbidden), ["FORBIDDEN"]);
    let audited = AuditLog::find().all(db).await.expect("audit");
    for (entity_type, operation) in [
        ("consultant_pillar_share", "recordPillarShares"),
        ("patient_pathway", "updatePatientPathway"),
        ("team_work_mix", "recordTeamWorkMix"),
        ("service_redesign", "updateServiceRedesign"),
    ] {
        assert!(
            audited.iter().any(|row| row.entity_type == entity_type && row.operation == operation),
            "{entity_type} {operation}"
        );
    }
}

#[tokio::test]
async fn the_demo_network_has_every_new_record_and_answers_every_new_report() {
    let app = spawn_app(DemoData::Load).await;
    let db = app.db();
    assert!(consultant_lead::Entity::find().count(db).await.expect("count") > 0);
    for (table, count) in [
        ("consultant_pillar_share", entity::consultant_pillar_share::Entity::find().count(db).await.expect("count")),
        ("patient_pathway", patient_pathway::Entity::find().count(db).await.expect("count")),
        ("team_work_mix", team_work_mix::Entity::find().count(db).await.expect("count")),
        ("service_redesign", service_redesign::Entity::find().count(db).await.expect("count")),
    ] {
        assert!(count > 0, "{table}");
    }
    let national = token(Role::National, &[], None);
    let answer = app
        .graphql_as(
            Some(&national),
            r#"{ reports { icbComparison(filter: { asOf: "2026-11-01", region: ["Y61"] }) { rows { icb { code } pathways redesigns teamWte }
                  spread { region { code } } }
                pathwaysWithoutConsultantLead(filter: { asOf: "2026-11-01" }) { name }
                leadsWithoutChangeManagementTraining(filter: { asOf: "2026-11-01" }) { untrained { value } }
                recruitmentCompetition(filter: { asOf: "2026-11-01" }) { afcBand } } }"#,
            json!({}),
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    let rows = answer["data"]["reports"]["icbComparison"]["rows"].as_array().cloned().unwrap_or_default();
    assert!(
        rows.iter().any(|row| row["pathways"].as_u64() > Some(0) && row["redesigns"].as_u64() > Some(0)),
        "{answer}"
    );
    assert!(
        !answer["data"]["reports"]["pathwaysWithoutConsultantLead"].as_array().is_none_or(Vec::is_empty),
        "{answer}"
    );
}
