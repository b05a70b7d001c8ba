//! Partial results, as the GraphQL specification has them: a field whose resolver fails is `null` in
//! `data` with its error (at its path) in `errors`, and its siblings are kept; a failed non-null field
//! makes its nearest nullable ancestor (a field, or an item of a list of nullable items) `null` instead,
//! and `data` itself when there is none.
//!
//! async-graphql 7 instead leaves a failed field's key out of its parent object, and turns an object all
//! of whose selected fields failed into `null`, so a reporter asking for `pharmacist { givenName }` would
//! get `{}` or `null` where clients expect `{ "givenName": null }`, and a failed non-null field would
//! leave its object without a key the schema promises. This extension catches the error of every
//! nullable field as it leaves the resolver and answers `null` in its place; it marks the path of every
//! failed non-null field, and as each ancestor completes (children always complete first) the nearest
//! one that may be null becomes null.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest, NextResolve, ResolveInfo};
use async_graphql::{Response, ServerError, ServerResult, Value};
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// The paths of failed non-null fields whose nullable ancestor has not completed yet.
    failed_non_null: Mutex<Vec<Vec<String>>>,
    /// Whether `failed_non_null` may hold anything (so that a request without failures takes no lock).
    any_failed_non_null: AtomicBool,
}

/// How a field's value may be null: the field itself, and the items of its list (if it is one).
struct Nullability {
    field: bool,
    items: Option<bool>,
}

impl Nullability {
    /// Read from a qualified return type such as `Pharmacist`, `[Placement!]!` or `[Icb]`.
    fn of(return_type: &str) -> Self {
        let field = !return_type.ends_with('!');
        let inner = return_type.trim_end_matches('!');
        let items = inner.strip_prefix('[').and_then(|list| list.strip_suffix(']')).map(|item| !item.ends_with('!'));
        Self { field, items }
    }
}

impl PartialResultsRequest {
    /// After a field at `path` resolved to `value`: the failed non-null fields below it that it absorbs,
    /// by nulling itself or the list items that hold them. Those it cannot absorb stay for its ancestors.
    fn absorb(&self, path: &[String], nullability: &Nullability, value: &mut Value) {
        let mut failed = self.failed_non_null.lock().unwrap_or_else(PoisonError::into_inner);
        let mut kept = Vec::with_capacity(failed.len());
        for failure in failed.drain(..) {
            let Some(below) = failure.strip_prefix(path) else {
                kept.push(failure);
                continue;
            };
            let item = below.first().and_then(|segment| segment.parse::<usize>().ok());
            match (nullability.items, item, &mut *value) {
                (Some(true), Some(index), Value::List(items)) if below.len() > 1 => {
                    if let Some(item) = items.get_mut(index) {
                        *item = Value::Null;
                    }
                }
                _ if nullability.field => *value = Value::Null,
                _ => kept.push(failure),
            }
        }
        self.any_failed_non_null.store(!kept.is_empty(), Ordering::SeqCst);
        *failed = kept;
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for PartialResultsRequest {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        let errors = std::mem::take(&mut *self.errors.lock().unwrap_or_else(PoisonError::into_inner));
        response.errors.extend(errors);
        if self.any_failed_non_null.load(Ordering::SeqCst) {
            // A failed non-null field with no nullable ancestor: the whole of `data` is null.
            response.data = Value::Null;
        }
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullability = Nullability::of(info.return_type);
        let path_node = info.path_node;
        match next.run(ctx, info).await {
            Err(error) if nullability.field => {
                self.errors.lock().unwrap_or_else(PoisonError::into_inner).push(error);
                Ok(Some(Value::Null))
            }
            Err(error) => {
                self.failed_non_null.lock().unwrap_or_else(PoisonError::into_inner).push(path_node.to_string_vec());
                self.any_failed_non_null.store(true, Ordering::SeqCst);
                Err(error)
            }
            Ok(Some(mut value)) if self.any_failed_non_null.load(Ordering::SeqCst) => {
                self.absorb(&path_node.to_string_vec(), &nullability, &mut value);
                Ok(Some(value))
            }
            answer => answer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PartialResults;
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Result, Schema};

    struct Query;
    struct Record;

    #[Object]
    impl Query {
        async fn record(&self) -> Option<Record> {
            Some(Record)
        }
        async fn records(&self) -> Vec<Record> {
            vec![Record, Record]
        }
        async fn required(&self) -> Record {
            Record
        }
        async fn maybe_records(&self) -> Vec<Option<Record>> {
            vec![Some(Record), None]
        }
    }

    #[Object]
    impl Record {
        async fn fails(&self) -> Result<Option<i32>> {
            Err("forbidden".into())
        }
        async fn must(&self) -> Result<i32> {
            Err("broken".into())
        }
        async fn fine(&self) -> i32 {
            1
        }
        async fn inner(&self) -> Record {
            Record
        }
    }

    async fn run(query: &str) -> (serde_json::Value, Vec<Vec<String>>) {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).extension(PartialResults).finish();
        let response = schema.execute(query).await;
        let paths = response
            .errors
            .iter()
            .map(|error| error.path.iter().map(|segment| serde_json::to_string(segment).unwrap_or_default()).collect())
            .collect();
        (serde_json::to_value(&response.data).unwrap_or_default(), paths)
    }

    #[tokio::test]
    async fn a_failed_nullable_field_is_null_at_its_path_and_its_siblings_stay() {
        let (data, paths) = run("{ record { fails fine } }").await;
        assert_eq!(data, serde_json::json!({ "record": { "fails": null, "fine": 1 } }));
        assert_eq!(paths, [["\"record\"", "\"fails\""]]);
    }

    #[tokio::test]
    async fn a_failed_non_null_field_nulls_its_nearest_nullable_parent() {
        let (data, paths) = run("{ record { must fine } required { fine } }").await;
        assert_eq!(data, serde_json::json!({ "record": null, "required": { "fine": 1 } }));
        assert_eq!(paths, [["\"record\"", "\"must\""]]);
        // Through non-null objects, up to the nearest nullable one.
        let (data, _) = run("{ record { fine inner { inner { must } } } required { fine } }").await;
        assert_eq!(data, serde_json::json!({ "record": null, "required": { "fine": 1 } }));
        // An item of a list of nullable items.
        let (data, _) = run("{ maybeRecords { must } required { fine } }").await;
        assert_eq!(data, serde_json::json!({ "maybeRecords": [null, null], "required": { "fine": 1 } }));
        // In a list of non-null items, the whole list goes (it is non-null too, so up to `data`).
        let (data, _) = run("{ records { must } }").await;
        assert_eq!(data, serde_json::Value::Null);
    }
}
