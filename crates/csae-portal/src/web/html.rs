//! HTML building blocks after the GOV.UK Design System patterns (header, error summary,
//! summary list, table, task list, buttons), with the app's own CSS. No JavaScript, no
//! external assets. Pages are `maud` templates: every interpolated value is escaped.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use crate::access::{Principal, Via};

pub const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:Arial,sans-serif;font-size:19px;line-height:1.32;color:#0b0c0c;background:#fff}
a{color:#1d70b8}a:visited{color:#4c2c92}a:focus{outline:3px solid transparent;background:#fd0;box-shadow:0 -2px #fd0,0 4px #0b0c0c;color:#0b0c0c;text-decoration:none}
.govuk-header{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8;padding:10px 0}
.govuk-header a{color:#fff;font-weight:700;text-decoration:none}.govuk-header .who{float:right;font-size:16px}
.govuk-header form{display:inline}.govuk-header button{background:none;border:0;color:#fff;text-decoration:underline;font-size:16px;cursor:pointer}
.govuk-width-container{max-width:1020px;margin:0 15px}@media(min-width:1050px){.govuk-width-container{margin:0 auto}}
.govuk-main-wrapper{padding:30px 0}.govuk-heading-xl{font-size:48px;margin:0 0 30px}.govuk-heading-m{font-size:24px;margin:30px 0 15px}
.govuk-tag{display:inline-block;padding:2px 8px;font-weight:700;font-size:16px;background:#cce2d8;color:#005a30}.govuk-tag--red{background:#f4cdc6;color:#942514}.govuk-tag--grey{background:#e5e6e7;color:#383f43}.govuk-tag--blue{background:#bbd4ea;color:#0c2d4a}
.govuk-error-summary{border:5px solid #d4351c;padding:20px;margin-bottom:30px}.govuk-error-summary h2{margin-top:0;font-size:24px}.govuk-error-summary a{color:#d4351c;font-weight:700}
.govuk-notification-banner{border:5px solid #00703c;padding:20px;margin-bottom:30px}
.govuk-table{width:100%;border-collapse:collapse;margin-bottom:30px;font-size:16px}.govuk-table th,.govuk-table td{border-bottom:1px solid #b1b4b6;padding:10px 20px 10px 0;text-align:left;vertical-align:top}.govuk-table .num{text-align:right}
.govuk-summary-list{margin:0 0 30px}.govuk-summary-list div{display:flex;border-bottom:1px solid #b1b4b6;padding:10px 0}.govuk-summary-list dt{font-weight:700;width:35%}.govuk-summary-list dd{margin:0}
.govuk-task-list{list-style:none;padding:0;margin:0 0 30px}.govuk-task-list li{display:flex;justify-content:space-between;border-bottom:1px solid #b1b4b6;padding:12px 0}
.govuk-form-group{margin-bottom:30px}.govuk-label{display:block;font-weight:700;margin-bottom:5px}.govuk-hint{color:#505a5f;margin-bottom:10px}
.govuk-input,.govuk-select{font-size:19px;padding:5px;border:2px solid #0b0c0c;min-width:300px}.govuk-input:focus,.govuk-select:focus{outline:3px solid #fd0}
.govuk-form-group--error{border-left:5px solid #d4351c;padding-left:15px}.govuk-error-message{color:#d4351c;font-weight:700}
.govuk-button{background:#00703c;color:#fff;border:0;box-shadow:0 2px 0 #002d18;padding:8px 10px;font-size:19px;cursor:pointer;margin:0 15px 20px 0;text-decoration:none;display:inline-block}
.govuk-button--secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}.govuk-button--warning{background:#d4351c}
.govuk-body-s{font-size:16px}.marking{font-weight:700;letter-spacing:1px}
.govuk-fieldset{border:0;padding:0;margin:0}.govuk-radios__item{margin-bottom:10px}.govuk-radios__input{width:24px;height:24px;margin:0 10px 0 0;vertical-align:middle}
.govuk-radios__label{display:inline;font-weight:400}.govuk-radios__item .govuk-hint{margin:0 0 0 34px}
.govuk-visually-hidden{position:absolute!important;width:1px!important;height:1px!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;white-space:nowrap!important}
.govuk-button:link,.govuk-button:visited{color:#fff}.govuk-button--secondary:link,.govuk-button--secondary:visited{color:#0b0c0c}.govuk-notification-banner h2{margin-top:0}
.govuk-table form{display:inline}.govuk-table .govuk-button{font-size:16px;margin:0 10px 5px 0}
.govuk-textarea{font-size:19px;padding:5px;border:2px solid #0b0c0c;width:100%;max-width:640px;font-family:inherit}.govuk-textarea:focus{outline:3px solid #fd0}
.query{border-left:5px solid #b1b4b6;padding-left:15px;margin-bottom:30px}.query-reply{margin-left:20px}.query-text{white-space:pre-wrap;overflow-wrap:anywhere}
"#;

/// The session's CSRF token, empty for an API principal.
fn csrf_of(p: &Principal) -> &str {
    match &p.via {
        Via::Session { csrf, .. } => csrf.as_str(),
        Via::Token => "",
    }
}

/// A full page.
pub fn page(title: &str, who: Option<&Principal>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – CSAE collection" }
                link rel="stylesheet" href="/assets/app.css";
            }
            body {
                header.govuk-header {
                    div.govuk-width-container {
                        a href="/" { "CSAE national collection" }
                        @if let Some(p) = who {
                            span.who {
                                (p.username) " (" (crate::access::roles_text(&p.roles))
                                @if let Some(f) = &p.force { ", " (f) }
                                ") "
                                form method="post" action="/sign-out" {
                                    input type="hidden" name="csrf" value=(csrf_of(p));
                                    button type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                div.govuk-width-container {
                    main.govuk-main-wrapper id="main-content" {
                        h1.govuk-heading-xl { (title) }
                        (body)
                    }
                    footer.govuk-body-s { "Synthetic data only. Every view of data is recorded in the audit log." }
                }
            }
        }
    }
}

pub fn respond(status: StatusCode, title: &str, who: Option<&Principal>, body: Markup) -> Response {
    let mut r = Html(page(title, who, body).into_string()).into_response();
    *r.status_mut() = status;
    r.headers_mut().insert("cache-control", axum::http::HeaderValue::from_static("no-store"));
    r
}

/// The error summary: a list of problems, each linking to the field it concerns.
pub fn error_summary(errors: &[(&str, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.govuk-error-summary role="alert" tabindex="-1" {
                h2 { "There is a problem" }
                ul { @for (field, msg) in errors { li { a href={ "#" (field) } { (msg) } } } }
            }
        }
    }
}

pub fn tag(text: &str, colour: &str) -> Markup {
    html! { strong class={ "govuk-tag govuk-tag--" (colour) } { (text) } }
}

pub fn summary_list(rows: &[(&str, Markup)]) -> Markup {
    html! { dl.govuk-summary-list { @for (k, v) in rows { div { dt { (k) } dd { (v) } } } } }
}

/// A table of cells already made.
pub fn table(caption: &str, head: &[&str], rows: &[Vec<Markup>]) -> Markup {
    html! {
        table.govuk-table {
            caption.govuk-heading-m { (caption) }
            thead { tr { @for h in head { th scope="col" { (h) } } } }
            tbody { @for r in rows { tr { @for c in r { td { (c) } } } } }
        }
    }
}

pub fn csrf_field(p: &Principal) -> Markup {
    html! {
        @if let Via::Session { csrf, .. } = &p.via {
            input type="hidden" name="csrf" value=(csrf);
        }
    }
}

/// A form with one button, posting to `action`.
pub fn button_form(p: &Principal, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(p))
            button class={ "govuk-button " (class) } type="submit" { (label) }
        }
    }
}

/// Text as a cell or value of the blocks above.
pub fn text(s: impl AsRef<str>) -> Markup {
    html! { (s.as_ref()) }
}
