//! The dataset folder written by `ingest`: four Parquet tables of accepted, pseudonymised rows,
//! `quarantine/` with rejected rows, and `manifest.json`.

pub mod batches;
pub mod manifest;
pub mod quarantine;
pub mod schema;
pub mod store;

use std::fs::File;
use std::path::Path;

use arrow::array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::DataType;
use csae_model::Table;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

pub use manifest::{DATASET_SCHEMA, Manifest};

pub const MANIFEST_FILE: &str = "manifest.json";

/// The Parquet file of a table inside a dataset folder.
pub fn table_file(dataset: &Path, t: Table) -> std::path::PathBuf {
    dataset.join(format!("{}.parquet", t.name()))
}

/// Why a dataset folder cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetError(pub String);

impl std::fmt::Display for DatasetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DatasetError {}

/// Reads and checks a dataset's manifest: it must exist and carry this schema version.
pub fn read_manifest(dataset: &Path) -> Result<Manifest, DatasetError> {
    let path = dataset.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        DatasetError(format!(
            "{} is not a csae dataset ({} {}); give a folder written by `csae ingest`",
            dataset.display(),
            MANIFEST_FILE,
            crate::read::io_reason(&e)
        ))
    })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| DatasetError(format!("{} is damaged ({e}); ingest the returns again into a new folder", path.display())))?;
    let schema = value.get("schema").and_then(|s| s.as_str()).unwrap_or("none");
    if schema != DATASET_SCHEMA {
        return Err(DatasetError(format!(
            "{} was written with dataset schema {schema}, but this csae reads {DATASET_SCHEMA}; ingest the returns again into a new folder",
            dataset.display()
        )));
    }
    serde_json::from_value(value)
        .map_err(|e| DatasetError(format!("{} is damaged ({e}); ingest the returns again into a new folder", path.display())))
}

/// Reads a table of a dataset, dropping rows whose (force_id, period) is in `drop`.
pub fn read_table_without(dataset: &Path, t: Table, drop: &[(String, String)]) -> Result<Vec<RecordBatch>, DatasetError> {
    let path = table_file(dataset, t);
    let damaged = |e: &dyn std::fmt::Display| DatasetError(format!("{} cannot be read ({e}); the dataset is damaged, ingest into a new folder", path.display()));
    let file = File::open(&path).map_err(|e| damaged(&e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| damaged(&e))?.with_batch_size(64 * 1024).build().map_err(|e| damaged(&e))?;
    let mut out = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| damaged(&e))?;
        if batch.schema().fields() != schema::schema(t).fields() {
            return Err(DatasetError(format!("{} does not have the {DATASET_SCHEMA} columns; ingest into a new folder", path.display())));
        }
        if drop.is_empty() {
            out.push(batch);
            continue;
        }
        let force = batch.column(0).as_any().downcast_ref::<StringArray>().expect("force_id is text");
        let period = batch.column(1).as_any().downcast_ref::<StringArray>().expect("period is text");
        let keep: BooleanArray = (0..batch.num_rows())
            .map(|i| Some(!drop.iter().any(|(f, p)| force.value(i) == f && period.value(i) == p)))
            .collect();
        let kept = arrow::compute::filter_record_batch(&batch, &keep).map_err(|e| damaged(&e))?;
        if kept.num_rows() > 0 {
            out.push(kept);
        }
    }
    Ok(out)
}

/// Columns holding pseudonyms (random hex).
const PSEUDONYM_COLUMNS: [&str; 5] = ["crime_ref", "person_ref", "pnc_id", "victim_ref", "suspect_ref"];

/// Text columns whose Parquet statistics (minimum and maximum) are written.
const STATISTICS_TEXT_COLUMNS: [&str; 2] = ["force_id", "period"];

/// Writes batches as one Parquet file (Snappy, dictionary-encoded) and returns it, made durable
/// as it was written ([`store::SyncingFile`]) but for its last bytes: the caller syncs it with
/// the other files of the dataset ([`store::sync_together`]).
pub fn write_table(path: &Path, t: Table, batches: &[RecordBatch]) -> std::io::Result<File> {
    let file = store::SyncingFile::create(path)?;
    // Row groups of 16,384 rows: the writer holds a row group's encoded pages in memory until
    // the group is complete, so small groups let the same memory serve group after group
    // (with 262,144 rows a whole table was held: ingest's peak 234 MB and 54,000 page faults,
    // now 197 MB and 45,000). Readers lose nothing measurable at these sizes.
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(16 * 1024))
        .set_created_by(format!("csae {}", env!("CARGO_PKG_VERSION")));
    // Pseudonyms are random hex: a dictionary or Snappy costs time and saves nothing, and
    // their minimum and maximum (comparing every 64-byte value) tell a reader nothing.
    for name in PSEUDONYM_COLUMNS {
        let col = ColumnPath::from(name);
        props = props
            .set_column_dictionary_enabled(col.clone(), false)
            .set_column_statistics_enabled(col.clone(), EnabledStatistics::None)
            .set_column_compression(col, Compression::UNCOMPRESSED);
    }
    // Minimum and maximum are kept where a reader can use them to skip row groups: dates,
    // ages, and the force and period (rows are stored return by return, so a row group holds
    // few forces). For the other text columns (codes and flags, found in every row group)
    // they would only cost a string comparison per value, about 3% of an ingest's processor time.
    for field in schema::schema(t).fields() {
        let name = field.name().as_str();
        if field.data_type() == &DataType::Utf8 && !STATISTICS_TEXT_COLUMNS.contains(&name) && !PSEUDONYM_COLUMNS.contains(&name) {
            props = props.set_column_statistics_enabled(ColumnPath::from(name), EnabledStatistics::None);
        }
    }
    let props = props.build();
    let mut w = ArrowWriter::try_new(file, schema::schema(t), Some(props)).map_err(std::io::Error::other)?;
    for b in batches.iter().filter(|b| b.num_rows() > 0) {
        w.write(b).map_err(std::io::Error::other)?;
    }
    w.into_inner().map_err(std::io::Error::other)?.finish()
}

/// Number of rows of a dataset table (from the Parquet footer).
pub fn count_rows(dataset: &Path, t: Table) -> Result<usize, DatasetError> {
    let path = table_file(dataset, t);
    let file = File::open(&path).map_err(|e| DatasetError(format!("{} cannot be read ({e})", path.display())))?;
    let b = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| DatasetError(format!("{} cannot be read ({e})", path.display())))?;
    Ok(b.metadata().file_metadata().num_rows() as usize)
}


#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Date32Array, RecordBatch, StringArray};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    /// Which columns of a written crimes table carry minimum and maximum statistics.
    #[test]
    fn statistics_are_kept_for_dates_force_and_period_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crimes.parquet");
        let text = |v: &str| -> ArrayRef { Arc::new(StringArray::from(vec![v, v])) };
        let schema = schema::schema(Table::Crimes);
        let cols: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Date32 => Arc::new(Date32Array::from(vec![19000, 19001])) as ArrayRef,
                _ => text("x"),
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
        drop(write_table(&path, Table::Crimes, &[batch]).unwrap());
        let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
        let group = reader.metadata().row_group(0);
        let with_stats: Vec<&str> = schema
            .fields()
            .iter()
            .enumerate()
            .filter(|(k, _)| group.column(*k).statistics().is_some_and(|s| s.min_bytes_opt().is_some()))
            .map(|(_, f)| f.name().as_str())
            .collect();
        assert_eq!(with_stats, ["force_id", "period", "recorded_date", "offence_date_from", "offence_date_to"]);
    }
}
