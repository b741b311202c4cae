//! Users and API tokens in the database.

use std::path::Path;

use sqlx::{AnyConnection, Row};

use crate::access::{Principal, Role, Via, parse_roles, roles_text};
use crate::audit::{Event, with_entry};
use crate::db::Db;
use crate::util::{new_id, now, random_hex, sha256_hex};

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub username: String,
    pub roles: Vec<Role>,
    pub force: Option<String>,
    pub password_hash: String,
    pub disabled: bool,
}

impl User {
    pub fn principal(&self, via: Via) -> Principal {
        Principal { user_id: self.id.clone(), username: self.username.clone(), roles: self.roles.clone(), force: self.force.clone(), via }
    }
}

/// Checks a user name: 2–64 characters of a–z, 0–9, `.`, `_`, `-` (they appear in the audit log).
pub fn check_username(u: &str) -> Result<(), String> {
    let ok = (2..=64).contains(&u.len()) && u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok { Ok(()) } else { Err(format!("{u:?} is not a user name; use 2 to 64 characters of a-z, 0-9, '.', '_' or '-'")) }
}

/// Checks a role and force go together: force roles need a known force, national roles none.
pub fn check_binding(roles: &[Role], force: Option<&str>) -> Result<Option<String>, String> {
    let force_role = roles.iter().any(|r| r.is_force_role());
    match (force_role, force) {
        (true, None) => Err(format!("the role {} is bound to one force; give --force with its id, e.g. --force cumbria", roles_text(roles))),
        (true, Some(f)) => csae_model::force(f)
            .map(|f| Some(f.id.clone()))
            .ok_or_else(|| format!("{f:?} is not one of the 44 force ids; use an id of the data standard, e.g. cumbria")),
        (false, Some(_)) => Err(format!("the role {} is national; leave out --force", roles_text(roles))),
        (false, None) => Ok(None),
    }
}

fn user_from_row(r: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    let roles: String = r.try_get("roles")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        // Roles were checked when written; an unreadable one is dropped, which only takes rights away.
        roles: parse_roles(&roles).unwrap_or_default(),
        force: r.try_get("force_id")?,
        password_hash: r.try_get("password_hash")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
    })
}

pub async fn find_user(db: &Db, username: &str) -> Result<Option<User>, sqlx::Error> {
    let r = sqlx::query("SELECT id, username, roles, force_id, password_hash, disabled FROM users WHERE username = $1")
        .bind(username.to_string())
        .fetch_optional(&db.pool)
        .await?;
    r.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_id(db: &Db, id: &str) -> Result<Option<User>, sqlx::Error> {
    let r = sqlx::query("SELECT id, username, roles, force_id, password_hash, disabled FROM users WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&db.pool)
        .await?;
    r.as_ref().map(user_from_row).transpose()
}

pub async fn list_users(db: &Db) -> Result<Vec<User>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, username, roles, force_id, password_hash, disabled FROM users ORDER BY username").fetch_all(&db.pool).await?;
    rows.iter().map(user_from_row).collect()
}

/// Inserts a user (the caller has checked name, roles, force and password). False when the
/// user name is taken.
pub async fn insert_user(conn: &mut AnyConnection, username: &str, roles: &[Role], force: Option<&str>, password_hash: &str) -> Result<bool, sqlx::Error> {
    let res = sqlx::query("INSERT INTO users (id, username, roles, force_id, password_hash, created_at, disabled) VALUES ($1, $2, $3, $4, $5, $6, 0)")
        .bind(new_id())
        .bind(username.to_string())
        .bind(roles_text(roles))
        .bind(force.map(str::to_string))
        .bind(password_hash.to_string())
        .bind(now())
        .execute(&mut *conn)
        .await;
    match res {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Adds a user and its `user_add` audit entry together (by `actor`: a user name or `cli`).
/// False when the user name is taken (nothing is written).
pub async fn add_user(db: &Db, data_dir: &Path, actor: &str, ip: Option<&str>, username: &str, roles: &[Role], force: Option<&str>, password_hash: &str) -> Result<bool, sqlx::Error> {
    let detail = format!("user {username} added with role {}", roles_text(roles));
    let mut ev = Event::new(actor, "user_add", "ok").force(force).detail(detail);
    ev.ip = ip.map(str::to_string);
    // A taken name writes nothing: the transaction is given up before its entry.
    let added = with_entry(
        db,
        data_dir,
        async |c: &mut AnyConnection| if insert_user(c, username, roles, force, password_hash).await? { Ok(()) } else { Err(TakenOr::Taken) },
        |_| ev,
    )
    .await;
    match added {
        Ok(()) => Ok(true),
        Err(TakenOr::Taken) => Ok(false),
        Err(TakenOr::Db(e)) => Err(e),
    }
}

/// A user name already in use (or a database error), for [`add_user`].
enum TakenOr {
    Taken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for TakenOr {
    fn from(e: sqlx::Error) -> Self {
        TakenOr::Db(e)
    }
}

/// A new API token for the user: returns (token id, token). Only its SHA-256 is stored, so the
/// token is shown once.
pub async fn new_token(conn: &mut AnyConnection, user_id: &str) -> Result<(String, String), sqlx::Error> {
    let token = format!("csae_{}", random_hex(32));
    let id = new_id();
    sqlx::query("INSERT INTO api_tokens (id, user_id, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)")
        .bind(id.clone())
        .bind(user_id.to_string())
        .bind(sha256_hex(token.as_bytes()))
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok((id, token))
}

/// Issues an API token for `user` with its `token_new` audit entry (by `actor`); returns the
/// token, shown once.
pub async fn issue_token(db: &Db, data_dir: &Path, actor: &str, user: &User) -> Result<String, sqlx::Error> {
    let (id, token) = with_entry(
        db,
        data_dir,
        async |c: &mut AnyConnection| new_token(c, &user.id).await,
        |(id, _)| Event::new(actor, "token_new", "ok").force(user.force.as_deref()).detail(format!("token {id} for {}", user.username)),
    )
    .await?;
    let _ = id;
    Ok(token)
}

/// Revokes the user's tokens (one by id, or all); returns how many were revoked.
pub async fn revoke_tokens(conn: &mut AnyConnection, user_id: &str, token_id: Option<&str>) -> Result<u64, sqlx::Error> {
    let res = match token_id {
        Some(id) => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(now())
                .bind(user_id.to_string())
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?
        }
        None => {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(user_id.to_string())
                .execute(&mut *conn)
                .await?
        }
    };
    Ok(res.rows_affected())
}

/// Disables (ending every session and revoking every token; returns how many) or enables a user.
pub async fn set_disabled(conn: &mut AnyConnection, user_id: &str, disabled: bool) -> Result<u64, sqlx::Error> {
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2").bind(i64::from(disabled)).bind(user_id.to_string()).execute(&mut *conn).await?;
    if !disabled {
        return Ok(0);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id.to_string()).execute(&mut *conn).await?;
    revoke_tokens(conn, user_id, None).await
}

/// The user of a live (not revoked) token.
pub async fn user_of_token(db: &Db, token: &str) -> Result<Option<User>, sqlx::Error> {
    let r = sqlx::query(
        "SELECT u.id, u.username, u.roles, u.force_id, u.password_hash, u.disabled FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(sha256_hex(token.as_bytes()))
    .fetch_optional(&db.pool)
    .await?;
    Ok(r.as_ref().map(user_from_row).transpose()?.filter(|u| !u.disabled))
}
