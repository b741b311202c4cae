//! The portal's settings: built-in defaults, then the `--config` TOML file, then the command
//! line flags (`--listen`, `--data-dir`), the later winning.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::PortalError;

/// The flags every portal command takes.
#[derive(Debug, Clone, Default)]
pub struct ConfigArgs {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Uploads, builds, the pseudonymisation key, the audit head and (by default) the database.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; `None` for the embedded SQLite file `portal.db` in the data dir.
    pub database_url: Option<String>,
    /// Largest upload accepted, in bytes (413 above it).
    pub max_upload_bytes: u64,
    /// Largest total uncompressed size of the files inside an upload (zip bombs are refused).
    pub max_uncompressed_bytes: u64,
    /// A session ends after this many minutes without a request…
    pub session_idle_minutes: i64,
    /// …and in any case this many hours after sign-in.
    pub session_max_hours: i64,
    /// Send session cookies with `Secure` (on by default; browsers accept them on loopback too).
    pub secure_cookies: bool,
    /// Failed sign-ins allowed per (user name, address) within `sign_in_window_seconds`; an
    /// address or a user name may fail ten times as often in all (`ratelimit`).
    pub sign_in_attempts: u32,
    pub sign_in_window_seconds: u64,
    /// Uploads validated at the same time (each holds a return in memory); others wait their turn.
    pub validation_slots: usize,
    /// Memory one validation may use; an upload whose size or rows would need more is refused
    /// (413) before the work starts. See [`Config::read_limits`].
    pub max_validation_memory_bytes: u64,
    /// A connection that has not sent a request's head within this time is closed.
    pub header_read_timeout_seconds: u64,
    /// A request (but an upload or a build) not answered within this time gets 503.
    pub request_timeout_seconds: u64,
    /// An upload whose body sends nothing for this long is refused (408); a slow but steady
    /// upload is never cut off.
    pub upload_idle_seconds: u64,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// The responsible statistician and contact printed in every build's publications.
    pub publication_contact: Option<String>,
    /// The bar of the tracker: a force meets the standard when at most this share of the rows
    /// of its latest confirmed version was rejected (0.04, the FBI's bar for NIBRS).
    pub max_rejected_share: f64,
}

/// The `--config` file: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    max_upload_mb: Option<u64>,
    max_uncompressed_mb: Option<u64>,
    session_idle_minutes: Option<i64>,
    session_max_hours: Option<i64>,
    secure_cookies: Option<bool>,
    sign_in_attempts: Option<u32>,
    sign_in_window_seconds: Option<u64>,
    validation_slots: Option<usize>,
    max_validation_memory_mb: Option<u64>,
    header_read_timeout_seconds: Option<u64>,
    request_timeout_seconds: Option<u64>,
    upload_idle_seconds: Option<u64>,
    max_connections: Option<usize>,
    publication_contact: Option<String>,
    max_rejected_share: Option<f64>,
}

/// Peak memory of validating an upload per byte of its uncompressed files, and per data row,
/// at the worst measured (every row rejected with several issues); see docs/portal.md.
pub const MEMORY_PER_INPUT_BYTE: u64 = 8;
pub const MEMORY_PER_ROW: u64 = 4096;

/// The smallest memory budget for a validation.
const MIN_VALIDATION_MEMORY: u64 = 64 * MB;

/// The default memory budget of one validation: the machine's memory shared by the
/// validation slots, with half of it left for everything else.
fn default_validation_memory(slots: usize) -> u64 {
    let total = machine_memory().unwrap_or(4096 * MB);
    (total / 2 / slots.max(1) as u64).max(MIN_VALIDATION_MEMORY)
}

/// The machine's memory (`MemTotal` of `/proc/meminfo`), where the system tells it.
fn machine_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kb: u64 = info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kb * 1024)
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "csae-data";
pub const DEFAULT_MAX_REJECTED_SHARE: f64 = 0.04;
const MB: u64 = 1024 * 1024;

impl Config {
    /// The settings for `args`; a bad file or value is a one-sentence error naming it.
    pub fn load(args: &ConfigArgs) -> Result<Config, PortalError> {
        let file = match &args.config {
            Some(p) => read_file(p)?,
            None => FileConfig::default(),
        };
        let listen_text = args.listen.clone().or(file.listen).unwrap_or_else(|| DEFAULT_LISTEN.into());
        let listen = listen_text
            .parse()
            .map_err(|_| PortalError::Usage(format!("{listen_text:?} is not an address to listen on; write ADDR:PORT, e.g. 127.0.0.1:8080")))?;
        let data_dir = args.data_dir.clone().or(file.data_dir).unwrap_or_else(|| DEFAULT_DATA_DIR.into());
        if let Some(url) = &file.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(PortalError::Usage(
                "database_url in the config must be a PostgreSQL URL (postgres://…); leave it out to use the embedded database in the data folder".into(),
            ));
        }
        let mut cfg = Config {
            listen,
            data_dir,
            database_url: file.database_url,
            max_upload_bytes: file.max_upload_mb.unwrap_or(64) * MB,
            max_uncompressed_bytes: file.max_uncompressed_mb.unwrap_or(512) * MB,
            session_idle_minutes: file.session_idle_minutes.unwrap_or(30),
            session_max_hours: file.session_max_hours.unwrap_or(12),
            secure_cookies: file.secure_cookies.unwrap_or(true),
            sign_in_attempts: file.sign_in_attempts.unwrap_or(5),
            sign_in_window_seconds: file.sign_in_window_seconds.unwrap_or(900),
            validation_slots: file.validation_slots.unwrap_or(2).max(1),
            max_validation_memory_bytes: 0,
            header_read_timeout_seconds: file.header_read_timeout_seconds.unwrap_or(10),
            request_timeout_seconds: file.request_timeout_seconds.unwrap_or(60),
            upload_idle_seconds: file.upload_idle_seconds.unwrap_or(60),
            max_connections: file.max_connections.unwrap_or(512),
            publication_contact: file.publication_contact,
            max_rejected_share: file.max_rejected_share.unwrap_or(DEFAULT_MAX_REJECTED_SHARE),
        };
        cfg.max_validation_memory_bytes = match file.max_validation_memory_mb {
            Some(mb) => mb * MB,
            None => default_validation_memory(cfg.validation_slots),
        };
        let zero = [cfg.header_read_timeout_seconds, cfg.request_timeout_seconds, cfg.upload_idle_seconds, cfg.max_connections as u64].contains(&0);
        if zero || cfg.max_upload_bytes == 0 || cfg.session_idle_minutes <= 0 || cfg.session_max_hours <= 0 || cfg.sign_in_attempts == 0 {
            return Err(PortalError::Usage(
                "max_upload_mb, session_idle_minutes, session_max_hours, sign_in_attempts, the timeouts and max_connections in the config must be above 0".into(),
            ));
        }
        if !(0.0..=1.0).contains(&cfg.max_rejected_share) {
            return Err(PortalError::Usage(format!(
                "max_rejected_share in the config is {} but must be a share between 0 and 1 (0.04 is 4%)",
                cfg.max_rejected_share
            )));
        }
        if cfg.max_validation_memory_bytes < MIN_VALIDATION_MEMORY {
            return Err(PortalError::Usage(format!(
                "max_validation_memory_mb in the config must be at least {}; a validation needs that much for any return",
                MIN_VALIDATION_MEMORY / MB
            )));
        }
        Ok(cfg)
    }

    /// What one upload may hold, from the memory budget of a validation: half of the budget
    /// for its bytes and half for its rows, at the measured cost of each (docs/portal.md,
    /// "Memory"), and never more bytes than `max_uncompressed_mb`.
    pub fn read_limits(&self) -> csae_ingest::ReadLimits {
        let half = self.max_validation_memory_bytes / 2;
        csae_ingest::ReadLimits {
            max_bytes: (half / MEMORY_PER_INPUT_BYTE).min(self.max_uncompressed_bytes),
            max_rows: half / MEMORY_PER_ROW,
        }
    }

    /// Settings for tests and tools: defaults with this data folder.
    pub fn for_data_dir(data_dir: &Path) -> Config {
        let mut c = Config::load(&ConfigArgs::default()).expect("defaults are valid");
        c.data_dir = data_dir.to_path_buf();
        c
    }
}

fn read_file(p: &Path) -> Result<FileConfig, PortalError> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| PortalError::Usage(format!("the config file {} cannot be read ({e}); give a readable TOML file with --config", p.display())))?;
    toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_string();
        PortalError::Usage(format!("the config file {} is not valid: {msg}; see docs/portal.md for the keys", p.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("portal.toml");
        std::fs::write(&f, "listen = \"127.0.0.1:9000\"\nmax_upload_mb = 8\n").unwrap();
        let args = ConfigArgs { config: Some(f.clone()), data_dir: Some(dir.path().into()), listen: Some("127.0.0.1:9001".into()) };
        let c = Config::load(&args).unwrap();
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.max_upload_bytes, 8 * MB);
        std::fs::write(&f, "listn = \"x\"\n").unwrap();
        let e = Config::load(&ConfigArgs { config: Some(f), ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("not valid"), "{e}");
    }

    #[test]
    fn max_rejected_share_defaults_to_four_percent_and_must_be_a_share() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("portal.toml");
        let load = |text: &str| {
            std::fs::write(&f, text).unwrap();
            Config::load(&ConfigArgs { config: Some(f.clone()), ..Default::default() })
        };
        assert_eq!(load("").unwrap().max_rejected_share, 0.04);
        assert_eq!(load("max_rejected_share = 0.1\n").unwrap().max_rejected_share, 0.1);
        assert_eq!(load("max_rejected_share = 0\n").unwrap().max_rejected_share, 0.0);
        for bad in ["1.5", "-0.01", "nan"] {
            let e = load(&format!("max_rejected_share = {bad}\n")).unwrap_err().to_string();
            assert!(e.contains("max_rejected_share") && e.to_lowercase().contains(bad) && e.contains("between 0 and 1"), "{e}");
        }
    }

    #[test]
    fn a_database_url_must_be_postgres() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("portal.toml");
        std::fs::write(&f, "database_url = \"mysql://x\"\n").unwrap();
        assert!(Config::load(&ConfigArgs { config: Some(f), ..Default::default() }).is_err());
    }
}
