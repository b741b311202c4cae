//! The portal against an attacker on the network or on the machine: slow clients are dropped,
//! every response carries its security headers, files are the owner's alone, a forged sign-in
//! token is refused, one user's failures do not lock out another, a bad query is answered as
//! JSON after authentication, and no change is ever stored without its audit entry.

mod common;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use csae_portal::audit;

/// A portal served on a free loopback port with `serve_on`, as `csae serve` serves it.
async fn served(tweak: impl FnOnce(&mut csae_portal::Config)) -> (Env, SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let e = env_with("sqlite", tweak).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(csae_portal::server::serve_on(listener, e.app.clone(), async move {
        let _ = stopped.await;
    }));
    (e, addr, stop)
}

/// Sends `request` on a new connection and reads until the server closes it or `wait` passes;
/// returns what was read and how long the server took to close.
fn exchange(addr: SocketAddr, request: &[u8], wait: Duration) -> (String, Option<Duration>) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(request).unwrap();
    let start = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&out).into_owned(), Some(start.elapsed())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), None),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_half_a_head_is_dropped_and_others_are_served() {
    let (e, addr, _stop) = served(|c| {
        c.header_read_timeout_seconds = 1;
        c.max_connections = 8;
    })
    .await;
    e.user("sub", "submitter", Some("cumbria")).await;
    // Twenty clients that start a request and stop: each dropped within the limit.
    let stalled: Vec<_> = (0..20)
        .map(|_| std::thread::spawn(move || exchange(addr, b"GET / HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(10))))
        .collect();
    // Meanwhile a whole request is answered (it may wait for a connection to be freed).
    let ok = tokio::task::spawn_blocking(move || exchange(addr, b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(10))).await.unwrap();
    assert!(ok.0.starts_with("HTTP/1.1 200"), "{}", ok.0);
    for t in stalled {
        let (_, closed) = t.join().unwrap();
        let closed = closed.expect("the server closed the stalled connection");
        assert!(closed < Duration::from_secs(5), "closed after {closed:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_with_the_security_headers() {
    let e = env("sqlite").await;
    let token = e.user("an", "analyst", None).await;
    let routes = [
        ("GET", "/"), ("GET", "/sign-in"), ("GET", "/periods"), ("GET", "/upload?period=2023"), ("GET", "/submissions"),
        ("GET", "/submissions/x"), ("GET", "/tracker?period=2023"), ("GET", "/builds/x"), ("GET", "/builds/x/files/public.zip"),
        ("GET", "/admin/users"), ("GET", "/admin/users/new"), ("GET", "/assets/app.css"), ("POST", "/sign-out"), ("POST", "/periods"),
        ("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/me"), ("GET", "/api/v1/periods"), ("GET", "/api/v1/submissions"),
        ("GET", "/api/v1/submissions/x"), ("GET", "/api/v1/submissions/x/issues.xlsx"), ("GET", "/submissions/x/issues.csv"), ("POST", "/api/v1/submissions/x/confirm"), ("GET", "/api/v1/tracker?period=2023"),
        ("POST", "/api/v1/builds?period=2023"), ("GET", "/api/v1/builds/x"), ("GET", "/api/v1/builds/x/files/internal.zip"), ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/submissions/x/queries"), ("POST", "/api/v1/queries/x/replies"), ("POST", "/api/v1/queries/x/close"),
        ("GET", "/api/v1/forces/cumbria/history"), ("POST", "/submissions/x/queries"), ("POST", "/queries/x/replies"), ("POST", "/queries/x/close"),
    ];
    for (method, path) in routes {
        for auth in [None, Some(token.as_str())] {
            let mut b = Request::builder().method(method).uri(path);
            if let Some(t) = auth {
                b = b.header("authorization", format!("Bearer {t}"));
            }
            let (s, h, _) = e.send(b.body(Body::empty()).unwrap()).await;
            let get = |k: &str| h.get(k).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            assert_eq!(get("cache-control"), "no-store", "{method} {path} ({s})");
            assert_eq!(get("x-content-type-options"), "nosniff", "{method} {path}");
            assert_eq!(get("x-frame-options"), "DENY", "{method} {path}");
            assert!(get("content-security-policy").contains("frame-ancestors 'none'"), "{method} {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_its_files_are_the_owners_alone() {
    // A folder others can write to is refused.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
    let cfg = csae_portal::Config::for_data_dir(dir.path());
    let e = csae_portal::server::App::open(cfg).await.err().expect("refused");
    assert!(e.to_string().contains("can be written by other users (mode 775)"), "{e}");
    // A readable one is made the owner's alone, with everything in it and made later.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("old.txt"), "x").unwrap();
    std::fs::set_permissions(dir.path().join("old.txt"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = env_with("sqlite", |c| c.data_dir = dir.path().to_path_buf()).await;
    let t = e.user("sub", "submitter", Some("cumbria")).await;
    let an = e.user("an", "analyst", None).await;
    e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
    let (s, _) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), zip_folder(&tiny_cumbria(), None)).await;
    assert_eq!(s, StatusCode::CREATED);
    let mut checked = 0;
    for entry in walk(dir.path()) {
        let mode = std::fs::metadata(&entry).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", entry.display());
        checked += 1;
    }
    assert!(checked > 6, "the database, the secret, the upload and its report were checked");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_token_the_server_did_not_issue_is_refused() {
    let e = env("sqlite").await;
    e.user("ana", "analyst", None).await;
    let pw = PASSWORD.replace(' ', "+");
    let post = |token: &str| {
        Request::post("/sign-in")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("csae_signin={token}"))
            .body(Body::from(format!("csrf={token}&username=ana&password={pw}")))
            .unwrap()
    };
    for forged in ["x", "0123.99999999999.abcd", &format!("{}.4102444800.{}", "a".repeat(32), "b".repeat(64))] {
        let (s, _, _) = e.send(post(forged)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{forged}");
    }
    // A token the server issued works.
    let token = csae_portal::sessions::pre_token(&e.app.secret);
    let (s, _, _) = e.send(post(&token)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_users_failures_do_not_lock_out_another() {
    let e = env("sqlite").await;
    e.user("alice", "analyst", None).await;
    e.user("bob", "analyst", None).await;
    for _ in 0..5 {
        assert_eq!(e.app.sign_in("10.0.0.1", "alice", "wrong password!").await.unwrap_err().status, StatusCode::UNAUTHORIZED);
    }
    let locked = e.app.sign_in("10.0.0.1", "alice", PASSWORD).await.unwrap_err();
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.retry_after.is_some_and(|s| s > 0 && s <= 900), "{:?}", locked.retry_after);
    // Another user from the same address, and the same user from elsewhere, still sign in.
    assert!(e.app.sign_in("10.0.0.1", "bob", PASSWORD).await.is_ok(), "a different user from the same address");
    assert!(e.app.sign_in("10.0.0.2", "alice", PASSWORD).await.is_ok(), "the same user from elsewhere");
    // The 429 carries Retry-After.
    let r = axum::response::IntoResponse::into_response(locked);
    assert!(r.headers().get("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_query_is_answered_as_json_after_authentication_and_audited() {
    let e = env("sqlite").await;
    let t = e.user("an", "analyst", None).await;
    let (s, v) = e.api("GET", "/api/v1/submissions?period=2023&period=2024", None, vec![]).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("not_signed_in")), "{v}");
    let (s, v) = e.api("GET", "/api/v1/submissions?period=2023&period=2024", Some(&t), vec![]).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{v}");
    assert!(e.audit_lines().await.iter().any(|a| a.1 == "list_submissions" && a.2 == "refused" && a.3.contains("bad_query")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_idle_limit_does_not_sign_out_an_active_user() {
    use sqlx::Row as _;
    let e = env_with("sqlite", |c| c.session_idle_minutes = 1).await;
    e.user("an", "analyst", None).await;
    let session = e.session("an").await;
    let stamp = |secs: i64| csae_portal::util::stamp(chrono::Utc::now() - chrono::Duration::seconds(secs));
    sqlx::query("UPDATE sessions SET last_seen_at = $1").bind(stamp(20)).execute(&e.app.db.pool).await.unwrap();
    assert_eq!(e.page("GET", "/", Some(&session), None).await.0, StatusCode::OK);
    let seen: String = sqlx::query("SELECT last_seen_at FROM sessions").fetch_one(&e.app.db.pool).await.unwrap().get(0);
    let seen = csae_portal::util::parse_stamp(&seen).unwrap();
    assert!(chrono::Utc::now() - seen < chrono::Duration::seconds(5), "the request counted as activity");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_user_gets_no_token_and_changes_without_entries_are_found() {
    use sqlx::Row as _;
    let e = env("sqlite").await;
    let admin = e.user("boss", "admin", None).await;
    let t = e.user("sub", "submitter", Some("cumbria")).await;
    let an = e.user("an", "analyst", None).await;
    e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
    let (_, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&t), zip_folder(&tiny_cumbria(), None)).await;
    let id = v["id"].as_str().unwrap().to_string();
    assert_eq!(e.api("POST", &format!("/api/v1/submissions/{id}/confirm"), Some(&t), vec![]).await.0, StatusCode::OK);
    let _ = admin;
    // Every change so far has its entry.
    assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    // A disabled user is refused a token.
    let sub = csae_portal::accounts::find_user(&e.app.db, "sub").await.unwrap().unwrap();
    sqlx::query("UPDATE users SET disabled = 1 WHERE id = $1").bind(sub.id.clone()).execute(&e.app.db.pool).await.unwrap();
    let args = csae_portal::ConfigArgs { data_dir: Some(e.dir.path().to_path_buf()), ..Default::default() };
    let refused = tokio::task::spawn_blocking(move || csae_portal::commands::token_new(&args, "sub")).await.unwrap().unwrap_err();
    assert!(refused.to_string().contains("is disabled"), "{refused}");
    // A disabled user without its entry, and a submission without its entry, are found.
    let problems = audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("user sub is disabled but has no user_disable entry")), "{problems:?}");
    sqlx::query("UPDATE users SET disabled = 0").execute(&e.app.db.pool).await.unwrap();
    sqlx::query("INSERT INTO submissions (id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, rows_read, rows_accepted, rows_rejected, validation) \
                 VALUES ('forged', '2023', 'durham', 'x', '2023-01-01T00:00:00Z', 'xlsx', 'x.xlsx', 'x', 1, 'validated', 0, 0, 0, '')")
        .execute(&e.app.db.pool)
        .await
        .unwrap();
    let problems = audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("submission forged has no upload entry")), "{problems:?}");
    // A head recorded elsewhere catches a log rewritten with its anchor file.
    let head: (i64, String) = {
        let r = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_one(&e.app.db.pool).await.unwrap();
        (r.get(0), r.get(1))
    };
    sqlx::query("DELETE FROM submissions WHERE id = 'forged'").execute(&e.app.db.pool).await.unwrap();
    assert!(audit::verify(&e.app.db, e.dir.path(), Some((head.0, head.1.as_str()))).await.unwrap().problems.is_empty());
    let other = "0".repeat(64);
    let problems = audit::verify(&e.app.db, e.dir.path(), Some((head.0, other.as_str()))).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains("differs from the head recorded elsewhere")), "{problems:?}");
}
