//! Domain services: the rules and queries that GraphQL, CSV and the command line share. They know nothing
//! of GraphQL or HTTP, take a database connection and plain values, and return entities or `AppError`.

/// Who may read what: principals, scopes and the per-entity visibility conditions.
pub mod access;
/// Reading the audit trail.
pub mod audit;
/// Cost budgets per minute, shared by the replicas through the database.
pub mod budgets;
/// What "today" is: the one clock every date default and rule reads.
pub mod clock;
/// Opaque cursors: positions in a list, sealed.
pub mod cursors;
/// The data version every change raises: what kept answers are checked against.
pub mod data_version;
/// Change events for live subscribers: PostgreSQL `LISTEN/NOTIFY`, in-process on SQLite.
pub mod events;
/// Changing consultant-pharmacist leads, ICB medicines leadership roles and medicines-optimisation teams.
pub mod leadership;
/// Changing medicines optimisation: pillar shares, patient pathways, teams' work mix, service redesigns.
pub mod medicines;
/// Organisations, their dated parents and ICB succession.
pub mod organisations;
/// Keyset pages of ordered lists.
pub mod pagination;
/// Changing programmes, cohorts and posts.
pub mod programmes;
/// The read queries of the lists: filters, their conditions, and the scoped keyset page.
pub mod queries;
/// Reports for dashboards, computed by the database, with small-number suppression.
pub mod reports;
/// Changing memberships and placements: the rules of a rotation.
pub mod rotations;
/// Changing pharmacists, credentials and vacancies.
pub mod workforce;
/// What every change shares: the transaction, its audit row, versions and idempotency.
pub mod writes;

use chrono::{Datelike, NaiveDate};

/// Whole years from `from` to `to` (an anniversary counts on its day).
pub fn whole_years(from: NaiveDate, to: NaiveDate) -> i32 {
    let years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) { years - 1 } else { years }
}
