//! Persisted documents: automatic persisted queries (APQ) and trusted documents.
//!
//! - **Automatic persisted queries** (Apollo's protocol): a request may send
//!   `extensions.persistedQuery: { version: 1, sha256Hash }` without its `query`; the server answers from
//!   the documents it has seen, or `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`), and
//!   the client sends the query again with its hash, which the server checks
//!   (`PERSISTED_QUERY_HASH_MISMATCH`) and keeps (the most recent [`APQ_CAPACITY`] documents).
//! - **Trusted documents**: a manifest of the operations a deployment's clients send (a JSON object of
//!   `"<sha256 hex>": "<document>"`, or an Apollo persisted-query manifest), read at start-up. Registered
//!   documents can be sent by hash alone. In allow-list mode (`--only-trusted-documents`) nothing else
//!   runs: an unknown hash gets `PERSISTED_QUERY_NOT_IN_LIST`, a query whose text is not registered
//!   `QUERY_NOT_IN_SAFELIST`, and no document is learnt automatically.

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Mutex;

/// How many automatically persisted documents a server keeps.
pub const APQ_CAPACITY: usize = 2_000;

/// The documents a server knows by hash.
#[derive(Debug, Default)]
pub struct Documents {
    /// Registered documents, by the lowercase hex SHA-256 of their text.
    trusted: HashMap<String, String>,
    /// Whether only registered documents run.
    only_trusted: bool,
    /// Documents learnt through automatic persisted queries, oldest first.
    learnt: Mutex<Learnt>,
}

#[derive(Debug, Default)]
struct Learnt {
    by_hash: HashMap<String, String>,
    order: VecDeque<String>,
}

/// Why a request's document cannot be had: its code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// The lowercase hex SHA-256 of a document's text.
pub fn hash_of(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

impl Documents {
    /// Reads the trusted documents of `manifest` (if any); `only_trusted` turns the allow-list on, and
    /// needs a manifest.
    pub fn load(manifest: Option<&Path>, only_trusted: bool) -> anyhow::Result<Self> {
        let trusted = match manifest {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the trusted documents in {}", path.display()))?;
                parse_manifest(&text).with_context(|| format!("reading the trusted documents in {}", path.display()))?
            }
            None => HashMap::new(),
        };
        anyhow::ensure!(
            !only_trusted || manifest.is_some(),
            "--only-trusted-documents needs --trusted-documents FILE: the operations that may run"
        );
        Ok(Self { trusted, only_trusted, learnt: Mutex::default() })
    }

    /// Whether `code` is one of the refusals of [`Documents::resolve`] for a document it cannot have or
    /// may not run.
    pub fn refuses_with(code: &str) -> bool {
        matches!(
            code,
            "PERSISTED_QUERY_NOT_FOUND"
                | "PERSISTED_QUERY_NOT_IN_LIST"
                | "PERSISTED_QUERY_HASH_MISMATCH"
                | "QUERY_NOT_IN_SAFELIST"
        )
    }

    /// How many documents are registered.
    pub fn registered(&self) -> usize {
        self.trusted.len()
    }

    /// Completes `request` with the document its hash names, checks a document sent with its hash, and
    /// in allow-list mode refuses any document that is not registered.
    pub fn resolve(&self, request: &mut async_graphql::Request, max_query_bytes: usize) -> Result<(), Refusal> {
        let hash = persisted_hash(request)?;
        if hash.is_none() && !self.only_trusted {
            return Ok(());
        }
        if request.query.is_empty() {
            let Some(hash) = hash else {
                return Err(Refusal::new("BAD_REQUEST", "The request has no `query`."));
            };
            if let Some(document) = self.trusted.get(&hash) {
                request.query.clone_from(document);
                return Ok(());
            }
            if self.only_trusted {
                return Err(Refusal::new(
                    "PERSISTED_QUERY_NOT_IN_LIST",
                    "No trusted document has this hash: this server runs only its registered operations.",
                ));
            }
            let learnt = self.learnt.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            return match learnt.by_hash.get(&hash) {
                Some(document) => {
                    request.query.clone_from(document);
                    Ok(())
                }
                None => Err(Refusal::new("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")),
            };
        }
        let computed = hash_of(&request.query);
        if hash.as_ref().is_some_and(|hash| *hash != computed) {
            return Err(Refusal::new(
                "PERSISTED_QUERY_HASH_MISMATCH",
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of the query.",
            ));
        }
        if self.only_trusted {
            if self.trusted.contains_key(&computed) {
                return Ok(());
            }
            return Err(Refusal::new(
                "QUERY_NOT_IN_SAFELIST",
                "This server runs only its registered operations, and this document is not one of them.",
            ));
        }
        if hash.is_some() && request.query.len() <= max_query_bytes && !self.trusted.contains_key(&computed) {
            self.learn(computed, &request.query);
        }
        Ok(())
    }

    fn learn(&self, hash: String, document: &str) {
        let mut learnt = self.learnt.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if learnt.by_hash.contains_key(&hash) {
            return;
        }
        if learnt.order.len() >= APQ_CAPACITY
            && let Some(oldest) = learnt.order.pop_front()
        {
            learnt.by_hash.remove(&oldest);
        }
        learnt.order.push_back(hash.clone());
        learnt.by_hash.insert(hash, document.to_owned());
    }
}

/// The hash of `extensions.persistedQuery`, if the request has one (version 1, a 64-digit hex hash).
fn persisted_hash(request: &async_graphql::Request) -> Result<Option<String>, Refusal> {
    let Some(persisted) = request.extensions.get("persistedQuery") else { return Ok(None) };
    let invalid = || {
        Refusal::new(
            "BAD_REQUEST",
            "`extensions.persistedQuery` is `{ \"version\": 1, \"sha256Hash\": \"<64 hex digits>\" }`.",
        )
    };
    let async_graphql::Value::Object(fields) = persisted else { return Err(invalid()) };
    let version_is_one =
        matches!(fields.get("version"), Some(async_graphql::Value::Number(version)) if version.as_u64() == Some(1));
    let hash = match fields.get("sha256Hash") {
        Some(async_graphql::Value::String(hash)) if hash.len() == 64 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            hash.to_ascii_lowercase()
        }
        _ => return Err(invalid()),
    };
    if !version_is_one {
        return Err(invalid());
    }
    Ok(Some(hash))
}

/// A manifest: `{"<hash>": "<document>", ...}`, or Apollo's
/// `{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}, ...]}`. Every hash must be
/// its document's SHA-256.
fn parse_manifest(text: &str) -> anyhow::Result<HashMap<String, String>> {
    #[derive(serde::Deserialize)]
    struct ApolloManifest {
        operations: Vec<ApolloOperation>,
    }
    #[derive(serde::Deserialize)]
    struct ApolloOperation {
        id: String,
        body: String,
    }
    let value: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    let entries: Vec<(String, String)> = if value.get("format").is_some() {
        let manifest: ApolloManifest =
            serde_json::from_value(value).context("not an Apollo persisted-query manifest")?;
        manifest.operations.into_iter().map(|operation| (operation.id, operation.body)).collect()
    } else {
        let map: HashMap<String, String> =
            serde_json::from_value(value).context("not an object of hashes to documents")?;
        map.into_iter().collect()
    };
    let mut documents = HashMap::with_capacity(entries.len());
    for (hash, document) in entries {
        let hash = hash.strip_prefix("sha256:").unwrap_or(&hash).to_ascii_lowercase();
        anyhow::ensure!(hash == hash_of(&document), "the hash {hash} is not the SHA-256 of its document");
        documents.insert(hash, document);
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(query: &str, hash: Option<&str>) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        if let Some(hash) = hash {
            let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
            request
                .extensions
                .insert("persistedQuery".to_owned(), async_graphql::Value::from_json(extension).unwrap_or_default());
        }
        request
    }

    #[test]
    fn automatic_persisted_queries_are_learnt_checked_and_answered_by_hash() {
        let documents = Documents::default();
        let query = "{ regions { odsCode } }";
        let hash = hash_of(query);

        let unknown = documents.resolve(&mut request("", Some(&hash)), 1000);
        let wrong = documents.resolve(&mut request(query, Some(&hash_of("{ icbs { odsCode } }"))), 1000);
        let registered = documents.resolve(&mut request(query, Some(&hash)), 1000);
        let mut by_hash = request("", Some(&hash));
        let answered = documents.resolve(&mut by_hash, 1000);

        assert_eq!(unknown.map_err(|refusal| refusal.code), Err("PERSISTED_QUERY_NOT_FOUND"));
        assert_eq!(wrong.map_err(|refusal| refusal.code), Err("PERSISTED_QUERY_HASH_MISMATCH"));
        assert_eq!(registered, Ok(()));
        assert_eq!(answered, Ok(()));
        assert_eq!(by_hash.query, query);
    }

    #[test]
    fn a_manifest_whose_hash_does_not_match_its_document_is_refused() {
        let good = format!(r#"{{"{}": "{{ regions {{ odsCode }} }}"}}"#, hash_of("{ regions { odsCode } }"));
        let bad = r#"{"0000000000000000000000000000000000000000000000000000000000000000": "{ regions { odsCode } }"}"#;
        assert_eq!(parse_manifest(&good).map(|documents| documents.len()).ok(), Some(1));
        assert!(parse_manifest(bad).is_err());
    }
}
