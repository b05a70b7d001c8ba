//! Partial results, as the GraphQL specification has them: a field whose resolver fails is `null` in
//! `data` with its error (at its path) in `errors`, and its siblings are kept; a failed non-null field
//! makes its nearest nullable ancestor (a field, or an item of a list of nullable items) `null` instead,
//! and `data` itself when there is none.
//!
//! async-graphql 7 instead leaves a failed field's key out of its parent object, and turns an object all
//! of whose selected fields failed into `null`, so a reporter asking for `pharmacist { givenName }` would
//! get `{}` or `null` where clients expect `{ "givenName": null }`, and a failed non-null field would
//! leave its object without a key the schema promises. [`complete`] mends the answer once it is built,
//! from the paths of its errors, the document and the schema's field types: so a request without field
//! errors pays nothing, and no hook runs per field while it executes.

use super::field_types::{self, FieldTypes, Type};
use async_graphql::parser::types::{ExecutableDocument, Field, OperationType, Selection, SelectionSet};
use async_graphql::{Name, PathSegment, Response, ServerError, Value, Variables};

/// Completes `response`, the answer to `query` (running the operation `operation_name` with
/// `variables`), as the specification has it: each failed nullable field is `null` at its path; each
/// failed non-null field makes its nearest nullable ancestor `null`, or `data` when it has none. Each
/// representation of `entity_failures` (the `_entities` representations that could not be resolved,
/// and so answered `null`) gets its error at its own path.
pub fn complete(
    response: &mut Response,
    types: &FieldTypes,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    entity_failures: &[(Value, ServerError)],
) {
    if entity_failures.is_empty() && response.errors.iter().all(|error| error.path.is_empty()) {
        return;
    }
    let Some((_, operation)) = super::operation::chosen(document, operation_name) else { return };
    let root = match operation.node.ty {
        OperationType::Query => field_types::QUERY,
        OperationType::Mutation => field_types::MUTATION,
        OperationType::Subscription => field_types::SUBSCRIPTION,
    };
    let walk = Walk { document, types };
    let entities = entity_fields(&walk, &operation.node.selection_set.node, variables);
    repair_entity_paths(response, &walk, &entities, entity_failures);
    place_entity_failures(response, &entities, entity_failures);
    // The positions to null: failed nullable fields first (their objects may have to be made again, if
    // async-graphql nulled them), then the ancestors of failed non-null fields (which win over them).
    let mut failed_fields = Vec::new();
    let mut ancestors = Vec::new();
    let mut data_is_null = false;
    for error in response.errors.iter().filter(|error| !error.path.is_empty()) {
        let nullable = walk.nullability(root, &operation.node.selection_set.node, &error.path);
        match nullable.iter().rposition(|nullable| *nullable) {
            Some(last) if last + 1 == error.path.len() => failed_fields.push(error.path.as_slice()),
            Some(ancestor) => ancestors.push(&error.path[..=ancestor]),
            None => data_is_null = true,
        }
    }
    if data_is_null {
        response.data = Value::Null;
        return;
    }
    for path in failed_fields {
        set_null(&mut response.data, path, true);
    }
    for path in ancestors {
        set_null(&mut response.data, path, false);
    }
}

/// The `_entities` fields of an operation: each with its response key and its representations.
struct EntitiesField<'a> {
    field: &'a Field,
    key: &'a str,
    representations: Vec<Value>,
}

fn entity_fields<'a>(walk: &Walk<'a>, selection: &'a SelectionSet, variables: &Variables) -> Vec<EntitiesField<'a>> {
    walk.fields_where(&[(selection, field_types::QUERY)], |field| field.name.node == "_entities")
        .into_iter()
        .filter_map(|(field, _)| {
            let representations = field.get_argument("representations").and_then(|value| {
                value.node.clone().into_const_with(|name| variables.get(&name).cloned().ok_or(())).ok()
            });
            let Some(Value::List(representations)) = representations else { return None };
            Some(EntitiesField { field, key: field.response_key().node.as_str(), representations })
        })
        .collect()
}

/// Each representation that could not be resolved gets its error at its own path,
/// `[<response key>, <index>]` (its answer is already `null`).
fn place_entity_failures(response: &mut Response, entities: &[EntitiesField<'_>], failures: &[(Value, ServerError)]) {
    for entities_field in entities {
        for (index, representation) in entities_field.representations.iter().enumerate() {
            let Some((_, error)) = failures.iter().find(|(failed, _)| failed == representation) else { continue };
            let mut error = error.clone();
            error.path = vec![PathSegment::Field(entities_field.key.to_owned()), PathSegment::Index(index)];
            response.errors.push(error);
        }
    }
}

/// async-graphql resolves `_entities` without putting each representation's index into the paths of the
/// errors below it (`["_entities", "givenName"]`). Each such path gets its index back: the first item, in
/// order, whose representation's `__typename` selects that field, whose answer lacks it (a failed field
/// leaves its key out) and that no other error with the same path has taken. A representation that
/// could not be resolved (one of `failures`) has no fields, so none of their errors.
fn repair_entity_paths(
    response: &mut Response,
    walk: &Walk<'_>,
    entities: &[EntitiesField<'_>],
    failures: &[(Value, ServerError)],
) {
    for EntitiesField { field: entities, key, representations } in entities {
        let key = *key;
        let Value::Object(answers) = &response.data else { return };
        let Some(Value::List(items)) = answers.get(key) else { continue };
        let type_of = |index: usize| match representations.get(index) {
            Some(representation) if failures.iter().any(|(failed, _)| failed == representation) => None,
            Some(Value::Object(fields)) => match fields.get("__typename") {
                Some(Value::String(name)) => Some(name.as_str()),
                _ => None,
            },
            _ => None,
        };
        let item_selection = [(&entities.selection_set.node, "_Entity")];
        let mut taken: Vec<(Vec<PathSegment>, usize)> = Vec::new();
        for error in &mut response.errors {
            let [PathSegment::Field(first), PathSegment::Field(field), ..] = error.path.as_slice() else { continue };
            if first != key {
                continue;
            }
            let selected_on: Vec<&str> =
                walk.fields_answering(&item_selection, field).into_iter().map(|(_, on)| on).collect();
            let found = (0..items.len()).find(|index| {
                type_of(*index).is_some_and(|name| selected_on.contains(&name))
                    && lacks(&items[*index], &error.path[1..])
                    && !taken.contains(&(error.path.clone(), *index))
            });
            if let Some(index) = found {
                taken.push((error.path.clone(), index));
                error.path.insert(1, PathSegment::Index(index));
            }
        }
    }
}

/// Whether `value` lacks what `path` leads to: a key left out, or an object on the way nulled.
fn lacks(value: &Value, path: &[PathSegment]) -> bool {
    let mut position = value;
    for segment in path {
        position = match (segment, position) {
            (PathSegment::Field(key), Value::Object(fields)) => match fields.get(key.as_str()) {
                Some(value) => value,
                None => return true,
            },
            (PathSegment::Index(index), Value::List(items)) => match items.get(*index) {
                Some(item) => item,
                None => return true,
            },
            (_, Value::Null) => return true,
            _ => return false,
        };
    }
    false
}

/// The document and the schema's field types, to follow an error's path through.
struct Walk<'a> {
    document: &'a ExecutableDocument,
    types: &'a FieldTypes,
}

impl<'a> Walk<'a> {
    /// Whether each position along `path` (a field, or a list item) may be null. A field the schema does
    /// not list (introspection's) is taken as nullable.
    fn nullability(&self, root: &'a str, selection: &'a SelectionSet, path: &[PathSegment]) -> Vec<bool> {
        let mut nullable = Vec::with_capacity(path.len());
        // The selection sets (with their types) that the next field is picked from.
        let mut sets: Vec<(&'a SelectionSet, &'a str)> = vec![(selection, root)];
        // The type at the current position, for list items.
        let mut current: Option<&'a Type> = None;
        for segment in path {
            match segment {
                PathSegment::Field(key) => {
                    let fields = self.fields_answering(&sets, key);
                    let ty =
                        fields.first().and_then(|(field, parent)| self.types.get(parent, field.name.node.as_str()));
                    nullable.push(ty.is_none_or(|ty| ty.nullable));
                    let named = ty.map_or("", field_types::named);
                    sets = fields.iter().map(|(field, _)| (&field.selection_set.node, named)).collect();
                    current = ty;
                }
                PathSegment::Index(_) => {
                    current = current.and_then(field_types::item);
                    nullable.push(current.is_none_or(|item| item.nullable));
                }
            }
        }
        nullable
    }

    /// The fields of `sets` (fragments spread in place) whose response key is `key`, each with the type it
    /// is selected on.
    fn fields_answering(&self, sets: &[(&'a SelectionSet, &'a str)], key: &str) -> Vec<(&'a Field, &'a str)> {
        self.fields_where(sets, |field| field.response_key().node.as_str() == key)
    }

    /// The fields of `sets` (fragments spread in place) that `wanted`, each with the type it is selected on.
    fn fields_where(
        &self,
        sets: &[(&'a SelectionSet, &'a str)],
        wanted: impl Fn(&Field) -> bool,
    ) -> Vec<(&'a Field, &'a str)> {
        let mut found = Vec::new();
        let mut pending = sets.to_vec();
        let mut spread = Vec::new();
        while let Some((set, on)) = pending.pop() {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) if wanted(&field.node) => found.push((&field.node, on)),
                    Selection::Field(_) => {}
                    Selection::InlineFragment(fragment) => {
                        let on = fragment
                            .node
                            .type_condition
                            .as_ref()
                            .map_or(on, |condition| condition.node.on.node.as_str());
                        pending.push((&fragment.node.selection_set.node, on));
                    }
                    Selection::FragmentSpread(name) => {
                        let name = name.node.fragment_name.node.as_str();
                        if spread.contains(&name) {
                            continue;
                        }
                        spread.push(name);
                        if let Some(fragment) = self.document.fragments.get(name) {
                            let on = fragment.node.type_condition.node.on.node.as_str();
                            pending.push((&fragment.node.selection_set.node, on));
                        }
                    }
                }
            }
        }
        found
    }
}

/// Sets the position at `path` in `data` to `null`. With `remake`, an object on the way that
/// async-graphql nulled (because all its fields failed) is made again, empty, to hold it; without, a
/// position already nulled on the way is left as it is.
fn set_null(data: &mut Value, path: &[PathSegment], remake: bool) {
    let mut position = data;
    for segment in path {
        if remake && *position == Value::Null {
            *position = Value::Object(Default::default());
        }
        position = match (segment, position) {
            (PathSegment::Field(key), Value::Object(fields)) => fields.entry(Name::new(key)).or_insert(Value::Null),
            (PathSegment::Index(index), Value::List(items)) => match items.get_mut(*index) {
                Some(item) => item,
                None => return,
            },
            _ => return,
        };
    }
    *position = Value::Null;
}

#[cfg(test)]
mod tests {
    use super::complete;
    use crate::graphql::field_types::FieldTypes;
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
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
        let types = FieldTypes::from_sdl(&schema.sdl());
        let mut response = schema.execute(query).await;
        let document = async_graphql::parser::parse_query(query).expect("the query parses");
        complete(&mut response, &types, &document, None, &async_graphql::Variables::default(), &[]);
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

    #[tokio::test]
    async fn an_object_whose_every_field_failed_keeps_its_keys_through_aliases_and_fragments() {
        let (data, paths) = run("{ record { fails } }").await;
        assert_eq!(data, serde_json::json!({ "record": { "fails": null } }));
        assert_eq!(paths, [["\"record\"", "\"fails\""]]);
        let query = "{ r: record { ...F } other: record { ... on Record { x: fails } } } fragment F on Record { a: fails b: fails }";
        let (data, _) = run(query).await;
        assert_eq!(data, serde_json::json!({ "r": { "a": null, "b": null }, "other": { "x": null } }));
        // A non-null field reached through a fragment still nulls its nearest nullable ancestor.
        let (data, _) = run("{ record { ...G } required { fine } } fragment G on Record { fine inner { must } }").await;
        assert_eq!(data, serde_json::json!({ "record": null, "required": { "fine": 1 } }));
    }
}
