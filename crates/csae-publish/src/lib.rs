//! The publication folder of `csae report`: `headline.json`, `tables/<id>.csv` (with long
//! versions and `metadata.json`), the accessible workbook `tables.xlsx`, the self-contained
//! `report.html` and `README.txt`. The folder is built
//! in a staging folder and swapped in whole, so a reader never sees half a publication.
//! [`publish`] runs the whole way from a dataset; the writers take what it computed.

mod charts;
mod context;
pub mod csv_tables;
mod folder;
pub mod html;
pub mod numbers;
mod pipeline;
pub mod release;
mod revisions;
pub mod workbook;

pub use context::Context;
pub use csv_tables::{cell_text, long_csv, table_cell, table_csv};
pub use release::{ReleaseOptions, SYNTHETIC};
pub use folder::write;
pub use pipeline::{PublishError, PublishOptions, Published, publish};

/// How values are shown: exact (internal) or after disclosure control (public).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// After disclosure control, for the public (OFFICIAL).
    Public,
    /// Exact, for national analysts (OFFICIAL-SENSITIVE).
    Internal,
}

impl Mode {
    /// The protective marking every file of the publication carries.
    pub fn marking(self) -> &'static str {
        match self {
            Mode::Public => "OFFICIAL",
            Mode::Internal => "OFFICIAL-SENSITIVE",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::Public => "public",
            Mode::Internal => "internal",
        }
    }
}

/// The GSS symbols used, with their meaning, for every output that explains them.
pub const SYMBOLS: [(&str, &str); 4] = [
    ("[c]", "withheld to protect confidentiality (a count from 1 to the minimum cell size, or a cell that would let one be worked out)"),
    ("[x]", "not available"),
    ("[z]", "not applicable (no denominator)"),
    ("[low]", "a percentage that rounds to zero but is not zero"),
];
