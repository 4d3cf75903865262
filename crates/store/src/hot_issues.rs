//! Hot issues as stored: title, keywords, the unit that created it, and how many of its orders are
//! still open. Linking is done by the writer (`link_hot_issue`); members are listed with the
//! `hot_issue` filter of the complaint list.

use crate::complaints::OPEN;
use crate::{Store, StoreError};
use sqlx::Row;
use xiaobao_core::time::{Instant, from_millis};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotIssueRow {
    pub id: i64,
    pub title: String,
    /// Space-separated words the grouping found.
    pub keywords: String,
    pub org_unit_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub created_by: String,
    pub created_at: Instant,
    pub members: i64,
    pub open_members: i64,
}

fn select() -> String {
    format!(
        "SELECT h.id, h.title, h.keywords, h.org_unit_id, o.code AS org_code, o.name AS org_name, \
         o.path AS org_path, u.display_name AS created_by, h.created_at, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM complaints k WHERE k.hot_issue_id = h.id) AS members, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM complaints k WHERE k.hot_issue_id = h.id AND {OPEN}) AS open_members \
         FROM hot_issues h JOIN org_units o ON o.id = h.org_unit_id JOIN users u ON u.id = h.created_by"
    )
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<HotIssueRow, StoreError> {
    Ok(HotIssueRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        keywords: r.try_get("keywords")?,
        org_unit_id: r.try_get("org_unit_id")?,
        org_code: r.try_get("org_code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("org_path")?,
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
        members: r.try_get("members")?,
        open_members: r.try_get("open_members")?,
    })
}

impl Store {
    /// Every hot issue, newest first.
    pub async fn hot_issues(&self) -> Result<Vec<HotIssueRow>, StoreError> {
        let rows =
            sqlx::query(&format!("{} ORDER BY h.created_at DESC, h.id DESC", select())).fetch_all(self.read()).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn hot_issue(&self, id: i64) -> Result<Option<HotIssueRow>, StoreError> {
        let row = sqlx::query(&format!("{} WHERE h.id = $1", select())).bind(id).fetch_optional(self.read()).await?;
        row.as_ref().map(from_row).transpose()
    }
}
