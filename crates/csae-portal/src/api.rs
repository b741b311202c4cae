//! The JSON API under `/api/v1` (bearer tokens only: no cookies, so no CSRF surface).

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::error::ApiError;
use crate::params::Params;
use crate::server::{ClientIp, Shared};
use crate::upload::receive;

type ApiResult = Result<Response, ApiError>;

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/me", get(me))
        .route("/api/v1/periods", get(list_periods).post(open_period))
        .route("/api/v1/submissions", get(list_submissions).post(upload).layer(DefaultBodyLimit::disable()))
        .route("/api/v1/submissions/{id}", get(view_submission))
        .route("/api/v1/submissions/{id}/confirm", post(confirm))
        .route("/api/v1/submissions/{id}/discard", post(discard))
        .route("/api/v1/submissions/{id}/issues.xlsx", get(issues_xlsx))
        .route("/api/v1/submissions/{id}/issues.csv", get(issues_csv))
        .route("/api/v1/submissions/{id}/queries", post(raise_query))
        .route("/api/v1/queries/{id}/replies", post(reply_query))
        .route("/api/v1/queries/{id}/close", post(close_query))
        .route("/api/v1/forces/{force}/history", get(force_history))
        .route("/api/v1/tracker", get(tracker))
        .route("/api/v1/builds", post(build))
        .route("/api/v1/builds/{id}", get(view_build))
        .route("/api/v1/builds/{id}/files/{name}", get(download))
        .route("/api/v1/{*rest}", axum::routing::any(no_route))
}

async fn no_route() -> ApiError {
    ApiError::not_found("there is no such API route; see /api/v1/openapi.json")
}

async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

async fn me(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "me").await?;
    Ok(Json(serde_json::json!({"username": p.username, "roles": p.roles.iter().map(|r| r.name()).collect::<Vec<_>>(), "force_id": p.force})).into_response())
}

async fn list_periods(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "list_periods").await?;
    Ok(Json(serde_json::json!({"periods": app.list_periods(&p).await?})).into_response())
}

#[derive(Deserialize)]
struct NewPeriod {
    id: String,
    from: String,
    to: String,
    /// The date forces should have confirmed by; optional.
    due: Option<String>,
}

async fn open_period(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, body: Bytes) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "open_period").await?;
    if let Err(e) = p.require(&[crate::access::Role::Admin, crate::access::Role::Analyst]) {
        let r: Result<(), ApiError> = Err(e);
        app.audit_result(&p, &ip, "open_period", None, None, &r, "").await;
        return Err(r.unwrap_err());
    }
    let np: Result<NewPeriod, ApiError> = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request("bad_json", format!("the body is not a period ({e}); send {{\"id\":\"2023\",\"from\":\"2023-01-01\",\"to\":\"2023-12-31\",\"due\":\"2024-03-31\"}} (due is optional)"))
    });
    if np.is_err() {
        app.audit_result(&p, &ip, "open_period", None, None, &np, "").await;
    }
    let np = np?;
    let period = app.open_period(&p, &ip, &np.id, &np.from, &np.to, np.due.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(period)).into_response())
}

async fn upload(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQuery>, body: Body) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "upload").await?;
    let q = app.params(&p, &ip, "upload", q).await?;
    let (period, force) = app.upload_precheck(&p, &ip, q.period.as_deref()).await?;
    if let Some(len) = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok())
        && len > app.cfg.max_upload_bytes
    {
        let e = receive::too_large(app.cfg.max_upload_bytes);
        app.upload_refused(&p, &ip, &e).await;
        return Err(e);
    }
    // The client may name its file (shown back, checked for another force's id).
    let file_name = headers
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .map(crate::upload::clean_file_name)
        .unwrap_or_else(|| "upload".into());
    let received = match receive::from_body(body, &app.layout.temp_path("upload"), app.cfg.max_upload_bytes, std::time::Duration::from_secs(app.cfg.upload_idle_seconds)).await {
        Ok(r) => r,
        Err(e) => {
            app.upload_refused(&p, &ip, &e).await;
            return Err(e);
        }
    };
    let mut s = app.upload(&p, &ip, &period, force, &file_name, received).await?;
    let head = serde_json::json!({"id": s.id, "force_id": s.force_id, "period": s.period, "status": s.status,
        "rows": {"read": s.rows_read, "accepted": s.rows_accepted, "rejected": s.rows_rejected}});
    let mut head = head.to_string();
    head.pop();
    head.push_str(",\"validation\":");
    let body = crate::submissions::json_with_report(head, &app.layout, &s.id, std::mem::take(&mut s.validation)).await;
    Ok((StatusCode::CREATED, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn list_submissions(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQuery>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "list_submissions").await?;
    let q = app.params(&p, &ip, "list_submissions", q).await?;
    let subs = app.list_submissions(&p, &ip, q.period.as_deref()).await?;
    Ok(Json(serde_json::json!({"submissions": subs})).into_response())
}

async fn view_submission(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "view_submission").await?;
    let s = app.view_submission(&p, &ip, &id).await?;
    let queries = serde_json::to_value(app.submission_queries(&s.id).await?).expect("queries serialise");
    Ok(json_response(s.into_body_with(&app.layout, serde_json::Map::from_iter([("queries".to_string(), queries)])).await))
}

async fn confirm(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "confirm").await?;
    Ok(json_response(app.confirm(&p, &ip, &id).await?.into_body(&app.layout).await))
}

async fn discard(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "discard").await?;
    Ok(json_response(app.discard(&p, &ip, &id).await?.into_body(&app.layout).await))
}

async fn issues_xlsx(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    issues(app, ip, headers, id, crate::issues_report::Format::Xlsx).await
}

async fn issues_csv(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    issues(app, ip, headers, id, crate::issues_report::Format::Csv).await
}

/// A submission's error report (`issues_report`) as a download.
async fn issues(app: Shared, ip: String, headers: HeaderMap, id: String, format: crate::issues_report::Format) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "download").await?;
    let made = app.issues_report(&p, &ip, &id, format).await?;
    Ok(crate::issues_report::attachment(made.bytes, format, &made.file_name))
}

async fn tracker(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQuery>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "view_tracker").await?;
    let q = app.params(&p, &ip, "view_tracker", q).await?;
    let (period, rows) = app.tracker(&p, &ip, q.period.as_deref()).await?;
    Ok(Json(serde_json::json!({"period": period, "max_rejected_share": app.cfg.max_rejected_share, "forces": rows})).into_response())
}

/// The text of a query or reply body `{"text": "…"}`; None when the body is not that (refused
/// by the action after its role and object checks, like every bad input).
fn text_of(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Text {
        text: String,
    }
    serde_json::from_slice::<Text>(body).ok().map(|t| t.text)
}

async fn raise_query(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "raise_query").await?;
    Ok((StatusCode::CREATED, Json(app.raise_query(&p, &ip, &id, text_of(&body).as_deref()).await?)).into_response())
}

async fn reply_query(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "reply_query").await?;
    Ok((StatusCode::CREATED, Json(app.reply_query(&p, &ip, &id, text_of(&body).as_deref()).await?)).into_response())
}

async fn close_query(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "close_query").await?;
    Ok(Json(app.close_query(&p, &ip, &id).await?).into_response())
}

async fn force_history(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(force): Path<String>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "view_force_history").await?;
    Ok(Json(app.force_history(&p, &ip, &force).await?).into_response())
}

async fn build(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQuery>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "build").await?;
    let q = app.params(&p, &ip, "build", q).await?;
    let b = app.build(&p, &ip, q.period.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(b.to_json())).into_response())
}

async fn view_build(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "view_build").await?;
    Ok(Json(app.view_build(&p, &ip, &id).await?.to_json()).into_response())
}

async fn download(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path((id, name)): Path<(String, String)>) -> ApiResult {
    let p = app.api_principal(&headers, &ip, "download").await?;
    let (path, ct) = app.download(&p, &ip, &id, &name).await?;
    file_response(&path, ct, &name).await
}

/// A stored output as a download.
pub async fn file_response(path: &std::path::Path, content_type: &'static str, name: &str) -> ApiResult {
    let bytes = tokio::fs::read(path).await.map_err(|_| ApiError::not_found("the build has no such file"))?;
    Ok((
        [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))],
        bytes,
    )
        .into_response())
}

/// A JSON response from a body already made.
fn json_response(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
