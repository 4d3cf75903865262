//! Tables uploaded by staff, read by the bounded reader of `table`; and the period statistics such a
//! table holds (unit code, period, customers, transactions).
//! Every problem names the row and the column, and nothing is loaded unless every row is good.

pub mod ratings;
pub mod table;

use crate::error::{ApiError, ApiResult};
use std::collections::HashSet;
pub use table::{Line, TableLimits};
use xiaobao_core::FieldError;
use xiaobao_core::period::Period;

/// Most data rows one import may hold.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// The rows of a table staff import (XLSX or UTF-8 CSV), within the import limits.
pub fn read_table(bytes: &[u8]) -> ApiResult<Vec<Line>> {
    table::read_table(bytes, &TableLimits::IMPORT)
}

/// One row of a period-statistics table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodFiguresRow {
    pub line: usize,
    pub org_unit: String,
    pub period: Period,
    pub customers: i64,
    pub transactions: i64,
}

/// The columns of a period-statistics table, and the header names each is known by.
const COLUMNS: [(&str, &str, &[&str]); 4] = [
    ("org_unit", "机构代码", &["org_unit", "unit", "unit code", "机构代码", "机构号", "机构编码"]),
    ("period", "期间", &["period", "期间", "统计期间", "统计期"]),
    ("customers", "客户数", &["customers", "客户数", "客户数量"]),
    ("transactions", "交易笔数", &["transactions", "交易笔数", "交易量", "业务笔数"]),
];

/// Largest figure accepted (a bank's customers or transactions in a year are far below it).
pub const MAX_FIGURE: i64 = 1_000_000_000_000;

/// A period as written in a file: `2025`, `2025-Q1`, `2025-03`; a date cell stands for its month.
fn period_cell(s: &str) -> Option<Period> {
    let s = s.trim();
    if let Ok(p) = Period::parse("period", s) {
        return Some(p);
    }
    // 2025-03-01 (Excel turns a typed "2025-03" into a date), 2025/3, 2025年3月
    let s = s.replace(['/', '年', '.'], "-").replace('月', "");
    let mut parts = s.split('-').filter(|p| !p.is_empty());
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let p = format!("{year:04}-{month:02}");
    Period::parse("period", &p).ok()
}

fn whole_number(s: &str) -> Option<i64> {
    let s = s.replace([',', '，', ' '], "");
    s.parse::<i64>().ok().filter(|v| (0..=MAX_FIGURE).contains(v))
}

/// Problems of a table's rows: each with its row number.
pub type RowProblems = Vec<(usize, FieldError)>;

/// The most problems one import reports, row by row; past it, one more says how many were left
/// out (a file of 100,000 wrong rows would otherwise answer with millions of words).
pub const MAX_REPORTED: usize = 1_000;

/// Every problem of a table, in row order, as one refusal: each names its row, its column and
/// what is wrong; past `MAX_REPORTED`, the rest are counted.
pub fn refuse_all(mut problems: RowProblems) -> ApiResult<()> {
    problems.sort_by_key(|(row, _)| *row);
    let more = problems.len().saturating_sub(MAX_REPORTED);
    let mut all: Vec<FieldError> = problems.into_iter().take(MAX_REPORTED).map(|(_, e)| e).collect();
    if more > 0 {
        all.push(FieldError::because("file", "field.import_more_problems").with("n", more).with("shown", MAX_REPORTED));
    }
    ApiError::all(all)
}

/// The rows of a period-statistics table: a header row naming the columns (in any order, in Chinese
/// or English), or no header and the columns in the order unit code, period, customers, transactions.
/// Every wrong row is told at once (see `figure_rows`).
pub fn period_figures(lines: &[Line]) -> ApiResult<Vec<PeriodFiguresRow>> {
    let (rows, problems) = figure_rows(lines)?;
    refuse_all(problems)?;
    if rows.is_empty() {
        return Err(ApiError::invalid("file", "field.import_no_figures"));
    }
    Ok(rows)
}

/// The good rows of a period-statistics table and, for each wrong cell or repeated row, its row
/// number and the problem (so the caller can add its own checks of the good rows and tell all of
/// them at once). A file that cannot be read as such a table at all (no rows, too many, a header
/// without a column) is refused outright, naming every missing column.
pub fn figure_rows(lines: &[Line]) -> ApiResult<(Vec<PeriodFiguresRow>, RowProblems)> {
    let Some(first) = lines.first() else {
        return Err(ApiError::invalid("file", "field.import_no_rows"));
    };
    let known = |c: &String| COLUMNS.iter().any(|(_, _, names)| names.iter().any(|n| c.trim().eq_ignore_ascii_case(n)));
    let has_header = first.cells.iter().any(known);
    let order: [usize; 4] = if has_header {
        let mut order = [0; 4];
        let mut missing = Vec::new();
        for (i, (en, _, names)) in COLUMNS.iter().enumerate() {
            match first.cells.iter().position(|c| names.iter().any(|n| c.trim().eq_ignore_ascii_case(n))) {
                Some(at) => order[i] = at,
                None => missing.push(
                    FieldError::because("file", "field.import_no_column")
                        .with("row", first.number)
                        .with_word("column", format!("import.column.{en}")),
                ),
            }
        }
        ApiError::all(missing)?;
        order
    } else {
        [0, 1, 2, 3]
    };
    let data = &lines[usize::from(has_header)..];
    if data.is_empty() {
        return Err(ApiError::invalid("file", "field.import_no_rows"));
    }
    if data.len() > MAX_IMPORT_ROWS {
        return Err(ApiError::Invalid(
            FieldError::because("file", "field.import_too_many_rows")
                .with("len", data.len())
                .with("max_import_rows", MAX_IMPORT_ROWS),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(data.len());
    let mut problems = Vec::new();
    for l in data {
        let cell = |i: usize| l.cells.get(order[i]).map(|c| c.trim()).unwrap_or("");
        let bad = |i: usize, why: &'static str| {
            (
                l.number,
                FieldError::because("file", "field.import_cell")
                    .with("row", l.number)
                    .with_word("column", format!("import.column.{}", COLUMNS[i].0))
                    .with_word("why", why),
            )
        };
        let before = problems.len();
        let org_unit = cell(0).to_string();
        if org_unit.is_empty() {
            problems.push(bad(0, "field.empty"));
        }
        let period = period_cell(cell(1));
        if period.is_none() {
            problems.push(bad(1, "field.import_period"));
        }
        // a unit left blank (as in a downloaded template) is not entered
        if cell(2).is_empty() && cell(3).is_empty() {
            continue;
        }
        let customers = whole_number(cell(2));
        if customers.is_none() {
            problems.push(bad(2, "field.figure"));
        }
        let transactions = whole_number(cell(3));
        if transactions.is_none() {
            problems.push(bad(3, "field.figure"));
        }
        let (Some(period), Some(customers), Some(transactions)) = (period, customers, transactions) else {
            continue;
        };
        if problems.len() > before {
            continue;
        }
        if !seen.insert((org_unit.clone(), period)) {
            problems.push((
                l.number,
                FieldError::because("file", "field.import_duplicate_row")
                    .with("number", l.number)
                    .with("org_unit", &org_unit)
                    .with("period", period),
            ));
            continue;
        }
        out.push(PeriodFiguresRow { line: l.number, org_unit, period, customers, transactions });
    }
    Ok((out, problems))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use table::tests::message;

    #[test]
    fn a_csv_with_a_header_in_any_order_and_chinese_names() {
        let csv =
            "\u{feff}期间,客户数,机构代码,交易笔数\n2025-03,\"12,000\",OUT1,480000\n\n2025-Q1,30000,SUB1,1500000\n";
        let rows = period_figures(&read_table(csv.as_bytes()).unwrap()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            PeriodFiguresRow {
                line: 2,
                org_unit: "OUT1".into(),
                period: Period::Month(2025, 3),
                customers: 12_000,
                transactions: 480_000
            }
        );
        assert_eq!((rows[1].line, rows[1].period), (4, Period::Quarter(2025, 1)));
    }

    #[test]
    fn without_a_header_the_columns_are_in_order() {
        let rows =
            period_figures(&read_table(b"OUT1,2025,100,2000\nOUT2,2025/4,5,6\nOUT3,2025-04,,").unwrap()).unwrap();
        assert_eq!(rows.len(), 2, "a unit left blank is not entered");
        assert_eq!(rows[0].period, Period::Year(2025));
        assert_eq!(rows[1].period, Period::Month(2025, 4));
        assert_eq!((rows[1].customers, rows[1].transactions), (5, 6));
    }

    #[test]
    fn bad_rows_are_named_by_row_and_column() {
        let e = |s: &str| message(period_figures(&read_table(s.as_bytes()).unwrap()).unwrap_err());
        assert_eq!(
            e("org_unit,period,customers,transactions\nOUT1,2025-13,1,2"),
            "file: row 2, period: expected 2025, 2025-Q1 or 2025-03"
        );
        assert_eq!(e("OUT1,2025-03,-1,2"), "file: row 1, customers: must be a whole number from 0 to 10^12");
        assert_eq!(e("OUT1,2025-03,1,2.5"), "file: row 1, transactions: must be a whole number from 0 to 10^12");
        assert_eq!(e("OUT1,2025-03,1,2\n,2025-03,1,2"), "file: row 2, org_unit: must not be empty");
        assert_eq!(e("OUT1,2025-03,1,2\nOUT1,2025-03,3,4"), "file: row 2: OUT1 2025-03 appears more than once");
        assert_eq!(e("机构代码,期间,客户数\nOUT1,2025-03,1"), "file: row 1 (the header) has no column transactions");
        assert_eq!(e("机构代码,期间,客户数,交易笔数\n"), "file: the file holds no rows");
        assert_eq!(e("机构代码,期间,客户数,交易笔数\nOUT1,2025-03,,"), "file: no row of the file has figures");
        assert_eq!(e("OUT1,2025-03,,7"), "file: row 1, customers: must be a whole number from 0 to 10^12");
        assert!(message(read_table(b"OUT1,2025,\xB1\xB1,1").unwrap_err()).contains("UTF-8"));
    }

    #[test]
    fn every_bad_row_is_told_at_once() {
        let csv = "org_unit,period,customers,transactions\nOUT1,2025-13,1,2\nOUT2,2025-03,1,2\n,2025-03,x,-1\nOUT2,2025-03,3,4\n";
        let e = period_figures(&read_table(csv.as_bytes()).unwrap()).unwrap_err();
        let all: Vec<String> = e.field_errors(true).into_iter().map(|(f, d)| format!("{f}: {d}")).collect();
        assert_eq!(
            all,
            [
                "file: row 2, period: expected 2025, 2025-Q1 or 2025-03",
                "file: row 4, org_unit: must not be empty",
                "file: row 4, customers: must be a whole number from 0 to 10^12",
                "file: row 4, transactions: must be a whole number from 0 to 10^12",
                "file: row 5: OUT2 2025-03 appears more than once",
            ]
        );
        // a header without two columns names both
        let e = period_figures(&read_table("机构代码,期间\nOUT1,2025-03".as_bytes()).unwrap()).unwrap_err();
        assert_eq!(e.field_errors(true).len(), 2);
        // past the limit, the rest are counted
        let many: String = (0..MAX_REPORTED + 5).map(|i| format!("U{i},2025-03,x,1\n")).collect();
        let e = period_figures(&read_table(many.as_bytes()).unwrap()).unwrap_err();
        let all = e.field_errors(true);
        assert_eq!(all.len(), MAX_REPORTED + 1);
        assert!(all.last().unwrap().1.contains("problems not listed: 5"), "{:?}", all.last());
    }

    #[test]
    fn an_xlsx_sheet_reads_numbers_and_date_cells() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["机构代码", "期间", "客户数", "交易笔数"].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "OUT1").unwrap();
        let month = Format::new().set_num_format("yyyy-mm");
        ws.write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(2025, 3, 1).unwrap(), &month).unwrap();
        ws.write_number(1, 2, 12000.0).unwrap();
        ws.write_number(1, 3, 480000.0).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let rows = period_figures(&read_table(&bytes).unwrap()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].period, rows[0].customers, rows[0].transactions), (Period::Month(2025, 3), 12000, 480000));
        assert!(message(read_table(b"PK\x03\x04garbage").unwrap_err()).contains("cannot be read"));
    }
}
