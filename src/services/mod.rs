//! Domain services: the rules and queries that GraphQL, CSV and the command line share. They know nothing
//! of GraphQL or HTTP, take a database connection and plain values, and return entities or `AppError`.

/// Who may read what: principals, scopes and the per-entity visibility conditions.
pub mod access;
/// Organisations, their dated parents and ICB succession.
pub mod organisations;
/// Offset windows for paginated lists.
pub mod pagination;
/// Reports for dashboards, computed by the database, with small-number suppression.
pub mod reports;

use chrono::{NaiveDate, Utc};

/// Today's date in England (Europe/London), the default of every `asOf`.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive()
}
