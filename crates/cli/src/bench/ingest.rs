//! `xiaobao bench ratings` and `bench queue-tickets`: ingest through the HTTP API from concurrent
//! clients (each a device of its own outlet with its own integration token), in batches, durable —
//! every batch acknowledged only after its commit. Prints rows/s, request latency and the rows stored.

use super::pages::unit;
use anyhow::{Context, Result, bail};
use hdrhistogram::Histogram;
use std::time::Instant;
use xiaobao_core::integration::IntegrationKind;
use xiaobao_core::org::OrgUnitKind;
use xiaobao_store::NewUser;
use xiaobao_store::service::NewIntegration;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum What {
    Ratings,
    Tickets,
}

pub async fn run(what: What, clients: usize, rows: u64, batch: usize, database_url: Option<String>) -> Result<()> {
    if batch == 0 || batch > xiaobao_core::service::MAX_BATCH {
        bail!("--batch must be 1 to {}", xiaobao_core::service::MAX_BATCH);
    }
    let (store, _dir) = super::bench_store(None, database_url.as_deref()).await?;
    let admin_hash = xiaobao_server::hash_password("bench-password").map_err(|_| anyhow::anyhow!("hash"))?;
    let ho = store.org_unit_by_code("HO").await?.context("head office")?;
    let admin = store
        .create_user(&NewUser {
            username: "bench.admin".into(),
            display_name: "bench".into(),
            role: xiaobao_core::role::Role::Admin,
            org_unit_id: ho.id,
            password_hash: admin_hash.clone(),
            email: None,
        })
        .await?;
    unit(&store, "QB", "基准分行", OrgUnitKind::Branch, "HO").await?;
    unit(&store, "QBS", "基准支行", OrgUnitKind::SubBranch, "QB").await?;
    let kind = if what == What::Ratings { IntegrationKind::Evaluator } else { IntegrationKind::Queue };
    let mut tokens = Vec::with_capacity(clients);
    for c in 0..clients {
        let code = format!("QBSO{c:03}");
        unit(&store, &code, &format!("基准网点{c}"), OrgUnitKind::Outlet, "QBS").await?;
        let outlet = store.org_unit_by_code(&code).await?.context("outlet")?;
        store
            .create_user(&NewUser {
                username: format!("bench.teller{c}"),
                display_name: format!("柜员{c}"),
                role: xiaobao_core::role::Role::Teller,
                org_unit_id: outlet.id,
                password_hash: admin_hash.clone(),
                email: None,
            })
            .await?;
        let token = format!("xbi_{:064x}", 0xbe_u128 << 64 | c as u128);
        store
            .create_integration(&NewIntegration {
                kind,
                name: format!("bench {c}"),
                org_unit_id: outlet.id,
                token_hash: xiaobao_server::token_hash(&token),
                by: admin.id,
                at_ms: chrono::Utc::now().timestamp_millis(),
            })
            .await?;
        tokens.push((code, token));
    }
    let (base, server) = super::serve(&store).await?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
    let (noun, path) = match what {
        What::Ratings => ("ratings", "/api/v1/ratings"),
        What::Tickets => ("queue tickets", "/api/v1/queue-tickets"),
    };
    println!(
        "bench {}: {} backend, {clients} clients, {rows} {noun} in batches of {batch}",
        if what == What::Ratings { "ratings" } else { "queue-tickets" },
        super::backend_name(&store)
    );
    let batches = rows.div_ceil(batch as u64);
    // a device's ratings 25 s apart, a queue's tickets 10 s apart, the last an hour before now (none
    // in the future, which would be refused). Every request's body is made before the clock
    // starts, so the figure is the server's.
    // batches go round the clients, so the first ones may get one batch more than the rest
    let per_client = (batches.div_ceil(tokens.len() as u64) * batch as u64) as i64;
    let start = chrono::Utc::now() - chrono::Duration::seconds(per_client * 25 + 3600);
    let key = if what == What::Ratings { "ratings" } else { "tickets" };
    let mut bodies: Vec<Vec<Vec<u8>>> = vec![Vec::new(); tokens.len()];
    let mut seqs = vec![0i64; tokens.len()];
    for b in 0..batches {
        let c = (b % tokens.len() as u64) as usize;
        let n = batch.min((rows - b * batch as u64) as usize);
        let (outlet, teller) = (&tokens[c].0, format!("bench.teller{c}"));
        let items: Vec<serde_json::Value> = (0..n)
            .map(|_| {
                seqs[c] += 1;
                let seq = seqs[c];
                match what {
                    What::Ratings => {
                        let at = start + chrono::Duration::seconds(seq * 25);
                        let score = [5, 5, 5, 4, 4, 5, 3, 5, 2, 5][(seq % 10) as usize];
                        serde_json::json!({"device": format!("EV{c}"), "seq": seq, "outlet": outlet, "teller": teller,
                            "rated_at": xiaobao_core::time::rfc3339(at), "score": score,
                            "reason": (score <= 2).then_some("01")})
                    }
                    What::Tickets => {
                        let taken = start + chrono::Duration::seconds(seq * 10);
                        let called = taken + chrono::Duration::seconds(seq * 37 % 1800);
                        serde_json::json!({"outlet": outlet, "number": format!("A{seq}"), "business": "personal",
                            "taken_at": xiaobao_core::time::rfc3339(taken),
                            "called_at": xiaobao_core::time::rfc3339(called), "teller": teller})
                    }
                }
            })
            .collect();
        bodies[c].push(serde_json::to_vec(&serde_json::json!({ key: items }))?);
    }
    let cpu_before = super::cpu_seconds();
    let started = Instant::now();
    let mut handles = Vec::new();
    for ((_, token), bodies) in tokens.into_iter().zip(bodies) {
        let (http, base) = (http.clone(), base.clone());
        handles.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut stored, mut failures) = (0u64, 0u64);
            for body in bodies {
                let t = Instant::now();
                let res = http
                    .post(format!("{base}{path}"))
                    .bearer_auth(&token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status().is_success() => {
                        let v: serde_json::Value = r.json().await?;
                        stored += v["accepted"].as_u64().unwrap_or(0);
                    }
                    _ => failures += 1,
                }
                hist.record(t.elapsed().as_micros().max(1) as u64)?;
            }
            Ok::<_, anyhow::Error>((hist, stored, failures))
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut stored, mut failures) = (0u64, 0u64);
    for h in handles {
        let (hist, s, f) = h.await??;
        all.add(hist)?;
        stored += s;
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = super::cpu_seconds() - cpu_before;
    println!("  stored       {stored} in {elapsed:.2} s ({failures} requests failed)");
    println!("  throughput   {:.0} {noun}/s", stored as f64 / elapsed);
    println!("  request p50  {:.2} ms", all.value_at_quantile(0.50) as f64 / 1000.0);
    println!("  request p99  {:.2} ms", all.value_at_quantile(0.99) as f64 / 1000.0);
    println!("  request max  {:.2} ms", all.max() as f64 / 1000.0);
    println!("  CPU          {:.0} % of the two cores (server and clients)", cpu / elapsed / 2.0 * 100.0);
    println!("  RSS          {:.0} MB", super::rss_mb());
    server.abort();
    store.close().await;
    if failures > 0 || stored != rows {
        bail!("{failures} requests failed; {stored} of {rows} stored");
    }
    Ok(())
}
