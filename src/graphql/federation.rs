//! Apollo Federation's `_entities`, one representation at a time. async-graphql resolves the
//! representations of an `_entities` field together and fails them together: one malformed
//! representation (an unknown `__typename`, a missing key, an id of the wrong type) would leave `data`
//! null and lose every valid sibling. The root query type here wraps the schema's fields so that each
//! representation that cannot be resolved answers `null` and records why; [`super::partial::complete`]
//! then puts each recorded error at its own representation's path (`["_entities", index]`).

use super::QueryFields;
use crate::error::AppError;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    Context, ContextSelectionSet, ErrorExtensions, ObjectType, OutputType, Positioned, ServerError, ServerResult, Value,
};
use std::borrow::Cow;
use std::sync::{Arc, Mutex, PoisonError};

/// The root query type: the schema's query fields, with entities resolved one representation at a time.
#[derive(Default)]
pub struct Query(QueryFields);

/// The representations of a request's `_entities` fields that could not be resolved, with why.
#[derive(Clone, Default)]
pub struct EntityFailures(Arc<Mutex<Vec<(Value, ServerError)>>>);

impl EntityFailures {
    fn record(&self, representation: &Value, error: ServerError) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push((representation.clone(), error));
    }

    /// The failures recorded so far, each with its representation.
    pub fn take(&self) -> Vec<(Value, ServerError)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Why no entity resolver took a representation: its `__typename` is not an entity here, or it lacks
/// every key of its type (`BAD_USER_INPUT`).
fn unresolvable(ctx: &Context<'_>, representation: &Value) -> ServerError {
    let type_name = match representation {
        Value::Object(fields) => match fields.get("__typename") {
            Some(Value::String(name)) => Some(name.as_str()),
            _ => None,
        },
        _ => None,
    };
    let message = match type_name {
        Some(name) => format!("names no entity of type `{name}` with key fields this subgraph resolves"),
        None => "needs a string `__typename`".to_owned(),
    };
    AppError::invalid("representation", message).extend().into_server_error(ctx.item.pos)
}

impl OutputType for Query {
    fn type_name() -> Cow<'static, str> {
        QueryFields::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        QueryFields::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, _field: &Positioned<Field>) -> ServerResult<Value> {
        resolve_container(ctx, self).await
    }
}

impl ContainerType for Query {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, representation: &Value) -> ServerResult<Option<Value>> {
        let failed = match self.0.find_entity(ctx, representation).await {
            Ok(Some(entity)) => return Ok(Some(entity)),
            Ok(None) => unresolvable(ctx, representation),
            Err(error) => error,
        };
        if let Ok(failures) = ctx.data::<EntityFailures>() {
            failures.record(representation, failed);
        }
        Ok(Some(Value::Null))
    }
}

impl ObjectType for Query {}

/// `_service { sdl }` answers the subgraph SDL rotagraph writes ([`super::subgraph_sdl`]: with the
/// demand-control directives of its cost model), where async-graphql answers its own export: each `sdl`
/// of each `_service` selected at the root of `root` (under any alias) is replaced in `data`.
pub fn answer_service_sdl(data: &mut Value, root: &SelectionSet) {
    let Value::Object(fields) = data else { return };
    for selection in &root.items {
        let Selection::Field(service) = &selection.node else { continue };
        if service.node.name.node != "_service" {
            continue;
        }
        let Some(Value::Object(answer)) = fields.get_mut(service.node.response_key().node.as_str()) else { continue };
        for inner in &service.node.selection_set.node.items {
            if let Selection::Field(sdl) = &inner.node
                && sdl.node.name.node == "sdl"
                && let Some(value) = answer.get_mut(sdl.node.response_key().node.as_str())
            {
                *value = Value::String(super::subgraph_sdl());
            }
        }
    }
}
