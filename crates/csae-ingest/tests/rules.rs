//! One focused test per rule of the data standard: each starts from a clean return and breaks
//! exactly one thing on purpose, then checks the whole outcome (rules, cascade, counts).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use csae_ingest::read::return_from_csv_bytes;
use csae_ingest::validate::Validated;
use csae_ingest::{RawReturn, Rule, Severity, ValidateOptions, validate};
use csae_model::{Table, force};

const HEAD_CRIMES: &str = "force_id,crime_ref,recorded_date,offence_date_from,offence_date_to,offence_code,csa_flag,cse_flag,online_flag,cocad_category,location_type,operation_ref";
const HEAD_PEOPLE: &str = "force_id,crime_ref,person_ref,pnc_id,age_at_offence,date_of_birth,sex,ethnicity,ethnicity_officer,nationality";
const HEAD_RELS: &str = "force_id,crime_ref,victim_ref,suspect_ref,relationship";

/// A clean return: one familial crime, one victim, two suspects, two relationships.
#[derive(Clone)]
struct Ret {
    tables: [Vec<String>; 4],
}

impl Ret {
    fn base() -> Ret {
        let v = |rows: &[&str]| rows.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Ret {
            tables: [
                v(&[HEAD_CRIMES, "cumbria,CR1,2023-02-10,2023-01-05,2023-01-20,19E,Y,N,N,FAMILIAL,DWELLING_VICTIM,OP1"]),
                v(&[HEAD_PEOPLE, "cumbria,CR1,V1,,9,,F,W1,,GBR"]),
                v(&[HEAD_PEOPLE, "cumbria,CR1,S1,12/345678A,40,,M,W1,IC1,GBR", "cumbria,CR1,S2,,38,,F,,,"]),
                v(&[HEAD_RELS, "cumbria,CR1,V1,S1,PARENT", "cumbria,CR1,V1,S2,PARENT"]),
            ],
        }
    }

    /// Sets column `col` of data row `row` (0-based, header excluded) of table `t`.
    fn set(mut self, t: Table, row: usize, col: &str, value: &str) -> Ret {
        let header: Vec<&str> = self.tables[t as usize][0].split(',').collect();
        let c = header.iter().position(|h| *h == col).unwrap_or_else(|| panic!("no column {col}"));
        let line = &mut self.tables[t as usize][row + 1];
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells[c] = value.to_string();
        *line = cells.join(",");
        self
    }

    fn push(mut self, t: Table, line: &str) -> Ret {
        self.tables[t as usize].push(line.to_string());
        self
    }

    fn raw(&self) -> RawReturn {
        let texts: Vec<String> = self.tables.iter().map(|t| t.join("\n") + "\n").collect();
        return_from_csv_bytes(force("cumbria").unwrap(), "cumbria/", [texts[0].as_bytes(), texts[1].as_bytes(), texts[2].as_bytes(), texts[3].as_bytes()]).unwrap()
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn run(r: &RawReturn) -> Validated<'_> {
    let v = validate(r, &ValidateOptions { today: today(), show_personal: true, period: None });
    for t in Table::ALL {
        let c = v.counts(t);
        assert_eq!(c.read, c.accepted + c.rejected, "rows read = accepted + rejected for {t}");
        assert_eq!(c.read, r.table(t).len());
    }
    v
}

fn codes(m: BTreeMap<Rule, usize>) -> BTreeMap<&'static str, usize> {
    m.into_iter().map(|(r, n)| (r.code(), n)).collect()
}

/// Rejected rows per rule and warned rows per code.
fn outcome(ret: &Ret) -> (BTreeMap<&'static str, usize>, BTreeMap<&'static str, usize>) {
    let raw = ret.raw();
    let v = run(&raw);
    (codes(v.rule_counts(Severity::Error)), codes(v.rule_counts(Severity::Warning)))
}

fn errors(ret: &Ret) -> BTreeMap<&'static str, usize> {
    outcome(ret).0
}

fn m(pairs: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    pairs.iter().copied().collect()
}

#[test]
fn the_clean_return_is_accepted_whole() {
    let (e, w) = outcome(&Ret::base());
    assert!(e.is_empty() && w.is_empty(), "{e:?} {w:?}");
}

/// A rejected crime takes its victim (P02), suspects (P02) and relationships (R02) with it.
const CASCADE: [(&str, usize); 2] = [("P02", 3), ("R02", 2)];

#[test]
fn c01_blank_required_crime_column() {
    for col in ["force_id", "crime_ref", "recorded_date", "offence_code"] {
        let ret = Ret::base().set(Table::Crimes, 0, col, "");
        assert_eq!(errors(&ret), m(&[("C01", 1), CASCADE[0], CASCADE[1]]), "{col}");
    }
}

#[test]
fn c02_force_id_of_another_force() {
    assert_eq!(errors(&Ret::base().set(Table::Crimes, 0, "force_id", "durham")), m(&[("C02", 1), CASCADE[0], CASCADE[1]]));
    // Case does not matter.
    assert!(errors(&Ret::base().set(Table::Crimes, 0, "force_id", "CUMBRIA")).is_empty());
}

#[test]
fn c03_invalid_dates() {
    for (col, v) in [("recorded_date", "2023-13-01"), ("offence_date_from", "2023-02-30"), ("offence_date_to", "20/01/2023"), ("recorded_date", "2023-2-1")] {
        assert_eq!(errors(&Ret::base().set(Table::Crimes, 0, col, v)), m(&[("C03", 1), CASCADE[0], CASCADE[1]]), "{col}={v}");
    }
}

#[test]
fn c04_offence_code_not_in_catalogue() {
    assert_eq!(errors(&Ret::base().set(Table::Crimes, 0, "offence_code", "99Z")), m(&[("C04", 1), CASCADE[0], CASCADE[1]]));
    assert!(errors(&Ret::base().set(Table::Crimes, 0, "offence_code", "19e")).is_empty(), "codes are case-insensitive");
}

#[test]
fn c05_coded_columns_outside_their_lists() {
    for (col, v) in [("csa_flag", "YES"), ("cse_flag", "1"), ("online_flag", "maybe"), ("cocad_category", "GROOMING"), ("location_type", "BEACH")] {
        assert_eq!(errors(&Ret::base().set(Table::Crimes, 0, col, v)), m(&[("C05", 1), CASCADE[0], CASCADE[1]]), "{col}");
    }
    assert!(errors(&Ret::base().set(Table::Crimes, 0, "location_type", "hotel")).is_empty());
    // A reference longer than the standard's 64 characters is outside its form too.
    assert_eq!(errors(&Ret::base().set(Table::Crimes, 0, "operation_ref", &"X".repeat(65))), m(&[("C05", 1), CASCADE[0], CASCADE[1]]));
}

#[test]
fn c06_every_copy_of_a_duplicated_crime_ref_is_rejected() {
    let ret = Ret::base().push(Table::Crimes, "cumbria,CR1,2023-03-01,,,19D,Y,N,N,,,");
    assert_eq!(errors(&ret), m(&[("C06", 2), CASCADE[0], CASCADE[1]]));
    let raw = ret.raw();
    let v = run(&raw);
    let rows: Vec<u32> = v.issues.iter().filter(|i| i.rule == Rule::C06).map(|i| i.row).collect();
    assert_eq!(rows, [2, 3]);
    assert!(v.issues[0].message.contains("rows 2, 3"));
}

#[test]
fn c07_dates_out_of_order() {
    let from_after_to = Ret::base().set(Table::Crimes, 0, "offence_date_from", "2023-01-21");
    let from_after_recorded = Ret::base().set(Table::Crimes, 0, "offence_date_to", "").set(Table::Crimes, 0, "offence_date_from", "2023-02-11");
    let recorded_in_future = Ret::base().set(Table::Crimes, 0, "recorded_date", "2026-11-26");
    for ret in [from_after_to, from_after_recorded, recorded_in_future] {
        assert_eq!(errors(&ret), m(&[("C07", 1), CASCADE[0], CASCADE[1]]));
    }
    // Recorded today is fine; an offence ending after recording is not a rule.
    assert!(errors(&Ret::base().set(Table::Crimes, 0, "recorded_date", "2026-11-25")).is_empty());
    assert!(errors(&Ret::base().set(Table::Crimes, 0, "offence_date_to", "2023-03-01")).is_empty());
}

#[test]
fn p01_blank_required_person_column() {
    // A blank person_ref: P01, and the relationship naming V1 loses its victim (R02).
    assert_eq!(errors(&Ret::base().set(Table::Victims, 0, "person_ref", "")), m(&[("P01", 1), ("R02", 2)]));
    // A blank crime_ref is P01 and nothing else on its account (no P02).
    assert_eq!(errors(&Ret::base().set(Table::Suspects, 1, "crime_ref", "")), m(&[("P01", 1), ("R02", 1)]));
    assert_eq!(errors(&Ret::base().set(Table::Suspects, 1, "force_id", "")), m(&[("P01", 1), ("R02", 1)]));
}

#[test]
fn p02_person_of_a_crime_not_accepted() {
    assert_eq!(errors(&Ret::base().push(Table::Victims, "cumbria,CR404,V9,,12,,F,,,")), m(&[("P02", 1)]));
    // Another force's row in this return cannot belong to its crimes.
    assert_eq!(errors(&Ret::base().set(Table::Suspects, 1, "force_id", "durham")), m(&[("P02", 1), ("R02", 1)]));
}

#[test]
fn p03_age_not_a_whole_number_0_to_120() {
    for v in ["12.5", "-1", "121", "abc", "1e2", "0x10"] {
        assert_eq!(errors(&Ret::base().set(Table::Suspects, 1, "age_at_offence", v)), m(&[("P03", 1), ("R02", 1)]), "{v}");
    }
    for v in ["0", "120", "007"] {
        assert!(errors(&Ret::base().set(Table::Suspects, 1, "age_at_offence", v)).is_empty(), "{v}");
    }
}

#[test]
fn p04_invalid_codes_nationality_and_date_of_birth() {
    for (col, v) in [("sex", "X"), ("ethnicity", "Z1"), ("ethnicity_officer", "IC7"), ("nationality", "UK"), ("nationality", "XXX"), ("date_of_birth", "2010-02-30")] {
        assert_eq!(errors(&Ret::base().set(Table::Suspects, 1, col, v)), m(&[("P04", 1), ("R02", 1)]), "{col}={v}");
    }
    assert!(errors(&Ret::base().set(Table::Suspects, 1, "nationality", "pol")).is_empty());
}

#[test]
fn p05_every_copy_of_a_duplicated_person_is_rejected() {
    let ret = Ret::base().push(Table::Suspects, "cumbria,CR1,S2,,38,,F,,,");
    assert_eq!(errors(&ret), m(&[("P05", 2), ("R02", 1)]));
    // The same person in two different crimes is not a duplicate.
    let two_crimes = Ret::base()
        .push(Table::Crimes, "cumbria,CR2,2023-03-01,,,19D,Y,N,N,,,")
        .push(Table::Suspects, "cumbria,CR2,S2,,38,,F,,,")
        .push(Table::Victims, "cumbria,CR2,V1,,9,,F,,,");
    assert_eq!(outcome(&two_crimes), (m(&[]), m(&[])));
}

#[test]
fn p06_age_and_date_of_birth_disagree() {
    // Offence from 2023-01-05; born 2003-01-01 makes 20, not 9.
    let ret = Ret::base().set(Table::Victims, 0, "date_of_birth", "2003-01-01");
    assert_eq!(outcome(&ret), (m(&[]), m(&[("P06", 1)])));
    // Within a year is fine.
    let ret = Ret::base().set(Table::Victims, 0, "date_of_birth", "2013-06-01");
    assert_eq!(outcome(&ret), (m(&[]), m(&[])));
}

#[test]
fn p07_victim_age_contradicts_child_specific_offence() {
    // 19E is rape of a child under 13.
    let ret = Ret::base().set(Table::Victims, 0, "age_at_offence", "13");
    assert_eq!(outcome(&ret), (m(&[]), m(&[("P07", 1)])));
    // The age derived from the date of birth counts too.
    let ret = Ret::base().set(Table::Victims, 0, "age_at_offence", "").set(Table::Victims, 0, "date_of_birth", "2005-01-01");
    assert_eq!(outcome(&ret), (m(&[]), m(&[("P07", 1)])));
    // Suspects are never checked against the victim age limit.
    assert_eq!(outcome(&Ret::base()), (m(&[]), m(&[])));
}

#[test]
fn r01_blank_required_relationship_column() {
    for col in ["force_id", "crime_ref", "victim_ref", "suspect_ref", "relationship"] {
        assert_eq!(errors(&Ret::base().set(Table::Relationships, 0, col, "")), m(&[("R01", 1)]), "{col}");
    }
}

#[test]
fn r02_victim_or_suspect_not_accepted_in_that_crime() {
    assert_eq!(errors(&Ret::base().set(Table::Relationships, 0, "victim_ref", "V9")), m(&[("R02", 1)]));
    assert_eq!(errors(&Ret::base().set(Table::Relationships, 0, "suspect_ref", "S9")), m(&[("R02", 1)]));
    assert_eq!(errors(&Ret::base().set(Table::Relationships, 0, "crime_ref", "CR404")), m(&[("R02", 1)]));
    // A suspect of another crime of the return is not a suspect of this one.
    let ret = Ret::base()
        .push(Table::Crimes, "cumbria,CR2,2023-03-01,,,19D,Y,N,N,,,")
        .push(Table::Victims, "cumbria,CR2,V2,,12,,F,,,")
        .push(Table::Suspects, "cumbria,CR2,S3,,30,,M,,,")
        .push(Table::Relationships, "cumbria,CR2,V2,S1,STRANGER");
    assert_eq!(errors(&ret), m(&[("R02", 1)]));
}

#[test]
fn r03_relationship_outside_its_list() {
    assert_eq!(errors(&Ret::base().set(Table::Relationships, 0, "relationship", "COUSIN")), m(&[("R03", 1)]));
    assert!(errors(&Ret::base().set(Table::Relationships, 0, "relationship", "step_parent")).is_empty());
}

#[test]
fn r04_every_copy_of_a_duplicated_pair_is_rejected() {
    assert_eq!(errors(&Ret::base().push(Table::Relationships, "cumbria,CR1,V1,S1,OTHER_FAMILY")), m(&[("R04", 2)]));
}

#[test]
fn w01_crime_without_accepted_victim_except_indecent_images() {
    let no_victim = Ret::base().set(Table::Victims, 0, "crime_ref", "CR404");
    assert_eq!(outcome(&no_victim), (m(&[("P02", 1), ("R02", 2)]), m(&[("W01", 1)])));
    let images = Ret::base()
        .push(Table::Crimes, "cumbria,CR2,2023-03-01,,,86,Y,N,Y,,ONLINE,")
        .push(Table::Suspects, "cumbria,CR2,S3,,30,,M,,,");
    assert_eq!(outcome(&images), (m(&[]), m(&[])));
}

#[test]
fn w02_crime_without_accepted_suspect() {
    let ret = Ret::base().push(Table::Crimes, "cumbria,CR2,2023-03-01,,,19D,Y,N,N,,,").push(Table::Victims, "cumbria,CR2,V2,,12,,F,,,");
    assert_eq!(outcome(&ret), (m(&[]), m(&[("W02", 1)])));
}

#[test]
fn f01_missing_table_or_column_or_not_utf8() {
    let f = force("cumbria").unwrap();
    let ret = Ret::base();
    let t: Vec<String> = ret.tables.iter().map(|t| t.join("\n")).collect();
    let no_column = t[3].replace(",relationship", "");
    let e = return_from_csv_bytes(f, "cumbria/", [t[0].as_bytes(), t[1].as_bytes(), t[2].as_bytes(), no_column.as_bytes()]).unwrap_err();
    assert_eq!(e.message, "cumbria/relationships.csv lacks the required column relationship; add a header cell named relationship in row 1 and submit the return again");
    let latin1 = [t[1].as_bytes(), b"\ncumbria,CR1,V\xe9,,9,,F,,,\n"].concat();
    let e = return_from_csv_bytes(f, "cumbria/", [t[0].as_bytes(), &latin1, t[2].as_bytes(), t[3].as_bytes()]).unwrap_err();
    assert!(e.message.starts_with("cumbria/victims.csv row 3 is not UTF-8"), "{}", e.message);
    // A missing file, through the folder reader.
    let dir = tempfile::tempdir().unwrap();
    let ret_dir = dir.path().join("cumbria");
    std::fs::create_dir(&ret_dir).unwrap();
    for (name, text) in ["crimes", "victims", "suspects"].iter().zip(&t) {
        std::fs::write(ret_dir.join(format!("{name}.csv")), text).unwrap();
    }
    let (src, _) = csae_ingest::find_returns(&[ret_dir]).unwrap();
    let e = csae_ingest::read_return(&src[0]).unwrap_err();
    assert!(e.message.starts_with("cumbria/relationships.csv is missing"), "{}", e.message);
}

#[test]
fn lookups_ignore_blank_values_and_rows_break_several_rules() {
    // One row, two errors: counted under each rule, rejected once.
    let ret = Ret::base().set(Table::Suspects, 1, "sex", "X").set(Table::Suspects, 1, "age_at_offence", "200");
    let raw = ret.raw();
    let v = run(&raw);
    assert_eq!(codes(v.rule_counts(Severity::Error)), m(&[("P03", 1), ("P04", 1), ("R02", 1)]));
    assert_eq!(v.counts(Table::Suspects).rejected, 1);
}

#[test]
fn ages_are_derived_from_date_of_birth_only_with_an_offence_date() {
    let ret = Ret::base().set(Table::Victims, 0, "age_at_offence", "").set(Table::Victims, 0, "date_of_birth", "2014-01-06");
    let raw = ret.raw();
    let v = run(&raw);
    assert_eq!(v.victims[0].age_at_offence, Some(8));
    assert!(v.victims[0].age_derived);
    let ret = ret.set(Table::Crimes, 0, "offence_date_from", "");
    let raw = ret.raw();
    assert_eq!(run(&raw).victims[0].age_at_offence, None);
}

#[test]
fn messages_name_file_row_column_and_value_and_hide_personal_values() {
    let ret = Ret::base().set(Table::Relationships, 0, "victim_ref", "V9");
    let raw = ret.raw();
    let hidden = validate(&raw, &ValidateOptions { today: today(), show_personal: false, period: None });
    let i = &hidden.issues[0];
    assert_eq!((i.table, i.row, i.column), (Table::Relationships, 2, Some("victim_ref")));
    assert_eq!(i.value, None);
    assert!(i.message.starts_with("cumbria/relationships.csv row 2, column victim_ref:"), "{}", i.message);
    assert!(!i.message.contains("V9"), "{}", i.message);
    let shown = validate(&raw, &ValidateOptions { today: today(), show_personal: true, period: None });
    assert!(shown.issues[0].message.contains("\"V9\""));
}
