//! The editable rules every deadline is computed from: the deadline policy (a JSON document in
//! `settings`) and the working-day calendar (`calendar_days`, seeded with the shipped arrangements
//! 2015–2026). Held in memory as one snapshot that the writer takes per batch; an edit replaces the
//! snapshot after it has committed.

use crate::{Store, StoreError};
use sqlx::{AnyPool, Row};
use std::sync::{Arc, RwLock};
use xiaobao_core::calendar::{CHINA_CALENDAR_CSV, Calendar, CalendarEntry, DayKind, parse_entries};
use xiaobao_core::deadline::Policy;

const POLICY: &str = "deadline_policy";
pub(crate) const SERVICE_RULES: &str = "service_rules";
const WORKBOOK_RULES: &str = "workbook_rules";

/// One consistent snapshot of the rules.
#[derive(Debug, Clone)]
pub struct Rules {
    pub policy: Policy,
    pub calendar: Calendar,
    pub service: xiaobao_core::service::ServiceRules,
    pub workbook: xiaobao_core::workbook::WorkbookRules,
}

pub(crate) type SharedRules = Arc<RwLock<Arc<Rules>>>;

async fn seed_calendar(pool: &AnyPool) -> Result<(), StoreError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM calendar_days").fetch_one(pool).await?;
    if n > 0 {
        return Ok(());
    }
    let entries = parse_entries(CHINA_CALENDAR_CSV).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    replace_years(pool, &entries).await?;
    Ok(())
}

/// Replaces every year that `entries` covers with `entries`, in one transaction; returns the years.
async fn replace_years(pool: &AnyPool, entries: &[CalendarEntry]) -> Result<Vec<i32>, StoreError> {
    use chrono::Datelike;
    let mut years: Vec<i32> = entries.iter().map(|e| e.date.year()).collect();
    years.sort();
    years.dedup();
    let mut tx = pool.begin().await?;
    for y in &years {
        sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2")
            .bind(format!("{y}-01-01"))
            .bind(format!("{y}-12-31"))
            .execute(&mut *tx)
            .await?;
    }
    for e in entries {
        sqlx::query("INSERT INTO calendar_days (day, kind, holiday_en, holiday_zh) VALUES ($1, $2, $3, $4)")
            .bind(e.date.format("%Y-%m-%d").to_string())
            .bind(e.kind.as_str())
            .bind(&e.holiday_en)
            .bind(&e.holiday_zh)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(years)
}

async fn entries(pool: &AnyPool, year: Option<i32>) -> Result<Vec<CalendarEntry>, StoreError> {
    let (from, to) = match year {
        Some(y) => (format!("{y}-01-01"), format!("{y}-12-31")),
        None => ("0000-01-01".to_string(), "9999-12-31".to_string()),
    };
    let rows = sqlx::query(
        "SELECT day, kind, holiday_en, holiday_zh FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let day: String = r.try_get("day")?;
            let kind: String = r.try_get("kind")?;
            Ok(CalendarEntry {
                date: chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("calendar day {day}")))?,
                kind: DayKind::from_str_opt(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("calendar kind {kind}")))?,
                holiday_en: r.try_get("holiday_en")?,
                holiday_zh: r.try_get("holiday_zh")?,
            })
        })
        .collect()
}

/// The setting `name` as stored, else its default.
async fn stored_or_default<T: serde::de::DeserializeOwned + Default>(
    pool: &AnyPool,
    name: &str,
) -> Result<T, StoreError> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT value FROM settings WHERE name = $1").bind(name).fetch_optional(pool).await?;
    match stored {
        Some((json,)) => serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("stored {name}: {e}"))),
        None => Ok(T::default()),
    }
}

/// Reads the rules as stored (seeding the calendar of a fresh database).
pub(crate) async fn load(pool: &AnyPool) -> Result<Rules, StoreError> {
    seed_calendar(pool).await?;
    let calendar = Calendar::from_entries(&entries(pool, None).await?);
    let policy = stored_or_default(pool, POLICY).await?;
    let service = stored_or_default(pool, SERVICE_RULES).await?;
    let workbook = stored_or_default(pool, WORKBOOK_RULES).await?;
    Ok(Rules { policy, calendar, service, workbook })
}

impl Store {
    /// The rules now in force.
    pub fn rules(&self) -> Arc<Rules> {
        self.inner.rules.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Reads the rules again (another server may have changed them).
    /// Reads the rules again here and tells every other server to do the same.
    pub async fn reload_rules(&self) -> Result<(), StoreError> {
        self.load_rules_again().await?;
        self.announce(crate::Announcement::Rules).await
    }

    pub(crate) async fn load_rules_again(&self) -> Result<(), StoreError> {
        let rules = load(self.write()).await?;
        *self.inner.rules.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(rules);
        Ok(())
    }

    /// Stores a (validated) deadline policy and the audit entry of the change in one transaction; new
    /// clocks follow it from now on.
    pub async fn set_policy(&self, policy: &Policy, audit: &crate::Audit) -> Result<(), StoreError> {
        self.set_rules(POLICY, policy, audit).await
    }

    /// Stores the bank's service rules, with the audit entry of the change, and takes them into force.
    pub async fn set_service_rules(
        &self,
        rules: &xiaobao_core::service::ServiceRules,
        audit: &crate::Audit,
    ) -> Result<(), StoreError> {
        self.set_rules(SERVICE_RULES, rules, audit).await
    }

    /// Stores the bank's workbook rules, with the audit entry of the change, and takes them into force.
    pub async fn set_workbook_rules(
        &self,
        rules: &xiaobao_core::workbook::WorkbookRules,
        audit: &crate::Audit,
    ) -> Result<(), StoreError> {
        self.set_rules(WORKBOOK_RULES, rules, audit).await
    }

    /// Stores rules as the setting `name` and the audit entry of the change in one transaction, then
    /// takes them into force here and on every other server.
    async fn set_rules<T: serde::Serialize>(
        &self,
        name: &str,
        rules: &T,
        audit: &crate::Audit,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(rules).map_err(|e| StoreError::Encode(format!("{name}: {e}")))?;
        let mut tx = self.write().begin().await?;
        sqlx::query(
            "INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(name)
        .bind(json)
        .bind(audit.at_ms)
        .bind(audit.by)
        .execute(&mut *tx)
        .await?;
        crate::access_log::append(&mut tx, self.key(), &audit.entry(0)).await?;
        tx.commit().await?;
        self.reload_rules().await
    }

    /// The calendar's entries, of one year or all.
    pub async fn calendar_entries(&self, year: Option<i32>) -> Result<Vec<CalendarEntry>, StoreError> {
        entries(self.read(), year).await
    }

    /// Loads a published arrangement: every year it covers is replaced whole. Returns the years.
    pub async fn import_calendar(&self, entries: &[CalendarEntry]) -> Result<Vec<i32>, StoreError> {
        let years = replace_years(self.write(), entries).await?;
        self.reload_rules().await?;
        Ok(years)
    }
}
