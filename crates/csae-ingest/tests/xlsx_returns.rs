//! Workbook returns: real Excel dates, numbers stored as numbers, sheet and header names in any
//! case and order, and blank rows. The tiny sample as a workbook must give exactly the answers
//! of the CSV form, with the sheet's own row numbers.

use std::path::PathBuf;

use chrono::NaiveDate;
use csae_ingest::read::return_from_xlsx_bytes;
use csae_ingest::{Severity, ValidateOptions, find_returns, read_return, validate};
use csae_model::{ColumnKind, Table, dates, force};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny")
}

fn opts() -> ValidateOptions {
    ValidateOptions { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), show_personal: false, period: None }
}

/// Writes a CSV return as a workbook the way Excel users keep one: ISO dates become real date
/// cells, whole numbers become number cells, headers are upper-cased, sheets title-cased.
fn workbook_from_csv(dir: &std::path::Path) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    for t in Table::ALL {
        let ws = wb.add_worksheet();
        let mut name = t.name().to_string();
        name[..1].make_ascii_uppercase();
        ws.set_name(&name).unwrap();
        let mut rdr = csv::Reader::from_path(dir.join(format!("{}.csv", t.name()))).unwrap();
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, h.to_uppercase()).unwrap();
        }
        for (r, rec) in rdr.records().enumerate() {
            let rec = rec.unwrap();
            for (c, v) in rec.iter().enumerate() {
                let (row, col) = (r as u32 + 1, c as u16);
                let is_date = t.columns().iter().any(|k| k.name == header[c] && k.kind == ColumnKind::Date);
                if v.is_empty() {
                    continue;
                } else if let (true, Some(d)) = (is_date, dates::parse_iso(v)) {
                    let x = ExcelDateTime::from_ymd(d.format("%Y").to_string().parse().unwrap(), d.format("%m").to_string().parse().unwrap(), d.format("%d").to_string().parse().unwrap()).unwrap();
                    ws.write_datetime_with_format(row, col, &x, &date_fmt).unwrap();
                } else if let Ok(n) = v.parse::<f64>() {
                    ws.write_number(row, col, n).unwrap();
                } else {
                    ws.write_string(row, col, v).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn tiny_sample_as_a_workbook_gives_the_same_answers() {
    let (src, _) = find_returns(&[fixtures().join("cumbria")]).unwrap();
    let csv_raw = read_return(&src[0]).unwrap();
    let csv_v = validate(&csv_raw, &opts());
    let xlsx_raw = return_from_xlsx_bytes(force("cumbria").unwrap(), "cumbria.xlsx", workbook_from_csv(&fixtures().join("cumbria"))).unwrap();
    let xlsx_v = validate(&xlsx_raw, &opts());
    for t in Table::ALL {
        assert_eq!(csv_v.counts(t), xlsx_v.counts(t), "{t}");
        assert_eq!(csv_raw.table(t).rows, xlsx_raw.table(t).rows, "row numbers of {t}");
    }
    assert_eq!(csv_v.rule_counts(Severity::Error), xlsx_v.rule_counts(Severity::Error));
    assert_eq!(csv_v.rule_counts(Severity::Warning), xlsx_v.rule_counts(Severity::Warning));
    // Real date cells came through as the same dates.
    let d = |v: &csae_ingest::validate::Validated| v.crimes.iter().map(|c| (c.recorded_date, c.offence_date_from)).collect::<Vec<_>>();
    assert_eq!(d(&csv_v), d(&xlsx_v));
    assert!(xlsx_v.issues.iter().any(|i| i.message.starts_with("cumbria.xlsx, sheet crimes row 13, column recorded_date")));
}

#[test]
fn dates_numbers_blank_rows_and_column_order_in_a_workbook() {
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let crimes = wb.add_worksheet().set_name("CRIMES").unwrap();
    let head = ["Offence_Code", "crime_ref", "FORCE_ID", "recorded_date", "offence_date_from", "notes"];
    for (c, h) in head.iter().enumerate() {
        crimes.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: a real date, a crime_ref stored as a number, an offence code stored as a number.
    crimes.write_number(1, 0, 21.0).unwrap();
    crimes.write_number(1, 1, 1001.0).unwrap();
    crimes.write_string(1, 2, "Cumbria").unwrap();
    crimes.write_datetime_with_format(1, 3, &ExcelDateTime::from_ymd(2023, 2, 10).unwrap(), &date_fmt).unwrap();
    // A date that lost its format: a plain serial number in a date column.
    crimes.write_number(1, 4, 44_927.0).unwrap(); // 2023-01-01
    // Row 3 blank, row 4 a second crime with an ISO text date.
    crimes.write_string(3, 0, "19D").unwrap();
    crimes.write_string(3, 1, "CR2").unwrap();
    crimes.write_string(3, 2, "cumbria").unwrap();
    crimes.write_string(3, 3, "2023-03-01").unwrap();
    let people_head = ["force_id", "crime_ref", "person_ref", "age_at_offence", "date_of_birth"];
    for name in ["victims", "Suspects"] {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (c, h) in people_head.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, crime) in [(1u32, 1001.0), (2, 0.0)] {
            ws.write_string(r, 0, "cumbria").unwrap();
            if r == 1 { ws.write_number(r, 1, crime).unwrap(); } else { ws.write_string(r, 1, "CR2").unwrap(); }
            ws.write_string(r, 2, format!("{name}{r}")).unwrap();
        }
        ws.write_number(1, 3, 12.0).unwrap();
        ws.write_datetime_with_format(2, 4, &ExcelDateTime::from_ymd(2011, 5, 1).unwrap(), &date_fmt).unwrap();
    }
    let rels = wb.add_worksheet().set_name("relationships").unwrap();
    for (c, h) in ["force_id", "crime_ref", "victim_ref", "suspect_ref", "relationship"].iter().enumerate() {
        rels.write_string(0, c as u16, *h).unwrap();
    }
    let raw = return_from_xlsx_bytes(force("cumbria").unwrap(), "cumbria.xlsx", wb.save_to_buffer().unwrap()).unwrap();
    assert_eq!(raw.table(Table::Crimes).rows, [2, 4]);
    assert_eq!(raw.table(Table::Crimes).extra_columns, ["notes"]);
    let v = validate(&raw, &opts());
    assert!(v.rule_counts(Severity::Error).is_empty(), "{:?}", v.issues);
    assert_eq!(v.crimes[0].crime_ref, "1001");
    assert_eq!(v.crimes[0].offence.code, "21");
    assert_eq!(v.crimes[0].recorded_date, NaiveDate::from_ymd_opt(2023, 2, 10).unwrap());
    assert_eq!(v.crimes[0].offence_date_from, NaiveDate::from_ymd_opt(2023, 1, 1));
    assert_eq!(v.victims[0].age_at_offence, Some(12));
    // The second crime has no offence date, so the date of birth gives no age.
    assert_eq!(v.victims[1].age_at_offence, None);
}

#[test]
fn a_workbook_without_a_sheet_is_f01() {
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("crimes").unwrap();
    let e = return_from_xlsx_bytes(force("cumbria").unwrap(), "cumbria.xlsx", wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.message.starts_with("cumbria.xlsx, sheet crimes is empty") || e.message.contains("has no sheet named victims"), "{}", e.message);
}
