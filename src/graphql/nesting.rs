//! How deeply a request nests, read before anything parses it.
//!
//! The GraphQL parser and the input coercion of async-graphql recurse once per level of a value, and
//! neither bounds values: a request of a few kilobytes nesting `[`, `{` or `(` a thousand deep would
//! overflow a worker's stack. So the query text is scanned byte by byte (skipping strings, block strings
//! and comments) and the variables walked without recursion, and a request nested deeper than
//! `--max-nesting` is refused with `NESTING_TOO_DEEP` before it is parsed. Every later recursion over a
//! request (parsing, validation, costing, filter trees) is bounded by that limit.

use async_graphql::{Value, Variables};

/// The deepest nesting of brackets (`{`, `[`, `(`) in a GraphQL document, outside strings and comments.
pub fn query_nesting(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while at < bytes.len() {
        match bytes[at] {
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' && bytes[at] != b'\r' {
                    at += 1;
                }
            }
            b'"' if bytes[at..].starts_with(b"\"\"\"") => {
                at += 3;
                while at < bytes.len() && !bytes[at..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped triple quote inside a block string.
                    at += if bytes[at..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                at += 2;
            }
            b'"' => {
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' && bytes[at] != b'\n' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// The deepest nesting of arrays and objects in a JSON text, outside strings: a request body is checked
/// with it before it is parsed (the body's envelope, a batch and a request object, adds up to 3 levels
/// to its variables').
pub fn json_nesting(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while at < json.len() {
        match json[at] {
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                at += 1;
                while at < json.len() && json[at] != b'"' {
                    at += if json[at] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// The envelope a JSON request body adds to the nesting of its variables: a batch's array, the request
/// object and its `variables` object.
pub const JSON_ENVELOPE: usize = 3;

/// The deepest nesting of lists and objects in a request's variables (a variable's own value is 1).
pub fn variables_nesting(variables: &Variables) -> usize {
    let mut deepest = 0;
    let mut pending: Vec<(&Value, usize)> = variables.values().map(|value| (value, 1)).collect();
    while let Some((value, depth)) = pending.pop() {
        match value {
            Value::List(items) => {
                deepest = deepest.max(depth);
                pending.extend(items.iter().map(|item| (item, depth + 1)));
            }
            Value::Object(fields) => {
                deepest = deepest.max(depth);
                pending.extend(fields.values().map(|field| (field, depth + 1)));
            }
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nesting_counts_arrays_and_objects_outside_strings() {
        assert_eq!(json_nesting(br#"{"query": "{ a { b } }", "variables": {"v": [[1]]}}"#), 4);
        assert_eq!(json_nesting(br#"[{"query": "[[[[\"]]]]"}]"#), 2);
        assert_eq!(json_nesting(b"[[[[[[[[[["), 10);
    }

    #[test]
    fn brackets_count_outside_strings_and_comments() {
        assert_eq!(query_nesting("{ a }"), 1);
        assert_eq!(query_nesting("{ a(filter: { or: [{ b: 1 }] }) { c } }"), 5);
        assert_eq!(query_nesting(r#"{ a(name: "{{{[[[(((") }"#), 2);
        assert_eq!(query_nesting("{ a(name: \"\\\"{{{\") }"), 2);
        assert_eq!(query_nesting("{ a(text: \"\"\" {{{ \\\"\"\" [[[ \"\"\") }"), 2);
        assert_eq!(query_nesting("# {{{{{\n{ a }"), 1);
        assert_eq!(query_nesting(&format!("{{ a(in: {}\"x\"{}) }}", "[".repeat(1500), "]".repeat(1500))), 1502);
    }

    #[test]
    fn variables_are_walked_without_recursion() {
        let mut value = serde_json::json!("QMM");
        for _ in 0..1_000 {
            value = serde_json::Value::Array(vec![value]);
        }
        let variables = Variables::from_json(serde_json::json!({ "codes": value, "flat": 1 }));
        assert_eq!(variables_nesting(&variables), 1_000);
        assert_eq!(variables_nesting(&Variables::from_json(serde_json::json!({ "a": { "b": [1] } }))), 2);
    }
}
