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
    let names: Vec<String> = foreign.iter().take(3).map(|n| crate::text::quoted(n)).collect();
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
/// tree durable together (see [`sync_together`], [`folders_of`]), ready for [`commit`].
pub fn write_all_durable(tree: &Path, files: &[(std::path::PathBuf, Vec<u8>)]) -> std::io::Result<()> {
    let mut written = write_all(files)?;
    written.extend(folders_of(tree)?);
    sync_together(&written)
}

/// Writes several files without waiting for the disk; the caller makes them durable.
pub fn write_all(files: &[(std::path::PathBuf, Vec<u8>)]) -> std::io::Result<Vec<File>> {
    use std::io::Write as _;
    let mut handles = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut f = File::create(path)?;
        f.write_all(bytes)?;
        handles.push(f);
    }
    Ok(handles)
}

/// Threads of [`sync_together`]: waiting on the disk, not using the processor.
const SYNC_THREADS: usize = 16;

/// How many bytes a [`SyncingFile`] lets pile up before it asks for them to be made durable.
const SYNC_EVERY: u64 = 4 << 20;

/// A file being written whose bytes are made durable in the background as they come, every
/// [`SYNC_EVERY`] bytes, on a thread of its own, while the caller goes on encoding.
///
/// Why: on this kind of machine (a virtual disk with a write-back cache on the host) an
/// `fsync` costs about 1.8 ms per megabyte still waiting in that cache, however early the
/// kernel was asked to start writing (`sync_file_range` does not empty the host's cache; only
/// a flush does). An ingest writes about 75 MB of Parquet, so a single `fsync` at the end kept
/// it waiting 0.10-0.13 s with both cores idle. Synced as they are written, the files leave
/// only their last few megabytes for the final `fsync` ([`sync_together`]), which is still
/// what makes the whole file durable before the dataset is committed.
pub struct SyncingFile {
    file: File,
    unsynced: u64,
    syncer: Syncer,
}

struct Syncer {
    wake: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl SyncingFile {
    pub fn create(path: &Path) -> std::io::Result<SyncingFile> {
        let file = File::create(path)?;
        let shared = file.try_clone()?;
        // One pending request at most: a request made while a sync runs is folded into the
        // next one, which covers every byte written before it starts.
        let (wake, asked) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new().name("csae-sync".into()).spawn(move || {
            while asked.recv().is_ok() {
                shared.sync_data()?;
            }
            Ok(())
        })?;
        Ok(SyncingFile { file, unsynced: 0, syncer: Syncer { wake, thread } })
    }

    /// Waits for the background syncs and returns the file, whose last bytes may not be
    /// durable yet: the caller syncs it ([`sync_together`]). A file dropped without this (on
    /// an error) leaves its syncer to end by itself once nothing more is asked.
    pub fn finish(self) -> std::io::Result<File> {
        let Syncer { wake, thread } = self.syncer;
        drop(wake);
        thread.join().unwrap_or_else(|_| Err(std::io::Error::other("syncing a file to disk failed unexpectedly")))?;
        Ok(self.file)
    }
}

impl std::io::Write for SyncingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= SYNC_EVERY {
            // Full means a request is already waiting; it will cover these bytes too.
            // Disconnected means the syncer stopped on an error, which `finish` reports.
            let _ = self.syncer.wake.try_send(());
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Makes written files durable together: the `fsync`s run concurrently on threads of their
/// own, so the file system can commit them in one journal transaction rather than one each,
/// and no worker thread of the caller's sits waiting on the disk. Thread `t` of `n` takes the
/// files `t`, `t + n`, `t + 2n`, …: callers list their largest files first (the tables), and
/// those then go to different threads instead of queueing on one.
pub fn sync_together(files: &[File]) -> std::io::Result<()> {
    on_threads(files, File::sync_all, "a file could not be synced")
}

/// Runs `job` on every item, on up to [`SYNC_THREADS`] threads: thread `t` of `n` takes the
/// items `t`, `t + n`, `t + 2n`, … (jobs that wait on the disk, not on the processor). The
/// first error is returned; `failed` describes a job that panicked.
fn on_threads<T: Sync>(items: &[T], job: impl Fn(&T) -> std::io::Result<()> + Sync, failed: &str) -> std::io::Result<()> {
    let threads = items.len().clamp(1, SYNC_THREADS);
    let job = &job;
    std::thread::scope(|s| {
        let jobs: Vec<_> = (0..threads).map(|t| s.spawn(move || items.iter().skip(t).step_by(threads).try_for_each(job))).collect();
        jobs.into_iter().try_for_each(|j| j.join().unwrap_or_else(|_| Err(std::io::Error::other(failed.to_string()))))
    })
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Makes the staging folder the dataset. Every file and folder in `staging` must already be
/// durable: synced with [`sync_together`], the folders opened with [`folders_of`].
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
        return remove_tree(staging);
    }
    let old = sibling(target, "old");
    std::fs::rename(target, &old)?;
    crate::crash_point("between-renames");
    std::fs::rename(staging, target)?;
    sync_dir(parent)?;
    remove_tree(&old)
}

/// Removes the previous version of a committed folder (a dataset or a publication), its files
/// on [`SYNC_THREADS`] threads, the largest each on a thread of its own. Removing a file frees its page cache and its
/// blocks: for a national dataset, 4 tables of 8-25 MB took 27 ms one after another, and the
/// whole tree (with the quarantine's 90 folders) about 50 ms, all of it after the commit and
/// before a replacing ingest could return. Folders go last, deepest first.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    tree_entries(dir, &mut files, &mut dirs)?;
    files.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    on_threads(&files, |(f, _)| std::fs::remove_file(f), "a file could not be removed")?;
    // `tree_entries` lists a folder before what it holds.
    dirs.iter().rev().try_for_each(std::fs::remove_dir)
}

/// The files (with their sizes) and folders of a tree, `dir` first among the folders.
fn tree_entries(dir: &Path, files: &mut Vec<(PathBuf, u64)>, dirs: &mut Vec<PathBuf>) -> std::io::Result<()> {
    dirs.push(dir.to_path_buf());
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let kind = e.file_type()?;
        if kind.is_dir() {
            tree_entries(&e.path(), files, dirs)?;
        } else {
            files.push((e.path(), e.metadata()?.len()));
        }
    }
    Ok(())
}

/// Every folder of a tree (`dir` included), opened so that [`sync_together`] can make their
/// entries durable beside the files: a new file's name is durable only once its folder is
/// synced. A dataset has about 90 folders (the quarantine's, two per force); synced one after
/// another at the commit, each waited for a flush of the disk's cache, 10-15 ms in all on this
/// machine, while synced with the files they overlap with the files' own flushes.
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
    use std::io::Write as _;

    use super::*;

    /// A file written through [`SyncingFile`], with syncs asked for on the way, holds every
    /// byte in order; one dropped unfinished (as on an error) does not hang.
    #[test]
    fn a_syncing_file_keeps_every_byte_and_can_be_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut f = SyncingFile::create(&path).unwrap();
        let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        let total = 3 * SYNC_EVERY as usize + 12345;
        let mut written = 0;
        while written < total {
            let n = chunk.len().min(total - written);
            f.write_all(&chunk[..n]).unwrap();
            written += n;
        }
        let file = f.finish().unwrap();
        file.sync_all().unwrap();
        let back = std::fs::read(&path).unwrap();
        assert_eq!(back.len(), total);
        assert!(back.chunks(chunk.len()).all(|c| c == &chunk[..c.len()]));

        let mut dropped = SyncingFile::create(&dir.path().join("u")).unwrap();
        dropped.write_all(&chunk).unwrap();
        drop(dropped);
    }

    /// A tree like a dataset's: files at the top, folders two deep with files in them, an
    /// empty folder, more files than [`sync_together`] has threads.
    fn sample_tree(root: &Path) {
        for i in 0..3 {
            std::fs::write(root.join(format!("t{i}.parquet")), vec![b'x'; 1000 * (i + 1)]).unwrap();
        }
        for force in 0..10 {
            let period = root.join("quarantine").join(format!("force-{force}")).join("2023");
            std::fs::create_dir_all(&period).unwrap();
            std::fs::write(period.join("issues.csv"), b"rule\n").unwrap();
            std::fs::write(period.join("crimes.csv"), b"crime_ref\n").unwrap();
        }
        std::fs::create_dir_all(root.join("empty")).unwrap();
    }

    /// Every folder of the tree is opened for syncing, the root and the empty one included,
    /// and the files and folders together sync.
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
        sync_together(&all).unwrap();
    }

    /// Removing a version removes every file and folder of it and nothing beside it.
    #[test]
    fn remove_tree_removes_the_whole_version_only() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".ds.new");
        std::fs::create_dir(&old).unwrap();
        sample_tree(&old);
        let kept = dir.path().join("ds");
        std::fs::create_dir(&kept).unwrap();
        sample_tree(&kept);
        // A hard link into the kept version, as a kept return's quarantine is linked.
        std::fs::hard_link(kept.join("t0.parquet"), old.join("linked.parquet")).unwrap();
        remove_tree(&old).unwrap();
        assert!(!old.exists());
        assert_eq!(std::fs::read(kept.join("t0.parquet")).unwrap().len(), 1000);
        assert_eq!(folders_of(&kept).unwrap().len(), 23);
    }
}
