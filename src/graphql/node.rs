//! Relay's `Node` interface (`node(id:)`, `nodes(ids:)`) and the Apollo Federation entity resolvers.
//! Both resolve through the request's scoped DataLoaders, so an out-of-scope id behaves exactly like an
//! unknown one.

use super::common::{NodeType, decode_global_id, decode_id_of};
use super::leadership::{ConsultantLead, IcbMedicinesRole, MedicinesOptimisationTeam, ProgrammeLead};
use super::loaders::{ById, ByNaturalKey};
use super::medicines::{ConsultantPillarShare, PatientPathway, ServiceRedesign, TeamWorkMix};
use super::organisation::{
    CommunityPharmacy, GpPractice, Icb, NhsTrust, Organisation, Pcn, Region, SubIcbLocation, TrustSite,
};
use super::programme::{Cohort, RotationProgramme, RotationalPost, Vacancy};
use super::workforce::{Credential, Membership, Pharmacist, Placement};
use super::{load_one, loader};
use crate::error::AppError;
use crate::services::access::Scoped;
use crate::services::pagination::MAX_PAGE_SIZE;
use async_graphql::{Context, ErrorExtensions, ID, Interface, Object, Result, ResultExt};
use entity::enums::OrganisationKind;
use entity::{
    cohort, consultant_lead, consultant_pillar_share, credential, icb_medicines_role, medicines_optimisation_team,
    organisation, patient_pathway, pharmacist, placement, programme_lead, programme_membership, rotation_programme,
    rotational_post, service_redesign, team_work_mix, vacancy,
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
    ConsultantPillarShare(ConsultantPillarShare),
    PatientPathway(PatientPathway),
    TeamWorkMix(TeamWorkMix),
    ServiceRedesign(ServiceRedesign),
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
            NodeType::ConsultantPillarShare => {
                load_nodes!(ctx, ids, consultant_pillar_share, ConsultantPillarShare)
            }
            NodeType::PatientPathway => load_nodes!(ctx, ids, patient_pathway, PatientPathway),
            NodeType::TeamWorkMix => load_nodes!(ctx, ids, team_work_mix, TeamWorkMix),
            NodeType::ServiceRedesign => load_nodes!(ctx, ids, service_redesign, ServiceRedesign),
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
    #[graphql(shareable)]
    async fn node(&self, ctx: &Context<'_>, #[graphql(desc = "A global id.")] id: ID) -> Result<Option<Node>> {
        let key = decode_global_id(&id).extend()?;
        Ok(load(ctx, &[key]).await?.remove(&key))
    }

    /// The objects with these global ids (at most 100), in the same order; null where there is none or
    /// the reader may not see it.
    #[graphql(shareable)]
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

/// Federation entity resolvers: every `Node` type by its global `id`, organisations also by ODS code,
/// pharmacists by GPhC number and programmes by code. Hidden from the query type; reached through
/// `_entities`, whose representations each resolve on their own (see [`super::federation`]).
#[derive(Default)]
pub struct EntityQuery;

/// The organisation of `kind` with this global id, if the reader may see it.
async fn organisation_by_id(ctx: &Context<'_>, id: &ID, kind: OrganisationKind) -> Result<Option<organisation::Model>> {
    let id = decode_id_of(NodeType::Organisation, "id", id).extend()?;
    Ok(load_one::<organisation::Entity>(ctx, id).await?.filter(|row| row.kind == kind))
}

/// The organisation of `kind` with this ODS code, if the reader may see it.
async fn organisation_by_ods_code(
    ctx: &Context<'_>,
    ods_code: &str,
    kind: OrganisationKind,
) -> Result<Option<organisation::Model>> {
    let key = ByNaturalKey::<organisation::Entity>::new("ods_code", ods_code.trim().to_ascii_uppercase());
    Ok(loader(ctx)?.load_one(key).await?.filter(|row| row.kind == kind))
}

/// The row of `E` with this global id of `node_type`, if the reader may see it.
async fn by_id<E>(ctx: &Context<'_>, node_type: NodeType, id: &ID) -> Result<Option<E::Model>>
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    let id = decode_id_of(node_type, "id", id).extend()?;
    load_one::<E>(ctx, id).await
}

/// Entity resolvers for an organisation type: by global id and by ODS code.
macro_rules! organisation_entities {
    ($($by_id:ident, $by_ods_code:ident => $type:ident, $kind:ident;)*) => {
        #[Object]
        impl OrganisationEntityQuery {
            $(
                #[graphql(entity)]
                async fn $by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<$type>> {
                    Ok(organisation_by_id(ctx, &id, OrganisationKind::$kind).await?.map($type))
                }

                #[graphql(entity)]
                async fn $by_ods_code(&self, ctx: &Context<'_>, ods_code: String) -> Result<Option<$type>> {
                    Ok(organisation_by_ods_code(ctx, &ods_code, OrganisationKind::$kind).await?.map($type))
                }
            )*
        }
    };
}

/// Entity resolvers for organisations.
#[derive(Default)]
pub struct OrganisationEntityQuery;

organisation_entities! {
    find_region_by_id, find_region_by_ods_code => Region, Region;
    find_icb_by_id, find_icb_by_ods_code => Icb, Icb;
    find_sub_icb_location_by_id, find_sub_icb_location_by_ods_code => SubIcbLocation, SubIcbLocation;
    find_nhs_trust_by_id, find_nhs_trust_by_ods_code => NhsTrust, NhsTrust;
    find_trust_site_by_id, find_trust_site_by_ods_code => TrustSite, TrustSite;
    find_pcn_by_id, find_pcn_by_ods_code => Pcn, Pcn;
    find_gp_practice_by_id, find_gp_practice_by_ods_code => GpPractice, GpPractice;
    find_community_pharmacy_by_id, find_community_pharmacy_by_ods_code => CommunityPharmacy, CommunityPharmacy;
}

/// Entity resolvers by global id for the other `Node` types.
macro_rules! id_entities {
    ($($by_id:ident => $type:ident, $entity:ident;)*) => {
        #[Object]
        impl EntityQuery {
            $(
                #[graphql(entity)]
                async fn $by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<$type>> {
                    Ok(by_id::<$entity::Entity>(ctx, NodeType::$type, &id).await?.map($type))
                }
            )*

            #[graphql(entity)]
            async fn find_rotation_programme_by_code(
                &self,
                ctx: &Context<'_>,
                code: String,
            ) -> Result<Option<RotationProgramme>> {
                let key = ByNaturalKey::<rotation_programme::Entity>::new("code", code.trim().to_owned());
                Ok(loader(ctx)?.load_one(key).await?.map(RotationProgramme))
            }

            /// A GPhC number is personal data: only readers with access to it may look pharmacists up by
            /// it (anyone else gets `FORBIDDEN`, so no one can probe who is registered where).
            #[graphql(entity)]
            async fn find_pharmacist_by_gphc_number(
                &self,
                ctx: &Context<'_>,
                gphc_number: String,
            ) -> Result<Option<Pharmacist>> {
                super::require_personal_data(ctx, "gphcNumber")?;
                let key = ByNaturalKey::<pharmacist::Entity>::new("gphc_number", gphc_number.trim().to_owned());
                Ok(loader(ctx)?.load_one(key).await?.map(Pharmacist))
            }
        }
    };
}

id_entities! {
    find_rotation_programme_by_id => RotationProgramme, rotation_programme;
    find_cohort_by_id => Cohort, cohort;
    find_rotational_post_by_id => RotationalPost, rotational_post;
    find_vacancy_by_id => Vacancy, vacancy;
    find_pharmacist_by_id => Pharmacist, pharmacist;
    find_credential_by_id => Credential, credential;
    find_membership_by_id => Membership, programme_membership;
    find_placement_by_id => Placement, placement;
    find_consultant_lead_by_id => ConsultantLead, consultant_lead;
    find_programme_lead_by_id => ProgrammeLead, programme_lead;
    find_icb_medicines_role_by_id => IcbMedicinesRole, icb_medicines_role;
    find_medicines_optimisation_team_by_id => MedicinesOptimisationTeam, medicines_optimisation_team;
    find_consultant_pillar_share_by_id => ConsultantPillarShare, consultant_pillar_share;
    find_patient_pathway_by_id => PatientPathway, patient_pathway;
    find_team_work_mix_by_id => TeamWorkMix, team_work_mix;
    find_service_redesign_by_id => ServiceRedesign, service_redesign;
}
