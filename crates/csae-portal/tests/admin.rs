//! The admin pages for users, on SQLite and (when CSAE_TEST_DATABASE_URL is set) PostgreSQL:
//! who may reach them (admin only, every role tried), and what each action does — add a user,
//! revoke a user's API tokens, disable and enable a user — with CSRF and the audit log.

mod common;

use axum::http::StatusCode;
use common::*;
use csae_portal::audit;

/// The CSRF token of a session (what its pages put in their forms).
async fn csrf(e: &Env, session: &str) -> String {
    use sqlx::Row as _;
    let hash = csae_portal::util::sha256_hex(session.as_bytes());
    let r = sqlx::query("SELECT csrf FROM sessions WHERE token_hash = $1").bind(hash).fetch_one(&e.app.db.pool).await.unwrap();
    r.get(0)
}

async fn user_id(e: &Env, name: &str) -> String {
    csae_portal::accounts::find_user(&e.app.db, name).await.unwrap().unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_reach_the_user_pages_whatever_the_route() {
    use StatusCode as S;
    for backend in backends() {
        let e = env(backend).await;
        let names = ["-", "sub", "viewer", "analyst", "admin", "both"];
        e.user("sub", "submitter", Some("cumbria")).await;
        e.user("viewer", "force_viewer", Some("cumbria")).await;
        e.user("analyst", "analyst", None).await;
        e.user("admin", "admin", None).await;
        e.user("both", "admin,analyst", None).await;
        e.user("target", "submitter", Some("durham")).await;
        let target = user_id(&e, "target").await;
        let mut sessions = vec![None];
        let mut tokens = vec![String::new()];
        for n in &names[1..] {
            let s = e.session(n).await;
            tokens.push(csrf(&e, &s).await);
            sessions.push(Some(s));
        }
        let allowed = |i: usize, ok: S| match i {
            0 => S::UNAUTHORIZED,
            4 | 5 => ok,
            _ => S::FORBIDDEN,
        };
        for i in 0..names.len() {
            let (who, session, csrf) = (names[i], sessions[i].as_deref(), &tokens[i]);
            for path in ["/admin/users", "/admin/users/new"] {
                let (s, body) = e.page("GET", path, session, None).await;
                assert_eq!(s, allowed(i, S::OK), "{backend}: GET {path} as {who}");
                if s == S::FORBIDDEN {
                    assert!(body.contains("needs the role admin"), "{backend}: the 403 page says why: {body}");
                }
            }
            let form = format!("csrf={csrf}&username=new-{i}&role=analyst&force=&password=a+long+enough+password");
            let (s, _) = e.page("POST", "/admin/users", session, Some(&form)).await;
            assert_eq!(s, allowed(i, S::SEE_OTHER), "{backend}: add a user as {who}");
            let made = csae_portal::accounts::find_user(&e.app.db, &format!("new-{i}")).await.unwrap().is_some();
            assert_eq!(made, i >= 4, "{backend}: a user was {} by {who}", if made { "added" } else { "not added" });
            for action in ["revoke-tokens", "disable", "enable"] {
                let (s, _) = e.page("POST", &format!("/admin/users/{target}/{action}"), session, Some(&format!("csrf={csrf}"))).await;
                assert_eq!(s, allowed(i, S::SEE_OTHER), "{backend}: {action} as {who}");
            }
            // A missing user is 404 for admins, and still 403 for the others.
            let (s, _) = e.page("POST", "/admin/users/nope/disable", session, Some(&format!("csrf={csrf}"))).await;
            assert_eq!(s, allowed(i, S::NOT_FOUND), "{backend}: disable a missing user as {who}");
        }
        // The non-admins' attempts are all in the audit log, as refusals.
        let audit_lines = e.audit_lines().await;
        for who in ["sub", "viewer", "analyst"] {
            for action in ["admin_users", "page_add_user", "user_add", "token_revoke", "user_disable", "user_enable"] {
                assert!(audit_lines.iter().any(|a| a.0 == who && a.1 == action && a.2 == "refused"), "{backend}: {who}'s {action} is not audited as refused");
            }
        }
        // Only admins see the link.
        for (i, link) in [(1, false), (3, false), (4, true), (5, true)] {
            let (_, body) = e.page("GET", "/", sessions[i].as_deref(), None).await;
            assert_eq!(body.contains(r#"href="/admin/users""#), link, "{backend}: the start page of {}", names[i]);
        }
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_add_users_revoke_tokens_and_disable_with_csrf_and_audit() {
    for backend in backends() {
        let e = env(backend).await;
        e.user("admin", "admin", None).await;
        let token = e.user("target", "submitter", Some("durham")).await;
        let target = user_id(&e, "target").await;
        let admin_id = user_id(&e, "admin").await;
        let admin = e.session("admin").await;
        let csrf = csrf(&e, &admin).await;
        let target_session = e.session("target").await;
        let pw = "a+long+enough+password";

        // The list shows every user, with their state and actions.
        let (s, body) = e.page("GET", "/admin/users", Some(&admin), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("target") && body.contains("durham") && body.contains("Active"), "{body}");
        assert!(body.contains(&format!("/admin/users/{target}/disable")) && body.contains(&format!("/admin/users/{target}/revoke-tokens")));
        assert!(!body.contains(&format!("/admin/users/{admin_id}/disable")), "an admin is not offered to disable their own account");

        // Without the session's CSRF token nothing happens.
        for form in [format!("username=new.sub&role=submitter&force=cumbria&password={pw}"), format!("csrf=wrong&username=new.sub&role=submitter&force=cumbria&password={pw}")] {
            let (s, _) = e.page("POST", "/admin/users", Some(&admin), Some(&form)).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{backend}");
        }
        let (s, _) = e.page("POST", &format!("/admin/users/{target}/disable"), Some(&admin), Some("csrf=wrong")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(csae_portal::accounts::find_user(&e.app.db, "new.sub").await.unwrap().is_none());

        // Mistakes come back on the form, by the field, without the password.
        let cases = [
            ("username=Not+Valid&role=analyst&force=", StatusCode::BAD_REQUEST, "is not a user name"),
            ("username=new.sub&role=&force=", StatusCode::BAD_REQUEST, "choose the user's role"),
            ("username=new.sub&role=submitter&force=", StatusCode::BAD_REQUEST, "choose the force"),
            ("username=new.sub&role=analyst&force=cumbria", StatusCode::BAD_REQUEST, "choose no force"),
            ("username=new.sub&role=root&force=", StatusCode::BAD_REQUEST, "is not a role"),
            ("username=target&role=analyst&force=", StatusCode::CONFLICT, "already exists"),
        ];
        for (fields, status, msg) in cases {
            let (s, body) = e.page("POST", "/admin/users", Some(&admin), Some(&format!("csrf={csrf}&{fields}&password={pw}"))).await;
            assert_eq!(s, status, "{backend}: {fields}");
            assert!(body.contains("There is a problem") && body.contains(msg), "{backend}: {fields}: {body}");
            assert!(!body.contains("a long enough password"), "the password is not shown back");
        }
        let (s, body) = e.page("POST", "/admin/users", Some(&admin), Some(&format!("csrf={csrf}&username=new.sub&role=submitter&force=cumbria&password=short"))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(body.contains("at least 12"), "{body}");
        assert!(body.contains(r#"value="cumbria" selected"#), "the form keeps the force chosen");

        // A valid user is added and can sign in.
        let (s, _) = e.page("POST", "/admin/users", Some(&admin), Some(&format!("csrf={csrf}&username=new.sub&role=submitter&force=cumbria&password={pw}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        let (_, body) = e.page("GET", "/admin/users?done=added&user=new.sub", Some(&admin), None).await;
        assert!(body.contains("new.sub has been added"), "{body}");
        let u = csae_portal::accounts::find_user(&e.app.db, "new.sub").await.unwrap().unwrap();
        assert_eq!((u.force.as_deref(), csae_portal::access::roles_text(&u.roles).as_str()), (Some("cumbria"), "submitter"));
        assert!(e.app.sign_in("127.0.0.1", "new.sub", "a long enough password").await.is_ok(), "{backend}: the new user cannot sign in");

        // Revoking tokens stops the API, not the browser session.
        assert_eq!(e.api("GET", "/api/v1/me", Some(&token), vec![]).await.0, StatusCode::OK);
        let (s, _) = e.page("POST", &format!("/admin/users/{target}/revoke-tokens"), Some(&admin), Some(&format!("csrf={csrf}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(e.api("GET", "/api/v1/me", Some(&token), vec![]).await.0, StatusCode::UNAUTHORIZED, "{backend}: a revoked token still works");
        assert_eq!(e.page("GET", "/submissions", Some(&target_session), None).await.0, StatusCode::OK);

        // Disabling signs the user out everywhere and refuses sign-in; enabling lets them back.
        let token2 = {
            let u = csae_portal::accounts::find_user(&e.app.db, "target").await.unwrap().unwrap();
            csae_portal::accounts::issue_token(&e.app.db, e.dir.path(), "test", &u).await.unwrap()
        };
        let (s, _) = e.page("POST", &format!("/admin/users/{target}/disable"), Some(&admin), Some(&format!("csrf={csrf}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(e.page("GET", "/submissions", Some(&target_session), None).await.0, StatusCode::UNAUTHORIZED, "{backend}: a disabled user's session still works");
        assert_eq!(e.api("GET", "/api/v1/me", Some(&token2), vec![]).await.0, StatusCode::UNAUTHORIZED);
        assert!(e.app.sign_in("127.0.0.2", "target", PASSWORD).await.is_err(), "a disabled user signs in");
        let (_, body) = e.page("GET", "/admin/users", Some(&admin), None).await;
        assert!(body.contains("Disabled") && body.contains(&format!("/admin/users/{target}/enable")), "{body}");
        let (s, _) = e.page("POST", &format!("/admin/users/{target}/enable"), Some(&admin), Some(&format!("csrf={csrf}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(e.app.sign_in("127.0.0.3", "target", PASSWORD).await.is_ok(), "{backend}: an enabled user cannot sign in");
        assert_eq!(e.api("GET", "/api/v1/me", Some(&token2), vec![]).await.0, StatusCode::UNAUTHORIZED, "enabling does not bring tokens back");

        // An admin cannot lock themselves out.
        let (s, body) = e.page("POST", &format!("/admin/users/{admin_id}/disable"), Some(&admin), Some(&format!("csrf={csrf}"))).await;
        assert_eq!(s, StatusCode::CONFLICT, "{backend}");
        assert!(body.contains("your own account"), "{body}");

        // Every action is audited, with no password anywhere; the chain holds.
        let lines = e.audit_lines().await;
        for (action, outcome, detail) in [
            ("user_add", "ok", "user new.sub added with role submitter"),
            ("user_add", "refused", "403 forbidden: missing or wrong CSRF token"),
            ("token_revoke", "ok", "1 token(s) of target revoked"),
            ("user_disable", "ok", "user target disabled: sessions ended, 1 token(s) revoked"),
            ("user_enable", "ok", "user target enabled"),
            ("user_disable", "refused", "409 own_account"),
        ] {
            let found = lines.iter().any(|a| a.1 == action && a.2 == outcome && a.3.starts_with(detail))
                || (detail.contains("CSRF") && lines.iter().any(|a| a.1 == "form" && a.2 == "refused" && a.3.contains("CSRF")));
            assert!(found, "{backend}: no audit entry {action} {outcome} {detail:?}");
        }
        assert!(lines.iter().all(|a| !a.3.contains("long enough")), "{backend}: a password is in the audit log");
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}
