//! Small builders that keep the migrations short and their constraint names uniform:
//! `fk-<table>-<column>`, `ck-<table>-<rule>`, `idx-<table>-<columns>`, `uq-<table>-<columns>`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// A foreign key from `table.column` to `parent.id`; deleting a referenced row is refused.
pub(crate) fn foreign_key(
    table: &'static str,
    column: &'static str,
    parent: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk-{table}-{column}"))
        .from(table, column)
        .to(parent, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .take()
}

/// A named CHECK constraint with its SQL, which must be valid on SQLite and PostgreSQL alike.
pub(crate) fn check(table: &str, rule: &str, sql: impl Into<String>) -> Check {
    Check::named(format!("ck-{table}-{rule}"), Expr::cust(sql.into()))
}

/// SQL that holds when `column` is one of `values` (or NULL: combine with NOT NULL where required).
pub(crate) fn one_of(column: &str, values: &[&str]) -> String {
    let list = values.iter().map(|value| format!("'{value}'")).collect::<Vec<_>>().join(", ");
    format!("{column} IN ({list})")
}

/// SQL that holds when `column` matches a GLOB-style pattern made of literal characters and `[...]`
/// classes only. SQLite uses `GLOB` (anchored, case-sensitive); PostgreSQL the equivalent anchored regex.
pub(crate) fn matches(backend: DbBackend, column: &str, pattern: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("{column} ~ '^{pattern}$'"),
        _ => format!("{column} GLOB '{pattern}'"),
    }
}

/// SQL that holds when an optional end date is absent or not before the start date.
pub(crate) fn ordered(start: &str, end: &str) -> String {
    format!("{end} IS NULL OR {end} >= {start}")
}

/// SQL that holds when a text column is not blank.
pub(crate) fn not_blank(column: &str) -> String {
    format!("length(trim({column})) > 0")
}

/// A whole-time equivalent in (0, 1].
pub(crate) fn wte(column: &str) -> String {
    format!("{column} > 0 AND {column} <= 1")
}

/// An index on `columns` of `table`.
pub(crate) fn index(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("idx-{table}-{}", columns.join("-"))).table(table);
    for column in columns {
        index.col(*column);
    }
    index.take()
}

/// A unique index on `columns` of `table`.
pub(crate) fn unique(table: &'static str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = index(table, columns);
    index.name(format!("uq-{table}-{}", columns.join("-"))).unique();
    index
}

/// Creates each index in turn.
pub(crate) async fn create_indexes(
    manager: &SchemaManager<'_>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for index in indexes {
        manager.create_index(index).await?;
    }
    Ok(())
}

/// Drops the tables in the order given (children before parents).
pub(crate) async fn drop_tables(manager: &SchemaManager<'_>, tables: &[&'static str]) -> Result<(), DbErr> {
    for table in tables {
        manager.drop_table(Table::drop().table(*table).to_owned()).await?;
    }
    Ok(())
}

/// Drops the index on `columns` of `table` (named as [`index`] names it).
pub(crate) async fn drop_index(
    manager: &SchemaManager<'_>,
    table: &'static str,
    columns: &[&str],
) -> Result<(), DbErr> {
    manager.drop_index(Index::drop().name(format!("idx-{table}-{}", columns.join("-"))).table(table).to_owned()).await
}

/// (table, columns) of an index.
pub(crate) type IndexColumns = (&'static str, &'static [&'static str]);

/// Drops the indexes `old` and creates the indexes `new` (a migration's `up`; its `down` swaps them).
pub(crate) async fn replace_indexes(
    manager: &SchemaManager<'_>,
    old: &[IndexColumns],
    new: &[IndexColumns],
) -> Result<(), DbErr> {
    for (table, columns) in old {
        drop_index(manager, table, columns).await?;
    }
    create_indexes(manager, new.iter().map(|(table, columns)| index(table, columns)).collect()).await
}
