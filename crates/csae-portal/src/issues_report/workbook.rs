//! `issues.xlsx`, laid out as the publication's workbook (`csae_publish::workbook`): a cover
//! sheet with the marking, then one table per sheet — "Summary" (by rule) and "Issues" (every
//! issue, with filters) — each with its title in A1, lines of context in column A and one
//! Excel table below. Text is only ever written as text, never as a formula; text a
//! spreadsheet would run as a formula once edited is stored with a quote prefix too.

use rust_xlsxwriter::{DocProperties, Format, Table as XlTable, TableColumn, Workbook, Worksheet, XlsxError};

use super::{IssueReport, MARKING, formula_like, severity_name};
use csae_ingest::Severity;

/// Row (0-based) of each table sheet's header row, below the title and context lines.
const HEADER_ROW: u32 = 5;

/// Issues an Excel sheet can hold below its header (Excel's 1,048,576 rows, less those above).
pub const MAX_ISSUE_ROWS: usize = 1_048_576 - (HEADER_ROW as usize + 1);

struct Formats {
    title: Format,
    header: Format,
    bold: Format,
    wrap: Format,
    /// Formula-like text: stored as text and kept text when a user edits the cell.
    quoted: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(15),
            header: Format::new().set_bold().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            quoted: Format::new().set_quote_prefix(),
        }
    }
}

/// The workbook as bytes; the Issues sheet is written row by row through temporary files in
/// `tmp` (the data folder's, so nothing of the return lands outside it).
pub fn xlsx(r: &IssueReport, tmp: &std::path::Path) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_tempdir(tmp)?;
    let title = title(r);
    wb.set_properties(&DocProperties::new().set_title(&title).set_subject("Validation issues of a force's return").set_author("csae national collection").set_keywords(MARKING));
    let f = Formats::new();
    cover(wb.add_worksheet(), r, &title, &f)?;
    summary(wb.add_worksheet(), r, &f)?;
    issues(wb.add_worksheet_with_constant_memory()?, r, &f)?;
    wb.save_to_buffer()
}

fn title(r: &IssueReport) -> String {
    format!("Validation issues: {}, period {}", r.force.name, r.submission.period)
}

fn cover(ws: &mut Worksheet, r: &IssueReport, title: &str, f: &Formats) -> Result<(), XlsxError> {
    let s = &r.submission;
    ws.set_name("Cover")?;
    ws.set_column_width(0, 110)?;
    ws.write_string_with_format(0, 0, title, &f.title)?;
    let (read, accepted, rejected, warned) = r.tables.iter().fold((0, 0, 0, 0), |a, (_, c)| (a.0 + c.read, a.1 + c.accepted, a.2 + c.rejected, a.3 + c.warnings));
    let (errors, warnings) = (r.count(Severity::Error), r.count(Severity::Warning));
    let mut lines: Vec<(&str, String)> = vec![
        ("Marking", format!("{MARKING}. Row-level feedback on one force's return: keep it within the force and the national team, and delete it once the return is corrected.")),
        ("Force", format!("{} ({})", r.force.name, r.force.id)),
        ("Period", s.period.clone()),
        ("Submission", format!("{} (file {}, uploaded {} by {})", s.id, s.file_name, s.uploaded_at, s.uploaded_by)),
        ("Rows", format!("{read} rows read: {accepted} accepted ({warned} of them with warnings) and {rejected} rejected.")),
        ("Issues", format!("{} issues: {errors} errors (the row is rejected) and {warnings} warnings (the row is accepted).", r.issues.len())),
        (
            "Values",
            if r.with_values {
                format!("The Value column holds each value as it was submitted, personal values included: this copy is for {}'s own users, who hold the data.", r.force.name)
            } else {
                "Values are left out: this copy is for the national team; messages show no personal values.".to_string()
            },
        ),
        ("Text, never formulas", "Every value is stored as text. Values that begin like a formula (=, +, -, @) are never run; they are kept as text even when a cell is edited.".to_string()),
        ("How these issues were found", format!("The return was validated with the rules of the data standard when it was uploaded ({}); the submission page shows the same issues.", r.as_of)),
        ("Sheets", "Summary: the issues counted by rule, with how to fix each. Issues: every issue with its table, row, column, rule, message and how to fix it, as a table with filters.".to_string()),
    ];
    if r.issues.len() > MAX_ISSUE_ROWS {
        lines.push(("Too many issues for one sheet", format!("The Issues sheet holds the first {MAX_ISSUE_ROWS} of {} issues (a sheet's limit); issues.csv holds them all.", r.issues.len())));
    }
    let mut row = 1;
    for (head, text) in lines {
        ws.write_string_with_format(row, 0, head, &f.bold)?;
        ws.write_string_with_format(row + 1, 0, &text, &f.wrap)?;
        row += 2;
    }
    Ok(())
}

/// Title and context lines of a table sheet (rows 0–4).
fn context(ws: &mut Worksheet, title: &str, lines: [&str; 3], f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, title, &f.title)?;
    for (i, l) in lines.iter().enumerate() {
        ws.write_string(1 + i as u32, 0, *l)?;
    }
    ws.write_string(4, 0, format!("Marking: {MARKING}. Source: the force's return as uploaded to the national CSAE data collection."))?;
    Ok(())
}

fn columns(heads: &[&str], f: &Formats) -> Vec<TableColumn> {
    heads.iter().map(|h| TableColumn::new().set_header(*h).set_header_format(&f.header)).collect()
}

fn summary(ws: &mut Worksheet, r: &IssueReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    let table_line = if r.rules.is_empty() { "This worksheet contains no table: every row passed validation." } else { "This worksheet contains one table: one row per rule the return broke." };
    context(ws, "Summary by rule", [table_line, "Rows: rows rejected by the rule (errors), or accepted rows with the warning.", "Issues: the rule's lines on the Issues sheet (a row can break a rule in more than one column)."], f)?;
    if r.rules.is_empty() {
        return Ok(());
    }
    let heads = ["Rule", "Severity", "What it checks", "How to fix", "Rows", "Issues"];
    for (c, w) in [8.0, 10.0, 50.0, 80.0, 10.0, 10.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    for (i, l) in r.rules.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        ws.write_string(row, 0, l.rule.code())?;
        ws.write_string(row, 1, severity_name(l.rule.severity()))?;
        ws.write_string_with_format(row, 2, l.rule.description(), &f.wrap)?;
        ws.write_string_with_format(row, 3, l.rule.how_to_fix(), &f.wrap)?;
        ws.write_number(row, 4, l.rows as f64)?;
        ws.write_number(row, 5, l.issues as f64)?;
    }
    let last = HEADER_ROW + r.rules.len() as u32;
    ws.add_table(HEADER_ROW, 0, last, heads.len() as u16 - 1, &XlTable::new().set_name("Summary_table").set_columns(&columns(&heads, f)))?;
    ws.set_freeze_panes(HEADER_ROW + 1, 1)?;
    Ok(())
}

/// A text cell: formula-like text with the quote prefix, anything else plainly; never a formula.
fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Formats) -> Result<(), XlsxError> {
    if formula_like(s) {
        ws.write_string_with_format(row, col, s, &f.quoted)?;
    } else {
        ws.write_string(row, col, s)?;
    }
    Ok(())
}

/// Every issue, in row order (constant memory: rows are written top to bottom, the table's
/// header first).
fn issues(ws: &mut Worksheet, r: &IssueReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Issues")?;
    let shown = r.issues.len().min(MAX_ISSUE_ROWS);
    let first = if r.issues.is_empty() {
        "This worksheet contains no table: the validation found no issue.".to_string()
    } else if shown < r.issues.len() {
        format!("This worksheet contains one table: the first {shown} of {} issues (a sheet's limit); issues.csv holds them all.", r.issues.len())
    } else {
        "This worksheet contains one table: every issue, one per line, in the order of the tables and rows of the file.".to_string()
    };
    let values = if r.with_values { "Value: the value as submitted, stored as text." } else { "Values are left out of this copy (for the national team)." };
    context(ws, &format!("Issues: {}, period {}", r.force.name, r.submission.period), [first.as_str(), "Row: the row in the submitted file or sheet, the header being row 1. Use the filters to pick a table, rule or column.", values], f)?;
    if shown == 0 {
        return Ok(());
    }
    let mut heads = vec!["Table", "Row", "Column", "Rule", "Severity", "Message", "How to fix"];
    let mut widths = vec![14.0, 8.0, 20.0, 8.0, 10.0, 100.0, 100.0];
    if r.with_values {
        heads.push("Value");
        widths.push(30.0);
    }
    for (c, w) in widths.into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    let last = HEADER_ROW + shown as u32;
    ws.add_table(HEADER_ROW, 0, last, heads.len() as u16 - 1, &XlTable::new().set_name("Issues_table").set_columns(&columns(&heads, f)))?;
    for (k, i) in r.issues.iter().take(shown).enumerate() {
        let row = HEADER_ROW + 1 + k as u32;
        ws.write_string(row, 0, i.table.name())?;
        ws.write_number(row, 1, f64::from(i.row))?;
        ws.write_string(row, 2, i.column.unwrap_or(""))?;
        ws.write_string(row, 3, i.rule.code())?;
        ws.write_string(row, 4, severity_name(i.severity))?;
        text(ws, row, 5, &i.message, f)?;
        ws.write_string(row, 6, i.rule.how_to_fix())?;
        if r.with_values {
            text(ws, row, 7, i.value.as_deref().unwrap_or(""), f)?;
        }
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    Ok(())
}
