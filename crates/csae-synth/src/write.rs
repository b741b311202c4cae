//! Writing a force's return as CSV files or an XLSX workbook, in a style of its own: the
//! quirks the data standard allows (BOM, header case and order, CRLF, padded or lower-case
//! codes, an extra column; real Excel dates and numbers stored as numbers in workbooks), so
//! that every synthetic collection exercises the readers.

use std::io::Write as _;
use std::path::Path;

use csae_model::{ColumnKind, Table, dates};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::generate::ForceData;
use crate::rng::Rng;

/// How one force writes its files.
#[derive(Debug, Clone)]
pub struct Style {
    bom: bool,
    crlf: bool,
    upper_header: bool,
    shuffle: bool,
    lower_codes: bool,
    pad: bool,
    extra_column: bool,
    capital_sheets: bool,
}

impl Style {
    pub fn draw(rng: &mut Rng) -> Style {
        Style {
            bom: rng.chance(0.3),
            crlf: rng.chance(0.3),
            upper_header: rng.chance(0.2),
            shuffle: rng.chance(0.3),
            lower_codes: rng.chance(0.2),
            pad: rng.chance(0.1),
            extra_column: rng.chance(0.1),
            capital_sheets: rng.chance(0.5),
        }
    }
}

/// Column order of a table in this style: a permutation of the standard columns.
fn order(t: Table, style: &Style, rng: &mut Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..t.columns().len()).collect();
    if style.shuffle {
        for i in (1..idx.len()).rev() {
            idx.swap(i, rng.below(i + 1));
        }
    }
    idx
}

fn is_code(kind: ColumnKind) -> bool {
    matches!(kind, ColumnKind::Code(_) | ColumnKind::OffenceCode | ColumnKind::Nationality)
}

pub fn write_csv(dir: &Path, data: &ForceData, style: &Style, rng: &mut Rng) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for t in Table::ALL {
        let cols = t.columns();
        let idx = order(t, style, rng);
        let file = std::fs::File::create(dir.join(format!("{}.csv", t.name())))?;
        let mut buf = std::io::BufWriter::with_capacity(256 * 1024, file);
        if style.bom {
            buf.write_all(b"\xEF\xBB\xBF")?;
        }
        let terminator = if style.crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut w = csv::WriterBuilder::new().terminator(terminator).from_writer(buf);
        let mut header: Vec<String> = idx.iter().map(|&i| if style.upper_header { cols[i].name.to_uppercase() } else { cols[i].name.to_string() }).collect();
        if style.extra_column {
            header.push("notes".into());
        }
        w.write_record(&header)?;
        let mut rec: Vec<String> = Vec::with_capacity(header.len());
        for row in &data.tables[t as usize] {
            rec.clear();
            for &i in &idx {
                let v = &row.cells[i];
                let v = if style.lower_codes && is_code(cols[i].kind) { v.to_lowercase() } else { v.clone() };
                rec.push(if style.pad && !v.is_empty() { format!(" {v} ") } else { v });
            }
            if style.extra_column {
                rec.push(String::new());
            }
            w.write_record(&rec)?;
        }
        w.flush()?;
    }
    Ok(())
}

pub fn write_xlsx(path: &Path, data: &ForceData, style: &Style, rng: &mut Rng) -> Result<(), String> {
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for t in Table::ALL {
        let cols = t.columns();
        let idx = order(t, style, rng);
        let ws = wb.add_worksheet_with_constant_memory().map_err(err)?;
        let name = if style.capital_sheets { format!("{}{}", t.name()[..1].to_uppercase(), &t.name()[1..]) } else { t.name().to_string() };
        ws.set_name(name).map_err(err)?;
        for (c, &i) in idx.iter().enumerate() {
            let h = if style.upper_header { cols[i].name.to_uppercase() } else { cols[i].name.to_string() };
            ws.write_string(0, c as u16, h).map_err(err)?;
        }
        for (r, row) in data.tables[t as usize].iter().enumerate() {
            let r = r as u32 + 1;
            for (c, &i) in idx.iter().enumerate() {
                let v = &row.cells[i];
                let c = c as u16;
                if v.is_empty() {
                    continue;
                }
                match cols[i].kind {
                    ColumnKind::Date => match dates::parse_iso(v) {
                        Some(d) => {
                            let x = ExcelDateTime::from_ymd(d.format("%Y").to_string().parse().unwrap_or(1900), d.format("%m").to_string().parse().unwrap_or(1), d.format("%d").to_string().parse().unwrap_or(1)).map_err(err)?;
                            ws.write_datetime_with_format(r, c, &x, &date_fmt).map_err(err)?;
                        }
                        None => {
                            ws.write_string(r, c, v).map_err(err)?;
                        }
                    },
                    ColumnKind::Age => match v.parse::<f64>() {
                        Ok(n) if n.is_finite() => {
                            ws.write_number(r, c, n).map_err(err)?;
                        }
                        _ => {
                            ws.write_string(r, c, v).map_err(err)?;
                        }
                    },
                    kind => {
                        let v = if style.lower_codes && is_code(kind) { v.to_lowercase() } else { v.clone() };
                        ws.write_string(r, c, v).map_err(err)?;
                    }
                }
            }
        }
    }
    wb.save(path).map_err(err)
}
