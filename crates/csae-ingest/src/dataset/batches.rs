//! Accepted rows of a validated return → pseudonymised Arrow record batches.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, Date32Array, Int32Array, RecordBatch, StringArray};
use csae_model::{Table, dates::to_epoch_days};

use super::schema::schema;
use crate::pseudonym::Pseudonymiser;
use crate::validate::{Person, Validated};

/// The four tables of one return as record batches, in `Table::ALL` order.
pub fn return_batches(v: &Validated, period: &str, p: &Pseudonymiser) -> [RecordBatch; 4] {
    let force = v.raw.force.id.as_str();
    [crimes(v, force, period, p), people(&v.victims, Table::Victims, force, period, p), people(&v.suspects, Table::Suspects, force, period, p), relationships(v, force, period, p)]
}

fn constant(value: &str, n: usize) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(std::iter::repeat_n(value, n)))
}

fn strings<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

fn owned(it: impl Iterator<Item = String>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(it))
}

fn crimes(v: &Validated, force: &str, period: &str, p: &Pseudonymiser) -> RecordBatch {
    let c = &v.crimes;
    let n = c.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        owned(c.iter().map(|c| p.crime(force, c.crime_ref))),
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

fn people(rows: &[Person], t: Table, force: &str, period: &str, p: &Pseudonymiser) -> RecordBatch {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        owned(rows.iter().map(|r| p.crime(force, r.crime_ref))),
        owned(rows.iter().map(|r| p.person(force, r.person_ref))),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.is_unidentified())))),
        Arc::new(StringArray::from_iter(rows.iter().map(|r| r.pnc_id.map(|id| p.pnc(id))))),
        Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.age_at_offence.map(i32::from)))),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.age_derived)))),
        strings(rows.iter().map(|r| Some(r.sex))),
        strings(rows.iter().map(|r| r.ethnicity)),
        strings(rows.iter().map(|r| r.ethnicity_officer)),
        strings(rows.iter().map(|r| r.nationality)),
    ];
    RecordBatch::try_new(schema(t), cols).expect("people batch matches its schema")
}

fn relationships(v: &Validated, force: &str, period: &str, p: &Pseudonymiser) -> RecordBatch {
    let r = &v.relationships;
    let n = r.len();
    let cols: Vec<ArrayRef> = vec![
        constant(force, n),
        constant(period, n),
        owned(r.iter().map(|r| p.crime(force, r.crime_ref))),
        owned(r.iter().map(|r| p.person(force, r.victim_ref))),
        owned(r.iter().map(|r| p.person(force, r.suspect_ref))),
        strings(r.iter().map(|r| Some(r.relationship))),
    ];
    RecordBatch::try_new(schema(Table::Relationships), cols).expect("relationships batch matches its schema")
}
