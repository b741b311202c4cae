//! The data folder: where uploads, builds, temporary files and the pseudonymisation key live.
//! Every file is written under `tmp/` first and renamed into place when complete, so a killed
//! server leaves at most debris in `tmp/` (cleared at start), never a half-written upload.
//!
//! ```text
//! <data>/portal.db            embedded database (SQLite), unless PostgreSQL is configured
//! <data>/audit.head           latest audit entry (seq and hash), the chain's outside anchor
//! <data>/pseudonym.key        the portal's pseudonymisation key (mode 0600), made on first build
//! <data>/server.secret        the key signing sign-in form tokens (mode 0600), made on first start
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

/// The server's secret for signing sign-in form tokens (mode 0600), made on first start.
pub const SECRET_FILE: &str = "server.secret";

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

    /// Makes the data folder and everything in it the owner's alone (folders 0700, files 0600),
    /// and everything the process creates from now on too, whatever the umask. Refuses a folder
    /// other users can write to: they could have swapped anything in it.
    pub fn secure(&self) -> Result<(), String> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // SAFETY: umask only sets this process's file creation mask.
            unsafe { libc::umask(0o077) };
            if let Ok(meta) = std::fs::metadata(&self.root) {
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o022 != 0 {
                    return Err(format!(
                        "the data folder {} can be written by other users (mode {mode:o}); make it the owner's alone with `chmod 700 {}` and start again",
                        self.root.display(),
                        self.root.display()
                    ));
                }
            }
            std::fs::create_dir_all(&self.root).map_err(|e| format!("cannot create the data folder {} ({})", self.root.display(), csae_dataset::io_reason(&e)))?;
            owner_only(&self.root).map_err(|e| format!("cannot make the data folder {} the owner's alone ({})", self.root.display(), csae_dataset::io_reason(&e)))?;
        }
        Ok(())
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

    /// The server's signing secret, created (mode 0600) on first use.
    pub fn secret(&self) -> std::io::Result<Vec<u8>> {
        let p = self.root.join(SECRET_FILE);
        if !p.exists() {
            let mut raw = [0u8; 32];
            getrandom::fill(&mut raw).map_err(std::io::Error::other)?;
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            match opts.open(&p) {
                Ok(mut f) => {
                    use std::io::Write as _;
                    f.write_all(hex::encode(raw).as_bytes())?;
                    f.sync_all()?;
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Ok(std::fs::read_to_string(&p)?.trim().as_bytes().to_vec())
    }

    /// The portal's pseudonymisation key, created (mode 0600) on first use.
    pub fn key(&self) -> Result<Key, KeyError> {
        let p = self.root.join(KEY_FILE);
        if p.exists() { Key::load(Some(&p)) } else { Key::write_new(&p) }
    }
}

/// Takes away every permission of group and others from `path` and everything below it.
#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    if meta.is_dir() {
        for e in std::fs::read_dir(path)? {
            owner_only(&e?.path())?;
        }
    }
    Ok(())
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
