//! Logging, and OpenTelemetry traces when configured. Lines carry a readable message plus structured
//! fields; SQL statements are logged only at DEBUG, and never with their bound values (which may be
//! personal data).
//!
//! Traces are off unless an OTLP endpoint is given (`--otlp-endpoint` or the standard
//! `OTEL_EXPORTER_OTLP_ENDPOINT`): then rotagraph's own spans (each HTTP request, each GraphQL operation
//! with its type, cost and outcome) are exported over OTLP/HTTP (`OTEL_EXPORTER_OTLP_PROTOCOL`:
//! `http/protobuf`, the default, or `http/json`), in batches. Spans carry no query text, variables,
//! ids or personal data, and no other crate's spans are exported.

use crate::config::LogFormat;
use anyhow::Context as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer as _, fmt};

/// The target of spans made for traces only: log lines neither show them nor pay for formatting them.
pub const TRACE_ONLY: &str = "rotagraph::trace";

/// What [`init`] installed that must be flushed before the process ends.
#[must_use = "call `shutdown` to send the last traces"]
pub struct Telemetry {
    traces: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans not yet exported (if traces are on).
    pub fn shutdown(self) {
        if let Some(provider) = self.traces
            && let Err(error) = provider.shutdown()
        {
            tracing::warn!(error = %error, "the last traces could not be sent");
        }
    }
}

/// Installs the global subscriber. `filter` is an EnvFilter directive string; noisy dependencies are
/// quietened unless the filter names them. With `otlp_endpoint` (the collector's base URL), traces are
/// exported too.
pub fn init(filter: &str, format: LogFormat, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_new(format!("sqlx::postgres::notice=warn,sqlx::query=warn,{filter},{TRACE_ONLY}=off"))?;
    let log_lines = match format {
        // Colours only on a terminal: a log file or a pipe gets plain text.
        LogFormat::Text => {
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
            fmt::layer().with_ansi(terminal).with_writer(std::io::stderr).boxed()
        }
        LogFormat::Json => fmt::layer().json().flatten_event(true).with_writer(std::io::stderr).boxed(),
    }
    .with_filter(filter);
    let traces = otlp_endpoint.map(tracer_provider).transpose()?;
    let spans = traces.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("rotagraph"))
            .with_filter(Targets::new().with_target("rotagraph", tracing::Level::INFO))
    });
    tracing_subscriber::registry().with(log_lines).with(spans).try_init().map_err(|error| anyhow::anyhow!(error))?;
    // A panic's message can quote the data it met: log where it happened, not what it said.
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|location| format!("{}:{}", location.file(), location.line()));
        tracing::error!(location = location.unwrap_or_default(), "panic");
    }));
    Ok(Telemetry { traces })
}

/// A provider exporting spans in batches to the collector at `endpoint` over OTLP/HTTP.
fn tracer_provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .context("setting up the OTLP trace exporter")?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name("rotagraph").build();
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
}
