//! Which programmes, posts and vacancies a list holds.

use super::{DateRange, TextMatch, one_of};
use crate::error::AppError;
use crate::services::organisations::{icbs_with_predecessors, in_icbs_on};
use chrono::NaiveDate;
use entity::enums::{AfcBand, FundingSource, PostStatus, ProgrammeStatus, Sector};
use entity::{cohort, organisation, rotation_programme, rotational_post, vacancy};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

/// Which programmes. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct ProgrammeFilter {
    pub codes: Option<Vec<String>>,
    pub name: Option<TextMatch>,
    pub statuses: Option<Vec<ProgrammeStatus>>,
    /// Programmes owned by these ICBs (ODS codes) or by any ICB they took over.
    pub owner_icbs: Option<Vec<String>>,
}

impl ProgrammeFilter {
    /// The condition of the filter (the owners' predecessors are looked up in `db`).
    pub async fn condition<C: ConnectionTrait>(&self, db: &C) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(codes) = &self.codes {
            condition = condition.add(one_of(rotation_programme::Column::Code, codes.iter().map(String::as_str)));
        }
        if let Some(name) = &self.name {
            condition = condition.add(name.condition(rotation_programme::Column::Name, "name")?);
        }
        if let Some(statuses) = &self.statuses {
            condition = condition.add(one_of(rotation_programme::Column::Status, statuses.iter().copied()));
        }
        if let Some(owners) = &self.owner_icbs {
            let owners = icbs_with_predecessors(db, owners).await?;
            condition = condition.add(one_of(rotation_programme::Column::OwnerIcbId, owners));
        }
        Ok(condition)
    }
}

/// Which posts. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct PostFilter {
    pub statuses: Option<Vec<PostStatus>>,
    pub funding: Option<Vec<FundingSource>>,
    /// Posts of cohorts of these programmes.
    pub programmes: Option<Vec<Uuid>>,
    pub cohorts: Option<Vec<Uuid>>,
    /// The employer's ICB (ODS codes) on `as_of`.
    pub employer_icbs: Option<Vec<String>>,
    /// The day ICBs are read for.
    pub as_of: NaiveDate,
}

impl PostFilter {
    /// The condition of the filter.
    pub fn condition(&self) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(statuses) = &self.statuses {
            condition = condition.add(one_of(rotational_post::Column::Status, statuses.iter().copied()));
        }
        if let Some(funding) = &self.funding {
            condition = condition.add(one_of(rotational_post::Column::Funding, funding.iter().copied()));
        }
        if let Some(cohorts) = &self.cohorts {
            condition = condition.add(one_of(rotational_post::Column::CohortId, cohorts.iter().copied()));
        }
        if let Some(programmes) = &self.programmes {
            let cohorts = cohort::Entity::find()
                .select_only()
                .column(cohort::Column::Id)
                .filter(cohort::Column::ProgrammeId.is_in(programmes.iter().copied()))
                .into_query();
            condition = condition.add(rotational_post::Column::CohortId.in_subquery(cohorts));
        }
        if let Some(icbs) = &self.employer_icbs {
            condition = condition.add(organisation_in_icbs(rotational_post::Column::EmployerId, icbs, self.as_of));
        }
        Ok(condition)
    }
}

/// Which vacancies. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct VacancyFilter {
    pub sectors: Option<Vec<Sector>>,
    pub funding: Option<Vec<FundingSource>>,
    pub afc_bands: Option<Vec<AfcBand>>,
    /// Open (true) or closed (false) on `as_of`.
    pub open: Option<bool>,
    pub opened_on: Option<DateRange>,
    /// The host's ICB (ODS codes) on `as_of`.
    pub icbs: Option<Vec<String>>,
    /// The day `open` and ICBs are read for.
    pub as_of: NaiveDate,
}

impl VacancyFilter {
    /// The condition of the filter.
    pub fn condition(&self) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(sectors) = &self.sectors {
            condition = condition.add(one_of(vacancy::Column::Sector, sectors.iter().copied()));
        }
        if let Some(funding) = &self.funding {
            condition = condition.add(one_of(vacancy::Column::Funding, funding.iter().copied()));
        }
        if let Some(bands) = &self.afc_bands {
            condition = condition.add(one_of(vacancy::Column::AfcBand, bands.iter().copied()));
        }
        if let Some(open) = self.open {
            let on = self.as_of;
            let is_open = Condition::all()
                .add(vacancy::Column::OpenedOn.lte(on))
                .add(Condition::any().add(vacancy::Column::ClosedOn.is_null()).add(vacancy::Column::ClosedOn.gte(on)));
            condition = condition.add(if open { is_open } else { is_open.not() });
        }
        if let Some(range) = &self.opened_on {
            condition = condition.add(range.condition(vacancy::Column::OpenedOn)?);
        }
        if let Some(icbs) = &self.icbs {
            condition = condition.add(organisation_in_icbs(vacancy::Column::HostId, icbs, self.as_of));
        }
        Ok(condition)
    }
}

/// `column` names an organisation that belonged to one of these ICBs on `on`.
pub(super) fn organisation_in_icbs(column: impl ColumnTrait, codes: &[String], on: NaiveDate) -> Condition {
    let members = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .filter(in_icbs_on(codes, on))
        .into_query();
    Condition::all().add(column.in_subquery(members))
}
