//! Which patient pathways and service redesigns a list holds.

use super::{DateRange, one_of};
use crate::error::AppError;
use entity::enums::{OrganisationKind, PathwayStatus, RedesignStatus, Specialism, TeamInvolvement};
use entity::{organisation, pathway_icb, patient_pathway, service_redesign};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

/// The ids of the ICBs with these ODS codes, as a sub-select.
fn icbs_coded(codes: &[String]) -> sea_orm::sea_query::SelectStatement {
    organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .filter(organisation::Column::Kind.eq(OrganisationKind::Icb))
        .filter(organisation::Column::OdsCode.is_in(codes.iter().map(String::as_str)))
        .into_query()
}

/// Which patient pathways. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct PathwayFilter {
    /// Spanning one of these ICBs (ODS codes).
    pub icbs: Option<Vec<String>>,
    pub specialisms: Option<Vec<Specialism>>,
    pub statuses: Option<Vec<PathwayStatus>>,
    /// With a consultant lead named (true) or without (false).
    pub led: Option<bool>,
    /// Starting within this range.
    pub start: Option<DateRange>,
}

impl PathwayFilter {
    /// The condition of the filter.
    pub fn condition(&self) -> Result<Condition, AppError> {
        use patient_pathway::Column;
        let mut condition = Condition::all();
        if let Some(codes) = &self.icbs {
            let spanning = pathway_icb::Entity::find()
                .select_only()
                .column(pathway_icb::Column::PathwayId)
                .filter(pathway_icb::Column::IcbId.in_subquery(icbs_coded(codes)))
                .into_query();
            condition = condition.add(Column::Id.in_subquery(spanning));
        }
        if let Some(specialisms) = &self.specialisms {
            condition = condition.add(one_of(Column::Specialism, specialisms.iter().copied()));
        }
        if let Some(statuses) = &self.statuses {
            condition = condition.add(one_of(Column::Status, statuses.iter().copied()));
        }
        if let Some(led) = self.led {
            condition = condition.add(if led {
                Column::ConsultantLeadId.is_not_null()
            } else {
                Column::ConsultantLeadId.is_null()
            });
        }
        if let Some(start) = &self.start {
            condition = condition.add(start.condition(Column::StartOn)?);
        }
        Ok(condition)
    }
}

/// Which service redesigns. Fields combine with AND.
#[derive(Clone, Debug, Default)]
pub struct RedesignFilter {
    /// Of one of these ICBs (ODS codes).
    pub icbs: Option<Vec<String>>,
    pub statuses: Option<Vec<RedesignStatus>>,
    pub team_joined_at: Option<Vec<TeamInvolvement>>,
    pub social_care_involved: Option<bool>,
    /// Starting within this range.
    pub start: Option<DateRange>,
}

impl RedesignFilter {
    /// The condition of the filter.
    pub fn condition(&self) -> Result<Condition, AppError> {
        use service_redesign::Column;
        let mut condition = Condition::all();
        if let Some(codes) = &self.icbs {
            condition = condition.add(Column::IcbId.in_subquery(icbs_coded(codes)));
        }
        if let Some(statuses) = &self.statuses {
            condition = condition.add(one_of(Column::Status, statuses.iter().copied()));
        }
        if let Some(stages) = &self.team_joined_at {
            condition = condition.add(one_of(Column::TeamJoinedAt, stages.iter().copied()));
        }
        if let Some(involved) = self.social_care_involved {
            condition = condition.add(Column::SocialCareInvolved.eq(involved));
        }
        if let Some(start) = &self.start {
            condition = condition.add(start.condition(Column::StartOn)?);
        }
        Ok(condition)
    }
}
