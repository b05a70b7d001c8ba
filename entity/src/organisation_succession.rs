use crate::enums::SuccessionKind;
use sea_orm::entity::prelude::*;

/// One predecessor → successor step (for example QMM → T6Y0W on 2026-04-01, a merger).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation_succession")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub predecessor_id: Uuid,
    pub successor_id: Uuid,
    /// First day the successor carries on the predecessor.
    pub effective_date: Date,
    pub kind: SuccessionKind,
    #[sea_orm(belongs_to, relation_enum = "Predecessor", from = "predecessor_id", to = "id")]
    pub predecessor: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, relation_enum = "Successor", from = "successor_id", to = "id")]
    pub successor: BelongsTo<super::organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
