//! Linking orders as one hot issue inside the writer's batch: the issue (when new), a `hot_issue` event
//! on each order and its `hot_issue_id`, in one transaction; and taking orders out of their issue again
//! (a `hot_issue_left` event each). Every order is checked before anything is written, so a refusal
//! leaves all of them as they were.

use super::{Batch, Ctx, WriteError, load_order};
use crate::events::append;
use sqlx::AnyConnection;
use xiaobao_core::access::may_act_on_order;
use xiaobao_core::complaint::{Actor, Change, NewEvent};
use xiaobao_core::time::{Instant, to_millis};

/// The issue the orders join, or leave.
#[derive(Debug, Clone)]
pub enum HotIssueTarget {
    New {
        title: String,
        keywords: String,
        org_unit_id: i64,
    },
    Existing {
        id: i64,
    },
    /// The orders, each now in this issue, leave it.
    Leave {
        id: i64,
    },
}

#[derive(Debug, Clone)]
pub struct LinkInput {
    pub target: HotIssueTarget,
    pub complaint_ids: Vec<i64>,
    pub actor: Actor,
    pub at: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkOutcome {
    pub hot_issue_id: i64,
    /// Orders that joined the issue (or left it).
    pub linked: usize,
}

impl Ctx {
    pub(super) async fn link_hot_issue(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &LinkInput,
    ) -> Result<LinkOutcome, WriteError> {
        b.flush(tx).await?;
        let mut orders = Vec::with_capacity(i.complaint_ids.len());
        for id in &i.complaint_ids {
            let loaded = load_order(tx, *id).await?.ok_or(WriteError::NotFound)?;
            if !may_act_on_order(i.actor.viewer(), loaded.place()) {
                return Err(WriteError::NotFound);
            }
            match (&i.target, loaded.hot_issue_id) {
                (HotIssueTarget::Leave { id: issue }, linked) if linked != Some(*issue) => {
                    return Err(WriteError::NotLinked { complaint_id: *id, hot_issue_id: *issue });
                }
                (HotIssueTarget::New { .. } | HotIssueTarget::Existing { .. }, Some(other)) => {
                    return Err(WriteError::AlreadyLinked { complaint_id: *id, hot_issue_id: other });
                }
                _ => {}
            }
            orders.push(loaded.order);
        }
        let (hot_issue_id, title) = match &i.target {
            HotIssueTarget::New { title, keywords, org_unit_id } => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO hot_issues (title, keywords, org_unit_id, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(title)
                .bind(keywords)
                .bind(*org_unit_id)
                .bind(i.actor.user_id)
                .bind(to_millis(i.at))
                .fetch_one(&mut *tx)
                .await?;
                (id, title.clone())
            }
            HotIssueTarget::Existing { id } | HotIssueTarget::Leave { id } => {
                let row: Option<(String,)> = sqlx::query_as("SELECT title FROM hot_issues WHERE id = $1")
                    .bind(*id)
                    .fetch_optional(&mut *tx)
                    .await?;
                (*id, row.ok_or(WriteError::NotFound)?.0)
            }
        };
        let leave = matches!(i.target, HotIssueTarget::Leave { .. });
        let (change, now_in) = if leave {
            (Change::HotIssueLeft { hot_issue_id, title }, None)
        } else {
            (Change::HotIssue { hot_issue_id, title }, Some(hot_issue_id))
        };
        for order in &orders {
            let ev = NewEvent {
                complaint_id: order.id,
                actor_id: i.actor.user_id,
                at: i.at,
                from: Some(order.state),
                to: order.state,
                change: change.clone(),
            };
            let seq = append(&mut b.head, &ev)?;
            sqlx::query("UPDATE complaints SET hot_issue_id = $1, last_seq = $2, updated_at = $3 WHERE id = $4")
                .bind(now_in)
                .bind(seq)
                .bind(to_millis(i.at))
                .bind(order.id)
                .execute(&mut *tx)
                .await?;
        }
        // their hot issue changed behind what this batch saved of them
        for o in &orders {
            b.saved.remove(&o.id);
        }
        Ok(LinkOutcome { hot_issue_id, linked: orders.len() })
    }
}
