use crate::enums::{CredentialKind, CredentialStatus};
use sea_orm::entity::prelude::*;

/// A credential or course of education of a pharmacist, with its progress.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "credential")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pharmacist_id: Uuid,
    pub kind: CredentialKind,
    pub status: CredentialStatus,
    pub started_on: Option<Date>,
    pub expected_completion_on: Option<Date>,
    pub awarded_on: Option<Date>,
    /// Progress through the course, 0 to 100.
    pub progress_percent: Option<i32>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "pharmacist_id", to = "id")]
    pub pharmacist: BelongsTo<super::pharmacist::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
