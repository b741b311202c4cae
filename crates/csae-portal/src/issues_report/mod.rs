//! A submission's error report to download (`issues.xlsx`, `issues.csv`): every issue of its
//! validation with its table, row, column, rule, severity, message and how to fix it, and for
//! the force's own users the value submitted.
//!
//! Made from what the upload stored, never by validating again: the validation report (personal
//! values hidden, as analysts read it) and, for the force's own users, the personal values kept
//! beside the upload (`personal-values.json`), so a download costs a read and a write.

mod csv_file;
mod workbook;

use csae_ingest::validate::{Issue, PersonalValue, TableCounts};
use csae_ingest::{Rule, Severity};
use csae_model::{Force, Table};

use crate::access::{Principal, Role};
use crate::error::ApiError;
use crate::files::Layout;
use crate::server::App;
use crate::submissions::Submission;

pub use csv_file::csv;
pub use workbook::xlsx;

/// The marking of both files: row-level feedback on one force's return.
pub const MARKING: &str = "OFFICIAL-SENSITIVE";

/// The two files of the report, as the routes name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "issues.xlsx",
            Format::Csv => "issues.csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// True when a spreadsheet would run `s` as a formula (or a formula's start) if it were typed
/// in: the workbook stores such text with a quote prefix, the CSV with a leading `'`.
pub fn formula_like(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// One rule of the summary: rows it rejected (or, for a warning, accepted rows it warned
/// about, as the submission page counts them) and its lines in the issue list.
#[derive(Debug, Clone)]
pub struct RuleLine {
    pub rule: Rule,
    pub rows: usize,
    pub issues: usize,
}

/// The report of one submission, ready to write as either file.
#[derive(Debug)]
pub struct IssueReport {
    /// The submission (its stored validation left out).
    pub submission: Submission,
    pub force: &'static Force,
    pub tables: Vec<(Table, TableCounts)>,
    pub rules: Vec<RuleLine>,
    /// In the order of the tables, then of the rows in the submitted file.
    pub issues: Vec<Issue>,
    /// Whether the value column is there (and messages show personal values).
    pub with_values: bool,
    /// The day the validation took as its day of ingest: the day of upload.
    pub as_of: chrono::NaiveDate,
}

impl IssueReport {
    /// Reads the submission's stored validation, and for `with_values` the personal values kept
    /// beside it at upload. Blocking: run it off the async threads.
    pub fn make(layout: &Layout, mut submission: Submission, with_values: bool) -> Result<IssueReport, ApiError> {
        let stored = std::mem::take(&mut submission.validation);
        let force = csae_model::force(&submission.force_id).ok_or_else(|| ApiError::internal("find the submission's force"))?;
        let lost = |what: &str| {
            eprintln!("csae serve: cannot read the {what} of submission {}", submission.id);
            ApiError::internal("read the stored validation")
        };
        let mut report: StoredReport = match std::fs::File::open(crate::submissions::report_file(layout, &submission.id)) {
            Ok(f) => serde_json::from_reader(std::io::BufReader::new(f)).map_err(|_| lost("validation report"))?,
            // Submissions made before reports had files keep theirs in the database.
            Err(_) => serde_json::from_str(&stored).map_err(|_| lost("validation report"))?,
        };
        let own = report.forces.remove(&submission.force_id).ok_or_else(|| lost("validation report"))?;
        let personal = if with_values { read_personal(&layout.submission(&submission.id)).map_err(|_| lost("personal values"))? } else { Vec::new() };
        let mut issues: Vec<Issue> = own.issues.into_iter().filter_map(StoredIssue::into_issue).collect();
        for p in personal {
            if let Some(i) = issues.get_mut(p.issue) {
                i.value = Some(p.value.value);
                i.message = p.value.message;
            }
        }
        issues.sort_by_key(|i| (i.table, i.row));
        let tables = Table::ALL.into_iter().map(|t| (t, own.tables.get(t.name()).map(|c| c.counts()).unwrap_or_default())).collect();
        let rules = Rule::ALL
            .into_iter()
            .map(|rule| RuleLine { rule, rows: own.rules.get(rule.code()).or(own.warnings.get(rule.code())).copied().unwrap_or(0), issues: issues.iter().filter(|i| i.rule == rule).count() })
            .filter(|l| l.rows > 0 || l.issues > 0)
            .collect();
        let as_of = crate::util::parse_stamp(&submission.uploaded_at).map_or_else(|| chrono::Utc::now().date_naive(), |t| t.date_naive());
        Ok(IssueReport { submission, force, tables, rules, issues, with_values, as_of })
    }

    /// The national team's copy from a validation just made (its issues taken, personal values
    /// hidden as stored); `with_personal_values` turns it into the force's copy.
    pub fn from_report(submission: Submission, force: &'static Force, fr: &mut csae_ingest::report::ForceReport, as_of: chrono::NaiveDate) -> IssueReport {
        let mut issues = std::mem::take(&mut fr.issues);
        issues.sort_by_key(|i| (i.table, i.row));
        let tables = Table::ALL.into_iter().map(|t| (t, fr.tables.get(&t).copied().unwrap_or_default())).collect();
        let rules = Rule::ALL
            .into_iter()
            .map(|rule| RuleLine { rule, rows: fr.rules.get(&rule).or(fr.warnings.get(&rule)).copied().unwrap_or(0), issues: issues.iter().filter(|i| i.rule == rule).count() })
            .filter(|l| l.rows > 0 || l.issues > 0)
            .collect();
        IssueReport { submission, force, tables, rules, issues, with_values: false, as_of }
    }

    /// The force's copy: the hidden personal values put back.
    pub fn with_personal_values(mut self) -> IssueReport {
        for i in &mut self.issues {
            if let Some(p) = i.personal.take() {
                i.value = Some(p.value);
                i.message = p.message;
            }
        }
        self.with_values = true;
        self
    }

    /// Issues of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.issues.iter().filter(|i| i.severity == severity).count()
    }

    /// The name the download is saved under, e.g. `cumbria-2023-<id>-issues.xlsx`.
    pub fn file_name(&self, f: Format) -> String {
        format!("{}-{}-{}-{}", self.submission.force_id, self.submission.period, self.submission.id, f.name())
    }
}

/// A severity as both files write it.
pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The name of a stored copy of the report beside the upload: the force's (values) or the
/// national team's.
fn stored_name(format: Format, with_values: bool) -> &'static str {
    match (format, with_values) {
        (Format::Xlsx, true) => "issues-force.xlsx",
        (Format::Csv, true) => "issues-force.csv",
        (Format::Xlsx, false) => "issues-national.xlsx",
        (Format::Csv, false) => "issues-national.csv",
    }
}

/// Writes both copies of the report, in both formats, into the upload's staging folder, so a
/// download is a read of a finished file. `tmp` holds the workbook writer's temporary files.
pub fn store_files(stage: &std::path::Path, tmp: &std::path::Path, report: IssueReport) -> std::io::Result<()> {
    let write = |r: &IssueReport| -> std::io::Result<()> {
        let book = xlsx(r, tmp).map_err(std::io::Error::other)?;
        crate::files::write_durable(&stage.join(stored_name(Format::Xlsx, r.with_values)), &book)?;
        crate::files::write_durable(&stage.join(stored_name(Format::Csv, r.with_values)), &csv(r))
    };
    write(&report)?;
    write(&report.with_personal_values())
}

/// The file beside a submission's upload holding the personal values its stored validation
/// hides: read only for the error report of the force's own users.
pub const PERSONAL_FILE: &str = "personal-values.json";

/// A hidden personal value of the stored validation: the issue's place in it, and the value.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredPersonal {
    issue: usize,
    #[serde(flatten)]
    value: PersonalValue,
}

/// Writes the personal values the validation hides into the upload's staging folder (no file
/// when there are none).
pub fn store_personal(stage: &std::path::Path, issues: &[Issue]) -> std::io::Result<()> {
    let kept: Vec<StoredPersonal> = issues.iter().enumerate().filter_map(|(k, i)| i.personal.as_ref().map(|p| StoredPersonal { issue: k, value: (**p).clone() })).collect();
    if kept.is_empty() {
        return Ok(());
    }
    crate::files::write_durable(&stage.join(PERSONAL_FILE), &serde_json::to_vec(&kept).map_err(std::io::Error::other)?)
}

fn read_personal(dir: &std::path::Path) -> std::io::Result<Vec<StoredPersonal>> {
    match std::fs::read(dir.join(PERSONAL_FILE)) {
        Ok(b) => serde_json::from_slice(&b).map_err(std::io::Error::other),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The stored validation (`csae.validation/1`) as the error report reads it.
#[derive(serde::Deserialize)]
struct StoredReport {
    forces: std::collections::BTreeMap<String, StoredForce>,
}

#[derive(serde::Deserialize)]
struct StoredForce {
    #[serde(default)]
    tables: std::collections::BTreeMap<String, StoredCounts>,
    #[serde(default)]
    rules: std::collections::BTreeMap<String, usize>,
    #[serde(default)]
    warnings: std::collections::BTreeMap<String, usize>,
    #[serde(default)]
    issues: Vec<StoredIssue>,
}

#[derive(serde::Deserialize)]
struct StoredCounts {
    read: usize,
    accepted: usize,
    rejected: usize,
    warnings: usize,
}

impl StoredCounts {
    fn counts(&self) -> TableCounts {
        TableCounts { read: self.read, accepted: self.accepted, rejected: self.rejected, warnings: self.warnings }
    }
}

#[derive(serde::Deserialize)]
struct StoredIssue {
    rule: String,
    table: String,
    row: u32,
    column: Option<String>,
    value: Option<String>,
    message: String,
}

impl StoredIssue {
    /// The issue as the validator made it (its column named by the standard's own name).
    fn into_issue(self) -> Option<Issue> {
        let rule = Rule::from_code(&self.rule)?;
        let table = Table::from_name(&self.table)?;
        let column = self.column.as_deref().map(|c| table.columns().iter().find(|col| col.name == c).map(|col| col.name)).unwrap_or(None);
        Some(Issue { rule, severity: rule.severity(), table, row: self.row, column, value: self.value, message: self.message, personal: None })
    }
}

/// A download made in memory: the file's bytes as an attachment.
pub fn attachment(bytes: Vec<u8>, format: Format, file_name: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse as _;
    ([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\""))], bytes).into_response()
}

/// A finished report file and the name to save it under.
pub struct Made {
    pub bytes: Vec<u8>,
    pub file_name: String,
}

impl App {
    /// A submission's error report in `format`: whoever may view the submission may download
    /// it (another force's is a 404); values only for the users of its force. Audited as a
    /// download, with counts only.
    pub async fn issues_report(&self, p: &Principal, ip: &str, id: &str, format: Format) -> Result<Made, ApiError> {
        let r: Result<(Made, String, String), ApiError> = async {
            p.require(crate::ops::FORCE_DATA)?;
            let s = self.visible_submission(p, id).await?;
            let force_id = s.force_id.clone();
            let with_values = p.roles.iter().any(|r| r.is_force_role()) && !p.has(Role::Analyst) && p.own_force() == Some(force_id.as_str());
            let file_name = format!("{}-{}-{}-{}", s.force_id, s.period, s.id, format.name());
            // Made at upload: the download reads it (submissions from before make it now).
            if let Ok(bytes) = tokio::fs::read(self.layout.submission(&s.id).join(stored_name(format, with_values))).await {
                let detail = format!("submission {id} {}: values {}", format.name(), if with_values { "included" } else { "left out" });
                return Ok((Made { bytes, file_name }, force_id, detail));
            }
            let (layout, tmp) = (self.layout.clone(), self.layout.tmp());
            let made = tokio::task::spawn_blocking(move || -> Result<(Made, usize), ApiError> {
                    let report = IssueReport::make(&layout, s, with_values)?;
                    let bytes = match format {
                        Format::Xlsx => xlsx(&report, &tmp).map_err(|e| {
                            eprintln!("csae serve: cannot write an error report workbook ({e})");
                            ApiError::internal("write the error report")
                        })?,
                        Format::Csv => csv(&report),
                    };
                    Ok((Made { bytes, file_name: report.file_name(format) }, report.issues.len()))
                })
                .await
                .map_err(|_| ApiError::internal("make the error report"))??;
            let detail = format!("submission {id} {}: {} issues, values {}", format.name(), made.1, if with_values { "included" } else { "left out" });
            Ok((made.0, force_id, detail))
        }
        .await;
        match &r {
            Ok((_, force, detail)) => self.audit_result::<()>(p, ip, "download", Some(force), Some(id), &Ok(()), detail).await,
            Err(_) => self.audit_result(p, ip, "download", None, Some(id), &r, "").await,
        }
        r.map(|(made, _, _)| made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_what_a_spreadsheet_would_run() {
        for s in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=", "-"] {
            assert!(formula_like(s), "{s:?}");
        }
        for s in ["", "1", "x=1", " =1", "CR1", "'=1", "2023-01-31", "a-b", "\u{ff1d}1"] {
            assert!(!formula_like(s), "{s:?}");
        }
    }
}
