//! Firing a deadline alert inside the writer's batch: the event on the order's timeline, the breach
//! recorded on the clock, the automatic escalation the policy may ask for, and the notifications to
//! the people the escalation chain names — all in the one transaction, so each alert happens once.

use super::{Batch, Ctx, WriteError, load_order, save_order};
use crate::StoreError;
use crate::events::append;
use sqlx::{AnyConnection, Row};
use xiaobao_core::complaint::{self, Action, Actor, Change, NewEvent, UnitRef};
use xiaobao_core::deadline::{Alert, ClockKind};
use xiaobao_core::org::path_ids;
use xiaobao_core::role::Role;
use xiaobao_core::time::{Instant, rfc3339, to_millis};

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
        let (mut order, org_path) = (before.order.clone(), before.path.clone());
        let rules = b.rules.clone();
        let policy = &rules.policy;
        let Some(clock) = order.clock(i.clock) else { return Ok(AlertOutcome::default()) };
        let next = policy.next_alert(&rules.calendar, clock, order.channel, order.category.as_deref());
        let alert = match next {
            Some((due, alert)) if due <= i.now => alert,
            // Not due after all (fired already, clock moved, policy changed): store when it is due.
            other => {
                sqlx::query("UPDATE complaint_clocks SET next_alert_at = $1 WHERE complaint_id = $2 AND kind = $3")
                    .bind(other.map(|(t, _)| to_millis(t)))
                    .bind(order.id)
                    .bind(i.clock.as_str())
                    .execute(&mut *tx)
                    .await?;
                return Ok(AlertOutcome::default());
            }
        };
        let state = order.state;
        let change = Change::ClockAlert { clock: i.clock, alert, due_at: clock.due_at };
        let ev = NewEvent {
            complaint_id: order.id,
            actor_id: self.system_user_id,
            at: i.now,
            from: Some(state),
            to: state,
            change,
        };
        complaint::apply(&mut order, &ev.change, state, i.now);
        let seq = append(&mut b.head, &ev)?;
        let mut new_path = None;
        let mut escalated = false;

        // From the second breach level on, the policy may move the order up a unit as well.
        if policy.escalation.auto_escalate && matches!(alert, Alert::Breach { level } if level >= 2) {
            let parent = sqlx::query(
                "SELECT p.id, p.code, p.path FROM org_units o JOIN org_units p ON p.id = o.parent_id WHERE o.id = $1",
            )
            .bind(order.org_unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = parent {
                let to = UnitRef { id: r.try_get("id")?, code: r.try_get("code")?, path: r.try_get("path")? };
                let system = Actor { user_id: self.system_user_id, role: Role::CpCentre, unit_path: "/".into() };
                let reason = format!("{}期限超时，自动升级", clock_label(i.clock));
                if let Ok((change, to_state)) = complaint::check(
                    &order,
                    &Action::Escalate { to: Some(to.clone()), reason },
                    &system,
                    i.now,
                    policy,
                    &rules.calendar,
                ) {
                    let ev = NewEvent {
                        complaint_id: order.id,
                        actor_id: self.system_user_id,
                        at: i.now,
                        from: Some(order.state),
                        to: to_state,
                        change,
                    };
                    complaint::apply(&mut order, &ev.change, to_state, i.now);
                    append(&mut b.head, &ev)?;
                    new_path = Some(to.path);
                    escalated = true;
                }
            }
        }
        let last_seq = b.head.seq;
        save_order(tx, b, &before, &order, new_path.as_deref(), last_seq, i.now).await?;

        // Who hears of it: the chain's role for this level, nearest the order's unit.
        let level = match alert {
            Alert::Warning { .. } => 1,
            Alert::Breach { level } => usize::from(level),
        };
        let Some(role) = policy.escalation.chain.get(level.saturating_sub(1)).copied() else {
            return Ok(AlertOutcome { fired: Some((alert, seq)), notified: Vec::new(), escalated });
        };
        let path = new_path.as_deref().unwrap_or(&org_path);
        let recipients = nearest_with_role(tx, path, role).await?;
        let number: String = sqlx::query("SELECT number FROM complaints WHERE id = $1")
            .bind(order.id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("number")?;
        let (kind, lvl) = match alert {
            Alert::Warning { percent } => ("clock_warning", i64::from(percent)),
            Alert::Breach { level } => ("clock_breach", i64::from(level)),
        };
        let hours = &policy.opening_hours;
        // Mail outside opening hours waits for the next opening when the policy says so.
        let send_after = if policy.escalation.working_hours_only && !hours.is_open(&rules.calendar, i.now) {
            hours.add_minutes(&rules.calendar, i.now, 0)
        } else {
            i.now
        };
        let subject = match alert {
            Alert::Warning { percent } => format!("【消保】投诉 {number} {}已过 {percent}%", clock_label(i.clock)),
            Alert::Breach { level } => format!("【消保】投诉 {number} {}已超时（第 {level} 级）", clock_label(i.clock)),
        };
        let body = format!(
            "{subject}\n到期时间 / due: {}\n\nComplaint {number}: {} clock {}.\n",
            rfc3339(order.clock(i.clock).map_or(i.now, |c| c.due_at)),
            i.clock.as_str(),
            match alert {
                Alert::Warning { percent } => format!("has run {percent}% of its time"),
                Alert::Breach { level } => format!("is overdue (escalation level {level})"),
            }
        );
        let mut notified = Vec::new();
        for (user_id, email) in recipients {
            let (nid,): (i64,) = sqlx::query_as(
                "INSERT INTO notifications (user_id, complaint_id, event_seq, kind, clock, level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(user_id)
            .bind(order.id)
            .bind(seq)
            .bind(kind)
            .bind(i.clock.as_str())
            .bind(lvl)
            .bind(to_millis(i.now))
            .fetch_one(&mut *tx)
            .await?;
            if let Some(to) = email.filter(|e| !e.is_empty()) {
                sqlx::query("INSERT INTO email_outbox (notification_id, to_addr, subject, body, send_after) VALUES ($1, $2, $3, $4, $5)")
                    .bind(nid)
                    .bind(to)
                    .bind(&subject)
                    .bind(&body)
                    .bind(to_millis(send_after))
                    .execute(&mut *tx)
                    .await?;
            }
            notified.push(user_id);
        }
        Ok(AlertOutcome { fired: Some((alert, seq)), notified, escalated })
    }
}

fn clock_label(kind: ClockKind) -> &'static str {
    match kind {
        ClockKind::Response => "响应时限",
        ClockKind::Decision => "处理决定期限",
        ClockKind::Completion => "限时办结期限",
        ClockKind::Review => "核查期限",
    }
}

/// Active users with `role` at the unit on `path` nearest the bottom (the unit itself, else its parent, …).
async fn nearest_with_role(
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
