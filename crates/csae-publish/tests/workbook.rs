//! `tables.xlsx` read back: the structure the GSS spreadsheet guidance asks for, and the same
//! numbers as the CSV tables.

mod common;

use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use csae_publish::Mode;
use csae_publish::workbook::{TABLE_HEADER_ROW, sheet_name};

/// A CSV file's records, the header first, read with the `csv` crate's defaults (as pandas and
/// DuckDB read it: no comment lines, the first line is the header).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect()
}

/// The ids of the wide CSV tables of a publication, sorted.
fn table_ids(out: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(out.join("tables"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

/// The text of a part of the workbook's zip (e.g. `xl/worksheets/sheet1.xml`).
fn part(out: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(out.join("tables.xlsx")).unwrap()).unwrap();
    std::io::read_to_string(zip.by_name(name).unwrap()).unwrap()
}

fn check_workbook(out: &Path, mode: Mode) {
    let mut wb: Xlsx<_> = open_workbook(out.join("tables.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(&names[..3], ["Cover", "Contents", "Notes"]);
    let ids = table_ids(out);
    assert_eq!(names.len(), 3 + ids.len(), "one sheet per table: {names:?}");
    assert!(names.iter().all(|n| n.len() <= 31));

    let cover = wb.worksheet_range("Cover").unwrap();
    let cover_text: Vec<String> = cover.rows().map(|r| r[0].to_string()).collect();
    assert!(cover_text[0].contains("England and Wales") && cover_text[0].contains("2023-01-01"), "{cover_text:?}");
    for needed in [
        "Marking", "Period", "Source", "Symbols", "About these tables", "Release date", "Next release", "Statistics status", "Responsible statistician and contact",
        "Revisions policy", "Related statistics", "Accessibility", "Source and coverage", "Things you need to know", "Contents",
    ] {
        assert!(cover_text.iter().any(|l| l == needed), "cover has no {needed}: {cover_text:?}");
    }
    assert!(cover_text.iter().any(|l| l.starts_with(mode.marking()) && (mode == Mode::Internal || !l.contains("SENSITIVE"))));
    // Table headers wrap within their columns (a taller header row), never cut off.
    assert!(part(out, "xl/styles.xml").contains("wrapText=\"1\""));
    let t01 = part(out, "xl/worksheets/sheet4.xml");
    let header_row = t01.split("<row ").find(|r| r.starts_with(&format!("r=\"{}\"", TABLE_HEADER_ROW + 1))).unwrap();
    assert!(header_row.contains("customHeight=\"1\""), "{}", &header_row[..header_row.len().min(200)]);
    // The cover links to the contents sheet.
    assert!(part(out, "xl/worksheets/sheet1.xml").contains("location=\"'Contents'!A1\""), "no link from the cover to the contents");

    // Notes are cited in order: each title's references ascend, and the first citation of each
    // note, read down the contents, comes in the notes' order.
    let notes = wb.worksheet_range("Notes").unwrap();
    let n_notes = notes.rows().skip(4).count();
    let titles: Vec<String> = wb.worksheet_range("Contents").unwrap().rows().skip(4).map(|r| r[1].to_string()).collect();
    let mut first_seen: Vec<usize> = Vec::new();
    for t in &titles {
        let refs: Vec<usize> = t.split("[note ").skip(1).map(|x| x.split(']').next().unwrap().parse().unwrap()).collect();
        assert!(refs.windows(2).all(|w| w[0] < w[1]), "notes out of order in {t}");
        for r in refs {
            if !first_seen.contains(&r) {
                first_seen.push(r);
            }
        }
    }
    assert_eq!(first_seen, (1..=n_notes).collect::<Vec<_>>(), "notes are numbered in the order they are first cited");

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
        let csv = csv_rows(&out.join("tables").join(format!("{id}.csv")));
        // Symbols are explained where, and only where, the table has some.
        let symbols: Vec<&str> = ["[c]", "[x]", "[z]", "[low]"].into_iter().filter(|s| csv.iter().flatten().any(|c| c == s)).collect();
        let (line1, line3) = (range.get_value((1, 0)).unwrap().to_string(), range.get_value((3, 0)).unwrap().to_string());
        assert_eq!(line1.contains("Some cells contain symbols"), !symbols.is_empty(), "{name}: {line1}");
        for s in ["[c]", "[x]", "[z]", "[low]"] {
            assert_eq!(line3.contains(s), symbols.contains(&s), "{name}: {line3}");
        }
        // The table: an Excel table starting at the header row, headers unique and non-empty.
        let table = wb.table_by_name(&format!("Table_{name}")).unwrap();
        assert_eq!(table.sheet_name(), name.as_str());
        let heads = table.columns();
        assert!(heads.iter().all(|h| h.chars().next().is_some_and(|c| !c.is_lowercase())), "{name}: headers in sentence case: {heads:?}");
        if name == "T06" || name == "T07" {
            assert_eq!(&heads[2..], ["Female", "Male", "Unknown", "Total"], "{name}: sexes in the specification's order");
        }
        let unique: std::collections::BTreeSet<_> = heads.iter().collect();
        assert_eq!(unique.len(), heads.len(), "{name}: {heads:?}");
        // Values: the CSV's rows, numbers stored as numbers, symbols as text; no blank row.
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
                        assert!(["[c]", "[z]", "[x]", "[low]"].contains(&want.as_str()), "{name}: {want}");
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

/// Every CSV file starts with its header row (as ONS and GOV.UK publish them), so pandas, R
/// and DuckDB read it with their defaults; the long files have one row per cell; and
/// `tables/metadata.json` describes every file, with the marking README.txt also carries.
#[test]
fn csv_files_are_tidy_and_described_by_their_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = common::tiny_dataset(tmp.path());
    for mode in [Mode::Internal, Mode::Public] {
        let out = tmp.path().join(mode.name());
        common::publish_to(&ds, &out, mode);
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("tables/metadata.json")).unwrap()).unwrap();
        assert_eq!(meta["@context"], "http://www.w3.org/ns/csvw");
        assert_eq!(meta["marking"], mode.marking());
        assert_eq!(meta["synthetic"], false);
        let described: Vec<&str> = meta["tables"].as_array().unwrap().iter().map(|t| t["url"].as_str().unwrap()).collect();
        let ids = table_ids(&out);
        assert_eq!(described.len(), 2 * ids.len());
        for id in &ids {
            let wide = csv_rows(&out.join("tables").join(format!("{id}.csv")));
            assert_eq!(wide[0][1], "label", "{id}: the first line is the header: {:?}", wide[0]);
            assert!(!wide[0][0].starts_with('#'));
            let entry = meta["tables"].as_array().unwrap().iter().find(|t| t["url"] == format!("{id}.csv")).unwrap();
            let columns: Vec<&str> = entry["tableSchema"]["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
            assert_eq!(columns, wide[0].iter().map(String::as_str).collect::<Vec<_>>(), "{id}: metadata names every column");
            let long = csv_rows(&out.join("tables/long").join(format!("{id}.csv")));
            assert_eq!(long[0][4..], ["value", "status"]);
            assert_eq!(long.len() - 1, (wide.len() - 1) * (wide[0].len() - 2), "{id}: one long row per cell");
            // Each long row is its wide cell: the value, or the symbol in the status column.
            for row in &long[1..] {
                let r = wide.iter().position(|w| w[0] == row[0]).unwrap();
                let c = wide[0].iter().position(|h| *h == row[2]).unwrap();
                let cell = &wide[r][c];
                if cell.starts_with('[') { assert_eq!((&row[4], &row[5]), (&String::new(), cell)) } else { assert_eq!((&row[4], &row[5]), (cell, &String::new())) }
            }
            assert!(described.contains(&format!("long/{id}.csv").as_str()));
        }
        let readme = std::fs::read_to_string(out.join("README.txt")).unwrap();
        assert!(readme.starts_with(mode.marking()) && readme.trim_end().ends_with(mode.marking()));
        assert!(readme.contains("metadata.json") && readme.contains("the first line is the header"));
    }
}
