//! The order list: which orders a list returns (`ComplaintFilter`), and the query that pages through
//! them, its scope condition taken from `scope.rs`, nearest deadline first or newest first.

use super::complaints::{COMPLAINT_SELECT, ComplaintRow, ENDED, OPEN, Page, clocks_for, complaint_from_row};
use crate::db::subtree_range;
use crate::scope::push_order_scope;
use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::access::OrderScope;
use xiaobao_core::channel::Channel;
use xiaobao_core::complaint::{AppealStatus, State};
use xiaobao_core::org::path_ids;

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
    /// Held at this unit itself, not at any unit below it (a board's 本级 row).
    pub unit_id: Option<i64>,
    /// Counted against this unit itself, not any unit below it.
    pub responsible_id: Option<i64>,
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
    /// Found by its number, the complainant's name or phone (`xiaobao_core::complaint::Search`).
    pub search: Option<xiaobao_core::complaint::Search>,
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
            unit_id: None,
            responsible_id: None,
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
            search: None,
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

impl Store {
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
        if let Some(id) = f.unit_id {
            where_.push(" AND k.org_unit_id = ").bind(Arg::I64(id));
        }
        if let Some(id) = f.responsible_id {
            where_.push(" AND k.responsible_unit_id = ").bind(Arg::I64(id));
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
        if let Some(q) = &f.search {
            use xiaobao_core::complaint::Search;
            let complainant = " AND EXISTS (SELECT 1 FROM complainants c WHERE c.id = k.complainant_id AND ";
            match q {
                Search::Number(n) => {
                    where_.push(" AND k.number = ").bind(Arg::Text(n.clone()));
                }
                Search::Name(n) => {
                    where_.push(complainant).push("c.name = ").bind(Arg::Text(n.clone())).push(")");
                }
                Search::Phone(p) => {
                    where_.push(complainant).push("c.phone = ").bind(Arg::Text(p.clone())).push(")");
                }
                Search::MaskedPhone { head, hidden, tail } => {
                    // digits only on either side, so the pattern holds no wildcard but the hidden ones
                    let pattern = format!("{head}{}{tail}", "_".repeat(*hidden));
                    where_.push(complainant).push("c.phone LIKE ").bind(Arg::Text(pattern)).push(")");
                }
            }
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
}
