//! The command line and every setting. Each setting is a flag and an environment variable; `--help`
//! lists them and the README documents them.

use crate::generator::Scale;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The SQLite database used when `DATABASE_URL` is not set: a file under `./data/`, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/rotagraph.db?mode=rwc";

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
}

impl ServeArgs {
    /// The graceful-shutdown bound.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout)
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
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
}
