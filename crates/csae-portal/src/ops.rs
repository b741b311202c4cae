//! The actions of the portal, shared by the JSON API and the pages so both enforce the same
//! rules: role (403), then the object's force (404 for another force's objects), and every
//! outcome — refusals included — goes into the audit log.

use axum::http::StatusCode;
use sqlx::AnyConnection;

use crate::access::{Principal, Role};
use crate::audit::Event;
use crate::builds::{self, Build};
use crate::error::ApiError;
use crate::periods::{self, Period};
use crate::server::App;
use crate::submissions::{self, Submission};
use crate::tracker;
use crate::upload::{self, receive::Received};

pub(crate) const FORCE_DATA: &[Role] = &[Role::Submitter, Role::ForceViewer, Role::Analyst];

impl App {
    pub async fn open_period(&self, p: &Principal, ip: &str, id: &str, from: &str, to: &str, due: Option<&str>) -> Result<Period, ApiError> {
        let r = async {
            p.require(&[Role::Admin, Role::Analyst])?;
            periods::open(&self.db, id, from, to, due, &p.username).await
        }
        .await;
        let due_text = due.map_or(String::new(), |d| format!(", due {d}"));
        self.audit_result(p, ip, "open_period", None, None, &r, &format!("period {id}: {from} to {to}{due_text}")).await;
        r
    }

    /// The checks before an upload's body is read: role and period; returns the period and force.
    pub async fn upload_precheck(&self, p: &Principal, ip: &str, period: Option<&str>) -> Result<(Period, &'static csae_model::Force), ApiError> {
        let r = async {
            p.require(&[Role::Submitter])?;
            let force = p.own_force().and_then(csae_model::force).ok_or_else(|| ApiError::forbidden("your account is not bound to a force; ask an admin"))?;
            let period = periods::required(&self.db, period).await?;
            Ok((period, force))
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "upload", p.own_force(), None, &r, "").await;
        }
        r
    }

    /// Refusals while receiving the body (too large, interrupted) are audited here.
    pub async fn upload_refused(&self, p: &Principal, ip: &str, e: &ApiError) {
        let detail = format!("{} {}: {}", e.status.as_u16(), e.code, e.message());
        self.audit(Event { actor: p.username.clone(), action: "upload", outcome: "refused", force: p.force.clone(), submission: None, ip: Some(ip.into()), detail }).await;
    }

    /// Validates and stores a received upload as a new submission.
    pub async fn upload(&self, p: &Principal, ip: &str, period: &Period, force: &'static csae_model::Force, file_name: &str, received: Received) -> Result<Submission, ApiError> {
        let r = async {
            let layout = self.layout.clone();
            let (period_id, username, file_name) = (period.id.clone(), p.username.clone(), file_name.to_string());
            let (limits, memory_mb) = (self.cfg.read_limits(), self.cfg.max_validation_memory_bytes / (1024 * 1024));
            let history = builds::latest_dataset(&self.db, &self.layout).await?;
            let period_dates = period.dates();
            let (sub, received) = self
                .validation
                .run(move || {
                    let req = upload::UploadRequest { force, period: &period_id, username: &username, file_name: &file_name, limits, memory_mb, today: chrono::Utc::now().date_naive(), period_dates, history: history.as_deref() };
                    let r = upload::prepare(&layout, &req, &received).and_then(|(sub, stage)| {
                        upload::place(&layout, &stage, &sub.id)?;
                        Ok(sub)
                    });
                    (r, received)
                })
                .await
                .map_err(|_| ApiError::internal("validate the upload"))?;
            drop(received);
            let sub = sub?;
            // The row and its audit entry together; the files are in place before either.
            let event = |s: &Submission| {
                let detail = format!("{} ({} bytes, sha256 {}): {} rows read, {} accepted, {} rejected", s.file_name, s.bytes, &s.sha256[..16], s.rows_read, s.rows_accepted, s.rows_rejected);
                Event { actor: p.username.clone(), action: "upload", outcome: "ok", force: Some(force.id.clone()), submission: Some(s.id.clone()), ip: Some(ip.to_string()), detail }
            };
            let stored = crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| submissions::insert(c, &sub).await.map(|()| sub.clone()), event).await;
            if stored.is_err() {
                let _ = std::fs::remove_dir_all(self.layout.submission(&sub.id));
            }
            Ok(stored?)
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "upload", Some(&force.id), None, &r, "").await;
        }
        r
    }

    /// A submission the principal may see, else 404 (another force's looks like a missing one).
    pub(crate) async fn visible_submission(&self, p: &Principal, id: &str) -> Result<Submission, ApiError> {
        match submissions::get(&self.db.pool, id).await? {
            Some(s) if p.sees_force(&s.force_id) => Ok(s),
            _ => Err(ApiError::not_found("there is no such submission")),
        }
    }

    pub async fn view_submission(&self, p: &Principal, ip: &str, id: &str) -> Result<Submission, ApiError> {
        let r = async {
            p.require(FORCE_DATA)?;
            self.visible_submission(p, id).await
        }
        .await;
        let force = r.as_ref().ok().map(|s| s.force_id.clone());
        self.audit_result(p, ip, "view_submission", force.as_deref(), Some(id), &r, "").await;
        r
    }

    pub async fn list_submissions(&self, p: &Principal, ip: &str, period: Option<&str>) -> Result<Vec<Submission>, ApiError> {
        let r = async {
            p.require(FORCE_DATA)?;
            let force = if p.has(Role::Analyst) { None } else { p.own_force() };
            Ok(submissions::list(&self.db, period.filter(|s| !s.is_empty()), force).await?)
        }
        .await;
        self.audit_result(p, ip, "list_submissions", p.own_force(), None, &r, period.unwrap_or("all periods")).await;
        r
    }

    pub async fn confirm(&self, p: &Principal, ip: &str, id: &str) -> Result<Submission, ApiError> {
        let r = async {
            p.require(&[Role::Submitter])?;
            self.visible_submission(p, id).await?;
            let event = |s: &Submission| self.ok_event(p, ip, "confirm", Some(id), format!("version {}", s.version.unwrap_or(0)));
            crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| submissions::confirm(c, id, &p.username).await, event).await
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "confirm", p.own_force(), Some(id), &r, "").await;
        }
        r
    }

    pub async fn discard(&self, p: &Principal, ip: &str, id: &str) -> Result<Submission, ApiError> {
        let r = async {
            p.require(&[Role::Submitter])?;
            self.visible_submission(p, id).await?;
            let event = |_: &Submission| self.ok_event(p, ip, "discard", Some(id), String::new());
            crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| submissions::discard(c, id).await, event).await
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "discard", p.own_force(), Some(id), &r, "").await;
        }
        r
    }

    /// The entry of an action `p` took with success.
    fn ok_event(&self, p: &Principal, ip: &str, action: &'static str, sub: Option<&str>, detail: String) -> Event {
        Event { actor: p.username.clone(), action, outcome: "ok", force: p.own_force().map(str::to_string), submission: sub.map(str::to_string), ip: Some(ip.to_string()), detail }
    }

    pub async fn tracker(&self, p: &Principal, ip: &str, period: Option<&str>) -> Result<(Period, Vec<tracker::Row>), ApiError> {
        let r = async {
            p.require(&[Role::Analyst])?;
            let period = periods::required(&self.db, period).await?;
            let rows = tracker::tracker(&self.db, &period, self.cfg.max_rejected_share, chrono::Utc::now().date_naive()).await?;
            Ok((period, rows))
        }
        .await;
        self.audit_result(p, ip, "view_tracker", None, None, &r, period.unwrap_or("")).await;
        r
    }

    pub async fn build(&self, p: &Principal, ip: &str, period: Option<&str>) -> Result<Build, ApiError> {
        let r = async {
            p.require(&[Role::Analyst])?;
            let period = periods::required(&self.db, period).await?;
            let _one = self.build_lock.lock().await;
            let subs = submissions::latest_confirmed(&self.db, &period.id).await?;
            if subs.is_empty() {
                return Err(ApiError::conflict("nothing_to_build", format!("no force has confirmed a return for {} yet; builds use confirmed versions only", period.id)));
            }
            // Every earlier period's latest confirmed versions come too: the publication's series.
            // Periods ending before this one starts, latest first, skipping any that overlaps
            // one already taken (a return is never counted twice).
            let mut earlier: Vec<(Period, Vec<Submission>)> = Vec::new();
            let mut candidates: Vec<Period> = periods::list(&self.db).await?.into_iter().filter(|q| q.dates().1 < period.dates().0).collect();
            candidates.sort_by_key(|q| std::cmp::Reverse(q.dates()));
            for q in candidates {
                let (from, to) = q.dates();
                if earlier.iter().any(|(e, _)| from <= e.dates().1 && e.dates().0 <= to) {
                    continue;
                }
                let s = submissions::latest_confirmed(&self.db, &q.id).await?;
                if !s.is_empty() {
                    earlier.push((q, s));
                }
            }
            earlier.sort_by_key(|e| e.0.dates());
            let previous = builds::list(&self.db, &period.id).await?.first().map(|b| self.layout.build(&b.id));
            let id = crate::util::new_id();
            let (layout, bid, per, s2) = (self.layout.clone(), id.clone(), period.clone(), subs.clone());
            let all: Vec<String> = earlier.iter().flat_map(|e| e.1.iter()).chain(&subs).map(|s| s.id.clone()).collect();
            let release = csae_publish::ReleaseOptions { contact: self.cfg.publication_contact.clone(), ..Default::default() };
            let made = tokio::task::spawn_blocking(move || builds::make(&layout, &bid, &builds::Inputs { period: &per, subs: &s2, earlier: &earlier, previous }, &release))
                .await
                .map_err(|_| ApiError::internal("build"))?
                .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "build_failed", e.0))?;
            let b = Build {
                id,
                period: period.id.clone(),
                built_by: p.username.clone(),
                built_at: crate::util::now(),
                submissions: all,
                headline: made.headline_internal,
            };
            // The build's files are in place before its row; the row and its entry together.
            let event = |b: &Build| {
                let mut ev = self.ok_event(p, ip, "build", None, format!("build {} of {} from {} confirmed returns (its period's and earlier periods')", b.id, b.period, b.submissions.len()));
                ev.force = None;
                ev
            };
            Ok(crate::audit::with_entry(&self.db, &self.cfg.data_dir, async |c: &mut AnyConnection| builds::insert(c, &b).await.map(|()| b.clone()), event).await?)
        }
        .await;
        if r.is_err() {
            self.audit_result(p, ip, "build", None, None, &r, "").await;
        }
        r
    }

    pub async fn view_build(&self, p: &Principal, ip: &str, id: &str) -> Result<Build, ApiError> {
        let r = async {
            p.require(&[Role::Analyst])?;
            builds::get(&self.db, id).await?.ok_or_else(|| ApiError::not_found("there is no such build"))
        }
        .await;
        self.audit_result(p, ip, "view_build", None, None, &r, id).await;
        r
    }

    pub async fn list_builds(&self, p: &Principal, period: &str) -> Result<Vec<Build>, ApiError> {
        p.require(&[Role::Analyst])?;
        Ok(builds::list(&self.db, period).await?)
    }

    /// The path and content type of a build's output file.
    pub async fn download(&self, p: &Principal, ip: &str, id: &str, name: &str) -> Result<(std::path::PathBuf, &'static str), ApiError> {
        let r = async {
            p.require(&[Role::Analyst])?;
            builds::get(&self.db, id).await?.ok_or_else(|| ApiError::not_found("there is no such build"))?;
            let ct = builds::content_type(name).ok_or_else(|| ApiError::not_found(format!("a build has no file {name:?}; the files are public.zip, internal.zip, headline.json, headline-internal.json and validation.json")))?;
            Ok((self.layout.build(id).join(name), ct))
        }
        .await;
        self.audit_result(p, ip, "download", None, None, &r, &format!("build {id} file {name}")).await;
        r
    }

    pub async fn list_periods(&self, _p: &Principal) -> Result<Vec<Period>, ApiError> {
        Ok(periods::list(&self.db).await?)
    }
}

impl App {
    /// Checks a user name and password; returns a new session token. Failures count towards
    /// the rate limits (`ratelimit`); over one, 429 without checking.
    pub async fn sign_in(&self, ip: &str, username: &str, password: &str) -> Result<String, ApiError> {
        let actor = if crate::accounts::check_username(username).is_ok() { username } else { "-" };
        if let Some(wait) = self.limiter.blocked(username, ip) {
            self.audit(Event::new(actor, "sign_in", "refused").ip(ip).detail("rate-limited: too many failed attempts")).await;
            let minutes = wait.as_secs().div_ceil(60).max(1);
            let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("Too many failed sign-in attempts. Wait {minutes} minute(s) and try again."));
            e.retry_after = Some(wait.as_secs().max(1));
            return Err(e);
        }
        let user = crate::accounts::find_user(&self.db, username).await?;
        let hash = user.as_ref().map_or_else(|| crate::password::dummy_hash().to_string(), |u| u.password_hash.clone());
        let pw = password.to_string();
        let matches = tokio::task::spawn_blocking(move || crate::password::verify(&pw, &hash)).await.unwrap_or(false);
        match user.filter(|u| matches && !u.disabled) {
            Some(u) => {
                self.limiter.succeed(username, ip);
                let token = crate::sessions::create(&self.db, &self.cfg, &u.id).await?;
                self.audit(Event::new(&u.username, "sign_in", "ok").force(u.force.as_deref()).ip(ip)).await;
                Ok(token)
            }
            None => {
                self.limiter.fail(username, ip);
                self.audit(Event::new(actor, "sign_in", "refused").ip(ip).detail("wrong user name or password")).await;
                Err(ApiError::new(StatusCode::UNAUTHORIZED, "wrong_password", "The user name or password is not right. Check them and try again."))
            }
        }
    }
}
