//! Response keys in the query's order, as the GraphQL specification's `CollectFields` orders them: each
//! object's keys in the order its response keys first appear in the selection (fragments expanded in
//! place). async-graphql completes a merged root type part by part and a `SimpleObject`'s own fields
//! before its `ComplexObject` fields, so its keys can follow its types' layout instead; one pass over
//! the answer puts them back, touching only objects that are out of order.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Value};

/// The response keys a selection gives, in order, each with the selections under it (merged across
/// every place the key is selected).
#[derive(Default)]
struct Shape<'a> {
    keys: Vec<(&'a str, Vec<&'a SelectionSet>)>,
    /// The shape under each key, worked out the first time an answer has an object or list there.
    children: Vec<std::cell::OnceCell<Self>>,
}

impl<'a> Shape<'a> {
    /// The shape of `sets` (one object's selections, merged) in `document`.
    fn of(document: &'a ExecutableDocument, sets: &[&'a SelectionSet]) -> Self {
        let mut shape = Shape::default();
        let mut pending: Vec<&'a SelectionSet> = sets.iter().rev().copied().collect();
        // Depth-first, so that a fragment's keys take its place in the order; a fragment spread twice
        // adds nothing new the second time.
        let mut stack: Vec<std::slice::Iter<'a, async_graphql::Positioned<Selection>>> = Vec::new();
        let mut spread: Vec<&'a str> = Vec::new();
        while let Some(set) = pending.pop() {
            stack.push(set.items.iter());
            while let Some(items) = stack.last_mut() {
                let Some(selection) = items.next() else {
                    stack.pop();
                    continue;
                };
                match &selection.node {
                    Selection::Field(field) => {
                        let key = field.node.response_key().node.as_str();
                        let children = &field.node.selection_set.node;
                        match shape.keys.iter_mut().find(|(known, _)| *known == key) {
                            Some((_, sets)) => sets.push(children),
                            None => {
                                shape.keys.push((key, vec![children]));
                                shape.children.push(std::cell::OnceCell::new());
                            }
                        }
                    }
                    Selection::InlineFragment(fragment) => stack.push(fragment.node.selection_set.node.items.iter()),
                    Selection::FragmentSpread(spread_of) => {
                        let name = spread_of.node.fragment_name.node.as_str();
                        if spread.contains(&name) {
                            continue;
                        }
                        spread.push(name);
                        if let Some(fragment) = document.fragments.get(&spread_of.node.fragment_name.node) {
                            stack.push(fragment.node.selection_set.node.items.iter());
                        }
                    }
                }
            }
        }
        shape
    }

    fn position(&self, key: &Name) -> usize {
        self.keys.iter().position(|(known, _)| *known == key.as_str()).unwrap_or(usize::MAX)
    }
}

/// Puts the keys of `value` (the answer to `sets` in `document`) in the query's order, all the way down.
pub fn order(value: &mut Value, document: &ExecutableDocument, sets: &[&SelectionSet]) {
    let shape = Shape::of(document, sets);
    order_by(value, document, &shape);
}

fn order_by<'a>(value: &mut Value, document: &'a ExecutableDocument, shape: &Shape<'a>) {
    match value {
        Value::List(items) => {
            for item in items {
                order_by(item, document, shape);
            }
        }
        Value::Object(object) => {
            let positions: Vec<usize> = object.keys().map(|key| shape.position(key)).collect();
            if positions.windows(2).any(|pair| pair[0] > pair[1]) {
                object.sort_by_cached_key(|key, _| shape.position(key));
            }
            for (key, child) in object.iter_mut() {
                if !matches!(child, Value::Object(_) | Value::List(_)) {
                    continue;
                }
                if let Some(index) = shape.keys.iter().position(|(known, _)| *known == key.as_str()) {
                    let child_shape = shape.children[index].get_or_init(|| Shape::of(document, &shape.keys[index].1));
                    order_by(child, document, child_shape);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::order;
    use async_graphql::Value;
    use async_graphql::parser::parse_query;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(object) => object.keys().map(ToString::to_string).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn keys_follow_the_selection_with_fragments_in_place() {
        let document =
            parse_query("query { b: x { z y } ...F a { w } } fragment F on Query { c b: x { v } }").expect("parses");
        let operation = document.operations.iter().next().expect("an operation").1;
        let mut value = Value::from_json(serde_json::json!({
            "a": [{ "w": 1 }], "c": 2, "b": { "v": 3, "y": 4, "z": 5 }
        }))
        .expect("value");
        order(&mut value, &document, &[&operation.node.selection_set.node]);
        assert_eq!(keys(&value), ["b", "c", "a"]);
        let Value::Object(object) = &value else { panic!("an object") };
        assert_eq!(keys(&object["b"]), ["z", "y", "v"]);
    }
}
