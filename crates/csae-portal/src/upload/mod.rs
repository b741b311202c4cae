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
use unpack::{Limits, Unpacked};

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
    pub max_uncompressed: u64,
    pub today: chrono::NaiveDate,
}

/// Unpacks, checks and validates the received upload and stores it as a submission (files
/// first, then the row). Blocking: run it on a blocking thread.
pub fn prepare(layout: &Layout, req: &UploadRequest, received: &receive::Received) -> Result<(Submission, std::path::PathBuf), ApiError> {
    let own = req.force.id.as_str();
    if let Some(f) = named_force(req.file_name).filter(|f| f.id != own) {
        return Err(refused("wrong_force", format!("the file {} is named for {}, but your account submits for {}; upload {}'s return", req.file_name, f.name, req.force.name, req.force.name)));
    }
    let unpacked = unpack::unpack(&received.path, &Limits::new(req.max_uncompressed)).map_err(|r| {
        if r.too_large { ApiError::too_large(r.message) } else { refused("unusable_file", r.message) }
    })?;
    let (raw, format) = match &unpacked {
        Unpacked::Xlsx(bytes) => (csae_ingest::read::return_from_xlsx_bytes(req.force, &format!("{own}.xlsx"), bytes.clone()), "xlsx"),
        Unpacked::Csv { files, folder } => {
            if let Some(f) = folder.as_deref().and_then(named_force).filter(|f| f.id != own) {
                return Err(refused("wrong_force", format!("the zip's folder is named for {}, but your account submits for {}; upload {}'s return", f.name, req.force.name, req.force.name)));
            }
            let parts = [&files[0][..], &files[1][..], &files[2][..], &files[3][..]];
            (csae_ingest::read::return_from_csv_bytes(req.force, &format!("{own}/"), parts), "csv-zip")
        }
    };
    let raw = raw.map_err(|e| refused("return_rejected", format!("{} (F01); correct the file and upload it again", e.message)))?;
    if let Some(other) = other_force_in_data(&raw, own) {
        return Err(refused("wrong_force", format!("every crime in the file says force_id {other}, but your account submits for {own}; upload {}'s return", req.force.name)));
    }
    // Personal values stay hidden: the result is seen by analysts too, and the submitter has the file.
    let v = csae_ingest::validate(&raw, &ValidateOptions { today: req.today, show_personal: false });
    let report = ForceReport::from_validated(&v);
    let mut full = ValidationReport::new(vec![]);
    full.forces.insert(own.to_string(), report.clone());
    drop(v);

    let id = crate::util::new_id();
    let stage = layout.temp_path("submission");
    std::fs::create_dir_all(&stage).map_err(io("stage the upload"))?;
    let written = (|| -> std::io::Result<()> {
        match unpacked {
            Unpacked::Xlsx(bytes) => write_durable(&stage.join(format!("{own}.xlsx")), &bytes)?,
            Unpacked::Csv { files, .. } => {
                let dir = stage.join(own);
                std::fs::create_dir_all(&dir)?;
                for (t, bytes) in Table::ALL.into_iter().zip(files) {
                    write_durable(&dir.join(format!("{}.csv", t.name())), &bytes)?;
                }
            }
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&stage);
        return Err(io("store the upload")(e));
    }
    let (read, accepted, rejected) = report.tables.values().fold((0, 0, 0), |a, c| (a.0 + c.read, a.1 + c.accepted, a.2 + c.rejected));
    let sub = Submission {
        id,
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
        validation: serde_json::to_string(&full).expect("the report serialises"),
    };
    Ok((sub, stage))
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
