//! Browser sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure unless the
//! config turns it off), its SHA-256 in the database with a CSRF token, an idle timeout and a
//! maximum age.

use axum::http::HeaderMap;
use sqlx::Row;

use crate::accounts::{User, user_by_id};
use crate::config::Config;
use crate::db::Db;
use crate::util::{now, parse_stamp, random_hex, sha256_hex, stamp};

pub const COOKIE: &str = "csae_session";
/// The sign-in form's CSRF cookie (double submit: there is no session yet to hold the token).
pub const PRE_COOKIE: &str = "csae_signin";

/// How long a sign-in form's token stays good.
const PRE_TOKEN_SECONDS: i64 = 3600;

/// A token for the sign-in form that only this server can make: a random nonce and an expiry,
/// signed with the server's secret (HMAC-SHA256), so a cookie and field an attacker chose are
/// refused even when they match.
pub fn pre_token(secret: &[u8]) -> String {
    let payload = format!("{}.{}", random_hex(16), chrono::Utc::now().timestamp() + PRE_TOKEN_SECONDS);
    format!("{payload}.{}", sign(secret, &payload))
}

/// True when `token` was made by [`pre_token`] with this secret and has not expired.
pub fn pre_token_valid(secret: &[u8], token: &str) -> bool {
    let Some((payload, mac)) = token.rsplit_once('.') else { return false };
    let fresh = payload.split_once('.').and_then(|(_, exp)| exp.parse::<i64>().ok()).is_some_and(|exp| exp >= chrono::Utc::now().timestamp());
    fresh && crate::util::constant_time_eq(sign(secret, payload).as_bytes(), mac.as_bytes())
}

fn sign(secret: &[u8], payload: &str) -> String {
    use hmac::Mac;
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    m.update(payload.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// The value of cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value; `max_age` None for a session cookie, Some(0) to delete.
pub fn set_cookie(cfg: &Config, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if cfg.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

/// A new session for the user: returns the cookie token.
pub async fn create(db: &Db, cfg: &Config, user_id: &str) -> Result<String, sqlx::Error> {
    let token = random_hex(32);
    let t = chrono::Utc::now();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(sha256_hex(token.as_bytes()))
        .bind(user_id.to_string())
        .bind(random_hex(32))
        .bind(stamp(t))
        .bind(stamp(t))
        .bind(stamp(t + chrono::Duration::hours(cfg.session_max_hours)))
        .execute(&db.pool)
        .await?;
    Ok(token)
}

/// What a session cookie leads to.
pub enum Lookup {
    None,
    /// The cookie names a session that timed out or was ended: sign in again.
    Expired,
    Live { user: User, token_hash: String, csrf: String },
}

/// Finds the session of a cookie token, ending it when idle too long or past its maximum age,
/// and otherwise marking it as seen now.
pub async fn lookup(db: &Db, cfg: &Config, token: &str) -> Result<Lookup, sqlx::Error> {
    let hash = sha256_hex(token.as_bytes());
    let Some(r) = sqlx::query("SELECT user_id, csrf, last_seen_at, expires_at FROM sessions WHERE token_hash = $1")
        .bind(hash.clone())
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(Lookup::Expired);
    };
    let user_id: String = r.try_get(0)?;
    let csrf: String = r.try_get(1)?;
    let last_seen = parse_stamp(&r.try_get::<String, _>(2)?);
    let expires = parse_stamp(&r.try_get::<String, _>(3)?);
    let t = chrono::Utc::now();
    let idle_over = last_seen.is_none_or(|s| t - s > chrono::Duration::minutes(cfg.session_idle_minutes));
    if idle_over || expires.is_none_or(|e| t > e) {
        end(db, &hash).await?;
        return Ok(Lookup::Expired);
    }
    let Some(user) = user_by_id(db, &user_id).await?.filter(|u| !u.disabled) else {
        end(db, &hash).await?;
        return Ok(Lookup::Expired);
    };
    // Touch at most once a minute, and at most a quarter of the idle time, so that a short idle
    // setting does not sign out someone who is using the portal.
    let touch_after = chrono::Duration::seconds(60).min(chrono::Duration::minutes(cfg.session_idle_minutes) / 4);
    if last_seen.is_some_and(|s| t - s > touch_after) {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now()).bind(hash.clone()).execute(&db.pool).await?;
    }
    Ok(Lookup::Live { user, token_hash: hash, csrf })
}

pub async fn end(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash.to_string()).execute(&db.pool).await?;
    Ok(())
}

/// Test hook: makes every session of the user look idle since `minutes` ago.
pub async fn age_sessions(db: &Db, user_id: &str, minutes: i64) -> Result<(), sqlx::Error> {
    let then = stamp(chrono::Utc::now() - chrono::Duration::minutes(minutes));
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE user_id = $2").bind(then).bind(user_id.to_string()).execute(&db.pool).await?;
    Ok(())
}
