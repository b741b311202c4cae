//! The Parquet schema of the dataset's four tables (`csae.dataset/1`), documented in
//! `docs/dataset.md`. Every standard column is kept under its own name; person and crime refs
//! hold pseudonyms; `date_of_birth` is gone, reduced to `age_at_offence`.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use csae_model::Table;

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn date(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Date32, nullable)
}

static CRIMES: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("force_id", false),
        utf8("period", false),
        utf8("crime_ref", false),
        date("recorded_date", false),
        date("offence_date_from", true),
        date("offence_date_to", true),
        utf8("offence_code", false),
        utf8("csa_flag", true),
        utf8("cse_flag", true),
        utf8("online_flag", true),
        utf8("cocad_category", true),
        utf8("location_type", false),
        utf8("operation_ref", true),
    ]))
});

static PEOPLE: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("force_id", false),
        utf8("period", false),
        utf8("crime_ref", false),
        utf8("person_ref", false),
        Field::new("unidentified", DataType::Boolean, false),
        utf8("pnc_id", true),
        Field::new("age_at_offence", DataType::Int32, true),
        Field::new("age_derived", DataType::Boolean, false),
        utf8("sex", false),
        utf8("ethnicity", true),
        utf8("ethnicity_officer", true),
        utf8("nationality", true),
    ]))
});

static RELATIONSHIPS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        utf8("force_id", false),
        utf8("period", false),
        utf8("crime_ref", false),
        utf8("victim_ref", false),
        utf8("suspect_ref", false),
        utf8("relationship", false),
    ]))
});

/// The Arrow schema of a dataset table.
pub fn schema(t: Table) -> SchemaRef {
    match t {
        Table::Crimes => CRIMES.clone(),
        Table::Victims | Table::Suspects => PEOPLE.clone(),
        Table::Relationships => RELATIONSHIPS.clone(),
    }
}
