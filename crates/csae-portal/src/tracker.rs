//! The tracker: every one of the 44 forces for a period, with the state of its latest
//! confirmed version (not submitted / submitted with rejected rows / accepted).

use serde::Serialize;

use crate::db::Db;
use crate::submissions::{self, Submission};

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub force_id: String,
    pub force_name: String,
    pub region: String,
    /// `not_submitted`, `rejected_rows` or `accepted`.
    pub status: &'static str,
    pub version: Option<i64>,
    pub submission_id: Option<String>,
    pub confirmed_at: Option<String>,
    pub rows_accepted: Option<i64>,
    pub rows_rejected: Option<i64>,
    /// Uploads validated but neither confirmed nor discarded yet.
    pub pending_uploads: usize,
}

impl Row {
    pub fn status_text(&self) -> &'static str {
        match self.status {
            "accepted" => "Accepted",
            "rejected_rows" => "Submitted with rejected rows",
            _ => "Not submitted",
        }
    }
}

pub async fn tracker(db: &Db, period: &str) -> Result<Vec<Row>, sqlx::Error> {
    let latest = submissions::latest_confirmed(db, period).await?;
    let all = submissions::list(db, Some(period), None).await?;
    Ok(csae_model::forces()
        .iter()
        .map(|f| {
            let s: Option<&Submission> = latest.iter().find(|s| s.force_id == f.id);
            let pending = all.iter().filter(|x| x.force_id == f.id && x.status == submissions::VALIDATED).count();
            Row {
                force_id: f.id.clone(),
                force_name: f.name.clone(),
                region: f.region.clone(),
                status: match s {
                    None => "not_submitted",
                    Some(s) if s.rows_rejected > 0 => "rejected_rows",
                    Some(_) => "accepted",
                },
                version: s.and_then(|s| s.version),
                submission_id: s.map(|s| s.id.clone()),
                confirmed_at: s.and_then(|s| s.confirmed_at.clone()),
                rows_accepted: s.map(|s| s.rows_accepted),
                rows_rejected: s.map(|s| s.rows_rejected),
                pending_uploads: pending,
            }
        })
        .collect())
}
