use crate::enums::{PlacementStatus, Sector};
use sea_orm::entity::prelude::*;

/// A period a member works at a host organisation in one sector (a FHIR PractitionerRole).
/// `pharmacist_id` and `post_id` are copied from the membership (and kept equal to it by a composite
/// foreign key) so that the database can forbid overlapping approved placements per pharmacist and per post.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "placement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub membership_id: Uuid,
    pub pharmacist_id: Uuid,
    pub post_id: Option<Uuid>,
    pub host_id: Uuid,
    pub sector: Sector,
    pub start_date: Date,
    pub end_date: Date,
    pub wte: f64,
    pub status: PlacementStatus,
    /// The host's ICB on the start date.
    pub host_icb_id: Option<Uuid>,
    /// Whether the host's ICB differs from the programme owner's after resolving succession.
    pub is_cross_icb: bool,
    /// Incremented by every update (optimistic concurrency).
    pub version: i32,
    #[sea_orm(belongs_to, from = "membership_id", to = "id")]
    pub membership: BelongsTo<super::programme_membership::Entity>,
    #[sea_orm(belongs_to, relation_enum = "Host", from = "host_id", to = "id")]
    pub host: BelongsTo<super::organisation::Entity>,
    #[sea_orm(belongs_to, relation_enum = "HostIcb", from = "host_icb_id", to = "id")]
    pub host_icb: BelongsTo<Option<super::organisation::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
