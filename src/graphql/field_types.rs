//! The return type of every field of the schema's object and interface types, read once from the
//! schema's SDL. Cost control ([`super::limits`]) and partial results ([`super::partial`]) look fields up
//! here, before and after execution, so that no per-field hook runs while a request executes (any
//! async-graphql extension puts one on every field and list item).

use super::introspection_cost::IntrospectionShape;
use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
use std::collections::HashMap;

pub use async_graphql::parser::types::Type;

/// The root types' names.
pub const QUERY: &str = "Query";
pub const MUTATION: &str = "Mutation";
pub const SUBSCRIPTION: &str = "Subscription";

/// Field return types by parent type and field name, and the schema as introspection walks it.
#[derive(Debug, Default)]
pub struct FieldTypes {
    fields: HashMap<String, HashMap<String, Type>>,
    /// The arguments that must be given a value (non-null, no default), by parent type and field.
    required_arguments: HashMap<(String, String), Vec<String>>,
    introspection: IntrospectionShape,
}

impl FieldTypes {
    /// The field types of the schema printed as `sdl` (an SDL that does not parse gives no types, and every
    /// field is then costed as a single object and taken as nullable).
    pub fn from_sdl(sdl: &str) -> Self {
        let mut types: HashMap<String, HashMap<String, Type>> = HashMap::new();
        let mut required_arguments = HashMap::new();
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else { return Self::default() };
        let introspection = IntrospectionShape::of(&document);
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let definition = definition.node;
            let fields = match definition.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            let parent = definition.name.node.to_string();
            for field in &fields {
                let required: Vec<String> = field
                    .node
                    .arguments
                    .iter()
                    .filter(|argument| !argument.node.ty.node.nullable && argument.node.default_value.is_none())
                    .map(|argument| argument.node.name.node.to_string())
                    .collect();
                if !required.is_empty() {
                    required_arguments.insert((parent.clone(), field.node.name.node.to_string()), required);
                }
            }
            types
                .entry(parent)
                .or_default()
                .extend(fields.into_iter().map(|field| (field.node.name.node.to_string(), field.node.ty.node)));
        }
        Self { fields: types, required_arguments, introspection }
    }

    /// The return type of `field` on `parent`, if the schema has it (introspection's own types are not in
    /// the SDL).
    pub fn get(&self, parent: &str, field: &str) -> Option<&Type> {
        self.fields.get(parent)?.get(field)
    }

    /// Whether `argument` of `field` on `parent` must be given a value: of a non-null type, with no default.
    pub fn requires(&self, parent: &str, field: &str, argument: &str) -> bool {
        self.required_arguments
            .get(&(parent.to_owned(), field.to_owned()))
            .is_some_and(|required| required.iter().any(|name| name == argument))
    }

    /// The schema as introspection walks it, for costing `__schema` and `__type`.
    pub fn introspection(&self) -> &IntrospectionShape {
        &self.introspection
    }
}

/// The named type at the bottom of `ty` (`Icb` for `[Icb!]!`).
pub fn named(ty: &Type) -> &str {
    let mut ty = ty;
    loop {
        match &ty.base {
            BaseType::Named(name) => return name.as_str(),
            BaseType::List(item) => ty = item,
        }
    }
}

/// Whether `ty` is a list.
pub fn is_list(ty: &Type) -> bool {
    matches!(ty.base, BaseType::List(_))
}

/// The item type of a list type.
pub fn item(ty: &Type) -> Option<&Type> {
    match &ty.base {
        BaseType::List(item) => Some(item),
        BaseType::Named(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_of_objects_and_interfaces_with_their_nullability() {
        let types = FieldTypes::from_sdl(
            "interface Node { id: ID! }\n type Icb implements Node { id: ID! pcns: [Pcn!]! name: String }\n\
             type Pcn { icb: Icb }",
        );
        let pcns = types.get("Icb", "pcns").expect("pcns");
        assert!(is_list(pcns) && !pcns.nullable && named(pcns) == "Pcn");
        assert!(item(pcns).is_some_and(|item| !item.nullable));
        assert!(types.get("Icb", "name").is_some_and(|name| name.nullable));
        assert!(types.get("Node", "id").is_some_and(|id| !id.nullable));
        assert!(types.get("Pcn", "nope").is_none());
    }
}
