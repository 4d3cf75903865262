//! Firing a deadline alert inside the writer's batch. Core plans it (`deadline::alerting::plan`: due
//! or not, escalate or not, whom to tell, when mail may go); this writes the event on the order's
//! timeline, the automatic escalation (as the system actor), and the notifications to the people the
//! escalation chain names — all in the one transaction, so each alert happens once.

use super::{Batch, Ctx, WriteError, load_order, save_order};
use crate::StoreError;
use crate::events::append;
use sqlx::{AnyConnection, Row};
use xiaobao_core::complaint::{self, Actor, Change, NewEvent, UnitRef};
use xiaobao_core::deadline::alerting::{self, Due};
use xiaobao_core::deadline::{Alert, ClockKind};
use xiaobao_core::org::path_ids;
use xiaobao_core::role::Role;
use xiaobao_core::time::{Instant, to_millis};

#[derive(Debug, Clone)]
pub struct AlertInput {
    pub complaint_id: i64,
    pub clock: ClockKind,
    pub now: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertOutcome {
    /// The alert that fired and its event, or None when nothing was due any more.
    pub fired: Option<(Alert, i64)>,
    /// The users notified.
    pub notified: Vec<i64>,
    /// The order was escalated to its parent unit as the policy asks.
    pub escalated: bool,
}

impl Ctx {
    pub(super) async fn alert(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &AlertInput,
    ) -> Result<AlertOutcome, WriteError> {
        b.flush(tx).await?;
        let Some(before) = load_order(tx, i.complaint_id).await? else {
            return Ok(AlertOutcome::default());
        };
        let mut order = before.order.clone();
        let rules = b.rules.clone();
        let plan = match alerting::plan(&order, i.clock, i.now, &rules.policy, &rules.calendar) {
            None => return Ok(AlertOutcome::default()),
            Some(Due::Now(plan)) => plan,
            // Not due after all (fired already, clock moved, policy changed): store when it is due.
            Some(Due::Later(at)) => {
                sqlx::query("UPDATE complaint_clocks SET next_alert_at = $1 WHERE complaint_id = $2 AND kind = $3")
                    .bind(at.map(to_millis))
                    .bind(order.id)
                    .bind(i.clock.as_str())
                    .execute(&mut *tx)
                    .await?;
                return Ok(AlertOutcome::default());
            }
        };
        let system = Actor::system(self.system_user_id);
        let state = order.state;
        let change = Change::ClockAlert { clock: i.clock, alert: plan.alert, due_at: plan.due_at };
        let ev = NewEvent {
            complaint_id: order.id,
            actor_id: system.user_id,
            at: i.now,
            from: Some(state),
            to: state,
            change,
        };
        complaint::apply(&mut order, &ev.change, state, i.now);
        let seq = append(&mut b.head, &ev)?;
        let mut new_path = None;
        if plan.escalate
            && let Some(to) = parent_unit(tx, order.org_unit_id).await?
        {
            let action = plan.escalation(to.clone());
            if let Ok((change, to_state)) =
                complaint::check(&order, &action, &system, i.now, &rules.policy, &rules.calendar)
            {
                let ev = NewEvent {
                    complaint_id: order.id,
                    actor_id: system.user_id,
                    at: i.now,
                    from: Some(order.state),
                    to: to_state,
                    change,
                };
                complaint::apply(&mut order, &ev.change, to_state, i.now);
                append(&mut b.head, &ev)?;
                new_path = Some(to.path);
            }
        }
        let escalated = new_path.is_some();
        let last_seq = b.head.seq;
        save_order(tx, b, &before, &order, new_path.as_deref(), last_seq, i.now).await?;

        let Some(role) = plan.notify else {
            return Ok(AlertOutcome { fired: Some((plan.alert, seq)), notified: Vec::new(), escalated });
        };
        let recipients = nearest_with_role(tx, new_path.as_deref().unwrap_or(&before.path), role).await?;
        let mut notified = Vec::new();
        for (user_id, email) in recipients {
            let (nid,): (i64,) = sqlx::query_as(
                "INSERT INTO notifications (user_id, complaint_id, event_seq, kind, clock, level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(user_id)
            .bind(order.id)
            .bind(seq)
            .bind(plan.notice.kind.as_str())
            .bind(i.clock.as_str())
            .bind(i64::from(plan.notice.level))
            .bind(to_millis(i.now))
            .fetch_one(&mut *tx)
            .await?;
            if let Some(to) = email.filter(|e| !e.is_empty()) {
                // worded by the sender, in the text catalogue's words, from the notification's codes
                sqlx::query("INSERT INTO email_outbox (notification_id, to_addr, subject, body, send_after) VALUES ($1, $2, '', '', $3)")
                    .bind(nid)
                    .bind(to)
                    .bind(to_millis(plan.send_after))
                    .execute(&mut *tx)
                    .await?;
            }
            notified.push(user_id);
        }
        Ok(AlertOutcome { fired: Some((plan.alert, seq)), notified, escalated })
    }
}

/// The unit above `unit_id`, if any.
async fn parent_unit(tx: &mut AnyConnection, unit_id: i64) -> Result<Option<UnitRef>, StoreError> {
    let row = sqlx::query(
        "SELECT p.id, p.code, p.path FROM org_units o JOIN org_units p ON p.id = o.parent_id WHERE o.id = $1",
    )
    .bind(unit_id)
    .fetch_optional(&mut *tx)
    .await?;
    row.map(|r| Ok(UnitRef { id: r.try_get("id")?, code: r.try_get("code")?, path: r.try_get("path")? })).transpose()
}

/// Active users with `role` at the unit on `path` nearest the bottom (the unit itself, else its parent, …).
pub(crate) async fn nearest_with_role(
    tx: &mut AnyConnection,
    path: &str,
    role: Role,
) -> Result<Vec<(i64, Option<String>)>, StoreError> {
    let ids = path_ids(path);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::sql::SqlBuilder::new(
        "SELECT u.id, u.email, u.org_unit_id FROM users u WHERE u.active = 1 AND u.role = ",
    );
    q.bind(crate::sql::Arg::Text(role.as_str().into())).push(" AND u.org_unit_id IN (");
    for (n, id) in ids.iter().enumerate() {
        q.push(if n == 0 { "" } else { ", " }).bind(crate::sql::Arg::I64(*id));
    }
    q.push(") ORDER BY u.id");
    let rows = q.query().fetch_all(&mut *tx).await?;
    let mut found: Vec<(usize, i64, Option<String>)> = Vec::new();
    for r in &rows {
        let unit: i64 = r.try_get("org_unit_id")?;
        let depth = ids.iter().position(|i| *i == unit).unwrap_or(0);
        found.push((depth, r.try_get("id")?, r.try_get("email")?));
    }
    let deepest = found.iter().map(|f| f.0).max();
    Ok(found.into_iter().filter(|f| Some(f.0) == deepest).map(|(_, id, email)| (id, email)).collect())
}
