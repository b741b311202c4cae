//! The quarantine files of a return (`csae_dataset::quarantine_prefix`): the rejected rows of a return exactly as the force sent
//! them, with their row numbers and rule codes, and every issue. As sensitive as the input.

use csae_model::Table;

use crate::rules::Rule;
use crate::validate::Validated;

/// The files of a return's quarantine folder: one CSV per table with rejected rows, and
/// `issues.csv` listing every rejection and warning.
pub fn files(v: &Validated) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for t in Table::ALL {
        let raw = v.raw.table(t);
        let mut rows = v.rejected_rows(t).peekable();
        if rows.peek().is_none() {
            continue;
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = ["row", "rules"].into_iter().map(str::to_string).chain(raw.header.iter().cloned());
        w.write_record(header).expect("write to memory");
        for (i, mask) in rows {
            let rules: Vec<&str> = Rule::in_mask(mask).map(Rule::code).collect();
            let mut rec = vec![raw.rows[i].to_string(), rules.join(" ")];
            rec.extend((0..raw.header.len()).map(|c| raw.records.get(i, c).unwrap_or("").to_string()));
            w.write_record(&rec).expect("write to memory");
        }
        out.push((format!("{}.csv", t.name()), w.into_inner().expect("flush to memory")));
    }
    if !v.issues.is_empty() {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["table", "row", "rule", "severity", "column", "message"]).expect("write to memory");
        for i in &v.issues {
            let sev = match i.severity {
                crate::Severity::Error => "error",
                crate::Severity::Warning => "warning",
            };
            w.write_record([i.table.name(), &i.row.to_string(), i.rule.code(), sev, i.column.unwrap_or(""), &i.message]).expect("write to memory");
        }
        out.push(("issues.csv".into(), w.into_inner().expect("flush to memory")));
    }
    out
}
