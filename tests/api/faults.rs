//! Faults: PostgreSQL becomes unreachable under a steady loopback load and comes back. The server runs
//! against the test's PostgreSQL through a TCP proxy that the test cuts (every connection dropped, new
//! ones refused, as when the server stops) and restores. `/ready` turns false, requests fail cleanly and
//! promptly, service recovers without a restart, and no write is left half done.
//!
//! The fault concerns a database server: it runs when `TEST_DATABASE_URL` names a PostgreSQL server, as
//! in CI; the embedded SQLite database cannot become unreachable.

use crate::helpers::{TEST_SECRET, token};
use entity::prelude::{AuditLog, ProgrammeSector, RotationProgramme};
use rotagraph::app::{self, App, DemoData};
use rotagraph::config::{Limits, ServeArgs};
use rotagraph::services::access::Role;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// A TCP proxy to the database that can be cut and restored.
struct Proxy {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    cut: Arc<Notify>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let up = Arc::new(AtomicBool::new(true));
        let cut = Arc::new(Notify::new());
        let (accepting, cutting) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    continue; // dropped at once: connection refused, in effect
                }
                let cutting = cutting.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        () = cutting.notified() => {}
                    }
                });
            }
        });
        Self { address, up, cut }
    }

    /// Drops every connection and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.notify_waiters();
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// The host and port of a PostgreSQL URL.
fn host_and_port(url: &str) -> (String, u16) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host_port)| host_port);
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host.to_owned(), port.parse().expect("port")),
        None => (host_port.to_owned(), 5432),
    }
}

/// `url` pointed at `address` and database `name`.
fn through(url: &str, address: SocketAddr, name: &str) -> String {
    let (host, port) = host_and_port(url);
    let url = url.replacen(&format!("{host}:{port}"), &address.to_string(), 1);
    let (base, query) = url.split_once('?').map_or((url.as_str(), None), |(base, query)| (base, Some(query)));
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    query.map_or_else(|| format!("{prefix}/{name}"), |query| format!("{prefix}/{name}?{query}"))
}

/// What the load saw.
#[derive(Default)]
struct Seen {
    answered: AtomicUsize,
    failed_cleanly: AtomicUsize,
    slowest_ms: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_and_started_under_load_fails_cleanly_and_recovers() {
    let Some(url) = std::env::var("TEST_DATABASE_URL").ok().filter(|url| url.starts_with("postgres")) else {
        return; // SQLite: no database server to lose
    };
    let admin_db = rotagraph::db::connect(&url).await.expect("reach PostgreSQL");
    let name = format!("rotagraph_fault_{}", uuid::Uuid::new_v4().simple());
    admin_db.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create database");
    let (host, port) = host_and_port(&url);
    let target = tokio::net::lookup_host((host.as_str(), port)).await.expect("resolve").next().expect("an address");
    let proxy = Proxy::start(target).await;
    let db = rotagraph::db::connect(&through(&url, proxy.address, &name)).await.expect("connect through the proxy");
    app::prepare_database(&db, DemoData::Skip).await.expect("prepare");
    let settings = ServeArgs {
        database_read_url: None,
        trusted_documents: None,
        only_trusted_documents: false,
        cors_allowed_origins: Vec::new(),
        cursor_secret: None,
        bind: "127.0.0.1:0".parse().expect("address"),
        demo: false,
        shutdown_timeout: 5,
        suppression_threshold: 5,
        rounding_base: 5,
        report_cache_seconds: 60,
        today: Some(crate::helpers::TEST_TODAY),
        limits: Limits::default(),
    };
    let server =
        App::build(&settings, db.clone(), rotagraph::auth::TokenKeys::hs256(TEST_SECRET)).await.expect("build");
    let base = format!("http://{}", server.address());
    tokio::spawn(server.run_until(std::future::pending()));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client");
    let admin = token(Role::IcbAdmin, &["T6Y0W"], None);
    let ready = |client: reqwest::Client, base: String| async move {
        client.get(format!("{base}/ready")).send().await.map(|response| response.status().as_u16()).unwrap_or(0)
    };
    assert_eq!(ready(client.clone(), base.clone()).await, 200);

    // A bounded load: four clients, each writing a programme and reading, until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Seen::default());
    let mut load = Vec::new();
    for worker in 0..4 {
        let (client, base, admin, stop, seen) =
            (client.clone(), base.clone(), admin.clone(), stop.clone(), seen.clone());
        load.push(tokio::spawn(async move {
            let mut round = 0;
            while !stop.load(Ordering::SeqCst) {
                round += 1;
                let mutation = json!({ "query": "mutation($i: CreateProgrammeInput!) { createProgramme(input: $i) { programme { id } userErrors { code } } }",
                    "variables": { "i": { "code": format!("F-{worker}-{round}"), "name": "Fault", "ownerIcb": "T6Y0W",
                        "minDurationMonths": 24, "maxDurationMonths": 30, "sectors": ["GENERAL_PRACTICE", "COMMUNITY_PHARMACY"] } } });
                for body in [mutation, json!({ "query": "{ programmes(first: 5) { totalCount nodes { code sectors } } }" })] {
                    let started = Instant::now();
                    let response = client.post(format!("{base}/graphql")).bearer_auth(&admin).json(&body).send().await;
                    let elapsed = usize::try_from(started.elapsed().as_millis()).unwrap_or(usize::MAX);
                    seen.slowest_ms.fetch_max(elapsed, Ordering::SeqCst);
                    let response = response.expect("the server answers even while its database is gone");
                    let status = response.status().as_u16();
                    let answer: Value = response.json().await.expect("a JSON answer");
                    if answer["errors"].is_null() {
                        seen.answered.fetch_add(1, Ordering::SeqCst);
                    } else {
                        let text = answer.to_string().to_lowercase();
                        assert!(status < 600 && !text.contains("connection refused") && !text.contains("sqlx"), "{answer}");
                        let code = answer["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned();
                        // A connection that broke, or none to be had in time (a busy database).
                        assert!(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"].contains(&code.as_str()), "{answer}");
                        seen.failed_cleanly.fetch_add(1, Ordering::SeqCst);
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(500)).await;
    let answered_before = seen.answered.load(Ordering::SeqCst);
    proxy.cut();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ready(client.clone(), base.clone()).await != 503 {
        assert!(Instant::now() < deadline, "/ready did not turn false");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let failed_while_down = seen.failed_cleanly.load(Ordering::SeqCst);

    proxy.restore();
    let deadline = Instant::now() + Duration::from_secs(60);
    while ready(client.clone(), base.clone()).await != 200 {
        assert!(Instant::now() < deadline, "/ready did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let answered_at_recovery = seen.answered.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::SeqCst);
    for worker in load {
        worker.await.expect("a load client panicked");
    }

    assert!(answered_before > 0, "the load ran before the fault");
    assert!(failed_while_down > 0, "requests failed while the database was gone");
    assert!(seen.answered.load(Ordering::SeqCst) > answered_at_recovery, "service recovered without a restart");
    let slowest = seen.slowest_ms.load(Ordering::SeqCst);
    assert!(slowest < 25_000, "every request was answered within the pool's timeouts ({slowest} ms)");
    let _ = writeln!(
        std::io::stderr(),
        "faults: {answered_before} answered before the cut, {failed_while_down} failed cleanly while down, {} answered in all, slowest {slowest} ms",
        seen.answered.load(Ordering::SeqCst)
    );

    // No half-done writes: every programme has its audit row and its two sectors.
    let direct = rotagraph::db::connect(&through(&url, target, &name)).await.expect("connect directly");
    let programmes = RotationProgramme::find().all(&direct).await.expect("programmes");
    assert!(!programmes.is_empty());
    for programme in &programmes {
        let audits = AuditLog::find()
            .filter(entity::audit_log::Column::EntityId.eq(programme.id))
            .count(&direct)
            .await
            .expect("audit rows");
        let sectors = ProgrammeSector::find()
            .filter(entity::programme_sector::Column::ProgrammeId.eq(programme.id))
            .count(&direct)
            .await
            .expect("sectors");
        assert_eq!((audits, sectors), (1, 2), "programme {} is whole", programme.code);
    }
    assert_eq!(
        AuditLog::find().count(&direct).await.expect("audit"),
        programmes.len() as u64,
        "no audit row without its change"
    );
}
