use crate::enums::RelationshipKind;
use sea_orm::entity::prelude::*;

/// A dated link from a child organisation to its parent (ICB in region, organisation in ICB, practice in
/// PCN, ...). At most one parent of each kind at any date.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisation_relationship")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub child_id: Uuid,
    pub parent_id: Uuid,
    pub kind: RelationshipKind,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    #[sea_orm(belongs_to, relation_enum = "Child", from = "child_id", to = "id")]
    pub child: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, relation_enum = "Parent", from = "parent_id", to = "id")]
    pub parent: BelongsTo<super::organisation::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
