//! `csae report DATASET --out DIR [--disclosure internal] [--period FROM..TO] ...`.

use std::process::ExitCode;

use csae_analysis::{Analysis, Options};

use crate::cli::{AnalysisArgs, Disclosure, Ethnicity, ReportArgs};
use crate::error::{CliError, CliResult};

pub fn options(a: &AnalysisArgs) -> Options {
    Options { period: a.period, min_suspects: a.min_suspects, officer_fallback: a.ethnicity == Ethnicity::OfficerFallback }
}

pub fn run(a: ReportArgs) -> CliResult {
    if a.disclosure == Disclosure::Public {
        return Err(CliError::unusable(
            "public disclosure control is not built yet, so nothing may be published; run with --disclosure internal for the exact OFFICIAL-SENSITIVE tables (national analysts only)",
        ));
    }
    let pb = crate::progress::spinner("analysing the dataset");
    let result = Analysis::open(&a.dataset, &options(&a.analysis)).and_then(|an| Ok((an.headline()?, an.tables()?)));
    pb.finish_and_clear();
    let (headline, tables) = result.map_err(CliError::unusable)?;
    csae_publish::write(&a.out, &headline, &tables, csae_publish::Mode::Internal)
        .map_err(|e| CliError::unusable(format!("cannot write the publication to {} ({e})", a.out.display())))?;
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.1}%", 100.0 * v));
    println!(
        "{} to {}: {} CSAE crimes, {} group-based ({}); familial {} of group-based; {} networks",
        headline.period.from, headline.period.to, headline.csae_crimes, headline.group_based_crimes, pct(headline.group_based_share), pct(headline.familial_share), headline.networks.count
    );
    println!("publication (internal, OFFICIAL-SENSITIVE): {} ({} tables)", a.out.display(), tables.len());
    Ok(ExitCode::SUCCESS)
}
