//! Reading the audit trail: append-only, one row per change, readable by the administrators of the ICB
//! concerned (`icb_admin` of that ICB or of its successor) and by `national` administrators.

use super::access::{Principal, RecordScope, Role, Scope};
use crate::error::AppError;
use entity::{audit_log, organisation};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

/// The audit rows `principal` may read, or `FORBIDDEN` for a principal that administers nothing.
pub fn readable(principal: &Principal, scope: &Scope) -> Result<Condition, AppError> {
    match (principal.role, &scope.records) {
        (Some(Role::National), _) => Ok(Condition::all()),
        (Some(Role::IcbAdmin), RecordScope::Icbs(icbs)) => Ok(Condition::all().add(
            audit_log::Column::ActorIcb.in_subquery(
                organisation::Entity::find()
                    .select_only()
                    .column(organisation::Column::OdsCode)
                    .filter(organisation::Column::Id.is_in(icbs.iter().copied()))
                    .into_query(),
            ),
        )),
        _ => Err(AppError::Forbidden("auditLog")),
    }
}
