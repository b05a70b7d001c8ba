//! Reading the audit trail: append-only, one row per change, readable by the administrators of the ICB
//! concerned (`icb_admin` of that ICB or of its successor) and by `national` administrators.

use super::access::{Principal, RecordScope, Role, Scope};
use super::pagination::{self, Counting, Ordering, Page, Window};
use crate::error::AppError;
use entity::{audit_log, organisation};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

/// The audit rows `principal` may read, or `FORBIDDEN` for a principal that administers nothing.
fn readable(principal: &Principal, scope: &Scope) -> Result<Condition, AppError> {
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

/// Which audit entries a page holds.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Changes to this record.
    pub entity_id: Option<uuid::Uuid>,
    /// Changes made by this mutation.
    pub operation: Option<String>,
}

/// The order of the audit trail: newest first (ties by id).
pub fn ordering() -> Ordering<audit_log::Entity> {
    Ordering::by_columns([audit_log::Column::OccurredAt], true)
}

/// A reader of the audit trail: one who may read some of it (see [`readable`]), checked before anything
/// it asks for is looked at.
pub struct AuditReader(Condition);

impl AuditReader {
    /// The reader `principal` is, or `FORBIDDEN`.
    pub fn of(principal: &Principal, scope: &Scope) -> Result<Self, AppError> {
        readable(principal, scope).map(Self)
    }

    /// The `window` of the audit trail this reader may read that `filter` selects, in [`ordering`],
    /// counted if `counting` asks.
    pub async fn page<C: ConnectionTrait>(
        &self,
        db: &C,
        filter: &AuditFilter,
        window: &Window,
        counting: Counting,
    ) -> Result<Page<audit_log::Model>, AppError> {
        let select = audit_log::Entity::find()
            .filter(self.0.clone())
            .apply_if(filter.entity_id, |select, id| select.filter(audit_log::Column::EntityId.eq(id)))
            .apply_if(filter.operation.as_deref(), |select, operation| {
                select.filter(audit_log::Column::Operation.eq(operation))
            });
        pagination::page(db, select, &ordering(), window, counting).await
    }
}
