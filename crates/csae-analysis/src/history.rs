//! The history checks of returns (`series.md`, H01–H05; thresholds in `csae_ingest::history`)
//! with both periods' figures computed by the same definitions: the returns' accepted rows are
//! ingested into a throwaway dataset under a throwaway key and read like any other.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use csae_ingest::history::{self, Figures, History};
use csae_ingest::ingest::{IngestOptions, ingest, parse_period, period_text};
use csae_ingest::pseudonym::Key;
use csae_ingest::report::ValidationReport;
use csae_ingest::source::ReturnSource;

use crate::{Analysis, AnalysisError, Options};

impl Analysis {
    /// Every force's history figures for this analysis's period (ethnicity: self-defined, as
    /// the checks are defined, whatever the analysis's own option).
    pub fn history_figures(&self) -> Result<BTreeMap<String, Figures>, AnalysisError> {
        let mut results = self
            .collect_all(vec![
                "SELECT force_id, CAST(date_trunc('month', recorded_date) AS DATE), CASE WHEN group_based THEN 'Y' ELSE 'N' END, count(*) FROM csae_crimes GROUP BY 1, 2, 3".into(),
                "SELECT force_id, count(*) FROM group_crimes WHERE category_source = 'RECORDED' GROUP BY 1".into(),
                "SELECT p.force_id, CASE WHEN e.grp IS NULL THEN 'N' ELSE 'Y' END, count(*) FROM suspects p \
                 JOIN group_crimes g ON g.crime_key = p.crime_key \
                 LEFT JOIN code_lists e ON e.list = 'ethnicity' AND e.code = p.ethnicity GROUP BY 1, 2".into(),
            ])?
            .into_iter();
        let mut next = || results.next().unwrap_or_default();
        let (from, to) = (self.params.from, self.params.to);
        let mut out: BTreeMap<String, Figures> = BTreeMap::new();
        fn of<'a>(out: &'a mut BTreeMap<String, Figures>, force: &str, from: NaiveDate, to: NaiveDate) -> &'a mut Figures {
            out.entry(force.to_string()).or_insert_with(|| Figures::empty(from, to))
        }
        for (k, n) in crate::rows_n(&next(), 3) {
            let month = k[1].parse::<NaiveDate>().map_err(|e| AnalysisError::Query(format!("a month {} that is not a date ({e})", k[1])))?;
            of(&mut out, &k[0], from, to).add_crimes(month, k[2] == "Y", n);
        }
        for (k, n) in crate::rows_n(&next(), 1) {
            of(&mut out, &k[0], from, to).with_recorded_category += n;
        }
        for (k, n) in crate::rows_n(&next(), 2) {
            let f = of(&mut out, &k[0], from, to);
            f.suspect_records += n;
            if k[1] == "Y" {
                f.suspect_records_with_ethnicity += n;
            }
        }
        Ok(out)
    }
}

/// The figures of every force in `dataset` for `from..=to`, by the definitions with the
/// default minimum group size.
fn figures(dataset: &Path, from: NaiveDate, to: NaiveDate) -> Result<BTreeMap<String, Figures>, AnalysisError> {
    let opts = Options { period: Some((from, to)), ..Options::default() };
    Analysis::open_figures(dataset, &opts)?.history_figures()
}

/// True when `dataset` holds a return of `force` whose period overlaps `from..=to`.
fn has_return(manifest: &csae_dataset::Manifest, force: &str, from: NaiveDate, to: NaiveDate) -> bool {
    manifest.returns.iter().any(|r| r.force_id == force && parse_period(&r.period).is_some_and(|(a, b)| a <= to && from <= b))
}

/// Checks each return's accepted rows against its force's previous period in `history` (a
/// dataset) and writes the result into the return's entry of `report` (under `history`).
/// Returns rejected whole are not checked. The throwaway dataset (whose quarantine holds the
/// rejected rows as submitted) is made in `scratch`, or the system's temporary folder, and
/// removed at the end.
pub fn check_returns(sources: &[ReturnSource], period: Option<(NaiveDate, NaiveDate)>, history: &Path, today: NaiveDate, scratch: Option<&Path>, report: &mut ValidationReport) -> Result<(), AnalysisError> {
    let manifest = csae_dataset::read_manifest(history).map_err(|e| AnalysisError::Dataset(e.0))?;
    let scratch = scratch.map_or_else(tempfile::tempdir, tempfile::tempdir_in).map_err(|e| AnalysisError::Dataset(format!("cannot make a temporary folder for the history checks ({e}); check the temporary folder has space")))?;
    let key = Key::generate().and_then(|k| Key::from_bytes(k.as_bytes())).map_err(|e| AnalysisError::Dataset(e.0))?;
    let opts = IngestOptions { today, period, now: String::new() };
    let current = scratch.path().join("returns");
    let outcome = ingest(sources, Vec::new(), &current, &key, &opts).map_err(|e| AnalysisError::Dataset(e.to_string()))?;
    let mut periods: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (force, p) in &outcome.written {
        periods.entry(p.clone()).or_default().push(force.clone());
    }
    for (p, forces) in periods {
        let (from, to) = parse_period(&p).ok_or_else(|| AnalysisError::Dataset(format!("a return period {p} that is not FROM..TO")))?;
        let (pfrom, pto) = history::previous_period(from, to);
        let now = figures(&current, from, to)?;
        let compared: Vec<&String> = forces.iter().filter(|f| has_return(&manifest, f, pfrom, pto)).collect();
        let before = if compared.is_empty() { BTreeMap::new() } else { figures(history, pfrom, pto)? };
        for force in &forces {
            let Some(key) = report_key(sources, period, force, &p) else { continue };
            let Some(entry) = report.forces.get_mut(&key) else { continue };
            let previous_period = period_text((pfrom, pto));
            entry.history = Some(if compared.contains(&force) {
                let empty = |a, b| Figures::empty(a, b);
                let was = before.get(force).cloned().unwrap_or_else(|| empty(pfrom, pto));
                let is = now.get(force).cloned().unwrap_or_else(|| empty(from, to));
                History { previous_period, compared: true, queries: history::queries(&was, &is) }
            } else {
                History { previous_period, compared: false, queries: Vec::new() }
            });
        }
    }
    Ok(())
}

/// The report key of the return of `force` written for `period`: the source of that force
/// whose declared period (given, or its collection year) is that period, or its only source.
fn report_key(sources: &[ReturnSource], period: Option<(NaiveDate, NaiveDate)>, force: &str, written: &str) -> Option<String> {
    let of_force: Vec<&ReturnSource> = sources.iter().filter(|s| s.force.id == force).collect();
    of_force
        .iter()
        .find(|s| period.or(s.year_period()).is_some_and(|d| period_text(d) == written))
        .or_else(|| (of_force.len() == 1).then(|| &of_force[0]))
        .map(|s| s.report_key())
}
