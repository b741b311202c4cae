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

/// mimalloc: the ingest of a national collection allocates millions of small cells; this
/// allocator cuts its wall time by about a fifth over the system one (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let args = cli::Cli::parse();
    let one_shot = !matches!(args.command, cli::Command::Serve(_));
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
    };
    let status = match result {
        Ok(code) if code == ExitCode::SUCCESS => 0,
        Ok(code) => return code,
        Err(e) => {
            eprintln!("error: {}", csae_model::text::for_terminal(&e.message.replace('\n', " ")));
            e.exit_code
        }
    };
    if one_shot {
        exit_now(status);
    }
    ExitCode::from(status)
}

/// Ends a finished one-shot command at once. Its work is done and written (files are synced
/// and closed, folders swapped, temporary folders removed when the command returned); what is
/// left is freeing memory, and mimalloc, linked statically, frees and purges every segment it
/// holds at exit, one `madvise` per 64 KiB: about 10 ms of an ingest or a report. The kernel
/// takes the whole address space back at once anyway.
fn exit_now(status: u8) -> ! {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` ends the process without running exit handlers; nothing of ours waits
    // on them (output is flushed above, and every file was written and closed by the command).
    unsafe { libc::_exit(i32::from(status)) }
}

/// Turns transparent huge pages off for this process. The analysis allocates and frees many
/// short-lived buffers; with huge pages the kernel zeroes 2 MB for each fresh one, which made a
/// report three times slower (see docs/performance.md). A hint only: failure changes nothing.
/// It comes after the allocator's first arena, which the runtime makes before `main`: mimalloc
/// is therefore built with `no_thp` (workspace `Cargo.toml`), so that it never asks for huge
/// pages itself. Before that, every command began with two huge pages (4 MB zeroed; on this
/// virtual machine, a few milliseconds when the host had taken the memory back).
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
