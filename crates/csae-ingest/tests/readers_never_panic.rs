//! Property tests: whatever bytes arrive, in any cell, header or file, the readers and the
//! validator never panic, and every row ends accepted or rejected with a rule code; a table
//! that cannot be read at all is an F01 message naming its file.

use chrono::NaiveDate;
use csae_ingest::read::{return_from_csv_bytes, return_from_xlsx_bytes};
use csae_ingest::{Rule, ValidateOptions, validate};
use csae_model::{Table, force};
use proptest::prelude::*;

const HEADS: [&str; 4] = [
    "force_id,crime_ref,recorded_date,offence_date_from,offence_date_to,offence_code,csa_flag,cse_flag,online_flag,cocad_category,location_type,operation_ref",
    "force_id,crime_ref,person_ref,pnc_id,age_at_offence,date_of_birth,sex,ethnicity,ethnicity_officer,nationality",
    "force_id,crime_ref,person_ref,pnc_id,age_at_offence,date_of_birth,sex,ethnicity,ethnicity_officer,nationality",
    "force_id,crime_ref,victim_ref,suspect_ref,relationship",
];

fn check(files: [&[u8]; 4]) {
    let f = force("cumbria").unwrap();
    match return_from_csv_bytes(f, "cumbria/", files) {
        Err(e) => assert!(e.message.starts_with("cumbria/"), "F01 names the file: {}", e.message),
        Ok(raw) => {
            let v = validate(&raw, &ValidateOptions { today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), show_personal: false, period: None });
            for t in Table::ALL {
                let c = v.counts(t);
                assert_eq!(c.read, c.accepted + c.rejected);
                // Every rejected row carries at least one error rule and has an issue.
                for (i, mask) in v.rejected_rows(t) {
                    assert!(Rule::in_mask(mask).count() > 0);
                    assert!(v.issues.iter().any(|is| is.table == t && is.row == raw.table(t).rows[i]));
                }
            }
            for i in &v.issues {
                assert!(i.message.starts_with("cumbria/"), "{}", i.message);
            }
        }
    }
}

/// A cell: mostly plausible values, sometimes anything at all.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("cumbria".to_string()),
        Just("CR1".to_string()),
        Just("V1".to_string()),
        Just("S1".to_string()),
        Just("2023-02-10".to_string()),
        Just("19E".to_string()),
        Just("Y".to_string()),
        Just("UNK1".to_string()),
        Just("PARENT".to_string()),
        "[0-9]{1,4}",
        any::<String>(),
        "\\PC{0,80}",
    ]
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn table_text(head: &str, rows: &[Vec<String>]) -> String {
    let mut out = head.to_string();
    for r in rows {
        out.push('\n');
        out.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_cells_never_panic(rows in proptest::collection::vec(proptest::collection::vec(proptest::collection::vec(cell(), 0..14), 0..6), 4)) {
        let texts: Vec<String> = HEADS.iter().zip(&rows).map(|(h, r)| table_text(h, r)).collect();
        check([texts[0].as_bytes(), texts[1].as_bytes(), texts[2].as_bytes(), texts[3].as_bytes()]);
    }

    #[test]
    fn arbitrary_bytes_in_any_file_never_panic(which in 0usize..4, bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut files: Vec<Vec<u8>> = HEADS.iter().map(|h| format!("{h}\n").into_bytes()).collect();
        files[which] = bytes;
        check([&files[0], &files[1], &files[2], &files[3]]);
    }

    #[test]
    fn arbitrary_headers_never_panic(header in proptest::collection::vec("\\PC{0,20}", 0..15), row in proptest::collection::vec(cell(), 0..15)) {
        let mut files: Vec<String> = HEADS.iter().map(|h| format!("{h}\n")).collect();
        files[1] = format!("{}\n{}", header.iter().map(|h| quote(h)).collect::<Vec<_>>().join(","), row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        check([files[0].as_bytes(), files[1].as_bytes(), files[2].as_bytes(), files[3].as_bytes()]);
    }

    #[test]
    fn arbitrary_bytes_as_a_workbook_are_f01(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let f = force("cumbria").unwrap();
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend(&bytes);
        for b in [bytes, zipped] {
            match return_from_xlsx_bytes(f, "cumbria.xlsx", b) {
                Err(e) => prop_assert!(e.message.starts_with("cumbria.xlsx"), "{}", e.message),
                Ok(_) => {}
            }
        }
    }
}
