//! Managing users (role `admin` only): list them, add one, disable or enable one, revoke a
//! user's API tokens. Every action, refusals included, goes into the audit log; details name
//! the user and roles, never a password.

use sqlx::{AnyConnection, Row};

use crate::access::{Principal, Role, parse_roles};
use crate::accounts::{self, User};
use crate::audit::Event;
use crate::error::ApiError;
use crate::server::App;

/// A user as the admin pages list it.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub force: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    /// API tokens not revoked.
    pub live_tokens: i64,
}

/// A refused new user: the form field at fault and the sentence to show by it.
pub fn field_of(code: &str) -> &'static str {
    match code {
        "bad_role" => "role",
        "bad_force" => "force",
        "bad_password" => "password",
        _ => "username",
    }
}

async fn user_or_404(app: &App, id: &str) -> Result<User, ApiError> {
    accounts::user_by_id(&app.db, id).await?.ok_or_else(|| ApiError::not_found("there is no such user"))
}

impl App {
    pub async fn admin_list_users(&self, p: &Principal, ip: &str) -> Result<Vec<UserRow>, ApiError> {
        let r = async {
            p.require(&[Role::Admin])?;
            let rows = sqlx::query(
                "SELECT u.id, u.username, u.roles, u.force_id, u.disabled, u.created_at, \
                 (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS live \
                 FROM users u ORDER BY u.username",
            )
            .fetch_all(&self.db.pool)
            .await?;
            let users = rows
                .iter()
                .map(|r| -> Result<UserRow, sqlx::Error> {
                    Ok(UserRow {
                        id: r.try_get(0)?,
                        username: r.try_get(1)?,
                        roles: parse_roles(&r.try_get::<String, _>(2)?).unwrap_or_default(),
                        force: r.try_get(3)?,
                        disabled: r.try_get::<i64, _>(4)? != 0,
                        created_at: r.try_get(5)?,
                        live_tokens: r.try_get(6)?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(users)
        }
        .await;
        let detail = r.as_ref().map(|u| format!("{} users listed", u.len())).unwrap_or_default();
        self.audit_result(p, ip, "admin_users", None, None, &r, &detail).await;
        r
    }

    /// Adds a user; a refusal's code names the field at fault (see [`field_of`]).
    pub async fn admin_add_user(&self, p: &Principal, ip: &str, username: &str, role: &str, force: Option<&str>, password: &str) -> Result<User, ApiError> {
        let r = async {
            p.require(&[Role::Admin])?;
            accounts::check_username(username).map_err(|m| ApiError::bad_request("bad_username", m))?;
            if role.trim().is_empty() {
                return Err(ApiError::bad_request("bad_role", "choose the user's role"));
            }
            let roles = parse_roles(role).map_err(|m| ApiError::bad_request("bad_role", m))?;
            let force = accounts::check_binding(&roles, force.filter(|f| !f.is_empty()))
                .map_err(|m| ApiError::bad_request("bad_force", m.replace("give --force with its id, e.g. --force cumbria", "choose the force").replace("leave out --force", "choose no force")))?;
            crate::password::check_new(password).map_err(|m| ApiError::bad_request("bad_password", m))?;
            let pw = password.to_string();
            let hash = tokio::task::spawn_blocking(move || crate::password::hash(&pw)).await.map_err(|_| ApiError::internal("add the user"))?;
            if !accounts::add_user(&self.db, &self.cfg.data_dir, &p.username, Some(ip), username, &roles, force.as_deref(), &hash).await? {
                return Err(ApiError::conflict("user_exists", format!("the user {username} already exists; choose another user name")));
            }
            Ok(accounts::find_user(&self.db, username).await?.expect("the user was just added"))
        }
        .await;
        if r.is_err() {
            let detail = if accounts::check_username(username).is_ok() { format!("adding user {username}") } else { "adding a user with an invalid user name".to_string() };
            self.audit_result(p, ip, "user_add", None, None, &r, &detail).await;
        }
        r
    }

    /// Disables (or enables again) a user. Disabling ends the user's sessions and revokes
    /// every API token; an admin cannot disable their own account.
    pub async fn admin_set_disabled(&self, p: &Principal, ip: &str, id: &str, disabled: bool) -> Result<User, ApiError> {
        let action = if disabled { "user_disable" } else { "user_enable" };
        let r = async {
            p.require(&[Role::Admin])?;
            let u = user_or_404(self, id).await?;
            if disabled && u.id == p.user_id {
                return Err(ApiError::conflict("own_account", "you cannot disable your own account; ask another admin"));
            }
            let event = |n: &u64| {
                let detail = if disabled { format!("user {} disabled: sessions ended, {n} token(s) revoked", u.username) } else { format!("user {} enabled", u.username) };
                Event { actor: p.username.clone(), action, outcome: "ok", force: u.force.clone(), submission: None, ip: Some(ip.to_string()), detail }
            };
            let uid = u.id.clone();
            crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| accounts::set_disabled(c, &uid, disabled).await, event).await?;
            Ok(u)
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, action, None, None, &r, &format!("user id {id}")).await;
        }
        r.map(|u| User { disabled, ..u })
    }

    /// Revokes every API token of a user; returns the user and how many were revoked.
    pub async fn admin_revoke_tokens(&self, p: &Principal, ip: &str, id: &str) -> Result<(User, u64), ApiError> {
        let r = async {
            p.require(&[Role::Admin])?;
            let u = user_or_404(self, id).await?;
            let event = |n: &u64| Event { actor: p.username.clone(), action: "token_revoke", outcome: "ok", force: u.force.clone(), submission: None, ip: Some(ip.to_string()), detail: format!("{n} token(s) of {} revoked", u.username) };
            let uid = u.id.clone();
            let n = crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| accounts::revoke_tokens(c, &uid, None).await, event).await?;
            Ok((u, n))
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "token_revoke", None, None, &r, &format!("user id {id}")).await;
        }
        r
    }
}
