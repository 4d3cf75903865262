//! `xiaobao bench measures`: server time of the measures over a bank-sized history — by default
//! 10,000,000 complaints received over the last 12 months across 10,000 outlets (10,421 units).
//! The measures read only the rollups, so the history is counted straight into them
//! (`Store::bench_count_into_rollups`) rather than registered complaint by complaint.

use super::pages::{PASSWORD, login, measure, unit};
use anyhow::{Context, Result};
use chrono::{Datelike, Duration};
use std::sync::Arc;
use std::time::Instant;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::{Decision, Feedback, Order, RootCause, State};
use xiaobao_core::deadline::{Clock, ClockKind};
use xiaobao_core::org::OrgUnitKind;
use xiaobao_core::period::Period;
use xiaobao_core::role::Role;
use xiaobao_core::time::local_date;
use xiaobao_server::{AppState, SystemClock};
use xiaobao_store::{NewUser, Store};

pub(super) const BRANCHES: usize = 20;
pub(super) const SUBS: usize = 20;
pub(super) const OUTLETS: usize = 25;
/// Orders counted per transaction while filling.
const CHUNK: u64 = 250_000;

pub(super) fn outlet_code(b: usize, s: usize, o: usize) -> String {
    format!("M{b:02}S{s:02}O{o:02}")
}

/// 20 branches × 20 sub-branches × 25 outlets; returns the outlets' paths and the sub-branches' ids.
pub(super) async fn org(store: &Store) -> Result<(Vec<String>, Vec<i64>)> {
    let mut outlets = Vec::with_capacity(BRANCHES * SUBS * OUTLETS);
    let mut subs = Vec::with_capacity(BRANCHES * SUBS);
    for b in 0..BRANCHES {
        let bc = format!("M{b:02}");
        unit(store, &bc, &format!("第{b}分行"), OrgUnitKind::Branch, "HO").await?;
        for s in 0..SUBS {
            let sc = format!("{bc}S{s:02}");
            unit(store, &sc, &format!("第{b}分行第{s}支行"), OrgUnitKind::SubBranch, &bc).await?;
            subs.push(store.org_unit_by_code(&sc).await?.context("sub-branch")?.id);
            for o in 0..OUTLETS {
                let code = outlet_code(b, s, o);
                unit(store, &code, &format!("网点{b}-{s}-{o}"), OrgUnitKind::Outlet, &sc).await?;
                outlets.push(store.org_unit_by_code(&code).await?.context("outlet")?.path);
            }
        }
    }
    Ok((outlets, subs))
}

/// A user at head office with the benches' password, unless one of that name exists.
pub(super) async fn head_office_user(store: &Store, username: &str, name: &str, role: Role) -> Result<()> {
    if store.user_for_login(username).await?.is_some() {
        return Ok(());
    }
    let ho = store.org_unit_by_code("HO").await?.context("HO")?;
    let hash = xiaobao_server::hash_password(PASSWORD).map_err(|_| anyhow::anyhow!("hash"))?;
    store
        .create_user(&NewUser {
            username: username.into(),
            display_name: name.into(),
            role,
            org_unit_id: ho.id,
            password_hash: hash,
            email: None,
        })
        .await?;
    Ok(())
}

/// The query of the last 12 months: from the first of the month 11 months back to `today`.
pub(super) fn twelve_months(today: chrono::NaiveDate) -> String {
    let from = (today - chrono::Months::new(11)).with_day(1).unwrap_or(today);
    format!("from={from}&to={today}")
}

/// The n-th complaint's picks: a deterministic draw below `m` for each `salt`.
fn picks(n: u64) -> impl Fn(u64, u64) -> u64 {
    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17) ^ n;
    move |salt: u64, m: u64| (h.rotate_left(salt as u32 * 7) ^ salt.wrapping_mul(0x2545_F491_4F6C_DD1D)) % m
}

/// The outlet (its index) the n-th complaint is received at.
fn outlet_of(n: u64, outlets: usize) -> usize {
    picks(n)(13, outlets as u64) as usize
}

/// A deterministic stand-in for the n-th complaint: received on one of the last 365 days, through a
/// channel and in a class in realistic proportions, and handled as most are.
fn order(n: u64, today: chrono::NaiveDate) -> Order {
    let pick = picks(n);
    let day = today - Duration::days(pick(1, 365) as i64);
    let received = xiaobao_core::time::start_of_local_day(day) + Duration::hours(9 + pick(2, 8) as i64);
    let channel = match pick(3, 100) {
        0..=39 => Channel::Hotline,
        40..=69 => Channel::Counter,
        70..=79 => Channel::Online,
        80..=87 => Channel::OutletPhone,
        88..=93 => Channel::Regulator,
        94..=96 => Channel::Letter,
        97..=98 => Channel::OtherTransfer,
        _ => Channel::Media,
    };
    let category = format!("{:02}", 1 + pick(4, 12));
    let response = Clock::start(ClockKind::Response, received, received + Duration::hours(1));
    let decision = Clock::start(ClockKind::Decision, received, received + Duration::days(15));
    let mut o =
        Order::registered(0, 0, received, 0, channel, Some(category), None, vec![response, decision], pick(5, 100) < 5);
    o.escalation_count = u32::from(pick(6, 100) < 3);
    let outcome = pick(7, 100);
    let older = day < today - Duration::days(20);
    if outcome < 95 || older {
        // answered, in time for most
        let late = pick(8, 100) < 5;
        let at = received + if late { Duration::hours(3) } else { Duration::minutes(30) };
        o.responded_at = Some(at);
        o.clocks[0].met_at = Some(at);
        o.clocks[0].breached_at = late.then_some(o.clocks[0].due_at);
        o.state = State::InProgress;
    }
    if older && outcome < 95 {
        let at = received + Duration::days(if pick(9, 100) < 3 { 20 } else { 6 });
        o.decided_at = Some(at);
        o.clocks[1].met_at = Some(at);
        o.clocks[1].breached_at = (at >= o.clocks[1].due_at).then_some(o.clocks[1].due_at);
        let cause = format!("{:02}", 1 + pick(10, 12));
        o.decision =
            Decision::parse(pick(11, 100) < 40, RootCause::ServiceFault, Some(cause), None, None, "已处理").ok();
        o.closed_at = Some(at + Duration::days(1));
        o.feedback = Some(match pick(12, 100) {
            0..=79 => Feedback::Satisfied,
            80..=94 => Feedback::Dissatisfied,
            _ => Feedback::Unreachable,
        });
        o.state = State::Closed;
    } else if older {
        o.state = if outcome < 98 { State::Declined } else { State::Withdrawn };
    }
    o
}

async fn fill(store: &Store, complaints: u64, outlets: &[String], subs: &[i64]) -> Result<()> {
    let ho = store.org_unit_by_code("HO").await?.context("HO")?;
    let today = local_date(chrono::Utc::now());
    let all = store.rollup_counts(&[ho.id], today - Duration::days(400), today, xiaobao_store::Split::Total).await?;
    let have: i64 = all.iter().map(|r| r.2.received).sum();
    if have >= complaints as i64 {
        println!("  reusing      {have} complaints already counted");
        return Ok(());
    }
    let started = Instant::now();
    // a run of neighbouring outlets per transaction (about CHUNK complaints): their counter rows
    // lie together in the tables' indexes, as a bank's do when it is filled day by day
    let per_chunk = ((outlets.len() as u64 * CHUNK).div_ceil(complaints.max(1)) as usize).clamp(1, outlets.len());
    let mut counted = 0;
    for first in (0..outlets.len()).step_by(per_chunk) {
        let run = first..(first + per_chunk).min(outlets.len());
        let chunk: Vec<(String, Order)> = (0..complaints)
            .filter_map(|n| {
                let outlet = outlet_of(n, outlets.len());
                run.contains(&outlet).then(|| (outlets[outlet].clone(), order(n, today)))
            })
            .collect();
        store.bench_count_into_rollups(&chunk).await?;
        counted += chunk.len();
        eprintln!("  … {counted} complaints counted ({:.0} s)", started.elapsed().as_secs_f64());
    }
    // customers and transactions per sub-branch and month; branches and head office hold the sums
    let cpc = store.user_for_login("bench.cpc").await?.context("cpc")?.0.id;
    for (i, &sub) in subs.iter().enumerate() {
        for back in 0..12 {
            let d = today - chrono::Months::new(back);
            let period = Period::Month(d.year(), d.month());
            let customers = 40_000 + (i as i64 * 37) % 20_000;
            store.put_period_stats(sub, period, customers, customers * 15, cpc, 0).await?;
        }
    }
    println!("  filled       {complaints} complaints in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

pub async fn run(
    complaints: u64,
    samples: u64,
    data_dir: Option<std::path::PathBuf>,
    database_url: Option<String>,
) -> Result<()> {
    let (store, _tmp) = super::bench_store(data_dir.as_deref(), database_url.as_deref()).await?;
    println!(
        "bench measures: {} backend, {complaints} complaints over 12 months, {} outlets ({} units)",
        super::backend_name(&store),
        BRANCHES * SUBS * OUTLETS,
        1 + BRANCHES + BRANCHES * SUBS + BRANCHES * SUBS * OUTLETS
    );
    let started = Instant::now();
    let (outlets, subs) = org(&store).await?;
    head_office_user(&store, "bench.cpc", "基准", Role::CpCentre).await?;
    println!("  org          {:.1} s", started.elapsed().as_secs_f64());
    fill(&store, complaints, &outlets, &subs).await?;

    let router = xiaobao_server::router(AppState::new(store.clone(), Arc::new(SystemClock)));
    let token = login(&router, "bench.cpc").await?;
    let today = local_date(chrono::Utc::now());
    let range = twelve_months(today);
    let report = super::report;
    let cpc = |_| token.clone();
    let path = |q: String| move |_| format!("/api/v1/measures?{q}");
    measure(&router, 20, path(range.clone()), cpc).await?;
    report("bank, 12 months", measure(&router, samples, path(range.clone()), cpc).await?);
    report("bank, 12 months by branch", measure(&router, samples, path(format!("{range}&by=unit")), cpc).await?);
    report("bank, 12 months by month", measure(&router, samples, path(format!("{range}&by=month")), cpc).await?);
    report("bank, 12 months by category", measure(&router, samples, path(format!("{range}&by=category")), cpc).await?);
    let month = format!("from={}&to={today}", today.with_day(1).unwrap_or(today));
    report("bank, this month by branch", measure(&router, samples, path(format!("{month}&by=unit")), cpc).await?);
    let outlet = |i: u64| {
        let (b, s, o) = ((i as usize / 500) % BRANCHES, (i as usize / 25) % SUBS, i as usize % OUTLETS);
        format!("/api/v1/measures?org_unit={}&{range}", outlet_code(b, s, o))
    };
    report("outlet, 12 months", measure(&router, samples, outlet, cpc).await?);
    let sub = |i: u64| format!("/api/v1/measures?org_unit=M{:02}S{:02}&{range}&by=unit", i % 20, (i / 20) % 20);
    report("sub-branch, 12 months by outlet", measure(&router, samples, sub, cpc).await?);
    println!("  RSS          {:.0} MB", super::rss_mb());
    store.close().await;
    Ok(())
}
