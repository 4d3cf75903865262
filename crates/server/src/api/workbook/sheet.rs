//! A register's records as an XLSX workbook: a title row, a header row, one row per record; counts
//! and amounts stay numbers.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub enum Cell {
    Text(String),
    Number(i64),
    /// Yuan as the API writes it ("1234.50"), kept a number with two decimals.
    Money(String),
}

pub fn workbook(
    title: &str,
    sheet: &str,
    headers: &[&str],
    lines: impl Iterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let count = Format::new().set_num_format("#,##0");
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    ws.write_string_with_format(0, 0, title, &bold)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 14.0)?;
    }
    let mut widest = vec![0usize; headers.len()];
    for (i, line) in lines.enumerate() {
        let r = i as u32 + 2;
        for (c, cell) in line.into_iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(t) => {
                    if let Some(w) = widest.get_mut(c) {
                        *w = (*w).max(t.chars().count());
                    }
                    ws.write_string(r, col, t)?
                }
                Cell::Number(n) => ws.write_number_with_format(r, col, n as f64, &count)?,
                Cell::Money(m) => match m.parse::<f64>() {
                    Ok(v) => ws.write_number_with_format(r, col, v, &money)?,
                    Err(_) => ws.write_string(r, col, m)?,
                },
            };
        }
    }
    for (c, w) in widest.into_iter().enumerate() {
        if w > 8 {
            ws.set_column_width(c as u16, (w as f64 * 1.6).min(60.0))?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    wb.save_to_buffer()
}
