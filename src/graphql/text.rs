//! Text inputs, one rule for every string a request carries (arguments, input objects, directive
//! arguments, variable defaults and variables), applied before any resolver reads them:
//!
//! - a string holding a control character (other than tab, line feed and carriage return) or a
//!   bidirectional control (embeddings, overrides, isolates, marks) is refused with `INVALID_TEXT`;
//! - every required text a mutation stores (names, labels, codes, reasons) must hold a visible
//!   character: a string of only spaces, zero-width or other format characters is refused by the rules
//!   of the service with `INVALID_TEXT` on its field ([`crate::domain::text::has_visible`]);
//! - every other string is put in Unicode normalisation form C, so the same name typed on two keyboards
//!   is stored, compared and searched as one.

use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, Positioned, Value, Variables};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Why a string is refused.
fn problem(text: &str) -> Option<&'static str> {
    if text.chars().any(is_forbidden) {
        return Some("holds a control character or a bidirectional control");
    }
    None
}

fn is_forbidden(character: char) -> bool {
    (character.is_control() && !matches!(character, '\t' | '\n' | '\r'))
        || matches!(character, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks `text` and puts it in NFC.
fn clean(text: &mut String) -> Result<(), &'static str> {
    if let Some(problem) = problem(text) {
        return Err(problem);
    }
    if is_nfc_quick(text.chars()) != IsNormalized::Yes {
        *text = text.nfc().collect();
    }
    Ok(())
}

/// A refused string: where it is, and why.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidText {
    /// Where in the query the string is, or `None` for a variable.
    pub position: Option<Pos>,
    /// The variable holding it, if it came in the variables.
    pub variable: Option<String>,
    pub problem: &'static str,
}

impl std::fmt::Display for InvalidText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.variable, self.position) {
            (Some(variable), _) => write!(f, "The variable ${variable} {}.", self.problem),
            (None, Some(position)) => {
                write!(f, "The text at line {}, column {} {}.", position.line, position.column, self.problem)
            }
            (None, None) => write!(f, "A text input {}.", self.problem),
        }
    }
}

/// Cleans every string in `value` (without recursion: values nest as deep as the nesting limit allows).
fn clean_value(value: &mut Value) -> Result<(), &'static str> {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) => clean(text)?,
            Value::List(items) => pending.extend(items.iter_mut()),
            Value::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
    Ok(())
}

/// Cleans every string of the variables.
pub fn clean_variables(variables: &mut Variables) -> Result<(), InvalidText> {
    for (name, value) in variables.iter_mut() {
        clean_value(value).map_err(|problem| InvalidText {
            position: None,
            variable: Some(name.to_string()),
            problem,
        })?;
    }
    Ok(())
}

/// Cleans every string literal of the document.
pub fn clean_document(document: &mut ExecutableDocument) -> Result<(), InvalidText> {
    let mut sets: Vec<&mut SelectionSet> = Vec::new();
    let mut arguments: Vec<&mut Positioned<async_graphql_value::Value>> = Vec::new();
    let mut defaults: Vec<&mut Positioned<Value>> = Vec::new();
    let mut directives: Vec<&mut Positioned<Directive>> = Vec::new();
    let operations: Vec<_> = match &mut document.operations {
        async_graphql::parser::types::DocumentOperations::Single(operation) => vec![operation],
        async_graphql::parser::types::DocumentOperations::Multiple(operations) => operations.values_mut().collect(),
    };
    for operation in operations {
        let operation = &mut operation.node;
        for variable in &mut operation.variable_definitions {
            defaults.extend(variable.node.default_value.as_mut());
            directives.extend(variable.node.directives.iter_mut());
        }
        directives.extend(operation.directives.iter_mut());
        sets.push(&mut operation.selection_set.node);
    }
    for fragment in document.fragments.values_mut() {
        directives.extend(fragment.node.directives.iter_mut());
        sets.push(&mut fragment.node.selection_set.node);
    }
    while let Some(set) = sets.pop() {
        for selection in &mut set.items {
            match &mut selection.node {
                Selection::Field(field) => {
                    arguments.extend(field.node.arguments.iter_mut().map(|(_, value)| value));
                    directives.extend(field.node.directives.iter_mut());
                    sets.push(&mut field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => {
                    directives.extend(fragment.node.directives.iter_mut());
                    sets.push(&mut fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => directives.extend(spread.node.directives.iter_mut()),
            }
        }
    }
    for directive in directives {
        arguments.extend(directive.node.arguments.iter_mut().map(|(_, value)| value));
    }
    let refused = |position: Pos| move |problem| InvalidText { position: Some(position), variable: None, problem };
    for argument in arguments {
        clean_literal(&mut argument.node).map_err(refused(argument.pos))?;
    }
    for default in defaults {
        clean_value(&mut default.node).map_err(refused(default.pos))?;
    }
    Ok(())
}

/// Cleans every string of a literal argument value (which may name variables, cleaned on their own).
fn clean_literal(value: &mut async_graphql_value::Value) -> Result<(), &'static str> {
    use async_graphql_value::Value as Literal;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Literal::String(text) => clean(text)?,
            Literal::List(items) => pending.extend(items.iter_mut()),
            Literal::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(text: &str) -> Result<String, &'static str> {
        let mut text = text.to_owned();
        clean(&mut text).map(|()| text)
    }

    #[test]
    fn control_and_bidirectional_characters_are_refused() {
        for text in ["\u{0}", "Ann\u{0}", "a\u{7}b", "\u{202E}evil", "x\u{2066}y", "\u{9B}"] {
            assert!(cleaned(text).is_err(), "{text:?}");
        }
        assert_eq!(cleaned("line one\nline two\ttab"), Ok("line one\nline two\ttab".to_owned()));
    }

    #[test]
    fn text_is_put_in_nfc() {
        assert_eq!(cleaned("Zoe\u{0308}"), Ok("Zo\u{eb}".to_owned()));
        assert_eq!(cleaned("Zo\u{eb}"), Ok("Zo\u{eb}".to_owned()));
    }

    #[test]
    fn every_literal_of_a_document_is_cleaned_and_a_bad_one_located() {
        let query = "query($a: String = \"e\u{301}\") { x(name: \"Zoe\u{0308}\", filter: { or: [{ n: \"ok\" }] }) \
                     { ... F } } fragment F on T { y(bad: \"\u{202E}\") }";
        let mut document = async_graphql::parser::parse_query(query).expect("parses");
        let refusal = clean_document(&mut document).expect_err("refused");
        assert_eq!(refusal.problem, "holds a control character or a bidirectional control");
        assert_eq!(refusal.position.map(|position| position.line), Some(1));

        let mut document = async_graphql::parser::parse_query("{ x(name: \"Zoe\u{0308}\") }").expect("parses");
        clean_document(&mut document).expect("clean");
        let rendered = format!("{document:?}");
        assert!(rendered.contains("Zo\u{eb}"), "{rendered}");
    }
}
