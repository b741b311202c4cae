//! A return as a folder of four CSV files (UTF-8, optional BOM, RFC 4180 quoting).

use std::cell::RefCell;

use csae_model::{Force, Table};

use super::{Cells, MAX_RECORD_CELLS, RawReturn, RawTable, ReadLimits, ReturnRejected, RowBudget, SourceFile, read_file, sha256_hex};
use crate::source::ReturnSource;

/// The return in the force folder `src`: its four files, each an ordinary file, together no
/// larger than `limits` allows.
pub(super) fn from_path(src: &ReturnSource, limits: &ReadLimits) -> Result<RawReturn, ReturnRejected> {
    let dir_name = src.display_name();
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(&src.path)
        .map_err(|e| {
            ReturnRejected::new(&dir_name, format!("{dir_name} cannot be read ({}); check the folder exists and is readable", super::io_reason(&e)))
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
            if e.over_limit { super::too_many_bytes(&dir_name, limits.max_bytes.saturating_add(1), limits.max_bytes) } else { e }
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
    // Most files have no CR at all (`contains` on bytes is a fast search).
    if !bytes.contains(&b'\r') {
        return lf as u64;
    }
    let cr = bytes.iter().filter(|&&b| b == b'\r').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    (lf + cr - crlf) as u64
}

/// One record as `csv_core` writes it: the unescaped bytes of its fields, one after another,
/// and the end of each field in them. Both buffers are reused from record to record.
struct RecordBuf {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    len: usize,
    fields: usize,
}

impl RecordBuf {
    fn new() -> RecordBuf {
        RecordBuf { bytes: vec![0; 4096], ends: vec![0; 64], len: 0, fields: 0 }
    }

    /// Reads the record starting at `body[*pos..]`, moving `pos` past it; false at the end.
    /// `Err(TooWide)` when it has more than [`MAX_RECORD_CELLS`] cells.
    fn read(&mut self, core: &mut csv_core::Reader, body: &[u8], pos: &mut usize) -> Result<bool, TooWide> {
        use csv_core::ReadRecordResult::*;
        (self.len, self.fields) = (0, 0);
        loop {
            let (res, nin, nout, nend) = core.read_record(&body[*pos..], &mut self.bytes[self.len..], &mut self.ends[self.fields..]);
            *pos += nin;
            self.len += nout;
            self.fields += nend;
            match res {
                // The whole body was given: the next call, with no input left, ends the record.
                InputEmpty => {}
                OutputFull => self.bytes.resize(self.bytes.len() * 2, 0),
                OutputEndsFull if self.ends.len() >= MAX_RECORD_CELLS => return Err(TooWide),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => return Ok(true),
                End => return Ok(false),
            }
        }
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// The record's bytes as text, split into trimmed cells; `None` when they are not UTF-8 or
    /// a field boundary splits a character (the halves joined would be text, the cells not).
    fn cells(&self) -> Option<impl Iterator<Item = &str>> {
        let text = std::str::from_utf8(self.as_slice()).ok()?;
        let ends = &self.ends[..self.fields];
        if !ends.iter().all(|&e| text.is_char_boundary(e)) {
            return None;
        }
        let mut from = 0;
        Some(ends.iter().map(move |&end| {
            let cell = &text[from..end];
            from = end;
            cell.trim()
        }))
    }
}

/// The record at the start of `rest` when it is one line with no quote and no CR but the one
/// ending it: `(its bytes, bytes up to and including its line end)`. Such a line's cells are its
/// text split at commas, exactly as `csv_core` reads it; most lines of a return are like this,
/// and splitting them directly (with SIMD searches) is several times faster than running the
/// state machine and copying each record before its cells. `None`: the record needs `csv_core`.
fn plain_line(rest: &[u8]) -> Option<(&[u8], usize)> {
    let (end, consumed) = match memchr::memchr(b'\n', rest) {
        Some(nl) => (nl, nl + 1),
        None => (rest.len(), rest.len()),
    };
    let line = &rest[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match memchr::memchr2(b'"', b'\r', line) {
        Some(_) => None,
        None => Some((line, consumed)),
    }
}

/// A record with more than [`MAX_RECORD_CELLS`] cells.
struct TooWide;

fn too_wide(shown: &str, row: u64) -> ReturnRejected {
    ReturnRejected::new(
        shown,
        format!("{shown} row {row} has more than {MAX_RECORD_CELLS} cells, more than a worksheet can hold; check it is the right file and that it is comma-separated"),
    )
}

/// Parses one CSV table (RFC 4180, as the `csv` crate reads it). Plain lines are split
/// directly ([`plain_line`]) and their cells left in the file's text; any other record goes
/// through `csv_core`, the `csv` crate's parser, used directly so that its bytes are copied
/// once, into [`Cells`], and not first into a record of the `csv` crate. Row numbers are those a
/// spreadsheet shows: the header is row 1 and a quoted cell spanning several lines still counts
/// as one row.
#[cfg(test)]
pub(crate) fn parse(table: Table, shown: String, bytes: Vec<u8>) -> Result<RawTable, ReturnRejected> {
    parse_with(table, shown, bytes, true, &mut RowBudget::new(&ReadLimits::default()))
}

/// [`parse`], counting its data rows against `rows`.
fn parse_within(table: Table, shown: String, bytes: Vec<u8>, rows: &mut RowBudget) -> Result<RawTable, ReturnRejected> {
    parse_with(table, shown, bytes, true, rows)
}

/// [`parse`], with `plain_lines` false to read every record with `csv_core` (the tests check
/// that both ways read the same cells and rows).
fn parse_with(table: Table, shown: String, bytes: Vec<u8>, plain_lines: bool, budget: &mut RowBudget) -> Result<RawTable, ReturnRejected> {
    if let Some(why) = utf16(&bytes) {
        return Err(ReturnRejected::new(&shown, format!("{shown} is {why}, not UTF-8; save it as \"CSV UTF-8 (Comma delimited)\" and submit it again")));
    }
    let controls = crate::text::may_hold_controls(&bytes);
    // The whole file is checked as UTF-8 at once: then no line needs checking again, and its
    // text can hold the cells. A file that is not text is read record by record to find the
    // row to name.
    let text = match as_text(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.as_bytes();
            let err = match read_records(&shown, bytes, None, plain_lines, budget) {
                Err(err) => err,
                // Not expected (some record holds the bytes that are not text), but the
                // file is still not text: its row is that of the first such byte.
                Ok(_) => not_utf8(&shown, 1 + line_breaks(&bytes[..e.utf8_error().valid_up_to()])),
            };
            return Err(err);
        }
    };
    let (header, records, rows) = read_records(&shown, text.as_bytes(), Some(&text), plain_lines, budget)?;
    RawTable::from_rows(table, shown, header, records.with_base(text), rows, None, controls)
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

/// The bytes as text when they are UTF-8. Returns are nearly always plain ASCII, which is
/// checked several times faster (a word at a time) than UTF-8 in general.
fn as_text(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if bytes.is_ascii() {
        // SAFETY: ASCII bytes are UTF-8, checked just above.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes)
}

fn not_utf8(shown: &str, row: u64) -> ReturnRejected {
    ReturnRejected::new(shown, format!("{shown} row {row} is not UTF-8 text; save the file as \"CSV UTF-8\" and submit it again"))
}

/// The header and data records of a CSV file's bytes, with the row of each record. When the
/// bytes are known to be text (`text` is them as text), the cells of plain lines are given by
/// their position in it (the caller hands the text to the cells); otherwise every line is
/// checked, for the error naming the first row that is not text.
fn read_records(shown: &str, bytes: &[u8], text: Option<&str>, plain_lines: bool, budget: &mut RowBudget) -> Result<(Vec<String>, Cells, Vec<u32>), ReturnRejected> {
    PARSER.with_borrow_mut(|core| {
        core.reset();
        read_records_with(core, shown, bytes, text, plain_lines, budget)
    })
}

thread_local! {
    /// One `csv_core` parser per thread, reset for each file. Making a parser builds its state
    /// machine, about 270,000 instructions, and a national collection has 176 files: 1.4% of
    /// an ingest's instructions. (A built parser cannot be cloned instead: `csv_core` clones
    /// only part of its state machine.)
    static PARSER: RefCell<csv_core::Reader> = RefCell::new(csv_core::Reader::new());
}

fn read_records_with(
    core: &mut csv_core::Reader,
    shown: &str,
    bytes: &[u8],
    text: Option<&str>,
    plain_lines: bool,
    budget: &mut RowBudget,
) -> Result<(Vec<String>, Cells, Vec<u32>), ReturnRejected> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = &bytes[bom..];
    let mut rec = RecordBuf::new();
    let mut pos = 0usize;
    // Header: the first record, which must be on line 1.
    if !rec.read(core, body, &mut pos).map_err(|_| too_wide(shown, 1))? {
        return Err(ReturnRejected::new(shown, format!("{shown} is empty; it needs a header row naming its columns in row 1")));
    }
    let header: Vec<String> = rec.cells().ok_or_else(|| not_utf8(shown, 1))?.map(str::to_string).collect();
    let mut records = Cells::for_file(text.map_or(0, str::len));
    let mut rows = Vec::with_capacity(body.len() / 16);
    // The file line of a record is 1 + the line breaks before its first byte, counted from
    // `counted_to` on; line breaks inside earlier quoted cells are subtracted to give the row.
    let mut counted_to = 0usize;
    let mut line: u64 = 1;
    let mut extra_lines: u64 = 0;
    loop {
        // Blank lines before a record are skipped, as `csv_core` skips them; after the last
        // record only line ends are left.
        let first = pos + body[pos..].iter().take_while(|&&b| matches!(b, b'\n' | b'\r')).count();
        if first == body.len() {
            break;
        }
        line += line_breaks(&body[counted_to..first]);
        let row = line.saturating_sub(extra_lines);
        let plain = if plain_lines { plain_line(&body[first..]) } else { None };
        let added = match plain {
            Some((line_bytes, consumed)) => {
                pos = first + consumed;
                // The one line break ending the line is counted here, not scanned again.
                line += line_breaks(&body[first + line_bytes.len()..pos]);
                counted_to = pos;
                let at = bom + first;
                match text {
                    Some(text) => records.push_line_at(&text[at..at + line_bytes.len()], at),
                    None => records.push(std::str::from_utf8(line_bytes).map_err(|_| not_utf8(shown, row))?.split(',').map(str::trim)),
                }
            }
            None => {
                pos = first;
                if !rec.read(core, body, &mut pos).map_err(|_| too_wide(shown, row))? {
                    break;
                }
                counted_to = first;
                // Line breaks inside quoted cells: only a record holding a quote can have them.
                if body[first..pos].contains(&b'"') {
                    extra_lines += line_breaks(rec.as_slice());
                }
                // Cells are trimmed once here, so every later read is a plain slice.
                records.push(rec.cells().ok_or_else(|| not_utf8(shown, row))?)
            }
        };
        if added.map_err(|full| full.rejected(shown))? {
            if records.width(records.len() - 1) > MAX_RECORD_CELLS {
                return Err(too_wide(shown, row));
            }
            budget.take(shown)?;
            rows.push(u32::try_from(row).unwrap_or(u32::MAX));
        }
    }
    Ok((header, records, rows))
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

    /// The thread's parser is reused from file to file: a file that ends inside a quoted cell
    /// leaves it at the end of its input, and the next file is still read from its first row.
    #[test]
    fn each_file_is_read_by_a_parser_as_new() {
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
        /// Reading with `csv_core` directly gives what the `csv` crate gives, cell for cell,
        /// on any mixture of quotes, separators, line ends, blanks and non-UTF-8 bytes.
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

    proptest::proptest! {
        /// Plain lines split directly give the cells and row numbers `csv_core` gives, on any
        /// mixture of plain lines, quoted cells (with line breaks), CRs, blank lines and
        /// non-UTF-8 bytes.
        #[test]
        fn plain_lines_read_as_csv_core_reads_them(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b"c,CR1, V ,S,P\n".to_vec()), proptest::strategy::Just(b"c,CR2,V,S,P\r\n".to_vec()),
                proptest::strategy::Just(b"\n".to_vec()), proptest::strategy::Just(b"\r\n".to_vec()),
                proptest::strategy::Just(b"\r".to_vec()), proptest::strategy::Just(b",,,\n".to_vec()),
                proptest::strategy::Just(b"c,\"CR\n3\",V".to_vec()), proptest::strategy::Just(b"\"".to_vec()),
                proptest::strategy::Just(b",".to_vec()), proptest::strategy::Just("é".as_bytes().to_vec()),
                proptest::strategy::Just(b"\xff".to_vec()), proptest::strategy::Just(b"ab".to_vec()),
            ],
            0..40,
        )) {
            let mut body = b"force_id,crime_ref,victim_ref,suspect_ref,relationship\r\n".to_vec();
            body.extend(parts.concat());
            let read = |plain| parse_with(Table::Relationships, "x/relationships.csv".into(), body.clone(), plain, &mut RowBudget::new(&ReadLimits::default()))
                .map(|t| ((0..t.len()).map(|i| (0..).map_while(|c| t.records.get(i, c)).map(str::to_string).collect::<Vec<_>>()).collect::<Vec<_>>(), t.rows))
                .map_err(|e| e.message);
            proptest::prop_assert_eq!(read(true), read(false));
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
