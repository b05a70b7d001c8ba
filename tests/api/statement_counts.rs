//! No N+1: the same nested queries run the same number of SQL statements on a network ten times larger.

use crate::helpers::fresh_database;
use rotagraph::app::{self, DemoData};
use rotagraph::generator::{self, Scale};
use rotagraph::graphql;
use rotagraph::services::access::{Principal, Role, Scope};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Nested queries over every kind of relation, nested connections (with `totalCount`) included. Each key
/// type is loaded in one branch of a query only: two branches that reach the same key type (say,
/// organisations as post employers and as placement hosts) share a batch only if they reach it while the
/// same fetches are outstanding, which depends on the data's shape as well as the query's.
const QUERIES: [&str; 16] = [
    r#"{ programmes(first: 10) { totalCount nodes { code fundingSources sectors leads { role }
         cohorts(first: 5) { totalCount nodes { label posts(first: 10) { nodes { postNumber vacancy { openedOn } } }
           memberships(first: 5) { totalCount nodes { status pharmacist { gphcNumber credentials { kind } }
             placements(first: 3) { nodes { sector host { name icb(asOf: "2025-06-01") { odsCode } } } } } } } } } } }"#,
    r#"{ programmes(first: 20) { nodes { ownerIcb { name region { name } }
         cohorts(first: 5) { nodes { posts(first: 10) { nodes { employer { odsCode } } } } } } } }"#,
    r#"{ icbs { odsCode region { name } predecessors { icb { odsCode } }
         trusts(first: 10) { nodes { name sites { nodes { name } } consultantLeads { nodes { specialism } } } }
         pcns(first: 10) { totalCount nodes { name practices(first: 10) { nodes { odsCode } } } }
         medicinesOptimisationTeams { name } } }"#,
    r#"{ icbs { organisations(first: 50, kind: GP_PRACTICE) { totalCount nodes { odsCode
           ... on GpPractice { placements(first: 3) { totalCount nodes { startDate } }
                               vacancies(first: 3) { nodes { openedOn } } } } }
         programmes(first: 5) { totalCount nodes { code } } } }"#,
    r#"{ placements(first: 100) { totalCount edges { cursor node { startDate
         host { odsCode ... on GpPractice { pcn { name } } }
         membership { cohort { programme { code } } } } } } }"#,
    r#"{ pharmacists(first: 100, filter: { firstRegisteredOn: { from: "2020-01-01" } }) { totalCount nodes {
         gphcNumber credentials { status } memberships(first: 5) { nodes { cohort { intakeDate } } }
         placements(first: 5, filter: { hostIcb: { in: ["T6Y0W", "QMM"] } }) { nodes { host { name } } } } } }"#,
    r#"{ organisations(first: 100, filter: { kind: { in: [GP_PRACTICE, COMMUNITY_PHARMACY, NHS_TRUST] } }) {
         totalCount nodes { odsCode icb { odsCode } region { name } } } }"#,
    r#"{ vacancies(first: 100) { totalCount nodes { sector host { name } } } }"#,
    r#"{ consultantLeads(first: 100) { totalCount nodes { specialism trust { name } pharmacist { familyName }
         programmeRoles { programme { code } } } } }"#,
    r#"{ reports { byIcb: fillRate(groupBy: ICB, icbResolution: CURRENT_SUCCESSOR, filter: { region: ["Y61"] }) {
         group { code } placesOffered active { value } fillRate { value } } } }"#,
    r#"{ reports { placementActivity(granularity: NHS_FINANCIAL_YEAR, filter: { from: "2022-04-01", to: "2027-03-31" }) {
         period sector placements { value } wte { value } }
         openVacancies { icb { code } vacancies { value } } } }"#,
    r#"{ reports { crossIcbFlows(icbResolution: CURRENT_SUCCESSOR) { owner { code } placements { value } }
         independentPrescribers(groupBy: REGION) { group { code } share { value } }
         rotationsEnding(withinDays: 90, groupBy: COHORT) { group { code } ending { value } } } }"#,
    r#"{ reports { icbMedicinesLeadership { icb { code } chiefPharmacist }
         programmesWithoutClinicalLead { code } consultantLeadCoverage { trust { code } specialisms } } }"#,
    r#"{ patientPathways(first: 50) { totalCount nodes { name participants { odsCode } sectors
         consultantLead { specialism pillarShares { clinicalPracticePercent } }
         serviceRedesigns { title sectors } } } }"#,
    r#"{ serviceRedesigns(first: 50) { totalCount nodes { title icb { odsCode } pathway { name } sectors } }
         icbs { medicinesOptimisationTeams { name workMix { transformationalShare kinds } } } }"#,
    r#"{ reports { icbComparison(icbResolution: CURRENT_SUCCESSOR) { rows { icb { code } pathways redesigns teamWte }
           spread { region { code } measures { measure median } } }
         pathwaysWithoutConsultantLead { name icbs { code } }
         leadsWithoutChangeManagementTraining(groupBy: TRUST) { group { code } untrained { value } }
         recruitmentCompetition(groupBy: REGION) { group { code } afcBand trustVacancies { value } } } }"#,
];

/// Runs each query in-process as a national reader and returns the statements each ran.
async fn statements_per_query(db: &DatabaseConnection, counter: &Arc<AtomicUsize>) -> Vec<usize> {
    let events = rotagraph::services::events::EventHub::start(db).await.expect("events");
    let api = graphql::api(
        graphql::Databases::single(db.clone()),
        events,
        graphql::reports::ReportSettings {
            suppression_threshold: 5,
            rounding_base: 5,
            cache: Arc::new(rotagraph::services::reports::ReportCache::new(std::time::Duration::from_secs(60))),
        },
        &rotagraph::config::Limits::default(),
        Arc::new(rotagraph::metrics::Metrics::new()),
    );
    let principal =
        Principal { subject: "test".to_owned(), role: Some(Role::National), icbs: Vec::new(), region: None };
    let mut counts = Vec::new();
    for query in QUERIES {
        let scope = Scope::resolve(db, &principal).await.expect("scope");
        counter.store(0, Ordering::SeqCst);
        let caller = graphql::Caller {
            principal: principal.clone(),
            scope,
            request_id: "statement-count".to_owned(),
            today: crate::helpers::TEST_TODAY,
        };
        let budget = Arc::new(graphql::response_size::ResponseBudget::new(usize::MAX));
        let (response, _) = graphql::execute(&api, query.into(), caller, budget, None).await;
        assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
        counts.push(counter.load(Ordering::SeqCst));
    }
    counts
}

async fn network(factor: usize) -> (crate::helpers::TestDb, Arc<AtomicUsize>) {
    let mut test_db = fresh_database().await;
    let counter = Arc::new(AtomicUsize::new(0));
    let counted = counter.clone();
    test_db.db.set_metric_callback(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    });
    app::prepare_database(&test_db.db, DemoData::Skip).await.expect("prepare");
    generator::seed_times(&test_db.db, Scale::Demo, factor).await.expect("seed");
    (test_db, counter)
}

#[tokio::test]
async fn nested_queries_run_as_many_statements_on_a_network_ten_times_larger() {
    let (small, small_counter) = network(1).await;
    let (large, large_counter) = network(10).await;

    let small_counts = statements_per_query(&small.db, &small_counter).await;
    let large_counts = statements_per_query(&large.db, &large_counter).await;

    assert!(small_counts.iter().all(|count| *count > 0), "statements were counted: {small_counts:?}");
    assert_eq!(small_counts, large_counts);
}
