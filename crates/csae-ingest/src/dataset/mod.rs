//! The dataset folder written by `ingest`: four Parquet tables of accepted, pseudonymised rows,
//! `quarantine/` with rejected rows, and `manifest.json`.

pub mod batches;
pub mod manifest;
pub mod quarantine;
mod runs;
pub mod schema;
pub mod store;

use std::fs::File;
use std::path::Path;

use arrow::array::{Array, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::DataType;
use csae_model::Table;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::compute_leaves;
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

/// Writes batches as one Parquet file (see docs/dataset.md, "Parquet layout") and returns it, made durable
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
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
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
    write_row_groups(file, t, batches, props).map_err(std::io::Error::other)?.finish()
}

/// Columns whose chunks are written from their runs of one value ([`runs`]): every row of a
/// return has the same force and period, and rows are stored return by return.
const RUN_COLUMNS: [&str; 2] = ["force_id", "period"];

/// Rows of a row group (see [`write_table`]).
const ROW_GROUP_ROWS: usize = 16 * 1024;

/// The Parquet file of `batches`, in row groups of [`ROW_GROUP_ROWS`] as the Arrow writer makes
/// them. Its column writers encode every column but `force_id` and `period`, whose chunks are
/// written from their runs ([`runs`]).
fn write_row_groups(file: store::SyncingFile, t: Table, batches: &[RecordBatch], props: WriterProperties) -> parquet::errors::Result<store::SyncingFile> {
    let schema = schema::schema(t);
    // The Arrow writer sets the file up (the Parquet schema, the Arrow schema in the footer)
    // and hands over its file writer and its column writers' factory.
    let (mut file, factory) = ArrowWriter::try_new(file, schema.clone(), Some(props))?.into_serialized_writer()?;
    let (props, columns) = (file.properties().clone(), file.schema_descr().clone());
    for (index, group) in row_groups(batches, ROW_GROUP_ROWS).iter().enumerate() {
        let writers = factory.create_column_writers(index)?;
        let mut row_group = file.next_row_group()?;
        for (i, (field, mut writer)) in schema.fields().iter().zip(writers).enumerate() {
            let arrays = group.iter().map(|b| b.column(i));
            let runs = if RUN_COLUMNS.contains(&field.name().as_str()) { runs::runs(arrays.clone()) } else { None };
            if let Some(runs) = runs {
                let (bytes, close) = runs::chunk(&columns.column(i), &props, &runs)?;
                row_group.append_column(&bytes, close)?;
            } else {
                for a in arrays {
                    for leaf in compute_leaves(field, a)? {
                        writer.write(&leaf)?;
                    }
                }
                writer.close()?.append_to_row_group(&mut row_group)?;
            }
        }
        row_group.close()?;
    }
    file.into_inner()
}

/// `batches` cut into row groups of `rows` rows (the last may be shorter), slicing a batch that
/// spans two groups; empty batches are left out.
fn row_groups(batches: &[RecordBatch], rows: usize) -> Vec<Vec<RecordBatch>> {
    let mut groups: Vec<Vec<RecordBatch>> = Vec::new();
    let mut filled = rows;
    for b in batches {
        let mut at = 0;
        while at < b.num_rows() {
            if filled == rows {
                groups.push(Vec::new());
                filled = 0;
            }
            let n = (b.num_rows() - at).min(rows - filled);
            groups.last_mut().expect("a group was started").push(b.slice(at, n));
            filled += n;
            at += n;
        }
    }
    groups
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

    /// `force_id` and `period` are written from their runs ([`runs`]): three returns' rows,
    /// held as the ingest holds them (a dictionary of one value) and as rows kept from an
    /// earlier dataset (plain text, two forces in one batch), across three row groups, read
    /// back the same, with each row group's minimum and maximum and page indexes a reader can use.
    #[test]
    fn run_encoded_columns_read_back_with_statistics_and_page_indexes() {
        use arrow::array::{DictionaryArray, Int8Array};
        use parquet::arrow::arrow_reader::ArrowReaderOptions;
        use parquet::file::metadata::PageIndexPolicy;
        use parquet::file::page_index::column_index::ColumnIndexMetaData;

        let schema = schema::schema(Table::Relationships);
        let constant = |v: &str, n: usize| -> ArrayRef { Arc::new(DictionaryArray::new(Int8Array::from(vec![0; n]), Arc::new(StringArray::from(vec![v])))) };
        let batch = |force: ArrayRef| {
            let n = force.len();
            let text = |p: &str| -> ArrayRef { Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("{p}{i}")))) };
            let cols: Vec<ArrayRef> = schema
                .fields()
                .iter()
                .map(|f| match f.name().as_str() {
                    "force_id" => force.clone(),
                    "period" => constant("2023-01-01..2023-12-31", n),
                    name => text(name),
                })
                .collect();
            let fields: Vec<_> = schema.fields().iter().zip(&cols).map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone())).collect();
            RecordBatch::try_new(Arc::new(arrow::datatypes::Schema::new(fields)), cols).unwrap()
        };
        let kept: Vec<&str> = std::iter::repeat_n("essex", 4_000).chain(std::iter::repeat_n("kent", 6_000)).collect();
        let batches = [batch(constant("kent", 10_000)), batch(Arc::new(StringArray::from(kept))), batch(constant("durham", 20_000))];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relationships.parquet");
        drop(write_table(&path, Table::Relationships, &batches).unwrap());

        let expected: Vec<&str> = std::iter::repeat_n("kent", 10_000)
            .chain(std::iter::repeat_n("essex", 4_000))
            .chain(std::iter::repeat_n("kent", 6_000))
            .chain(std::iter::repeat_n("durham", 20_000))
            .collect();
        let reader = ParquetRecordBatchReaderBuilder::try_new_with_options(File::open(&path).unwrap(), ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required)).unwrap();
        let metadata = reader.metadata().clone();
        let (mut forces, mut periods) = (Vec::new(), Vec::new());
        for b in reader.build().unwrap() {
            let b = b.unwrap();
            forces.extend(b.column(0).as_any().downcast_ref::<StringArray>().unwrap().iter().map(|v| v.unwrap().to_string()));
            periods.extend(b.column(1).as_any().downcast_ref::<StringArray>().unwrap().iter().map(|v| v.unwrap().to_string()));
        }
        assert_eq!(forces, expected);
        assert!(periods.iter().all(|p| p == "2023-01-01..2023-12-31") && periods.len() == 40_000);

        // Row groups of 16,384 rows: kent, essex, kent | kent, durham | durham.
        let bounds = [("essex", "kent", 16_384), ("durham", "kent", 16_384), ("durham", "durham", 7_232)];
        assert_eq!(metadata.num_row_groups(), bounds.len());
        let (column_index, offset_index) = (metadata.column_index().unwrap(), metadata.offset_index().unwrap());
        for (g, (min, max, rows)) in bounds.into_iter().enumerate() {
            let chunk = metadata.row_group(g).column(0);
            let stats = chunk.statistics().unwrap();
            assert_eq!((stats.min_bytes_opt().unwrap(), stats.max_bytes_opt().unwrap()), (min.as_bytes(), max.as_bytes()));
            assert_eq!((chunk.num_values(), stats.null_count_opt()), (rows, Some(0)));
            // Written from its runs (the writer would have compressed it), as is the period.
            assert_eq!((chunk.compression(), metadata.row_group(g).column(1).compression()), (Compression::UNCOMPRESSED, Compression::UNCOMPRESSED));
            let ColumnIndexMetaData::BYTE_ARRAY(index) = &column_index[g][0] else { panic!("a text column index") };
            assert_eq!((index.min_value(0).unwrap(), index.max_value(0).unwrap()), (min.as_bytes(), max.as_bytes()));
            let pages = offset_index[g][0].page_locations();
            assert_eq!((pages.len(), pages[0].first_row_index), (1, 0));
            assert!(pages[0].offset > chunk.dictionary_page_offset().unwrap() && pages[0].offset == chunk.data_page_offset());
        }
    }

    /// A table with no rows (every row of it rejected, say) is a valid file of no row groups.
    #[test]
    fn a_table_without_rows_is_a_file_without_row_groups() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("victims.parquet");
        let empty = RecordBatch::new_empty(schema::schema(Table::Victims));
        drop(write_table(&path, Table::Victims, &[empty]).unwrap());
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        assert_eq!((reader.metadata().num_row_groups(), reader.schema().fields().len()), (0, schema::schema(Table::Victims).fields().len()));
        assert_eq!(reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum::<usize>(), 0);
    }

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
