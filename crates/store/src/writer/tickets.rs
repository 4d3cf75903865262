//! Taking in queue tickets inside the writer's batch. A ticket is known by its outlet, local day and
//! number; one already stored is completed by a later send, its rollups moved from what it was to
//! what it is. The caller prepares what does not depend on the database (`TicketPlan`): the rows'
//! days and branches, the look-ups, the insert for when every row is new, the rollups as if they
//! were, so the writer's turn holds little more than running them.

use super::ingest::{AsNew, IN_CAP, INSERT_CAP, IngestOutcome, ResolvedTicket, TicketsInput, all_written};
use super::{Batch, Ctx, WriteError};
use crate::service::rollups::ServiceDelta;
use crate::sql::{Ahead, Arg, SqlBuilder, in_list, padded, padded_chunks};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use sqlx::{AnyConnection, Row};
use std::borrow::Cow;
use xiaobao_core::error::FieldError;
use xiaobao_core::measure::day_number;
use xiaobao_core::org::tier1_of;
use xiaobao_core::service::measure::ticket_rows;
use xiaobao_core::service::queue::{Thresholds, Ticket};
use xiaobao_core::time::{Instant, from_millis, to_millis};

/// A ticket by its identity: outlet, local day (yyyymmdd), number as the request gives it.
type TicketKey<'a> = (i64, i32, &'a str);

/// What a request's tickets need that the database does not decide, prepared by the caller.
pub(crate) struct TicketPlan {
    /// Each row's local day (yyyymmdd) and its outlet's branch.
    days: Vec<i32>,
    branches: Vec<i64>,
    /// Whether the row's ticket is sent more than once in the request.
    repeated: Vec<bool>,
    /// The rows to look up (each ticket's first send), per outlet and day.
    groups: Vec<(i64, i32, Vec<usize>)>,
    /// The look-ups, chunk by chunk of `groups`.
    selects: Ahead,
    /// The insert of every row, for when all are new and sent once.
    inserts: Ahead,
    /// The rollups as if every row were new, with the overtime thresholds they were counted with.
    as_new: AsNew,
    thresholds: Thresholds,
}

impl TicketPlan {
    pub fn new(input: &TicketsInput, thresholds: Thresholds, anonymous: bool) -> Self {
        let rows = &input.rows;
        let days: Vec<i32> = rows.iter().map(|r| day_number(r.ticket.day())).collect();
        let mut branch_of: HashMap<i64, i64> = HashMap::default();
        let branches = rows
            .iter()
            .map(|r| *branch_of.entry(r.outlet_id).or_insert_with(|| tier1_of(&r.outlet_path).unwrap_or(r.outlet_id)))
            .collect();
        let mut sends: HashMap<TicketKey, u32> = HashMap::with_capacity_and_hasher(rows.len(), Default::default());
        let mut group_of: HashMap<(i64, i32), usize> = HashMap::default();
        let mut groups: Vec<(i64, i32, Vec<usize>)> = Vec::new();
        for (n, (r, &day)) in rows.iter().zip(&days).enumerate() {
            let sent = sends.entry((r.outlet_id, day, r.ticket.number.as_str())).or_insert(0);
            if *sent == 0 {
                let g = *group_of.entry((r.outlet_id, day)).or_insert_with(|| {
                    groups.push((r.outlet_id, day, Vec::new()));
                    groups.len() - 1
                });
                groups[g].2.push(n);
            }
            *sent += 1;
        }
        let repeated: Vec<bool> = rows
            .iter()
            .zip(&days)
            .map(|(r, &day)| sends.get(&(r.outlet_id, day, r.ticket.number.as_str())).is_some_and(|n| *n > 1))
            .collect();
        // built here, beside the writer; should binding fail, the writer builds them itself
        let built = || -> Result<_, crate::StoreError> {
            let mut selects = Vec::new();
            for (outlet, day, members) in &groups {
                for (chunk, pad) in padded_chunks(members, IN_CAP) {
                    let numbers = padded(chunk, pad).map(|&n| rows[n].ticket.number.as_str());
                    selects.push(select(anonymous, *outlet, *day, numbers).into_bound()?);
                }
            }
            let mut inserts = Vec::new();
            if !repeated.contains(&true) {
                let all: Vec<NewTicket> = rows
                    .iter()
                    .zip(days.iter().zip(&branches))
                    .map(|(r, (&day, &branch))| NewTicket::of(r, day, branch))
                    .collect();
                for (chunk, pad) in padded_chunks(&all, INSERT_CAP) {
                    inserts.push(insert(anonymous, chunk, pad, input.integration_id, input.at).into_bound()?);
                }
            }
            Ok((selects, inserts))
        };
        let (selects, inserts) = match built() {
            Ok((s, i)) => (Ahead::new(s), Ahead::new(i)),
            Err(_) => (Ahead::none(), Ahead::none()),
        };
        let mut delta = ServiceDelta::default();
        for r in rows {
            delta.put(
                r.outlet_id,
                &r.outlet_path,
                r.ticket.day(),
                ticket_rows(&r.ticket, r.teller_id, &thresholds),
                true,
            );
        }
        Self { days, branches, repeated, groups, selects, inserts, as_new: AsNew { delta }, thresholds }
    }
}

/// The stored tickets of `outlet` on `day` among `numbers`.
fn select<'a>(anonymous: bool, outlet: i64, day: i32, numbers: impl Iterator<Item = &'a str>) -> SqlBuilder {
    let mut q = SqlBuilder::anonymous_if(
        anonymous,
        "SELECT number, business, taken_at, called_at, finished_at, counter_window, teller_id FROM queue_tickets \
         WHERE outlet_id = ",
    );
    q.bind(Arg::I64(outlet)).push(" AND day = ").bind(Arg::I64(i64::from(day))).push(" AND number IN ");
    in_list(&mut q, numbers.map(|n| Arg::Text(n.to_string())));
    q
}

/// The insert of new tickets, `chunk` padded to `pad` by its last (which the conflict clause leaves
/// out: the rows are known to be new).
fn insert(anonymous: bool, chunk: &[NewTicket], pad: usize, integration_id: Option<i64>, at: Instant) -> SqlBuilder {
    let at = to_millis(at);
    let opt_ms = |t: Option<Instant>| Arg::OptI64(t.map(to_millis));
    let mut q = SqlBuilder::anonymous_if(
        anonymous,
        "INSERT INTO queue_tickets (outlet_id, branch_id, day, number, business, taken_at, called_at, finished_at, \
         counter_window, teller_id, integration_id, updated_at) VALUES ",
    );
    for (n, new) in padded(chunk, pad).enumerate() {
        let t = new.ticket.as_ref();
        q.push(if n == 0 { "(" } else { ", (" });
        q.bind(Arg::I64(new.outlet)).push(", ").bind(Arg::I64(new.branch)).push(", ");
        q.bind(Arg::I64(i64::from(new.day))).push(", ").bind(Arg::Text(t.number.clone())).push(", ");
        q.bind(Arg::OptText(t.business.clone())).push(", ").bind(Arg::I64(to_millis(t.taken_at))).push(", ");
        q.bind(opt_ms(t.called_at)).push(", ").bind(opt_ms(t.finished_at)).push(", ");
        q.bind(Arg::OptText(t.window.clone())).push(", ").bind(Arg::OptI64(new.teller)).push(", ");
        q.bind(Arg::OptI64(integration_id)).push(", ").bind(Arg::I64(at)).push(")");
    }
    q.push(" ON CONFLICT (outlet_id, day, number) DO NOTHING");
    q
}

/// A ticket new to the database, as the request's last send of it leaves it.
struct NewTicket<'a> {
    outlet: i64,
    branch: i64,
    day: i32,
    teller: Option<i64>,
    ticket: Cow<'a, Ticket>,
}

impl<'a> NewTicket<'a> {
    fn of(r: &'a ResolvedTicket, day: i32, branch: i64) -> Self {
        Self { outlet: r.outlet_id, branch, day, teller: r.teller_id, ticket: Cow::Borrowed(&r.ticket) }
    }
}

/// The next statement built ahead, if there is one, else `build`'s.
fn next_statement(
    ahead: &mut Option<std::vec::IntoIter<(String, sqlx::any::AnyArguments<'static>)>>,
    build: impl FnOnce() -> SqlBuilder,
) -> Result<(String, sqlx::any::AnyArguments<'static>), crate::StoreError> {
    match ahead.as_mut().and_then(Iterator::next) {
        Some(s) => Ok(s),
        None => build().into_bound(),
    }
}

impl Ctx {
    pub(super) async fn ingest_tickets(
        &self,
        tx: &mut AnyConnection,
        b: &mut Batch,
        i: &TicketsInput,
        plan: &TicketPlan,
    ) -> Result<IngestOutcome, WriteError> {
        let anonymous = tx.backend_name() == "SQLite";
        let mut out = IngestOutcome::default();
        let thresholds = b.rules.service.overtime.clone();
        // counted as new by the caller, unless the rules changed since: what is not new is taken back
        let counted = plan.thresholds == thresholds;
        if counted {
            b.service.absorb(&plan.as_new.delta);
        }
        let stored = stored_tickets(tx, i, plan, anonymous).await?;
        // each send in order: the first of a ticket inserts it, later ones complete it
        let mut inserts: Vec<NewTicket> = Vec::with_capacity(i.rows.len());
        // the new tickets sent more than once: where their insert is, which later sends complete
        let mut fresh: HashMap<TicketKey, usize> = HashMap::default();
        // stored tickets completed, as the request leaves them
        let mut updates: HashMap<TicketKey, (Option<i64>, Ticket)> = HashMap::default();
        for (n, r) in i.rows.iter().enumerate() {
            let day = plan.days[n];
            let key = (r.outlet_id, day, r.ticket.number.as_str());
            let before = match fresh.get(&key) {
                Some(&at) => Some((inserts[at].teller, inserts[at].ticket.as_ref())),
                None => updates.get(&key).or_else(|| stored.get(&key)).map(|(teller, t)| (*teller, t)),
            };
            let Some((old_teller, old)) = before else {
                if !counted {
                    let rows = ticket_rows(&r.ticket, r.teller_id, &thresholds);
                    b.service.put(r.outlet_id, &r.outlet_path, r.ticket.day(), rows, true);
                }
                if plan.repeated[n] {
                    fresh.insert(key, inserts.len());
                }
                inserts.push(NewTicket::of(r, day, plan.branches[n]));
                out.accepted += 1;
                continue;
            };
            let mut old = old.clone();
            if counted {
                let rows = ticket_rows(&r.ticket, r.teller_id, &thresholds);
                b.service.put(r.outlet_id, &r.outlet_path, r.ticket.day(), rows, false);
            }
            let mut merged = match r.ticket.completing(&old) {
                Err(faults) => {
                    out.rejected.push((r.index, faults));
                    continue;
                }
                Ok(_) if old_teller.is_some() && r.teller_id.is_some() && old_teller != r.teller_id => {
                    out.rejected.push((r.index, vec![FieldError::because("teller", "field.already_recorded")]));
                    continue;
                }
                Ok(merged) => merged,
            };
            // the teller is compared by id: the stored ticket knows no name
            merged.teller = None;
            old.teller = None;
            let teller = old_teller.or(r.teller_id);
            if merged == old && teller == old_teller {
                out.duplicates.push(r.index);
                continue;
            }
            b.service.put(r.outlet_id, &r.outlet_path, old.day(), ticket_rows(&old, old_teller, &thresholds), false);
            b.service.put(r.outlet_id, &r.outlet_path, merged.day(), ticket_rows(&merged, teller, &thresholds), true);
            match fresh.get(&key) {
                Some(&at) => {
                    inserts[at].teller = teller;
                    inserts[at].ticket = Cow::Owned(merged);
                }
                None => {
                    updates.insert(key, (teller, merged));
                }
            }
            out.accepted += 1;
        }
        // every row new and sent once: the insert the caller built is the one to run
        let mut ahead = if inserts.len() == i.rows.len() { plan.inserts.take() } else { None };
        for (chunk, pad) in padded_chunks(&inserts, INSERT_CAP) {
            let (sql, args) = next_statement(&mut ahead, || insert(anonymous, chunk, pad, i.integration_id, i.at))?;
            let written = sqlx::query_with(&sql, args).execute(&mut *tx).await?.rows_affected();
            all_written(written, chunk.len(), "queue_tickets")?;
        }
        let at = to_millis(i.at);
        let mut updates: Vec<_> = updates.into_iter().collect();
        updates.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for ((outlet, day, number), (teller, t)) in updates {
            sqlx::query(
                "UPDATE queue_tickets SET business = $1, called_at = $2, finished_at = $3, counter_window = $4, teller_id = $5, \
                 updated_at = $6 WHERE outlet_id = $7 AND day = $8 AND number = $9",
            )
            .bind(t.business)
            .bind(t.called_at.map(to_millis))
            .bind(t.finished_at.map(to_millis))
            .bind(t.window)
            .bind(teller)
            .bind(at)
            .bind(outlet)
            .bind(i64::from(day))
            .bind(number)
            .execute(&mut *tx)
            .await?;
        }
        out.duplicates.sort_unstable();
        Ok(out)
    }
}

/// The stored tickets among the request's, each with its teller's id, keyed by the request's own
/// text of the number.
async fn stored_tickets<'a>(
    tx: &mut AnyConnection,
    i: &'a TicketsInput,
    plan: &TicketPlan,
    anonymous: bool,
) -> Result<HashMap<TicketKey<'a>, (Option<i64>, Ticket)>, WriteError> {
    let mut stored = HashMap::default();
    let mut ahead = plan.selects.take();
    for (outlet, day, members) in &plan.groups {
        let (outlet, day) = (*outlet, *day);
        for (chunk, pad) in padded_chunks(members, IN_CAP) {
            let numbers = || padded(chunk, pad).map(|&n| i.rows[n].ticket.number.as_str());
            let (sql, args) = next_statement(&mut ahead, || select(anonymous, outlet, day, numbers()))?;
            let rows = sqlx::query_with(&sql, args).fetch_all(&mut *tx).await?;
            if rows.is_empty() {
                continue;
            }
            let texts: HashSet<&'a str> = chunk.iter().map(|&n| i.rows[n].ticket.number.as_str()).collect();
            for row in rows {
                let number: String = row.try_get("number")?;
                let Some(&text) = texts.get(number.as_str()) else { continue };
                let called: Option<i64> = row.try_get("called_at")?;
                let finished: Option<i64> = row.try_get("finished_at")?;
                let t = Ticket {
                    outlet: String::new(),
                    number,
                    business: row.try_get("business")?,
                    taken_at: from_millis(row.try_get("taken_at")?),
                    called_at: called.map(from_millis),
                    finished_at: finished.map(from_millis),
                    window: row.try_get("counter_window")?,
                    teller: None,
                };
                stored.insert((outlet, day, text), (row.try_get("teller_id")?, t));
            }
        }
    }
    Ok(stored)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::TicketPlan;
    use crate::writer::{IngestOutcome, ResolvedTicket, TicketsInput, Work};
    use crate::{DatabaseUrl, NewOrgUnit, Store};
    use xiaobao_core::org::{OrgCode, OrgUnitKind};
    use xiaobao_core::service::queue::{Thresholds, Ticket};

    /// The rules can change between the caller's plan and the batch: the batch then counts the
    /// tickets itself, under its own rules, as a rebuild would.
    #[test]
    fn a_plan_counted_under_other_thresholds_is_counted_again_by_the_batch() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let url = DatabaseUrl::SqliteFile(dir.path().join("plan.db"));
            let store = Store::open(&url, xiaobao_core::seal::ChainKey::from_bytes([3; 32])).await.unwrap();
            let mut parent = "HO".to_string();
            let mut outlet = None;
            for (code, kind) in
                [("B1", OrgUnitKind::Branch), ("B1S", OrgUnitKind::SubBranch), ("B1SO", OrgUnitKind::Outlet)]
            {
                let new = NewOrgUnit {
                    code: OrgCode::parse("code", code).unwrap(),
                    name: code.into(),
                    kind,
                    parent: OrgCode::parse("parent", &parent).unwrap(),
                };
                outlet = Some(store.create_org_unit(&new).await.unwrap());
                parent = code.into();
            }
            let outlet = outlet.unwrap();
            let taken = chrono::DateTime::parse_from_rfc3339("2025-03-03T09:00:00+08:00").unwrap().to_utc();
            // a 15-minute wait: overtime under a 10-minute threshold, not under the bank's 20
            let ticket = |number: &str| Ticket {
                outlet: outlet.code.clone(),
                number: number.into(),
                business: Some("personal".into()),
                taken_at: taken,
                called_at: Some(taken + chrono::Duration::minutes(15)),
                finished_at: None,
                window: None,
                teller: None,
            };
            let rows = vec![ticket("A1"), ticket("A2"), ticket("A1")]
                .into_iter()
                .enumerate()
                .map(|(index, ticket)| ResolvedTicket {
                    index,
                    ticket,
                    outlet_id: outlet.id,
                    outlet_path: outlet.path.clone(),
                    teller_id: None,
                })
                .collect();
            let input = TicketsInput { at: taken + chrono::Duration::hours(1), integration_id: None, rows };
            let stale = Thresholds { default_minutes: 10, ..Default::default() };
            let plan = TicketPlan::new(&input, stale, true);
            let out: IngestOutcome = store.submit(Work::Tickets(input, plan)).await.unwrap();
            assert_eq!((out.accepted, out.duplicates), (2, vec![2]));
            assert_eq!(store.check_rollups().await.unwrap(), 0);
            let rows = store
                .service_rows(
                    &[outlet.id],
                    xiaobao_core::service::measure::Dim::All,
                    taken.date_naive(),
                    taken.date_naive(),
                    crate::service::rollups::Grain::Day,
                )
                .await
                .unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!((rows[0].counts.tickets_taken, rows[0].counts.overtime), (2, 0));
            store.close().await;
        });
    }
}
