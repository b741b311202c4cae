//! `csae ingest`: validate returns, pseudonymise the accepted rows and write them into the
//! dataset, replacing each force's earlier data for the same period in one atomic step.

use std::collections::BTreeMap;
use std::path::Path;

use arrow::array::RecordBatch;
use chrono::{Datelike, NaiveDate};
use csae_model::Table;
use rayon::prelude::*;

use csae_dataset::{DatasetError, MANIFEST_FILE, Manifest, ReturnEntry, TableEntry, store};
use crate::pseudonym::{Key, Pseudonymiser};
use crate::report::{ForceReport, ValidationReport};
use crate::rules::Severity;
use crate::source::{ReturnSource, Skipped};
use crate::validate::{ValidateOptions, Validated, validate};
use crate::{ReturnRejected, read_return};

#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub today: NaiveDate,
    /// The period every given return covers. Default: the calendar years of its recorded dates.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// Time stamp written into the manifest (ISO 8601).
    pub now: String,
}

/// What an ingest did, for the command line to print.
#[derive(Debug)]
pub struct IngestOutcome {
    pub report: ValidationReport,
    /// Returns written: (force, period).
    pub written: Vec<(String, String)>,
    /// Earlier returns replaced: (force, period).
    pub replaced: Vec<(String, String)>,
    pub manifest: Option<Manifest>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The dataset cannot be used (other key, other schema, not a dataset, locked, unwritable).
    #[error("{0}")]
    Dataset(String),
}

impl From<DatasetError> for IngestError {
    fn from(e: DatasetError) -> Self {
        IngestError::Dataset(e.0)
    }
}

/// One return, validated and turned into everything the dataset needs.
struct Prepared {
    force_id: String,
    period: String,
    batches: [RecordBatch; 4],
    quarantine: Vec<(String, Vec<u8>)>,
    entry: ReturnEntry,
    report: ForceReport,
}

fn io_err(dataset: &Path, what: &str, e: std::io::Error) -> IngestError {
    IngestError::Dataset(format!("cannot {what} in {} ({e}); check the folder is writable and has space", dataset.display()))
}

/// The period of a return: given, or the whole calendar years its accepted recorded dates span
/// (the year of ingest when it has none).
pub fn default_period(v: &Validated, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let years = v.crimes.iter().map(|c| c.recorded_date.year());
    let (lo, hi) = years.fold((None, None), |(lo, hi): (Option<i32>, Option<i32>), y| (Some(lo.map_or(y, |l| l.min(y))), Some(hi.map_or(y, |h| h.max(y)))));
    let (lo, hi) = (lo.unwrap_or(today.year()), hi.unwrap_or(today.year()));
    (NaiveDate::from_ymd_opt(lo, 1, 1).expect("1 January"), NaiveDate::from_ymd_opt(hi, 12, 31).expect("31 December"))
}

pub fn period_text((from, to): (NaiveDate, NaiveDate)) -> String {
    format!("{from}..{to}")
}

pub fn parse_period(p: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (a, b) = p.split_once("..")?;
    Some((csae_model::dates::parse_iso(a)?, csae_model::dates::parse_iso(b)?))
}

fn prepare(src: &ReturnSource, opts: &IngestOptions, p: &Pseudonymiser) -> Result<Prepared, (ForceReport, ReturnRejected)> {
    let raw = read_return(src).map_err(|e| (ForceReport::from_rejected(src, &e), e))?;
    let declared = opts.period.or(src.year_period());
    let v = validate(&raw, &ValidateOptions { today: opts.today, show_personal: false, period: declared });
    csae_dataset::crash_point("after-validate");
    let period = period_text(declared.unwrap_or_else(|| default_period(&v, opts.today)));
    let force_id = raw.force.id.clone();
    let batches = crate::arrow_rows::return_batches(&v, &period, p);
    let tables = Table::ALL
        .into_iter()
        .map(|t| {
            let c = v.counts(t);
            let (source, sha256) = match raw.files.len() {
                1 => (format!("{}, sheet {}", raw.files[0].name, t.name()), raw.files[0].sha256.clone()),
                _ => (raw.files[t as usize].name.clone(), raw.files[t as usize].sha256.clone()),
            };
            (t, TableEntry { source, sha256, read: c.read, accepted: c.accepted, rejected: c.rejected, warnings: c.warnings })
        })
        .collect();
    let entry = ReturnEntry {
        force_id: force_id.clone(),
        period: period.clone(),
        source: raw.source.clone(),
        ingested_at: opts.now.clone(),
        tables,
        rules: v.rule_counts(Severity::Error).into_iter().map(|(r, n)| (r.code().to_string(), n)).collect(),
        warnings: v.rule_counts(Severity::Warning).into_iter().map(|(r, n)| (r.code().to_string(), n)).collect(),
        quarantine: csae_dataset::quarantine_prefix(&force_id, &period),
        synthetic: raw.synthetic(),
    };
    let quarantine = crate::quarantine::files(&v);
    let report = ForceReport::from_validated(v);
    Ok(Prepared { force_id, period, batches, quarantine, entry, report })
}

fn overlaps(a: &str, b: &str) -> bool {
    match (parse_period(a), parse_period(b)) {
        (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
        _ => a == b,
    }
}

/// Validates the returns and writes them into `dataset`. Returns rejected whole (`F01`) are
/// reported and leave the dataset's earlier data for that force untouched.
pub fn ingest(sources: &[ReturnSource], skipped: Vec<Skipped>, dataset: &Path, key: &Key, opts: &IngestOptions) -> Result<IngestOutcome, IngestError> {
    if let Some(parent) = dataset.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_err(dataset, "create the parent folder", e))?;
    }
    let _lock = store::lock(dataset).map_err(|e| IngestError::Dataset(format!("cannot lock {} ({e}); wait for the other ingest to finish", dataset.display())))?;
    store::recover(dataset).map_err(|e| io_err(dataset, "tidy an interrupted earlier run", e))?;
    let existing = existing_manifest(dataset, key)?;

    let timing = csae_dataset::Timing::start();
    let p = Pseudonymiser::new(key);
    let results: Vec<Result<Prepared, (ForceReport, ReturnRejected)>> = crate::largest_first(sources, ReturnSource::bytes, |s| prepare(s, opts, &p));
    let mut report = ValidationReport::new(skipped);
    let mut prepared = Vec::new();
    for (src, r) in sources.iter().zip(results) {
        match r {
            Ok(pr) => {
                report.forces.insert(src.report_key(), pr.report.clone());
                prepared.push(pr);
            }
            Err((fr, _)) => {
                report.forces.insert(src.report_key(), fr);
            }
        }
    }
    timing.lap("returns read, validated and pseudonymised");
    if prepared.is_empty() {
        return Ok(IngestOutcome { report, written: vec![], replaced: vec![], manifest: existing });
    }

    // Earlier returns of the same forces whose periods overlap the new ones are replaced.
    let old_entries = existing.as_ref().map(|m| m.returns.clone()).unwrap_or_default();
    let (replaced, kept): (Vec<ReturnEntry>, Vec<ReturnEntry>) =
        old_entries.into_iter().partition(|e| prepared.iter().any(|p| p.force_id == e.force_id && overlaps(&p.period, &e.period)));
    let drop: Vec<(String, String)> = replaced.iter().map(|e| (e.force_id.clone(), e.period.clone())).collect();

    let stage = store::staging(dataset).map_err(|e| io_err(dataset, "create a staging folder", e))?;
    // The quarantine and the manifest are known once the returns are prepared.
    let kept_quarantine: Vec<String> = kept.iter().map(|e| e.quarantine.clone()).collect();
    let quarantine_dirs = vec![stage.join(csae_dataset::QUARANTINE_DIR)];
    let mut quarantine_files = Vec::new();
    for p in &mut prepared {
        let prefix = p.entry.quarantine.clone();
        quarantine_files.extend(std::mem::take(&mut p.quarantine).into_iter().map(|(name, bytes)| (stage.join(csae_dataset::quarantine_file(&prefix, &name)), bytes)));
    }
    let written: Vec<(String, String)> = prepared.iter().map(|p| (p.force_id.clone(), p.period.clone())).collect();
    let plan = ReturnPlan::new(dataset, &kept, &drop);
    let mut entries = kept;
    entries.extend(prepared.iter().map(|p| p.entry.clone()));
    let manifest = Manifest::new(key.fingerprint(), opts.now.clone(), entries);
    quarantine_files.push((stage.join(MANIFEST_FILE), serde_json::to_string_pretty(&manifest).expect("manifest serialises").into_bytes()));

    // Every file of the new version is written first, then each is made durable before the
    // commit. The quarantine and the manifest are written while the tables are encoded.
    let (tables, others) = rayon::join(
        || Table::ALL.par_iter().map(|&t| plan.write_table(dataset, &stage, t, &prepared)).collect::<Vec<Result<(), IngestError>>>(),
        || write_quarantine(dataset, &stage, &kept_quarantine, &quarantine_dirs, &quarantine_files),
    );
    tables.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut written_files = others?;
    timing.lap("Parquet tables, quarantine and manifest written");
    written_files.extend(store::folders_of(&stage).map_err(|e| io_err(dataset, "make the new files durable", e))?);
    store::sync_all(&written_files).map_err(|e| io_err(dataset, "make the new files durable", e))?;
    timing.lap("files made durable");
    csae_dataset::crash_point("before-commit");
    store::commit(&stage, dataset).map_err(|e| io_err(dataset, "replace the dataset", e))?;
    timing.lap("dataset committed");
    Ok(IngestOutcome { report, written, replaced: drop, manifest: Some(manifest) })
}

/// Which return files of each table the new version writes, and which it keeps as they are:
/// a kept return keeps its files (linked, not copied); a new or replacing return writes its
/// own. A dataset written before returns were stored apart (a file per period, or one file per
/// table) has its kept returns' rows taken from those files once.
struct ReturnPlan {
    /// The old version has each table in one file (written before periods were stored apart).
    single_file: bool,
    /// Rows dropped from the old version: the returns replaced.
    drop: Vec<(String, String)>,
    /// Each kept return's (force, period).
    kept_returns: Vec<(String, String)>,
}

impl ReturnPlan {
    fn new(dataset: &Path, kept: &[ReturnEntry], drop: &[(String, String)]) -> ReturnPlan {
        ReturnPlan {
            single_file: csae_dataset::single_table_file(dataset, Table::Crimes).is_file(),
            drop: drop.to_vec(),
            kept_returns: kept.iter().map(|e| (e.force_id.clone(), e.period.clone())).collect(),
        }
    }

    /// Writes table `t` of the new version into `stage`: one file per return.
    fn write_table(&self, dataset: &Path, stage: &Path, t: Table, prepared: &[Prepared]) -> Result<(), IngestError> {
        let cannot = |what: &str, e: std::io::Error| io_err(dataset, what, e);
        std::fs::create_dir_all(csae_dataset::table_dir(stage, t)).map_err(|e| cannot("write the Parquet tables", e))?;
        for (force, period) in &self.kept_returns {
            let target = csae_dataset::return_file(stage, t, force, period);
            let old = csae_dataset::return_file(dataset, t, force, period);
            if old.is_file() {
                // Untouched: the same bytes, already durable; only the new folder's entry is new.
                std::fs::hard_link(&old, &target).map_err(|e| cannot("keep the unchanged returns", e))?;
                continue;
            }
            // An older layout: this return's rows from the file that holds them with others.
            let source = if self.single_file { csae_dataset::single_table_file(dataset, t) } else { csae_dataset::period_file(dataset, t, period) };
            let others: Vec<(String, String)> = self.kept_returns.iter().filter(|r| r.0 != *force || r.1 != *period).cloned().chain(self.drop.iter().cloned()).collect();
            let batches = csae_dataset::read_file_without(&source, t, &others)?;
            let file = csae_dataset::write_table(&target, t, &batches).map_err(|e| cannot("write the Parquet tables", e))?;
            file.sync_all().map_err(|e| cannot("make the new files durable", e))?;
        }
        for p in prepared {
            let target = csae_dataset::return_file(stage, t, &p.force_id, &p.period);
            let file = csae_dataset::write_table(&target, t, std::slice::from_ref(&p.batches[t as usize])).map_err(|e| cannot("write the Parquet tables", e))?;
            // Made durable as soon as it is written, while the other tables are still being
            // encoded, so the disk's wait overlaps the work.
            file.sync_all().map_err(|e| cannot("make the new files durable", e))?;
        }
        csae_dataset::crash_point("after-table");
        Ok(())
    }
}

/// Writes the new version's quarantine (kept returns' folders linked from the dataset, the new
/// returns' files) and the manifest into `stage`; the files are returned not yet durable.
fn write_quarantine(dataset: &Path, stage: &Path, kept: &[String], dirs: &[std::path::PathBuf], files: &[(std::path::PathBuf, Vec<u8>)]) -> Result<Vec<std::fs::File>, IngestError> {
    let cannot = |err| io_err(dataset, "copy the quarantine", err);
    for dir in dirs {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dataset, "write the quarantine", e))?;
    }
    // Kept returns' files are linked: a return's files by their prefix, or, in a dataset
    // written before, its folder.
    let mut prefixes: std::collections::HashSet<String> = std::collections::HashSet::new();
    for q in kept {
        let from = dataset.join(q);
        if from.is_dir() {
            store::link_tree(&from, &stage.join(q)).map_err(cannot)?;
        } else if let Some(name) = Path::new(q).file_name().and_then(|n| n.to_str()) {
            prefixes.insert(format!("{name}."));
        }
    }
    let folder = dataset.join(csae_dataset::QUARANTINE_DIR);
    if !prefixes.is_empty() && folder.is_dir() {
        for e in std::fs::read_dir(&folder).map_err(cannot)? {
            let e = e.map_err(cannot)?;
            let name = e.file_name();
            let Some(text) = name.to_str() else { continue };
            // Names are `<from>_<to>_<force>.<file>`: the prefix is up to the first dot.
            let kept = text.find('.').is_some_and(|dot| prefixes.contains(&text[..=dot]));
            if kept && e.file_type().map_err(cannot)?.is_file() {
                std::fs::hard_link(e.path(), stage.join(csae_dataset::QUARANTINE_DIR).join(&name)).map_err(cannot)?;
            }
        }
    }
    store::write_all(files).map_err(|e| io_err(dataset, "write the quarantine and the manifest", e))
}

/// The manifest of an existing dataset, checked against the key; `None` when there is none yet.
fn existing_manifest(dataset: &Path, key: &Key) -> Result<Option<Manifest>, IngestError> {
    if !dataset.exists() {
        return Ok(None);
    }
    if !dataset.is_dir() {
        return Err(IngestError::Dataset(format!("{} is a file, not a dataset folder; give a folder for --out", dataset.display())));
    }
    if !dataset.join(MANIFEST_FILE).exists() {
        let empty = std::fs::read_dir(dataset).map(|mut d| d.next().is_none()).unwrap_or(false);
        if empty {
            std::fs::remove_dir(dataset).map_err(|e| io_err(dataset, "use the empty folder", e))?;
            return Ok(None);
        }
        return Err(IngestError::Dataset(format!(
            "{} is not empty and is not a csae dataset (no {MANIFEST_FILE}); give a new or empty folder for --out",
            dataset.display()
        )));
    }
    let owned = csae_dataset::owned_names();
    let owned: Vec<&str> = owned.iter().map(String::as_str).collect();
    let foreign = store::foreign_entries(dataset, &owned).map_err(|e| io_err(dataset, "list the dataset folder", e))?;
    if !foreign.is_empty() {
        return Err(IngestError::Dataset(store::foreign_refusal(dataset, "dataset", &foreign)));
    }
    let m = csae_dataset::read_manifest(dataset)?;
    if m.key_fingerprint != key.fingerprint() {
        return Err(IngestError::Dataset(format!(
            "{} was built with another pseudonymisation key (fingerprint {}, this key is {}); use the dataset's own key file, or ingest into a new folder",
            dataset.display(),
            m.key_fingerprint,
            key.fingerprint()
        )));
    }
    Ok(Some(m))
}

/// Sums of rows per table across the returns of an ingest, for the command line.
pub fn totals(report: &ValidationReport) -> BTreeMap<Table, (usize, usize, usize)> {
    let mut out = BTreeMap::new();
    for f in report.forces.values() {
        for (t, c) in &f.tables {
            let e = out.entry(*t).or_insert((0, 0, 0));
            e.0 += c.read;
            e.1 += c.accepted;
            e.2 += c.rejected;
        }
    }
    out
}
