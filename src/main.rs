//! The `rotagraph` command: parse the command line, set up logging, run the command.

use anyhow::Context as _;
use clap::Parser;
use entity::enums::OrganisationKind;
use rotagraph::config::{Cli, Command};
use rotagraph::domain::OdsCode;
use rotagraph::services::access::{Principal, Role};
use rotagraph::{app, auth, db, generator, graphql, telemetry};
use std::io::Write;
use std::process::ExitCode;

/// mimalloc: a request allocates and frees many small values on several worker threads, where glibc's
/// allocator spent a third of the CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs the command; a refusal or failure is printed as one line (`error: ` and its causes), with no
/// backtrace whatever `RUST_BACKTRACE` says, and the exit status is 1.
#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let line = format!("{error:#}").replace(['\n', '\r'], " ");
            // Nothing more can be done if stderr is closed.
            let _ = writeln!(std::io::stderr().lock(), "error: {line}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let telemetry = telemetry::init(&cli.global.log, cli.global.log_format, cli.global.otlp_endpoint.as_deref())?;
    let result = run_command(cli).await;
    telemetry.shutdown();
    result
}

async fn run_command(cli: Cli) -> anyhow::Result<()> {
    match cli.command() {
        Command::Serve(settings) => {
            let keys = auth::load_keys(&cli.global.auth, cli.global.default_database_file())?;
            let statement_timeout = Some(settings.limits.statement_timeout());
            let db = db::connect_with_statement_timeout(cli.global.database_url(), statement_timeout).await?;
            let demo = if settings.demo || cli.global.is_default_database() {
                app::DemoData::Load
            } else {
                app::DemoData::Skip
            };
            app::prepare_database(&db, demo).await?;
            app::App::build(&settings, db, keys).await?.run_until(app::shutdown_signal()).await
        }
        Command::Migrate => {
            let db = db::connect(cli.global.database_url()).await?;
            db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed(settings) => {
            let db = db::connect(cli.global.database_url()).await?;
            db::migrate(&db).await?;
            let report = generator::seed(&db, settings.scale).await?;
            let mut out = std::io::stdout().lock();
            for (table, rows) in &report.rows {
                writeln!(out, "{table:<30} {rows:>9}")?;
            }
            let total: usize = report.rows.iter().map(|(_, rows)| rows).sum();
            writeln!(out, "{:<30} {total:>9}", "total rows")?;
            writeln!(
                out,
                "generated in {:.1} s, written in {:.1} s, {:.1} s in all",
                report.generate_time.as_secs_f64(),
                report.write_time.as_secs_f64(),
                (report.generate_time + report.write_time).as_secs_f64()
            )?;
            Ok(())
        }
        Command::Token(settings) => {
            let keys = auth::load_keys(&cli.global.auth, cli.global.default_database_file())?;
            let (icbs, region) = match settings.role {
                Role::IcbViewer | Role::IcbAdmin => {
                    anyhow::ensure!(!settings.icbs.is_empty(), "--role {:?} needs at least one --icb", settings.role);
                    let icbs = settings
                        .icbs
                        .iter()
                        .map(|code| OdsCode::parse_for(OrganisationKind::Icb, code).map(|c| c.to_string()));
                    (icbs.collect::<Result<Vec<_>, _>>()?, None)
                }
                Role::Regional => {
                    let region = settings.region.as_deref().context("--role regional needs --region")?;
                    (Vec::new(), Some(OdsCode::parse_for(OrganisationKind::Region, region)?.to_string()))
                }
                Role::National | Role::Reporter => (Vec::new(), None),
            };
            let principal = Principal { subject: settings.subject, role: Some(settings.role), icbs, region };
            let token = keys.mint(&principal, std::time::Duration::from_secs(settings.hours * 3600))?;
            writeln!(std::io::stdout().lock(), "{token}")?;
            Ok(())
        }
        Command::ExportSchema(settings) => {
            let sdl = graphql::sdl();
            match settings.output {
                Some(path) => std::fs::write(path, sdl)?,
                None => std::io::stdout().lock().write_all(sdl.as_bytes())?,
            }
            if let Some(path) = settings.subgraph_output {
                std::fs::write(path, graphql::subgraph_sdl())?;
            }
            Ok(())
        }
    }
}
