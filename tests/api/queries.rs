//! The services' read queries on their own, without GraphQL: a plain filter, order and page read the
//! same placements the GraphQL list answers, scoped to the reader by the same mechanism, and a filter on
//! personal data is refused to a reader without access to it.

use crate::helpers::{spawn_app, token};
use entity::enums::Sector;
use entity::placement;
use rotagraph::app::DemoData;
use rotagraph::error::AppError;
use rotagraph::services::access::{Principal, Role, Scope};
use rotagraph::services::pagination::{Counting, Ordering, Window};
use rotagraph::services::queries::{self, DateRange, workforce::PharmacistFilter, workforce::PlacementFilter};
use serde_json::json;

fn principal(role: Role, icbs: &[&str]) -> Principal {
    Principal {
        subject: "queries-test".to_owned(),
        role: Some(role),
        icbs: icbs.iter().map(|icb| (*icb).to_owned()).collect(),
        region: None,
    }
}

#[tokio::test]
async fn a_service_list_reads_what_the_graphql_list_answers_scoped_alike() {
    let app = spawn_app(DemoData::Load).await;
    let filter = PlacementFilter {
        sectors: Some(vec![Sector::GeneralPractice]),
        start_date: Some(DateRange { from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1), to: None }),
        ..PlacementFilter::default()
    };
    let condition = filter.condition(&|_| Vec::new()).expect("condition");
    let ordering = Ordering::<placement::Entity>::by_columns([placement::Column::StartDate], false);
    let window = Window { first: Some(100), ..Window::default() };
    let query = r#"{ placements(first: 100, filter: { sector: { eq: GENERAL_PRACTICE }, startDate: { from: "2025-01-01" } }) {
        totalCount nodes { startDate host { odsCode } } } }"#;

    let mut totals = Vec::new();
    for (role, icbs) in [(Role::National, vec![]), (Role::IcbViewer, vec!["T6Y0W"])] {
        let scope = Scope::resolve(app.db(), &principal(role, &icbs)).await.expect("scope");
        let page = queries::list(app.db(), &scope, condition.clone(), &ordering, &window, Counting::Count)
            .await
            .expect("page");
        let answer = app.graphql_as(Some(&token(role, &icbs, None)), query, json!({})).await;
        let nodes = answer["data"]["placements"]["nodes"].as_array().cloned().unwrap_or_default();

        assert_eq!(page.total, answer["data"]["placements"]["totalCount"].as_u64(), "{role:?}: {answer}");
        assert_eq!(page.rows.len(), nodes.len(), "{role:?}");
        let days: Vec<String> = page.rows.iter().map(|(row, _)| row.start_date.to_string()).collect();
        let answered: Vec<String> =
            nodes.iter().map(|node| node["startDate"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(days, answered, "{role:?}");
        totals.push(page.total.unwrap_or_default());
    }
    assert!(totals[1] > 0 && totals[1] < totals[0], "an ICB viewer sees some, not all: {totals:?}");
}

#[tokio::test]
async fn a_filter_on_personal_data_is_refused_to_a_reader_without_access_to_it() {
    let app = spawn_app(DemoData::Load).await;
    let filter = PharmacistFilter {
        gphc_numbers: Some(vec!["2212345".to_owned()]),
        as_of: crate::helpers::TEST_TODAY,
        ..PharmacistFilter::default()
    };
    let reporter = Scope::resolve(app.db(), &principal(Role::Reporter, &[])).await.expect("scope");
    let national = Scope::resolve(app.db(), &principal(Role::National, &[])).await.expect("scope");

    assert!(matches!(filter.condition(&reporter), Err(AppError::Forbidden("gphcNumber"))));
    assert!(filter.condition(&national).is_ok());
}
