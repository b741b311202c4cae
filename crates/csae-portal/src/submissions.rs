//! Submissions in the database: inserted once their files are on disk, then confirmed as the
//! force's next version or discarded. The latest confirmed version of each force counts.

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::ApiError;
use crate::util::now;

pub const VALIDATED: &str = "validated";
pub const CONFIRMED: &str = "confirmed";
pub const DISCARDED: &str = "discarded";

#[derive(Debug, Clone, Serialize)]
pub struct Submission {
    pub id: String,
    pub period: String,
    pub force_id: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// `xlsx` or `csv-zip`.
    pub format: String,
    pub file_name: String,
    pub sha256: String,
    pub bytes: i64,
    pub status: String,
    pub version: Option<i64>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub rows_rejected: i64,
    /// csae.validation/1 JSON for this force (personal values hidden).
    #[serde(skip)]
    pub validation: String,
}

impl Submission {
    pub fn validation_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.validation).unwrap_or(serde_json::Value::Null)
    }

    /// The API view: the submission and its validation.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).expect("a submission serialises");
        v["validation"] = self.validation_json();
        v
    }
}

const COLUMNS: &str = "id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, version, confirmed_by, confirmed_at, rows_read, rows_accepted, rows_rejected, validation";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Submission, sqlx::Error> {
    Ok(Submission {
        id: r.try_get(0)?,
        period: r.try_get(1)?,
        force_id: r.try_get(2)?,
        uploaded_by: r.try_get(3)?,
        uploaded_at: r.try_get(4)?,
        format: r.try_get(5)?,
        file_name: r.try_get(6)?,
        sha256: r.try_get(7)?,
        bytes: r.try_get(8)?,
        status: r.try_get(9)?,
        version: r.try_get(10)?,
        confirmed_by: r.try_get(11)?,
        confirmed_at: r.try_get(12)?,
        rows_read: r.try_get(13)?,
        rows_accepted: r.try_get(14)?,
        rows_rejected: r.try_get(15)?,
        validation: r.try_get(16)?,
    })
}

pub async fn insert(db: &Db, s: &Submission) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO submissions (id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, version, confirmed_by, confirmed_at, rows_read, rows_accepted, rows_rejected, validation) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL, $11, $12, $13, $14)",
    )
    .bind(s.id.clone())
    .bind(s.period.clone())
    .bind(s.force_id.clone())
    .bind(s.uploaded_by.clone())
    .bind(s.uploaded_at.clone())
    .bind(s.format.clone())
    .bind(s.file_name.clone())
    .bind(s.sha256.clone())
    .bind(s.bytes)
    .bind(s.status.clone())
    .bind(s.rows_read)
    .bind(s.rows_accepted)
    .bind(s.rows_rejected)
    .bind(s.validation.clone())
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<Submission>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM submissions WHERE id = $1"));
    let r = sqlx::query(sql).bind(id.to_string()).fetch_optional(&db.pool).await?;
    r.as_ref().map(from_row).transpose()
}

/// Submissions of a period (all forces, or one), newest first.
pub async fn list(db: &Db, period: Option<&str>, force: Option<&str>) -> Result<Vec<Submission>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM submissions WHERE ($1 IS NULL OR period_id = $1) AND ($2 IS NULL OR force_id = $2) ORDER BY uploaded_at DESC, id"
    ));
    let rows = sqlx::query(sql).bind(period.map(str::to_string)).bind(force.map(str::to_string)).fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// The latest confirmed version of each force in the period.
pub async fn latest_confirmed(db: &Db, period: &str) -> Result<Vec<Submission>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM submissions s WHERE period_id = $1 AND status = 'confirmed' \
         AND version = (SELECT MAX(version) FROM submissions t WHERE t.period_id = s.period_id AND t.force_id = s.force_id AND t.status = 'confirmed') \
         ORDER BY force_id"
    ));
    let rows = sqlx::query(sql).bind(period.to_string()).fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// Confirms a validated submission as its force's next version for the period.
pub async fn confirm(db: &Db, id: &str, by: &str) -> Result<Submission, ApiError> {
    let _guard = db.write_lock.lock().await;
    let s = get(db, id).await?.ok_or_else(|| ApiError::not_found("there is no such submission"))?;
    if s.status != VALIDATED {
        return Err(ApiError::conflict("not_confirmable", format!("this submission is {} and cannot be confirmed; upload the return again", s.status)));
    }
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM submissions WHERE period_id = $1 AND force_id = $2")
        .bind(s.period.clone())
        .bind(s.force_id.clone())
        .fetch_one(&db.pool)
        .await?;
    let version = max.unwrap_or(0) + 1;
    let res = sqlx::query("UPDATE submissions SET status = 'confirmed', version = $1, confirmed_by = $2, confirmed_at = $3 WHERE id = $4 AND status = 'validated'")
        .bind(version)
        .bind(by.to_string())
        .bind(now())
        .bind(id.to_string())
        .execute(&db.pool)
        .await;
    match res {
        Ok(r) if r.rows_affected() == 1 => {}
        Ok(_) => return Err(ApiError::conflict("not_confirmable", "this submission changed while it was being confirmed; reload and try again")),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Err(ApiError::conflict("version_taken", "another submission of your force was confirmed at the same moment; reload and try again"));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(get(db, id).await?.expect("the row was just updated"))
}

/// Discards a validated (unconfirmed) submission.
pub async fn discard(db: &Db, id: &str) -> Result<Submission, ApiError> {
    let r = sqlx::query("UPDATE submissions SET status = 'discarded' WHERE id = $1 AND status = 'validated'").bind(id.to_string()).execute(&db.pool).await?;
    let s = get(db, id).await?.ok_or_else(|| ApiError::not_found("there is no such submission"))?;
    if r.rows_affected() == 0 {
        return Err(ApiError::conflict("not_discardable", format!("this submission is {} and cannot be discarded", s.status)));
    }
    Ok(s)
}
