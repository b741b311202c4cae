//! Errors of the command line: one sentence for the user and an exit code (2: could not run).

pub struct CliError {
    pub message: String,
    pub exit_code: u8,
}

impl CliError {
    /// The command could not run: bad flags, unreadable input, missing key, unusable dataset.
    pub fn unusable(message: impl std::fmt::Display) -> Self {
        CliError { message: message.to_string(), exit_code: 2 }
    }
}

pub type CliResult = Result<std::process::ExitCode, CliError>;

/// Checks, before the work starts, that a file can be written at `path` (given with `flag`):
/// its folder exists and takes a new file. A report that cannot be written after an ingest
/// would leave the user unsure what was done.
pub fn check_writable(path: &std::path::Path, flag: &str) -> Result<(), CliError> {
    let cannot = |why: String| CliError::unusable(format!("cannot write {} ({why}); choose a writable path for {flag}", path.display()));
    if path.is_dir() {
        return Err(cannot("it is a folder".into()));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !parent.is_dir() {
        return Err(cannot(format!("the folder {} does not exist", parent.display())));
    }
    let probe = parent.join(format!(".csae-write-check-{}", std::process::id()));
    std::fs::OpenOptions::new().write(true).create_new(true).open(&probe).map_err(|e| cannot(csae_dataset::io_reason(&e)))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
