//! Attaching a file inside the writer's batch: the `attach` event (with the file's hash) and the
//! file itself are written in the same transaction.

use super::{Batch, Ctx, WriteError, load_order};
use crate::events::append;
use sqlx::AnyConnection;
use xiaobao_core::access::may_act_on_order;
use xiaobao_core::complaint::{Actor, Change, NewEvent};
use xiaobao_core::time::{Instant, to_millis};

#[derive(Debug, Clone)]
pub struct AttachInput {
    pub complaint_id: i64,
    pub actor: Actor,
    pub at: Instant,
    /// Checked by `xiaobao_core::attachment::check`.
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachOutcome {
    pub id: i64,
    pub seq: i64,
    pub sha256: String,
}

impl Ctx {
    pub(super) async fn attach(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &AttachInput,
    ) -> Result<AttachOutcome, WriteError> {
        use sha2::{Digest, Sha256};
        b.flush(tx).await?;
        let loaded = load_order(tx, i.complaint_id).await?.ok_or(WriteError::NotFound)?;
        if !may_act_on_order(i.actor.viewer(), loaded.place()) {
            return Err(WriteError::NotFound);
        }
        let order = loaded.order;
        let sha256 = hex::encode(Sha256::digest(&i.data));
        let size = i64::try_from(i.data.len()).unwrap_or(i64::MAX);
        let change =
            Change::Attach { name: i.name.clone(), content_type: i.content_type.clone(), size, sha256: sha256.clone() };
        let ev = NewEvent {
            complaint_id: order.id,
            actor_id: i.actor.user_id,
            at: i.at,
            from: Some(order.state),
            to: order.state,
            change,
        };
        let seq = append(&mut b.head, &ev)?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO attachments (complaint_id, event_seq, name, content_type, size, sha256, data, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(order.id)
        .bind(seq)
        .bind(&i.name)
        .bind(&i.content_type)
        .bind(size)
        .bind(&sha256)
        .bind(i.data.clone())
        .bind(i.actor.user_id)
        .bind(to_millis(i.at))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE complaints SET last_seq = $1, updated_at = $2 WHERE id = $3")
            .bind(seq)
            .bind(to_millis(i.at))
            .bind(order.id)
            .execute(&mut *tx)
            .await?;
        Ok(AttachOutcome { id, seq, sha256 })
    }
}
