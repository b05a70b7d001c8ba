//! The one error type of rotagraph and its single mapping to GraphQL errors.
//!
//! Every error a client can see carries `extensions.code`. Resolvers turn an `AppError` into a GraphQL
//! error with `.extend()` (async-graphql's `ErrorExtensions`/`ResultExt`), never with a bare `?`. Internal errors (database failures, bugs) are
//! logged once with an error id and reach the client only as a generic message with that id: never SQL,
//! table or constraint names, or personal data.

use async_graphql::ErrorExtensions;
use uuid::Uuid;

/// Everything that can go wrong in a request or a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule: an ODS code in the wrong format, a date out of order, ...
    /// `extensions.code`: `BAD_USER_INPUT`, with `extensions.field` naming the input.
    #[error("{field} {message}")]
    Invalid {
        /// The input field at fault, as the client named it.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The principal may not read this field (personal data for a role without access to it) or make this
    /// change. `extensions.code`: `FORBIDDEN`.
    #[error("not allowed for this caller: {0}")]
    Forbidden(&'static str),
    /// The bearer token is malformed, expired, or not signed by a configured key.
    /// `extensions.code`: `UNAUTHENTICATED`.
    #[error("the bearer token is not valid")]
    Unauthenticated,
    /// The operation would break the state of the data (for example loading the demo network into a
    /// database that already holds workforce data). `extensions.code`: `CONFLICT`.
    #[error("{0}")]
    Conflict(String),
    /// The database could not answer in time: a statement ran past `--statement-timeout`, no pooled
    /// connection was free, or SQLite stayed locked. Worth retrying. `extensions.code`:
    /// `SERVICE_UNAVAILABLE`, with `extensions.retryAfter` (seconds).
    #[error("the database is busy: try again shortly")]
    Busy,
    /// A failure that is not the client's fault. `extensions.code`: `INTERNAL_SERVER_ERROR`.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// Shorthand for [`AppError::Invalid`].
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field, message: message.into() }
    }

    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Busy => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// An internal error as it may be logged: a database error by its code and constraint only (its message
/// can quote a row's values, which may be personal data), anything else by its message.
fn loggable(source: &anyhow::Error) -> String {
    use sea_orm::{DbErr, RuntimeErr};
    let Some(error) = source.downcast_ref::<DbErr>() else { return format!("{source:#}") };
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => {
            match sqlx.as_database_error() {
                Some(database) => format!(
                    "database error {} (constraint {})",
                    database.code().unwrap_or_default(),
                    database.constraint().unwrap_or("none")
                ),
                // Pool time-outs, I/O and protocol errors name no data.
                None => format!("database error: {sqlx}"),
            }
        }
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => format!("database connection: {error}"),
        _ => "database error".to_owned(),
    }
}

/// Whether a database error says the database was too busy to answer, rather than that something is
/// wrong: a statement cancelled by its time limit (PostgreSQL 57014), SQLite's busy and locked codes,
/// or no pooled connection free in time.
fn is_busy(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => {
            matches!(&**sqlx, sea_orm::sqlx::Error::PoolTimedOut)
                || sqlx
                    .as_database_error()
                    .and_then(|database| database.code())
                    .is_some_and(|code| matches!(code.as_ref(), "57014" | "5" | "6" | "261" | "517"))
        }
        _ => false,
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        if is_busy(&error) { Self::Busy } else { Self::Internal(error.into()) }
    }
}

impl ErrorExtensions for AppError {
    /// The GraphQL error for this error: the message (generic for internal errors) and
    /// `extensions.code`. Internal errors are logged here, once, with the error id the client sees.
    fn extend(&self) -> async_graphql::Error {
        let code = self.code();
        match self {
            Self::Internal(source) => {
                let error_id = Uuid::new_v4();
                tracing::error!(%error_id, error = %loggable(source), "internal error");
                async_graphql::Error::new(format!("Internal error (error id {error_id})")).extend_with(
                    |_, extensions| {
                        extensions.set("code", code);
                        extensions.set("errorId", error_id.to_string());
                    },
                )
            }
            Self::Invalid { field, .. } => async_graphql::Error::new(self.to_string()).extend_with(|_, extensions| {
                extensions.set("code", code);
                extensions.set("field", *field);
            }),
            Self::Busy => async_graphql::Error::new(self.to_string()).extend_with(|_, extensions| {
                extensions.set("code", code);
                extensions.set("retryAfter", 1);
            }),
            Self::Conflict(_) | Self::Forbidden(_) | Self::Unauthenticated => {
                async_graphql::Error::new(self.to_string()).extend_with(|_, extensions| extensions.set("code", code))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppError;
    use sea_orm::{ConnAcquireErr, DbErr};

    #[test]
    fn no_free_connection_is_a_busy_database_and_a_broken_query_is_internal() {
        assert_eq!(AppError::from(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)).code(), "SERVICE_UNAVAILABLE");
        assert_eq!(AppError::from(DbErr::Custom("broken".to_owned())).code(), "INTERNAL_SERVER_ERROR");
    }
}
