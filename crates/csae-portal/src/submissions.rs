//! Submissions in the database: inserted once their files are on disk, then confirmed as the
//! force's next version or discarded. The latest confirmed version of each force counts.

use serde::Serialize;
use sqlx::Row;

use crate::db::Db;
use crate::error::ApiError;
use crate::files::Layout;
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
    /// The API view as a response body: the submission's fields, then its validation report
    /// streamed from its file (older submissions: from the database) as it is, never parsed or
    /// held whole.
    pub async fn into_body(self, layout: &Layout) -> axum::body::Body {
        self.into_body_with(layout, serde_json::Map::new()).await
    }

    /// [`Submission::into_body`] with `extra` keys (a submission's queries) before the report.
    pub async fn into_body_with(mut self, layout: &Layout, extra: serde_json::Map<String, serde_json::Value>) -> axum::body::Body {
        let stored = std::mem::take(&mut self.validation);
        let mut head = serde_json::to_string(&self).expect("a submission serialises");
        head.pop();
        for (k, v) in extra {
            head.push_str(&format!(",{}:{v}", serde_json::Value::String(k)));
        }
        head.push_str(",\"validation\":");
        json_with_report(head, layout, &self.id, stored).await
    }

    /// The validation as its page shows it: counts and the first `shown` issues, read from the
    /// report's file as a stream.
    pub fn validation_view(&self, layout: &Layout, shown: usize) -> Option<ForceView> {
        let seed = ViewSeed { force: &self.force_id, shown };
        match std::fs::File::open(report_file(layout, &self.id)) {
            Ok(f) => {
                let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(f));
                serde::de::DeserializeSeed::deserialize(seed, &mut de).ok().flatten()
            }
            Err(_) => {
                let mut de = serde_json::Deserializer::from_str(&self.validation);
                serde::de::DeserializeSeed::deserialize(seed, &mut de).ok().flatten()
            }
        }
    }
}

/// The name of a submission's validation report (`csae.validation/1`) in its folder.
pub const REPORT_FILE: &str = "validation.json";

/// The file of a submission's validation report, beside its files.
pub fn report_file(layout: &Layout, id: &str) -> std::path::PathBuf {
    layout.submission(id).join(REPORT_FILE)
}

/// A JSON object's body: `head` (its text up to its last value), the submission's report as
/// that value (streamed from its file, or `stored` for submissions made before reports had
/// files), and the closing brace.
pub async fn json_with_report(head: String, layout: &Layout, id: &str, stored: String) -> axum::body::Body {
    use futures_util::StreamExt as _;
    type Chunk = Result<axum::body::Bytes, std::io::Error>;
    let piece = |s: String| futures_util::stream::iter([Ok::<_, std::io::Error>(axum::body::Bytes::from(s))]);
    let report: futures_util::stream::BoxStream<'static, Chunk> = match tokio::fs::File::open(report_file(layout, id)).await {
        Ok(f) => tokio_util::io::ReaderStream::new(f).boxed(),
        Err(_) => piece(if stored.is_empty() { "null".into() } else { stored }).boxed(),
    };
    axum::body::Body::from_stream(piece(head).chain(report).chain(piece("}".into())))
}

/// One force's validation as the submission page reads it, without the issues it does not show.
#[derive(Debug, serde::Deserialize)]
pub struct ForceView {
    #[serde(default)]
    pub tables: indexmap::IndexMap<String, TableCounts>,
    #[serde(default)]
    pub rules: indexmap::IndexMap<String, u64>,
    #[serde(default)]
    pub warnings: indexmap::IndexMap<String, u64>,
    #[serde(skip)]
    pub issues: Vec<IssueView>,
    /// Issues in all, shown or not.
    #[serde(skip)]
    pub issues_total: usize,
    /// The checks against the force's previous period (H01–H05), when they ran.
    #[serde(default)]
    pub history: Option<HistoryView>,
}

/// The history block of a force's report (`csae_ingest::history::History`) as the page reads it.
#[derive(Debug, serde::Deserialize)]
pub struct HistoryView {
    pub previous_period: String,
    pub compared: bool,
    pub queries: Vec<HistoryQueryView>,
}

#[derive(Debug, serde::Deserialize)]
pub struct HistoryQueryView {
    pub rule: String,
    pub month: Option<String>,
    pub previous: serde_json::Value,
    pub current: serde_json::Value,
    pub message: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct TableCounts {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub warnings: u64,
}

#[derive(Debug, serde::Deserialize)]
pub struct IssueView {
    pub rule: String,
    pub table: String,
    pub row: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

/// Reads `{"forces": {force: {...}}}` keeping `force`'s report with its first `shown` issues.
struct ViewSeed<'a> {
    force: &'a str,
    shown: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for ViewSeed<'_> {
    type Value = Option<ForceView>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, Visitor};
        struct Report<'a>(ViewSeed<'a>);
        impl<'de> Visitor<'de> for Report<'_> {
            type Value = Option<ForceView>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a validation report")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(k) = m.next_key::<String>()? {
                    if k == "forces" {
                        found = m.next_value_seed(Forces(ViewSeed { force: self.0.force, shown: self.0.shown }))?;
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        struct Forces<'a>(ViewSeed<'a>);
        impl<'de> serde::de::DeserializeSeed<'de> for Forces<'_> {
            type Value = Option<ForceView>;
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
        impl<'de> Visitor<'de> for Forces<'_> {
            type Value = Option<ForceView>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("forces")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(k) = m.next_key::<String>()? {
                    if k == self.0.force {
                        found = Some(m.next_value_seed(Force(self.0.shown))?);
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        struct Force(usize);
        impl<'de> serde::de::DeserializeSeed<'de> for Force {
            type Value = ForceView;
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
        impl<'de> Visitor<'de> for Force {
            type Value = ForceView;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a force's report")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut v = ForceView { tables: Default::default(), rules: Default::default(), warnings: Default::default(), issues: Vec::new(), issues_total: 0, history: None };
                while let Some(k) = m.next_key::<String>()? {
                    match k.as_str() {
                        "tables" => v.tables = m.next_value()?,
                        "rules" => v.rules = m.next_value()?,
                        "warnings" => v.warnings = m.next_value()?,
                        "history" => v.history = m.next_value()?,
                        "issues" => (v.issues, v.issues_total) = m.next_value_seed(FirstIssues(self.0))?,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(v)
            }
        }
        /// The first `.0` issues of a list, and how many it has.
        struct FirstIssues(usize);
        impl<'de> serde::de::DeserializeSeed<'de> for FirstIssues {
            type Value = (Vec<IssueView>, usize);
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_seq(self)
            }
        }
        impl<'de> Visitor<'de> for FirstIssues {
            type Value = (Vec<IssueView>, usize);
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of issues")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut kept = Vec::new();
                let mut total = 0;
                while total < self.0 {
                    match s.next_element::<IssueView>()? {
                        Some(i) => kept.push(i),
                        None => return Ok((kept, total)),
                    }
                    total += 1;
                }
                while s.next_element::<IgnoredAny>()?.is_some() {
                    total += 1;
                }
                Ok((kept, total))
            }
        }
        d.deserialize_map(Report(self))
    }
}

const COLUMNS: &str = "id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, version, confirmed_by, confirmed_at, rows_read, rows_accepted, rows_rejected, validation";

/// [`COLUMNS`] for lists, which never show a validation: a force's list would otherwise read
/// every report it ever had.
const LIST_COLUMNS: &str = "id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, version, confirmed_by, confirmed_at, rows_read, rows_accepted, rows_rejected, '' AS validation";

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

pub async fn insert(conn: &mut sqlx::AnyConnection, s: &Submission) -> Result<(), sqlx::Error> {
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
    .bind(s.validation.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn get<'c>(e: impl sqlx::Executor<'c, Database = sqlx::Any>, id: &str) -> Result<Option<Submission>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM submissions WHERE id = $1"));
    let r = sqlx::query(sql).bind(id.to_string()).fetch_optional(e).await?;
    r.as_ref().map(from_row).transpose()
}

/// Submissions of a period (all forces, or one), newest first.
pub async fn list(db: &Db, period: Option<&str>, force: Option<&str>) -> Result<Vec<Submission>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {LIST_COLUMNS} FROM submissions WHERE ($1 IS NULL OR period_id = $1) AND ($2 IS NULL OR force_id = $2) ORDER BY uploaded_at DESC, id"
    ));
    let rows = sqlx::query(sql).bind(period.map(str::to_string)).bind(force.map(str::to_string)).fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// The latest confirmed version of each force in the period.
pub async fn latest_confirmed(db: &Db, period: &str) -> Result<Vec<Submission>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {LIST_COLUMNS} FROM submissions s WHERE period_id = $1 AND status = 'confirmed' \
         AND version = (SELECT MAX(version) FROM submissions t WHERE t.period_id = s.period_id AND t.force_id = s.force_id AND t.status = 'confirmed') \
         ORDER BY force_id"
    ));
    let rows = sqlx::query(sql).bind(period.to_string()).fetch_all(&db.pool).await?;
    rows.iter().map(from_row).collect()
}

/// Confirms a validated submission as its force's next version for the period (in the
/// caller's transaction, which holds the database's write lock).
pub async fn confirm(conn: &mut sqlx::AnyConnection, id: &str, by: &str) -> Result<Submission, ApiError> {
    let s = get(&mut *conn, id).await?.ok_or_else(|| ApiError::not_found("there is no such submission"))?;
    if s.status != VALIDATED {
        return Err(ApiError::conflict("not_confirmable", format!("this submission is {} and cannot be confirmed; upload the return again", s.status)));
    }
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM submissions WHERE period_id = $1 AND force_id = $2")
        .bind(s.period.clone())
        .bind(s.force_id.clone())
        .fetch_one(&mut *conn)
        .await?;
    let version = max.unwrap_or(0) + 1;
    let res = sqlx::query("UPDATE submissions SET status = 'confirmed', version = $1, confirmed_by = $2, confirmed_at = $3 WHERE id = $4 AND status = 'validated'")
        .bind(version)
        .bind(by.to_string())
        .bind(now())
        .bind(id.to_string())
        .execute(&mut *conn)
        .await;
    match res {
        Ok(r) if r.rows_affected() == 1 => {}
        Ok(_) => return Err(ApiError::conflict("not_confirmable", "this submission changed while it was being confirmed; reload and try again")),
        Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            return Err(ApiError::conflict("version_taken", "another submission of your force was confirmed at the same moment; reload and try again"));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(get(&mut *conn, id).await?.expect("the row was just updated"))
}

/// Discards a validated (unconfirmed) submission (in the caller's transaction).
pub async fn discard(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Submission, ApiError> {
    let r = sqlx::query("UPDATE submissions SET status = 'discarded' WHERE id = $1 AND status = 'validated'").bind(id.to_string()).execute(&mut *conn).await?;
    let s = get(&mut *conn, id).await?.ok_or_else(|| ApiError::not_found("there is no such submission"))?;
    if r.rows_affected() == 0 {
        return Err(ApiError::conflict("not_discardable", format!("this submission is {} and cannot be discarded", s.status)));
    }
    Ok(s)
}
