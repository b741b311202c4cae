//! Hostile workbooks under a memory limit on the whole test process: a reader that sizes a
//! grid by the furthest cell, the `<dimension>` element or a row number asks for far more than
//! the limit and aborts the process, failing these tests. Every test of this file runs under
//! the same limit (it is the process's), so nothing else belongs here.

mod common;

use chrono::NaiveDate;
use common::*;
use csae_ingest::read::return_from_xlsx_bytes;
use csae_ingest::{Rule, Severity, ValidateOptions, validate};
use csae_model::{Table, force};
use proptest::prelude::*;

/// Far more than reading these workbooks needs, far less than a grid of their extent.
const LIMIT: u64 = 2 << 30;

fn read(bytes: Vec<u8>) -> Result<csae_ingest::RawReturn, csae_ingest::ReturnRejected> {
    limit_memory(LIMIT);
    return_from_xlsx_bytes(force("cumbria").unwrap(), "cumbria.xlsx", bytes)
}

fn opts() -> ValidateOptions {
    ValidateOptions { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), show_personal: false, period: None }
}

/// One value at XFD1048576 (the last cell of a worksheet), declared by the dimension too: a
/// dense grid would be 17 billion cells. It is read as a row with a value outside the header.
#[test]
fn a_workbook_with_one_cell_at_xfd1048576_is_read_in_bounded_memory() {
    let crimes = "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>far</t></is></c></row>";
    let raw = read(workbook_with_crimes(Some("A1:XFD1048576"), crimes)).unwrap();
    let t = raw.table(Table::Crimes);
    assert_eq!(t.rows, [1_048_576], "{:?}", (0..t.len()).map(|i| (0..3).map(|c| t.records.get(i, c)).collect::<Vec<_>>()).collect::<Vec<_>>());
    assert_eq!(t.strays.len(), 1);
    assert_eq!(t.strays[0].place, "column XFD");
    let v = validate(&raw, &opts());
    let f02: Vec<_> = v.issues.iter().filter(|i| i.rule == Rule::F02).collect();
    assert_eq!(f02.len(), 1);
    assert!(f02[0].message.starts_with("cumbria.xlsx, sheet crimes row 1048576: the row has a value in column XFD"), "{}", f02[0].message);
    assert_eq!(v.counts(Table::Crimes).rejected, 1);
}

/// A sheet whose only value is at XFD16: that row is its header, and a header reaching column
/// XFD is not a return's (F01), said in a sentence.
#[test]
fn a_sheet_whose_header_reaches_xfd_is_f01() {
    let mut sheets: [String; 4] = std::array::from_fn(|i| sheet_xml(None, &header_row(i)));
    sheets[0] = sheet_xml(Some("XFD16"), "<row r=\"16\"><c r=\"XFD16\" t=\"inlineStr\"><is><t>x</t></is></c></row>");
    let e = read(workbook(sheets, &[])).unwrap_err();
    assert!(e.message.starts_with("cumbria.xlsx, sheet crimes has a header reaching column XFD"), "{}", e.message);
    assert!(!e.over_limit);
}

/// A dimension claiming the whole sheet, with a normal small table: read as the table.
#[test]
fn a_lying_dimension_is_ignored() {
    let row = inline_row(2, &["cumbria", "CR1", "2023-02-10", "", "", "19E"]);
    let raw = read(workbook_with_crimes(Some("A1:XFD1048576"), &row)).unwrap();
    assert_eq!(raw.table(Table::Crimes).len(), 1);
    assert!(raw.table(Table::Crimes).strays.is_empty());
}

/// A cell reference past the last row or column a worksheet can have is F01, not a grid.
#[test]
fn references_beyond_a_worksheet_are_f01() {
    for (r, c) in [("1048577", "A1048577"), ("5", "XFE5"), ("4294967295", "A4294967295")] {
        let cells = format!("<row r=\"{r}\"><c r=\"{c}\" t=\"inlineStr\"><is><t>x</t></is></c></row>");
        match read(workbook_with_crimes(None, &cells)) {
            Err(e) => assert!(e.message.starts_with("cumbria.xlsx, sheet crimes"), "{c}: {}", e.message),
            Ok(raw) => panic!("{c} was read: {:?}", raw.table(Table::Crimes).rows),
        }
    }
}

/// Parts of a sheet's XML, any of them possibly nonsense.
fn cell_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..20_000, 1u32..1_100_000).prop_map(|(c, r)| format!("{}{r}", col_letters(c))),
        "[A-Z]{0,4}[0-9]{0,11}",
        ".{0,8}",
    ]
}

fn cell() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        (cell_ref(), "[ -~]{0,12}").prop_map(|(r, t)| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{}</t></is></c>", t.replace('&', "&amp;").replace('<', "&lt;"))),
        (cell_ref(), any::<u32>()).prop_map(|(r, i)| format!("<c r=\"{r}\" t=\"s\"><v>{i}</v></c>")),
        (cell_ref(), -1e9f64..1e9).prop_map(|(r, f)| format!("<c r=\"{r}\"><v>{f}</v></c>")),
        "[ -~]{0,12}".prop_map(|t| format!("<c t=\"s\"><v>{}</v></c>", t.replace('&', "&amp;").replace('<', "&lt;"))),
        (cell_ref(), "[a-z]{0,3}").prop_map(|(r, t)| format!("<c r=\"{r}\" t=\"{t}\"><v>1</v></c>")),
    ];
    value
}

fn rows() -> impl Strategy<Value = String> {
    proptest::collection::vec((proptest::option::of(0u32..1_200_000), proptest::collection::vec(cell(), 0..6)), 0..6).prop_map(|rows| {
        rows.into_iter()
            .map(|(r, cells)| match r {
                Some(r) => format!("<row r=\"{r}\">{}</row>", cells.concat()),
                None => format!("<row>{}</row>", cells.concat()),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever the references, dimensions and shared-string indexes, a workbook is read (or
    /// refused with F01 naming it) within the memory limit, and every row it gives ends
    /// accepted or rejected.
    #[test]
    fn arbitrary_references_dimensions_and_shared_strings_stay_bounded(
        dimension in proptest::option::of(prop_oneof![Just("A1:XFD1048576".to_string()), "[A-Z]{0,4}[0-9]{0,8}(:[A-Z]{0,4}[0-9]{0,8})?"]),
        cells in rows(),
        shared in proptest::collection::vec("[a-z0-9 ]{0,6}", 0..4),
    ) {
        let mut sheets: [String; 4] = std::array::from_fn(|i| sheet_xml(None, &header_row(i)));
        sheets[0] = sheet_xml(dimension.as_deref(), &format!("{}{cells}", header_row(0)));
        let shared: Vec<&str> = shared.iter().map(String::as_str).collect();
        match read(workbook(sheets, &shared)) {
            Err(e) => prop_assert!(e.message.starts_with("cumbria.xlsx"), "{}", e.message),
            Ok(raw) => {
                let v = validate(&raw, &opts());
                for t in Table::ALL {
                    let c = v.counts(t);
                    prop_assert_eq!(c.read, c.accepted + c.rejected);
                }
                prop_assert!(v.rule_counts(Severity::Error).keys().all(|r| *r != Rule::F01));
            }
        }
    }
}
