/// The committed SDL snapshot is what the code serves, and what `rotagraph export-schema` prints.
#[test]
fn schema_graphql_is_in_step_with_the_code_and_export_schema() {
    let committed = include_str!("../../schema.graphql");
    let exported = std::process::Command::new(env!("CARGO_BIN_EXE_rotagraph"))
        .arg("export-schema")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run rotagraph export-schema");

    assert!(exported.status.success());
    assert_eq!(rotagraph::graphql::sdl(), committed, "run `cargo run -- export-schema --output schema.graphql`");
    assert_eq!(String::from_utf8_lossy(&exported.stdout), committed);
}
