//! `csae`: the national CSAE data collection and analysis, on the command line.

/// Prints a line to standard output with its control characters escaped
/// (`csae_model::text::for_terminal`): paths and values a submitter chose never reach the
/// terminal as escape sequences.
macro_rules! say {
    ($($t:tt)*) => {
        println!("{}", csae_model::text::for_terminal(&format!($($t)*)))
    };
}

mod cli;
mod cmd_demo;
mod cmd_ingest;
mod cmd_key;
mod cmd_portal;
mod cmd_report;
mod cmd_sql;
mod cmd_synth;
mod cmd_validate;
mod error;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: ingest and analysis allocate millions of small values, which this allocator serves
/// faster than the system's (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let args = cli::Cli::parse();
    let result = match args.command {
        cli::Command::Validate(a) => cmd_validate::run(a),
        cli::Command::Ingest(a) => cmd_ingest::run(a),
        cli::Command::Demo(a) => cmd_demo::run(a),
        cli::Command::Report(a) => cmd_report::run(a),
        cli::Command::Sql(a) => cmd_sql::run(a),
        cli::Command::Synth(a) => cmd_synth::run(a),
        cli::Command::Key { command: cli::KeyCommand::New(a) } => cmd_key::new(a),
        cli::Command::Serve(a) => cmd_portal::serve(a),
        cli::Command::User { command: cli::UserCommand::Add(a) } => cmd_portal::user_add(a),
        cli::Command::Token { command: cli::TokenCommand::New(a) } => cmd_portal::token_new(a),
        cli::Command::Token { command: cli::TokenCommand::Revoke(a) } => cmd_portal::token_revoke(a),
        cli::Command::Audit { command: cli::AuditCommand::Verify(a) } => cmd_portal::audit_verify(a),
        cli::Command::Audit { command: cli::AuditCommand::Head(a) } => cmd_portal::audit_head(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", csae_model::text::for_terminal(&e.message.replace('\n', " ")));
            ExitCode::from(e.exit_code)
        }
    }
}

/// Turns transparent huge pages off for this process: the analysis allocates and frees many
/// short-lived buffers, and with huge pages the kernel zeroes 2 MB for each fresh one
/// (docs/performance.md). A hint only: failure changes nothing. mimalloc is built with `no_thp`
/// (workspace `Cargo.toml`) so that its first arena, made before `main`, asks for none either.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
