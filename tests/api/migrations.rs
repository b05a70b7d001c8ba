use crate::helpers::fresh_database;
use migration::SchemaManager;
use migration::{Migrator, MigratorTrait};

const TABLES: [&str; 23] = [
    "organisation",
    "organisation_relationship",
    "organisation_succession",
    "rotation_programme",
    "programme_funding_source",
    "programme_education_offer",
    "programme_sector",
    "programme_ics_aim",
    "cohort",
    "vacancy",
    "rotational_post",
    "pharmacist",
    "credential",
    "programme_membership",
    "placement",
    "consultant_lead",
    "programme_lead",
    "icb_medicines_role",
    "medicines_optimisation_team",
    "audit_log",
    "idempotency_key",
    "data_version",
    "seaql_migrations",
];

async fn existing_tables(manager: &SchemaManager<'_>) -> Vec<&'static str> {
    let mut existing = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await.expect("inspect schema") {
            existing.push(table);
        }
    }
    existing
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_and_apply_nothing_the_second_time() {
    let test_db = fresh_database().await;
    let db = &test_db.db;
    let manager = SchemaManager::new(db);

    Migrator::up(db, None).await.expect("first up");
    assert_eq!(existing_tables(&manager).await, TABLES.to_vec());
    let applied = Migrator::get_applied_migrations(db).await.expect("applied").len();
    assert_eq!(applied, Migrator::migrations().len());

    Migrator::down(db, None).await.expect("down");
    assert_eq!(existing_tables(&manager).await, vec!["seaql_migrations"]);
    assert_eq!(Migrator::get_applied_migrations(db).await.expect("applied").len(), 0);

    Migrator::up(db, None).await.expect("second up");
    assert_eq!(existing_tables(&manager).await, TABLES.to_vec());

    Migrator::up(db, None).await.expect("third up applies nothing");
    assert!(Migrator::get_pending_migrations(db).await.expect("pending").is_empty());
    assert_eq!(Migrator::get_applied_migrations(db).await.expect("applied").len(), applied);
}
