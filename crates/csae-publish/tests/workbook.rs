//! `tables.xlsx` read back: the structure the GSS spreadsheet guidance asks for, and the same
//! numbers as the CSV tables.

mod common;

use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use csae_publish::Mode;
use csae_publish::workbook::{TABLE_HEADER_ROW, sheet_name};

fn csv_rows(out: &Path, id: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).has_headers(false).from_path(out.join("tables").join(format!("{id}.csv"))).unwrap();
    r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect()
}

fn check_workbook(out: &Path, mode: Mode) {
    let mut wb: Xlsx<_> = open_workbook(out.join("tables.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(&names[..3], ["Cover", "Contents", "Notes"]);
    let mut ids: Vec<String> = std::fs::read_dir(out.join("tables")).unwrap().map(|f| f.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned()).collect();
    ids.sort();
    assert_eq!(names.len(), 3 + ids.len(), "one sheet per table: {names:?}");
    assert!(names.iter().all(|n| n.len() <= 31));

    let cover = wb.worksheet_range("Cover").unwrap();
    let cover_text: Vec<String> = cover.rows().map(|r| r[0].to_string()).collect();
    assert!(cover_text[0].contains("England and Wales") && cover_text[0].contains("2023-01-01"), "{cover_text:?}");
    for needed in ["Marking", "Period", "Source", "Contact", "Symbols", "About these tables"] {
        assert!(cover_text.iter().any(|l| l == needed), "cover has no {needed}: {cover_text:?}");
    }
    assert!(cover_text.iter().any(|l| l.starts_with(mode.marking()) && (mode == Mode::Internal || !l.contains("SENSITIVE"))));

    let contents = wb.worksheet_range("Contents").unwrap();
    let listed: Vec<String> = contents.rows().skip(4).map(|r| r[0].to_string()).collect();
    let sheets: Vec<String> = names[3..].to_vec();
    assert_eq!(listed, sheets, "contents lists every table sheet in order");

    wb.load_tables().unwrap();
    let mut data_sheets = 0;
    for name in &sheets {
        let id = ids.iter().find(|id| &sheet_name(id) == name).unwrap_or_else(|| panic!("no table for sheet {name}"));
        let range = wb.worksheet_range(name).unwrap();
        assert_eq!(range.start(), Some((0, 0)), "{name}: title in A1");
        let a1 = range.get_value((0, 0)).unwrap().to_string();
        assert!(a1.starts_with(&format!("Table {name}: ")), "{name}: {a1}");
        // Rows above the table: text in column A only.
        for r in 1..TABLE_HEADER_ROW {
            assert!(!range.get_value((r, 0)).unwrap().to_string().is_empty(), "{name}: line {r} empty");
            assert!(range.get_value((r, 1)).is_none_or(|v| v.is_empty()), "{name}: row {r} has more than one cell");
        }
        assert!(range.get_value((3, 0)).unwrap().to_string().contains("[c]"), "{name}: symbols explained");
        // The table: an Excel table starting at the header row, headers unique and non-empty.
        let table = wb.table_by_name(&format!("Table_{name}")).unwrap();
        assert_eq!(table.sheet_name(), name.as_str());
        let heads = table.columns();
        assert!(heads.iter().all(|h| !h.is_empty()));
        let unique: std::collections::BTreeSet<_> = heads.iter().collect();
        assert_eq!(unique.len(), heads.len(), "{name}: {heads:?}");
        // Values: the CSV's rows, numbers stored as numbers, symbols as text; no blank row.
        let csv = csv_rows(out, id);
        assert_eq!(heads.len(), csv[0].len(), "{name}");
        let body = &csv[1..];
        assert_eq!(range.end().unwrap().0, TABLE_HEADER_ROW + body.len() as u32, "{name}: nothing below the table");
        for (i, row) in body.iter().enumerate() {
            let xr = TABLE_HEADER_ROW + 1 + i as u32;
            assert_eq!(range.get_value((xr, 0)).unwrap().to_string(), row[0], "{name} row {i}");
            for (c, want) in row.iter().enumerate().skip(2) {
                let got = range.get_value((xr, c as u32)).unwrap();
                match want.parse::<f64>() {
                    Ok(x) => {
                        assert!(matches!(got, Data::Float(_) | Data::Int(_)), "{name} ({i},{c}): {got:?} is not a number");
                        assert!((got.as_f64().unwrap() - x).abs() < 1e-9, "{name} ({i},{c}): {got} vs {want}");
                        data_sheets += 1;
                    }
                    Err(_) => {
                        assert!(["[c]", "[z]", "[x]"].contains(&want.as_str()), "{name}: {want}");
                        assert_eq!(got.to_string(), *want);
                    }
                }
            }
        }
    }
    assert!(data_sheets > 500);
    // No merged cells anywhere.
    for name in &names {
        let merged = wb.merge_cells_by_sheet_name(name).unwrap();
        assert!(merged.is_empty(), "{name}: merged cells {merged:?}");
    }
}

#[test]
fn the_workbook_follows_the_gss_structure_in_both_modes() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::synthetic_dataset(tmp.path(), 0.05);
    for mode in [Mode::Internal, Mode::Public] {
        let out = tmp.path().join(mode.name());
        common::publish_to(&ds, &out, mode);
        check_workbook(&out, mode);
    }
}

#[test]
fn every_csv_starts_with_its_marking_line() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::tiny_dataset(tmp.path());
    for mode in [Mode::Internal, Mode::Public] {
        let out = tmp.path().join(mode.name());
        common::publish_to(&ds, &out, mode);
        for f in std::fs::read_dir(out.join("tables")).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let first = text.lines().next().unwrap();
            assert!(first.starts_with(&format!("# {}; ", mode.marking())), "{first}");
            assert!(!first.contains(','), "the marking line is one field: {first}");
        }
        let readme = std::fs::read_to_string(out.join("README.txt")).unwrap();
        assert!(readme.starts_with(mode.marking()) && readme.trim_end().ends_with(mode.marking()));
    }
}
