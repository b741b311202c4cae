//! The data folder: where uploads, builds, temporary files and the pseudonymisation key live.
//! Every file is written under `tmp/` first and renamed into place when complete, so a killed
//! server leaves at most debris in `tmp/` (cleared at start), never a half-written upload.
//!
//! ```text
//! <data>/portal.db            embedded database (SQLite), unless PostgreSQL is configured
//! <data>/audit.head           latest audit entry (seq and hash), the chain's outside anchor
//! <data>/pseudonym.key        the portal's pseudonymisation key (mode 0600), made on first build
//! <data>/tmp/                 uploads being received, submissions and builds being written
//! <data>/uploads/<id>/        one submission: <force>.xlsx or <force>/{crimes,…}.csv
//! <data>/builds/<id>/         one build: returns/, dataset/, public/, internal/, *.zip
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use csae_ingest::pseudonym::{Key, KeyError};

#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
}

pub const KEY_FILE: &str = "pseudonym.key";

impl Layout {
    pub fn new(root: &Path) -> Layout {
        Layout { root: root.to_path_buf() }
    }
    pub fn tmp(&self) -> PathBuf {
        self.root.join("tmp")
    }
    pub fn uploads(&self) -> PathBuf {
        self.root.join("uploads")
    }
    pub fn submission(&self, id: &str) -> PathBuf {
        self.uploads().join(id)
    }
    pub fn builds(&self) -> PathBuf {
        self.root.join("builds")
    }
    pub fn build(&self, id: &str) -> PathBuf {
        self.builds().join(id)
    }

    /// Creates the folders and clears `tmp/` of anything an interrupted run left there.
    pub fn prepare(&self) -> std::io::Result<()> {
        for d in [self.tmp(), self.uploads(), self.builds()] {
            std::fs::create_dir_all(&d)?;
        }
        for e in std::fs::read_dir(self.tmp())?.flatten() {
            let p = e.path();
            let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        }
        Ok(())
    }

    /// A fresh path under `tmp/` (not created).
    pub fn temp_path(&self, tag: &str) -> PathBuf {
        self.tmp().join(format!("{tag}-{}", crate::util::random_hex(8)))
    }

    /// The portal's pseudonymisation key, created (mode 0600) on first use.
    pub fn key(&self) -> Result<Key, KeyError> {
        let p = self.root.join(KEY_FILE);
        if p.exists() { Key::load(Some(&p)) } else { Key::write_new(&p) }
    }
}

/// Makes a rename durable: syncs the folder that holds the new name.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes a file and syncs it to disk (used inside staging folders, before their rename).
pub fn write_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    csae_dataset::store::write_durable(path, bytes)
}

/// Moves a finished staging folder into place and syncs the parent.
pub fn publish_dir(staging: &Path, target: &Path) -> std::io::Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(staging, target)?;
    sync_dir(target.parent().unwrap_or(Path::new(".")))
}
