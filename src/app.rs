//! Building and running the server: connect, migrate, load data, bind, serve until a signal.

use crate::auth::TokenKeys;
use crate::config::{Limits, ServeArgs};
use crate::graphql::reports::ReportSettings;
use crate::http::documents::Documents;
use crate::metrics::Metrics;
use crate::services::access::ScopeResolver;
use crate::services::clock::Clock;
use crate::services::events::EventHub;
use crate::services::reports::ReportCache;
use crate::{db, generator, graphql, http, reference};
use anyhow::Context as _;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// A server bound to its address and ready to run.
pub struct App {
    acceptor: TcpAcceptor,
    address: SocketAddr,
    db: DatabaseConnection,
    callers: http::Callers,
    shutdown_timeout: Duration,
    report_settings: ReportSettings,
    limits: Limits,
    clock: Clock,
    events: EventHub,
    metrics: Arc<Metrics>,
    documents: Documents,
    allowed_origins: http::cors::AllowedOrigins,
    /// The connection the shared cost budgets are kept through (statements not counted as requests').
    budget_db: DatabaseConnection,
    /// Where queries, reports and CSV read (the primary, without a read replica).
    read_db: DatabaseConnection,
}

/// Which data `prepare_database` loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoData {
    /// Load the demo network into an empty database.
    Load,
    /// Reference data only.
    Skip,
}

/// Migrates the database, loads the reference data if any is missing, and the demo network if asked and
/// the database holds no network or workforce data yet.
pub async fn prepare_database(db: &DatabaseConnection, demo: DemoData) -> anyhow::Result<()> {
    db::migrate(db).await.context("applying migrations")?;
    reference::load(db).await.context("loading reference data")?;
    if demo == DemoData::Load && !generator::has_network_data(db).await? {
        let report = generator::seed(db, generator::Scale::Demo).await.context("loading the demo network")?;
        tracing::info!(
            pharmacists = report.count("pharmacist"),
            placements = report.count("placement"),
            "loaded the demo network"
        );
    }
    Ok(())
}

impl App {
    /// Binds the listening socket (port 0 picks a free port; see [`App::address`]).
    pub async fn build(settings: &ServeArgs, mut db: DatabaseConnection, keys: TokenKeys) -> anyhow::Result<Self> {
        settings.limits.check()?;
        let metrics = Arc::new(Metrics::new());
        // The budgets' own statements run in the background, in no request: not counted as the requests'.
        let budget_db = db.clone();
        let counted = metrics.clone();
        db.set_metric_callback(move |_| counted.statement());
        let read_db = match &settings.database_read_url {
            Some(url) => {
                let statement_timeout = Some(settings.limits.statement_timeout());
                let mut read_db = crate::db::connect_with_statement_timeout(url, statement_timeout)
                    .await
                    .context("connecting to the read replica (DATABASE_READ_URL)")?;
                let counted = metrics.clone();
                read_db.set_metric_callback(move |_| counted.statement());
                read_db
            }
            None => db.clone(),
        };
        let scopes = ScopeResolver::load(&db).await.context("reading the ICBs and regions")?;
        let documents = Documents::load(settings.trusted_documents.as_deref(), settings.only_trusted_documents)?;
        match settings.cursor_secret.as_deref() {
            Some(secret) if secret.len() < 32 => anyhow::bail!("--cursor-secret: at least 32 bytes"),
            Some(secret) => crate::services::cursors::use_secret(secret.as_bytes()),
            None => {
                if !keys.material_is_secret() {
                    tracing::warn!(
                        "cursors are sealed with a key derived from the RS256 public key: set --cursor-secret to keep \
                         them secret from whoever holds that key"
                    );
                }
                crate::services::cursors::use_secret(keys.material());
            }
        }
        let allowed_origins = http::cors::AllowedOrigins::parse(&settings.cors_allowed_origins)
            .map_err(|reason| anyhow::anyhow!("--cors-allowed-origins: {reason}"))?;
        if allowed_origins == http::cors::AllowedOrigins::Any {
            tracing::warn!(
                "CORS allows every origin (--cors-allowed-origins '*'): any web page may read this server's answers \
                 with a token it holds; list the dashboards' origins instead unless every reader is anonymous"
            );
        }
        let events = EventHub::start(&db).await.context("listening for changes")?;
        let acceptor = TcpListener::bind(settings.bind)
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", settings.bind))?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|address| address.as_socket_addr().copied())
            .context("reading the bound address")?;
        Ok(Self {
            acceptor,
            address,
            db,
            callers: http::Callers { keys, scopes },
            shutdown_timeout: settings.shutdown_timeout(),
            report_settings: ReportSettings {
                suppression_threshold: settings.suppression_threshold,
                rounding_base: settings.rounding_base,
                cache: Arc::new(ReportCache::new(settings.report_cache_age())),
            },
            limits: settings.limits.clone(),
            clock: Clock::fixed_at(settings.today),
            events,
            metrics,
            documents,
            allowed_origins,
            budget_db,
            read_db,
        })
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's metrics (also served at `/metrics`).
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (within the timeout).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let databases = graphql::Databases { primary: self.db.clone(), read: self.read_db };
        let api = graphql::api(databases, self.events, self.report_settings.clone(), &self.limits, self.metrics);
        api.budgets().share(self.budget_db);
        let callers = Arc::new(self.callers);
        tracing::info!(address = %self.address, "rotagraph listening; GraphiQL at http://{}/graphql", self.address);
        let (stop, stopping) = http::Stopping::new();
        let shutdown = async move {
            shutdown.await;
            let _ = stop.send(true);
        };
        poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                http::routes(
                    api,
                    self.db,
                    callers,
                    http::Serving {
                        report_settings: self.report_settings,
                        limits: self.limits,
                        clock: self.clock,
                        documents: self.documents,
                        allowed_origins: self.allowed_origins,
                        stopping,
                    },
                ),
                shutdown,
                Some(self.shutdown_timeout),
            )
            .await
            .context("serving")
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
