//! The csae data standard (`csae.return/1`) as code: the 44 forces, the offence catalogue, the
//! code lists, the columns of the four tables, strict dates and the age bands, and how a
//! submitter's text is made safe to echo (`text`).
//!
//! The reference data lives in `reference/*.csv` (copied from the national reference set) and is
//! compiled into the binary with `include_str!`, so every tool agrees on one catalogue and no
//! file has to be found at run time. This crate does no I/O.

pub mod ages;
pub mod codes;
pub mod columns;
pub mod dates;
pub mod forces;
pub mod nationality;
pub mod offences;
pub mod population;
pub mod reference;
pub mod text;

pub use codes::{CodeList, code_list};
pub use columns::{Column, ColumnKind, Table};
pub use forces::{Force, force, forces};
pub use offences::{Offence, offence, offences};
pub use population::Population;

/// Schema version of a force return, as written in the data standard.
pub const RETURN_SCHEMA: &str = "csae.return/1";

/// How `csae synth` marks its returns: every crime reference starts with this. A return with
/// any such reference is synthetic, and so is every publication built with it; the mark is in
/// the data itself, so it survives a return being re-saved in another format.
pub const SYNTHETIC_REF_PREFIX: &str = "SYN-";

/// Whether a crime reference is one `csae synth` made ([`SYNTHETIC_REF_PREFIX`]).
pub fn is_synthetic_ref(crime_ref: &str) -> bool {
    crime_ref.starts_with(SYNTHETIC_REF_PREFIX)
}
