//! Connecting to the database and keeping its schema current.

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};
use std::time::Duration;

/// Opens a connection pool. For a SQLite file the parent directory is created first; SQLite runs in WAL
/// mode with foreign keys enforced, so readers never wait for the writer.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with_statement_timeout(url, None).await
}

/// [`connect`], with every PostgreSQL statement bounded by `statement_timeout` (SQLite has no such
/// setting; the server's request timeout bounds its work).
pub async fn connect_with_statement_timeout(
    url: &str,
    statement_timeout: Option<Duration>,
) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(url)
        && let Some(parent) = std::path::Path::new(path).parent().filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|error| DbErr::Custom(format!("cannot create the database directory: {error}")))?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(16)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(|options| {
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    // PostgreSQL's JIT compiles a report's statement anew each time (about 200 ms on a national report),
    // more than it saves on queries of this size.
    let milliseconds = statement_timeout.map(|timeout| timeout.as_millis().to_string());
    options.map_sqlx_postgres_opts(move |options| {
        let options = options.options([("jit", "off")]);
        match &milliseconds {
            Some(milliseconds) => options.options([("statement_timeout", milliseconds.as_str())]),
            None => options,
        }
    });
    Database::connect(options).await
}

/// The file path of a SQLite URL, if it names a file.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers and every migration is applied.
pub async fn is_ready(db: &DatabaseConnection) -> bool {
    if db.execute_unprepared("SELECT 1").await.is_err() {
        return false;
    }
    matches!(Migrator::get_pending_migrations(db).await, Ok(pending) if pending.is_empty())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_file_paths_are_found_in_urls() {
        assert_eq!(sqlite_file("sqlite://data/rotagraph.db?mode=rwc"), Some("data/rotagraph.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/rotagraph"), None);
    }
}
