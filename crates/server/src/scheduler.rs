//! The deadline scheduler: sleeps until the nearest alert falls due (read from an index on the
//! clocks' next alert times, never a scan of open orders), fires every alert that is due as an event
//! with its notifications, and sleeps again. Only the leader runs it (a PostgreSQL advisory lock);
//! firing is exactly-once in any case, because the writer fires an alert only if it is still due.
//! An alert that fell due while no server ran fires on the next start.

use crate::app::AppState;
use std::time::Duration;
use xiaobao_core::time::Instant;
use xiaobao_store::{AlertInput, StoreError};

/// The longest the scheduler sleeps without looking again (alerts are also signalled by the writer).
const MAX_SLEEP: chrono::Duration = chrono::Duration::seconds(60);

/// One alert fired: when it was due and when its transaction committed (wall clock).
#[derive(Debug, Clone, Copy)]
pub struct Fired {
    pub due: Instant,
    pub committed: Instant,
}

/// Fires every alert due at `now`; returns how many fired.
pub async fn run_due(state: &AppState, now: Instant) -> Result<usize, StoreError> {
    Ok(run_due_detailed(state, now).await?.len())
}

/// Fires every alert due at `now`; returns each that fired.
pub async fn run_due_detailed(state: &AppState, now: Instant) -> Result<Vec<Fired>, StoreError> {
    let mut fired = Vec::new();
    loop {
        let due = state.store.due_alerts(now, 1000).await?;
        if due.is_empty() {
            return Ok(fired);
        }
        // Sent together so the writer commits them in a few batches.
        let mut set = tokio::task::JoinSet::new();
        for d in due {
            let store = state.store.clone();
            set.spawn(async move {
                let r = store.fire_alert(AlertInput { complaint_id: d.complaint_id, clock: d.clock, now }).await;
                (d.at, r)
            });
        }
        while let Some(r) = set.join_next().await {
            match r {
                Ok((due, Ok(outcome))) => {
                    if outcome.fired.is_some() {
                        fired.push(Fired { due, committed: chrono::Utc::now() });
                    }
                }
                Ok((_, Err(e))) => tracing::error!(error = %e, "firing a deadline alert failed"),
                Err(e) => tracing::error!(error = %e, "deadline alert task failed"),
            }
        }
    }
}

/// Runs the scheduler until the process ends: waits to lead, then fires alerts as they fall due.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    spawn_reporting(state, None)
}

/// `spawn`, telling `report` of every alert it fires (for the benchmark).
pub fn spawn_reporting(
    state: AppState,
    report: Option<tokio::sync::mpsc::UnboundedSender<Fired>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let _lead = loop {
                match state.store.try_lead().await {
                    Ok(Some(lead)) => break lead,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot ask for the scheduler lock"),
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            };
            tracing::info!("deadline scheduler running");
            loop {
                let now = state.clock.now();
                match run_due_detailed(&state, now).await {
                    Ok(fired) => {
                        if let Some(r) = &report {
                            for f in fired {
                                let _ = r.send(f);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "deadline scheduler pass failed");
                        break;
                    }
                }
                // the service side's notices: outlets over their overtime target, overdue rectifications
                if let Err(e) = crate::service_notices::run(&state, now).await {
                    tracing::error!(error = %e, "service notices pass failed");
                }
                // the heads of outlets whose weekly report is missing after its deadline, once
                if let Err(e) = crate::service_notices::remind_weekly(&state, now).await {
                    tracing::error!(error = %e, "weekly report reminders failed");
                }
                let next = match state.store.next_alert_at().await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(error = %e, "deadline scheduler cannot read the next alert");
                        break;
                    }
                };
                let wake = next.map_or(now + MAX_SLEEP, |n| n.min(now + MAX_SLEEP));
                state.store.alert_signal().plan(wake);
                let sleep = (wake - state.clock.now()).to_std().unwrap_or(Duration::ZERO);
                tokio::select! {
                    _ = tokio::time::sleep(sleep) => {}
                    _ = state.store.alert_signal().woken() => {}
                }
            }
            // Lost the database: give up the lead and start over.
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    })
}
