//! The audit log: append-only and hash-chained. Each entry's hash is
//! `SHA-256(previous hash || "\n" || canonical JSON of the entry)`, so editing, removing or
//! reordering any entry breaks the chain from there on; the latest (seq, hash) is also kept in
//! `audit.head` in the data folder, so removing entries from the end is detected too.
//!
//! Details never hold personal values (person refs, PNC ids, dates of birth): callers pass
//! counts, ids, file names and reasons only.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::db::Db;
use crate::util::{now, sha256_hex};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
pub const HEAD_FILE: &str = "audit.head";

/// What happened, as the audit log records it.
#[derive(Debug, Clone, Default)]
pub struct Event {
    /// The user name, or `-` when nobody is signed in (e.g. a refused request).
    pub actor: String,
    /// E.g. `sign_in`, `upload`, `confirm`, `view_submission`, `build`, `download`.
    pub action: &'static str,
    /// `ok`, `refused` or `failed`.
    pub outcome: &'static str,
    pub force: Option<String>,
    pub submission: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// A short non-personal explanation (a reason, counts, a file name).
    pub detail: String,
}

impl Event {
    pub fn new(actor: &str, action: &'static str, outcome: &'static str) -> Event {
        Event { actor: actor.to_string(), action, outcome, ..Event::default() }
    }
    pub fn force(mut self, f: Option<&str>) -> Self {
        self.force = f.map(str::to_string);
        self
    }
    pub fn submission(mut self, s: Option<&str>) -> Self {
        self.submission = s.map(str::to_string);
        self
    }
    pub fn ip(mut self, ip: &str) -> Self {
        self.ip = Some(ip.to_string());
        self
    }
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = d.into();
        self
    }
}

/// One stored entry.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub force: Option<String>,
    pub submission: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

impl Entry {
    /// The canonical form that is hashed: compact JSON with the fields in this fixed order.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("an audit entry serialises")
    }

    pub fn hash(&self, prev: &str) -> String {
        sha256_hex(format!("{prev}\n{}", self.canonical()).as_bytes())
    }
}

/// Where the chain's head is anchored, outside the database.
pub fn head_file(data_dir: &Path) -> PathBuf {
    data_dir.join(HEAD_FILE)
}

fn read_head(data_dir: &Path) -> Option<(i64, String)> {
    let text = std::fs::read_to_string(head_file(data_dir)).ok()?;
    let (seq, hash) = text.trim().split_once(' ')?;
    Some((seq.parse().ok()?, hash.to_string()))
}

/// Moves the head forward (never back: another process may have appended after us).
fn write_head(data_dir: &Path, seq: i64, hash: &str) -> std::io::Result<()> {
    if read_head(data_dir).is_some_and(|(s, _)| s >= seq) {
        return Ok(());
    }
    std::fs::create_dir_all(data_dir)?;
    let path = head_file(data_dir);
    let tmp = data_dir.join(format!(".{HEAD_FILE}.tmp-{}-{seq}", std::process::id()));
    std::fs::write(&tmp, format!("{seq} {hash}\n"))?;
    std::fs::rename(&tmp, &path)
}

/// Appends `ev` to the chain in the caller's transaction; returns the new head (sequence and
/// hash), to be anchored in `audit.head` once the transaction is committed.
pub async fn append_in(conn: &mut AnyConnection, ev: Event) -> Result<(i64, String), sqlx::Error> {
    let head = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let (prev_seq, prev_hash) = match head {
        Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?),
        None => (0, GENESIS.to_string()),
    };
    let entry = Entry {
        seq: prev_seq + 1,
        at: now(),
        actor: ev.actor,
        action: ev.action.to_string(),
        outcome: ev.outcome.to_string(),
        force: ev.force,
        submission: ev.submission,
        ip: ev.ip,
        detail: ev.detail,
    };
    let hash = entry.hash(&prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, outcome, force_id, submission_id, ip, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(entry.seq)
    .bind(entry.at.clone())
    .bind(entry.actor.clone())
    .bind(entry.action.clone())
    .bind(entry.outcome.clone())
    .bind(entry.force.clone())
    .bind(entry.submission.clone())
    .bind(entry.ip.clone())
    .bind(entry.detail.clone())
    .bind(prev_hash)
    .bind(hash.clone())
    .execute(&mut *conn)
    .await?;
    Ok((entry.seq, hash))
}

/// Records a committed head in `audit.head`; a failure only weakens the end-of-log check until
/// the next entry, so it is reported, not returned.
fn anchor(data_dir: &Path, seq: i64, hash: &str) {
    if let Err(e) = write_head(data_dir, seq, hash) {
        eprintln!("csae: cannot update {} ({e})", head_file(data_dir).display());
    }
}

/// Makes a change and writes its audit entry in one database transaction, so that neither is
/// ever stored without the other; `event` describes the change from its result. Serialised in
/// this process by the database's write lock.
pub async fn with_entry<T, E: From<sqlx::Error>>(
    db: &Db,
    data_dir: &Path,
    change: impl AsyncFnOnce(&mut AnyConnection) -> Result<T, E>,
    event: impl FnOnce(&T) -> Event,
) -> Result<T, E> {
    let _guard = db.write_lock.lock().await;
    let mut tx = db.pool.begin().await?;
    let value = change(&mut tx).await?;
    csae_dataset::crash_point("portal-before-audit");
    let (seq, hash) = append_in(&mut tx, event(&value)).await?;
    tx.commit().await?;
    csae_dataset::crash_point("portal-after-commit");
    anchor(data_dir, seq, &hash);
    Ok(value)
}

/// Appends `ev` to the chain on its own (a refusal, a view: nothing else changes) and returns
/// its sequence number. Another process appending at the same moment makes the insert hit the
/// primary key on `seq`, and the append is retried on the new head.
pub async fn append(db: &Db, data_dir: &Path, ev: Event) -> Result<i64, sqlx::Error> {
    let mut last_err = None;
    for _ in 0..20 {
        let ev = ev.clone();
        match with_entry(db, data_dir, async |_: &mut AnyConnection| Ok::<(), sqlx::Error>(()), |_| ev).await {
            Ok(()) => return Ok(head(db).await?.map_or(0, |h| h.0)),
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                last_err = Some(sqlx::Error::Database(d));
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_err.expect("a retry happened"))
}

/// The latest entry's sequence number and hash, if any.
pub async fn head(db: &Db) -> Result<Option<(i64, String)>, sqlx::Error> {
    let r = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&db.pool).await?;
    r.map(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?))).transpose()
}

/// Appends, and on failure says so on standard error: the request that caused the event has
/// already been decided, and an audit failure must not turn a refusal into a success.
pub async fn record(db: &Db, data_dir: &Path, ev: Event) {
    if let Err(e) = append(db, data_dir, ev).await {
        eprintln!("csae serve: cannot write the audit log: {}", crate::error::db_reason(&e));
    }
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: i64,
    /// Empty when the chain is intact; else one sentence per problem, first problem first.
    pub problems: Vec<String>,
}

/// Reads every entry in order and checks sequence, links and hashes, then the head anchor in
/// the data folder and, when given, a head recorded elsewhere (`csae audit head`); then checks
/// that every submission, confirmation, discard, build, user, token, query (raised, closed)
/// and reply has its entry.
pub async fn verify(db: &Db, data_dir: &Path, recorded: Option<(i64, &str)>) -> Result<Verified, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, action, outcome, force_id, submission_id, ip, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1i64;
    for r in &rows {
        let entry = Entry {
            seq: r.try_get(0)?,
            at: r.try_get(1)?,
            actor: r.try_get(2)?,
            action: r.try_get(3)?,
            outcome: r.try_get(4)?,
            force: r.try_get(5)?,
            submission: r.try_get(6)?,
            ip: r.try_get(7)?,
            detail: r.try_get(8)?,
        };
        let stored_prev: String = r.try_get(9)?;
        let stored_hash: String = r.try_get(10)?;
        if entry.seq != expected_seq {
            problems.push(format!("entry {expected_seq} is missing (the next entry is {}): entries were removed", entry.seq));
        } else if stored_prev != prev_hash {
            problems.push(format!("entry {} does not follow entry {}: entries were removed, reordered or replaced", entry.seq, entry.seq - 1));
        } else if entry.hash(&prev_hash) != stored_hash {
            problems.push(format!("entry {} ({} by {} at {}) was edited after it was written", entry.seq, entry.action, entry.actor, entry.at));
        }
        if !problems.is_empty() {
            // Everything after the first break is unanchored; one clear sentence is enough.
            break;
        }
        prev_hash = stored_hash;
        expected_seq = entry.seq + 1;
    }
    let last = rows.len() as i64;
    if problems.is_empty() {
        match read_head(data_dir) {
            Some((seq, _)) if seq > last => {
                problems.push(format!("the log ends at entry {last} but entry {seq} was written: entries were removed from the end"))
            }
            Some((seq, hash)) if seq >= 1 => {
                let at = rows.get((seq - 1) as usize).and_then(|r| r.try_get::<String, _>(10).ok());
                if at.as_deref() != Some(hash.as_str()) {
                    problems.push(format!("entry {seq} differs from the one recorded in {HEAD_FILE}: the log was rewritten"));
                }
            }
            None if last > 0 => problems.push(format!(
                "{} is missing, so removal of the latest entries cannot be ruled out; restore it from backup",
                head_file(data_dir).display()
            )),
            _ => {}
        }
    }
    if problems.is_empty()
        && let Some((seq, hash)) = recorded
    {
        let at = rows.get((seq - 1).max(0) as usize).filter(|_| seq >= 1).and_then(|r| r.try_get::<String, _>(10).ok());
        match at {
            None => problems.push(format!("the log ends at entry {last}, before entry {seq} recorded elsewhere: entries were removed")),
            Some(h) if h != hash => problems.push(format!("entry {seq} differs from the head recorded elsewhere: the log was rewritten")),
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        problems.extend(unrecorded_changes(db).await?);
    }
    Ok(Verified { entries: last, problems })
}

/// The stored changes that have no entry of their own in the log.
async fn unrecorded_changes(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    use std::collections::HashSet;
    let entries = sqlx::query("SELECT action, submission_id, detail FROM audit_log WHERE outcome = 'ok'").fetch_all(&db.pool).await?;
    let mut by_submission: HashSet<(String, String)> = HashSet::new();
    let mut details: HashSet<(String, String)> = HashSet::new();
    for r in &entries {
        let (action, sub, detail): (String, Option<String>, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        if let Some(sub) = sub {
            by_submission.insert((action.clone(), sub));
        }
        // The subject of an entry: the first two words of its detail (`build <id>`, `user <name>`, `token <id>`).
        let subject: String = detail.split(' ').take(2).collect::<Vec<_>>().join(" ");
        details.insert((action, subject));
    }
    let mut missing = Vec::new();
    for r in sqlx::query("SELECT id, status FROM submissions ORDER BY uploaded_at, id").fetch_all(&db.pool).await? {
        let (id, status): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let needed: &[&str] = match status.as_str() {
            "confirmed" => &["upload", "confirm"],
            "discarded" => &["upload", "discard"],
            _ => &["upload"],
        };
        missing.extend(needed.iter().filter(|a| !by_submission.contains(&(a.to_string(), id.clone()))).map(|a| format!("submission {id} has no {a} entry")));
    }
    for id in sqlx::query_scalar::<_, String>("SELECT id FROM builds ORDER BY built_at, id").fetch_all(&db.pool).await? {
        if !details.contains(&("build".to_string(), format!("build {id}"))) {
            missing.push(format!("build {id} has no build entry"));
        }
    }
    for r in sqlx::query("SELECT username, disabled FROM users ORDER BY username").fetch_all(&db.pool).await? {
        let (name, disabled): (String, i64) = (r.try_get(0)?, r.try_get(1)?);
        let subject = format!("user {name}");
        if !details.contains(&("user_add".to_string(), subject.clone())) {
            missing.push(format!("user {name} has no user_add entry"));
        }
        if disabled != 0 && !details.contains(&("user_disable".to_string(), subject)) {
            missing.push(format!("user {name} is disabled but has no user_disable entry"));
        }
    }
    for r in sqlx::query("SELECT id, status FROM queries ORDER BY raised_at, id").fetch_all(&db.pool).await? {
        let (id, status): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let subject = format!("query {id}");
        if !details.contains(&("raise_query".to_string(), subject.clone())) {
            missing.push(format!("query {id} has no raise_query entry"));
        }
        if status == "closed" && !details.contains(&("close_query".to_string(), subject)) {
            missing.push(format!("query {id} is closed but has no close_query entry"));
        }
    }
    for id in sqlx::query_scalar::<_, String>("SELECT id FROM query_replies ORDER BY replied_at, id").fetch_all(&db.pool).await? {
        if !details.contains(&("reply_query".to_string(), format!("reply {id}"))) {
            missing.push(format!("reply {id} has no reply_query entry"));
        }
    }
    for id in sqlx::query_scalar::<_, String>("SELECT id FROM api_tokens ORDER BY created_at, id").fetch_all(&db.pool).await? {
        if !details.contains(&("token_new".to_string(), format!("token {id}"))) {
            missing.push(format!("API token {id} has no token_new entry"));
        }
    }
    if !missing.is_empty() {
        let more = if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
        missing.truncate(5);
        return Ok(vec![format!("changes were stored without their audit entries: {}{more}", missing.join(", "))]);
    }
    Ok(missing)
}
