//! Registering a complaint inside the writer's batch: recognise the complainant (ID number or phone,
//! in the database or earlier in this batch), merge into their open order on the same matter, or
//! register a new order, flagged repeat when they complained within the window.

use super::pending::{NewComplainantRow, NewComplaintRow};
use super::{Batch, Ctx, RegisterInput, RegisterOutcome, WriteError, load_order, save_order};
use crate::StoreError;
use crate::complainants::{tags_from_text, tags_to_text};
use crate::events::append;
use crate::sql::{Arg, SqlBuilder};
use sqlx::{AnyConnection, Row};
use xiaobao_core::complainant::NewComplainant;
use xiaobao_core::complaint::{self, Change, ClockStart, NewEvent, Order, State};
use xiaobao_core::org::tier1_of;
use xiaobao_core::time::{local_date, to_millis};

/// Someone the new complaint's complainant could be.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub id: i64,
    pub pending: bool,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub tags: String,
    pub watchlist: bool,
}

impl Candidate {
    fn matches(&self, id_number: Option<&str>, phone: Option<&str>) -> bool {
        (id_number.is_some() && self.id_number.as_deref() == id_number)
            || (phone.is_some() && self.phone.as_deref() == phone)
    }
}

/// The stored complainants sharing an ID number or phone with any of `people`, in one query. The
/// IN lists are padded to a power of two so a few statement texts serve every batch size.
pub(super) async fn known_complainants<'a>(
    tx: &mut AnyConnection,
    people: impl Iterator<Item = &'a NewComplainant>,
) -> Result<Vec<Candidate>, StoreError> {
    let mut ids = Vec::new();
    let mut phones = Vec::new();
    for p in people {
        ids.extend(p.id_number.as_ref().map(|x| x.as_str().to_string()));
        phones.extend(p.phone.as_ref().map(|x| x.as_str().to_string()));
    }
    if ids.is_empty() && phones.is_empty() {
        return Ok(Vec::new());
    }
    let padded = |mut v: Vec<String>| {
        if v.is_empty() {
            v.push(String::new());
        }
        let n = v.len().next_power_of_two();
        let last = v[v.len() - 1].clone();
        v.resize(n, last);
        v
    };
    let mut q = SqlBuilder::new("SELECT id, id_number, phone, tags, watchlist FROM complainants WHERE id_number IN (");
    for (n, v) in padded(ids).into_iter().enumerate() {
        q.push(if n == 0 { "" } else { ", " }).bind(Arg::Text(v));
    }
    q.push(") UNION ALL SELECT id, id_number, phone, tags, watchlist FROM complainants WHERE phone IN (");
    for (n, v) in padded(phones).into_iter().enumerate() {
        q.push(if n == 0 { "" } else { ", " }).bind(Arg::Text(v));
    }
    q.push(")");
    let mut out: Vec<Candidate> = Vec::new();
    for r in q.query().fetch_all(&mut *tx).await? {
        out.push(Candidate {
            id: r.try_get("id")?,
            pending: false,
            id_number: r.try_get("id_number")?,
            phone: r.try_get("phone")?,
            tags: r.try_get("tags")?,
            watchlist: r.try_get::<i64, _>("watchlist")? != 0,
        });
    }
    out.sort_by_key(|c| c.id);
    out.dedup_by_key(|c| c.id);
    Ok(out)
}

impl Ctx {
    pub(super) async fn register(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &RegisterInput,
    ) -> Result<RegisterOutcome, WriteError> {
        let c = &i.complainant;
        let now_ms = to_millis(i.at);
        let id_number = c.id_number.as_ref().map(|x| x.as_str().to_string());
        let phone = c.phone.as_ref().map(|x| x.as_str().to_string());

        // Everyone this complainant could be: same ID number, or same phone, stored or in this batch.
        let mut candidates: Vec<Candidate> =
            b.known.iter().filter(|k| k.matches(id_number.as_deref(), phone.as_deref())).cloned().collect();
        for p in b.pending.complainants_matching(id_number.as_deref(), phone.as_deref()) {
            candidates.push(Candidate {
                id: p.id,
                pending: true,
                id_number: p.id_number.clone(),
                phone: p.phone.clone(),
                tags: p.tags.clone(),
                watchlist: p.watchlist,
            });
        }
        candidates.sort_by_key(|c| c.id);
        candidates.dedup_by_key(|c| c.id);
        let related: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        // The one this complainant is: same ID number first, else a phone match that does not
        // belong to someone with a different ID number.
        let primary = candidates
            .iter()
            .filter(|cand| match (&id_number, &cand.id_number) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .max_by_key(|cand| (id_number.is_some() && cand.id_number == id_number, std::cmp::Reverse(cand.id)));

        // Earlier complaints of the same person, newest first.
        let mut earlier = b.pending.complaints_of(&related);
        let stored: Vec<i64> = candidates.iter().filter(|c| !c.pending).map(|c| c.id).collect();
        if !stored.is_empty() {
            let mut q =
                SqlBuilder::new("SELECT id, state, category, received_at FROM complaints WHERE complainant_id IN (");
            for (n, id) in stored.iter().enumerate() {
                if n > 0 {
                    q.push(", ");
                }
                q.bind(Arg::I64(*id));
            }
            q.push(") ORDER BY received_at DESC, id DESC LIMIT 200");
            for r in q.query().fetch_all(&mut *tx).await? {
                let state: String = r.try_get("state")?;
                let state = State::from_str_opt(&state).ok_or_else(|| StoreError::Corrupt(format!("state {state}")))?;
                earlier.push((r.try_get("id")?, state, r.try_get("category")?, r.try_get("received_at")?));
            }
        }
        earlier.sort_by_key(|(id, .., at)| std::cmp::Reverse((*at, *id)));

        // The same matter raised again while its order is open: merge, don't register twice.
        if let Some((open_id, ..)) = earlier.iter().find(|(_, s, cat, _)| s.is_open() && *cat == i.category) {
            b.flush(tx).await?;
            let before = load_order(tx, *open_id).await?.ok_or(WriteError::NotFound)?;
            let mut order = before.order.clone();
            let state = order.state;
            let change = Change::Merge { summary: i.summary.clone(), description: i.description.clone() };
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
            return Ok(RegisterOutcome::Merged { id: order.id });
        }

        let received_ms = to_millis(i.received_at);
        let window_start = received_ms - i64::from(b.rules.policy.repeat_window_days) * 86_400_000;
        let repeat_of = earlier.iter().find(|(.., at)| *at >= window_start && *at <= received_ms).map(|(id, ..)| *id);
        let repeat = repeat_of.is_some();

        // What the complainant's row holds after this registration.
        let new_tags = tags_to_text(&c.tags);
        let mut row = crate::ComplainantRow {
            id: 0,
            name: c.name.clone(),
            phone: phone.clone(),
            id_number: id_number.clone(),
            tags: c.tags.clone(),
            watchlist: repeat || primary.is_some_and(|p| p.watchlist),
            complaint_count: 0,
        };
        if let Some(p) = primary {
            row.id = p.id;
            row.phone = phone.clone().or(p.phone.clone());
            row.id_number = p.id_number.clone().or(id_number.clone());
            if new_tags.is_empty() {
                row.tags = tags_from_text(&p.tags);
            }
        }
        let tags = tags_to_text(&row.tags);
        match primary {
            Some(p) if p.pending => {
                if let Some(pc) = b.pending.complainants.iter_mut().find(|pc| pc.id == p.id) {
                    pc.name = row.name.clone();
                    pc.phone = row.phone.clone();
                    pc.id_number = row.id_number.clone();
                    pc.tags = tags;
                    pc.watchlist = row.watchlist;
                }
            }
            Some(p) => {
                if let Some(k) = b.known.iter_mut().find(|k| k.id == p.id) {
                    k.phone = row.phone.clone();
                    k.id_number = row.id_number.clone();
                    k.tags = tags.clone();
                    k.watchlist = row.watchlist;
                }
                sqlx::query(
                    "UPDATE complainants SET name = $1, phone = $2, id_number = $3, tags = $4, watchlist = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(&row.name)
                .bind(row.phone.clone())
                .bind(row.id_number.clone())
                .bind(tags)
                .bind(i64::from(row.watchlist))
                .bind(now_ms)
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                row.id = b.next_complainant_id(tx).await?;
                b.pending.complainants.push(NewComplainantRow {
                    id: row.id,
                    name: row.name.clone(),
                    phone: row.phone.clone(),
                    id_number: row.id_number.clone(),
                    tags,
                    watchlist: row.watchlist,
                    at_ms: now_ms,
                });
            }
        }

        let id = b.next_id;
        b.next_id += 1;
        let clocks = b.rules.policy.initial_clocks(&b.rules.calendar, i.channel, i.category.as_deref(), i.received_at);
        let order = Order::registered(
            id,
            i.unit.id,
            i.received_at,
            i.first_responder_id,
            i.channel,
            i.category.clone(),
            clocks.clone(),
            repeat,
        );
        let sealed = xiaobao_core::seal::complainant_seal(
            &b.head.key,
            row.id,
            &row.name,
            row.phone.as_deref(),
            row.id_number.as_deref(),
            &tags_to_text(&row.tags),
        );
        let change = Change::Register {
            clocks: clocks.iter().map(|c| ClockStart { kind: c.kind, due_at: c.due_at }).collect(),
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
        let number = format!("TS{}{:08}", local_date(i.received_at).format("%Y%m%d"), id);
        b.pending.complaints.push(NewComplaintRow {
            id,
            number: number.clone(),
            channel: i.channel.as_str(),
            unit_id: i.unit.id,
            unit_path: i.unit.path.clone(),
            tier1_id: tier1_of(&i.unit.path).unwrap_or(i.unit.id),
            complainant_id: row.id,
            first_responder_id: i.first_responder_id,
            received_ms,
            registered_ms: now_ms,
            category: i.category.clone(),
            service_channel: i.service_channel.clone(),
            cause: i.cause.clone(),
            summary: i.summary.clone(),
            description: i.description.clone(),
            amount_fen: i.amount.map(|m| m.fen()),
            over_level: i.channel.is_over_level(),
            repeat,
            repeat_of,
            seq,
            next_due_ms: order.next_due_at().map(to_millis),
        });
        let rows = b.clock_rows(&order);
        b.pending.clocks.extend(rows);
        b.rollups.add(&i.unit.path, &i.unit.path, &order);
        Ok(RegisterOutcome::Registered { id, seq, number, repeat_of, complainant: row, order })
    }
}
