//! Medicines optimisation across the system: consultant leads' time across the four RPS pillars, patient
//! pathways (with the ICBs, sectors and organisations they span), medicines-optimisation teams' work
//! mix, ICBs' service redesigns, and change-management training as a credential kind.

use crate::ddl::{check, create_indexes, drop_tables, foreign_key, index, not_blank, one_of, ordered, unique};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SPECIALISMS: [&str; 10] = [
    "ANTIMICROBIALS",
    "CARDIOLOGY",
    "CRITICAL_CARE",
    "FRAILTY",
    "MENTAL_HEALTH",
    "ONCOLOGY",
    "PAEDIATRICS",
    "PRIMARY_CARE",
    "RESPIRATORY",
    "OTHER",
];
const SECTORS: [&str; 4] = ["GENERAL_PRACTICE", "COMMUNITY_PHARMACY", "SECONDARY_CARE", "ICB_MEDICINES_OPTIMISATION"];
const PATHWAY_STATUSES: [&str; 4] = ["PLANNED", "ACTIVE", "PAUSED", "CLOSED"];
const WORK_KINDS: [&str; 10] = [
    "PRESCRIBING_QUALITY",
    "CARE_HOME_REVIEWS",
    "FORMULARY",
    "PATHWAY_REDESIGN",
    "HIGH_COST_DRUGS",
    "POPULATION_HEALTH",
    "ANTIMICROBIAL_STEWARDSHIP",
    "MEDICINES_SAFETY",
    "WORKFORCE_DEVELOPMENT",
    "OTHER",
];
const REDESIGN_STATUSES: [&str; 4] = ["PLANNED", "IN_PROGRESS", "COMPLETED", "STOPPED"];
const TEAM_STAGES: [&str; 4] = ["FROM_THE_START", "DESIGN", "IMPLEMENTATION", "NOT_INVOLVED"];

/// The credential kinds before and after this migration.
const CREDENTIAL_KINDS: [&str; 7] = [
    "CPPE_PRIMARY_CARE_PATHWAY",
    "INDEPENDENT_PRESCRIBING_COURSE",
    "RPS_FOUNDATION",
    "RPS_CORE_ADVANCED",
    "RPS_CONSULTANT",
    "CLINICAL_DIPLOMA",
    "OTHER",
];
const CREDENTIAL_KINDS_WITH_CHANGE_MANAGEMENT: [&str; 8] = [
    "CPPE_PRIMARY_CARE_PATHWAY",
    "INDEPENDENT_PRESCRIBING_COURSE",
    "RPS_FOUNDATION",
    "RPS_CORE_ADVANCED",
    "RPS_CONSULTANT",
    "CLINICAL_DIPLOMA",
    "CHANGE_MANAGEMENT",
    "OTHER",
];

/// PostgreSQL-only: no two dated rows of one parent overlap.
const EXCLUSIONS: [(&str, &str, &str); 2] = [
    (
        "consultant_pillar_share",
        "ex-consultant_pillar_share-one-per-day",
        "EXCLUDE USING gist (consultant_lead_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)",
    ),
    (
        "team_work_mix",
        "ex-team_work_mix-one-per-day",
        "EXCLUDE USING gist (team_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)",
    ),
];

/// A share of time in percent, 0 to 100.
fn percent(column: &str) -> String {
    format!("{column} >= 0 AND {column} <= 100")
}

/// Replaces the list of values a CHECK constraint on `credential.kind` allows: PostgreSQL alters the
/// constraint; SQLite, which cannot, rebuilds the table from its own definition with the new list (rows,
/// indexes and constraints kept).
async fn allow_credential_kinds(manager: &SchemaManager<'_>, from: &[&str], to: &[&str]) -> Result<(), DbErr> {
    let connection = manager.get_connection();
    let (old, new) = (one_of("kind", from), one_of("kind", to));
    if manager.get_database_backend() == DbBackend::Postgres {
        let sql = format!(
            r#"ALTER TABLE credential DROP CONSTRAINT "ck-credential-kind", ADD CONSTRAINT "ck-credential-kind" CHECK ({new})"#
        );
        connection.execute_unprepared(&sql).await?;
        return Ok(());
    }
    let definitions = connection
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'credential' AND sql IS NOT NULL",
        ))
        .await?;
    let mut table = None;
    let mut indexes = Vec::new();
    for definition in definitions {
        let (kind, sql): (String, String) = (definition.try_get("", "type")?, definition.try_get("", "sql")?);
        if kind == "table" { table = Some(sql) } else { indexes.push(sql) }
    }
    let table = table.ok_or_else(|| DbErr::Custom("table credential is missing".to_owned()))?;
    if !table.contains(&old) {
        return Err(DbErr::Custom("credential.kind does not have the expected CHECK constraint".to_owned()));
    }
    let rebuilt = table.replacen(&old, &new, 1).replacen("\"credential\"", "\"credential_rebuilt\"", 1);
    connection.execute_unprepared(&rebuilt).await?;
    connection.execute_unprepared("INSERT INTO credential_rebuilt SELECT * FROM credential").await?;
    connection.execute_unprepared("DROP TABLE credential").await?;
    connection.execute_unprepared("ALTER TABLE credential_rebuilt RENAME TO credential").await?;
    for index in indexes {
        connection.execute_unprepared(&index).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        allow_credential_kinds(manager, &CREDENTIAL_KINDS, &CREDENTIAL_KINDS_WITH_CHANGE_MANAGEMENT).await?;

        manager
            .create_table(
                Table::create()
                    .table("consultant_pillar_share")
                    .col(pk_uuid("id"))
                    .col(uuid("consultant_lead_id"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .col(integer("clinical_practice_percent"))
                    .col(integer("leadership_percent"))
                    .col(integer("education_percent"))
                    .col(integer("research_percent"))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .foreign_key(&mut foreign_key("consultant_pillar_share", "consultant_lead_id", "consultant_lead"))
                    .check(check("consultant_pillar_share", "clinical-practice", percent("clinical_practice_percent")))
                    .check(check("consultant_pillar_share", "leadership", percent("leadership_percent")))
                    .check(check("consultant_pillar_share", "education", percent("education_percent")))
                    .check(check("consultant_pillar_share", "research", percent("research_percent")))
                    .check(check(
                        "consultant_pillar_share",
                        "whole",
                        "clinical_practice_percent + leadership_percent + education_percent + research_percent = 100",
                    ))
                    .check(check("consultant_pillar_share", "valid-dates", ordered("valid_from", "valid_to")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("patient_pathway")
                    .col(pk_uuid("id"))
                    .col(uuid("owner_icb_id"))
                    .col(text("name"))
                    .col(text("specialism"))
                    .col(text_null("specialism_detail"))
                    .col(text("status"))
                    .col(date("start_on"))
                    .col(date_null("end_on"))
                    .col(uuid_null("consultant_lead_id"))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .foreign_key(&mut foreign_key("patient_pathway", "owner_icb_id", "organisation"))
                    .foreign_key(&mut foreign_key("patient_pathway", "consultant_lead_id", "consultant_lead"))
                    .check(check("patient_pathway", "name", not_blank("name")))
                    .check(check("patient_pathway", "specialism", one_of("specialism", &SPECIALISMS)))
                    .check(check("patient_pathway", "status", one_of("status", &PATHWAY_STATUSES)))
                    .check(check("patient_pathway", "dates", ordered("start_on", "end_on")))
                    .to_owned(),
            )
            .await?;
        for (table, column, parent) in
            [("pathway_icb", "icb_id", "organisation"), ("pathway_participant", "organisation_id", "organisation")]
        {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(uuid("pathway_id"))
                        .col(uuid(column))
                        .primary_key(Index::create().col("pathway_id").col(column))
                        .foreign_key(&mut foreign_key(table, "pathway_id", "patient_pathway"))
                        .foreign_key(&mut foreign_key(table, column, parent))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("team_work_mix")
                    .col(pk_uuid("id"))
                    .col(uuid("team_id"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .col(double("operational_wte"))
                    .col(double("transformational_wte"))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .foreign_key(&mut foreign_key("team_work_mix", "team_id", "medicines_optimisation_team"))
                    .check(check(
                        "team_work_mix",
                        "wte",
                        "operational_wte >= 0 AND transformational_wte >= 0 \
                         AND operational_wte + transformational_wte > 0 \
                         AND operational_wte + transformational_wte <= 1000",
                    ))
                    .check(check("team_work_mix", "valid-dates", ordered("valid_from", "valid_to")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("team_work_kind")
                    .col(uuid("work_mix_id"))
                    .col(text("kind"))
                    .primary_key(Index::create().col("work_mix_id").col("kind"))
                    .foreign_key(&mut foreign_key("team_work_kind", "work_mix_id", "team_work_mix"))
                    .check(check("team_work_kind", "kind", one_of("kind", &WORK_KINDS)))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("service_redesign")
                    .col(pk_uuid("id"))
                    .col(uuid("icb_id"))
                    .col(text("title"))
                    .col(uuid_null("pathway_id"))
                    .col(date("start_on"))
                    .col(text("status"))
                    .col(text("team_joined_at"))
                    .col(boolean("social_care_involved"))
                    .col(ColumnDef::new("version").integer().not_null().default(1))
                    .foreign_key(&mut foreign_key("service_redesign", "icb_id", "organisation"))
                    .foreign_key(&mut foreign_key("service_redesign", "pathway_id", "patient_pathway"))
                    .check(check("service_redesign", "title", not_blank("title")))
                    .check(check("service_redesign", "status", one_of("status", &REDESIGN_STATUSES)))
                    .check(check("service_redesign", "team-joined-at", one_of("team_joined_at", &TEAM_STAGES)))
                    .to_owned(),
            )
            .await?;
        for (table, parent_column, parent) in [
            ("pathway_sector", "pathway_id", "patient_pathway"),
            ("service_redesign_sector", "redesign_id", "service_redesign"),
        ] {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(uuid(parent_column))
                        .col(text("sector"))
                        .primary_key(Index::create().col(parent_column).col("sector"))
                        .foreign_key(&mut foreign_key(table, parent_column, parent))
                        .check(check(table, "sector", one_of("sector", &SECTORS)))
                        .to_owned(),
                )
                .await?;
        }

        create_indexes(
            manager,
            vec![
                unique("consultant_pillar_share", &["consultant_lead_id", "valid_from"]),
                unique("patient_pathway", &["owner_icb_id", "name"]),
                index("patient_pathway", &["consultant_lead_id"]),
                index("patient_pathway", &["start_on"]),
                index("patient_pathway", &["name"]),
                index("pathway_icb", &["icb_id"]),
                index("pathway_participant", &["organisation_id"]),
                unique("team_work_mix", &["team_id", "valid_from"]),
                index("service_redesign", &["icb_id", "start_on"]),
                index("service_redesign", &["pathway_id"]),
                index("service_redesign", &["start_on"]),
            ],
        )
        .await?;

        if manager.get_database_backend() == DbBackend::Postgres {
            for (table, name, definition) in EXCLUSIONS {
                manager
                    .get_connection()
                    .execute_unprepared(&format!(r#"ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}"#))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "service_redesign_sector",
                "service_redesign",
                "team_work_kind",
                "team_work_mix",
                "pathway_sector",
                "pathway_participant",
                "pathway_icb",
                "patient_pathway",
                "consultant_pillar_share",
            ],
        )
        .await?;
        manager.get_connection().execute_unprepared("DELETE FROM credential WHERE kind = 'CHANGE_MANAGEMENT'").await?;
        allow_credential_kinds(manager, &CREDENTIAL_KINDS_WITH_CHANGE_MANAGEMENT, &CREDENTIAL_KINDS).await
    }
}
