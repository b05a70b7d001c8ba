//! Rotation programmes with their attributes, cohorts, vacancies and rotational posts.

use crate::ddl::{check, create_indexes, drop_tables, foreign_key, index, not_blank, one_of, ordered, unique, wte};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PROGRAMME_STATUSES: [&str; 4] = ["DRAFT", "RECRUITING", "ACTIVE", "CLOSED"];
const FUNDING_SOURCES: [&str; 5] = ["ARRS", "EXISTING_VACANCY", "TRUST", "EDUCATION_GRANT", "OTHER"];
const EDUCATION_OFFERS: [&str; 4] =
    ["CPPE_PRIMARY_CARE_PATHWAY", "INDEPENDENT_PRESCRIBING", "RPS_FOUNDATION", "CLINICAL_DIPLOMA"];
const SECTORS: [&str; 4] = ["GENERAL_PRACTICE", "COMMUNITY_PHARMACY", "SECONDARY_CARE", "ICB_MEDICINES_OPTIMISATION"];
const ICS_AIMS: [&str; 4] =
    ["IMPROVE_OUTCOMES", "TACKLE_INEQUALITIES", "ENHANCE_PRODUCTIVITY", "SOCIAL_AND_ECONOMIC_DEVELOPMENT"];
const AFC_BANDS: [&str; 8] = ["BAND_5", "BAND_6", "BAND_7", "BAND_8A", "BAND_8B", "BAND_8C", "BAND_8D", "BAND_9"];
const POST_STATUSES: [&str; 5] = ["ADVERTISED", "OFFERED", "FILLED", "FROZEN", "WITHDRAWN"];

/// The four tables that hold a programme's sets of values: (table, value column, allowed values).
const PROGRAMME_SETS: [(&str, &str, &[&str]); 4] = [
    ("programme_funding_source", "funding_source", &FUNDING_SOURCES),
    ("programme_education_offer", "offer", &EDUCATION_OFFERS),
    ("programme_sector", "sector", &SECTORS),
    ("programme_ics_aim", "aim", &ICS_AIMS),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends (SQLite would otherwise run DDL outside a transaction).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("rotation_programme")
                    .col(pk_uuid("id"))
                    .col(text("code").unique_key())
                    .col(text("name"))
                    .col(text_null("description"))
                    .col(uuid("owner_icb_id"))
                    .col(text("status"))
                    .col(integer("min_duration_months"))
                    .col(integer("max_duration_months"))
                    .col(boolean("requires_gphc_registration"))
                    .col(integer_null("max_years_since_registration"))
                    .foreign_key(&mut foreign_key("rotation_programme", "owner_icb_id", "organisation"))
                    .check(check("rotation_programme", "code", not_blank("code")))
                    .check(check("rotation_programme", "name", not_blank("name")))
                    .check(check("rotation_programme", "status", one_of("status", &PROGRAMME_STATUSES)))
                    .check(check(
                        "rotation_programme",
                        "duration",
                        "min_duration_months > 0 AND max_duration_months >= min_duration_months",
                    ))
                    .check(check(
                        "rotation_programme",
                        "max-years-since-registration",
                        "max_years_since_registration IS NULL OR max_years_since_registration > 0",
                    ))
                    .to_owned(),
            )
            .await?;

        for (table, column, values) in PROGRAMME_SETS {
            manager
                .create_table(
                    Table::create()
                        .table(table)
                        .col(uuid("programme_id"))
                        .col(text(column))
                        .primary_key(Index::create().col("programme_id").col(column))
                        .foreign_key(&mut foreign_key(table, "programme_id", "rotation_programme"))
                        .check(check(table, column, one_of(column, values)))
                        .to_owned(),
                )
                .await?;
            manager.create_index(index(table, &[column])).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("cohort")
                    .col(pk_uuid("id"))
                    .col(uuid("programme_id"))
                    .col(text("label"))
                    .col(date("intake_date"))
                    .col(integer("places_offered"))
                    .col(date_null("recruitment_opens_on"))
                    .col(date_null("recruitment_closes_on"))
                    .foreign_key(&mut foreign_key("cohort", "programme_id", "rotation_programme"))
                    .check(check("cohort", "label", not_blank("label")))
                    .check(check("cohort", "places-offered", "places_offered > 0"))
                    .check(check(
                        "cohort",
                        "recruitment-dates",
                        ordered("recruitment_opens_on", "recruitment_closes_on"),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("vacancy")
                    .col(pk_uuid("id"))
                    .col(uuid("host_id"))
                    .col(text("sector"))
                    .col(text_null("afc_band"))
                    .col(double("wte"))
                    .col(text("funding"))
                    .col(date("opened_on"))
                    .col(date_null("closed_on"))
                    .foreign_key(&mut foreign_key("vacancy", "host_id", "organisation"))
                    .check(check("vacancy", "sector", one_of("sector", &SECTORS)))
                    .check(check(
                        "vacancy",
                        "afc-band",
                        format!("afc_band IS NULL OR {}", one_of("afc_band", &AFC_BANDS)),
                    ))
                    .check(check("vacancy", "wte", wte("wte")))
                    .check(check("vacancy", "funding", one_of("funding", &FUNDING_SOURCES)))
                    .check(check("vacancy", "dates", ordered("opened_on", "closed_on")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("rotational_post")
                    .col(pk_uuid("id"))
                    .col(uuid("cohort_id"))
                    .col(text("post_number"))
                    .col(uuid("employer_id"))
                    .col(text_null("afc_band"))
                    .col(double("wte"))
                    .col(text("status"))
                    .col(text("funding"))
                    .col(uuid_null("vacancy_id"))
                    .foreign_key(&mut foreign_key("rotational_post", "cohort_id", "cohort"))
                    .foreign_key(&mut foreign_key("rotational_post", "employer_id", "organisation"))
                    .foreign_key(&mut foreign_key("rotational_post", "vacancy_id", "vacancy"))
                    .check(check("rotational_post", "post-number", not_blank("post_number")))
                    .check(check(
                        "rotational_post",
                        "afc-band",
                        format!("afc_band IS NULL OR {}", one_of("afc_band", &AFC_BANDS)),
                    ))
                    .check(check("rotational_post", "wte", wte("wte")))
                    .check(check("rotational_post", "status", one_of("status", &POST_STATUSES)))
                    .check(check("rotational_post", "funding", one_of("funding", &FUNDING_SOURCES)))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                index("rotation_programme", &["owner_icb_id"]),
                index("rotation_programme", &["status"]),
                index("rotation_programme", &["name"]),
                unique("cohort", &["programme_id", "intake_date"]),
                unique("cohort", &["programme_id", "label"]),
                index("cohort", &["intake_date"]),
                index("vacancy", &["host_id"]),
                index("vacancy", &["sector", "opened_on"]),
                index("vacancy", &["opened_on"]),
                index("vacancy", &["closed_on"]),
                unique("rotational_post", &["cohort_id", "post_number"]),
                index("rotational_post", &["employer_id"]),
                index("rotational_post", &["vacancy_id"]),
                index("rotational_post", &["status"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "rotational_post",
                "vacancy",
                "cohort",
                "programme_ics_aim",
                "programme_sector",
                "programme_education_offer",
                "programme_funding_source",
                "rotation_programme",
            ],
        )
        .await
    }
}
