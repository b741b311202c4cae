//! Tables as CSV: wide, codes and labels, `Total` row and column for count tables.

use csae_analysis::{Kind, Table};

use crate::{Context, Mode};

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

/// The first line of every CSV: the protective marking, the table and the period, as a `#`
/// comment line so that it is the first thing a person sees and tools skip it (pandas
/// `comment="#"`, R `comment.char = "#"`, the `csv` crate's `comment(Some(b'#'))`).
pub fn marking_line(t: &Table, ctx: &Context) -> String {
    format!("# {}; {}: {}; {} to {}; unit: {}", ctx.mode.marking(), t.id, t.title.replace(',', ";"), ctx.from, ctx.to, t.unit)
}

/// A table as CSV: the marking line, then `<row dimension>,label,<column codes…>` and one
/// line per row.
pub fn table_csv(t: &Table, ctx: &Context) -> Vec<u8> {
    let mut out = marking_line(t, ctx).into_bytes();
    out.push(b'\n');
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![t.row_name.clone(), "label".into()];
    header.extend(t.cols.iter().map(|(c, _)| c.clone()));
    w.write_record(&header).expect("write to memory");
    for (r, ((code, label), row)) in t.rows.iter().zip(&t.values).enumerate() {
        let mut rec = vec![code.clone(), label.clone()];
        rec.extend(row.iter().enumerate().map(|(c, v)| cell_text(t.kind, *v, is_suppressed(t, r, c), ctx.mode)));
        w.write_record(&rec).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// Whether disclosure control withheld a cell.
pub fn is_suppressed(t: &Table, r: usize, c: usize) -> bool {
    t.suppressed.get(r).is_some_and(|s| s.get(c).copied().unwrap_or(false))
}
