//! `xiaobao bench workbook-figures`: server time of the workbook's figures over a bank-sized year
//! of every register — 10,000 outlets, each month a few fraud interceptions across the scenarios,
//! education events, home services, incidents, listening reviews and suggestions, a weekly report
//! for every week (most signed off), and the sub-branches' consumer-protection reviews with their
//! marks. The figures read only the monthly counters, so the year is counted straight into them.

use super::measures::{BRANCHES, OUTLETS, SUBS, head_office_user, org};
use super::pages::{login, measure};
use anyhow::Result;
use chrono::{Datelike, Duration};
use std::sync::Arc;
use std::time::Instant;
use xiaobao_core::role::Role;
use xiaobao_core::workbook::Register;
use xiaobao_core::workbook::fraud::Scenario;
use xiaobao_core::workbook::weekly::IsoWeek;
use xiaobao_server::{AppState, SystemClock};

pub async fn run(samples: u64, data_dir: Option<std::path::PathBuf>, database_url: Option<String>) -> Result<()> {
    let (store, _tmp) = super::bench_store(data_dir.as_deref(), database_url.as_deref()).await?;
    println!(
        "bench workbook-figures: {} backend, {} outlets, a year of every register",
        super::backend_name(&store),
        BRANCHES * SUBS * OUTLETS
    );
    let started = Instant::now();
    let (paths, subs) = org(&store).await?;
    head_office_user(&store, "bench.cpc", "消保中心", Role::CpCentre).await?;
    let today = xiaobao_core::time::local_date(chrono::Utc::now());
    let first = today.with_day(1).unwrap_or(today).checked_sub_months(chrono::Months::new(11)).unwrap_or(today);
    let yyyymm = |d: chrono::NaiveDate| d.year() * 100 + d.month() as i32;
    let mut items = Vec::new();
    for (k, path) in paths.iter().enumerate() {
        let mut m = first;
        while m <= today {
            let month = yyyymm(m);
            let s = Scenario::ALL[(k + m.month() as usize) % Scenario::ALL.len()];
            items.push((
                path.clone(),
                Register::FraudInterception.as_str(),
                month,
                s.as_str().to_string(),
                1 + (k % 3) as i64,
                2_000_000,
            ));
            for (register, code) in [
                (Register::EducationEvent, "community"),
                (Register::HomeService, "elderly"),
                (Register::Incident, "dispute"),
                (Register::ListeningReview, "recorded"),
                (Register::Suggestion, "process"),
            ] {
                items.push((path.clone(), register.as_str(), month, code.to_string(), 1, 0));
            }
            m = m.checked_add_months(chrono::Months::new(1)).unwrap_or(today + Duration::days(1));
        }
        let mut monday = IsoWeek::of(first).monday();
        while monday <= today {
            let week = IsoWeek::of(monday).label();
            let register = Register::WeeklyReport.as_str();
            items.push((path.clone(), register, yyyymm(monday), week, 1, 0));
            if !(k + monday.ordinal() as usize).is_multiple_of(10) {
                items.push((path.clone(), register, yyyymm(monday), "+signed".into(), 1, 0));
            }
            monday += Duration::days(7);
        }
    }
    let sub_paths: Vec<String> = {
        let mut out = Vec::new();
        for id in &subs {
            if let Some(u) = store.org_unit_by_id(*id).await? {
                out.push(u.path);
            }
        }
        out
    };
    for (k, path) in sub_paths.iter().enumerate() {
        let mut m = first;
        while m <= today {
            let month = yyyymm(m);
            let register = Register::CpReview.as_str();
            items.push((path.clone(), register, month, "product".into(), 3, 0));
            for (mark, n) in
                [("+concluded", 3), ("+on_time", 2), ("+sampled", 1), ("+wanting", k.is_multiple_of(5) as i64)]
            {
                items.push((path.clone(), register, month, mark.into(), n, 0));
            }
            m = m.checked_add_months(chrono::Months::new(1)).unwrap_or(today + Duration::days(1));
        }
    }
    let n = items.len();
    store.bench_count_workbook(&items).await?;
    println!("  filled       {n} counted lines in {:.1} s", started.elapsed().as_secs_f64());

    let router = xiaobao_server::router(AppState::new(store.clone(), Arc::new(SystemClock)));
    let token = login(&router, "bench.cpc").await?;
    let range = format!("from={}&to={}", first.format("%Y-%m"), today.format("%Y-%m"));
    let cpc = |_| token.clone();
    let bank = |_| format!("/api/v1/workbook/figures?org_unit=HO&{range}");
    measure(&router, 5, bank, cpc).await?;
    super::report("bank, 12 months by branch", measure(&router, samples, bank, cpc).await?);
    let branch = |i: u64| format!("/api/v1/workbook/figures?org_unit=M{:02}&{range}", i % BRANCHES as u64);
    super::report("branch, 12 months by sub-branch", measure(&router, samples, branch, cpc).await?);
    let sub = |i: u64| format!("/api/v1/workbook/figures?org_unit=M{:02}S{:02}&{range}", i % 20, (i / 20) % 20);
    super::report("sub-branch, 12 months by outlet", measure(&router, samples, sub, cpc).await?);
    println!("  RSS          {:.0} MB", super::rss_mb());
    store.close().await;
    Ok(())
}
