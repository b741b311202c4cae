//! `csae serve`, `csae user add`, `csae token new|revoke`, `csae audit verify`: thin layers over
//! `csae_portal`, which holds the logic.

use std::io::BufRead as _;
use std::process::ExitCode;

use csae_portal::{ConfigArgs, PortalError};

use crate::cli::{AuditHeadArgs, AuditVerifyArgs, PortalArgs, ServeArgs, TokenArgs, UserAddArgs};
use crate::error::{CliError, CliResult};

fn args(p: &PortalArgs, listen: Option<String>) -> ConfigArgs {
    ConfigArgs { config: p.config.clone(), data_dir: p.data_dir.clone(), listen }
}

fn err(e: PortalError) -> CliError {
    CliError { message: e.to_string(), exit_code: e.exit_code() }
}

pub fn serve(a: ServeArgs) -> CliResult {
    csae_portal::serve(&args(&a.portal, a.listen)).map_err(err)?;
    Ok(ExitCode::SUCCESS)
}

pub fn user_add(a: UserAddArgs) -> CliResult {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("password for {} (input is shown; pipe it in to hide it): ", a.username);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| CliError::unusable(format!("cannot read the password from standard input ({e})")))?;
    let password = line.trim_end_matches(['\n', '\r']);
    let done = csae_portal::commands::user_add(&args(&a.portal, None), &a.username, &a.role, a.force.as_deref(), password).map_err(err)?;
    say!("{done}");
    Ok(ExitCode::SUCCESS)
}

pub fn token_new(a: TokenArgs) -> CliResult {
    let token = csae_portal::commands::token_new(&args(&a.portal, None), &a.username).map_err(err)?;
    say!("{token}");
    eprintln!("This token is shown once; keep it secret. Send it as: Authorization: Bearer <token>");
    Ok(ExitCode::SUCCESS)
}

pub fn token_revoke(a: TokenArgs) -> CliResult {
    let n = csae_portal::commands::token_revoke(&args(&a.portal, None), &a.username).map_err(err)?;
    say!("{n} token(s) of {} revoked", a.username);
    Ok(ExitCode::SUCCESS)
}

pub fn audit_verify(a: AuditVerifyArgs) -> CliResult {
    let n = csae_portal::commands::audit_verify(&args(&a.portal, None), a.head.as_deref()).map_err(err)?;
    let against = if a.head.is_some() { ", and the head recorded elsewhere" } else { "" };
    say!("audit log intact: {n} entries, hash chain, head and every change's entry verified{against}");
    Ok(ExitCode::SUCCESS)
}

pub fn audit_head(a: AuditHeadArgs) -> CliResult {
    say!("{}", csae_portal::commands::audit_head(&args(&a.portal, None)).map_err(err)?);
    Ok(ExitCode::SUCCESS)
}
