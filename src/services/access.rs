//! Access scoping: who may read what. One mechanism, applied by every list, relation, `node`,
//! `totalCount` and federation lookup, because each of them selects through [`Scoped::visible`].
//!
//! - anonymous: organisations and public programme information (programmes, cohorts, posts), nothing
//!   personal;
//! - `icb_viewer`, `icb_admin`: everything whose owner ICB or host ICB is one of theirs (or one those
//!   ICBs took over), so a cross-ICB placement is visible to both ICBs; of an ICB split between
//!   successors, what is attributed through an organisation only where the organisation went to theirs
//!   ([`Scope::split_from`]);
//! - `regional`: the ICBs of its region; `national`: all;
//! - `reporter`: every record of every ICB, but no personal data (names, GPhC numbers) and no credentials
//!   (a person's education record).
//!
//! A record outside the scope is simply absent; a personal field the principal may not read is null
//! with a `FORBIDDEN` error.

use crate::error::AppError;
use entity::enums::{OrganisationKind, RelationshipKind, SuccessionKind};
use entity::{
    cohort, consultant_lead, consultant_pillar_share, credential, icb_medicines_role, medicines_optimisation_team,
    organisation, organisation_relationship, organisation_succession, pathway_icb, pathway_participant, pathway_sector,
    patient_pathway, pharmacist, placement, programme_education_offer, programme_funding_source, programme_ics_aim,
    programme_lead, programme_membership, programme_sector, rotation_programme, rotational_post, service_redesign,
    service_redesign_sector, team_work_kind, team_work_mix, vacancy,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// A role a token can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[clap(rename_all = "snake_case")]
pub enum Role {
    /// Reads the records of its ICBs.
    IcbViewer,
    /// Reads (and, with the write API, changes) the records of its ICBs.
    IcbAdmin,
    /// Reads the records of the ICBs of its region.
    Regional,
    /// Reads everything.
    National,
    /// Reads every record of every ICB except personal data.
    Reporter,
}

/// Who is asking: a role with its ICBs or region, or nobody (anonymous).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The token's subject, for logs and audit (never personal data).
    pub subject: String,
    pub role: Option<Role>,
    /// ODS codes of the principal's ICBs (`icb_viewer`, `icb_admin`).
    pub icbs: Vec<String>,
    /// ODS code of the principal's region (`regional`).
    pub region: Option<String>,
}

impl Principal {
    /// A caller without a token.
    pub fn anonymous() -> Self {
        Self { subject: "anonymous".to_owned(), role: None, icbs: Vec::new(), region: None }
    }
}

/// Which records a principal may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordScope {
    /// Public records only.
    Public,
    /// Records of these ICBs (ids), including the ICBs they took over.
    Icbs(Vec<Uuid>),
    /// Every record.
    All,
}

/// What a principal may read, resolved once per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub records: RecordScope,
    /// Whether names and GPhC numbers may be read.
    pub personal_data: bool,
    /// The ICBs among `records` that were split between the reader's ICBs and others (QJG, split
    /// between T6Y0W and D7T5G on 2026-04-01): the reader answers for what such an ICB owned as a whole
    /// (its programmes, their cohorts and members), but for what is attributed through an organisation
    /// (a placement's host, a vacancy's host, a consultant lead's trust) only where the organisation
    /// went to one of the reader's ICBs, as the reports resolve a split ICB per organisation.
    pub split_from: Vec<Uuid>,
}

impl Scope {
    /// The scope of an anonymous caller.
    pub fn public() -> Self {
        Self { records: RecordScope::Public, personal_data: false, split_from: Vec::new() }
    }

    /// Every record, with or without personal data.
    pub fn all(personal_data: bool) -> Self {
        Self { records: RecordScope::All, personal_data, split_from: Vec::new() }
    }

    /// Refuses (`FORBIDDEN`) what would reveal personal data (`what`) to a reader without access to it.
    pub fn require_personal_data(&self, what: &'static str) -> Result<(), AppError> {
        if self.personal_data { Ok(()) } else { Err(AppError::Forbidden(what)) }
    }

    /// Resolves a principal's scope: its ICBs (or its region's) and every ICB they took over. Reads the
    /// reference data it needs; a server keeps a [`ScopeResolver`] instead and resolves without SQL.
    pub async fn resolve<C: ConnectionTrait>(db: &C, principal: &Principal) -> Result<Self, AppError> {
        Ok(ScopeResolver::load(db).await?.resolve(principal))
    }
}

/// What resolving a scope needs, read once: ICB ids by ODS code, the ICBs each region ever had, and the
/// succession steps. All of it is reference data (tens of rows) that no mutation changes, so a server
/// loads it at start-up and resolves every request's scope in memory, before any SQL runs.
#[derive(Clone, Debug, Default)]
pub struct ScopeResolver {
    icbs: HashMap<String, Uuid>,
    region_icbs: HashMap<String, Vec<Uuid>>,
    /// (predecessor, successor, kind) of each succession step.
    steps: Vec<(Uuid, Uuid, SuccessionKind)>,
}

impl ScopeResolver {
    /// Reads ICBs, regions, region membership and succession (four statements).
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, AppError> {
        let organisations = organisation::Entity::find()
            .filter(organisation::Column::Kind.is_in([OrganisationKind::Icb, OrganisationKind::Region]))
            .all(db)
            .await?;
        let codes: HashMap<Uuid, (String, OrganisationKind)> =
            organisations.into_iter().map(|row| (row.id, (row.ods_code, row.kind))).collect();
        let mut region_icbs: HashMap<String, Vec<Uuid>> = HashMap::new();
        for link in organisation_relationship::Entity::find()
            .filter(organisation_relationship::Column::Kind.eq(RelationshipKind::IcbInRegion))
            .all(db)
            .await?
        {
            if let Some((region, _)) = codes.get(&link.parent_id) {
                region_icbs.entry(region.clone()).or_default().push(link.child_id);
            }
        }
        let steps = organisation_succession::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|step| (step.predecessor_id, step.successor_id, step.kind))
            .collect();
        let icbs = codes
            .into_iter()
            .filter(|(_, (_, kind))| *kind == OrganisationKind::Icb)
            .map(|(id, (code, _))| (code, id))
            .collect();
        Ok(Self { icbs, region_icbs, steps })
    }

    /// Whether every ICB (ODS code) and the region a principal's role reads by are ones this server
    /// knows (an ICB of any date; a region).
    pub fn knows_places_of(&self, principal: &Principal) -> bool {
        match principal.role {
            Some(Role::IcbViewer | Role::IcbAdmin) => {
                principal.icbs.iter().all(|code| self.icbs.contains_key(code.trim()))
            }
            Some(Role::Regional) => {
                principal.region.as_deref().is_some_and(|region| self.region_icbs.contains_key(region.trim()))
            }
            _ => true,
        }
    }

    /// The scope of `principal`: its ICBs (or its region's) and every ICB they took over, transitively;
    /// an ICB split between the principal's ICBs and others is kept apart in [`Scope::split_from`].
    pub fn resolve(&self, principal: &Principal) -> Scope {
        let Some(role) = principal.role else { return Scope::public() };
        let mut ids: BTreeSet<Uuid> = match role {
            Role::National => return Scope::all(true),
            Role::Reporter => return Scope::all(false),
            Role::IcbViewer | Role::IcbAdmin => {
                principal.icbs.iter().filter_map(|code| self.icbs.get(code.trim()).copied()).collect()
            }
            Role::Regional => principal
                .region
                .as_deref()
                .and_then(|region| self.region_icbs.get(region.trim()))
                .map(|icbs| icbs.iter().copied().collect())
                .unwrap_or_default(),
        };
        let mut split_from = BTreeSet::new();
        // A successor ICB answers for its predecessors' records (for a split one, in part).
        loop {
            let before = ids.len();
            for (predecessor, successor, kind) in &self.steps {
                if ids.contains(successor) && ids.insert(*predecessor) && *kind == SuccessionKind::Split {
                    split_from.insert(*predecessor);
                }
            }
            if ids.len() == before {
                break;
            }
        }
        // Every part of a split ICB went to the reader's ICBs (a regional reader of both successors): it
        // is answered for as a whole.
        split_from.retain(|predecessor| {
            self.steps.iter().any(|(from, successor, _)| from == predecessor && !ids.contains(successor))
        });
        Scope {
            records: RecordScope::Icbs(ids.into_iter().collect()),
            personal_data: true,
            split_from: split_from.into_iter().collect(),
        }
    }
}

fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

fn everything() -> Condition {
    Condition::all()
}

/// The ICBs a reader (or an administrator) answers for: its own and every ICB they took over, some of
/// them split (see [`Scope::split_from`]). Derefs to all their ids.
#[derive(Clone, Copy, Debug)]
pub struct Answering<'a> {
    pub icbs: &'a [Uuid],
    pub split_from: &'a [Uuid],
}

impl std::ops::Deref for Answering<'_> {
    type Target = [Uuid];

    fn deref(&self) -> &[Uuid] {
        self.icbs
    }
}

impl Answering<'_> {
    /// The ICBs answered for as a whole (all but the split ones).
    fn whole(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.icbs.iter().copied().filter(|icb| !self.split_from.contains(icb))
    }
}

/// Organisations that belonged at any time to one of the ICBs answered for as a whole: an organisation of
/// a split ICB counts only if it went to one of them.
pub fn organisations_in(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    organisation_relationship::Entity::find()
        .select_only()
        .column(organisation_relationship::Column::ChildId)
        .filter(organisation_relationship::Column::Kind.eq(RelationshipKind::InIcb))
        .filter(organisation_relationship::Column::ParentId.is_in(icbs.whole()))
        .into_query()
}

/// Placements hosted in the ICBs answered for: in one answered for as a whole, or in a split one at an
/// organisation that went to one of those.
fn hosted_in(icbs: Answering<'_>) -> Condition {
    Condition::any().add(placement::Column::HostIcbId.is_in(icbs.whole())).add(
        Condition::all()
            .add(placement::Column::HostIcbId.is_in(icbs.split_from.iter().copied()))
            .add(placement::Column::HostId.in_subquery(organisations_in(icbs))),
    )
}

/// Cohorts of programmes owned by one of `icbs`.
fn cohorts_owned_by(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    cohort::Entity::find()
        .select_only()
        .column(cohort::Column::Id)
        .filter(
            cohort::Column::ProgrammeId.in_subquery(
                rotation_programme::Entity::find()
                    .select_only()
                    .column(rotation_programme::Column::Id)
                    .filter(rotation_programme::Column::OwnerIcbId.is_in(icbs.iter().copied()))
                    .into_query(),
            ),
        )
        .into_query()
}

fn memberships_in(icbs: Answering<'_>) -> Condition {
    Condition::any().add(programme_membership::Column::CohortId.in_subquery(cohorts_owned_by(icbs))).add(
        programme_membership::Column::Id.in_subquery(
            placement::Entity::find()
                .select_only()
                .column(placement::Column::MembershipId)
                .filter(hosted_in(icbs))
                .into_query(),
        ),
    )
}

fn pharmacists_in(icbs: Answering<'_>) -> Condition {
    Condition::any()
        .add(
            pharmacist::Column::Id.in_subquery(
                programme_membership::Entity::find()
                    .select_only()
                    .column(programme_membership::Column::PharmacistId)
                    .filter(memberships_in(icbs))
                    .into_query(),
            ),
        )
        .add(pharmacist::Column::ManagedByIcbId.is_in(icbs.iter().copied()))
        .add(
            pharmacist::Column::Id.in_subquery(
                consultant_lead::Entity::find()
                    .select_only()
                    .column(consultant_lead::Column::PharmacistId)
                    .filter(consultant_lead::Column::TrustId.in_subquery(organisations_in(icbs)))
                    .into_query(),
            ),
        )
        .add(
            pharmacist::Column::Id.in_subquery(
                icb_medicines_role::Entity::find()
                    .select_only()
                    .column(icb_medicines_role::Column::PharmacistId)
                    .filter(icb_medicines_role::Column::IcbId.is_in(icbs.iter().copied()))
                    .into_query(),
            ),
        )
}

/// An entity whose rows are filtered by the reader's scope.
pub trait Scoped: EntityTrait {
    /// The condition that selects the rows `scope` may read.
    fn visible(scope: &Scope) -> Condition;
}

/// Public entities: every row is visible to everyone.
macro_rules! public {
    ($($entity:ident),* $(,)?) => {
        $(impl Scoped for $entity::Entity {
            fn visible(_: &Scope) -> Condition {
                everything()
            }
        })*
    };
}

public!(
    organisation,
    organisation_relationship,
    organisation_succession,
    rotation_programme,
    programme_funding_source,
    programme_education_offer,
    programme_sector,
    programme_ics_aim,
    cohort,
    rotational_post,
    medicines_optimisation_team,
    team_work_mix,
    team_work_kind,
);

/// Consultant leads at the organisations attributed to `icbs` (the rule leads are read by).
fn leads_in(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    consultant_lead::Entity::find()
        .select_only()
        .column(consultant_lead::Column::Id)
        .filter(consultant_lead::Column::TrustId.in_subquery(organisations_in(icbs)))
        .into_query()
}

/// Patient pathways recorded by one of `icbs` or spanning one of them.
fn pathways_in(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    patient_pathway::Entity::find()
        .select_only()
        .column(patient_pathway::Column::Id)
        .filter(pathways_of(icbs))
        .into_query()
}

fn pathways_of(icbs: Answering<'_>) -> Condition {
    Condition::any().add(patient_pathway::Column::OwnerIcbId.is_in(icbs.iter().copied())).add(
        patient_pathway::Column::Id.in_subquery(
            pathway_icb::Entity::find()
                .select_only()
                .column(pathway_icb::Column::PathwayId)
                .filter(pathway_icb::Column::IcbId.is_in(icbs.iter().copied()))
                .into_query(),
        ),
    )
}

/// Service redesigns of one of `icbs`.
fn redesigns_in(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    service_redesign::Entity::find()
        .select_only()
        .column(service_redesign::Column::Id)
        .filter(service_redesign::Column::IcbId.is_in(icbs.iter().copied()))
        .into_query()
}

/// Entities visible to ICB-scoped readers through a condition on their ICBs, to nobody anonymous, and
/// to every national or reporter reader.
macro_rules! scoped {
    ($($entity:ident => |$icbs:ident| $condition:expr),* $(,)?) => {
        $(impl Scoped for $entity::Entity {
            fn visible(scope: &Scope) -> Condition {
                match &scope.records {
                    RecordScope::Public => nothing(),
                    RecordScope::All => everything(),
                    RecordScope::Icbs(icbs) => {
                        let $icbs = Answering { icbs, split_from: &scope.split_from };
                        $condition
                    }
                }
            }
        })*
    };
}

scoped!(
    vacancy => |icbs| Condition::all().add(vacancy::Column::HostId.in_subquery(organisations_in(icbs))),
    placement => |icbs| Condition::any()
        .add(hosted_in(icbs))
        .add(
            placement::Column::MembershipId.in_subquery(
                programme_membership::Entity::find()
                    .select_only()
                    .column(programme_membership::Column::Id)
                    .filter(programme_membership::Column::CohortId.in_subquery(cohorts_owned_by(icbs)))
                    .into_query(),
            ),
        ),
    programme_membership => |icbs| memberships_in(icbs),
    pharmacist => |icbs| pharmacists_in(icbs),
    consultant_lead => |icbs| Condition::all().add(consultant_lead::Column::TrustId.in_subquery(organisations_in(icbs))),
    programme_lead => |icbs| Condition::any()
        .add(
            programme_lead::Column::ConsultantLeadId.in_subquery(
                consultant_lead::Entity::find()
                    .select_only()
                    .column(consultant_lead::Column::Id)
                    .filter(consultant_lead::Column::TrustId.in_subquery(organisations_in(icbs)))
                    .into_query(),
            ),
        )
        .add(
            programme_lead::Column::ProgrammeId.in_subquery(
                rotation_programme::Entity::find()
                    .select_only()
                    .column(rotation_programme::Column::Id)
                    .filter(rotation_programme::Column::OwnerIcbId.is_in(icbs.iter().copied()))
                    .into_query(),
            ),
        ),
    icb_medicines_role => |icbs| Condition::all().add(icb_medicines_role::Column::IcbId.is_in(icbs.iter().copied())),
    consultant_pillar_share => |icbs| Condition::all().add(consultant_pillar_share::Column::ConsultantLeadId.in_subquery(leads_in(icbs))),
    patient_pathway => |icbs| pathways_of(icbs),
    pathway_icb => |icbs| Condition::all().add(pathway_icb::Column::PathwayId.in_subquery(pathways_in(icbs))),
    pathway_sector => |icbs| Condition::all().add(pathway_sector::Column::PathwayId.in_subquery(pathways_in(icbs))),
    pathway_participant => |icbs| Condition::all().add(pathway_participant::Column::PathwayId.in_subquery(pathways_in(icbs))),
    service_redesign => |icbs| Condition::all().add(service_redesign::Column::IcbId.is_in(icbs.iter().copied())),
    service_redesign_sector => |icbs| Condition::all().add(service_redesign_sector::Column::RedesignId.in_subquery(redesigns_in(icbs))),
);

/// Credentials are a person's education record: personal data, so readers without access to it (anonymous
/// callers and `reporter`) read none, however they reach them (a pharmacist's credentials, `node`,
/// federation); otherwise those of the pharmacists the reader may read.
impl Scoped for credential::Entity {
    fn visible(scope: &Scope) -> Condition {
        if !scope.personal_data {
            return nothing();
        }
        match &scope.records {
            RecordScope::Public => nothing(),
            RecordScope::All => everything(),
            RecordScope::Icbs(icbs) => Condition::all().add(
                credential::Column::PharmacistId.in_subquery(
                    pharmacist::Entity::find()
                        .select_only()
                        .column(pharmacist::Column::Id)
                        .filter(pharmacists_in(Answering { icbs, split_from: &scope.split_from }))
                        .into_query(),
                ),
            ),
        }
    }
}

/// An entity whose rows `icb_admin`s change: the rows of their own ICBs (and of the ICBs those took over).
/// Every other row behaves as if it did not exist.
pub trait Administered: EntityTrait {
    /// The condition that selects the rows the administrators of `icbs` may change.
    fn administered_by(icbs: Answering<'_>) -> Condition;
}

macro_rules! administered {
    ($($entity:ident => |$icbs:ident| $condition:expr),* $(,)?) => {
        $(impl Administered for $entity::Entity {
            fn administered_by($icbs: Answering<'_>) -> Condition {
                $condition
            }
        })*
    };
}

fn owned_programmes(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    rotation_programme::Entity::find()
        .select_only()
        .column(rotation_programme::Column::Id)
        .filter(rotation_programme::Column::OwnerIcbId.is_in(icbs.iter().copied()))
        .into_query()
}

fn owned_memberships(icbs: Answering<'_>) -> sea_orm::sea_query::SelectStatement {
    programme_membership::Entity::find()
        .select_only()
        .column(programme_membership::Column::Id)
        .filter(programme_membership::Column::CohortId.in_subquery(cohorts_owned_by(icbs)))
        .into_query()
}

administered!(
    // Reference data: only `national` administrators change organisations.
    organisation => |_icbs| nothing(),
    rotation_programme => |icbs| Condition::all().add(rotation_programme::Column::OwnerIcbId.is_in(icbs.iter().copied())),
    cohort => |icbs| Condition::all().add(cohort::Column::ProgrammeId.in_subquery(owned_programmes(icbs))),
    rotational_post => |icbs| Condition::all().add(rotational_post::Column::CohortId.in_subquery(cohorts_owned_by(icbs))),
    programme_membership => |icbs| Condition::all().add(programme_membership::Column::CohortId.in_subquery(cohorts_owned_by(icbs))),
    placement => |icbs| Condition::all().add(placement::Column::MembershipId.in_subquery(owned_memberships(icbs))),
    programme_lead => |icbs| Condition::all().add(programme_lead::Column::ProgrammeId.in_subquery(owned_programmes(icbs))),
    vacancy => |icbs| Condition::all().add(vacancy::Column::HostId.in_subquery(organisations_in(icbs))),
    pharmacist => |icbs| pharmacists_in(icbs),
    credential => |icbs| Condition::all().add(
        credential::Column::PharmacistId.in_subquery(
            pharmacist::Entity::find().select_only().column(pharmacist::Column::Id).filter(pharmacists_in(icbs)).into_query(),
        ),
    ),
    consultant_lead => |icbs| Condition::all().add(consultant_lead::Column::TrustId.in_subquery(organisations_in(icbs))),
    icb_medicines_role => |icbs| Condition::all().add(icb_medicines_role::Column::IcbId.is_in(icbs.iter().copied())),
    medicines_optimisation_team => |icbs| Condition::all().add(medicines_optimisation_team::Column::IcbId.is_in(icbs.iter().copied())),
    consultant_pillar_share => |icbs| Condition::all().add(consultant_pillar_share::Column::ConsultantLeadId.in_subquery(leads_in(icbs))),
    patient_pathway => |icbs| Condition::all().add(patient_pathway::Column::OwnerIcbId.is_in(icbs.iter().copied())),
    team_work_mix => |icbs| Condition::all().add(
        team_work_mix::Column::TeamId.in_subquery(
            medicines_optimisation_team::Entity::find()
                .select_only()
                .column(medicines_optimisation_team::Column::Id)
                .filter(medicines_optimisation_team::Column::IcbId.is_in(icbs.iter().copied()))
                .into_query(),
        ),
    ),
    service_redesign => |icbs| Condition::all().add(service_redesign::Column::IcbId.is_in(icbs.iter().copied())),
);
