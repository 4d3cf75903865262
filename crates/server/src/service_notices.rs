//! The scheduler's service pass, run with every deadline pass (at least once a minute): an outlet
//! whose overtime-wait ratio today is over the bank's target is told to its head — in the bell and
//! by mail, once a day, only in opening hours; a rectification that reached a further overdue level
//! on the working-day calendar is escalated (recorded in its history) and told to its owner, from
//! the second level also to the operations supervisor above it, from the third to the service
//! department; the head of an outlet without a signed weekly report of the latest week past its
//! deadline is reminded. Every notice is made once (its subject key), so a pass run twice tells nobody twice.

use crate::app::AppState;
use chrono::Timelike;
use xiaobao_core::measure::day_number;
use xiaobao_core::role::Role;
use xiaobao_core::service::measure::Dim;
use xiaobao_core::service::rectification::overdue_level;
use xiaobao_core::time::{Instant, local_date};
use xiaobao_store::StoreError;
use xiaobao_store::service::rollups::Grain;
use xiaobao_store::service::{RectFilter, ServiceNotice};

/// Opening hours, local time: the overtime notice is sent only between these.
pub const OPENS_AT_HOUR: u32 = 9;
pub const CLOSES_AT_HOUR: u32 = 17;
/// Fewer tickets called than this today: too few for the ratio to say anything yet.
pub const MIN_TICKETS_FOR_FLAG: i64 = 10;

/// Whether `now` is in the outlets' opening hours (local time).
pub fn in_opening_hours(now: Instant) -> bool {
    let local = now.with_timezone(&xiaobao_core::time::shanghai());
    (OPENS_AT_HOUR..CLOSES_AT_HOUR).contains(&local.hour())
}

/// The outlets over their overtime-wait target today: (outlet id, code, name, path, ratio in basis
/// points, overtime waits, waits).
pub async fn overtime_today(
    state: &AppState,
    path: &str,
    now: Instant,
) -> Result<Vec<(i64, String, String, String, i64, i64, i64)>, StoreError> {
    let today = local_date(now);
    let target = state.store.rules().service.overtime_target_percent;
    let outlets = state.store.outlets_under(path).await?;
    let ids: Vec<i64> = outlets.iter().map(|o| o.id).collect();
    let mut by_unit: std::collections::HashMap<i64, (i64, i64)> = std::collections::HashMap::new();
    for r in state.store.service_rows(&ids, Dim::All, today, today, Grain::Day).await? {
        let e = by_unit.entry(r.unit_id).or_default();
        *e = (e.0 + r.counts.overtime, e.1 + r.counts.tickets_called);
    }
    let mut over = Vec::new();
    for o in outlets {
        let Some(&(overtime, called)) = by_unit.get(&o.id) else { continue };
        if called >= MIN_TICKETS_FOR_FLAG && overtime * 100 > target * called {
            over.push((o.id, o.code, o.name, o.path, overtime * 10_000 / called, overtime, called));
        }
    }
    over.sort_by(|a, b| b.4.cmp(&a.4).then(a.1.cmp(&b.1)));
    Ok(over)
}

fn pct(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Runs the pass at `now`; returns how many notices were made.
pub async fn run(state: &AppState, now: Instant) -> Result<usize, StoreError> {
    let zh = crate::i18n::Lang::Zh;
    let today = local_date(now);
    let mut notices = Vec::new();
    if in_opening_hours(now) {
        let target = state.store.rules().service.overtime_target_percent;
        for (id, code, name, path, bp, overtime, called) in overtime_today(state, "/", now).await? {
            let (subject, body) = {
                let (ov, ca, ratio) = (overtime.to_string(), called.to_string(), pct(bp));
                let args: [(&str, &dyn std::fmt::Display); 6] = [
                    ("outlet", &name),
                    ("ratio", &ratio),
                    ("target", &target),
                    ("overtime", &ov),
                    ("called", &ca),
                    ("day", &today),
                ];
                (zh.format("notice.overtime_subject", &args), zh.format("notice.overtime_body", &args))
            };
            for (user_id, email) in state.store.nearest_with_role(&path, Role::OutletHead).await? {
                notices.push(ServiceNotice {
                    user_id,
                    email,
                    kind: "overtime_day",
                    subject_id: id,
                    subject_key: format!("{code}:{}", day_number(today)),
                    level: bp,
                    mail_subject: subject.clone(),
                    mail_body: body.clone(),
                });
            }
        }
    }
    let calendar = &state.store.rules().calendar;
    let overdue = state
        .store
        .rectifications(&RectFilter {
            path: "/".into(),
            owner_id: None,
            mine_only: false,
            state: None,
            due_before: Some(day_number(today)),
            limit: 10_000,
            offset: 0,
        })
        .await?;
    for r in overdue {
        let due = crate::api::rectifications::date_of(r.due_on);
        let level = i64::from(overdue_level(calendar, r.state, due, today));
        if level <= r.escalated_level
            || !state.store.escalate_rectification(r.id, level, now.timestamp_millis()).await?
        {
            continue;
        }
        let (subject, body) = {
            let lv = level.to_string();
            let args: [(&str, &dyn std::fmt::Display); 5] =
                [("title", &r.title), ("outlet", &r.unit_name), ("due", &due), ("level", &lv), ("id", &r.id)];
            (zh.format("notice.rect_subject", &args), zh.format("notice.rect_body", &args))
        };
        let mut to: Vec<(i64, Option<String>)> =
            state.store.users_by_ids(&[r.owner_id]).await?.into_iter().map(|u| (u.id, u.email)).collect();
        if level >= 2 {
            to.extend(state.store.nearest_with_role(&r.unit_path, Role::OperationsSupervisor).await?);
        }
        if level >= 3 {
            to.extend(state.store.nearest_with_role(&r.unit_path, Role::ServiceDept).await?);
        }
        to.sort();
        to.dedup();
        for (user_id, email) in to {
            notices.push(ServiceNotice {
                user_id,
                email,
                kind: "rectification_overdue",
                subject_id: r.id,
                subject_key: format!("rect:{}:{level}", r.id),
                level,
                mail_subject: subject.clone(),
                mail_body: body.clone(),
            });
        }
    }
    if notices.is_empty() {
        return Ok(0);
    }
    state.store.notify_service(&notices, now).await
}

/// The scheduler's weekly-report pass: the heads of the outlets without a signed report of the
/// latest week whose deadline has passed, each reminded once (the subject key names the outlet and
/// the week); how many were reminded.
pub async fn remind_weekly(state: &AppState, now: Instant) -> Result<usize, StoreError> {
    let notices = weekly_reminders(state, now).await?;
    if notices.is_empty() {
        return Ok(0);
    }
    state.store.notify_service(&notices, now).await
}

async fn weekly_reminders(state: &AppState, now: Instant) -> Result<Vec<ServiceNotice>, StoreError> {
    use crate::api::workbook::weekly::{due_at, missing_of};
    use xiaobao_core::workbook::weekly::IsoWeek;
    let zh = crate::i18n::Lang::Zh;
    let mut week = IsoWeek::of(local_date(now)).previous();
    if now <= due_at(state, week) {
        week = week.previous();
    }
    let (_, missing) = match missing_of(state, "/", week).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = ?e, "the weekly reports missing cannot be read");
            return Ok(Vec::new());
        }
    };
    let due = xiaobao_core::time::local_minute(due_at(state, week));
    let mut notices = Vec::new();
    for m in missing {
        let Some(unit) = state.store.org_unit_by_code(&m.org_unit.code).await? else { continue };
        let label = week.label();
        let (subject, body) = {
            let args: [(&str, &dyn std::fmt::Display); 3] = [("outlet", &unit.name), ("week", &label), ("due", &due)];
            (zh.format("notice.weekly_subject", &args), zh.format("notice.weekly_body", &args))
        };
        for (user_id, email) in state.store.nearest_with_role(&unit.path, Role::OutletHead).await? {
            notices.push(ServiceNotice {
                user_id,
                email,
                kind: "weekly_report_missing",
                subject_id: unit.id,
                subject_key: format!("weekly:{}:{label}", unit.code),
                level: 0,
                mail_subject: subject.clone(),
                mail_body: body.clone(),
            });
        }
    }
    Ok(notices)
}
