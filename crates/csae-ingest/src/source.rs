//! Finding the returns named on the command line: a force folder of CSVs, a force `.xlsx`, or a
//! collection folder holding up to 44 of them. Entries of a collection that are not a force
//! return are listed as skipped, never silently read or dropped.

use std::path::{Path, PathBuf};

use csae_model::{Force, Table, force};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone)]
pub struct ReturnSource {
    pub force: &'static Force,
    pub format: ReturnFormat,
    pub path: PathBuf,
}

impl ReturnSource {
    /// The name a submitter recognises: `cumbria/` or `cumbria.xlsx`.
    pub fn display_name(&self) -> String {
        let name = self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned());
        match self.format {
            ReturnFormat::Csv => format!("{name}/"),
            ReturnFormat::Xlsx => name,
        }
    }

    /// Bytes of the return's files (a folder's entries, or the workbook), as a measure of the
    /// work of reading it; 0 when they cannot be listed (reading will then say why).
    pub fn bytes(&self) -> u64 {
        match self.format {
            ReturnFormat::Xlsx => std::fs::metadata(&self.path).map_or(0, |m| m.len()),
            ReturnFormat::Csv => std::fs::read_dir(&self.path)
                .map(|rd| rd.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
                .unwrap_or(0),
        }
    }
}

/// An entry of a collection folder that is not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// A command-line input that cannot be used at all (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// The returns found in the given paths, sorted by force, and the collection entries skipped.
pub fn find_returns(paths: &[PathBuf]) -> Result<(Vec<ReturnSource>, Vec<Skipped>), InputError> {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            InputError(format!("{} cannot be opened ({}); give a force folder, a force .xlsx or a collection folder", path.display(), crate::read::io_reason(&e)))
        })?;
        if meta.is_file() {
            found.push(as_workbook(path).ok_or_else(|| {
                InputError(format!(
                    "{} is not a force return; a workbook must be named after its force id, e.g. cumbria.xlsx (see the 44 ids in the data standard)",
                    path.display()
                ))
            })?);
        } else if !meta.is_dir() {
            return Err(InputError(format!(
                "{} is not an ordinary file or folder (a named pipe, device or socket); give a force folder, a force .xlsx or a collection folder",
                path.display()
            )));
        } else if is_csv_return(path) {
            found.push(as_csv_folder(path).ok_or_else(|| {
                InputError(format!(
                    "{} holds a return but is not named after a force id; rename the folder to the force id, e.g. cumbria",
                    path.display()
                ))
            })?);
        } else {
            read_collection(path, &mut found, &mut skipped)?;
        }
    }
    found.sort_by(|a, b| a.force.id.cmp(&b.force.id));
    if let Some(w) = found.windows(2).find(|w| w[0].force.id == w[1].force.id) {
        return Err(InputError(format!(
            "two returns for force {}: {} and {}; give one return per force",
            w[0].force.id,
            w[0].path.display(),
            w[1].path.display()
        )));
    }
    Ok((found, skipped))
}

fn read_collection(dir: &Path, found: &mut Vec<ReturnSource>, skipped: &mut Vec<Skipped>) -> Result<(), InputError> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        InputError(format!("{} cannot be read ({}); check the folder exists and is readable", dir.display(), crate::read::io_reason(&e)))
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    let before = found.len();
    let skipped_before = skipped.len();
    for p in entries {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let is_dir = p.is_dir();
        let source = if is_dir { as_csv_folder(&p) } else { as_workbook(&p) };
        match source {
            Some(s) => found.push(s),
            None => {
                let reason = if is_dir {
                    "not a force id (a force folder is named after its force id, e.g. cumbria)"
                } else if has_xlsx_extension(&p) {
                    "not a force id (a force workbook is named after its force id, e.g. cumbria.xlsx)"
                } else {
                    "not a force return (expected <force_id>/ or <force_id>.xlsx)"
                };
                skipped.push(Skipped { path: format!("{}/{}", dir.display(), name), reason: reason.into() });
            }
        }
    }
    if found.len() == before {
        return Err(InputError(no_return_in(dir, &skipped[skipped_before..])));
    }
    Ok(())
}

/// Why a folder given as a collection yields no return, naming what it holds.
fn no_return_in(dir: &Path, entries: &[Skipped]) -> String {
    let advice = "a force return is a folder named after its force id holding crimes.csv, victims.csv, suspects.csv and relationships.csv (e.g. cumbria/), or a workbook named after it (e.g. cumbria.xlsx)";
    if entries.is_empty() {
        return format!("{} is empty; {advice}", dir.display());
    }
    let names: Vec<&str> = entries.iter().take(5).map(|s| s.path.rsplit('/').next().unwrap_or(&s.path)).collect();
    let more = if entries.len() > names.len() { format!(" and {} more", entries.len() - names.len()) } else { String::new() };
    format!("{} holds no force return: it has {}{more}, none of them a return; {advice}", dir.display(), names.join(", "))
}

fn has_xlsx_extension(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

fn as_workbook(p: &Path) -> Option<ReturnSource> {
    if !has_xlsx_extension(p) {
        return None;
    }
    let f = force(p.file_stem()?.to_str()?)?;
    Some(ReturnSource { force: f, format: ReturnFormat::Xlsx, path: p.to_path_buf() })
}

fn as_csv_folder(p: &Path) -> Option<ReturnSource> {
    let f = force(p.file_name()?.to_str()?)?;
    Some(ReturnSource { force: f, format: ReturnFormat::Csv, path: p.to_path_buf() })
}

/// A folder is a CSV return (rather than a collection) when it holds any of the four table files.
fn is_csv_return(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else { return false };
    rd.filter_map(Result::ok).any(|e| {
        let n = e.file_name().to_string_lossy().to_ascii_lowercase();
        Table::ALL.iter().any(|t| n == format!("{}.csv", t.name()))
    })
}
