//! The validation report: `csae.validation/1` JSON (for `validate --json` and the portal) and
//! the readable terminal summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use csae_model::Table;
use serde::Serialize;

use crate::read::ReturnRejected;
use crate::rules::{Rule, Severity};
use crate::source::{ReturnSource, Skipped};
use crate::validate::{Issue, TableCounts, Validated};

pub const VALIDATION_SCHEMA: &str = "csae.validation/1";

#[derive(Debug, Clone, Serialize, Default)]
pub struct ForceReport {
    pub source: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rejected_whole: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub tables: BTreeMap<Table, TableCounts>,
    pub rules: BTreeMap<Rule, usize>,
    pub warnings: BTreeMap<Rule, usize>,
    pub issues: Vec<Issue>,
    /// Things the submitter should know that are not rule breaches (unknown extra columns).
    pub notices: Vec<String>,
    /// The checks against the force's previous period (`validate --history`, the portal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::History>,
}

/// Unknown columns listed by name per table; more are counted in one further notice.
const NOTICES_PER_TABLE: usize = 10;

impl ForceReport {
    /// The report of a validated return, taking its issues.
    pub fn from_validated(v: Validated) -> ForceReport {
        let notices = v.raw.tables.iter().flat_map(|t| unknown_columns(&t.file, &t.extra_columns)).collect();
        ForceReport {
            source: v.raw.source.clone(),
            rejected_whole: false,
            reason: None,
            tables: Table::ALL.into_iter().map(|t| (t, v.counts(t))).collect(),
            rules: v.rule_counts(Severity::Error),
            warnings: v.rule_counts(Severity::Warning),
            issues: v.issues,
            notices,
            history: None,
        }
    }

    pub fn from_rejected(src: &ReturnSource, why: &ReturnRejected) -> ForceReport {
        ForceReport {
            source: format!("{} ({})", src.display_name(), match src.format {
                crate::source::ReturnFormat::Csv => "csv",
                crate::source::ReturnFormat::Xlsx => "xlsx",
            }),
            rejected_whole: true,
            reason: Some(format!("{} (F01)", why.message)),
            rules: BTreeMap::from([(Rule::F01, 1)]),
            ..ForceReport::default()
        }
    }

    pub fn rows_rejected(&self) -> usize {
        self.tables.values().map(|c| c.rejected).sum()
    }
}

/// The notices for a table's unknown columns: the first few by name (capped and escaped), then
/// how many more.
fn unknown_columns(file: &str, names: &[String]) -> Vec<String> {
    let mut out: Vec<String> =
        names.iter().take(NOTICES_PER_TABLE).map(|c| format!("{file}: unknown column {} is ignored", csae_model::text::escape_controls(&csae_model::text::capped(c)))).collect();
    if names.len() > NOTICES_PER_TABLE {
        out.push(format!("{file}: {} more unknown columns are ignored", names.len() - NOTICES_PER_TABLE));
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct ValidationReport {
    pub schema: &'static str,
    pub forces: BTreeMap<String, ForceReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
}

impl ValidationReport {
    pub fn new(skipped: Vec<Skipped>) -> Self {
        ValidationReport { schema: VALIDATION_SCHEMA, forces: BTreeMap::new(), skipped }
    }

    /// True when any row or whole return was rejected.
    pub fn has_rejections(&self) -> bool {
        self.forces.values().any(|f| f.rejected_whole || f.rows_rejected() > 0)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises")
    }

    /// Writes the report (pretty JSON) to `path` atomically, serialising it into the file.
    pub fn write_json(&self, path: &std::path::Path) -> std::io::Result<()> {
        csae_dataset::store::write_atomic_with(path, |w| serde_json::to_writer_pretty(w, self).map_err(std::io::Error::other))
    }

    /// A readable summary per force and rule, with the first few issues of each rule.
    pub fn summary(&self, issues_per_rule: usize) -> String {
        let mut out = String::new();
        out.push_str(&skipped_lines(&self.skipped));
        for (force, f) in &self.forces {
            let _ = writeln!(out, "{force}  {}", f.source);
            if let Some(reason) = &f.reason {
                let _ = writeln!(out, "  REJECTED WHOLE: {reason}");
                continue;
            }
            for (t, c) in &f.tables {
                let _ = writeln!(
                    out,
                    "  {:<14} read {:>7}  accepted {:>7}  rejected {:>6}  with warnings {:>6}",
                    t.name(), c.read, c.accepted, c.rejected, c.warnings
                );
            }
            for (label, counts) in [("rejected rows", &f.rules), ("warnings", &f.warnings)] {
                for (rule, n) in counts {
                    let _ = writeln!(out, "  {label:<13} {rule} {n:>6}  {}", rule.description());
                    let _ = writeln!(out, "      fix: {}", rule.how_to_fix());
                    let mut shown = f.issues.iter().filter(|i| i.rule == *rule);
                    for i in shown.by_ref().take(issues_per_rule) {
                        let _ = writeln!(out, "      {}", i.message);
                    }
                    let more = shown.count();
                    if more > 0 {
                        let _ = writeln!(out, "      … and {more} more (see the full report with --json FILE)");
                    }
                }
            }
            for n in &f.notices {
                let _ = writeln!(out, "  note: {n}");
            }
            out.push_str(&history_lines(f.history.as_ref()));
        }
        let whole = self.forces.values().filter(|f| f.rejected_whole).count();
        let with_rows = self.forces.values().filter(|f| f.rows_rejected() > 0).count();
        let (read, rejected) = self.forces.values().flat_map(|f| f.tables.values()).fold((0, 0), |a, c| (a.0 + c.read, a.1 + c.rejected));
        let _ = writeln!(
            out,
            "{} return(s): {read} rows read, {rejected} rejected; {with_rows} return(s) with rejected rows, {whole} rejected whole",
            self.forces.len()
        );
        out
    }
}

/// The lines of a summary showing a return's history queries, if it was checked.
fn history_lines(h: Option<&crate::history::History>) -> String {
    let mut out = String::new();
    match h {
        None => {}
        Some(h) if !h.compared => {
            let _ = writeln!(out, "  history: the dataset has no return of this force for {}; nothing compared", h.previous_period);
        }
        Some(h) if h.queries.is_empty() => {
            let _ = writeln!(out, "  history: no queries against {}", h.previous_period);
        }
        Some(h) => {
            let _ = writeln!(out, "  history: {} quer{} against {} (not rejections: check, then confirm or correct)", h.queries.len(), if h.queries.len() == 1 { "y" } else { "ies" }, h.previous_period);
            for q in &h.queries {
                let _ = writeln!(out, "    {}  {}", q.rule, q.message);
            }
        }
    }
    out
}

/// Collection entries shown by name in a summary; more are counted.
const SKIPPED_SHOWN: usize = 20;

/// The lines of a summary listing skipped collection entries: the first [`SKIPPED_SHOWN`], then
/// how many more.
pub fn skipped_lines(skipped: &[Skipped]) -> String {
    let mut out = String::new();
    for s in skipped.iter().take(SKIPPED_SHOWN) {
        let _ = writeln!(out, "skipped {}: {}", s.path, s.reason);
    }
    if skipped.len() > SKIPPED_SHOWN {
        let _ = writeln!(out, "skipped {} more entries that are not force returns", skipped.len() - SKIPPED_SHOWN);
    }
    out
}

/// Reads and validates every return (in parallel) into one report.
pub fn validate_returns(sources: &[ReturnSource], skipped: Vec<Skipped>, opts: &crate::ValidateOptions) -> ValidationReport {
    let reports: Vec<ForceReport> = crate::largest_first(sources, ReturnSource::bytes, |src| match crate::read_return(src) {
        Ok(raw) => ForceReport::from_validated(crate::validate(&raw, &crate::ValidateOptions { period: opts.period.or(src.year_period()), ..*opts })),
        Err(e) => ForceReport::from_rejected(src, &e),
    });
    let mut report = ValidationReport::new(skipped);
    for (src, r) in sources.iter().zip(reports) {
        report.forces.insert(src.report_key(), r);
    }
    report
}
