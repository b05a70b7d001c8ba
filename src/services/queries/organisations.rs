//! Which organisations a list holds.

use super::{TextMatch, filter_tree, one_of, tree_condition};
use crate::error::AppError;
use crate::services::organisations::{in_icbs_on, in_regions_on};
use chrono::NaiveDate;
use entity::enums::OrganisationKind;
use entity::organisation;
use sea_orm::Condition;

/// Which organisations. Fields combine with AND; `and`, `or` and `not` hold sub-filters.
#[derive(Clone, Debug, Default)]
pub struct OrganisationFilter {
    pub and: Option<Vec<Self>>,
    pub or: Option<Vec<Self>>,
    pub not: Option<Box<Self>>,
    pub ods_codes: Option<Vec<String>>,
    pub kinds: Option<Vec<OrganisationKind>>,
    pub name: Option<TextMatch>,
    /// The ICB (ODS codes) the organisation belonged to on the day the list is read for.
    pub icbs: Option<Vec<String>>,
    /// The region (ODS codes) of the organisation's ICB on the day the list is read for.
    pub regions: Option<Vec<String>>,
}

filter_tree!(OrganisationFilter);

impl OrganisationFilter {
    /// The condition of the whole tree, with ICBs and regions on `on`.
    pub fn condition(&self, on: NaiveDate) -> Result<Condition, AppError> {
        tree_condition(self, |filter| filter.fields(on))
    }

    /// The condition of this filter's own fields.
    fn fields(&self, on: NaiveDate) -> Result<Condition, AppError> {
        let mut condition = Condition::all();
        if let Some(codes) = &self.ods_codes {
            condition = condition.add(one_of(organisation::Column::OdsCode, codes.iter().map(String::as_str)));
        }
        if let Some(kinds) = &self.kinds {
            condition = condition.add(one_of(organisation::Column::Kind, kinds.iter().copied()));
        }
        if let Some(name) = &self.name {
            condition = condition.add(name.condition(organisation::Column::Name, "name")?);
        }
        if let Some(icbs) = &self.icbs {
            condition = condition.add(in_icbs_on(icbs, on));
        }
        if let Some(regions) = &self.regions {
            condition = condition.add(in_regions_on(regions, on));
        }
        Ok(condition)
    }
}
