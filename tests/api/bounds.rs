//! No request can exhaust the server: the real binary, as a process of its own over an england-scale
//! network, is sent the worst requests that can be built within its limits (introspection fan-outs,
//! batches of full introspections, aliased reports over every placement, filters of a hundred
//! conditions, batches of reports), and after each its peak resident memory (`VmHWM`) must stay under
//! 300 MB and its answer must come within the request's time bound, refused or answered whole.

use crate::helpers::{TEST_SECRET, TEST_TODAY, fresh_database, start_binary, token};
use crate::limits::INTROSPECTION;
use rotagraph::generator::{self, Scale};
use rotagraph::services::access::Role;
use serde_json::{Value, json};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The peak resident memory no request may push the server past.
const MAX_PEAK_BYTES: u64 = 300 * 1024 * 1024;

/// The server's time limit for a whole request, and the most an answer may take to arrive.
const REQUEST_TIMEOUT_SECONDS: u64 = 10;

/// The server binary, serving `database_url` on a random port.
struct Server {
    child: Child,
    address: String,
    client: reqwest::Client,
}

impl Server {
    async fn start(database_url: &str) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rotagraph"));
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--log-format", "json", "--log", "warn,rotagraph::app=info"])
            .args(["--request-timeout", &REQUEST_TIMEOUT_SECONDS.to_string(), "--today", &TEST_TODAY.to_string()])
            .args(["--caller-budget", "100000000", "--icb-budget", "100000000"])
            .env("DATABASE_URL", database_url)
            .env_remove("ROTAGRAPH_DEMO")
            .env("ROTAGRAPH_JWT_SECRET", String::from_utf8_lossy(TEST_SECRET).as_ref());
        let (child, address) = start_binary(command).await;
        Self { child, address, client: reqwest::Client::new() }
    }

    /// The server's peak resident memory so far, in bytes.
    fn peak_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("process status");
        let line = status.lines().find(|line| line.starts_with("VmHWM:")).expect("VmHWM");
        line.split_whitespace().nth(1).and_then(|kib| kib.parse::<u64>().ok()).expect("kB") * 1024
    }

    /// Sends `body` (a request or a batch) with `token`, checks the time and memory bounds, prints the
    /// figures (for `BENCHMARKS.md`, with `--nocapture`), and returns the answer.
    #[expect(clippy::print_stderr, reason = "the figures are the benchmark's record")]
    async fn send(&self, what: &str, body: &Value, token: Option<&str>) -> Value {
        let mut request = self.client.post(format!("http://{}/graphql", self.address)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let response = request.send().await.unwrap_or_else(|error| panic!("{what}: no answer: {error}"));
        let answer: Value = response.json().await.unwrap_or_else(|error| panic!("{what}: not JSON: {error}"));
        let took = started.elapsed();
        let peak = self.peak_bytes();
        assert!(
            took <= Duration::from_secs(REQUEST_TIMEOUT_SECONDS + 2),
            "{what}: answered after {took:?}, past the request's time bound"
        );
        assert!(peak < MAX_PEAK_BYTES, "{what}: the server's peak memory reached {} MB", peak / 1024 / 1024);
        eprintln!("bounds: {what}: {took:?}, peak {} MB", peak / 1024 / 1024);
        answer
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The codes of an answer's errors (a batch's, item by item, flattened).
fn codes(answer: &Value) -> Vec<String> {
    let items = answer.as_array().cloned().unwrap_or_else(|| vec![answer.clone()]);
    items
        .iter()
        .flat_map(|item| item["errors"].as_array().cloned().unwrap_or_default())
        .map(|error| error["extensions"]["code"].as_str().unwrap_or("NO CODE").to_owned())
        .collect()
}

/// `count` aliases of `field`, each made by `alias(index)`.
fn aliased(count: usize, field: impl Fn(usize) -> String) -> String {
    (0..count).map(|index| format!("a{index}: {}", field(index))).collect::<Vec<_>>().join(" ")
}

/// A day `index` months before the test's today.
fn months_back(index: usize) -> String {
    (TEST_TODAY - chrono::Months::new(u32::try_from(index).expect("months"))).to_string()
}

fn cross_icb_flows(index: usize) -> String {
    format!(
        r#"reports {{ crossIcbFlows(filter: {{ asOf: "{}" }}) {{ owner {{ code }} host {{ code }} placements {{ value }} wte {{ value }} }} }}"#,
        months_back(index)
    )
}

/// The longest monthly series the cost admits: 120 months.
fn placement_activity(index: usize) -> String {
    activity_between(&months_back(index + 119), &months_back(index))
}

fn activity_between(from: &str, to: &str) -> String {
    format!(
        r#"reports {{ placementActivity(granularity: MONTH, filter: {{ from: "{from}", to: "{to}" }}) {{ period sector placements {{ value }} wte {{ value }} }} }}"#
    )
}

/// A filter of 99 conditions: an `or` of 19 `not`s of an ICB list and a start date, and 4 `and`s.
fn large_filter(icbs: &[String]) -> Value {
    let icbs: Vec<&String> = icbs.iter().take(9).collect();
    let mut branches: Vec<Value> = (0..19)
        .map(|index| {
            json!({ "not": { "hostIcb": { "in": icbs }, "startDate": { "from": format!("20{:02}-01-01", 10 + index) } } })
        })
        .collect();
    branches.extend((0..4).map(|index| {
        json!({ "and": [ { "startDate": { "from": format!("202{index}-01-01") } }, { "status": { "in": ["APPROVED", "PLANNED"] } } ] })
    }));
    json!({ "or": branches })
}

/// The cost the server charges for `query` alone (with `variables`), from its `extensions.cost`.
async fn cost_of(server: &Server, query: &str, variables: &Value, token: Option<&str>) -> u64 {
    let answer = server.send("costing", &json!({ "query": query, "variables": variables }), token).await;
    answer["extensions"]["cost"]["requested"].as_u64().unwrap_or_else(|| panic!("a cost: {answer}"))
}

/// The most aliases of a field costing `each` that the default cost limit admits in one request.
fn most_admitted(each: u64) -> usize {
    usize::try_from(20_000 / each.max(1)).expect("count").clamp(1, 30)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_takes_the_server_past_its_memory_and_time_bounds_at_england_scale() {
    let test_db = fresh_database().await;
    rotagraph::app::prepare_database(&test_db.db, rotagraph::app::DemoData::Skip).await.expect("prepare");
    generator::seed(&test_db.db, Scale::England).await.expect("seed the england network");
    let server = Server::start(&test_db.url).await;
    let national = token(Role::National, &[], None);
    let reporter = token(Role::Reporter, &[], None);
    let national = Some(national.as_str());

    // 1. Introspection fan-out: refused by its cost before it runs (the 192-byte one, and a step more).
    let fan_out = r#"{ __type(name: "Node") { possibleTypes { name interfaces { name possibleTypes { name interfaces { name possibleTypes { name interfaces { name possibleTypes { name description } } } } } } } } }"#;
    let deeper = fan_out.replace(
        "possibleTypes { name description }",
        "possibleTypes { name interfaces { name possibleTypes { name } } }",
    );
    for query in [fan_out.to_owned(), deeper] {
        let answer = server.send("introspection fan-out", &json!({ "query": query }), None).await;
        assert_eq!(codes(&answer), ["QUERY_TOO_COMPLEX"], "{answer}");
    }
    // GraphiQL's introspection still runs.
    let graphiql = server.send("GraphiQL's introspection", &json!({ "query": INTROSPECTION }), None).await;
    assert!(graphiql["errors"].is_null(), "{}", graphiql["errors"]);
    assert!(graphiql["data"]["__schema"]["types"].as_array().is_some_and(|types| types.len() > 100));

    // 2. A batch of ten, each with 30 aliases of the whole schema: refused whole, nothing built.
    let full = aliased(30, |_| "__schema { types { ...FullType } }".to_owned());
    let fragments = &INTROSPECTION[INTROSPECTION.find("fragment FullType").expect("fragments")..];
    let item = json!({ "query": format!("{{ {full} }} {fragments}") });
    let batch = Value::Array(vec![item; 10]);
    let answer = server.send("a batch of full introspections", &batch, None).await;
    assert_eq!(codes(&answer), vec!["QUERY_TOO_COMPLEX"; 10], "{answer}");
    // The most full introspections one request may hold, in a batch: those past the limit are refused.
    let one = json!({ "query": INTROSPECTION });
    let answer = server.send("a batch of GraphiQL introspections", &Value::Array(vec![one; 10]), None).await;
    let refused = codes(&answer);
    assert!(!refused.is_empty() && refused.iter().all(|code| code == "QUERY_TOO_COMPLEX"), "{refused:?}");

    // 3. Report aliases: thirty are refused; the most the cost admits run within the bounds.
    for (name, report) in
        [("crossIcbFlows", cross_icb_flows as fn(usize) -> String), ("placementActivity", placement_activity)]
    {
        let thirty = format!("{{ {} }}", aliased(30, report));
        let answer = server.send(&format!("30 aliases of {name}"), &json!({ "query": thirty }), national).await;
        assert_eq!(codes(&answer), ["QUERY_TOO_COMPLEX"], "{name}");
        // Costed on a range as long but empty (or a day long gone), so the costing itself is quick.
        let empty = if name == "placementActivity" {
            activity_between("2100-01-01", "2109-12-31")
        } else {
            report(0).replace(&months_back(0), "2000-01-01")
        };
        let each = cost_of(&server, &format!("{{ {empty} }}"), &json!({}), national).await;
        let most = format!("{{ {} }}", aliased(most_admitted(each), report));
        let answer =
            server.send(&format!("the most aliases of {name} admitted"), &json!({ "query": most }), national).await;
        let answered = codes(&answer);
        assert!(answered.is_empty() || answered == ["REQUEST_TIMEOUT"], "{name}: {answered:?}");
    }

    // 4. A filter of 99 conditions over every placement, aliased: thirty refused, the most admitted bounded.
    let icbs: Vec<String> =
        server.send("ICBs", &json!({ "query": "{ icbs { odsCode } }" }), None).await["data"]["icbs"]
            .as_array()
            .expect("icbs")
            .iter()
            .filter_map(|icb| icb["odsCode"].as_str().map(str::to_owned))
            .collect();
    let variables = json!({ "f": large_filter(&icbs) });
    let placements = |_| {
        "placements(first: 100, filter: $f, orderBy: { field: START_DATE, direction: DESC }) { totalCount nodes { id } }".to_owned()
    };
    let query = |count| format!("query($f: PlacementFilter) {{ {} }}", aliased(count, placements));
    let answer = server
        .send("30 aliases of a large filter", &json!({ "query": query(30), "variables": variables }), national)
        .await;
    assert_eq!(codes(&answer), ["QUERY_TOO_COMPLEX"]);
    let each = cost_of(&server, &query(1), &variables, national).await;
    let viewer = token(Role::IcbViewer, &[icbs[0].as_str()], None);
    for (who, token) in [("national", national), ("an ICB viewer", Some(viewer.as_str()))] {
        let body = json!({ "query": query(most_admitted(each)), "variables": variables });
        let answer = server.send(&format!("the most aliases of a large filter admitted, {who}"), &body, token).await;
        let answered = codes(&answer);
        assert!(answered.is_empty() || answered == ["REQUEST_TIMEOUT"], "{who}: {answered:?}");
    }

    // 5. A batch shares one cost limit and one time limit: eight activity reports in each of three items.
    let item = json!({ "query": format!("{{ {} }}", aliased(8, placement_activity)) });
    let answer = server.send("a batch of aliased reports", &Value::Array(vec![item; 3]), national).await;
    let answered = codes(&answer);
    assert!(answered.iter().all(|code| code == "QUERY_TOO_COMPLEX") || answered == ["REQUEST_TIMEOUT"], "{answered:?}");

    // The reporter's reports, the same way.
    let reporter = Some(reporter.as_str());
    let body = json!({ "query": format!("{{ {} }}", aliased(most_admitted(2_100), cross_icb_flows)) });
    let answer = server.send("the most crossIcbFlows a reporter may ask", &body, reporter).await;
    let answered = codes(&answer);
    assert!(answered.is_empty() || answered == ["REQUEST_TIMEOUT"], "{answered:?}");
}
