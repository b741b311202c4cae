//! The server-rendered pages. They work without JavaScript: plain links and forms, POST
//! forms carry the session's CSRF token, and every page goes through the same actions
//! (`ops`) as the API, so the same role and force checks and audit entries apply.

pub mod admin;
pub mod html;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::access::{Principal, Role, Via};
use crate::audit::Event;
use crate::error::ApiError;
use crate::server::{ClientIp, Shared};
use crate::sessions;
use crate::upload::receive::Receiver;
use html::{button_form, csrf_field, error_summary, esc, respond, summary_list, table, tag};

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
        .route("/tracker", get(tracker_page))
        .route("/builds", post(build))
        .route("/builds/{id}", get(build_page))
        .route("/builds/{id}/files/{name}", get(download))
        .merge(admin::routes())
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
    let body = format!(r#"{}<p><a href="/">Go to the start page</a></p>"#, error_summary(&[("main-content", e.message())]));
    respond(e.status, title, p, &body)
}

/// The signed-in user of a page, or a 401 page (telling when the session expired).
async fn who(app: &Shared, headers: &HeaderMap, ip: &str) -> Result<Principal, Response> {
    match app.page_principal(headers).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(expired)) => {
            let msg = if expired { "Your session has expired; sign in again." } else { "You need to sign in to see this page." };
            app.audit(Event::new("-", "page", "refused").ip(ip).detail(if expired { "session expired" } else { "not signed in" })).await;
            let body = format!(r#"{}<p><a class="govuk-button" href="/sign-in">Sign in</a></p>"#, error_summary(&[("main-content", msg.to_string())]));
            Err(respond(StatusCode::UNAUTHORIZED, "Sign in", None, &body))
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
    let mut body = String::new();
    if p.has(Role::Submitter) || p.has(Role::ForceViewer) {
        let force = p.force.as_deref().and_then(csae_model::force).map_or("your force".to_string(), |f| f.name.clone());
        body.push_str(&format!("<p>Returns of {}.</p>", esc(&force)));
        for per in &periods {
            let subs = app.list_submissions(&p, &ip, Some(&per.id)).await.unwrap_or_default();
            let confirmed = subs.iter().filter(|s| s.status == "confirmed").max_by_key(|s| s.version);
            let pending = subs.iter().find(|s| s.status == "validated");
            let status = |done: bool, label: &str| if done { tag("Completed", "green") } else { tag(label, "blue") };
            body.push_str(&format!(r#"<h2 class="govuk-heading-m">Period {} ({} to {})</h2><ul class="govuk-task-list">"#, esc(&per.id), esc(&per.from), esc(&per.to)));
            if p.has(Role::Submitter) {
                body.push_str(&format!(r#"<li><a href="/upload?period={0}">Upload the return</a>{1}</li>"#, esc(&per.id), status(pending.is_some() || confirmed.is_some(), "To do")));
            }
            let check = match pending.or(confirmed) {
                Some(s) => format!(r#"<a href="/submissions/{}">Check the validation result</a>"#, esc(&s.id)),
                None => "Check the validation result".into(),
            };
            body.push_str(&format!("<li>{check}{}</li>", status(confirmed.is_some() && pending.is_none(), if pending.is_some() { "To check" } else { "Cannot start yet" })));
            let conf = confirmed.map_or("Not confirmed".to_string(), |s| format!("Version {} confirmed", s.version.unwrap_or(0)));
            body.push_str(&format!("<li>Confirm the submission{}</li></ul>", if confirmed.is_some() { tag(&conf, "green") } else { tag(&conf, "grey") }));
            body.push_str(&format!(r#"<p><a href="/submissions?period={}">Submission history</a></p>"#, esc(&per.id)));
        }
        if periods.is_empty() {
            body.push_str("<p>No collection period is open yet.</p>");
        }
    }
    if p.has(Role::Analyst) {
        body.push_str(r#"<h2 class="govuk-heading-m">Tracker</h2><ul class="govuk-task-list">"#);
        for per in &periods {
            body.push_str(&format!(r#"<li><a href="/tracker?period={0}">Period {0}</a><span>{1} to {2}</span></li>"#, esc(&per.id), esc(&per.from), esc(&per.to)));
        }
        body.push_str("</ul>");
    }
    if p.has(Role::Analyst) || p.has(Role::Admin) {
        body.push_str(r#"<p><a href="/periods">Open a period</a></p>"#);
    }
    if p.has(Role::Admin) {
        body.push_str(r#"<p><a href="/admin/users">Manage users</a></p>"#);
    }
    respond(StatusCode::OK, "CSAE national collection", Some(&p), &body)
}

fn sign_in_form(errors: &[(&str, String)], username: &str, pre: &str) -> String {
    let err_class = if errors.is_empty() { "" } else { " govuk-form-group--error" };
    format!(
        r#"{}<form method="post" action="/sign-in" novalidate><input type="hidden" name="csrf" value="{}">
<div class="govuk-form-group{err_class}"><label class="govuk-label" for="username">User name</label><input class="govuk-input" id="username" name="username" autocomplete="username" value="{}"></div>
<div class="govuk-form-group{err_class}"><label class="govuk-label" for="password">Password</label><input class="govuk-input" id="password" name="password" type="password" autocomplete="current-password"></div>
<button class="govuk-button" type="submit">Sign in</button></form>"#,
        error_summary(errors),
        esc(pre),
        esc(username)
    )
}

fn with_cookie(mut r: Response, cookie: String) -> Response {
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn sign_in_page(State(app): State<Shared>) -> Response {
    let pre = crate::util::random_hex(16);
    let r = respond(StatusCode::OK, "Sign in", None, &sign_in_form(&[], "", &pre));
    with_cookie(r, sessions::set_cookie(&app.cfg, sessions::PRE_COOKIE, &pre, None))
}

async fn sign_in(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, axum::Form(f): Form) -> Response {
    let username = f.get("username").map(|s| s.trim().to_string()).unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let pre = crate::util::random_hex(16);
    let again = |status: StatusCode, errors: &[(&str, String)], app: &Shared| {
        let r = respond(status, "Sign in", None, &sign_in_form(errors, &username, &pre));
        with_cookie(r, sessions::set_cookie(&app.cfg, sessions::PRE_COOKIE, &pre, None))
    };
    let cookie_token = sessions::cookie(&headers, sessions::PRE_COOKIE);
    let csrf_ok = matches!((&cookie_token, f.get("csrf")), (Some(c), Some(t)) if crate::util::constant_time_eq(c.as_bytes(), t.as_bytes()));
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

fn period_form(p: &Principal, errors: &[(&str, String)], f: &HashMap<String, String>) -> String {
    let v = |k: &str| esc(f.get(k).map(String::as_str).unwrap_or(""));
    format!(
        r#"{}<form method="post" action="/periods">{}
<div class="govuk-form-group"><label class="govuk-label" for="id">Period id</label><div class="govuk-hint">For example, 2023</div><input class="govuk-input" id="id" name="id" value="{}"></div>
<div class="govuk-form-group"><label class="govuk-label" for="from">From</label><div class="govuk-hint">YYYY-MM-DD</div><input class="govuk-input" id="from" name="from" value="{}"></div>
<div class="govuk-form-group"><label class="govuk-label" for="to">To</label><input class="govuk-input" id="to" name="to" value="{}"></div>
<button class="govuk-button" type="submit">Open the period</button></form>"#,
        error_summary(errors),
        csrf_field(p),
        v("id"),
        v("from"),
        v("to")
    )
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
    let rows: Vec<Vec<String>> = periods.iter().map(|x| vec![esc(&x.id), esc(&x.from), esc(&x.to), esc(&x.opened_by)]).collect();
    let body = format!("{}{}", table("Open periods", &["Period", "From", "To", "Opened by"], &rows), period_form(&p, &[], &HashMap::new()));
    respond(StatusCode::OK, "Collection periods", Some(&p), &body)
}

async fn open_period(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let g = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    match app.open_period(&p, &ip, &g("id"), &g("from"), &g("to")).await {
        Ok(_) => see_other("/periods"),
        Err(e) if e.status == StatusCode::FORBIDDEN => error_page(Some(&p), &e),
        Err(e) => respond(e.status, "Collection periods", Some(&p), &period_form(&p, &[("id", e.message())], &f)),
    }
}

#[derive(serde::Deserialize, Default)]
struct PeriodQ {
    period: Option<String>,
}

fn upload_form(p: &Principal, period: &str, errors: &[(&str, String)]) -> String {
    let err_class = if errors.is_empty() { "" } else { " govuk-form-group--error" };
    format!(
        r#"{}<form method="post" action="/upload?period={period}" enctype="multipart/form-data">{}
<div class="govuk-form-group{err_class}"><label class="govuk-label" for="file">Upload the return for period {period}</label>
<div class="govuk-hint">The XLSX workbook, or a zip of crimes.csv, victims.csv, suspects.csv and relationships.csv</div>
<input class="govuk-input" id="file" name="file" type="file" accept=".xlsx,.zip"></div>
<button class="govuk-button" type="submit">Upload and check</button></form>"#,
        error_summary(errors),
        csrf_field(p),
        period = esc(period),
    )
}

async fn upload_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Query(q): Query<PeriodQ>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(e) = p.require(&[Role::Submitter]) {
        app.audit_result::<()>(&p, &ip, "page_upload", None, None, &Err(ApiError::forbidden(e.message())), "").await;
        return error_page(Some(&p), &e);
    }
    let period = q.period.unwrap_or_default();
    respond(StatusCode::OK, "Upload a return", Some(&p), &upload_form(&p, &period, &[]))
}

async fn upload(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Query(q): Query<PeriodQ>, mut mp: Multipart) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let period_id = q.period.clone().unwrap_or_default();
    let fail = |e: ApiError, p: &Principal| {
        if matches!(e.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
            error_page(Some(p), &e)
        } else {
            respond(e.status, "Upload a return", Some(p), &upload_form(p, &period_id, &[("file", e.message())]))
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
                    while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::bad_request("upload_interrupted", "the upload was interrupted; upload the file again"))? {
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

async fn submissions_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Query(q): Query<PeriodQ>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.list_submissions(&p, &ip, q.period.as_deref()).await {
        Err(e) => error_page(Some(&p), &e),
        Ok(subs) => {
            let rows: Vec<Vec<String>> = subs
                .iter()
                .map(|s| {
                    vec![
                        format!(r#"<a href="/submissions/{}">{}</a>"#, esc(&s.id), esc(&s.uploaded_at)),
                        esc(&s.period),
                        esc(&s.force_id),
                        esc(&s.file_name),
                        status_tag(&s.status),
                        s.version.map_or(String::new(), |v| v.to_string()),
                        s.rows_accepted.to_string(),
                        s.rows_rejected.to_string(),
                    ]
                })
                .collect();
            let body = table("Submissions", &["Uploaded", "Period", "Force", "File", "Status", "Version", "Rows accepted", "Rows rejected"], &rows);
            respond(StatusCode::OK, "Submission history", Some(&p), &body)
        }
    }
}

fn status_tag(s: &str) -> String {
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
    let mut body = String::new();
    if s.rows_rejected > 0 {
        body.push_str(&error_summary(&[("rejected-rows", format!("{} rows were rejected; they are listed below with table, row, column and value", s.rows_rejected))]));
    } else if s.status == "validated" {
        body.push_str(r#"<div class="govuk-notification-banner"><p>Every row passed validation. Confirm the submission to make it your force's current version.</p></div>"#);
    }
    body.push_str(&summary_list(&[
        ("Force", esc(&s.force_id)),
        ("Period", esc(&s.period)),
        ("File", esc(&s.file_name)),
        ("Uploaded", format!("{} by {}", esc(&s.uploaded_at), esc(&s.uploaded_by))),
        ("Status", status_tag(&s.status) + &s.version.map_or(String::new(), |v| format!(" version {v}"))),
        ("Rows", format!("{} read, {} accepted, {} rejected", s.rows_read, s.rows_accepted, s.rows_rejected)),
    ]));
    if let Some(fr) = &view {
        if !fr.tables.is_empty() {
            let rows: Vec<Vec<String>> =
                fr.tables.iter().map(|(t, c)| vec![esc(t), c.read.to_string(), c.accepted.to_string(), c.rejected.to_string(), c.warnings.to_string()]).collect();
            body.push_str(&table("Rows per table", &["Table", "Read", "Accepted", "Rejected", "With warnings"], &rows));
        }
        let mut rule_rows = Vec::new();
        for (label, counts) in [("Rejects rows", &fr.rules), ("Warning", &fr.warnings)] {
            for (rule, n) in counts {
                let desc = csae_ingest::Rule::from_code(rule).map_or("", |r| r.description());
                rule_rows.push(vec![esc(rule), esc(label), n.to_string(), esc(desc)]);
            }
        }
        if !rule_rows.is_empty() {
            body.push_str(&table("Problems per rule", &["Rule", "Effect", "Rows", "What it checks"], &rule_rows));
        }
        let rows: Vec<Vec<String>> = fr
            .issues
            .iter()
            .map(|i| {
                let val = i.value.as_deref().map_or("(hidden)".to_string(), esc);
                vec![esc(&i.table), i.row.to_string(), esc(i.column.as_deref().unwrap_or("")), val, esc(&i.rule), esc(&i.message)]
            })
            .collect();
        if !rows.is_empty() {
            body.push_str(r#"<div id="rejected-rows"></div>"#);
            body.push_str(&table("Rows to correct", &["Table", "Row", "Column", "Value", "Rule", "What to do"], &rows));
            if fr.issues_total > fr.issues.len() {
                body.push_str(&format!("<p>… and {} more; the API's validation JSON lists them all.</p>", fr.issues_total - fr.issues.len()));
            }
        }
    }
    if s.status == "validated" && p.has(Role::Submitter) {
        body.push_str(&button_form(&p, &format!("/submissions/{}/confirm", s.id), "Confirm this submission", ""));
        body.push_str(&button_form(&p, &format!("/submissions/{}/discard", s.id), "Discard it and upload a corrected return", "govuk-button--secondary"));
    }
    respond(StatusCode::OK, "Validation result", Some(&p), &body)
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

async fn tracker_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Query(q): Query<PeriodQ>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (period, rows) = match app.tracker(&p, &ip, q.period.as_deref()).await {
        Ok(x) => x,
        Err(e) => return error_page(Some(&p), &e),
    };
    let done = rows.iter().filter(|r| r.status != "not_submitted").count();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let colour = match r.status {
                "accepted" => "green",
                "rejected_rows" => "red",
                _ => "grey",
            };
            let opt = |x: Option<i64>| x.map_or(String::new(), |v| v.to_string());
            vec![
                esc(&r.force_name),
                tag(r.status_text(), colour),
                match &r.submission_id {
                    Some(id) => format!(r#"<a href="/submissions/{}">{}</a>"#, esc(id), opt(r.version)),
                    None => String::new(),
                },
                esc(r.confirmed_at.as_deref().unwrap_or("")),
                opt(r.rows_accepted),
                opt(r.rows_rejected),
            ]
        })
        .collect();
    let builds = app.list_builds(&p, &period.id).await.unwrap_or_default();
    let build_rows: Vec<Vec<String>> = builds.iter().map(|b| vec![format!(r#"<a href="/builds/{}">{}</a>"#, esc(&b.id), esc(&b.built_at)), esc(&b.built_by), b.submissions.len().to_string()]).collect();
    let body = format!(
        "<p>{done} of 44 forces have confirmed a return for {} ({} to {}).</p>{}{}{}",
        esc(&period.id),
        esc(&period.from),
        esc(&period.to),
        button_form(&p, &format!("/builds?period={}", period.id), "Build the dataset and publication", ""),
        table("Forces", &["Force", "Status", "Version", "Confirmed", "Rows accepted", "Rows rejected"], &cells),
        table("Builds", &["Built", "By", "Returns"], &build_rows),
    );
    respond(StatusCode::OK, &format!("Tracker: period {}", period.id), Some(&p), &body)
}

async fn build(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Query(q): Query<PeriodQ>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
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
    let files: Vec<Vec<String>> =
        crate::builds::FILES.iter().map(|(n, _, d)| vec![format!(r#"<a href="/builds/{}/files/{n}" download>{n}</a>"#, esc(&b.id)), esc(d)]).collect();
    let body = format!(
        r#"<p class="marking">OFFICIAL-SENSITIVE</p>{}{}"#,
        summary_list(&[
            ("Period", esc(&b.period)),
            ("Built", format!("{} by {}", esc(&b.built_at), esc(&b.built_by))),
            ("Returns", b.submissions.len().to_string()),
            ("CSAE crimes", h["csae_crimes"].to_string()),
            ("Group-based crimes", h["group_based_crimes"].to_string()),
        ]),
        table("Downloads", &["File", "What it is"], &files)
    );
    respond(StatusCode::OK, "Build", Some(&p), &body)
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
            let html = upload_form(&p, "2023", &errors);
            assert!(html.contains(r#"action="/upload?period=2023""#), "{html}");
            assert!(html.contains("Upload the return for period 2023"), "{html}");
        }
    }
}
