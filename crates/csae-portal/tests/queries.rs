//! The data-quality loop of the portal, on SQLite and (when CSAE_TEST_DATABASE_URL is set)
//! PostgreSQL: analyst queries by API and by pages (raise, reply, close; text always escaped),
//! their refusals with nothing stored and everything audited, due dates and overdue forces, the
//! bar (`max_rejected_share`), and a force's history.

mod common;

use axum::http::StatusCode;
use common::*;
use csae_portal::audit;
use serde_json::Value;

const SCRIPT: &str = "<script>alert('x')</script> Why did crimes in March fall by half?";

/// The CSRF token of a session (what its pages put in their forms).
async fn csrf(e: &Env, session: &str) -> String {
    use sqlx::Row as _;
    let hash = csae_portal::util::sha256_hex(session.as_bytes());
    sqlx::query("SELECT csrf FROM sessions WHERE token_hash = $1").bind(hash).fetch_one(&e.app.db.pool).await.unwrap().get(0)
}

async fn count(e: &Env, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&e.app.db.pool).await.unwrap()
}

async fn raise(e: &Env, token: &str, sub: &str, body: Vec<u8>) -> (StatusCode, Value) {
    e.api("POST", &format!("/api/v1/submissions/{sub}/queries"), Some(token), body).await
}

fn text_body(text: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "text": text })).unwrap()
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// A request that must be refused: (token, method, path, body, status, error code).
type Case<'a> = (&'a str, &'a str, String, Vec<u8>, StatusCode, &'a str);

/// Users (analyst, admin, submitter and viewer of cumbria, submitter of durham), period 2023
/// and one upload of the tiny cumbria return; returns the tokens and the submission id.
struct World {
    an: String,
    admin: String,
    sub: String,
    view: String,
    other: String,
    id: String,
}

async fn world(e: &Env) -> World {
    let w = World {
        an: e.user("an", "analyst", None).await,
        admin: e.user("boss", "admin", None).await,
        sub: e.user("sub", "submitter", Some("cumbria")).await,
        view: e.user("view", "force_viewer", Some("cumbria")).await,
        other: e.user("durham.sub", "submitter", Some("durham")).await,
        id: String::new(),
    };
    let (s, _) = e.api("POST", "/api/v1/periods", Some(&w.an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&w.sub), zip_folder(&tiny_cumbria(), None)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    World { id: v["id"].as_str().unwrap().to_string(), ..w }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_query_cycle_by_api_with_every_refusal_stored_nowhere_and_audited() {
    for backend in backends() {
        let e = env(backend).await;
        let w = world(&e).await;

        // An analyst raises a query; the text is kept as written (trimmed), never as HTML.
        let (s, q) = raise(&e, &w.an, &w.id, text_body(&format!("  {SCRIPT}\n"))).await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {q}");
        assert_eq!((q["status"].as_str(), q["text"].as_str(), q["force_id"].as_str()), (Some("open"), Some(SCRIPT), Some("cumbria")), "{q}");
        assert_eq!((q["submission_id"].as_str(), q["period"].as_str(), q["raised_by"].as_str()), (Some(w.id.as_str()), Some("2023"), Some("an")));
        let qid = q["id"].as_str().unwrap().to_string();
        // A query of exactly 2,000 characters is taken.
        let (s, q2) = raise(&e, &w.an, &w.id, text_body(&"é".repeat(2000))).await;
        assert_eq!(s, StatusCode::CREATED, "{q2}");
        let q2id = q2["id"].as_str().unwrap().to_string();

        // The force's users see it with the submission, and reply; the replies keep their order.
        let (s, v) = e.api("GET", &format!("/api/v1/submissions/{}", w.id), Some(&w.view), vec![]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["queries"].as_array().map(Vec::len), Some(2), "{}", v["queries"]);
        assert_eq!(v["queries"][0]["text"], SCRIPT);
        assert_eq!(v["validation"]["schema"], "csae.validation/1", "the report still follows the queries");
        let (s, r) = e.api("POST", &format!("/api/v1/queries/{qid}/replies"), Some(&w.sub), text_body("A change of records system in March; corrected extract to follow.")).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let (s, r) = e.api("POST", &format!("/api/v1/queries/{qid}/replies"), Some(&w.view), text_body("Confirmed by the force's data team.")).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let replies: Vec<(&str, &str)> = r["replies"].as_array().unwrap().iter().map(|x| (x["replied_by"].as_str().unwrap(), x["text"].as_str().unwrap())).collect();
        assert_eq!(replies, [("sub", "A change of records system in March; corrected extract to follow."), ("view", "Confirmed by the force's data team.")]);

        // The tracker counts the open queries of the force.
        let open_of = |tr: &Value, force: &str| tr["forces"].as_array().unwrap().iter().find(|f| f["force_id"] == force).unwrap()["open_queries"].as_u64();
        let (_, tr) = e.api("GET", "/api/v1/tracker?period=2023", Some(&w.an), vec![]).await;
        assert_eq!((open_of(&tr, "cumbria"), open_of(&tr, "durham")), (Some(2), Some(0)), "{backend}");

        let (queries, replies) = (count(&e, "queries").await, count(&e, "query_replies").await);
        let before = e.audit_lines().await.len();
        // Bad input, each refused with nothing stored.
        let long = "x".repeat(2001);
        let cases: Vec<Case> = vec![
            (&w.an, "POST", "/api/v1/submissions/nope/queries".into(), text_body("Why?"), StatusCode::NOT_FOUND, "not_found"),
            (&w.an, "POST", format!("/api/v1/submissions/{}/queries", w.id), text_body(" \n "), StatusCode::BAD_REQUEST, "bad_text"),
            (&w.an, "POST", format!("/api/v1/submissions/{}/queries", w.id), text_body(&long), StatusCode::BAD_REQUEST, "bad_text"),
            (&w.an, "POST", format!("/api/v1/submissions/{}/queries", w.id), text_body("a\u{0}b"), StatusCode::BAD_REQUEST, "bad_text"),
            (&w.an, "POST", format!("/api/v1/submissions/{}/queries", w.id), b"{\"txt\": 1}".to_vec(), StatusCode::BAD_REQUEST, "bad_json"),
            (&w.sub, "POST", format!("/api/v1/submissions/{}/queries", w.id), text_body("Why?"), StatusCode::FORBIDDEN, "forbidden"),
            (&w.view, "POST", format!("/api/v1/submissions/{}/queries", w.id), b"not json".to_vec(), StatusCode::FORBIDDEN, "forbidden"),
            (&w.admin, "POST", format!("/api/v1/submissions/{}/queries", w.id), text_body("Why?"), StatusCode::FORBIDDEN, "forbidden"),
            (&w.other, "POST", format!("/api/v1/queries/{qid}/replies"), text_body("Not ours"), StatusCode::NOT_FOUND, "not_found"),
            (&w.sub, "POST", "/api/v1/queries/nope/replies".into(), text_body("Here"), StatusCode::NOT_FOUND, "not_found"),
            (&w.sub, "POST", format!("/api/v1/queries/{qid}/replies"), text_body(""), StatusCode::BAD_REQUEST, "bad_text"),
            (&w.sub, "POST", format!("/api/v1/queries/{qid}/replies"), text_body(&long), StatusCode::BAD_REQUEST, "bad_text"),
            (&w.an, "POST", format!("/api/v1/queries/{qid}/replies"), text_body("Analysts raise, forces reply"), StatusCode::FORBIDDEN, "forbidden"),
            (&w.sub, "POST", format!("/api/v1/queries/{qid}/close"), vec![], StatusCode::FORBIDDEN, "forbidden"),
            (&w.admin, "POST", format!("/api/v1/queries/{qid}/close"), vec![], StatusCode::FORBIDDEN, "forbidden"),
            (&w.an, "POST", "/api/v1/queries/nope/close".into(), vec![], StatusCode::NOT_FOUND, "not_found"),
        ];
        for (who, method, path, body, status, code) in &cases {
            let (s, v) = e.api(method, path, Some(who), body.clone()).await;
            assert_eq!((s, v["error"].as_str()), (*status, Some(*code)), "{backend}: {method} {path}: {v}");
            assert!(v["detail"].as_str().is_some_and(|d| !d.is_empty() && !d.contains("xxxx")), "{v}");
        }
        // Another force's query answers exactly like a missing one.
        let (_, other) = e.api("POST", &format!("/api/v1/queries/{qid}/replies"), Some(&w.other), text_body("Not ours")).await;
        let (_, missing) = e.api("POST", "/api/v1/queries/nope/replies", Some(&w.other), text_body("Not ours")).await;
        assert_eq!(other, missing);
        assert_eq!((count(&e, "queries").await, count(&e, "query_replies").await), (queries, replies), "{backend}: nothing stored");
        let refused: Vec<_> = e.audit_lines().await.into_iter().skip(before).filter(|a| a.2 == "refused").collect();
        assert_eq!(refused.len(), cases.len() + 2, "{backend}: every refusal is audited: {refused:?}");
        for action in ["raise_query", "reply_query", "close_query"] {
            assert!(refused.iter().any(|a| a.1 == action), "{action}");
        }

        // The analyst closes the query; closed, it takes no reply and cannot be closed again.
        let (s, c) = e.api("POST", &format!("/api/v1/queries/{qid}/close"), Some(&w.an), vec![]).await;
        assert_eq!((s, c["status"].as_str(), c["closed_by"].as_str()), (StatusCode::OK, Some("closed"), Some("an")), "{c}");
        assert_eq!(c["replies"].as_array().map(Vec::len), Some(2));
        let (s, v) = e.api("POST", &format!("/api/v1/queries/{qid}/replies"), Some(&w.sub), text_body("One more thing")).await;
        assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("query_closed")), "{v}");
        let (s, v) = e.api("POST", &format!("/api/v1/queries/{qid}/close"), Some(&w.an), vec![]).await;
        assert_eq!((s, v["error"].as_str()), (StatusCode::CONFLICT, Some("query_closed")), "{v}");
        assert_eq!(count(&e, "query_replies").await, replies, "no reply to a closed query");
        let (_, tr) = e.api("GET", "/api/v1/tracker?period=2023", Some(&w.an), vec![]).await;
        assert_eq!(open_of(&tr, "cumbria"), Some(1));
        let _ = q2id;

        // Every step is audited with the query's id, force and submission, never its text.
        let audit = e.audit_lines().await;
        for (action, n) in [("raise_query", 2), ("reply_query", 2), ("close_query", 1)] {
            let ok: Vec<_> = audit.iter().filter(|a| a.1 == action && a.2 == "ok").collect();
            assert_eq!(ok.len(), n, "{backend}: {action}");
            assert!(ok.iter().all(|a| a.3.contains("query ")), "{ok:?}");
        }
        for (_, action, _, detail) in &audit {
            for secret in ["script", "March", "records system", "data team", "éé", "Not ours", "Analysts raise"] {
                assert!(!detail.contains(secret), "{backend}: {action} entry holds query text: {detail}");
            }
        }
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty(), "{backend}");
        // A query or reply stored without its entry is found.
        sqlx::query("INSERT INTO queries (id, submission_id, seq, period_id, force_id, body, status, raised_by, raised_at) VALUES ('forged', $1, 99, '2023', 'cumbria', 'x', 'open', 'an', '2024-01-01T00:00:00Z')")
            .bind(w.id.clone())
            .execute(&e.app.db.pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO query_replies (id, query_id, seq, body, replied_by, replied_at) VALUES ('forged-reply', 'forged', 1, 'x', 'sub', '2024-01-01T00:00:00Z')").execute(&e.app.db.pool).await.unwrap();
        let problems = audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems;
        assert!(problems.iter().any(|p| p.contains("query forged has no raise_query entry") && p.contains("reply forged-reply has no reply_query entry")), "{problems:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_query_cycle_by_pages_shows_text_escaped_and_checks_csrf() {
    for backend in backends() {
        let e = env(backend).await;
        let w = world(&e).await;
        let (an, sub, view, other, admin) = (e.session("an").await, e.session("sub").await, e.session("view").await, e.session("durham.sub").await, e.session("boss").await);
        let (an_csrf, sub_csrf, other_csrf, admin_csrf) = (csrf(&e, &an).await, csrf(&e, &sub).await, csrf(&e, &other).await, csrf(&e, &admin).await);
        let page_of = |_: &str| format!("/submissions/{}", w.id);
        let policy = "Query text must never hold personal values such as names, dates of birth or PNC ids";

        // The analyst's page has the raise form (with CSRF) and says what query text must not hold.
        let (s, page) = e.page("GET", &page_of(""), Some(&an), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains(&format!(r#"action="/submissions/{}/queries""#, w.id)) && page.contains(&an_csrf) && page.contains(policy), "{page}");
        assert!(page.contains("not included in any publication"));
        // The force's users have no raise form.
        let (_, page) = e.page("GET", &page_of(""), Some(&sub), None).await;
        assert!(!page.contains("Raise the query") && page.contains("There are no queries on this submission."));

        // Without the CSRF token, or with another session's, nothing is raised.
        let form = format!("text={}", url_encode(SCRIPT));
        for bad in [form.clone(), format!("csrf={sub_csrf}&{form}")] {
            let (s, _) = e.page("POST", &format!("/submissions/{}/queries", w.id), Some(&an), Some(&bad)).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{backend}");
        }
        // Empty text: a page saying so, nothing stored.
        let (s, page) = e.page("POST", &format!("/submissions/{}/queries", w.id), Some(&an), Some(&format!("csrf={an_csrf}&text=+++"))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(page.contains("the text is empty") && page.contains(&format!("/submissions/{}#queries", w.id)), "{page}");
        assert_eq!(count(&e, "queries").await, 0);
        // Role and force on the page routes too: a force user may not raise, an admin sees no data.
        for (session, token) in [(&sub, &sub_csrf), (&admin, &admin_csrf)] {
            let (s, _) = e.page("POST", &format!("/submissions/{}/queries", w.id), Some(session), Some(&format!("csrf={token}&{form}"))).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
        assert_eq!(count(&e, "queries").await, 0);

        // Raised: back to the submission at the query.
        let (s, _) = e.page("POST", &format!("/submissions/{}/queries", w.id), Some(&an), Some(&format!("csrf={an_csrf}&{form}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}");
        let qid: String = sqlx::query_scalar("SELECT id FROM queries").fetch_one(&e.app.db.pool).await.unwrap();
        let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Why did crimes in March fall by half?";
        let escaped_alt = "&lt;script&gt;alert('x')&lt;/script&gt; Why did crimes in March fall by half?";
        let shows_escaped = |page: &str| !page.contains("<script") && (page.contains(escaped) || page.contains(escaped_alt));
        let (s, page) = e.page("GET", &page_of(""), Some(&sub), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(shows_escaped(&page), "{backend}: the query is shown as text: {page}");
        assert!(page.contains(&format!(r#"action="/queries/{qid}/replies""#)) && page.contains(&sub_csrf) && !page.contains("Close this query"), "{page}");
        // The tracker lists it, escaped too, and counts it for cumbria.
        let (s, page) = e.page("GET", "/tracker?period=2023", Some(&an), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(shows_escaped(&page) && page.contains("Open queries") && page.contains(&format!("/submissions/{}#query-{qid}", w.id)), "{backend}: {page}");

        // Another force's user cannot reply (404, as for a missing query); the force's user can.
        let reply = format!("text={}", url_encode("<b>Records system</b> changed"));
        let (s, page) = e.page("POST", &format!("/queries/{qid}/replies"), Some(&other), Some(&format!("csrf={other_csrf}&{reply}"))).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(!page.contains(&w.id), "a 404 page tells nothing");
        let (s, _) = e.page("POST", &format!("/queries/{qid}/replies"), Some(&sub), Some(&format!("csrf={sub_csrf}&{reply}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, page) = e.page("GET", &page_of(""), Some(&view), None).await;
        assert!(page.contains("&lt;b&gt;Records system&lt;/b&gt; changed") && !page.contains("<b>Records"), "{page}");

        // The analyst closes it from the page; a reply after that is refused with a page.
        let (_, page) = e.page("GET", &page_of(""), Some(&an), None).await;
        assert!(page.contains(&format!(r#"action="/queries/{qid}/close""#)), "{page}");
        let (s, _) = e.page("POST", &format!("/queries/{qid}/close"), Some(&an), Some(&format!("csrf={an_csrf}"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, page) = e.page("POST", &format!("/queries/{qid}/replies"), Some(&sub), Some(&format!("csrf={sub_csrf}&{reply}"))).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(page.contains("this query is closed"), "{page}");
        let (_, page) = e.page("GET", &page_of(""), Some(&sub), None).await;
        assert!(page.contains("Closed") && !page.contains(&format!(r#"action="/queries/{qid}/replies""#)), "no reply form on a closed query");
        let (_, page) = e.page("GET", "/tracker?period=2023", Some(&an), None).await;
        assert!(page.contains("No query is open.") && !page.contains("Why did crimes"), "{page}");
        assert_eq!(count(&e, "query_replies").await, 1);
        assert!(audit::verify(&e.app.db, e.dir.path(), None).await.unwrap().problems.is_empty());
    }
}

/// A confirmed version of `force` with these rows, as an upload and its confirmation would
/// leave it (the bar needs exact counts that a real return cannot give cheaply).
async fn confirmed(e: &Env, force: &str, period: &str, read: i64, rejected: i64) {
    sqlx::query(
        "INSERT INTO submissions (id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, version, confirmed_by, confirmed_at, rows_read, rows_accepted, rows_rejected, validation) \
         VALUES ($1, $2, $3, 'x', '2024-01-01T00:00:00Z', 'xlsx', 'x.xlsx', 'x', 1, 'confirmed', 1, 'x', '2024-01-02T00:00:00Z', $4, $5, $6, '')",
    )
    .bind(format!("{force}-{period}"))
    .bind(period.to_string())
    .bind(force.to_string())
    .bind(read)
    .bind(read - rejected)
    .bind(rejected)
    .execute(&e.app.db.pool)
    .await
    .unwrap();
}

fn row<'a>(tr: &'a Value, force: &str) -> &'a Value {
    tr["forces"].as_array().unwrap().iter().find(|f| f["force_id"] == force).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn due_dates_mark_forces_overdue_and_bad_ones_are_refused() {
    for backend in backends() {
        let e = env(backend).await;
        let an = e.user("an", "analyst", None).await;
        let before = e.audit_lines().await.len();
        for (body, what) in [
            (r#"{"id":"2023","from":"2023-01-01","to":"2023-12-31","due":"31/03/2024"}"#, "is not a date"),
            (r#"{"id":"2023","from":"2023-01-01","to":"2023-12-31","due":"2024-02-30"}"#, "is not a date"),
            (r#"{"id":"2023","from":"2023-01-01","to":"2023-12-31","due":"2022-12-31"}"#, "before the period starts"),
            (r#"{"id":"2023","from":"2023-01-01","to":"2023-12-31","due":20240331}"#, "not a period"),
        ] {
            let (s, v) = e.api("POST", "/api/v1/periods", Some(&an), body.as_bytes().to_vec()).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{backend}: {body}: {v}");
            assert!(v["detail"].as_str().unwrap().contains(what), "{v}");
        }
        assert!(csae_portal::periods::get(&e.app.db, "2023").await.unwrap().is_none(), "nothing stored");
        let refused = e.audit_lines().await.into_iter().skip(before).filter(|a| a.1 == "open_period" && a.2 == "refused").count();
        assert_eq!(refused, 4, "{backend}");

        // Due on the first day is allowed; a period due long ago has every unconfirmed force overdue.
        let (s, p) = e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31","due":"2024-03-31"}"#.to_vec()).await;
        assert_eq!((s, p["due"].as_str()), (StatusCode::CREATED, Some("2024-03-31")), "{p}");
        let (s, p) = e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2099","from":"2099-01-01","to":"2099-12-31","due":"2099-01-01"}"#.to_vec()).await;
        assert_eq!((s, p["due"].as_str()), (StatusCode::CREATED, Some("2099-01-01")), "{p}");
        let (s, p) = e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2022","from":"2022-01-01","to":"2022-12-31"}"#.to_vec()).await;
        assert_eq!((s, p["due"].clone()), (StatusCode::CREATED, Value::Null));
        confirmed(&e, "kent", "2023", 100, 0).await;
        // Only an unconfirmed upload does not stop a force being overdue.
        sqlx::query("INSERT INTO submissions (id, period_id, force_id, uploaded_by, uploaded_at, format, file_name, sha256, bytes, status, rows_read, rows_accepted, rows_rejected, validation) \
                     VALUES ('pending', '2023', 'durham', 'x', '2024-01-01T00:00:00Z', 'xlsx', 'x.xlsx', 'x', 1, 'validated', 10, 10, 0, '')")
            .execute(&e.app.db.pool)
            .await
            .unwrap();
        let (_, tr) = e.api("GET", "/api/v1/tracker?period=2023", Some(&an), vec![]).await;
        assert_eq!(tr["period"]["due"], "2024-03-31");
        let overdue: Vec<&str> = tr["forces"].as_array().unwrap().iter().filter(|f| f["overdue"] == true).map(|f| f["force_id"].as_str().unwrap()).collect();
        assert_eq!(overdue.len(), 43, "{backend}");
        assert!(!overdue.contains(&"kent") && overdue.contains(&"durham"));
        for period in ["2099", "2022"] {
            let (_, tr) = e.api("GET", &format!("/api/v1/tracker?period={period}"), Some(&an), vec![]).await;
            assert!(tr["forces"].as_array().unwrap().iter().all(|f| f["overdue"] == false), "{period}: not yet due, or no due date");
        }

        // The page that opens periods takes a due date, refuses a bad one and shows them; the
        // tracker page shows the overdue forces.
        let session = e.session("an").await;
        let token = csrf(&e, &session).await;
        let (s, page) = e.page("POST", "/periods", Some(&session), Some(&format!("csrf={token}&id=2024&from=2024-01-01&to=2024-12-31&due=2023-06-01"))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(page.contains("before the period starts") && page.contains("value=\"2023-06-01\""), "{page}");
        let (s, _) = e.page("POST", "/periods", Some(&session), Some(&format!("csrf={token}&id=2024&from=2024-01-01&to=2024-12-31&due=2025-03-31"))).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _) = e.page("POST", "/periods", Some(&session), Some(&format!("csrf={token}&id=2025&from=2025-01-01&to=2025-12-31&due="))).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "an empty due date is none");
        assert_eq!(csae_portal::periods::get(&e.app.db, "2025").await.unwrap().unwrap().due, None);
        let (_, page) = e.page("GET", "/periods", Some(&session), None).await;
        assert!(page.contains("2025-03-31") && page.contains("name=\"due\""), "{page}");
        let (_, page) = e.page("GET", "/tracker?period=2023", Some(&session), None).await;
        assert!(page.contains("Returns are due by 2024-03-31. 43 forces are overdue.") && page.matches(">Overdue<").count() == 43, "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bar_is_met_at_four_percent_and_not_above() {
    for backend in backends() {
        let e = env(backend).await;
        let an = e.user("an", "analyst", None).await;
        e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
        confirmed(&e, "kent", "2023", 100, 4).await;
        confirmed(&e, "durham", "2023", 100, 5).await;
        confirmed(&e, "essex", "2023", 25_000, 1_001).await;
        confirmed(&e, "dorset", "2023", 0, 0).await;
        let (s, tr) = e.api("GET", "/api/v1/tracker?period=2023", Some(&an), vec![]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(tr["max_rejected_share"], 0.04);
        let got = |f: &str| (row(&tr, f)["rejected_share"].clone(), row(&tr, f)["meets_standard"].clone());
        assert_eq!(got("kent"), (serde_json::json!(0.04), Value::Bool(true)), "{backend}: exactly 4% meets it");
        assert_eq!(got("durham"), (serde_json::json!(0.05), Value::Bool(false)), "{backend}: 5% does not");
        assert_eq!(got("essex").1, Value::Bool(false), "4.004% does not");
        assert_eq!(got("dorset"), (Value::Null, Value::Null), "no rows read, no share");
        assert_eq!(got("cumbria"), (Value::Null, Value::Null), "not submitted");
        assert_eq!(row(&tr, "kent")["rows_read"], 100);
        let session = e.session("an").await;
        let (_, page) = e.page("GET", "/tracker?period=2023", Some(&session), None).await;
        assert!(page.contains("at most 4% of the rows") && page.contains(">4%<") && page.contains(">5%<") && page.contains(">4.004%<"), "{page}");
        assert_eq!((page.matches(">Meets the standard<").count(), page.matches(">Below the standard<").count()), (1, 2), "{page}");

        // A laxer bar from the config lets durham meet it.
        let e = env_with(backend, |c| c.max_rejected_share = 0.05).await;
        let an = e.user("an", "analyst", None).await;
        e.api("POST", "/api/v1/periods", Some(&an), br#"{"id":"2023","from":"2023-01-01","to":"2023-12-31"}"#.to_vec()).await;
        confirmed(&e, "durham", "2023", 100, 5).await;
        let (_, tr) = e.api("GET", "/api/v1/tracker?period=2023", Some(&an), vec![]).await;
        assert_eq!((tr["max_rejected_share"].clone(), row(&tr, "durham")["meets_standard"].clone()), (serde_json::json!(0.05), Value::Bool(true)));
    }
}

#[test]
fn a_bar_outside_zero_to_one_is_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("portal.toml");
    std::fs::write(&f, "max_rejected_share = 1.5\n").unwrap();
    let args = csae_portal::ConfigArgs { config: Some(f.clone()), data_dir: Some(dir.path().into()), listen: None };
    let e = csae_portal::Config::load(&args).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    assert!(msg.contains("max_rejected_share") && msg.contains("1.5") && msg.contains("between 0 and 1"), "{msg}");
    assert_eq!(msg.matches(". ").count(), 0, "one sentence: {msg}");
    std::fs::write(&f, "max_rejected_share = 0.04\n").unwrap();
    assert_eq!(csae_portal::Config::load(&args).unwrap().max_rejected_share, 0.04);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forces_history_lists_every_version_with_its_history_queries() {
    for backend in backends() {
        let e = env(backend).await;
        let w = world(&e).await;
        // A later upload in 2023 (left unconfirmed) and one in 2022, uploaded last but listed first.
        let (s, _) = e.api("POST", &format!("/api/v1/submissions/{}/confirm", w.id), Some(&w.sub), vec![]).await;
        assert_eq!(s, StatusCode::OK);
        let (_, v) = e.api("POST", "/api/v1/submissions?period=2023", Some(&w.sub), zip_folder(&tiny_cumbria(), None)).await;
        let second = v["id"].as_str().unwrap().to_string();
        e.api("POST", "/api/v1/periods", Some(&w.an), br#"{"id":"2022","from":"2022-01-01","to":"2022-12-31"}"#.to_vec()).await;
        let (s, v) = e.api("POST", "/api/v1/submissions?period=2022", Some(&w.sub), zip_folder(&tiny_cumbria(), None)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let earlier = v["id"].as_str().unwrap().to_string();
        // The second 2023 report has history queries (as the history checks write them).
        let history = serde_json::json!({"previous_period": "2022", "queries": [
            {"rule": "H01", "previous": 120, "current": 40, "month": null, "message": "CSAE crimes changed by more than 30% and by more than 20 crimes"},
            {"rule": "H03", "previous": 12, "current": 0, "month": "2023-04", "message": "a month has no CSAE crime"}]});
        let report = csae_portal::submissions::report_file(&e.app.layout, &second);
        let mut doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        doc["forces"]["cumbria"]["history"] = history.clone();
        std::fs::write(&report, serde_json::to_vec(&doc).unwrap()).unwrap();

        for token in [&w.sub, &w.view, &w.an] {
            let (s, h) = e.api("GET", "/api/v1/forces/cumbria/history", Some(token), vec![]).await;
            assert_eq!(s, StatusCode::OK, "{backend}: {h}");
            assert_eq!((h["force_id"].as_str(), h["max_rejected_share"].as_f64()), (Some("cumbria"), Some(0.04)));
            let subs = h["submissions"].as_array().unwrap();
            let order: Vec<(&str, &str)> = subs.iter().map(|x| (x["period"].as_str().unwrap(), x["submission_id"].as_str().unwrap())).collect();
            assert_eq!(order, [("2022", earlier.as_str()), ("2023", w.id.as_str()), ("2023", second.as_str())], "{backend}");
            let first = &subs[1];
            assert_eq!((first["status"].as_str(), first["version"].as_i64()), (Some("confirmed"), Some(1)));
            assert_eq!((subs[2]["status"].as_str(), subs[2]["version"].clone()), (Some("validated"), Value::Null));
            let (read, rejected) = (first["rows_read"].as_i64().unwrap(), first["rows_rejected"].as_i64().unwrap());
            assert!(read > 0 && rejected > 0 && first["rows_accepted"].as_i64().unwrap() == read - rejected, "{first}");
            assert_eq!(first["rejected_share"].as_f64(), Some(rejected as f64 / read as f64));
            assert_eq!(first["meets_standard"].as_bool(), Some(rejected as f64 / read as f64 <= 0.04));
            assert!(first["uploaded_at"].is_string());
            assert_eq!(subs[2]["history"], history, "passed through as stored");
            assert_eq!(first["history"], Value::Null, "none stored");
        }
        // Another force's history is 404, exactly like a force that does not exist; an admin
        // sees no data; nobody signed in, 401.
        let (s, other) = e.api("GET", "/api/v1/forces/cumbria/history", Some(&w.other), vec![]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, unknown) = e.api("GET", "/api/v1/forces/atlantis/history", Some(&w.other), vec![]).await;
        assert_eq!((s, &other), (StatusCode::NOT_FOUND, &unknown));
        assert_eq!(e.api("GET", "/api/v1/forces/atlantis/history", Some(&w.an), vec![]).await.0, StatusCode::NOT_FOUND);
        assert_eq!(e.api("GET", "/api/v1/forces/CUMBRIA/history", Some(&w.sub), vec![]).await.0, StatusCode::NOT_FOUND, "ids are exact");
        assert_eq!(e.api("GET", "/api/v1/forces/cumbria/history", Some(&w.admin), vec![]).await.0, StatusCode::FORBIDDEN);
        assert_eq!(e.api("GET", "/api/v1/forces/cumbria/history", None, vec![]).await.0, StatusCode::UNAUTHORIZED);
        let (s, own) = e.api("GET", "/api/v1/forces/durham/history", Some(&w.other), vec![]).await;
        assert_eq!((s, own["submissions"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
        let audit = e.audit_lines().await;
        assert_eq!(audit.iter().filter(|a| a.1 == "view_force_history" && a.2 == "ok").count(), 4, "{backend}");
        assert_eq!(audit.iter().filter(|a| a.1 == "view_force_history" && a.2 == "refused").count(), 6, "{backend}");
    }
}
