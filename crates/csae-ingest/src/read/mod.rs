//! Reading a force return (a CSV folder or an XLSX workbook) into four raw tables of text cells.
//!
//! Readers only turn bytes into trimmed text cells and map header names to the standard columns;
//! every judgement about values is validation's. A problem that makes a whole table unusable
//! (missing, unreadable, not UTF-8, a required column absent) is an `F01` [`ReturnRejected`].

mod csv_folder;
mod xlsx;

use std::path::Path;

use csae_model::{Force, Table};
use sha2::{Digest, Sha256};

use crate::source::{ReturnFormat, ReturnSource};

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
    /// standard columns. Fails with an `F01` reason when a required column is missing or a
    /// header name is repeated.
    pub(crate) fn from_rows(
        table: Table,
        file: String,
        header: Vec<String>,
        records: Cells,
        rows: Vec<u32>,
    ) -> Result<RawTable, ReturnRejected> {
        let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
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
            return Err(ReturnRejected::new(
                &file,
                format!(
                    "{file} lacks the required column {}; add a header cell named {} in row 1 and submit the return again",
                    missing.0.name, missing.0.name
                ),
            ));
        }
        Ok(RawTable { table, file, columns, extra_columns, header, records, rows })
    }
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
        self.finish(text_len, ends_len, blank)
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
}

impl ReturnRejected {
    pub fn new(file: &str, message: String) -> Self {
        ReturnRejected { file: file.to_string(), message }
    }
}

impl std::fmt::Display for ReturnRejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads one return. Errors are `F01`: nothing of the return is usable.
pub fn read_return(src: &ReturnSource) -> Result<RawReturn, ReturnRejected> {
    match src.format {
        ReturnFormat::Csv => csv_folder::read(src),
        ReturnFormat::Xlsx => xlsx::read(src),
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn read_file(path: &Path, shown: &str) -> Result<Vec<u8>, ReturnRejected> {
    std::fs::read(path).map_err(|e| {
        ReturnRejected::new(shown, format!("{shown} cannot be read ({}); check the file exists and is readable, then run again", io_reason(&e)))
    })
}

/// A short, stable reason for an I/O error (no OS error numbers).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "not found".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "it is a folder".into(),
        _ => e.to_string(),
    }
}


/// A return from the bytes of its four CSV files (in `Table::ALL` order), as uploaded.
/// `name` is how the return is shown in messages, e.g. `cumbria/`.
pub fn return_from_csv_bytes(force: &'static Force, name: &str, files: [&[u8]; 4]) -> Result<RawReturn, ReturnRejected> {
    return_from_csv_files(force, name, files.map(<[u8]>::to_vec))
}

/// [`return_from_csv_bytes`], taking the files' bytes: each file's text becomes its table's
/// cells without a copy.
pub fn return_from_csv_files(force: &'static Force, name: &str, files: [Vec<u8>; 4]) -> Result<RawReturn, ReturnRejected> {
    let mut tables = Vec::with_capacity(4);
    let mut sources = Vec::with_capacity(4);
    for (table, bytes) in Table::ALL.into_iter().zip(files) {
        let file = format!("{}.csv", table.name());
        sources.push(SourceFile { name: file.clone(), sha256: sha256_hex(&bytes), bytes: bytes.len() as u64 });
        tables.push(csv_folder::parse(table, format!("{name}{file}"), bytes)?);
    }
    Ok(RawReturn { force, source: format!("{name} (csv)"), tables, files: sources })
}

/// A return from the bytes of an XLSX workbook, as uploaded. `name` is e.g. `cumbria.xlsx`.
pub fn return_from_xlsx_bytes(force: &'static Force, name: &str, bytes: Vec<u8>) -> Result<RawReturn, ReturnRejected> {
    let files = vec![SourceFile { name: name.to_string(), sha256: sha256_hex(&bytes), bytes: bytes.len() as u64 }];
    let tables = xlsx::parse_workbook(name, bytes)?;
    Ok(RawReturn { force, source: format!("{name} (xlsx)"), tables, files })
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
