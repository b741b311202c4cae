//! Writes the publication folder, replacing an earlier publication there atomically.

use std::path::Path;

use csae_analysis::Table;
use csae_ingest::dataset::store;

use crate::{Context, Mode};

pub fn write(out: &Path, headline: &serde_json::Value, tables: &[Table], ctx: &Context) -> std::io::Result<()> {
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
        store::write_durable(&stage.join("tables").join(format!("{}.csv", t.id)), &crate::table_csv(t, ctx))?;
    }
    let workbook = crate::workbook::workbook(tables, ctx).map_err(|e| std::io::Error::other(format!("the workbook cannot be written ({e})")))?;
    store::write_durable(&stage.join("tables.xlsx"), &workbook)?;
    store::write_durable(&stage.join("report.html"), crate::html::report(headline, tables, ctx).as_bytes())?;
    store::write_durable(&stage.join("README.txt"), readme(ctx).as_bytes())?;
    if out.exists() && !out.join("headline.json").exists() {
        std::fs::remove_dir(out)?;
    }
    store::commit(&stage, out)
}

fn readme(ctx: &Context) -> String {
    let symbols: String = crate::SYMBOLS.iter().map(|(s, m)| format!("  {s} {m}\n")).collect();
    format!(
        "{marking}\n\nNational snapshot of police-recorded child sexual abuse and exploitation (CSAE), {from} to {to}.\n\n\
         report.html: the report (key findings, charts, methodology); open it in any browser, it needs no network.\n\
         tables.xlsx: every table as an accessible workbook (cover, contents, notes, one table per sheet).\n\
         headline.json: the headline figures (csae.headline/1).\n\
         tables/: one CSV per table (codes, labels, values); the first line is a '#' comment with the marking.\n\n\
         Symbols:\n{symbols}\n{mode_note}\n\n{marking}\n",
        marking = ctx.mode.marking(),
        from = ctx.from,
        to = ctx.to,
        mode_note = match ctx.mode {
            Mode::Public => format!("Public mode: counts from 1 to {} are withheld, with further cells withheld so none can be worked out (audited exactly).", ctx.min_cell - 1),
            Mode::Internal => "Internal mode: exact figures for national analysts, not for publication.".to_string(),
        }
    )
}
