//! A table of ratings kept elsewhere (an evaluator vendor's export): one rating a row, with a header
//! naming the columns in Chinese or English. Each row becomes the `RatingIn` a device would send; the
//! ingest then checks it as it checks a device's, and takes the file whole or not at all.

use super::Line;
use crate::error::{ApiError, ApiResult};
use xiaobao_core::FieldError;
use xiaobao_core::service::rating::RatingIn;

/// The columns, the header names each is known by, and whether it must be there.
const COLUMNS: [(&str, &[&str], bool); 8] = [
    ("device", &["device", "设备", "设备号", "评价器编号"], true),
    ("seq", &["seq", "sequence", "序号", "流水号"], true),
    ("outlet", &["outlet", "网点", "网点代码", "机构代码"], true),
    ("teller", &["teller", "柜员", "柜员号", "员工"], true),
    ("window", &["window", "窗口", "窗口号"], false),
    ("rated_at", &["rated_at", "time", "评价时间", "时间"], true),
    ("score", &["score", "评分", "分数"], true),
    ("reason", &["reason", "不满意原因", "原因", "原因代码"], false),
];

/// A time as a file writes it: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` (or with `/`) in Beijing time.
fn time_cell(s: &str) -> String {
    let s = s.trim();
    if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        return s.to_string();
    }
    let t = s.replace('/', "-");
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = chrono::NaiveDateTime::parse_from_str(&t, f) {
            return format!("{}+08:00", n.format("%Y-%m-%dT%H:%M:%S"));
        }
    }
    s.to_string()
}

/// Each data row as a rating, or the fault of a cell that is not even of its type, with the row's
/// number in the file.
pub fn rating_rows(lines: &[Line]) -> ApiResult<Vec<(usize, Result<RatingIn, FieldError>)>> {
    let Some(header) = lines.first() else {
        return Err(ApiError::invalid("file", "field.import_no_rows"));
    };
    let at = |names: &[&str]| header.cells.iter().position(|c| names.iter().any(|n| c.trim().eq_ignore_ascii_case(n)));
    let mut order = [None; 8];
    let mut missing = Vec::new();
    for (i, (name, names, required)) in COLUMNS.iter().enumerate() {
        order[i] = at(names);
        if order[i].is_none() && *required {
            missing.push(
                FieldError::because("file", "field.import_no_column")
                    .with("row", header.number)
                    .with_word("column", format!("import.column.{name}")),
            );
        }
    }
    ApiError::all(missing)?;
    let data = &lines[1..];
    if data.is_empty() {
        return Err(ApiError::invalid("file", "field.import_no_rows"));
    }
    if data.len() > super::MAX_IMPORT_ROWS {
        return Err(ApiError::Invalid(
            FieldError::because("file", "field.import_too_many_rows")
                .with("len", data.len())
                .with("max_import_rows", super::MAX_IMPORT_ROWS),
        ));
    }
    Ok(data
        .iter()
        .map(|l| {
            let cell =
                |i: usize| order[i].and_then(|c| l.cells.get(c)).map(|c| c.trim().to_string()).unwrap_or_default();
            let number = |field: &str, i: usize| {
                let v = cell(i).replace([',', ' '], "");
                // a number cell may come as "3.0"
                v.parse::<i64>()
                    .ok()
                    .or_else(|| v.parse::<f64>().ok().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                    .ok_or_else(|| FieldError::because(field, "field.integer"))
            };
            let optional = |i: usize| Some(cell(i)).filter(|s| !s.is_empty());
            let row = number("seq", 1).and_then(|seq| {
                Ok(RatingIn {
                    device: cell(0),
                    seq,
                    outlet: cell(2),
                    teller: cell(3),
                    window: optional(4),
                    rated_at: time_cell(&cell(5)),
                    score: number("score", 6)?,
                    reason: optional(7),
                })
            });
            (l.number, row)
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn line(number: usize, cells: &[&str]) -> Line {
        Line { number, cells: cells.iter().map(|c| c.to_string()).collect() }
    }

    #[test]
    fn columns_are_found_by_their_chinese_or_english_names_and_local_times_read_as_beijing() {
        let lines = [
            line(1, &["评分", "设备号", "序号", "网点代码", "柜员号", "评价时间", "不满意原因"]),
            line(2, &["2", "EV1", "7", "BJ0101", "teller1", "2025/03/02 09:30", "01"]),
            line(3, &["five", "EV1", "8", "BJ0101", "teller1", "2025-03-02 09:31:00", ""]),
        ];
        let rows = rating_rows(&lines).unwrap();
        let first = rows[0].1.as_ref().unwrap();
        assert_eq!((first.seq, first.score, first.rated_at.as_str()), (7, 2, "2025-03-02T09:30:00+08:00"));
        assert_eq!(first.reason.as_deref(), Some("01"));
        assert_eq!((rows[1].0, rows[1].1.as_ref().unwrap_err().field.as_str()), (3, "score"));
        let missing = rating_rows(&[line(1, &["评分"]), line(2, &["5"])]).unwrap_err();
        let ApiError::InvalidAll(all) = missing else { panic!("every missing column") };
        assert_eq!(all.len(), 5);
    }
}
