//! The database: SQLite in the data folder by default, PostgreSQL when the config gives a URL.
//! One `sqlx::Any` pool and one set of portable migrations serve both, so every query in the
//! portal is written once (`$1` placeholders, TEXT/BIGINT columns) and tested on both.

use std::borrow::Cow;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::config::Config;
use crate::error::{PortalError, db_reason};

pub const SQLITE_FILE: &str = "portal.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool, and a lock that serialises the few read-then-write transactions (confirming a
/// version, appending to the audit chain): SQLite cannot upgrade a read transaction to a write
/// while another writer commits, and PostgreSQL would otherwise need retries.
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    pub write_lock: tokio::sync::Mutex<()>,
}

fn migrator() -> Migrator {
    let m = |version: i64, name: &'static str, sql: &'static str| {
        Migration::new(version, Cow::Borrowed(name), MigrationType::Simple, sqlx::SqlSafeStr::into_sql_str(sql), false)
    };
    Migrator::with_migrations(vec![
        m(1, "init", include_str!("../migrations/0001_init.sql")),
        m(2, "queries", include_str!("../migrations/0002_queries.sql")),
    ])
}

impl Db {
    /// Opens (creating when needed) the database of `cfg` and brings its schema up to date.
    pub async fn open(cfg: &Config) -> Result<Db, PortalError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = match &cfg.database_url {
            Some(url) => (url.clone(), Backend::Postgres),
            None => {
                std::fs::create_dir_all(&cfg.data_dir).map_err(|e| {
                    PortalError::Storage(format!("cannot create the data folder {} ({e}); choose a writable folder with --data-dir", cfg.data_dir.display()))
                })?;
                let dir = std::fs::canonicalize(&cfg.data_dir)
                    .map_err(|e| PortalError::Storage(format!("cannot open the data folder {} ({e})", cfg.data_dir.display())))?;
                (format!("sqlite://{}?mode=rwc", dir.join(SQLITE_FILE).display()), Backend::Sqlite)
            }
        };
        let opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        // SQLite has one writer at a time; a few connections are plenty and keep the busy waits short.
        let opts = match backend {
            Backend::Sqlite => opts.max_connections(4),
            Backend::Postgres => opts.max_connections(10),
        };
        let pool = opts.connect(&url).await.map_err(|e| {
            PortalError::Storage(match backend {
                Backend::Sqlite => format!("cannot open the embedded database in {} ({})", cfg.data_dir.display(), db_reason(&e)),
                Backend::Postgres => format!("cannot connect to the PostgreSQL database of the config ({}); check database_url and that the server runs", db_reason(&e)),
            })
        })?;
        if backend == Backend::Sqlite {
            // WAL lets pages be read while an upload is being recorded; it is kept in the file.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        migrator().run(&pool).await.map_err(|e| PortalError::Storage(format!("cannot bring the database schema up to date ({e})")))?;
        Ok(Db { pool, backend, write_lock: tokio::sync::Mutex::new(()) })
    }
}
