//! Which pharmacists, memberships and placements a list holds.

use super::{DateRange, TextMatch, each_filter, filter_tree, one_of, tree_condition};
use crate::error::AppError;
use crate::services::access::Scope;
use chrono::NaiveDate;
use entity::enums::{MembershipStatus, PlacementStatus, RegistrationStatus, Sector};
use entity::{cohort, pharmacist, placement, programme_membership};
use sea_orm::sea_query::SelectStatement;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use uuid::Uuid;

/// Which pharmacists. Filters on personal data (GPhC number, family name) are refused to readers without
/// access to it.
#[derive(Clone, Debug, Default)]
pub struct PharmacistFilter {
    pub gphc_numbers: Option<Vec<String>>,
    pub family_name: Option<TextMatch>,
    pub registration_statuses: Option<Vec<RegistrationStatus>>,
    pub first_registered_on: Option<DateRange>,
    /// Annotated independent prescriber (true) or not (false) on `as_of`.
    pub independent_prescriber: Option<bool>,
    /// The day `independent_prescriber` applies to.
    pub as_of: NaiveDate,
}

impl PharmacistFilter {
    /// The condition of the filter, for a reader with `scope`.
    pub fn condition(&self, scope: &Scope) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(numbers) = &self.gphc_numbers {
            scope.require_personal_data("gphcNumber")?;
            condition = condition.add(one_of(pharmacist::Column::GphcNumber, numbers.iter().map(String::as_str)));
        }
        if let Some(name) = &self.family_name {
            scope.require_personal_data("familyName")?;
            condition = condition.add(name.condition(pharmacist::Column::FamilyName, "familyName")?);
        }
        if let Some(statuses) = &self.registration_statuses {
            condition = condition.add(one_of(pharmacist::Column::RegistrationStatus, statuses.iter().copied()));
        }
        if let Some(range) = &self.first_registered_on {
            condition = condition.add(range.condition(pharmacist::Column::FirstRegisteredOn)?);
        }
        if let Some(prescriber) = self.independent_prescriber {
            let since = pharmacist::Column::IndependentPrescriberSince;
            condition = condition.add(if prescriber {
                Condition::all().add(since.lte(self.as_of))
            } else {
                Condition::any().add(since.is_null()).add(since.gt(self.as_of))
            });
        }
        Ok(condition)
    }
}

/// Which memberships. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct MembershipFilter {
    pub statuses: Option<Vec<MembershipStatus>>,
    /// Memberships of cohorts of these programmes.
    pub programmes: Option<Vec<Uuid>>,
    pub cohorts: Option<Vec<Uuid>>,
    pub start_date: Option<DateRange>,
    pub planned_end_date: Option<DateRange>,
}

impl MembershipFilter {
    /// The condition of the filter.
    pub fn condition(&self) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(statuses) = &self.statuses {
            condition = condition.add(one_of(programme_membership::Column::Status, statuses.iter().copied()));
        }
        if let Some(programmes) = &self.programmes {
            let memberships = memberships_of_programmes(programmes);
            condition = condition.add(programme_membership::Column::Id.in_subquery(memberships));
        }
        if let Some(cohorts) = &self.cohorts {
            condition = condition.add(one_of(programme_membership::Column::CohortId, cohorts.iter().copied()));
        }
        if let Some(range) = &self.start_date {
            condition = condition.add(range.condition(programme_membership::Column::StartDate)?);
        }
        if let Some(range) = &self.planned_end_date {
            condition = condition.add(range.condition(programme_membership::Column::PlannedEndDate)?);
        }
        Ok(condition)
    }
}

/// Which placements. Fields combine with AND; `and`, `or` and `not` hold sub-filters.
#[derive(Clone, Debug, Default)]
pub struct PlacementFilter {
    pub and: Option<Vec<Self>>,
    pub or: Option<Vec<Self>>,
    pub not: Option<Box<Self>>,
    pub sectors: Option<Vec<Sector>>,
    pub statuses: Option<Vec<PlacementStatus>>,
    pub start_date: Option<DateRange>,
    pub end_date: Option<DateRange>,
    /// Under way on this day.
    pub active_on: Option<NaiveDate>,
    /// The host's ICB on the first day (ODS codes), including the ICBs each took over.
    pub host_icbs: Option<Vec<String>>,
    pub is_cross_icb: Option<bool>,
    /// Placements of memberships of cohorts of these programmes.
    pub programmes: Option<Vec<Uuid>>,
    pub pharmacists: Option<Vec<Uuid>>,
}

filter_tree!(PlacementFilter);

impl PlacementFilter {
    /// Every ICB code the tree names (to be looked up once for the whole tree, and for its siblings).
    pub fn host_icb_codes(&self) -> Vec<String> {
        each_filter(self).filter_map(|filter| filter.host_icbs.as_ref()).flatten().cloned().collect()
    }

    /// The condition of the whole tree, with `host_icbs` giving the ids of the ICBs a list of codes
    /// names (each with the ICBs it took over).
    pub fn condition(&self, host_icbs: &dyn Fn(&[String]) -> Vec<Uuid>) -> Result<Condition, AppError> {
        tree_condition(self, |filter| filter.fields(host_icbs))
    }

    /// The condition of this filter's own fields.
    fn fields(&self, host_icbs: &dyn Fn(&[String]) -> Vec<Uuid>) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(sectors) = &self.sectors {
            condition = condition.add(one_of(placement::Column::Sector, sectors.iter().copied()));
        }
        if let Some(statuses) = &self.statuses {
            condition = condition.add(one_of(placement::Column::Status, statuses.iter().copied()));
        }
        if let Some(range) = &self.start_date {
            condition = condition.add(range.condition(placement::Column::StartDate)?);
        }
        if let Some(range) = &self.end_date {
            condition = condition.add(range.condition(placement::Column::EndDate)?);
        }
        if let Some(day) = self.active_on {
            condition = condition.add(placement::Column::StartDate.lte(day)).add(placement::Column::EndDate.gte(day));
        }
        if let Some(codes) = &self.host_icbs {
            condition = condition.add(one_of(placement::Column::HostIcbId, host_icbs(codes)));
        }
        if let Some(cross) = self.is_cross_icb {
            condition = condition.add(placement::Column::IsCrossIcb.eq(cross));
        }
        if let Some(programmes) = &self.programmes {
            condition =
                condition.add(placement::Column::MembershipId.in_subquery(memberships_of_programmes(programmes)));
        }
        if let Some(pharmacists) = &self.pharmacists {
            condition = condition.add(one_of(placement::Column::PharmacistId, pharmacists.iter().copied()));
        }
        Ok(condition)
    }
}

/// The ids of the memberships of cohorts of `programmes`.
fn memberships_of_programmes(programmes: &[Uuid]) -> SelectStatement {
    let cohorts = cohort::Entity::find()
        .select_only()
        .column(cohort::Column::Id)
        .filter(cohort::Column::ProgrammeId.is_in(programmes.iter().copied()))
        .into_query();
    programme_membership::Entity::find()
        .select_only()
        .column(programme_membership::Column::Id)
        .filter(programme_membership::Column::CohortId.in_subquery(cohorts))
        .into_query()
}
