//! Reading a force return (a CSV folder or an XLSX workbook) into four raw tables of text cells.
//!
//! Readers only turn bytes into trimmed text cells and map header names to the standard columns;
//! every judgement about values is validation's. A problem that makes a whole table unusable
//! (missing, unreadable, not UTF-8, a required column absent) is an `F01` [`ReturnRejected`].
//! Readers never hold more than the return needs: a workbook is read row by row, never as a
//! grid sized by its furthest cell, and every reader stops at the [`ReadLimits`] it is given.

pub mod archive;
mod csv_folder;
mod xlsx;

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
    /// Its text, capped for echoing ([`crate::text::capped`]).
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
        Row { columns: &self.columns, cells: &self.records, ends: self.records.record_ends(i) }
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
            out.push(Stray { record: i, place: place(p), value: crate::text::capped(v).into_owned(), more: found.count() });
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
    /// The row's mark and cell ends in [`Cells`].
    ends: &'a [u32],
}

impl<'a> Row<'a> {
    /// The trimmed text of a standard column (an index into the table's columns); blank when
    /// the column is absent or the row is short.
    #[inline]
    pub fn cell(&self, col: usize) -> &'a str {
        match self.columns[col] {
            Some(pos) => self.cells.in_record(self.ends, pos).unwrap_or(""),
            None => "",
        }
    }

    /// The cells of the standard columns, in order, into `out` (one per column): what
    /// [`Row::cell`] gives column by column, found in one pass.
    #[inline]
    pub fn cells_into(&self, out: &mut [&'a str]) {
        for (cell, column) in out.iter_mut().zip(self.columns) {
            *cell = column.and_then(|pos| self.cells.in_record(self.ends, pos)).unwrap_or("");
        }
    }
}

/// The cells of a table's data rows: a row of a return costs no allocation of its own (half a
/// million rows in a national collection made a million small ones).
///
/// A CSV file's text is kept whole as `base`, and the cells of its plain lines (most lines:
/// no quotes, nothing to trim) are read from it where they lie: such a line's commas end its
/// cells, so nothing is copied. Cells that must be changed (trimmed, unescaped) and every cell
/// of a workbook are copied into `text`, each followed by one separator byte. Copying every
/// line, as before, moved the 31 MB of a national collection a second time and touched as
/// many fresh pages. Positions are 4-byte offsets into `base` followed by `text`: a national
/// collection has about 4.7 million cells, so 8-byte ones wrote 19 MB more. A table is
/// limited to 4 GiB of text and 4 billion cells ([`CellsFull`]), far beyond any force's return.
#[derive(Debug, Clone)]
pub struct Cells {
    /// The file's text (empty for a workbook), set by [`Cells::with_base`] once it is read.
    base: String,
    /// Length of `base`: positions from here on are in `text`.
    base_len: usize,
    /// Copied cells, each followed by a separator byte.
    text: String,
    /// Per record: a mark (one before the position where its first cell starts, wrapping
    /// below 0), then the end of each of its cells. A cell starts one after the end before it.
    ends: Vec<u32>,
    /// Index in `ends` of each record's mark, and one past the last record.
    starts: Vec<u32>,
}

/// A table's cells passed 4 GiB of text or 4 billion cells (see [`Cells`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellsFull;

impl CellsFull {
    /// The `F01` sentence for a table this large.
    pub(crate) fn rejected(self, shown: &str) -> ReturnRejected {
        ReturnRejected::new(
            shown,
            format!("{shown} holds more than 4 GiB of text, far more than any force's return; check it is the right file and submit the return again"),
        )
    }
}

/// A byte that may begin or end text `str::trim` removes: an ASCII control or space, or any
/// byte of a multi-byte character (some are Unicode spaces). Plain cells rarely have one.
#[inline]
fn maybe_trimmed(b: u8) -> bool {
    b <= b' ' || b >= 0x80
}

impl Default for Cells {
    fn default() -> Cells {
        Cells::new()
    }
}

impl Cells {
    /// Cells that are all copied (a workbook's).
    pub fn new() -> Cells {
        Cells::for_file(0)
    }

    /// Cells of a file of `base_len` bytes of text, whose lines are given by position
    /// ([`Cells::push_line_at`]) and which is handed over when read ([`Cells::with_base`]).
    /// Room is made for its cells' ends (a cell with its delimiter is rarely under four bytes;
    /// memory reserved but never written costs nothing).
    pub fn for_file(base_len: usize) -> Cells {
        let mut starts = Vec::with_capacity(base_len / 16 + 2);
        starts.push(0);
        Cells { base: String::new(), base_len, text: String::new(), ends: Vec::with_capacity(base_len / 4 + base_len / 16 + 1), starts }
    }

    /// Hands over the file's text, whose lines were pushed by position.
    pub fn with_base(mut self, base: String) -> Cells {
        assert_eq!(base.len(), self.base_len, "the text whose lines were pushed");
        self.base = base;
        self
    }

    /// Begins a record whose first cell starts at `at`: its mark, or [`CellsFull`].
    fn mark(&mut self, at: usize) -> Result<(), CellsFull> {
        self.ends.push(position(at)?.wrapping_sub(1));
        Ok(())
    }

    /// Adds a record of cells (trimmed by the caller), copied, unless every cell is blank: such
    /// a row is not a data row. Returns whether it was added, or [`CellsFull`] (nothing added)
    /// when the table would pass its limits.
    pub fn push<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<bool, CellsFull> {
        self.push_row(cells, false)
    }

    /// [`Cells::push`], keeping the record even when every cell is blank when `keep` (a row
    /// whose only values lie outside the header is still a row, to be rejected with `F02`).
    pub fn push_row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>, keep: bool) -> Result<bool, CellsFull> {
        let (text_len, ends_len) = (self.text.len(), self.ends.len());
        if self.mark(self.base_len + text_len).is_err() {
            return Err(self.undo(text_len, ends_len));
        }
        let mut blank = true;
        for c in cells {
            blank &= c.is_empty();
            self.text.push_str(c);
            match position(self.base_len + self.text.len()) {
                Ok(end) => self.ends.push(end),
                Err(_) => return Err(self.undo(text_len, ends_len)),
            }
            self.text.push(',');
        }
        self.finish(text_len, ends_len, blank && !keep)
    }

    /// Adds the CSV line `line`, found at byte `at` of the file's text, as a record: its cells
    /// are the text between commas, trimmed. Same result as [`Cells::push`] of the trimmed
    /// cells; when no cell has a space or control character at either end (most lines), its
    /// cells are left where they lie in the file.
    pub fn push_line_at(&mut self, line: &str, at: usize) -> Result<bool, CellsFull> {
        let bytes = line.as_bytes();
        let (text_len, ends_len) = (self.text.len(), self.ends.len());
        debug_assert!(at + bytes.len() <= self.base_len, "a line of the file");
        let fits = position(at + bytes.len()).is_ok() && position(self.ends.len() + bytes.len() + 2).is_ok();
        let mut plain = fits;
        if fits {
            self.ends.push((at as u32).wrapping_sub(1));
            let mut from = 0;
            for end in memchr::memchr_iter(b',', bytes).chain(std::iter::once(bytes.len())) {
                if end > from && (maybe_trimmed(bytes[from]) || maybe_trimmed(bytes[end - 1])) {
                    plain = false;
                    break;
                }
                self.ends.push((at + end) as u32);
                from = end + 1;
            }
        }
        if !plain {
            self.ends.truncate(ends_len);
            return self.push(line.split(',').map(str::trim));
        }
        // Every cell is blank when the line is nothing but commas.
        let blank = self.ends.len() - ends_len == bytes.len() + 2;
        self.finish(text_len, ends_len, blank)
    }

    /// Ends the record begun at `text_len` and `ends_len`: kept, or taken back when blank.
    fn finish(&mut self, text_len: usize, ends_len: usize, blank: bool) -> Result<bool, CellsFull> {
        if blank {
            self.text.truncate(text_len);
            self.ends.truncate(ends_len);
            return Ok(false);
        }
        match position(self.ends.len()) {
            Ok(n) => self.starts.push(n),
            Err(_) => return Err(self.undo(text_len, ends_len)),
        }
        Ok(true)
    }

    #[cold]
    fn undo(&mut self, text_len: usize, ends_len: usize) -> CellsFull {
        self.text.truncate(text_len);
        self.ends.truncate(ends_len);
        CellsFull
    }

    /// Number of cells of record `i`, blank ones included.
    pub fn width(&self, i: usize) -> usize {
        self.record_ends(i).len() - 1
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Cell `pos` of record `i`, `None` past the record's last cell.
    #[inline]
    pub fn get(&self, i: usize, pos: usize) -> Option<&str> {
        self.in_record(self.record_ends(i), pos)
    }

    /// Record `i`'s mark and the ends of its cells.
    #[inline]
    fn record_ends(&self, i: usize) -> &[u32] {
        &self.ends[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    /// Cell `pos` of the record whose mark and ends are `ends`.
    #[inline]
    fn in_record(&self, ends: &[u32], pos: usize) -> Option<&str> {
        // After the record's mark.
        let to = *ends.get(pos + 1)? as usize;
        let from = ends[pos].wrapping_add(1) as usize;
        let b = self.base_len;
        // A cell in `text` ends after `base`, unless it is empty at its very start (then the
        // empty slice of `base` is the same cell).
        Some(if to <= b { &self.base[from..to] } else { &self.text[from - b..to - b] })
    }
}

/// A position in [`Cells`]' buffers as stored, or [`CellsFull`] past the 4-byte range.
#[inline]
fn position(n: usize) -> Result<u32, CellsFull> {
    u32::try_from(n).map_err(|_| CellsFull)
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl std::fmt::Display for ReturnRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
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

/// A short, plain reason for an I/O error: no OS error numbers.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "not found".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "it is a folder".into(),
        NotADirectory => "a part of the path is a file, not a folder".into(),
        StorageFull => "the disk is full".into(),
        ReadOnlyFilesystem => "the disk is read-only".into(),
        InvalidFilename => "the name is not a valid file name".into(),
        AlreadyExists => "it already exists".into(),
        TooManyLinks => "the path loops through links".into(),
        ResourceBusy => "it is in use".into(),
        Interrupted | TimedOut | WouldBlock => "it did not answer in time".into(),
        _ => {
            let text = e.to_string();
            // The operating system's number means nothing to a user.
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_lowercase(),
                None => text,
            }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::Cells;

    #[test]
    fn cells_keep_rows_apart_and_leave_out_blank_rows() {
        let mut c = Cells::new();
        assert_eq!(c.push(["a", "", "bc"]), Ok(true));
        assert_eq!(c.push(["", ""]), Ok(false), "a row of blank cells is not a data row");
        assert_eq!(c.push(["", "d"]), Ok(true));
        assert_eq!(c.len(), 2);
        assert_eq!([c.get(0, 0), c.get(0, 1), c.get(0, 2), c.get(0, 3)], [Some("a"), Some(""), Some("bc"), None]);
        assert_eq!([c.get(1, 0), c.get(1, 1), c.get(1, 2)], [Some(""), Some("d"), None]);
        assert!(Cells::default().is_empty());
    }

    proptest::proptest! {
        /// A CSV line left in the file gives the cells of its trimmed parts copied one by one.
        #[test]
        fn a_line_left_in_place_gives_its_trimmed_cells(lines in proptest::collection::vec("[a, \\t\u{a0}é\u{b}]{0,8}", 0..6)) {
            let file = lines.join("\n");
            let (mut in_place, mut copied) = (Cells::for_file(file.len()), Cells::new());
            let mut at = 0;
            for line in &lines {
                proptest::prop_assert_eq!(in_place.push_line_at(line, at), copied.push(line.split(',').map(str::trim)));
                at += line.len() + 1;
            }
            let in_place = in_place.with_base(file);
            proptest::prop_assert_eq!(in_place.len(), copied.len());
            for i in 0..in_place.len() {
                for c in 0..8 {
                    proptest::prop_assert_eq!(in_place.get(i, c), copied.get(i, c));
                }
            }
        }
    }

    #[test]
    fn positions_past_four_gib_are_refused_not_wrapped() {
        assert_eq!(super::position(u32::MAX as usize), Ok(u32::MAX));
        assert_eq!(super::position(u32::MAX as usize + 1), Err(super::CellsFull));
        let e = super::CellsFull.rejected("cumbria/crimes.csv");
        assert!(e.message.starts_with("cumbria/crimes.csv holds more than 4 GiB"), "{}", e.message);
    }
}
