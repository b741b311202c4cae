//! Accepted rows of a validated return → pseudonymised Arrow record batches.
//!
//! Each crime is pseudonymised once and each victim and suspect row once; rows that name them
//! (a person's crime, a relationship's crime, victim and suspect) reuse those pseudonyms by
//! position, which validation recorded when it matched the references. No map is needed.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Date32Array, Int32Array, RecordBatch, StringArray, StringBuilder};
use csae_model::{Table, dates::to_epoch_days};

use super::schema::schema;
use crate::pseudonym::{Pseudonym, Pseudonymiser};
use crate::validate::{Person, Validated};

/// Pseudonyms of the accepted rows of one return, by position.
struct Pseudonyms {
    crimes: Vec<Pseudonym>,
    victims: Vec<Pseudonym>,
    suspects: Vec<Pseudonym>,
}

/// The four tables of one return as record batches, in `Table::ALL` order.
pub fn return_batches(v: &Validated, period: &str, p: &Pseudonymiser) -> [RecordBatch; 4] {
    let force = v.raw.force.id.as_str();
    let persons = |rows: &[Person]| rows.iter().map(|r| p.person(force, r.person_ref)).collect();
    let ps = Pseudonyms { crimes: v.crimes.iter().map(|c| p.crime(force, c.crime_ref)).collect(), victims: persons(&v.victims), suspects: persons(&v.suspects) };
    [
        crimes(v, force, period, &ps),
        people(&v.victims, &ps.victims, Table::Victims, force, period, &ps, p),
        people(&v.suspects, &ps.suspects, Table::Suspects, force, period, &ps, p),
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
        pseudonyms(n, ps.crimes.iter().copied().map(Some)),
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

fn people(rows: &[Person], own: &[Pseudonym], t: Table, force: &str, period: &str, ps: &Pseudonyms, p: &Pseudonymiser) -> RecordBatch {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        pseudonyms(n, rows.iter().map(|r| Some(ps.crimes[r.crime as usize]))),
        pseudonyms(n, own.iter().copied().map(Some)),
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
        pseudonyms(n, r.iter().map(|r| Some(ps.crimes[r.crime as usize]))),
        pseudonyms(n, r.iter().map(|r| Some(ps.victims[r.victim as usize]))),
        pseudonyms(n, r.iter().map(|r| Some(ps.suspects[r.suspect as usize]))),
        strings(r.iter().map(|r| Some(r.relationship))),
    ];
    RecordBatch::try_new(schema(Table::Relationships), cols).expect("relationships batch matches its schema")
}
