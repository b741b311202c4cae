//! Tables as CSV, as ONS and GOV.UK publish them: the header is the first line, so any tool
//! reads the file with its defaults. Wide files (`tables/<id>.csv`: codes, labels, one column
//! per category, `Total` row and column for count tables), long ("tidy") files
//! (`tables/long/<id>.csv`: one row per cell) and `tables/metadata.json` describing both
//! (CSV on the Web), which also carries the marking and the symbols.

use csae_analysis::{Kind, Table};
use serde_json::{Value, json};

use crate::{Context, Mode};

/// One cell as published: counts as whole numbers; percentages to one decimal place
/// (internal) or whole numbers (public); GSS symbols `[c]` (withheld for confidentiality),
/// `[z]` (not applicable: no denominator) and `[low]` (a percentage that rounds to zero).
pub fn cell_text(kind: Kind, v: Option<f64>, suppressed: bool, mode: Mode) -> String {
    match (kind, v) {
        _ if suppressed => "[c]".into(),
        (_, None) => "[z]".into(),
        (Kind::Percent, Some(x)) => crate::numbers::percent_cell(x, mode),
        (_, Some(x)) => format!("{}", x.round() as i64),
    }
}

/// A cell of a table as published: as [`cell_text`], with a derived table's figures at their
/// column's decimals.
pub fn table_cell(t: &Table, r: usize, c: usize, mode: Mode) -> String {
    let suppressed = is_suppressed(t, r, c);
    match (t.kind, t.values[r][c]) {
        (Kind::Derived, Some(x)) if !suppressed => {
            let d = t.decimals.get(c).copied().unwrap_or(0);
            format!("{:.*}", usize::from(d), csae_analysis::headline::round_to(x, d))
        }
        (kind, v) => cell_text(kind, v, suppressed, mode),
    }
}

/// Whether a published cell is a symbol rather than a number.
pub fn is_symbol(text: &str) -> bool {
    text.starts_with('[')
}

/// A table as CSV: `<row dimension>,label,<column codes…>` and one line per row.
pub fn table_csv(t: &Table, ctx: &Context) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![t.row_name.clone(), "label".into()];
    header.extend(t.cols.iter().map(|(c, _)| c.clone()));
    w.write_record(&header).expect("write to memory");
    for (r, ((code, label), row)) in t.rows.iter().zip(&t.values).enumerate() {
        let mut rec = vec![code.clone(), label.clone()];
        rec.extend((0..row.len()).map(|c| table_cell(t, r, c, ctx.mode)));
        w.write_record(&rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The columns of a long file: the row dimension's code and label, the column dimension's
/// code and label, the value (blank where a symbol stands) and the symbol.
fn long_columns(t: &Table) -> [String; 6] {
    [t.row_name.clone(), format!("{}_label", t.row_name), t.col_name.clone(), format!("{}_label", t.col_name), "value".into(), "status".into()]
}

/// A table in long form: one row per cell.
pub fn long_csv(t: &Table, ctx: &Context) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(long_columns(t)).expect("write to memory");
    for (r, (rcode, rlabel)) in t.rows.iter().enumerate() {
        for (c, (ccode, clabel)) in t.cols.iter().enumerate() {
            let text = table_cell(t, r, c, ctx.mode);
            let (value, status) = if is_symbol(&text) { (String::new(), text) } else { (text, String::new()) };
            w.write_record([rcode, rlabel, ccode, clabel, &value, &status]).expect("write to memory");
        }
    }
    w.into_inner().expect("flush to memory")
}

/// `tables/metadata.json`: a CSV on the Web (W3C) table group with one entry per file, its
/// title, the publication's marking and the symbols.
pub fn metadata_json(tables: &[Table], ctx: &Context) -> Value {
    let number = |t: &Table| if (t.kind == Kind::Percent && ctx.mode == Mode::Internal) || t.kind == Kind::Derived { "decimal" } else { "integer" };
    // A symbol stands where no number is published: CSV on the Web reads it as a null.
    let nulls: Vec<&str> = crate::SYMBOLS.iter().map(|(s, _)| *s).collect();
    let symbols: Vec<Value> = crate::SYMBOLS.iter().map(|(s, m)| json!({"symbol": s, "meaning": m})).collect();
    let mut files = Vec::new();
    for t in tables {
        let title = crate::workbook::table_title(t, ctx);
        let mut wide = vec![
            json!({"name": t.row_name, "titles": crate::html::cap(&t.row_name.replace('_', " ")), "datatype": "string"}),
            json!({"name": "label", "titles": "Label", "datatype": "string"}),
        ];
        wide.extend(t.cols.iter().map(|(code, label)| {
            json!({"name": code, "titles": label, "datatype": number(t), "null": nulls})
        }));
        files.push(json!({
            "url": format!("{}.csv", t.id),
            "dc:title": title,
            "tableSchema": {"columns": wide, "primaryKey": t.row_name},
        }));
        let [rn, rl, cn, cl, _, _] = long_columns(t);
        files.push(json!({
            "url": format!("long/{}.csv", t.id),
            "dc:title": format!("{title} (long format: one row per cell)"),
            "tableSchema": {"columns": [
                {"name": rn, "titles": rn, "datatype": "string"},
                {"name": rl, "titles": rl, "datatype": "string"},
                {"name": cn, "titles": cn, "datatype": "string"},
                {"name": cl, "titles": cl, "datatype": "string"},
                {"name": "value", "titles": "value", "datatype": number(t), "null": ""},
                {"name": "status", "titles": "status", "datatype": "string", "dc:description": "blank when the value is published; otherwise the symbol that stands in its place"},
            ], "primaryKey": [rn, cn]},
        }));
    }
    json!({
        "@context": "http://www.w3.org/ns/csvw",
        "dc:title": ctx.title(),
        "dc:publisher": "National CSAE data collection",
        "dc:issued": ctx.release.release_date,
        "marking": ctx.marking(),
        "synthetic": ctx.synthetic,
        "period": {"from": ctx.from, "to": ctx.to},
        "disclosure": ctx.mode.name(),
        "symbols": symbols,
        "tables": files,
    })
}

/// Whether disclosure control withheld a cell.
pub fn is_suppressed(t: &Table, r: usize, c: usize) -> bool {
    t.suppressed.get(r).is_some_and(|s| s.get(c).copied().unwrap_or(false))
}
