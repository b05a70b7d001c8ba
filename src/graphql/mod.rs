//! The GraphQL schema. Types and resolvers live in one module per domain area; resolvers stay a few lines
//! and call the domain services; relations go through the DataLoaders of [`loaders`].

/// DataLoaders batching every relation.
pub mod loaders;
/// Organisations, ICBs and regions.
pub mod organisation;
/// Custom scalars (`Date`, `OdsCode`).
pub mod scalars;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(organisation::OrganisationQuery);

/// The schema type.
pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema's types and limits, without data: enough to print the SDL.
pub fn schema_builder() -> SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription).extension(async_graphql::extensions::Tracing)
}

/// The schema served over `db`.
pub fn schema(db: DatabaseConnection) -> AppSchema {
    let loader = DataLoader::new(loaders::DbLoader::new(db.clone()), tokio::spawn);
    schema_builder().data(db).data(loader).finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
