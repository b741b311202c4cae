//! The tracker: every one of the 44 forces for a period, with the state of its latest
//! confirmed version (not submitted / submitted with rejected rows / accepted), whether it is
//! overdue, whether it meets the standard (the bar `max_rejected_share`) and its open queries.

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::Db;
use crate::periods::Period;
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
    pub rows_read: Option<i64>,
    pub rows_accepted: Option<i64>,
    pub rows_rejected: Option<i64>,
    /// Uploads validated but neither confirmed nor discarded yet.
    pub pending_uploads: usize,
    /// rows_rejected / rows_read of the latest confirmed version (none without one, or when it
    /// read no rows).
    pub rejected_share: Option<f64>,
    /// rejected_share ≤ max_rejected_share; none when there is no share.
    pub meets_standard: Option<bool>,
    /// The period's due date has passed and the force has no confirmed version.
    pub overdue: bool,
    /// Analyst queries on the force's submissions of the period that are not closed.
    pub open_queries: usize,
}

/// The share of rows read that were rejected; none when no row was read.
pub fn rejected_share(read: i64, rejected: i64) -> Option<f64> {
    (read > 0).then(|| rejected as f64 / read as f64)
}

/// Whether a share meets the bar: at most `max` (both exact at 4 of 100 against 0.04, since
/// the division is correctly rounded).
pub fn meets(share: f64, max: f64) -> bool {
    share <= max
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

/// A share as a percentage with at most three decimals (so 4.004% is not shown as the bar of
/// 4% it fails), e.g. `4%`, `4.17%`.
pub fn percent(share: f64) -> String {
    let t = format!("{:.3}", share * 100.0);
    format!("{}%", t.trim_end_matches('0').trim_end_matches('.'))
}

/// The rows of `period` as of `today` (for overdue), against the bar `max_share`.
pub async fn tracker(db: &Db, period: &Period, max_share: f64, today: NaiveDate) -> Result<Vec<Row>, sqlx::Error> {
    let latest = submissions::latest_confirmed(db, &period.id).await?;
    let all = submissions::list(db, Some(&period.id), None).await?;
    let open = crate::queries::open_in_period(db, &period.id).await?;
    let past_due = period.past_due(today);
    Ok(csae_model::forces()
        .iter()
        .map(|f| {
            let s: Option<&Submission> = latest.iter().find(|s| s.force_id == f.id);
            let pending = all.iter().filter(|x| x.force_id == f.id && x.status == submissions::VALIDATED).count();
            let share = s.and_then(|s| rejected_share(s.rows_read, s.rows_rejected));
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
                rows_read: s.map(|s| s.rows_read),
                rows_accepted: s.map(|s| s.rows_accepted),
                rows_rejected: s.map(|s| s.rows_rejected),
                pending_uploads: pending,
                rejected_share: share,
                meets_standard: share.map(|x| meets(x, max_share)),
                overdue: past_due && s.is_none(),
                open_queries: open.iter().filter(|q| q.force_id == f.id).count(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_holds_at_exactly_four_percent_and_not_above() {
        assert_eq!(rejected_share(100, 4), Some(0.04));
        assert!(meets(rejected_share(100, 4).unwrap(), 0.04));
        assert!(meets(rejected_share(25, 1).unwrap(), 0.04));
        assert!(meets(rejected_share(1_000_000, 40_000).unwrap(), 0.04));
        assert!(!meets(rejected_share(1_000_000, 40_001).unwrap(), 0.04));
        assert!(!meets(rejected_share(100, 5).unwrap(), 0.04));
        assert_eq!(rejected_share(0, 0), None);
        assert_eq!((percent(0.04), percent(0.0417), percent(0.07), percent(0.0)), ("4%".into(), "4.17%".into(), "7%".into(), "0%".into()));
        assert_eq!((percent(0.04004), percent(1.0)), ("4.004%".into(), "100%".into()));
    }

    #[test]
    fn a_period_is_past_due_only_after_its_due_date() {
        let d = |s: &str| csae_model::dates::parse_iso(s).unwrap();
        let mut p = Period { id: "2023".into(), from: "2023-01-01".into(), to: "2023-12-31".into(), opened_by: "a".into(), opened_at: "x".into(), due: None };
        assert!(!p.past_due(d("2099-01-01")), "no due date, never overdue");
        p.due = Some("2024-03-31".into());
        assert!(!p.past_due(d("2024-03-31")), "on the day it is not yet overdue");
        assert!(p.past_due(d("2024-04-01")));
    }
}
