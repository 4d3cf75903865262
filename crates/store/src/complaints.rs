//! Reading complaint work orders: one order with its clocks, and filtered, paged lists that never
//! leave the caller's scope. Writes go through the writer (`writer.rs`).

use crate::complainants::ComplainantRow;
use crate::db::subtree_range;
use crate::scope::push_order_scope;
use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::access::OrderScope;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::{AppealStatus, Decision, Feedback, Order, State};
use xiaobao_core::deadline::{Clock, ClockKind};
use xiaobao_core::org::path_ids;
use xiaobao_core::time::{Instant, from_millis};

/// A complaint as read: its registration facts, its projection, its complainant and clocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub order: Order,
    pub number: String,
    pub channel: Channel,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub registered_unit_id: i64,
    pub first_responder: String,
    pub first_responder_name: String,
    pub complainant: ComplainantRow,
    pub registered_at: Instant,
    pub category: Option<String>,
    pub service_channel: Option<String>,
    pub cause: Option<String>,
    pub summary: String,
    pub description: String,
    pub amount_fen: Option<i64>,
    pub over_level: bool,
    pub repeat_of: Option<i64>,
    pub last_seq: i64,
    pub updated_at: Instant,
}

impl ComplaintRow {
    /// The order as the scope rules see it (`xiaobao_core::access`).
    pub fn place(&self) -> xiaobao_core::access::OrderPlace<'_> {
        xiaobao_core::access::OrderPlace {
            handling_path: &self.org_path,
            first_responder_id: self.order.first_responder_id,
        }
    }
}

/// Which orders a list returns. Made with [`ComplaintFilter::new`], which has no default scope: every
/// list says whose orders it shows.
#[derive(Debug, Clone)]
pub struct ComplaintFilter {
    /// The orders the viewer may see (`xiaobao_core::access`).
    pub scope: OrderScope,
    pub state: Option<State>,
    pub channel: Option<Channel>,
    /// A unit inside the scope: its subtree only.
    pub unit_path: Option<String>,
    /// Orders with an appeal in this status.
    pub appeal: Option<AppealStatus>,
    /// Orders linked to this hot issue.
    pub hot_issue: Option<i64>,
    /// Orders in no hot issue yet.
    pub unlinked: bool,
    /// Counted against a unit of this subtree (the responsible unit, which escalation leaves alone).
    pub responsible_path: Option<String>,
    /// A category code and its subclasses.
    pub category: Option<String>,
    pub overdue: Option<bool>,
    /// A running clock falls due within this many milliseconds from now.
    pub due_within_ms: Option<i64>,
    /// This clock was breached (met late, or running past its due time).
    pub breached: Option<xiaobao_core::deadline::ClockKind>,
    /// Still open and received before this instant (long-unresolved, 久拖不决).
    pub open_since_before: Option<i64>,
    /// Escalated at least once (true) or never (false).
    pub escalated: Option<bool>,
    pub repeat: Option<bool>,
    /// Still open (true) or ended: closed, declined, withdrawn (false).
    pub open: Option<bool>,
    pub first_responder_id: Option<i64>,
    pub received_from: Option<i64>,
    pub received_to: Option<i64>,
    pub now_ms: i64,
    /// Nearest running deadline first (the work queue), instead of newest received first.
    pub nearest_due_first: bool,
    /// Leave the total uncounted (it is then the number of rows returned): for pages that show none.
    pub skip_count: bool,
    pub offset: i64,
    pub limit: i64,
}

impl ComplaintFilter {
    /// The orders in `scope`, unfiltered, newest received first.
    pub fn new(scope: OrderScope) -> Self {
        Self {
            scope,
            state: None,
            channel: None,
            unit_path: None,
            appeal: None,
            hot_issue: None,
            unlinked: false,
            responsible_path: None,
            category: None,
            overdue: None,
            due_within_ms: None,
            breached: None,
            open_since_before: None,
            escalated: None,
            repeat: None,
            open: None,
            first_responder_id: None,
            received_from: None,
            received_to: None,
            now_ms: 0,
            nearest_due_first: false,
            skip_count: false,
            offset: 0,
            limit: 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// The states an order ends in (`State::is_open` is false), as SQL on `complaints k`.
pub(crate) const ENDED: &str = "k.state IN ('closed', 'declined', 'withdrawn')";
pub(crate) const OPEN: &str = "k.state NOT IN ('closed', 'declined', 'withdrawn')";

pub(crate) const COMPLAINT_SELECT: &str = "SELECT k.*, o.code AS org_code, o.name AS org_name, \
    u.username AS fr_username, u.display_name AS fr_name, \
    c.id AS c_id, c.name AS c_name, c.phone AS c_phone, c.id_number AS c_id_number, c.tags AS c_tags, c.watchlist AS c_watchlist \
    FROM complaints k JOIN org_units o ON o.id = k.org_unit_id JOIN users u ON u.id = k.first_responder_id \
    JOIN complainants c ON c.id = k.complainant_id";

fn opt_ms(r: &AnyRow, col: &str) -> Result<Option<Instant>, StoreError> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(from_millis))
}

fn flag(r: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {v}"))
}

pub(crate) fn order_from_row(r: &AnyRow, clocks: Vec<Clock>) -> Result<Order, StoreError> {
    let state: String = r.try_get("state")?;
    let decision: Option<String> = r.try_get("decision")?;
    let feedback: Option<String> = r.try_get("feedback")?;
    Ok(Order {
        id: r.try_get("id")?,
        state: State::from_str_opt(&state).ok_or_else(|| corrupt("state", &state))?,
        paused: flag(r, "paused")?,
        org_unit_id: r.try_get("org_unit_id")?,
        responsible_unit_id: r.try_get("responsible_unit_id")?,
        received_at: from_millis(r.try_get("received_at")?),
        first_responder_id: r.try_get("first_responder_id")?,
        channel: {
            let c: String = r.try_get("channel")?;
            Channel::parse("channel", &c).map_err(|_| corrupt("channel", &c))?
        },
        category: r.try_get("category")?,
        repeat: flag(r, "repeat")?,
        extension_tier: u8::try_from(r.try_get::<i64, _>("extension_tier")?).unwrap_or(u8::MAX),
        escalation_count: u32::try_from(r.try_get::<i64, _>("escalation_count")?).unwrap_or(0),
        transfer_count: u32::try_from(r.try_get::<i64, _>("transfer_count")?).unwrap_or(0),
        reopen_count: u32::try_from(r.try_get::<i64, _>("reopen_count")?).unwrap_or(0),
        merge_count: u32::try_from(r.try_get::<i64, _>("merge_count")?).unwrap_or(0),
        responded_at: opt_ms(r, "responded_at")?,
        decided_at: opt_ms(r, "decided_at")?,
        closed_at: opt_ms(r, "closed_at")?,
        decision: decision
            .map(|d| serde_json::from_str::<Decision>(&d))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        feedback: feedback
            .map(|f| serde_json::from_value::<Feedback>(serde_json::Value::String(f)))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        appeal: {
            let a: Option<String> = r.try_get("appeal")?;
            a.map(|a| AppealStatus::from_str_opt(&a).ok_or_else(|| corrupt("appeal", &a))).transpose()?
        },
        clocks,
    })
}

fn complaint_from_row(r: &AnyRow, clocks: Vec<Clock>) -> Result<ComplaintRow, StoreError> {
    let channel: String = r.try_get("channel")?;
    let tags: String = r.try_get("c_tags")?;
    Ok(ComplaintRow {
        order: order_from_row(r, clocks)?,
        number: r.try_get("number")?,
        channel: Channel::parse("channel", &channel).map_err(|_| corrupt("channel", &channel))?,
        org_code: r.try_get("org_code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("org_path")?,
        registered_unit_id: r.try_get("registered_unit_id")?,
        first_responder: r.try_get("fr_username")?,
        first_responder_name: r.try_get("fr_name")?,
        complainant: ComplainantRow {
            id: r.try_get("c_id")?,
            name: r.try_get("c_name")?,
            phone: r.try_get("c_phone")?,
            id_number: r.try_get("c_id_number")?,
            tags: tags
                .split(',')
                .filter_map(|t| xiaobao_core::complainant::ComplainantTag::parse("tags", t).ok())
                .collect(),
            watchlist: flag(r, "c_watchlist")?,
            complaint_count: 0,
        },
        registered_at: from_millis(r.try_get("registered_at")?),
        category: r.try_get("category")?,
        service_channel: r.try_get("service_channel")?,
        cause: r.try_get("cause")?,
        summary: r.try_get("summary")?,
        description: r.try_get("description")?,
        amount_fen: r.try_get("amount_fen")?,
        over_level: flag(r, "over_level")?,
        repeat_of: r.try_get("repeat_of")?,
        last_seq: r.try_get("last_seq")?,
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

pub(crate) fn clock_from_row(r: &AnyRow) -> Result<(i64, Clock), StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok((
        r.try_get("complaint_id")?,
        Clock {
            kind: ClockKind::from_str_opt(&kind).ok_or_else(|| corrupt("clock kind", &kind))?,
            started_at: from_millis(r.try_get("started_at")?),
            due_at: from_millis(r.try_get("due_at")?),
            met_at: opt_ms(r, "met_at")?,
            breached_at: opt_ms(r, "breached_at")?,
            paused_at: opt_ms(r, "paused_at")?,
            stopped_at: opt_ms(r, "stopped_at")?,
            alerts_fired: u8::try_from(r.try_get::<i64, _>("alerts_fired")?).unwrap_or(u8::MAX),
        },
    ))
}

const CLOCK_SELECT: &str = "SELECT complaint_id, kind, started_at, due_at, met_at, breached_at, paused_at, stopped_at, alerts_fired FROM complaint_clocks";

/// The clocks of the given orders, in one query.
pub(crate) async fn clocks_for<'e, E>(exec: E, ids: &[i64]) -> Result<Vec<(i64, Clock)>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut b = SqlBuilder::new(CLOCK_SELECT);
    b.push(" WHERE complaint_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            b.push(", ");
        }
        b.bind(Arg::I64(*id));
    }
    b.push(")");
    let rows = b.query().fetch_all(exec).await?;
    let mut clocks = rows.iter().map(clock_from_row).collect::<Result<Vec<_>, _>>()?;
    // The order clocks are shown in: response, decision, completion, review.
    clocks.sort_by_key(|(id, c)| (*id, ClockKind::ALL.iter().position(|k| *k == c.kind)));
    Ok(clocks)
}

impl Store {
    /// One order, whoever may see it (the caller checks scope).
    pub async fn complaint(&self, id: i64) -> Result<Option<ComplaintRow>, StoreError> {
        let sql = format!("{COMPLAINT_SELECT} WHERE k.id = $1");
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(self.read()).await? else {
            return Ok(None);
        };
        let clocks = clocks_for(self.read(), &[id]).await?.into_iter().map(|(_, c)| c).collect();
        Ok(Some(complaint_from_row(&row, clocks)?))
    }

    /// One order as a read returns it, read inside `tx` (the writer's), with the path of its
    /// responsible unit and its hot issue.
    pub(crate) async fn complaint_in(
        tx: &mut sqlx::AnyConnection,
        id: i64,
    ) -> Result<Option<(ComplaintRow, String, Option<i64>)>, StoreError> {
        let sql = COMPLAINT_SELECT.replacen("SELECT ", "SELECT r.path AS responsible_path, ", 1).replacen(
            "FROM complaints k",
            "FROM complaints k JOIN org_units r ON r.id = k.responsible_unit_id",
            1,
        );
        let Some(row) = sqlx::query(&format!("{sql} WHERE k.id = $1")).bind(id).fetch_optional(&mut *tx).await? else {
            return Ok(None);
        };
        let clocks = clocks_for(&mut *tx, &[id]).await?.into_iter().map(|(_, c)| c).collect();
        let k = complaint_from_row(&row, clocks)?;
        Ok(Some((k, row.try_get("responsible_path")?, row.try_get("hot_issue_id")?)))
    }

    /// The stored orders with ids in `(after, last]`, by id: two queries for the whole run.
    pub(crate) async fn orders_in_id_range(&self, after: i64, last: i64) -> Result<Vec<Order>, StoreError> {
        let sql = format!("{COMPLAINT_SELECT} WHERE k.id > $1 AND k.id <= $2 ORDER BY k.id");
        let rows = sqlx::query(&sql).bind(after).bind(last).fetch_all(self.read()).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        let mut clocks: std::collections::HashMap<i64, Vec<Clock>> = Default::default();
        for (id, c) in clocks_for(self.read(), &ids).await? {
            clocks.entry(id).or_default().push(c);
        }
        rows.iter()
            .zip(&ids)
            .map(|(r, id)| complaint_from_row(r, clocks.remove(id).unwrap_or_default()).map(|k| k.order))
            .collect()
    }

    pub async fn complaint_by_number(&self, number: &str) -> Result<Option<ComplaintRow>, StoreError> {
        let id: Option<(i64,)> = sqlx::query_as("SELECT id FROM complaints WHERE number = $1")
            .bind(number)
            .fetch_optional(self.read())
            .await?;
        match id {
            Some((id,)) => self.complaint(id).await,
            None => Ok(None),
        }
    }

    /// A page of orders matching the filter, newest received first, with the total count.
    pub async fn complaints(&self, f: &ComplaintFilter) -> Result<Page<ComplaintRow>, StoreError> {
        let mut where_ = SqlBuilder::new(" WHERE ");
        push_order_scope(&mut where_, "k", &f.scope);
        if let Some(p) = &f.unit_path {
            let (lo, hi) = subtree_range(p);
            where_.push(" AND k.org_path >= ").bind(Arg::Text(lo)).push(" AND k.org_path < ").bind(Arg::Text(hi));
        }
        if let Some(p) = &f.responsible_path {
            let (lo, hi) = subtree_range(p);
            where_
                .push(" AND EXISTS (SELECT 1 FROM org_units r WHERE r.id = k.responsible_unit_id AND r.path >= ")
                .bind(Arg::Text(lo))
                .push(" AND r.path < ")
                .bind(Arg::Text(hi))
                .push(")");
        }
        if let Some(a) = f.appeal {
            where_.push(" AND k.appeal = ").bind(Arg::Text(a.as_str().into()));
        }
        if let Some(h) = f.hot_issue {
            where_.push(" AND k.hot_issue_id = ").bind(Arg::I64(h));
        }
        if f.unlinked {
            where_.push(" AND k.hot_issue_id IS NULL");
        }
        if let Some(s) = f.state {
            where_.push(" AND k.state = ").bind(Arg::Text(s.as_str().into()));
        }
        if let Some(c) = f.channel {
            where_.push(" AND k.channel = ").bind(Arg::Text(c.as_str().into()));
        }
        if let Some(c) = &f.category {
            // the class and its subclasses: codes are digits, and ':' sorts right after '9'
            where_
                .push(" AND k.category >= ")
                .bind(Arg::Text(c.clone()))
                .push(" AND k.category < ")
                .bind(Arg::Text(format!("{c}:")));
        }
        if let Some(r) = f.repeat {
            where_.push(" AND k.repeat = ").bind(Arg::I64(i64::from(r)));
        }
        if let Some(id) = f.first_responder_id {
            where_.push(" AND k.first_responder_id = ").bind(Arg::I64(id));
        }
        if let Some(from) = f.received_from {
            where_.push(" AND k.received_at >= ").bind(Arg::I64(from));
        }
        if let Some(to) = f.received_to {
            where_.push(" AND k.received_at < ").bind(Arg::I64(to));
        }
        if let Some(overdue) = f.overdue {
            // next_due_at is the earliest ticking clock's due time (Order::next_due_at)
            where_.push(if overdue {
                " AND k.next_due_at <= "
            } else {
                " AND (k.next_due_at IS NULL OR k.next_due_at > "
            });
            where_.bind(Arg::I64(f.now_ms)).push(if overdue { "" } else { ")" });
        }
        if let Some(within) = f.due_within_ms {
            where_
                .push(" AND EXISTS (SELECT 1 FROM complaint_clocks t WHERE t.complaint_id = k.id AND t.met_at IS NULL AND t.stopped_at IS NULL AND t.paused_at IS NULL AND t.due_at > ")
                .bind(Arg::I64(f.now_ms))
                .push(" AND t.due_at <= ")
                .bind(Arg::I64(f.now_ms + within))
                .push(")");
        }
        if let Some(kind) = f.breached {
            where_
                .push(" AND EXISTS (SELECT 1 FROM complaint_clocks t WHERE t.complaint_id = k.id AND t.kind = ")
                .bind(Arg::Text(kind.as_str().into()))
                .push(" AND (t.breached_at IS NOT NULL OR (t.met_at IS NULL AND t.stopped_at IS NULL AND t.paused_at IS NULL AND t.due_at <= ")
                .bind(Arg::I64(f.now_ms))
                .push(")))");
        }
        if let Some(o) = f.open {
            where_.push(" AND ").push(if o { OPEN } else { ENDED });
        }
        if let Some(e) = f.escalated {
            where_.push(if e { " AND k.escalation_count > 0" } else { " AND k.escalation_count = 0" });
        }
        if let Some(before) = f.open_since_before {
            where_.push(" AND ").push(OPEN).push(" AND k.received_at < ").bind(Arg::I64(before));
        }
        let total: Option<i64> = if f.skip_count { None } else { Some(self.count_matching(&where_, "").await?) };

        let rows = if f.nearest_due_first {
            // Ticking orders by due time, then the others (paused) in registration order.
            // Escalated orders are few: SQLite, which cannot know that, is pointed at their index.
            let escalated = (f.escalated == Some(true) && self.backend() == crate::Backend::Sqlite)
                .then_some("complaints_escalated");
            let index = match escalated {
                Some(i) => Some(i),
                None => self.due_walk_pays(f).await?.then_some("complaints_overdue"),
            };
            let ticking = self
                .list_page(
                    &where_,
                    " AND k.next_due_at IS NOT NULL",
                    " ORDER BY k.next_due_at, k.id",
                    index,
                    f.limit,
                    f.offset,
                )
                .await?;
            let mut rows = ticking;
            if (rows.len() as i64) < f.limit {
                let ticking_total = if rows.is_empty() && f.offset > 0 {
                    self.count_matching(&where_, " AND k.next_due_at IS NOT NULL").await?
                } else {
                    f.offset + rows.len() as i64
                };
                let rest = f.limit - rows.len() as i64;
                let skip = (f.offset - ticking_total).max(0);
                rows.extend(
                    self.list_page(&where_, " AND k.next_due_at IS NULL", " ORDER BY k.id", escalated, rest, skip)
                        .await?,
                );
            }
            rows
        } else {
            self.list_page(&where_, "", " ORDER BY k.received_at DESC, k.id DESC", None, f.limit, f.offset).await?
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
        let mut clocks = clocks_for(self.read(), &ids).await?;
        let items = rows
            .iter()
            .zip(&ids)
            .map(|(r, id)| {
                let mine = clocks.iter().filter(|(cid, _)| cid == id).map(|(_, c)| c.clone()).collect();
                complaint_from_row(r, mine)
            })
            .collect::<Result<Vec<_>, _>>()?;
        clocks.clear();
        let total = total.unwrap_or(f.offset + items.len() as i64);
        Ok(Page { items, total, offset: f.offset, limit: f.limit })
    }

    /// How many orders match `where_` plus `more`.
    async fn count_matching(&self, where_: &SqlBuilder, more: &str) -> Result<i64, StoreError> {
        let mut count = SqlBuilder::new("SELECT COUNT(*) AS n FROM complaints k");
        count.sql.push_str(&where_.sql);
        count.args = where_.args.clone();
        count.push(more);
        Ok(count.query().fetch_one(self.read()).await?.try_get("n")?)
    }

    /// One page of the list: `where_` plus `more`, in `order`, read on SQLite through `index` when
    /// given: the index of ticking orders by due time (read in order, stopping at the page's end
    /// instead of sorting every order of the scope), or the index of escalated orders.
    #[allow(clippy::too_many_arguments)]
    async fn list_page(
        &self,
        where_: &SqlBuilder,
        more: &str,
        order: &str,
        index: Option<&'static str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let select = match index {
            Some(i) => COMPLAINT_SELECT.replacen("FROM complaints k", &format!("FROM complaints k INDEXED BY {i}"), 1),
            None => COMPLAINT_SELECT.to_string(),
        };
        let mut list = SqlBuilder::new(&select);
        list.sql.push_str(&where_.sql);
        list.args = where_.args.clone();
        list.push(more).push(order);
        list.push(" LIMIT ").bind(Arg::I64(limit)).push(" OFFSET ").bind(Arg::I64(offset));
        Ok(list.query().fetch_all(self.read()).await?)
    }

    /// Whether reading the due-time index in order beats sorting the scope's orders: walking finds a
    /// page after about limit ÷ share entries, sorting reads share × all of them, so it pays once the
    /// scope holds more than √(limit × all) open orders. Only for the queue filters the index can
    /// answer alone, and on SQLite (PostgreSQL's planner weighs this from its statistics).
    async fn due_walk_pays(&self, f: &ComplaintFilter) -> Result<bool, StoreError> {
        let plain = f.state.is_none()
            && f.responsible_path.is_none()
            && f.appeal.is_none()
            && f.channel.is_none()
            && f.category.is_none()
            && f.repeat.is_none()
            && f.first_responder_id.is_none()
            && f.received_from.is_none()
            && f.received_to.is_none()
            && f.due_within_ms.is_none()
            && f.breached.is_none()
            && f.escalated.is_none();
        if !plain || self.backend() != crate::Backend::Sqlite {
            return Ok(false);
        }
        let scope = match (&f.unit_path, &f.scope) {
            (Some(p), _) | (None, OrderScope::Within { unit_path: p, .. }) => Some(p.as_str()),
            (None, OrderScope::All) => None,
        };
        // the unit whose open orders the scope holds, and the root's (every open order)
        let (unit, root) = match scope {
            Some(p) => match (path_ids(p).last().copied(), path_ids(p).first().copied()) {
                (Some(u), Some(r)) => (u, r),
                _ => return Ok(false),
            },
            None => {
                let root: Option<(i64,)> = sqlx::query_as("SELECT id FROM org_units WHERE parent_id IS NULL")
                    .fetch_optional(self.read())
                    .await?;
                let Some((root,)) = root else { return Ok(false) };
                (root, root)
            }
        };
        let open: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT CAST(unit_id AS BIGINT), CAST(open AS BIGINT) FROM unit_live WHERE unit_id IN ($1, $2)",
        )
        .bind(unit)
        .bind(root)
        .fetch_all(self.read())
        .await?;
        let open_in = |id: i64| open.iter().find(|r| r.0 == id).map_or(0, |r| r.1);
        let (share, all) = (open_in(unit), open_in(root));
        Ok((share as f64).powi(2) > (f.limit.max(1) * all.max(1)) as f64)
    }

    /// Orders still open that were received before `before`, counted per unit holding them, inside
    /// the subtree at `scope_path`: the long-unresolved (久拖不决) list.
    pub async fn long_unresolved(
        &self,
        scope_path: &str,
        before: i64,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (lo, hi) = subtree_range(scope_path);
        let rows = sqlx::query(&format!(
            "SELECT o.code, o.name, COUNT(*) AS n FROM complaints k JOIN org_units o ON o.id = k.org_unit_id \
             WHERE k.org_path >= $1 AND k.org_path < $2 AND {OPEN} AND k.received_at < $3 \
             GROUP BY o.code, o.name ORDER BY n DESC, o.code"
        ))
        .bind(lo)
        .bind(hi)
        .bind(before)
        .fetch_all(self.read())
        .await?;
        rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?, r.try_get("n")?))).collect()
    }

    pub async fn count_complaints(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM complaints").fetch_one(self.read()).await?;
        Ok(n)
    }

    /// How many orders are in each state (for the demo summary and dashboards).
    pub async fn complaint_state_counts(&self) -> Result<Vec<(State, i64)>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM complaints GROUP BY state ORDER BY state")
                .fetch_all(self.read())
                .await?;
        Ok(rows.into_iter().filter_map(|(s, n)| State::from_str_opt(&s).map(|s| (s, n))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{ENDED, OPEN};
    use xiaobao_core::complaint::State;

    #[test]
    fn the_sql_of_ended_states_names_exactly_the_states_that_are_not_open() {
        let ended: Vec<String> =
            State::ALL.iter().filter(|s| !s.is_open()).map(|s| format!("'{}'", s.as_str())).collect();
        let list = format!("({})", ended.join(", "));
        assert_eq!(ENDED, format!("k.state IN {list}"));
        assert_eq!(OPEN, format!("k.state NOT IN {list}"));
    }
}
