//! Service quality's persistence: integration tokens, the ratings and queue tickets the writer
//! takes in (`writer::ingest`), their rollups (`rollups`), and the reads the service measures are
//! served from.

mod bulletins;
mod inspections;
mod integrations;
mod notices;
mod records;
mod rectifications;
pub mod rollups;
mod sheet_notes;

pub use bulletins::BulletinRow;
pub use inspections::{InspectionRow, NewInspection, OutletRef, TemplateRow};
pub use integrations::{IntegrationRow, NewIntegration};
pub use notices::ServiceNotice;
pub use records::{AccountabilityRow, NewRecord, RecordRow};
pub use rectifications::{FileRow, NewRectification, RectEventRow, RectFilter, RectificationRow};
pub(crate) use rectifications::{insert_rectification, insert_service_file};
pub use rollups::{ServiceRow, ServiceTally};
pub use sheet_notes::SheetNoteRow;

use crate::{Store, StoreError};
use sqlx::Row;

/// A teller as ingest resolves one: who, and where they work.
#[derive(Debug, Clone)]
pub struct TellerRef {
    pub id: i64,
    pub org_path: String,
    pub active: bool,
}

impl Store {
    /// The users of `usernames` (those that exist), for resolving tellers named by devices.
    pub async fn tellers_by_username(
        &self,
        usernames: &[&str],
    ) -> Result<std::collections::HashMap<String, TellerRef>, StoreError> {
        let mut found = std::collections::HashMap::new();
        for chunk in crate::sql::pow2_chunks(usernames) {
            let mut b = crate::sql::SqlBuilder::new(
                "SELECT u.id, u.username, u.active, o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.username IN (",
            );
            for (n, name) in chunk.iter().enumerate() {
                if n > 0 {
                    b.push(", ");
                }
                b.bind(crate::sql::Arg::Text((*name).to_string()));
            }
            b.push(")");
            for r in b.query().fetch_all(self.read()).await? {
                let active: i64 = r.try_get("active")?;
                found.insert(
                    r.try_get("username")?,
                    TellerRef { id: r.try_get("id")?, org_path: r.try_get("path")?, active: active != 0 },
                );
            }
        }
        Ok(found)
    }
}

/// A rating flagged as a burst of its device, as the outlet head reviews it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedRating {
    pub device: String,
    pub seq: i64,
    pub outlet_code: String,
    pub outlet_name: String,
    pub teller: String,
    pub teller_name: String,
    pub rated_at: i64,
    pub score: i64,
    pub reason: Option<String>,
    pub excluded: bool,
    pub exclude_reason: Option<String>,
}

impl Store {
    /// The flagged ratings of the outlets under `path`, rated on local days `from..=to` (yyyymmdd),
    /// newest first: a page of them and how many there are.
    pub async fn flagged_ratings(
        &self,
        path: &str,
        from: i32,
        to: i32,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<FlaggedRating>, i64), StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let filter = "FROM ratings r JOIN org_units o ON o.id = r.outlet_id JOIN users u ON u.id = r.teller_id \
                      WHERE r.flagged = 1 AND o.path >= $1 AND o.path < $2 AND r.day >= $3 AND r.day <= $4";
        let (total,): (i64,) = sqlx::query_as(&format!("SELECT CAST(COUNT(*) AS BIGINT) {filter}"))
            .bind(&lo)
            .bind(&hi)
            .bind(i64::from(from))
            .bind(i64::from(to))
            .fetch_one(self.read())
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT r.device, r.seq, o.code, o.name, u.username, u.display_name, r.rated_at, r.score, r.reason, \
             r.excluded, r.exclude_reason {filter} ORDER BY r.rated_at DESC, r.device, r.seq LIMIT $5 OFFSET $6"
        ))
        .bind(&lo)
        .bind(&hi)
        .bind(i64::from(from))
        .bind(i64::from(to))
        .bind(limit)
        .bind(offset)
        .fetch_all(self.read())
        .await?;
        let page = rows
            .iter()
            .map(|r| {
                let excluded: i64 = r.try_get("excluded")?;
                Ok(FlaggedRating {
                    device: r.try_get("device")?,
                    seq: r.try_get("seq")?,
                    outlet_code: r.try_get("code")?,
                    outlet_name: r.try_get("name")?,
                    teller: r.try_get("username")?,
                    teller_name: r.try_get("display_name")?,
                    rated_at: r.try_get("rated_at")?,
                    score: r.try_get("score")?,
                    reason: r.try_get("reason")?,
                    excluded: excluded != 0,
                    exclude_reason: r.try_get("exclude_reason")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((page, total))
    }
}
