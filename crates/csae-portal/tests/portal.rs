//! The portal end to end through its router, on SQLite and (when CSAE_TEST_DATABASE_URL is
//! set) PostgreSQL: audit chain, sign-in, sessions, CSRF, rate limit, every route as every
//! role, uploads and their refusals.

mod common;

use axum::http::StatusCode;
use common::*;
use csae_portal::audit::{self, Event};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_detects_edited_removed_reordered_and_truncated_entries() {
    for backend in backends() {
        for tamper in ["none", "edit", "remove", "reorder", "truncate"] {
            let e = env(backend).await;
            let (db, dir) = (&e.app.db, e.dir.path());
            for i in 0..5 {
                audit::append(db, dir, Event::new("alice", "upload", "ok").force(Some("cumbria")).detail(format!("entry {i}"))).await.unwrap();
            }
            let sql: &[&'static str] = match tamper {
                "none" => &[],
                "edit" => &["UPDATE audit_log SET detail = 'entry 99' WHERE seq = 3"],
                "remove" => &["DELETE FROM audit_log WHERE seq = 3"],
                "reorder" => &["UPDATE audit_log SET seq = 100 WHERE seq = 2", "UPDATE audit_log SET seq = 2 WHERE seq = 3", "UPDATE audit_log SET seq = 3 WHERE seq = 100"],
                _ => &["DELETE FROM audit_log WHERE seq = 5"],
            };
            for s in sql {
                sqlx::query(*s).execute(&db.pool).await.unwrap();
            }
            let v = audit::verify(db, dir, None).await.unwrap();
            if tamper == "none" {
                assert!(v.problems.is_empty(), "{backend}: {:?}", v.problems);
                assert_eq!(v.entries, 5);
            } else {
                assert!(!v.problems.is_empty(), "{backend}: {tamper} not detected");
                let expect = match tamper {
                    "edit" => "entry 3 (upload by alice",
                    "remove" => "entry 3 is missing",
                    "reorder" => "entry 2 does not follow",
                    _ => "entries were removed from the end",
                };
                assert!(v.problems[0].contains(expect), "{backend} {tamper}: {:?}", v.problems);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_sessions_csrf_and_rate_limit() {
    for backend in backends() {
        let e = env(backend).await;
        e.user("ana", "analyst", None).await;
        // The sign-in form sets its CSRF cookie and field.
        let (s, headers, body) = e.send(axum::http::Request::get("/sign-in").body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        let cookie = headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let pre = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
        assert!(String::from_utf8_lossy(&body).contains(&pre));
        let post = |form: String, cookie: Option<String>| {
            let mut b = axum::http::Request::post("/sign-in").header("content-type", "application/x-www-form-urlencoded");
            if let Some(c) = cookie {
                b = b.header("cookie", c);
            }
            b.body(axum::body::Body::from(form)).unwrap()
        };
        // Without the CSRF cookie: refused.
        let (s, _, _) = e.send(post(format!("csrf={pre}&username=ana&password=x"), None)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{backend}");
        // Wrong password: 401 with a clear message.
        let (s, _, body) = e.send(post(format!("csrf={pre}&username=ana&password=wrong"), Some(format!("csae_signin={pre}")))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(String::from_utf8_lossy(&body).contains("user name or password is not right"));
        // Right password: a session cookie and a redirect.
        let pw = PASSWORD.replace(' ', "+");
        let (s, headers, _) = e.send(post(format!("csrf={pre}&username=ana&password={pw}"), Some(format!("csae_signin={pre}")))).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        let session = headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with("csae_session="))
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string();
        let (s, body) = e.page("GET", "/", Some(&session), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("Tracker"));
        // A form without its CSRF token is refused and nothing is opened.
        let (s, _) = e.page("POST", "/periods", Some(&session), Some("id=2023&from=2023-01-01&to=2023-12-31")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(csae_portal::periods::get(&e.app.db, "2023").await.unwrap().is_none());
        // An idle session expires.
        let u = csae_portal::accounts::find_user(&e.app.db, "ana").await.unwrap().unwrap();
        csae_portal::sessions::age_sessions(&e.app.db, &u.id, 120).await.unwrap();
        let (s, body) = e.page("GET", "/tracker?period=2023", Some(&session), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(body.contains("session has expired"), "{body}");
        // Rate limit: after 5 failures (the sign-in above cleared the earlier one), 429 even
        // with the right password.
        for _ in 0..5 {
            let (s, _, _) = e.send(post(format!("csrf={pre}&username=ana&password=nope"), Some(format!("csae_signin={pre}")))).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let (s, _, _) = e.send(post(format!("csrf={pre}&username=ana&password={pw}"), Some(format!("csae_signin={pre}")))).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{backend}");
        let audit = e.audit_lines().await;
        assert!(audit.iter().any(|a| a.1 == "sign_in" && a.2 == "refused" && a.3.contains("rate-limited")));
        assert!(audit.iter().any(|a| a.1 == "sign_in" && a.2 == "refused" && a.3.contains("CSRF")));
        assert!(audit.iter().any(|a| a.1 == "form" && a.2 == "refused"));
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}

/// Every API route and page as nobody, each role, and another force: exactly 401/403/404 per spec.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_as_every_role_and_another_force() {
    for backend in backends() {
        let e = env(backend).await;
        // Principals: nobody, submitter and viewer of cumbria, submitter of durham, analyst, admin.
        let names = ["-", "sub_a", "view_a", "sub_b", "analyst", "admin"];
        let tokens = [
            None,
            Some(e.user("sub_a", "submitter", Some("cumbria")).await),
            Some(e.user("view_a", "force_viewer", Some("cumbria")).await),
            Some(e.user("sub_b", "submitter", Some("durham")).await),
            Some(e.user("analyst", "analyst", None).await),
            Some(e.user("admin", "admin", None).await),
        ];
        let mut sessions = vec![None];
        for n in &names[1..] {
            sessions.push(Some(e.session(n).await));
        }
        let (s, _) = e.api("POST", "/api/v1/periods", tokens[4].as_deref(), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED);
        let upload = zip_folder(&tiny_cumbria(), Some("cumbria"));
        let mut ids = Vec::new();
        for _ in 0..3 {
            let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", tokens[1].as_deref(), upload.clone()).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            ids.push(v["id"].as_str().unwrap().to_string());
        }
        let (a, c, d) = (&ids[0], &ids[1], &ids[2]);
        // Two queries on a: one to reply to, one to close.
        let mut qids = Vec::new();
        for _ in 0..2 {
            let (s, v) = e.api("POST", &format!("/api/v1/submissions/{a}/queries"), tokens[4].as_deref(), br#"{"text":"Why did March fall?"}"#.to_vec()).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            qids.push(v["id"].as_str().unwrap().to_string());
        }
        let (q, q2) = (&qids[0], &qids[1]);
        use StatusCode as S;
        const U: S = S::UNAUTHORIZED;
        const F: S = S::FORBIDDEN;
        const N: S = S::NOT_FOUND;
        const O: S = S::OK;
        // (method, path, body, expected for each principal). Mutating routes run sub_a last.
        let api: Vec<(&str, String, Vec<u8>, [S; 6])> = vec![
            ("GET", "/api/v1/openapi.json".into(), vec![], [O, O, O, O, O, O]),
            ("GET", "/api/v1/me".into(), vec![], [U, O, O, O, O, O]),
            ("GET", "/api/v1/periods".into(), vec![], [U, O, O, O, O, O]),
            ("GET", "/api/v1/submissions".into(), vec![], [U, O, O, O, O, F]),
            ("GET", format!("/api/v1/submissions/{a}"), vec![], [U, O, O, N, O, F]),
            ("GET", "/api/v1/submissions/nope".into(), vec![], [U, N, N, N, N, F]),
            ("GET", format!("/api/v1/submissions/{a}/issues.xlsx"), vec![], [U, O, O, N, O, F]),
            ("GET", format!("/api/v1/submissions/{a}/issues.csv"), vec![], [U, O, O, N, O, F]),
            ("GET", "/api/v1/submissions/nope/issues.csv".into(), vec![], [U, N, N, N, N, F]),
            ("POST", format!("/api/v1/submissions/{a}/queries"), br#"{"text":"Another question"}"#.to_vec(), [U, F, F, F, S::CREATED, F]),
            ("POST", "/api/v1/submissions/nope/queries".into(), br#"{"text":"x"}"#.to_vec(), [U, F, F, F, N, F]),
            ("POST", format!("/api/v1/queries/{q}/replies"), br#"{"text":"A change of system"}"#.to_vec(), [U, S::CREATED, S::CREATED, N, F, F]),
            ("POST", "/api/v1/queries/nope/replies".into(), br#"{"text":"x"}"#.to_vec(), [U, N, N, N, F, F]),
            ("POST", format!("/api/v1/queries/{q2}/close"), vec![], [U, F, F, F, O, F]),
            ("POST", "/api/v1/queries/nope/close".into(), vec![], [U, F, F, F, N, F]),
            ("GET", "/api/v1/forces/cumbria/history".into(), vec![], [U, O, O, N, O, F]),
            ("GET", "/api/v1/forces/atlantis/history".into(), vec![], [U, N, N, N, N, F]),
            ("POST", format!("/api/v1/submissions/{c}/confirm"), vec![], [U, O, F, N, F, F]),
            ("POST", format!("/api/v1/submissions/{d}/discard"), vec![], [U, O, F, N, F, F]),
            ("GET", "/api/v1/tracker?period=2023".into(), vec![], [U, F, F, F, O, F]),
            ("GET", "/api/v1/tracker?period=1999".into(), vec![], [U, F, F, F, N, F]),
            ("POST", "/api/v1/builds?period=1999".into(), vec![], [U, F, F, F, N, F]),
            ("GET", "/api/v1/builds/nope".into(), vec![], [U, F, F, F, N, F]),
            ("GET", "/api/v1/builds/nope/files/public.zip".into(), vec![], [U, F, F, F, N, F]),
            ("POST", "/api/v1/submissions?period=2023".into(), upload.clone(), [U, S::CREATED, F, S::BAD_REQUEST, F, F]),
            ("POST", "/api/v1/submissions?period=1999".into(), upload.clone(), [U, N, F, N, F, F]),
        ];
        for (method, path, body, expected) in &api {
            // sub_a last, so its success does not change what the others see.
            for i in [0, 2, 3, 4, 5, 1] {
                let (s, v) = e.api(method, path, tokens[i].as_deref(), body.clone()).await;
                assert_eq!(s, expected[i], "{backend}: {method} {path} as {}: {v}", names[i]);
                if s.is_client_error() {
                    assert!(v["error"].is_string() && !v["detail"].is_null(), "{method} {path}: {v}");
                }
            }
        }
        let (s, _) = e.api("POST", "/api/v1/periods", tokens[5].as_deref(), br#"{"id":"2024","from":"2024-01-01","to":"2024-12-31"}"#.to_vec()).await;
        assert_eq!(s, StatusCode::CREATED, "admin opens periods");
        for i in [0, 1, 2, 3] {
            let (s, _) = e.api("POST", "/api/v1/periods", tokens[i].as_deref(), br#"{"id":"2025","from":"2025-01-01","to":"2025-12-31"}"#.to_vec()).await;
            assert_eq!(s, if i == 0 { U } else { F }, "open period as {}", names[i]);
        }
        // Pages (session cookies). Nobody gets the 401 sign-in page.
        let pages: Vec<(String, [S; 6])> = vec![
            ("/periods".into(), [U, F, F, F, O, O]),
            ("/upload?period=2023".into(), [U, O, F, O, F, F]),
            ("/submissions".into(), [U, O, O, O, O, F]),
            (format!("/submissions/{a}"), [U, O, O, N, O, F]),
            (format!("/submissions/{a}/issues.xlsx"), [U, O, O, N, O, F]),
            (format!("/submissions/{a}/issues.csv"), [U, O, O, N, O, F]),
            ("/tracker?period=2023".into(), [U, F, F, F, O, F]),
            ("/builds/nope".into(), [U, F, F, F, N, F]),
            ("/builds/nope/files/public.zip".into(), [U, F, F, F, N, F]),
        ];
        for (path, expected) in &pages {
            for i in 0..6 {
                let (s, body) = e.page("GET", path, sessions[i].as_deref(), None).await;
                assert_eq!(s, expected[i], "{backend}: page {path} as {}", names[i]);
                if s == N {
                    assert!(!body.contains(a.as_str()) || path.contains(a.as_str()), "a 404 page tells nothing");
                }
            }
        }
        // Another force's submission looks exactly like a missing one.
        let (_, other) = e.api("GET", &format!("/api/v1/submissions/{a}"), tokens[3].as_deref(), vec![]).await;
        let (_, missing) = e.api("GET", "/api/v1/submissions/nope", tokens[3].as_deref(), vec![]).await;
        assert_eq!(other, missing);
        // Every refusal is in the audit log, and the chain holds.
        let audit = e.audit_lines().await;
        assert!(audit.iter().filter(|a| a.2 == "refused").count() >= 40, "{}", audit.len());
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_validated_refused_safely_and_never_half_stored() {
    for backend in backends() {
        let e = env_with(backend, |c| {
            c.max_upload_bytes = 256 * 1024;
            c.max_uncompressed_bytes = 8 * 1024 * 1024;
        })
        .await;
        let t = e.user("sub", "submitter", Some("cumbria")).await;
        let an = e.user("an", "analyst", None).await;
        e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
        let up = |body: Vec<u8>| e.api("POST", "/api/v1/submissions?period=2023", Some(&t), body);
        let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
            ("oversized", vec![b'x'; 300 * 1024], StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ("corrupt", b"PK\x03\x04 this is not really a zip".to_vec(), StatusCode::BAD_REQUEST, "unusable_file"),
            ("not a zip", b"force_id,crime_ref\n".to_vec(), StatusCode::BAD_REQUEST, "unusable_file"),
            ("path trick", zip_entries(&[("../crimes.csv", b"a")]), StatusCode::BAD_REQUEST, "unusable_file"),
            ("zip bomb", zip_entries(&[("crimes.csv", &vec![0u8; 20 * 1024 * 1024])]), StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ("missing file", zip_entries(&[("crimes.csv", b"force_id\n")]), StatusCode::BAD_REQUEST, "unusable_file"),
            ("wrong force folder", zip_folder(&tiny_cumbria(), Some("durham")), StatusCode::BAD_REQUEST, "wrong_force"),
            ("empty", vec![], StatusCode::BAD_REQUEST, "empty_upload"),
        ];
        for (what, body, status, code) in cases {
            let (s, v) = up(body).await;
            assert_eq!(s, status, "{backend} {what}: {v}");
            assert_eq!(v["error"], code, "{what}: {v}");
        }
        // Unknown period.
        let (s, v) = e.api("POST", "/api/v1/submissions?period=1999", Some(&t), zip_folder(&tiny_cumbria(), None)).await;
        assert_eq!((s, v["error"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_period")));
        // Nothing of any of them was stored.
        let (_, list) = e.api("GET", "/api/v1/submissions", Some(&t), vec![]).await;
        assert_eq!(list["submissions"].as_array().unwrap().len(), 0);
        assert_eq!(std::fs::read_dir(e.app.layout.uploads()).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(e.app.layout.tmp()).unwrap().count(), 0, "no temporary debris");
        let refusals = e.audit_lines().await.into_iter().filter(|a| a.1 == "upload" && a.2 == "refused").count();
        assert_eq!(refusals, 9, "{backend}: every refused upload is audited");

        // The tiny return has known errors: they come back with table, row, column and value.
        let (s, v) = up(zip_folder(&tiny_cumbria(), None)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "validated");
        let fr = &v["validation"]["forces"]["cumbria"];
        assert_eq!(v["validation"]["schema"], "csae.validation/1");
        let issue = &fr["issues"][0];
        assert!(issue["table"].is_string() && issue["row"].is_number() && issue["rule"].is_string(), "{issue}");
        assert!(v["rows"]["rejected"].as_i64().unwrap() > 0);
        let id = v["id"].as_str().unwrap().to_string();
        // The page shows them too.
        let sess = e.session("sub").await;
        let (s, page) = e.page("GET", &format!("/submissions/{id}"), Some(&sess), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("Rows to correct") && page.contains("There is a problem"), "{page}");
        // Confirm: version 1, on the tracker.
        let (s, v) = e.api("POST", &format!("/api/v1/submissions/{id}/confirm"), Some(&t), vec![]).await;
        assert_eq!((s, v["version"].as_i64()), (StatusCode::OK, Some(1)));
        let (s, _) = e.api("POST", &format!("/api/v1/submissions/{id}/confirm"), Some(&t), vec![]).await;
        assert_eq!(s, StatusCode::CONFLICT, "confirmed once only");
        let (_, tr) = e.api("GET", "/api/v1/tracker?period=2023", Some(&an), vec![]).await;
        let forces = tr["forces"].as_array().unwrap();
        assert_eq!(forces.len(), 44);
        let cumbria = forces.iter().find(|f| f["force_id"] == "cumbria").unwrap();
        assert_eq!((cumbria["status"].as_str(), cumbria["version"].as_i64()), (Some("rejected_rows"), Some(1)));
        assert_eq!(forces.iter().filter(|f| f["status"] == "not_submitted").count(), 43);
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_makes_both_publications_from_the_latest_confirmed_versions() {
    // One backend is enough here: the build path touches the database only through ops already
    // tested on both.
    let e = env("sqlite").await;
    let t = e.user("sub", "submitter", Some("cumbria")).await;
    let an = e.user("an", "analyst", None).await;
    e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
    let (s, _) = e.api("POST", "/api/v1/builds?period=2023", Some(&an), vec![]).await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing confirmed yet");
    let mut last = String::new();
    for _ in 0..2 {
        let (_, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), zip_folder(&tiny_cumbria(), None)).await;
        last = v["id"].as_str().unwrap().to_string();
        e.api("POST", &format!("/api/v1/submissions/{last}/confirm"), Some(&t), vec![]).await;
    }
    let (s, b) = e.api("POST", "/api/v1/builds?period=2023", Some(&an), vec![]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["submissions"], serde_json::json!([last]), "only the latest confirmed version counts");
    assert!(b["headline"]["csae_crimes"].as_u64().unwrap() > 0, "{b}");
    let id = b["id"].as_str().unwrap();
    for name in ["public.zip", "internal.zip", "headline.json", "headline-internal.json", "validation.json"] {
        let req = axum::http::Request::get(format!("/api/v1/builds/{id}/files/{name}")).header("authorization", format!("Bearer {an}")).body(axum::body::Body::empty()).unwrap();
        let (s, _, bytes) = e.send(req).await;
        assert_eq!(s, StatusCode::OK, "{name}");
        assert!(!bytes.is_empty());
        if name.ends_with(".zip") {
            let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            assert!(z.file_names().any(|n| n.is_ok_and(|n| n == "headline.json")), "{name}");
        }
    }
    let (s, _) = e.api("GET", &format!("/api/v1/builds/{id}/files/..%2Fportal.db"), Some(&an), vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let audit = e.audit_lines().await;
    assert!(audit.iter().any(|a| a.1 == "build" && a.2 == "ok"));
    assert_eq!(audit.iter().filter(|a| a.1 == "download" && a.2 == "ok").count(), 5);
}
