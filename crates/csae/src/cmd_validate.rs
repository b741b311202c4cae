//! `csae validate RETURN... [--json FILE] [--history DATASET]`.

use std::process::ExitCode;

use csae_ingest::report::validate_returns;
use csae_ingest::{ValidateOptions, find_returns};

use crate::cli::ValidateArgs;
use crate::error::{CliError, CliResult};

pub fn run(a: ValidateArgs) -> CliResult {
    if let Some(path) = &a.json {
        crate::error::check_writable(path, "--json")?;
    }
    let (sources, skipped) = find_returns(&a.returns).map_err(CliError::unusable)?;
    csae_ingest::check_declared(&sources, a.period).map_err(CliError::unusable)?;
    let pb = crate::progress::spinner(format!("validating {} return(s)", sources.len()));
    let opts = ValidateOptions { today: chrono::Local::now().date_naive(), show_personal: a.show_personal, period: a.period };
    let mut report = validate_returns(&sources, skipped, &opts);
    if let Some(dataset) = &a.history {
        pb.set_message(format!("comparing {} return(s) with {}", sources.len(), dataset.display()));
        csae_analysis::history::check_returns(&sources, a.period, dataset, opts.today, None, &mut report).map_err(|e| CliError::unusable(format!("--history {}: {e}", dataset.display())))?;
    }
    pb.finish_and_clear();
    print!("{}", csae_model::text::for_terminal(&report.summary(a.examples)));
    if let Some(path) = &a.json {
        report.write_json(path)
            .map_err(|e| CliError::unusable(format!("cannot write the report to {} ({e}); choose a writable path", path.display())))?;
        say!("full report: {}", path.display());
    }
    Ok(if report.has_rejections() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
