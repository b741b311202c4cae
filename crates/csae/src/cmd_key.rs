//! `csae key new FILE`.

use std::process::ExitCode;

use csae_ingest::pseudonym::Key;

use crate::cli::KeyNewArgs;
use crate::error::{CliError, CliResult};

pub fn new(a: KeyNewArgs) -> CliResult {
    let key = Key::write_new(&a.file).map_err(CliError::unusable)?;
    say!("wrote a new pseudonymisation key to {} (fingerprint {})", a.file.display(), key.fingerprint());
    say!("keep it secret and safe: the same key is needed to link next year's returns to this year's");
    Ok(ExitCode::SUCCESS)
}
