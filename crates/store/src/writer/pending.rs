//! Rows a batch has decided to write but not yet written: new complainants, new orders and their
//! clocks. They go to the database in a few multi-row inserts when the batch commits, or earlier when
//! a job needs to read them back (`flush`). Later registrations of the batch know of them through the
//! batch's known complainants and earlier complaints.

use crate::StoreError;
use crate::sql::{Arg, SqlBuilder};
use sqlx::AnyConnection;
use xiaobao_core::deadline::Clock;
use xiaobao_core::time::{Instant, to_millis};

#[derive(Debug, Clone)]
pub(super) struct NewComplainantRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub tags: String,
    pub watchlist: bool,
    pub at_ms: i64,
}

#[derive(Debug, Clone)]
pub(super) struct NewComplaintRow {
    pub id: i64,
    pub number: String,
    pub channel: &'static str,
    pub unit_id: i64,
    pub unit_path: String,
    pub tier1_id: i64,
    pub complainant_id: i64,
    pub first_responder_id: i64,
    pub received_ms: i64,
    pub registered_ms: i64,
    pub category: Option<String>,
    pub service_channel: Option<String>,
    pub cause: Option<String>,
    pub summary: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub over_level: bool,
    pub repeat: bool,
    pub repeat_of: Option<i64>,
    pub seq: i64,
    pub next_due_ms: Option<i64>,
}

/// A clock as stored: its order, the clock, and when its next alert falls due.
#[derive(Debug, Clone)]
pub(super) struct ClockRow {
    pub complaint_id: i64,
    pub clock: Clock,
    pub next_alert_at: Option<Instant>,
}

#[derive(Default)]
pub(super) struct Pending {
    pub complainants: Vec<NewComplainantRow>,
    pub complaints: Vec<NewComplaintRow>,
    pub clocks: Vec<ClockRow>,
}

impl Pending {
    /// Writes everything pending, parents before children.
    pub async fn flush(&mut self, tx: &mut AnyConnection) -> Result<(), StoreError> {
        for chunk in crate::sql::pow2_chunks(&self.complainants) {
            let mut b = SqlBuilder::new(
                "INSERT INTO complainants (id, name, phone, id_number, tags, watchlist, created_at, updated_at) VALUES ",
            );
            for (n, c) in chunk.iter().enumerate() {
                b.push(if n == 0 { "(" } else { ", (" });
                b.bind(Arg::I64(c.id)).push(", ").bind(Arg::Text(c.name.clone())).push(", ");
                b.bind(Arg::OptText(c.phone.clone())).push(", ").bind(Arg::OptText(c.id_number.clone())).push(", ");
                b.bind(Arg::Text(c.tags.clone())).push(", ").bind(Arg::I64(i64::from(c.watchlist))).push(", ");
                b.bind(Arg::I64(c.at_ms)).push(", ").bind(Arg::I64(c.at_ms)).push(")");
            }
            b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
        }
        self.complainants.clear();
        for chunk in crate::sql::pow2_chunks(&self.complaints) {
            let mut b = SqlBuilder::new(
                "INSERT INTO complaints (id, number, channel, org_unit_id, org_path, tier1_id, registered_unit_id, complainant_id, \
                 first_responder_id, received_at, registered_at, category, service_channel, cause, summary, description, amount_fen, \
                 over_level, repeat, repeat_of, state, paused, extension_tier, escalation_count, transfer_count, reopen_count, \
                 merge_count, last_seq, updated_at, next_due_at, responsible_unit_id) VALUES ",
            );
            for (n, k) in chunk.iter().enumerate() {
                b.push(if n == 0 { "(" } else { ", (" });
                b.bind(Arg::I64(k.id)).push(", ").bind(Arg::Text(k.number.clone())).push(", ");
                b.bind(Arg::Text(k.channel.into())).push(", ").bind(Arg::I64(k.unit_id)).push(", ");
                b.bind(Arg::Text(k.unit_path.clone())).push(", ").bind(Arg::I64(k.tier1_id)).push(", ");
                b.bind(Arg::I64(k.unit_id)).push(", ").bind(Arg::I64(k.complainant_id)).push(", ");
                b.bind(Arg::I64(k.first_responder_id)).push(", ").bind(Arg::I64(k.received_ms)).push(", ");
                b.bind(Arg::I64(k.registered_ms)).push(", ").bind(Arg::OptText(k.category.clone())).push(", ");
                b.bind(Arg::OptText(k.service_channel.clone()))
                    .push(", ")
                    .bind(Arg::OptText(k.cause.clone()))
                    .push(", ");
                b.bind(Arg::Text(k.summary.clone())).push(", ").bind(Arg::Text(k.description.clone())).push(", ");
                b.bind(Arg::OptI64(k.amount_fen)).push(", ").bind(Arg::I64(i64::from(k.over_level))).push(", ");
                b.bind(Arg::I64(i64::from(k.repeat))).push(", ").bind(Arg::OptI64(k.repeat_of)).push(", ");
                b.push("'registered', 0, 0, 0, 0, 0, 0, ")
                    .bind(Arg::I64(k.seq))
                    .push(", ")
                    .bind(Arg::I64(k.registered_ms))
                    .push(", ")
                    .bind(Arg::OptI64(k.next_due_ms))
                    .push(", ")
                    .bind(Arg::I64(k.unit_id));
                b.push(")");
            }
            b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
        }
        self.complaints.clear();
        insert_clocks(tx, &self.clocks).await?;
        self.clocks.clear();
        Ok(())
    }
}

/// Inserts clock rows, a few hundred at a time.
pub(super) async fn insert_clocks(tx: &mut AnyConnection, clocks: &[ClockRow]) -> Result<(), StoreError> {
    let opt = |t: Option<Instant>| Arg::OptI64(t.map(to_millis));
    for chunk in crate::sql::pow2_chunks(clocks) {
        let mut b = SqlBuilder::new(
            "INSERT INTO complaint_clocks (complaint_id, kind, started_at, due_at, met_at, breached_at, paused_at, stopped_at, \
             alerts_fired, next_alert_at) VALUES ",
        );
        for (n, row) in chunk.iter().enumerate() {
            let c = &row.clock;
            b.push(if n == 0 { "(" } else { ", (" });
            b.bind(Arg::I64(row.complaint_id)).push(", ").bind(Arg::Text(c.kind.as_str().into())).push(", ");
            b.bind(Arg::I64(to_millis(c.started_at))).push(", ").bind(Arg::I64(to_millis(c.due_at))).push(", ");
            b.bind(opt(c.met_at)).push(", ").bind(opt(c.breached_at)).push(", ");
            b.bind(opt(c.paused_at)).push(", ").bind(opt(c.stopped_at)).push(", ");
            b.bind(Arg::I64(i64::from(c.alerts_fired))).push(", ").bind(opt(row.next_alert_at)).push(")");
        }
        b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
    }
    Ok(())
}
