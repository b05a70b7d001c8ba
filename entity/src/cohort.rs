use sea_orm::entity::prelude::*;

/// One intake of a programme, with the number of places it offers.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "cohort")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme_id: Uuid,
    pub label: String,
    pub intake_date: Date,
    pub places_offered: i32,
    pub recruitment_opens_on: Option<Date>,
    pub recruitment_closes_on: Option<Date>,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "programme_id", to = "id")]
    pub programme: BelongsTo<super::rotation_programme::Entity>,
    #[sea_orm(has_many)]
    pub posts: HasMany<super::rotational_post::Entity>,
    #[sea_orm(has_many)]
    pub memberships: HasMany<super::programme_membership::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
