use crate::helpers::spawn_app;
use rotagraph::app::DemoData;

#[tokio::test]
async fn health_ready_and_graphiql_answer() {
    let app = spawn_app(DemoData::Skip).await;

    let health = app.client.get(app.url("/health")).send().await.expect("health");
    let ready = app.client.get(app.url("/ready")).send().await.expect("ready");
    let graphiql = app.client.get(app.url("/graphql")).send().await.expect("graphiql");
    let missing = app.client.get(app.url("/nowhere")).send().await.expect("404");

    assert_eq!(health.status(), 200);
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.expect("json")["status"], "ready");
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.expect("html").contains("graphiql"));
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn ready_turns_false_when_migrations_are_pending() {
    let app = spawn_app(DemoData::Skip).await;
    use migration::MigratorTrait;
    migration::Migrator::down(app.db(), Some(1)).await.expect("revert the last migration");

    let ready = app.client.get(app.url("/ready")).send().await.expect("ready");

    assert_eq!(ready.status(), 503);
}
