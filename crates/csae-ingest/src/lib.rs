//! Force returns in, the pseudonymised dataset out: find and read returns (CSV folders, XLSX
//! workbooks, collection folders), validate them with the data standard's rule codes, and
//! write accepted rows as Parquet with rejected rows quarantined.

pub mod read;
pub mod report;
pub mod rules;
pub mod source;
pub mod validate;

pub use read::{RawReturn, ReturnRejected, read_return};
pub use rules::{Rule, Severity};
pub use source::{InputError, ReturnSource, Skipped, find_returns};
pub use validate::{ValidateOptions, Validated, validate};
