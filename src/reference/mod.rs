//! Public reference data shipped with rotagraph: the 7 NHS England regions, the 48 ICBs with their validity
//! dates (42 until 2026-03-31, 36 from 2026-04-01) and the 16 ICB succession rows of 2026-04-01. The CSV
//! files are compiled into the binary, so nothing is read from disk at run time.
//!
//! Reference rows get name-derived ids (UUID v5 of the ODS code), so loading is idempotent on any
//! database: a second load finds every row present and inserts nothing.

/// Resolving ICB succession: which ICBs carry an ICB on at a date.
pub mod succession;

use crate::error::AppError;
use chrono::NaiveDate;
use entity::enums::{OrganisationKind, RelationshipKind, SuccessionKind};
use entity::{organisation, organisation_relationship, organisation_succession};
use sea_orm::{ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait};
use serde::Deserialize;
use uuid::Uuid;

const REGIONS_CSV: &str = include_str!("regions.csv");
const ICBS_CSV: &str = include_str!("icbs.csv");
const SUCCESSION_CSV: &str = include_str!("icb_succession.csv");

/// Namespace of rotagraph's name-derived ids.
const ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1d_2c2a_4f7e_4c59_9a0e_5b8d_0c3e_71a4);

/// The id of the organisation with this ODS code, the same on every database.
pub fn organisation_id(ods_code: &str) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, format!("organisation:{ods_code}").as_bytes())
}

/// A name-derived id for any other row whose identity is a key (for example a relationship).
pub fn derived_id(key: &str) -> Uuid {
    Uuid::new_v5(&ID_NAMESPACE, key.as_bytes())
}

/// An NHS England region.
#[derive(Clone, Debug, Deserialize)]
pub struct RegionRow {
    pub ods_code: String,
    pub gss_code: String,
    pub name: String,
}

/// An ICB with its validity.
#[derive(Clone, Debug, Deserialize)]
pub struct IcbRow {
    pub ods_code: String,
    pub gss_code: String,
    pub name: String,
    pub region_ods_code: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// One predecessor → successor step.
#[derive(Clone, Debug, Deserialize)]
pub struct SuccessionRow {
    pub predecessor_ods_code: String,
    pub successor_ods_code: String,
    pub effective_date: NaiveDate,
    pub kind: SuccessionKind,
}

/// The reference tables, parsed.
#[derive(Clone, Debug)]
pub struct ReferenceData {
    pub regions: Vec<RegionRow>,
    pub icbs: Vec<IcbRow>,
    pub successions: Vec<SuccessionRow>,
}

fn parse_csv<T: for<'de> Deserialize<'de>>(text: &str) -> Result<Vec<T>, AppError> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|error| AppError::Internal(anyhow::Error::new(error).context("shipped reference data is malformed")))
}

impl ReferenceData {
    /// Parses the shipped CSV files.
    pub fn shipped() -> Result<Self, AppError> {
        Ok(Self {
            regions: parse_csv(REGIONS_CSV)?,
            icbs: parse_csv(ICBS_CSV)?,
            successions: parse_csv(SUCCESSION_CSV)?,
        })
    }

    /// The ICB with this ODS code.
    pub fn icb(&self, ods_code: &str) -> Option<&IcbRow> {
        self.icbs.iter().find(|icb| icb.ods_code == ods_code)
    }

    /// The ICBs valid today and at every later date (no end date).
    pub fn current_icbs(&self) -> impl Iterator<Item = &IcbRow> {
        self.icbs.iter().filter(|icb| icb.valid_to.is_none())
    }

    fn organisation_rows(&self) -> Vec<organisation::Model> {
        let regions = self.regions.iter().map(|region| organisation::Model {
            version: 1,
            id: organisation_id(&region.ods_code),
            ods_code: region.ods_code.clone(),
            kind: OrganisationKind::Region,
            name: region.name.clone(),
            gss_code: Some(region.gss_code.clone()),
            postcode: None,
            legal_start_date: None,
            legal_end_date: None,
            is_foundation_trust: None,
            pharmacy_contract_type: None,
        });
        let icbs = self.icbs.iter().map(|icb| organisation::Model {
            version: 1,
            id: organisation_id(&icb.ods_code),
            ods_code: icb.ods_code.clone(),
            kind: OrganisationKind::Icb,
            name: icb.name.clone(),
            gss_code: Some(icb.gss_code.clone()),
            postcode: None,
            legal_start_date: Some(icb.valid_from),
            legal_end_date: icb.valid_to,
            is_foundation_trust: None,
            pharmacy_contract_type: None,
        });
        regions.chain(icbs).collect()
    }

    fn relationship_rows(&self) -> Vec<organisation_relationship::Model> {
        self.icbs
            .iter()
            .map(|icb| organisation_relationship::Model {
                id: derived_id(&format!("ICB_IN_REGION:{}:{}", icb.ods_code, icb.valid_from)),
                child_id: organisation_id(&icb.ods_code),
                parent_id: organisation_id(&icb.region_ods_code),
                kind: RelationshipKind::IcbInRegion,
                valid_from: icb.valid_from,
                valid_to: icb.valid_to,
            })
            .collect()
    }

    fn succession_rows(&self) -> Vec<organisation_succession::Model> {
        self.successions
            .iter()
            .map(|row| organisation_succession::Model {
                id: derived_id(&format!("SUCCESSION:{}:{}", row.predecessor_ods_code, row.successor_ods_code)),
                predecessor_id: organisation_id(&row.predecessor_ods_code),
                successor_id: organisation_id(&row.successor_ods_code),
                effective_date: row.effective_date,
                kind: row.kind,
            })
            .collect()
    }
}

/// How many reference rows a load inserted (all zero when they were already present).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadSummary {
    pub organisations: u64,
    pub relationships: u64,
    pub successions: u64,
}

/// Inserts every reference row that is not yet present, in one transaction.
pub async fn load<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<LoadSummary, AppError> {
    let data = ReferenceData::shipped()?;
    let txn = db.begin().await?;
    let summary = LoadSummary {
        organisations: insert_missing(&txn, data.organisation_rows()).await?,
        relationships: insert_missing(&txn, data.relationship_rows()).await?,
        successions: insert_missing(&txn, data.succession_rows()).await?,
    };
    if summary != LoadSummary::default() {
        crate::services::data_version::raise(&txn).await?;
    }
    txn.commit().await?;
    if summary != LoadSummary::default() {
        tracing::info!(
            organisations = summary.organisations,
            relationships = summary.relationships,
            successions = summary.successions,
            "loaded reference data"
        );
    }
    Ok(summary)
}

/// Inserts the rows that do not exist yet (by primary or natural key) and returns how many were new.
async fn insert_missing<C, M, A>(db: &C, rows: Vec<M>) -> Result<u64, AppError>
where
    C: ConnectionTrait,
    M: sea_orm::IntoActiveModel<A>,
    A: sea_orm::ActiveModelTrait + Send,
{
    let inserted = A::Entity::insert_many(rows.into_iter().map(sea_orm::IntoActiveModel::into_active_model))
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    Ok(match inserted {
        sea_orm::TryInsertResult::Inserted(count) => count,
        sea_orm::TryInsertResult::Empty | sea_orm::TryInsertResult::Conflicted => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_has_7_regions_48_icbs_36_current_and_16_successions() {
        let data = ReferenceData::shipped().ok();
        let data = data.as_ref();
        assert_eq!(data.map(|d| d.regions.len()), Some(7));
        assert_eq!(data.map(|d| d.icbs.len()), Some(48));
        assert_eq!(data.map(|d| d.current_icbs().count()), Some(36));
        assert_eq!(data.map(|d| d.successions.len()), Some(16));
    }
}
