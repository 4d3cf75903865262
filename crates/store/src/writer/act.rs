//! Acting on a work order inside the writer's batch: load it, check scope, let the core decide,
//! append the event and write the new projection.

use super::pending::insert_clocks;
use super::{ActInput, ActOutcome, Batch, Ctx, WriteError};
use crate::StoreError;
use crate::complaints::{clocks_for, order_from_row};
use crate::events::append;
use sqlx::{AnyConnection, Row};
use xiaobao_core::access::{OrderPlace, may_act_on_order};
use xiaobao_core::complaint::{self, Action, Change, NewEvent, Order, UnitRef};
use xiaobao_core::org::tier1_of;
use xiaobao_core::time::{Instant, to_millis};

impl Ctx {
    pub(super) async fn act(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &ActInput,
    ) -> Result<ActOutcome, WriteError> {
        b.flush(tx).await?;
        let before = load_order(tx, i.complaint_id).await?.ok_or(WriteError::NotFound)?;
        let (mut order, complainant_id) = (before.order.clone(), before.complainant_id);
        if !may_act_on_order(i.actor.viewer(), before.place()) {
            return Err(WriteError::NotFound);
        }
        let mut action = i.action.clone();
        if let Action::Escalate { to, .. } = &mut action {
            let parent = sqlx::query(
                "SELECT p.id, p.code, p.path FROM org_units o JOIN org_units p ON p.id = o.parent_id WHERE o.id = $1",
            )
            .bind(order.org_unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            *to = match parent {
                Some(r) => Some(UnitRef { id: r.try_get("id")?, code: r.try_get("code")?, path: r.try_get("path")? }),
                None => None,
            };
        }
        let (change, to) = complaint::check(&order, &action, &i.actor, i.at, &b.rules.policy, &b.rules.calendar)
            .map_err(WriteError::Refused)?;
        let from = order.state;
        let new_path = match &change {
            Change::Transfer { to, .. } | Change::Escalate { to, .. } => Some(to.path.clone()),
            _ => None,
        };
        let reopened = matches!(change, Change::Reopen { .. });
        // a liable decision proposes accountability for the employees it names
        let accountable: Vec<i64> = match &change {
            Change::Decide { decision } if decision.liable => decision.liable_staff.clone(),
            _ => Vec::new(),
        };
        let ev = NewEvent { complaint_id: order.id, actor_id: i.actor.user_id, at: i.at, from: Some(from), to, change };
        complaint::apply(&mut order, &ev.change, to, i.at);
        let seq = append(&mut b.head, &ev)?;
        save_order(tx, b, &before, &order, new_path.as_deref(), seq, i.at).await?;
        for user in accountable {
            sqlx::query(
                "INSERT INTO accountability (complaint_id, user_id, state, proposed_at) VALUES ($1, $2, 'proposed', $3) \
                 ON CONFLICT (complaint_id, user_id) DO NOTHING",
            )
            .bind(order.id)
            .bind(user)
            .bind(to_millis(i.at))
            .execute(&mut *tx)
            .await?;
        }
        if reopened {
            // A reopened complaint counts as a repeat: its complainant goes on the watch list.
            sqlx::query("UPDATE complainants SET watchlist = 1 WHERE id = $1")
                .bind(complainant_id)
                .execute(&mut *tx)
                .await?;
            if let Some(k) = b.known.iter_mut().find(|k| k.id == complainant_id) {
                k.watchlist = true;
            }
        }
        Ok(ActOutcome { seq, from, to })
    }
}

/// An order as read inside the writer's transaction, with what the rollups and scope checks need.
#[derive(Clone)]
pub(super) struct Loaded {
    pub order: Order,
    /// Path of the unit handling it.
    pub path: String,
    /// Path of the unit it counts against.
    pub responsible_path: String,
    pub complainant_id: i64,
    /// The hot issue it is linked to, if any.
    pub hot_issue_id: Option<i64>,
}

impl Loaded {
    /// The order as the scope rules see it (`xiaobao_core::access`).
    pub fn place(&self) -> OrderPlace<'_> {
        OrderPlace { handling_path: &self.path, first_responder_id: self.order.first_responder_id }
    }
}

pub(super) async fn load_order(tx: &mut AnyConnection, id: i64) -> Result<Option<Loaded>, WriteError> {
    let Some(row) = sqlx::query(
        "SELECT k.*, r.path AS responsible_path FROM complaints k JOIN org_units r ON r.id = k.responsible_unit_id WHERE k.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let clocks = clocks_for(&mut *tx, &[id]).await?.into_iter().map(|(_, c)| c).collect();
    Ok(Some(Loaded {
        order: order_from_row(&row, clocks)?,
        path: row.try_get("org_path")?,
        responsible_path: row.try_get("responsible_path")?,
        complainant_id: row.try_get("complainant_id")?,
        hot_issue_id: row.try_get("hot_issue_id")?,
    }))
}

/// Saves the order's projection: its clocks at once (when they changed), its row when the batch next
/// writes what is pending (so several merges into one order in a batch write it once), and the
/// difference it makes to the rollups; `before` is the order as loaded.
pub(super) async fn save_order(
    tx: &mut AnyConnection,
    b: &mut Batch,
    before: &Loaded,
    o: &Order,
    new_path: Option<&str>,
    seq: i64,
    at: Instant,
) -> Result<(), WriteError> {
    // a row read back by a merge no longer holds once anything else changed the order
    b.rows.remove(&o.id);
    let moved = match b.dirty.remove(&o.id) {
        Some(earlier) => new_path.map(str::to_string).or(earlier.new_path),
        None => new_path.map(str::to_string),
    };
    b.dirty.insert(o.id, Dirty { order: o.clone(), new_path: moved, seq, at });
    // a transfer moves the responsibility with the handling; an escalation only the handling
    let path = new_path.unwrap_or(&before.path);
    let responsible_path =
        if o.responsible_unit_id == before.order.responsible_unit_id { before.responsible_path.as_str() } else { path };
    b.rollups.change((&before.order, &before.responsible_path, &before.path), (o, responsible_path, path));
    b.note_saved(Loaded {
        order: o.clone(),
        path: path.to_string(),
        responsible_path: responsible_path.to_string(),
        complainant_id: before.complainant_id,
        hot_issue_id: before.hot_issue_id,
    });
    if o.clocks == before.order.clocks {
        // nothing to rewrite (a merge, an appeal, an attachment's event)
        return Ok(());
    }
    sqlx::query("DELETE FROM complaint_clocks WHERE complaint_id = $1").bind(o.id).execute(&mut *tx).await?;
    let rows = b.clock_rows(o);
    Ok(insert_clocks(tx, &rows).await?)
}

/// An order's row to write: its projection as last saved in the batch, the path it moved to (if it
/// did), the last event's sequence number and when.
pub(super) struct Dirty {
    pub order: Order,
    pub new_path: Option<String>,
    pub seq: i64,
    pub at: Instant,
}

/// Writes an order's row as `d` says.
pub(super) async fn write_order(tx: &mut AnyConnection, d: &Dirty) -> Result<(), StoreError> {
    let o = &d.order;
    let decision = o
        .decision
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Encode(format!("decision: {e}")))?;
    let feedback = o
        .feedback
        .map(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default());
    sqlx::query(
        "UPDATE complaints SET state = $1, paused = $2, org_unit_id = $3, org_path = COALESCE($4, org_path), \
         extension_tier = $5, escalation_count = $6, transfer_count = $7, reopen_count = $8, merge_count = $9, \
         responded_at = $10, decided_at = $11, closed_at = $12, decision = $13, liable = $14, feedback = $15, repeat = $16, \
         last_seq = $17, updated_at = $18, next_due_at = $19, responsible_unit_id = $20, appeal = $21 WHERE id = $22",
    )
    .bind(o.state.as_str())
    .bind(i64::from(o.paused))
    .bind(o.org_unit_id)
    .bind(d.new_path.clone())
    .bind(i64::from(o.extension_tier))
    .bind(i64::from(o.escalation_count))
    .bind(i64::from(o.transfer_count))
    .bind(i64::from(o.reopen_count))
    .bind(i64::from(o.merge_count))
    .bind(o.responded_at.map(to_millis))
    .bind(o.decided_at.map(to_millis))
    .bind(o.closed_at.map(to_millis))
    .bind(decision)
    .bind(o.decision.as_ref().map(|d| i64::from(d.liable)))
    .bind(feedback)
    .bind(i64::from(o.repeat))
    .bind(d.seq)
    .bind(to_millis(d.at))
    .bind(o.next_due_at().map(to_millis))
    .bind(o.responsible_unit_id)
    .bind(o.appeal.map(|a| a.as_str()))
    .bind(o.id)
    .execute(&mut *tx)
    .await?;
    if let Some(p) = &d.new_path {
        sqlx::query("UPDATE complaints SET tier1_id = $1 WHERE id = $2")
            .bind(tier1_of(p).unwrap_or(o.org_unit_id))
            .bind(o.id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
