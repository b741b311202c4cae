//! Accepted rows of a validated return → pseudonymised Arrow record batches.
//!
//! Each crime is pseudonymised once and each victim and suspect row once; rows that name them
//! (a person's crime, a relationship's crime, victim and suspect) reuse those pseudonyms by
//! position, which validation recorded when it matched the references. No map is needed.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Int8Array, Int32Array, RecordBatch, StringArray, StringBuilder, StringDictionaryBuilder, StringViewBuilder,
};
use arrow::datatypes::{Field, Int16Type, Schema};
use csae_model::{Table, dates::to_epoch_days};

use csae_dataset::schema::schema;
use crate::pseudonym::{Pseudonym, Pseudonymiser};
use crate::validate::{Person, Validated};

/// The four tables of one return as record batches, in `Table::ALL` order.
///
/// In memory, columns that repeat values are held compactly: `force_id` and `period` as a
/// dictionary of one value, coded columns as a dictionary of their codes, and pseudonyms that another table already holds (a person's or a
/// relationship's crime, a relationship's victim and suspect) as views into that table's
/// column. The batches of a whole collection wait in memory until the tables are written, and
/// these columns were two fifths of them. The Parquet writer stores every one as the plain
/// `Utf8` column of the schema, so the files are the same.
pub fn return_batches(v: &Validated, period: &str, p: &Pseudonymiser) -> [RecordBatch; 4] {
    let force = v.raw.force.id.as_str();
    let persons = |rows: &[Person]| pseudonyms(rows.len(), rows.iter().map(|r| Some(p.person(force, r.person_ref))));
    let crime_refs = pseudonyms(v.crimes.len(), v.crimes.iter().map(|c| Some(p.crime(force, c.crime_ref))));
    let (victim_refs, suspect_refs) = (persons(&v.victims), persons(&v.suspects));
    let constants = |n: usize| (constant(force, n), constant(period, n));
    [
        crimes(v, constants(v.crimes.len()), &crime_refs),
        people(&v.victims, Table::Victims, constants(v.victims.len()), &crime_refs, &victim_refs, p),
        people(&v.suspects, Table::Suspects, constants(v.suspects.len()), &crime_refs, &suspect_refs, p),
        relationships(v, constants(v.relationships.len()), &crime_refs, &victim_refs, &suspect_refs),
    ]
}

/// `n` rows of one value: a dictionary of that value and a one-byte key per row.
fn constant(value: &str, n: usize) -> ArrayRef {
    let keys = Int8Array::from_iter_values(std::iter::repeat_n(0, n));
    Arc::new(DictionaryArray::new(keys, Arc::new(StringArray::from_iter_values([value]))))
}

fn strings<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

/// A coded column (values from the standard's code lists, a few distinct ones per column): a
/// dictionary of the values met and a two-byte key per row.
fn codes(it: impl Iterator<Item = Option<&'static str>>) -> ArrayRef {
    let mut b = StringDictionaryBuilder::<Int16Type>::new();
    for v in it {
        b.append_option(v);
    }
    Arc::new(b.finish())
}

/// Pseudonyms as text, each computed once.
fn pseudonyms(n: usize, it: impl Iterator<Item = Option<Pseudonym>>) -> StringArray {
    let mut b = StringBuilder::with_capacity(n, n * 64);
    for p in it {
        b.append_option(p.as_ref().map(Pseudonym::as_str));
    }
    b.finish()
}

/// The values of `owner` at `positions`, as views into its text (no copy).
fn views(owner: &StringArray, positions: impl Iterator<Item = u32>) -> ArrayRef {
    let mut b = StringViewBuilder::with_capacity(positions.size_hint().0);
    let block = b.append_block(owner.values().clone());
    let offsets = owner.value_offsets();
    for i in positions {
        let (start, end) = (offsets[i as usize], offsets[i as usize + 1]);
        b.try_append_view(block, start as u32, (end - start) as u32).expect("a position of an accepted row");
    }
    Arc::new(b.finish())
}

/// A batch of `t` whose columns may be held compactly (see [`return_batches`]).
fn batch(t: Table, cols: Vec<ArrayRef>) -> RecordBatch {
    let fields: Vec<Field> = schema(t).fields().iter().zip(&cols).map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone())).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).expect("a batch matches its schema")
}

fn crimes(v: &Validated, (force, period): (ArrayRef, ArrayRef), crime_refs: &StringArray) -> RecordBatch {
    let c = &v.crimes;
    let cols: Vec<ArrayRef> = vec![
        force,
        period,
        Arc::new(crime_refs.clone()),
        Arc::new(Date32Array::from_iter_values(c.iter().map(|c| to_epoch_days(c.recorded_date)))),
        Arc::new(Date32Array::from_iter(c.iter().map(|c| c.offence_date_from.map(to_epoch_days)))),
        Arc::new(Date32Array::from_iter(c.iter().map(|c| c.offence_date_to.map(to_epoch_days)))),
        codes(c.iter().map(|c| Some(c.offence.code.as_str()))),
        codes(c.iter().map(|c| c.csa_flag)),
        codes(c.iter().map(|c| c.cse_flag)),
        codes(c.iter().map(|c| c.online_flag)),
        codes(c.iter().map(|c| c.cocad_category)),
        codes(c.iter().map(|c| Some(c.location_type))),
        strings(c.iter().map(|c| c.operation_ref)),
    ];
    batch(Table::Crimes, cols)
}

fn people(rows: &[Person], t: Table, (force, period): (ArrayRef, ArrayRef), crime_refs: &StringArray, own: &StringArray, p: &Pseudonymiser) -> RecordBatch {
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        force,
        period,
        views(crime_refs, rows.iter().map(|r| r.crime)),
        Arc::new(own.clone()),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.is_unidentified())))),
        Arc::new(pseudonyms(n, rows.iter().map(|r| r.pnc_id.map(|id| p.pnc(id))))),
        Arc::new(Int32Array::from_iter(rows.iter().map(|r| r.age_at_offence.map(i32::from)))),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|r| Some(r.age_derived)))),
        codes(rows.iter().map(|r| Some(r.sex))),
        codes(rows.iter().map(|r| r.ethnicity)),
        codes(rows.iter().map(|r| r.ethnicity_officer)),
        codes(rows.iter().map(|r| r.nationality)),
    ];
    batch(t, cols)
}

fn relationships(v: &Validated, (force, period): (ArrayRef, ArrayRef), crime_refs: &StringArray, victim_refs: &StringArray, suspect_refs: &StringArray) -> RecordBatch {
    let r = &v.relationships;
    let cols: Vec<ArrayRef> = vec![
        force,
        period,
        views(crime_refs, r.iter().map(|r| r.crime)),
        views(victim_refs, r.iter().map(|r| r.victim)),
        views(suspect_refs, r.iter().map(|r| r.suspect)),
        codes(r.iter().map(|r| Some(r.relationship))),
    ];
    batch(Table::Relationships, cols)
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, AsArray};
    use arrow::compute::cast;
    use arrow::datatypes::DataType;

    use super::*;

    /// The text of a compactly held column, as the Parquet writer will store it.
    fn text(a: &ArrayRef) -> Vec<Option<String>> {
        let plain = cast(a, &DataType::Utf8).unwrap();
        plain.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn views_read_the_owners_values_at_the_positions() {
        let owner = StringArray::from(vec!["a".repeat(64), "b".repeat(64), "c".repeat(64)]);
        let v = views(&owner, [2, 0, 2, 1].into_iter());
        assert_eq!(v.data_type(), &DataType::Utf8View);
        assert_eq!(text(&v), ["c", "a", "c", "b"].map(|c| Some(c.repeat(64))));
    }

    #[test]
    fn constants_and_codes_keep_every_value_and_blank() {
        assert_eq!(text(&constant("durham", 3)), vec![Some("durham".to_string()); 3]);
        assert_eq!(constant("durham", 0).len(), 0);
        // Equal codes are one dictionary entry.
        let other = String::from("F");
        let other: &'static str = Box::leak(other.into_boxed_str());
        let c = codes([Some("F"), None, Some("M"), Some(other), Some("F")].into_iter());
        assert_eq!(text(&c), vec![Some("F".into()), None, Some("M".into()), Some("F".into()), Some("F".into())]);
        assert_eq!(c.as_any_dictionary().values().len(), 2);
    }
}
