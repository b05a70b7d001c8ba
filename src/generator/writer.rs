use super::Network;
use crate::error::AppError;
use entity::enums::OrganisationKind;
use entity::organisation;
use entity::prelude::{Organisation, Pharmacist, RotationProgramme};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, Iterable,
    PaginatorTrait, QueryFilter, TransactionTrait,
};
use std::time::{Duration, Instant};

/// Bound parameters per INSERT statement: below SQLite's 32,766 and PostgreSQL's 65,535.
const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// What a seed wrote and how long it took.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Rows written, by table, in writing order.
    pub rows: Vec<(&'static str, usize)>,
    pub generate_time: Duration,
    pub write_time: Duration,
}

impl SeedReport {
    /// Rows written to `table`.
    pub fn count(&self, table: &str) -> usize {
        self.rows.iter().find(|(name, _)| *name == table).map_or(0, |(_, count)| *count)
    }
}

/// Whether the database already holds organisations below ICB level or any workforce data.
pub async fn has_network_data<C: ConnectionTrait>(db: &C) -> Result<bool, AppError> {
    let organisations = Organisation::find()
        .filter(organisation::Column::Kind.is_not_in([OrganisationKind::Region, OrganisationKind::Icb]))
        .count(db)
        .await?;
    let workforce = Pharmacist::find().count(db).await? + RotationProgramme::find().count(db).await?;
    Ok(organisations + workforce > 0)
}

/// Writes the whole network in one transaction: all of it or nothing.
pub async fn write(db: &DatabaseConnection, network: &Network) -> Result<SeedReport, AppError> {
    let started = Instant::now();
    let txn = db.begin().await?;
    let mut rows = Vec::new();
    rows.push(("organisation", insert_all(&txn, &network.organisations).await?));
    rows.push(("organisation_relationship", insert_all(&txn, &network.relationships).await?));
    rows.push(("rotation_programme", insert_all(&txn, &network.programmes).await?));
    rows.push(("programme_funding_source", insert_all(&txn, &network.funding_sources).await?));
    rows.push(("programme_education_offer", insert_all(&txn, &network.education_offers).await?));
    rows.push(("programme_sector", insert_all(&txn, &network.sectors).await?));
    rows.push(("programme_ics_aim", insert_all(&txn, &network.ics_aims).await?));
    rows.push(("cohort", insert_all(&txn, &network.cohorts).await?));
    rows.push(("vacancy", insert_all(&txn, &network.vacancies).await?));
    rows.push(("pharmacist", insert_all(&txn, &network.pharmacists).await?));
    rows.push(("rotational_post", insert_all(&txn, &network.posts).await?));
    rows.push(("credential", insert_all(&txn, &network.credentials).await?));
    rows.push(("programme_membership", insert_all(&txn, &network.memberships).await?));
    rows.push(("placement", insert_all(&txn, &network.placements).await?));
    rows.push(("consultant_lead", insert_all(&txn, &network.consultant_leads).await?));
    rows.push(("programme_lead", insert_all(&txn, &network.programme_leads).await?));
    rows.push(("icb_medicines_role", insert_all(&txn, &network.medicines_roles).await?));
    rows.push(("medicines_optimisation_team", insert_all(&txn, &network.medicines_teams).await?));
    rows.push(("consultant_pillar_share", insert_all(&txn, &network.pillar_shares).await?));
    rows.push(("team_work_mix", insert_all(&txn, &network.work_mixes).await?));
    rows.push(("team_work_kind", insert_all(&txn, &network.work_kinds).await?));
    rows.push(("patient_pathway", insert_all(&txn, &network.pathways).await?));
    rows.push(("pathway_icb", insert_all(&txn, &network.pathway_icbs).await?));
    rows.push(("pathway_sector", insert_all(&txn, &network.pathway_sectors).await?));
    rows.push(("pathway_participant", insert_all(&txn, &network.pathway_participants).await?));
    rows.push(("service_redesign", insert_all(&txn, &network.redesigns).await?));
    rows.push(("service_redesign_sector", insert_all(&txn, &network.redesign_sectors).await?));
    crate::services::data_version::raise(&txn).await?;
    txn.commit().await?;
    Ok(SeedReport { rows, generate_time: Duration::ZERO, write_time: started.elapsed() })
}

/// Inserts `models` in multi-row statements as large as the parameter limits allow.
async fn insert_all<C, M, A>(db: &C, models: &[M]) -> Result<usize, AppError>
where
    C: ConnectionTrait,
    M: IntoActiveModel<A> + Clone,
    A: ActiveModelTrait + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    for chunk in models.chunks((PARAMETERS_PER_STATEMENT / columns).max(1)) {
        A::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    Ok(models.len())
}
