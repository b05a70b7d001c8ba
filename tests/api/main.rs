//! rotagraph's integration tests: one binary, one module per capability. Every test gets a fresh database:
//! a SQLite file by default, or a new database on the PostgreSQL server named by `TEST_DATABASE_URL`
//! (tests fail, never skip, when that server cannot be reached).

mod access;
mod bounds;
mod clients;
mod constraints;
mod documents;
mod faults;
mod filters;
mod generator;
mod helpers;
mod hostile;
mod limits;
mod live;
mod medicines;
mod migrations;
mod mutations;
mod nested;
mod pagination;
mod queries;
mod races;
mod read_api;
mod readme;
mod records;
mod reference_data;
mod replicas;
mod reports;
mod rotations;
mod schema;
mod server;
mod statement_counts;
mod trust;
