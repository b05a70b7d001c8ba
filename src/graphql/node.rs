//! Relay's `Node` interface (`node(id:)`, `nodes(ids:)`) and the Apollo Federation entity resolvers.
//! Both resolve through the request's scoped DataLoaders, so an out-of-scope id behaves exactly like an
//! unknown one.

use super::common::{NodeType, decode_global_id, decode_id_of};
use super::leadership::{ConsultantLead, IcbMedicinesRole, MedicinesOptimisationTeam, ProgrammeLead};
use super::loaders::ById;
use super::organisation::{
    CommunityPharmacy, GpPractice, Icb, NhsTrust, Organisation, Pcn, Region, SubIcbLocation, TrustSite,
};
use super::programme::{Cohort, RotationProgramme, RotationalPost, Vacancy};
use super::workforce::{Credential, Membership, Pharmacist, Placement};
use super::{load_one, loader};
use crate::error::AppError;
use crate::services::pagination::MAX_PAGE_SIZE;
use async_graphql::{Context, ErrorExtensions, ID, Interface, Object, Result, ResultExt};
use entity::enums::OrganisationKind;
use entity::{
    cohort, consultant_lead, credential, icb_medicines_role, medicines_optimisation_team, organisation, pharmacist,
    placement, programme_lead, programme_membership, rotation_programme, rotational_post, vacancy,
};
use std::collections::HashMap;
use uuid::Uuid;

/// An object with a global id, which `node(id:)` fetches again.
#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    Region(Region),
    Icb(Icb),
    SubIcbLocation(SubIcbLocation),
    NhsTrust(NhsTrust),
    TrustSite(TrustSite),
    Pcn(Pcn),
    GpPractice(GpPractice),
    CommunityPharmacy(CommunityPharmacy),
    RotationProgramme(RotationProgramme),
    Cohort(Cohort),
    RotationalPost(RotationalPost),
    Vacancy(Vacancy),
    Pharmacist(Pharmacist),
    Credential(Credential),
    Membership(Membership),
    Placement(Placement),
    ConsultantLead(ConsultantLead),
    ProgrammeLead(ProgrammeLead),
    IcbMedicinesRole(IcbMedicinesRole),
    MedicinesOptimisationTeam(MedicinesOptimisationTeam),
}

impl From<Organisation> for Node {
    fn from(organisation: Organisation) -> Self {
        match organisation {
            Organisation::Region(value) => Self::Region(value),
            Organisation::Icb(value) => Self::Icb(value),
            Organisation::SubIcbLocation(value) => Self::SubIcbLocation(value),
            Organisation::NhsTrust(value) => Self::NhsTrust(value),
            Organisation::TrustSite(value) => Self::TrustSite(value),
            Organisation::Pcn(value) => Self::Pcn(value),
            Organisation::GpPractice(value) => Self::GpPractice(value),
            Organisation::CommunityPharmacy(value) => Self::CommunityPharmacy(value),
        }
    }
}

/// Loads the rows of one node type in one statement and wraps them.
macro_rules! load_nodes {
    ($ctx:expr, $ids:expr, $entity:ident, $wrap:expr) => {{
        let rows = loader($ctx)?.load_many($ids.iter().map(|id| ById::<$entity::Entity>::new(*id))).await?;
        rows.into_iter().map(|(key, row)| (key.id, Node::from($wrap(row)))).collect::<Vec<(Uuid, Node)>>()
    }};
}

/// Fetches nodes by type and id: one statement per type asked for.
async fn load(ctx: &Context<'_>, ids: &[(NodeType, Uuid)]) -> Result<HashMap<(NodeType, Uuid), Node>> {
    let mut by_type: HashMap<NodeType, Vec<Uuid>> = HashMap::new();
    for (node_type, id) in ids {
        by_type.entry(*node_type).or_default().push(*id);
    }
    let mut nodes = HashMap::new();
    for (node_type, ids) in by_type {
        let loaded = match node_type {
            NodeType::Organisation => load_nodes!(ctx, ids, organisation, Organisation::from),
            NodeType::RotationProgramme => load_nodes!(ctx, ids, rotation_programme, RotationProgramme),
            NodeType::Cohort => load_nodes!(ctx, ids, cohort, Cohort),
            NodeType::RotationalPost => load_nodes!(ctx, ids, rotational_post, RotationalPost),
            NodeType::Vacancy => load_nodes!(ctx, ids, vacancy, Vacancy),
            NodeType::Pharmacist => load_nodes!(ctx, ids, pharmacist, Pharmacist),
            NodeType::Credential => load_nodes!(ctx, ids, credential, Credential),
            NodeType::Membership => load_nodes!(ctx, ids, programme_membership, Membership),
            NodeType::Placement => load_nodes!(ctx, ids, placement, Placement),
            NodeType::ConsultantLead => load_nodes!(ctx, ids, consultant_lead, ConsultantLead),
            NodeType::ProgrammeLead => load_nodes!(ctx, ids, programme_lead, ProgrammeLead),
            NodeType::IcbMedicinesRole => load_nodes!(ctx, ids, icb_medicines_role, IcbMedicinesRole),
            NodeType::MedicinesOptimisationTeam => {
                load_nodes!(ctx, ids, medicines_optimisation_team, MedicinesOptimisationTeam)
            }
        };
        nodes.extend(loaded.into_iter().map(|(id, node)| ((node_type, id), node)));
    }
    Ok(nodes)
}

/// `node` and `nodes`.
#[derive(Default)]
pub struct NodeQuery;

/// `node` and `nodes`.
#[Object]
impl NodeQuery {
    /// The object with this global id; null if there is none or the reader may not see it.
    async fn node(&self, ctx: &Context<'_>, #[graphql(desc = "A global id.")] id: ID) -> Result<Option<Node>> {
        let key = decode_global_id(&id).extend()?;
        Ok(load(ctx, &[key]).await?.remove(&key))
    }

    /// The objects with these global ids (at most 100), in the same order; null where there is none or
    /// the reader may not see it.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() as u64 > MAX_PAGE_SIZE {
            return Err(AppError::invalid("ids", format!("must hold at most {MAX_PAGE_SIZE} ids")).extend());
        }
        let keys = ids.iter().map(decode_global_id).collect::<Result<Vec<_>, _>>().extend()?;
        let nodes = load(ctx, &keys).await?;
        // An id given twice is answered twice.
        Ok(keys.iter().map(|key| nodes.get(key).cloned()).collect())
    }
}

/// Federation entity resolvers: organisations by ODS code, programmes, posts, placements and
/// pharmacists by id. Hidden from the query type; reached through `_entities`.
#[derive(Default)]
pub struct EntityQuery;

async fn organisation_of_kind(
    ctx: &Context<'_>,
    ods_code: &str,
    kind: OrganisationKind,
) -> Result<Option<organisation::Model>> {
    let found = loader(ctx)?.load_one(super::loaders::ByOdsCode(ods_code.trim().to_ascii_uppercase())).await?;
    Ok(found.filter(|row| row.kind == kind))
}

#[Object]
impl EntityQuery {
    #[graphql(entity)]
    async fn find_region_by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<Region>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::Region).await?.map(Region))
    }

    #[graphql(entity)]
    async fn find_icb_by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<Icb>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::Icb).await?.map(Icb))
    }

    #[graphql(entity)]
    async fn find_sub_icb_location_by_ods_code(
        &self,
        ctx: &Context<'_>,
        ods_code: String,
    ) -> Result<Option<SubIcbLocation>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::SubIcbLocation).await?.map(SubIcbLocation))
    }

    #[graphql(entity)]
    async fn find_nhs_trust_by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<NhsTrust>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::NhsTrust).await?.map(NhsTrust))
    }

    #[graphql(entity)]
    async fn find_trust_site_by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<TrustSite>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::TrustSite).await?.map(TrustSite))
    }

    #[graphql(entity)]
    async fn find_pcn_by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<Pcn>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::Pcn).await?.map(Pcn))
    }

    #[graphql(entity)]
    async fn find_gp_practice_by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<GpPractice>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::GpPractice).await?.map(GpPractice))
    }

    #[graphql(entity)]
    async fn find_community_pharmacy_by_ods_code(
        &self,
        ctx: &Context<'_>,
        ods_code: String,
    ) -> Result<Option<CommunityPharmacy>> {
        Ok(organisation_of_kind(ctx, &ods_code, OrganisationKind::CommunityPharmacy).await?.map(CommunityPharmacy))
    }

    #[graphql(entity)]
    async fn find_rotation_programme_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<RotationProgramme>> {
        let id = decode_id_of(NodeType::RotationProgramme, "id", &id).extend()?;
        Ok(load_one::<rotation_programme::Entity>(ctx, id).await?.map(RotationProgramme))
    }

    #[graphql(entity)]
    async fn find_rotational_post_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<RotationalPost>> {
        let id = decode_id_of(NodeType::RotationalPost, "id", &id).extend()?;
        Ok(load_one::<rotational_post::Entity>(ctx, id).await?.map(RotationalPost))
    }

    #[graphql(entity)]
    async fn find_placement_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Placement>> {
        let id = decode_id_of(NodeType::Placement, "id", &id).extend()?;
        Ok(load_one::<placement::Entity>(ctx, id).await?.map(Placement))
    }

    #[graphql(entity)]
    async fn find_pharmacist_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Pharmacist>> {
        let id = decode_id_of(NodeType::Pharmacist, "id", &id).extend()?;
        Ok(load_one::<pharmacist::Entity>(ctx, id).await?.map(Pharmacist))
    }
}
