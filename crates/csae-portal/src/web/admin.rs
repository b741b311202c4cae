//! The admin pages for users (role `admin` only): the list with each user's state and actions,
//! the form to add a user, and the disable / enable / revoke-tokens buttons. Every form
//! carries the session's CSRF token; every action and refusal is audited (`crate::admin`).

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use maud::{Markup, html};

use super::html::{button_form, csrf_field, error_summary, respond, table, tag, text};
use super::{Form, error_page, form_user, see_other, who};
use crate::access::{Principal, Role};
use crate::error::ApiError;
use crate::params::Params;
use crate::server::{ClientIp, Shared};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/admin/users", get(users_page).post(add_user))
        .route("/admin/users/new", get(new_user_page))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/revoke-tokens", post(revoke_tokens))
}

/// The role choices of the form: (value, label, hint).
const ROLES: [(&str, &str, &str); 5] = [
    ("submitter", "Submitter", "Uploads and confirms one force's returns"),
    ("force_viewer", "Force viewer", "Sees one force's submissions and feedback"),
    ("analyst", "Analyst", "National: tracker, builds and downloads"),
    ("admin", "Admin", "Manages users and periods; sees no data"),
    ("admin,analyst", "Admin and analyst", "Both national roles"),
];

/// 403 page (audited) unless the principal is an admin.
async fn admin_only(app: &Shared, p: &Principal, ip: &str, action: &'static str) -> Result<(), Response> {
    match p.require(&[Role::Admin]) {
        Ok(()) => Ok(()),
        Err(e) => {
            let r: Result<(), ApiError> = Err(e);
            app.audit_result(p, ip, action, None, None, &r, "").await;
            Err(error_page(Some(p), &r.unwrap_err()))
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct Done {
    done: Option<String>,
    user: Option<String>,
}

async fn users_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, q: Params<Done>) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let q = match app.params(&p, &ip, "admin_users", q).await {
        Ok(q) => q,
        Err(e) => return error_page(Some(&p), &e),
    };
    let users = match app.admin_list_users(&p, &ip).await {
        Ok(u) => u,
        Err(e) => return error_page(Some(&p), &e),
    };
    let who_done = q.user.as_deref().filter(|u| crate::accounts::check_username(u).is_ok()).unwrap_or("the user");
    let banner = match q.done.as_deref() {
        Some("added") => Some(format!("{who_done} has been added. Give them their password by a separate, secure route.")),
        Some("disabled") => Some(format!("{who_done} has been disabled: signed out everywhere and every API token revoked.")),
        Some("enabled") => Some(format!("{who_done} can sign in again. Their old API tokens stay revoked.")),
        Some("revoked") => Some(format!("Every API token of {who_done} has been revoked.")),
        _ => None,
    };
    let rows: Vec<Vec<Markup>> = users
        .iter()
        .map(|u| {
            let state = if u.disabled { tag("Disabled", "grey") } else { tag("Active", "green") };
            let actions = html! {
                @if u.disabled {
                    (button_form(&p, &format!("/admin/users/{}/enable", u.id), &format!("Enable {}", u.username), "govuk-button--secondary"))
                } @else if u.id != p.user_id {
                    (button_form(&p, &format!("/admin/users/{}/disable", u.id), &format!("Disable {}", u.username), "govuk-button--warning"))
                }
                @if u.live_tokens > 0 {
                    (button_form(&p, &format!("/admin/users/{}/revoke-tokens", u.id), &format!("Revoke API tokens of {}", u.username), "govuk-button--secondary"))
                }
            };
            vec![
                text(&u.username),
                text(crate::access::roles_text(&u.roles)),
                text(u.force.as_deref().unwrap_or("")),
                state,
                text(u.live_tokens.to_string()),
                text(&u.created_at),
                actions,
            ]
        })
        .collect();
    let body = html! {
        @if let Some(b) = banner {
            div.govuk-notification-banner role="region" aria-labelledby="banner-title" {
                h2.govuk-heading-m id="banner-title" { "Success" }
                p { (b) }
            }
        }
        p { a.govuk-button href="/admin/users/new" { "Add a user" } }
        (table("Users", &["User name", "Roles", "Force", "State", "API tokens", "Added", "Actions"], &rows))
        p { "API tokens are made on the server with " code { "csae token new --username NAME" } "; they are shown once." }
    };
    respond(StatusCode::OK, "Users", Some(&p), body)
}

fn user_form(p: &Principal, errors: &[(&str, String)], f: &HashMap<String, String>) -> Markup {
    let v = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let message = |field: &str| errors.iter().find(|(k, _)| *k == field).map(|(_, m)| m.clone());
    let group = |field: &str| if message(field).is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" };
    let error = |field: &str| {
        html! {
            @if let Some(m) = message(field) {
                p.govuk-error-message id={ (field) "-error" } { span.govuk-visually-hidden { "Error:" } " " (m) }
            }
        }
    };
    html! {
        (error_summary(errors))
        form method="post" action="/admin/users" novalidate {
            (csrf_field(p))
            div class=(group("username")) {
                label.govuk-label for="username" { "User name" }
                div.govuk-hint { "2 to 64 characters: a-z, 0-9, full stop, underscore or hyphen; for example cumbria.sub" }
                (error("username"))
                input.govuk-input id="username" name="username" autocomplete="off" spellcheck="false" value=(v("username"));
            }
            div class=(group("role")) {
                fieldset.govuk-fieldset id="role" {
                    legend.govuk-label { "Role" }
                    (error("role"))
                    div.govuk-radios {
                        @for (value, label, hint) in ROLES {
                            @let id = format!("role-{}", value.replace(',', "-"));
                            div.govuk-radios__item {
                                input.govuk-radios__input id=(id) name="role" type="radio" value=(value) checked[v("role") == value];
                                label."govuk-label"."govuk-radios__label" for=(id) { (label) }
                                div.govuk-hint { (hint) }
                            }
                        }
                    }
                }
            }
            div class=(group("force")) {
                label.govuk-label for="force" { "Force" }
                div.govuk-hint { "Submitters and force viewers belong to one force; national roles to none" }
                (error("force"))
                select.govuk-select id="force" name="force" {
                    option value="" { "No force (national roles)" }
                    @for force in csae_model::forces() {
                        option value=(force.id) selected[v("force") == force.id] { (force.name) }
                    }
                }
            }
            div class=(group("password")) {
                label.govuk-label for="password" { "Password" }
                div.govuk-hint { "At least 12 characters. Give it to the user by a separate, secure route" }
                (error("password"))
                input.govuk-input id="password" name="password" type="password" autocomplete="new-password";
            }
            button.govuk-button type="submit" { "Add the user" } " " a href="/admin/users" { "Cancel" }
        }
    }
}

async fn new_user_page(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap) -> Response {
    let p = match who(&app, &headers, &ip).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Err(r) = admin_only(&app, &p, &ip, "page_add_user").await {
        return r;
    }
    respond(StatusCode::OK, "Add a user", Some(&p), user_form(&p, &[], &HashMap::new()))
}

async fn add_user(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let g = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let force = g("force");
    match app.admin_add_user(&p, &ip, &g("username"), &g("role"), Some(force.as_str()), &password).await {
        Ok(u) => see_other(&format!("/admin/users?done=added&user={}", u.username)),
        Err(e) if e.status == StatusCode::FORBIDDEN => error_page(Some(&p), &e),
        Err(e) if e.status.is_client_error() => {
            // Shown again without the password.
            let mut kept = f.clone();
            kept.remove("password");
            respond(e.status, "Add a user", Some(&p), user_form(&p, &[(crate::admin::field_of(e.code), e.message())], &kept))
        }
        Err(e) => error_page(Some(&p), &e),
    }
}

async fn disable(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    set_disabled(app, ip, headers, id, f, true).await
}

async fn enable(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    set_disabled(app, ip, headers, id, f, false).await
}

async fn set_disabled(app: Shared, ip: String, headers: HeaderMap, id: String, f: HashMap<String, String>, disabled: bool) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.admin_set_disabled(&p, &ip, &id, disabled).await {
        Ok(u) => see_other(&format!("/admin/users?done={}&user={}", if disabled { "disabled" } else { "enabled" }, u.username)),
        Err(e) => error_page(Some(&p), &e),
    }
}

async fn revoke_tokens(State(app): State<Shared>, ClientIp(ip): ClientIp, headers: HeaderMap, Path(id): Path<String>, axum::Form(f): Form) -> Response {
    let p = match form_user(&app, &headers, &ip, f.get("csrf").map(String::as_str)).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match app.admin_revoke_tokens(&p, &ip, &id).await {
        Ok((u, _)) => see_other(&format!("/admin/users?done=revoked&user={}", u.username)),
        Err(e) => error_page(Some(&p), &e),
    }
}
