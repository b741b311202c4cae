//! The DataFusion session over a dataset: the four Parquet tables, the reference data of the
//! standard (forces, offence codes, code lists) as tables, the `whole_years` function, and the
//! definitions as views.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Int32Array, Int64Array, RecordBatch, StringArray, StringViewArray, UInt32Array};
use datafusion::arrow::datatypes::{DataType, Field, Int32Type, Schema};
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::AnalysisError;
use crate::ident::Interner;

fn mem_table(fields: Vec<Field>, columns: Vec<ArrayRef>) -> Arc<MemTable> {
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("reference table matches its schema");
    Arc::new(MemTable::try_new(schema, vec![vec![batch]]).expect("reference table"))
}

/// `forces`, `offence_codes` and `code_lists` from the model crate.
fn register_reference(ctx: &SessionContext) -> Result<(), AnalysisError> {
    let f = csae_model::forces();
    let forces = mem_table(
        vec![Field::new("force_id", DataType::Utf8, false), Field::new("name", DataType::Utf8, false), Field::new("region", DataType::Utf8, false)],
        vec![
            Arc::new(StringArray::from_iter_values(f.iter().map(|x| x.id.as_str()))),
            Arc::new(StringArray::from_iter_values(f.iter().map(|x| x.name.as_str()))),
            Arc::new(StringArray::from_iter_values(f.iter().map(|x| x.region.as_str()))),
        ],
    );
    let o = csae_model::offences();
    let offences = mem_table(
        vec![
            Field::new("offence_code", DataType::Utf8, false),
            Field::new("description", DataType::Utf8, false),
            Field::new("offence_group", DataType::Utf8, false),
            Field::new("child_specific", DataType::Boolean, false),
            Field::new("victim_age_below", DataType::Int32, true),
        ],
        vec![
            Arc::new(StringArray::from_iter_values(o.iter().map(|x| x.code.as_str()))),
            Arc::new(StringArray::from_iter_values(o.iter().map(|x| x.description.as_str()))),
            Arc::new(StringArray::from_iter_values(o.iter().map(|x| x.group.as_str()))),
            Arc::new(BooleanArray::from_iter(o.iter().map(|x| Some(x.child_specific)))),
            Arc::new(Int32Array::from_iter(o.iter().map(|x| x.victim_age_below.map(i32::from)))),
        ],
    );
    let mut rows: Vec<(String, String, String, Option<String>, i64)> = Vec::new();
    for name in csae_model::codes::list_names() {
        for (i, c) in csae_model::code_list(name).codes.iter().enumerate() {
            rows.push((name.to_string(), c.code.clone(), c.label.clone(), c.group.clone(), i as i64));
        }
    }
    let lists = mem_table(
        vec![
            Field::new("list", DataType::Utf8, false),
            Field::new("code", DataType::Utf8, false),
            Field::new("label", DataType::Utf8, false),
            Field::new("grp", DataType::Utf8, true),
            Field::new("ord", DataType::Int64, false),
        ],
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0.as_str()))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1.as_str()))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2.as_str()))),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.3.as_deref()))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.4))),
        ],
    );
    ctx.register_table("forces", forces)?;
    ctx.register_table("offence_codes", offences)?;
    ctx.register_table("code_lists", lists)?;
    Ok(())
}

/// `whole_years(from, to)`: completed years from one date to another (a birthday not yet
/// reached does not count), as the definitions of age and recency use it.
fn register_whole_years(ctx: &SessionContext) {
    let fun = Arc::new(|args: &[ColumnarValue]| -> datafusion::error::Result<ColumnarValue> {
        let n = args.iter().find_map(|a| if let ColumnarValue::Array(a) = a { Some(a.len()) } else { None }).unwrap_or(1);
        let arrays: Vec<ArrayRef> = args.iter().map(|a| a.clone().into_array(n)).collect::<datafusion::error::Result<_>>()?;
        let from = arrays[0].as_any().downcast_ref::<Date32Array>().expect("Date32 argument");
        let to = arrays[1].as_any().downcast_ref::<Date32Array>().expect("Date32 argument");
        let out: Int32Array = (0..n)
            .map(|i| {
                (from.is_valid(i) && to.is_valid(i)).then(|| {
                    csae_model::dates::whole_years(csae_model::dates::from_epoch_days(from.value(i)), csae_model::dates::from_epoch_days(to.value(i)))
                })
            })
            .collect();
        if args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(Arc::new(out)))
    });
    ctx.register_udf(create_udf("whole_years", vec![DataType::Date32, DataType::Date32], DataType::Int32, Volatility::Immutable, fun));
}

/// Which columns of the dataset a session holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Columns {
    /// What the publication reads, for `csae report`: the columns a definition uses. `crime_ref`
    /// is replaced by `crime_key` in every table once keyed (the networks, numbered and
    /// ordered by it, find it by key in [`CrimeRefs`]); the victims' and suspects' `person_ref` and
    /// `pnc_id` only number persons for the networks ([`PersonColumns`]); the relationships'
    /// `victim_ref` and `suspect_ref`, every table's `period` (the return's, not the
    /// publication's), `offence_date_to` and `age_derived` are not read.
    #[default]
    Publication,
    /// Every column of the dataset, for an analyst's `csae sql`.
    All,
}

impl Columns {
    /// Columns of `t` not decoded at all (not even to key crimes).
    fn unread(self, t: csae_model::Table) -> &'static [&'static str] {
        match (self, t) {
            (Columns::Publication, csae_model::Table::Crimes) => &["period", "offence_date_to"],
            (Columns::Publication, csae_model::Table::Victims | csae_model::Table::Suspects) => &["period", "age_derived"],
            (Columns::Publication, csae_model::Table::Relationships) => &["period", "victim_ref", "suspect_ref"],
            (Columns::All, _) => &[],
        }
    }

    /// Whether the SQL tables keep `crime_ref` once keyed: no definition reads it (joins use
    /// `crime_key`, networks [`CrimeRefs`]), unless an analyst asks. Carried through the
    /// definitions' joins, the crimes' 64-character pseudonyms were copied into every
    /// materialised view of crimes.
    fn keeps_crime_ref(self) -> bool {
        self == Columns::All
    }

    /// Pseudonym columns of `t` decoded as views into the mapped file instead of copied: the
    /// ones read only to be numbered (crime keys, persons) and then dropped, never given to
    /// SQL (views in joins keep their input buffers alive; see [`read_table`]).
    fn views(self, t: csae_model::Table) -> &'static [&'static str] {
        use csae_model::Table;
        match (self, t) {
            (Columns::Publication, Table::Victims | Table::Suspects) => &["crime_ref", "person_ref", "pnc_id"],
            (Columns::Publication, Table::Crimes | Table::Relationships) => &["crime_ref"],
            _ => &[],
        }
    }

    /// Coded columns of `t` decoded as dictionaries, as they are stored: each row's code stays
    /// a 4-byte index into the few distinct codes of a row group instead of being copied out
    /// as text, in the read and in every join that carries the column. DataFusion compares,
    /// groups and joins dictionary columns by their values, so every answer is the same (the
    /// publication test compares them with the columns read as text); `csae sql` reads them
    /// as text.
    fn dictionaries(self, t: csae_model::Table) -> &'static [&'static str] {
        use csae_model::Table;
        match (self, t) {
            (Columns::Publication, Table::Crimes) => &["force_id", "offence_code", "csa_flag", "cse_flag", "online_flag", "cocad_category", "location_type"],
            (Columns::Publication, Table::Victims | Table::Suspects) => &["force_id", "sex", "ethnicity", "ethnicity_officer", "nationality"],
            (Columns::Publication, Table::Relationships) => &["force_id", "relationship"],
            _ => &[],
        }
    }

    /// Whether the SQL tables of victims and suspects keep `person_ref` and `pnc_id`: no
    /// definition reads them (persons are numbered from [`PersonColumns`]), unless an analyst asks.
    fn keeps_person_refs(self) -> bool {
        self == Columns::All
    }
}

/// Each crime key's `crime_ref`: the pseudonym of the first crime row given the key, in the
/// crimes table's own column (in the publication, views into the mapped file: no copy).
pub struct CrimeRefs {
    columns: Vec<ArrayRef>,
    /// Per key: batch and row of the crime.
    at: Vec<(u32, u32)>,
}

impl CrimeRefs {
    /// The `crime_ref` of a key given when the crimes were read.
    pub fn get(&self, key: u32) -> Option<&str> {
        let &(b, r) = self.at.get(key as usize)?;
        Texts::of(&self.columns[b as usize])?.get(r as usize)
    }
}

/// The columns persons are numbered from, per victim and suspect batch: `crime_key`,
/// `force_id`, `person_ref`, `pnc_id`, `unidentified` (see `networks::number_people`). Taken
/// from the tables as they are read, so numbering needs no query and the pseudonyms need not
/// be in the SQL tables.
#[derive(Clone, Default)]
pub struct PersonColumns {
    pub victims: Vec<RecordBatch>,
    pub suspects: Vec<RecordBatch>,
}

/// Names of the [`PersonColumns`] columns, in order.
const PERSON_COLUMNS: [&str; 5] = ["crime_key", "force_id", "person_ref", "pnc_id", "unidentified"];

/// The columns of `batches` named in `names`, in that order (no copy).
fn project(batches: &[RecordBatch], names: &[&str]) -> Result<Vec<RecordBatch>, AnalysisError> {
    batches
        .iter()
        .map(|b| {
            let idx: Vec<usize> = names.iter().map(|n| b.schema().index_of(n)).collect::<Result<_, _>>().map_err(|e| AnalysisError::Query(e.to_string()))?;
            b.project(&idx).map_err(|e| AnalysisError::Query(e.to_string()))
        })
        .collect()
}

/// A text column decoded as plain `Utf8`, as views, or as a dictionary of `Utf8` values.
#[derive(Clone, Copy)]
pub(crate) enum Texts<'a> {
    Plain(&'a StringArray),
    View(&'a StringViewArray),
    Dict(&'a DictionaryArray<Int32Type>, &'a StringArray),
}

impl<'a> Texts<'a> {
    pub fn of(a: &'a ArrayRef) -> Option<Texts<'a>> {
        match a.data_type() {
            DataType::Utf8 => a.as_any().downcast_ref().map(Texts::Plain),
            DataType::Utf8View => a.as_any().downcast_ref().map(Texts::View),
            DataType::Dictionary(_, _) => {
                let d: &DictionaryArray<Int32Type> = a.as_any().downcast_ref()?;
                Some(Texts::Dict(d, d.values().as_any().downcast_ref()?))
            }
            _ => None,
        }
    }

    /// The value of row `i`, `None` when null.
    #[inline]
    pub fn get(self, i: usize) -> Option<&'a str> {
        match self {
            Texts::Plain(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::View(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::Dict(d, v) => d.is_valid(i).then(|| v.value(d.keys().value(i) as usize)),
        }
    }

    pub fn len(self) -> usize {
        match self {
            Texts::Plain(a) => a.len(),
            Texts::View(a) => a.len(),
            Texts::Dict(d, _) => d.len(),
        }
    }
}

/// A session with the dataset's tables and the reference tables registered, and the columns
/// persons are numbered from.
/// With `span`, only the files that can hold crimes recorded in it are read.
pub async fn open(dataset: &Path, columns: Columns, span: Option<(NaiveDate, NaiveDate)>) -> Result<(SessionContext, PersonColumns, CrimeRefs), AnalysisError> {
    use csae_model::Table;
    let mut config = SessionConfig::new().with_target_partitions(2).with_information_schema(true);
    // Per-crime counts (`GROUP BY crime_key` over victims, suspects, relationships) have
    // nearly as many groups as rows: a partial aggregation before the final one only hashes
    // every row twice. DataFusion stops aggregating partially when a probe of its first rows
    // finds that ratio, but probes 100,000 rows of a partition first, more than a national
    // collection's partitions hold; after 8,192 it knows. Aggregates with few groups (every
    // published table) are unaffected.
    config.options_mut().execution.skip_partial_aggregation_probe_rows_threshold = 8192;
    let batch_size = config.batch_size();
    let read = |t: Table| read_table(dataset, t, span, batch_size, columns.unread(t), columns.views(t), columns.dictionaries(t));
    // Read once into memory: every definition scans these tables, and the dataset of a
    // national collection is a few tens of megabytes. Each file is decoded on a thread of its
    // own (a file of one row group decodes on one core). The crimes are decoded here and their
    // keys numbered while the other files are still decoding, and DataFusion's session (its
    // catalogue of functions) is set up meanwhile; each table gets its keys once decoded.
    let mut crime_refs = None;
    let (ctx, keyed) = std::thread::scope(|s| {
        let others: Vec<_> = [Table::Victims, Table::Suspects, Table::Relationships].into_iter().map(|t| (t, s.spawn(move || read(t)))).collect();
        let ctx = s.spawn(move || SessionContext::new_with_config(config));
        let keyed = (|| {
            let (schema, crimes) = read(Table::Crimes)?;
            let (schema, crimes) = (&schema, &crimes);
            let (keys, refs) = CrimeKeys::of(crimes);
            crime_refs = Some(refs);
            let keys = &keys;
            std::thread::scope(|s2| {
                let mut handles = vec![(Table::Crimes, s2.spawn(move || keys.add_to(schema, crimes, columns.keeps_crime_ref())))];
                for (t, h) in others {
                    let (schema, batches) = h.join().expect("reading a table does not panic")?;
                    handles.push((t, s2.spawn(move || keys.add_to(&schema, &batches, columns.keeps_crime_ref()))));
                }
                handles.into_iter().map(|(t, h)| h.join().expect("adding crime keys does not panic").map(|k| (t, k))).collect::<Result<Vec<_>, AnalysisError>>()
            })
        })();
        (ctx.join().expect("setting up the session does not panic"), keyed)
    });
    let mut people = PersonColumns { victims: Vec::new(), suspects: Vec::new() };
    for (t, (schema, batches)) in keyed? {
        let (schema, batches) = match t {
            Table::Victims | Table::Suspects => {
                let own = project(&batches, &PERSON_COLUMNS)?;
                if t == Table::Victims { people.victims = own } else { people.suspects = own }
                if columns.keeps_person_refs() {
                    (schema, batches)
                } else {
                    let kept: Vec<usize> = (0..schema.fields().len()).filter(|&i| !["person_ref", "pnc_id"].contains(&schema.field(i).name().as_str())).collect();
                    let batches = batches.iter().map(|b| b.project(&kept)).collect::<Result<Vec<_>, _>>().map_err(|e| AnalysisError::Query(e.to_string()))?;
                    (Arc::new(schema.project(&kept).map_err(|e| AnalysisError::Query(e.to_string()))?), batches)
                }
            }
            _ => (schema, batches),
        };
        ctx.register_table(t.name(), Arc::new(MemTable::try_new(schema, vec![batches])?))?;
    }
    register_reference(&ctx)?;
    register_whole_years(&ctx);
    Ok((ctx, people, crime_refs.expect("the crimes were keyed")))
}

/// A table's Parquet files (one per period) decoded into record batches of the session's batch size, by the
/// `parquet` crate's Arrow reader over the file mapped into memory. Not DataFusion's own scan:
/// it cannot give the coded columns as dictionaries or the pseudonyms as views into the file,
/// and without them a report is markedly slower (docs/performance.md). Strings come back as
/// plain `Utf8`, as written, not as DataFusion's default `Utf8View`: joins over view arrays keep
/// every input buffer alive in each output batch. A file whose columns are not
/// the dataset schema's is refused. Columns named in `skip` are not decoded; those named in
/// `views` are decoded as `Utf8View`, pointing into the mapped file (the pseudonym columns are
/// stored uncompressed, so their values are not copied at all).
fn read_table(dataset: &Path, t: csae_model::Table, span: Option<(NaiveDate, NaiveDate)>, batch_size: usize, skip: &[&str], views: &[&str], dicts: &[&str]) -> Result<(Arc<Schema>, Vec<RecordBatch>), AnalysisError> {
    let files = match span {
        Some((from, to)) => csae_dataset::table_files_overlapping(dataset, t, from, to),
        None => csae_dataset::table_files(dataset, t),
    }
    .map_err(|e| AnalysisError::Query(e.0))?;
    let mut schema = None;
    let mut batches = Vec::new();
    for path in &files {
        let (s, b) = read_file(path, t, batch_size, skip, views, dicts)?;
        schema.get_or_insert(s);
        batches.extend(b);
    }
    Ok((schema.expect("a table has at least one file"), batches))
}

/// One Parquet file of a table, as [`read_table`] reads it.
fn read_file(path: &Path, t: csae_model::Table, batch_size: usize, skip: &[&str], views: &[&str], dicts: &[&str]) -> Result<(Arc<Schema>, Vec<RecordBatch>), AnalysisError> {
    let damaged = |e: &dyn std::fmt::Display| AnalysisError::Query(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| damaged(&e))?;
    // SAFETY: dataset files are never changed in place: ingest writes a new version in a
    // staging folder and renames it into place, so a mapped file's contents stay as they were.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(|e| damaged(&e))?;
    let bytes = bytes::Bytes::from_owner(map);
    let plain = ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new()).map_err(|e| damaged(&e))?;
    // The definitions rely on the columns and types of the dataset schema.
    if plain.schema().fields() != csae_dataset::schema::schema(t).fields() {
        return Err(damaged(&format!("it does not have the columns of {}", csae_dataset::DATASET_SCHEMA)));
    }
    let metadata = if views.is_empty() && dicts.is_empty() {
        plain
    } else {
        let fields: Vec<Field> = plain
            .schema()
            .fields()
            .iter()
            .map(|f| {
                if views.contains(&f.name().as_str()) {
                    f.as_ref().clone().with_data_type(DataType::Utf8View)
                } else if dicts.contains(&f.name().as_str()) {
                    f.as_ref().clone().with_data_type(DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)))
                } else {
                    f.as_ref().clone()
                }
            })
            .collect();
        let options = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new_with_metadata(fields, plain.schema().metadata().clone())));
        ArrowReaderMetadata::try_new(plain.metadata().clone(), options).map_err(|e| damaged(&e))?
    };
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes, metadata);
    let wanted = builder.schema().fields().iter().enumerate().filter(|(_, f)| !skip.contains(&f.name().as_str())).map(|(i, _)| i);
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted);
    let reader = builder.with_projection(mask).with_batch_size(batch_size).build().map_err(|e| damaged(&e))?;
    let schema = datafusion::arrow::record_batch::RecordBatchReader::schema(&reader);
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|e| damaged(&e))?;
    Ok((schema, batches))
}

/// `crime_key`: a small integer standing for a crime's pseudonymised `crime_ref` (64 hex
/// characters), added to every table when it is read. The definitions join and group on it:
/// hashing and comparing a 4-byte key instead of a 64-byte string is what most of a join
/// costs. One key per distinct `crime_ref`, so joins on either mean the same.
struct CrimeKeys<'a>(Interner<'a>);

impl<'a> CrimeKeys<'a> {
    /// Keys for the crimes' references, in order of first sight, and where each key's
    /// reference is.
    fn of(crimes: &'a [RecordBatch]) -> (CrimeKeys<'a>, CrimeRefs) {
        let n = crimes.iter().map(RecordBatch::num_rows).sum();
        let mut map = Interner::with_capacity(n);
        map.reserve(0, n);
        let mut refs = CrimeRefs { columns: Vec::with_capacity(crimes.len()), at: Vec::with_capacity(n) };
        for b in crimes {
            let Some(texts) = crime_refs(b) else { continue };
            let batch = refs.columns.len() as u32;
            for i in 0..texts.len() {
                if let Some(r) = texts.get(i)
                    && map.intern(0, r).1
                {
                    refs.at.push((batch, i as u32));
                }
            }
            refs.columns.push(b.column_by_name("crime_ref").expect("crime_ref was read").clone());
        }
        (CrimeKeys(map), refs)
    }

    /// The table with `crime_key` added after its columns; without `crime_ref` unless
    /// `keep_ref`.
    fn add_to(&self, schema: &Arc<Schema>, batches: &[RecordBatch], keep_ref: bool) -> Result<(Arc<Schema>, Vec<RecordBatch>), AnalysisError> {
        let kept: Vec<usize> = (0..schema.fields().len()).filter(|&i| keep_ref || schema.field(i).name() != "crime_ref").collect();
        let mut fields: Vec<Field> = kept.iter().map(|&i| schema.field(i).clone()).collect();
        fields.push(Field::new("crime_key", DataType::UInt32, true));
        let out_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        let mut out = Vec::with_capacity(batches.len());
        for b in batches {
            let keys: UInt32Array = match crime_refs(b) {
                Some(refs) => {
                    // A crime's rows usually follow each other, and the crimes usually come in
                    // the order of the crimes table: reuse the previous row's key, else try the
                    // crime after it, and only then look the reference up. A lookup in a table
                    // of every crime of the country misses the processor's cache.
                    let mut last: Option<(&str, Option<u32>)> = None;
                    (0..refs.len())
                        .map(|i| {
                            let r = refs.get(i)?;
                            match last {
                                Some((prev, key)) if prev == r => key,
                                _ => {
                                    let next = last.and_then(|(_, k)| k).map(|k| k + 1);
                                    let key = match next.and_then(|n| self.0.pair(n)) {
                                        Some((0, text)) if text == r => next,
                                        _ => self.0.get(0, r),
                                    };
                                    last = Some((r, key));
                                    key
                                }
                            }
                        })
                        .collect()
                }
                None => UInt32Array::new_null(b.num_rows()),
            };
            let mut cols: Vec<ArrayRef> = kept.iter().map(|&i| b.column(i).clone()).collect();
            cols.push(Arc::new(keys));
            out.push(RecordBatch::try_new(out_schema.clone(), cols).map_err(|e| AnalysisError::Query(e.to_string()))?);
        }
        Ok((out_schema, out))
    }
}

fn crime_refs(b: &RecordBatch) -> Option<Texts<'_>> {
    b.column_by_name("crime_ref").and_then(Texts::of)
}

/// The earliest and latest recorded dates of the dataset (None when it has no crimes).
pub async fn recorded_span(ctx: &SessionContext) -> Result<Option<(NaiveDate, NaiveDate)>, AnalysisError> {
    let b = ctx.sql("SELECT min(recorded_date) AS lo, max(recorded_date) AS hi FROM crimes").await?.collect().await?;
    let Some(batch) = b.first().filter(|b| b.num_rows() > 0) else { return Ok(None) };
    let lo = batch.column(0).as_any().downcast_ref::<Date32Array>().expect("date");
    let hi = batch.column(1).as_any().downcast_ref::<Date32Array>().expect("date");
    if lo.is_null(0) {
        return Ok(None);
    }
    Ok(Some((csae_model::dates::from_epoch_days(lo.value(0)), csae_model::dates::from_epoch_days(hi.value(0)))))
}
