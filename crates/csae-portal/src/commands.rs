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
        if !accounts::insert_user(&db, username, &roles, force.as_deref(), &hash).await? {
            return Err(PortalError::Usage(format!("the user {username} already exists; choose another user name")));
        }
        let detail = format!("user {username} added with role {}", crate::access::roles_text(&roles));
        audit::append(&db, &cfg.data_dir, Event::new("cli", "user_add", "ok").force(force.as_deref()).detail(detail.clone())).await?;
        Ok(detail)
    })
}

/// Makes a new API token for the user; returns it (shown once).
pub fn token_new(args: &ConfigArgs, username: &str) -> Result<String, PortalError> {
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        let user = accounts::find_user(&db, username).await?.ok_or_else(|| PortalError::Usage(format!("there is no user {username}; add one with `csae user add`")))?;
        let (id, token) = accounts::new_token(&db, &user.id).await?;
        audit::append(&db, &cfg.data_dir, Event::new("cli", "token_new", "ok").force(user.force.as_deref()).detail(format!("token {id} for {username}"))).await?;
        Ok(token)
    })
}

/// Revokes the user's API tokens; returns how many.
pub fn token_revoke(args: &ConfigArgs, username: &str) -> Result<u64, PortalError> {
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        let user = accounts::find_user(&db, username).await?.ok_or_else(|| PortalError::Usage(format!("there is no user {username}")))?;
        let n = accounts::revoke_tokens(&db, &user.id, None).await?;
        audit::append(&db, &cfg.data_dir, Event::new("cli", "token_revoke", "ok").detail(format!("{n} token(s) of {username} revoked"))).await?;
        Ok(n)
    })
}

/// Checks the audit chain; `Ok(entries)` when intact, `AuditBroken` (exit 1) when not.
pub fn audit_verify(args: &ConfigArgs) -> Result<i64, PortalError> {
    runtime()?.block_on(async {
        let (cfg, db) = open(args).await?;
        let v = audit::verify(&db, &cfg.data_dir).await?;
        if v.problems.is_empty() {
            Ok(v.entries)
        } else {
            Err(PortalError::AuditBroken(format!("the audit log has been altered: {}", v.problems.join("; "))))
        }
    })
}
