use sea_orm::entity::prelude::*;

/// One change, recorded in the same transaction as the change itself. The table refuses updates and
/// deletes (a trigger on both backends).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// Who made the change (a principal's subject, or `system` for loads).
    pub actor: String,
    /// ODS code of the ICB the actor acted for, if any.
    pub actor_icb: Option<String>,
    pub operation: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub request_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
