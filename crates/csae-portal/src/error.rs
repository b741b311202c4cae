//! Errors: [`PortalError`] for the command line (one sentence, an exit code) and [`ApiError`]
//! for HTTP (a status and the JSON body `{"error": code, "detail": sentence or object}`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a portal command could not run (exit 2) or found a problem it must report (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// Bad flags, config or input: the message says what to change.
    #[error("{0}")]
    Usage(String),
    /// The database or data folder cannot be used.
    #[error("{0}")]
    Storage(String),
    /// `audit verify` found the log altered (exit 1).
    #[error("{0}")]
    AuditBroken(String),
}

impl PortalError {
    pub fn exit_code(&self) -> u8 {
        match self {
            PortalError::AuditBroken(_) => 1,
            _ => 2,
        }
    }
}


impl From<sqlx::Error> for PortalError {
    fn from(e: sqlx::Error) -> Self {
        PortalError::Storage(format!("the database failed ({}); check it is reachable and not full", db_reason(&e)))
    }
}

/// A short reason for a database error, without query text or bound values (which could
/// hold personal data).
pub fn db_reason(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => format!("database error {}", d.code().unwrap_or_default()),
        sqlx::Error::Io(io) => format!("i/o: {io}"),
        sqlx::Error::PoolTimedOut => "no connection available in time".into(),
        sqlx::Error::Configuration(c) => format!("configuration: {c}"),
        sqlx::Error::Migrate(m) => format!("migration: {m}"),
        other => other.to_string().chars().take(120).collect(),
    }
}

/// An HTTP error: status, stable code and a sentence (or object) for the client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: serde_json::Value,
    /// Seconds a refused client should wait (`Retry-After`), for 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, detail: serde_json::Value::String(detail.into()), retry_after: None }
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "not_signed_in", detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, detail)
    }
    pub fn too_large(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", detail)
    }
    pub fn internal(what: &str) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("the portal could not {what}; try again, and tell the national team if it keeps happening"))
    }
    /// The one sentence of this error (for pages and the audit log).
    pub fn message(&self) -> String {
        match &self.detail {
            serde_json::Value::String(s) => s.clone(),
            v => v.get("message").and_then(|m| m.as_str()).unwrap_or(self.code).to_string(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        eprintln!("csae serve: database error: {}", db_reason(&e));
        ApiError::internal("reach its database")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "detail": self.detail });
        let mut r = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        r
    }
}
