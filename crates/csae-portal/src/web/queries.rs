//! Analyst queries on the submission page: the queries with their replies, the forms to raise
//! (analysts), reply (the force's users) and close (analysts), and the tracker's list of open
//! queries. Every form carries the session's CSRF token and goes through the same actions as
//! the API (`crate::queries`). Texts are always escaped (maud) and never taken as HTML.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use maud::{Markup, html};

use super::html::{button_form, csrf_field, error_summary, respond, table, tag, text};
use super::{Form, error_page, form_user, see_other};
use crate::access::{Principal, Role};
use crate::error::ApiError;
use crate::queries::{MAX_CHARS, OPEN, Query};
use crate::server::{ClientIp, Shared};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/submissions/{id}/queries", post(raise))
        .route("/queries/{id}/replies", post(reply))
        .route("/queries/{id}/close", post(close))
}

/// The policy every query form shows.
pub const NO_PERSONAL_VALUES: &str =
    "Query text must never hold personal values such as names, dates of birth or PNC ids. Queries are kept with the submission and are not included in any publication.";

/// A text area of a query form.
fn text_area(id: &str, label: &str) -> Markup {
    html! {
        div.govuk-form-group {
            label.govuk-label for=(id) { (label) }
            div.govuk-hint { "At most 2,000 characters. " (NO_PERSONAL_VALUES) }
            textarea.govuk-textarea id=(id) name="text" rows="4" maxlength=(MAX_CHARS) {}
        }
    }
}

/// The queries section of a submission's page.
pub fn section(p: &Principal, submission: &str, queries: &[Query]) -> Markup {
    let force_user = p.has(Role::Submitter) || p.has(Role::ForceViewer);
    html! {
        h2.govuk-heading-m id="queries" { "Queries from the national team" }
        p.govuk-body-s { (NO_PERSONAL_VALUES) }
        @if queries.is_empty() { p { "There are no queries on this submission." } }
        @for q in queries {
            div.query id={ "query-" (q.id) } {
                p {
                    @if q.status == OPEN { (tag("Open", "blue")) } @else { (tag("Closed", "grey")) }
                    " Raised " (q.raised_at) " by " (q.raised_by)
                    @if let (Some(by), Some(at)) = (&q.closed_by, &q.closed_at) { "; closed " (at) " by " (by) }
                }
                p.query-text { (q.text) }
                @for r in &q.replies {
                    div.query-reply {
                        p.govuk-body-s { "Reply " (r.replied_at) " by " (r.replied_by) }
                        p.query-text { (r.text) }
                    }
                }
                @if q.status == OPEN && force_user {
                    form method="post" action={ "/queries/" (q.id) "/replies" } {
                        (csrf_field(p))
                        (text_area(&format!("reply-{}", q.id), "Your reply"))
                        button.govuk-button type="submit" { "Send the reply" }
                    }
                }
                @if q.status == OPEN && p.has(Role::Analyst) {
                    (button_form(p, &format!("/queries/{}/close", q.id), "Close this query", "govuk-button--secondary"))
                }
            }
        }
        @if p.has(Role::Analyst) {
            form method="post" action={ "/submissions/" (submission) "/queries" } {
                (csrf_field(p))
                (text_area("query-text", "Raise a query with the force"))
                button.govuk-button type="submit" { "Raise the query" }
            }
        }
    }
}

/// The tracker's list of open queries, each linking to its submission.
pub fn open_list(queries: &[Query]) -> Markup {
    let rows: Vec<Vec<Markup>> = queries
        .iter()
        .map(|q| {
            let force = csae_model::force(&q.force_id).map_or(q.force_id.clone(), |f| f.name.clone());
            vec![
                text(force),
                html! { a href={ "/submissions/" (q.submission_id) "#query-" (q.id) } { (q.raised_at) } },
                text(&q.raised_by),
                html! { span.query-text { (q.text) } },
            ]
        })
        .collect();
    html! {
        @if rows.is_empty() { h2.govuk-heading-m { "Open queries" } p { "No query is open." } }
        @else { (table("Open queries", &["Force", "Raised", "By", "Query"], &rows)) }
    }
}

/// After a step, back to the submission's page at the query; a refusal as an error page with
/// a way back (a 404 gives no link, so it tells nothing).
fn after(p: &Principal, r: Result<Query, ApiError>, back: Option<&str>) -> Response {
    match r {
        Ok(q) => see_other(&format!("/submissions/{}#query-{}", q.submission_id, q.id)),
        Err(e) if e.status == StatusCode::BAD_REQUEST || e.status == StatusCode::CONFLICT => {
            let body = html! {
                (error_summary(&[("main-content", e.message())]))
                @if let Some(b) = back { p { a href={ "/submissions/" (b) "#queries" } { "Go back to the submission" } } }
            };
            respond(e.status, "There is a problem with the query", Some(p), body)
        }
        Err(e) => error_page(Some(p), &e),
    }
}

async fn raise(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = app.raise_query(&p, &ip, &id, Some(f.get("text").map_or("", String::as_str))).await;
    after(&p, r, Some(&id))
}

async fn reply(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = app.reply_query(&p, &ip, &id, Some(f.get("text").map_or("", String::as_str))).await;
    let back = app.query_submission(&p, &id).await;
    after(&p, r, back.as_deref())
}

async fn close(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let r = app.close_query(&p, &ip, &id).await;
    let back = app.query_submission(&p, &id).await;
    after(&p, r, back.as_deref())
}
