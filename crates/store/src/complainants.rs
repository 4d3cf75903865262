//! Complainants: recognised again by ID number or phone, so repeat complaints can be found; repeat
//! complainants are on the watch list every outlet sees.

use crate::scope::push_complainant_scope;
use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::access::OrderScope;
use xiaobao_core::complainant::ComplainantTag;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplainantRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub tags: Vec<ComplainantTag>,
    pub watchlist: bool,
    pub complaint_count: i64,
}

#[derive(Debug, Clone)]
pub struct ComplainantFilter {
    /// Complainants with a complaint in this scope.
    pub scope: OrderScope,
    pub watchlist: Option<bool>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub(crate) const COMPLAINANT_COLUMNS: &str = "c.id, c.name, c.phone, c.id_number, c.tags, c.watchlist, (SELECT COUNT(*) FROM complaints k WHERE k.complainant_id = c.id) AS complaint_count";

pub(crate) fn tags_to_text(tags: &[ComplainantTag]) -> String {
    tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(",")
}

pub(crate) fn tags_from_text(s: &str) -> Vec<ComplainantTag> {
    s.split(',').filter(|t| !t.is_empty()).filter_map(|t| ComplainantTag::parse("tags", t).ok()).collect()
}

pub(crate) fn complainant_from_row(r: &AnyRow) -> Result<ComplainantRow, StoreError> {
    let tags: String = r.try_get("tags")?;
    let watchlist: i64 = r.try_get("watchlist")?;
    Ok(ComplainantRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        id_number: r.try_get("id_number")?,
        tags: tags_from_text(&tags),
        watchlist: watchlist != 0,
        complaint_count: r.try_get("complaint_count")?,
    })
}

impl Store {
    /// One complainant, if a complaint of theirs is inside `scope`.
    pub async fn complainant(&self, id: i64, scope: &OrderScope) -> Result<Option<ComplainantRow>, StoreError> {
        let mut q = SqlBuilder::new(&format!("SELECT {COMPLAINANT_COLUMNS} FROM complainants c WHERE c.id = "));
        q.bind(Arg::I64(id)).push(" AND ");
        push_complainant_scope(&mut q, "c", scope);
        let row = q.query().fetch_optional(self.read()).await?;
        row.as_ref().map(complainant_from_row).transpose()
    }

    /// Complainants inside the filter's scope by exact phone or ID number, or the watch list,
    /// newest first.
    pub async fn complainants(&self, f: &ComplainantFilter) -> Result<Vec<ComplainantRow>, StoreError> {
        let mut q = SqlBuilder::new(&format!("SELECT {COMPLAINANT_COLUMNS} FROM complainants c WHERE "));
        push_complainant_scope(&mut q, "c", &f.scope);
        if let Some(w) = f.watchlist {
            q.push(" AND c.watchlist = ").bind(Arg::I64(i64::from(w)));
        }
        if let Some(p) = f.phone.as_ref().filter(|p| !p.is_empty()) {
            q.push(" AND c.phone = ").bind(Arg::Text(p.clone()));
        }
        if let Some(n) = f.id_number.as_ref().filter(|n| !n.is_empty()) {
            q.push(" AND c.id_number = ").bind(Arg::Text(n.clone()));
        }
        q.push(" ORDER BY c.updated_at DESC, c.id DESC LIMIT ").bind(Arg::I64(f.limit));
        q.push(" OFFSET ").bind(Arg::I64(f.offset));
        let rows = q.query().fetch_all(self.read()).await?;
        rows.iter().map(complainant_from_row).collect()
    }

    /// What registration may tell of a person, whoever handled them: whether any complainant with
    /// this phone or ID number is on the watch list, and how many complaints they have made.
    pub async fn watchlist_status(
        &self,
        phone: Option<&str>,
        id_number: Option<&str>,
    ) -> Result<(bool, i64), StoreError> {
        let sql = format!(
            "SELECT {COMPLAINANT_COLUMNS} FROM complainants c \
             WHERE ($1 <> '' AND c.phone = $1) OR ($2 <> '' AND c.id_number = $2) LIMIT 10"
        );
        let rows = sqlx::query(&sql)
            .bind(phone.unwrap_or_default())
            .bind(id_number.unwrap_or_default())
            .fetch_all(self.read())
            .await?;
        let rows: Vec<ComplainantRow> = rows.iter().map(complainant_from_row).collect::<Result<_, _>>()?;
        Ok((rows.iter().any(|c| c.watchlist), rows.iter().map(|c| c.complaint_count).sum()))
    }
}
