//! Complainants: recognised again by ID number or phone, so repeat complaints can be found; repeat
//! complainants are on the watch list every outlet sees.

use crate::db::subtree_range;
use crate::sql::Arg;
use crate::{Store, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;
use xiaobao_core::complainant::ComplainantTag;
use xiaobao_core::org::path_ids;

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

/// Whose complainants a read may return: those with a complaint the viewer may see (handled inside
/// the subtree at `path`, or registered by `viewer_id`). Head office's scope holds every one.
#[derive(Debug, Clone, Default)]
pub struct ComplainantScope {
    pub path: String,
    pub viewer_id: i64,
}

impl ComplainantScope {
    /// The condition on `c` (the complainant) and the values it binds from `$first`.
    fn condition(&self, first: usize) -> (String, Vec<Arg>) {
        if path_ids(&self.path).len() <= 1 {
            return ("1 = 1".into(), Vec::new());
        }
        let (lo, hi) = subtree_range(&self.path);
        (
            format!(
                "EXISTS (SELECT 1 FROM complaints k WHERE k.complainant_id = c.id \
                 AND ((k.org_path >= ${} AND k.org_path < ${}) OR k.first_responder_id = ${}))",
                first,
                first + 1,
                first + 2
            ),
            vec![Arg::Text(lo), Arg::Text(hi), Arg::I64(self.viewer_id)],
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct ComplainantFilter {
    pub scope: ComplainantScope,
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
    pub async fn complainant(&self, id: i64, scope: &ComplainantScope) -> Result<Option<ComplainantRow>, StoreError> {
        let (visible, args) = scope.condition(2);
        let sql = format!("SELECT {COMPLAINANT_COLUMNS} FROM complainants c WHERE c.id = $1 AND {visible}");
        let mut q = sqlx::query(&sql).bind(id);
        for a in args {
            q = a.bind_to(q);
        }
        let row = q.fetch_optional(self.read()).await?;
        row.as_ref().map(complainant_from_row).transpose()
    }

    /// Complainants inside the filter's scope by exact phone or ID number, or the watch list,
    /// newest first.
    pub async fn complainants(&self, f: &ComplainantFilter) -> Result<Vec<ComplainantRow>, StoreError> {
        let (visible, args) = f.scope.condition(6);
        let sql = format!(
            "SELECT {COMPLAINANT_COLUMNS} FROM complainants c \
             WHERE ($1 = -1 OR c.watchlist = $1) AND ($2 = '' OR c.phone = $2) AND ($3 = '' OR c.id_number = $3) \
             AND {visible} ORDER BY c.updated_at DESC, c.id DESC LIMIT $4 OFFSET $5"
        );
        let mut q = sqlx::query(&sql)
            .bind(f.watchlist.map(i64::from).unwrap_or(-1))
            .bind(f.phone.clone().unwrap_or_default())
            .bind(f.id_number.clone().unwrap_or_default())
            .bind(f.limit)
            .bind(f.offset);
        for a in args {
            q = a.bind_to(q);
        }
        let rows = q.fetch_all(self.read()).await?;
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
