//! `tables.xlsx`: the tables as an accessible workbook following the Government Statistical
//! Service guidance "Releasing statistics in spreadsheets": a cover sheet, a contents sheet
//! linking to every table, a notes sheet, then one table per sheet. Each sheet has its title in
//! A1 and a few lines of context in column A above the table; each table is a marked-up Excel
//! table with one header row, no merged cells, no blank rows or columns, numbers stored as
//! numbers and GSS symbols (`[c]`, `[z]`) as text where a number cannot be shown.

use csae_analysis::{Kind, Table};
use rust_xlsxwriter::{DocProperties, Format, Table as XlTable, TableColumn, Url, Workbook, Worksheet, XlsxError};

use crate::Context;

/// Row (0-based) where each table sheet's header row is written: below the title (A1) and
/// the lines describing the sheet.
pub const TABLE_HEADER_ROW: u32 = 5;

/// The name of a table's worksheet: short, unique, at most 31 characters (`T08`, `T08_pct`).
pub fn sheet_name(table_id: &str) -> String {
    let short = table_id.split('_').next().unwrap_or(table_id);
    if table_id.ends_with("_pct") { format!("{short}_pct") } else { short.to_string() }
}

/// The notes every table refers to, numbered `[note 1]` … as the guidance asks.
pub fn notes(ctx: &Context) -> Vec<String> {
    let mut n = vec![
        format!("The period is {} to {}: crimes recorded by the police in that period (recorded date), whatever the date of the offence.", ctx.from, ctx.to),
        format!("A crime is group-based when {} or more suspects are recorded for it, including suspects not identified.", ctx.min_suspects),
        "The category of a group-based crime is the one the force recorded; where none was recorded it is derived from the relationships between suspects and victims (see the methodology in report.html).".to_string(),
        match ctx.ethnicity.as_str() {
            "officer-fallback" => "Ethnicity is self-defined; where that is not recorded, the ethnicity observed by the officer is used.".to_string(),
            _ => "Ethnicity is self-defined ethnicity only; ethnicity observed by an officer is not used.".to_string(),
        },
        "Person figures count records (one per person per crime), not distinct people: a person involved in several crimes is counted once for each.".to_string(),
    ];
    n.push(match ctx.mode {
        crate::Mode::Public => format!(
            "Disclosure control: counts from 1 to {} are withheld and shown [c], with further cells withheld so that none can be worked out from the totals; every withheld cell is checked by an exact audit. Percentages are rounded to whole numbers and withheld when their numerator is withheld or their denominator is below {}.",
            ctx.min_cell - 1,
            ctx.min_cell
        ),
        crate::Mode::Internal => "Internal figures: exact counts for national analysts (OFFICIAL-SENSITIVE), not for publication.".to_string(),
    });
    n
}

/// The workbook as bytes.
pub fn workbook(tables: &[Table], ctx: &Context) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = format!("Police-recorded child sexual abuse and exploitation: group-based offending, England and Wales, {} to {}", ctx.from, ctx.to);
    wb.set_properties(&DocProperties::new().set_title(&title).set_subject("Group-based child sexual abuse and exploitation").set_author("csae national collection").set_keywords(ctx.mode.marking()));
    let f = Formats::new();
    cover(wb.add_worksheet(), &title, tables.len(), ctx, &f)?;
    contents(wb.add_worksheet(), tables, ctx, &f)?;
    notes_sheet(wb.add_worksheet(), ctx, &f)?;
    for t in tables {
        table_sheet(wb.add_worksheet(), t, ctx, &f)?;
    }
    wb.save_to_buffer()
}

struct Formats {
    title: Format,
    bold: Format,
    wrap: Format,
    whole: Format,
    one_dp: Format,
    symbol: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(15),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            whole: Format::new().set_num_format("#,##0"),
            one_dp: Format::new().set_num_format("0.0"),
            symbol: Format::new().set_align(rust_xlsxwriter::FormatAlign::Right),
        }
    }
}

fn cover(ws: &mut Worksheet, title: &str, n: usize, ctx: &Context, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Cover")?;
    ws.set_column_width(0, 110)?;
    ws.write_string_with_format(0, 0, title, &f.title)?;
    let lines: Vec<(&str, String)> = vec![
        ("Marking", format!("{}. {}", ctx.mode.marking(), match ctx.mode {
            crate::Mode::Public => "Published figures after disclosure control.",
            crate::Mode::Internal => "Exact figures for national analysts; not for publication.",
        })),
        ("About these tables", format!("{n} tables on the scale and nature of group-based child sexual abuse and exploitation recorded by the 44 police forces of England and Wales: crimes by force and region, offence groups, locations, group size, victims, suspects, relationships, networks of linked crimes and data quality.")),
        ("Period", format!("Crimes recorded from {} to {}.", ctx.from, ctx.to)),
        ("Source", format!("Returns of the national CSAE data collection from police forces ({} returns), checked, pseudonymised and combined by csae; dataset last updated {}.", ctx.returns, ctx.dataset_updated)),
        ("Symbols", crate::SYMBOLS.iter().map(|(s, m)| format!("{s} {m}")).collect::<Vec<_>>().join("; ")),
        ("Notes", "Notes are listed on the Notes sheet and referred to in table titles as [note N].".to_string()),
        ("Date built", ctx.built.clone()),
        ("Contact", "National CSAE data collection team: csae-collection@example.police.uk".to_string()),
    ];
    let mut row = 1;
    for (head, text) in lines {
        ws.write_string_with_format(row, 0, head, &f.bold)?;
        ws.write_string_with_format(row + 1, 0, &text, &f.wrap)?;
        row += 2;
    }
    Ok(())
}

fn contents(ws: &mut Worksheet, tables: &[Table], ctx: &Context, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Contents")?;
    ws.write_string_with_format(0, 0, "Contents", &f.title)?;
    ws.write_string(1, 0, "This worksheet contains one table. Each sheet name links to its table.")?;
    ws.write_string(2, 0, format!("Marking: {}", ctx.mode.marking()))?;
    let top = 3;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 100)?;
    for (i, t) in tables.iter().enumerate() {
        let row = top + 1 + i as u32;
        let sheet = sheet_name(&t.id);
        ws.write_url_with_text(row, 0, Url::new(format!("internal:'{sheet}'!A1")), &sheet)?;
        ws.write_string(row, 1, table_title(t, ctx))?;
    }
    let cols = [TableColumn::new().set_header("Sheet name"), TableColumn::new().set_header("Table title")];
    ws.add_table(top, 0, top + tables.len() as u32, 1, &XlTable::new().set_name("Contents_table").set_columns(&cols))?;
    Ok(())
}

fn notes_sheet(ws: &mut Worksheet, ctx: &Context, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Notes")?;
    ws.write_string_with_format(0, 0, "Notes", &f.title)?;
    ws.write_string(1, 0, "This worksheet contains one table. Tables refer to these notes as [note N].")?;
    ws.write_string(2, 0, format!("Marking: {}", ctx.mode.marking()))?;
    let top = 3;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 120)?;
    let notes = notes(ctx);
    for (i, n) in notes.iter().enumerate() {
        let row = top + 1 + i as u32;
        ws.write_string(row, 0, format!("note {}", i + 1))?;
        ws.write_string_with_format(row, 1, n, &f.wrap)?;
    }
    let cols = [TableColumn::new().set_header("Note number"), TableColumn::new().set_header("Note text")];
    ws.add_table(top, 0, top + notes.len() as u32, 1, &XlTable::new().set_name("Notes_table").set_columns(&cols))?;
    Ok(())
}

/// A table's title as shown in A1 and on the contents sheet, with its note references.
pub fn table_title(t: &Table, ctx: &Context) -> String {
    let notes = if t.id.starts_with("Q02") { "[note 1]" } else if t.id.starts_with("T01") || t.id.starts_with("T02") || t.id.starts_with("T12") { "[note 1] [note 2] [note 6]" } else { "[note 1] [note 2] [note 3] [note 6]" };
    let mut notes = notes.to_string();
    if t.id.contains("ethnicity") {
        notes.push_str(" [note 4]");
    }
    if t.unit.contains("records") {
        notes.push_str(" [note 5]");
    }
    format!("Table {}: {}, {} to {} {}", sheet_name(&t.id), t.title, ctx.from, ctx.to, notes)
}

/// Unique, non-empty column headers: the column labels, with the code added where two
/// labels would be the same (Excel tables need unique headers).
fn headers(t: &Table) -> Vec<String> {
    let mut out = vec![format!("{} (code)", t.row_name.replace('_', " ")), "Label".to_string()];
    for (code, label) in &t.cols {
        let h = if label.is_empty() { code.clone() } else { label.clone() };
        let h = if out.contains(&h) { format!("{h} ({code})") } else { h };
        out.push(if t.kind == Kind::Percent && !h.contains('%') && t.unit != "per cent" { format!("{h} (%)") } else { h });
    }
    out
}

fn table_sheet(ws: &mut Worksheet, t: &Table, ctx: &Context, f: &Formats) -> Result<(), XlsxError> {
    let name = sheet_name(&t.id);
    ws.set_name(&name)?;
    ws.write_string_with_format(0, 0, table_title(t, ctx), &f.title)?;
    ws.write_string(1, 0, "This worksheet contains one table. Some cells contain symbols explained below.")?;
    ws.write_string(2, 0, format!("Unit: {}. {}", t.unit, if t.kind == Kind::Percent { "Values are percentages." } else { "Values are counts." }))?;
    ws.write_string(3, 0, format!("Symbols: {}", crate::SYMBOLS.iter().map(|(s, m)| format!("{s} {m}")).collect::<Vec<_>>().join("; ")))?;
    ws.write_string(4, 0, format!("Marking: {}. Source: national CSAE data collection, police force returns.", ctx.mode.marking()))?;
    let top = TABLE_HEADER_ROW;
    let heads = headers(t);
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 34)?;
    for c in 0..t.cols.len() {
        ws.set_column_width(2 + c as u16, heads[c + 2].len().clamp(10, 28) as f64 * 0.9 + 2.0)?;
    }
    for (r, ((code, label), row)) in t.rows.iter().zip(&t.values).enumerate() {
        let xr = top + 1 + r as u32;
        ws.write_string(xr, 0, code)?;
        ws.write_string(xr, 1, label)?;
        for (c, v) in row.iter().enumerate() {
            let xc = 2 + c as u16;
            let text = crate::cell_text(t.kind, *v, crate::csv_tables::is_suppressed(t, r, c), ctx.mode);
            match text.parse::<f64>() {
                // Numbers stored as numbers, at the precision the CSV publishes.
                Ok(x) => ws.write_number_with_format(xr, xc, x, if t.kind == Kind::Percent && ctx.mode == crate::Mode::Internal { &f.one_dp } else { &f.whole })?,
                Err(_) => ws.write_string_with_format(xr, xc, &text, &f.symbol)?,
            };
        }
    }
    let cols: Vec<TableColumn> = heads.iter().map(|h| TableColumn::new().set_header(h)).collect();
    let last_row = top + t.rows.len() as u32;
    let last_col = 1 + t.cols.len() as u16;
    ws.add_table(top, 0, last_row, last_col, &XlTable::new().set_name(format!("Table_{name}")).set_columns(&cols).set_autofilter(false))?;
    ws.set_freeze_panes(top + 1, 2)?;
    Ok(())
}
