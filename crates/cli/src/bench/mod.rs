//! Benchmarks that print figures: `xiaobao bench register` drives the HTTP API with concurrent
//! clients, each registering complaints, and reports throughput and latency percentiles;
//! `bench deadlines` measures how late breaches are noticed; `bench pages` measures page render
//! times with a million orders in the database.

mod ingest;
mod measures;
mod pages;
mod service;
mod workbook;

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
        /// Percent of the requests (0–100) that come from one complainant on the same matter, so
        /// after the first each merges into the open order: 100 measures the merge path alone.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
        merge_percent: u8,
        /// Benchmark against PostgreSQL (a fresh, empty database) instead of a temporary SQLite file.
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Fill the database with open orders whose deadlines are spread over the next month, run the
    /// real scheduler, and print how late breaches are noticed (due → committed event) and the CPU
    /// it uses while idle.
    Deadlines {
        /// Open orders in the database, due over the next 30 days.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Orders falling due during the measurement, over 30 seconds.
        #[arg(long, default_value_t = 2_000)]
        probes: u64,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Measures of the whole bank, a sub-branch and an outlet over a bank-sized history counted into the
    /// rollups (10 million complaints over 12 months, 10,000 outlets by default).
    Measures {
        #[arg(long, default_value_t = 10_000_000)]
        complaints: u64,
        /// Requests per measure timed.
        #[arg(long, default_value_t = 200)]
        samples: u64,
        /// Keep (or reuse) the SQLite database here instead of a temporary directory.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// The service measures of the whole bank, a sub-branch and an outlet, and the monthly bulletin,
    /// over a bank-sized year of service counted into the service rollups (100 million ratings and
    /// 100 million queue tickets over 12 months, 10,000 outlets with five tellers each, by default).
    ServiceMeasures {
        /// Ratings counted, and as many queue tickets.
        #[arg(long, default_value_t = 100_000_000)]
        events: u64,
        /// Requests per measure timed.
        #[arg(long, default_value_t = 200)]
        samples: u64,
        /// Requests of the bank's bulletin timed.
        #[arg(long, default_value_t = 20)]
        bulletin_samples: u64,
        /// Keep (or reuse) the SQLite database here instead of a temporary directory.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// The workbook's figures of the whole bank, a branch and a sub-branch over a bank-sized year of
    /// every register counted into the monthly counters (10,000 outlets).
    WorkbookFigures {
        /// Requests per figure timed.
        #[arg(long, default_value_t = 200)]
        samples: u64,
        /// Keep (or reuse) the SQLite database here instead of a temporary directory.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Send counter ratings through the HTTP API from concurrent devices, each with its outlet's
    /// token, in batches; print ratings/s (durable) and request latency.
    Ratings {
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 2_000_000)]
        ratings: u64,
        #[arg(long, default_value_t = 500)]
        batch: usize,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// The same for queue tickets from the outlets' queue systems.
    QueueTickets {
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 2_000_000)]
        tickets: u64,
        #[arg(long, default_value_t = 500)]
        batch: usize,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Fill the database with orders across 1,000 outlets (or reuse a filled one with --data-dir) and
    /// print the server time of the work queue, the order page, the outlet's list and the bank-wide board.
    Pages {
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Requests per page measured.
        #[arg(long, default_value_t = 2_000)]
        samples: u64,
        /// Requests of the bank-wide board measured (it reads the whole bank).
        #[arg(long, default_value_t = 3)]
        board_samples: u64,
        /// Keep (or reuse) the SQLite database here instead of a temporary directory.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        #[arg(long, env = "XIAOBAO_BENCH_DATABASE_URL")]
        database_url: Option<String>,
    },
}

/// User and system CPU seconds this process has used (Linux).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = fields.get(11..13).map(|f| f.iter().filter_map(|x| x.parse::<f64>().ok()).sum()).unwrap_or(0.0);
    ticks / 100.0
}

/// The store a bench fills: SQLite kept in `data_dir` (reused by the next run) or in a temporary
/// directory (returned, to live as long as the store), or PostgreSQL at `database_url`.
pub(crate) async fn bench_store(
    data_dir: Option<&std::path::Path>,
    database_url: Option<&str>,
) -> Result<(Store, tempfile::TempDir)> {
    let tmp = tempfile::tempdir()?;
    let dir = match data_dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.to_path_buf()
        }
        None => tmp.path().to_path_buf(),
    };
    let (key, _) =
        xiaobao_store::load_or_create_key(&dir.join(xiaobao_store::KEY_FILE)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let store = Store::open(&DatabaseUrl::choose(&dir, database_url)?, key).await?;
    Ok((store, tmp))
}

pub(crate) fn backend_name(store: &Store) -> &'static str {
    match store.backend() {
        xiaobao_store::Backend::Sqlite => "SQLite",
        xiaobao_store::Backend::Postgres => "PostgreSQL",
    }
}

/// One timed request's line: p50, p95, p99 and max in milliseconds.
pub(crate) fn report(name: &str, f: [f64; 4]) {
    println!("  {name:<34} p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms", f[0], f[1], f[2], f[3]);
}

pub(crate) fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn deadlines(orders: u64, probes: u64, database_url: Option<String>) -> Result<()> {
    use xiaobao_core::channel::Channel;
    use xiaobao_core::complainant::{NewComplainant, Phone};
    use xiaobao_core::complaint::UnitRef;
    use xiaobao_core::deadline::{ClockRule, Escalation, Period, Policy, Unit};
    use xiaobao_core::role::Role;

    let (store, _dir) = bench_store(None, database_url.as_deref()).await?;
    let ho = store.org_unit_by_code("HO").await?.context("head office")?;
    let hash = xiaobao_server::hash_password("bench-password").map_err(|_| anyhow::anyhow!("hash"))?;
    let head = store
        .create_user(&NewUser {
            username: "bench.head".into(),
            display_name: "bench".into(),
            role: Role::OutletHead,
            org_unit_id: ho.id,
            password_hash: hash,
            email: None,
        })
        .await?;
    // One clock per order, no warnings, one breach level: every alert is a breach.
    let decision_hours = 15 * 24;
    let policy = Policy {
        response: None,
        completion: None,
        decision: ClockRule { period: Period::new(decision_hours, Unit::Hours), warn_at: Vec::new() },
        escalation: Escalation { chain: vec![Role::OutletHead], ..Policy::default().escalation },
        ..Policy::default()
    };
    let audit = xiaobao_store::Audit {
        by: head.id,
        at_ms: chrono::Utc::now().timestamp_millis(),
        subject: "deadline_policy",
        what: r#"{"change":"bench"}"#.into(),
    };
    store.set_policy(&policy, &audit).await?;
    let unit = UnitRef { id: ho.id, code: ho.code.clone(), path: ho.path.clone() };
    let head_id = head.id;
    let input = move |n: u64, due: chrono::DateTime<chrono::Utc>| xiaobao_store::RegisterInput {
        at: chrono::Utc::now(),
        received_at: due - chrono::Duration::hours(i64::from(decision_hours)),
        channel: Channel::Counter,
        unit: unit.clone(),
        first_responder_id: head_id,
        complainant: NewComplainant {
            name: "基准".into(),
            phone: Phone::parse("phone", &format!("15{:09}", n)).ok(),
            id_number: None,
            tags: Vec::new(),
        },
        category: None,
        service_channel: None,
        cause: None,
        summary: "基准测试".into(),
        description: "到期时间分布在未来一个月内的未结工单".into(),
        amount: None,
    };

    println!(
        "bench deadlines: {} backend, {orders} open orders due over 30 days, {probes} falling due in the next 30 s",
        match store.backend() {
            xiaobao_store::Backend::Sqlite => "SQLite",
            xiaobao_store::Backend::Postgres => "PostgreSQL",
        }
    );
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut fill = tokio::task::JoinSet::new();
    for _ in 0..256 {
        let store = store.clone();
        let next = next.clone();
        let input = input.clone();
        fill.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= orders {
                    return Ok::<_, anyhow::Error>(());
                }
                if n > 0 && n.is_multiple_of(100_000) {
                    eprintln!("  … {n} orders");
                }
                // spread from 10 minutes to 30 days ahead, deterministically
                let ahead = 600 + (n.wrapping_mul(2_654_435_761) % (30 * 86_400));
                store.register(input(n, chrono::Utc::now() + chrono::Duration::seconds(ahead as i64))).await?;
            }
        });
    }
    while let Some(r) = fill.join_next().await {
        r??;
    }
    println!("  filled       {orders} orders in {:.1} s", started.elapsed().as_secs_f64());

    let state = AppState::new(store.clone(), Arc::new(SystemClock));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let scheduler = xiaobao_server::scheduler::spawn_reporting(state, Some(tx));
    // Let it settle, then measure idle CPU with a million clocks waiting.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    let idle_cpu = (cpu_seconds() - cpu0) / t0.elapsed().as_secs_f64() * 100.0;

    let base = chrono::Utc::now() + chrono::Duration::seconds(5);
    for p in 0..probes {
        let due = base + chrono::Duration::milliseconds((p * 30_000 / probes.max(1)) as i64);
        store.register(input(orders + p, due)).await?;
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3)?;
    let deadline = Instant::now() + std::time::Duration::from_secs(120);
    while hist.len() < probes && Instant::now() < deadline {
        match tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await {
            Ok(Some(f)) => {
                let late = (f.committed - f.due).num_microseconds().unwrap_or(0).max(1) as u64;
                hist.record(late)?;
            }
            Ok(None) => break,
            Err(_) => {}
        }
    }
    scheduler.abort();
    let _ = scheduler.await;
    println!("  idle CPU     {idle_cpu:.2} % of one core (10 s, {orders} clocks waiting)");
    println!("  breaches     {} of {probes} noticed", hist.len());
    println!("  latency p50  {:.1} ms (due → event committed)", hist.value_at_quantile(0.50) as f64 / 1000.0);
    println!("  latency p99  {:.1} ms", hist.value_at_quantile(0.99) as f64 / 1000.0);
    println!("  latency max  {:.1} ms", hist.max() as f64 / 1000.0);
    println!("  RSS          {:.0} MB", rss_mb());
    store.close().await;
    if hist.len() < probes {
        bail!("only {} of {probes} breaches were noticed within two minutes", hist.len());
    }
    Ok(())
}

pub async fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Register { clients, requests, merge_percent, database_url } => {
            register(clients, requests, merge_percent, database_url).await
        }
        BenchCommand::Deadlines { orders, probes, database_url } => deadlines(orders, probes, database_url).await,
        BenchCommand::ServiceMeasures { events, samples, bulletin_samples, data_dir, database_url } => {
            service::run(events, samples, bulletin_samples, data_dir, database_url).await
        }
        BenchCommand::WorkbookFigures { samples, data_dir, database_url } => {
            workbook::run(samples, data_dir, database_url).await
        }
        BenchCommand::Measures { complaints, samples, data_dir, database_url } => {
            measures::run(complaints, samples, data_dir, database_url).await
        }
        BenchCommand::Ratings { clients, ratings, batch, database_url } => {
            ingest::run(ingest::What::Ratings, clients, ratings, batch, database_url).await
        }
        BenchCommand::QueueTickets { clients, tickets, batch, database_url } => {
            ingest::run(ingest::What::Tickets, clients, tickets, batch, database_url).await
        }
        BenchCommand::Pages { orders, samples, board_samples, data_dir, database_url } => {
            pages::run(orders, samples, board_samples, data_dir, database_url).await
        }
    }
}

/// The real server over `store` on a random local port: its base address and its task.
pub(crate) async fn serve(store: &Store) -> Result<(String, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = AppState::new(store.clone(), Arc::new(SystemClock));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            xiaobao_server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    Ok((format!("http://{addr}"), server))
}

async fn register(clients: usize, requests: u64, merge_percent: u8, database_url: Option<String>) -> Result<()> {
    let (store, _dir) = bench_store(None, database_url.as_deref()).await?;
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
    let (base, server) = serve(&store).await?;
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
        "bench register: {} backend, {clients} clients, {requests} complaints, {merge_percent}% from one complainant",
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
                // the merging share is spread evenly over the run: one phone, the same category
                let merging = (n * 37 % 100) < u64::from(merge_percent);
                let phone = if merging { "13800000000".to_string() } else { format!("139{:08}", n % 100_000_000) };
                let body = serde_json::json!({
                    "channel": "counter",
                    "org_unit": "HO",
                    "complainant": {"name": "基准测试", "phone": phone},
                    "category": "01",
                    "summary": "柜台排队时间过长",
                    "description": "客户称在网点等候超过一小时，仅开放两个窗口。",
                });
                let t = Instant::now();
                let res = http.post(format!("{base}/api/v1/complaints")).bearer_auth(&token).json(&body).send().await;
                // 201 registered, 200 merged into the open order
                let ok = matches!(&res, Ok(r) if matches!(r.status().as_u16(), 200 | 201));
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
