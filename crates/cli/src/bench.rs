//! Benchmarks that print figures: `xiaobao bench register` drives the HTTP API with concurrent
//! clients, each registering complaints, and reports throughput and latency percentiles.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use xiaobao_server::{AppState, SystemClock};
use xiaobao_store::{DatabaseUrl, NewUser, Store};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Register complaints through the HTTP API from concurrent clients; print complaints/s and p50/p99.
    Register {
        /// Concurrent clients, each with its own keep-alive connection.
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Complaints to register in all.
        #[arg(long, default_value_t = 50_000)]
        requests: u64,
        /// Benchmark against PostgreSQL (a fresh, empty database) instead of a temporary SQLite file.
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
}

pub async fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Register { clients, requests, database_url } => register(clients, requests, database_url).await,
    }
}

async fn register(clients: usize, requests: u64, database_url: Option<String>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::choose(dir.path(), database_url.as_deref())?;
    let store = Store::open(&url).await?;
    let ho = store.org_unit_by_code("HO").await?.context("head office")?;
    let hash = xiaobao_server::hash_password("bench-password").map_err(|_| anyhow::anyhow!("hash"))?;
    let username = format!("bench{}", std::process::id());
    store
        .create_user(&NewUser {
            username: username.clone(),
            display_name: "bench".into(),
            role: xiaobao_core::role::Role::CpCentre,
            org_unit_id: ho.id,
            password_hash: hash,
            email: None,
        })
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(store.clone(), Arc::new(SystemClock));
    let server = tokio::spawn(async move { axum::serve(listener, xiaobao_server::router(state)).await });
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let login: serde_json::Value = http
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": username, "password": "bench-password"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["token"].as_str().context("token")?.to_string();

    println!(
        "bench register: {} backend, {clients} clients, {requests} complaints",
        match store.backend() {
            xiaobao_store::Backend::Sqlite => "SQLite (WAL, synchronous=FULL)",
            xiaobao_store::Backend::Postgres => "PostgreSQL",
        }
    );
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..clients {
        let http = http.clone();
        let next = next.clone();
        let token = token.clone();
        let base = base.clone();
        handles.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let mut failures = 0u64;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= requests {
                    break;
                }
                let body = serde_json::json!({
                    "channel": "counter",
                    "org_unit": "HO",
                    "complainant": {"name": "基准测试", "phone": format!("139{:08}", n % 100_000_000)},
                    "category": "01",
                    "summary": "柜台排队时间过长",
                    "description": "客户称在网点等候超过一小时，仅开放两个窗口。",
                });
                let t = Instant::now();
                let res = http.post(format!("{base}/api/v1/complaints")).bearer_auth(&token).json(&body).send().await;
                let ok = matches!(&res, Ok(r) if r.status().as_u16() == 201);
                if let Ok(r) = res {
                    let _ = r.bytes().await;
                }
                hist.record(t.elapsed().as_micros().max(1) as u64)?;
                if !ok {
                    failures += 1;
                }
            }
            Ok::<_, anyhow::Error>((hist, failures))
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut failures = 0;
    for h in handles {
        let (hist, f) = h.await??;
        all.add(hist)?;
        failures += f;
    }
    let elapsed = started.elapsed();
    let done = all.len();
    println!("  registered   {} in {:.2} s ({failures} failed)", done - failures, elapsed.as_secs_f64());
    println!("  throughput   {:.0} complaints/s", (done - failures) as f64 / elapsed.as_secs_f64());
    println!("  latency p50  {:.2} ms", all.value_at_quantile(0.50) as f64 / 1000.0);
    println!("  latency p99  {:.2} ms", all.value_at_quantile(0.99) as f64 / 1000.0);
    println!("  latency max  {:.2} ms", all.max() as f64 / 1000.0);
    let stored = store.count_complaints().await?;
    println!("  in database  {stored}");
    server.abort();
    store.close().await;
    if failures > 0 {
        bail!("{failures} registrations failed");
    }
    Ok(())
}
