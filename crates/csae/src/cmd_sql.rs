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
        for name in an.relations() {
            println!("{name}");
        }
        return Ok(ExitCode::SUCCESS);
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
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
