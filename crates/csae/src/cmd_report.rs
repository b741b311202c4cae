//! `csae report DATASET --out DIR [--disclosure internal] [--period FROM..TO] ...`.

use std::process::ExitCode;

use csae_analysis::{Analysis, Headline, Options};

use crate::cli::{AnalysisArgs, Disclosure, Ethnicity, ReportArgs};
use crate::error::{CliError, CliResult};

pub fn options(a: &AnalysisArgs) -> Options {
    Options { period: a.period, min_suspects: a.min_suspects, officer_fallback: a.ethnicity == Ethnicity::OfficerFallback }
}

/// Disclosure control for a public publication: withholds cells in `tables` (refusing, exit
/// 1, when the audit fails) and returns the public headline and how many cells were withheld.
pub fn protect(headline: &Headline, tables: &mut [csae_analysis::Table], min_cell: u32) -> Result<(serde_json::Value, usize), CliError> {
    let report = csae_analysis::disclosure::protect_tables(tables, min_cell).map_err(|e| CliError { message: e.0, exit_code: 1 })?;
    let cells = report.iter().map(|s| s.primary + s.secondary).sum();
    Ok((csae_analysis::disclosure::public_headline(headline, tables, min_cell), cells))
}

pub fn run(a: ReportArgs) -> CliResult {
    let pb = crate::progress::spinner("analysing the dataset");
    let result = Analysis::open(&a.dataset, &options(&a.analysis)).and_then(|an| Ok((an.headline()?, an.tables()?)));
    pb.finish_and_clear();
    let (headline, mut tables) = result.map_err(CliError::unusable)?;
    let (mode, json) = match a.disclosure {
        Disclosure::Internal => (csae_publish::Mode::Internal, serde_json::to_value(&headline).expect("headline serialises")),
        Disclosure::Public => {
            if a.min_cell < 2 {
                return Err(CliError::unusable(format!("--min-cell {} would publish single counts; give 2 or more (default 5)", a.min_cell)));
            }
            let (json, cells) = protect(&headline, &mut tables, a.min_cell)?;
            println!("disclosure control: {cells} cells withheld (min cell {})", a.min_cell);
            (csae_publish::Mode::Public, json)
        }
    };
    csae_publish::write(&a.out, &json, &tables, mode)
        .map_err(|e| CliError::unusable(format!("cannot write the publication to {} ({e})", a.out.display())))?;
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", 100.0 * v));
    println!(
        "{} to {}: {} CSAE crimes, {} group-based ({}); familial {} of group-based; {} networks",
        headline.period.from, headline.period.to, headline.csae_crimes, headline.group_based_crimes, pct(headline.group_based_share), pct(headline.familial_share), headline.networks.count
    );
    println!("publication ({}): {} ({} tables)", mode.marking(), a.out.display(), tables.len());
    Ok(ExitCode::SUCCESS)
}
