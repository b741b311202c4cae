//! The server-rendered pages. They work without JavaScript: plain links and forms, POST
//! forms carry the session's CSRF token, and every page goes through the same actions
//! (`ops`) as the API, so the same role and force checks and audit entries apply.

pub mod admin;
pub mod html;
pub mod queries;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::access::{Principal, Role, Via};
use crate::audit::Event;
use crate::error::ApiError;
use crate::params::Params;
use crate::server::{ClientIp, Shared};
use crate::sessions;
use crate::upload::receive::Receiver;
use html::{button_form, csrf_field, error_summary, respond, summary_list, table, tag, text};
use maud::{Markup, html};

type Form = axum::Form<HashMap<String, String>>;

pub fn routes() -> Router<Shared> {
    let upload_limit = DefaultBodyLimit::disable();
    Router::new()
        .route("/assets/app.css", get(css))
        .route("/", get(home))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/periods", get(periods_page).post(open_period))
        .route("/upload", get(upload_page).post(upload).layer(upload_limit))
        .route("/submissions", get(submissions_page))
        .route("/submissions/{id}", get(submission_page))
        .route("/submissions/{id}/confirm", post(confirm))
        .route("/submissions/{id}/discard", post(discard))
        .route("/submissions/{id}/issues.xlsx", get(issues_xlsx))
        .route("/submissions/{id}/issues.csv", get(issues_csv))
        .route("/tracker", get(tracker_page))
        .route("/builds", post(build))
        .route("/builds/{id}", get(build_page))
        .route("/builds/{id}/files/{name}", get(download))
        .merge(admin::routes())
        .merge(queries::routes())
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], html::CSS).into_response()
}

/// An error as a page with its status.
fn error_page(p: Option<&Principal>, e: &ApiError) -> Response {
    let title = match e.status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You cannot do this",
        StatusCode::PAYLOAD_TOO_LARGE => "The file is too large",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Sorry, there is a problem with the service",
        _ => "There is a problem",
    };
    let body = html! { (error_summary(&[("main-content", e.message())])) p { a href="/" { "Go to the start page" } } };
    respond(e.status, title, p, body)
}

/// The signed-in user of a page, or a 401 page (telling when the session expired).
async fn who(app: &Shared, headers: &HeaderMap, ip: &str) -> Result<Principal, Response> {
    match app.page_principal(headers).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(expired)) => {
            let msg = if expired { "Your session has expired; sign in again." } else { "You need to sign in to see this page." };
            app.audit(Event::new("-", "page", "refused").ip(ip).detail(if expired { "session expired" } else { "not signed in" })).await;
            let body = html! { (error_summary(&[("main-content", msg.to_string())])) p { a.govuk-button href="/sign-in" { "Sign in" } } };
            Err(respond(StatusCode::UNAUTHORIZED, "Sign in", None, body))
        }
        Err(e) => Err(error_page(None, &e)),
    }
}

/// Checks the form's CSRF token against the session's (403 page otherwise, audited).
/// The signed-in user of a posted form, its CSRF token checked (every form post starts here).
pub(crate) async fn form_user(app: &Shared, headers: &HeaderMap, ip: &str, form_token: Option<&str>) -> Result<Principal, Response> {
    let p = who(app, headers, ip).await?;
    check_csrf(app, &p, ip, form_token).await?;
    Ok(p)
}

async fn check_csrf(app: &Shared, p: &Principal, ip: &str, form_token: Option<&str>) -> Result<(), Response> {
    let ok = match (&p.via, form_token) {
        (Via::Session { csrf, .. }, Some(t)) => crate::util::constant_time_eq(csrf.as_bytes(), t.as_bytes()),
        _ => false,
    };
    if ok {
        return Ok(());
    }
    app.audit(Event::new(&p.username, "form", "refused").ip(ip).detail("missing or wrong CSRF token")).await;
    let e = ApiError::forbidden("This form has expired or did not come from this service. Go back, reload the page and try again.");
    Err(error_page(Some(p), &e))
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

async fn home(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(_) => return see_other("/sign-in"),
    };
    let periods = app.list_periods(&p).await.unwrap_or_default();
    let mut force_periods = Vec::new();
    if p.has(Role::Submitter) || p.has(Role::ForceViewer) {
        for per in &periods {
            force_periods.push((per, app.list_submissions(&p, &ip, Some(&per.id)).await.unwrap_or_default()));
        }
    }
    let status = |done: bool, label: &str| if done { tag("Completed", "green") } else { tag(label, "blue") };
    let body = html! {
        @if p.has(Role::Submitter) || p.has(Role::ForceViewer) {
            p { "Returns of " (p.force.as_deref().and_then(csae_model::force).map_or("your force".to_string(), |f| f.name.clone())) "." }
            @for (per, subs) in &force_periods {
                @let confirmed = subs.iter().filter(|s| s.status == "confirmed").max_by_key(|s| s.version);
                @let pending = subs.iter().find(|s| s.status == "validated");
                h2.govuk-heading-m { "Period " (per.id) " (" (per.from) " to " (per.to) ")" }
                ul.govuk-task-list {
                    @if p.has(Role::Submitter) {
                        li { a href={ "/upload?period=" (per.id) } { "Upload the return" } (status(pending.is_some() || confirmed.is_some(), "To do")) }
                    }
                    li {
                        @match pending.or(confirmed) {
                            Some(s) => a href={ "/submissions/" (s.id) } { "Check the validation result" },
                            None => "Check the validation result",
                        }
                        (status(confirmed.is_some() && pending.is_none(), if pending.is_some() { "To check" } else { "Cannot start yet" }))
                    }
                    @let conf = confirmed.map_or("Not confirmed".to_string(), |s| format!("Version {} confirmed", s.version.unwrap_or(0)));
                    li { "Confirm the submission" (tag(&conf, if confirmed.is_some() { "green" } else { "grey" })) }
                }
                p { a href={ "/submissions?period=" (per.id) } { "Submission history" } }
            }
            @if periods.is_empty() { p { "No collection period is open yet." } }
        }
        @if p.has(Role::Analyst) {
            h2.govuk-heading-m { "Tracker" }
            ul.govuk-task-list {
                @for per in &periods {
                    li { a href={ "/tracker?period=" (per.id) } { "Period " (per.id) } span { (per.from) " to " (per.to) } }
                }
            }
        }
        @if p.has(Role::Analyst) || p.has(Role::Admin) { p { a href="/periods" { "Open a period" } } }
        @if p.has(Role::Admin) { p { a href="/admin/users" { "Manage users" } } }
    };
    respond(StatusCode::OK, "CSAE national collection", Some(&p), body)
}

fn sign_in_form(errors: &[(&str, String)], username: &str, pre: &str) -> Markup {
    let group = if errors.is_empty() { "govuk-form-group" } else { "govuk-form-group govuk-form-group--error" };
    html! {
        (error_summary(errors))
        form method="post" action="/sign-in" novalidate {
            input type="hidden" name="csrf" value=(pre);
            div class=(group) { label.govuk-label for="username" { "User name" } input.govuk-input id="username" name="username" autocomplete="username" value=(username); }
            div class=(group) { label.govuk-label for="password" { "Password" } input.govuk-input id="password" name="password" type="password" autocomplete="current-password"; }
            button.govuk-button type="submit" { "Sign in" }
        }
    }
}

fn with_cookie(mut r: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn sign_in_page(State(app): State<Shared>) -> Response {
    let pre = sessions::pre_token(&app.secret);
    let r = respond(StatusCode::OK, "Sign in", None, sign_in_form(&[], "", &pre));
    with_cookie(r, sessions::set_cookie(&app.cfg, sessions::PRE_COOKIE, &pre, None))
}

async fn sign_in(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, axum::Form(f): Form) -> Response {
    let username = f.get("username").map(|s| s.trim().to_string()).unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let pre = sessions::pre_token(&app.secret);
    let again = |status: StatusCode, errors: &[(&str, String)], app: &Shared| {
        let r = respond(status, "Sign in", None, sign_in_form(errors, &username, &pre));
        with_cookie(r, sessions::set_cookie(&app.cfg, sessions::PRE_COOKIE, &pre, None))
    };
    let cookie_token = sessions::cookie(&headers, sessions::PRE_COOKIE);
    let csrf_ok = matches!((&cookie_token, f.get("csrf")), (Some(c), Some(t)) if crate::util::constant_time_eq(c.as_bytes(), t.as_bytes()) && sessions::pre_token_valid(&app.secret, t));
    if !csrf_ok {
        app.audit(Event::new("-", "sign_in", "refused").ip(&ip).detail("missing or wrong CSRF token on the sign-in form")).await;
        return again(StatusCode::FORBIDDEN, &[("username", "The sign-in form expired. Try again.".into())], &app);
    }
    match app.sign_in(&ip, &username, &password).await {
        Ok(token) => {
            let r = see_other("/");
            let r = with_cookie(r, sessions::set_cookie(&app.cfg, sessions::COOKIE, &token, None));
            with_cookie(r, sessions::set_cookie(&app.cfg, sessions::PRE_COOKIE, "", Some(0)))
        }
        Err(e) => again(e.status, &[("username", e.message())], &app),
    }
}

async fn sign_out(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, axum::Form(f): Form) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(_) => return see_other("/sign-in"),
    };
    if let Err(r) = check_csrf(&app, &p, &ip, f.get("csrf").map(String::as_str)).await {
        return r;
    }
    if let Via::Session { token_hash, .. } = &p.via {
        let _ = sessions::end(&app.db, token_hash).await;
    }
    app.audit(Event::new(&p.username, "sign_out", "ok").ip(&ip)).await;
    with_cookie(see_other("/sign-in"), sessions::set_cookie(&app.cfg, sessions::COOKIE, "", Some(0)))
}

fn period_form(p: &Principal, errors: &[(&str, String)], f: &HashMap<String, String>) -> Markup {
    let v = |k: &str| f.get(k).cloned().unwrap_or_default();
    html! {
        (error_summary(errors))
        form method="post" action="/periods" {
            (csrf_field(p))
            div.govuk-form-group { label.govuk-label for="id" { "Period id" } div.govuk-hint { "For example, 2023" } input.govuk-input id="id" name="id" value=(v("id")); }
            div.govuk-form-group { label.govuk-label for="from" { "From" } div.govuk-hint { "YYYY-MM-DD" } input.govuk-input id="from" name="from" value=(v("from")); }
            div.govuk-form-group { label.govuk-label for="to" { "To" } input.govuk-input id="to" name="to" value=(v("to")); }
            div.govuk-form-group {
                label.govuk-label for="due" { "Due (optional)" }
                div.govuk-hint { "The date by which forces should have confirmed their return, YYYY-MM-DD; the tracker shows forces not confirmed by then as overdue" }
                input.govuk-input id="due" name="due" value=(v("due"));
            }
            button.govuk-button type="submit" { "Open the period" }
        }
    }
}

async fn periods_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(e) = p.require(&[Role::Admin, Role::Analyst]) {
        app.audit_result::<()>(&p, &ip, "page_periods", None, None, &Err(ApiError::forbidden(e.message())), "").await;
        return error_page(Some(&p), &e);
    }
    let periods = app.list_periods(&p).await.unwrap_or_default();
    let rows: Vec<Vec<Markup>> = periods.iter().map(|x| vec![text(&x.id), text(&x.from), text(&x.to), text(x.due.as_deref().unwrap_or("")), text(&x.opened_by)]).collect();
    let body = html! { (table("Open periods", &["Period", "From", "To", "Due", "Opened by"], &rows)) (period_form(&p, &[], &HashMap::new())) };
    respond(StatusCode::OK, "Collection periods", Some(&p), body)
}

async fn open_period(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let g = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let due = Some(g("due")).filter(|d| !d.is_empty());
    match app.open_period(&p, &ip, &g("id"), &g("from"), &g("to"), due.as_deref()).await {
        Ok(_) => see_other("/periods"),
        Err(e) if e.status == StatusCode::FORBIDDEN => error_page(Some(&p), &e),
        Err(e) => respond(e.status, "Collection periods", Some(&p), period_form(&p, &[("id", e.message())], &f)),
    }
}

#[derive(serde::Deserialize, Default)]
struct PeriodQ {
    period: Option<String>,
}

fn upload_form(p: &Principal, period: &str, errors: &[(&str, String)]) -> Markup {
    let group = if errors.is_empty() { "govuk-form-group" } else { "govuk-form-group govuk-form-group--error" };
    html! {
        (error_summary(errors))
        form method="post" action={ "/upload?period=" (period) } enctype="multipart/form-data" {
            (csrf_field(p))
            div class=(group) {
                label.govuk-label for="file" { "Upload the return for period " (period) }
                div.govuk-hint { "The XLSX workbook, or a zip of crimes.csv, victims.csv, suspects.csv and relationships.csv" }
                input.govuk-input id="file" name="file" type="file" accept=".xlsx,.zip";
            }
            button.govuk-button type="submit" { "Upload and check" }
        }
    }
}

async fn upload_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQ>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match app.params(&p, &ip, "page_upload", q).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    if let Err(e) = p.require(&[Role::Submitter]) {
        app.audit_result::<()>(&p, &ip, "page_upload", None, None, &Err(ApiError::forbidden(e.message())), "").await;
        return error_page(Some(&p), &e);
    }
    let period = q.period.unwrap_or_default();
    respond(StatusCode::OK, "Upload a return", Some(&p), upload_form(&p, &period, &[]))
}

async fn upload(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQ>, mut mp: Multipart) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match app.params(&p, &ip, "upload", q).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    let period_id = q.period.clone().unwrap_or_default();
    let fail = |e: ApiError, p: &Principal| {
        if matches!(e.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
            error_page(Some(p), &e)
        } else {
            respond(e.status, "Upload a return", Some(p), upload_form(p, &period_id, &[("file", e.message())]))
        }
    };
    // The CSRF field comes first in the form, so it is checked before any file byte is read.
    let mut csrf: Option<String> = None;
    let mut received = None;
    let mut file_name = String::from("upload");
    let mut checked = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return fail(ApiError::bad_request("bad_form", "the upload was interrupted or is not a valid form; choose the file and upload it again"), &p),
        };
        match field.name() {
            Some("csrf") => csrf = field.text().await.ok(),
            Some("file") => {
                if let Err(r) = check_csrf(&app, &p, &ip, csrf.as_deref()).await {
                    return r;
                }
                let (period, force) = match app.upload_precheck(&p, &ip, Some(&period_id)).await {
                    Ok(x) => x,
                    Err(e) => return fail(e, &p),
                };
                file_name = field.file_name().map(crate::upload::clean_file_name).unwrap_or_else(|| "upload".into());
                let res = async {
                    let mut rx = Receiver::create(app.layout.temp_path("upload"), app.cfg.max_upload_bytes).await?;
                    let mut field = field;
                    let idle = std::time::Duration::from_secs(app.cfg.upload_idle_seconds);
                    while let Some(chunk) = crate::upload::receive::within(idle, field.chunk()).await?.map_err(|_| ApiError::bad_request("upload_interrupted", "the upload was interrupted; upload the file again"))? {
                        rx.push(&chunk).await?;
                    }
                    rx.finish().await
                }
                .await;
                match res {
                    Ok(r) => received = Some(r),
                    Err(e) => {
                        app.upload_refused(&p, &ip, &e).await;
                        return fail(e, &p);
                    }
                }
                checked = Some((period, force));
            }
            _ => {}
        }
    }
    let (Some(rx), Some((period, force))) = (received, checked) else {
        if let Err(r) = check_csrf(&app, &p, &ip, csrf.as_deref()).await {
            return r;
        }
        return fail(ApiError::bad_request("no_file", "select the return file to upload"), &p);
    };
    match app.upload(&p, &ip, &period, force, &file_name, rx).await {
        Ok(s) => see_other(&format!("/submissions/{}", s.id)),
        Err(e) => fail(e, &p),
    }
}

async fn submissions_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQ>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match app.params(&p, &ip, "list_submissions", q).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    match app.list_submissions(&p, &ip, q.period.as_deref()).await {
        Err(e) => error_page(Some(&p), &e),
        Ok(subs) => {
            let rows: Vec<Vec<Markup>> = subs
                .iter()
                .map(|s| {
                    vec![
                        html! { a href={ "/submissions/" (s.id) } { (s.uploaded_at) } },
                        text(&s.period),
                        text(&s.force_id),
                        text(&s.file_name),
                        status_tag(&s.status),
                        text(s.version.map_or(String::new(), |v| v.to_string())),
                        text(s.rows_accepted.to_string()),
                        text(s.rows_rejected.to_string()),
                    ]
                })
                .collect();
            let body = table("Submissions", &["Uploaded", "Period", "Force", "File", "Status", "Version", "Rows accepted", "Rows rejected"], &rows);
            respond(StatusCode::OK, "Submission history", Some(&p), body)
        }
    }
}

fn status_tag(s: &str) -> Markup {
    match s {
        "confirmed" => tag("Confirmed", "green"),
        "discarded" => tag("Discarded", "grey"),
        _ => tag("Checked, not confirmed", "blue"),
    }
}

/// Rejected rows shown on the page; the full list is in the API's validation JSON.
const ISSUES_SHOWN: usize = 500;

async fn submission_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let s = match app.view_submission(&p, &ip, &id).await {
        Ok(s) => s,
        Err(e) => return error_page(Some(&p), &e),
    };
    let view = s.validation_view(&app.layout, ISSUES_SHOWN);
    let queries = match app.submission_queries(&s.id).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    let rows = summary_list(&[
        ("Force", text(&s.force_id)),
        ("Period", text(&s.period)),
        ("File", text(&s.file_name)),
        ("Uploaded", html! { (s.uploaded_at) " by " (s.uploaded_by) }),
        ("Status", html! { (status_tag(&s.status)) @if let Some(v) = s.version { " version " (v) } }),
        ("Rows", html! { (s.rows_read) " read, " (s.rows_accepted) " accepted, " (s.rows_rejected) " rejected" }),
    ]);
    let body = html! {
        @if s.rows_rejected > 0 {
            (error_summary(&[("rejected-rows", format!("{} rows were rejected; they are listed below with table, row, column and value", s.rows_rejected))]))
        } @else if s.status == "validated" {
            div.govuk-notification-banner { p { "Every row passed validation. Confirm the submission to make it your force's current version." } }
        }
        (rows)
        @if s.rows_rejected > 0 || view.as_ref().is_some_and(|v| !v.rules.is_empty() || !v.warnings.is_empty()) {
            p { "Download every issue with how to fix it: "
                a href={ "/submissions/" (s.id) "/issues.xlsx" } download { "issues.xlsx (Excel workbook)" } " or "
                a href={ "/submissions/" (s.id) "/issues.csv" } download { "issues.csv" } "." }
        }
        @if let Some(fr) = &view {
            @if !fr.tables.is_empty() {
                @let rows: Vec<Vec<Markup>> = fr.tables.iter().map(|(t, c)| vec![text(t), text(c.read.to_string()), text(c.accepted.to_string()), text(c.rejected.to_string()), text(c.warnings.to_string())]).collect();
                (table("Rows per table", &["Table", "Read", "Accepted", "Rejected", "With warnings"], &rows))
            }
            @let rule_rows: Vec<Vec<Markup>> = [("Rejects rows", &fr.rules), ("Warning", &fr.warnings)]
                .into_iter()
                .flat_map(|(label, counts)| counts.iter().map(move |(rule, n)| vec![text(rule), text(label), text(n.to_string()), text(csae_ingest::Rule::from_code(rule).map_or("", |r| r.description()))]))
                .collect();
            @if !rule_rows.is_empty() {
                (table("Problems per rule", &["Rule", "Effect", "Rows", "What it checks"], &rule_rows))
            }
            @if !fr.issues.is_empty() {
                @let rows: Vec<Vec<Markup>> = fr.issues.iter().map(|i| vec![
                    text(&i.table), text(i.row.to_string()), text(i.column.as_deref().unwrap_or("")),
                    text(i.value.as_deref().unwrap_or("(hidden)")), text(&i.rule), text(&i.message),
                ]).collect();
                div id="rejected-rows" {}
                (table("Rows to correct", &["Table", "Row", "Column", "Value", "Rule", "What to do"], &rows))
                @if fr.issues_total > fr.issues.len() {
                    p { "… and " (fr.issues_total - fr.issues.len()) " more; the API's validation JSON lists them all." }
                }
            }
        }
        @if let Some(h) = view.as_ref().and_then(|v| v.history.as_ref()) {
            (history_section(h))
        }
        @if s.status == "validated" && p.has(Role::Submitter) {
            (button_form(&p, &format!("/submissions/{}/confirm", s.id), "Confirm this submission", ""))
            (button_form(&p, &format!("/submissions/{}/discard", s.id), "Discard it and upload a corrected return", "govuk-button--secondary"))
        }
        (queries::section(&p, &s.id, &queries))
    };
    respond(StatusCode::OK, "Validation result", Some(&p), body)
}

/// The checks against the force's previous period: queries to look at, never rejections.
fn history_section(h: &crate::submissions::HistoryView) -> Markup {
    // Shares (H04, H05) as percentages; counts and averages as they are.
    let figure = |rule: &str, v: &serde_json::Value| match (rule, v.as_f64()) {
        ("H04" | "H05", Some(x)) => format!("{:.1}%", 100.0 * x),
        ("H03", Some(x)) if v.is_f64() => format!("{x:.1} a month"),
        _ => v.to_string(),
    };
    let rows: Vec<Vec<Markup>> = h
        .queries
        .iter()
        .map(|q| vec![text(&q.rule), text(q.month.as_deref().unwrap_or("")), text(figure(&q.rule, &q.previous)), text(figure(&q.rule, &q.current)), text(&q.message)])
        .collect();
    html! {
        h2.govuk-heading-m id="history" { "Checks against " (h.previous_period) }
        @if !h.compared {
            p { "The latest build holds no return of this force for " (h.previous_period) ", so nothing was compared." }
        } @else if rows.is_empty() {
            p { "No queries: the return looks like the force's previous period." }
        } @else {
            p { "These are queries, not rejections: check each one, then confirm the return or upload a corrected one." }
            (table("History queries", &["Rule", "Month", "Previous", "This return", "What changed and what to check"], &rows))
        }
    }
}

async fn issues_xlsx(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> Response {
    issues(app, ip, headers, id, crate::issues_report::Format::Xlsx).await
}

async fn issues_csv(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> Response {
    issues(app, ip, headers, id, crate::issues_report::Format::Csv).await
}

/// A submission's error report as a download, behind the session like every page.
async fn issues(app: Shared, ip: String, headers: HeaderMap, id: String, format: crate::issues_report::Format) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.issues_report(&p, &ip, &id, format).await {
        Ok(made) => crate::issues_report::attachment(made.bytes, format, &made.file_name),
        Err(e) => error_page(Some(&p), &e),
    }
}

async fn confirm(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.confirm(&p, &ip, &id).await {
        Ok(s) => see_other(&format!("/submissions/{}", s.id)),
        Err(e) => error_page(Some(&p), &e),
    }
}

async fn discard(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.discard(&p, &ip, &id).await {
        Ok(s) => see_other(&format!("/upload?period={}", s.period)),
        Err(e) => error_page(Some(&p), &e),
    }
}

async fn tracker_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQ>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match app.params(&p, &ip, "view_tracker", q).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    let (period, rows) = match app.tracker(&p, &ip, q.period.as_deref()).await {
        Ok(x) => x,
        Err(e) => return error_page(Some(&p), &e),
    };
    let done = rows.iter().filter(|r| r.status != "not_submitted").count();
    let cells: Vec<Vec<Markup>> = rows
        .iter()
        .map(|r| {
            let colour = match r.status {
                "accepted" => "green",
                "rejected_rows" => "red",
                _ => "grey",
            };
            let opt = |x: Option<i64>| x.map_or(String::new(), |v| v.to_string());
            vec![
                text(&r.force_name),
                tag(r.status_text(), colour),
                html! { @if let Some(id) = &r.submission_id { a href={ "/submissions/" (id) } { (opt(r.version)) } } },
                text(r.confirmed_at.as_deref().unwrap_or("")),
                text(opt(r.rows_accepted)),
                text(opt(r.rows_rejected)),
                text(r.rejected_share.map_or(String::new(), crate::tracker::percent)),
                match r.meets_standard {
                    Some(true) => tag("Meets the standard", "green"),
                    Some(false) => tag("Below the standard", "red"),
                    None => text(""),
                },
                html! { @if r.overdue { (tag("Overdue", "red")) } },
                text(if r.open_queries > 0 { r.open_queries.to_string() } else { String::new() }),
            ]
        })
        .collect();
    let open_queries = app.open_queries(&p, &period.id).await.unwrap_or_default();
    let bar = crate::tracker::percent(app.cfg.max_rejected_share);
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let builds = app.list_builds(&p, &period.id).await.unwrap_or_default();
    let build_rows: Vec<Vec<Markup>> =
        builds.iter().map(|b| vec![html! { a href={ "/builds/" (b.id) } { (b.built_at) } }, text(&b.built_by), text(b.submissions.len().to_string())]).collect();
    let body = html! {
        p { (done) " of 44 forces have confirmed a return for " (period.id) " (" (period.from) " to " (period.to) ")." }
        @if let Some(due) = &period.due { p { "Returns are due by " (due) "." @if overdue > 0 { " " (overdue) " forces are overdue." } } }
        p { "A force meets the standard when at most " (bar) " of the rows of its latest confirmed version were rejected." }
        (button_form(&p, &format!("/builds?period={}", period.id), "Build the dataset and publication", ""))
        (table("Forces", &["Force", "Status", "Version", "Confirmed", "Rows accepted", "Rows rejected", "Rejected", "Standard", "Due", "Open queries"], &cells))
        (queries::open_list(&open_queries))
        (table("Builds", &["Built", "By", "Returns"], &build_rows))
    };
    respond(StatusCode::OK, &format!("Tracker: period {}", period.id), Some(&p), body)
}

async fn build(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<PeriodQ>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match app.params(&p, &ip, "build", q).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    match app.build(&p, &ip, q.period.as_deref()).await {
        Ok(b) => see_other(&format!("/builds/{}", b.id)),
        Err(e) => error_page(Some(&p), &e),
    }
}

async fn build_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let b = match app.view_build(&p, &ip, &id).await {
        Ok(b) => b,
        Err(e) => return error_page(Some(&p), &e),
    };
    let h = &b.headline;
    let files: Vec<Vec<Markup>> = crate::builds::FILES.iter().map(|(n, _, d)| vec![html! { a href={ "/builds/" (b.id) "/files/" (n) } download { (n) } }, text(d)]).collect();
    let body = html! {
        p.marking { "OFFICIAL-SENSITIVE" }
        (summary_list(&[
            ("Period", text(&b.period)),
            ("Built", html! { (b.built_at) " by " (b.built_by) }),
            ("Returns", text(b.submissions.len().to_string())),
            ("CSAE crimes", text(h["csae_crimes"].to_string())),
            ("Group-based crimes", text(h["group_based_crimes"].to_string())),
        ]))
        (table("Downloads", &["File", "What it is"], &files))
    };
    respond(StatusCode::OK, "Build", Some(&p), body)
}

async fn download(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path((id, name)): Path<(String, String)>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.download(&p, &ip, &id, &name).await {
        Ok((path, ct)) => crate::api::file_response(&path, ct, &name).await.unwrap_or_else(|e| error_page(Some(&p), &e)),
        Err(e) => error_page(Some(&p), &e),
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_form_posts_to_its_period_with_or_without_errors() {
        let p = Principal { user_id: "u".into(), username: "sub".into(), roles: vec![Role::Submitter], force: Some("cumbria".into()), via: Via::Token };
        for errors in [vec![], vec![("file", "the file is not a zip".to_string())]] {
            let html = upload_form(&p, "2023", &errors).into_string();
            assert!(html.contains(r#"action="/upload?period=2023""#), "{html}");
            assert!(html.contains("Upload the return for period 2023"), "{html}");
        }
    }
}
