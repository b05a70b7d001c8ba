//! Organisations, ICBs and regions, with their dated relations and ICB succession.

use super::loaders::{ChildrenOn, DbLoader, OrganisationById, ParentOn, ResolvedOn, SuccessionsOf};
use super::scalars::{Date, OdsCodeScalar};
use crate::services::{self, organisations::Direction};
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, Object, Result, ResultExt};
use entity::enums::{self, RelationshipKind};
use entity::{organisation, organisation_succession};
use sea_orm::DatabaseConnection;

/// The kind of an organisation, following its ODS roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::OrganisationKind")]
pub enum OrganisationKind {
    /// NHS England region (`Y56`–`Y63`).
    Region,
    /// Integrated care board.
    Icb,
    /// Sub-ICB location (the former clinical commissioning group).
    SubIcbLocation,
    /// NHS trust or foundation trust.
    NhsTrust,
    /// A site of an NHS trust.
    TrustSite,
    /// Primary care network.
    Pcn,
    /// GP practice.
    GpPractice,
    /// Community pharmacy premises.
    CommunityPharmacy,
}

/// The contract under which a community pharmacy provides NHS pharmaceutical services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::PharmacyContractType")]
pub enum PharmacyContractType {
    /// Community pharmacy contractual framework, premises open to the public.
    Community,
    /// Distance-selling pharmacy (internet or mail order).
    DistanceSelling,
    /// Local pharmaceutical services contract.
    LocalPharmaceuticalServices,
    /// Dispensing appliance contractor.
    DispensingApplianceContractor,
}

/// How one ICB carries on from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "enums::SuccessionKind")]
pub enum SuccessionKind {
    /// The whole predecessor became part of the successor.
    Merger,
    /// The successor took the predecessor over.
    Acquisition,
    /// Part of the predecessor went to this successor: resolve per organisation, never as a whole.
    Split,
    /// Only the code or the name changed.
    Rename,
    /// The predecessor closed and the successor took on its services.
    Closure,
}

fn loader<'a>(ctx: &Context<'a>) -> Result<&'a DataLoader<DbLoader>> {
    ctx.data::<DataLoader<DbLoader>>()
}

fn as_of_or_today(as_of: Option<Date>) -> chrono::NaiveDate {
    as_of.map_or_else(services::today, |date| date.0)
}

/// An NHS organisation of any kind, identified by its ODS code.
pub struct Organisation(pub organisation::Model);

/// An NHS organisation of any kind, identified by its ODS code.
#[Object]
impl Organisation {
    /// rotagraph's stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
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

    /// NHS trusts only: whether it is a foundation trust.
    async fn is_foundation_trust(&self) -> Option<bool> {
        self.0.is_foundation_trust
    }

    /// Community pharmacies only: the contract it holds.
    async fn pharmacy_contract_type(&self) -> Option<PharmacyContractType> {
        self.0.pharmacy_contract_type.map(Into::into)
    }

    /// The ICB the organisation belonged to on `asOf` (default: today). An ICB is its own ICB; a region
    /// has none, and neither has an organisation outside any ICB on that date.
    async fn icb(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Option<Icb>> {
        match self.0.kind {
            enums::OrganisationKind::Region => Ok(None),
            enums::OrganisationKind::Icb => Ok(Some(Icb(self.0.clone()))),
            _ => {
                let key = ParentOn { child: self.0.id, kind: RelationshipKind::InIcb, on: as_of_or_today(as_of) };
                Ok(loader(ctx)?.load_one(key).await?.map(Icb))
            }
        }
    }
}

/// An integrated care board. ICBs are dated: the 42 of 2022-07-01 became 36 on 2026-04-01, when 12 were
/// dissolved into 6 new ICBs (for example Norfolk and Waveney, `QMM`, into Norfolk and Suffolk, `T6Y0W`).
pub struct Icb(pub organisation::Model);

/// An integrated care board. ICBs are dated: the 42 of 2022-07-01 became 36 on 2026-04-01, when 12 were
/// dissolved into 6 new ICBs (for example Norfolk and Waveney, `QMM`, into Norfolk and Suffolk, `T6Y0W`).
#[Object]
impl Icb {
    /// rotagraph's stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// ODS code (`Q` + 2 characters for the 2022 ICBs; 5 characters for those created in 2026).
    async fn ods_code(&self) -> &str {
        &self.0.ods_code
    }

    /// ONS/GSS code (`E54…`).
    async fn gss_code(&self) -> Option<&str> {
        self.0.gss_code.as_deref()
    }

    /// Name, as recorded by ODS.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// First day the ICB existed.
    async fn valid_from(&self) -> Option<Date> {
        self.0.legal_start_date.map(Date)
    }

    /// Last day the ICB existed; null while it exists.
    async fn valid_to(&self) -> Option<Date> {
        self.0.legal_end_date.map(Date)
    }

    /// The NHS England region of the ICB on `asOf` (default: today); null on a date when the ICB did not
    /// exist.
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Option<Region>> {
        let key = ParentOn { child: self.0.id, kind: RelationshipKind::IcbInRegion, on: as_of_or_today(as_of) };
        Ok(loader(ctx)?.load_one(key).await?.map(Region))
    }

    /// The ICBs this ICB succeeded, with how and when.
    async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<IcbSuccession>> {
        successions(ctx, self.0.id, Direction::Predecessors).await
    }

    /// The ICBs that succeeded this ICB, with how and when.
    async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<IcbSuccession>> {
        successions(ctx, self.0.id, Direction::Successors).await
    }

    /// The ICBs that carry this ICB on at `asOf` (default: today): the ICB itself while it exists; after a
    /// merger, its successor; after a split, every successor (a split ICB cannot be rolled up as a whole:
    /// resolve each organisation by its own `icb(asOf:)` instead). Empty before the ICB existed.
    async fn resolved_as_of(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Vec<Self>> {
        let loader = loader(ctx)?;
        let ids = loader.load_one(ResolvedOn { icb: self.0.id, on: as_of_or_today(as_of) }).await?.unwrap_or_default();
        let mut icbs: Vec<Self> =
            loader.load_many(ids.into_iter().map(OrganisationById)).await?.into_values().map(Self).collect();
        icbs.sort_by(|a, b| a.0.ods_code.cmp(&b.0.ods_code));
        Ok(icbs)
    }
}

async fn successions(ctx: &Context<'_>, id: uuid::Uuid, direction: Direction) -> Result<Vec<IcbSuccession>> {
    let loader = loader(ctx)?;
    let steps = loader.load_one(SuccessionsOf { organisation: id, direction }).await?.unwrap_or_default();
    let others = loader
        .load_many(steps.iter().map(|step| {
            OrganisationById(match direction {
                Direction::Predecessors => step.predecessor_id,
                Direction::Successors => step.successor_id,
            })
        }))
        .await?;
    Ok(steps
        .into_iter()
        .filter_map(|step| {
            let other = match direction {
                Direction::Predecessors => step.predecessor_id,
                Direction::Successors => step.successor_id,
            };
            others.get(&OrganisationById(other)).cloned().map(|icb| IcbSuccession { icb: Icb(icb), step })
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

/// An NHS England region.
pub struct Region(pub organisation::Model);

/// An NHS England region.
#[Object]
impl Region {
    /// rotagraph's stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// ODS code (`Y56`–`Y63`).
    async fn ods_code(&self) -> &str {
        &self.0.ods_code
    }

    /// ONS/GSS code (`E40…`).
    async fn gss_code(&self) -> Option<&str> {
        self.0.gss_code.as_deref()
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The ICBs of the region on `asOf` (default: today), by name.
    async fn icbs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Vec<Icb>> {
        let key = ChildrenOn { parent: self.0.id, kind: RelationshipKind::IcbInRegion, on: as_of_or_today(as_of) };
        Ok(loader(ctx)?.load_one(key).await?.unwrap_or_default().into_iter().map(Icb).collect())
    }
}

/// Queries over organisations, ICBs and regions.
#[derive(Default)]
pub struct OrganisationQuery;

/// Queries over organisations, ICBs and regions.
#[Object]
impl OrganisationQuery {
    /// The ICBs that existed on `asOf` (default: today), by name: 36 from 2026-04-01, 42 before.
    async fn icbs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to answer for (default: today).")] as_of: Option<Date>,
    ) -> Result<Vec<Icb>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(services::organisations::icbs_on(db, as_of_or_today(as_of)).await.extend()?.into_iter().map(Icb).collect())
    }

    /// The ICB with this ODS code, current or dissolved; null if there is none.
    async fn icb(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The ICB's ODS code.")] ods_code: OdsCodeScalar,
    ) -> Result<Option<Icb>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = services::organisations::by_ods_code(db, &ods_code.0).await.extend()?;
        Ok(found.filter(|row| row.kind == enums::OrganisationKind::Icb).map(Icb))
    }

    /// The seven NHS England regions, by ODS code.
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(services::organisations::regions(db).await.extend()?.into_iter().map(Region).collect())
    }

    /// The organisation of any kind with this ODS code; null if there is none.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's ODS code.")] ods_code: OdsCodeScalar,
    ) -> Result<Option<Organisation>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(services::organisations::by_ods_code(db, &ods_code.0).await.extend()?.map(Organisation))
    }
}
