//! The dataset's Parquet tables: written with the Arrow writer (layout in docs/dataset.md,
//! "Parquet layout") and read back whole, less the rows of returns being replaced.

use std::fs::File;
use std::path::Path;

use arrow::array::{Array, BooleanArray, RecordBatch};
use arrow::datatypes::DataType;
use csae_model::Table;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::{DATASET_SCHEMA, DatasetError, schema, table_files};

/// Reads a table of a dataset (every period), dropping rows whose (force_id, period) is in `drop`.
pub fn read_table_without(dataset: &Path, t: Table, drop: &[(String, String)]) -> Result<Vec<RecordBatch>, DatasetError> {
    let mut out = Vec::new();
    for path in table_files(dataset, t)? {
        out.extend(read_file_without(&path, t, drop)?);
    }
    Ok(out)
}

/// Reads one Parquet file of table `t`, dropping rows whose (force_id, period) is in `drop`.
pub fn read_file_without(path: &Path, t: Table, drop: &[(String, String)]) -> Result<Vec<RecordBatch>, DatasetError> {
    let damaged = |e: &dyn std::fmt::Display| DatasetError(format!("{} cannot be read ({e}); the dataset is damaged, ingest into a new folder", path.display()));
    let file = File::open(path).map_err(|e| damaged(&e))?;
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
        let text = |i: usize| batch.column(i).as_any().downcast_ref::<arrow::array::StringArray>().expect("force_id and period are text");
        let (force, period) = (text(0), text(1));
        let keep: BooleanArray = (0..batch.num_rows()).map(|i| Some(!drop.iter().any(|(f, p)| force.value(i) == f && period.value(i) == p))).collect();
        let kept = arrow::compute::filter_record_batch(&batch, &keep).map_err(|e| damaged(&e))?;
        if kept.num_rows() > 0 {
            out.push(kept);
        }
    }
    Ok(out)
}

/// Columns holding pseudonyms (random hex).
const PSEUDONYM_COLUMNS: [&str; 5] = ["crime_ref", "person_ref", "pnc_id", "victim_ref", "suspect_ref"];

/// Text columns whose Parquet statistics (minimum and maximum) are written: rows are stored
/// return by return, so a reader can skip row groups by force and period.
const STATISTICS_TEXT_COLUMNS: [&str; 2] = ["force_id", "period"];

/// Rows of a row group: the writer holds a group's encoded pages until it is complete, so
/// small groups let the same memory serve group after group.
const ROW_GROUP_ROWS: usize = 16 * 1024;

/// Writes batches as one Parquet file of table `t` and returns the file, not yet durable: the
/// caller syncs it with the rest of the dataset before the commit. Batches may hold a column
/// compactly (a dictionary, views); the file has the schema's plain types.
pub fn write_table(path: &Path, t: Table, batches: &[RecordBatch]) -> std::io::Result<File> {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_created_by(format!("csae {}", env!("CARGO_PKG_VERSION")));
    // Pseudonyms are random hex: a dictionary or Snappy costs time and saves nothing, and their
    // minimum and maximum tell a reader nothing.
    for name in PSEUDONYM_COLUMNS {
        let col = ColumnPath::from(name);
        props = props
            .set_column_dictionary_enabled(col.clone(), false)
            .set_column_statistics_enabled(col.clone(), EnabledStatistics::None)
            .set_column_compression(col, Compression::UNCOMPRESSED);
    }
    // Codes and flags are in every row group: their minimum and maximum would skip nothing.
    for field in schema::schema(t).fields() {
        let name = field.name().as_str();
        if field.data_type() == &DataType::Utf8 && !STATISTICS_TEXT_COLUMNS.contains(&name) && !PSEUDONYM_COLUMNS.contains(&name) {
            props = props.set_column_statistics_enabled(ColumnPath::from(name), EnabledStatistics::None);
        }
    }
    let mut writer = ArrowWriter::try_new(File::create(path)?, schema::schema(t), Some(props.build())).map_err(std::io::Error::other)?;
    // The writer's column writers take a compact column (a dictionary, views) for a text
    // column of the schema and store it as the schema's plain text, without a cast.
    for b in batches {
        writer.write(b).map_err(std::io::Error::other)?;
    }
    writer.into_inner().map_err(std::io::Error::other)
}

/// Number of rows of a dataset table (from the Parquet footers).
pub fn count_rows(dataset: &Path, t: Table) -> Result<usize, DatasetError> {
    let mut n = 0;
    for path in table_files(dataset, t)? {
        let cannot = |e: &dyn std::fmt::Display| DatasetError(format!("{} cannot be read ({e})", path.display()));
        let file = File::open(&path).map_err(|e| cannot(&e))?;
        let b = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| cannot(&e))?;
        n += b.metadata().file_metadata().num_rows() as usize;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Date32Array, DictionaryArray, Int8Array, StringArray};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    /// Compact columns (a dictionary of one value, as ingest holds `force_id` and `period`) are
    /// stored as the schema's text and read back the same, in row groups of 16,384 rows with
    /// each group's minimum and maximum force.
    #[test]
    fn compact_columns_read_back_as_text_with_statistics() {
        let schema = schema::schema(Table::Relationships);
        let constant = |v: &str, n: usize| -> ArrayRef { Arc::new(DictionaryArray::new(Int8Array::from(vec![0; n]), Arc::new(StringArray::from(vec![v])))) };
        let batch = |force: &str, n: usize| {
            let text = |p: &str| -> ArrayRef { Arc::new(StringArray::from_iter_values((0..n).map(|i| format!("{p}{i}")))) };
            let cols: Vec<ArrayRef> = schema
                .fields()
                .iter()
                .map(|f| match f.name().as_str() {
                    "force_id" => constant(force, n),
                    "period" => constant("2023-01-01..2023-12-31", n),
                    name => text(name),
                })
                .collect();
            let fields: Vec<_> = schema.fields().iter().zip(&cols).map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone())).collect();
            RecordBatch::try_new(Arc::new(arrow::datatypes::Schema::new(fields)), cols).unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("ds")).unwrap();
        let ds = dir.path().join("ds");
        let file = crate::period_file(&ds, Table::Relationships, "2023-01-01..2023-12-31");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        drop(write_table(&file, Table::Relationships, &[batch("kent", 20_000), batch("durham", 20_000)]).unwrap());
        let back = read_table_without(&ds, Table::Relationships, &[]).unwrap();
        let forces: Vec<String> = back.iter().flat_map(|b| b.column(0).as_any().downcast_ref::<StringArray>().unwrap().iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>()).collect();
        assert_eq!(forces.len(), 40_000);
        assert!(forces[..20_000].iter().all(|f| f == "kent") && forces[20_000..].iter().all(|f| f == "durham"));
        let reader = SerializedFileReader::new(File::open(&file).unwrap()).unwrap();
        let bounds: Vec<(Vec<u8>, Vec<u8>)> = (0..reader.metadata().num_row_groups())
            .map(|g| {
                let s = reader.metadata().row_group(g).column(0).statistics().unwrap().clone();
                (s.min_bytes_opt().unwrap().to_vec(), s.max_bytes_opt().unwrap().to_vec())
            })
            .collect();
        assert_eq!(bounds, [(b"kent".to_vec(), b"kent".to_vec()), (b"durham".to_vec(), b"kent".to_vec()), (b"durham".to_vec(), b"durham".to_vec())]);
        // Dropping a return's rows keeps the others.
        let kept = read_table_without(&ds, Table::Relationships, &[("kent".into(), "2023-01-01..2023-12-31".into())]).unwrap();
        assert_eq!(kept.iter().map(RecordBatch::num_rows).sum::<usize>(), 20_000);
        assert_eq!(count_rows(&ds, Table::Relationships).unwrap(), 40_000);
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
