//! `csae sql DATASET "SELECT ..."`: an analyst's read-only way into the dataset and views.

use std::process::ExitCode;

use csae_analysis::Analysis;

use crate::cli::SqlArgs;
use crate::error::{CliError, CliResult};

pub fn run(a: SqlArgs) -> CliResult {
    // An analyst may query every column, pseudonyms included.
    let opts = csae_analysis::Options { columns: csae_analysis::Columns::All, ..crate::cmd_report::options(&a.analysis) };
    let an = Analysis::open(&a.dataset, &opts).map_err(CliError::unusable)?;
    if a.list {
        return print(&an.relations().join("\n"));
    }
    let query = a.query.unwrap_or_default();
    let batches = an.query(&query).map_err(|e| {
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or("").trim();
        if first.contains("not supported") || first.contains("Unsupported") || first.contains("DDL") || first.contains("DML") || first.contains("Statement") {
            CliError::unusable(format!("csae sql runs read-only queries only (SELECT or WITH … SELECT); refused: {first}"))
        } else {
            CliError::unusable(format!("the query failed: {first}"))
        }
    })?;
    let text = csae_analysis::pretty(&batches).map_err(CliError::unusable)?;
    print(&text)
}

/// Prints the answer. A reader that stops early (`csae sql … | head`) closes the pipe: that is
/// the end of the output, not an error (`println!` would panic).
fn print(text: &str) -> CliResult {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::unusable(format!("cannot write the answer ({e})"))),
        _ => Ok(ExitCode::SUCCESS),
    }
}
