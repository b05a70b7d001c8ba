/// The committed SDL snapshots are what the code serves, and what `rotagraph export-schema` writes: the
/// clients' `schema.graphql` (no federation machinery) and the gateway's `subgraph.graphql`.
#[test]
fn the_committed_schemas_are_in_step_with_the_code_and_export_schema() {
    let committed = include_str!("../../schema.graphql");
    let committed_subgraph = include_str!("../../subgraph.graphql");
    let dir = tempfile::tempdir().expect("temporary directory");
    let subgraph = dir.path().join("subgraph.graphql");
    let exported = std::process::Command::new(env!("CARGO_BIN_EXE_rotagraph"))
        .arg("export-schema")
        .arg("--subgraph-output")
        .arg(&subgraph)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run rotagraph export-schema");

    let again = "run `cargo run -- export-schema --output schema.graphql --subgraph-output subgraph.graphql`";
    assert!(exported.status.success());
    assert_eq!(rotagraph::graphql::sdl(), committed, "{again}");
    assert_eq!(String::from_utf8_lossy(&exported.stdout), committed);
    assert_eq!(rotagraph::graphql::subgraph_sdl(), committed_subgraph, "{again}");
    assert_eq!(std::fs::read_to_string(&subgraph).expect("subgraph.graphql written"), committed_subgraph);
}

/// Client tooling loads `schema.graphql`: it holds no federation directive, type or schema extension.
#[test]
fn the_clients_schema_holds_no_federation_machinery() {
    let committed = include_str!("../../schema.graphql");
    for federation in ["@link", "@key", "@shareable", "extend schema", "_Any", "_entities", "_service", "_Entity"] {
        assert!(!committed.contains(federation), "schema.graphql holds {federation}");
    }
    let subgraph = include_str!("../../subgraph.graphql");
    for federation in ["@link", "@key(fields: \"id\")", "@shareable"] {
        assert!(subgraph.contains(federation), "subgraph.graphql lacks {federation}");
    }
}
