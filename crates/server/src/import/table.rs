//! The one reader of every table or archive a user hands the product (an upload, a file on the
//! command line): an XLSX workbook's first sheet or a UTF-8 CSV file, read into rows of text with
//! every limit checked before anything of that size is allocated. An XLSX is a zip archive: each
//! entry is first inflated into nothing, counting, so a bomb is refused by its inflated size and
//! ratio before the workbook is parsed; the sheet is then read cell by cell, refusing a declared
//! dimension or a cell beyond the limits instead of allocating the sheet's bounding box.

use crate::error::{ApiError, ApiResult};
use calamine::{Data, Reader};
use std::collections::BTreeMap;
use std::io::Read;
use xiaobao_core::FieldError;

/// How much a table may hold. Every refusal names the limit it met.
#[derive(Debug, Clone, Copy)]
pub struct TableLimits {
    /// The file itself.
    pub max_bytes: usize,
    /// Rows of the sheet, counted by position (row N of the sheet is the Nth, blank or not).
    pub max_rows: u32,
    /// Columns of the sheet, by position.
    pub max_columns: u32,
    /// Cells the sheet holds (a styled empty cell counts).
    pub max_cells: usize,
    /// Entries of the zip archive.
    pub max_entries: usize,
    /// Inflated bytes of one entry.
    pub max_entry_bytes: u64,
    /// Inflated bytes of all entries together.
    pub max_total_bytes: u64,
    /// Inflated ÷ compressed size of an entry, once it has inflated past `RATIO_FROM` bytes.
    pub max_ratio: u64,
}

/// An entry's ratio is judged only past this many inflated bytes: small XML parts compress far
/// better than any real sheet does and are harmless.
const RATIO_FROM: u64 = 1 << 20;

impl TableLimits {
    /// The tables staff import: 10 MB of file, 200,000 rows by 64 columns, 2 million cells,
    /// 64 MiB inflated per part and 128 MiB in all, at most 200 : 1.
    pub const IMPORT: TableLimits = TableLimits {
        max_bytes: 10 * 1024 * 1024,
        max_rows: 200_000,
        max_columns: 64,
        max_cells: 2_000_000,
        max_entries: 1_000,
        max_entry_bytes: 64 << 20,
        max_total_bytes: 128 << 20,
        max_ratio: 200,
    };
}

/// A row of cells as text, with its row number in the file (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub cells: Vec<String>,
}

fn unreadable() -> ApiError {
    ApiError::invalid("file", "field.xlsx_unreadable")
}

/// The rows of an XLSX workbook's first sheet (recognised by its content) or of a UTF-8 CSV file,
/// within `limits`. Blank rows are left out.
pub fn read_table(bytes: &[u8], limits: &TableLimits) -> ApiResult<Vec<Line>> {
    if bytes.len() > limits.max_bytes {
        return Err(ApiError::Invalid(
            FieldError::because("file", "field.file_too_large_bytes")
                .with("len", bytes.len())
                .with("max_bytes", limits.max_bytes),
        ));
    }
    let lines = if bytes.starts_with(b"PK\x03\x04") {
        check_archive(bytes, limits)?;
        read_xlsx(bytes, limits)?
    } else {
        read_csv(bytes, limits)?
    };
    Ok(lines.into_iter().filter(|l| l.cells.iter().any(|c| !c.is_empty())).collect())
}

/// Inflates every entry of a zip archive into nothing, refusing it at the first limit it passes.
pub fn check_archive(bytes: &[u8], limits: &TableLimits) -> ApiResult<()> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    if zip.len() > limits.max_entries {
        return Err(ApiError::Invalid(
            FieldError::because("file", "field.archive_too_many_parts")
                .with("len", zip.len())
                .with("max_entries", limits.max_entries),
        ));
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| unreadable())?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{i}"));
        let compressed = entry.compressed_size().max(1);
        let too_large = |inflated: u64| {
            ApiError::Invalid(
                FieldError::because("file", "field.archive_part_too_large")
                    .with("inflated", inflated)
                    .with("max_entry_bytes", limits.max_entry_bytes)
                    .with("name", &name),
            )
        };
        // the declared size may lie; it is only a first, cheap refusal
        if entry.size() > limits.max_entry_bytes {
            return Err(too_large(entry.size()));
        }
        let mut inflated: u64 = 0;
        loop {
            let n = entry.read(&mut buf).map_err(|_| unreadable())?;
            if n == 0 {
                break;
            }
            inflated += n as u64;
            if inflated > limits.max_entry_bytes {
                return Err(too_large(inflated));
            }
            if inflated > RATIO_FROM && inflated / compressed > limits.max_ratio {
                return Err(ApiError::Invalid(
                    FieldError::because("file", "field.archive_ratio")
                        .with("ratio", inflated / compressed)
                        .with("max_ratio", limits.max_ratio)
                        .with("name", &name),
                ));
            }
        }
        total += inflated;
        if total > limits.max_total_bytes {
            return Err(ApiError::Invalid(
                FieldError::because("file", "field.archive_too_large")
                    .with("max_total_bytes", limits.max_total_bytes)
                    .with("total", total),
            ));
        }
    }
    Ok(())
}

fn read_csv(bytes: &[u8], limits: &TableLimits) -> ApiResult<Vec<Line>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(ApiError::invalid("file", "field.csv_not_utf8"));
    };
    // row by row, so each keeps its number in the file (the cells of these tables never span lines)
    let mut out = Vec::new();
    let mut cells_seen = 0usize;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        if number > limits.max_rows as usize {
            return Err(too_many_rows(limits));
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
        let cells: Vec<String> = match reader.records().next() {
            None => Vec::new(),
            Some(Ok(record)) => {
                if record.len() > limits.max_columns as usize {
                    return Err(too_many_columns(number, record.len(), limits));
                }
                record.iter().map(|c| c.trim().to_string()).collect()
            }
            Some(Err(e)) => {
                return Err(ApiError::Invalid(
                    FieldError::because("file", "field.csv_row_unreadable").with("e", e).with("number", number),
                ));
            }
        };
        cells_seen += cells.len();
        if cells_seen > limits.max_cells {
            return Err(too_many_cells(limits));
        }
        out.push(Line { number, cells });
    }
    Ok(out)
}

fn too_many_rows(limits: &TableLimits) -> ApiError {
    ApiError::Invalid(FieldError::because("file", "field.table_too_many_rows").with("max_rows", limits.max_rows))
}

fn too_many_columns(row: usize, columns: usize, limits: &TableLimits) -> ApiError {
    ApiError::Invalid(
        FieldError::because("file", "field.table_too_many_columns")
            .with("columns", columns)
            .with("max_columns", limits.max_columns)
            .with("row", row),
    )
}

fn too_many_cells(limits: &TableLimits) -> ApiError {
    ApiError::Invalid(FieldError::because("file", "field.table_too_many_cells").with("max_cells", limits.max_cells))
}

/// A cell's name as Excel shows it: row and column from 0 → `A1`, (1048575, 16383) → `XFD1048576`.
pub fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut c = column as u64 + 1;
    while c > 0 {
        let d = ((c - 1) % 26) as u8;
        letters.push(b'A' + d);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row as u64 + 1)
}

fn read_xlsx(bytes: &[u8], limits: &TableLimits) -> ApiResult<Vec<Line>> {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let Some(name) = wb.sheet_names().first().cloned() else { return Ok(Vec::new()) };
    let mut cells = wb.worksheet_cells_reader(&name).map_err(|_| unreadable())?;
    let beyond = |row: u32, column: u32, declared: bool| {
        let at = cell_name(row, column);
        let reason = if declared { "field.sheet_declares_beyond" } else { "field.sheet_cell_beyond" };
        ApiError::Invalid(
            FieldError::because("file", reason)
                .with("sheet", &name)
                .with("at", at)
                .with("rows", limits.max_rows)
                .with("columns", limits.max_columns)
                .with("last", cell_name(limits.max_rows - 1, limits.max_columns - 1)),
        )
    };
    let declared = cells.dimensions();
    if declared.end.0 >= limits.max_rows || declared.end.1 >= limits.max_columns {
        return Err(beyond(declared.end.0, declared.end.1, true));
    }
    // sparse: only the cells present, grouped by row; nothing sized by the sheet's extent
    let mut rows: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let mut count = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, column) = cell.get_position();
        if row >= limits.max_rows || column >= limits.max_columns {
            return Err(beyond(row, column, false));
        }
        count += 1;
        if count > limits.max_cells {
            return Err(too_many_cells(limits));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if !text.is_empty() {
            rows.entry(row).or_default().push((column, text));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(row, present)| {
            let width = present.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
            let mut cells = vec![String::new(); width];
            for (c, text) in present {
                cells[c as usize] = text;
            }
            Line { number: row as usize + 1, cells }
        })
        .collect())
}

/// A cell as the text a person typed: whole numbers without ".0", dates as YYYY-MM-DD.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()).map_or_else(|| dt.to_string(), |d| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The date of an Excel serial day number (1900 date system, as every current Excel writes).
fn excel_date(serial: f64) -> Option<chrono::NaiveDate> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    epoch.checked_add_signed(chrono::TimeDelta::try_days(serial.floor() as i64)?)
}

/// Crafted workbooks for the tests of the limits (here and in the security suite).
pub mod crafted {
    use std::io::Write;

    /// A workbook whose sheet holds a header and one cell at XFD1048576: a few KB that describe a
    /// bounding box of 17 billion cells.
    pub fn far_cell_xlsx() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let header = ["机构代码", "期间", "客户数", "交易笔数"];
        for (c, h) in header.iter().enumerate() {
            let _ = ws.write_string(0, c as u16, *h);
        }
        let _ = ws.write_string(1_048_575, 16_383, "x");
        wb.save_to_buffer().unwrap_or_default()
    }

    /// An XLSX-shaped zip whose shared strings inflate to `inflated` bytes of one repeated
    /// string: 1 GiB inflates from about 1 MB.
    pub fn bomb_xlsx(inflated: u64) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .large_file(inflated > u32::MAX as u64 / 2);
        let parts: [(&str, &str); 4] = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
            ),
        ];
        for (name, text) in parts {
            let _ = zip.start_file(name, deflated);
            let _ = zip.write_all(text.as_bytes());
        }
        let _ = zip.start_file("xl/worksheets/sheet1.xml", deflated);
        let _ = zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
        );
        let _ = zip.start_file("xl/sharedStrings.xml", deflated);
        let _ = zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#,
        );
        let chunk = vec![b'A'; 1 << 20];
        let mut written = 0u64;
        while written < inflated {
            let n = chunk.len().min((inflated - written) as usize);
            let _ = zip.write_all(&chunk[..n]);
            written += n as u64;
        }
        let _ = zip.write_all(b"</t></si></sst>");
        let _ = zip.finish();
        out.into_inner()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// A refusal as `field: English message`.
    pub(crate) fn message(e: ApiError) -> String {
        match e {
            ApiError::Invalid(f) => format!("{}: {}", f.field, crate::i18n::Lang::En.invalid(&f)),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn a_far_cell_is_refused_without_allocating_its_bounding_box() {
        let bytes = crafted::far_cell_xlsx();
        assert!(bytes.len() < 16 * 1024, "{} bytes", bytes.len());
        let e = message(read_table(&bytes, &TableLimits::IMPORT).unwrap_err());
        assert!(e.starts_with("file: sheet \"Sheet1\""), "{e}");
        assert!(e.contains("XFD1048576"), "{e}");
    }

    #[test]
    fn a_cell_past_the_limits_is_refused_even_when_the_declared_range_is_small() {
        // rust_xlsxwriter declares the true range; a hand-made sheet can declare A1 and hold more
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "a").unwrap();
        ws.write_string(3, 1, "b").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let tight = TableLimits { max_rows: 3, ..TableLimits::IMPORT };
        let e = message(read_table(&bytes, &tight).unwrap_err());
        assert!(e.contains("B4"), "{e}");
        let narrow = TableLimits { max_columns: 1, ..TableLimits::IMPORT };
        assert!(message(read_table(&bytes, &narrow).unwrap_err()).contains("B4"));
        let few = TableLimits { max_cells: 1, ..TableLimits::IMPORT };
        assert!(message(read_table(&bytes, &few).unwrap_err()).contains("too many cells"));
        let rows = read_table(&bytes, &TableLimits::IMPORT).unwrap();
        assert_eq!(
            rows,
            vec![
                Line { number: 1, cells: vec!["a".into()] },
                Line { number: 4, cells: vec![String::new(), "b".into()] }
            ]
        );
    }

    #[test]
    fn an_archive_is_refused_by_its_inflated_size_and_ratio() {
        // 8 MiB of one letter deflates about 1000 : 1
        let bomb = crafted::bomb_xlsx(8 << 20);
        let e = message(read_table(&bomb, &TableLimits::IMPORT).unwrap_err());
        assert!(e.contains("xl/sharedStrings.xml") && e.contains("compressed beyond"), "{e}");
        let small = TableLimits { max_entry_bytes: 1 << 20, ..TableLimits::IMPORT };
        let e = message(read_table(&bomb, &small).unwrap_err());
        assert!(e.contains("inflates too far"), "{e}");
        let lenient = TableLimits { max_ratio: u64::MAX, max_total_bytes: 4 << 20, ..TableLimits::IMPORT };
        let e = message(read_table(&bomb, &lenient).unwrap_err());
        assert!(e.contains("the file inflates too far"), "{e}");
        let few = TableLimits { max_entries: 3, ..TableLimits::IMPORT };
        assert!(message(read_table(&bomb, &few).unwrap_err()).contains("too many parts"));
        // within every limit, the same shape of file is read
        let fine = crafted::bomb_xlsx(10);
        assert_eq!(read_table(&fine, &TableLimits::IMPORT).unwrap()[0].cells, vec!["AAAAAAAAAA".to_string()]);
    }

    #[test]
    fn a_csv_is_held_to_the_same_limits() {
        let limits = TableLimits { max_rows: 2, max_columns: 3, max_cells: 5, ..TableLimits::IMPORT };
        assert!(message(read_table(b"a\nb\nc", &limits).unwrap_err()).contains("too many rows"));
        assert!(message(read_table(b"a,b,c,d", &limits).unwrap_err()).contains("row 1 has 4 columns"));
        assert!(message(read_table(b"a,b,c\nd,e,f", &limits).unwrap_err()).contains("too many cells"));
        let big = TableLimits { max_bytes: 4, ..TableLimits::IMPORT };
        assert!(message(read_table(b"a,b,c", &big).unwrap_err()).contains("too large"));
    }
}
