//! Which operation of a document a request runs, decided by one rule (the GraphQL specification's
//! `GetOperation`): the operation `operationName` names, or, when it names none, the document's only
//! operation. Cost control names the chosen operation on the request it admits, so execution, partial
//! results, subscriptions and metrics all follow the same choice, whether or not the client sent
//! `operationName` (Python gql and Relay's fetch function leave it out for a single named operation).

use async_graphql::Positioned;
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};

/// The operation of `document` a request with `operation_name` runs, with its name; `None` when there
/// is none to run (a name the document lacks, or several operations and no name), which execution
/// reports as a request error.
pub fn chosen<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<&'a str>, &'a Positioned<OperationDefinition>)> {
    let mut operations =
        document.operations.iter().map(|(name, operation)| (name.map(|name| name.as_str()), operation));
    match operation_name {
        Some(wanted) => operations.find(|(name, _)| *name == Some(wanted)),
        None => match (operations.next(), operations.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        },
    }
}

/// Names on `request` the operation its document runs (when the document has a single named operation
/// and the request named none), and answers that operation's type; `None` for a document that does not
/// parse or chooses no operation (execution reports why).
pub fn choose(request: &mut async_graphql::Request) -> Option<OperationType> {
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let (name, operation) = chosen(&document, request.operation_name.as_deref())?;
    if request.operation_name.is_none() {
        request.operation_name = name.map(str::to_owned);
    }
    Some(operation.node.ty)
}

#[cfg(test)]
mod tests {
    use super::chosen;
    use async_graphql::parser::parse_query;

    fn name(query: &str, operation_name: Option<&str>) -> Option<Option<String>> {
        let document = parse_query(query).expect("parses");
        chosen(&document, operation_name).map(|(name, _)| name.map(str::to_owned))
    }

    #[test]
    fn the_named_operation_or_the_only_one() {
        assert_eq!(name("{ a }", None), Some(None));
        assert_eq!(name("query Q { a }", None), Some(Some("Q".to_owned())));
        assert_eq!(name("query Q { a }", Some("Q")), Some(Some("Q".to_owned())));
        assert_eq!(name("query Q { a }", Some("R")), None);
        assert_eq!(name("query Q { a } query R { b }", None), None);
        assert_eq!(name("query Q { a } query R { b }", Some("R")), Some(Some("R".to_owned())));
        assert_eq!(name("{ a }", Some("Q")), None);
    }
}
