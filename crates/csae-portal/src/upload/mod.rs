//! An upload from receipt to a stored, validated submission: unpack safely, check it is the
//! submitter's force, read and validate it with the same code as `csae validate`, write its
//! files into a staging folder, rename that into `uploads/<id>`, and only then insert the row.
//! A refusal at any step stores nothing.

pub mod receive;
pub mod unpack;

use std::path::Path;

use csae_ingest::ValidateOptions;
use csae_ingest::report::{ForceReport, ValidationReport};
use csae_model::{Force, Table};

use crate::error::ApiError;
use crate::files::{Layout, publish_dir, write_durable};
use crate::submissions::{self, Submission};
use unpack::Unpacked;

/// A refusal that is the submitter's to fix (400), with the validation report when there is one.
fn refused(code: &'static str, message: String) -> ApiError {
    ApiError::bad_request(code, message)
}

/// The force a file or folder name gives (`durham.xlsx`, `durham/`), if it is a force id.
fn named_force(name: &str) -> Option<&'static Force> {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    csae_model::force(stem)
}

/// The other force the whole return is for, when every non-blank `force_id` of its crimes
/// names one force that is not `own` (a return sent from the wrong account, not a typo).
fn other_force_in_data(raw: &csae_ingest::RawReturn, own: &str) -> Option<String> {
    let t = raw.table(Table::Crimes);
    let col = Table::Crimes.columns().iter().position(|c| c.name == "force_id")?;
    let mut seen: Option<String> = None;
    for i in 0..t.len() {
        let v = t.cell(i, col);
        if v.is_empty() {
            continue;
        }
        if v.eq_ignore_ascii_case(own) {
            return None;
        }
        match &seen {
            None => seen = Some(v.to_ascii_lowercase()),
            Some(s) if !s.eq_ignore_ascii_case(v) => return None,
            _ => {}
        }
    }
    seen.filter(|s| csae_model::force(s).is_some())
}

/// What the upload handler needs to know.
pub struct UploadRequest<'a> {
    pub force: &'static Force,
    pub period: &'a str,
    pub username: &'a str,
    /// The name the client gave the file (shown back, checked for another force's id).
    pub file_name: &'a str,
    /// What one upload may hold, from the validation memory budget ([`crate::config::Config::read_limits`]).
    pub limits: csae_ingest::ReadLimits,
    /// The budget itself, in MB, named in refusals.
    pub memory_mb: u64,
    pub today: chrono::NaiveDate,
    /// The period's dates, and the latest build's dataset the return is checked against (H01–H05).
    pub period_dates: (chrono::NaiveDate, chrono::NaiveDate),
    pub history: Option<&'a std::path::Path>,
}

impl UploadRequest<'_> {
    /// A 413 for an upload over the limits, saying what they are.
    fn too_large(&self, why: &str) -> ApiError {
        ApiError::too_large(format!(
            "{why}. This portal validates a return of up to {} of uncompressed files and {} rows (its memory budget for a validation, max_validation_memory_mb, is {} MB); ask the national team if a genuine return is refused",
            csae_ingest::read::size_text(self.limits.max_bytes),
            self.limits.max_rows,
            self.memory_mb
        ))
    }
}

/// Unpacks, checks and validates the received upload and stores it as a submission (files
/// first, then the row). Blocking: run it on a blocking thread. The upload's bytes are held
/// once: written to the staging folder, then handed to the reader.
pub fn prepare(layout: &Layout, req: &UploadRequest, received: &receive::Received) -> Result<(Submission, std::path::PathBuf), ApiError> {
    let own = req.force.id.as_str();
    if let Some(f) = named_force(req.file_name).filter(|f| f.id != own) {
        return Err(refused("wrong_force", format!("the file {} is named for {}, but your account submits for {}; upload {}'s return", req.file_name, f.name, req.force.name, req.force.name)));
    }
    let unpacked = unpack::unpack(&received.path, req.limits.max_bytes).map_err(|r| {
        if r.too_large { req.too_large(r.message.trim_end_matches("; check it is the right file")) } else { refused("unusable_file", r.message) }
    })?;
    if let Unpacked::Csv { folder: Some(folder), .. } = &unpacked
        && let Some(f) = named_force(folder).filter(|f| f.id != own)
    {
        return Err(refused("wrong_force", format!("the zip's folder is named for {}, but your account submits for {}; upload {}'s return", f.name, req.force.name, req.force.name)));
    }
    let stage = layout.temp_path("submission");
    let made = stage_and_validate(&stage, req, received, unpacked);
    if made.is_err() {
        let _ = std::fs::remove_dir_all(&stage);
    }
    made.map(|sub| (sub, stage))
}

fn stage_and_validate(stage: &std::path::Path, req: &UploadRequest, received: &receive::Received, unpacked: Unpacked) -> Result<Submission, ApiError> {
    let own = req.force.id.as_str();
    std::fs::create_dir_all(stage).map_err(io("stage the upload"))?;
    let (raw, format) = match unpacked {
        Unpacked::Xlsx => {
            let bytes = std::fs::read(&received.path).map_err(io("read the upload back"))?;
            write_durable(&stage.join(format!("{own}.xlsx")), &bytes).map_err(io("store the upload"))?;
            (csae_ingest::read::return_from_xlsx_within(req.force, &format!("{own}.xlsx"), bytes, &req.limits), "xlsx")
        }
        Unpacked::Csv { files, .. } => {
            let dir = stage.join(own);
            std::fs::create_dir_all(&dir).map_err(io("store the upload"))?;
            for (t, bytes) in Table::ALL.into_iter().zip(&files) {
                write_durable(&dir.join(format!("{}.csv", t.name())), bytes).map_err(io("store the upload"))?;
            }
            (csae_ingest::read::return_from_csv_files(req.force, &format!("{own}/"), files, &req.limits), "csv-zip")
        }
    };
    let raw = raw.map_err(|e| {
        if e.over_limit { req.too_large(e.message.trim_end_matches("; check it is the right file")) } else { refused("return_rejected", format!("{} (F01); correct the file and upload it again", e.message)) }
    })?;
    if let Some(other) = other_force_in_data(&raw, own) {
        return Err(refused("wrong_force", format!("every crime in the file says force_id {other}, but your account submits for {own}; upload {}'s return", req.force.name)));
    }
    // Personal values stay hidden: the result is seen by analysts too, and the submitter has the file.
    let v = csae_ingest::validate(&raw, &ValidateOptions { today: req.today, show_personal: false, period: None });
    let report = ForceReport::from_validated(v);
    crate::issues_report::store_personal(stage, &report.issues).map_err(io("store the validation report"))?;
    let (read, accepted, rejected) = report.tables.values().fold((0, 0, 0), |a, c| (a.0 + c.read, a.1 + c.accepted, a.2 + c.rejected));
    drop(raw);
    let mut full = ValidationReport::new(vec![]);
    full.forces.insert(own.to_string(), report);
    if let Some(dataset) = req.history {
        check_history(stage, req, format, dataset, &mut full);
    }
    // The report goes into its own file, written as it is serialised: never one string.
    write_report(&stage.join(crate::submissions::REPORT_FILE), &full).map_err(io("store the validation report"))?;
    let mut own_report = full.forces.remove(own).expect("the report holds the force");
    drop(full);
    let sub = Submission {
        id: crate::util::new_id(),
        period: req.period.to_string(),
        force_id: own.to_string(),
        uploaded_by: req.username.to_string(),
        uploaded_at: crate::util::now(),
        format: format.to_string(),
        file_name: clean_file_name(req.file_name),
        sha256: received.sha256.clone(),
        bytes: received.bytes as i64,
        status: submissions::VALIDATED.to_string(),
        version: None,
        confirmed_by: None,
        confirmed_at: None,
        rows_read: read as i64,
        rows_accepted: accepted as i64,
        rows_rejected: rejected as i64,
        // The report is in its file (`submissions::report_file`).
        validation: String::new(),
    };
    // The error report's files are made now, once, so each download only reads one.
    let issues = crate::issues_report::IssueReport::from_report(sub.clone(), req.force, &mut own_report, req.today);
    crate::issues_report::store_files(stage, stage.parent().unwrap_or(stage), issues).map_err(io("store the error report"))?;
    Ok(sub)
}

/// Checks the staged return against its force's previous period in `dataset` (queries, never
/// a refusal: a check that cannot run leaves a notice instead).
fn check_history(stage: &std::path::Path, req: &UploadRequest, format: &str, dataset: &std::path::Path, report: &mut ValidationReport) {
    use csae_ingest::source::{ReturnFormat, ReturnSource};
    let own = req.force.id.as_str();
    let (path, format) = if format == "xlsx" { (stage.join(format!("{own}.xlsx")), ReturnFormat::Xlsx) } else { (stage.join(own), ReturnFormat::Csv) };
    let src = ReturnSource { force: req.force, format, path, year: None };
    if let Err(e) = csae_analysis::history::check_returns(&[src], Some(req.period_dates), dataset, req.today, stage.parent(), report) {
        eprintln!("history checks of an upload by {own} did not run: {e}");
        if let Some(f) = report.forces.get_mut(own) {
            f.notices.push("the history checks (H01-H05) could not run against the latest build; they run again when the return is uploaded after the next build".into());
        }
    }
}

/// Writes the validation report to `path`, durably, serialising it straight into the file.
fn write_report(path: &std::path::Path, report: &ValidationReport) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
    serde_json::to_writer(&mut w, report).map_err(std::io::Error::other)?;
    w.flush()?;
    w.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Moves the staged files into `uploads/<id>`; the caller inserts the row after this.
pub fn place(layout: &Layout, stage: &Path, id: &str) -> Result<(), ApiError> {
    publish_dir(stage, &layout.submission(id)).map_err(io("store the upload"))
}

fn io(what: &'static str) -> impl Fn(std::io::Error) -> ApiError {
    move |e| {
        eprintln!("csae serve: cannot {what} ({e})");
        ApiError::internal(what)
    }
}

/// A file name as shown back: its last part, printable, at most 100 characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if s.is_empty() { "upload".into() } else { s }
}
