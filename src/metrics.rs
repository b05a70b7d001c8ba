//! Prometheus metrics of one server, scraped at `GET /metrics`: GraphQL operations by type and outcome
//! with their latency, errors by code, rate-limit refusals, SQL statements per request, HTTP responses
//! by status, database pool use and open subscriptions. No label carries query text, ids or personal
//! data: operation types, outcomes, error codes and status codes only.

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::cell::Cell;

/// The metrics of one server, in a registry of its own.
pub struct Metrics {
    registry: Registry,
    operations: IntCounterVec,
    operation_seconds: HistogramVec,
    errors: IntCounterVec,
    rate_limited: IntCounter,
    statements: Histogram,
    statements_total: IntCounter,
    http_responses: IntCounterVec,
    pool_connections: IntGaugeVec,
    open_subscriptions: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// How a GraphQL operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Data, no error.
    Ok,
    /// Data with errors (partial results).
    Partial,
    /// Refused or failed before it ran: no data.
    Refused,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Partial => "partial",
            Self::Refused => "refused",
        }
    }
}

tokio::task_local! {
    /// The SQL statements run so far by the request this task serves.
    static STATEMENTS: Cell<u64>;
}

/// Runs `request` counting the SQL statements it runs; returns its output and the count.
pub async fn counting_statements<F: Future>(request: F) -> (F::Output, u64) {
    STATEMENTS
        .scope(Cell::new(0), async move {
            let output = request.await;
            (output, STATEMENTS.with(Cell::get))
        })
        .await
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("rotagraph".to_owned()), None).unwrap_or_default();
        let metrics = Self {
            operations: IntCounterVec::new(
                Opts::new("graphql_operations_total", "GraphQL operations by type and outcome."),
                &["operation", "outcome"],
            )
            .expect("fixed, valid metric options"),
            operation_seconds: HistogramVec::new(
                HistogramOpts::new("graphql_operation_duration_seconds", "Time to answer a GraphQL operation.")
                    .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
                &["operation"],
            )
            .expect("fixed, valid metric options"),
            errors: IntCounterVec::new(
                Opts::new("graphql_errors_total", "GraphQL errors by `extensions.code`."),
                &["code"],
            )
            .expect("fixed, valid metric options"),
            rate_limited: IntCounter::new("rate_limited_total", "Operations refused for a spent budget.")
                .expect("fixed, valid metric options"),
            statements: Histogram::with_opts(
                HistogramOpts::new("sql_statements_per_request", "SQL statements run by one HTTP request.")
                    .buckets(vec![0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0, 55.0, 89.0]),
            )
            .expect("fixed, valid metric options"),
            statements_total: IntCounter::new("sql_statements_total", "SQL statements run.")
                .expect("fixed, valid metric options"),
            http_responses: IntCounterVec::new(
                Opts::new("http_responses_total", "HTTP responses by status code."),
                &["status"],
            )
            .expect("fixed, valid metric options"),
            pool_connections: IntGaugeVec::new(
                Opts::new("db_pool_connections", "Database pool connections by state (idle, in_use)."),
                &["state"],
            )
            .expect("fixed, valid metric options"),
            open_subscriptions: IntGauge::new("open_subscriptions", "Subscriptions open on this server.")
                .expect("fixed, valid metric options"),
            registry,
        };
        let collectors: [Box<dyn prometheus::core::Collector>; 9] = [
            Box::new(metrics.statements_total.clone()),
            Box::new(metrics.operations.clone()),
            Box::new(metrics.operation_seconds.clone()),
            Box::new(metrics.errors.clone()),
            Box::new(metrics.rate_limited.clone()),
            Box::new(metrics.statements.clone()),
            Box::new(metrics.http_responses.clone()),
            Box::new(metrics.pool_connections.clone()),
            Box::new(metrics.open_subscriptions.clone()),
        ];
        for collector in collectors {
            // Names are fixed and distinct: registering cannot fail.
            let _ = metrics.registry.register(collector);
        }
        metrics
    }

    /// One GraphQL operation of `operation` type (`query`, `mutation`, `subscription`, or `unknown` for
    /// a document refused before its type was known), its outcome, time and error codes.
    pub fn operation(&self, operation: &str, response: &async_graphql::Response, seconds: f64) {
        let outcome = if response.errors.is_empty() {
            Outcome::Ok
        } else if response.data == async_graphql::Value::Null {
            Outcome::Refused
        } else {
            Outcome::Partial
        };
        self.operations.with_label_values(&[operation, outcome.label()]).inc();
        self.operation_seconds.with_label_values(&[operation]).observe(seconds);
        for error in &response.errors {
            let code = match error.extensions.as_ref().and_then(|extensions| extensions.get("code")) {
                Some(async_graphql::Value::String(code)) => code.as_str(),
                _ => "NONE",
            };
            self.errors.with_label_values(&[code]).inc();
            if code == "RATE_LIMITED" {
                self.rate_limited.inc();
            }
        }
    }

    /// Counts one SQL statement, and counts it against the request the current task serves, if any (the
    /// database connection's metric callback).
    pub fn statement(&self) {
        self.statements_total.inc();
        let _ = STATEMENTS.try_with(|count| count.set(count.get() + 1));
    }

    /// The SQL statements run since the server started.
    pub fn statements_run(&self) -> u64 {
        self.statements_total.get()
    }

    /// A request refused before any operation ran (over a limit, malformed, unauthenticated...), with its
    /// error's code.
    pub fn refused(&self, code: &str) {
        self.operations.with_label_values(&["unknown", Outcome::Refused.label()]).inc();
        self.errors.with_label_values(&[code]).inc();
        if code == "RATE_LIMITED" {
            self.rate_limited.inc();
        }
    }

    /// A subscription opened (its refusals count as operations refused).
    pub fn subscribed(&self) {
        self.operations.with_label_values(&["subscription", Outcome::Ok.label()]).inc();
    }

    /// One HTTP response, and the SQL statements its request ran.
    pub fn http_response(&self, status: poem::http::StatusCode, statements: u64) {
        self.http_responses.with_label_values(&[status.as_str()]).inc();
        self.statements.observe(statements as f64);
    }

    /// The metrics in Prometheus' text format, with the pool and subscription gauges read now.
    pub fn render(&self, db: &DatabaseConnection, open_subscriptions: usize) -> String {
        let (size, idle) = match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = i64::try_from(idle).unwrap_or(i64::MAX);
        self.pool_connections.with_label_values(&["idle"]).set(idle);
        self.pool_connections.with_label_values(&["in_use"]).set(i64::from(size) - idle);
        self.open_subscriptions.set(i64::try_from(open_subscriptions).unwrap_or(i64::MAX));
        let mut text = Vec::new();
        if TextEncoder::new().encode(&self.registry.gather(), &mut text).is_err() {
            return String::new();
        }
        String::from_utf8(text).unwrap_or_default()
    }
}
