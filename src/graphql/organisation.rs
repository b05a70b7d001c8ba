//! Organisations of every kind behind one `Organisation` interface, with their dated relations and ICB
//! succession, and the queries over them.

use super::common::{
    ConnectionOf, EnumFilter, NodeType, OdsCodeFilter, OrderDirection, Paging, TextFilter, as_of_or_today, global_id,
};
use super::enums::{IcbResolution, OrganisationKind, PharmacyContractType, SuccessionKind};
use super::leadership::{ConsultantLead, IcbMedicinesRole, MedicinesOptimisationTeam};
use super::loaders::{ChildrenOn, ParentOn, ResolvedOn, SuccessionsOf};
use super::programme::RotationProgramme;
use super::programme::{
    PostFilter, PostOrder, RotationalPost, Vacancy, VacancyFilter, VacancyOrder, posts_of, vacancies_of,
};
use super::scalars::{Date, OdsCodeScalar};
use super::workforce::{Placement, PlacementFilter, PlacementOrder, placements_of};
use super::{db, list, load_by, load_one, loader, nested};
use crate::services::organisations::{self, Direction};
use crate::services::pagination::{Relation, SortKey};
use crate::services::queries::{self, filter_tree, tree_map};
use async_graphql::{Context, ID, InputObject, Interface, Object, Result, ResultExt};
use chrono::NaiveDate;
use entity::enums::{self, RelationshipKind};
use entity::{
    consultant_lead, icb_medicines_role, medicines_optimisation_team, organisation, organisation_succession, placement,
    rotation_programme, rotational_post, vacancy,
};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

/// An NHS organisation of any kind, identified by its ODS code.
#[derive(Interface, Clone)]
#[expect(clippy::duplicated_attributes, reason = "each interface field repeats `name`, `ty` and `desc` keys")]
#[graphql(
    field(name = "id", ty = "ID", desc = "Opaque global id (see `node`)."),
    field(name = "ods_code", ty = "&str", desc = "ODS code, unique across all organisations."),
    field(name = "kind", ty = "OrganisationKind", desc = "The kind of organisation."),
    field(name = "name", ty = "&str", desc = "Name, as recorded by ODS."),
    field(name = "gss_code", ty = "Option<&str>", desc = "ONS/GSS code, where one exists."),
    field(name = "legal_start_date", ty = "Option<Date>", desc = "First day the organisation legally existed."),
    field(name = "legal_end_date", ty = "Option<Date>", desc = "Last day it legally existed; null while it exists."),
    field(name = "version", ty = "i32", desc = "Raised by every change; updates name the version they read."),
    field(
        name = "icb",
        ty = "Option<Icb>",
        desc = "The organisation's ICB: on `asOf` (default today), or rolled up to today's successor.",
        arg(name = "as_of", ty = "Option<Date>", desc = "The date to answer for (default: today)."),
        arg(name = "resolution", ty = "Option<IcbResolution>", desc = "Which ICB to answer with (default: AT_EVENT).")
    ),
    field(
        name = "region",
        ty = "Option<Region>",
        desc = "The NHS England region of the organisation's ICB on `asOf` (default: today).",
        arg(name = "as_of", ty = "Option<Date>", desc = "The date to answer for (default: today).")
    )
)]
pub enum Organisation {
    Region(Region),
    Icb(Icb),
    SubIcbLocation(SubIcbLocation),
    NhsTrust(NhsTrust),
    TrustSite(TrustSite),
    Pcn(Pcn),
    GpPractice(GpPractice),
    CommunityPharmacy(CommunityPharmacy),
}

impl From<organisation::Model> for Organisation {
    fn from(model: organisation::Model) -> Self {
        match model.kind {
            enums::OrganisationKind::Region => Self::Region(Region(model)),
            enums::OrganisationKind::Icb => Self::Icb(Icb(model)),
            enums::OrganisationKind::SubIcbLocation => Self::SubIcbLocation(SubIcbLocation(model)),
            enums::OrganisationKind::NhsTrust => Self::NhsTrust(NhsTrust(model)),
            enums::OrganisationKind::TrustSite => Self::TrustSite(TrustSite(model)),
            enums::OrganisationKind::Pcn => Self::Pcn(Pcn(model)),
            enums::OrganisationKind::GpPractice => Self::GpPractice(GpPractice(model)),
            enums::OrganisationKind::CommunityPharmacy => Self::CommunityPharmacy(CommunityPharmacy(model)),
        }
    }
}

/// The ICB of `model` on `on`: an ICB is its own, a region has none, everything else by its dated link.
async fn icb_on(ctx: &Context<'_>, model: &organisation::Model, on: NaiveDate) -> Result<Option<organisation::Model>> {
    match model.kind {
        enums::OrganisationKind::Region => Ok(None),
        enums::OrganisationKind::Icb => Ok(Some(model.clone())),
        _ => loader(ctx)?.load_one(ParentOn { child: model.id, kind: RelationshipKind::InIcb, on }).await,
    }
}

async fn icb_of(
    ctx: &Context<'_>,
    model: &organisation::Model,
    as_of: Option<Date>,
    resolution: Option<IcbResolution>,
) -> Result<Option<Icb>> {
    let on = as_of_or_today(ctx, as_of)?;
    let Some(icb) = icb_on(ctx, model, on).await? else { return Ok(None) };
    if resolution.unwrap_or_default() == IcbResolution::AtEvent {
        return Ok(Some(Icb(icb)));
    }
    // Rolled up to today: the organisation's own ICB today if it still has one (this resolves splits per
    // organisation), otherwise the single ICB that carries its ICB on.
    let today = super::today(ctx)?;
    if let Some(current) = icb_on(ctx, model, today).await? {
        return Ok(Some(Icb(current)));
    }
    let carried = loader(ctx)?.load_one(ResolvedOn { icb: icb.id, on: today }).await?.unwrap_or_default();
    match carried.as_slice() {
        [only] => Ok(load_one::<organisation::Entity>(ctx, *only).await?.map(Icb)),
        _ => Ok(None),
    }
}

async fn region_of(ctx: &Context<'_>, model: &organisation::Model, as_of: Option<Date>) -> Result<Option<Region>> {
    let on = as_of_or_today(ctx, as_of)?;
    if model.kind == enums::OrganisationKind::Region {
        return Ok(Some(Region(model.clone())));
    }
    let Some(icb) = icb_on(ctx, model, on).await? else { return Ok(None) };
    let region = loader(ctx)?.load_one(ParentOn { child: icb.id, kind: RelationshipKind::IcbInRegion, on }).await?;
    Ok(region.map(Region))
}

async fn children(
    ctx: &Context<'_>,
    parent: Uuid,
    kind: RelationshipKind,
    as_of: Option<Date>,
) -> Result<Vec<organisation::Model>> {
    let key = ChildrenOn { parent, kind, on: as_of_or_today(ctx, as_of)? };
    Ok(loader(ctx)?.load_one(key).await?.unwrap_or_default())
}

/// The page of the organisations linked under `parent` by `kind` on `asOf` (default: today), optionally
/// only of `only` kind, by name.
#[expect(clippy::too_many_arguments, reason = "the relation, its date, a kind and the two paging arguments")]
async fn children_page<T: async_graphql::OutputType>(
    ctx: &Context<'_>,
    parent: Uuid,
    name: &'static str,
    kind: RelationshipKind,
    as_of: Option<Date>,
    only: Option<enums::OrganisationKind>,
    paging: Paging,
    node: impl Fn(organisation::Model) -> T,
) -> Result<ConnectionOf<T>> {
    let mut relation = organisations::children_relation(name, kind, as_of_or_today(ctx, as_of)?);
    if let Some(only) = only {
        relation = relation.filter(Condition::all().add(organisation::Column::Kind.eq(only)));
    }
    let order = (vec![SortKey::Column(organisation::Column::Name)], OrderDirection::Asc);
    nested(ctx, parent, relation, order, paging, node).await
}

async fn parent(
    ctx: &Context<'_>,
    child: Uuid,
    kind: RelationshipKind,
    as_of: Option<Date>,
) -> Result<Option<organisation::Model>> {
    loader(ctx)?.load_one(ParentOn { child, kind, on: as_of_or_today(ctx, as_of)? }).await
}

/// Declares an organisation type with the fields of the `Organisation` interface and its own fields.
macro_rules! organisation_type {
    ($(#[doc = $doc:literal])* $name:ident { $($fields:tt)* }) => {
        $(#[doc = $doc])*
        #[derive(Clone)]
        pub struct $name(pub organisation::Model);

        $(#[doc = $doc])*
        #[Object]
        impl $name {
            /// Opaque global id (see `node`).
            pub(crate) async fn id(&self) -> ID {
                global_id(NodeType::Organisation, self.0.id)
            }

            /// ODS code, unique across all organisations.
            async fn ods_code(&self) -> &str {
                &self.0.ods_code
            }

            /// The kind of organisation.
            async fn kind(&self) -> OrganisationKind {
                self.0.kind.into()
            }

            /// Name, as recorded by ODS.
            async fn name(&self) -> &str {
                &self.0.name
            }

            /// ONS/GSS code, where one exists (regions, ICBs, sub-ICB locations).
            async fn gss_code(&self) -> Option<&str> {
                self.0.gss_code.as_deref()
            }

            /// First day the organisation legally existed, where known.
            async fn legal_start_date(&self) -> Option<Date> {
                self.0.legal_start_date.map(Date)
            }

            /// Last day the organisation legally existed; null while it exists.
            async fn legal_end_date(&self) -> Option<Date> {
                self.0.legal_end_date.map(Date)
            }

            /// Raised by every change; updates name the version they read (`expectedVersion`).
            async fn version(&self) -> i32 {
                self.0.version
            }

            /// The organisation's ICB: on `asOf` (default today), or rolled up to today's successor. An ICB
            /// is its own ICB; a region has none, nor has an organisation outside any ICB on that date.
            async fn icb(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
                #[graphql(desc = "Which ICB to answer with (default: AT_EVENT).")] resolution: Option<IcbResolution>,
            ) -> Result<Option<Icb>> {
                icb_of(ctx, &self.0, as_of, resolution).await
            }

            /// The NHS England region of the organisation's ICB on `asOf` (default: today).
            async fn region(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            ) -> Result<Option<Region>> {
                region_of(ctx, &self.0, as_of).await
            }

            /// The placements the organisation hosts that the reader may see, filtered and ordered (default:
            /// by start date).
            async fn placements(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Which placements.")] filter: Option<PlacementFilter>,
                #[graphql(desc = "The order (default: by start date).")] order_by: Option<PlacementOrder>,
                #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
                #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
            ) -> Result<ConnectionOf<Placement>> {
                let relation = Relation::by_column("Organisation.placements", placement::Column::HostId);
                placements_of(ctx, self.0.id, relation, filter, order_by, Paging::forward(after, first)?).await
            }

            /// The vacancies at the organisation that the reader may see, filtered and ordered (default: by
            /// opening date).
            async fn vacancies(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Which vacancies.")] filter: Option<VacancyFilter>,
                #[graphql(desc = "The order (default: by opening date).")] order_by: Option<VacancyOrder>,
                #[graphql(desc = "The date `open` and ICB filters apply to (default: today).")] as_of: Option<Date>,
                #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
                #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
            ) -> Result<ConnectionOf<Vacancy>> {
                let relation = Relation::by_column("Organisation.vacancies", vacancy::Column::HostId);
                vacancies_of(ctx, self.0.id, relation, (filter, order_by, as_of), Paging::forward(after, first)?).await
            }

            /// The rotational posts the organisation employs, filtered and ordered (default: by post number).
            async fn posts(
                &self,
                ctx: &Context<'_>,
                #[graphql(desc = "Which posts.")] filter: Option<PostFilter>,
                #[graphql(desc = "The order (default: by post number).")] order_by: Option<PostOrder>,
                #[graphql(desc = "The date ICB filters apply to (default: today).")] as_of: Option<Date>,
                #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
                #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
            ) -> Result<ConnectionOf<RotationalPost>> {
                let relation = Relation::by_column("Organisation.posts", rotational_post::Column::EmployerId);
                posts_of(ctx, self.0.id, relation, (filter, order_by, as_of), Paging::forward(after, first)?).await
            }

            $($fields)*
        }
    };
}

organisation_type! {
    /// An NHS England region.
    Region {
        /// The ICBs of the region on `asOf` (default: today), by name.
        async fn icbs(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
        ) -> Result<Vec<Icb>> {
            Ok(children(ctx, self.0.id, RelationshipKind::IcbInRegion, as_of).await?.into_iter().map(Icb).collect())
        }
    }
}

organisation_type! {
    /// An integrated care board. ICBs are dated: the 42 of 2022-07-01 became 36 on 2026-04-01, when 12
    /// were dissolved into 6 new ICBs (for example Norfolk and Waveney, `QMM`, into Norfolk and Suffolk,
    /// `T6Y0W`).
    Icb {
        /// First day the ICB existed.
        async fn valid_from(&self) -> Option<Date> {
            self.0.legal_start_date.map(Date)
        }

        /// Last day the ICB existed; null while it exists.
        async fn valid_to(&self) -> Option<Date> {
            self.0.legal_end_date.map(Date)
        }

        /// The ICBs this ICB succeeded, with how and when.
        async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<IcbSuccession>> {
            successions(ctx, self.0.id, Direction::Predecessors).await
        }

        /// The ICBs that succeeded this ICB, with how and when.
        async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<IcbSuccession>> {
            successions(ctx, self.0.id, Direction::Successors).await
        }

        /// The ICBs that carry this ICB on at `asOf` (default: today): the ICB itself while it exists;
        /// after a merger, its successor; after a split, every successor (a split ICB cannot be rolled up as
        /// a whole: resolve each organisation by its own `icb` instead). Empty before the ICB existed.
        async fn resolved_as_of(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
        ) -> Result<Vec<Icb>> {
            let loader = loader(ctx)?;
            let key = ResolvedOn { icb: self.0.id, on: as_of_or_today(ctx, as_of)? };
            let ids = loader.load_one(key).await?.unwrap_or_default();
            let mut icbs: Vec<Self> = loader
                .load_many(ids.into_iter().map(super::loaders::ById::<organisation::Entity>::new))
                .await?
                .into_values()
                .map(Self)
                .collect();
            icbs.sort_by(|a, b| a.0.ods_code.cmp(&b.0.ods_code));
            Ok(icbs)
        }

        /// The organisations in the ICB on `asOf` (default: today), optionally of one kind, by name.
        async fn organisations(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Only organisations of this kind.")] kind: Option<OrganisationKind>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<Organisation>> {
            let (paging, kind) = (Paging::forward(after, first)?, kind.map(Into::into));
            children_page(ctx, self.0.id, "Icb.organisations", RelationshipKind::InIcb, as_of, kind, paging, Organisation::from).await
        }

        /// The NHS trusts in the ICB on `asOf` (default: today), by name.
        async fn trusts(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<NhsTrust>> {
            let (paging, kind) = (Paging::forward(after, first)?, Some(enums::OrganisationKind::NhsTrust));
            children_page(ctx, self.0.id, "Icb.trusts", RelationshipKind::InIcb, as_of, kind, paging, NhsTrust).await
        }

        /// The PCNs in the ICB on `asOf` (default: today), by name.
        async fn pcns(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<Pcn>> {
            let (paging, kind) = (Paging::forward(after, first)?, Some(enums::OrganisationKind::Pcn));
            children_page(ctx, self.0.id, "Icb.pcns", RelationshipKind::InIcb, as_of, kind, paging, Pcn).await
        }

        /// The sub-ICB locations of the ICB on `asOf` (default: today), by name.
        async fn sub_icb_locations(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<SubIcbLocation>> {
            let (paging, kind) = (Paging::forward(after, first)?, Some(enums::OrganisationKind::SubIcbLocation));
            children_page(ctx, self.0.id, "Icb.subIcbLocations", RelationshipKind::InIcb, as_of, kind, paging, SubIcbLocation).await
        }

        /// The rotation programmes the ICB answers for: its own and those of the ICBs it took over, by
        /// name.
        async fn programmes(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<RotationProgramme>> {
            let order = (vec![SortKey::Column(rotation_programme::Column::Name)], OrderDirection::Asc);
            let paging = Paging::forward(after, first)?;
            nested(ctx, self.0.id, organisations::programmes_of_icbs(), order, paging, RotationProgramme).await
        }

        /// The ICB's medicines leadership roles held on `asOf` (default: today).
        async fn medicines_leadership(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
        ) -> Result<Vec<IcbMedicinesRole>> {
            let on = as_of_or_today(ctx, as_of)?;
            let roles = load_by::<icb_medicines_role::Entity>(ctx, "icb_id", self.0.id, "role").await?;
            Ok(roles
                .into_iter()
                .filter(|role| role.valid_from <= on && role.valid_to.is_none_or(|to| to >= on))
                .map(IcbMedicinesRole)
                .collect())
        }

        /// The ICB's medicines-optimisation teams, by name.
        async fn medicines_optimisation_teams(&self, ctx: &Context<'_>) -> Result<Vec<MedicinesOptimisationTeam>> {
            let teams = load_by::<medicines_optimisation_team::Entity>(ctx, "icb_id", self.0.id, "name").await?;
            Ok(teams.into_iter().map(MedicinesOptimisationTeam).collect())
        }
    }
}

organisation_type! {
    /// A sub-ICB location (the former clinical commissioning group).
    SubIcbLocation {
        /// The GP practices it commissions on `asOf` (default: today), by name.
        async fn practices(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<GpPractice>> {
            let (kind, paging) = (RelationshipKind::CommissionedBySubIcbLocation, Paging::forward(after, first)?);
            children_page(ctx, self.0.id, "SubIcbLocation.practices", kind, as_of, None, paging, GpPractice).await
        }
    }
}

organisation_type! {
    /// An NHS trust or foundation trust.
    NhsTrust {
        /// Whether it is a foundation trust.
        async fn is_foundation_trust(&self) -> Option<bool> {
            self.0.is_foundation_trust
        }

        /// The trust's sites on `asOf` (default: today), by name.
        async fn sites(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<TrustSite>> {
            let paging = Paging::forward(after, first)?;
            children_page(ctx, self.0.id, "NhsTrust.sites", RelationshipKind::SiteOfTrust, as_of, None, paging, TrustSite).await
        }

        /// The consultant-pharmacist leads of the trust (past and present), by start date.
        async fn consultant_leads(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<ConsultantLead>> {
            let relation = Relation::by_column("NhsTrust.consultantLeads", consultant_lead::Column::TrustId);
            let order = (vec![SortKey::Column(consultant_lead::Column::ValidFrom)], OrderDirection::Asc);
            nested(ctx, self.0.id, relation, order, Paging::forward(after, first)?, ConsultantLead).await
        }
    }
}

organisation_type! {
    /// A site of an NHS trust.
    TrustSite {
        /// The trust the site belongs to on `asOf` (default: today).
        async fn trust(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
        ) -> Result<Option<NhsTrust>> {
            Ok(parent(ctx, self.0.id, RelationshipKind::SiteOfTrust, as_of).await?.map(NhsTrust))
        }
    }
}

organisation_type! {
    /// A primary care network.
    Pcn {
        /// The member practices on `asOf` (default: today), by name.
        async fn practices(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
            #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
            #[graphql(desc = "At most this many rows (default 20, at most 100).")] first: Option<i32>,
        ) -> Result<ConnectionOf<GpPractice>> {
            let paging = Paging::forward(after, first)?;
            children_page(ctx, self.0.id, "Pcn.practices", RelationshipKind::MemberOfPcn, as_of, None, paging, GpPractice).await
        }
    }
}

organisation_type! {
    /// A GP practice.
    GpPractice {
        /// The PCN the practice belongs to on `asOf` (default: today).
        async fn pcn(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
        ) -> Result<Option<Pcn>> {
            Ok(parent(ctx, self.0.id, RelationshipKind::MemberOfPcn, as_of).await?.map(Pcn))
        }

        /// The sub-ICB location that commissions the practice on `asOf` (default: today).
        async fn sub_icb_location(
            &self,
            ctx: &Context<'_>,
            #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
        ) -> Result<Option<SubIcbLocation>> {
            Ok(parent(ctx, self.0.id, RelationshipKind::CommissionedBySubIcbLocation, as_of).await?.map(SubIcbLocation))
        }
    }
}

organisation_type! {
    /// Community pharmacy premises.
    CommunityPharmacy {
        /// The contract under which it provides NHS pharmaceutical services.
        async fn contract_type(&self) -> Option<PharmacyContractType> {
            self.0.pharmacy_contract_type.map(Into::into)
        }
    }
}

async fn successions(ctx: &Context<'_>, id: Uuid, direction: Direction) -> Result<Vec<IcbSuccession>> {
    let loader = loader(ctx)?;
    let steps = loader.load_one(SuccessionsOf { organisation: id, direction }).await?.unwrap_or_default();
    let other = |step: &organisation_succession::Model| match direction {
        Direction::Predecessors => step.predecessor_id,
        Direction::Successors => step.successor_id,
    };
    let others = loader
        .load_many(steps.iter().map(|step| super::loaders::ById::<organisation::Entity>::new(other(step))))
        .await?;
    Ok(steps
        .into_iter()
        .filter_map(|step| {
            let icb = others.get(&super::loaders::ById::new(other(&step))).cloned()?;
            Some(IcbSuccession { icb: Icb(icb), step })
        })
        .collect())
}

/// One step of ICB succession, seen from one side.
pub struct IcbSuccession {
    icb: Icb,
    step: organisation_succession::Model,
}

/// One step of ICB succession, seen from one side.
#[Object]
impl IcbSuccession {
    /// The ICB on the other side of the step (the predecessor or the successor).
    async fn icb(&self) -> &Icb {
        &self.icb
    }

    /// How the successor carries the predecessor on.
    async fn kind(&self) -> SuccessionKind {
        self.step.kind.into()
    }

    /// First day of the successor's responsibility.
    async fn effective_date(&self) -> Date {
        Date(self.step.effective_date)
    }
}

/// Filters organisations. Fields combine with AND; use `and`, `or` and `not` for more.
#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    /// All of these filters.
    pub and: Option<Vec<Self>>,
    /// Any of these filters.
    pub or: Option<Vec<Self>>,
    /// Not this filter.
    pub not: Option<Box<Self>>,
    /// ODS code.
    pub ods_code: Option<OdsCodeFilter>,
    /// Kind of organisation.
    pub kind: Option<EnumFilter<OrganisationKind>>,
    /// Name (case-insensitive).
    pub name: Option<TextFilter>,
    /// The ICB (ODS code) the organisation belonged to on the query's `asOf`.
    pub icb: Option<OdsCodeFilter>,
    /// The region (ODS code) of the organisation's ICB on the query's `asOf`.
    pub region: Option<OdsCodeFilter>,
}

filter_tree!(OrganisationFilter);

impl OrganisationFilter {
    /// The filter tree as the services read it (translated from the work list, without recursion).
    fn to_query(&self) -> Result<queries::organisations::OrganisationFilter, crate::AppError> {
        tree_map(self, |filter, all, any, not| {
            Ok(queries::organisations::OrganisationFilter {
                and: filter.and.as_ref().map(|_| all),
                or: any,
                not: not.map(Box::new),
                ods_codes: filter.ods_code.as_ref().and_then(OdsCodeFilter::codes),
                kinds: filter.kind.as_ref().and_then(EnumFilter::values),
                name: filter.name.as_ref().map(Into::into),
                icbs: filter.icb.as_ref().and_then(OdsCodeFilter::codes),
                regions: filter.region.as_ref().and_then(OdsCodeFilter::codes),
            })
        })
    }
}

/// What organisations can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrganisationOrderField {
    /// Name.
    #[default]
    Name,
    /// ODS code.
    OdsCode,
    /// Kind, then name.
    Kind,
}

/// The order of an organisation list (ties are broken by id, so pages are stable).
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct OrganisationOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: OrganisationOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries over organisations, ICBs and regions.
#[derive(Default)]
pub struct OrganisationQuery;

/// Queries over organisations, ICBs and regions.
#[Object]
impl OrganisationQuery {
    /// Organisations of every kind, filtered and ordered, as a connection.
    #[expect(clippy::too_many_arguments, reason = "a filter, an order and the four Relay paging arguments")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organisations.")] filter: Option<OrganisationFilter>,
        #[graphql(desc = "The order (default: by name).")] order_by: Option<OrganisationOrder>,
        #[graphql(desc = "The date ICB and region filters apply to (default: today).")] as_of: Option<Date>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<Organisation>> {
        let paging = Paging::new(after, before, first, last)?;
        let on = as_of_or_today(ctx, as_of)?;
        let condition = filter
            .map(|filter| filter.to_query().and_then(|filter| filter.condition(on)))
            .transpose()
            .extend()?
            .unwrap_or_else(Condition::all);
        let order = order_by.unwrap_or_default();
        let columns = match order.field {
            OrganisationOrderField::Name => vec![organisation::Column::Name],
            OrganisationOrderField::OdsCode => vec![organisation::Column::OdsCode],
            OrganisationOrderField::Kind => vec![organisation::Column::Kind, organisation::Column::Name],
        };
        let keys = columns.into_iter().map(SortKey::Column).collect();
        list::<organisation::Entity, _>(ctx, condition, keys, order.direction, paging, Organisation::from).await
    }

    /// The ICBs that existed on `asOf` (default: today), by name: 36 from 2026-04-01, 42 before. A plain
    /// list, because there are never more than a few dozen; `organisations(filter: {kind: {eq: ICB}})`
    /// pages them.
    async fn icbs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Vec<Icb>> {
        Ok(organisations::icbs_on(db(ctx)?, as_of_or_today(ctx, as_of)?).await.extend()?.into_iter().map(Icb).collect())
    }

    /// The ICB with this ODS code, current or dissolved; null if there is none.
    async fn icb(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ICB's ODS code.")] ods_code: OdsCodeScalar,
    ) -> Result<Option<Icb>> {
        let found = organisations::by_ods_code(db(ctx)?, &ods_code.0).await.extend()?;
        Ok(found.filter(|row| row.kind == enums::OrganisationKind::Icb).map(Icb))
    }

    /// The seven NHS England regions, by ODS code.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        Ok(organisations::regions(db(ctx)?).await.extend()?.into_iter().map(Region).collect())
    }

    /// The organisation of any kind with this ODS code; null if there is none.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's ODS code.")] ods_code: OdsCodeScalar,
    ) -> Result<Option<Organisation>> {
        Ok(organisations::by_ods_code(db(ctx)?, &ods_code.0).await.extend()?.map(Organisation::from))
    }
}
