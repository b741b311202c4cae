//! Careless and hostile returns: nothing a submitter sends is dropped or altered without a
//! word, no reader hangs or grows without bound, and every message is one clear sentence.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use csae_ingest::read::{ReadLimits, return_from_csv_bytes, return_from_csv_files, return_from_xlsx_bytes, return_from_xlsx_within};
use csae_ingest::report::{ForceReport, ValidationReport};
use csae_ingest::{Rule, ValidateOptions, find_returns, read_return, validate};
use csae_model::{Table, force};

const HEADS: [&str; 4] = common::HEADS;

fn opts() -> ValidateOptions {
    ValidateOptions { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), show_personal: false, period: None }
}

/// A clean one-crime return, with `crimes` rows given after the header.
fn csv_return(crimes: &str) -> [String; 4] {
    [
        format!("{}\n{crimes}", HEADS[0]),
        format!("{}\ncumbria,CR1,V1,,9,,F,W1,,GBR\n", HEADS[1]),
        format!("{}\ncumbria,CR1,S1,,40,,M,W1,,GBR\ncumbria,CR1,S2,,38,,F,,,\n", HEADS[2]),
        format!("{}\ncumbria,CR1,V1,S1,PARENT\n", HEADS[3]),
    ]
}

fn read_csv(t: &[String; 4]) -> Result<csae_ingest::RawReturn, csae_ingest::ReturnRejected> {
    return_from_csv_bytes(force("cumbria").unwrap(), "cumbria/", [t[0].as_bytes(), t[1].as_bytes(), t[2].as_bytes(), t[3].as_bytes()])
}

const CRIME: &str = "cumbria,CR1,2023-02-10,2023-01-05,2023-01-20,19E,Y,N,N,FAMILIAL,DWELLING_VICTIM,OP1";

#[test]
fn a_row_with_more_cells_than_the_header_is_rejected_with_f02() {
    // A comma inside an unquoted operation_ref splits it: the second half would be lost.
    let t = csv_return(&format!("{CRIME},2\n"));
    let raw = read_csv(&t).unwrap();
    let v = validate(&raw, &opts());
    let issue = v.issues.iter().find(|i| i.rule == Rule::F02).expect("F02");
    assert_eq!(issue.row, 2);
    assert!(issue.message.contains("column 13, which the header does not name (\"2\")"), "{}", issue.message);
    assert_eq!(v.counts(Table::Crimes).rejected, 1);
    // The cascade: the crime's people and relationships go with it.
    assert_eq!(v.counts(Table::Victims).rejected, 1);
    // Trailing blank cells lose nothing and are not a rule.
    let raw = read_csv(&csv_return(&format!("{CRIME},,\n"))).unwrap();
    assert!(validate(&raw, &opts()).issues.iter().all(|i| i.rule != Rule::F02));
}

#[test]
fn a_value_under_a_blank_header_cell_is_rejected_with_f02() {
    let mut t = csv_return(&format!("{CRIME}\n"));
    t[3] = "force_id,crime_ref,,victim_ref,suspect_ref,relationship\ncumbria,CR1,lost,V1,S1,PARENT\n".into();
    let raw = read_csv(&t).unwrap();
    let v = validate(&raw, &opts());
    let issue = v.issues.iter().find(|i| i.rule == Rule::F02).expect("F02");
    assert_eq!((issue.table, issue.row), (Table::Relationships, 2));
    assert!(issue.message.contains("column 3") && issue.message.contains("\"lost\""), "{}", issue.message);
}

#[test]
fn a_workbook_value_outside_the_header_is_rejected_with_f02() {
    let row = "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>cumbria</t></is></c><c r=\"P2\" t=\"inlineStr\"><is><t>stray</t></is></c><c r=\"Q2\" t=\"inlineStr\"><is><t>more</t></is></c></row>";
    let raw = return_from_xlsx_bytes(force("cumbria").unwrap(), "cumbria.xlsx", common::workbook_with_crimes(None, row)).unwrap();
    let v = validate(&raw, &opts());
    let issue = v.issues.iter().find(|i| i.rule == Rule::F02).expect("F02");
    assert!(issue.message.contains("in column P, which the header does not name (\"stray\" and 1 more value)"), "{}", issue.message);
}

#[test]
fn control_characters_in_a_cell_are_rejected_with_f03_naming_the_character() {
    let raw = read_csv(&csv_return("cumbria,CR1,2023-02-10,2023-01-05,2023-01-20,19E,Y,N,N,FAMILIAL,DWELLING_VICTIM,OP\u{0}1\n")).unwrap();
    let v = validate(&raw, &opts());
    let issue = v.issues.iter().find(|i| i.rule == Rule::F03).expect("F03");
    assert_eq!(issue.column, Some("operation_ref"));
    assert!(issue.message.contains("U+0000 (NUL)"), "{}", issue.message);
    assert!(!issue.message.contains('\0'), "the message escapes it");
    assert_eq!(v.counts(Table::Crimes).rejected, 1);
    // An escape sequence in a personal column: named, its value hidden.
    let mut t = csv_return(&format!("{CRIME}\n"));
    t[1] = format!("{}\ncumbria,CR1,V\u{1b}[2J1,,9,,F,W1,,GBR\n", HEADS[1]);
    let raw = read_csv(&t).unwrap();
    let v = validate(&raw, &opts());
    let issue = v.issues.iter().find(|i| i.rule == Rule::F03).expect("F03");
    assert!(issue.message.contains("U+001B (escape)") && issue.value.is_none(), "{}", issue.message);
    // Tabs and line breaks inside quotes are text.
    let raw = read_csv(&csv_return("cumbria,CR1,2023-02-10,2023-01-05,2023-01-20,19E,Y,N,N,FAMILIAL,DWELLING_VICTIM,\"OP\t1\nA\"\n")).unwrap();
    assert!(validate(&raw, &opts()).issues.iter().all(|i| i.rule != Rule::F03));
}

#[test]
fn echoed_values_are_capped_at_a_hundred_characters_with_their_size() {
    let huge = "9".repeat(20 * 1024 * 1024);
    let raw = read_csv(&csv_return(&format!("cumbria,CR1,{huge},,,19E\n"))).unwrap();
    let v = validate(&raw, &opts());
    let issue = v.issues.iter().find(|i| i.rule == Rule::C03).expect("C03");
    let expected = format!("{}… (20971520 bytes)", "9".repeat(100));
    assert_eq!(issue.value.as_deref(), Some(expected.as_str()));
    assert!(issue.message.len() < 400, "{} bytes", issue.message.len());
    let mut report = ValidationReport::new(vec![]);
    report.forces.insert("cumbria".into(), ForceReport::from_validated(v));
    assert!(report.to_json().len() < 10_000);
}

#[test]
fn notices_of_unknown_columns_are_capped() {
    let mut t = csv_return(&format!("{CRIME}\n"));
    let extra: Vec<String> = (0..200).map(|i| format!("extra{i}")).collect();
    t[3] = format!("{},{}\ncumbria,CR1,V1,S1,PARENT\n", HEADS[3], extra.join(","));
    let raw = read_csv(&t).unwrap();
    let report = ForceReport::from_validated(validate(&raw, &opts()));
    assert_eq!(report.notices.len(), 11);
    assert_eq!(report.notices[10], "cumbria/relationships.csv: 190 more unknown columns are ignored");
    // A header far wider than any return is F01, not millions of notices.
    t[3] = format!("{},{}\n", HEADS[3], (0..300).map(|i| format!("x{i}")).collect::<Vec<_>>().join(","));
    let e = read_csv(&t).unwrap_err();
    assert!(e.message.starts_with("cumbria/relationships.csv has a header reaching column KS"), "{}", e.message);
    // A header of millions of cells stops at a worksheet's width.
    t[3] = format!("{}{}\n", HEADS[3], ",".repeat(2_000_000));
    let e = read_csv(&t).unwrap_err();
    assert!(e.message.contains("row 1 has more than 16384 cells"), "{}", e.message);
}

#[test]
fn utf16_and_semicolon_files_are_named_for_what_they_are() {
    let mut t = csv_return(&format!("{CRIME}\n"));
    let utf16: Vec<u8> = t[3].encode_utf16().flat_map(u16::to_le_bytes).collect();
    let files = |t: &[String; 4], rels: &[u8]| [t[0].as_bytes().to_vec(), t[1].as_bytes().to_vec(), t[2].as_bytes().to_vec(), rels.to_vec()];
    let limits = ReadLimits::default();
    let f = force("cumbria").unwrap();
    let e = return_from_csv_files(f, "cumbria/", files(&t, &utf16), &limits).unwrap_err();
    assert_eq!(e.message, "cumbria/relationships.csv is UTF-16 text without a byte-order mark, not UTF-8; save it as \"CSV UTF-8 (Comma delimited)\" and submit it again");
    let with_bom = [&[0xFF, 0xFE][..], &utf16].concat();
    let e = return_from_csv_files(f, "cumbria/", files(&t, &with_bom), &limits).unwrap_err();
    assert!(e.message.contains("is UTF-16 text (as Excel's \"Unicode Text\" saves it)"), "{}", e.message);
    t[3] = "force_id;crime_ref;victim_ref;suspect_ref;relationship\ncumbria;CR1;V1;S1;PARENT\n".into();
    let e = read_csv(&t).unwrap_err();
    assert!(e.message.starts_with("cumbria/relationships.csv separates its columns with semicolons, not commas"), "{}", e.message);
}

#[test]
fn a_declared_period_rejects_crimes_recorded_outside_it_with_c08() {
    let raw = read_csv(&csv_return(&format!("{CRIME}\n"))).unwrap();
    let period = Some((NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()));
    let v = validate(&raw, &ValidateOptions { period, ..opts() });
    let issue = v.issues.iter().find(|i| i.rule == Rule::C08).expect("C08");
    assert_eq!(issue.column, Some("recorded_date"));
    assert!(issue.message.contains("\"2023-02-10\" is outside 2022-01-01 to 2022-12-31"), "{}", issue.message);
    assert!(v.crimes.is_empty() && v.suspects.is_empty(), "the rejection cascades");
    let inside = Some((NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()));
    assert_eq!(validate(&raw, &ValidateOptions { period: inside, ..opts() }).crimes.len(), 1);
}

#[test]
fn rows_past_the_limit_are_refused_while_reading() {
    let crimes: String = (0..50).map(|i| format!("cumbria,CR{i},2023-02-10,,,19E\n")).collect();
    let t = csv_return(&crimes);
    let files = [t[0].as_bytes().to_vec(), t[1].as_bytes().to_vec(), t[2].as_bytes().to_vec(), t[3].as_bytes().to_vec()];
    let limits = ReadLimits { max_rows: 20, max_bytes: 1 << 20 };
    let e = return_from_csv_files(force("cumbria").unwrap(), "cumbria/", files, &limits).unwrap_err();
    assert!(e.over_limit);
    assert_eq!(e.message, "cumbria/crimes.csv has more rows than the 20 a return may have here; check it is the right file");
    // The same in a workbook, and a workbook whose files would expand past the byte limit.
    let rows: String = (2..60).map(|r| common::inline_row(r, &["cumbria", &format!("CR{r}")])).collect();
    let book = common::workbook_with_crimes(None, &rows);
    let e = return_from_xlsx_within(force("cumbria").unwrap(), "cumbria.xlsx", book.clone(), &limits).unwrap_err();
    assert!(e.over_limit && e.message.contains("more rows than the 20"), "{}", e.message);
    let e = return_from_xlsx_within(force("cumbria").unwrap(), "cumbria.xlsx", book, &ReadLimits { max_rows: 1000, max_bytes: 1000 }).unwrap_err();
    assert!(e.over_limit && e.message.contains("add up to more than 1 KB uncompressed"), "{}", e.message);
}

/// Runs `f` on a thread and fails the test if it has not finished within `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs)).expect("finished in time, not hanging")
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_named_pipe_in_place_of_a_file_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let ret = dir.path().join("cumbria");
    std::fs::create_dir(&ret).unwrap();
    let t = csv_return(&format!("{CRIME}\n"));
    for (name, text) in ["victims.csv", "suspects.csv", "relationships.csv"].iter().zip(&t[1..]) {
        std::fs::write(ret.join(name), text).unwrap();
    }
    mkfifo(&ret.join("crimes.csv"));
    let e = within(10, move || {
        let (src, _) = find_returns(&[ret]).unwrap();
        read_return(&src[0]).unwrap_err()
    });
    assert_eq!(e.message, "cumbria/crimes.csv is not an ordinary file (a named pipe, device or socket); give the return's data as ordinary files and run again");
    // A pipe named like a workbook in a collection, and a pipe given directly.
    let coll = dir.path().join("returns");
    std::fs::create_dir(&coll).unwrap();
    mkfifo(&coll.join("durham.xlsx"));
    let coll2 = coll.clone();
    let e = within(10, move || {
        let (src, _) = find_returns(&[coll2]).unwrap();
        read_return(&src[0]).unwrap_err()
    });
    assert!(e.message.starts_with("durham.xlsx is not an ordinary file"), "{}", e.message);
    let e = find_returns(&[coll.join("durham.xlsx")]).unwrap_err();
    assert!(e.0.contains("is not an ordinary file or folder"), "{e}");
}

#[test]
fn internal_wording_never_reaches_the_submitter() {
    let f = force("cumbria").unwrap();
    let e = return_from_xlsx_bytes(f, "cumbria.xlsx", b"PK\x03\x04 but not really a zip".to_vec()).unwrap_err();
    assert_eq!(e.message, "cumbria.xlsx is not a zip archive (every .xlsx workbook is one), or it is damaged; save it again from Excel as \"Excel Workbook (.xlsx)\" and submit it again");
    // A dimension calamine cannot parse ("Range is missing the expected row component").
    let e = return_from_xlsx_bytes(f, "cumbria.xlsx", common::workbook_with_crimes(Some("A"), "")).unwrap_err();
    assert!(e.message.starts_with("cumbria.xlsx, sheet crimes holds a cell, reference or part that is not in the form Excel saves"), "{}", e.message);
    assert!(!e.message.contains("Range") && !e.message.contains("component"), "{}", e.message);
    // A path through a file (ENOTDIR, "os error 20").
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let e = find_returns(&[dir.path().join("file").join("cumbria")]).unwrap_err();
    assert!(e.0.contains("a part of the path is a file, not a folder") && !e.0.contains("os error"), "{e}");
    // A collection without a return names what it holds.
    let coll = dir.path().join("returns");
    std::fs::create_dir_all(coll.join("cumbria-2023")).unwrap();
    std::fs::write(coll.join("notes.txt"), "x").unwrap();
    let e = find_returns(std::slice::from_ref(&coll)).unwrap_err();
    assert!(e.0.contains("holds no force return: it has cumbria-2023, notes.txt, none of them a return"), "{e}");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(find_returns(&[empty]).unwrap_err().0.contains("is empty; a force return is a folder named after its force id"));
}
