//! rotagraph: one GraphQL graph over NHS integrated care boards (ICBs), their organisations, and the
//! rotational programmes that move pharmacists between general practice, community pharmacy and trusts.
//!
//! A tour: [`config`] is the command line; [`app`] builds and runs the server; [`http`] holds the routes;
//! [`graphql`] the schema, whose resolvers call the domain [`services`]; [`reference`] ships the public
//! ICB and region data; [`generator`] makes synthetic networks; [`domain`] parses constrained values;
//! [`error`] is the one error type. The data model is in the `entity` crate and the schema history in
//! the `migration` crate.

/// Building and running the server.
pub mod app;
/// Bearer tokens: verifying and minting.
pub mod auth;
/// The command line and settings.
pub mod config;
/// Database connection and migrations.
pub mod db;
/// Domain newtypes (ODS codes, GPhC numbers).
pub mod domain;
/// The one error type and its mapping to GraphQL.
pub mod error;
/// The deterministic synthetic network generator.
pub mod generator;
/// The GraphQL schema.
pub mod graphql;
/// HTTP routes.
pub mod http;
/// Prometheus metrics.
pub mod metrics;
/// Shipped reference data (regions, ICBs, succession).
pub mod reference;
/// Domain services shared by GraphQL, CSV and the command line.
pub mod services;
/// Logging setup.
pub mod telemetry;

pub use error::AppError;
