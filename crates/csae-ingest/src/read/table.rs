//! A return as read: four tables of text cells with the standard columns located in each
//! header, and the values found outside the header (`F02`).

use csae_model::{Force, Table};

use super::{Cells, MAX_COLUMNS};

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

    /// Whether `csae synth` made this return: any crime reference carries its mark
    /// ([`csae_model::SYNTHETIC_REF_PREFIX`]), rejected rows included.
    pub fn synthetic(&self) -> bool {
        let crimes = self.table(Table::Crimes);
        let col = Table::Crimes.column_index("crime_ref").expect("crimes have crime_ref");
        (0..crimes.len()).any(|i| csae_model::is_synthetic_ref(crimes.cell(i, col)))
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

