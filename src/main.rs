//! The `rotagraph` command: parse the command line, set up logging, run the command.

use clap::Parser;
use rotagraph::config::{Cli, Command};
use rotagraph::{app, db, generator, graphql, telemetry};
use std::io::Write;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(&cli.global.log, cli.global.log_format)?;
    match cli.command() {
        Command::Serve(settings) => {
            let db = db::connect(cli.global.database_url()).await?;
            let demo = if settings.demo || cli.global.is_default_database() {
                app::DemoData::Load
            } else {
                app::DemoData::Skip
            };
            app::prepare_database(&db, demo).await?;
            app::App::build(&settings, db).await?.run_until(app::shutdown_signal()).await
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
        Command::ExportSchema(settings) => {
            let sdl = graphql::sdl();
            match settings.output {
                Some(path) => std::fs::write(path, sdl)?,
                None => std::io::stdout().lock().write_all(sdl.as_bytes())?,
            }
            Ok(())
        }
    }
}
