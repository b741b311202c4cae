//! A return as an XLSX workbook with sheets `crimes`, `victims`, `suspects`, `relationships`.
//!
//! Cells become text the way a submitter would type them: whole numbers without `.0`, real
//! Excel dates as `YYYY-MM-DD`, and a plain number in a date column read as an Excel serial
//! date (a date cell that lost its date format). Row numbers are the sheet's own.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use csae_model::{ColumnKind, Table, dates};

use super::{Cells, RawReturn, RawTable, ReturnRejected, read_file};
use crate::source::ReturnSource;

pub(super) fn read(src: &ReturnSource) -> Result<RawReturn, ReturnRejected> {
    let shown = src.display_name();
    let bytes = read_file(&src.path, &shown)?;
    super::return_from_xlsx_bytes(src.force, &shown, bytes)
}

pub(crate) fn parse_workbook(shown: &str, bytes: Vec<u8>) -> Result<Vec<RawTable>, ReturnRejected> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        ReturnRejected::new(shown, format!("{shown} cannot be read as an XLSX workbook ({e}); save it again from Excel as .xlsx and submit it again"))
    })?;
    let sheet_names = book.sheet_names();
    let mut tables = Vec::with_capacity(4);
    for table in Table::ALL {
        let file = format!("{shown}, sheet {}", table.name());
        let sheet = sheet_names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(table.name()))
            .ok_or_else(|| {
                ReturnRejected::new(&file, format!("{shown} has no sheet named {}; the workbook needs four sheets: crimes, victims, suspects and relationships", table.name()))
            })?
            .clone();
        let range = book.worksheet_range(&sheet).map_err(|e| {
            ReturnRejected::new(&file, format!("{file} cannot be read ({e}); save the workbook again from Excel and submit it again"))
        })?;
        let first_row = range.start().map_or(0, |(r, _)| r);
        let mut rows_iter = range.rows();
        let header: Vec<String> = match rows_iter.next() {
            Some(h) => h.iter().map(|c| cell_text(c, false)).collect(),
            None => {
                return Err(ReturnRejected::new(&file, format!("{file} is empty; it needs a header row naming its columns in row 1")));
            }
        };
        // Which positions hold date columns, so plain numbers there are read as serial dates.
        let date_positions: Vec<bool> = header
            .iter()
            .map(|h| {
                table.columns().iter().any(|c| c.kind == ColumnKind::Date && c.name.eq_ignore_ascii_case(h.trim()))
            })
            .collect();
        let mut records = Cells::new();
        let mut rows = Vec::new();
        for (i, cells) in rows_iter.enumerate() {
            let texts: Vec<String> = cells.iter().enumerate().map(|(pos, c)| cell_text(c, date_positions.get(pos).copied().unwrap_or(false))).collect();
            if records.push(texts.iter().map(|t| t.trim())).map_err(|full| full.rejected(&file))? {
                rows.push(first_row + i as u32 + 2);
            }
        }
        tables.push(RawTable::from_rows(table, file, header, records, rows)?);
    }
    Ok(tables)
}

/// The text of a cell as the submitter means it.
fn cell_text(cell: &Data, date_column: bool) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) if date_column => serial_date(*i as f64).unwrap_or_else(|| i.to_string()),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if date_column => serial_date(*f).unwrap_or_else(|| number_text(*f)),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            // Excel's phantom 1900-02-29 and other impossible dates stay visible as text and
            // fail validation (C03 / P04) with the value the submitter can find.
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn serial_date(serial: f64) -> Option<String> {
    dates::from_excel_serial(serial, false).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Whole numbers without a fractional part (`14.0` is `14`), others in shortest form.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_a_submitter_means_them() {
        assert_eq!(cell_text(&Data::Float(14.0), false), "14");
        assert_eq!(cell_text(&Data::Float(14.5), false), "14.5");
        assert_eq!(cell_text(&Data::Int(7), false), "7");
        assert_eq!(cell_text(&Data::Float(45_000.0), true), "2023-03-15");
        assert_eq!(cell_text(&Data::Float(-1.0), true), "-1");
        assert_eq!(cell_text(&Data::String("2023-03-15".into()), true), "2023-03-15");
        assert_eq!(cell_text(&Data::Empty, true), "");
    }

    #[test]
    fn garbage_is_f01_not_a_panic() {
        let e = parse_workbook("cumbria.xlsx", b"not a zip".to_vec()).unwrap_err();
        assert!(e.message.starts_with("cumbria.xlsx cannot be read as an XLSX workbook"), "{}", e.message);
    }
}
