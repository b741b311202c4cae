//! The dataset on disk: four Parquet tables of accepted, pseudonymised rows (`schema`), each a
//! folder with one file per period, so replacing one year's return rewrites that year only,
//! `quarantine/` with rejected rows, and `manifest.json` (`manifest`); reading and writing the
//! tables (`tables`); and replacing a whole folder atomically (`store`), which publications use
//! too. Ingest writes a dataset; analysis, publication and the portal read it.

pub mod manifest;
pub mod schema;
pub mod store;
mod tables;

use std::path::{Path, PathBuf};

use csae_model::Table;

pub use manifest::{DATASET_SCHEMA, Manifest, ReturnEntry, TableEntry};
pub use tables::{count_rows, read_file_without, read_table_without, write_table};

pub const MANIFEST_FILE: &str = "manifest.json";

/// The dataset's folder of quarantines.
pub const QUARANTINE_DIR: &str = "quarantine";

/// The folder of a table: one Parquet file per period, which DuckDB, pyarrow and DataFusion
/// read as one table (`crimes/*.parquet`).
pub fn table_dir(dataset: &Path, t: Table) -> PathBuf {
    dataset.join(t.name())
}

/// The file of a table's rows of one return: its period and force
/// (`crimes/2023-01-01_2023-12-31_cumbria.parquet`), so replacing a return rewrites its own
/// rows only.
pub fn return_file(dataset: &Path, t: Table, force_id: &str, period: &str) -> PathBuf {
    table_dir(dataset, t).join(format!("{}_{force_id}.parquet", period.replace("..", "_")))
}

/// The file of a table's rows of one period, every force's (`crimes/2023-01-01_2023-12-31.parquet`),
/// as datasets were written before returns were stored apart; still read, and split into
/// return files by the next ingest.
pub fn period_file(dataset: &Path, t: Table, period: &str) -> PathBuf {
    table_dir(dataset, t).join(format!("{}.parquet", period.replace("..", "_")))
}

/// A table as one file, as datasets were written before periods were stored apart; such a
/// dataset is still read, and the next ingest writes it in folders.
pub fn single_table_file(dataset: &Path, t: Table) -> PathBuf {
    dataset.join(format!("{}.parquet", t.name()))
}

/// The Parquet files holding a table, in period and force order: the table's folder, or its
/// single file in an older dataset. An error names what is missing.
pub fn table_files(dataset: &Path, t: Table) -> Result<Vec<PathBuf>, DatasetError> {
    let single = single_table_file(dataset, t);
    if single.is_file() {
        return Ok(vec![single]);
    }
    let dir = table_dir(dataset, t);
    let missing = || DatasetError(format!("{} is incomplete: {} is missing; ingest the returns again", dataset.display(), dir.display()));
    let rd = std::fs::read_dir(&dir).map_err(|_| missing())?;
    let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "parquet")).collect();
    if files.is_empty() {
        return Err(missing());
    }
    files.sort();
    Ok(files)
}

/// The period a table file holds, from its name (`2023-01-01_2023-12-31_cumbria.parquet`, or
/// a period file without the force); `None` for an older dataset's single file, which holds
/// every period.
pub fn file_period(path: &Path) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let stem = path.file_stem()?.to_str()?;
    let mut parts = stem.splitn(3, '_');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// The files of a table that can hold crimes recorded from `from` to `to`: a return's crimes
/// and persons are stored in the file of its period, and its crimes are recorded within it.
/// A file whose name gives no period is always included.
pub fn table_files_overlapping(dataset: &Path, t: Table, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<PathBuf>, DatasetError> {
    let all = table_files(dataset, t)?;
    let some: Vec<PathBuf> = all.iter().filter(|p| file_period(p).is_none_or(|(a, b)| a <= to && b >= from)).cloned().collect();
    // With no file of the period, the first file still gives the table its columns.
    Ok(if some.is_empty() { all.into_iter().take(1).collect() } else { some })
}

/// Where a return's quarantine files are, relative to the dataset: the prefix of their names
/// in the one quarantine folder (`quarantine/2023-01-01_2023-12-31_cumbria` +
/// `.issues.csv`, `.crimes.csv` …). One folder keeps an ingest from making and syncing a
/// folder per kept return.
pub fn quarantine_prefix(force_id: &str, period: &str) -> String {
    format!("{QUARANTINE_DIR}/{}_{force_id}", period.replace("..", "_"))
}

/// A return's quarantine file of a given name (`issues.csv`), from its prefix.
pub fn quarantine_file(prefix: &str, name: &str) -> String {
    format!("{prefix}.{name}")
}

/// The names a dataset folder holds; anything else in it is not the dataset's.
pub fn owned_names() -> Vec<String> {
    let mut names: Vec<String> = Table::ALL.iter().flat_map(|t| [t.name().to_string(), format!("{}.parquet", t.name())]).collect();
    names.extend([MANIFEST_FILE.to_string(), QUARANTINE_DIR.to_string()]);
    names
}

/// Why a dataset folder cannot be used, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DatasetError(pub String);

/// Reads and checks a dataset's manifest: it must exist and carry this schema version.
pub fn read_manifest(dataset: &Path) -> Result<Manifest, DatasetError> {
    let path = dataset.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        DatasetError(format!("{} is not a csae dataset ({MANIFEST_FILE} {}); give a folder written by `csae ingest`", dataset.display(), io_reason(&e)))
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
    serde_json::from_value(value).map_err(|e| DatasetError(format!("{} is damaged ({e}); ingest the returns again into a new folder", path.display())))
}

/// A short, plain reason for an I/O error: no OS error numbers.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "not found".into(),
        PermissionDenied => "permission denied".into(),
        IsADirectory => "it is a folder".into(),
        NotADirectory => "a part of the path is a file, not a folder".into(),
        StorageFull => "the disk is full".into(),
        ReadOnlyFilesystem => "the disk is read-only".into(),
        InvalidFilename => "the name is not a valid file name".into(),
        AlreadyExists => "it already exists".into(),
        TooManyLinks => "the path loops through links".into(),
        ResourceBusy => "it is in use".into(),
        Interrupted | TimedOut | WouldBlock => "it did not answer in time".into(),
        _ => {
            let text = e.to_string();
            // The operating system's number means nothing to a user.
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_lowercase(),
                None => text,
            }
        }
    }
}

/// A test hook: when the environment variable `CSAE_CRASH_AT` names this point, the process
/// aborts here, as a power cut or `kill -9` would. The crash tests use it to show that a
/// dataset survives an interruption at every step. Unset in normal use.
pub fn crash_point(name: &str) {
    if std::env::var_os("CSAE_CRASH_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}

/// Step timings for the pipeline benchmark: with `CSAE_TIMING` set, each lap prints
/// `timing: <step> <s> s` (the time since the previous lap) to standard error, and the
/// benchmark reads those lines. Silent otherwise.
pub struct Timing(Option<std::cell::Cell<std::time::Instant>>);

impl Timing {
    pub fn start() -> Timing {
        Timing(std::env::var_os("CSAE_TIMING").map(|_| std::cell::Cell::new(std::time::Instant::now())))
    }

    pub fn lap(&self, step: &str) {
        if let Some(t) = &self.0 {
            let now = std::time::Instant::now();
            eprintln!("timing: {step} {:.3} s", (now - t.get()).as_secs_f64());
            t.set(now);
        }
    }
}
