//! `csae report DATASET --out DIR [--disclosure internal] [--period FROM..TO] ...`.

use std::process::ExitCode;

use csae_analysis::Options;
use csae_publish::{Mode, PublishError, PublishOptions, ReleaseOptions, publish};

use crate::cli::{AnalysisArgs, Disclosure, Ethnicity, ReportArgs};
use crate::error::{CliError, CliResult};

pub fn options(a: &AnalysisArgs) -> Options {
    Options { period: a.period, min_suspects: a.min_suspects, officer_fallback: a.ethnicity == Ethnicity::OfficerFallback, ..Options::default() }
}

/// A publication error as the command line reports it: a refused audit is exit 1 (the data
/// was processed, the user must act), anything else exit 2.
pub fn publish_error(e: PublishError) -> CliError {
    match e {
        PublishError::AuditFailed(m) | PublishError::Empty(m) => CliError { message: m, exit_code: 1 },
        PublishError::Unusable(m) => CliError::unusable(m),
    }
}

/// Reads `--population FILE`; a file that cannot be read or is malformed is refused (exit 2).
fn read_population(path: &std::path::Path) -> Result<csae_model::Population, CliError> {
    use std::io::Read;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| CliError::unusable(format!("cannot read the population file {name} ({e}); give an existing CSV file to --population")))?;
    let mut bytes = Vec::new();
    // One byte more than the largest accepted file, so an oversized one is refused unread.
    file.take(csae_model::population::MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| CliError::unusable(format!("cannot read the population file {name} ({e}); give a readable CSV file to --population")))?;
    csae_model::Population::parse(&name, &bytes).map_err(CliError::unusable)
}

pub fn run(a: ReportArgs) -> CliResult {
    let mode = match a.disclosure {
        Disclosure::Internal => Mode::Internal,
        Disclosure::Public => Mode::Public,
    };
    let population = match &a.population {
        Some(path) => read_population(path)?,
        None => csae_model::Population::census_2011().clone(),
    };
    let pb = crate::progress::spinner("analysing the dataset and writing the publication");
    let release = ReleaseOptions { next_release: a.next_release, status: a.status.clone(), contact: a.contact.clone() };
    let result = publish(&a.dataset, &a.out, &PublishOptions { analysis: options(&a.analysis), mode, min_cell: a.min_cell, allow_empty: a.allow_empty, release, series_years: a.series_years, previous: a.previous.clone(), population });
    pb.finish_and_clear();
    let p = result.map_err(publish_error)?;
    let h = &p.headline;
    if mode == Mode::Public {
        say!("disclosure control: {} cells withheld (min cell {})", p.withheld, a.min_cell);
    }
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", 100.0 * v));
    say!(
        "{} to {}: {} CSAE crimes, {} group-based ({}); familial {} of group-based; {} networks",
        h.period.from, h.period.to, h.csae_crimes, h.group_based_crimes, pct(h.group_based_share), pct(h.familial_share), h.networks.count
    );
    if let Some(s) = &h.series {
        let years = s.years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        say!("series: {years}; change on the year before: {}", h.change.as_ref().and_then(|c| c.group_based_change_share).map_or("n/a".to_string(), |x| format!("{:+.1}%", 100.0 * x)));
    }
    say!("publication ({}): {} ({} tables)", mode.marking(), a.out.join("report.html").display(), p.tables);
    Ok(ExitCode::SUCCESS)
}
