//! The README's examples run as written: every GraphQL block and every `curl` line, against the demo
//! data, as the role the README names (`<!-- example, run as: ROLE [ODS] -->` before each block), with
//! no error. A block of several operations (the walkthrough) runs them in turn, each `<thing id>`
//! placeholder filled from the `id` an earlier answer gave under that name. The federation example needs
//! a supergraph (`.ci/federation` runs queries like it through Apollo Gateway) and is only parsed here.

use crate::helpers::{TestApp, spawn_app, token};
use rotagraph::app::DemoData;
use rotagraph::services::access::Role;
use serde_json::{Value, json};
use std::collections::HashMap;

const README: &str = include_str!("../../README.md");

/// One example: the role it runs as, its fence's language and its text.
struct Example {
    role: String,
    language: String,
    text: String,
}

/// Every fenced block of the README with its `run as` note, and the languages of those without.
fn examples() -> (Vec<Example>, Vec<(String, String)>) {
    let (mut examples, mut unannotated) = (Vec::new(), Vec::new());
    let mut lines = README.lines().peekable();
    let mut role: Option<String> = None;
    while let Some(line) = lines.next() {
        if let Some(note) = line.strip_prefix("<!-- example, run as: ").and_then(|rest| rest.strip_suffix(" -->")) {
            role = Some(note.to_owned());
            continue;
        }
        let Some(language) = line.strip_prefix("```").filter(|language| !language.is_empty()) else {
            if !line.trim().is_empty() {
                role = None;
            }
            continue;
        };
        let mut text = String::new();
        for line in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            text.push_str(line);
            text.push('\n');
        }
        match role.take() {
            Some(role) => examples.push(Example { role, language: language.to_owned(), text }),
            None => unannotated.push((language.to_owned(), text)),
        }
    }
    (examples, unannotated)
}

/// The bearer token of a README role (`national`, `icb_viewer T6Y0W`, `regional Y61`), or none.
fn bearer(role: &str) -> Option<String> {
    let mut words = role.split_whitespace();
    let (kind, place) = (words.next().unwrap_or_default(), words.next());
    match kind {
        "anonymous" => None,
        "national" => Some(token(Role::National, &[], None)),
        "reporter" => Some(token(Role::Reporter, &[], None)),
        "regional" => Some(token(Role::Regional, &[], place)),
        "icb_viewer" => Some(token(Role::IcbViewer, &[place.expect("an ICB")], None)),
        "icb_admin" => Some(token(Role::IcbAdmin, &[place.expect("an ICB")], None)),
        other => panic!("the README names an unknown role: {other}"),
    }
}

/// The operations of a block, each a document of its own: split at the top level of braces, comments
/// left out.
fn operations(block: &str) -> Vec<String> {
    let text: String =
        block.lines().map(|line| line.split('#').next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
    let (mut operations, mut current, mut depth) = (Vec::new(), String::new(), 0usize);
    for character in text.chars() {
        current.push(character);
        match character {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    operations.push(current.trim().to_owned());
                    current.clear();
                }
            }
            _ => {}
        }
    }
    operations
}

/// Records every `{ "<name>": { "id": ... } }` of `answer` as the placeholder `<name id>`.
fn learn_ids(answer: &Value, ids: &mut HashMap<String, String>) {
    let mut pending = vec![answer];
    while let Some(value) = pending.pop() {
        if let Value::Object(fields) = value {
            for (name, field) in fields {
                if let Some(id) = field.get("id").and_then(Value::as_str) {
                    ids.insert(format!("<{name} id>"), id.to_owned());
                }
                pending.push(field);
            }
        }
    }
}

async fn graphql(app: &TestApp, bearer: Option<&str>, query: &str) -> Value {
    let mut request = app.client.post(app.url("/graphql")).json(&json!({ "query": query }));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    request.send().await.expect("request").json().await.expect("JSON answer")
}

/// Runs one `curl` command line (continued lines joined) as the README writes it.
async fn curl(app: &TestApp, bearer: Option<&str>, command: &str) {
    let words = shlex_split(command);
    let (mut url, mut body, mut headers) = (None, None, Vec::new());
    let mut words = words.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-H" => headers.push(words.next().expect("a header").clone()),
            "-d" => body = words.next().cloned(),
            "curl" | "-s" | "-N" => {}
            other if other.starts_with("localhost:8080") => url = Some(other.replacen("localhost:8080", "", 1)),
            other => panic!("a curl argument the test does not know: {other}"),
        }
    }
    let path = url.expect("a URL");
    let mut request = match &body {
        Some(body) => app.client.post(app.url(&path)).body(body.clone()),
        None => app.client.get(app.url(&path)),
    };
    for header in headers {
        let (name, value) = header.split_once(':').expect("name: value");
        let value = value.trim().replace("$TOKEN", bearer.unwrap_or_default());
        request = request.header(name.trim(), value);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(status, 200, "{command}");
    if content_type.starts_with("text/event-stream") {
        return; // a subscription: its stream opened
    }
    let text = response.text().await.expect("body");
    if content_type.contains("json") {
        let answer: Value = serde_json::from_str(&text).expect("JSON");
        assert!(answer["errors"].is_null() && !answer["data"].is_null(), "{command}: {answer}");
    } else {
        assert!(text.lines().count() > 1, "{command}: a header and rows: {text}");
    }
}

/// Splits a shell command line into words: single and double quotes, backslash escapes in double quotes.
fn shlex_split(line: &str) -> Vec<String> {
    let (mut words, mut word, mut in_word) = (Vec::new(), String::new(), false);
    let mut characters = line.chars();
    while let Some(character) = characters.next() {
        match character {
            '\'' => {
                in_word = true;
                word.extend(characters.by_ref().take_while(|c| *c != '\''));
            }
            '"' => {
                in_word = true;
                while let Some(c) = characters.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(characters.next()),
                        c => word.push(c),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[tokio::test]
async fn every_readme_example_runs_as_written() {
    let (examples, unannotated) = examples();
    for (language, text) in &unannotated {
        let runnable = language == "graphql" || (language == "sh" && text.contains("curl "));
        assert!(!runnable, "a README example names no role (`<!-- example, run as: ... -->`):\n{text}");
    }
    assert!(examples.len() >= 10, "{} examples", examples.len());
    let app = spawn_app(DemoData::Load).await;
    let mut ran = 0;
    for example in &examples {
        if example.role == "gateway" {
            for operation in operations(&example.text) {
                async_graphql::parser::parse_query(&operation).expect("the federation example parses");
            }
            continue;
        }
        let bearer = bearer(&example.role);
        match example.language.as_str() {
            "graphql" => {
                let mut ids: HashMap<String, String> = HashMap::new();
                for operation in operations(&example.text) {
                    let query = ids
                        .iter()
                        .fold(operation.clone(), |query, (placeholder, id)| query.replace(placeholder.as_str(), id));
                    assert!(!query.contains(" id>\""), "a placeholder no earlier answer filled: {query}");
                    let answer = graphql(&app, bearer.as_deref(), &query).await;
                    assert!(answer["errors"].is_null(), "as {}: {query}\n{answer}", example.role);
                    learn_ids(&answer["data"], &mut ids);
                    ran += 1;
                }
            }
            "sh" => {
                let joined = example.text.replace("\\\n", " ");
                for command in joined.lines().filter(|line| line.trim_start().starts_with("curl ")) {
                    curl(&app, bearer.as_deref(), command.trim()).await;
                    ran += 1;
                }
            }
            other => panic!("an example in {other}"),
        }
    }
    assert!(ran >= 20, "{ran} operations and commands ran");
}
