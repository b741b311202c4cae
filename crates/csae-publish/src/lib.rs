//! Writes the publication folder of `csae report`: `headline.json` and `tables/<id>.csv`
//! (wide, codes and labels, `Total` row and column for count tables). The folder is built in
//! a staging folder and swapped in whole, so a reader never sees half a publication.

use std::path::Path;

use csae_analysis::{Kind, Table};
use csae_ingest::dataset::store;

/// How values are shown: exact (internal) or after disclosure control (public).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// After disclosure control, for the public (OFFICIAL).
    Public,
    /// Exact, for national analysts (OFFICIAL-SENSITIVE).
    Internal,
}

impl Mode {
    pub fn marking(self) -> &'static str {
        match self {
            Mode::Public => "OFFICIAL",
            Mode::Internal => "OFFICIAL-SENSITIVE",
        }
    }
}

/// One cell as published: counts as whole numbers; percentages to one decimal place
/// (internal) or whole numbers (public); GSS symbols `[c]` (withheld for confidentiality) and
/// `[z]` (not applicable: no denominator).
pub fn cell_text(kind: Kind, v: Option<f64>, suppressed: bool, mode: Mode) -> String {
    match (kind, v) {
        _ if suppressed => "[c]".into(),
        (_, None) => "[z]".into(),
        (Kind::Percent, Some(x)) if mode == Mode::Public => format!("{}", x.round() as i64),
        (Kind::Percent, Some(x)) => format!("{x:.1}"),
        (_, Some(x)) => format!("{}", x.round() as i64),
    }
}

/// A table as CSV: `<row dimension>,label,<column codes…>`, one line per row.
pub fn table_csv(t: &Table, mode: Mode) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![t.row_name.clone(), "label".into()];
    header.extend(t.cols.iter().map(|(c, _)| c.clone()));
    w.write_record(&header).expect("write to memory");
    for (r, ((code, label), row)) in t.rows.iter().zip(&t.values).enumerate() {
        let mut rec = vec![code.clone(), label.clone()];
        rec.extend(row.iter().enumerate().map(|(c, v)| cell_text(t.kind, *v, t.suppressed.get(r).is_some_and(|s| s[c]), mode)));
        w.write_record(&rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Writes the publication into `out`, replacing an earlier publication there atomically.
pub fn write(out: &Path, headline: &serde_json::Value, tables: &[Table], mode: Mode) -> std::io::Result<()> {
    if out.exists() && !out.join("headline.json").exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(std::io::Error::other(format!("{} exists and is not a csae publication; give a new or empty folder for --out", out.display())));
    }
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let _lock = store::lock(out)?;
    store::recover(out)?;
    let stage = store::staging(out)?;
    std::fs::create_dir_all(stage.join("tables"))?;
    let json = serde_json::to_string_pretty(headline).expect("headline serialises");
    store::write_durable(&stage.join("headline.json"), json.as_bytes())?;
    for t in tables {
        store::write_durable(&stage.join("tables").join(format!("{}.csv", t.id)), &table_csv(t, mode))?;
    }
    let readme = format!(
        "{marking}\n\nNational snapshot of police-recorded child sexual abuse and exploitation (CSAE), {from} to {to}.\n\
         headline.json: the headline figures; tables/: one CSV per table (codes, labels, values).\n\
         Symbols: [c] withheld to protect confidentiality; [z] not applicable (no denominator).\n\
         {mode_note}\n",
        marking = mode.marking(),
        from = headline["period"]["from"].as_str().unwrap_or(""),
        to = headline["period"]["to"].as_str().unwrap_or(""),
        mode_note = match mode {
            Mode::Public => "Public mode: counts from 1 to the minimum cell size are withheld, with further cells withheld so none can be worked out (audited exactly).",
            Mode::Internal => "Internal mode: exact figures for national analysts, not for publication.",
        }
    );
    store::write_durable(&stage.join("README.txt"), readme.as_bytes())?;
    if out.exists() && !out.join("headline.json").exists() {
        std::fs::remove_dir(out)?;
    }
    store::commit(&stage, out)
}
