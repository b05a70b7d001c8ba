use crate::enums::WorkKind;
use sea_orm::entity::prelude::*;

/// A kind of work a team does in the period of a work mix.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "team_work_kind")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_mix_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: WorkKind,
    #[sea_orm(belongs_to, from = "work_mix_id", to = "id")]
    pub work_mix: BelongsTo<super::team_work_mix::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
