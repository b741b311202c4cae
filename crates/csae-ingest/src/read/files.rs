//! Reading a return's files: ordinary files only, never past a size limit, with their SHA-256
//! for the manifest.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::ReturnRejected;
use super::limits::too_many_bytes;

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Opens `path` for reading only if it is a regular file (a link to one is fine): a named pipe
/// or device would block the reader or never end. Opened without blocking, then checked, so
/// nothing can be swapped in between.
pub(crate) fn open_regular(path: &Path, shown: &str) -> Result<(std::fs::File, u64), ReturnRejected> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        ReturnRejected::new(shown, format!("{shown} cannot be read ({}); check the file exists and is readable, then run again", csae_dataset::io_reason(&e)))
    })?;
    let meta = file.metadata().map_err(|e| ReturnRejected::new(shown, format!("{shown} cannot be read ({})", csae_dataset::io_reason(&e))))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not an ordinary file (a named pipe, device or socket)" };
        return Err(ReturnRejected::new(shown, format!("{shown} is {what}; give the return's data as ordinary files and run again")));
    }
    Ok((file, meta.len()))
}

/// The whole of a regular file, refused past `max_bytes`.
pub(crate) fn read_file(path: &Path, shown: &str, max_bytes: u64) -> Result<Vec<u8>, ReturnRejected> {
    use std::io::Read as _;
    let (file, len) = open_regular(path, shown)?;
    if len > max_bytes {
        return Err(too_many_bytes(shown, len, max_bytes));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grows while it is read is still cut at the limit.
    file.take(max_bytes + 1).read_to_end(&mut bytes).map_err(|e| {
        ReturnRejected::new(shown, format!("{shown} cannot be read ({}); check the file is readable, then run again", csae_dataset::io_reason(&e)))
    })?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_many_bytes(shown, bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}


