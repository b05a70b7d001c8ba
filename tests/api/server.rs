use crate::helpers::spawn_app;
use rotagraph::app::DemoData;

#[tokio::test]
async fn health_ready_and_graphiql_answer() {
    let app = spawn_app(DemoData::Skip).await;

    let health = app.client.get(app.url("/health")).send().await.expect("health");
    let ready = app.client.get(app.url("/ready")).send().await.expect("ready");
    let graphiql = app.client.get(app.url("/graphql")).header("accept", "text/html").send().await.expect("graphiql");
    let missing = app.client.get(app.url("/nowhere")).send().await.expect("404");

    assert_eq!(health.status(), 200);
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.expect("json")["status"], "ready");
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.expect("html").contains("graphiql"));
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn graphiql_is_served_whole_from_the_server_itself() {
    let app = spawn_app(DemoData::Skip).await;

    let page = app.client.get(app.url("/graphql")).header("accept", "text/html").send().await.expect("page");
    let policy = page.headers().get("content-security-policy").and_then(|value| value.to_str().ok()).map(str::to_owned);
    let html = page.text().await.expect("html");
    let files: Vec<&str> = html.split("/graphiql/").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let unknown = app.client.get(app.url("/graphiql/..%2Fgraphql.rs")).send().await.expect("unknown file");

    assert!(!html.contains("http://") && !html.contains("https://"), "no file comes from elsewhere");
    assert_eq!(
        files,
        [
            "graphiql.min.css",
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphql-ws.min.js",
            "graphiql.min.js"
        ]
    );
    for file in files {
        let asset = app.client.get(app.url(&format!("/graphiql/{file}"))).send().await.expect("asset");
        let content_type =
            asset.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or_default();
        let expected = if file.ends_with(".css") { "text/css" } else { "application/javascript" };
        assert!(content_type.starts_with(expected), "{file}: {content_type}");
        assert_eq!(asset.status(), 200, "{file}");
        assert!(asset.bytes().await.expect("bytes").len() > 10_000, "{file} is the whole build");
    }
    assert!(policy.is_some_and(|policy| policy.contains("default-src 'none'") && policy.contains("'sha256-")));
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn ready_turns_false_when_migrations_are_pending() {
    let app = spawn_app(DemoData::Skip).await;
    use migration::MigratorTrait;
    migration::Migrator::down(app.db(), Some(1)).await.expect("revert the last migration");

    let ready = app.client.get(app.url("/ready")).send().await.expect("ready");

    assert_eq!(ready.status(), 503);
}

/// The real binary: `serve` on a database given by `DATABASE_URL` loads no demo data, answers, and exits
/// cleanly on SIGTERM.
#[cfg(unix)]
#[tokio::test]
async fn the_binary_serves_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_rotagraph"));
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("serve.db").display()))
        .env_remove("ROTAGRAPH_DEMO")
        .env("ROTAGRAPH_JWT_SECRET", String::from_utf8_lossy(crate::helpers::TEST_SECRET).as_ref());
    let (mut child, address) = crate::helpers::start_binary(command).await;

    let client = reqwest::Client::new();
    let health = client.get(format!("http://{address}/health")).send().await.expect("health");
    let demo_practice = client
        .post(format!("http://{address}/graphql"))
        .json(&serde_json::json!({ "query": r#"{ organisation(odsCode: "Z00001") { name } }"# }))
        .send()
        .await
        .expect("graphql")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    // A subscription over SSE stays open until the server stops: then it ends at once, with `complete`.
    let token = crate::helpers::token(rotagraph::services::access::Role::National, &[], None);
    let stream = client
        .post(format!("http://{address}/graphql"))
        .header("accept", "text/event-stream")
        .bearer_auth(token)
        .json(&serde_json::json!({ "query": "subscription { fillRateChanged(groupBy: ICB) { placesOffered } }" }))
        .send()
        .await
        .expect("event stream");
    let mut events = futures_util::StreamExt::boxed(stream.bytes_stream());
    let first = futures_util::StreamExt::next(&mut events).await.expect("an event").expect("bytes");
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let mut rest = String::new();
    while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut events).await {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    assert!(String::from_utf8_lossy(&first).contains("event: next"), "{first:?}");
    assert!(rest.contains("event: complete"), "the stream ends with `complete` when the server stops: {rest:?}");

    assert_eq!(health.status(), 200);
    assert_eq!(demo_practice["data"], serde_json::json!({ "organisation": null }), "no demo data");
    assert!(killed.success());
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
}

/// Text logs written to a pipe (or a file) carry no ANSI colour codes.
#[test]
fn text_logs_to_a_pipe_are_plain() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rotagraph"))
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "text"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("serve.db").display()))
        .env_remove("ROTAGRAPH_DEMO")
        .env("ROTAGRAPH_JWT_SECRET", String::from_utf8_lossy(crate::helpers::TEST_SECRET).as_ref())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start rotagraph");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = Vec::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let listening = line.contains("listening");
        lines.push(line);
        if listening || lines.len() > 200 {
            break;
        }
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert!(lines.iter().any(|line| line.contains("listening")), "{lines:?}");
    assert!(lines.iter().all(|line| !line.contains('\u{1b}')), "{lines:?}");
}

/// Secure by default: with any database but the embedded default, the server does not start without a
/// token key.
#[test]
fn the_server_refuses_to_start_without_a_key_on_a_configured_database() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rotagraph"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("serve.db").display()))
        .env_remove("ROTAGRAPH_JWT_SECRET")
        .env_remove("ROTAGRAPH_JWT_PUBLIC_KEY_FILE")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run rotagraph");

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line, no backtrace: {stderr}");
    assert!(stderr.starts_with("error: no token key configured"), "{stderr}");
    assert!(!dir.path().join("serve.db").exists(), "nothing is created before the key check");
}

/// The value of the sample `name` (with its labels, as Prometheus writes them) in a scrape.
fn sample(scrape: &str, name: &str) -> Option<f64> {
    scrape.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_operations_outcomes_error_codes_statements_and_open_subscriptions() {
    let limits = rotagraph::config::Limits { max_cost: 100, caller_budget: 100, ..Default::default() };
    let app = crate::helpers::spawn_app_with(DemoData::Load, limits).await;
    let reporter = crate::helpers::token(rotagraph::services::access::Role::Reporter, &[], None);

    app.graphql("{ regions { odsCode } }", serde_json::json!({})).await;
    app.graphql_as(Some(&reporter), "{ pharmacists(first: 1) { nodes { givenName } } }", serde_json::json!({})).await;
    app.graphql("{ regions { odsCode ", serde_json::json!({})).await;
    app.graphql("{ nope }", serde_json::json!({})).await;
    let unsupported = app.client.post(app.url("/graphql")).header("content-type", "text/plain").body("{}").send().await;
    assert_eq!(unsupported.expect("415").status(), 415);
    // The budget of 100 a minute pays for this once, with the two before, and not twice.
    let costly = "{ organisations(first: 25) { nodes { odsCode name } } }";
    let paid = app.graphql(costly, serde_json::json!({})).await;
    let throttled = app.graphql(costly, serde_json::json!({})).await;
    let subscription = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "text/event-stream")
        .json(&serde_json::json!({ "query": "subscription { vacancyChanged { action } }" }))
        .send()
        .await
        .expect("subscription");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let scrape = app.client.get(app.url("/metrics")).send().await.expect("metrics");
    let content_type = scrape.headers().get("content-type").and_then(|value| value.to_str().ok()).map(str::to_owned);
    let scrape = scrape.text().await.expect("text");

    assert!(paid["errors"].is_null(), "{paid}");
    assert_eq!(crate::helpers::error_codes(&throttled), ["RATE_LIMITED"]);
    assert!(content_type.is_some_and(|content_type| content_type.starts_with("text/plain; version=0.0.4")));
    let value = |name: &str| sample(&scrape, name);
    assert_eq!(value(r#"rotagraph_graphql_operations_total{operation="query",outcome="ok"}"#), Some(2.0), "{scrape}");
    assert_eq!(value(r#"rotagraph_graphql_operations_total{operation="query",outcome="partial"}"#), Some(1.0));
    assert_eq!(value(r#"rotagraph_graphql_operations_total{operation="unknown",outcome="refused"}"#), Some(2.0));
    assert_eq!(value(r#"rotagraph_graphql_operations_total{operation="query",outcome="refused"}"#), Some(2.0));
    assert_eq!(value(r#"rotagraph_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}"#), Some(1.0));
    assert_eq!(value(r#"rotagraph_graphql_errors_total{code="UNSUPPORTED_MEDIA_TYPE"}"#), Some(1.0));
    assert_eq!(value(r#"rotagraph_graphql_errors_total{code="NONE"}"#), None, "every error has its code");
    assert_eq!(value(r#"rotagraph_graphql_operations_total{operation="subscription",outcome="ok"}"#), Some(1.0));
    assert_eq!(value(r#"rotagraph_graphql_errors_total{code="FORBIDDEN"}"#), Some(1.0));
    assert_eq!(value(r#"rotagraph_graphql_errors_total{code="GRAPHQL_PARSE_FAILED"}"#), Some(1.0));
    assert_eq!(value(r#"rotagraph_graphql_errors_total{code="RATE_LIMITED"}"#), Some(1.0));
    assert_eq!(value("rotagraph_rate_limited_total"), Some(1.0));
    assert_eq!(value("rotagraph_open_subscriptions"), Some(1.0));
    assert_eq!(value(r#"rotagraph_http_responses_total{status="429"}"#), Some(1.0));
    assert!(value("rotagraph_graphql_operation_duration_seconds_count{operation=\"query\"}").is_some_and(|n| n >= 3.0));
    assert!(value("rotagraph_sql_statements_per_request_count").is_some_and(|count| count >= 4.0), "{scrape}");
    assert!(value("rotagraph_sql_statements_total").is_some_and(|count| count >= 2.0));
    assert!(value(r#"rotagraph_db_pool_connections{state="idle"}"#).is_some());
    assert!(!scrape.contains("pharmacists") && !scrape.contains("givenName"), "no query text in metrics");
    drop(subscription);
}

/// A port no one listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

#[tokio::test]
async fn traces_reach_an_otlp_collector_when_configured_and_carry_no_query_text() {
    use poem::{EndpointExt, handler, post, web::Data};
    use std::sync::{Arc, Mutex};
    type Received = Arc<Mutex<Vec<String>>>;
    #[handler]
    async fn collect(body: String, received: Data<&Received>) -> &'static str {
        received.lock().expect("lock").push(body);
        "{}"
    }
    let received: Received = Arc::default();
    let collector = poem::listener::TcpListener::bind("127.0.0.1:0");
    let acceptor = poem::listener::Listener::into_acceptor(collector).await.expect("collector");
    let collector_address =
        poem::listener::Acceptor::local_addr(&acceptor)[0].as_socket_addr().copied().expect("collector address");
    let routes = poem::Route::new().at("/v1/traces", post(collect)).data(received.clone());
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(routes));

    let dir = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_rotagraph"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--shutdown-timeout", "5"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("traced.db").display()))
        .env("ROTAGRAPH_JWT_SECRET", "traces-test-secret-0123456789abcdef")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{collector_address}"))
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start rotagraph");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut ready = false;
    for _ in 0..200 {
        if client.get(format!("{base}/ready")).send().await.is_ok_and(|response| response.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the server became ready");
    let answer = client
        .post(format!("{base}/graphql"))
        .json(&serde_json::json!({
            "query": "query SecretName($code: OdsCode!) { organisation(odsCode: $code) { name } }",
            "variables": { "code": "QMM" }
        }))
        .send()
        .await
        .expect("query");
    assert_eq!(answer.status(), 200);
    // SIGTERM: the server stops and sends its last spans.
    let pid = server.id().expect("pid").to_string();
    let killed = tokio::process::Command::new("kill").args(["-TERM", &pid]).status().await.expect("kill");
    assert!(killed.success());
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(30), server.wait()).await;
    assert!(stopped.is_ok_and(|status| status.is_ok_and(|status| status.success())), "stopped cleanly");

    let exported = received.lock().expect("lock").join("\n");
    assert!(exported.contains("\"rotagraph\""), "the service's name: {exported}");
    assert!(exported.contains("\"request\"") && exported.contains("\"graphql\""), "both spans: {exported}");
    assert!(exported.contains("/graphql") && exported.contains("\"query\""), "path and operation type: {exported}");
    for secret in ["SecretName", "organisation", "QMM", "odsCode"] {
        assert!(!exported.contains(secret), "no query text or variables in spans ({secret}): {exported}");
    }
}
