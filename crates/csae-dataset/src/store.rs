//! Replacing a dataset folder atomically. A new version is built whole in a sibling staging
//! folder, then swapped with the old one in a single `renameat2(RENAME_EXCHANGE)` (Linux), so at
//! every instant the dataset path holds either the complete old version or the complete new one.
//! Where the exchange is not supported, two renames are used and an interrupted swap is undone
//! on the next run. A lock (`flock`, released by the kernel if the process dies) keeps two
//! ingests from interleaving.

use std::fs::File;
use std::path::{Path, PathBuf};

/// The entries of folder `dir` that are not among `owned` (names of files or folders the
/// product writes there), sorted. A folder that is replaced whole must hold nothing else: a
/// user's file left in it would be lost with the old version.
pub fn foreign_entries(dir: &Path, owned: &[&str]) -> std::io::Result<Vec<String>> {
    let mut out: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !owned.contains(&n.as_str()))
        .collect();
    out.sort();
    Ok(out)
}

/// The sentence refusing to replace `dir` because it holds `foreign` entries.
pub fn foreign_refusal(dir: &Path, what: &str, foreign: &[String]) -> String {
    let names: Vec<String> = foreign.iter().take(3).map(|n| csae_model::text::quoted(n)).collect();
    let more = if foreign.len() > 3 { format!(" and {} more", foreign.len() - 3) } else { String::new() };
    format!(
        "{} holds {}{more}, which is not part of a csae {what}; it would be lost when the {what} is replaced, so move it elsewhere and run again",
        dir.display(),
        names.join(", ")
    )
}

/// Sibling path `<parent>/.<name>.<tag>`.
fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target.file_name().map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.{tag}"))
}

/// An exclusive lock on the dataset path, held until dropped.
pub struct DatasetLock {
    _file: File,
}

pub fn lock(target: &Path) -> std::io::Result<DatasetLock> {
    let path = sibling(target, "lock");
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a file descriptor we own; no memory is shared.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::WouldBlock, "another csae ingest is writing this dataset"));
        }
    }
    Ok(DatasetLock { _file: file })
}

/// Undoes what an interrupted run left: a half-built staging folder is removed; an old version
/// moved aside by the two-rename fallback is put back if the new one never arrived.
pub fn recover(target: &Path) -> std::io::Result<()> {
    let staging = sibling(target, "new");
    let old = sibling(target, "old");
    if old.exists() {
        if target.exists() {
            std::fs::remove_dir_all(&old)?;
        } else {
            std::fs::rename(&old, target)?;
        }
    }
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    Ok(())
}

/// A fresh, empty staging folder beside the target.
pub fn staging(target: &Path) -> std::io::Result<PathBuf> {
    let staging = sibling(target, "new");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    std::fs::create_dir_all(&staging)?;
    Ok(staging)
}

/// Writes `bytes` to `path` durably (the file is complete on disk before this returns).
pub fn write_durable(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Writes several files into the folder tree `tree`, then makes them and every folder of the
/// tree durable ([`sync_all`], [`folders_of`]), ready for [`commit`].
pub fn write_all_durable(tree: &Path, files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    let mut written = write_all(files)?;
    written.extend(folders_of(tree)?);
    sync_all(&written)
}

/// Writes several files without waiting for the disk; the caller makes them durable.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> std::io::Result<Vec<File>> {
    use std::io::Write as _;
    let mut handles = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut f = File::create(path)?;
        f.write_all(bytes)?;
        handles.push(f);
    }
    Ok(handles)
}

/// Makes written files (and opened folders) durable: one `fsync` each.
pub fn sync_all(files: &[File]) -> std::io::Result<()> {
    files.iter().try_for_each(File::sync_all)
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Makes the staging folder the target (a dataset or a publication), then removes the previous
/// version. Every file and folder in `staging` must already be durable: synced with
/// [`sync_all`], the folders opened with [`folders_of`] (a new file's name is durable only once
/// its folder is).
pub fn commit(staging: &Path, target: &Path) -> std::io::Result<()> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !target.exists() {
        std::fs::rename(staging, target)?;
        return sync_dir(parent);
    }
    if exchange(staging, target)? {
        crate::crash_point("after-exchange");
        sync_dir(parent)?;
        // `staging` now holds the previous version.
        return std::fs::remove_dir_all(staging);
    }
    let old = sibling(target, "old");
    std::fs::rename(target, &old)?;
    crate::crash_point("between-renames");
    std::fs::rename(staging, target)?;
    sync_dir(parent)?;
    std::fs::remove_dir_all(&old)
}

/// Every folder of a tree (`dir` included), opened so that [`sync_all`] can make their entries
/// durable beside the files.
pub fn folders_of(dir: &Path) -> std::io::Result<Vec<File>> {
    let mut out = vec![File::open(dir)?];
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            out.extend(folders_of(&e.path())?);
        }
    }
    Ok(out)
}

/// Atomically exchanges two paths; `Ok(false)` when the platform or file system cannot.
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        if std::env::var_os("CSAE_NO_RENAME_EXCHANGE").is_some() {
            return Ok(false);
        }
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
        let rc = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
        if rc == 0 {
            return Ok(true);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
            _ => Err(err),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Copies `from` into `to` (a new folder), hard-linking files where possible: kept quarantine
/// files are never modified, so sharing them between versions is safe and cheap.
pub fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            link_tree(&e.path(), &dest)?;
        } else if std::fs::hard_link(e.path(), &dest).is_err() {
            std::fs::copy(e.path(), &dest)?;
        }
    }
    Ok(())
}

/// Writes a file atomically: a temporary sibling is written and synced, then renamed over the
/// target, so readers see the old file or the new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`], the content written by `write` into a buffered writer (a large report is
/// serialised into the file, never held whole).
pub fn write_atomic_with(path: &Path, write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let name = path.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, File::create(&tmp)?);
        write(&mut w)?;
        std::io::Write::flush(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    written.inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree like a dataset's: files at the top, folders two deep with files in them, an
    /// empty folder.
    fn sample_tree(root: &Path) {
        for i in 0..3 {
            std::fs::write(root.join(format!("t{i}.parquet")), vec![b'x'; 1000 * (i + 1)]).unwrap();
        }
        for force in 0..10 {
            let period = root.join("quarantine").join(format!("force-{force}")).join("2023");
            std::fs::create_dir_all(&period).unwrap();
            std::fs::write(period.join("issues.csv"), b"rule\n").unwrap();
        }
        std::fs::create_dir_all(root.join("empty")).unwrap();
    }

    /// Every folder of the tree is opened for syncing, the root and the empty one included.
    #[test]
    fn folders_of_lists_every_folder_of_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("v");
        std::fs::create_dir(&root).unwrap();
        sample_tree(&root);
        // The root, quarantine, 10 forces with a period each, the empty folder.
        let folders = folders_of(&root).unwrap();
        assert_eq!(folders.len(), 1 + 1 + 10 * 2 + 1);
        let mut all = write_all(&[(root.join("m.json"), b"{}".to_vec())]).unwrap();
        all.extend(folders);
        sync_all(&all).unwrap();
    }

    /// A commit over an earlier version leaves the new version whole and nothing of the old,
    /// with the exchange and with the two-rename fallback.
    #[test]
    fn a_commit_replaces_the_whole_version() {
        for fallback in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("ds");
            std::fs::create_dir(&target).unwrap();
            sample_tree(&target);
            std::fs::write(target.join("old-only.txt"), "x").unwrap();
            let stage = staging(&target).unwrap();
            std::fs::write(stage.join("t0.parquet"), "new").unwrap();
            // SAFETY of the test: the variable is read by `exchange` in this process only.
            if fallback {
                unsafe { std::env::set_var("CSAE_NO_RENAME_EXCHANGE", "1") };
            }
            commit(&stage, &target).unwrap();
            if fallback {
                unsafe { std::env::remove_var("CSAE_NO_RENAME_EXCHANGE") };
            }
            assert_eq!(std::fs::read_to_string(target.join("t0.parquet")).unwrap(), "new");
            assert!(!target.join("old-only.txt").exists() && !target.join("quarantine").exists());
            let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            assert_eq!(left, ["ds"], "nothing beside it");
        }
    }
}
