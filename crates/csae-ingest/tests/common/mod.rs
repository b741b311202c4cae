//! Workbooks made by hand, XML and all, so a test can put anything in them: cell references,
//! `<dimension>` elements and shared-string indexes that no spreadsheet program would write.

#![allow(dead_code)]

use std::io::Write;

pub const HEADS: [&str; 4] = [
    "force_id,crime_ref,recorded_date,offence_date_from,offence_date_to,offence_code,csa_flag,cse_flag,online_flag,cocad_category,location_type,operation_ref",
    "force_id,crime_ref,person_ref,pnc_id,age_at_offence,date_of_birth,sex,ethnicity,ethnicity_officer,nationality",
    "force_id,crime_ref,person_ref,pnc_id,age_at_offence,date_of_birth,sex,ethnicity,ethnicity_officer,nationality",
    "force_id,crime_ref,victim_ref,suspect_ref,relationship",
];

pub const SHEETS: [&str; 4] = ["crimes", "victims", "suspects", "relationships"];

/// One sheet's XML: an optional `<dimension ref=…>`, then `rows` of `<c>` elements as given.
pub fn sheet_xml(dimension: Option<&str>, cells: &str) -> String {
    let dim = dimension.map(|d| format!("<dimension ref=\"{d}\"/>")).unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">{dim}<sheetData>{cells}</sheetData></worksheet>"
    )
}

/// A row of inline-string cells from column A, at 1-based `row`.
pub fn inline_row(row: u32, texts: &[&str]) -> String {
    let cells: String = texts
        .iter()
        .enumerate()
        .map(|(c, t)| format!("<c r=\"{}{row}\" t=\"inlineStr\"><is><t>{t}</t></is></c>", col_letters(c as u32)))
        .collect();
    format!("<row r=\"{row}\">{cells}</row>")
}

pub fn col_letters(c: u32) -> String {
    let mut n = c + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

/// A header row for sheet `i` (1-based row 1).
pub fn header_row(i: usize) -> String {
    inline_row(1, &HEADS[i].split(',').collect::<Vec<_>>())
}

/// A workbook of the four sheets with the given XML, and shared strings.
pub fn workbook(sheets: [String; 4], shared: &[&str]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, text: &str| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    let overrides: String = (1..=4)
        .map(|i| format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        .collect();
    put(
        "[Content_Types].xml",
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>{overrides}</Types>"
        ),
    );
    put(
        "_rels/.rels",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
    );
    let sheets_xml: String = SHEETS.iter().enumerate().map(|(i, n)| format!("<sheet name=\"{n}\" sheetId=\"{}\" r:id=\"rId{}\"/>", i + 1, i + 1)).collect();
    put(
        "xl/workbook.xml",
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>{sheets_xml}</sheets></workbook>"
        ),
    );
    let rels: String = (1..=4)
        .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        .collect();
    put(
        "xl/_rels/workbook.xml.rels",
        &format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}\
             <Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"
        ),
    );
    let si: String = shared.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
    put(
        "xl/sharedStrings.xml",
        &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{0}\" uniqueCount=\"{0}\">{si}</sst>", shared.len()),
    );
    for (i, xml) in sheets.iter().enumerate() {
        put(&format!("xl/worksheets/sheet{}.xml", i + 1), xml);
    }
    zip.finish().unwrap().into_inner()
}

/// Four sheets holding only their headers, with `crimes` replaced by `crimes_cells` after its
/// header (and its dimension set to `dimension`).
pub fn workbook_with_crimes(dimension: Option<&str>, crimes_cells: &str) -> Vec<u8> {
    let mut sheets: [String; 4] = std::array::from_fn(|i| sheet_xml(None, &header_row(i)));
    sheets[0] = sheet_xml(dimension, &format!("{}{crimes_cells}", header_row(0)));
    workbook(sheets, &[])
}

/// Limits this process's address space to `bytes`, so that a reader asking for more memory
/// fails the test (the allocation aborts the process) instead of the machine swapping.
pub fn limit_memory(bytes: u64) {
    let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
    // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) };
    assert_eq!(rc, 0, "setrlimit");
}
