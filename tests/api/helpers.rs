//! Test fixtures: fresh databases and a real server on a random port.

use rotagraph::app::{self, App, DemoData};
use rotagraph::config::{Limits, ServeArgs};
use rotagraph::metrics::Metrics;
use rotagraph::services::access::{Principal, Role};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Once};

/// A fresh, empty database that lives as long as this value.
pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    /// Its URL.
    pub url: String,
}

impl TestDb {
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }
}

fn init_logging() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some()
            && let Ok(telemetry) = rotagraph::telemetry::init("info", rotagraph::config::LogFormat::Text, None)
        {
            // Nothing to flush without traces.
            telemetry.shutdown();
        }
    });
}

/// A fresh empty database (not migrated): a new database on `TEST_DATABASE_URL`'s server, or a SQLite file.
pub async fn fresh_database() -> TestDb {
    init_logging();
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let admin = rotagraph::db::connect(&url)
                .await
                .unwrap_or_else(|error| panic!("TEST_DATABASE_URL is set but cannot be reached: {error}"));
            let name = format!("rotagraph_test_{}", uuid::Uuid::new_v4().simple());
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.expect("close admin connection");
            let url = with_database_name(&url, &name);
            let db = rotagraph::db::connect(&url).await.expect("connect test database");
            TestDb { db, _dir: None, url }
        }
        _ => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = rotagraph::db::connect(&url).await.expect("open SQLite test database");
            TestDb { db, _dir: Some(dir), url }
        }
    }
}

/// `url` with its database name replaced.
fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(base, query)| (base, Some(query)));
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    }
}

/// A fresh database, migrated, with the reference data loaded.
pub async fn prepared_database(demo: DemoData) -> TestDb {
    let test_db = fresh_database().await;
    app::prepare_database(&test_db.db, demo).await.expect("prepare database");
    test_db
}

/// The HS256 secret test servers verify tokens with.
pub const TEST_SECRET: &[u8] = b"rotagraph-test-secret-0123456789abcdef";

/// A token for `role` with these ICBs (ODS codes) or region.
pub fn token(role: Role, icbs: &[&str], region: Option<&str>) -> String {
    let principal = Principal {
        subject: "test".to_owned(),
        role: Some(role),
        icbs: icbs.iter().map(|code| (*code).to_owned()).collect(),
        region: region.map(str::to_owned),
    };
    rotagraph::auth::TokenKeys::hs256(TEST_SECRET).mint(&principal, std::time::Duration::from_secs(600)).expect("mint")
}

/// A running server on a random port over its own fresh database.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub test_db: TestDb,
    /// The server's metrics, with the SQL statements it has run since it started.
    pub metrics: Arc<Metrics>,
}

/// Starts the real server on 127.0.0.1:0 over a fresh, prepared database.
pub async fn spawn_app(demo: DemoData) -> TestApp {
    spawn_app_with(demo, Limits::default()).await
}

/// The day every test server answers for (its clock is fixed), so no test depends on the day it runs.
pub const TEST_TODAY: chrono::NaiveDate = match chrono::NaiveDate::from_ymd_opt(2026, 11, 2) {
    Some(day) => day,
    None => panic!("a valid date"),
};

/// [`spawn_app`] with these limits.
pub async fn spawn_app_with(demo: DemoData, limits: Limits) -> TestApp {
    spawn_app_on(demo, limits, TEST_TODAY).await
}

/// [`spawn_app`] with these limits, answering as if today were `today`.
pub async fn spawn_app_on(demo: DemoData, limits: Limits, today: chrono::NaiveDate) -> TestApp {
    let test_db = prepared_database(demo).await;
    let (address, metrics) = serve(&test_db.db, limits, today, None, None).await;
    TestApp { address, client: reqwest::Client::new(), test_db, metrics }
}

/// [`spawn_app`] whose queries, reports and CSV read from `read` (a read replica), and the replica.
pub async fn spawn_app_reading_from_replica(demo: DemoData, replica: DemoData) -> (TestApp, TestDb) {
    let test_db = prepared_database(demo).await;
    let read = prepared_database(replica).await;
    let (address, metrics) = serve(&test_db.db, Limits::default(), TEST_TODAY, None, Some(read.url.clone())).await;
    (TestApp { address, client: reqwest::Client::new(), test_db, metrics }, read)
}

/// [`spawn_app`] running only the trusted documents of `manifest` (an allow-list).
pub async fn spawn_app_trusting(demo: DemoData, manifest: &std::path::Path) -> TestApp {
    let test_db = prepared_database(demo).await;
    let (address, metrics) = serve(&test_db.db, Limits::default(), TEST_TODAY, Some(manifest), None).await;
    TestApp { address, client: reqwest::Client::new(), test_db, metrics }
}

/// The one web origin the test servers allow to read across origins (CORS).
pub const DASHBOARD_ORIGIN: &str = "http://dashboard.test:8000";

/// Starts a server over `db` on 127.0.0.1:0 and returns its address and metrics.
async fn serve(
    db: &DatabaseConnection,
    limits: Limits,
    today: chrono::NaiveDate,
    trusted_documents: Option<&std::path::Path>,
    database_read_url: Option<String>,
) -> (SocketAddr, Arc<Metrics>) {
    let settings = ServeArgs {
        bind: "127.0.0.1:0".parse().expect("address"),
        demo: false,
        shutdown_timeout: 5,
        suppression_threshold: 5,
        rounding_base: 5,
        report_cache_seconds: 60,
        today: Some(today),
        database_read_url,
        trusted_documents: trusted_documents.map(std::path::Path::to_path_buf),
        only_trusted_documents: trusted_documents.is_some(),
        cors_allowed_origins: vec![DASHBOARD_ORIGIN.to_owned()],
        cursor_secret: None,
        limits,
    };
    let keys = rotagraph::auth::TokenKeys::hs256(TEST_SECRET);
    let app = App::build(&settings, db.clone(), keys).await.expect("bind server");
    let (address, metrics) = (app.address(), app.metrics());
    tokio::spawn(app.run_until(std::future::pending()));
    (address, metrics)
}

impl TestApp {
    /// Starts a second server (a replica) over the same database, with its own connection pool, and
    /// returns its address.
    pub async fn replica(&self) -> SocketAddr {
        self.replica_with(Limits::default()).await
    }

    /// [`TestApp::replica`] with these limits.
    pub async fn replica_with(&self, limits: Limits) -> SocketAddr {
        let db = rotagraph::db::connect(&self.test_db.url).await.expect("connect the replica");
        serve(&db, limits, TEST_TODAY, None, None).await.0
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Posts a GraphQL query anonymously and returns the JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// Posts a GraphQL query with a bearer token (or none) and returns the JSON response.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request =
            self.client.post(self.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request").json().await.expect("JSON response")
    }

    /// GETs `path` with a bearer token (or none) and returns the body.
    pub async fn get_text(&self, path: &str, token: Option<&str>) -> String {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request").text().await.expect("body")
    }

    /// SQL statements the server has run so far.
    pub fn statements(&self) -> usize {
        usize::try_from(self.metrics.statements_run()).unwrap_or(usize::MAX)
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.test_db.db
    }
}

/// The `extensions.code` of every error in a response.
/// Whether every connection in `response` was read to its end (no `hasNextPage: true` anywhere), so that
/// ids gathered from it are all there are.
pub fn every_page_complete(response: &Value) -> bool {
    let mut pending = vec![response];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(fields) => {
                if fields.get("hasNextPage") == Some(&Value::Bool(true)) {
                    return false;
                }
                pending.extend(fields.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    true
}

pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors.iter().filter_map(|error| error["extensions"]["code"].as_str().map(str::to_owned)).collect()
        })
        .unwrap_or_default()
}

/// The values of `field` in each object of a JSON array.
pub fn strings(array: &Value, field: &str) -> Vec<String> {
    array
        .as_array()
        .map(|items| items.iter().filter_map(|item| item[field].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Starts the server binary as `command` describes (its log must be JSON, on stderr), reads its log to the
/// end in a thread of its own (so it never writes into a closed pipe), and returns it with the address it
/// logs once it listens.
pub async fn start_binary(mut command: std::process::Command) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = command.stderr(std::process::Stdio::piped()).spawn().expect("start rotagraph");
    let stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(address) = event["address"].as_str() {
                let _ = sender.send(address.to_owned());
            }
        }
    });
    let address = tokio::task::spawn_blocking(move || receiver.recv_timeout(std::time::Duration::from_secs(120)))
        .await
        .expect("join")
        .expect("the server logs its address");
    (child, address)
}
