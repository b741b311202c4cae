//! Finding the returns named on the command line: a force folder of CSVs, a force `.xlsx`, or a
//! collection folder holding up to 44 of them. Entries of a collection that are not a force
//! return are listed as skipped, never silently read or dropped. A collection folder named
//! after a year (`2023/cumbria/`, `2023/cumbria.xlsx`) declares its returns' period.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
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
    /// The year its collection folder is named after, which declares its period.
    pub year: Option<i32>,
}

impl ReturnSource {
    /// The period the collection folder's name declares: its calendar year.
    pub fn year_period(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.year.map(calendar_year)
    }

    /// The return's name in a validation report: its force id, or `<year>/<force>` when a year
    /// folder declares it (several years of one force can be given at once).
    pub fn report_key(&self) -> String {
        match self.year {
            Some(y) => format!("{y}/{}", self.force.id),
            None => self.force.id.clone(),
        }
    }

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
            let year = year_of_parent(path)?;
            found.push(as_workbook(path, year).ok_or_else(|| {
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
            let year = year_of_parent(path)?;
            found.push(as_csv_folder(path, year).ok_or_else(|| {
                InputError(format!(
                    "{} holds a return but is not named after a force id; rename the folder to the force id, e.g. cumbria",
                    path.display()
                ))
            })?);
        } else {
            read_collection(path, &mut found, &mut skipped)?;
        }
    }
    found.sort_by(|a, b| (&a.force.id, a.year).cmp(&(&b.force.id, b.year)));
    // One force may be given once per declared year; otherwise its returns would overlap.
    // Sorted by year with no year first, so a pair without a year comes first in its force.
    if let Some(w) = found.windows(2).find(|w| w[0].force.id == w[1].force.id && (w[0].year.is_none() || w[0].year == w[1].year)) {
        let advice = match (w[0].year, w[1].year) {
            (Some(_), _) => "give one return per force and year",
            (None, Some(_)) => "one is in a year folder and one is not, so their periods may overlap; put both in folders named after their years",
            (None, None) => "give one return per force (or put each year's returns in a folder named after the year, e.g. 2023/)",
        };
        return Err(InputError(format!("two returns for force {}: {} and {}; {advice}", w[0].force.id, w[0].path.display(), w[1].path.display())));
    }
    Ok((found, skipped))
}

/// Checks `--period` against the periods year folders declare: a return is declared once.
pub fn check_declared(sources: &[ReturnSource], period: Option<(NaiveDate, NaiveDate)>) -> Result<(), InputError> {
    let Some((from, to)) = period else { return Ok(()) };
    match sources.iter().find(|s| s.year_period().is_some_and(|p| p != (from, to))) {
        Some(s) => Err(InputError(format!(
            "{} is in a folder named {}, which declares its period, but --period says {from}..{to}; leave out --period, or give returns that are not in a year folder",
            s.path.display(),
            s.year.unwrap_or_default()
        ))),
        None => Ok(()),
    }
}

fn calendar_year(y: i32) -> (NaiveDate, NaiveDate) {
    (NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January"), NaiveDate::from_ymd_opt(y, 12, 31).expect("31 December"))
}

/// The year a folder's name declares: four digits from 1900 to 2100. A name that looks like a
/// year but is not one (`2O23`, `0023`) is refused rather than read as an undeclared collection.
fn year_of(dir: &Path) -> Result<Option<i32>, InputError> {
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else { return Ok(None) };
    let digits = name.chars().filter(char::is_ascii_digit).count();
    if name.chars().count() != 4 || digits < 3 || !name.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(None);
    }
    match name.parse::<i32>() {
        Ok(y) if (1900..=2100).contains(&y) => Ok(Some(y)),
        _ => Err(InputError(format!(
            "{} is named like a year but {name:?} is not one (four digits from 1900 to 2100); rename the folder to the year its returns cover, e.g. 2023",
            dir.display()
        ))),
    }
}

/// The year declared by the folder holding a return given on its own.
fn year_of_parent(path: &Path) -> Result<Option<i32>, InputError> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => year_of(parent),
        // A bare name is in the working folder, whose own name declares nothing.
        None => Ok(None),
    }
}

fn read_collection(dir: &Path, found: &mut Vec<ReturnSource>, skipped: &mut Vec<Skipped>) -> Result<(), InputError> {
    let rd = std::fs::read_dir(dir).map_err(|e| {
        InputError(format!("{} cannot be read ({}); check the folder exists and is readable", dir.display(), crate::read::io_reason(&e)))
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    let year = year_of(dir)?;
    let before = found.len();
    let skipped_before = skipped.len();
    for p in entries {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let is_dir = p.is_dir();
        let source = if is_dir { as_csv_folder(&p, year) } else { as_workbook(&p, year) };
        match source {
            Some(s) => found.push(s),
            None => {
                let reason = if is_dir && matches!(year_of(&p), Ok(Some(_))) {
                    "a year's collection (give each year's folder on the command line, e.g. csae ingest series/2022 series/2023)"
                } else if is_dir {
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

fn as_workbook(p: &Path, year: Option<i32>) -> Option<ReturnSource> {
    if !has_xlsx_extension(p) {
        return None;
    }
    let f = force(p.file_stem()?.to_str()?)?;
    Some(ReturnSource { force: f, format: ReturnFormat::Xlsx, path: p.to_path_buf(), year })
}

fn as_csv_folder(p: &Path, year: Option<i32>) -> Option<ReturnSource> {
    let f = force(p.file_name()?.to_str()?)?;
    Some(ReturnSource { force: f, format: ReturnFormat::Csv, path: p.to_path_buf(), year })
}

/// A folder is a CSV return (rather than a collection) when it holds any of the four table files.
fn is_csv_return(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else { return false };
    rd.filter_map(Result::ok).any(|e| {
        let n = e.file_name().to_string_lossy().to_ascii_lowercase();
        Table::ALL.iter().any(|t| n == format!("{}.csv", t.name()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_declares_a_year_only_by_a_real_year_and_refuses_a_near_miss() {
        let y = |n: &str| year_of(Path::new("/x").join(n).as_path());
        assert_eq!(y("2023"), Ok(Some(2023)));
        assert_eq!(y("1900"), Ok(Some(1900)));
        for not_a_year in ["returns", "tiny", "12ab", "v2.3", "20231", ".tmpA12"] {
            assert_eq!(y(not_a_year), Ok(None), "{not_a_year}");
        }
        for near_miss in ["2O23", "0023", "9999", "202l"] {
            assert!(y(near_miss).unwrap_err().0.contains("is named like a year"), "{near_miss}");
        }
    }
}
