//! Logging. Lines carry a readable message plus structured fields; SQL statements are logged only at
//! DEBUG, and never with their bound values (which may be personal data).

use crate::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `filter` is an EnvFilter directive string; noisy dependencies are
/// quietened unless the filter names them.
pub fn init(filter: &str, format: LogFormat) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(format!("sqlx::postgres::notice=warn,sqlx::query=warn,{filter}"))?;
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!(error))?;
    // A panic's message can quote the data it met: log where it happened, not what it said.
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|location| format!("{}:{}", location.file(), location.line()));
        tracing::error!(location = location.unwrap_or_default(), "panic");
    }));
    Ok(())
}
