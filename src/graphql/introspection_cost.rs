//! What an introspection selection costs: one for every object it returns (each type, type reference,
//! field, argument, input field, enum value and directive), counted on the schema itself before anything
//! runs. `interfaces`, `possibleTypes`, `fields` and every other list of the introspection schema
//! multiply like any list, so `__type(name: "Node") { possibleTypes { interfaces { possibleTypes … } } }`
//! is refused by its cost instead of building millions of objects; GraphiQL's own introspection query
//! costs what it returns (about 4,300 objects for this schema).
//!
//! The count is exact for the schema's SDL and memoised per (type, selection set), so working it out costs
//! a few thousand steps at most, however the selection nests; past [`MAX_STEPS`] it gives up and answers
//! a cost no limit admits.

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Selection, SelectionSet, ServiceDocument, Type, TypeKind, TypeSystemDefinition,
};
use std::collections::HashMap;

/// The introspection schema's own types and the built-in scalars, which a printed SDL leaves out but
/// `__schema { types }` returns.
const INTROSPECTION_SDL: &str = r#"
type __Schema { description: String types: [__Type!]! queryType: __Type! mutationType: __Type
  subscriptionType: __Type directives: [__Directive!]! }
type __Type { kind: __TypeKind! name: String description: String specifiedByURL: String
  fields(includeDeprecated: Boolean = false): [__Field!] interfaces: [__Type!] possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean = false): [__InputValue!] ofType: __Type isOneOf: Boolean }
type __Field { name: String! description: String args(includeDeprecated: Boolean = false): [__InputValue!]!
  type: __Type! isDeprecated: Boolean! deprecationReason: String }
type __InputValue { name: String! description: String type: __Type! defaultValue: String
  isDeprecated: Boolean! deprecationReason: String }
type __EnumValue { name: String! description: String isDeprecated: Boolean! deprecationReason: String }
type __Directive { name: String! description: String locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean = false): [__InputValue!]! isRepeatable: Boolean! }
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
enum __DirectiveLocation { QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD
  INLINE_FRAGMENT VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE
  UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION }
scalar String scalar Int scalar Float scalar Boolean scalar ID
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
"#;

/// The most steps a costing takes before it gives up (and the selection is refused as too costly).
const MAX_STEPS: u64 = 1_000_000;

/// How deep fragments are followed into each other (validation refuses cycles; costing runs before it).
const MAX_SPREAD_DEPTH: usize = 64;

/// A type as introspection reaches it: a named type, or a list or non-null wrapper of another.
#[derive(Clone, Copy, Debug)]
enum Reference {
    Named(usize),
    Wrapper(usize),
}

/// A field of an object or interface: its arguments' types and its own.
#[derive(Debug)]
struct FieldShape {
    arguments: Vec<usize>,
    ty: usize,
}

/// What introspection can return under a named type.
#[derive(Debug, Default)]
struct TypeShape {
    fields: Vec<FieldShape>,
    interfaces: Vec<usize>,
    possible_types: Vec<usize>,
    enum_values: u64,
    input_fields: Vec<usize>,
}

/// The schema as introspection walks it.
#[derive(Debug, Default)]
pub struct IntrospectionShape {
    /// Named types first (a named type's reference is its index), then wrappers.
    references: Vec<Reference>,
    types: Vec<TypeShape>,
    by_name: HashMap<String, usize>,
    /// Each directive's arguments' types.
    directives: Vec<Vec<usize>>,
}

impl IntrospectionShape {
    /// The shape of the schema printed as `schema` (with the introspection types added).
    pub fn of(schema: &ServiceDocument) -> Self {
        let extra = async_graphql::parser::parse_schema(INTROSPECTION_SDL).ok();
        let definitions: Vec<&TypeSystemDefinition> =
            schema.definitions.iter().chain(extra.iter().flat_map(|extra| extra.definitions.iter())).collect();
        let mut shape = Self::default();
        for definition in &definitions {
            if let TypeSystemDefinition::Type(definition) = definition {
                let name = definition.node.name.node.to_string();
                if !shape.by_name.contains_key(&name) {
                    shape.by_name.insert(name, shape.types.len());
                    shape.types.push(TypeShape::default());
                    shape.references.push(Reference::Named(shape.types.len() - 1));
                }
            }
        }
        let mut wrappers = HashMap::new();
        for definition in &definitions {
            match definition {
                TypeSystemDefinition::Type(definition) => {
                    let index = shape.by_name[definition.node.name.node.as_str()];
                    let names = |names: &[async_graphql::Positioned<async_graphql::Name>], shape: &Self| {
                        names.iter().filter_map(|name| shape.by_name.get(name.node.as_str()).copied()).collect()
                    };
                    match &definition.node.kind {
                        TypeKind::Object(object) => {
                            let fields = shape.fields(&object.fields, &mut wrappers);
                            let interfaces: Vec<usize> = names(&object.implements, &shape);
                            for interface in &interfaces {
                                shape.types[*interface].possible_types.push(index);
                            }
                            shape.types[index].fields.extend(fields);
                            shape.types[index].interfaces.extend(interfaces);
                        }
                        TypeKind::Interface(interface) => {
                            let fields = shape.fields(&interface.fields, &mut wrappers);
                            let interfaces: Vec<usize> = names(&interface.implements, &shape);
                            shape.types[index].fields.extend(fields);
                            shape.types[index].interfaces.extend(interfaces);
                        }
                        TypeKind::Union(union) => {
                            let members: Vec<usize> = names(&union.members, &shape);
                            shape.types[index].possible_types.extend(members);
                        }
                        TypeKind::Enum(enumeration) => {
                            shape.types[index].enum_values += enumeration.values.len() as u64;
                        }
                        TypeKind::InputObject(input) => {
                            let fields: Vec<usize> = input
                                .fields
                                .iter()
                                .map(|field| shape.reference(&field.node.ty.node, &mut wrappers))
                                .collect();
                            shape.types[index].input_fields.extend(fields);
                        }
                        TypeKind::Scalar => {}
                    }
                }
                TypeSystemDefinition::Directive(directive) => {
                    let arguments = directive
                        .node
                        .arguments
                        .iter()
                        .map(|argument| shape.reference(&argument.node.ty.node, &mut wrappers))
                        .collect();
                    shape.directives.push(arguments);
                }
                TypeSystemDefinition::Schema(_) => {}
            }
        }
        shape
    }

    fn fields(
        &mut self,
        fields: &[async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>],
        wrappers: &mut HashMap<(bool, usize), usize>,
    ) -> Vec<FieldShape> {
        fields
            .iter()
            .map(|field| FieldShape {
                arguments: field
                    .node
                    .arguments
                    .iter()
                    .map(|argument| self.reference(&argument.node.ty.node, wrappers))
                    .collect(),
                ty: self.reference(&field.node.ty.node, wrappers),
            })
            .collect()
    }

    /// The reference of `ty`: a named type's index, or an interned wrapper around its inner reference.
    fn reference(&mut self, ty: &Type, wrappers: &mut HashMap<(bool, usize), usize>) -> usize {
        let nullable_base = match &ty.base {
            BaseType::Named(name) => self.by_name.get(name.as_str()).copied().unwrap_or_else(|| {
                // A type the SDL names but does not define (a built-in the printer left out).
                self.by_name.insert(name.to_string(), self.types.len());
                self.types.push(TypeShape::default());
                self.references.push(Reference::Named(self.types.len() - 1));
                self.types.len() - 1
            }),
            BaseType::List(item) => {
                let item = self.reference(item, wrappers);
                self.wrap(false, item, wrappers)
            }
        };
        if ty.nullable { nullable_base } else { self.wrap(true, nullable_base, wrappers) }
    }

    fn wrap(&mut self, non_null: bool, inner: usize, wrappers: &mut HashMap<(bool, usize), usize>) -> usize {
        *wrappers.entry((non_null, inner)).or_insert_with(|| {
            self.references.push(Reference::Wrapper(inner));
            self.references.len() - 1
        })
    }

    /// The objects `__schema { <set> }` returns, the `__Schema` object included.
    pub fn schema_cost(&self, document: &ExecutableDocument, set: &SelectionSet) -> u64 {
        let mut costing = Walk { shape: self, document, memo: HashMap::new(), steps: 0 };
        costing.schema(set)
    }

    /// The objects `__type(name: <name>) { <set> }` returns (none for a type the schema lacks).
    pub fn type_cost(&self, document: &ExecutableDocument, name: Option<&str>, set: &SelectionSet) -> u64 {
        let Some(&index) = name.and_then(|name| self.by_name.get(name)) else { return 0 };
        let mut costing = Walk { shape: self, document, memo: HashMap::new(), steps: 0 };
        costing.object(|walk| walk.reference(index, set))
    }
}

/// One costing: the memo of what a selection costs under each type reference, and the steps taken.
struct Walk<'a> {
    shape: &'a IntrospectionShape,
    document: &'a ExecutableDocument,
    memo: HashMap<(usize, *const SelectionSet), u64>,
    steps: u64,
}

impl<'a> Walk<'a> {
    /// One object returned, with what its selection costs.
    fn object(&mut self, selection: impl FnOnce(&mut Self) -> u64) -> u64 {
        1u64.saturating_add(selection(self))
    }

    /// The fields `set` selects (fragments spread in place), each with its selection.
    fn fields(&mut self, set: &'a SelectionSet) -> Vec<(&'a str, &'a SelectionSet)> {
        let mut fields = Vec::new();
        let mut pending = vec![(set, 0)];
        while let Some((set, depth)) = pending.pop() {
            self.steps += 1;
            if depth > MAX_SPREAD_DEPTH || self.steps > MAX_STEPS {
                continue;
            }
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => {
                        fields.push((field.node.name.node.as_str(), &field.node.selection_set.node));
                    }
                    Selection::InlineFragment(fragment) => {
                        pending.push((&fragment.node.selection_set.node, depth + 1));
                    }
                    Selection::FragmentSpread(spread) => {
                        if let Some(fragment) = self.document.fragments.get(spread.node.fragment_name.node.as_str()) {
                            pending.push((&fragment.node.selection_set.node, depth + 1));
                        }
                    }
                }
            }
        }
        fields
    }

    fn exhausted(&self) -> bool {
        self.steps > MAX_STEPS
    }

    fn schema(&mut self, set: &'a SelectionSet) -> u64 {
        let shape = self.shape;
        let mut cost = 1u64;
        for (name, selection) in self.fields(set) {
            let part = match name {
                "types" => (0..shape.types.len())
                    .fold(0u64, |sum, index| sum.saturating_add(self.object(|walk| walk.reference(index, selection)))),
                "queryType" | "mutationType" | "subscriptionType" => self.object(|_| 0),
                "directives" => shape.directives.iter().fold(0u64, |sum, arguments| {
                    sum.saturating_add(self.object(|walk| walk.directive(arguments, selection)))
                }),
                _ => 0,
            };
            cost = cost.saturating_add(part);
        }
        if self.exhausted() { u64::MAX } else { cost }
    }

    fn directive(&mut self, arguments: &[usize], set: &'a SelectionSet) -> u64 {
        self.fields(set)
            .into_iter()
            .filter(|(name, _)| *name == "args")
            .fold(0u64, |sum, (_, selection)| sum.saturating_add(self.input_values(arguments, selection)))
    }

    fn input_values(&mut self, types: &[usize], set: &'a SelectionSet) -> u64 {
        types.iter().fold(0u64, |sum, ty| sum.saturating_add(self.object(|walk| walk.input_value(*ty, set))))
    }

    /// What `set` costs under an `__InputValue` of type `ty`.
    fn input_value(&mut self, ty: usize, set: &'a SelectionSet) -> u64 {
        self.fields(set)
            .into_iter()
            .filter(|(name, _)| *name == "type")
            .fold(0u64, |sum, (_, selection)| sum.saturating_add(self.object(|walk| walk.reference(ty, selection))))
    }

    /// What `set` costs under the `__Type` of `reference` (not counting that object itself).
    fn reference(&mut self, reference: usize, set: &'a SelectionSet) -> u64 {
        let key = (reference, std::ptr::from_ref(set));
        if let Some(cost) = self.memo.get(&key) {
            return *cost;
        }
        self.steps += 1;
        if self.exhausted() {
            return u64::MAX;
        }
        let shape = self.shape;
        let mut cost = 0u64;
        for (name, selection) in self.fields(set) {
            let part = match (shape.references[reference], name) {
                (Reference::Wrapper(inner), "ofType") => self.object(|walk| walk.reference(inner, selection)),
                (Reference::Named(index), "fields") => shape.types[index]
                    .fields
                    .iter()
                    .fold(0u64, |sum, field| sum.saturating_add(self.object(|walk| walk.field(field, selection)))),
                (Reference::Named(index), "interfaces") => self.types(&shape.types[index].interfaces, selection),
                (Reference::Named(index), "possibleTypes") => self.types(&shape.types[index].possible_types, selection),
                (Reference::Named(index), "enumValues") => shape.types[index].enum_values,
                (Reference::Named(index), "inputFields") => {
                    self.input_values(&shape.types[index].input_fields, selection)
                }
                _ => 0,
            };
            cost = cost.saturating_add(part);
        }
        self.memo.insert(key, cost);
        cost
    }

    fn types(&mut self, types: &[usize], set: &'a SelectionSet) -> u64 {
        types.iter().fold(0u64, |sum, ty| sum.saturating_add(self.object(|walk| walk.reference(*ty, set))))
    }

    /// What `set` costs under a `__Field`.
    fn field(&mut self, field: &FieldShape, set: &'a SelectionSet) -> u64 {
        let mut cost = 0u64;
        for (name, selection) in self.fields(set) {
            let part = match name {
                "args" => self.input_values(&field.arguments, selection),
                "type" => self.object(|walk| walk.reference(field.ty, selection)),
                _ => 0,
            };
            cost = cost.saturating_add(part);
        }
        cost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(schema: &str, query: &str) -> u64 {
        let shape = IntrospectionShape::of(&async_graphql::parser::parse_schema(schema).expect("schema"));
        let document = async_graphql::parser::parse_query(query).expect("query");
        let operation = document.operations.iter().next().expect("operation").1;
        let async_graphql::parser::types::Selection::Field(root) = &operation.node.selection_set.node.items[0].node
        else {
            panic!("a field")
        };
        match root.node.name.node.as_str() {
            "__schema" => shape.schema_cost(&document, &root.node.selection_set.node),
            _ => {
                let name = root.node.arguments.iter().find_map(|(_, value)| match &value.node {
                    async_graphql_value::Value::String(name) => Some(name.clone()),
                    _ => None,
                });
                shape.type_cost(&document, name.as_deref(), &root.node.selection_set.node)
            }
        }
    }

    const SCHEMA: &str = "interface Node { id: ID! }\n interface Named { name: String }\n\
        type A implements Node & Named { id: ID! name: String b(first: Int, after: String): [B!]! }\n\
        type B implements Node { id: ID! }\n type Query { node(id: ID!): Node }";

    #[test]
    fn each_object_returned_costs_one_and_lists_multiply() {
        // Node: itself, and its two implementations.
        assert_eq!(cost(SCHEMA, r#"{ __type(name: "Node") { possibleTypes { name } } }"#), 3);
        // … each with its interfaces (A: 2, B: 1), each with its own implementations (Node 2, Named 1).
        assert_eq!(
            cost(SCHEMA, r#"{ __type(name: "Node") { possibleTypes { interfaces { possibleTypes { name } } } } }"#),
            1 + 2 + 3 + (2 + 1 + 2)
        );
        // A's three fields; b's two arguments, each with its type; the types of the fields' types.
        assert_eq!(cost(SCHEMA, r#"{ __type(name: "A") { fields { args { type { name } } } } }"#), 1 + 3 + 2 * 2);
        assert_eq!(
            cost(SCHEMA, r#"{ __type(name: "A") { fields { type { ofType { ofType { ofType { name } } } } } } }"#),
            1 + 3 + 3 + 2 + 1 + 1
        );
        assert_eq!(cost(SCHEMA, r#"{ __type(name: "Missing") { name } }"#), 0);
    }

    #[test]
    fn a_fan_out_through_fragments_is_counted_whole_and_quickly() {
        let query = "{ __schema { types { ...T } } }\n fragment T on __Type { possibleTypes { ...U } interfaces { ...U } \
                     fields { type { ...U } } }\n fragment U on __Type { possibleTypes { ...V } interfaces { ...V } }\n\
                     fragment V on __Type { possibleTypes { name } interfaces { name } fields { name } }";
        let full = cost(SCHEMA, query);
        assert!(full > 20, "{full}");
    }
}
