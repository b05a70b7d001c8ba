use crate::enums::ProgrammeLeadRole;
use sea_orm::entity::prelude::*;

/// A consultant-pharmacist lead's role for a programme over a period.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "programme_lead")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    pub consultant_lead_id: Uuid,
    pub role: ProgrammeLeadRole,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    #[sea_orm(belongs_to, from = "programme_id", to = "id")]
    pub programme: BelongsTo<super::rotation_programme::Entity>,
    #[sea_orm(belongs_to, from = "consultant_lead_id", to = "id")]
    pub consultant_lead: BelongsTo<super::consultant_lead::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
