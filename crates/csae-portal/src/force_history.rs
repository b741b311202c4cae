//! A force's history (`GET /api/v1/forces/{force}/history`): every submission of the force in
//! every period, with its rows, its rejected share against the bar, and the history queries
//! (H01–H05) its validation found — read from the stored report as a stream, since a report
//! can be far larger than the few lines wanted from it.

use serde::Serialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::access::Principal;
use crate::error::ApiError;
use crate::files::Layout;
use crate::server::App;
use crate::submissions::{self, Submission};
use crate::tracker::{meets, rejected_share};

#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub period: String,
    pub submission_id: String,
    pub version: Option<i64>,
    pub status: String,
    pub uploaded_at: String,
    pub confirmed_at: Option<String>,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub rows_rejected: i64,
    pub rejected_share: Option<f64>,
    pub meets_standard: Option<bool>,
    /// The `history` of the submission's validation report as stored, or null.
    pub history: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForceHistory {
    pub force_id: String,
    pub force_name: String,
    pub max_rejected_share: f64,
    /// By period (earliest first), then in upload order (versions first within a second).
    pub submissions: Vec<Version>,
}

impl App {
    /// That force's users and analysts; another force, or no such force, is 404.
    pub async fn force_history(&self, p: &Principal, ip: &str, force: &str) -> Result<ForceHistory, ApiError> {
        let r = async {
            p.require(crate::ops::FORCE_DATA)?;
            let f = csae_model::force(force).filter(|f| f.id == force && p.sees_force(&f.id)).ok_or_else(|| ApiError::not_found("there is no such force"))?;
            let starts: std::collections::HashMap<String, String> = crate::periods::list(&self.db).await?.into_iter().map(|x| (x.id, x.from)).collect();
            let mut subs = submissions::list(&self.db, None, Some(&f.id)).await?;
            // Time stamps have only seconds: within one, versions in order, then unconfirmed uploads.
            let key = |s: &Submission| (starts.get(&s.period).cloned(), s.period.clone(), s.uploaded_at.clone(), s.version.unwrap_or(i64::MAX), s.id.clone());
            subs.sort_by_key(key);
            let mut out = Vec::with_capacity(subs.len());
            for s in subs {
                let history = self.stored_history(&s).await?;
                let share = rejected_share(s.rows_read, s.rows_rejected);
                out.push(Version {
                    period: s.period,
                    submission_id: s.id,
                    version: s.version,
                    status: s.status,
                    uploaded_at: s.uploaded_at,
                    confirmed_at: s.confirmed_at,
                    rows_read: s.rows_read,
                    rows_accepted: s.rows_accepted,
                    rows_rejected: s.rows_rejected,
                    rejected_share: share,
                    meets_standard: share.map(|x| meets(x, self.cfg.max_rejected_share)),
                    history,
                });
            }
            Ok(ForceHistory { force_id: f.id.clone(), force_name: f.name.clone(), max_rejected_share: self.cfg.max_rejected_share, submissions: out })
        }
        .await;
        let detail = r.as_ref().map(|h| format!("{} submissions", h.submissions.len())).unwrap_or_default();
        let force_ok = r.as_ref().ok().map(|h| h.force_id.clone());
        self.audit_result(p, ip, "view_force_history", force_ok.as_deref().or(p.own_force()), None, &r, &detail).await;
        r
    }

    /// The history of a listed submission's report, from its file. Reports kept in the database
    /// belong to submissions made before reports had files, and before the history checks, so
    /// they have none.
    async fn stored_history(&self, s: &Submission) -> Result<serde_json::Value, ApiError> {
        let (layout, id, force) = (self.layout.clone(), s.id.clone(), s.force_id.clone());
        let from_file = tokio::task::spawn_blocking(move || history_in_file(&layout, &id, &force)).await.map_err(|_| ApiError::internal("read a validation report"))?;
        Ok(from_file.unwrap_or(serde_json::Value::Null))
    }
}

/// `forces.<force>.history` of the report file, or None when there is no file.
fn history_in_file(layout: &Layout, id: &str, force: &str) -> Option<serde_json::Value> {
    let f = std::fs::File::open(submissions::report_file(layout, id)).ok()?;
    // A report the portal cannot read has no history to show; the submission is still listed.
    Some(value_at(std::io::BufReader::new(f), &["forces", force, "history"]).unwrap_or(serde_json::Value::Null))
}

/// The value at `path` (object keys) of a JSON document read as a stream, skipping everything
/// else without keeping it; null when the path is absent.
pub fn value_at<R: std::io::Read>(reader: R, path: &[&str]) -> Result<serde_json::Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    Ok(PathSeed(path).deserialize(&mut de)?.unwrap_or(serde_json::Value::Null))
}

struct PathSeed<'a>(&'a [&'a str]);

impl<'de> DeserializeSeed<'de> for PathSeed<'_> {
    type Value = Option<serde_json::Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.0.is_empty() {
            serde::Deserialize::deserialize(d).map(Some)
        } else {
            d.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for PathSeed<'_> {
    type Value = Option<serde_json::Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        let (first, rest) = self.0.split_first().expect("a path with keys is visited");
        let mut found = None;
        while let Some(k) = m.next_key::<String>()? {
            if k == *first && found.is_none() {
                found = m.next_value_seed(PathSeed(rest))?;
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    // Anything but an object has no keys: the path is absent.
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_at_a_path_is_read_and_everything_else_skipped() {
        let doc = r#"{"schema":"csae.validation/1","forces":{"durham":{"history":1},"cumbria":{"issues":[{"a":[1,2,{"history":0}]}],"tables":{},
            "history":{"previous_period":"2022","queries":[{"rule":"H01","previous":10,"current":40,"month":null,"message":"m"}]}}}}"#;
        let h = value_at(doc.as_bytes(), &["forces", "cumbria", "history"]).unwrap();
        assert_eq!(h["previous_period"], "2022");
        assert_eq!(h["queries"][0]["rule"], "H01");
        assert_eq!(value_at(doc.as_bytes(), &["forces", "durham", "history"]).unwrap(), serde_json::json!(1));
        assert!(value_at(doc.as_bytes(), &["forces", "kent", "history"]).unwrap().is_null(), "absent force");
        assert!(value_at(r#"{"forces":{"cumbria":{"tables":{}}}}"#.as_bytes(), &["forces", "cumbria", "history"]).unwrap().is_null(), "no history key");
        assert!(value_at(r#"{"forces":[1,"x",null]}"#.as_bytes(), &["forces", "cumbria"]).unwrap().is_null(), "not an object");
        assert!(value_at(&b"{\"forces\":"[..], &["forces"]).is_err(), "a cut-off report is an error");
    }
}
