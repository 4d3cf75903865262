//! XLSX exports of order lists: what a filter selects, with personal data masked, in the reader's
//! language. Exports are capped; a wider selection is refused with a message to narrow the filter.

use crate::error::{ApiError, ApiResult};
use crate::i18n::{ClassNames, Lang};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use xiaobao_core::classification::Dimension;
use xiaobao_core::mask::mask;
use xiaobao_core::time::Instant;
use xiaobao_store::{ComplaintFilter, ComplaintRow, Store};

/// The most rows one export holds.
pub const MAX_EXPORT_ROWS: i64 = 50_000;
const CHUNK: i64 = 5_000;

/// Every order the filter selects (ignoring its paging), newest first; refused above the cap.
pub async fn rows_for_export(store: &Store, f: &ComplaintFilter) -> ApiResult<Vec<ComplaintRow>> {
    let mut out = Vec::new();
    let mut f = f.clone();
    f.offset = 0;
    f.limit = CHUNK;
    loop {
        let page = store.complaints(&f).await?;
        if page.total > MAX_EXPORT_ROWS {
            return Err(ApiError::Invalid(
                xiaobao_core::FieldError::because("filter", "field.export_too_many")
                    .with("max_export_rows", MAX_EXPORT_ROWS)
                    .with("total", page.total),
            ));
        }
        let n = page.items.len() as i64;
        out.extend(page.items);
        if n < CHUNK {
            return Ok(out);
        }
        f.offset += CHUNK;
    }
}

/// Counts stay numbers in the workbooks, shown with thousands separators ("151,193,041").
fn count_format() -> Format {
    Format::new().set_num_format("#,##0")
}

fn local(t: Instant) -> String {
    xiaobao_core::time::local_minute(t)
}

/// The order list (or a unit's ledger, 台账) as an XLSX workbook: one header row, one row per order.
/// An order whose appeal was approved stays listed, marked as not counted in the figures. The cause
/// is the reported one (the decision's, else the registration's); the classification's names follow
/// the codes' columns at the end, in the reader's language.
pub fn complaints_xlsx(
    rows: &[ComplaintRow],
    lang: Lang,
    names: &ClassNames,
    now: Instant,
    sheet: &'static str,
) -> Result<Vec<u8>, XlsxError> {
    let headers: [(&str, f64); 23] = [
        (lang.t("export.number"), 22.0),
        (lang.t("export.received"), 17.0),
        (lang.t("export.channel"), 12.0),
        (lang.t("export.unit_code"), 10.0),
        (lang.t("export.unit"), 18.0),
        (lang.t("export.state"), 10.0),
        (lang.t("export.category"), 9.0),
        (lang.t("export.cause"), 8.0),
        (lang.t("export.summary"), 30.0),
        (lang.t("export.complainant"), 10.0),
        (lang.t("export.phone"), 14.0),
        (lang.t("export.first_responder"), 12.0),
        (lang.t("export.repeat"), 8.0),
        (lang.t("export.over_level"), 8.0),
        (lang.t("export.escalations"), 8.0),
        (lang.t("export.breached"), 8.0),
        (lang.t("export.closed"), 17.0),
        (lang.t("export.appeal"), 16.0),
        (lang.t("export.counted"), 8.0),
        (lang.t("export.category_label"), 16.0),
        (lang.t("export.cause_label"), 16.0),
        (lang.t("export.service_channel"), 9.0),
        (lang.t("export.service_channel_label"), 16.0),
    ];
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let count = count_format();
    let ws = wb.add_worksheet();
    ws.set_name(lang.t(sheet))?;
    for (col, (heading, width)) in headers.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *heading, &bold)?;
        ws.set_column_width(col, *width)?;
    }
    let yes_no = |b: bool| lang.t(if b { "export.yes" } else { "export.no" });
    for (i, k) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let breached = k.order.clocks.iter().any(|c| c.is_breached(now));
        ws.write_string(r, 0, &k.number)?;
        ws.write_string(r, 1, local(k.order.received_at))?;
        ws.write_string(r, 2, lang.name(k.channel))?;
        ws.write_string(r, 3, &k.org_code)?;
        ws.write_string(r, 4, &k.org_name)?;
        ws.write_string(r, 5, lang.name(k.order.state))?;
        ws.write_string(r, 6, k.category.as_deref().unwrap_or(""))?;
        ws.write_string(r, 7, k.reported_cause().unwrap_or(""))?;
        ws.write_string(r, 8, &k.summary)?;
        ws.write_string(r, 9, &k.complainant.name)?;
        ws.write_string(r, 10, k.complainant.phone.as_deref().map(mask).unwrap_or_default())?;
        ws.write_string(r, 11, &k.first_responder_name)?;
        ws.write_string(r, 12, yes_no(k.order.repeat))?;
        ws.write_string(r, 13, yes_no(k.over_level))?;
        ws.write_number_with_format(r, 14, f64::from(k.order.escalation_count), &count)?;
        ws.write_string(r, 15, yes_no(breached))?;
        ws.write_string(r, 16, k.order.closed_at.map(local).unwrap_or_default())?;
        let appeal = k.order.appeal.map(|a| lang.name(a)).unwrap_or_default();
        ws.write_string(r, 17, appeal)?;
        ws.write_string(r, 18, yes_no(k.order.appeal != Some(xiaobao_core::complaint::AppealStatus::Approved)))?;
        let name = |dim, code: Option<&str>| code.and_then(|c| names.name(lang, dim, c)).unwrap_or_default();
        ws.write_string(r, 19, name(Dimension::Category, k.category.as_deref()))?;
        ws.write_string(r, 20, name(Dimension::Cause, k.reported_cause()))?;
        ws.write_string(r, 21, k.service_channel.as_deref().unwrap_or(""))?;
        ws.write_string(r, 22, name(Dimension::ServiceChannel, k.service_channel.as_deref()))?;
    }
    ws.set_freeze_panes(1, 0)?;
    if !rows.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1)?;
    }
    wb.save_to_buffer()
}

/// One line of the regulator's statistics table: a business category and a cause (large classes),
/// with the complaints received by intake channel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RegulatoryLine {
    pub category: String,
    pub category_name: String,
    pub cause: String,
    pub cause_name: String,
    /// By channel code, every channel present (zero included).
    pub by_channel: std::collections::BTreeMap<String, i64>,
    pub total: i64,
}

/// The regulator's statistics table as an XLSX workbook: a title row, a header row (category, cause,
/// one column per channel, total), a row per category and cause, and a totals row.
pub fn regulatory_xlsx(title: &str, lines: &[RegulatoryLine], lang: Lang) -> Result<Vec<u8>, XlsxError> {
    use xiaobao_core::channel::Channel;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let count = count_format();
    let bold_count = count_format().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(lang.t("export.regulatory_sheet"))?;
    ws.write_string_with_format(0, 0, title, &bold)?;
    let mut headers: Vec<String> =
        ["export.category_code", "export.category_name", "export.cause_code", "export.cause_name"]
            .map(|k| lang.t(k).to_string())
            .into();
    headers.extend(Channel::ALL.iter().map(|c| lang.name(*c).to_string()));
    headers.push(lang.t("export.total").into());
    for (col, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, col as u16, h, &bold)?;
    }
    ws.set_column_width(1, 18.0)?;
    ws.set_column_width(3, 18.0)?;
    let first_channel = 4u16;
    for (i, l) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, &l.category)?;
        ws.write_string(r, 1, &l.category_name)?;
        ws.write_string(r, 2, &l.cause)?;
        ws.write_string(r, 3, &l.cause_name)?;
        for (j, c) in Channel::ALL.iter().enumerate() {
            let n = l.by_channel.get(c.as_str()).copied().unwrap_or(0) as f64;
            ws.write_number_with_format(r, first_channel + j as u16, n, &count)?;
        }
        ws.write_number_with_format(r, first_channel + Channel::ALL.len() as u16, l.total as f64, &count)?;
    }
    let r = lines.len() as u32 + 2;
    ws.write_string_with_format(r, 0, lang.t("export.total"), &bold)?;
    for (j, c) in Channel::ALL.iter().enumerate() {
        let sum: i64 = lines.iter().map(|l| l.by_channel.get(c.as_str()).copied().unwrap_or(0)).sum();
        ws.write_number_with_format(r, first_channel + j as u16, sum as f64, &bold_count)?;
    }
    let all: i64 = lines.iter().map(|l| l.total).sum();
    ws.write_number_with_format(r, first_channel + Channel::ALL.len() as u16, all as f64, &bold_count)?;
    ws.set_freeze_panes(2, 4)?;
    wb.save_to_buffer()
}

/// A unit's service records of a year: a summary sheet (one line per employee: rewards, penalties,
/// balance) and the entries, each with its points, amount, reason and source.
pub fn service_records_xlsx(
    unit: &str,
    view: &crate::api::service_records::RecordsView,
    lang: Lang,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let ws = wb.add_worksheet();
    ws.set_name(lang.t("export.records_summary"))?;
    ws.write_string_with_format(0, 0, crate::tr!(lang, "export.records_title", unit = unit, year = view.year), &bold)?;
    for (c, h) in
        ["export.employee", "export.username", "org_unit", "export.rewards", "export.penalties", "export.balance"]
            .iter()
            .enumerate()
    {
        ws.write_string_with_format(1, c as u16, lang.t(h), &bold)?;
    }
    for (i, e) in view.employees.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, &e.name)?;
        ws.write_string(r, 1, &e.user)?;
        ws.write_string(r, 2, &e.org_unit)?;
        ws.write_number(r, 3, e.rewards as f64)?;
        ws.write_number(r, 4, e.penalties as f64)?;
        ws.write_number(r, 5, e.balance as f64)?;
    }
    ws.set_column_width(0, 24.0)?;
    let ws = wb.add_worksheet();
    ws.set_name(lang.t("export.records_entries"))?;
    for (c, h) in [
        "export.employee",
        "export.username",
        "export.kind",
        "export.points",
        "export.amount",
        "export.reason",
        "export.source",
        "export.date",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, lang.t(h), &bold)?;
    }
    let mut r = 1u32;
    for e in &view.employees {
        for x in &e.entries {
            ws.write_string(r, 0, &e.name)?;
            ws.write_string(r, 1, &e.user)?;
            ws.write_string(r, 2, lang.name(x.kind))?;
            ws.write_number(r, 3, x.points as f64)?;
            if let Some(a) = x.amount.as_deref().and_then(|a| a.parse::<f64>().ok()) {
                ws.write_number_with_format(r, 4, a, &money)?;
            }
            ws.write_string(r, 5, &x.reason)?;
            ws.write_string(r, 6, lang.name(x.source))?;
            ws.write_string(r, 7, x.created_at.get(..10).unwrap_or(&x.created_at))?;
            r += 1;
        }
    }
    ws.set_column_width(0, 24.0)?;
    ws.set_column_width(5, 40.0)?;
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

/// A bulletin as a workbook: one sheet of outlets, one of employees, each ranked line with its
/// parts and score, then those under the minimum volume.
pub fn bulletin_xlsx(v: &crate::api::bulletins::BulletinView, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    use xiaobao_core::service::bulletin::{Candidate, Ranking};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = |bp: Option<i64>| bp.map(|b| b as f64 / 100.0);
    let mut sheet = |name: &str, r: &Ranking, best: &[String], worst: &[String]| -> Result<(), XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        let title = crate::tr!(lang, "bulletin.title_of", unit = v.org_name, month = v.month);
        ws.write_string_with_format(0, 0, &title, &bold)?;
        let heads = [
            "bulletin.rank",
            "bulletin.key",
            "bulletin.name",
            "bulletin.ratings",
            "bulletin.satisfaction",
            "bulletin.overtime",
            "bulletin.inspection",
            "bulletin.liable",
            "bulletin.score",
            "bulletin.named",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, lang.t(h), &bold)?;
        }
        let line = |ws: &mut rust_xlsxwriter::Worksheet, row: u32, c: &Candidate| -> Result<(), XlsxError> {
            ws.write_string(row, 1, &c.key)?;
            ws.write_string(row, 2, &c.name)?;
            ws.write_number(row, 3, c.ratings as f64)?;
            for (col, x) in [
                (4u16, pct(c.satisfaction_bp)),
                (5, pct(c.overtime_bp)),
                (6, pct(c.inspection_bp)),
                (7, pct(c.liable_per_10k_x100)),
            ] {
                if let Some(x) = x {
                    ws.write_number(row, col, x)?;
                }
            }
            Ok(())
        };
        let mut row = 2u32;
        for x in &r.ranked {
            ws.write_number(row, 0, x.rank as f64)?;
            line(ws, row, &x.candidate)?;
            ws.write_number(row, 8, x.score_bp as f64 / 100.0)?;
            if best.contains(&x.candidate.key) {
                ws.write_string(row, 9, lang.t("bulletin.best"))?;
            } else if worst.contains(&x.candidate.key) {
                ws.write_string(row, 9, lang.t("bulletin.worst"))?;
            }
            row += 1;
        }
        for c in &r.unranked {
            ws.write_string(row, 0, lang.t("bulletin.unranked"))?;
            line(ws, row, c)?;
            row += 1;
        }
        ws.set_column_width(2, 28.0)?;
        ws.set_freeze_panes(2, 0)?;
        Ok(())
    };
    sheet(lang.t("bulletin.outlets"), &v.outlets, &v.best_outlets, &v.worst_outlets)?;
    sheet(lang.t("bulletin.employees"), &v.employees, &v.best_employees, &v.worst_employees)?;
    wb.save_to_buffer()
}
