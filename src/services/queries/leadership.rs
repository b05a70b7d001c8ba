//! Which consultant-pharmacist leads a list holds.

use super::one_of;
use super::programmes::organisation_in_icbs;
use chrono::NaiveDate;
use entity::enums::Specialism;
use entity::{consultant_lead, organisation};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

/// Which consultant leads. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct ConsultantLeadFilter {
    pub specialisms: Option<Vec<Specialism>>,
    /// The trust (ODS codes).
    pub trusts: Option<Vec<String>>,
    /// The trust's ICB (ODS codes) on `as_of`.
    pub icbs: Option<Vec<String>>,
    /// In the role on `as_of` (true) or not (false).
    pub current: Option<bool>,
    /// The day ICBs and `current` are read for.
    pub as_of: NaiveDate,
}

impl ConsultantLeadFilter {
    /// The condition of the filter.
    pub fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(specialisms) = &self.specialisms {
            condition = condition.add(one_of(consultant_lead::Column::Specialism, specialisms.iter().copied()));
        }
        if let Some(trusts) = &self.trusts {
            let ids = organisation::Entity::find()
                .select_only()
                .column(organisation::Column::Id)
                .filter(organisation::Column::OdsCode.is_in(trusts.iter().map(String::as_str)))
                .into_query();
            condition = condition.add(consultant_lead::Column::TrustId.in_subquery(ids));
        }
        if let Some(icbs) = &self.icbs {
            condition = condition.add(organisation_in_icbs(consultant_lead::Column::TrustId, icbs, self.as_of));
        }
        if let Some(current) = self.current {
            let on = self.as_of;
            let in_role = Condition::all().add(consultant_lead::Column::ValidFrom.lte(on)).add(
                Condition::any()
                    .add(consultant_lead::Column::ValidTo.is_null())
                    .add(consultant_lead::Column::ValidTo.gte(on)),
            );
            condition = condition.add(if current { in_role } else { in_role.not() });
        }
        condition
    }
}
