//! A return as an XLSX workbook with sheets `crimes`, `victims`, `suspects`, `relationships`.
//!
//! Cells become text the way a submitter would type them: whole numbers without `.0`, real
//! Excel dates as `YYYY-MM-DD`, and a plain number in a date column read as an Excel serial
//! date (a date cell that lost its date format). Row numbers are the sheet's own.
//!
//! Sheets are read cell by cell as calamine streams them (`worksheet_cells_reader`), row by
//! row, keeping only the header's columns: a grid sized by the furthest cell or the sheet's
//! `<dimension>` would let one cell at `XFD1048576` ask for hundreds of gigabytes.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use csae_model::{ColumnKind, Force, Table, dates};

use super::archive::{self, ArchiveLimits};
use super::files::{read_file, sha256_hex};
use super::limits::{MAX_COLUMNS, MAX_SHEET_ROWS, ReadLimits, RowBudget};
use super::{Cells, RawReturn, RawTable, ReturnRejected, SourceFile, Stray, column_label};
use crate::source::ReturnSource;

/// Columns a worksheet can have (Excel's limit).
const MAX_SHEET_COLUMNS: u32 = 16_384;

pub(super) fn from_path(src: &ReturnSource, limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    let shown = src.display_name();
    let bytes = read_file(&src.path, &shown, limits.max_bytes)?;
    from_bytes(src.force, &shown, bytes, limits)
}

/// A return from a workbook's bytes; `name` is how it is shown, e.g. `cumbria.xlsx`.
pub(super) fn from_bytes(force: &'static Force, name: &str, bytes: Vec<u8>, limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    let files = vec![SourceFile { name: name.to_string(), sha256: sha256_hex(&bytes), bytes: bytes.len() as u64 }];
    // A panic inside the workbook parser on some input nobody foresaw must cost the submitter
    // their return (F01), not the process every other force shares.
    let tables = std::panic::catch_unwind(|| parse_workbook(name, bytes, limits)).unwrap_or_else(|_| {
        Err(ReturnRejected::new(name, format!("{name} could not be read; open it in Excel, save it again as \"Excel Workbook (.xlsx)\" and submit it again")))
    })?;
    Ok(RawReturn { force, source: format!("{name} (xlsx)"), tables, files })
}

fn parse_workbook(shown: &str, bytes: Vec<u8>, limits: &ReadLimits) -> Result<Vec<RawTable>, ReturnRejected> {
    // The archive's entries are checked before calamine decompresses any of them.
    archive::open(Cursor::new(&bytes[..]), shown, &ArchiveLimits::new(limits.max_bytes)).map_err(|r| {
        let advice = if r.too_large { "" } else { "; save it again from Excel as \"Excel Workbook (.xlsx)\" and submit it again" };
        let message = format!("{}{advice}", r.message);
        if r.too_large { ReturnRejected::over_limit(shown, message) } else { ReturnRejected::new(shown, message) }
    })?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReturnRejected::new(shown, unreadable(shown, &e)))?;
    let sheet_names = book.sheet_names();
    let mut budget = RowBudget::new(limits);
    let mut tables = Vec::with_capacity(4);
    for table in Table::ALL {
        let file = format!("{shown}, sheet {}", table.name());
        let sheet = sheet_names.iter().find(|n| n.trim().eq_ignore_ascii_case(table.name())).ok_or_else(|| {
            ReturnRejected::new(&file, format!("{shown} has no sheet named {}; the workbook needs four sheets: crimes, victims, suspects and relationships", table.name()))
        })?;
        let damaged = |e: XlsxError| ReturnRejected::new(&file, unreadable(&file, &e));
        let mut cells = book.worksheet_cells_reader(sheet).map_err(damaged)?;
        let mut rows = SheetRows::new(table, &file);
        while let Some(cell) = cells.next_cell().map_err(damaged)? {
            let (row, col) = cell.get_position();
            rows.cell(row, col, cell.get_value(), &mut budget)?;
        }
        tables.push(rows.finish(&mut budget)?);
    }
    Ok(tables)
}

/// A calamine error as a sentence for a data officer: what to do, not the parser's words.
fn unreadable(shown: &str, e: &XlsxError) -> String {
    match e {
        XlsxError::Password => format!("{shown} is protected with a password; save it without one and submit it again"),
        XlsxError::Zip(_) | XlsxError::Io(_) => format!("{shown} is not an XLSX workbook, or it is damaged; save it again from Excel as \"Excel Workbook (.xlsx)\" and submit it again"),
        _ => format!("{shown} holds a cell, reference or part that is not in the form Excel saves, so it cannot be read; open it in Excel, save it again as \"Excel Workbook (.xlsx)\" and submit it again"),
    }
}

/// A sheet read row by row: the first row with a value is the header; each later row is kept
/// as the header's columns, and values outside them are strays (`F02`).
struct SheetRows<'f> {
    table: Table,
    file: &'f str,
    /// Header cells as they come, until the first data row fixes the header.
    header_cells: Vec<(u32, String)>,
    header_row: Option<u32>,
    header: Option<Header>,
    /// The row being gathered: its 0-based index and cells by header position.
    row: u32,
    current: Vec<String>,
    stray: Option<(u32, String)>,
    more_strays: usize,
    records: Cells,
    rows: Vec<u32>,
    strays: Vec<Stray>,
    controls: bool,
}

struct Header {
    names: Vec<String>,
    /// Which positions hold date columns, so plain numbers there are read as serial dates.
    dates: Vec<bool>,
}

impl<'f> SheetRows<'f> {
    fn new(table: Table, file: &'f str) -> SheetRows<'f> {
        SheetRows {
            table,
            file,
            header_cells: Vec::new(),
            header_row: None,
            header: None,
            row: 0,
            current: Vec::new(),
            stray: None,
            more_strays: 0,
            records: Cells::new(),
            rows: Vec::new(),
            strays: Vec::new(),
            controls: false,
        }
    }

    fn cell(&mut self, row: u32, col: u32, value: &DataRef, budget: &mut RowBudget) -> Result<(), ReturnRejected> {
        if row >= MAX_SHEET_ROWS || col >= MAX_SHEET_COLUMNS {
            return Err(ReturnRejected::new(
                self.file,
                format!("{} has a cell beyond the last row or column a worksheet can have; save the workbook again from Excel and submit it again", self.file),
            ));
        }
        if matches!(value, DataRef::Empty) {
            return Ok(());
        }
        let Some(header_row) = self.header_row else {
            self.header_row = Some(row);
            self.header_cells.push((col, cell_text(value, false)));
            return Ok(());
        };
        if row == header_row && self.header.is_none() {
            if col >= MAX_COLUMNS as u32 {
                return Err(self.too_wide(col));
            }
            self.header_cells.push((col, cell_text(value, false)));
            return Ok(());
        }
        if row < self.row || row < header_row {
            return Err(ReturnRejected::new(
                self.file,
                format!("{}'s rows are not in order (row {} comes after row {}), which Excel never writes; save the workbook again from Excel and submit it again", self.file, row + 1, self.row.max(header_row) + 1),
            ));
        }
        if self.header.is_none() {
            self.fix_header()?;
            self.start(row);
        } else if row != self.row {
            self.flush(budget)?;
            self.start(row);
        }
        let header = self.header.as_ref().expect("fixed above");
        let pos = col as usize;
        let date = header.dates.get(pos).copied().unwrap_or(false);
        let text = cell_text(value, date);
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        self.controls |= csae_model::text::forbidden_control(text).is_some();
        match header.names.get(pos) {
            Some(name) if !name.is_empty() => text.clone_into(&mut self.current[pos]),
            _ if self.stray.is_none() => self.stray = Some((col, csae_model::text::capped(text).into_owned())),
            _ => self.more_strays += 1,
        }
        Ok(())
    }

    fn too_wide(&self, col: u32) -> ReturnRejected {
        ReturnRejected::new(
            self.file,
            format!(
                "{} has a header reaching column {}, far wider than the {} columns of the standard (at most {} are read); delete the columns and cells beyond the return's own and submit it again",
                self.file,
                column_label(col as usize),
                self.table.columns().len(),
                MAX_COLUMNS
            ),
        )
    }

    /// The header row is complete: its names by position.
    fn fix_header(&mut self) -> Result<(), ReturnRejected> {
        let width = self.header_cells.iter().map(|(c, _)| *c as usize + 1).max().unwrap_or(0);
        if width > MAX_COLUMNS {
            return Err(self.too_wide(width as u32 - 1));
        }
        let mut names = vec![String::new(); width];
        for (c, text) in self.header_cells.drain(..) {
            names[c as usize] = text;
        }
        let dates = names.iter().map(|h| self.table.columns().iter().any(|c| c.kind == ColumnKind::Date && c.name.eq_ignore_ascii_case(h.trim()))).collect();
        self.current = vec![String::new(); width];
        self.header = Some(Header { names, dates });
        Ok(())
    }

    fn start(&mut self, row: u32) {
        self.row = row;
        self.current.iter_mut().for_each(String::clear);
    }

    /// Ends the row being gathered: a data row unless every cell is blank.
    fn flush(&mut self, budget: &mut RowBudget) -> Result<(), ReturnRejected> {
        let stray = self.stray.take();
        let added = self.records.push_row(self.current.iter().map(String::as_str), stray.is_some()).map_err(|full| full.rejected(self.file))?;
        if added {
            budget.take(self.file)?;
            if let Some((col, value)) = stray {
                self.strays.push(Stray { record: self.records.len() - 1, place: format!("column {}", column_label(col as usize)), value, more: self.more_strays });
            }
            self.rows.push(self.row + 1);
        }
        self.more_strays = 0;
        Ok(())
    }

    fn finish(mut self, budget: &mut RowBudget) -> Result<RawTable, ReturnRejected> {
        if self.header_row.is_none() {
            return Err(ReturnRejected::new(self.file, format!("{} is empty; it needs a header row naming its columns in row 1", self.file)));
        }
        if self.header.is_none() {
            self.fix_header()?;
        } else {
            self.flush(budget)?;
        }
        let names = self.header.take().expect("fixed").names;
        RawTable::from_rows(self.table, self.file.to_string(), names, self.records, self.rows, Some(self.strays), self.controls)
    }
}

/// The text of a cell as the submitter means it.
fn cell_text(cell: &DataRef, date_column: bool) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) if date_column => serial_date(*i as f64).unwrap_or_else(|| i.to_string()),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if date_column => serial_date(*f).unwrap_or_else(|| number_text(*f)),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            // Excel's phantom 1900-02-29 and other impossible dates stay visible as text and
            // fail validation (C03 / P04) with the value the submitter can find.
            format!("{y:04}-{m:02}-{d:02}")
        }
        DataRef::DateTime(dt) => number_text(dt.as_f64()),
        DataRef::Error(e) => format!("#{e:?}"),
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
        assert_eq!(cell_text(&DataRef::Float(14.0), false), "14");
        assert_eq!(cell_text(&DataRef::Float(14.5), false), "14.5");
        assert_eq!(cell_text(&DataRef::Int(7), false), "7");
        assert_eq!(cell_text(&DataRef::Float(45_000.0), true), "2023-03-15");
        assert_eq!(cell_text(&DataRef::Float(-1.0), true), "-1");
        assert_eq!(cell_text(&DataRef::String("2023-03-15".into()), true), "2023-03-15");
        assert_eq!(cell_text(&DataRef::SharedString("CR1"), false), "CR1");
        assert_eq!(cell_text(&DataRef::Empty, true), "");
    }

    #[test]
    fn garbage_is_f01_not_a_panic() {
        let e = parse_workbook("cumbria.xlsx", b"not a zip".to_vec(), &ReadLimits::default()).unwrap_err();
        assert!(e.message.starts_with("cumbria.xlsx is not a zip archive"), "{}", e.message);
        assert!(!e.message.contains("EOCD"), "{}", e.message);
    }
}
