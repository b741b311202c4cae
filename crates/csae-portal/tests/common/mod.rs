//! Test harness: a portal on SQLite in a temporary folder, and the same on PostgreSQL (in a
//! fresh schema) when CSAE_TEST_DATABASE_URL is set.
#![allow(dead_code)]

use std::io::Write as _;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use csae_portal::access::{Role, parse_roles};
use csae_portal::server::{App, Shared};
use csae_portal::{Config, accounts, password};
use tower::ServiceExt as _;

pub struct Env {
    pub app: Shared,
    pub router: Router,
    pub dir: tempfile::TempDir,
    pub backend: &'static str,
}

/// The backends to test on; PostgreSQL only when CSAE_TEST_DATABASE_URL is set.
pub fn backends() -> Vec<&'static str> {
    if std::env::var("CSAE_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty()) {
        vec!["sqlite", "postgres"]
    } else {
        println!("postgres: skipped: CSAE_TEST_DATABASE_URL not set");
        vec!["sqlite"]
    }
}

/// A test's schema is `t_<seconds since 1970>_<random>`; schemas of earlier runs are dropped
/// once they are an hour old (no test runs that long), and so are those named `t_<random>` by
/// earlier versions of this harness. A test's schema cannot be dropped when it ends (`Drop`
/// cannot wait on the database), so each run tidies up after the ones before it.
fn stale_schema(name: &str, now: u64) -> bool {
    let Some(rest) = name.strip_prefix("t_") else { return false };
    match rest.split_once('_') {
        Some((secs, _)) => secs.parse::<u64>().is_ok_and(|t| now.saturating_sub(t) > 3600),
        None => rest.len() == 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()),
    }
}

#[test]
fn only_old_test_schemas_are_stale() {
    let now = 1_800_000_000;
    assert!(stale_schema("t_1799990000_0123456789abcdef", now), "older than an hour");
    assert!(!stale_schema("t_1799999000_0123456789abcdef", now), "a running test's");
    assert!(stale_schema("t_7d1085b78c764f8a", now), "an earlier harness's");
    for other in ["t_users", "public", "t_x_y", "t_7d1085b78c764f8"] {
        assert!(!stale_schema(other, now), "{other}");
    }
}

async fn postgres_schema_url() -> String {
    use sqlx::Connection as _;
    let base = std::env::var("CSAE_TEST_DATABASE_URL").unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let schema = format!("t_{now}_{}", csae_portal::util::random_hex(8));
    let mut c = sqlx::postgres::PgConnection::connect(&base).await.expect("CSAE_TEST_DATABASE_URL is reachable");
    let names: Vec<String> = sqlx::query_scalar("SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 't\\_%'").fetch_all(&mut c).await.unwrap();
    for old in names.iter().filter(|n| stale_schema(n, now)) {
        // Another test process may be dropping the same schema: IF EXISTS, and errors ignored.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {old} CASCADE"))).execute(&mut c).await;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut c).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

pub async fn env_with(backend: &'static str, tweak: impl FnOnce(&mut Config)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config::for_data_dir(dir.path());
    cfg.secure_cookies = false;
    if backend == "postgres" {
        cfg.database_url = Some(postgres_schema_url().await);
    }
    tweak(&mut cfg);
    let app = App::open(cfg).await.unwrap();
    let router = csae_portal::server::router(app.clone());
    Env { app, router, dir, backend }
}

pub async fn env(backend: &'static str) -> Env {
    env_with(backend, |_| {}).await
}

pub const PASSWORD: &str = "correct horse battery staple";

impl Env {
    pub async fn user(&self, name: &str, role: &str, force: Option<&str>) -> String {
        let roles: Vec<Role> = parse_roles(role).unwrap();
        assert!(accounts::add_user(&self.app.db, self.dir.path(), "test", None, name, &roles, force, &password::hash(PASSWORD)).await.unwrap());
        let u = accounts::find_user(&self.app.db, name).await.unwrap().unwrap();
        accounts::issue_token(&self.app.db, self.dir.path(), "test", &u).await.unwrap()
    }

    pub async fn session(&self, name: &str) -> String {
        let u = accounts::find_user(&self.app.db, name).await.unwrap().unwrap();
        csae_portal::sessions::create(&self.app.db, &self.app.cfg, &u.id).await.unwrap()
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = r.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec();
        (parts.status, parts.headers, bytes)
    }

    pub async fn api(&self, method: &str, path: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, serde_json::Value) {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let (s, _, bytes) = self.send(b.body(Body::from(body)).unwrap()).await;
        (s, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    pub async fn page(&self, method: &str, path: &str, session: Option<&str>, form: Option<&str>) -> (StatusCode, String) {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(s) = session {
            b = b.header("cookie", format!("csae_session={s}"));
        }
        let body = match form {
            Some(f) => {
                b = b.header("content-type", "application/x-www-form-urlencoded");
                Body::from(f.to_string())
            }
            None => Body::empty(),
        };
        let (s, _, bytes) = self.send(b.body(body).unwrap()).await;
        (s, String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn audit_lines(&self) -> Vec<(String, String, String, String)> {
        use sqlx::Row as _;
        let rows = sqlx::query("SELECT actor, action, outcome, detail FROM audit_log ORDER BY seq").fetch_all(&self.app.db.pool).await.unwrap();
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect()
    }
}

/// A zip of the four CSV files of a folder, optionally inside a folder named `inner`.
pub fn zip_folder(dir: &std::path::Path, inner: Option<&str>) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for t in ["crimes", "victims", "suspects", "relationships"] {
        let name = match inner {
            Some(i) => format!("{i}/{t}.csv"),
            None => format!("{t}.csv"),
        };
        z.start_file(name, opts).unwrap();
        z.write_all(&std::fs::read(dir.join(format!("{t}.csv"))).unwrap()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A zip with the given (name, bytes) entries.
pub fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (n, b) in entries {
        z.start_file(*n, opts).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap().into_inner()
}

pub fn tiny_cumbria() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/tiny/cumbria")
}
