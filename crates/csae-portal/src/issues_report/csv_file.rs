//! `issues.csv`: one line per issue, the header first (as the publication's CSV files), RFC 4180
//! quoting by the `csv` crate, and every field a spreadsheet would run as a formula written
//! with a leading `'`.

use std::borrow::Cow;

use super::{IssueReport, formula_like, severity_name};

/// The header; `value` only in the copy for the force's own users.
pub const HEADER: [&str; 8] = ["table", "row", "column", "rule", "severity", "message", "how_to_fix", "value"];

/// A field as written: formula-like text gets a leading `'`, so a spreadsheet shows it as text.
fn field(s: &str) -> Cow<'_, str> {
    if formula_like(s) { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

/// The report as CSV bytes (UTF-8).
pub fn csv(r: &IssueReport) -> Vec<u8> {
    let n = if r.with_values { HEADER.len() } else { HEADER.len() - 1 };
    let mut w = csv::Writer::from_writer(Vec::with_capacity(256 * (r.issues.len() + 1)));
    // Writing to memory cannot fail; the records all have `n` fields.
    w.write_record(&HEADER[..n]).expect("a CSV header is written to memory");
    for i in &r.issues {
        let row = i.row.to_string();
        let mut rec: Vec<Cow<str>> = vec![
            Cow::Borrowed(i.table.name()),
            Cow::Borrowed(row.as_str()),
            Cow::Borrowed(i.column.unwrap_or("")),
            Cow::Borrowed(i.rule.code()),
            Cow::Borrowed(severity_name(i.severity)),
            field(&i.message),
            Cow::Borrowed(i.rule.how_to_fix()),
        ];
        if r.with_values {
            rec.push(field(i.value.as_deref().unwrap_or("")));
        }
        w.write_record(rec.iter().map(|c| c.as_bytes())).expect("a CSV record is written to memory");
    }
    w.into_inner().expect("a CSV in memory is flushed")
}
