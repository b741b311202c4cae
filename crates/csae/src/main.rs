//! `csae`: the national CSAE data collection and analysis, on the command line.

mod cli;
mod cmd_demo;
mod cmd_ingest;
mod cmd_key;
mod cmd_report;
mod cmd_sql;
mod cmd_synth;
mod cmd_validate;
mod error;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: the ingest of a national collection allocates millions of small cells; this
/// allocator cuts its wall time by about a fifth over the system one (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Validate(a) => cmd_validate::run(a),
        cli::Command::Ingest(a) => cmd_ingest::run(a),
        cli::Command::Demo(a) => cmd_demo::run(a),
        cli::Command::Report(a) => cmd_report::run(a),
        cli::Command::Sql(a) => cmd_sql::run(a),
        cli::Command::Synth(a) => cmd_synth::run(a),
        cli::Command::Key { command: cli::KeyCommand::New(a) } => cmd_key::new(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", e.message);
            ExitCode::from(e.exit_code)
        }
    }
}
