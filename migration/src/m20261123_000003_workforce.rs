//! The workforce layer: pharmacists, credentials, memberships, placements, consultant-pharmacist leads,
//! ICB medicines leadership roles and medicines-optimisation teams.

use crate::ddl::{
    check, create_indexes, drop_tables, foreign_key, index, matches, not_blank, one_of, ordered, unique, wte,
};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REGISTRATION_STATUSES: [&str; 3] = ["REGISTERED", "SUSPENDED", "REMOVED"];
const CREDENTIAL_KINDS: [&str; 7] = [
    "CPPE_PRIMARY_CARE_PATHWAY",
    "INDEPENDENT_PRESCRIBING_COURSE",
    "RPS_FOUNDATION",
    "RPS_CORE_ADVANCED",
    "RPS_CONSULTANT",
    "CLINICAL_DIPLOMA",
    "OTHER",
];
const CREDENTIAL_STATUSES: [&str; 5] = ["ENROLLED", "IN_PROGRESS", "AWARDED", "WITHDRAWN", "EXEMPT"];
const MEMBERSHIP_STATUSES: [&str; 5] = ["OFFERED", "ACCEPTED", "ACTIVE", "COMPLETED", "WITHDRAWN"];
const PLACEMENT_STATUSES: [&str; 3] = ["PLANNED", "APPROVED", "CANCELLED"];
const SECTORS: [&str; 4] = ["GENERAL_PRACTICE", "COMMUNITY_PHARMACY", "SECONDARY_CARE", "ICB_MEDICINES_OPTIMISATION"];
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
const PROGRAMME_LEAD_ROLES: [&str; 2] = ["CLINICAL", "EDUCATION"];
const MEDICINES_ROLES: [&str; 5] = [
    "BOARD_MEDICINES_LEAD",
    "CHIEF_PHARMACIST",
    "DIRECTOR_OF_MEDICINES_OPTIMISATION",
    "MEDICINES_OPTIMISATION_TEAM_LEAD",
    "PHARMACY_WORKFORCE_LEAD",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends (SQLite would otherwise run DDL outside a transaction).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        manager
            .create_table(
                Table::create()
                    .table("pharmacist")
                    .col(pk_uuid("id"))
                    .col(text("gphc_number").unique_key())
                    .col(text("given_name"))
                    .col(text("family_name"))
                    .col(date("first_registered_on"))
                    .col(text("registration_status"))
                    .col(date_null("independent_prescriber_since"))
                    .check(check(
                        "pharmacist",
                        "gphc-number-format",
                        matches(backend, "gphc_number", "[0-9][0-9][0-9][0-9][0-9][0-9][0-9]"),
                    ))
                    .check(check("pharmacist", "given-name", not_blank("given_name")))
                    .check(check("pharmacist", "family-name", not_blank("family_name")))
                    .check(check(
                        "pharmacist",
                        "registration-status",
                        one_of("registration_status", &REGISTRATION_STATUSES),
                    ))
                    .check(check(
                        "pharmacist",
                        "prescriber-after-registration",
                        ordered("first_registered_on", "independent_prescriber_since"),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("credential")
                    .col(pk_uuid("id"))
                    .col(uuid("pharmacist_id"))
                    .col(text("kind"))
                    .col(text("status"))
                    .col(date_null("started_on"))
                    .col(date_null("expected_completion_on"))
                    .col(date_null("awarded_on"))
                    .col(integer_null("progress_percent"))
                    .foreign_key(&mut foreign_key("credential", "pharmacist_id", "pharmacist"))
                    .check(check("credential", "kind", one_of("kind", &CREDENTIAL_KINDS)))
                    .check(check("credential", "status", one_of("status", &CREDENTIAL_STATUSES)))
                    .check(check(
                        "credential",
                        "progress-percent",
                        "progress_percent IS NULL OR (progress_percent >= 0 AND progress_percent <= 100)",
                    ))
                    .check(check("credential", "awarded-date", "status <> 'AWARDED' OR awarded_on IS NOT NULL"))
                    .check(check("credential", "dates", ordered("started_on", "awarded_on")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("programme_membership")
                    .col(pk_uuid("id"))
                    .col(uuid("pharmacist_id"))
                    .col(uuid("cohort_id"))
                    .col(uuid_null("post_id"))
                    .col(text("status"))
                    .col(date("offered_on"))
                    .col(date_null("accepted_on"))
                    .col(date("start_date"))
                    .col(date("planned_end_date"))
                    .col(date_null("actual_end_date"))
                    .col(text_null("leaving_reason"))
                    .col(date_null("eligibility_checked_on"))
                    .col(boolean_null("eligibility_passed"))
                    .col(text_null("eligibility_override_reason"))
                    .foreign_key(&mut foreign_key("programme_membership", "pharmacist_id", "pharmacist"))
                    .foreign_key(&mut foreign_key("programme_membership", "cohort_id", "cohort"))
                    .foreign_key(&mut foreign_key("programme_membership", "post_id", "rotational_post"))
                    .check(check("programme_membership", "status", one_of("status", &MEMBERSHIP_STATUSES)))
                    .check(check("programme_membership", "planned-dates", "planned_end_date >= start_date"))
                    .check(check("programme_membership", "actual-end", ordered("start_date", "actual_end_date")))
                    .check(check("programme_membership", "accepted-after-offer", ordered("offered_on", "accepted_on")))
                    .check(check(
                        "programme_membership",
                        "accepted-date",
                        "status IN ('OFFERED', 'WITHDRAWN') OR accepted_on IS NOT NULL",
                    ))
                    .check(check(
                        "programme_membership",
                        "leaving-reason",
                        "status <> 'WITHDRAWN' OR leaving_reason IS NOT NULL",
                    ))
                    .check(check(
                        "programme_membership",
                        "completed-end",
                        "status <> 'COMPLETED' OR actual_end_date IS NOT NULL",
                    ))
                    .check(check(
                        "programme_membership",
                        "eligibility-override",
                        "eligibility_passed IS NULL OR eligibility_passed OR eligibility_override_reason IS NOT NULL",
                    ))
                    .to_owned(),
            )
            .await?;

        // The placement table's composite foreign keys point at these, and a post has at most one active member.
        create_indexes(
            manager,
            vec![
                unique("programme_membership", &["id", "pharmacist_id"]),
                unique("programme_membership", &["id", "post_id"]),
            ],
        )
        .await?;
        manager
            .get_connection()
            .execute_unprepared(
                r#"CREATE UNIQUE INDEX "uq-programme_membership-post_id-active" ON programme_membership (post_id) WHERE status = 'ACTIVE'"#,
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("placement")
                    .col(pk_uuid("id"))
                    .col(uuid("membership_id"))
                    .col(uuid("pharmacist_id"))
                    .col(uuid_null("post_id"))
                    .col(uuid("host_id"))
                    .col(text("sector"))
                    .col(date("start_date"))
                    .col(date("end_date"))
                    .col(double("wte"))
                    .col(text("status"))
                    .col(uuid_null("host_icb_id"))
                    .col(boolean("is_cross_icb").default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk-placement-membership_id")
                            .from("placement", ("membership_id", "pharmacist_id"))
                            .to("programme_membership", ("id", "pharmacist_id"))
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk-placement-post_id")
                            .from("placement", ("membership_id", "post_id"))
                            .to("programme_membership", ("id", "post_id"))
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut foreign_key("placement", "host_id", "organisation"))
                    .foreign_key(&mut foreign_key("placement", "host_icb_id", "organisation"))
                    .check(check("placement", "sector", one_of("sector", &SECTORS)))
                    .check(check("placement", "dates", "end_date >= start_date"))
                    .check(check("placement", "wte", wte("wte")))
                    .check(check("placement", "status", one_of("status", &PLACEMENT_STATUSES)))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("consultant_lead")
                    .col(pk_uuid("id"))
                    .col(uuid("pharmacist_id"))
                    .col(uuid("trust_id"))
                    .col(text("specialism"))
                    .col(text_null("specialism_detail"))
                    .col(date_null("rps_post_approved_on"))
                    .col(date_null("rps_credentialed_on"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .foreign_key(&mut foreign_key("consultant_lead", "pharmacist_id", "pharmacist"))
                    .foreign_key(&mut foreign_key("consultant_lead", "trust_id", "organisation"))
                    .check(check("consultant_lead", "specialism", one_of("specialism", &SPECIALISMS)))
                    .check(check(
                        "consultant_lead",
                        "specialism-detail",
                        "specialism <> 'OTHER' OR specialism_detail IS NOT NULL",
                    ))
                    .check(check("consultant_lead", "valid-dates", ordered("valid_from", "valid_to")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("programme_lead")
                    .col(pk_uuid("id"))
                    .col(uuid("programme_id"))
                    .col(uuid("consultant_lead_id"))
                    .col(text("role"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .foreign_key(&mut foreign_key("programme_lead", "programme_id", "rotation_programme"))
                    .foreign_key(&mut foreign_key("programme_lead", "consultant_lead_id", "consultant_lead"))
                    .check(check("programme_lead", "role", one_of("role", &PROGRAMME_LEAD_ROLES)))
                    .check(check("programme_lead", "valid-dates", ordered("valid_from", "valid_to")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("icb_medicines_role")
                    .col(pk_uuid("id"))
                    .col(uuid("icb_id"))
                    .col(text("role"))
                    .col(text("holder_name"))
                    .col(uuid_null("pharmacist_id"))
                    .col(date("valid_from"))
                    .col(date_null("valid_to"))
                    .foreign_key(&mut foreign_key("icb_medicines_role", "icb_id", "organisation"))
                    .foreign_key(&mut foreign_key("icb_medicines_role", "pharmacist_id", "pharmacist"))
                    .check(check("icb_medicines_role", "role", one_of("role", &MEDICINES_ROLES)))
                    .check(check("icb_medicines_role", "holder-name", not_blank("holder_name")))
                    .check(check("icb_medicines_role", "valid-dates", ordered("valid_from", "valid_to")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("medicines_optimisation_team")
                    .col(pk_uuid("id"))
                    .col(uuid("icb_id"))
                    .col(text("name"))
                    .col(text_null("focus"))
                    .col(double_null("wte"))
                    .col(date("established_on"))
                    .col(date_null("disbanded_on"))
                    .foreign_key(&mut foreign_key("medicines_optimisation_team", "icb_id", "organisation"))
                    .check(check("medicines_optimisation_team", "name", not_blank("name")))
                    .check(check("medicines_optimisation_team", "wte", "wte IS NULL OR wte > 0"))
                    .check(check("medicines_optimisation_team", "dates", ordered("established_on", "disbanded_on")))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                index("pharmacist", &["family_name", "given_name"]),
                index("pharmacist", &["first_registered_on"]),
                index("pharmacist", &["registration_status"]),
                index("pharmacist", &["independent_prescriber_since"]),
                index("credential", &["pharmacist_id", "kind"]),
                index("credential", &["kind", "status"]),
                unique("programme_membership", &["pharmacist_id", "cohort_id"]),
                index("programme_membership", &["cohort_id", "status"]),
                index("programme_membership", &["post_id"]),
                index("programme_membership", &["status", "planned_end_date"]),
                index("programme_membership", &["start_date"]),
                index("placement", &["membership_id", "start_date"]),
                index("placement", &["pharmacist_id", "start_date"]),
                index("placement", &["post_id", "start_date"]),
                index("placement", &["host_id", "start_date"]),
                index("placement", &["host_icb_id", "start_date"]),
                index("placement", &["start_date"]),
                index("placement", &["end_date"]),
                index("placement", &["sector", "start_date"]),
                index("placement", &["status", "start_date"]),
                index("consultant_lead", &["trust_id", "specialism"]),
                index("consultant_lead", &["pharmacist_id"]),
                index("consultant_lead", &["specialism"]),
                unique("programme_lead", &["programme_id", "consultant_lead_id", "role", "valid_from"]),
                index("programme_lead", &["consultant_lead_id"]),
                index("icb_medicines_role", &["icb_id", "role"]),
                index("icb_medicines_role", &["role", "valid_from"]),
                index("icb_medicines_role", &["pharmacist_id"]),
                unique("medicines_optimisation_team", &["icb_id", "name"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "medicines_optimisation_team",
                "icb_medicines_role",
                "programme_lead",
                "consultant_lead",
                "placement",
                "programme_membership",
                "credential",
                "pharmacist",
            ],
        )
        .await
    }
}
