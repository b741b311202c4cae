//! `--dirty RATE`: breaks rows on purpose, one rule per broken row, and works out from the
//! generator's own knowledge of the return (which crime each row belongs to) every issue that
//! validation must then report: the injected rules, their cascade (P02, R02, the other copy of
//! a duplicate), and the warnings that follow (W01, W02). This is independent of the validator,
//! so comparing the two tests the validator.

use std::collections::BTreeSet;

use chrono::Datelike;
use csae_model::{Table, dates, offence};
use serde::Serialize;

use crate::generate::{ForceData, Row};
use crate::rng::Rng;

/// One expected issue: a row of a table (as the submitter numbers it) and a rule code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Expected {
    pub force: String,
    pub file: String,
    pub table: &'static str,
    pub row: u32,
    pub rule: &'static str,
    /// True when the row was broken on purpose; false for cascades and consequent warnings.
    pub injected: bool,
}

/// A row in the final table: where it came from, and the rules it must get.
struct Out {
    row: Row,
    rules: BTreeSet<&'static str>,
    injected: Option<&'static str>,
}

const CRIME_RULES: [&str; 7] = ["C01", "C02", "C03", "C04", "C05", "C06", "C07"];
const PERSON_RULES: [&str; 7] = ["P01", "P02", "P03", "P04", "P05", "P06", "P07"];
const REL_RULES: [&str; 4] = ["R01", "R02", "R03", "R04"];

fn col(t: Table, name: &str) -> usize {
    t.column_index(name).expect("standard column")
}

/// Injects errors into a force's data at `rate` per row; returns every issue validation must
/// report for the force's return afterwards (with `file_of(table)` naming the file).
pub fn inject(data: &mut ForceData, force_id: &str, rate: f64, rng: &mut Rng, file_of: &dyn Fn(Table) -> String) -> Vec<Expected> {
    let crimes = std::mem::take(&mut data.tables[0]);
    let n_crimes = crimes.len();
    // Crimes.
    let mut crime_bad = vec![false; n_crimes];
    let mut out_crimes: Vec<Out> = Vec::with_capacity(n_crimes);
    for (i, mut row) in crimes.into_iter().enumerate() {
        let rule = rng.chance(rate).then(|| *rng.pick(&CRIME_RULES));
        let c = &mut row.cells;
        let mut dup = None;
        match rule {
            Some("C01") => c[col(Table::Crimes, "offence_code")].clear(),
            Some("C02") => c[0] = if force_id == "dorset" { "durham".into() } else { "dorset".into() },
            Some("C03") => c[col(Table::Crimes, "offence_date_to")] = "2023-02-30".into(),
            Some("C04") => c[col(Table::Crimes, "offence_code")] = "99Z".into(),
            Some("C05") => c[col(Table::Crimes, "location_type")] = "BEACH".into(),
            Some("C06") => dup = Some(row.clone()),
            Some("C07") => {
                let rec = dates::parse_iso(&c[col(Table::Crimes, "recorded_date")]).expect("generated date");
                c[col(Table::Crimes, "offence_date_from")] = (rec + chrono::Days::new(3)).format("%Y-%m-%d").to_string();
                c[col(Table::Crimes, "offence_date_to")].clear();
            }
            _ => {}
        }
        crime_bad[i] = rule.is_some();
        let rules = rule.into_iter().collect();
        out_crimes.push(Out { row, rules, injected: rule });
        if let Some(d) = dup {
            out_crimes.push(Out { row: d, rules: BTreeSet::from(["C06"]), injected: None });
        }
    }

    // Victims and suspects.
    let mut people_bad: [Vec<bool>; 2] = [Vec::new(), Vec::new()];
    let mut out_people: [Vec<Out>; 2] = [Vec::new(), Vec::new()];
    // Each crime's cells (the first copy of a duplicate), for P06 and P07.
    let mut first_cells: Vec<Option<Vec<String>>> = vec![None; n_crimes];
    for o in &out_crimes {
        if first_cells[o.row.crime].is_none() {
            first_cells[o.row.crime] = Some(o.row.cells.clone());
        }
    }
    for (k, t) in [Table::Victims, Table::Suspects].into_iter().enumerate() {
        let rows = std::mem::take(&mut data.tables[t as usize]);
        people_bad[k] = vec![false; rows.len()];
        for (j, mut row) in rows.into_iter().enumerate() {
            if crime_bad[row.crime] {
                people_bad[k][j] = true;
                out_people[k].push(Out { row, rules: BTreeSet::from(["P02"]), injected: None });
                continue;
            }
            let crime = first_cells[row.crime].as_ref().expect("crime row");
            let from = dates::parse_iso(&crime[col(Table::Crimes, "offence_date_from")]);
            let limit = offence(&crime[col(Table::Crimes, "offence_code")]).and_then(|o| o.victim_age_below).filter(|l| *l <= 17);
            let age: Option<i32> = row.cells[col(t, "age_at_offence")].parse().ok();
            let mut choices: Vec<&'static str> = PERSON_RULES.iter().copied().filter(|r| *r != "P06" && *r != "P07").collect();
            if from.is_some() && age.is_some() {
                choices.push("P06");
            }
            if t == Table::Victims && limit.is_some() {
                choices.push("P07");
            }
            let rule = rng.chance(rate).then(|| *rng.pick(&choices));
            let c = &mut row.cells;
            let mut dup = None;
            match rule {
                Some("P01") => c[col(t, "person_ref")].clear(),
                Some("P02") => c[col(t, "crime_ref")] = format!("XX/{}", c[col(t, "crime_ref")]),
                Some("P03") => c[col(t, "age_at_offence")] = rng.pick(&["150", "12.5", "abc", "-3"]).to_string(),
                Some("P04") => match rng.below(4) {
                    0 => c[col(t, "sex")] = "X".into(),
                    1 => c[col(t, "nationality")] = "UK".into(),
                    2 => c[col(t, "date_of_birth")] = "2011-02-30".into(),
                    _ => c[col(t, "ethnicity")] = "Z9".into(),
                },
                Some("P05") => dup = Some(row.clone()),
                Some("P06") => {
                    let (f, a) = (from.expect("checked"), age.expect("checked"));
                    let y = f.year() - a - 5;
                    c[col(t, "date_of_birth")] = chrono::NaiveDate::from_ymd_opt(y, f.month(), f.day().min(28)).expect("valid").format("%Y-%m-%d").to_string();
                }
                Some("P07") => {
                    c[col(t, "age_at_offence")] = limit.expect("checked").to_string();
                    c[col(t, "date_of_birth")].clear();
                }
                _ => {}
            }
            let is_error = matches!(rule, Some(r) if r != "P06" && r != "P07");
            people_bad[k][j] = is_error;
            out_people[k].push(Out { row, rules: rule.into_iter().collect(), injected: rule });
            if let Some(d) = dup {
                out_people[k].push(Out { row: d, rules: BTreeSet::from(["P05"]), injected: None });
            }
        }
    }

    // Relationships.
    let rels = std::mem::take(&mut data.tables[3]);
    let mut out_rels: Vec<Out> = Vec::with_capacity(rels.len());
    let mut nope = 0;
    for mut row in rels {
        let v_bad = row.victim.is_some_and(|v| people_bad[0][v]);
        let s_bad = row.suspect.is_some_and(|s| people_bad[1][s]);
        if crime_bad[row.crime] || v_bad || s_bad {
            out_rels.push(Out { row, rules: BTreeSet::from(["R02"]), injected: None });
            continue;
        }
        let rule = rng.chance(rate).then(|| *rng.pick(&REL_RULES));
        let c = &mut row.cells;
        let mut dup = None;
        match rule {
            Some("R01") => c[col(Table::Relationships, "relationship")].clear(),
            Some("R02") => {
                nope += 1;
                c[col(Table::Relationships, "suspect_ref")] = format!("NOPE{nope}");
            }
            Some("R03") => c[col(Table::Relationships, "relationship")] = "COUSIN".into(),
            Some("R04") => dup = Some(row.clone()),
            _ => {}
        }
        out_rels.push(Out { row, rules: rule.into_iter().collect(), injected: rule });
        if let Some(d) = dup {
            out_rels.push(Out { row: d, rules: BTreeSet::from(["R04"]), injected: None });
        }
    }

    // Crime warnings: accepted crimes left with no accepted victim or suspect.
    let mut has = [vec![false; n_crimes], vec![false; n_crimes]];
    for k in 0..2 {
        for o in &out_people[k] {
            if !o.rules.iter().any(|r| *r != "P06" && *r != "P07") {
                has[k][o.row.crime] = true;
            }
        }
    }
    for o in out_crimes.iter_mut() {
        if !o.rules.is_empty() {
            continue;
        }
        let code = &o.row.cells[col(Table::Crimes, "offence_code")];
        let images = offence(code).is_some_and(|x| x.group == "INDECENT_IMAGES");
        if !has[0][o.row.crime] && !images {
            o.rules.insert("W01");
        }
        if !has[1][o.row.crime] {
            o.rules.insert("W02");
        }
    }

    // Put the rows back and list the expectations with the submitter's row numbers.
    let mut expected = Vec::new();
    let tables: [Vec<Out>; 4] = {
        let [v, s] = out_people;
        [out_crimes, v, s, out_rels]
    };
    for (t, outs) in Table::ALL.into_iter().zip(tables) {
        let file = file_of(t);
        for (i, o) in outs.iter().enumerate() {
            for rule in &o.rules {
                expected.push(Expected {
                    force: force_id.to_string(),
                    file: file.clone(),
                    table: t.name(),
                    row: i as u32 + 2,
                    rule,
                    injected: o.injected == Some(rule),
                });
            }
        }
        data.tables[t as usize] = outs.into_iter().map(|o| o.row).collect();
    }
    expected
}
