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
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("temporary directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rotagraph"))
        .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("serve.db").display()))
        .env_remove("ROTAGRAPH_DEMO")
        .env("ROTAGRAPH_JWT_SECRET", String::from_utf8_lossy(crate::helpers::TEST_SECRET).as_ref())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rotagraph");
    // Read the log to the end (so the server never writes into a closed pipe), passing on its address.
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
    let address = tokio::task::spawn_blocking(move || receiver.recv_timeout(std::time::Duration::from_secs(60)))
        .await
        .expect("join")
        .expect("the server logs its address");

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
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");

    assert_eq!(health.status(), 200);
    assert_eq!(demo_practice["data"], serde_json::json!({ "organisation": null }), "no demo data");
    assert!(killed.success());
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
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
