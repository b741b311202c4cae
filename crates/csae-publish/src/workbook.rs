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

/// The notes tables refer to, numbered `[note 1]` … in the order the tables first cite them.
pub fn notes(ctx: &Context) -> Vec<String> {
    let [rates, ethnicity] = ctx.population_notes();
    vec![
        format!("The period is {} to {}: crimes recorded by the police in that period (recorded date), whatever the date of the offence.", ctx.from, ctx.to),
        format!("A crime is group-based when {} or more suspects are recorded for it, including suspects not identified.", ctx.min_suspects),
        match ctx.mode {
            crate::Mode::Public => format!(
                "Disclosure control: counts from 1 to {} are withheld and shown [c], with further cells withheld so that none can be worked out from the totals; every withheld cell is checked by an exact audit. Percentages are rounded to whole numbers, shown [low] when they round to zero but are not zero, and withheld when their numerator is withheld or their denominator is below {}. Rates, shares and ratios are withheld with the counts they would reveal.",
                ctx.min_cell - 1,
                ctx.min_cell
            ),
            crate::Mode::Internal => "Internal figures: exact counts for national analysts (OFFICIAL-SENSITIVE), not for publication. Percentages that round to zero but are not zero are shown [low].".to_string(),
        },
        "The category of a group-based crime is the one the force recorded; where none was recorded it is derived from the relationships between suspects and victims, the offence, flags and location (see the methodology in report.html).".to_string(),
        format!("Person figures count records, not distinct people: {}.", csae_analysis::plain::RECORDS_NOT_PEOPLE),
        match ctx.ethnicity.as_str() {
            "officer-fallback" => "Ethnicity is self-defined; where that is not recorded, the ethnicity observed by the officer is used.".to_string(),
            _ => "Ethnicity is self-defined ethnicity only; ethnicity observed by an officer is not used.".to_string(),
        },
        rates,
        ethnicity,
    ]
}

/// The notes a table cites (numbers into [`notes`]), in ascending order.
pub fn note_numbers(t: &Table) -> Vec<usize> {
    let id = t.id.as_str();
    let mut n = vec![1];
    if !id.starts_with("Q02") {
        n.push(2);
        n.push(3);
    }
    let crimes_by_category = !(id.starts_with("T01") || id.starts_with("T02") || id.starts_with("T12") || id.starts_with("Q02") || id.starts_with("T16") || id.starts_with('R'));
    if crimes_by_category {
        n.push(4);
    }
    if t.unit.contains("records") {
        n.push(5);
    }
    if id.contains("ethnicity") {
        n.push(6);
    }
    if id.starts_with("R01") {
        n.push(7);
    }
    if id.starts_with("R02") {
        n.push(8);
    }
    n
}

/// The workbook as bytes.
pub fn workbook(tables: &[Table], ctx: &Context) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let title = ctx.title();
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

/// A column's width (characters): the code and label columns are wide, numbers narrower but
/// at least wide enough for their header's longest word.
fn width_of(i: usize, heads: &[String]) -> f64 {
    let longest_word = heads[i].split_whitespace().map(str::len).max().unwrap_or(0);
    match i {
        0 => 20.0,
        1 => 36.0,
        _ => (longest_word.max(10) + 2).min(30) as f64,
    }
}

/// Lines a header takes when wrapped at `width` characters.
fn wrapped_lines(text: &str, width: f64) -> usize {
    crate::charts::wrap(text, width as usize).len()
}

struct Formats {
    title: Format,
    header: Format,
    bold: Format,
    wrap: Format,
    whole: Format,
    one_dp: Format,
    two_dp: Format,
    symbol: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(15),
            header: Format::new().set_bold().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            whole: Format::new().set_num_format("#,##0"),
            one_dp: Format::new().set_num_format("0.0"),
            two_dp: Format::new().set_num_format("0.00"),
            symbol: Format::new().set_align(rust_xlsxwriter::FormatAlign::Right),
        }
    }
}

fn cover(ws: &mut Worksheet, title: &str, n: usize, ctx: &Context, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Cover")?;
    ws.set_column_width(0, 110)?;
    ws.write_string_with_format(0, 0, title, &f.title)?;
    let mut lines: Vec<(&str, String)> = Vec::new();
    if ctx.synthetic {
        lines.push((crate::SYNTHETIC, "These tables were built from synthetic data made by csae synth, for demonstration and testing. None of the figures describe real crimes.".to_string()));
    }
    lines.extend(vec![
        ("Marking", format!("{}. {}", ctx.mode.marking(), match ctx.mode {
            crate::Mode::Public => "Published figures after disclosure control.",
            crate::Mode::Internal => "Exact figures for national analysts; not for publication.",
        })),
        ("About these tables", format!("{n} tables on the scale and nature of group-based child sexual abuse and exploitation recorded by the 44 police forces of England and Wales: crimes by force and region, offence groups, locations, group size, victims, suspects, relationships, networks of linked crimes and data quality.")),
        ("Period", format!("Crimes recorded from {} to {}.", ctx.from, ctx.to)),
        ("Source", format!("Returns of the national CSAE data collection from police forces ({} returns), checked, pseudonymised and combined by csae; dataset last updated {}.", ctx.returns, ctx.dataset_updated)),
        ("Symbols", crate::SYMBOLS.iter().map(|(s, m)| format!("{s} {m}")).collect::<Vec<_>>().join("; ")),
        ("Notes", "Notes are listed on the Notes sheet and referred to in table titles as [note N].".to_string()),
    ]);
    lines.extend(ctx.release.items(ctx.returns));
    lines.push(("Things you need to know", ctx.things_to_know().join(" ")));
    let mut row = 1;
    for (head, text) in lines {
        ws.write_string_with_format(row, 0, head, &f.bold)?;
        ws.write_string_with_format(row + 1, 0, &text, &f.wrap)?;
        row += 2;
    }
    ws.write_string_with_format(row, 0, "Contents", &f.bold)?;
    ws.write_url_with_text(row + 1, 0, Url::new("internal:'Contents'!A1"), "Go to the contents: a list of every table with a link to its sheet")?;
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
    let notes: Vec<String> = note_numbers(t).iter().map(|n| format!("[note {n}]")).collect();
    format!("Table {}: {}, {} to {} {}", sheet_name(&t.id), t.title, ctx.from, ctx.to, notes.join(" "))
}

/// Unique, non-empty column headers: the column labels, with the code added where two
/// labels would be the same (Excel tables need unique headers).
fn headers(t: &Table) -> Vec<String> {
    let mut out = vec![crate::html::cap(&format!("{} (code)", t.row_name.replace('_', " "))), "Label".to_string()];
    for (code, label) in &t.cols {
        let h = crate::html::cap(if label.is_empty() { code } else { label });
        let h = if out.contains(&h) { format!("{h} ({code})") } else { h };
        out.push(if t.kind == Kind::Percent && !h.contains('%') && t.unit != "per cent" { format!("{h} (%)") } else { h });
    }
    out
}

fn table_sheet(ws: &mut Worksheet, t: &Table, ctx: &Context, f: &Formats) -> Result<(), XlsxError> {
    let name = sheet_name(&t.id);
    ws.set_name(&name)?;
    ws.write_string_with_format(0, 0, table_title(t, ctx), &f.title)?;
    let texts: Vec<Vec<String>> = (0..t.rows.len()).map(|r| (0..t.cols.len()).map(|c| crate::table_cell(t, r, c, ctx.mode)).collect()).collect();
    let used: Vec<(&str, &str)> = crate::SYMBOLS.iter().copied().filter(|(s, _)| texts.iter().flatten().any(|x| x == s)).collect();
    if used.is_empty() {
        ws.write_string(1, 0, "This worksheet contains one table.")?;
        ws.write_string(3, 0, "Symbols: none in this table.")?;
    } else {
        ws.write_string(1, 0, "This worksheet contains one table. Some cells contain symbols explained below.")?;
        ws.write_string(3, 0, format!("Symbols: {}", used.iter().map(|(s, m)| format!("{s} {m}")).collect::<Vec<_>>().join("; ")))?;
    }
    let values_are = match t.kind {
        Kind::Percent => "Values are percentages.",
        Kind::Derived => "Values are counts, rates, percentages or ratios, as each column heading says.",
        _ => "Values are counts.",
    };
    ws.write_string(2, 0, format!("Unit: {}. {values_are}", t.unit))?;
    ws.write_string(4, 0, format!("Marking: {}. Source: national CSAE data collection, police force returns.", ctx.marking()))?;
    let top = TABLE_HEADER_ROW;
    let heads = headers(t);
    for i in 0..heads.len() {
        ws.set_column_width(i as u16, width_of(i, &heads))?;
    }
    for (r, (code, label)) in t.rows.iter().enumerate() {
        let xr = top + 1 + r as u32;
        ws.write_string(xr, 0, code)?;
        ws.write_string(xr, 1, label)?;
        for (c, text) in texts[r].iter().enumerate() {
            let xc = 2 + c as u16;
            match text.parse::<f64>() {
                // Numbers stored as numbers, at the precision the CSV publishes.
                Ok(x) => {
                    let format = match (t.kind, t.decimals.get(c)) {
                        (Kind::Derived, Some(1)) => &f.one_dp,
                        (Kind::Derived, Some(2)) => &f.two_dp,
                        (Kind::Percent, _) if ctx.mode == crate::Mode::Internal => &f.one_dp,
                        _ => &f.whole,
                    };
                    ws.write_number_with_format(xr, xc, x, format)?
                }
                Err(_) => ws.write_string_with_format(xr, xc, text, &f.symbol)?,
            };
        }
    }
    let cols: Vec<TableColumn> = heads.iter().map(|h| TableColumn::new().set_header(h).set_header_format(&f.header)).collect();
    // Headers wrap within their column instead of being cut off.
    ws.set_row_height(top, 15.0 * heads.iter().enumerate().map(|(i, h)| wrapped_lines(h, width_of(i, &heads))).max().unwrap_or(1) as f64)?;
    let last_row = top + t.rows.len() as u32;
    let last_col = 1 + t.cols.len() as u16;
    ws.add_table(top, 0, last_row, last_col, &XlTable::new().set_name(format!("Table_{name}")).set_columns(&cols).set_autofilter(false))?;
    ws.set_freeze_panes(top + 1, 2)?;
    Ok(())
}
