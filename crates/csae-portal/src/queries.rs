//! Analyst queries on submissions: an analyst raises one, the users of the submission's force
//! reply, an analyst closes it. The same role and force checks as every route (403 for a role
//! that may never do it, 404 for another force's query), and every step and refusal audited —
//! with the query's id, never its text.

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::access::{Principal, Role};
use crate::audit::Event;
use crate::db::Db;
use crate::error::ApiError;
use crate::server::App;
use crate::util::{new_id, now};

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

/// The longest query or reply, in characters after trimming.
pub const MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, Serialize)]
pub struct Query {
    pub id: String,
    pub submission_id: String,
    pub period: String,
    pub force_id: String,
    /// `open` or `closed`.
    pub status: String,
    pub text: String,
    pub raised_by: String,
    pub raised_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
    /// Oldest first.
    pub replies: Vec<Reply>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub id: String,
    pub text: String,
    pub replied_by: String,
    pub replied_at: String,
}

/// The text of a query or reply as stored: trimmed, 1 to [`MAX_CHARS`] characters, no control
/// characters but line breaks and tabs (PostgreSQL cannot store NUL, and the others only hide
/// text). The refusal never repeats the text, since it goes into the audit log.
pub fn check_text(raw: &str) -> Result<String, ApiError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ApiError::bad_request("bad_text", "the text is empty; write the query or reply (at most 2,000 characters)"));
    }
    let n = t.chars().count();
    if n > MAX_CHARS {
        return Err(ApiError::bad_request("bad_text", format!("the text is {n} characters long; shorten it to at most 2,000")));
    }
    if t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ApiError::bad_request("bad_text", "the text holds control characters; write plain text (line breaks are fine)"));
    }
    Ok(t.to_string())
}

/// The text of a request, checked: `None` is an API body that is not `{"text": "…"}`.
fn text_of_request(text: Option<&str>) -> Result<String, ApiError> {
    let t = text.ok_or_else(|| ApiError::bad_request("bad_json", "the body is not a query or reply; send {\"text\": \"…\"} with at most 2,000 characters"))?;
    check_text(t)
}

const COLUMNS: &str = "id, submission_id, period_id, force_id, status, body, raised_by, raised_at, closed_by, closed_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Query, sqlx::Error> {
    Ok(Query {
        id: r.try_get(0)?,
        submission_id: r.try_get(1)?,
        period: r.try_get(2)?,
        force_id: r.try_get(3)?,
        status: r.try_get(4)?,
        text: r.try_get(5)?,
        raised_by: r.try_get(6)?,
        raised_at: r.try_get(7)?,
        closed_by: r.try_get(8)?,
        closed_at: r.try_get(9)?,
        replies: Vec::new(),
    })
}

/// A query with its replies.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<Query>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM queries WHERE id = $1"));
    let Some(r) = sqlx::query(sql).bind(id.to_string()).fetch_optional(&mut *conn).await? else { return Ok(None) };
    let mut q = from_row(&r)?;
    let rows = sqlx::query("SELECT id, body, replied_by, replied_at FROM query_replies WHERE query_id = $1 ORDER BY seq").bind(id.to_string()).fetch_all(&mut *conn).await?;
    q.replies = rows.iter().map(reply_from_row).collect::<Result<_, _>>()?;
    Ok(Some(q))
}

fn reply_from_row(r: &sqlx::any::AnyRow) -> Result<Reply, sqlx::Error> {
    Ok(Reply { id: r.try_get(0)?, text: r.try_get(1)?, replied_by: r.try_get(2)?, replied_at: r.try_get(3)? })
}

/// The queries of a submission with their replies, in the order they were raised.
pub async fn of_submission(db: &Db, submission: &str) -> Result<Vec<Query>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM queries WHERE submission_id = $1 ORDER BY seq"));
    let mut qs: Vec<Query> = sqlx::query(sql).bind(submission.to_string()).fetch_all(&db.pool).await?.iter().map(from_row).collect::<Result<_, _>>()?;
    let rows = sqlx::query(
        "SELECT r.id, r.body, r.replied_by, r.replied_at, r.query_id FROM query_replies r JOIN queries q ON q.id = r.query_id \
         WHERE q.submission_id = $1 ORDER BY r.query_id, r.seq",
    )
    .bind(submission.to_string())
    .fetch_all(&db.pool)
    .await?;
    for r in &rows {
        let qid: String = r.try_get(4)?;
        if let Some(q) = qs.iter_mut().find(|q| q.id == qid) {
            q.replies.push(reply_from_row(r)?);
        }
    }
    Ok(qs)
}

/// The open queries of a period (without replies), by force then as raised.
pub async fn open_in_period(db: &Db, period: &str) -> Result<Vec<Query>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM queries WHERE period_id = $1 AND status = 'open' ORDER BY force_id, raised_at, submission_id, seq"));
    sqlx::query(sql).bind(period.to_string()).fetch_all(&db.pool).await?.iter().map(from_row).collect()
}

/// The next number of a query's (or submission's) replies (queries), in the caller's transaction.
async fn next_seq(conn: &mut AnyConnection, table: &'static str, parent: &'static str, id: &str) -> Result<i64, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT MAX(seq) FROM {table} WHERE {parent} = $1"));
    let max: Option<i64> = sqlx::query_scalar(sql).bind(id.to_string()).fetch_one(&mut *conn).await?;
    Ok(max.unwrap_or(0) + 1)
}

async fn insert(conn: &mut AnyConnection, q: &Query) -> Result<(), sqlx::Error> {
    let seq = next_seq(conn, "queries", "submission_id", &q.submission_id).await?;
    sqlx::query(
        "INSERT INTO queries (id, submission_id, seq, period_id, force_id, body, status, raised_by, raised_at, closed_by, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, NULL, NULL)",
    )
    .bind(q.id.clone())
    .bind(q.submission_id.clone())
    .bind(seq)
    .bind(q.period.clone())
    .bind(q.force_id.clone())
    .bind(q.text.clone())
    .bind(q.raised_by.clone())
    .bind(q.raised_at.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds a reply to an open query (409 when it is closed), in the caller's transaction, which
/// holds the write lock so a close cannot slip in between the check and the insert.
async fn add_reply(conn: &mut AnyConnection, query: &str, text: &str, by: &str) -> Result<(Query, String), ApiError> {
    let q = get(&mut *conn, query).await?.ok_or_else(|| ApiError::not_found("there is no such query"))?;
    if q.status != OPEN {
        return Err(ApiError::conflict("query_closed", "this query is closed and takes no more replies; the analyst can raise a new one"));
    }
    let seq = next_seq(conn, "query_replies", "query_id", query).await?;
    let id = new_id();
    sqlx::query("INSERT INTO query_replies (id, query_id, seq, body, replied_by, replied_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.clone())
        .bind(query.to_string())
        .bind(seq)
        .bind(text.to_string())
        .bind(by.to_string())
        .bind(now())
        .execute(&mut *conn)
        .await?;
    let q = get(&mut *conn, query).await?.expect("the query was just read");
    Ok((q, id))
}

/// Closes an open query (409 when it is closed already), in the caller's transaction.
async fn close(conn: &mut AnyConnection, query: &str, by: &str) -> Result<Query, ApiError> {
    let r = sqlx::query("UPDATE queries SET status = 'closed', closed_by = $1, closed_at = $2 WHERE id = $3 AND status = 'open'")
        .bind(by.to_string())
        .bind(now())
        .bind(query.to_string())
        .execute(&mut *conn)
        .await?;
    let q = get(&mut *conn, query).await?.ok_or_else(|| ApiError::not_found("there is no such query"))?;
    if r.rows_affected() == 0 {
        return Err(ApiError::conflict("query_closed", "this query is closed already"));
    }
    Ok(q)
}

impl App {
    /// A query the principal may see, else 404 (another force's looks like a missing one).
    async fn visible_query(&self, p: &Principal, id: &str) -> Result<Query, ApiError> {
        let mut conn = self.db.pool.acquire().await?;
        match get(&mut conn, id).await? {
            Some(q) if p.sees_force(&q.force_id) => Ok(q),
            _ => Err(ApiError::not_found("there is no such query")),
        }
    }

    /// The entry of a query step taken with success: the query's force and submission, its id.
    fn query_event(p: &Principal, ip: &str, action: &'static str, q: &Query, detail: String) -> Event {
        Event::new(&p.username, action, "ok").force(Some(&q.force_id)).submission(Some(&q.submission_id)).ip(ip).detail(detail)
    }

    /// An analyst raises a query on a submission of any force (`text` as [`text_of_request`]).
    pub async fn raise_query(&self, p: &Principal, ip: &str, submission: &str, text: Option<&str>) -> Result<Query, ApiError> {
        let r = async {
            p.require(&[Role::Analyst])?;
            let s = self.visible_submission(p, submission).await?;
            let text = text_of_request(text)?;
            let q = Query {
                id: new_id(),
                submission_id: s.id.clone(),
                period: s.period.clone(),
                force_id: s.force_id.clone(),
                status: OPEN.into(),
                text,
                raised_by: p.username.clone(),
                raised_at: now(),
                closed_by: None,
                closed_at: None,
                replies: Vec::new(),
            };
            let event = |q: &Query| Self::query_event(p, ip, "raise_query", q, format!("query {}", q.id));
            Ok(crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| insert(c, &q).await.map(|()| q.clone()), event).await?)
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "raise_query", p.own_force(), Some(submission), &r, "").await;
        }
        r
    }

    /// A user of the query's force replies to an open query.
    pub async fn reply_query(&self, p: &Principal, ip: &str, query: &str, text: Option<&str>) -> Result<Query, ApiError> {
        let r = async {
            p.require(&[Role::Submitter, Role::ForceViewer])?;
            self.visible_query(p, query).await?;
            let text = text_of_request(text)?;
            let event = |(q, reply): &(Query, String)| Self::query_event(p, ip, "reply_query", q, format!("reply {reply} to query {}", q.id));
            let (q, _) = crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| add_reply(c, query, &text, &p.username).await, event).await?;
            Ok(q)
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "reply_query", p.own_force(), None, &r, &format!("query {query}")).await;
        }
        r
    }

    /// An analyst closes an open query.
    pub async fn close_query(&self, p: &Principal, ip: &str, query: &str) -> Result<Query, ApiError> {
        let r = async {
            p.require(&[Role::Analyst])?;
            self.visible_query(p, query).await?;
            let event = |q: &Query| Self::query_event(p, ip, "close_query", q, format!("query {}", q.id));
            crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| close(c, query, &p.username).await, event).await
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "close_query", p.own_force(), None, &r, &format!("query {query}")).await;
        }
        r
    }

    /// The submission of a query the principal may see (a page's way back after a step).
    pub async fn query_submission(&self, p: &Principal, id: &str) -> Option<String> {
        self.visible_query(p, id).await.ok().map(|q| q.submission_id)
    }

    /// The queries of a submission the principal has just been shown (by `view_submission`).
    pub async fn submission_queries(&self, submission: &str) -> Result<Vec<Query>, ApiError> {
        Ok(of_submission(&self.db, submission).await?)
    }

    /// The open queries of a period, for the tracker (analysts only).
    pub async fn open_queries(&self, p: &Principal, period: &str) -> Result<Vec<Query>, ApiError> {
        p.require(&[Role::Analyst])?;
        Ok(open_in_period(&self.db, period).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(check_text("  Why did March drop?\n").unwrap(), "Why did March drop?");
        assert_eq!(check_text(" \n\t ").unwrap_err().code, "bad_text");
        let most = "é".repeat(MAX_CHARS);
        assert_eq!(check_text(&format!("  {most}  ")).unwrap().chars().count(), MAX_CHARS, "2,000 characters of two bytes each");
        let e = check_text(&format!("{most}x")).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "bad_text"));
        assert!(!e.message().contains('é'), "the refusal never repeats the text");
        assert!(check_text("a\u{0}b").is_err());
        assert!(check_text("line one\r\nline two\tend").is_ok());
    }
}
