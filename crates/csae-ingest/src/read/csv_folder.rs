//! A return as a folder of four CSV files (UTF-8, optional BOM, RFC 4180 quoting), read with
//! the `csv` crate.

use csae_model::{Force, Table};

use super::files::{read_file, sha256_hex};
use super::limits::{MAX_RECORD_CELLS, ReadLimits, RowBudget};
use super::{Cells, RawReturn, RawTable, ReturnRejected, SourceFile};
use crate::source::ReturnSource;

/// The return in the force folder `src`: its four files, each an ordinary file, together no
/// larger than `limits` allows.
pub(super) fn from_path(src: &ReturnSource, limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    let dir_name = src.display_name();
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(&src.path)
        .map_err(|e| {
            ReturnRejected::new(&dir_name, format!("{dir_name} cannot be read ({}); check the folder exists and is readable", csae_dataset::io_reason(&e)))
        })?
        .filter_map(Result::ok)
        .collect();
    let mut contents = Vec::with_capacity(4);
    let mut bytes_left = limits.max_bytes;
    for table in Table::ALL {
        let wanted = format!("{}.csv", table.name());
        let shown = format!("{dir_name}{wanted}");
        let entry = entries.iter().find(|e| e.file_name().to_str().is_some_and(|n| n.eq_ignore_ascii_case(&wanted))).ok_or_else(|| {
            ReturnRejected::new(&shown, format!("{shown} is missing; a return needs crimes.csv, victims.csv, suspects.csv and relationships.csv"))
        })?;
        let bytes = read_file(&entry.path(), &shown, bytes_left).map_err(|e| {
            if e.over_limit { super::limits::too_many_bytes(&dir_name, limits.max_bytes.saturating_add(1), limits.max_bytes) } else { e }
        })?;
        bytes_left -= bytes.len() as u64;
        contents.push(bytes);
    }
    let files: [Vec<u8>; 4] = contents.try_into().expect("four tables");
    from_bytes(src.force, &dir_name, files, limits)
}

/// A return from its four files' bytes (in `Table::ALL` order); `name` is how it is shown,
/// e.g. `cumbria/`. Each file's text becomes its table's cells without a copy.
pub(super) fn from_bytes(force: &'static Force, name: &str, files: [Vec<u8>; 4], limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    let mut tables = Vec::with_capacity(4);
    let mut sources = Vec::with_capacity(4);
    let mut rows = RowBudget::new(limits);
    for (table, bytes) in Table::ALL.into_iter().zip(files) {
        let file = format!("{}.csv", table.name());
        sources.push(SourceFile { name: file.clone(), sha256: sha256_hex(&bytes), bytes: bytes.len() as u64 });
        tables.push(parse_within(table, format!("{name}{file}"), bytes, &mut rows)?);
    }
    Ok(RawReturn { force, source: format!("{name} (csv)"), tables, files: sources })
}

/// Line breaks in `bytes` as a spreadsheet counts them: LF, CRLF, and a CR alone (old Mac
/// files; the CSV reader ends a record there too).
fn line_breaks(bytes: &[u8]) -> u64 {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    // Most files have no CR at all.
    if !bytes.contains(&b'\r') {
        return lf as u64;
    }
    let cr = bytes.iter().filter(|&&b| b == b'\r').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    (lf + cr - crlf) as u64
}

/// A CR not followed by LF anywhere in `bytes`.
fn has_lone_cr(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| b == b'\r') {
        if rest.get(i + 1) != Some(&b'\n') {
            return true;
        }
        rest = &rest[i + 2..];
    }
    false
}

fn too_wide(shown: &str, row: u64) -> ReturnRejected {
    ReturnRejected::new(
        shown,
        format!("{shown} row {row} has more than {MAX_RECORD_CELLS} cells, more than a worksheet can hold; check it is the right file and that it is comma-separated"),
    )
}

fn not_utf8(shown: &str, row: u64) -> ReturnRejected {
    ReturnRejected::new(shown, format!("{shown} row {row} is not UTF-8 text; save the file as \"CSV UTF-8\" and submit it again"))
}

/// Parses one CSV table (RFC 4180, by the `csv` crate) with the command line's limits.
#[cfg(test)]
pub(crate) fn parse(table: Table, shown: String, bytes: Vec<u8>) -> Result<RawTable, ReturnRejected> {
    parse_within(table, shown, bytes, &mut RowBudget::new(&ReadLimits::default()))
}

/// Parses one CSV table, counting its data rows against `budget`. Row numbers are those a
/// spreadsheet shows: the header is row 1, blank lines count, and a quoted cell spanning several
/// lines is still one row.
fn parse_within(table: Table, shown: String, bytes: Vec<u8>, budget: &mut RowBudget) -> Result<RawTable, ReturnRejected> {
    if let Some(why) = utf16(&bytes) {
        return Err(ReturnRejected::new(&shown, format!("{shown} is {why}, not UTF-8; save it as \"CSV UTF-8 (Comma delimited)\" and submit it again")));
    }
    let controls = csae_model::text::may_hold_controls(&bytes);
    // A file that is UTF-8 as a whole has UTF-8 fields (separators and quotes are ASCII, so no
    // field boundary falls inside a character): checked once here, not field by field.
    let utf8 = std::str::from_utf8(&bytes).is_ok();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let read = |reader: &mut csv::Reader<&[u8]>, rec: &mut csv::ByteRecord, row: u64| {
        let more = reader.read_byte_record(rec).map_err(|_| not_utf8(&shown, row))?;
        if rec.len() > MAX_RECORD_CELLS {
            return Err(too_wide(&shown, row));
        }
        Ok(more)
    };
    // Header: the first record, which must be on line 1.
    if !read(&mut reader, &mut rec, 1)? {
        return Err(ReturnRejected::new(&shown, format!("{shown} is empty; it needs a header row naming its columns in row 1")));
    }
    let header = text_cells(&rec, utf8).ok_or_else(|| not_utf8(&shown, 1))?.map(str::to_string).collect();
    let mut records = Cells::new();
    let mut rows = Vec::new();
    // The row of a record is its line less the line breaks inside quoted cells of earlier
    // records. The reader counts LF (so CRLF too); a file with a CR alone (old Mac files) has
    // its line breaks counted from the bytes between records.
    let lone_cr = has_lone_cr(body);
    let (mut counted_to, mut line, mut extra_lines) = (0usize, 1u64, 0u64);
    loop {
        let at = reader.position().byte() as usize;
        // Blank lines before a record are skipped, as the reader skips them.
        let blank = body[at..].iter().take_while(|&&b| matches!(b, b'\n' | b'\r')).count();
        let row = if lone_cr {
            line += line_breaks(&body[counted_to..at + blank]);
            counted_to = at + blank;
            line - extra_lines
        } else {
            reader.position().line() + line_breaks(&body[at..at + blank]) - extra_lines
        };
        if !read(&mut reader, &mut rec, row)? {
            break;
        }
        // Line breaks inside the record's quoted cells.
        extra_lines += if lone_cr { line_breaks(rec.as_slice()) } else { rec.as_slice().iter().filter(|&&b| b == b'\n').count() as u64 };
        let cells = text_cells(&rec, utf8).ok_or_else(|| not_utf8(&shown, row))?;
        if records.push(cells).map_err(|full| full.rejected(&shown))? {
            budget.take(&shown)?;
            rows.push(u32::try_from(row).unwrap_or(u32::MAX));
        }
    }
    RawTable::from_rows(table, shown, header, records, rows, None, controls)
}

/// A record's fields as trimmed text; `None` when a field is not UTF-8. `utf8`: the whole
/// file is known to be UTF-8, so its fields are.
fn text_cells(rec: &csv::ByteRecord, utf8: bool) -> Option<impl Iterator<Item = &str>> {
    if !utf8 && !rec.iter().all(|f| std::str::from_utf8(f).is_ok()) {
        return None;
    }
    // SAFETY: every field is UTF-8, checked just above or with the whole file.
    Some(rec.iter().map(|f| trim(unsafe { std::str::from_utf8_unchecked(f) })))
}

/// `str::trim`, without its work for a cell that starts and ends with a printable ASCII
/// character (nearly every cell).
#[inline]
fn trim(s: &str) -> &str {
    let plain = |b: u8| b > b' ' && b < 0x80;
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if plain(a) && plain(z) => s,
        _ => s.trim(),
    }
}

/// What a file saved as UTF-16 is, when it is: Excel's "Unicode Text" and some exports write
/// it, with or without a byte-order mark. Without one, text that is mostly ASCII has a zero
/// in every other byte.
fn utf16(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 text (as Excel's \"Unicode Text\" saves it)");
    }
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 4 {
        return None;
    }
    let zeros = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    (zeros(0) * 2 > half || zeros(1) * 2 > half).then_some("UTF-16 text without a byte-order mark")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &[u8]) -> RawTable {
        parse(Table::Relationships, "x/relationships.csv".into(), text.to_vec()).unwrap()
    }

    #[test]
    fn bom_case_order_trim_and_extra_columns() {
        let t = parse_ok(b"\xEF\xBB\xBFRelationship, Suspect_Ref ,victim_ref,CRIME_REF,force_id,notes\n parent ,S1,V1,CR1,cumbria,x\n");
        assert_eq!(t.cell(0, 4), "parent");
        assert_eq!(t.cell(0, 3), "S1");
        assert_eq!(t.cell(0, 1), "CR1");
        assert_eq!(t.extra_columns, ["notes"]);
        assert_eq!(t.rows, [2]);
        // A row's cells found at once are its cells found one by one, in the standard order.
        let mut cells = vec!["?"; t.columns.len()];
        t.row(0).cells_into(&mut cells);
        assert_eq!(cells, ["cumbria", "CR1", "V1", "S1", "parent"]);
    }

    /// A file that ends inside a quoted cell keeps the cell whole, and the next file is read
    /// from its own first row.
    #[test]
    fn each_file_is_read_from_its_first_row() {
        let first = parse_ok(b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,\"CR1,V,S,P\n");
        assert_eq!(first.cell(0, 1), "CR1,V,S,P");
        for _ in 0..2 {
            let t = parse_ok(b"force_id,\"crime_ref\",victim_ref,suspect_ref,relationship\n\"c\",CR2,V,S,P\nc,CR3,V,S,P\n");
            assert_eq!((t.len(), t.cell(0, 0), t.cell(0, 1), t.cell(1, 1)), (2, "c", "CR2", "CR3"));
            assert_eq!(t.rows, [2, 3]);
        }
    }

    #[test]
    fn rows_count_quoted_newlines_as_one_row_and_skip_blank_rows() {
        let t = parse_ok(b"force_id,crime_ref,victim_ref,suspect_ref,relationship\r\nc,\"CR\n1\",V,S,PARENT\r\n\r\n,,,,\r\nc,CR2,V,S,PARENT\r\n");
        assert_eq!(t.len(), 2);
        assert_eq!(t.rows, [2, 5]);
        // Lines ended by a CR alone (old Mac files) are rows too, and a CR in a quoted cell
        // is part of the cell.
        let t = parse_ok(b"force_id,crime_ref,victim_ref,suspect_ref,relationship\rc,CR1,V,S,P\rc,\"CR\r2\",V,S,P\rc,CR3,V,S,P\r");
        assert_eq!(t.rows, [2, 3, 4]);
        assert_eq!(t.cell(1, 1), "CR\r2");
    }

    /// The `csv` crate's reading of the same bytes, as this reader keeps it: trimmed cells,
    /// rows of blank cells left out, `None` when a record (or the header) is not UTF-8.
    fn csv_crate_cells(body: &[u8]) -> Option<Vec<Vec<String>>> {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
        let mut out = Vec::new();
        for r in rdr.records() {
            let cells: Vec<String> = r.ok()?.iter().map(|c| c.trim().to_string()).collect();
            out.push(cells);
        }
        if out.len() > 1 {
            let data = out.split_off(1);
            out.extend(data.into_iter().filter(|r| r.iter().any(|c| !c.is_empty())));
        }
        Some(out)
    }

    proptest::proptest! {
        /// The cells are the `csv` crate's records, trimmed, on any mixture of quotes,
        /// separators, line ends, blanks and non-UTF-8 bytes, and the rows only increase.
        #[test]
        fn cells_are_those_the_csv_crate_reads(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b",".to_vec()), proptest::strategy::Just(b"\"".to_vec()),
                proptest::strategy::Just(b"\n".to_vec()), proptest::strategy::Just(b"\r\n".to_vec()),
                proptest::strategy::Just(b"\r".to_vec()), proptest::strategy::Just(b" ".to_vec()),
                proptest::strategy::Just("é".as_bytes().to_vec()), proptest::strategy::Just(b"\xff".to_vec()),
                proptest::strategy::Just(b"ab".to_vec()), proptest::strategy::Just(b"\"\"".to_vec()),
            ],
            0..60,
        )) {
            let mut body = b"force_id,crime_ref,victim_ref,suspect_ref,relationship\n".to_vec();
            body.extend(parts.concat());
            let expected = csv_crate_cells(&body);
            match parse(Table::Relationships, "x/relationships.csv".into(), body.clone()) {
                Ok(t) => {
                    let expected = expected.expect("read as text, so the csv crate reads it as text too");
                    let got: Vec<Vec<String>> = (0..t.len())
                        .map(|i| (0..).map_while(|c| t.records.get(i, c)).map(str::to_string).collect())
                        .collect();
                    proptest::prop_assert_eq!(&got[..], &expected[1..]);
                    proptest::prop_assert!(t.rows.windows(2).all(|w| w[0] < w[1]), "rows increase: {:?}", t.rows);
                }
                Err(e) => {
                    proptest::prop_assert!(e.message.contains("is not UTF-8"), "{}", e.message);
                    proptest::prop_assert!(expected.is_none(), "the csv crate read it as text");
                }
            }
        }
    }

    #[test]
    fn short_rows_read_as_blank_cells() {
        let t = parse_ok(b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,CR1\n");
        assert_eq!(t.cell(0, 2), "");
        let mut cells = vec!["?"; t.columns.len()];
        t.row(0).cells_into(&mut cells);
        assert_eq!(cells, ["c", "CR1", "", "", ""]);
        // An optional column absent from the header reads blank too.
        let t = parse(Table::Suspects, "x/suspects.csv".into(), b"force_id,crime_ref,person_ref,sex\nc,CR1,P1,M\n".to_vec()).unwrap();
        let mut cells = vec!["?"; t.columns.len()];
        t.row(0).cells_into(&mut cells);
        let expected: Vec<&str> = (0..t.columns.len()).map(|c| t.cell(0, c)).collect();
        assert_eq!(cells, expected);
        assert_eq!(cells.iter().filter(|c| !c.is_empty()).count(), 4);
    }

    #[test]
    fn missing_required_column_and_bad_utf8_are_f01() {
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,victim_ref,suspect_ref\n".to_vec()).unwrap_err();
        assert!(e.message.contains("lacks the required column relationship"), "{}", e.message);
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,\xff,V,S,P\n".to_vec()).unwrap_err();
        assert!(e.message.contains("row 2 is not UTF-8"), "{}", e.message);
        // A character cut in two by a comma is not text, though its halves joined would be.
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,CR\xc3,\xa9,S,P\n".to_vec()).unwrap_err();
        assert!(e.message.contains("row 2 is not UTF-8"), "{}", e.message);
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"".to_vec()).unwrap_err();
        assert!(e.message.contains("is empty"), "{}", e.message);
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,Crime_Ref,victim_ref,suspect_ref,relationship\n".to_vec()).unwrap_err();
        assert!(e.message.contains("appears twice"), "{}", e.message);
    }
}
