//! The national analysis of a dataset: the definitions of `analysis.md` as SQL views on
//! Apache DataFusion over the Parquet tables, offender networks, the published tables and the
//! headline figures. `csae report` and `csae sql` are thin layers over [`Analysis`].

pub mod definitions;
pub mod disclosure;
pub mod headline;
pub mod history;
mod ident;
pub mod networks;
pub mod intervals;
pub mod plain;
pub mod rates;
pub mod series;
mod session;
pub mod tables;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray, UInt32Array};
pub use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;

pub use definitions::{Definition, Parameters};
pub use session::Columns;
pub use headline::Headline;
pub use tables::{Kind, Table};

/// Why an analysis cannot run; each is one sentence for the user.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The dataset folder is missing, partial, or of another schema version.
    #[error("{0}")]
    Dataset(String),
    /// A query failed (e.g. an analyst's SQL); the message is DataFusion's.
    #[error("{0}")]
    Query(String),
}

impl From<datafusion::error::DataFusionError> for AnalysisError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        AnalysisError::Query(e.to_string())
    }
}

/// Options of an analysis (`csae report` flags).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The reporting period; default: the dataset's first to last recorded date.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub min_suspects: u32,
    pub officer_fallback: bool,
    /// The dataset's columns the session holds: what the publication reads (default), or all
    /// of them for `csae sql`.
    pub columns: Columns,
}

impl Default for Options {
    fn default() -> Self {
        Options { period: None, min_suspects: 2, officer_fallback: false, columns: Columns::Publication }
    }
}

/// Views materialised in memory once built, because many tables read them.
const MATERIALISED: [&str; 5] = ["crime_scope", "group_crimes", "suspect_records", "victim_records", "relationship_records"];
/// The materialised views that no other definition reads: built together, at the end.
const PERSON_RECORDS: [&str; 3] = ["suspect_records", "victim_records", "relationship_records"];

/// Replaces views by in-memory tables of their rows; several views are computed concurrently.
async fn materialise(ctx: &SessionContext, names: &[&str]) -> Result<(), AnalysisError> {
    let mut set = tokio::task::JoinSet::new();
    for (i, name) in names.iter().enumerate() {
        let df = ctx.table(*name).await?;
        set.spawn(async move {
            let planned = df.schema().inner().clone();
            let batches = df.collect().await?;
            // The batches' own schema: the plan may call a column nullable that the batches do
            // not (or the reverse), and the table must match its batches.
            let schema = batches.first().map_or(planned, RecordBatch::schema);
            Ok::<_, AnalysisError>((i, schema, batches))
        });
    }
    let mut done = Vec::with_capacity(names.len());
    while let Some(d) = set.join_next().await {
        done.push(d.map_err(|e| AnalysisError::Query(e.to_string()))??);
    }
    done.sort_by_key(|d| d.0);
    for (i, schema, batches) in done {
        ctx.deregister_table(names[i])?;
        ctx.register_table(names[i], Arc::new(MemTable::try_new(schema, vec![batches])?))?;
    }
    Ok(())
}

/// An open analysis: a DataFusion session with the dataset, the definitions and networks.
pub struct Analysis {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    pub params: Parameters,
    pub networks: networks::Networks,
    pub manifest: csae_dataset::Manifest,
    /// The person columns read, for identifying persons across the years of a series.
    people: session::PersonColumns,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a tokio runtime")
}

impl Analysis {
    /// Opens a dataset written by `csae ingest`.
    pub fn open(dataset: &Path, opts: &Options) -> Result<Analysis, AnalysisError> {
        Analysis::open_with(dataset, opts, true)
    }

    /// Opens a dataset for its definitions only, without networks: an earlier year of a series.
    pub(crate) fn open_figures(dataset: &Path, opts: &Options) -> Result<Analysis, AnalysisError> {
        Analysis::open_with(dataset, opts, false)
    }

    fn open_with(dataset: &Path, opts: &Options, with_networks: bool) -> Result<Analysis, AnalysisError> {
        if !dataset.is_dir() {
            return Err(AnalysisError::Dataset(format!("{} is not a dataset folder; give the folder written by `csae ingest --out`", dataset.display())));
        }
        let manifest = csae_dataset::read_manifest(dataset).map_err(|e| AnalysisError::Dataset(e.0))?;
        for t in csae_model::Table::ALL {
            csae_dataset::table_files(dataset, t).map_err(|e| AnalysisError::Dataset(e.0))?;
        }
        let runtime = runtime();
        let start = std::time::Instant::now();
        let (ctx, params, networks, kept) = runtime.block_on(async {
            let (ctx, person_columns, crime_refs) = session::open(dataset, opts.columns, opts.period).await.map_err(|e| match e {
                AnalysisError::Query(m) => AnalysisError::Dataset(format!("{} cannot be read ({m}); ingest the returns again", dataset.display())),
                other => other,
            })?;
            // Persons are numbered from the person tables alone, while the definitions build.
            let kept = person_columns.clone();
            let mut people = with_networks.then(|| tokio::task::spawn_blocking(move || networks::number_people(&person_rows(&person_columns))));
            let mut crime_refs = Some(crime_refs);
            let (from, to) = match opts.period {
                Some(p) => p,
                None => session::recorded_span(&ctx).await?.unwrap_or_else(|| {
                    let today = chrono::Local::now().date_naive();
                    (today, today)
                }),
            };
            let params = Parameters { from, to, min_suspects: opts.min_suspects, officer_fallback: opts.officer_fallback };
            let timing = std::env::var_os("CSAE_TIMING").is_some();
            if timing {
                eprintln!("{:>8.3} s  dataset read (Parquet into memory, crime keys)", start.elapsed().as_secs_f64());
            }
            let t0 = std::time::Instant::now();
            let mut networks = None;
            let mut person_records = Vec::new();
            for d in definitions::definitions(&params) {
                if timing {
                    eprintln!("{:>8.3} s  {}", t0.elapsed().as_secs_f64(), d.name);
                }
                ctx.sql(&format!("CREATE VIEW {} AS {}", d.name, d.sql)).await?.collect().await?;
                if PERSON_RECORDS.contains(&d.name) {
                    person_records.push(d.name);
                } else if MATERIALISED.contains(&d.name) {
                    materialise(&ctx, &[d.name]).await?;
                }
                // Networks need only the CSAE crimes (a filter over the materialised
                // crime_scope) and the person tables: they are built while the later views
                // are materialised.
                if d.name == "csae_crimes" && with_networks {
                    let people = people.take().expect("csae_crimes is defined once");
                    let refs = crime_refs.take().expect("csae_crimes is defined once");
                    networks = Some(tokio::spawn(build_networks(ctx.clone(), people, refs)));
                }
            }
            // A year of a series reads only the suspect records of these.
            if !with_networks {
                person_records.retain(|n| *n == "suspect_records");
            }
            materialise(&ctx, &person_records).await?;
            if timing {
                eprintln!("{:>8.3} s  views built", t0.elapsed().as_secs_f64());
            }
            let Some(networks) = networks else {
                return Ok::<_, AnalysisError>((ctx, params, networks::Networks::default(), kept));
            };
            let (networks, ids) = networks.await.map_err(|e| AnalysisError::Query(e.to_string()))??;
            register_networks(&ctx, &networks)?;
            ctx.register_table("person_ids", Arc::new(MemTable::try_new(ids.schema(), vec![vec![ids]])?))?;
            if timing {
                eprintln!("{:>8.3} s  networks built", t0.elapsed().as_secs_f64());
            }
            Ok::<_, AnalysisError>((ctx, params, networks, kept))
        })?;
        register_returns(&ctx, &manifest)?;
        Ok(Analysis { runtime, ctx, params, networks, manifest, people: kept })
    }

    /// A read-only query for `csae sql`: anything but a query (DDL, DML, SET…) is refused.
    pub fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, AnalysisError> {
        let opts = SQLOptions::new().with_allow_ddl(false).with_allow_dml(false).with_allow_statements(false);
        self.runtime.block_on(async { Ok(self.ctx.sql_with_options(sql, opts).await?.collect().await?) })
    }

    /// Names of the tables and views an analyst can query.
    pub fn relations(&self) -> Vec<String> {
        let mut names: Vec<String> = self.ctx.catalog("datafusion").and_then(|c| c.schema("public")).map(|s| s.table_names()).unwrap_or_default();
        names.sort();
        names
    }

    pub fn definitions(&self) -> Vec<Definition> {
        definitions::definitions(&self.params)
    }

    /// Every published table, in order, each count table followed by its percentages. The
    /// queries run concurrently (each is planned on its own task), then are pivoted in order.
    pub fn tables(&self) -> Result<Vec<Table>, AnalysisError> {
        let specs = tables::specs(self.params.from, self.params.to);
        let results = self.collect_all(specs.iter().map(|s| s.sql.clone()).collect())?;
        let mut out = Vec::new();
        for (spec, batches) in specs.iter().zip(results) {
            match spec.kind {
                Kind::Percent => {
                    let cells = rows4(&batches);
                    out.push(tables::pivot_percent(spec, &cells));
                }
                Kind::Count | Kind::Measures | Kind::Summary | Kind::Derived => {
                    let cells = rows3(&batches);
                    let t = tables::pivot_counts(spec, &cells);
                    let pct = spec.pct.map(|of| tables::percentages(&t, of));
                    out.push(t);
                    out.extend(pct);
                }
            }
        }
        Ok(out)
    }

    /// Runs several queries concurrently; results in the order given.
    fn collect_all(&self, sqls: Vec<String>) -> Result<Vec<Vec<RecordBatch>>, AnalysisError> {
        self.runtime.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            for (i, sql) in sqls.into_iter().enumerate() {
                let ctx = self.ctx.clone();
                set.spawn(async move { (i, async { Ok::<_, AnalysisError>(ctx.sql(&sql).await?.collect().await?) }.await) });
            }
            let mut out: Vec<Option<Vec<RecordBatch>>> = Vec::new();
            while let Some(done) = set.join_next().await {
                let (i, result) = done.map_err(|e| AnalysisError::Query(e.to_string()))?;
                if out.len() <= i {
                    out.resize(i + 1, None);
                }
                out[i] = Some(result?);
            }
            Ok(out.into_iter().map(|x| x.unwrap_or_default()).collect())
        })
    }

    /// Whether the dataset holds any return made by `csae synth`.
    pub fn synthetic(&self) -> bool {
        self.manifest.returns.iter().any(|r| r.synthetic)
    }

    /// The headline figures (exact, as in internal mode).
    pub fn headline(&self) -> Result<Headline, AnalysisError> {
        use headline::{NetworkHeadline, Period, share};
        let mut results = self
            .collect_all(vec![
                "SELECT count(DISTINCT force_id) FROM period_crimes".into(),
                "SELECT sum(CASE WHEN is_csae THEN 1 ELSE 0 END), sum(CASE WHEN is_csae THEN 0 ELSE 1 END) FROM crime_scope".into(),
                "SELECT category, category_source, online, recency, count(*) FROM group_crimes GROUP BY 1, 2, 3, 4".into(),
                "SELECT age_band, ethnicity_group, nationality_group, count(*) FROM suspect_records GROUP BY 1, 2, 3".into(),
                "SELECT sex, count(*) FROM victim_records GROUP BY 1".into(),
                "SELECT count(DISTINCT CASE WHEN p.suspect THEN p.person_id END), count(DISTINCT CASE WHEN NOT p.suspect THEN p.person_id END) \
                 FROM person_ids p JOIN group_crimes g ON g.crime_key = p.crime_key"
                    .into(),
            ])?
            .into_iter();
        let mut next = || results.next().unwrap_or_default();
        // The first non-empty row of a result, as integers.
        let one = |b: Vec<RecordBatch>| -> Vec<i64> {
            match b.iter().find(|b| b.num_rows() > 0) {
                Some(b) => (0..b.num_columns()).map(|c| int_at(b.column(c), 0)).collect(),
                None => Vec::new(),
            }
        };
        let forces = one(next());
        let scope = one(next());
        let groups = rows_n(&next(), 4);
        let suspects = rows_n(&next(), 3);
        let victims = rows_n(&next(), 1);
        let distinct = one(next());
        let sum = |rows: &[(Vec<String>, u64)], f: &dyn Fn(&[String]) -> bool| -> u64 { rows.iter().filter(|(k, _)| f(k)).map(|(_, n)| n).sum() };
        let gb = sum(&groups, &|_| true);
        let csae = scope.first().copied().unwrap_or(0) as u64;
        let by_cat: Vec<(String, u64)> = tables::categories().into_iter().map(|(c, _)| {
            let n = sum(&groups, &|k| k[0] == c);
            (c, n)
        }).collect();
        let familial = by_cat.iter().find(|(c, _)| c == "FAMILIAL").map_or(0, |x| x.1);
        let cse = by_cat.iter().find(|(c, _)| c == "CSE").map_or(0, |x| x.1);
        let sr = sum(&suspects, &|_| true);
        let age_known = sum(&suspects, &|k| k[0] != "UNKNOWN");
        let eth_recorded = sum(&suspects, &|k| k[1] != "NOT_RECORDED");
        let n = &self.networks;
        let vf = sum(&victims, &|k| k[0] == "F");
        let vm = sum(&victims, &|k| k[0] == "M");
        Ok(Headline {
            schema: "csae.headline/1",
            disclosure: "internal".into(),
            marking: "OFFICIAL-SENSITIVE".into(),
            synthetic: self.synthetic(),
            period: Period { from: self.params.from.to_string(), to: self.params.to.to_string() },
            ethnicity: if self.params.officer_fallback { "officer-fallback" } else { "self" }.into(),
            min_suspects: self.params.min_suspects,
            forces_with_data: forces.first().copied().unwrap_or(0) as u64,
            csae_crimes: csae,
            out_of_scope_crimes: scope.get(1).copied().unwrap_or(0) as u64,
            group_based_crimes: gb,
            group_based_share: share(gb, csae),
            familial_share: share(familial, gb),
            cse_share: share(cse, gb),
            group_based_by_category: by_cat.into_iter().collect(),
            category_source: [("recorded", "RECORDED"), ("derived", "DERIVED")].into_iter().map(|(k, v)| (k.to_string(), sum(&groups, &|g| g[1] == v))).collect(),
            victim_records: sum(&victims, &|_| true),
            suspect_records: sr,
            distinct_identified_suspects: distinct.first().copied().unwrap_or(0) as u64,
            distinct_identified_victims: distinct.get(1).copied().unwrap_or(0) as u64,
            suspect_records_age_known: age_known,
            suspects_aged_10_17_share_of_known: share(sum(&suspects, &|k| k[0] == "10_17"), age_known),
            suspect_ethnicity_recorded_share: share(eth_recorded, sr),
            suspect_ethnicity_of_recorded: ["ASIAN", "BLACK", "MIXED", "WHITE", "OTHER"]
                .into_iter()
                .map(|g| (g.to_string(), share(sum(&suspects, &|k| k[1] == g), eth_recorded)))
                .collect(),
            suspect_nationality_known_share: share(sum(&suspects, &|k| k[2] != "UNKNOWN"), sr),
            victims_female_share_of_known: share(vf, vf + vm),
            online_share: share(sum(&groups, &|k| k[2] == "Y"), gb),
            non_recent_share: share(sum(&groups, &|k| k[3] == "NON_RECENT"), gb),
            networks: NetworkHeadline {
                count: n.networks.len() as u64,
                multi_offender: n.networks.iter().filter(|x| x.multi_offender()).count() as u64,
                multi_force: n.networks.iter().filter(|x| x.multi_force()).count() as u64,
                largest_crimes: n.networks.iter().map(|x| u64::from(x.crimes)).max().unwrap_or(0),
                single_suspect_crimes_in_multi_offender_networks: u64::from(n.single_suspect_in_multi_offender),
            },
            series: None,
            change: None,
            repeat_suspects: None,
            population: None,
            suspect_ethnicity_ratio: None,
        })
    }
}

/// A text column as it is (the dataset's text columns are `Utf8`), to borrow its values.
fn str_ref(a: &ArrayRef) -> &StringArray {
    a.as_any().downcast_ref::<StringArray>().expect("a Utf8 column")
}

fn str_col(a: &ArrayRef) -> StringArray {
    let c = cast(a, &DataType::Utf8).expect("any column casts to text");
    c.as_any().downcast_ref::<StringArray>().expect("text").clone()
}

fn int_at(a: &ArrayRef, i: usize) -> i64 {
    let c = cast(a, &DataType::Int64).expect("a numeric column");
    let c = c.as_any().downcast_ref::<Int64Array>().expect("Int64");
    if c.is_null(i) { 0 } else { c.value(i) }
}

fn f64_col(a: &ArrayRef) -> Vec<f64> {
    let c = cast(a, &DataType::Float64).expect("a numeric column");
    let c = c.as_any().downcast_ref::<datafusion::arrow::array::Float64Array>().expect("Float64");
    (0..c.len()).map(|i| if c.is_null(i) { 0.0 } else { c.value(i) }).collect()
}

/// Rows of `k` text key columns followed by a count.
fn rows_n(batches: &[RecordBatch], k: usize) -> Vec<(Vec<String>, u64)> {
    let mut out = Vec::new();
    for b in batches {
        let keys: Vec<StringArray> = (0..k).map(|c| str_col(b.column(c))).collect();
        let n = f64_col(b.column(k));
        for i in 0..b.num_rows() {
            out.push((keys.iter().map(|a| if a.is_null(i) { "UNKNOWN".to_string() } else { a.value(i).to_string() }).collect(), n[i] as u64));
        }
    }
    out
}

fn rows3(batches: &[RecordBatch]) -> Vec<(String, String, f64)> {
    rows_n(batches, 2).into_iter().map(|(k, n)| (k[0].clone(), k[1].clone(), n as f64)).collect()
}

fn rows4(batches: &[RecordBatch]) -> Vec<(String, String, f64, f64)> {
    let mut out = Vec::new();
    for b in batches {
        let (r, c) = (str_col(b.column(0)), str_col(b.column(1)));
        let (n, d) = (f64_col(b.column(2)), f64_col(b.column(3)));
        for i in 0..b.num_rows() {
            out.push((r.value(i).to_string(), c.value(i).to_string(), n[i], d[i]));
        }
    }
    out
}

/// Reads the period's CSAE crimes and builds the networks from them and the numbered persons
/// (person rows of other crimes are skipped by the builder, which knows the crimes by key).
/// The building (union–find) runs on a blocking thread of its own, so the views still being
/// materialised keep both workers.
/// With the networks, the `person_ids` table: who each person row is (see [`person_ids`]).
async fn build_networks(ctx: SessionContext, people: tokio::task::JoinHandle<networks::People>, refs: session::CrimeRefs) -> Result<(networks::Networks, RecordBatch), AnalysisError> {
    let crimes = ctx.sql("SELECT force_id, operation_ref, n_suspects, crime_key FROM csae_crimes").await?.collect().await?;
    let people = people.await.map_err(|e| AnalysisError::Query(e.to_string()))?;
    tokio::task::spawn_blocking(move || (networks::build_from(&crime_nodes(&crimes, &refs), &people), person_ids(&people)))
        .await
        .map_err(|e| AnalysisError::Query(e.to_string()))
}

/// `person_ids`: one row per victim and suspect row of the dataset, with its crime key, its role
/// and the distinct person it is (`person_id`, null for an unidentified person), for the
/// distinct-person counts.
fn person_ids(people: &networks::People) -> RecordBatch {
    let ids = networks::identities(people);
    let schema = Arc::new(Schema::new(vec![
        Field::new("crime_key", DataType::UInt32, false),
        Field::new("suspect", DataType::Boolean, false),
        Field::new("person_id", DataType::UInt32, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(UInt32Array::from_iter_values(people.rows.iter().map(|r| r.crime_key))),
            Arc::new(BooleanArray::from_iter(people.rows.iter().map(|r| Some(r.suspect)))),
            Arc::new(UInt32Array::from(ids)),
        ],
    )
    .expect("columns of one length")
}

fn key_col(a: &ArrayRef) -> UInt32Array {
    cast(a, &DataType::UInt32).expect("crime_key").as_any().downcast_ref::<UInt32Array>().expect("UInt32").clone()
}

/// Crimes of query results (`force_id, operation_ref, n_suspects, crime_key`) with their
/// `crime_ref` by key, borrowing their text.
fn crime_nodes<'a>(crimes: &'a [RecordBatch], refs: &'a session::CrimeRefs) -> Vec<networks::CrimeNode<'a>> {
    let mut nodes = Vec::with_capacity(crimes.iter().map(RecordBatch::num_rows).sum());
    for b in crimes {
        let (o, n, k) = (str_ref(b.column(1)), f64_col(b.column(2)), key_col(b.column(3)));
        let f = session::Texts::of(b.column(0)).expect("force_id is text");
        for i in 0..k.len() {
            let key = k.value(i);
            let crime_ref = refs.get(key).expect("every crime key has its crime_ref");
            nodes.push(networks::CrimeNode { key, crime_ref, force_id: f.get(i).unwrap_or_default(), operation_ref: (!o.is_null(i)).then(|| o.value(i)), n_suspects: n[i] as i64 });
        }
    }
    nodes
}

/// Person rows of the victims' and suspects' [`session::PersonColumns`], borrowing their text
/// (the pseudonyms point into the mapped dataset); rows without a crime key are left out.
fn person_rows(people: &session::PersonColumns) -> Vec<networks::PersonRow<'_>> {
    let tables = [(&people.victims, false), (&people.suspects, true)];
    let mut rows = Vec::with_capacity(tables.iter().flat_map(|t| t.0.iter()).map(RecordBatch::num_rows).sum());
    for (batches, suspect) in tables {
        for b in batches {
            let text = |c: usize| session::Texts::of(b.column(c)).expect("a text column");
            let c = b.column(0).as_any().downcast_ref::<UInt32Array>().expect("crime_key");
            let unk = b.column(4).as_any().downcast_ref::<BooleanArray>().expect("unidentified");
            let (f, p, pnc) = (text(1), text(2), text(3));
            for i in (0..c.len()).filter(|&i| c.is_valid(i)) {
                rows.push(networks::PersonRow {
                    crime_key: c.value(i),
                    force_id: f.get(i).unwrap_or_default(),
                    person_ref: p.get(i).unwrap_or_default(),
                    pnc_id: pnc.get(i),
                    unidentified: unk.value(i),
                    suspect,
                });
            }
        }
    }
    rows
}

/// `networks` (one row per network) and `network_crimes` (crime → network) for SQL.
fn register_networks(ctx: &SessionContext, n: &networks::Networks) -> Result<(), AnalysisError> {
    let u = |f: &dyn Fn(&networks::Network) -> u32| -> ArrayRef { Arc::new(UInt32Array::from_iter_values(n.networks.iter().map(f))) };
    let schema = Arc::new(Schema::new(vec![
        Field::new("network_id", DataType::UInt32, false),
        Field::new("crimes", DataType::UInt32, false),
        Field::new("suspects", DataType::UInt32, false),
        Field::new("victims", DataType::UInt32, false),
        Field::new("forces", DataType::UInt32, false),
        Field::new("single_suspect_crimes", DataType::UInt32, false),
        Field::new("multi_offender", DataType::Boolean, false),
        Field::new("multi_force", DataType::Boolean, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            u(&|x| x.id),
            u(&|x| x.crimes),
            u(&|x| x.suspects),
            u(&|x| x.victims),
            u(&|x| x.forces),
            u(&|x| x.single_suspect_crimes),
            Arc::new(BooleanArray::from_iter(n.networks.iter().map(|x| Some(x.multi_offender())))),
            Arc::new(BooleanArray::from_iter(n.networks.iter().map(|x| Some(x.multi_force())))),
        ],
    )
    .map_err(|e| AnalysisError::Query(e.to_string()))?;
    ctx.register_table("networks", Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))?;
    let schema = Arc::new(Schema::new(vec![Field::new("crime_ref", DataType::Utf8, false), Field::new("network_id", DataType::UInt32, false)]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(n.membership.iter().map(|m| m.0.as_str()))),
            Arc::new(UInt32Array::from_iter_values(n.membership.iter().map(|m| m.1))),
        ],
    )
    .map_err(|e| AnalysisError::Query(e.to_string()))?;
    ctx.register_table("network_crimes", Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))?;
    Ok(())
}

/// `returns`: the manifest's per-return, per-table validation counts, for Q02.
fn register_returns(ctx: &SessionContext, m: &csae_dataset::Manifest) -> Result<(), AnalysisError> {
    let mut rows: Vec<(&str, &str, &str, i64, i64, i64, i64)> = Vec::new();
    for r in &m.returns {
        for (t, e) in &r.tables {
            rows.push((r.force_id.as_str(), r.period.as_str(), t.name(), e.read as i64, e.accepted as i64, e.rejected as i64, e.warnings as i64));
        }
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("force_id", DataType::Utf8, false),
        Field::new("period", DataType::Utf8, false),
        Field::new("table_name", DataType::Utf8, false),
        Field::new("rows_read", DataType::Int64, false),
        Field::new("rows_accepted", DataType::Int64, false),
        Field::new("rows_rejected", DataType::Int64, false),
        Field::new("rows_warnings", DataType::Int64, false),
    ]));
    let i = |f: &dyn Fn(&(&str, &str, &str, i64, i64, i64, i64)) -> i64| -> ArrayRef { Arc::new(Int64Array::from_iter_values(rows.iter().map(f))) };
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
            i(&|r| r.3),
            i(&|r| r.4),
            i(&|r| r.5),
            i(&|r| r.6),
        ],
    )
    .map_err(|e| AnalysisError::Query(e.to_string()))?;
    ctx.register_table("returns", Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))?;
    Ok(())
}

/// Query results as a text table.
pub fn pretty(batches: &[RecordBatch]) -> Result<String, String> {
    datafusion::arrow::util::pretty::pretty_format_batches(batches).map(|t| t.to_string()).map_err(|e| e.to_string())
}
