//! Collection periods (e.g. `2023`: 2023-01-01 to 2023-12-31), opened by admins and analysts.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::ApiError;
use crate::util::now;

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub id: String,
    pub from: String,
    pub to: String,
    pub opened_by: String,
    pub opened_at: String,
    /// The date by which forces should have confirmed a return (YYYY-MM-DD), if one was set.
    pub due: Option<String>,
}

impl Period {
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        let d = |s: &str| csae_model::dates::parse_iso(s).expect("period dates were checked when opened");
        (d(&self.from), d(&self.to))
    }

    /// True when the period has a due date and `today` is after it.
    pub fn past_due(&self, today: NaiveDate) -> bool {
        self.due.as_deref().and_then(csae_model::dates::parse_iso).is_some_and(|due| today > due)
    }
}

/// Checks a new period: id of 1–32 characters a–z, 0–9, `-`, `_`; ISO dates, from ≤ to; a due
/// date, when given, an ISO date on or after from.
pub fn check(id: &str, from: &str, to: &str, due: Option<&str>) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(ApiError::bad_request("bad_period", format!("{id:?} is not a period id; use 1 to 32 letters, digits, '-' or '_', e.g. 2023")));
    }
    let parse = |s: &str, what: &str| {
        csae_model::dates::parse_iso(s).ok_or_else(|| ApiError::bad_request("bad_period", format!("{what} {s:?} is not a date; write YYYY-MM-DD, e.g. 2023-01-01")))
    };
    let (f, t) = (parse(from, "from")?, parse(to, "to")?);
    if f > t {
        return Err(ApiError::bad_request("bad_period", format!("the period ends ({to}) before it starts ({from}); give from on or before to")));
    }
    if let Some(due) = due
        && parse(due, "due")? < f
    {
        return Err(ApiError::bad_request("bad_period", format!("the due date ({due}) is before the period starts ({from}); give a due date on or after from")));
    }
    Ok(())
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Period, sqlx::Error> {
    Ok(Period { id: r.try_get(0)?, from: r.try_get(1)?, to: r.try_get(2)?, opened_by: r.try_get(3)?, opened_at: r.try_get(4)?, due: r.try_get(5)? })
}

/// Opens a period; 409 when the id is taken.
pub async fn open(db: &Db, id: &str, from: &str, to: &str, due: Option<&str>, by: &str) -> Result<Period, ApiError> {
    check(id, from, to, due)?;
    let p = Period { id: id.into(), from: from.into(), to: to.into(), opened_by: by.into(), opened_at: now(), due: due.map(str::to_string) };
    let res = sqlx::query("INSERT INTO periods (id, date_from, date_to, opened_by, opened_at, due) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(p.id.clone())
        .bind(p.from.clone())
        .bind(p.to.clone())
        .bind(p.opened_by.clone())
        .bind(p.opened_at.clone())
        .bind(p.due.clone())
        .execute(&db.pool)
        .await;
    match res {
        Ok(_) => Ok(p),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => Err(ApiError::conflict("period_exists", format!("the period {id} is already open"))),
        Err(e) => Err(e.into()),
    }
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Period>, sqlx::Error> {
    let r = sqlx::query("SELECT id, date_from, date_to, opened_by, opened_at, due FROM periods WHERE id = $1").bind(id.to_string()).fetch_optional(&db.pool).await?;
    r.as_ref().map(from_row).transpose()
}

/// The period named in a request, or 404 "unknown period" (400 when none is named).
pub async fn required(db: &Db, id: Option<&str>) -> Result<Period, ApiError> {
    let id = id.filter(|s| !s.is_empty()).ok_or_else(|| ApiError::bad_request("period_missing", "say which period, e.g. ?period=2023"))?;
    get(db, id).await?.ok_or_else(|| ApiError::new(axum::http::StatusCode::NOT_FOUND, "unknown_period", format!("there is no period {id:?}; an analyst or admin opens periods")))
}

pub async fn list(db: &Db) -> Result<Vec<Period>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, date_from, date_to, opened_by, opened_at, due FROM periods ORDER BY date_from DESC, id").fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}
