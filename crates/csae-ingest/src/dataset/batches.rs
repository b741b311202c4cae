//! Accepted rows of a validated return → pseudonymised Arrow record batches.
//!
//! Each crime and each person is pseudonymised once per return and the result reused for
//! every row that names it (a crime's victims, suspects and relationships).

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Date32Array, Int32Array, RecordBatch, StringArray, StringBuilder};
use csae_model::{Table, dates::to_epoch_days};
use rustc_hash::FxHashMap;

use super::schema::schema;
use crate::pseudonym::{Pseudonym, Pseudonymiser};
use crate::validate::{Person, Validated};

/// Pseudonyms of the crimes and persons of one return, computed once each.
struct Pseudonyms<'a> {
    crimes: FxHashMap<&'a str, Pseudonym>,
    persons: FxHashMap<&'a str, Pseudonym>,
}

/// The four tables of one return as record batches, in `Table::ALL` order.
pub fn return_batches(v: &Validated, period: &str, p: &Pseudonymiser) -> [RecordBatch; 4] {
    let force = v.raw.force.id.as_str();
    let mut ps = Pseudonyms { crimes: FxHashMap::default(), persons: FxHashMap::default() };
    for c in &v.crimes {
        ps.crimes.insert(c.crime_ref, p.crime(force, c.crime_ref));
    }
    for person in v.victims.iter().chain(&v.suspects) {
        ps.persons.entry(person.person_ref).or_insert_with(|| p.person(force, person.person_ref));
    }
    [
        crimes(v, force, period, &ps),
        people(&v.victims, Table::Victims, force, period, &ps, p),
        people(&v.suspects, Table::Suspects, force, period, &ps, p),
        relationships(v, force, period, &ps),
    ]
}

fn constant(value: &str, n: usize) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(std::iter::repeat_n(value, n)))
}

fn strings<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

fn pseudonyms(n: usize, it: impl Iterator<Item = Option<Pseudonym>>) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(n, n * 64);
    for p in it {
        b.append_option(p.as_ref().map(Pseudonym::as_str));
    }
    Arc::new(b.finish())
}

fn crimes(v: &Validated, force: &str, period: &str, ps: &Pseudonyms) -> RecordBatch {
    let c = &v.crimes;
    let n = c.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        pseudonyms(n, c.iter().map(|c| Some(ps.crimes[c.crime_ref]))),
        Arc::new(Date32Array::from_iter_values(c.iter().map(|c| to_epoch_days(c.recorded_date)))),
        Arc::new(Date32Array::from_iter(c.iter().map(|c| c.offence_date_from.map(to_epoch_days)))),
        Arc::new(Date32Array::from_iter(c.iter().map(|c| c.offence_date_to.map(to_epoch_days)))),
        strings(c.iter().map(|c| Some(c.offence.code.as_str()))),
        strings(c.iter().map(|c| c.csa_flag)),
        strings(c.iter().map(|c| c.cse_flag)),
        strings(c.iter().map(|c| c.online_flag)),
        strings(c.iter().map(|c| c.cocad_category)),
        strings(c.iter().map(|c| Some(c.location_type))),
        strings(c.iter().map(|c| c.operation_ref)),
    ];
    RecordBatch::try_new(schema(Table::Crimes), cols).expect("crimes batch matches its schema")
}

fn people(rows: &[Person], t: Table, force: &str, period: &str, ps: &Pseudonyms, p: &Pseudonymiser) -> RecordBatch {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        pseudonyms(n, rows.iter().map(|r| Some(ps.crimes[r.crime_ref]))),
        pseudonyms(n, rows.iter().map(|r| Some(ps.persons[r.person_ref]))),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.is_unidentified())))),
        pseudonyms(n, rows.iter().map(|r| r.pnc_id.map(|id| p.pnc(id)))),
        Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.age_at_offence.map(i32::from)))),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.age_derived)))),
        strings(rows.iter().map(|r| Some(r.sex))),
        strings(rows.iter().map(|r| r.ethnicity)),
        strings(rows.iter().map(|r| r.ethnicity_officer)),
        strings(rows.iter().map(|r| r.nationality)),
    ];
    RecordBatch::try_new(schema(t), cols).expect("people batch matches its schema")
}

fn relationships(v: &Validated, force: &str, period: &str, ps: &Pseudonyms) -> RecordBatch {
    let r = &v.relationships;
    let n = r.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        pseudonyms(n, r.iter().map(|r| Some(ps.crimes[r.crime_ref]))),
        pseudonyms(n, r.iter().map(|r| Some(ps.persons[r.victim_ref]))),
        pseudonyms(n, r.iter().map(|r| Some(ps.persons[r.suspect_ref]))),
        strings(r.iter().map(|r| Some(r.relationship))),
    ];
    RecordBatch::try_new(schema(Table::Relationships), cols).expect("relationships batch matches its schema")
}
