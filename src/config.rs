//! The command line and every setting. Each setting is a flag and an environment variable; `--help`
//! lists them and the README documents them.

use crate::generator::Scale;
use crate::services::access::Role;
use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The SQLite database used when `DATABASE_URL` is not set: a file under `./data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/rotagraph.db?mode=rwc";
/// The file of the default database.
pub const DEFAULT_DATABASE_FILE: &str = "data/rotagraph.db";

/// rotagraph: one GraphQL graph over NHS ICB networks and their rotational pharmacist programmes.
#[derive(Debug, Parser)]
#[command(name = "rotagraph", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command to run (`serve` when none is given).
    pub fn command(&self) -> Command {
        self.command.clone().unwrap_or_else(|| Command::Serve(self.serve.clone()))
    }
}

/// Settings every command shares.
#[derive(Clone, Debug, Args)]
pub struct GlobalArgs {
    /// Database URL: `sqlite://PATH?mode=rwc` or `postgres://USER:PASSWORD@HOST:PORT/DB`.
    /// [default: sqlite://data/rotagraph.db?mode=rwc, the embedded database]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Log filter, in `tracing` EnvFilter syntax (for example `info` or `rotagraph=debug,poem=info`).
    #[arg(long, env = "ROTAGRAPH_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format.
    #[arg(long, env = "ROTAGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Export traces to this OpenTelemetry collector (its OTLP/HTTP base URL, for example
    /// `http://127.0.0.1:4318`). Off when not given.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,
    #[command(flatten)]
    pub auth: AuthArgs,
}

/// How bearer tokens are verified (and minted by `rotagraph token`).
#[derive(Clone, Debug, Args)]
pub struct AuthArgs {
    /// HS256 secret (at least 32 characters) that signs and verifies tokens. Without it, and without a
    /// public key, only the embedded default database starts (with a generated development secret).
    #[arg(long, env = "ROTAGRAPH_JWT_SECRET", global = true, hide_env_values = true, value_parser = parse_secret)]
    pub jwt_secret: Option<SecretString>,
    /// PEM file of the RS256 public key that verifies tokens issued by an identity provider.
    #[arg(long, env = "ROTAGRAPH_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,
    /// The issuer (`iss`) every token must name (and `rotagraph token` writes).
    #[arg(long, env = "ROTAGRAPH_JWT_ISSUER", global = true, default_value = crate::auth::DEFAULT_ISSUER_AND_AUDIENCE)]
    pub jwt_issuer: String,
    /// The audience (`aud`) every token must name (and `rotagraph token` writes).
    #[arg(long, env = "ROTAGRAPH_JWT_AUDIENCE", global = true, default_value = crate::auth::DEFAULT_ISSUER_AND_AUDIENCE)]
    pub jwt_audience: String,
}

fn parse_secret(text: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(text.to_owned()))
}

impl GlobalArgs {
    /// The database URL to use.
    pub fn database_url(&self) -> &str {
        self.database_url.as_deref().unwrap_or(DEFAULT_DATABASE_URL)
    }

    /// Whether this is the embedded default database (no `DATABASE_URL` given).
    pub fn is_default_database(&self) -> bool {
        self.database_url.is_none()
    }

    /// The file of the embedded default database, when that is the database in use.
    pub fn default_database_file(&self) -> Option<&std::path::Path> {
        self.is_default_database().then(|| std::path::Path::new(DEFAULT_DATABASE_FILE))
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The commands.
#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Run the GraphQL server (the default): migrates, loads the reference data into an empty database,
    /// and loads the demo network into the embedded default database (or with `--demo`).
    Serve(ServeArgs),
    /// Apply pending schema migrations and exit.
    Migrate,
    /// Load the reference data and a synthetic network into an empty database, printing time and row counts.
    Seed(SeedArgs),
    /// Print the GraphQL schema (SDL) to standard output.
    ExportSchema(ExportSchemaArgs),
    /// Mint a bearer token for local use (signed with the configured or development secret).
    Token(TokenArgs),
}

/// Settings of `token`.
#[derive(Clone, Debug, Args)]
pub struct TokenArgs {
    /// The role the token grants.
    #[arg(long, value_enum)]
    pub role: Role,
    /// An ICB of the principal (ODS code; repeat for several). Required for `icb_viewer` and `icb_admin`.
    #[arg(long = "icb")]
    pub icbs: Vec<String>,
    /// The principal's region (ODS code). Required for `regional`.
    #[arg(long)]
    pub region: Option<String>,
    /// The token's subject (who it is for; not personal data).
    #[arg(long, default_value = "local-developer")]
    pub subject: String,
    /// Hours until the token expires.
    #[arg(long, default_value_t = 12)]
    pub hours: u64,
}

/// Settings of `serve`.
#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "ROTAGRAPH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Load the demo network even into a database given by `DATABASE_URL` (never into one that already
    /// holds organisations or workforce data).
    #[arg(long, env = "ROTAGRAPH_DEMO")]
    pub demo: bool,
    /// Seconds to let in-flight requests finish after SIGINT or SIGTERM.
    #[arg(long, env = "ROTAGRAPH_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,
    /// In reports, counts a reader could not count from its lists (every count for anonymous callers,
    /// counts of credentials for `reporter`) are suppressed below this, with every figure derived from them.
    #[arg(long, env = "ROTAGRAPH_SUPPRESSION_THRESHOLD", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub suppression_threshold: u64,
    /// In the same reports, every count that is shown is rounded to the nearest multiple of this (1: not
    /// rounded), and figures derived from counts are computed from the rounded counts.
    #[arg(long, env = "ROTAGRAPH_ROUNDING_BASE", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub rounding_base: u64,
    /// Seconds a report's answer is kept for readers asking the same again while the data stays the same
    /// (every change made through rotagraph drops it at once; 0: reports are always worked out afresh).
    /// Changes written to the database by other means show within this time.
    #[arg(long, env = "ROTAGRAPH_REPORT_CACHE_SECONDS", default_value_t = 60)]
    pub report_cache_seconds: u64,
    /// Answer as if today were this day (YYYY-MM-DD): the default of every `asOf`, the day
    /// `CURRENT_SUCCESSOR` resolves to and the latest date a registration may have. For demonstrations,
    /// training and tests; by default, the calendar day in England.
    #[arg(long, env = "ROTAGRAPH_TODAY", value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,
    /// A read replica of the database (same URL forms as `DATABASE_URL`): queries, reports and CSV read
    /// from it, while mutations, subscriptions (and the changes they are told of) and the shared cost
    /// budgets use the primary. Never migrated: the primary's migrations reach it by replication.
    #[arg(long, env = "DATABASE_READ_URL", hide_env_values = true)]
    pub database_read_url: Option<String>,
    /// Trusted documents: a JSON file of the operations this deployment's clients send, as an object of
    /// `"<sha256 hex>": "<document>"` or an Apollo persisted-query manifest. Clients may then send them
    /// by hash alone (`extensions.persistedQuery.sha256Hash`).
    #[arg(long, env = "ROTAGRAPH_TRUSTED_DOCUMENTS", value_name = "FILE")]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Run only the trusted documents (an allow-list): any other operation is refused, and no document
    /// is learnt through automatic persisted queries. Needs `--trusted-documents`.
    #[arg(long, env = "ROTAGRAPH_ONLY_TRUSTED_DOCUMENTS")]
    pub only_trusted_documents: bool,
    /// The secret cursors are sealed with (at least 32 bytes; every replica needs the same). By default a
    /// key derived from the HS256 token secret; with RS256 tokens set it, or cursors are sealed with a key
    /// derived from the public key.
    #[arg(long, env = "ROTAGRAPH_CURSOR_SECRET", hide_env_values = true, value_name = "SECRET")]
    pub cursor_secret: Option<String>,
    /// Web origins (`scheme://host[:port]`, comma-separated) whose pages may read answers across origins
    /// (CORS): a dashboard served elsewhere. None by default; `*` allows every origin (with a warning:
    /// fit only for a deployment whose readers are all anonymous).
    #[arg(long, env = "ROTAGRAPH_CORS_ALLOWED_ORIGINS", value_delimiter = ',', value_name = "ORIGINS")]
    pub cors_allowed_origins: Vec<String>,
    /// Request limits.
    #[command(flatten)]
    pub limits: Limits,
}

/// What one request may ask of the server, checked before any SQL runs. The README lists each with its
/// default; `Limits::default()` equals the defaults of the flags.
#[derive(Clone, Debug, Args)]
pub struct Limits {
    /// Largest request body, in bytes (HTTP 413 beyond).
    #[arg(long, env = "ROTAGRAPH_MAX_BODY_BYTES", default_value_t = Limits::DEFAULT.max_body_bytes)]
    pub max_body_bytes: usize,
    /// Longest query text, in bytes.
    #[arg(long, env = "ROTAGRAPH_MAX_QUERY_BYTES", default_value_t = Limits::DEFAULT.max_query_bytes)]
    pub max_query_bytes: usize,
    /// Deepest selection nesting.
    #[arg(long, env = "ROTAGRAPH_MAX_DEPTH", default_value_t = Limits::DEFAULT.max_depth)]
    pub max_depth: usize,
    /// Deepest nesting of brackets (`{`, `[`, `(`) in the query text, and of lists and objects in the
    /// variables: checked before the request is parsed.
    #[arg(long, env = "ROTAGRAPH_MAX_NESTING", default_value_t = Limits::DEFAULT.max_nesting)]
    pub max_nesting: usize,
    /// Highest cost of one operation: every field costs 1, a connection costs its page size (`first` or
    /// `last`, default 20) times its children, `nodes(ids:)` the number of ids times its children.
    #[arg(long, env = "ROTAGRAPH_MAX_COST", default_value_t = Limits::DEFAULT.max_cost)]
    pub max_cost: usize,
    /// Most aliases in one operation (fragments included).
    #[arg(long, env = "ROTAGRAPH_MAX_ALIASES", default_value_t = Limits::DEFAULT.max_aliases)]
    pub max_aliases: usize,
    /// Most items in any list given as an argument (ids, codes, filters).
    #[arg(long, env = "ROTAGRAPH_MAX_LIST_ITEMS", default_value_t = Limits::DEFAULT.max_list_items)]
    pub max_list_items: usize,
    /// Most conditions (input objects, `and`/`or`/`not` branches included) in one `filter` argument.
    #[arg(long, env = "ROTAGRAPH_MAX_FILTER_CONDITIONS", default_value_t = Limits::DEFAULT.max_filter_conditions)]
    pub max_filter_conditions: usize,
    /// Largest answer, in bytes, estimated from the rows a request reads as it reads them: past it the
    /// request stops and is answered with `RESPONSE_TOO_LARGE` alone, before it can exhaust memory.
    #[arg(long, env = "ROTAGRAPH_MAX_RESPONSE_BYTES", default_value_t = Limits::DEFAULT.max_response_bytes)]
    pub max_response_bytes: usize,
    /// Most operations in one batched request (a JSON array).
    #[arg(long, env = "ROTAGRAPH_MAX_BATCH", default_value_t = Limits::DEFAULT.max_batch)]
    pub max_batch: usize,
    /// Seconds a request may take before it is abandoned.
    #[arg(long, env = "ROTAGRAPH_REQUEST_TIMEOUT", default_value_t = Limits::DEFAULT.request_timeout)]
    pub request_timeout: u64,
    /// Seconds one SQL statement may run (PostgreSQL's `statement_timeout`; SQLite has none: the request
    /// timeout bounds it).
    #[arg(long, env = "ROTAGRAPH_STATEMENT_TIMEOUT", default_value_t = Limits::DEFAULT.statement_timeout)]
    pub statement_timeout: u64,
    /// Cost budget per minute of one caller (a token's subject, or an anonymous caller's address).
    #[arg(long, env = "ROTAGRAPH_CALLER_BUDGET", default_value_t = Limits::DEFAULT.caller_budget)]
    pub caller_budget: u32,
    /// Cost budget per minute of one ICB, shared by every token of that ICB.
    #[arg(long, env = "ROTAGRAPH_ICB_BUDGET", default_value_t = Limits::DEFAULT.icb_budget)]
    pub icb_budget: u32,
    /// Refuse introspection (`__schema`, `__type`) and "did you mean" suggestions: for production.
    #[arg(long, env = "ROTAGRAPH_DISABLE_INTROSPECTION")]
    pub disable_introspection: bool,
    /// Do not serve GraphiQL on `GET /graphql`.
    #[arg(long, env = "ROTAGRAPH_DISABLE_GRAPHIQL")]
    pub disable_graphiql: bool,
    /// The most subscriptions one caller (a token's subject, or an anonymous caller's address) may keep
    /// open on this server, over WebSockets and Server-Sent Events together.
    #[arg(long, env = "ROTAGRAPH_MAX_SUBSCRIPTIONS", default_value_t = Limits::DEFAULT.max_subscriptions)]
    pub max_subscriptions: usize,
    /// The most subscription events one caller is sent per second, over all its subscriptions: more wait
    /// their turn (a subscriber that falls too far behind gets `EVENTS_MISSED`).
    #[arg(long, env = "ROTAGRAPH_MAX_EVENTS_PER_SECOND", default_value_t = Limits::DEFAULT.max_events_per_second)]
    pub max_events_per_second: u32,
}

impl Limits {
    /// The defaults.
    pub const DEFAULT: Self = Self {
        max_body_bytes: 256 * 1024,
        max_query_bytes: 32 * 1024,
        max_depth: 16,
        max_nesting: 40,
        max_cost: 20_000,
        max_aliases: 30,
        max_list_items: 1000,
        max_filter_conditions: 100,
        max_response_bytes: 8 * 1024 * 1024,
        max_batch: 10,
        request_timeout: 10,
        statement_timeout: 10,
        caller_budget: 200_000,
        icb_budget: 1_000_000,
        disable_introspection: false,
        disable_graphiql: false,
        max_subscriptions: 20,
        max_events_per_second: 50,
    };

    /// Refuses limits that cannot work: zeros, or a budget smaller than one operation's cost.
    pub fn check(&self) -> anyhow::Result<()> {
        let sizes = [
            ("--max-body-bytes", self.max_body_bytes),
            ("--max-query-bytes", self.max_query_bytes),
            ("--max-depth", self.max_depth),
            ("--max-nesting", self.max_nesting),
            ("--max-cost", self.max_cost),
            ("--max-batch", self.max_batch),
            ("--max-list-items", self.max_list_items),
            ("--max-filter-conditions", self.max_filter_conditions),
            ("--max-response-bytes", self.max_response_bytes),
            ("--max-subscriptions", self.max_subscriptions),
            ("--max-events-per-second", self.max_events_per_second as usize),
        ];
        if let Some((flag, _)) = sizes.iter().find(|(_, value)| *value == 0) {
            anyhow::bail!("{flag} must be at least 1");
        }
        anyhow::ensure!(
            self.max_nesting <= Self::MOST_NESTING,
            "--max-nesting must be at most {}: request bodies are JSON, parsed to 128 levels",
            Self::MOST_NESTING
        );
        anyhow::ensure!(self.request_timeout > 0 && self.statement_timeout > 0, "timeouts must be at least 1 second");
        let smallest_budget = usize::try_from(self.caller_budget.min(self.icb_budget)).unwrap_or(usize::MAX);
        anyhow::ensure!(
            smallest_budget >= self.max_cost,
            "--caller-budget and --icb-budget must be at least --max-cost ({}): one operation must be affordable",
            self.max_cost
        );
        Ok(())
    }

    /// The deepest `--max-nesting` allowed: with a request body's envelope it stays within the 128 levels
    /// serde_json parses.
    pub const MOST_NESTING: usize = 120;

    /// The request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout)
    }

    /// The statement timeout.
    pub fn statement_timeout(&self) -> Duration {
        Duration::from_secs(self.statement_timeout)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl ServeArgs {
    /// The graceful-shutdown bound.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout)
    }

    /// The most time a report's answer is kept.
    pub fn report_cache_age(&self) -> Duration {
        Duration::from_secs(self.report_cache_seconds)
    }
}

/// Settings of `seed`.
#[derive(Clone, Debug, Args)]
pub struct SeedArgs {
    /// How big a network to generate.
    #[arg(long, value_enum, default_value_t = Scale::Demo)]
    pub scale: Scale,
}

/// Settings of `export-schema`.
#[derive(Clone, Debug, Args)]
pub struct ExportSchemaArgs {
    /// Write the clients' SDL (no federation machinery) to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Also write the federation subgraph's SDL (what `_service { sdl }` answers a gateway) to this file.
    #[arg(long, value_name = "FILE")]
    pub subgraph_output: Option<PathBuf>,
}
