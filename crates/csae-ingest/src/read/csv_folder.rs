//! A return as a folder of four CSV files (UTF-8, optional BOM, RFC 4180 quoting).

use std::path::PathBuf;

use csae_model::Table;
use csv::{ByteRecord, StringRecord};

use super::{Cells, RawReturn, RawTable, ReturnRejected, read_file};
use crate::source::ReturnSource;

pub(super) fn read(src: &ReturnSource) -> Result<RawReturn, ReturnRejected> {
    let dir_name = src.display_name();
    let entries: Vec<PathBuf> = std::fs::read_dir(&src.path)
        .map_err(|e| {
            ReturnRejected::new(&dir_name, format!("{dir_name} cannot be read ({}); check the folder exists and is readable", super::io_reason(&e)))
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let mut contents = Vec::with_capacity(4);
    for table in Table::ALL {
        let wanted = format!("{}.csv", table.name());
        let shown = format!("{dir_name}{wanted}");
        let path = entries
            .iter()
            .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.eq_ignore_ascii_case(&wanted)))
            .ok_or_else(|| {
                ReturnRejected::new(&shown, format!("{shown} is missing; a return needs crimes.csv, victims.csv, suspects.csv and relationships.csv"))
            })?;
        contents.push(read_file(path, &shown)?);
    }
    super::return_from_csv_bytes(src.force, &dir_name, [&contents[0], &contents[1], &contents[2], &contents[3]])
}

/// Parses one CSV table. Row numbers are those a spreadsheet shows: the header is row 1 and a
/// quoted cell spanning several lines still counts as one row.
pub(crate) fn parse(table: Table, shown: String, bytes: &[u8]) -> Result<RawTable, ReturnRejected> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut raw = ByteRecord::new();
    let not_utf8 = |row: u64| {
        ReturnRejected::new(
            &shown,
            format!("{shown} row {row} is not UTF-8 text; save the file as \"CSV UTF-8\" and submit it again"),
        )
    };
    let unreadable = |e: csv::Error| {
        ReturnRejected::new(&shown, format!("{shown} cannot be read as CSV ({e}); save it again as CSV UTF-8 and submit it again"))
    };
    // Header: the first record, which must be on line 1.
    let header = match rdr.read_byte_record(&mut raw) {
        Ok(false) => {
            return Err(ReturnRejected::new(&shown, format!("{shown} is empty; it needs a header row naming its columns in row 1")));
        }
        Ok(true) => StringRecord::from_byte_record(raw.clone()).map_err(|_| not_utf8(1))?,
        Err(e) => return Err(unreadable(e)),
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut records = Cells::for_file(body.len());
    let mut rows = Vec::with_capacity(body.len() / 16);
    // The file line of a record is 1 + the newlines before its first byte (counted
    // incrementally); newlines inside earlier quoted cells are subtracted to give the row.
    let mut counted_to = 0usize;
    let mut line: u64 = 1;
    let mut extra_lines: u64 = 0;
    loop {
        match rdr.read_byte_record(&mut raw) {
            Ok(false) => break,
            Ok(true) => {
                let mut start = raw.position().map_or(counted_to, |p| p.byte() as usize).clamp(counted_to, body.len());
                // After a CR the reader may place the record at the LF that ends the line before.
                while start < body.len() && matches!(body[start], b'\n' | b'\r') {
                    start += 1;
                }
                line += body[counted_to..start].iter().filter(|&&b| b == b'\n').count() as u64;
                counted_to = start;
                let row = line.saturating_sub(extra_lines);
                // Newlines inside quoted cells: only a record holding a quote can have them.
                if raw.as_slice().contains(&b'\n') {
                    extra_lines += raw.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
                }
                // The record's bytes are checked as UTF-8 once, whole, and then every field
                // boundary must fall between characters (a character split by a comma is not
                // text, though the halves joined would be). Cells are trimmed once here, so
                // every later read is a plain slice.
                let text = std::str::from_utf8(raw.as_slice()).map_err(|_| not_utf8(row))?;
                if !(0..raw.len()).all(|k| raw.range(k).is_some_and(|r| text.is_char_boundary(r.end))) {
                    return Err(not_utf8(row));
                }
                let mut from = 0;
                let fields = (0..raw.len()).map(|k| {
                    let end = raw.range(k).map_or(from, |r| r.end);
                    let cell = &text[from..end];
                    from = end;
                    cell.trim()
                });
                if records.push(fields) {
                    rows.push(u32::try_from(row).unwrap_or(u32::MAX));
                }
            }
            Err(e) => return Err(unreadable(e)),
        }
    }
    RawTable::from_rows(table, shown, header, records, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &[u8]) -> RawTable {
        parse(Table::Relationships, "x/relationships.csv".into(), text).unwrap()
    }

    #[test]
    fn bom_case_order_trim_and_extra_columns() {
        let t = parse_ok(b"\xEF\xBB\xBFRelationship, Suspect_Ref ,victim_ref,CRIME_REF,force_id,notes\n parent ,S1,V1,CR1,cumbria,x\n");
        assert_eq!(t.cell(0, 4), "parent");
        assert_eq!(t.cell(0, 3), "S1");
        assert_eq!(t.cell(0, 1), "CR1");
        assert_eq!(t.extra_columns, ["notes"]);
        assert_eq!(t.rows, [2]);
    }

    #[test]
    fn rows_count_quoted_newlines_as_one_row_and_skip_blank_rows() {
        let t = parse_ok(b"force_id,crime_ref,victim_ref,suspect_ref,relationship\r\nc,\"CR\n1\",V,S,PARENT\r\n\r\n,,,,\r\nc,CR2,V,S,PARENT\r\n");
        assert_eq!(t.len(), 2);
        assert_eq!(t.rows, [2, 5]);
    }

    #[test]
    fn short_rows_read_as_blank_cells() {
        let t = parse_ok(b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,CR1\n");
        assert_eq!(t.cell(0, 2), "");
    }

    #[test]
    fn missing_required_column_and_bad_utf8_are_f01() {
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,victim_ref,suspect_ref\n").unwrap_err();
        assert!(e.message.contains("lacks the required column relationship"), "{}", e.message);
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,\xff,V,S,P\n").unwrap_err();
        assert!(e.message.contains("row 2 is not UTF-8"), "{}", e.message);
        // A character cut in two by a comma is not text, though its halves joined would be.
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,victim_ref,suspect_ref,relationship\nc,CR\xc3,\xa9,S,P\n").unwrap_err();
        assert!(e.message.contains("row 2 is not UTF-8"), "{}", e.message);
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"").unwrap_err();
        assert!(e.message.contains("is empty"), "{}", e.message);
        let e = parse(Table::Relationships, "x/relationships.csv".into(), b"force_id,crime_ref,Crime_Ref,victim_ref,suspect_ref,relationship\n").unwrap_err();
        assert!(e.message.contains("appears twice"), "{}", e.message);
    }
}
