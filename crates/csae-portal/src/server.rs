//! The running portal: shared state, authentication of requests, the router, and `serve`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::access::{Principal, Via};
use crate::audit::{self, Event};
use crate::config::Config;
use crate::db::Db;
use crate::error::{ApiError, PortalError};
use crate::files::Layout;
use crate::ratelimit::RateLimiter;
use crate::sessions;

pub struct App {
    pub cfg: Config,
    pub db: Db,
    pub layout: Layout,
    pub limiter: RateLimiter,
    /// The `validation_slots` threads that unpack and validate uploads, one return each at a
    /// time (each holds a return in memory); other uploads wait their turn in order.
    pub validation: crate::workers::Workers,
    /// One build at a time: builds are CPU- and memory-heavy and share the key file.
    pub build_lock: tokio::sync::Mutex<()>,
}

pub type Shared = Arc<App>;

impl App {
    /// Opens the database and data folder, clearing what an interrupted run left half-done.
    pub async fn open(cfg: Config) -> Result<Shared, PortalError> {
        let layout = Layout::new(&cfg.data_dir);
        layout
            .prepare()
            .map_err(|e| PortalError::Storage(format!("cannot prepare the data folder {} ({e}); choose a writable folder with --data-dir", cfg.data_dir.display())))?;
        let db = Db::open(&cfg).await?;
        remove_orphan_uploads(&db, &layout).await?;
        Ok(Arc::new(App {
            limiter: RateLimiter::new(cfg.sign_in_attempts, Duration::from_secs(cfg.sign_in_window_seconds)),
            validation: crate::workers::Workers::new(cfg.validation_slots, "csae-validate"),
            build_lock: tokio::sync::Mutex::new(()),
            layout,
            db,
            cfg,
        }))
    }

    pub async fn audit(&self, ev: Event) {
        audit::record(&self.db, &self.cfg.data_dir, ev).await;
    }

    /// The principal of an API request (bearer token), or 401 (audited).
    pub async fn api_principal(&self, headers: &HeaderMap, ip: &str, action: &'static str) -> Result<Principal, ApiError> {
        let token = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let reason = match token {
            None => "no API token was sent; send Authorization: Bearer <token> (make one with `csae token new`)",
            Some(t) => match crate::accounts::user_of_token(&self.db, t).await? {
                Some(u) => return Ok(u.principal(Via::Token)),
                None => "the API token is unknown or revoked; make a new one with `csae token new`",
            },
        };
        self.audit(Event::new("-", action, "refused").ip(ip).detail("not signed in: no valid API token")).await;
        Err(ApiError::unauthorized(reason))
    }

    /// The principal of a page request (session cookie); `Err(expired)` when there is none.
    pub async fn page_principal(&self, headers: &HeaderMap) -> Result<Result<Principal, bool>, ApiError> {
        let Some(token) = sessions::cookie(headers, sessions::COOKIE).filter(|t| !t.is_empty()) else {
            return Ok(Err(false));
        };
        Ok(match sessions::lookup(&self.db, &self.cfg, &token).await? {
            sessions::Lookup::Live { user, token_hash, csrf } => Ok(user.principal(Via::Session { token_hash, csrf })),
            sessions::Lookup::Expired => Err(true),
            sessions::Lookup::None => Err(false),
        })
    }

    /// Records the outcome of an action taken by `p`: refusals with their reason.
    pub async fn audit_result<T>(&self, p: &Principal, ip: &str, action: &'static str, force: Option<&str>, sub: Option<&str>, r: &Result<T, ApiError>, ok_detail: &str) {
        let (outcome, detail) = match r {
            Ok(_) => ("ok", ok_detail.to_string()),
            Err(e) => ("refused", format!("{} {}: {}", e.status.as_u16(), e.code, e.message())),
        };
        self.audit(Event { actor: p.username.clone(), action, outcome, force: force.map(str::to_string), submission: sub.map(str::to_string), ip: Some(ip.to_string()), detail }).await;
    }
}

/// Upload folders without a database row are debris of a run killed between placing the files
/// and recording them: never visible, removed at start.
async fn remove_orphan_uploads(db: &Db, layout: &Layout) -> Result<(), PortalError> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM submissions").fetch_all(&db.pool).await?;
    let known: std::collections::HashSet<String> = ids.into_iter().collect();
    if let Ok(rd) = std::fs::read_dir(layout.uploads()) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !known.contains(&name) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(())
}

/// The client's address, for the audit log ("from where").
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(|| "local".to_string(), |c| c.0.ip().to_string())))
    }
}

pub fn router(app: Shared) -> Router {
    crate::api::routes().merge(crate::web::routes()).with_state(app)
}

/// Runs the portal until Ctrl-C or SIGTERM.
pub async fn run(cfg: Config) -> Result<(), PortalError> {
    let listen = cfg.listen;
    let app = App::open(cfg).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| PortalError::Usage(format!("cannot listen on {listen} ({e}); choose another address with --listen")))?;
    let addr = listener.local_addr().unwrap_or(listen);
    let backend = match app.db.backend {
        crate::db::Backend::Sqlite => "embedded SQLite",
        crate::db::Backend::Postgres => "PostgreSQL",
    };
    println!("csae portal on http://{addr}/ (data: {}, database: {backend})", app.cfg.data_dir.display());
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(|e| PortalError::Storage(format!("the server stopped ({e})")))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// `csae serve`: a runtime, then [`run`].
pub fn serve(args: &crate::ConfigArgs) -> Result<(), PortalError> {
    let cfg = Config::load(args)?;
    runtime()?.block_on(run(cfg))
}

pub fn runtime() -> Result<tokio::runtime::Runtime, PortalError> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| PortalError::Storage(format!("cannot start the async runtime ({e})")))
}
