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
    /// Signs the sign-in form's tokens (`sessions::pre_token`).
    pub secret: Vec<u8>,
}

pub type Shared = Arc<App>;

impl App {
    /// Opens the database and data folder, clearing what an interrupted run left half-done.
    pub async fn open(cfg: Config) -> Result<Shared, PortalError> {
        let layout = Layout::new(&cfg.data_dir);
        layout.secure().map_err(PortalError::Storage)?;
        layout
            .prepare()
            .map_err(|e| PortalError::Storage(format!("cannot prepare the data folder {} ({e}); choose a writable folder with --data-dir", cfg.data_dir.display())))?;
        let secret = layout.secret().map_err(|e| PortalError::Storage(format!("cannot make the server's secret in {} ({e})", cfg.data_dir.display())))?;
        let db = Db::open(&cfg).await?;
        remove_orphans(&db, &layout).await?;
        Ok(Arc::new(App {
            secret,
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

    /// The query parameters of a request by `p` (authenticated first), or a 400 for a query
    /// that cannot be read, audited under `action`.
    pub async fn params<T>(&self, p: &Principal, ip: &str, action: &'static str, params: crate::params::Params<T>) -> Result<T, ApiError> {
        let r = params.0.map_err(|_| ApiError::bad_request("bad_query", "the query string of the request cannot be read (a parameter given twice, say); give each parameter once"));
        if r.is_err() {
            self.audit_result(p, ip, action, p.own_force(), None, &r, "").await;
        }
        r
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

/// Upload and build folders without a database row are debris of a run killed between placing
/// the files and recording them (with their audit entry): never visible, removed at start.
async fn remove_orphans(db: &Db, layout: &Layout) -> Result<(), PortalError> {
    for (table, dir) in [("submissions", layout.uploads()), ("builds", layout.builds())] {
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {table}"))).fetch_all(&db.pool).await?;
        let known: std::collections::HashSet<String> = ids.into_iter().collect();
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if !known.contains(e.file_name().to_string_lossy().as_ref()) {
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
    crate::api::routes().merge(crate::web::routes()).with_state(app).layer(axum::middleware::map_response(security_headers))
}

/// The headers every response carries: nothing is cached (pages, API answers and downloads hold
/// sensitive data), content types are not guessed, the portal is never framed, and a page may
/// load nothing but the portal's own style sheet and post forms only to the portal.
async fn security_headers(mut r: axum::response::Response) -> axum::response::Response {
    use axum::http::header::{self, HeaderValue};
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    r
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
    serve_on(listener, app, shutdown()).await;
    Ok(())
}

/// Serves the portal on `listener` until `stop` completes, then lets open requests finish. Each
/// connection is served on a task of its own, with a limit on the time to send a request's
/// head (so a client that opens connections and sends nothing cannot hold them), a limit on
/// connections open at once (more wait to be accepted), and, but for uploads and builds, a limit
/// on the time to answer a request (`request_timeout`).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Shared, stop: impl std::future::Future<Output = ()>) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;
    let header_timeout = Duration::from_secs(app.cfg.header_read_timeout_seconds);
    let open = Arc::new(tokio::sync::Semaphore::new(app.cfg.max_connections));
    let router = router(app.clone()).layer(axum::middleware::from_fn_with_state(app, request_timeout));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let (stream, addr) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                // A connection that failed before it was accepted (reset, out of file handles).
                Err(_) => continue,
            },
            () = &mut stop => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            router.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = hyper::server::conn::http1::Builder::new().timer(TokioTimer::new()).header_read_timeout(header_timeout).serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    // Requests under way get a minute to finish.
    let _ = tokio::time::timeout(Duration::from_secs(60), graceful.shutdown()).await;
}

/// Answers 503 to a request not answered within `request_timeout_seconds`, but for uploads
/// (whose body has its own idle limit, `upload_idle_seconds`) and builds (long by nature).
async fn request_timeout(axum::extract::State(app): axum::extract::State<Shared>, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let long = req.method() == axum::http::Method::POST && matches!(req.uri().path(), "/api/v1/submissions" | "/upload" | "/api/v1/builds" | "/builds");
    if long {
        return next.run(req).await;
    }
    match tokio::time::timeout(Duration::from_secs(app.cfg.request_timeout_seconds), next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "timeout", "the portal took too long to answer; try again in a moment").into_response(),
    }
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
