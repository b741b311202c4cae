//! Reading a force return (a CSV folder or an XLSX workbook) into four raw tables of text cells.
//!
//! Readers only turn bytes into trimmed text cells and map header names to the standard columns;
//! every judgement about values is validation's. A problem that makes a whole table unusable
//! (missing, unreadable, not UTF-8, a required column absent) is an `F01` [`ReturnRejected`].
//! Readers never hold more than the return needs: a workbook is read row by row, never as a
//! grid sized by its furthest cell, and every reader stops at the [`ReadLimits`] it is given.
//! This module only dispatches to the reader of each form.

pub mod archive;
mod cells;
mod csv_folder;
mod files;
mod limits;
mod table;
mod xlsx;

pub use cells::{Cells, CellsFull};
pub use limits::{MAX_COLUMNS, MAX_RECORD_CELLS, MAX_SHEET_ROWS, ReadLimits, size_text};
pub use table::{RawReturn, RawTable, ReturnRejected, Row, SourceFile, Stray, column_label};

use csae_model::Force;

use crate::source::{ReturnFormat, ReturnSource};

pub use csae_dataset::io_reason;

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

