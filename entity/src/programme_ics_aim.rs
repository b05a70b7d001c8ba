use crate::enums::IcsAim;
use sea_orm::entity::prelude::*;

/// An ICS aim the programme serves.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "programme_ics_aim")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub aim: IcsAim,
    #[sea_orm(belongs_to, from = "programme_id", to = "id")]
    pub programme: BelongsTo<super::rotation_programme::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
