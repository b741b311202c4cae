//! Writes the publication folder, replacing an earlier publication there atomically.

use std::path::Path;

use csae_analysis::Table;
use csae_dataset::store;

use crate::{Context, Mode};

/// What a publication folder holds; anything else in it is a user's and is never replaced.
const OWNED: &[&str] = &["headline.json", "sources.json", "tables.xlsx", "report.html", "README.txt", "tables"];

/// Why `out` cannot take a publication: it holds something that is not one (a user's file in
/// an earlier publication would be lost when it is replaced).
pub fn check_out(out: &Path) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot use {} for the publication ({}); choose a writable folder for --out", out.display(), csae_dataset::io_reason(&e));
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(format!("{} is a file, not a folder; give a folder for --out", out.display()));
    }
    if !out.join("headline.json").exists() {
        if std::fs::read_dir(out).map_err(cannot)?.next().is_some() {
            return Err(format!("{} exists and is not a csae publication; give a new or empty folder for --out", out.display()));
        }
        return Ok(());
    }
    let mut foreign = store::foreign_entries(out, OWNED).map_err(cannot)?;
    if out.join("tables").is_dir() {
        let tables = store::foreign_entries(&out.join("tables"), &["metadata.json", "long"]).map_err(cannot)?;
        foreign.extend(tables.into_iter().filter(|n| !n.ends_with(".csv")).map(|n| format!("tables/{n}")));
    }
    if out.join("tables/long").is_dir() {
        let long = store::foreign_entries(&out.join("tables/long"), &[]).map_err(cannot)?;
        foreign.extend(long.into_iter().filter(|n| !n.ends_with(".csv")).map(|n| format!("tables/long/{n}")));
    }
    if !foreign.is_empty() {
        return Err(store::foreign_refusal(out, "publication", &foreign));
    }
    Ok(())
}

pub fn write(out: &Path, headline: &serde_json::Value, tables: &[Table], ctx: &Context) -> std::io::Result<()> {
    check_out(out).map_err(std::io::Error::other)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let _lock = store::lock(out)?;
    store::recover(out)?;
    let stage = store::staging(out)?;
    std::fs::create_dir_all(stage.join("tables/long"))?;
    // The files are made in parallel (the workbook and the page take longest), then written
    // and made durable together.
    let json = serde_json::to_string_pretty(headline).expect("headline serialises");
    let (workbook, html) = std::thread::scope(|s| {
        let wb = s.spawn(|| crate::workbook::workbook(tables, ctx));
        let html = crate::html::report(headline, tables, ctx);
        (wb.join().expect("the workbook thread does not panic"), html)
    });
    let workbook = workbook.map_err(|e| std::io::Error::other(format!("the workbook cannot be written ({e})")))?;
    let mut files = vec![
        (stage.join("headline.json"), json.into_bytes()),
        (stage.join("sources.json"), sources_json(ctx).into_bytes()),
        (stage.join("tables.xlsx"), workbook),
        (stage.join("report.html"), html.into_bytes()),
        (stage.join("README.txt"), readme(ctx).into_bytes()),
    ];
    files.extend(tables.iter().map(|t| (stage.join("tables").join(format!("{}.csv", t.id)), crate::table_csv(t, ctx))));
    files.extend(tables.iter().map(|t| (stage.join("tables/long").join(format!("{}.csv", t.id)), crate::long_csv(t, ctx))));
    let metadata = serde_json::to_string_pretty(&crate::csv_tables::metadata_json(tables, ctx)).expect("metadata serialises");
    files.push((stage.join("tables/metadata.json"), metadata.into_bytes()));
    store::write_all_durable(&stage, &files)?;
    if out.exists() && !out.join("headline.json").exists() {
        std::fs::remove_dir(out)?;
    }
    store::commit(&stage, out)
}

/// `sources.json` with the publication's marking, as every file carries it.
fn sources_json(ctx: &Context) -> String {
    let mut sources = ctx.sources.clone();
    sources["marking"] = serde_json::Value::from(ctx.marking());
    serde_json::to_string_pretty(&sources).expect("sources serialise")
}

fn readme(ctx: &Context) -> String {
    let symbols: String = crate::SYMBOLS.iter().map(|(s, m)| format!("  {s} {m}\n")).collect();
    let release: String = ctx.release.items(ctx.returns).iter().map(|(h, t)| format!("{h}: {t}\n")).collect();
    let synthetic = if ctx.synthetic { format!("{}\nThis publication was built from synthetic data made by csae synth, for demonstration and testing. None of its figures describe real crimes.\n\n", crate::SYNTHETIC) } else { String::new() };
    format!(
        "{marking}\n\n{synthetic}{title}\n\n{release}\n\
         report.html: the report (key findings, charts, methodology); open it in any browser, it needs no network.\n\
         tables.xlsx: every table as an accessible workbook (cover, contents, notes, one table per sheet).\n\
         headline.json: the headline figures (csae.headline/1).\n\
         sources.json: the force returns the publication was built from: per force and period, each file's name and SHA-256.\n\
         tables/<id>.csv: one CSV per table (codes, labels, values); the first line is the header.\n\
         tables/long/<id>.csv: the same tables in long form, one row per cell (codes, labels, value, status).\n\
         tables/metadata.json: titles, columns and datatypes of every CSV file (CSV on the Web), with the marking and the symbols.\n\n\
         Symbols:\n{symbols}\n{mode_note}\n\n{marking}\n",
        marking = ctx.marking(),
        title = ctx.title(),
        mode_note = match ctx.mode {
            Mode::Public => format!("Public mode: counts from 1 to {} are withheld, with further cells withheld so none can be worked out (audited exactly).", ctx.min_cell - 1),
            Mode::Internal => "Internal mode: exact figures for national analysts, not for publication.".to_string(),
        }
    )
}
