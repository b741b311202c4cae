//! The account commands of the command line: `user add`, `token new`, `token revoke`,
//! `audit verify`. Each opens the same database and data folder as `serve`.

use crate::access::parse_roles;
use crate::accounts;
use crate::audit::{self, Event};
use crate::config::{Config, ConfigArgs};
use crate::db::Db;
use crate::error::PortalError;
use crate::server::runtime;

async fn open(args: &ConfigArgs) -> Result<(Config, Db), PortalError> {
    let cfg = Config::load(args)?;
    crate::files::Layout::new(&cfg.data_dir).secure().map_err(PortalError::Storage)?;
    let db = Db::open(&cfg).await?;
    Ok((cfg, db))
}

/// Adds a user with the password given (read from standard input by the caller).
pub fn user_add(args: &ConfigArgs, username: &str, role: &str, force: Option<&str>, password: &str) -> Result<String, PortalError> {
    accounts::check_username(username).map_err(PortalError::Usage)?;
    let roles = parse_roles(role).map_err(PortalError::Usage)?;
    let force = accounts::check_binding(&roles, force).map_err(PortalError::Usage)?;
    crate::password::check_new(password).map_err(PortalError::Usage)?;
    let hash = crate::password::hash(password);
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        if !accounts::add_user(&db, &cfg.data_dir, "cli", None, username, &roles, force.as_deref(), &hash).await? {
            return Err(PortalError::Usage(format!("the user {username} already exists; choose another user name")));
        }
        Ok(format!("user {username} added with role {}", crate::access::roles_text(&roles)))
    })
}

/// Makes a new API token for the user; returns it (shown once).
pub fn token_new(args: &ConfigArgs, username: &str) -> Result<String, PortalError> {
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        let user = accounts::find_user(&db, username).await?.ok_or_else(|| PortalError::Usage(format!("there is no user {username}; add one with `csae user add`")))?;
        if user.disabled {
            return Err(PortalError::Usage(format!("the user {username} is disabled and cannot have API tokens; enable the user on the admin pages first")));
        }
        Ok(accounts::issue_token(&db, &cfg.data_dir, "cli", &user).await?)
    })
}

/// Revokes the user's API tokens; returns how many.
pub fn token_revoke(args: &ConfigArgs, username: &str) -> Result<u64, PortalError> {
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        let user = accounts::find_user(&db, username).await?.ok_or_else(|| PortalError::Usage(format!("there is no user {username}")))?;
        let event = |n: &u64| Event::new("cli", "token_revoke", "ok").detail(format!("{n} token(s) of {username} revoked"));
        Ok(audit::with_entry(&db, &cfg.data_dir, async |c: &mut sqlx::AnyConnection| accounts::revoke_tokens(c, &user.id, None).await, event).await?)
    })
}

/// Checks the audit chain, and against `recorded` (`SEQ:HASH` from `audit head`) when given;
/// `Ok(entries)` when intact, `AuditBroken` (exit 1) when not.
pub fn audit_verify(args: &ConfigArgs, recorded: Option<&str>) -> Result<i64, PortalError> {
    let recorded = recorded
        .map(|r| {
            r.split_once(':')
                .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok().filter(|s| *s >= 1)?, hash)))
                .filter(|(_, hash)| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
                .ok_or_else(|| PortalError::Usage(format!("{r:?} is not a recorded head; give it as `csae audit head` prints it, SEQ:HASH")))
        })
        .transpose()?;
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        let v = audit::verify(&db, &cfg.data_dir, recorded).await?;
        if v.problems.is_empty() {
            Ok(v.entries)
        } else {
            Err(PortalError::AuditBroken(format!("the audit log has been altered: {}", v.problems.join("; "))))
        }
    })
}

/// The audit log's current head, `SEQ:HASH`, to record somewhere the portal's machine cannot
/// reach, for `audit verify --head` to check the log against later.
pub fn audit_head(args: &ConfigArgs) -> Result<String, PortalError> {
    runtime()?.block_on(async {
        let (_, db) = open(args).await?;
        match audit::head(&db).await? {
            Some((seq, hash)) => Ok(format!("{seq}:{hash}")),
            None => Err(PortalError::Usage("the audit log is empty; there is no head to record yet".into())),
        }
    })
}
