//! Reading a force return (a CSV folder or an XLSX workbook) into four raw tables of text cells.
//!
//! Readers only turn bytes into trimmed text cells and map header names to the standard columns;
//! every judgement about values is validation's. A problem that makes a whole table unusable
//! (missing, unreadable, not UTF-8, a required column absent) is an `F01` [`ReturnRejected`].
//! Readers never hold more than the return needs: a workbook is read row by row, never as a
//! grid sized by its furthest cell, and every reader stops at the [`ReadLimits`] it is given.

pub mod archive;
mod cells;
mod csv_folder;
mod xlsx;

pub use cells::{Cells, CellsFull};

use std::path::Path;

use csae_model::{Force, Table};
use sha2::{Digest, Sha256};

use crate::source::{ReturnFormat, ReturnSource};

/// Columns a header may reach: the standard's dozen with a wide margin for a force's own extra
/// columns. A header reaching further is `F01`; it is a spreadsheet with a stray cell far out,
/// not a return.
pub const MAX_COLUMNS: usize = 256;

/// Cells one record may have: a worksheet's width. A CSV line with more is not a row of a
/// return (`F01`), and reading it on would cost memory for nothing.
pub const MAX_RECORD_CELLS: usize = 16_384;

/// Rows a worksheet can have (Excel's limit); a row reference beyond it is `F01`.
pub const MAX_SHEET_ROWS: u32 = 1_048_576;

/// What a reader may take in: rows of a return (all four tables) and bytes of its files
/// (uncompressed). Checked before the work where the size is known beforehand, and counted
/// while reading where it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    pub max_rows: u64,
    pub max_bytes: u64,
}

impl Default for ReadLimits {
    /// The command line's: no row limit but a worksheet's own, and the 4 GiB a table's text can
    /// hold ([`CellsFull`]).
    fn default() -> ReadLimits {
        ReadLimits { max_rows: u64::MAX, max_bytes: 4 << 30 }
    }
}

/// A value in a row under no column of the header (beyond its last column, or under a blank
/// header cell): rule `F02`, so that nothing a submitter sends is dropped without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// The record (data row index) it is in.
    pub record: usize,
    /// Where it is, as the submitter finds it: `column 14` (CSV) or `column XFD` (XLSX).
    pub place: String,
    /// Its text, capped for echoing ([`csae_model::text::capped`]).
    pub value: String,
    /// Further stray values in the same row.
    pub more: usize,
}

/// One table of a return as read: text cells, with the standard columns located in the header.
#[derive(Debug, Clone)]
pub struct RawTable {
    pub table: Table,
    /// How the submitter names this table in messages: `cumbria/crimes.csv` or
    /// `cumbria.xlsx, sheet crimes`.
    pub file: String,
    /// For each standard column of the table (in [`Table::columns`] order), its position in the
    /// records, or `None` when an optional column is absent from the header.
    pub columns: Vec<Option<usize>>,
    /// Header names that are not standard columns (ignored, reported as a notice).
    pub extra_columns: Vec<String>,
    /// The header as the submitter wrote it (trimmed), for the quarantine files.
    pub header: Vec<String>,
    /// The trimmed cells of every data row (blank rows already left out).
    pub records: Cells,
    /// Row number of each record as the submitter sees it (header = row 1).
    pub rows: Vec<u32>,
    /// Values under no column of the header, one per row that has any (`F02`).
    pub strays: Vec<Stray>,
    /// Some cell may hold a control character (`F03`); when false, none does and validation
    /// need not look.
    pub controls: bool,
}

impl RawTable {
    /// The text of standard column `col` in record `i` (empty when absent or blank). Readers
    /// trim cells as they read them.
    #[inline]
    pub fn cell(&self, i: usize, col: usize) -> &str {
        self.row(i).cell(col)
    }

    /// Data row `i`, for reading several of its cells: the row is found once.
    #[inline]
    pub fn row(&self, i: usize) -> Row<'_> {
        Row { columns: &self.columns, cells: &self.records, bounds: self.records.record(i) }
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Builds a table from a header and its data rows (first data row = row 2), locating the
    /// standard columns. Fails with an `F01` reason when a required column is missing, a
    /// header name is repeated or the header is wider than [`MAX_COLUMNS`]. `strays` are the
    /// values the reader found outside the header; `None` to find them in `records`.
    pub(crate) fn from_rows(
        table: Table,
        file: String,
        header: Vec<String>,
        records: Cells,
        rows: Vec<u32>,
        strays: Option<Vec<Stray>>,
        controls: bool,
    ) -> Result<RawTable, ReturnRejected> {
        let mut header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        // Blank cells after the last name are not columns.
        let width = header.iter().rposition(|h| !h.is_empty()).map_or(0, |p| p + 1);
        header.truncate(width);
        if width > MAX_COLUMNS {
            return Err(ReturnRejected::new(
                &file,
                format!(
                    "{file} has a header reaching column {}, far wider than the {} columns of the standard (at most {MAX_COLUMNS} are read); delete the columns and cells beyond the return's own and submit it again",
                    column_label(width - 1),
                    table.columns().len()
                ),
            ));
        }
        let mut columns = vec![None; table.columns().len()];
        let mut extra_columns = Vec::new();
        for (pos, name) in header.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            match table.columns().iter().position(|c| c.name.eq_ignore_ascii_case(name)) {
                Some(col) if columns[col].is_some() => {
                    return Err(ReturnRejected::new(
                        &file,
                        format!(
                            "{file}: column {} appears twice in the header; keep one column of each name and submit the return again",
                            table.columns()[col].name
                        ),
                    ));
                }
                Some(col) => columns[col] = Some(pos),
                None => extra_columns.push(name.clone()),
            }
        }
        if let Some(missing) = table.columns().iter().zip(&columns).find(|(c, p)| c.required && p.is_none()) {
            let name = missing.0.name;
            let message = match other_separator(table, &header) {
                Some(sep) => format!(
                    "{file} separates its columns with {sep}, not commas; save it as \"CSV UTF-8 (Comma delimited)\" (or set the list separator to a comma) and submit it again"
                ),
                None => format!("{file} lacks the required column {name}; add a header cell named {name} in row 1 and submit the return again"),
            };
            return Err(ReturnRejected::new(&file, message));
        }
        let strays = match strays {
            Some(s) => s,
            None => find_strays(&header, &records, |pos| format!("column {}", pos + 1)),
        };
        Ok(RawTable { table, file, columns, extra_columns, header, records, rows, strays, controls })
    }
}

/// `semicolons` or `tabs` when the header is one cell that those split into standard column
/// names: a file saved with another separator.
fn other_separator(table: Table, header: &[String]) -> Option<&'static str> {
    let [only] = header else { return None };
    [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")].into_iter().find_map(|(sep, name)| {
        let known = only.split(sep).filter(|h| table.columns().iter().any(|c| c.name.eq_ignore_ascii_case(h.trim()))).count();
        (known >= 2).then_some(name)
    })
}

/// The values of `records` outside the header (beyond its width, or under a blank name).
fn find_strays(header: &[String], records: &Cells, place: impl Fn(usize) -> String) -> Vec<Stray> {
    let blank: Vec<usize> = header.iter().enumerate().filter(|(_, h)| h.is_empty()).map(|(p, _)| p).collect();
    let mut out = Vec::new();
    for i in 0..records.len() {
        let beyond = (header.len()..records.width(i)).filter_map(|p| records.get(i, p).filter(|v| !v.is_empty()).map(|v| (p, v)));
        let under_blank = blank.iter().filter_map(|&p| records.get(i, p).filter(|v| !v.is_empty()).map(|v| (p, v)));
        let mut found = under_blank.chain(beyond);
        if let Some((p, v)) = found.next() {
            out.push(Stray { record: i, place: place(p), value: csae_model::text::capped(v).into_owned(), more: found.count() });
        }
    }
    out
}

/// A worksheet's name for the column at 0-based `pos`: `A`, `Z`, `AA`, `XFD`.
pub fn column_label(pos: usize) -> String {
    let mut n = pos + 1;
    let mut out = Vec::new();
    while n > 0 {
        let d = (n - 1) % 26;
        out.push(b'A' + d as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// One data row of a [`RawTable`].
#[derive(Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [Option<usize>],
    cells: &'a Cells,
    /// The row's start and cell ends in [`Cells`].
    bounds: &'a [u32],
}

impl<'a> Row<'a> {
    /// The trimmed text of a standard column (an index into the table's columns); blank when
    /// the column is absent or the row is short.
    #[inline]
    pub fn cell(&self, col: usize) -> &'a str {
        match self.columns[col] {
            Some(pos) => self.cells.in_record(self.bounds, pos).unwrap_or(""),
            None => "",
        }
    }

    /// The cells of the standard columns, in order, into `out` (one per column): what
    /// [`Row::cell`] gives column by column, found in one pass.
    #[inline]
    pub fn cells_into(&self, out: &mut [&'a str]) {
        for (cell, column) in out.iter_mut().zip(self.columns) {
            *cell = column.and_then(|pos| self.cells.in_record(self.bounds, pos)).unwrap_or("");
        }
    }
}

/// A source file of a return and its SHA-256, for the dataset manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceFile {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A force return as read, before validation.
#[derive(Debug, Clone)]
pub struct RawReturn {
    pub force: &'static Force,
    /// E.g. `cumbria/ (csv)` or `cumbria.xlsx (xlsx)`.
    pub source: String,
    /// Crimes, victims, suspects, relationships: in [`Table::ALL`] order.
    pub tables: Vec<RawTable>,
    pub files: Vec<SourceFile>,
}

impl RawReturn {
    pub fn table(&self, t: Table) -> &RawTable {
        &self.tables[t as usize]
    }
}

/// `F01`: the whole return is rejected, with one sentence naming the file (and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReturnRejected {
    pub file: String,
    pub message: String,
    /// The return passed a [`ReadLimits`] limit (the portal answers 413), rather than being
    /// unreadable.
    pub over_limit: bool,
}

impl ReturnRejected {
    pub fn new(file: &str, message: String) -> Self {
        ReturnRejected { file: file.to_string(), message, over_limit: false }
    }

    /// A return larger than the reader may take in.
    pub fn over_limit(file: &str, message: String) -> Self {
        ReturnRejected { file: file.to_string(), message, over_limit: true }
    }
}

/// Reads one return with the command line's limits. Errors are `F01`: nothing of the return is
/// usable.
pub fn read_return(src: &ReturnSource) -> Result<RawReturn, ReturnRejected> {
    read_return_within(src, &ReadLimits::default())
}

/// Reads one return, stopping at `limits`.
pub fn read_return_within(src: &ReturnSource, limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    match src.format {
        ReturnFormat::Csv => csv_folder::from_path(src, limits),
        ReturnFormat::Xlsx => xlsx::from_path(src, limits),
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Opens `path` for reading only if it is a regular file (a link to one is fine): a named pipe
/// or device would block the reader or never end. Opened without blocking, then checked, so
/// nothing can be swapped in between.
pub(crate) fn open_regular(path: &Path, shown: &str) -> Result<(std::fs::File, u64), ReturnRejected> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        ReturnRejected::new(shown, format!("{shown} cannot be read ({}); check the file exists and is readable, then run again", io_reason(&e)))
    })?;
    let meta = file.metadata().map_err(|e| ReturnRejected::new(shown, format!("{shown} cannot be read ({})", io_reason(&e))))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not an ordinary file (a named pipe, device or socket)" };
        return Err(ReturnRejected::new(shown, format!("{shown} is {what}; give the return's data as ordinary files and run again")));
    }
    Ok((file, meta.len()))
}

/// The whole of a regular file, refused past `max_bytes`.
pub(crate) fn read_file(path: &Path, shown: &str, max_bytes: u64) -> Result<Vec<u8>, ReturnRejected> {
    use std::io::Read as _;
    let (file, len) = open_regular(path, shown)?;
    if len > max_bytes {
        return Err(too_many_bytes(shown, len, max_bytes));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grows while it is read is still cut at the limit.
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(|e| {
        ReturnRejected::new(shown, format!("{shown} cannot be read ({}); check the file is readable, then run again", io_reason(&e)))
    })?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_many_bytes(shown, bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

/// A return's files larger than [`ReadLimits::max_bytes`].
pub(crate) fn too_many_bytes(shown: &str, bytes: u64, max: u64) -> ReturnRejected {
    ReturnRejected::over_limit(
        shown,
        format!("{shown} holds {} of data, more than the {} a return may have here; check it is the right file", size_text(bytes), size_text(max)),
    )
}

/// A size for people: `360 MB`, `4 GB`.
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= 10 * 1024 * MB {
        format!("{} GB", bytes / (1024 * MB))
    } else if bytes >= MB {
        format!("{} MB", bytes.div_ceil(MB))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

pub use csae_dataset::io_reason;

/// A return from the bytes of its four CSV files (in `Table::ALL` order), as uploaded, with
/// the command line's limits. `name` is how the return is shown in messages, e.g. `cumbria/`.
pub fn return_from_csv_bytes(force: &'static Force, name: &str, files: [&[u8]; 4]) -> Result<RawReturn, ReturnRejected> {
    csv_folder::from_bytes(force, name, files.map(<[u8]>::to_vec), &ReadLimits::default())
}

/// A return from its four CSV files' bytes, taken (each file's text becomes its table's cells
/// without a copy), read within `limits`.
pub fn return_from_csv_files(force: &'static Force, name: &str, files: [Vec<u8>; 4], limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    csv_folder::from_bytes(force, name, files, limits)
}

/// A return from the bytes of an XLSX workbook, as uploaded, with the command line's limits.
/// `name` is e.g. `cumbria.xlsx`.
pub fn return_from_xlsx_bytes(force: &'static Force, name: &str, bytes: Vec<u8>) -> Result<RawReturn, ReturnRejected> {
    xlsx::from_bytes(force, name, bytes, &ReadLimits::default())
}

/// [`return_from_xlsx_bytes`] within `limits`.
pub fn return_from_xlsx_within(force: &'static Force, name: &str, bytes: Vec<u8>, limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    xlsx::from_bytes(force, name, bytes, limits)
}

/// A reader's count of data rows against [`ReadLimits::max_rows`], across a return's tables.
pub(crate) struct RowBudget {
    left: u64,
    max: u64,
}

impl RowBudget {
    pub(crate) fn new(limits: &ReadLimits) -> RowBudget {
        RowBudget { left: limits.max_rows, max: limits.max_rows }
    }

    /// One more data row of `shown`, or the refusal once there are more than allowed.
    #[inline]
    pub(crate) fn take(&mut self, shown: &str) -> Result<(), ReturnRejected> {
        if self.left == 0 {
            return Err(ReturnRejected::over_limit(
                shown,
                format!("{shown} has more rows than the {} a return may have here; check it is the right file", self.max),
            ));
        }
        self.left -= 1;
        Ok(())
    }
}
