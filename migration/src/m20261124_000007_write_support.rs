//! Support for the write API: a `version` column on every updatable table (optimistic concurrency), the
//! idempotency keys of create mutations, the ICB that manages a pharmacist record it created, and on
//! PostgreSQL a trigger that keeps a cohort's accepted and active memberships within its places (the
//! last wall behind the service's own check, also under concurrent transactions).

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

/// Locks the cohort row, so that concurrent acceptances into one cohort are counted one after the other.
const PLACES_TRIGGER: &str = r#"
CREATE FUNCTION membership_within_places() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    places integer;
    taken integer;
BEGIN
    IF NEW.status IN ('ACCEPTED', 'ACTIVE') THEN
        SELECT places_offered INTO places FROM cohort WHERE id = NEW.cohort_id FOR UPDATE;
        SELECT count(*) INTO taken FROM programme_membership
            WHERE cohort_id = NEW.cohort_id AND status IN ('ACCEPTED', 'ACTIVE') AND id <> NEW.id;
        IF taken >= places THEN
            RAISE EXCEPTION 'cohort has no place left' USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER membership_within_places BEFORE INSERT OR UPDATE OF status, cohort_id ON programme_membership
    FOR EACH ROW EXECUTE FUNCTION membership_within_places();
CREATE FUNCTION cohort_places_cover_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.places_offered < (SELECT count(*) FROM programme_membership
            WHERE cohort_id = NEW.id AND status IN ('ACCEPTED', 'ACTIVE')) THEN
        RAISE EXCEPTION 'fewer places than members' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER cohort_places_cover_members BEFORE UPDATE OF places_offered ON cohort
    FOR EACH ROW EXECUTE FUNCTION cohort_places_cover_members();
"#;

const DROP_PLACES_TRIGGER: &str = r#"
DROP TRIGGER cohort_places_cover_members ON cohort;
DROP FUNCTION cohort_places_cover_members();
DROP TRIGGER membership_within_places ON programme_membership;
DROP FUNCTION membership_within_places();
"#;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables whose rows the write API updates.
const VERSIONED: [&str; 12] = [
    "organisation",
    "rotation_programme",
    "cohort",
    "rotational_post",
    "vacancy",
    "pharmacist",
    "credential",
    "programme_membership",
    "placement",
    "consultant_lead",
    "icb_medicines_role",
    "medicines_optimisation_team",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on both backends.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in VERSIONED {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new("version").integer().not_null().default(1))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(Table::alter().table("pharmacist").add_column(uuid_null("managed_by_icb_id")).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .create_foreign_key(
                    ForeignKey::create()
                        .name("fk-pharmacist-managed_by_icb_id")
                        .from("pharmacist", "managed_by_icb_id")
                        .to("organisation", "id")
                        .on_delete(ForeignKeyAction::Restrict)
                        .to_owned(),
                )
                .await?;
            manager.get_connection().execute_unprepared(PLACES_TRIGGER).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("idempotency_key")
                    .col(text("key"))
                    .col(text("actor"))
                    .col(text("operation"))
                    .col(text("request"))
                    .col(uuid("entity_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .primary_key(Index::create().col("actor").col("key"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("idempotency_key").to_owned()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared(DROP_PLACES_TRIGGER).await?;
            manager
                .drop_foreign_key(
                    ForeignKey::drop().name("fk-pharmacist-managed_by_icb_id").table("pharmacist").to_owned(),
                )
                .await?;
        }
        manager.alter_table(Table::alter().table("pharmacist").drop_column("managed_by_icb_id").to_owned()).await?;
        for table in VERSIONED {
            manager.alter_table(Table::alter().table(table).drop_column("version").to_owned()).await?;
        }
        Ok(())
    }
}
