//! Registering a complaint inside the writer's batch. Core decides (`xiaobao_core::complaint::intake`)
//! which complainant this is, whether it merges into their open order on the same matter, and the new
//! order's repeat link, watch-list flag and clocks; this finds what it decides from (the batch's known
//! complainants and their complaints, read once per batch) and writes the outcome.

use super::act::Loaded;
use super::pending::{NewComplainantRow, NewComplaintRow};
use super::{Batch, Ctx, RegisterInput, RegisterOutcome, WriteError, save_order};
use crate::StoreError;
use crate::complainants::{tags_from_text, tags_to_text};
use crate::complaints::OPEN;
use crate::events::append;
use crate::sql::{Arg, SqlBuilder, padded_in_list};
use sqlx::{AnyConnection, Row};
use xiaobao_core::complainant::NewComplainant;
use xiaobao_core::complaint::intake::{self, Earlier, Intake, Known, complaint_number};
use xiaobao_core::complaint::{self, Change, ClockStart, NewEvent, Order, State};
use xiaobao_core::org::tier1_of;
use xiaobao_core::time::{Instant, from_millis, to_millis};

/// The stored complainants sharing an ID number or phone with any of `people`, and their complaints
/// that registration may look at (open ones, and those received since `since`), in two queries. The
/// IN lists are padded to a power of two so a few statement texts serve every batch size.
pub(super) async fn known_complainants<'a>(
    tx: &mut AnyConnection,
    people: impl Iterator<Item = &'a NewComplainant>,
    since: Option<Instant>,
) -> Result<(Vec<Known>, Vec<Earlier>), StoreError> {
    let mut ids = Vec::new();
    let mut phones = Vec::new();
    for p in people {
        ids.extend(p.id_number.as_ref().map(|x| x.as_str().to_string()));
        phones.extend(p.phone.as_ref().map(|x| x.as_str().to_string()));
    }
    if ids.is_empty() && phones.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut q = SqlBuilder::new("SELECT id, id_number, phone, tags, watchlist FROM complainants WHERE id_number IN ");
    padded_in_list(&mut q, &ids.into_iter().map(Arg::Text).collect::<Vec<_>>());
    q.push(" UNION ALL SELECT id, id_number, phone, tags, watchlist FROM complainants WHERE phone IN ");
    padded_in_list(&mut q, &phones.into_iter().map(Arg::Text).collect::<Vec<_>>());
    let mut known: Vec<Known> = Vec::new();
    for r in q.query().fetch_all(&mut *tx).await? {
        known.push(Known {
            id: r.try_get("id")?,
            id_number: r.try_get("id_number")?,
            phone: r.try_get("phone")?,
            tags: tags_from_text(&r.try_get::<String, _>("tags")?),
            watchlist: r.try_get::<i64, _>("watchlist")? != 0,
        });
    }
    known.sort_by_key(|c| c.id);
    known.dedup_by_key(|c| c.id);
    if known.is_empty() {
        return Ok((known, Vec::new()));
    }
    let mut q = SqlBuilder::new(
        "SELECT k.id, k.complainant_id, k.state, k.category, k.received_at FROM complaints k WHERE k.complainant_id IN ",
    );
    padded_in_list(&mut q, &known.iter().map(|k| Arg::I64(k.id)).collect::<Vec<_>>());
    q.push(&format!(" AND ({OPEN} OR k.received_at >= "))
        .bind(Arg::I64(since.map_or(i64::MIN, to_millis)))
        .push(") ORDER BY k.received_at DESC, k.id DESC LIMIT ")
        .bind(Arg::I64(EARLIER_READ));
    let mut earlier = Vec::new();
    for r in q.query().fetch_all(&mut *tx).await? {
        let state: String = r.try_get("state")?;
        earlier.push(Earlier {
            id: r.try_get("id")?,
            complainant_id: r.try_get("complainant_id")?,
            state: State::from_str_opt(&state).ok_or_else(|| StoreError::Corrupt(format!("state {state}")))?,
            category: r.try_get("category")?,
            received_at: from_millis(r.try_get("received_at")?),
        });
    }
    Ok((known, earlier))
}

/// The most earlier complaints a batch reads of the complainants it registers again.
const EARLIER_READ: i64 = 4096;

impl Ctx {
    /// Registers a complaint: core decides (`intake::decide`) from the complainants this batch knows
    /// and their complaints; this writes what it decided.
    pub(super) async fn register(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &RegisterInput,
    ) -> Result<RegisterOutcome, WriteError> {
        let now_ms = to_millis(i.at);
        let req = intake::Request {
            complainant: &i.complainant,
            channel: i.channel,
            category: i.category.as_deref(),
            received_at: i.received_at,
            summary: &i.summary,
            description: &i.description,
        };
        let candidates = intake::matching(&i.complainant, &b.known);
        let new = match intake::decide(req, &candidates, &b.earlier, &b.rules.policy, &b.rules.calendar) {
            Intake::Merge { into, change } => return self.merge(tx, b, i, into, change).await,
            Intake::New(new) => new,
        };
        let repeat_of = new.repeat_of;
        let record = new.complainant;
        let tags = tags_to_text(&record.tags);
        let complainant_id = match record.id {
            Some(id) if b.pending.complainants.iter().any(|pc| pc.id == id) => {
                if let Some(pc) = b.pending.complainants.iter_mut().find(|pc| pc.id == id) {
                    pc.name = record.name.clone();
                    pc.phone = record.phone.clone();
                    pc.id_number = record.id_number.clone();
                    pc.tags = tags.clone();
                    pc.watchlist = record.watchlist;
                }
                id
            }
            Some(id) => {
                sqlx::query(
                    "UPDATE complainants SET name = $1, phone = $2, id_number = $3, tags = $4, watchlist = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(&record.name)
                .bind(record.phone.clone())
                .bind(record.id_number.clone())
                .bind(tags.clone())
                .bind(i64::from(record.watchlist))
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = b.next_complainant_id(tx).await?;
                b.pending.complainants.push(NewComplainantRow {
                    id,
                    name: record.name.clone(),
                    phone: record.phone.clone(),
                    id_number: record.id_number.clone(),
                    tags: tags.clone(),
                    watchlist: record.watchlist,
                    at_ms: now_ms,
                });
                id
            }
        };
        // what later registrations of this batch know of them
        let known = Known {
            id: complainant_id,
            phone: record.phone.clone(),
            id_number: record.id_number.clone(),
            tags: record.tags.clone(),
            watchlist: record.watchlist,
        };
        match b.known.iter_mut().find(|k| k.id == complainant_id) {
            Some(k) => *k = known,
            None => b.known.push(known),
        }

        let id = b.next_id;
        b.next_id += 1;
        let order = Order::registered(
            id,
            i.unit.id,
            i.received_at,
            i.first_responder_id,
            i.channel,
            i.category.clone(),
            i.cause.clone(),
            new.clocks.clone(),
            repeat_of.is_some(),
        );
        b.earlier.push(Earlier {
            id,
            complainant_id,
            state: State::Registered,
            category: i.category.clone(),
            received_at: i.received_at,
        });
        let sealed = xiaobao_core::seal::complainant_seal(
            &b.head.key,
            complainant_id,
            &record.name,
            record.phone.as_deref(),
            record.id_number.as_deref(),
            &tags,
        );
        let change = Change::Register {
            clocks: new.clocks.iter().map(|c| ClockStart { kind: c.kind, due_at: c.due_at }).collect(),
            repeat_of,
            complainant: Some(sealed),
        };
        let ev = NewEvent {
            complaint_id: id,
            actor_id: i.first_responder_id,
            at: i.at,
            from: None,
            to: State::Registered,
            change,
        };
        let seq = append(&mut b.head, &ev)?;
        let number = complaint_number(id, i.received_at);
        b.pending.complaints.push(NewComplaintRow {
            id,
            number: number.clone(),
            channel: i.channel.as_str(),
            unit_id: i.unit.id,
            unit_path: i.unit.path.clone(),
            tier1_id: tier1_of(&i.unit.path).unwrap_or(i.unit.id),
            complainant_id,
            first_responder_id: i.first_responder_id,
            received_ms: to_millis(i.received_at),
            registered_ms: now_ms,
            category: i.category.clone(),
            service_channel: i.service_channel.clone(),
            cause: i.cause.clone(),
            summary: i.summary.clone(),
            description: i.description.clone(),
            amount_fen: i.amount.map(|m| m.fen()),
            over_level: i.channel.is_over_level(),
            repeat: repeat_of.is_some(),
            repeat_of,
            seq,
            next_due_ms: order.next_due_at().map(to_millis),
        });
        let rows = b.clock_rows(&order);
        b.pending.clocks.extend(rows);
        b.rollups.add(&i.unit.path, &i.unit.path, &order);
        let complainant = crate::ComplainantRow {
            id: complainant_id,
            name: record.name,
            phone: record.phone,
            id_number: record.id_number,
            tags: record.tags,
            watchlist: record.watchlist,
            complaint_count: 0,
        };
        Ok(RegisterOutcome::Registered { id, seq, number, repeat_of, complainant, order })
    }

    /// The complaint joins the open order `into` as its event, and the answer is the order as it now
    /// stands. The order is read once per batch (an order registered or changed earlier in the batch
    /// is written first); later merges into it read it from the batch.
    async fn merge(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &RegisterInput,
        into: i64,
        change: Change,
    ) -> Result<RegisterOutcome, WriteError> {
        let (before, mut row) = match (b.saved.get(&into), b.rows.get(&into)) {
            (Some(saved), Some(row)) => (saved.clone(), row.clone()),
            _ => {
                if b.dirty.contains_key(&into) || b.pending.complaints.iter().any(|k| k.id == into) {
                    b.flush(tx).await?;
                }
                let (row, responsible_path, hot_issue_id) =
                    crate::Store::complaint_in(tx, into).await?.ok_or(WriteError::NotFound)?;
                let loaded = Loaded {
                    order: row.order.clone(),
                    path: row.org_path.clone(),
                    responsible_path,
                    complainant_id: row.complainant.id,
                    hot_issue_id,
                };
                (loaded, row)
            }
        };
        let mut order = before.order.clone();
        let state = order.state;
        let ev = NewEvent {
            complaint_id: order.id,
            actor_id: i.first_responder_id,
            at: i.at,
            from: Some(state),
            to: state,
            change,
        };
        complaint::apply(&mut order, &ev.change, state, i.at);
        let seq = append(&mut b.head, &ev)?;
        save_order(tx, b, &before, &order, None, seq, i.at).await?;
        row.order = order;
        row.last_seq = seq;
        row.updated_at = i.at;
        b.rows.insert(into, row.clone());
        Ok(RegisterOutcome::Merged { id: into, row: Box::new(row) })
    }
}
