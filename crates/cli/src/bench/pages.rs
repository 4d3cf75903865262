//! `xiaobao bench pages`: server time of the pages staff open most, with a million orders stored.
//! Requests go through the real router in-process (no network), so the figures are the server's.

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hdrhistogram::Histogram;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tower::ServiceExt;
use xiaobao_core::channel::Channel;
use xiaobao_core::complainant::{NewComplainant, Phone};
use xiaobao_core::complaint::UnitRef;
use xiaobao_core::org::{OrgCode, OrgUnitKind};
use xiaobao_core::role::Role;
use xiaobao_server::{AppState, SystemClock};
use xiaobao_store::{NewOrgUnit, NewUser, Store};

const BRANCHES: usize = 10;
const SUBS: usize = 10;
const OUTLETS: usize = 10;
pub(super) const PASSWORD: &str = "bench-password";

fn outlet_code(b: usize, s: usize, o: usize) -> String {
    format!("B{b:02}S{s:02}O{o:02}")
}

pub(super) async fn unit(store: &Store, code: &str, name: &str, kind: OrgUnitKind, parent: &str) -> Result<()> {
    if store.org_unit_by_code(code).await?.is_none() {
        store
            .create_org_unit(&NewOrgUnit {
                code: OrgCode::parse("code", code)?,
                name: name.into(),
                kind,
                parent: OrgCode::parse("parent", parent)?,
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// 10 branches × 10 sub-branches × 10 outlets, an outlet head in each of the first 100 outlets and
/// a consumer-protection centre user at head office.
async fn org_and_users(store: &Store) -> Result<()> {
    for b in 0..BRANCHES {
        let bc = format!("B{b:02}");
        unit(store, &bc, &format!("第{b}分行"), OrgUnitKind::Branch, "HO").await?;
        for s in 0..SUBS {
            let sc = format!("{bc}S{s:02}");
            unit(store, &sc, &format!("第{b}分行第{s}支行"), OrgUnitKind::SubBranch, &bc).await?;
            for o in 0..OUTLETS {
                unit(store, &outlet_code(b, s, o), &format!("网点{b}-{s}-{o}"), OrgUnitKind::Outlet, &sc).await?;
            }
        }
    }
    let hash = xiaobao_server::hash_password(PASSWORD).map_err(|_| anyhow::anyhow!("hash"))?;
    let mut users = vec![("bench.cpc".to_string(), Role::CpCentre, "HO".to_string())];
    for i in 0..100 {
        let code = outlet_code(i / 100, (i / 10) % 10, i % 10);
        users.push((format!("head.{}", code.to_lowercase()), Role::OutletHead, code));
    }
    for (username, role, code) in users {
        if store.user_for_login(&username).await?.is_some() {
            continue;
        }
        let u = store.org_unit_by_code(&code).await?.context("unit")?;
        store
            .create_user(&NewUser {
                username,
                display_name: "基准".into(),
                role,
                org_unit_id: u.id,
                password_hash: hash.clone(),
                email: None,
            })
            .await?;
    }
    Ok(())
}

async fn fill(store: &Store, orders: u64) -> Result<()> {
    let have = store.count_complaints().await? as u64;
    if have >= orders {
        println!("  reusing      {have} orders already stored");
        return Ok(());
    }
    let first_responder = store.user_for_login("bench.cpc").await?.context("cpc")?.0.id;
    let mut units = Vec::new();
    for b in 0..BRANCHES {
        for s in 0..SUBS {
            for o in 0..OUTLETS {
                let u = store.org_unit_by_code(&outlet_code(b, s, o)).await?.context("outlet")?;
                units.push(UnitRef { id: u.id, code: u.code, path: u.path });
            }
        }
    }
    let units = Arc::new(units);
    let started = Instant::now();
    let now = chrono::Utc::now();
    let next = Arc::new(AtomicU64::new(have));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..256 {
        let (store, next, units) = (store.clone(), next.clone(), units.clone());
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= orders {
                    return Ok::<_, anyhow::Error>(());
                }
                if n > 0 && n.is_multiple_of(100_000) {
                    eprintln!("  … {n} orders ({:.0} s)", started.elapsed().as_secs_f64());
                }
                // spread over outlets and over the past year, deterministically
                let unit = units[(n.wrapping_mul(7_919) % units.len() as u64) as usize].clone();
                let back = n.wrapping_mul(2_654_435_761) % (365 * 86_400);
                let received = now - chrono::Duration::seconds(back as i64);
                let channel = Channel::ALL[(n % Channel::ALL.len() as u64) as usize];
                store
                    .register(xiaobao_store::RegisterInput {
                        at: received,
                        received_at: received,
                        channel,
                        unit,
                        first_responder_id: first_responder,
                        complainant: NewComplainant {
                            name: "基准".into(),
                            phone: Phone::parse("phone", &format!("15{n:09}")).ok(),
                            id_number: None,
                            tags: Vec::new(),
                        },
                        category: Some(["01", "0302", "04"][(n % 3) as usize].into()),
                        service_channel: None,
                        cause: None,
                        summary: "柜台排队时间过长".into(),
                        description: "客户称在网点等候超过一小时，仅开放两个窗口，要求改进。".into(),
                        amount: None,
                    })
                    .await?;
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    println!("  filled       {} orders in {:.1} s", orders - have, started.elapsed().as_secs_f64());
    Ok(())
}

pub(super) async fn login(router: &axum::Router, username: &str) -> Result<String> {
    let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
    let req = Request::post("/api/v1/session").header("content-type", "application/json").body(Body::from(body))?;
    let res = router.clone().oneshot(req).await?;
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)?;
    Ok(v["token"].as_str().context("token")?.to_string())
}

/// Times `samples` GETs of the paths `path(i)` yields, as the session `token(i)`; returns p50/p95/p99/max in ms.
pub(super) async fn measure(
    router: &axum::Router,
    samples: u64,
    path: impl Fn(u64) -> String,
    token: impl Fn(u64) -> String,
) -> Result<[f64; 4]> {
    let mut hist = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3)?;
    for i in 0..samples {
        let req = Request::get(path(i)).header("cookie", format!("xiaobao_session={}", token(i))).body(Body::empty())?;
        let t = Instant::now();
        let res = router.clone().oneshot(req).await?;
        let status = res.status();
        let _ = axum::body::to_bytes(res.into_body(), 64 << 20).await?;
        hist.record(t.elapsed().as_micros().max(1) as u64)?;
        anyhow::ensure!(status == StatusCode::OK, "{} answered {status}", path(i));
    }
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    Ok([ms(0.5), ms(0.95), ms(0.99), hist.max() as f64 / 1000.0])
}

pub async fn run(
    orders: u64,
    samples: u64,
    board_samples: u64,
    data_dir: Option<std::path::PathBuf>,
    database_url: Option<String>,
) -> Result<()> {
    let (store, _tmp) = super::bench_store(data_dir.as_deref(), database_url.as_deref()).await?;
    println!(
        "bench pages: {} backend, {orders} orders over {} outlets",
        super::backend_name(&store),
        BRANCHES * SUBS * OUTLETS
    );
    org_and_users(&store).await?;
    fill(&store, orders).await?;

    let router = xiaobao_server::router(AppState::new(store.clone(), Arc::new(SystemClock)));
    let mut heads = Vec::new();
    let mut outlet_orders: Vec<Vec<i64>> = Vec::new();
    for i in 0..100 {
        let code = outlet_code(i / 100, (i / 10) % 10, i % 10);
        heads.push(login(&router, &format!("head.{}", code.to_lowercase())).await?);
        let unit = store.org_unit_by_code(&code).await?.context("outlet")?;
        let page = store
            .complaints(&xiaobao_store::ComplaintFilter {
                unit_path: Some(unit.path.clone()),
                limit: 200,
                now_ms: chrono::Utc::now().timestamp_millis(),
                ..xiaobao_store::ComplaintFilter::new(xiaobao_store::OrderScope::of(xiaobao_core::access::Viewer {
                    user_id: 0,
                    unit_path: &unit.path,
                }))
            })
            .await?;
        outlet_orders.push(page.items.iter().map(|k| k.order.id).collect());
    }
    let cpc = login(&router, "bench.cpc").await?;
    let per_outlet = outlet_orders.first().map_or(0, Vec::len);
    println!("  outlet heads 100, each outlet holding about {} orders", orders / 1000);
    anyhow::ensure!(per_outlet > 0, "no orders in the first outlet");

    let head = |i: u64| heads[(i % 100) as usize].clone();
    let report = super::report;
    // warm the caches once
    measure(&router, 100, |_| "/".into(), head).await?;
    report("work queue (outlet head /)", measure(&router, samples, |_| "/".into(), head).await?);
    let order = |i: u64| {
        let ids = &outlet_orders[(i % 100) as usize];
        format!("/complaints/{}", ids[(i as usize / 100) % ids.len()])
    };
    report("order page", measure(&router, samples, order, head).await?);
    report(
        "outlet list, page 1",
        measure(&router, samples.min(500), |_| "/complaints?per_page=50".into(), head).await?,
    );
    report("bank-wide board (centre /)", measure(&router, board_samples, |_| "/".into(), |_| cpc.clone()).await?);
    println!("  RSS          {:.0} MB", super::rss_mb());
    store.close().await;
    Ok(())
}
