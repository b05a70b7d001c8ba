use crate::helpers::prepared_database;
use chrono::NaiveDate;
use entity::enums::{MedicinesRole, OrganisationKind, ProgrammeLeadRole};
use entity::prelude::{Organisation, Pharmacist, Placement};
use entity::{organisation, rotation_programme};
use rotagraph::AppError;
use rotagraph::app::DemoData;
use rotagraph::domain::{GphcNumber, OdsCode};
use rotagraph::generator::{self, Scale};
use rotagraph::reference::organisation_id;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashSet;

fn count_kind(network: &generator::Network, kind: OrganisationKind) -> usize {
    network.organisations.iter().filter(|row| row.kind == kind).count()
}

#[test]
fn the_england_network_has_national_counts_in_reserved_synthetic_ranges() {
    let network = generator::generate(Scale::England).expect("generate");

    assert_eq!(count_kind(&network, OrganisationKind::NhsTrust), 215);
    assert_eq!(count_kind(&network, OrganisationKind::Pcn), 1_250);
    assert_eq!(count_kind(&network, OrganisationKind::GpPractice), 6_300);
    assert_eq!(count_kind(&network, OrganisationKind::CommunityPharmacy), 10_400);
    assert_eq!(network.pharmacists.len(), 60_000);
    assert_eq!(network.placements.len(), 200_000);

    let host_icbs: HashSet<_> = network.placements.iter().filter_map(|row| row.host_icb_id).collect();
    assert!(host_icbs.len() >= 36, "every current ICB hosts placements");
    let (first, last) = (NaiveDate::from_ymd_opt(2022, 1, 1), NaiveDate::from_ymd_opt(2027, 12, 31));
    assert!(network.placements.iter().all(|row| Some(row.start_date) >= first && Some(row.end_date) <= last));
    for row in &network.organisations {
        let code = OdsCode::parse_for(row.kind, &row.ods_code).expect("valid format");
        assert!(code.is_synthetic(row.kind), "{} is outside the synthetic range", row.ods_code);
    }
    assert!(network.pharmacists.iter().all(|row| GphcNumber::parse(&row.gphc_number).is_ok_and(|n| n.is_synthetic())));
}

#[test]
fn the_generator_is_deterministic() {
    let first = generator::generate(Scale::Demo).expect("generate");
    let second = generator::generate(Scale::Demo).expect("generate");

    assert_eq!(first.pharmacists, second.pharmacists);
    assert_eq!(first.placements, second.placements);
    assert_eq!(first.organisations, second.organisations);
    assert_eq!(first.pillar_shares, second.pillar_shares);
    assert_eq!(first.work_mixes, second.work_mixes);
    assert_eq!(first.pathways, second.pathways);
    assert_eq!(first.pathway_icbs, second.pathway_icbs);
    assert_eq!(first.pathway_participants, second.pathway_participants);
    assert_eq!(first.redesigns, second.redesigns);
}

#[tokio::test]
async fn the_demo_network_has_star_cross_icb_placements_across_the_mergers_and_leads() {
    let test_db = prepared_database(DemoData::Load).await;
    let db = &test_db.db;

    let star = rotation_programme::Entity::find()
        .filter(rotation_programme::Column::Code.eq("STAR"))
        .one(db)
        .await
        .expect("query")
        .expect("the STAR programme");
    assert_eq!(star.owner_icb_id, organisation_id("QMM"));
    assert_eq!((star.min_duration_months, star.max_duration_months), (24, 30));
    assert_eq!(star.max_years_since_registration, Some(3));
    let star_cohorts = entity::cohort::Entity::find()
        .filter(entity::cohort::Column::ProgrammeId.eq(star.id))
        .all(db)
        .await
        .expect("cohorts");
    assert!(!star_cohorts.is_empty() && star_cohorts.iter().all(|cohort| cohort.places_offered == 20));
    let programmes = rotation_programme::Entity::find().count(db).await.expect("count");
    assert!(programmes >= 2, "STAR and at least one other ICB's programme");

    let merger = NaiveDate::from_ymd_opt(2026, 4, 1).expect("date");
    let placements = Placement::find().all(db).await.expect("placements");
    assert!(placements.iter().any(|row| row.is_cross_icb), "cross-ICB placements");
    assert!(
        placements.iter().any(|row| row.start_date < merger) && placements.iter().any(|row| row.start_date >= merger)
    );

    let leads = entity::consultant_lead::Entity::find().count(db).await.expect("count");
    assert!(leads > 0, "consultant-pharmacist leads in trusts");
    let board_leads = entity::icb_medicines_role::Entity::find()
        .filter(entity::icb_medicines_role::Column::Role.eq(MedicinesRole::BoardMedicinesLead))
        .count(db)
        .await
        .expect("count");
    assert!(board_leads > 0, "ICB medicines leads");
    let clinical_leads = entity::programme_lead::Entity::find()
        .filter(entity::programme_lead::Column::Role.eq(ProgrammeLeadRole::Clinical))
        .filter(entity::programme_lead::Column::ProgrammeId.eq(star.id))
        .count(db)
        .await
        .expect("count");
    assert_eq!(clinical_leads, 1, "STAR has a consultant-pharmacist clinical lead");
    let synthetic = Organisation::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::CommunityPharmacy))
        .all(db)
        .await
        .expect("pharmacies");
    assert!(synthetic.iter().all(|row| row.ods_code.starts_with("FZ")));
}

#[tokio::test]
async fn seeding_a_database_that_already_holds_a_network_is_refused_and_changes_nothing() {
    let test_db = prepared_database(DemoData::Load).await;
    let db = &test_db.db;
    let before = Pharmacist::find().count(db).await.expect("count");

    let again = generator::seed(db, Scale::Demo).await;

    assert!(matches!(again, Err(AppError::Conflict(_))));
    assert_eq!(Pharmacist::find().count(db).await.expect("count"), before);
}
