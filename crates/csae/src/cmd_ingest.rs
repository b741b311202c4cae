//! `csae ingest RETURN... --out DATASET [--key-file F]`.

use std::process::ExitCode;

use csae_ingest::find_returns;
use csae_ingest::ingest::{IngestOptions, ingest, totals};
use csae_ingest::pseudonym::Key;

use crate::cli::IngestArgs;
use crate::error::{CliError, CliResult};

pub fn run(a: IngestArgs) -> CliResult {
    // The key first: without it nothing may be read.
    let key = Key::load(a.key_file.as_deref()).map_err(CliError::unusable)?;
    if let Some(path) = &a.json {
        crate::error::check_writable(path, "--json")?;
    }
    let (sources, skipped) = find_returns(&a.returns).map_err(CliError::unusable)?;
    csae_ingest::check_declared(&sources, a.period).map_err(CliError::unusable)?;
    let now = chrono::Local::now();
    let opts = IngestOptions { today: now.date_naive(), period: a.period, now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) };
    let pb = crate::progress::spinner(format!("validating and ingesting {} return(s)", sources.len()));
    let outcome = ingest(&sources, skipped, &a.out, &key, &opts).map_err(CliError::unusable);
    pb.finish_and_clear();
    let outcome = outcome?;
    let report = &outcome.report;
    print!("{}", csae_model::text::for_terminal(&csae_ingest::report::skipped_lines(&report.skipped)));
    for (force, f) in &report.forces {
        if let Some(reason) = &f.reason {
            say!("{force}: REJECTED WHOLE, nothing ingested: {reason}");
            continue;
        }
        let t: Vec<String> = f.tables.iter().map(|(t, c)| format!("{} {}/{}", t.name(), c.accepted, c.read)).collect();
        let rules: Vec<String> = f.rules.iter().map(|(r, n)| format!("{r}×{n}")).collect();
        let rejected = if rules.is_empty() { String::new() } else { format!("; rejected rows: {}", rules.join(" ")) };
        say!("{force}: accepted {}{rejected}", t.join(", "));
    }
    for (force, period) in &outcome.replaced {
        say!("replaced earlier data of {force} for {period}");
    }
    if !outcome.written.is_empty() {
        let sum: Vec<String> = totals(report).iter().map(|(t, (r, ac, rj))| format!("{} {ac} accepted + {rj} rejected = {r} read", t.name())).collect();
        say!("{}", sum.join("; "));
        say!("dataset: {} ({} return(s) written; rejected rows are in its quarantine/ folder)", a.out.display(), outcome.written.len());
    } else {
        say!("nothing was ingested; the dataset is unchanged");
    }
    if let Some(path) = &a.json {
        report.write_json(path)
            .map_err(|e| CliError::unusable(format!("cannot write the report to {} ({e}); choose a writable path", path.display())))?;
    }
    let whole = report.forces.values().any(|f| f.rejected_whole);
    Ok(if whole || (a.strict && report.has_rejections()) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
