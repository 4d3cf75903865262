//! The workbook's registers (DESIGN §4) in one table, `workbook_entries`: each record's unit, time,
//! main code and amount are columns (scope, filters, figures); its typed content is JSON that core
//! made. A record is made and edited in one transaction each, with its monthly counters
//! (`workbook_months`, for every unit above it) and an entry in the chained audit log (subject
//! `workbook`), which holds what the record became; an edit keeps the version it replaced in
//! `workbook_versions`. `audit verify` walks the chain and compares each record with its last entry.

use crate::access_log::{AccessLogEntry, append};
use crate::sql::{Arg, SqlBuilder};
use crate::{Store, StoreError};
use rustc_hash::FxHashMap as HashMap;
use sqlx::{AnyConnection, Row};
use xiaobao_core::org::path_ids;

/// The audit log's subject for workbook records.
pub const SUBJECT: &str = "workbook";

/// What a record is made (or edited) into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryWrite {
    pub register: &'static str,
    pub org_unit_id: i64,
    pub org_path: String,
    pub occurred_at: i64,
    /// Local yyyymm of `occurred_at`.
    pub month: i32,
    /// The register's main code (a fraud interception's scenario, ...), for filters and figures.
    pub code: String,
    pub amount_fen: i64,
    /// The typed record as JSON.
    pub data: String,
    /// Staff the record names (the interceptors, the two who went, ...).
    pub people: Vec<i64>,
    /// Where the record stands (`recorded`, or a review's state).
    pub state: String,
    /// What the record adds to its month's counters besides its code (a review's `concluded`,
    /// `on_time`, `sampled`, `wanting`), each counted as the code `+mark`.
    pub marks: Vec<&'static str>,
}

/// How a record is changed: corrected (the earlier version kept, with the reason), or moved on a
/// step of its workflow (a review's opinions, answers, conclusion, sample check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    Edit { reason: Option<&'a str> },
    Step(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub id: i64,
    pub register: String,
    pub org_unit_id: i64,
    pub org_code: String,
    pub org_name: String,
    pub org_path: String,
    pub occurred_at: i64,
    pub month: i32,
    pub code: String,
    pub amount_fen: i64,
    pub state: String,
    pub marks: String,
    pub data: String,
    pub version: i64,
    pub created_by_id: i64,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

/// An earlier version of a record, as an edit replaced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub version: i64,
    pub org_code: String,
    pub org_name: String,
    pub occurred_at: i64,
    pub data: String,
    pub made_by: String,
    pub made_at: i64,
    pub replaced_by: String,
    pub replaced_at: i64,
    pub reason: Option<String>,
}

/// Which records of a register a list shows.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    /// Of units in this subtree.
    pub path: String,
    /// occurred_at from (inclusive) and to (exclusive), epoch ms.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub code: Option<String>,
    pub state: Option<String>,
    /// Those naming this user.
    pub person: Option<i64>,
    pub newest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One monthly counter row: records and amount of a register's code at a unit's subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    pub unit_id: i64,
    pub register: String,
    pub month: i32,
    pub code: String,
    pub records: i64,
    pub amount_fen: i64,
}

/// A staff member named on records, with how many and the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonTally {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub org_name: String,
    pub records: i64,
    pub amount_fen: i64,
}

const SELECT: &str = "SELECT e.*, o.code AS org_code, o.name AS org_name, c.username AS creator, \
    c.display_name AS creator_name, u.username AS updater FROM workbook_entries e \
    JOIN org_units o ON o.id = e.org_unit_id JOIN users c ON c.id = e.created_by JOIN users u ON u.id = e.updated_by";

fn from_row(r: &sqlx::any::AnyRow) -> Result<EntryRow, StoreError> {
    Ok(EntryRow {
        id: r.try_get("id")?,
        register: r.try_get("register")?,
        org_unit_id: r.try_get("org_unit_id")?,
        org_code: r.try_get("org_code")?,
        org_name: r.try_get("org_name")?,
        org_path: r.try_get("org_path")?,
        occurred_at: r.try_get("occurred_at")?,
        month: r.try_get::<i64, _>("month")? as i32,
        code: r.try_get("code")?,
        amount_fen: r.try_get("amount_fen")?,
        state: r.try_get("state")?,
        marks: r.try_get("marks")?,
        data: r.try_get("data")?,
        version: r.try_get("version")?,
        created_by_id: r.try_get("created_by")?,
        created_by: r.try_get("creator")?,
        created_by_name: r.try_get("creator_name")?,
        created_at: r.try_get("created_at")?,
        updated_by: r.try_get("updater")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// What the audit log holds of a record's version: everything a list or an export shows of it.
/// A change's reason and step are kept as given (the record itself does not hold them); marks only
/// when there are any.
pub fn chained_fields(register: &str, version: i64, w: &EntryWrite, change: Option<Change<'_>>) -> String {
    let mut people = w.people.clone();
    people.sort_unstable();
    people.dedup();
    let mut v = serde_json::json!({
        "register": register,
        "version": version,
        "org_unit_id": w.org_unit_id,
        "occurred_at": w.occurred_at,
        "code": w.code,
        "amount_fen": w.amount_fen,
        "state": w.state,
        "data": w.data,
        "people": people,
        "reason": match change { Some(Change::Edit { reason }) => reason, _ => None },
    });
    if let Some(Change::Step(step)) = change {
        v["step"] = serde_json::json!(step);
    }
    if !w.marks.is_empty() {
        v["marks"] = serde_json::json!(w.marks.join(" "));
    }
    v.to_string()
}

/// The counter codes a record adds to: its code with its amount, and each mark as `+mark`.
fn counted_codes(w: &EntryWrite) -> Vec<(String, i64)> {
    let mut out = vec![(w.code.clone(), w.amount_fen)];
    out.extend(w.marks.iter().map(|m| (format!("+{m}"), 0)));
    out
}

/// The marks a marks column holds (only those the product makes).
fn known_marks(text: &str) -> Vec<&'static str> {
    text.split_whitespace().filter_map(|m| MARKS.iter().find(|k| **k == m).copied()).collect()
}

/// Every mark a record may carry.
pub const MARKS: [&str; 4] = ["concluded", "on_time", "sampled", "wanting"];

/// The marks column's text.
fn marks_text(w: &EntryWrite) -> String {
    w.marks.join(" ")
}

/// Adds (or takes away) one record from the counters of its unit and every unit above.
async fn count(tx: &mut AnyConnection, w: &EntryWrite, sign: i64) -> Result<(), StoreError> {
    let ids = path_ids(&w.org_path);
    let mut b =
        SqlBuilder::on(tx, "INSERT INTO workbook_months (unit_id, register, month, code, records, amount_fen) VALUES ");
    let mut n = 0;
    for (code, amount) in counted_codes(w) {
        for unit in &ids {
            b.push(if n == 0 { "(" } else { ", (" });
            n += 1;
            b.bind(Arg::I64(*unit)).push(", ").bind(Arg::Text(w.register.to_string())).push(", ");
            b.bind(Arg::I64(i64::from(w.month))).push(", ").bind(Arg::Text(code.clone())).push(", ");
            b.bind(Arg::I64(sign)).push(", ").bind(Arg::I64(sign * amount)).push(")");
        }
    }
    b.push(
        " ON CONFLICT (unit_id, register, month, code) DO UPDATE SET records = workbook_months.records + excluded.records, \
         amount_fen = workbook_months.amount_fen + excluded.amount_fen",
    );
    b.anonymous_on_sqlite(tx).query().execute(&mut *tx).await?;
    Ok(())
}

/// The list's conditions on `workbook_entries e`.
fn filtered(b: &mut SqlBuilder, register: &str, f: &EntryFilter) {
    let (lo, hi) = crate::db::subtree_range(&f.path);
    b.push(" WHERE e.register = ").bind(Arg::Text(register.to_string()));
    b.push(" AND e.org_path >= ").bind(Arg::Text(lo)).push(" AND e.org_path < ").bind(Arg::Text(hi));
    if let Some(t) = f.from {
        b.push(" AND e.occurred_at >= ").bind(Arg::I64(t));
    }
    if let Some(t) = f.to {
        b.push(" AND e.occurred_at < ").bind(Arg::I64(t));
    }
    if let Some(c) = &f.code {
        b.push(" AND e.code = ").bind(Arg::Text(c.clone()));
    }
    if let Some(st) = &f.state {
        b.push(" AND e.state = ").bind(Arg::Text(st.clone()));
    }
    if let Some(p) = f.person {
        b.push(" AND e.id IN (SELECT entry_id FROM workbook_people WHERE user_id = ").bind(Arg::I64(p)).push(")");
    }
}

async fn name_people(tx: &mut AnyConnection, id: i64, people: &[i64]) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM workbook_people WHERE entry_id = $1").bind(id).execute(&mut *tx).await?;
    for p in people {
        sqlx::query("INSERT INTO workbook_people (entry_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(*p)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Makes a record: the row, its counters, the staff it names and its audit entry, one transaction.
    pub async fn add_entry(&self, w: &EntryWrite, by: i64, at_ms: i64) -> Result<i64, StoreError> {
        let mut tx = self.write().begin().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO workbook_entries (register, org_unit_id, org_path, occurred_at, month, code, amount_fen, state, marks, \
             data, created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12) \
             RETURNING id",
        )
        .bind(w.register)
        .bind(w.org_unit_id)
        .bind(&w.org_path)
        .bind(w.occurred_at)
        .bind(i64::from(w.month))
        .bind(&w.code)
        .bind(w.amount_fen)
        .bind(&w.state)
        .bind(marks_text(w))
        .bind(&w.data)
        .bind(by)
        .bind(at_ms)
        .fetch_one(&mut *tx)
        .await
        // the one unique rule of the table: a weekly report per outlet and week
        .map_err(|e| StoreError::on_unique(e, "week"))?;
        count(&mut tx, w, 1).await?;
        name_people(&mut tx, id, &w.people).await?;
        let fields = chained_fields(w.register, 1, w, None);
        let entry = AccessLogEntry { user_id: by, at: at_ms, subject: SUBJECT.into(), subject_id: id, fields };
        append(&mut tx, self.key(), &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a record that is still at `version` with `w`, one transaction: an edit keeps the
    /// version it replaces with its reason; either way the counters move and the audit log holds
    /// what it became. False (nothing written) when someone else changed it first.
    pub async fn change_entry(
        &self,
        id: i64,
        version: i64,
        w: &EntryWrite,
        change: Change<'_>,
        by: i64,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write().begin().await?;
        if !self.change_in(&mut tx, id, version, w, change, by, at_ms).await? {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// [`Store::change_entry`] inside a transaction of the caller's.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn change_in(
        &self,
        tx: &mut AnyConnection,
        id: i64,
        version: i64,
        w: &EntryWrite,
        change: Change<'_>,
        by: i64,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let Some(old) = sqlx::query(
            "SELECT org_unit_id, org_path, occurred_at, month, code, amount_fen, data, marks, updated_by, updated_at \
             FROM workbook_entries WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        let old_marks: String = old.try_get("marks")?;
        let before = EntryWrite {
            register: w.register,
            org_unit_id: old.try_get("org_unit_id")?,
            org_path: old.try_get("org_path")?,
            occurred_at: old.try_get("occurred_at")?,
            month: old.try_get::<i64, _>("month")? as i32,
            code: old.try_get("code")?,
            amount_fen: old.try_get("amount_fen")?,
            data: old.try_get("data")?,
            people: Vec::new(),
            state: String::new(),
            marks: known_marks(&old_marks),
        };
        if let Change::Edit { reason } = change {
            sqlx::query(
                "INSERT INTO workbook_versions (entry_id, version, org_unit_id, occurred_at, code, amount_fen, data, made_by, made_at, \
                 replaced_by, replaced_at, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(id)
            .bind(version)
            .bind(before.org_unit_id)
            .bind(before.occurred_at)
            .bind(&before.code)
            .bind(before.amount_fen)
            .bind(&before.data)
            .bind(old.try_get::<i64, _>("updated_by")?)
            .bind(old.try_get::<i64, _>("updated_at")?)
            .bind(by)
            .bind(at_ms)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE workbook_entries SET org_unit_id = $1, org_path = $2, occurred_at = $3, month = $4, code = $5, amount_fen = $6, \
             data = $7, state = $8, marks = $9, version = version + 1, updated_by = $10, updated_at = $11 WHERE id = $12",
        )
        .bind(w.org_unit_id)
        .bind(&w.org_path)
        .bind(w.occurred_at)
        .bind(i64::from(w.month))
        .bind(&w.code)
        .bind(w.amount_fen)
        .bind(&w.data)
        .bind(&w.state)
        .bind(marks_text(w))
        .bind(by)
        .bind(at_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        count(tx, &before, -1).await?;
        count(tx, w, 1).await?;
        name_people(tx, id, &w.people).await?;
        let fields = chained_fields(w.register, version + 1, w, Some(change));
        let entry = AccessLogEntry { user_id: by, at: at_ms, subject: SUBJECT.into(), subject_id: id, fields };
        append(tx, self.key(), &entry).await?;
        Ok(true)
    }

    /// A record of `register` by id (read on the primary, so an answer after a write sees it).
    pub async fn entry(&self, register: &str, id: i64) -> Result<Option<EntryRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE e.id = $1 AND e.register = $2"))
            .bind(id)
            .bind(register)
            .fetch_optional(self.fresh())
            .await?;
        r.as_ref().map(from_row).transpose()
    }

    /// A record of any register by id (a file's owner).
    pub async fn entry_by_id(&self, id: i64) -> Result<Option<EntryRow>, StoreError> {
        let r = sqlx::query(&format!("{SELECT} WHERE e.id = $1")).bind(id).fetch_optional(self.fresh()).await?;
        r.as_ref().map(from_row).transpose()
    }

    /// Attaches a file to a record, with its audit entry (subject `workbook_file`), one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_entry_file(
        &self,
        entry_id: i64,
        name: &str,
        content_type: &str,
        data: &[u8],
        sha256: &str,
        by: i64,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write().begin().await?;
        let id = crate::service::insert_service_file(
            &mut tx,
            SUBJECT,
            entry_id,
            name,
            content_type,
            data,
            sha256,
            by,
            at_ms,
        )
        .await?;
        let fields = serde_json::json!({"file": id, "name": name, "content_type": content_type, "size": data.len(), "sha256": sha256})
            .to_string();
        let entry =
            AccessLogEntry { user_id: by, at: at_ms, subject: "workbook_file".into(), subject_id: entry_id, fields };
        append(&mut tx, self.key(), &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Display names of the users of `usernames` that exist.
    pub async fn display_names(
        &self,
        usernames: &[String],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for chunk in crate::sql::pow2_chunks(usernames) {
            let mut b = SqlBuilder::new("SELECT username, display_name FROM users WHERE username IN ");
            crate::sql::in_list(&mut b, chunk.iter().map(|u| Arg::Text(u.clone())));
            for r in b.query().fetch_all(self.read()).await? {
                out.insert(r.try_get("username")?, r.try_get("display_name")?);
            }
        }
        Ok(out)
    }

    /// The staff a record names.
    pub async fn entry_people(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT user_id FROM workbook_people WHERE entry_id = $1 ORDER BY user_id")
                .bind(id)
                .fetch_all(self.fresh())
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The versions edits replaced, oldest first.
    pub async fn entry_versions(&self, id: i64) -> Result<Vec<VersionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.*, o.code AS org_code, o.name AS org_name, m.username AS maker, r.username AS replacer \
             FROM workbook_versions v JOIN org_units o ON o.id = v.org_unit_id JOIN users m ON m.id = v.made_by \
             JOIN users r ON r.id = v.replaced_by WHERE v.entry_id = $1 ORDER BY v.version",
        )
        .bind(id)
        .fetch_all(self.fresh())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VersionRow {
                    version: r.try_get("version")?,
                    org_code: r.try_get("org_code")?,
                    org_name: r.try_get("org_name")?,
                    occurred_at: r.try_get("occurred_at")?,
                    data: r.try_get("data")?,
                    made_by: r.try_get("maker")?,
                    made_at: r.try_get("made_at")?,
                    replaced_by: r.try_get("replacer")?,
                    replaced_at: r.try_get("replaced_at")?,
                    reason: r.try_get("reason")?,
                })
            })
            .collect()
    }

    /// A page of a register's records (one more than `limit` when there are more), with the total.
    pub async fn entries(&self, register: &str, f: &EntryFilter) -> Result<(Vec<EntryRow>, i64), StoreError> {
        let mut b = SqlBuilder::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM workbook_entries e");
        filtered(&mut b, register, f);
        let total: i64 = b.query().fetch_one(self.read()).await?.try_get("n")?;
        let mut b = SqlBuilder::new(SELECT);
        filtered(&mut b, register, f);
        b.push(if f.newest_first {
            " ORDER BY e.occurred_at DESC, e.id DESC"
        } else {
            " ORDER BY e.occurred_at, e.id"
        });
        b.push(" LIMIT ").bind(Arg::I64(f.limit + 1)).push(" OFFSET ").bind(Arg::I64(f.offset));
        let rows = b.query().fetch_all(self.read()).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_, _>>()?, total))
    }

    /// The monthly counters of `units` from month `from` to `to` (yyyymm, inclusive).
    pub async fn workbook_months(&self, units: &[i64], from: i32, to: i32) -> Result<Vec<FigureRow>, StoreError> {
        let mut out = Vec::new();
        for chunk in crate::sql::pow2_chunks(units) {
            let mut b = SqlBuilder::new(
                "SELECT unit_id, register, month, code, records, amount_fen FROM workbook_months WHERE month >= ",
            );
            b.bind(Arg::I64(i64::from(from))).push(" AND month <= ").bind(Arg::I64(i64::from(to)));
            b.push(" AND records <> 0 AND unit_id IN (");
            for (n, u) in chunk.iter().enumerate() {
                if n > 0 {
                    b.push(", ");
                }
                b.bind(Arg::I64(*u));
            }
            b.push(") ORDER BY unit_id, register, month, code");
            for r in b.query().fetch_all(self.read()).await? {
                out.push(FigureRow {
                    unit_id: r.try_get("unit_id")?,
                    register: r.try_get("register")?,
                    month: r.try_get::<i64, _>("month")? as i32,
                    code: r.try_get("code")?,
                    records: r.try_get("records")?,
                    amount_fen: r.try_get("amount_fen")?,
                });
            }
        }
        Ok(out)
    }

    /// The staff named on a register's records of the subtree at `path` in `[from, to)`, most
    /// records first.
    pub async fn entry_people_tally(
        &self,
        register: &str,
        path: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<PersonTally>, StoreError> {
        let (lo, hi) = crate::db::subtree_range(path);
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.display_name, o.name AS org_name, CAST(COUNT(*) AS BIGINT) AS records, \
             CAST(SUM(e.amount_fen) AS BIGINT) AS amount_fen FROM workbook_entries e \
             JOIN workbook_people p ON p.entry_id = e.id JOIN users u ON u.id = p.user_id JOIN org_units o ON o.id = u.org_unit_id \
             WHERE e.register = $1 AND e.org_path >= $2 AND e.org_path < $3 AND e.occurred_at >= $4 AND e.occurred_at < $5 \
             GROUP BY u.id, u.username, u.display_name, o.name ORDER BY records DESC, amount_fen DESC, u.username",
        )
        .bind(register)
        .bind(lo)
        .bind(hi)
        .bind(from)
        .bind(to)
        .fetch_all(self.read())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PersonTally {
                    user_id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    org_name: r.try_get("org_name")?,
                    records: r.try_get("records")?,
                    amount_fen: r.try_get("amount_fen")?,
                })
            })
            .collect()
    }

    /// `audit verify`'s check of the workbook: each record is what its last audit entry says it
    /// became, and the monthly counters are what the records add up to. The first difference, in words.
    pub(crate) async fn verify_workbook(&self) -> Result<Option<(i64, String)>, StoreError> {
        let mut counted: HashMap<(i64, String, i32, String), (i64, i64)> = HashMap::default();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT e.id, e.register, e.org_unit_id, e.org_path, e.occurred_at, e.month, e.code, e.amount_fen, e.state, \
                 e.marks, e.data, e.version, (SELECT l.fields FROM access_log l WHERE l.subject = 'workbook' AND l.subject_id = e.id \
                 ORDER BY l.id DESC LIMIT 1) AS chained FROM workbook_entries e WHERE e.id > $1 ORDER BY e.id LIMIT 1000",
            )
            .bind(after)
            .fetch_all(self.read())
            .await?;
            let Some(last) = rows.last() else { break };
            let last: i64 = last.try_get("id")?;
            let mut people: HashMap<i64, Vec<i64>> = HashMap::default();
            let named: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT entry_id, user_id FROM workbook_people WHERE entry_id > $1 AND entry_id <= $2 ORDER BY entry_id, user_id",
            )
            .bind(after)
            .bind(last)
            .fetch_all(self.read())
            .await?;
            for (e, u) in named {
                people.entry(e).or_default().push(u);
            }
            after = last;
            for r in &rows {
                let id: i64 = r.try_get("id")?;
                let register: String = r.try_get("register")?;
                let w = EntryWrite {
                    register: "",
                    org_unit_id: r.try_get("org_unit_id")?,
                    org_path: r.try_get("org_path")?,
                    occurred_at: r.try_get("occurred_at")?,
                    month: r.try_get::<i64, _>("month")? as i32,
                    code: r.try_get("code")?,
                    amount_fen: r.try_get("amount_fen")?,
                    data: r.try_get("data")?,
                    people: people.remove(&id).unwrap_or_default(),
                    state: r.try_get("state")?,
                    marks: Vec::new(),
                };
                let marks: String = r.try_get("marks")?;
                for unit in path_ids(&w.org_path) {
                    let c = counted.entry((unit, register.clone(), w.month, w.code.clone())).or_default();
                    c.0 += 1;
                    c.1 += w.amount_fen;
                    for m in marks.split_whitespace() {
                        counted.entry((unit, register.clone(), w.month, format!("+{m}"))).or_default().0 += 1;
                    }
                }
                let chained: Option<String> = r.try_get("chained")?;
                let Some(chained) = chained.and_then(|c| serde_json::from_str::<serde_json::Value>(&c).ok()) else {
                    return Ok(Some((id, format!("workbook record {id} has no entry in the audit log"))));
                };
                let mut stored: serde_json::Value =
                    serde_json::from_str(&chained_fields(&register, r.try_get("version")?, &w, None))
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                stored["reason"] = chained["reason"].clone();
                if let Some(step) = chained.get("step") {
                    stored["step"] = step.clone();
                }
                if !marks.is_empty() {
                    stored["marks"] = serde_json::json!(marks);
                }
                if stored != chained {
                    return Ok(Some((
                        id,
                        format!(
                            "workbook record {id} ({register}) is not what its audit log entry recorded: it was altered outside the product"
                        ),
                    )));
                }
            }
        }
        let rows = sqlx::query("SELECT unit_id, register, month, code, records, amount_fen FROM workbook_months")
            .fetch_all(self.read())
            .await?;
        for r in &rows {
            let key: (i64, String, i32, String) = (
                r.try_get("unit_id")?,
                r.try_get("register")?,
                r.try_get::<i64, _>("month")? as i32,
                r.try_get("code")?,
            );
            let stored: (i64, i64) = (r.try_get("records")?, r.try_get("amount_fen")?);
            if counted.remove(&key).unwrap_or_default() != stored {
                return Ok(Some((
                    0,
                    format!("the workbook's {} counters of unit {} in {} differ from its records", key.1, key.0, key.2),
                )));
            }
        }
        if let Some(((unit, register, month, _), _)) = counted.into_iter().next() {
            return Ok(Some((0, format!("the workbook's {register} counters of unit {unit} in {month} are missing"))));
        }
        Ok(None)
    }
}

/// What the row of a consumer-protection review of the unit at (`unit_id`, `path`) holds: its
/// submission time and month, its kind as the code, its state and marks, the review as JSON.
pub fn review_write(
    unit_id: i64,
    path: &str,
    r: &xiaobao_core::workbook::review::Review,
) -> Result<EntryWrite, StoreError> {
    Ok(EntryWrite {
        register: xiaobao_core::workbook::Register::CpReview.as_str(),
        org_unit_id: unit_id,
        org_path: path.to_string(),
        occurred_at: r.submitted_at.timestamp_millis(),
        month: xiaobao_core::workbook::month_of(r.submitted_at),
        code: r.kind.as_str().to_string(),
        amount_fen: 0,
        data: serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        people: Vec::new(),
        state: r.state().as_str().to_string(),
        marks: r.marks(),
    })
}

/// What the row of a weekly lobby report of the outlet at (`unit_id`, `path`) holds: the week's
/// Monday as its time and month, the week as its code (one report per outlet and week), its state,
/// `signed` once signed off.
pub fn weekly_write(
    unit_id: i64,
    path: &str,
    r: &xiaobao_core::workbook::weekly::WeeklyReport,
) -> Result<EntryWrite, StoreError> {
    use xiaobao_core::workbook::weekly::IsoWeek;
    let week =
        IsoWeek::parse("week", &r.week).map_err(|e| StoreError::Corrupt(format!("week {}: {}", r.week, e.reason)))?;
    let monday = xiaobao_core::time::start_of_local_day(week.monday());
    Ok(EntryWrite {
        register: xiaobao_core::workbook::Register::WeeklyReport.as_str(),
        org_unit_id: unit_id,
        org_path: path.to_string(),
        occurred_at: monday.timestamp_millis(),
        month: xiaobao_core::workbook::month_of(monday),
        code: r.week.clone(),
        amount_fen: 0,
        data: serde_json::to_string(r).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        people: Vec::new(),
        state: r.state().as_str().to_string(),
        marks: if r.signed.is_some() { vec!["signed"] } else { Vec::new() },
    })
}

impl Store {
    /// An outlet's figures of a week, what its weekly report is prefilled with: complaints received,
    /// decided and liable; ratings and the satisfied; tickets called and the overtime waits.
    pub async fn week_figures(
        &self,
        unit_id: i64,
        week: xiaobao_core::workbook::weekly::IsoWeek,
    ) -> Result<xiaobao_core::workbook::weekly::WeekFigures, StoreError> {
        let (from, to) = (week.monday(), week.sunday());
        let mut f = xiaobao_core::workbook::weekly::WeekFigures::default();
        for (_, _, c) in self.rollup_counts(&[unit_id], from, to, crate::Split::Total).await? {
            f.complaints_received += c.received;
            f.complaints_decided += c.decided;
            f.complaints_liable += c.liable;
        }
        let all = xiaobao_core::service::measure::Dim::All;
        for r in self.service_rows(&[unit_id], all, from, to, crate::service::rollups::Grain::Day).await? {
            f.ratings += r.counts.ratings;
            f.satisfied += r.counts.satisfied();
            f.tickets_called += r.counts.tickets_called;
            f.overtime_waits += r.counts.overtime;
        }
        Ok(f)
    }
}

impl Store {
    /// Adds counted records straight into the monthly counters of each record's unit and every unit
    /// above, as records would (for benchmarks: a bank's year without writing the records). Each item:
    /// (the unit's path, register, yyyymm, code, records, amount in fen).
    pub async fn bench_count_workbook(
        &self,
        items: &[(String, &'static str, i32, String, i64, i64)],
    ) -> Result<(), StoreError> {
        let mut sums: HashMap<(i64, &'static str, i32, String), (i64, i64)> = HashMap::default();
        for (path, register, month, code, records, amount) in items {
            for unit in path_ids(path) {
                let s = sums.entry((unit, *register, *month, code.clone())).or_default();
                s.0 += records;
                s.1 += amount;
            }
        }
        let rows: Vec<_> = sums.into_iter().collect();
        for chunk in rows.chunks(2_000) {
            let mut tx = self.write().begin().await?;
            let mut b = SqlBuilder::on(
                &tx,
                "INSERT INTO workbook_months (unit_id, register, month, code, records, amount_fen) VALUES ",
            );
            for (n, ((unit, register, month, code), (records, amount))) in chunk.iter().enumerate() {
                b.push(if n == 0 { "(" } else { ", (" });
                b.bind(Arg::I64(*unit)).push(", ").bind(Arg::Text(register.to_string())).push(", ");
                b.bind(Arg::I64(i64::from(*month))).push(", ").bind(Arg::Text(code.clone())).push(", ");
                b.bind(Arg::I64(*records)).push(", ").bind(Arg::I64(*amount)).push(")");
            }
            b.push(
                " ON CONFLICT (unit_id, register, month, code) DO UPDATE SET records = workbook_months.records + excluded.records, \
                 amount_fen = workbook_months.amount_fen + excluded.amount_fen",
            );
            b.anonymous_on_sqlite(&tx).query().execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}
