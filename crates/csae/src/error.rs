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
