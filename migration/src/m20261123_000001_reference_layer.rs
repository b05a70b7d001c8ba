//! The reference layer: organisations of every kind, their dated parent links and their succession.

use crate::ddl::{check, create_indexes, drop_tables, foreign_key, index, matches, not_blank, one_of, ordered, unique};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// ODS code formats by organisation kind, as GLOB patterns (see `ddl::matches`).
const ODS_FORMATS: [(&str, &str); 9] = [
    ("REGION", "Y[0-9][0-9]"),
    ("ICB", "Q[A-Z0-9][A-Z0-9]"),
    ("ICB", "[A-Z][0-9][A-Z][0-9][A-Z]"),
    ("SUB_ICB_LOCATION", "[0-9][0-9][A-Z0-9]"),
    ("NHS_TRUST", "[RT][A-Z0-9][A-Z0-9]"),
    ("TRUST_SITE", "[RT][A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]"),
    ("PCN", "U[0-9][0-9][0-9][0-9][0-9]"),
    ("GP_PRACTICE", "[A-Z][0-9][0-9][0-9][0-9][0-9]"),
    ("COMMUNITY_PHARMACY", "F[A-Z0-9][A-Z0-9][A-Z0-9][A-Z0-9]"),
];

const KINDS: [&str; 8] =
    ["REGION", "ICB", "SUB_ICB_LOCATION", "NHS_TRUST", "TRUST_SITE", "PCN", "GP_PRACTICE", "COMMUNITY_PHARMACY"];

const CONTRACT_TYPES: [&str; 4] =
    ["COMMUNITY", "DISTANCE_SELLING", "LOCAL_PHARMACEUTICAL_SERVICES", "DISPENSING_APPLIANCE_CONTRACTOR"];

const RELATIONSHIP_KINDS: [&str; 5] =
    ["ICB_IN_REGION", "IN_ICB", "COMMISSIONED_BY_SUB_ICB_LOCATION", "MEMBER_OF_PCN", "SITE_OF_TRUST"];

const SUCCESSION_KINDS: [&str; 5] = ["MERGER", "ACQUISITION", "SPLIT", "RENAME", "CLOSURE"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends (SQLite would otherwise run DDL outside a transaction).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let ods_format = ODS_FORMATS
            .iter()
            .map(|(kind, pattern)| format!("(kind = '{kind}' AND {})", matches(backend, "ods_code", pattern)))
            .collect::<Vec<_>>()
            .join(" OR ");

        manager
            .create_table(
                Table::create()
                    .table("organisation")
                    .col(pk_uuid("id"))
                    .col(text("ods_code").unique_key())
                    .col(text("kind"))
                    .col(text("name"))
                    .col(text_null("gss_code"))
                    .col(text_null("postcode"))
                    .col(date_null("legal_start_date"))
                    .col(date_null("legal_end_date"))
                    .col(boolean_null("is_foundation_trust"))
                    .col(text_null("pharmacy_contract_type"))
                    .check(check("organisation", "kind", one_of("kind", &KINDS)))
                    .check(check("organisation", "ods-code-format", ods_format))
                    .check(check("organisation", "name", not_blank("name")))
                    .check(check(
                        "organisation",
                        "gss-code-format",
                        format!(
                            "gss_code IS NULL OR {}",
                            matches(backend, "gss_code", "E[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]")
                        ),
                    ))
                    .check(check("organisation", "legal-dates", ordered("legal_start_date", "legal_end_date")))
                    .check(check(
                        "organisation",
                        "foundation-trust-flag",
                        "is_foundation_trust IS NULL OR kind = 'NHS_TRUST'",
                    ))
                    .check(check(
                        "organisation",
                        "pharmacy-contract-type",
                        format!(
                            "pharmacy_contract_type IS NULL OR (kind = 'COMMUNITY_PHARMACY' AND {})",
                            one_of("pharmacy_contract_type", &CONTRACT_TYPES)
                        ),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("organisation_relationship")
                    .col(pk_uuid("id"))
                    .col(uuid("child_id"))
                    .col(uuid("parent_id"))
                    .col(text("kind"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .foreign_key(&mut foreign_key("organisation_relationship", "child_id", "organisation"))
                    .foreign_key(&mut foreign_key("organisation_relationship", "parent_id", "organisation"))
                    .check(check("organisation_relationship", "kind", one_of("kind", &RELATIONSHIP_KINDS)))
                    .check(check("organisation_relationship", "valid-dates", ordered("valid_from", "valid_to")))
                    .check(check("organisation_relationship", "not-own-parent", "child_id <> parent_id"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("organisation_succession")
                    .col(pk_uuid("id"))
                    .col(uuid("predecessor_id"))
                    .col(uuid("successor_id"))
                    .col(date("effective_date"))
                    .col(text("kind"))
                    .foreign_key(&mut foreign_key("organisation_succession", "predecessor_id", "organisation"))
                    .foreign_key(&mut foreign_key("organisation_succession", "successor_id", "organisation"))
                    .check(check("organisation_succession", "kind", one_of("kind", &SUCCESSION_KINDS)))
                    .check(check("organisation_succession", "not-own-successor", "predecessor_id <> successor_id"))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                index("organisation", &["kind", "name"]),
                index("organisation", &["name"]),
                index("organisation", &["legal_end_date"]),
                unique("organisation_relationship", &["child_id", "kind", "valid_from"]),
                index("organisation_relationship", &["parent_id", "kind", "valid_from"]),
                index("organisation_relationship", &["kind", "valid_from"]),
                unique("organisation_succession", &["predecessor_id", "successor_id"]),
                index("organisation_succession", &["successor_id"]),
                index("organisation_succession", &["effective_date"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["organisation_succession", "organisation_relationship", "organisation"]).await
    }
}
