//! Partial results, as the GraphQL specification has them: a nullable field whose resolver fails is
//! `null` in `data`, with its error (and that error's path) in `errors`, and its siblings are kept.
//!
//! async-graphql 7 instead leaves a failed field's key out of its parent object, and turns an object all
//! of whose selected fields failed into `null`, so a reporter asking for `pharmacist { givenName }` would
//! get `{}` or `null` where clients expect `{ "givenName": null }`. This extension catches the error of
//! every nullable field as it leaves the resolver, answers `null` in its place, and adds the error to the
//! response.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest, NextResolve, ResolveInfo};
use async_graphql::{Response, ServerError, ServerResult, Value};
use std::sync::{Arc, Mutex, PoisonError};

/// The partial-results extension (one instance per request).
pub struct PartialResults;

impl ExtensionFactory for PartialResults {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PartialResultsRequest::default())
    }
}

#[derive(Default)]
struct PartialResultsRequest {
    /// The errors of the fields answered with `null`.
    errors: Mutex<Vec<ServerError>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for PartialResultsRequest {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let errors = std::mem::take(&mut *self.errors.lock().unwrap_or_else(PoisonError::into_inner));
        response.errors.extend(errors);
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        match next.run(ctx, info).await {
            Err(error) if nullable => {
                self.errors.lock().unwrap_or_else(PoisonError::into_inner).push(error);
                Ok(Some(Value::Null))
            }
            answer => answer,
        }
    }
}
