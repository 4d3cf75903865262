//! `xiaobao bench service-measures`: server time of the service measures and the monthly bulletin
//! over a bank-sized year of service — by default 100,000,000 counter ratings and 100,000,000 queue
//! tickets over the last 12 months across 10,000 outlets with five tellers each. The measures and the
//! bulletin read only the service rollups, so the year is counted straight into them: every rating
//! and ticket is drawn, turned into the rollup rows ingest would add (`rating_rows`, `ticket_rows`),
//! summed and written as ingest's flush writes them, without storing the rows themselves.

use super::measures::{BRANCHES, OUTLETS, SUBS, head_office_user, org, outlet_code, twelve_months};
use super::pages::{PASSWORD, login, measure};
use anyhow::{Context, Result};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::sync::Arc;
use std::time::Instant;
use xiaobao_core::role::Role;
use xiaobao_core::service::measure::{Dim, rating_rows, ticket_rows};
use xiaobao_core::service::queue::{Thresholds, Ticket};
use xiaobao_core::service::rating::{Rating, Score};
use xiaobao_core::time::{local_date, start_of_local_day};
use xiaobao_server::{AppState, SystemClock};
use xiaobao_store::service::ServiceTally;
use xiaobao_store::service::rollups::Grain;
use xiaobao_store::{NewUser, Store};

/// Tellers at each outlet.
const TELLERS: usize = 5;
/// Outlets counted per transaction while filling (four sub-branches).
const OUTLETS_PER_TALLY: usize = 100;

/// A deterministic draw below `m` for each `salt`, for the n-th event of an outlet.
fn draw(outlet: u64, n: u64) -> impl Fn(u64, u64) -> u64 {
    let seed = outlet.wrapping_mul(0xD1B5_4A32_D192_ED03) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    move |salt: u64, m: u64| {
        let mut x = seed ^ salt.wrapping_mul(0x2545_F491_4F6C_DD1D);
        x ^= x >> 33;
        x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        x ^= x >> 33;
        x % m
    }
}

/// A day of the last year, busier on Mondays and at month ends, never a Sunday.
fn day(pick: &impl Fn(u64, u64) -> u64, today: NaiveDate) -> NaiveDate {
    let mut attempt = 0;
    loop {
        let d = today - Duration::days(pick(20 + attempt, 365) as i64);
        let weight = match d.weekday() {
            Weekday::Sun => 0,
            Weekday::Mon => 13,
            _ if d.day() >= 28 => 12,
            _ => 10,
        };
        if pick(40 + attempt, 13) < weight || (attempt >= 8 && weight > 0) {
            return d;
        }
        attempt += 1;
    }
}

/// An hour of opening, 9–16, with the late morning and the afternoon busiest.
fn hour(pick: &impl Fn(u64, u64) -> u64) -> i64 {
    const WEIGHTS: [u64; 8] = [10, 16, 14, 8, 9, 13, 12, 8];
    let mut x = pick(2, WEIGHTS.iter().sum());
    for (h, w) in WEIGHTS.iter().enumerate() {
        if x < *w {
            return 9 + h as i64;
        }
        x -= w;
    }
    16
}

/// The outlet's n-th rating of the year: one of its tellers, mostly fives; a reason for a 1 or 2.
fn rating(outlet: u64, n: u64, today: NaiveDate) -> (NaiveDate, Rating, usize) {
    let pick = draw(outlet, n);
    let d = day(&pick, today);
    let at = start_of_local_day(d) + Duration::hours(hour(&pick)) + Duration::seconds(pick(3, 3600) as i64);
    let teller = pick(4, TELLERS as u64) as usize;
    // the last teller of every seventh outlet is a poor one
    let poor = teller == TELLERS - 1 && outlet.is_multiple_of(7);
    let x = pick(5, 1000);
    let s = match (poor, x) {
        (false, 0..=5) | (true, 0..=49) => 1,
        (false, 6..=19) | (true, 50..=149) => 2,
        (false, 20..=69) | (true, 150..=349) => 3,
        (false, 70..=319) | (true, 350..=799) => 4,
        _ => 5,
    };
    let reason = (s <= 2).then(|| ["01", "02", "03", "04", "05", "99"][pick(6, 6) as usize].to_string());
    let r = Rating {
        device: String::new(),
        seq: 0,
        outlet: String::new(),
        teller: String::new(),
        window: None,
        rated_at: at,
        score: Score::parse("score", s).unwrap_or_else(|_| unreachable!("1–5")),
        reason,
    };
    (d, r, teller)
}

/// The outlet's n-th ticket of the year: taken in opening hours, most called within a quarter of an
/// hour, some crowded outlets' waits long, a few never called.
fn ticket(outlet: u64, n: u64, today: NaiveDate) -> (NaiveDate, Ticket, usize) {
    let pick = draw(outlet, n ^ (1 << 62));
    let d = day(&pick, today);
    let taken = start_of_local_day(d) + Duration::hours(hour(&pick)) + Duration::seconds(pick(3, 3600) as i64);
    let crowded = outlet.is_multiple_of(11);
    let minutes = match pick(7, 100) {
        0..=59 => pick(8, 10),
        60..=89 => 10 + pick(8, 10),
        _ if crowded => 20 + pick(8, 60),
        _ => 15 + pick(8, 25),
    };
    let called = (pick(9, 100) > 1).then(|| taken + Duration::seconds(minutes as i64 * 60 + pick(10, 60) as i64));
    let t = Ticket {
        outlet: String::new(),
        number: String::new(),
        business: Some(["personal", "personal", "personal", "corporate", "wealth"][pick(11, 5) as usize].into()),
        taken_at: taken,
        called_at: called,
        finished_at: called.map(|c| c + Duration::minutes(8)),
        window: None,
        teller: None,
    };
    (d, t, pick(4, TELLERS as u64) as usize)
}

/// Five tellers at each outlet, added in one transaction per sub-branch (or found, when the
/// database is reused); their ids, by outlet.
async fn tellers(store: &Store, outlets: &[String]) -> Result<Vec<[i64; TELLERS]>> {
    let hash = xiaobao_server::hash_password(PASSWORD).map_err(|_| anyhow::anyhow!("hash"))?;
    let name = |code: &str, t: usize| format!("t.{}.{t}", code.to_lowercase());
    let mut ids = Vec::with_capacity(outlets.len());
    for (i, chunk) in outlets.chunks(OUTLETS).enumerate() {
        let codes: Vec<String> = (0..chunk.len()).map(|o| outlet_code(i / SUBS, i % SUBS, o)).collect();
        if store.user_by_username(&name(&codes[0], 0)).await?.is_some() {
            for code in &codes {
                let mut row = [0; TELLERS];
                for (t, id) in row.iter_mut().enumerate() {
                    *id = store.user_by_username(&name(code, t)).await?.context("teller")?.id;
                }
                ids.push(row);
            }
            continue;
        }
        let mut users = Vec::with_capacity(chunk.len() * TELLERS);
        for (o, code) in codes.iter().enumerate() {
            let unit = store.org_unit_by_code(code).await?.context("outlet")?;
            for t in 0..TELLERS {
                users.push(NewUser {
                    username: name(code, t),
                    display_name: format!("柜员{o}-{t}"),
                    role: Role::Teller,
                    org_unit_id: unit.id,
                    password_hash: hash.clone(),
                    email: None,
                });
            }
        }
        let added = store.bench_add_users(&users).await?;
        ids.extend(added.chunks(TELLERS).map(|c| std::array::from_fn(|t| c[t])));
    }
    Ok(ids)
}

struct Outlet {
    id: i64,
    path: String,
    tellers: [i64; TELLERS],
}

/// Draws the outlets' year and counts it into a tally: `per_outlet` ratings and as many tickets each.
fn tally(outlets: &[Outlet], first: usize, per_outlet: u64, today: NaiveDate, rules: &Thresholds) -> ServiceTally {
    let mut tally = ServiceTally::default();
    for (k, o) in outlets.iter().enumerate() {
        let index = (first + k) as u64;
        for n in 0..per_outlet {
            let (d, r, t) = rating(index, n, today);
            tally.add(o.id, &o.path, d, rating_rows(&r, o.tellers[t], false));
            let (d, tk, t) = ticket(index, n, today);
            tally.add(o.id, &o.path, d, ticket_rows(&tk, Some(o.tellers[t]), rules));
        }
    }
    tally
}

async fn fill(store: &Store, events: u64, outlets: Vec<Outlet>) -> Result<()> {
    let ho = store.org_unit_by_code("HO").await?.context("HO")?;
    let today = local_date(chrono::Utc::now());
    let have: i64 = store
        .service_rows(&[ho.id], Dim::All, today - Duration::days(400), today, Grain::Month)
        .await?
        .iter()
        .map(|r| r.counts.ratings)
        .sum();
    if have >= events as i64 {
        println!("  reusing      {have} ratings already counted");
        return Ok(());
    }
    let per_outlet = events / outlets.len() as u64;
    let rules = store.rules().service.overtime.clone();
    let started = Instant::now();
    // the next tally is drawn on another thread while this one is written
    let (send, mut recv) = tokio::sync::mpsc::channel::<ServiceTally>(1);
    let outlets = Arc::new(outlets);
    let drawer = {
        let outlets = outlets.clone();
        std::thread::spawn(move || {
            for first in (0..outlets.len()).step_by(OUTLETS_PER_TALLY) {
                let run = &outlets[first..(first + OUTLETS_PER_TALLY).min(outlets.len())];
                if send.blocking_send(tally(run, first, per_outlet, today, &rules)).is_err() {
                    return;
                }
            }
        })
    };
    let mut written = 0;
    while let Some(t) = recv.recv().await {
        store.bench_write_service_tally(t).await?;
        written += OUTLETS_PER_TALLY.min(outlets.len() - written);
        let counted = written as u64 * per_outlet;
        eprintln!(
            "  … {counted} ratings and {counted} tickets counted, {written} outlets ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    drawer.join().map_err(|_| anyhow::anyhow!("the drawing thread failed"))?;
    let n = per_outlet * outlets.len() as u64;
    println!("  filled       {n} ratings and {n} tickets in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

pub async fn run(
    events: u64,
    samples: u64,
    bulletin_samples: u64,
    data_dir: Option<std::path::PathBuf>,
    database_url: Option<String>,
) -> Result<()> {
    let (store, _tmp) = super::bench_store(data_dir.as_deref(), database_url.as_deref()).await?;
    let outlets_n = BRANCHES * SUBS * OUTLETS;
    println!(
        "bench service-measures: {} backend, {events} ratings and {events} tickets over 12 months, {outlets_n} outlets, {} tellers",
        super::backend_name(&store),
        outlets_n * TELLERS
    );
    let started = Instant::now();
    let (paths, _) = org(&store).await?;
    head_office_user(&store, "bench.svc", "服务监督", Role::ServiceDept).await?;
    let ids = tellers(&store, &paths).await?;
    let outlets: Vec<Outlet> = paths
        .into_iter()
        .zip(ids)
        .map(|(path, tellers)| {
            let id = xiaobao_core::org::path_ids(&path).last().copied().context("the outlet's path")?;
            Ok(Outlet { id, path, tellers })
        })
        .collect::<Result<_>>()?;
    println!("  org, staff   {:.1} s", started.elapsed().as_secs_f64());
    fill(&store, events, outlets).await?;

    let router = xiaobao_server::router(AppState::new(store.clone(), Arc::new(SystemClock)));
    let token = login(&router, "bench.svc").await?;
    let today = local_date(chrono::Utc::now());
    let range = twelve_months(today);
    let report = super::report;
    let svc = |_| token.clone();
    let path = |q: String| move |_| format!("/api/v1/service-measures?{q}");
    measure(&router, 20, path(range.clone()), svc).await?;
    report("bank, 12 months", measure(&router, samples, path(range.clone()), svc).await?);
    report("bank, 12 months by branch", measure(&router, samples, path(format!("{range}&by=unit")), svc).await?);
    report("bank, 12 months by month", measure(&router, samples, path(format!("{range}&by=month")), svc).await?);
    report("bank, 12 months by hour", measure(&router, samples, path(format!("{range}&by=hour")), svc).await?);
    let month = format!("from={}&to={today}", today.with_day(1).unwrap_or(today));
    report("bank, this month by day", measure(&router, samples, path(format!("{month}&by=day")), svc).await?);
    let days31 = format!("from={}&to={today}", today - Duration::days(30));
    report("bank, 31 days day × hour", measure(&router, samples, path(format!("{days31}&by=day_hour")), svc).await?);
    let sub = |i: u64| format!("/api/v1/service-measures?org_unit=M{:02}S{:02}&{range}&by=unit", i % 20, (i / 20) % 20);
    report("sub-branch, 12 months by outlet", measure(&router, samples, sub, svc).await?);
    let outlet = |i: u64| {
        let (b, s, o) = ((i as usize / 500) % BRANCHES, (i as usize / 25) % SUBS, i as usize % OUTLETS);
        format!("/api/v1/service-measures?org_unit={}&{range}&by=teller", outlet_code(b, s, o))
    };
    report("outlet, 12 months by teller", measure(&router, samples, outlet, svc).await?);
    let last_month = (today.with_day(1).unwrap_or(today) - Duration::days(1)).format("%Y-%m").to_string();
    let bulletin = |_| format!("/api/v1/bulletins/draft?month={last_month}");
    report("bulletin of the bank, last month", measure(&router, bulletin_samples, bulletin, svc).await?);
    println!("  RSS          {:.0} MB", super::rss_mb());
    store.close().await;
    Ok(())
}
