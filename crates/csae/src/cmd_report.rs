//! `csae report DATASET --out DIR [--disclosure internal] [--period FROM..TO] ...`.

use std::process::ExitCode;

use csae_analysis::{Analysis, Options};

use crate::cli::{AnalysisArgs, Disclosure, Ethnicity, ReportArgs};
use crate::error::{CliError, CliResult};

pub fn options(a: &AnalysisArgs) -> Options {
    Options { period: a.period, min_suspects: a.min_suspects, officer_fallback: a.ethnicity == Ethnicity::OfficerFallback }
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
            match csae_analysis::disclosure::protect_tables(&mut tables, a.min_cell) {
                Ok(report) => {
                    let cells: usize = report.iter().map(|s| s.primary + s.secondary).sum();
                    println!("disclosure control: {cells} cells withheld across {} tables (min cell {})", report.len(), a.min_cell);
                }
                Err(e) => return Err(CliError { message: e.0, exit_code: 1 }),
            }
            (csae_publish::Mode::Public, csae_analysis::disclosure::public_headline(&headline, &tables, a.min_cell))
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
